//! `hearth completions` and `hearth man`: generated from the command line
//! itself, offline.

use std::process::Command;

use crate::support::run;

/// Subcommands every completion script and the man page must know.
const SUBCOMMANDS: [&str; 6] = ["pay", "vote", "network", "audit", "completions", "man"];

#[test]
fn completion_scripts_name_the_real_subcommands() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let script = run(home.path(), &["completions", shell]).ok();
        for name in SUBCOMMANDS {
            assert!(script.contains(name), "{shell} completes {name}");
        }
        // Nested subcommands and options too.
        assert!(script.contains("create-pool"), "{shell}: aid create-pool");
        assert!(script.contains("ca-cert"), "{shell}: --ca-cert");
    }
    // A script may pass --node to every command, completions included.
    let with_node = run(
        home.path(),
        &["--node", "http://x:1", "completions", "fish"],
    )
    .ok();
    assert!(with_node.contains("complete -c hearth"), "{with_node}");
    let err = run(home.path(), &["completions", "tcsh"]).fails(2);
    assert!(err.contains("tcsh") && err.contains("bash"), "{err}");
}

#[test]
fn bash_accepts_the_bash_script() {
    let home = tempfile::tempdir().unwrap();
    let script = run(home.path(), &["completions", "bash"]).ok();
    let file = home.path().join("hearth.bash");
    std::fs::write(&file, &script).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        checked.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    // Sourced, it registers the completion of `hearth`.
    let sourced = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p hearth", file.display()))
        .output()
        .unwrap();
    let registered = String::from_utf8_lossy(&sourced.stdout);
    assert!(registered.contains("hearth"), "complete -p: {registered}");
}

#[test]
fn the_man_page_is_roff_naming_every_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let page = run(home.path(), &["man"]).ok();
    assert!(page.contains(".TH hearth 1"), "{page}");
    for name in SUBCOMMANDS {
        assert!(
            page.contains(&format!("hearth\\-{name}(1)")),
            "man names {name}"
        );
    }
}

#[test]
fn man_writes_a_page_per_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("man1");
    let out = run(home.path(), &["man", "--dir", dir.to_str().unwrap()]).ok();
    assert!(out.contains("man1"), "{out}");
    for page in [
        "hearth.1",
        "hearth-pay.1",
        "hearth-key-new.1",
        "hearth-node-status.1",
        "hearth-tally-pb.1",
    ] {
        let text =
            std::fs::read_to_string(dir.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH "), "{page}");
    }
    let node_status = std::fs::read_to_string(dir.join("hearth-node-status.1")).unwrap();
    assert!(node_status.contains("Pending votes"), "{node_status}");
    // A directory that cannot be created is a local error.
    let blocked = home.path().join("file");
    std::fs::write(&blocked, "").unwrap();
    let inside = blocked.join("man1");
    let err = run(home.path(), &["man", "--dir", inside.to_str().unwrap()]).fails(2);
    assert!(err.contains("cannot create"), "{err}");
}
