//! The conversation with a node, against a fake node that answers like
//! the API in DESIGN §5: what `hearth` signs and sends, what it prints,
//! and the exit status of a refusal.

use hearth_protocol::action::invite_claim;
use hearth_protocol::request::verify_request;
use hearth_protocol::test::keypair;
use hearth_protocol::{
    ActionBody, Canonical, Hash, InviteCode, Kc, LedgerAction, MembershipAction, PublicKey,
    SignedAction, Timestamp,
};
use serde_json::json;

use crate::support::{FakeNode, Request, hearth, new_key, run, run_cmd};

pub const COMMUNITY: Hash = Hash([7; 32]);

pub fn community_json() -> String {
    let head = json!({ "seq": 3, "hash": "00".repeat(32), "time": 0 });
    json!({
        "id": COMMUNITY.to_hex(),
        "name": "Riverside",
        "node": keypair(9).public().to_did(),
        "created": 0,
        "rules": {},
        "members": 2,
        "council": 1,
        "heads": { "public": head, "local": head },
    })
    .to_string()
}

pub fn not_found() -> (u16, String) {
    (
        404,
        json!({ "error": "not_found", "message": "no such route" }).to_string(),
    )
}

/// A node serving COMMUNITY that answers every submission with `post`.
fn node_answering(post: (u16, String)) -> FakeNode {
    FakeNode::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/v1/community") => (200, community_json()),
        ("POST", "/v1/actions") => post.clone(),
        _ => not_found(),
    })
}

pub fn receipt(log: &str, seq: u64) -> (u16, String) {
    (
        201,
        json!({ "id": "ab".repeat(32), "log": log, "seq": seq }).to_string(),
    )
}

/// The one action submitted to `node`, checked to be canonical and signed.
pub fn submitted(node: &FakeNode) -> Vec<SignedAction> {
    node.requests_to("POST")
        .iter()
        .map(|r| {
            assert_eq!(r.path, "/v1/actions");
            assert_eq!(r.header("content-type"), Some("application/octet-stream"));
            let action = SignedAction::from_bytes(&r.body).expect("canonical bytes");
            action.verify().expect("a valid signature").into_inner()
        })
        .collect()
}

/// Checks a signed GET's headers as the node would; returns the signer.
pub fn signer_of(request: &Request) -> PublicKey {
    let header = |n| request.header(n).unwrap_or_else(|| panic!("no {n} header"));
    let time: u64 = header("hearth-time").parse().unwrap();
    let (key, _) = verify_request(
        header("hearth-did"),
        header("hearth-time"),
        header("hearth-signature"),
        "GET",
        &request.path,
        b"",
        Timestamp(time),
    )
    .expect("a valid request signature");
    key
}

#[test]
fn pay_signs_a_transfer_with_increasing_nonces() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = new_key(home, "alice");
    let bob = keypair(2).public();
    let node = node_answering(receipt("local", 7));
    let out = run(
        home,
        &[
            "--node",
            &node.url,
            "pay",
            &bob.to_did(),
            "12.5",
            "--memo",
            "ladder",
        ],
    )
    .ok();
    assert_eq!(out, format!("Paid 12.5 KC to {bob} (entry local #7)\n"));
    let json = run(
        home,
        &["--node", &node.url, "--json", "pay", &bob.to_did(), "0.001"],
    )
    .json();
    assert_eq!(
        (json["seq"].as_u64(), json["amount"].as_i64()),
        (Some(7), Some(1))
    );

    let actions = submitted(&node);
    assert_eq!(actions.len(), 2);
    let first = &actions[0].action;
    assert_eq!(first.author.to_did(), alice);
    assert_eq!(first.community, COMMUNITY);
    assert_eq!(
        first.body,
        ActionBody::Ledger(LedgerAction::Transfer {
            to: bob,
            amount: Kc(12_500),
            memo: "ladder".into()
        })
    );
    assert!(actions[1].action.nonce > first.nonce);
}

