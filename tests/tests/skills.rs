//! Skill sharing end to end, with the real `hearth` against a real
//! `hearthd`: Alice offers bicycle repair, Bob requests it and finds her
//! offer with `hearth skills match`, accepts it as an hour received, and
//! Alice's confirmation in the time bank moves exactly 1 KC from Bob to
//! her; refusals change nothing.

use hearth_tests::Node;

#[test]
fn an_offer_found_by_match_and_accepted_settles_in_the_time_bank() {
    let node = Node::start();
    let (alice, bob) = node.alice_and_bob();
    alice.ok(&["name", "Alice"]);

    let offer = alice.json(&[
        "skills",
        "offer",
        "crafts",
        "Bicycle repair",
        "--availability",
        "Sunday mornings",
    ]);
    let offer = offer["id"].as_str().expect("the listing id").to_string();
    bob.ok(&["skills", "request", "crafts", "bicycle brakes"]);
    let listed = bob.ok(&["skills", "list", "--category", "crafts", "--offers"]);
    assert!(
        listed.contains(&offer[..8]) && listed.contains("Alice") && listed.contains("Sunday"),
        "{listed}"
    );
    let found = bob.ok(&["skills", "match"]);
    assert!(
        found.contains(&offer[..8]) && found.contains("Bicycle repair"),
        "{found}"
    );
    let matches = alice.json(&["skills", "match"]);
    assert_eq!(matches["matches"][0]["mine"], offer.as_str(), "{matches}");

    alice
        .run(&["skills", "accept", &offer, "1h"])
        .assert_refused("own_listing");
    let accepted = bob.json(&["skills", "accept", &offer[..10], "1h"]);
    let record = accepted["id"].as_str().expect("the record id").to_string();
    assert_eq!(
        (alice.balance(), bob.balance()),
        (0, 0),
        "nothing before confirmation"
    );
    let pending = alice.ok(&["hours", "pending"]);
    assert!(
        pending.contains(&record[..8]) && pending.contains("crafts"),
        "{pending}"
    );
    alice.ok(&["hours", "confirm", &record]);
    assert_eq!((alice.balance(), bob.balance()), (1000, -1000));
    let shown = bob.ok(&["skills", "show", &offer]);
    assert!(shown.contains(&record) && shown.contains("open"), "{shown}");

    bob.run(&["skills", "offer", "juggling", "Three balls"])
        .assert_refused("unknown_category");
    bob.run(&["skills", "withdraw", &offer])
        .assert_refused("not_listing_author");
    alice.ok(&["skills", "withdraw", &offer]);
    bob.run(&["skills", "accept", &offer, "1h"])
        .assert_refused("listing_closed");
    assert_eq!((alice.balance(), bob.balance()), (1000, -1000));
    let categories = bob.ok(&["skills", "categories"]);
    assert_eq!(
        categories.lines().collect::<Vec<_>>(),
        ["tutoring", "mentorship", "crafts", "digital"]
    );
}
