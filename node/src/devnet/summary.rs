//! What the devnet prints once it is ready: the network, each community
//! (with its API URL, p2p address, CLI home and keys) and a session to
//! paste into another shell.
//!
//! Every community block starts with its name at the start of a line, and
//! each of its facts is a line `  <field>  <value>`; the last line starts
//! with `Ready.` (scripts and the end-to-end test rely on this).

use std::fmt::Write as _;
use std::path::Path;

use super::form::COUNCIL_KEY;
use super::manifest::Manifest;
use super::nodes::Nodes;
use super::{CHECKPOINT_INTERVAL, FINALITY};

/// How many of a community's keys the summary lists.
const KEYS_SHOWN: usize = 6;

/// The text printed when the devnet is ready.
pub fn text(
    root: &Path,
    exe: &Path,
    manifest: &Manifest,
    nodes: &Nodes,
    keep_going: bool,
) -> String {
    let s = &manifest.settings;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nHearth devnet in {}: network {:?} ({}), {} communities",
        root.display(),
        manifest.network_name,
        manifest.network,
        s.communities
    );
    let regions = match manifest.regions.as_slice() {
        [] => "no regions".to_string(),
        names => format!("regions {}", names.join(", ")),
    };
    let _ = writeln!(
        out,
        "{regions}; network and regional policies are voted on at once for {} s; \
         a ballot needs {} witnesses within a grace of {} s; checkpoints every {}; \
         a silent community stops waiting {} after the grace",
        s.voting, s.witnesses, s.grace, CHECKPOINT_INTERVAL, FINALITY
    );
    for (community, node) in manifest.communities.iter().zip(nodes.iter()) {
        let _ = writeln!(out);
        let region = community
            .region
            .as_deref()
            .map(|r| format!(", {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} (community {}{region})",
            community.name, community.id
        );
        let _ = writeln!(out, "  api   {}", node.url);
        let _ = writeln!(out, "  web   {}/   (the dashboard)", node.url);
        let _ = writeln!(out, "  p2p   {}", node.p2p);
        let _ = writeln!(out, "  home  {}", node.home().display());
        // A simulated community has dozens of members: the first few say
        // enough, the rest are in the home's key store.
        for key in community.keys.iter().take(KEYS_SHOWN) {
            let role = if key.name == COUNCIL_KEY {
                "  (on the council)"
            } else {
                ""
            };
            let _ = writeln!(out, "  key   {:<9} {}{role}", key.name, key.did);
        }
        if community.keys.len() > KEYS_SHOWN {
            let _ = writeln!(
                out,
                "  keys  {} more (member…) in {}",
                community.keys.len() - KEYS_SHOWN,
                node.home().join("keys").display()
            );
        }
        let _ = writeln!(out, "  log   {}", node.log_path().display());
        let _ = writeln!(out, "  pid   {}", node.pid);
    }
    out.push_str(&session(exe, manifest, nodes));
    if keep_going {
        let _ = writeln!(
            out,
            "\nA node that exits is reported here and the others keep running; \
             type `restart <node>` (e.g. `restart c1`) to start it again."
        );
    }
    let _ = writeln!(
        out,
        "\nReady. Ctrl-C stops the devnet; `hearthd devnet --dir {}` starts it again.",
        shell(&root.display().to_string())
    );
    out
}

/// A network referendum to paste into another shell.
fn session(exe: &Path, manifest: &Manifest, nodes: &Nodes) -> String {
    let homes: Vec<String> = nodes
        .iter()
        .map(|n| shell(&n.home().display().to_string()))
        .collect();
    let communities = &manifest.communities;
    // A member who is not on the council votes, where there is one; the
    // council of a third community (or of the second) delegates to the
    // first voter, across community lines.
    let voter = communities[0]
        .keys
        .get(1)
        .map_or(COUNCIL_KEY, |k| k.name.as_str());
    let delegator = match (communities.get(2), voter != COUNCIL_KEY) {
        (Some(_), _) => Some(2),
        (None, true) => Some(1),
        (None, false) => None,
    };
    let vars: Vec<String> = homes
        .iter()
        .take(3)
        .zip(["A", "B", "C"])
        .map(|(home, var)| format!("{var}={home}"))
        .collect();
    let mut out = String::from("\nA network referendum, from another shell:\n\n");
    match exe.parent().filter(|dir| dir.join("hearth").exists()) {
        Some(dir) => {
            let _ = writeln!(
                out,
                "  export PATH={}:\"$PATH\"",
                shell(&dir.display().to_string())
            );
        }
        None => out.push_str("  # build the CLI first: cargo build --bin hearth\n"),
    }
    let _ = writeln!(out, "  {}", vars.join(" "));
    let _ = writeln!(
        out,
        "  id=$(HEARTH_HOME=$A hearth --key {voter} propose --level network --kind policy \\\n      \
         --title \"Shared tool library\" --text \"Every community lends its tools.\" | head -1)"
    );
    let _ = writeln!(
        out,
        "  HEARTH_HOME=$A hearth --key {voter} vote \"$id\" --quadratic +5"
    );
    let _ = writeln!(
        out,
        "  HEARTH_HOME=$B hearth --key {voter} vote \"$id\" --quadratic -3"
    );
    if let Some(d) = delegator {
        let did = communities[0]
            .keys
            .iter()
            .find(|k| k.name == voter)
            .map_or("", |k| k.did.as_str());
        let var = ["A", "B", "C"][d];
        let _ = writeln!(
            out,
            "  HEARTH_HOME=${var} hearth --key {COUNCIL_KEY} delegate {did} --scope network"
        );
    }
    let _ = writeln!(
        out,
        "  HEARTH_HOME=$A hearth --key {voter} show \"$id\"   # certified soon after the close ({} s) and grace ({} s)",
        manifest.settings.voting, manifest.settings.grace
    );
    out.push_str("  HEARTH_HOME=$B hearth audit\n");
    out
}

/// `text` quoted for a POSIX shell where it needs to be.
fn shell(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell;

    #[test]
    fn paths_are_quoted_only_when_needed() {
        assert_eq!(
            shell("/tmp/hearth-devnet/c0/home"),
            "/tmp/hearth-devnet/c0/home"
        );
        assert_eq!(shell("/tmp/my devnet"), "'/tmp/my devnet'");
        assert_eq!(shell("/tmp/it's"), r"'/tmp/it'\''s'");
    }
}
