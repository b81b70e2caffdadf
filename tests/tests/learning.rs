//! Learning end to end, with the real `hearth` against a real `hearthd`:
//!
//! ```text
//!   alice (founder, council) ──┐
//!                              ├── hearthd ── sled
//!   bob ───────────────────────┘
//! ```
//!
//! Alice keeps a two-skill graph (a cycle is refused); Bob's path lists
//! soil before compost; Alice teaches soil, Bob enrols and confirms after
//! the session; the rewards wait for the empty education pool and are
//! paid, once, when Bob contributes; Alice verifies Bob in soil and his
//! path shrinks to compost; the council revokes it with its reason, and
//! the public credential status says so.

use std::time::Duration;

use hearth_tests::{Http, Node, converge, now_ms};

fn names(path: &serde_json::Value) -> Vec<String> {
    path["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["name"].as_str().expect("a name").to_string())
        .collect()
}

#[test]
fn a_session_taught_and_confirmed_pays_its_rewards_once_and_a_skill_is_verified() {
    // Council decisions (a revocation) take two seconds.
    let node = Node::start_with_rules("[durations]\nemergency = 2000\n");
    let (alice, bob) = node.alice_and_bob();
    let bob_did = bob.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();

    let soil = alice.ok(&[
        "learn",
        "skill",
        "add",
        "soil",
        "--description",
        "How soil lives",
    ]);
    let soil_id = soil.lines().next().expect("an id").to_string();
    alice.ok(&["learn", "skill", "add", "compost", "--needs", "soil"]);
    alice
        .run(&["learn", "skill", "edit", "soil", "--needs", "compost"])
        .assert_refused("prerequisite_cycle");
    bob.run(&["learn", "skill", "add", "pruning"])
        .assert_refused("not_steward");
    let list = bob.ok(&["learn", "skill", "list"]);
    assert!(
        list.contains("compost") && list.contains(&soil_id[..8]),
        "{list}"
    );

    let path = bob.json(&["learn", "path", "--goal", "compost"]);
    assert_eq!(names(&path), ["soil", "compost"], "{path}");

    let scheduled = alice.json(&[
        "learn",
        "session",
        "schedule",
        "soil",
        "--in",
        "3s",
        "--for",
        "1s",
        "--place",
        "Garden shed",
        "--capacity",
        "5",
    ]);
    let session = scheduled["id"].as_str().expect("a session id").to_string();
    alice
        .run(&["learn", "session", "enrol", &session])
        .assert_refused("own_session");
    bob.ok(&["learn", "session", "enrol", &session[..12]]);
    let path = bob.json(&["learn", "path", "--goal", "compost"]);
    assert_eq!(path["steps"][0]["sessions"][0]["id"], session.as_str());
    bob.run(&["learn", "session", "confirm", &session])
        .assert_refused("session_not_over");

    // Wait for the session to end (its end is in the node's clock, which
    // is this machine's), then Bob confirms.
    let listed = bob.json(&["learn", "session", "list"]);
    let end = listed["sessions"][0]["end"].as_u64().expect("an end");
    converge(Duration::from_secs(30), "the session ends", || {
        (now_ms() > end + 200).then_some(())
    });
    bob.ok(&["learn", "session", "confirm", &session]);
    bob.run(&["learn", "session", "confirm", &session])
        .assert_refused("already_confirmed");
    let rewards = alice.json(&["learn", "rewards"]);
    assert_eq!(rewards["pool"]["balance"], 0, "{rewards}");
    assert_eq!(rewards["pool"]["owed"], 60_000, "{rewards}");
    assert_eq!((alice.balance(), bob.balance()), (0, 0));

    // Bob's 100 KC pays the teacher's 50 first, then his own 10.
    bob.ok(&["learn", "contribute", "100"]);
    assert_eq!((alice.balance(), bob.balance()), (50_000, -90_000));
    let rewards = alice.json(&["learn", "rewards"]);
    assert_eq!(rewards["pool"]["balance"], 40_000, "{rewards}");
    assert_eq!(rewards["pool"]["owed"], 0, "{rewards}");
    let text = alice.ok(&["learn", "rewards"]);
    assert!(text.contains("Education pool: 40 KC"), "{text}");

    // Verification: nobody endorses themselves; Alice (council) verifies Bob.
    bob.run(&["learn", "endorse", &bob_did, "soil"])
        .assert_refused("self_endorsement");
    alice.ok(&["learn", "endorse", &bob_did, "soil"]);
    let verified = bob.ok(&["learn", "verified"]);
    assert!(
        verified.contains("soil") && verified.contains("by an assessor"),
        "{verified}"
    );
    let path = bob.json(&["learn", "path", "--goal", "compost"]);
    assert_eq!(names(&path), ["compost"], "{path}");
    assert_eq!(
        (alice.balance(), bob.balance()),
        (50_000, -90_000),
        "refusals moved no money"
    );

    // Bob exports his soil as a credential; it verifies, offline and
    // against the node, until the council revokes it.
    let file = bob.home().join("soil.json");
    let file = file.to_str().expect("utf-8 path");
    let wrote = bob.ok(&["learn", "credential", "soil", "--out", file]);
    assert!(wrote.contains("hearth credential verify"), "{wrote}");
    let credential: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("json");
    assert_eq!(credential["credentialSubject"]["id"], bob_did.as_str());
    assert_eq!(
        credential["credentialSubject"]["achievement"]["id"],
        format!("urn:hearth:skill:{soil_id}")
    );
    assert_eq!(credential["proof"]["cryptosuite"], "eddsa-jcs-2022");
    let checked = bob.ok(&["credential", "verify", file, "--node", node.url()]);
    assert!(checked.contains("soil"), "{checked}");
    // Only a verified member gets one.
    alice
        .run(&["learn", "credential", "soil"])
        .assert_refused("not_verified");
    let community = Http::new()
        .get(node.url(), "/v1/community", &[])
        .expect("get");
    let issuer = community.json["node"]
        .as_str()
        .expect("a node key")
        .to_string();
    assert_eq!(credential["issuer"]["id"], issuer.as_str());
    let status_path = format!(
        "/v1/credentials/status?issuer={issuer}&subject={bob_did}&achievement=urn:hearth:skill:{soil_id}&valid_from=2026-01-01T00:00:00Z"
    );
    let status = Http::new().get(node.url(), &status_path, &[]).expect("get");
    assert_eq!(status.json["status"], "valid", "{}", status.text);
    bob.run(&["learn", "revoke", &bob_did, "soil", "--reason", "no"])
        .assert_refused("not_council");
    let proposed = alice.json(&[
        "learn",
        "revoke",
        &bob_did,
        "soil",
        "--reason",
        "Endorsed by mistake",
    ]);
    let proposal = proposed["id"].as_str().expect("a proposal id").to_string();
    alice.ok(&["vote", &proposal, "yes"]);
    converge(
        Duration::from_secs(30),
        "the revocation takes effect",
        || {
            let verified = bob.json(&["learn", "verified"]);
            (!verified["verifications"][0]["revoked"].is_null()).then_some(())
        },
    );
    let status = Http::new().get(node.url(), &status_path, &[]).expect("get");
    assert_eq!(status.json["status"], "revoked", "{}", status.text);
    assert_eq!(status.json["reason"], "Endorsed by mistake");
    let path = bob.json(&["learn", "path", "--goal", "compost"]);
    assert_eq!(names(&path), ["soil", "compost"], "{path}");
    bob.run(&["credential", "verify", file, "--node", node.url()])
        .assert_refused("revoked");
    // Offline, the signature still holds: revocation is the node's to say.
    bob.ok(&["credential", "verify", file, "--offline"]);
}
