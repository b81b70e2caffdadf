//! `hearth credential verify` against a fake node: the status question it
//! asks and how it takes each answer (the offline checks are tested end
//! to end against credentials a real issuer signed, in the workspace's
//! tests/).

use std::path::Path;

use hearth_protocol::credential::{self, Achievement, proof};
use hearth_protocol::{Hash, Keypair, Timestamp};
use serde_json::{Value, json};

use crate::support::{FakeNode, run};

fn issue() -> Value {
    credential::issue(
        &Keypair::from_seed(&[1; 32]),
        "Riverside",
        &Keypair::from_seed(&[2; 32]).public(),
        &Achievement {
            skill: Hash::of("test", b"sourdough"),
            name: "Sourdough baking".into(),
            description: "Keeps a starter and bakes bread.".into(),
            criteria: "Endorsed by 2 members verified in Sourdough baking.".into(),
        },
        Timestamp(1_765_119_600_000),
    )
    .expect("issues")
}

fn write(dir: &Path, doc: &Value) -> String {
    let path = dir.join("credential.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).expect("JSON")).expect("write");
    path.to_string_lossy().into_owned()
}

fn node_answering(answer: Value) -> FakeNode {
    FakeNode::start(move |_| (200, answer.to_string()))
}

#[test]
fn a_valid_answer_confirms_the_credential_and_the_query_names_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let doc = issue();
    let file = write(home.path(), &doc);
    let node = node_answering(json!({ "status": "valid", "reason": null, "revoked_at": null }));
    let out = run(
        home.path(),
        &["credential", "verify", &file, "--node", &node.url],
    )
    .ok();
    assert!(out.starts_with("credential valid\n"), "{out}");
    assert!(out.contains("the node knows of no revocation"), "{out}");

    let requests = node.requests_to("GET");
    assert_eq!(requests.len(), 1);
    let issuer = Keypair::from_seed(&[1; 32])
        .public()
        .to_did()
        .replace(':', "%3A");
    let subject = Keypair::from_seed(&[2; 32])
        .public()
        .to_did()
        .replace(':', "%3A");
    let skill = Hash::of("test", b"sourdough").to_hex();
    assert_eq!(
        requests[0].path,
        format!(
            "/v1/credentials/status?issuer={issuer}&subject={subject}\
             &achievement=urn%3Ahearth%3Askill%3A{skill}&valid_from=2025-12-07T15%3A00%3A00Z"
        )
    );
}

#[test]
fn a_revoked_credential_is_refused_with_the_reason() {
    let home = tempfile::tempdir().expect("tempdir");
    let file = write(home.path(), &issue());
    let node = node_answering(json!({
        "status": "revoked",
        "reason": "the starter died",
        "revoked_at": "2026-01-02T03:04:05Z",
    }));
    let run_ = run(
        home.path(),
        &["credential", "verify", &file, "--node", &node.url],
    );
    assert_eq!(run_.code, 1, "{run_:?}");
    assert!(
        run_.stdout.starts_with("credential NOT valid\n"),
        "{run_:?}"
    );
    assert!(
        run_.stderr
            .contains("the issuing community revoked it at 2026-01-02T03:04:05Z: the starter died"),
        "{run_:?}"
    );

    let json_run = run(
        home.path(),
        &["--json", "credential", "verify", &file, "--node", &node.url],
    );
    assert_eq!(json_run.code, 1, "{json_run:?}");
    let value: Value = serde_json::from_str(&json_run.stdout).expect("JSON");
    assert_eq!(value["valid"], false);
    assert_eq!(value["status"]["status"], "revoked");
    assert_eq!(value["status"]["reason"], "the starter died");
}

#[test]
fn a_node_that_does_not_know_the_issuer_or_skill_cannot_confirm_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let file = write(home.path(), &issue());
    for status in ["unknown_issuer", "unknown_skill"] {
        let node = node_answering(json!({ "status": status, "reason": null, "revoked_at": null }));
        let run_ = run(
            home.path(),
            &["--json", "credential", "verify", &file, "--node", &node.url],
        );
        assert_eq!(run_.code, 1, "{run_:?}");
        assert!(
            run_.stderr.contains("cannot say whether it was revoked"),
            "{run_:?}"
        );
        let value: Value = serde_json::from_str(&run_.stdout).expect("JSON");
        assert_eq!(value["status"]["status"], status);
    }
}

#[test]
fn offline_asks_no_node_and_a_broken_credential_never_reaches_it() {
    let home = tempfile::tempdir().expect("tempdir");
    let node = node_answering(json!({ "status": "valid", "reason": null, "revoked_at": null }));
    let file = write(home.path(), &issue());
    run(
        home.path(),
        &[
            "credential",
            "verify",
            &file,
            "--node",
            &node.url,
            "--offline",
        ],
    )
    .ok();
    let mut tampered = issue();
    tampered["credentialSubject"]["achievement"]["name"] = "Brain surgery".into();
    let file = write(home.path(), &tampered);
    let stderr = run(
        home.path(),
        &["credential", "verify", &file, "--node", &node.url],
    )
    .fails(1);
    assert!(stderr.contains("the signature does not verify"), "{stderr}");
    assert!(node.requests().is_empty(), "{:?}", node.requests());
}

#[test]
fn an_unreachable_node_is_a_network_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let file = write(home.path(), &issue());
    let stderr = run(
        home.path(),
        &[
            "credential",
            "verify",
            &file,
            "--node",
            "http://127.0.0.1:9",
        ],
    )
    .fails(2);
    assert!(stderr.contains("hearth:"), "{stderr}");
}

#[test]
fn a_credential_past_its_validity_end_is_refused() {
    let home = tempfile::tempdir().expect("tempdir");
    let community = Keypair::from_seed(&[1; 32]);
    let mut unsigned = issue();
    unsigned.as_object_mut().expect("object").remove("proof");
    unsigned["validUntil"] = "2026-01-01T00:00:00Z".into();
    let doc = proof::sign(
        &unsigned,
        &community,
        proof::options(&community.public(), "2025-12-07T15:00:00Z"),
    )
    .expect("signs");
    let file = write(home.path(), &doc);
    let stderr = run(home.path(), &["credential", "verify", &file]).fails(1);
    assert!(
        stderr.contains("its validity ended at 2026-01-01T00:00:00Z"),
        "{stderr}"
    );
    let out = run(home.path(), &["--json", "credential", "verify", &file]);
    let value: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(value["error"], "expired", "{out:?}");
}