#[test]
fn a_replayed_nonce_is_signed_again_above_the_nodes_last() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = new_key(home, "alice");
    let bob = keypair(2).public();
    // The node holds a nonce two minutes ahead of this clock (another
    // device signed with the key): it refuses every nonce up to it.
    let last = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        + 120_000;
    let nonce_path = format!("/v1/members/{alice}/nonce");
    let node = FakeNode::start(move |r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/v1/community") => (200, community_json()),
        ("GET", path) if path == nonce_path => (
            200,
            json!({ "member": path, "last_nonce": last }).to_string(),
        ),
        ("POST", "/v1/actions") => {
            let action = SignedAction::from_bytes(&r.body).expect("canonical bytes");
            if action.action.nonce <= last {
                let message = format!("nonce {} was already used", action.action.nonce);
                let refusal = json!({ "error": "nonce_replayed", "message": message });
                (409, refusal.to_string())
            } else {
                receipt("local", 8)
            }
        }
        _ => not_found(),
    });
    let out = run(home, &["--node", &node.url, "pay", &bob.to_did(), "1"]).ok();
    assert_eq!(out, format!("Paid 1 KC to {bob} (entry local #8)\n"));

    let actions = submitted(&node);
    assert_eq!(actions.len(), 2, "one refused, one signed again");
    assert!(actions[0].action.nonce <= last);
    assert_eq!(actions[1].action.nonce, last + 1);
    assert_eq!(actions[1].action.body, actions[0].action.body);
    let reads = node.requests_to("GET");
    let read = reads
        .iter()
        .find(|r| r.path.ends_with("/nonce"))
        .expect("the node's last nonce was read");
    assert_eq!(signer_of(read).to_did(), alice);
    // The key's counter continues above the node's nonce.
    run(home, &["--node", &node.url, "pay", &bob.to_did(), "1"]).ok();
    let actions = submitted(&node);
    assert_eq!(actions.len(), 3, "no refusal this time");
    assert!(actions[2].action.nonce > last + 1);
}

#[test]
fn a_refusal_exits_1_with_the_nodes_reason() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    new_key(home, "bob");
    let refusal =
        json!({ "error": "insufficient_funds", "message": "insufficient funds: balance 0 KC" });
    let node = node_answering((422, refusal.to_string()));
    let err = run(
        home,
        &["--node", &node.url, "--key", "alice", "pay", "bob", "5000"],
    )
    .fails(1);
    assert_eq!(
        err,
        "hearth: the node refused: insufficient funds: balance 0 KC (insufficient_funds)\n"
    );
    // A server error is not a refusal.
    let broken = node_answering((
        500,
        json!({ "error": "internal", "message": "disk" }).to_string(),
    ));
    let err = run(home, &["--node", &broken.url, "--key", "alice", "leave"]).fails(2);
    assert!(err.contains("the node failed: disk"), "{err}");
}

#[test]
fn join_claims_the_invite_for_the_nodes_community_only() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let me = new_key(home, "me");
    let node = node_answering(receipt("public", 4));
    let elsewhere = InviteCode {
        community: Hash([8; 32]),
        seed: [1; 32],
    };
    let err = run(home, &["--node", &node.url, "join", &elsewhere.to_string()]).fails(2);
    assert!(err.contains("the invite is for another community"), "{err}");
    assert!(node.requests_to("POST").is_empty());

    let invite = InviteCode {
        community: COMMUNITY,
        seed: [1; 32],
    };
    let out = run(home, &["--node", &node.url, "join", &invite.to_string()]).ok();
    assert_eq!(out, format!("Joined Riverside as {me}\n"));
    let actions = submitted(&node);
    let ActionBody::Membership(MembershipAction::Join { invite: key, proof }) =
        &actions[0].action.body
    else {
        panic!("not a join: {actions:?}");
    };
    assert_eq!(*key, invite.keypair().public());
    let claim = invite_claim(&COMMUNITY, &actions[0].action.author);
    key.verify(&claim, proof)
        .expect("the proof binds the invite to me");
}

#[test]
fn invite_prints_a_code_for_the_issued_key() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "council");
    let node = node_answering(receipt("public", 5));
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let v = run(
        home,
        &["--node", &node.url, "--json", "invite", "--ttl", "2h"],
    )
    .json();
    let code = InviteCode::parse(v["invite"].as_str().unwrap()).expect("an invite code");
    assert_eq!(code.community, COMMUNITY);
    let expires = v["expires"].as_u64().unwrap();
    assert!(
        (before + 7_200_000..before + 7_260_000).contains(&expires),
        "{expires}"
    );
    // The same time in RFC 3339, UTC, as the protocol writes times.
    assert_eq!(
        v["expires_at"].as_str(),
        Some(Timestamp(expires).to_string().as_str()),
        "{v}"
    );
    let actions = submitted(&node);
    assert_eq!(
        actions[0].action.body,
        ActionBody::Membership(MembershipAction::IssueInvite {
            key: code.keypair().public(),
            expires: Timestamp(expires)
        })
    );
    let plain = run(home, &["--node", &node.url, "invite"]).ok();
    assert!(InviteCode::parse(plain.trim()).is_some(), "{plain}");
}

