//! The README walk-through ("Five minutes with `hearth`"), run with the
//! real `hearth` binary against a real `hearthd`: found a community, claim
//! the founder invite, invite a second member, pay them, read balances,
//! the roster and the logs — and the refusals (exit 1) and usage errors
//! (exit 2) a newcomer meets on the way.

use std::os::unix::fs::PermissionsExt as _;
use std::time::{Duration, Instant};

use hearth_tests::{Cli, Node, Run, now_ms};
use serde_json::Value;

/// The did of key `name` in `cli`'s store.
fn did_of(cli: &Cli, name: &str) -> String {
    let key = cli.json(&["key", "show", name]);
    let did = key["did"].as_str().expect("key show --json has a did");
    assert!(did.starts_with("did:key:z6Mk"), "{key}");
    did.to_string()
}

/// Asserts the run exited `code` and its stderr mentions `needle`.
#[track_caller]
fn exits(run: &Run, code: i32, needle: &str) {
    assert_eq!(run.code, Some(code), "expected exit {code}: {run}");
    assert!(
        run.stderr.contains(needle),
        "expected {needle:?} in stderr: {run}"
    );
}

/// A member's balance in milli-KC, from `hearth --json balance [who]`.
fn balance(cli: &Cli, who: &[&str]) -> i64 {
    let mut args = vec!["balance"];
    args.extend_from_slice(who);
    let json = cli.json(&args);
    let balance = json["balance"].as_i64();
    balance.unwrap_or_else(|| panic!("balance --json has an integer balance: {json}"))
}

