//! Bad input is refused with its own stable code and changes nothing
//! (DESIGN §3 decoding rules, §11 "a forged, replayed, malformed or
//! oversized record changes any state").
//!
//! Every test starts one node with a founder (council) and bob, who have
//! already exchanged money, then sends one kind of bad input and checks
//! the error code, the HTTP status, and that both log heads and every
//! ledger balance are what they were before.

use std::time::Duration;

use hearth_protocol::test::{keypair, weak_key};
use hearth_protocol::{
    Action, ActionBody, Canonical, Hash, InviteCode, Kc, LedgerAction, MembershipAction, Timestamp,
};
use hearth_tests::{Http, Ledger, Member, Node, Response, converge, heads, now_ms};
use serde_json::Value;

/// One node, a founder on the council and bob, with one payment between them.
struct Fixture {
    node: Node,
    founder: Member,
    bob: Member,
}

/// Heads of both logs and the ledger: the state a refusal must not change.
#[derive(Debug, PartialEq)]
struct Snapshot {
    heads: Value,
    ledger: Ledger,
}

impl Fixture {
    fn new() -> Fixture {
        let node = Node::start();
        let mut founder = Member::found(&node, keypair(1));
        let mut bob = founder.admit(keypair(2));
        founder
            .submit(transfer(&bob, 5_000, "seed"))
            .expect_status(201);
        bob.submit(transfer(&founder, 1_250, "back"))
            .expect_status(201);
        let fixture = Fixture { node, founder, bob };
        let ledger = fixture.snapshot().ledger;
        assert_eq!(ledger.balances[&fixture.bob.did()], 3_750, "{ledger:?}");
        fixture
    }

    fn snapshot(&self) -> Snapshot {
        let ledger = self.founder.ledger();
        assert_eq!(ledger.sum, 0, "the ledger conserves money: {ledger:?}");
        Snapshot {
            heads: heads(self.node.url()),
            ledger,
        }
    }

    /// Asserts `response` is the error `status`/`code` and the state is `before`.
    #[track_caller]
    fn refused(&self, before: &Snapshot, response: &Response, status: u16, code: &str) {
        response.expect_error(status, code);
        assert_eq!(
            &self.snapshot(),
            before,
            "a refused input ({code}) changed the state"
        );
    }
}

