//! A federated node's operations end to end: `GET /v1/node/status` shows
//! its peer, its network and both public logs held as far as peers have
//! them; stopped, `hearthd export` writes the federation export that the
//! real `hearth audit --file` verifies, and refuses a corrupted copy.
//!
//! ```text
//!   node 0 (community A: council, 2 members, payments)
//!      │  p2p (loopback)
//!   node 1 (community B)
//!   then: node 0 stopped → hearthd export --out f → hearth audit --file f
//! ```

use hearth_protocol::{ActionBody, Kc, LedgerAction, Millis};
use hearth_tests::federation::{CONVERGE, Federation, quick_rules};
use hearth_tests::{Cli, Rng, converge};
use serde_json::{Value, json};

fn pay(from: &mut hearth_tests::Member, to: &hearth_tests::Member, kc: i64) {
    from.submit(ActionBody::Ledger(LedgerAction::Transfer {
        to: to.public(),
        amount: Kc::whole(kc),
        memo: String::new(),
    }))
    .expect_status(201);
}

#[test]
fn a_federated_nodes_status_and_export_pass_the_audit() {
    let mut rng = Rng::from_env();
    let mut fed = Federation::start(
        2,
        &[],
        quick_rules(Millis::secs(10), Millis::secs(2), 1),
        &mut rng,
    );
    let members = fed.members(0, 2, &mut rng);
    let (mut a, b) = (members[0].clone(), members[1].clone());
    let mut council = fed.councils[0].clone();
    pay(&mut council, &a, 20);
    pay(&mut a, &b, 7);
    fed.converge_heads();

    // Each node's status: its peer (the other community's node), the
    // network, and both logs held as far as peers have shown them.
    let peer_of_1 = fed.peer_id(1);
    let status = converge(CONVERGE, "node 0 shows its peer and both logs", || {
        let status = fed.get(0, "/v1/node/status");
        let peered = status["peers"].as_array().is_some_and(|peers| {
            peers.iter().any(|p| {
                p["peer_id"] == json!(peer_of_1)
                    && p["community"] == json!(fed.communities[1])
                    && p["address"].is_string()
            })
        });
        let heads = status["heads"].as_array().map_or(0, Vec::len);
        (peered && heads == 2 && status["sync"]["behind"] == 0).then_some(status)
    });
    assert_eq!(status["peer_id"], json!(fed.peer_id(0)));
    assert_eq!(status["community"], json!(fed.communities[0]));
    assert_eq!(status["p2p"]["enabled"], true);
    assert_eq!(
        status["networks"],
        json!([{"id": fed.id(), "name": "Test Federation", "communities": 2}])
    );
    for head in status["heads"].as_array().expect("heads") {
        let (seq, seen) = (head["seq"].as_u64(), head["seen"].as_u64());
        assert!(seq.is_some() && seen >= seq, "{head}");
        assert!(head["name"].is_string(), "{head}");
    }
    assert_eq!(status["heads"][0]["community"], json!(fed.communities[0]));

    // Stopped, node 0 exports what it holds; the audit verifies it.
    let status = fed.nodes[0].stop();
    assert!(status.success(), "{status}");
    let scratch = tempfile::tempdir().expect("a temporary directory");
    let file = scratch.path().join("valley.export");
    let file_arg = file.to_str().expect("a UTF-8 path");
    let export = fed.nodes[0].hearthd(&["export", "--out", file_arg]);
    assert!(export.success(), "{export}");
    assert!(
        export
            .stdout
            .contains("public logs and 0 equivocation proofs"),
        "{export}"
    );
    assert!(
        export
            .stdout
            .contains(&format!("hearth audit --file {file_arg}")),
        "{export}"
    );
    assert!(
        !export.stdout.contains("[") && !export.stdout.contains("Head"),
        "plain: {export}"
    );
    let auditor = Cli::new(fed.nodes[1].url());
    let audit = auditor.run(&["audit", "--file", file_arg]);
    assert_eq!(audit.code, Some(0), "{audit}");
    assert!(audit.stdout.contains("Audit passed"), "{audit}");
    let report: Value = serde_json::from_str(
        auditor
            .run(&["--json", "audit", "--file", file_arg])
            .stdout
            .trim(),
    )
    .expect("the JSON report");
    assert_eq!(report["logs"].as_array().map(Vec::len), Some(2), "{report}");

    // A copy with one byte changed (in the last entry's signature) fails.
    let mut bytes = std::fs::read(&file).expect("the export");
    let at = bytes.len() - 10;
    bytes[at] ^= 0x40;
    let corrupted = scratch.path().join("corrupted.export");
    std::fs::write(&corrupted, &bytes).expect("write the copy");
    let audit = auditor.run(&["audit", "--file", corrupted.to_str().expect("UTF-8")]);
    assert!(matches!(audit.code, Some(1 | 2)), "{audit}");
    assert!(audit.stderr.contains("audit failed"), "{audit}");
    // A copy cut short fails too.
    let cut = scratch.path().join("cut.export");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write the copy");
    let audit = auditor.run(&["audit", "--file", cut.to_str().expect("UTF-8")]);
    assert!(matches!(audit.code, Some(1 | 2)), "{audit}");
    assert!(!audit.stderr.trim().is_empty(), "{audit}");
}
