//! The tool library end to end, with the real `hearth` against a real
//! `hearthd`: Alice (the founder, on the council, so a steward) adds a
//! drill; Bob borrows it and his 20 KC deposit goes into escrow; he
//! returns it, Alice reports it damaged, and the deposit lands in the
//! maintenance fund — once; Alice records the repair and the drill is
//! back on the shelf. Refusals carry their codes and move no money, and
//! the local audit replays it all.
//!
//! ```text
//!   alice (hearth) ──┐
//!                    ├──▶ hearthd (one community)
//!   bob   (hearth) ──┘
//! ```

use hearth_tests::Node;

#[test]
fn a_drill_returned_damaged_funds_its_repair_once() {
    let node = Node::start();
    let (alice, bob) = node.alice_and_bob();

    bob.run(&[
        "tool",
        "add",
        "drill",
        "--category",
        "power_tools",
        "--deposit",
        "20",
        "--period",
        "7d",
    ])
    .assert_refused("not_steward");
    let added = alice.json(&[
        "tool",
        "add",
        "drill",
        "--category",
        "power_tools",
        "--deposit",
        "20",
        "--period",
        "7d",
        "--replacement",
        "120",
    ]);
    let drill = added["id"].as_str().expect("the item id").to_string();
    let list = bob.ok(&["tool", "list", "--available"]);
    assert!(list.contains("drill") && list.contains("20 KC"), "{list}");

    let out = bob.ok(&["tool", "checkout", "drill"]);
    assert!(out.contains("20 KC deposit in escrow"), "{out}");
    assert_eq!(bob.balance(), -20_000);
    let loans = bob.json(&["tool", "loans"]);
    assert_eq!(loans["mine"][0]["item"], drill.as_str(), "{loans}");
    alice
        .run(&["tool", "checkout", "drill"])
        .assert_refused("not_available");
    alice
        .run(&["tool", "return", &drill[..12]])
        .assert_refused("not_borrower");

    bob.ok(&["tool", "return", "drill"]);
    bob.run(&["tool", "inspect", "drill", "good"])
        .assert_refused("not_steward");
    let out = alice.ok(&[
        "tool",
        "inspect",
        "drill",
        "damaged",
        "--note",
        "chuck cracked",
    ]);
    assert!(out.contains("maintenance fund"), "{out}");
    alice
        .run(&["tool", "inspect", "drill", "good"])
        .assert_refused("not_available");
    assert_eq!(bob.balance(), -20_000, "the deposit is not paid back");
    let fund = alice.json(&["tool", "fund"]);
    assert_eq!(
        (fund["balance"].as_i64(), fund["forfeited"].as_i64()),
        (Some(20_000), Some(20_000)),
        "{fund}"
    );
    let shown = bob.ok(&["tool", "show", "drill"]);
    assert!(
        shown.contains("in maintenance") && shown.contains("chuck cracked"),
        "{shown}"
    );
    bob.run(&["tool", "checkout", "drill"])
        .assert_refused("not_available");

    alice.ok(&["tool", "maintained", "drill", "--note", "new chuck"]);
    let shown = alice.json(&["tool", "show", "drill"]);
    assert_eq!(shown["item"]["status"], "available", "{shown}");
    assert_eq!(shown["item"]["maintenance"][0]["note"], "new chuck");
    assert_eq!(shown["loans"][0]["forfeited"], 20_000);
    let list = bob.ok(&["tool", "list", "--available"]);
    assert!(list.contains("drill"), "{list}");

    // Bob borrows it again; Alice holds it, so Bob cannot renew. Back in
    // good order, Bob's deposit returns and it is Alice's turn to collect.
    bob.ok(&["tool", "checkout", "drill"]);
    alice.ok(&["tool", "hold", "drill"]);
    bob.run(&["tool", "renew", "drill"])
        .assert_refused("item_held");
    bob.ok(&["tool", "return", "drill"]);
    alice.ok(&["tool", "inspect", "drill", "good"]);
    assert_eq!(bob.balance(), -20_000, "the second deposit came back");
    let holds = alice.ok(&["tool", "holds"]);
    assert!(holds.contains("It is your turn: collect drill"), "{holds}");
    alice.ok(&["tool", "checkout", "drill"]);
    assert_eq!(
        alice.json(&["tool", "holds"])["holds"],
        serde_json::json!([])
    );

    // Bad input is refused by the CLI or the node, and changes nothing.
    let run = alice.run(&["tool", "inspect", "drill", "broken"]);
    assert_eq!(run.code, Some(2), "{run}");
    alice
        .run(&["tool", "checkout", "hammer"])
        .assert_refused("unknown_item");
    alice
        .run(&[
            "tool",
            "add",
            "saw",
            "--category",
            "hand_tools",
            "--deposit",
            "5",
            "--period",
            "400d",
        ])
        .assert_refused("invalid_loan_period");
    assert_eq!(bob.balance(), -20_000);
    alice.ok(&["audit", "--local"]);
}
