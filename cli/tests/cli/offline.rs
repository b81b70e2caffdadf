//! Errors `hearth` must report without a node: usage, bad arguments and
//! an unreachable node, all exit status 2.

use crate::support::{hearth, new_key, run, run_cmd};

#[test]
fn help_lists_every_command() {
    let home = tempfile::tempdir().unwrap();
    let help = run(home.path(), &["--help"]).ok();
    for command in [
        "key",
        "join",
        "invite",
        "members",
        "pay",
        "balance",
        "log",
        "status",
        "leave",
        "remove",
        "propose",
        "proposals",
        "show",
        "vote",
        "amend",
        "withdraw",
        "review",
        "project",
        "nominate",
        "delegate",
        "undelegate",
        "delegations",
        "council",
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(command)),
            "{command} missing from:\n{help}"
        );
    }
    assert!(help.contains("--node") && help.contains("--json"), "{help}");
    let pay = run(home.path(), &["pay", "--help"]).ok();
    assert!(pay.contains("at most 3 decimals"), "{pay}");
    let usage = run(home.path(), &["frobnicate"]).fails(2);
    assert!(usage.contains("frobnicate"), "{usage}");
}

#[test]
fn an_unreachable_node_exits_2_naming_the_node() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    for args in [
        &["--node", "http://127.0.0.1:9", "status"][..],
        &["--node", "http://127.0.0.1:9", "--json", "members"],
        &["--node", "http://127.0.0.1:9", "balance"],
        &["--node", "http://127.0.0.1:9", "pay", "alice", "1"],
    ] {
        let err = run(home, args).fails(2);
        assert!(
            err.starts_with("hearth: cannot reach the node at http://127.0.0.1:9"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn the_node_comes_from_flag_env_or_config() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    std::fs::write(home.join("config.toml"), "node = \"http://127.0.0.1:9\"\n").unwrap();
    let err = run(home, &["status"]).fails(2);
    assert!(err.contains("http://127.0.0.1:9:"), "{err}");
    let err = run_cmd(hearth(home, &["status"]).env("HEARTH_NODE", "http://127.0.0.1:1")).fails(2);
    assert!(err.contains("http://127.0.0.1:1:"), "{err}");
    let err = run_cmd(
        hearth(home, &["--node", "http://127.0.0.1:2", "status"])
            .env("HEARTH_NODE", "http://127.0.0.1:1"),
    )
    .fails(2);
    assert!(err.contains("http://127.0.0.1:2:"), "{err}");
    std::fs::write(home.join("config.toml"), "nod = 1\n").unwrap();
    let err = run(home, &["status"]).fails(2);
    assert!(err.contains("config.toml"), "{err}");
}

#[test]
fn bad_arguments_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let with = |args: &[&'static str]| [&["--node", "http://127.0.0.1:9"][..], args].concat();

    let err = run(home, &with(&["join", "hearth-invite:notbase58!"])).fails(2);
    assert!(err.contains("not a valid invite code"), "{err}");
    let err = run(home, &with(&["join", "garbage"])).fails(2);
    assert!(err.contains("not a valid invite code"), "{err}");

    for amount in ["1.2345", "abc", "0"] {
        let err = run(home, &with(&["pay", "alice", amount])).fails(2);
        assert!(err.contains("amount"), "{amount}: {err}");
    }
    let err = run(home, &with(&["pay", "did:key:z6Mkbad", "1"])).fails(2);
    assert!(err.contains("invalid member"), "{err}");
    let err = run(home, &with(&["pay", "carol", "1"])).fails(2);
    assert!(
        err.contains("neither a did:key nor the name of a local key"),
        "{err}"
    );

    let err = run(home, &with(&["invite", "--ttl", "3 fortnights"])).fails(2);
    assert!(
        err.contains("invalid duration") && err.contains("--ttl"),
        "{err}"
    );
    assert!(
        err.contains("30s, 90m, 2h, 7d"),
        "the accepted forms: {err}"
    );
    let err = run(home, &with(&["log", "--limit", "1000"])).fails(2);
    assert!(err.contains("1000"), "{err}");
    let err = run(home, &with(&["remove", "alice"])).fails(2);
    assert!(err.contains("--reason"), "{err}");
    let err = run(home, &["--node", "ftp://x", "status"]).fails(2);
    assert!(err.contains("invalid node URL"), "{err}");
}
