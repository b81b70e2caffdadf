//! The command line's shape and every help text: one-sentence summaries,
//! examples one per line, usages in the order they are typed, and global
//! options where they belong.

use super::*;

/// Every subcommand below `cmd` (clap's own `help` aside), with its path.
fn walk(cmd: &clap::Command) -> Vec<(String, clap::Command)> {
    fn go(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path = format!("{path} {}", sub.get_name());
            out.push((path.clone(), sub.clone()));
            go(sub, &path, out);
        }
    }
    let mut out = Vec::new();
    go(cmd, NAME, &mut out);
    out
}

fn long_help(cmd: &clap::Command) -> String {
    cmd.clone().render_long_help().to_string()
}

#[test]
fn the_command_line_is_well_formed() {
    command().debug_assert();
}

#[test]
fn every_summary_is_one_complete_sentence() {
    let all = walk(&command());
    assert!(all.len() > 60, "{} subcommands", all.len());
    let mut bad = Vec::new();
    for (path, cmd) in &all {
        let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
        let sentence = about.ends_with('.')
            && !about.contains('\n')
            && about.starts_with(|c: char| c.is_uppercase());
        if !sentence {
            bad.push(format!("{path}: {about:?}"));
        }
    }
    assert!(
        bad.is_empty(),
        "summaries that are not one sentence:\n{}",
        bad.join("\n")
    );
}

#[test]
fn examples_stand_one_per_line() {
    let mut bad = Vec::new();
    for (path, cmd) in std::iter::once((NAME.to_string(), command())).chain(walk(&command())) {
        for line in long_help(&cmd).lines() {
            let trimmed = line.trim();
            // "Examples: hearth a hearth b" is two examples run together.
            let label = trimmed.starts_with("Example:") || trimmed.starts_with("Examples:");
            let after_label = label && !trimmed.ends_with(':');
            let runs = trimmed.starts_with("hearth ") && trimmed[7..].contains(" hearth ");
            if after_label || runs {
                bad.push(format!("{path}: {line:?}"));
            }
        }
    }
    assert!(bad.is_empty(), "examples run together:\n{}", bad.join("\n"));
}

#[test]
fn vote_reads_as_it_is_typed() {
    let mut cmd = command();
    let vote = cmd.find_subcommand_mut("vote").expect("vote");
    let usage = vote.render_usage().to_string();
    let id = usage.find("<ID>").expect("usage names <ID>");
    let choice = usage.find("<CHOICE>").expect("usage names <CHOICE>");
    assert!(id < choice, "{usage}");
    assert!(
        usage.contains("hearth vote [OPTIONS] <ID> <CHOICE>"),
        "{usage}"
    );
    for form in ["--rank", "--quadratic", "--approve"] {
        let line = usage
            .lines()
            .find(|l| l.contains(form))
            .unwrap_or_else(|| panic!("{form} in {usage}"));
        assert!(line.find("<ID>") < line.find(form), "{line}");
    }
}

#[test]
fn global_options_have_their_own_heading() {
    let cmd = command();
    let pay = cmd.find_subcommand("pay").expect("pay");
    let help = long_help(pay);
    let (options, global) = help
        .split_once("Global options:")
        .unwrap_or_else(|| panic!("no Global options heading in:\n{help}"));
    for flag in ["--node", "--key", "--json", "--home", "--ca-cert"] {
        assert!(
            global.contains(flag),
            "{flag} under Global options:\n{help}"
        );
        assert!(
            !options.contains(flag),
            "{flag} among pay's own options:\n{help}"
        );
    }
    assert!(options.contains("--memo"), "{help}");
}

#[test]
fn offline_commands_do_not_offer_the_node() {
    let all = walk(&command());
    let offline = |path: &str| {
        ["key", "tally", "network rules", "completions", "man"]
            .iter()
            .any(|p| path == format!("{NAME} {p}") || path.starts_with(&format!("{NAME} {p} ")))
    };
    let mut checked = 0;
    for (path, cmd) in &all {
        let help = long_help(cmd);
        if offline(path) {
            checked += 1;
            assert!(
                !help.contains("--node <URL>"),
                "{path} offers --node:\n{help}"
            );
            assert!(
                !help.contains("--ca-cert <FILE>"),
                "{path} offers --ca-cert:\n{help}"
            );
        } else {
            assert!(
                help.contains("--node <URL>"),
                "{path} lacks --node:\n{help}"
            );
        }
    }
    assert!(checked >= 12, "{checked} offline commands");
    // Hidden is not refused: scripts may pass --node to every command.
    let parsed = command().try_get_matches_from(["hearth", "key", "list", "--node", "http://x"]);
    assert!(parsed.is_ok(), "{parsed:?}");
}

#[test]
fn the_long_help_lists_the_json_error_codes() {
    let help = long_help(&command());
    for code in [
        "usage",
        "invalid_argument",
        "key_not_found",
        "network",
        "tls",
    ] {
        assert!(help.contains(&format!("  {code} ")), "{code} in:\n{help}");
    }
    assert!(help.contains("{\"error\": \"<code>\""), "{help}");
}