fn transfer(to: &Member, milli: i64, memo: &str) -> ActionBody {
    ActionBody::Ledger(LedgerAction::Transfer {
        to: to.public(),
        amount: Kc(milli),
        memo: memo.into(),
    })
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   forged: a valid transfer with one signature byte flipped
#[test]
fn forged_signature_is_refused_and_does_not_use_up_the_nonce() {
    let mut f = Fixture::new();
    let before = f.snapshot();
    let genuine = f.founder.sign(transfer(&f.bob, 700, "forged"));
    for byte in [0, 31, 32, 63] {
        let mut forged = genuine.clone();
        forged.signature.0[byte] ^= 0x01;
        let response = f.founder.submit_signed(&forged);
        f.refused(&before, &response, 400, "bad_signature");
    }
    // A signature of another action does not verify either.
    let mut borrowed = genuine.clone();
    borrowed.signature = f.founder.sign(transfer(&f.bob, 1, "other")).signature;
    f.refused(
        &before,
        &f.founder.submit_signed(&borrowed),
        400,
        "bad_signature",
    );
    // The refusals did not consume the nonce: the genuine action with the
    // same nonce still goes through.
    f.founder.submit_signed(&genuine).expect_status(201);
    let after = f.founder.ledger();
    assert_eq!(after.balances[&f.bob.did()], 3_750 + 700, "{after:?}");
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   the same bytes twice (idempotent) vs. a new action reusing a nonce
#[test]
fn replayed_nonce_is_refused_but_identical_bytes_are_a_duplicate() {
    let mut f = Fixture::new();
    let first = f.founder.sign(transfer(&f.bob, 1_000, "once"));
    let accepted = f.founder.submit_signed(&first);
    accepted.expect_status(201);
    assert_eq!(accepted.json["duplicate"], Value::Bool(false));
    assert_eq!(accepted.json["id"], first.id().to_hex());
    assert_eq!(accepted.json["log"], "local");
    let before = f.snapshot();

    // The identical bytes again: recorded once, answered 200 with the same place.
    for _ in 0..2 {
        let again = f.founder.submit_signed(&first);
        again.expect_status(200);
        assert_eq!(again.json["duplicate"], Value::Bool(true), "{}", again.text);
        assert_eq!(again.json["id"], accepted.json["id"]);
        assert_eq!(again.json["seq"], accepted.json["seq"]);
        assert_eq!(f.snapshot(), before, "a duplicate changed the state");
    }

    // A different action with the same nonce, and one with an older nonce.
    let mut replay = first.action.clone();
    replay.body = transfer(&f.bob, 1_000, "twice");
    let response = f.founder.submit_signed(&replay.sign(&f.founder.key));
    f.refused(&before, &response, 409, "nonce_replayed");
    let mut older = first.action.clone();
    older.nonce -= 1;
    older.body = transfer(&f.bob, 2_000, "older");
    let response = f.founder.submit_signed(&older.sign(&f.founder.key));
    f.refused(&before, &response, 409, "nonce_replayed");
}

//   test ──HTTP──▶ hearthd (community A) ── founder, bob
//   an action signed for community B
#[test]
fn action_for_another_community_is_refused() {
    let mut f = Fixture::new();
    let before = f.snapshot();
    let mut action = f.founder.action(transfer(&f.bob, 500, "elsewhere"));
    action.community = Hash::of("hearth-tests other community", b"B");
    let response = f.founder.submit_signed(&action.sign(&f.founder.key));
    f.refused(&before, &response, 422, "wrong_community");
}

//   test ──HTTP──▶ hearthd ── founder, bob;  mallory (valid key, never joined)
#[test]
fn unknown_author_is_refused() {
    let f = Fixture::new();
    let before = f.snapshot();
    let mut mallory = Member::new(keypair(66), f.founder.community, f.node.url());
    let response = mallory.submit(transfer(&f.bob, 500, "who am i"));
    f.refused(&before, &response, 403, "not_a_member");
    // Nor can a non-member issue invites.
    let response = mallory.submit(ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(67).public(),
        expires: Timestamp(now_ms() + 60_000),
    }));
    f.refused(&before, &response, 403, "not_a_member");
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   an action whose author is a small-order (weak) key
#[test]
fn weak_key_author_is_refused() {
    let f = Fixture::new();
    let before = f.snapshot();
    let action = Action {
        author: weak_key(),
        community: f.founder.community,
        nonce: 1,
        created: Timestamp(now_ms()),
        body: transfer(&f.bob, 500, "weak"),
    };
    // Any signature: with the identity point as key, many would verify
    // under a lax check; the key itself must be refused.
    let signed = action.sign(&keypair(3));
    f.refused(&before, &f.founder.submit_signed(&signed), 400, "weak_key");
    let mut zero = signed.clone();
    zero.signature.0 = [0; 64];
    f.refused(&before, &f.founder.submit_signed(&zero), 400, "weak_key");
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   a valid action's bytes cut short, with a byte appended, or varint-encoded
#[test]
fn malformed_encodings_are_refused_with_their_own_codes() {
    let mut f = Fixture::new();
    let before = f.snapshot();
    let signed = f.founder.sign(transfer(&f.bob, 900, "bytes"));
    let bytes = signed.to_bytes();

    for cut in [1, 10, 64, bytes.len() / 2, bytes.len() - 1] {
        let response = f.founder.submit_bytes(&bytes[..bytes.len() - cut]);
        f.refused(&before, &response, 400, "truncated");
    }
    let response = f.founder.submit_bytes(&[]);
    f.refused(&before, &response, 400, "truncated");

    for extra in [&[0u8][..], &[0xff], &[1, 2, 3]] {
        let mut long = bytes.clone();
        long.extend_from_slice(extra);
        let response = f.founder.submit_bytes(&long);
        f.refused(&before, &response, 400, "trailing_bytes");
    }

    // The same value in bincode's default (variable-length integer) encoding.
    let varint = bincode::encode_to_vec(&signed, bincode::config::standard())
        .expect("bincode encodes a signed action");
    assert_ne!(varint, bytes, "the varint encoding differs");
    let response = f.founder.submit_bytes(&varint);
    f.refused(&before, &response, 400, "non_canonical");

    // The canonical bytes are still accepted afterwards.
    f.founder.submit_bytes(&bytes).expect_status(201);
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   a 100 KiB body (an action is at most 64 KiB)
#[test]
fn oversized_body_is_refused_with_413() {
    let f = Fixture::new();
    let before = f.snapshot();
    let http = Http::new();
    let big = vec![0x5a; 100 * 1024];
    let response = http.submit_bytes(f.node.url(), &big).expect("a response");
    f.refused(&before, &response, 413, "body_too_large");
    // A valid action followed by 100 KiB of padding is refused by size too.
    let mut founder = f.founder.clone();
    let mut padded = founder.sign(transfer(&f.bob, 1, "pad")).to_bytes();
    padded.resize(100 * 1024, 0);
    let response = http
        .submit_bytes(f.node.url(), &padded)
        .expect("a response");
    f.refused(&before, &response, 413, "body_too_large");
    // And inside the JSON form.
    let body = serde_json::json!({ "action": base64_of(&big) }).to_string();
    let response = http
        .post(
            f.node.url(),
            "/v1/actions",
            "application/json",
            body.as_bytes(),
        )
        .expect("a response");
    f.refused(&before, &response, 413, "body_too_large");
}

//   test ──HTTP──▶ hearthd ── founder, bob;  carol holds an invite that expired
#[test]
fn expired_invite_is_refused() {
    let mut f = Fixture::new();
    let invite = keypair(40);
    let expires = now_ms() + 1_500;
    f.founder
        .submit(ActionBody::Membership(MembershipAction::IssueInvite {
            key: invite.public(),
            expires: Timestamp(expires),
        }))
        .expect_status(201);
    let code = InviteCode {
        community: f.founder.community,
        seed: invite.seed(),
    };
    converge(
        Duration::from_secs(10),
        "the invite's expiry passes",
        || (now_ms() > expires + 50).then_some(()),
    );
    let before = f.snapshot();
    let mut carol = Member::new(keypair(41), f.founder.community, f.node.url());
    let response = carol.submit(code.join_body(&carol.public()));
    f.refused(&before, &response, 422, "invite_expired");
    let members = f.founder.get("/v1/members");
    assert_eq!(
        members.json["members"].as_array().map(Vec::len),
        Some(2),
        "carol did not join: {}",
        members.text
    );
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   member-only reads without a signature, and with a replayed one
#[test]
fn unsigned_and_replayed_reads_are_refused() {
    let f = Fixture::new();
    let http = Http::new();
    let url = f.node.url();
    for path in ["/v1/ledger", "/v1/logs/local/entries"] {
        let response = http.get(url, path, &[]).expect("a response");
        response.expect_error(401, "unsigned_request");
    }
    // The public log is open.
    http.get(url, "/v1/logs/public/entries", &[])
        .expect("a response")
        .expect_status(200);

    let path = "/v1/ledger";
    let headers: Vec<(&str, String)> =
        hearth_protocol::request::sign_request(&f.bob.key, "GET", path, Timestamp(now_ms()), b"")
            .into_iter()
            .collect();
    http.get(url, path, &headers)
        .expect("a response")
        .expect_status(200);
    let replayed = http.get(url, path, &headers).expect("a response");
    replayed.expect_error(401, "request_replayed");
    // The signature covers the path: it does not open another one.
    let elsewhere = http
        .get(url, "/v1/logs/local/entries", &headers)
        .expect("a response");
    assert_eq!(elsewhere.status, 401, "{}", elsewhere.text);
    // A stranger's valid signature is not a member's.
    let stranger = http
        .signed_get(url, &keypair(77), path)
        .expect("a response");
    stranger.expect_error(403, "not_a_member");
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   the JSON form of a submission: garbage, bad base64, and a good one
#[test]
fn json_submissions_garbage_is_400_and_good_json_works() {
    let mut f = Fixture::new();
    let http = Http::new();
    let url = f.node.url().to_string();
    let before = f.snapshot();
    let post = |body: &[u8]| {
        http.post(&url, "/v1/actions", "application/json", body)
            .expect("a response")
    };
    for garbage in [
        &b"{not json"[..],
        b"",
        b"[]",
        b"{\"act\": \"AAAA\"}",
        b"\xff\xfe",
    ] {
        let response = post(garbage);
        assert_eq!(response.status, 400, "{}", response.text);
        f.refused(&before, &response, 400, "bad_json");
    }
    let response = post(br#"{"action": "not base64!"}"#);
    f.refused(&before, &response, 400, "bad_base64");
    let signed = f.founder.sign(transfer(&f.bob, 300, "json"));
    let mut forged = signed.clone();
    forged.signature.0[5] ^= 0x80;
    let body = serde_json::json!({ "action": base64_of(&forged.to_bytes()) }).to_string();
    f.refused(&before, &post(body.as_bytes()), 400, "bad_signature");
    let body = serde_json::json!({ "action": base64_of(&signed.to_bytes()) }).to_string();
    let response = post(body.as_bytes());
    response.expect_status(201);
    assert_eq!(response.json["id"], signed.id().to_hex());
}

/// Sends `raw` on a new connection and reads until the node closes it;
/// returns the status and the JSON body.
fn raw_exchange(url: &str, raw: &[u8]) -> (u16, Value) {
    use std::io::{Read as _, Write as _};
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    stream.write_all(raw).expect("send");
    let mut response = Vec::new();
    // The node answers and closes; a reset after the answer is fine.
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let json = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, json)
}

//   test ──TCP──▶ hearthd ── founder, bob
//   bytes that are not HTTP, headers past the limit, a JSON content type
//   spelled in capitals
#[test]
fn requests_the_http_layer_refuses_get_json_errors_and_change_nothing() {
    let mut f = Fixture::new();
    let url = f.node.url().to_string();
    let before = f.snapshot();
    let (status, json) = raw_exchange(&url, b"\x16\x03\x01 not http\r\n\r\n");
    assert_eq!((status, json["error"].as_str()), (400, Some("bad_request")));
    let huge = format!(
        "POST /v1/actions HTTP/1.1\r\nhost: hearth\r\nx-pad: {}\r\n\r\n",
        "p".repeat(64 * 1024)
    );
    let (status, json) = raw_exchange(&url, huge.as_bytes());
    assert_eq!(
        (status, json["error"].as_str()),
        (431, Some("headers_too_large"))
    );
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(f.snapshot(), before, "a refused request changed the state");
    let signed = f.founder.sign(transfer(&f.bob, 300, "capitals"));
    let body = serde_json::json!({ "action": base64_of(&signed.to_bytes()) }).to_string();
    let response = Http::new()
        .post(
            &url,
            "/v1/actions",
            "Application/JSON; charset=UTF-8",
            body.as_bytes(),
        )
        .expect("a response");
    response.expect_status(201);
    assert_eq!(response.json["id"], signed.id().to_hex());
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

//   test ──HTTP──▶ hearthd ── founder, bob;  mallory never joined
//   well-formed, well-signed transfers the state machine refuses
#[test]
fn invalid_transfers_are_refused_with_their_own_codes() {
    let mut f = Fixture::new();
    let before = f.snapshot();
    let bob = f.bob.public();
    let cases: [(ActionBody, u16, &str); 6] = [
        (transfer(&f.bob, 0, "nothing"), 422, "invalid_amount"),
        (transfer(&f.bob, -5_000, "take"), 422, "invalid_amount"),
        (transfer(&f.founder, 1_000, "me"), 422, "self_transfer"),
        (
            ActionBody::Ledger(LedgerAction::Transfer {
                to: keypair(66).public(),
                amount: Kc(1_000),
                memo: "stranger".into(),
            }),
            422,
            "unknown_recipient",
        ),
        (
            ActionBody::Ledger(LedgerAction::Transfer {
                to: bob,
                amount: Kc(1_000),
                memo: "x".repeat(281),
            }),
            422,
            "text_too_long",
        ),
        (
            transfer(&f.bob, 1_000_000 + 1, "beyond the credit limit"),
            422,
            "insufficient_funds",
        ),
    ];
    for (body, status, code) in cases {
        let response = f.founder.submit(body);
        f.refused(&before, &response, status, code);
    }
    // Created an hour from now: beyond the allowed clock skew.
    let mut action = f.founder.action(transfer(&f.bob, 1_000, "from the future"));
    action.created = Timestamp(now_ms() + 3_600_000);
    let response = f.founder.submit_signed(&action.sign(&f.founder.key));
    f.refused(&before, &response, 422, "created_in_future");
    // After all that, a valid transfer still goes through.
    f.founder
        .submit(transfer(&f.bob, 1_000, "fine"))
        .expect_status(201);
}

//   test ──HTTP──▶ hearthd ── founder, bob
//   economy actions: malformed, forged, replayed, out of range, and in
//   the wrong state — each refused with its code, nothing changed
#[test]
fn bad_economy_actions_are_refused_and_change_nothing() {
    use hearth_protocol::economy::aid::emergency_pool_id;
    use hearth_protocol::{AidAction, InsuranceAction};
    let mut f = Fixture::new();
    let pool = emergency_pool_id(&hearth_tests::community_id(f.node.url()));
    let ask = |amount: i64| {
        ActionBody::Aid(AidAction::Request {
            pool,
            amount: Kc(amount),
            reason: "rent".into(),
        })
    };
    let open = f.bob.sign(ask(10_000));
    f.bob.submit_signed(&open).expect_status(201);
    let before = f.snapshot();
    let contribute = |amount: i64, pool: Hash| {
        ActionBody::Aid(AidAction::Contribute {
            pool,
            amount: Kc(amount),
        })
    };
    // Out of range.
    for (body, status, code) in [
        (contribute(0, pool), 422, "invalid_amount"),
        (contribute(-5, pool), 422, "invalid_amount"),
        (contribute(1_000_001, pool), 422, "insufficient_funds"),
        (contribute(5, Hash([9; 32])), 422, "unknown_pool"),
        (ask(500_001), 422, "over_max_request"),
        (ask(0), 422, "invalid_amount"),
    ] {
        let response = f.founder.submit(body);
        f.refused(&before, &response, status, code);
    }
    // In the wrong state: a second open request, an assessment of a pool
    // decided by vote, a withdrawal by someone else, an unknown pool.
    for (who, body, status, code) in [
        ("bob", ask(1_000), 409, "open_request_exists"),
        (
            "founder",
            ActionBody::Aid(AidAction::Assess {
                request: open.id(),
                approve: true,
            }),
            403,
            "not_assessor",
        ),
        (
            "founder",
            ActionBody::Aid(AidAction::Withdraw { request: open.id() }),
            403,
            "not_requester",
        ),
        (
            "founder",
            ActionBody::Insurance(InsuranceAction::Enrol { pool }),
            422,
            "unknown_pool",
        ),
    ] {
        let member = if who == "bob" {
            &mut f.bob
        } else {
            &mut f.founder
        };
        let response = member.submit(body);
        f.refused(&before, &response, status, code);
    }
    // Forged, replayed and malformed.
    let genuine = f.founder.sign(contribute(1_000, pool));
    let mut forged = genuine.clone();
    forged.signature.0[5] ^= 1;
    f.refused(
        &before,
        &f.founder.submit_signed(&forged),
        400,
        "bad_signature",
    );
    let mut replayed = open.action.clone();
    replayed.body = contribute(1_000, pool);
    let response = f.bob.submit_signed(&replayed.sign(&f.bob.key));
    f.refused(&before, &response, 409, "nonce_replayed");
    let bytes = genuine.to_bytes();
    let response = f.founder.submit_bytes(&bytes[..bytes.len() - 10]);
    f.refused(&before, &response, 400, "truncated");
    // The domain tag sits right after author, community, nonce and created;
    // ten domains (membership … learning) make 10 the first unknown tag.
    let mut unknown = bytes.clone();
    unknown[80..84].copy_from_slice(&10u32.to_le_bytes());
    f.refused(&before, &f.founder.submit_bytes(&unknown), 400, "malformed");
    // The genuine action still goes through.
    f.founder.submit_signed(&genuine).expect_status(201);
}
