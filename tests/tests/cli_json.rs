//! `hearth --json` when things go wrong: a refusal, an unreachable node
//! and a usage error each print exactly one JSON object on stdout,
//! `{"error": code, "message": text}`, and exit 1 or 2; without `--json`
//! stdout stays empty and the sentence goes to stderr.

use std::net::TcpListener;

use hearth_tests::{Cli, Node, Run};
use serde_json::Value;

/// The one JSON error object `run` printed on stdout, after checking its
/// exit code and that stdout holds nothing else.
#[track_caller]
fn json_error(run: &Run, code: i32) -> (String, String) {
    assert_eq!(run.code, Some(code), "expected exit {code}: {run}");
    let mut documents = serde_json::Deserializer::from_str(&run.stdout).into_iter::<Value>();
    let value = match documents.next() {
        Some(Ok(value)) => value,
        other => panic!("stdout is not JSON ({other:?}): {run}"),
    };
    assert!(documents.next().is_none(), "one JSON document only: {run}");
    let object = value.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "message"], "{run}");
    let field = |name: &str| value[name].as_str().expect("a string").to_string();
    let (error, message) = (field("error"), field("message"));
    assert!(!message.is_empty(), "{run}");
    assert!(
        run.stderr.contains(&message),
        "the same message on stderr: {run}"
    );
    (error, message)
}

/// An address nothing listens on.
fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

//   alice's hearth ──┐
//                    ├──HTTP──▶ hearthd
//   bob's hearth ────┘
#[test]
fn a_refusal_is_the_nodes_code_as_json() {
    let node = Node::start();
    let alice = Cli::new(node.url());
    let bob = Cli::new(node.url());
    alice.ok(&["key", "new", "alice"]);
    alice.ok(&["join", &node.founder_invite()]);
    let code = alice.ok(&["invite", "--ttl", "1d"]);
    bob.ok(&["key", "new", "bob"]);
    bob.ok(&["join", code.trim()]);
    let bob_did = bob.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();

    // More than the credit limit: the node refuses, nothing moves.
    let before = alice.json(&["balance"]);
    let refused = alice.run(&["--json", "pay", &bob_did, "100000"]);
    let (error, message) = json_error(&refused, 1);
    assert_eq!(error, "insufficient_funds", "{refused}");
    assert!(message.contains("the node refused"), "{message}");
    assert_eq!(
        alice.json(&["balance"]),
        before,
        "the refusal moved nothing"
    );

    // Without --json: nothing on stdout, the sentence on stderr.
    let plain = alice.run(&["pay", &bob_did, "100000"]);
    assert_eq!(plain.code, Some(1), "{plain}");
    assert!(plain.stdout.is_empty(), "{plain}");
    assert!(plain.stderr.contains("insufficient_funds"), "{plain}");

    // A refusal of a proposal's stage: voting has not opened.
    let id = alice.ok(&[
        "propose",
        "--kind",
        "policy",
        "--title",
        "Quiet hours",
        "--text",
        "From 22:00.",
    ]);
    let id = id
        .lines()
        .next()
        .expect("the proposal id")
        .trim()
        .to_string();
    let early = bob.run(&["--json", "vote", &id, "agree"]);
    assert_eq!(json_error(&early, 1).0, "wrong_stage", "{early}");

    // Local errors with their own codes.
    let nobody = alice.run(&["--json", "--key", "nobody", "balance"]);
    assert_eq!(json_error(&nobody, 2).0, "key_not_found", "{nobody}");
    let bad_member = alice.run(&["--json", "pay", "did:key:zNotADid", "1"]);
    assert_eq!(
        json_error(&bad_member, 2).0,
        "invalid_argument",
        "{bad_member}"
    );
    // The audit of a community in no network: the node cannot serve it.
    let audit = alice.run(&["--json", "audit"]);
    assert_eq!(json_error(&audit, 2).0, "node_error", "{audit}");
}

//   hearth ──HTTP──▶ (nothing listening)
#[test]
fn an_unreachable_node_is_a_network_error() {
    let url = closed_port();
    let cli = Cli::new(&url);
    let run = cli.run(&["--json", "status"]);
    let (error, message) = json_error(&run, 2);
    assert_eq!(error, "network", "{run}");
    assert!(message.contains(&url), "the message names the node: {run}");

    let plain = cli.run(&["status"]);
    assert_eq!(plain.code, Some(2), "{plain}");
    assert!(plain.stdout.is_empty(), "{plain}");
    assert!(plain.stderr.contains("cannot reach the node"), "{plain}");
}

//   hearth (no node needed)
#[test]
fn usage_errors_are_json_too() {
    let cli = Cli::new(&closed_port());
    for (args, needle) in [
        (&["--json", "frobnicate"][..], "frobnicate"),
        (&["--json", "pay"][..], "<MEMBER>"),
        (&["--json", "invite", "--ttl", "soon"][..], "--ttl"),
        (&["pay", "--json", "--bogus"][..], "--bogus"),
    ] {
        let run = cli.run(args);
        let (error, message) = json_error(&run, 2);
        assert_eq!(error, "usage", "{args:?}: {run}");
        assert!(message.contains(needle), "{args:?}: {message}");
    }
    // Without --json, clap's own text and an empty stdout.
    let run = cli.run(&["frobnicate"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(run.stderr.contains("Usage:"), "{run}");
    // --help is not an error, with or without --json.
    let help = cli.run(&["--json", "pay", "--help"]);
    assert_eq!(help.code, Some(0), "{help}");
    assert!(help.stdout.contains("Usage: hearth pay"), "{help}");
}
