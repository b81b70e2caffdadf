//! `hearthd`'s command line end to end: the real binary run alone takes
//! `run`'s flags, `--help` shows them, flags in the wrong place are
//! refused, `devnet` has no `--data-dir`, and completions and the manual
//! page generate.
//!
//! ```text
//!   hearthd --api 127.0.0.1:0 --no-p2p  ──HTTP──  test (GET /healthz)
//! ```

use std::process::Command;

use hearth_tests::daemon::Daemon;
use hearth_tests::{CLI_TIMEOUT, Http, Run, hearthd_bin, run_to_end};

/// Runs `hearthd <args>` to the end in a scratch directory.
fn hearthd(args: &[&str]) -> Run {
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let mut command = Command::new(hearthd_bin());
    command
        .current_dir(scratch.path())
        .args(args)
        .env_remove("HEARTH_DATA_DIR")
        .env("RUST_LOG", "warn");
    run_to_end(command, scratch.path(), CLI_TIMEOUT)
}

#[test]
fn hearthd_alone_takes_the_run_flags_and_serves() {
    let mut node = Daemon::start(&["--api", "127.0.0.1:0", "--no-p2p"], &[]);
    let health = Http::new()
        .get(node.url(), "/healthz", &[])
        .expect("GET /healthz");
    assert_eq!((health.status, health.text.as_str()), (200, "ok"));
    assert!(
        node.stdout().contains("API listening on http://127.0.0.1:"),
        "{}",
        node.stdout()
    );
    assert!(node.stop().success());

    // `run` keeps working, with the data directory before or after it.
    let data = tempfile::tempdir().expect("a temporary directory");
    let dir = data.path().join("data");
    let dir = dir.to_str().expect("a UTF-8 path");
    let init = hearthd(&["init", "--data-dir", dir, "--name", "Riverside"]);
    assert!(init.success(), "{init}");
    let reindex = hearthd(&["--data-dir", dir, "reindex"]);
    assert!(reindex.success(), "{reindex}");
}

#[test]
fn help_lists_the_run_flags_and_misplaced_flags_are_refused() {
    let help = hearthd(&["--help"]);
    assert!(help.success(), "{help}");
    for flag in [
        "--api",
        "--p2p-listen",
        "--bootstrap",
        "--mdns",
        "--no-p2p",
        "--cache-mb",
        "--data-dir",
        "completions",
        "man",
    ] {
        assert!(help.stdout.contains(flag), "--help lists {flag}: {help}");
    }
    assert!(
        !help.stdout.contains("--no-mdns"),
        "the no-op is hidden: {help}"
    );

    let misplaced = hearthd(&["--api", "127.0.0.1:0", "reindex"]);
    assert_eq!(misplaced.code, Some(2), "{misplaced}");
    assert!(
        misplaced
            .stderr
            .contains("--api is a flag of `hearthd run`"),
        "{misplaced}"
    );
}

#[test]
fn devnet_has_no_data_dir() {
    let help = hearthd(&["devnet", "--help"]);
    assert!(help.success(), "{help}");
    assert!(help.stdout.contains("--communities"), "{help}");
    assert!(!help.stdout.contains("--data-dir"), "{help}");
    let refused = hearthd(&["devnet", "--data-dir", "x"]);
    assert_eq!(refused.code, Some(2), "{refused}");
    let before = hearthd(&["--data-dir", "x", "devnet"]);
    assert_eq!(before.code, Some(2), "{before}");
    assert!(
        before
            .stderr
            .contains("--data-dir does not apply to devnet"),
        "{before}"
    );
}

#[test]
fn completions_and_the_manual_page_generate() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef hearthd"),
        ("fish", "complete -c hearthd"),
    ] {
        let script = hearthd(&["completions", shell]);
        assert!(script.success(), "{script}");
        assert!(script.stdout.contains(marker), "{shell}: {script}");
        assert!(
            script.stdout.contains("p2p-listen"),
            "{shell} completes the run flags"
        );
    }
    let unknown = hearthd(&["completions", "cmd.exe"]);
    assert_eq!(unknown.code, Some(2), "{unknown}");
    let man = hearthd(&["man"]);
    assert!(man.success(), "{man}");
    assert!(man.stdout.contains(".TH hearthd 1"), "{man}");
    assert!(man.stdout.contains("p2p\\-listen"), "{man}");
}