//   alice's hearth ──┐
//   (HEARTH_HOME A)  ├──HTTP──▶ hearthd (127.0.0.1:0, temp data dir)
//   bob's hearth ────┘
//   (HEARTH_HOME B)
#[test]
fn readme_walkthrough() {
    let mut node = Node::start();
    let mut alice = Cli::new(node.url());
    let mut bob = Cli::new(node.url());

    // The node printed its address and the founder invite.
    let founder_invite = node.founder_invite();
    let output = node.log();
    assert!(output.contains(node.url()), "the address: {output}");
    assert!(output.contains(&founder_invite), "the invite: {output}");

    // Keys: private files in $HEARTH_HOME/keys.
    let created = alice.ok(&["key", "new", "alice"]);
    let alice_did = did_of(&alice, "alice");
    assert!(
        created.contains(&alice_did),
        "key new prints the did: {created}"
    );
    let file = alice.home().join("keys/alice.key");
    let mode = std::fs::metadata(&file)
        .expect("the key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{} is private", file.display());
    let again = alice.run(&["key", "new", "alice"]);
    assert_eq!(again.code, Some(2), "a second key named alice: {again}");
    assert_eq!(did_of(&alice, "alice"), alice_did, "the key is kept");
    bob.ok(&["key", "new", "bob"]);
    // As the README does it: the did line of `hearth key show`.
    let shown = bob.ok(&["key", "show"]);
    let bob_did = shown
        .lines()
        .find_map(|l| l.strip_prefix("did").map(str::trim))
        .unwrap_or_else(|| panic!("key show has a did line: {shown}"))
        .to_string();
    assert_eq!(bob_did, did_of(&bob, "bob"));
    assert_ne!(alice_did, bob_did);

    // Alice claims the founder invite; nobody can claim it again.
    let joined = alice.ok(&["join", &founder_invite]);
    let expected = format!("Joined Hearth Community as {alice_did}");
    assert!(joined.contains(&expected), "{joined}");
    let mallory = Cli::new(node.url());
    mallory.ok(&["key", "new", "mallory"]);
    exits(&mallory.run(&["join", &founder_invite]), 1, "invite_used");

    // Alice (council) invites bob, who joins; the invite is single-use.
    let code = alice.ok(&["invite", "--ttl", "2d"]);
    let code = code.trim();
    assert!(code.starts_with("hearth-invite:"), "the code: {code}");
    let joined = bob.ok(&["join", code]);
    let expected = format!("Joined Hearth Community as {bob_did}");
    assert!(joined.contains(&expected), "{joined}");
    let carol = Cli::new(node.url());
    carol.ok(&["key", "new", "carol"]);
    exits(&carol.run(&["join", code]), 1, "invite_used");
    // `invite --json` says when the invite expires.
    let before = now_ms();
    let json = alice.json(&["invite", "--ttl", "1h"]);
    let invite = json["invite"].as_str().unwrap_or_default();
    assert!(invite.starts_with("hearth-invite:"), "{json}");
    let expires = json["expires"].as_u64().expect("invite --json has expires");
    let hour = 3_600_000;
    let window = before + hour - 60_000..=now_ms() + hour;
    assert!(window.contains(&expires), "a 1h invite: {json}");

    // Alice pays bob 12.5 KC for bread.
    let paid = alice.ok(&["pay", &bob_did, "12.5", "--memo", "bread"]);
    let expected = format!("Paid 12.5 KC to {bob_did} (entry local #1)");
    assert!(paid.contains(&expected), "{paid}");
    let text = alice.ok(&["balance"]);
    assert!(text.contains("-12.5 KC"), "alice's balance: {text}");
    let text = bob.ok(&["balance"]);
    let positive = text.contains("12.5 KC") && !text.contains("-12.5");
    assert!(positive, "bob's balance: {text}");
    assert_eq!(balance(&alice, &[]), -12_500);
    assert_eq!(balance(&bob, &[]), 12_500);
    assert_eq!(balance(&alice, &[&bob_did]), 12_500, "alice reads bob's");
    assert_eq!(balance(&bob, &[&alice_did]), -12_500, "bob reads alice's");

    // The roster.
    let text = alice.ok(&["members"]);
    let both = text.contains(&alice_did) && text.contains(&bob_did);
    assert!(both, "members lists both: {text}");
    let json = bob.json(&["members"]);
    let members = json["members"].as_array().expect("members --json");
    assert_eq!(members.len(), 2, "{json}");
    let council = |did: &str| {
        let member = members.iter().find(|m| m["did"] == did);
        member.map(|m| m["council"].clone())
    };
    assert_eq!(council(&alice_did), Some(Value::Bool(true)), "{json}");
    assert_eq!(council(&bob_did), Some(Value::Bool(false)), "{json}");

    // The logs and the status show what happened.
    let log = alice.ok(&["log"]);
    assert!(
        log.contains("bread"),
        "the local log has the payment: {log}"
    );
    let log = bob.ok(&["log", "--public"]);
    assert!(log.contains("join"), "the public log has the joins: {log}");
    let status = alice.ok(&["status"]);
    assert!(status.contains("Hearth Community"), "{status}");
    let status = bob.json(&["status"]);
    assert_eq!(status["key"]["did"], bob_did.as_str(), "{status}");
    assert_eq!(status["key"]["member"], true, "{status}");
    assert_eq!(status["community"]["members"], 2, "{status}");

    // Refusals by the node exit 1, say why, and change nothing.
    exits(&bob.run(&["invite"]), 1, "not_council");
    let beyond = alice.run(&["pay", &bob_did, "1000"]);
    exits(&beyond, 1, "insufficient_funds");
    exits(&alice.run(&["pay", &alice_did, "1"]), 1, "self_transfer");
    exits(&bob.run(&["join", code]), 1, "");
    assert_eq!(balance(&alice, &[]), -12_500, "refusals moved no money");
    assert_eq!(balance(&bob, &[]), 12_500, "refusals moved no money");

    // Usage and local errors exit 2.
    for args in [
        &["frobnicate"][..],
        &["pay", &bob_did],
        &["pay", &bob_did, "abc"],
        &["pay", &bob_did, "1.0001"],
        &["join", "not-an-invite"],
        &["invite", "--ttl", "soon"],
    ] {
        let run = alice.run(args);
        assert_eq!(run.code, Some(2), "hearth {args:?} is a usage error: {run}");
        assert!(!run.stderr.is_empty(), "a usage error says why: {run}");
    }
    exits(&alice.run(&["--key", "nobody", "balance"]), 2, "nobody");
    exits(&alice.run(&["pay", "did:key:zNotADid", "1"]), 2, "");

    // Everything survives a restart (the port changes), and the claimed
    // founder invite is not printed again.
    node.restart();
    let printed = node.log().matches(&founder_invite).count();
    assert_eq!(
        printed,
        1,
        "the claimed invite is printed once: {}",
        node.log()
    );
    alice.set_node(node.url());
    bob.set_node(node.url());
    assert_eq!(balance(&alice, &[]), -12_500);
    assert_eq!(balance(&bob, &[]), 12_500);
    alice.ok(&["pay", &bob_did, "0.5"]);
    assert_eq!(balance(&bob, &[]), 13_000);

    // No node to talk to: a local (network) error, exit 2, promptly.
    let status = node.stop();
    assert!(status.success(), "hearthd exited with {status} on SIGTERM");
    let started = Instant::now();
    let run = alice.run(&["balance"]);
    assert_eq!(run.code, Some(2), "no node is exit 2: {run}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "gave up after {took:?}");
}