#[test]
fn balance_and_local_log_are_signed_reads() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = new_key(home, "alice");
    let transfer = SignedAction::verify(
        hearth_protocol::Action {
            author: keypair(1).public(),
            community: COMMUNITY,
            nonce: 1,
            created: Timestamp(0),
            body: ActionBody::Ledger(LedgerAction::Transfer {
                to: keypair(2).public(),
                amount: Kc(2_000),
                memo: String::new(),
            }),
        }
        .sign(&keypair(1)),
    )
    .unwrap()
    .into_inner();
    let page = json!({
        "log": "local",
        "entries": [{ "seq": 1, "id": "00", "time": 0, "prev": "00", "body": { "type": "actions", "value": [transfer] }, "bytes": "" }],
        "next": null,
    });
    let answer = page.clone();
    let node = FakeNode::start(move |r| {
        if r.path.starts_with("/v1/accounts/") {
            let did = r.path.trim_start_matches("/v1/accounts/");
            let body = json!({ "account": did, "balance": 12_500, "display": "12.5 KC", "credit_limit": 1_000_000 });
            (200, body.to_string())
        } else if r.path.starts_with("/v1/logs/local/entries") {
            (200, answer.to_string())
        } else {
            not_found()
        }
    });
    let out = run(home, &["--node", &node.url, "balance"]).ok();
    assert!(
        out.contains("balance       12.5 KC") && out.contains("credit limit  1000 KC"),
        "{out}"
    );
    let bob = keypair(2).public().to_did();
    let v = run(home, &["--node", &node.url, "--json", "balance", &bob]).json();
    assert_eq!(v["account"], bob.as_str());

    let log = run(
        home,
        &["--node", &node.url, "log", "--from", "1", "--limit", "10"],
    )
    .ok();
    assert!(
        log.starts_with("#1 ") && log.contains("transfer: ") && log.contains("paid 2 KC"),
        "{log}"
    );
    let json = run(home, &["--node", &node.url, "--json", "log"]).json();
    assert_eq!(json, page);

    let gets = node.requests_to("GET");
    let paths: Vec<&str> = gets.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("/v1/accounts/{alice}").as_str(),
            &format!("/v1/accounts/{bob}"),
            "/v1/logs/local/entries?from=1&limit=10",
            "/v1/logs/local/entries?from=0&limit=100",
        ]
    );
    for request in &gets {
        assert_eq!(signer_of(request).to_did(), alice);
    }
}

#[test]
fn members_and_status_read_the_public_roster() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = new_key(home, "alice");
    let members = json!({ "members": [
        { "did": alice, "joined": 0, "status": "active", "council": true, "invited_by": null },
        { "did": keypair(2).public().to_did(), "joined": 86_400_000, "status": "left", "council": false, "invited_by": alice },
    ]});
    let roster = members.to_string();
    let node = FakeNode::start(move |r| match r.path.as_str() {
        "/healthz" => (200, "ok".into()),
        "/v1/community" => (200, community_json()),
        "/v1/logs/heads" => (
            200,
            json!({ "public": { "seq": 3, "hash": "00", "time": 0 }, "local": null }).to_string(),
        ),
        "/v1/members" => (200, roster.clone()),
        _ => not_found(),
    });
    let table = run(home, &["--node", &node.url, "members"]).ok();
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("DID") && lines.len() == 3, "{table}");
    assert!(
        lines[1].contains("active  council  1970-01-01 00:00:00 UTC"),
        "{table}"
    );
    assert!(
        lines[2].contains("left") && lines[2].ends_with("1970-01-02 00:00:00 UTC"),
        "{table}"
    );
    assert_eq!(
        run(home, &["--node", &node.url, "--json", "members"]).json(),
        members
    );
    // Times are shown in the local time zone, TZ's when it is set.
    let mut tokyo = hearth(home, &["--node", &node.url, "members"]);
    let table = run_cmd(tokyo.env("TZ", "JST-9")).ok();
    assert!(table.contains("1970-01-01 09:00:00 JST"), "{table}");
    assert!(table.contains("1970-01-02 09:00:00 JST"), "{table}");

    let status = run(home, &["--node", &node.url, "status"]).ok();
    assert!(
        status.contains("community   Riverside") && status.contains(&COMMUNITY.to_hex()),
        "{status}"
    );
    assert!(status.contains("2 active, 1 on the council"), "{status}");
    assert!(
        status.contains(&format!("alice ({alice}): a member, on the council")),
        "{status}"
    );
    assert!(status.contains("local log   empty"), "{status}");
    let v = run(home, &["--node", &node.url, "--json", "status"]).json();
    assert_eq!(
        (v["health"].as_str(), v["key"]["member"].as_bool()),
        (Some("ok"), Some(true))
    );
    assert_eq!(v["community"]["name"], "Riverside");
}
