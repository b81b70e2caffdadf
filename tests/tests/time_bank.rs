//! The time bank end to end, with the real `hearth` against a real
//! `hearthd`: Alice logs an hour of gardening for Bob, Bob sees it
//! pending and confirms it, and exactly 1 KC moves from Bob to Alice;
//! Bob cannot confirm twice and Alice cannot confirm her own record.

use hearth_tests::Node;

#[test]
fn an_hour_of_gardening_confirmed_moves_exactly_one_kc() {
    let node = Node::start();
    let (alice, bob) = node.alice_and_bob();
    let bob_did = bob.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();

    let logged = alice.json(&[
        "hours",
        "log",
        &bob_did,
        "1h",
        "--category",
        "gardening",
        "--note",
        "the bean rows",
    ]);
    let id = logged["id"].as_str().expect("the record id").to_string();
    assert_eq!(logged["minutes"], 60, "{logged}");

    let pending = bob.json(&["hours", "pending"]);
    assert_eq!(pending["to_confirm"][0]["id"], id.as_str(), "{pending}");
    let text = bob.ok(&["hours", "pending"]);
    assert!(
        text.contains(&id[..8]) && text.contains("gardening"),
        "{text}"
    );
    assert_eq!((alice.balance(), bob.balance()), (0, 0));

    alice
        .run(&["hours", "confirm", &id])
        .assert_refused("own_record");
    let confirmed = bob.ok(&["hours", "confirm", &id[..12]]);
    assert!(confirmed.contains("Confirmed record"), "{confirmed}");
    assert_eq!((alice.balance(), bob.balance()), (1000, -1000));
    bob.run(&["hours", "confirm", &id])
        .assert_refused("already_confirmed");
    assert_eq!(
        (alice.balance(), bob.balance()),
        (1000, -1000),
        "refusals moved no money"
    );

    let history = alice.json(&["hours", "history", "--category", "gardening"]);
    let records = history["records"].as_array().expect("records");
    assert_eq!(records.len(), 1, "{history}");
    assert_eq!(records[0]["shares"][0]["state"], "confirmed");
    let totals = alice.json(&["hours", "totals"]);
    let gardening = totals["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "gardening")
        .cloned()
        .expect("gardening");
    assert_eq!(
        (gardening["minutes"].as_u64(), gardening["paid"].as_i64()),
        (Some(60), Some(1000))
    );
    let text = alice.ok(&["hours", "totals"]);
    assert!(text.contains("1h") && text.contains("1 KC"), "{text}");

    // Bad input is refused before or by the node, and changes nothing.
    let run = alice.run(&["hours", "log", &bob_did, "30s", "--category", "gardening"]);
    assert_eq!(run.code, Some(2), "{run}");
    alice
        .run(&["hours", "log", &bob_did, "1h", "--category", "juggling"])
        .assert_refused("unknown_category");
    alice
        .run(&["hours", "log", &bob_did, "25h", "--category", "cooking"])
        .assert_refused("invalid_minutes");
    assert_eq!((alice.balance(), bob.balance()), (1000, -1000));
}
