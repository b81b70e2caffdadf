//! The node's log as an operator reads it: with `RUST_LOG=info` and its
//! log going to a file (not a terminal), one plain line per accepted and
//! per refused action — kind, author, the code of a refusal — one per
//! seal, no colour codes, and never an invite code.
//!
//! ```text
//!   alice's hearth ──┐
//!                    ├──HTTP──▶ hearthd --api 127.0.0.1:0 --no-p2p
//!   bob's hearth ────┘          (stderr → a file the test reads)
//! ```

use hearth_tests::Cli;
use hearth_tests::daemon::Daemon;

/// The did a CLI's key has (`hearth key show`).
fn did(cli: &Cli) -> String {
    let shown = cli.ok(&["key", "show"]);
    shown
        .lines()
        .find_map(|l| l.strip_prefix("did").map(str::trim))
        .unwrap_or_else(|| panic!("key show has a did line: {shown}"))
        .to_string()
}

#[test]
fn the_log_has_one_plain_line_per_action_with_the_code_of_a_refusal_and_no_secret() {
    let node = Daemon::start(
        &["--api", "127.0.0.1:0", "--no-p2p"],
        &[("RUST_LOG", "info")],
    );
    let founder_invite = std::fs::read_to_string(node.data_dir().join("founder-invite"))
        .expect("the founder invite")
        .trim()
        .to_string();
    let alice = Cli::new(node.url());
    let bob = Cli::new(node.url());
    alice.ok(&["key", "new", "alice"]);
    bob.ok(&["key", "new", "bob"]);
    let (alice_did, bob_did) = (did(&alice), did(&bob));
    alice.ok(&["join", &founder_invite]);
    let code = alice.ok(&["invite", "--ttl", "2d"]).trim().to_string();
    bob.ok(&["join", &code]);
    alice.ok(&["pay", &bob_did, "2.5"]);
    let refused = bob.run(&["invite"]);
    assert_eq!(
        refused.code,
        Some(1),
        "bob is not on the council: {refused}"
    );
    assert!(refused.stderr.contains("not_council"), "{refused}");

    let log = node.stderr();
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escapes off a terminal: {log}"
    );
    for secret in [&founder_invite, &code] {
        let body = secret.trim_start_matches("hearth-invite:");
        assert!(!log.contains(body), "an invite code is in the log: {log}");
    }
    let lines = |needle: &[&str]| -> Vec<&str> {
        log.lines()
            .filter(|l| needle.iter().all(|n| l.contains(n)))
            .collect()
    };
    let author = |did: &str| format!("author={did}");
    let accepted = [
        ("join", &alice_did),
        ("issue_invite", &alice_did),
        ("join", &bob_did),
        ("transfer", &alice_did),
    ];
    for (kind, who) in accepted {
        let found = lines(&[
            " INFO ",
            "accepted",
            &format!("kind=\"{kind}\""),
            &author(who),
        ]);
        let found = if found.is_empty() {
            lines(&[" INFO ", "accepted", &format!("kind={kind} "), &author(who)])
        } else {
            found
        };
        assert!(!found.is_empty(), "an accepted {kind} by {who}: {log}");
    }
    let joins = lines(&["accepted", "join"]).len();
    assert_eq!(joins, 2, "one line per accepted join: {log}");
    let refusals = lines(&[" INFO ", "refused"]);
    assert_eq!(refusals.len(), 1, "one refusal: {log}");
    assert!(
        refusals[0].contains("code=\"not_council\"") || refusals[0].contains("code=not_council"),
        "{}",
        refusals[0]
    );
    assert!(refusals[0].contains(&author(&bob_did)), "{}", refusals[0]);
    assert!(refusals[0].contains("issue_invite"), "{}", refusals[0]);
    let seals = lines(&[" INFO ", "sealed", "log="]);
    assert!(seals.len() >= 4, "a line per seal: {log}");
    // Requests are logged at debug only: nothing of HTTP at info.
    assert!(lines(&["/v1/actions"]).is_empty(), "{log}");
}
