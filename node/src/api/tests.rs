//! API tests: the router over a real node task and a real sled directory,
//! called in-process (no sockets; `server/tests.rs` serves it on loopback).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use hearth_protocol::request::sign_request;
use hearth_protocol::test::keypair;
use hearth_protocol::{
    Action, ActionBody, Canonical, InviteCode, Kc, Keypair, LedgerAction, MembershipAction,
    Timestamp,
};
use serde_json::Value;
use tower::ServiceExt as _;

use crate::data_dir::DataDir;
use crate::runtime;
use crate::service::Service;

mod analytics;
mod dashboard;
mod learning;
mod skills;
mod spaces;
mod time_bank;
mod tools;

pub(super) struct Fixture {
    pub(super) app: axum::Router,
    pub(super) community: hearth_protocol::Hash,
    founder_code: InviteCode,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    fixture_with(super::Options::default()).await
}

/// A node with a founder's invite outstanding, its API built with `options`.
pub(super) async fn fixture_with(options: super::Options) -> Fixture {
    fixture_with_rules(options, hearth_protocol::Rules::default()).await
}

/// [`fixture_with`] for a community founded under `rules`.
async fn fixture_with_rules(options: super::Options, rules: hearth_protocol::Rules) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = DataDir::new(dir.path().join("data"));
    let founded = data
        .init("Riverside", rules, runtime::now(), None)
        .expect("init");
    let community = founded.id;
    let service = Service::open(founded.storage, founded.node).expect("service");
    let (handle, _task) = runtime::spawn(service, runtime::P2p::Off);
    Fixture {
        app: super::router_with(handle, options),
        community,
        founder_code: data.load_founder_invite().expect("invite"),
        _dir: dir,
    }
}

impl Fixture {
    /// Has the founder (`keypair(1)`) claim the founder invite.
    pub(super) async fn found(&self) -> Keypair {
        let founder = keypair(1);
        let join = self.action(&founder, 1, self.founder_code.join_body(&founder.public()));
        assert_eq!(self.post(join).await.0, StatusCode::CREATED);
        founder
    }

    async fn call(&self, request: Request<Body>) -> (StatusCode, Value) {
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .expect("body");
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, json)
    }

    pub(super) fn action(&self, author: &Keypair, nonce: u64, body: ActionBody) -> Vec<u8> {
        Action {
            author: author.public(),
            community: self.community,
            nonce,
            created: runtime::now(),
            body,
        }
        .sign(author)
        .to_bytes()
    }

    async fn post(&self, bytes: Vec<u8>) -> (StatusCode, Value) {
        let request = Request::post("/v1/actions")
            .header("content-type", "application/octet-stream")
            .body(Body::from(bytes))
            .expect("request");
        self.call(request).await
    }

    async fn signed_get(&self, key: &Keypair, path: &str) -> (StatusCode, Value) {
        self.call(signed(key, path)).await
    }
}

pub(super) fn signed(key: &Keypair, path: &str) -> Request<Body> {
    let mut builder = Request::get(path);
    for (name, value) in sign_request(key, "GET", path, runtime::now(), b"") {
        builder = builder.header(name, value);
    }
    builder.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn submitting_is_acknowledged_once_and_resubmitting_is_idempotent() {
    let f = fixture().await;
    let founder = keypair(1);
    let join = f.action(&founder, 1, f.founder_code.join_body(&founder.public()));
    let (status, body) = f.post(join.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["log"], "public");
    assert_eq!(body["seq"], 1);
    let (status, again) = f.post(join).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["id"], body["id"]);

    // The JSON form carries the same canonical bytes in base64.
    let invite = ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(50).public(),
        expires: Timestamp(runtime::now().0 + 60_000),
    });
    let bytes = f.action(&founder, 2, invite);
    let json =
        serde_json::json!({ "action": base64::engine::general_purpose::STANDARD.encode(bytes) });
    let request = Request::post("/v1/actions")
        .header("content-type", "application/json")
        .body(Body::from(json.to_string()))
        .expect("request");
    let (status, body) = f.call(request).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let (status, members) = f
        .call(
            Request::get("/v1/members")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(members["members"][0]["did"], founder.public().to_did());
    assert_eq!(members["members"][0]["council"], true);

    // The founder's seat, with its term from the rules.
    let (status, council) = f
        .call(
            Request::get("/v1/council")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(council["seats"], 5);
    assert_eq!(council["caretaker"], false);
    let seat = &council["members"][0];
    assert_eq!(seat["did"], founder.public().to_did());
    assert_eq!(seat["standing"], "in_term");
    let term = hearth_protocol::Rules::default().council.term.0;
    assert_eq!(
        seat["term_ends"].as_u64(),
        seat["seated"].as_u64().map(|s| s + term),
        "{council}"
    );
}

#[tokio::test]
async fn malformed_and_refused_submissions_get_their_codes() {
    let f = fixture().await;
    let stranger = keypair(9);
    let pay = ActionBody::Ledger(LedgerAction::Transfer {
        to: keypair(1).public(),
        amount: Kc(1),
        memo: String::new(),
    });
    let bytes = f.action(&stranger, 1, pay);
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            bytes[..bytes.len() - 3].to_vec(),
            StatusCode::BAD_REQUEST,
            "truncated",
        ),
        (
            [bytes.clone(), vec![0]].concat(),
            StatusCode::BAD_REQUEST,
            "trailing_bytes",
        ),
        (
            vec![0; 70_000],
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            vec![0; 2 << 20],
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (bytes.clone(), StatusCode::FORBIDDEN, "not_a_member"),
    ];
    for (body, status, code) in cases {
        let (got, json) = f.post(body).await;
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{json}"
        );
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let mut forged = bytes;
    let last = forged.len() - 1;
    forged[last] ^= 0x40;
    let (status, json) = f.post(forged).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_signature"))
    );
    let request = Request::post("/v1/actions")
        .header("content-type", "application/json")
        .body(Body::from("{\"action\": 3}"))
        .expect("request");
    let (status, json) = f.call(request).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_json"))
    );
    let (status, json) = f
        .call(
            Request::get("/v1/nothing")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn member_only_reads_need_a_fresh_signature_of_an_active_member() {
    let f = fixture().await;
    let founder = keypair(1);
    let join = f.action(&founder, 1, f.founder_code.join_body(&founder.public()));
    assert_eq!(f.post(join).await.0, StatusCode::CREATED);

    let (status, json) = f
        .call(Request::get("/v1/ledger").body(Body::empty()).expect("req"))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unsigned_request"))
    );
    let (status, json) = f.signed_get(&founder, "/v1/ledger").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["sum"], 0);
    let request = signed(&founder, "/v1/logs/local/entries?from=0&limit=5");
    let replay = signed_copy(&request);
    assert_eq!(f.call(request).await.0, StatusCode::OK);
    let (status, json) = f.call(replay).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("request_replayed"))
    );
    let (status, json) = f.signed_get(&keypair(9), "/v1/ledger").await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_a_member"))
    );
    // A request signed before the node started may have been used before
    // a restart emptied the replay cache: it is refused.
    let mut builder = Request::get("/v1/ledger");
    let before = Timestamp(runtime::now().0 - 60_000);
    for (name, value) in sign_request(&founder, "GET", "/v1/ledger", before, b"") {
        builder = builder.header(name, value);
    }
    let (status, json) = f.call(builder.body(Body::empty()).expect("req")).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("stale_request"))
    );
    // A signature for another path does not open this one.
    let mut request = signed(&founder, "/v1/ledger");
    *request.uri_mut() = "/v1/logs/local/entries".parse().expect("uri");
    let (status, json) = f.call(request).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_request_signature"))
    );
    let path = format!("/v1/accounts/{}", founder.public().to_did());
    let (status, json) = f.signed_get(&founder, &path).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["balance"], 0);
    // The public log is open to anyone; pages are bounded and chained.
    let (status, json) = f
        .call(
            Request::get("/v1/logs/public/entries?from=0&limit=1")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["next"], 1);
    let (_, metrics) = f
        .call(Request::get("/metrics").body(Body::empty()).expect("req"))
        .await;
    let text = metrics.as_str().unwrap_or_default();
    assert!(text.contains("hearth_actions_accepted_total"), "{text}");
}

#[tokio::test]
async fn a_members_last_nonce_is_a_member_only_read() {
    let f = fixture().await;
    let founder = keypair(1);
    let path = format!("/v1/members/{}/nonce", founder.public().to_did());
    let join = f.action(&founder, 7, f.founder_code.join_body(&founder.public()));
    assert_eq!(f.post(join).await.0, StatusCode::CREATED);
    let (status, json) = f.signed_get(&founder, &path).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["last_nonce"], 7);
    assert_eq!(json["member"], founder.public().to_did());

    // A refused action does not move it; an accepted one does.
    let invite = |nonce| {
        let body = ActionBody::Membership(MembershipAction::IssueInvite {
            key: keypair(50 + nonce as u8).public(),
            expires: Timestamp(runtime::now().0 + 60_000),
        });
        f.action(&founder, nonce, body)
    };
    let (status, json) = f.post(invite(5)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("nonce_replayed"))
    );
    // (Each read differs in its query: two requests signed within one
    // millisecond would otherwise be one request replayed.)
    let again = format!("{path}?read=2");
    assert_eq!(f.signed_get(&founder, &again).await.1["last_nonce"], 7);
    assert_eq!(f.post(invite(9)).await.0, StatusCode::CREATED);
    let again = format!("{path}?read=3");
    assert_eq!(f.signed_get(&founder, &again).await.1["last_nonce"], 9);

    let (status, json) = f
        .call(
            Request::get(path.as_str())
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unsigned_request"))
    );
    let stranger = format!("/v1/members/{}/nonce", keypair(9).public().to_did());
    let (status, json) = f.signed_get(&founder, &stranger).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_member"))
    );
    let (status, _) = f
        .signed_get(&founder, "/v1/members/did:key:nope/nonce")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

fn signed_copy(request: &Request<Body>) -> Request<Body> {
    let mut builder = Request::get(request.uri().clone());
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    builder.body(Body::empty()).expect("request")
}

fn gauge(metrics: &Value, name: &str) -> Option<u64> {
    let text = metrics.as_str()?;
    let line = text.lines().find(|l| l.starts_with(&format!("{name} ")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn replay_cache_entries(f: &Fixture) -> Option<u64> {
    let (_, metrics) = f
        .call(Request::get("/metrics").body(Body::empty()).expect("req"))
        .await;
    gauge(&metrics, "hearth_replay_cache_entries")
}

#[tokio::test]
async fn the_replay_cache_remembers_only_members_and_stays_within_its_cap() {
    let limits = super::Limits {
        replay_cache: 3,
        ..super::Limits::default()
    };
    let f = fixture_with(super::Options {
        limits,
        ..super::Options::default()
    })
    .await;
    let founder = f.found().await;
    // A flood of validly signed requests by strangers is refused before
    // any of their signatures is remembered.
    for seed in 100..600u64 {
        let mut bytes = [7u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let stranger = Keypair::from_seed(&bytes);
        let (status, json) = f.signed_get(&stranger, "/v1/ledger").await;
        assert_eq!(
            (status, json["error"].as_str()),
            (StatusCode::FORBIDDEN, Some("not_a_member"))
        );
    }
    assert_eq!(replay_cache_entries(&f).await, Some(0));
    // A member's requests fill it up to its cap; then signed requests are
    // refused (and the cache does not grow) until its entries expire.
    for n in 0..3 {
        let (status, json) = f.signed_get(&founder, &format!("/v1/ledger?n={n}")).await;
        assert_eq!(status, StatusCode::OK, "{json}");
    }
    let (status, json) = f.signed_get(&founder, "/v1/ledger?n=3").await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("replay_cache_full"))
    );
    assert_eq!(replay_cache_entries(&f).await, Some(3));
    // Unsigned reads do not touch it.
    let (status, _) = f
        .call(
            Request::get("/v1/members")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn a_full_replay_cache_drops_expired_signatures_and_refuses_only_while_none_expired() {
    let mut cache = super::ReplayCache::new(2);
    assert_eq!(cache.insert([1; 64], 100, 0), Ok(()));
    assert_eq!(cache.insert([1; 64], 100, 0), Err(super::Replay::Replayed));
    assert_eq!(cache.insert([2; 64], 200, 0), Ok(()));
    assert_eq!(cache.insert([3; 64], 300, 50), Err(super::Replay::Full));
    assert_eq!(cache.len(), 2);
    // At 150 the first signature has expired: it makes room.
    assert_eq!(cache.insert([3; 64], 300, 150), Ok(()));
    assert_eq!(cache.len(), 2);
    assert_eq!(cache.insert([4; 64], 400, 160), Err(super::Replay::Full));
    assert_eq!(cache.insert([4; 64], 400, 250), Ok(()));
}

#[tokio::test]
async fn heavy_requests_past_the_limit_are_refused_as_busy() {
    let limits = super::Limits {
        heavy_requests: 1,
        ..super::Limits::default()
    };
    let f = fixture_with(super::Options {
        limits,
        ..super::Options::default()
    })
    .await;
    let export = || {
        Request::get("/v1/federation/export")
            .body(Body::empty())
            .expect("req")
    };
    // The first export's permit is held until its body has been sent.
    let first = f.app.clone().oneshot(export()).await.expect("response");
    assert_ne!(first.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (status, json) = f.call(export()).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("busy"))
    );
    let (status, json) = f
        .call(
            Request::get("/v1/federation")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("busy"))
    );
    // Light requests are not held up.
    let (status, _) = f
        .call(Request::get("/healthz").body(Body::empty()).expect("req"))
        .await;
    assert_eq!(status, StatusCode::OK);
    drop(first);
    let (status, json) = f.call(export()).await;
    assert_ne!(status, StatusCode::SERVICE_UNAVAILABLE, "{json}");
}

/// A proposal's topic and a delegation's topic scope are in the JSON the
/// CLI reads; a topic the community does not list is refused by its code.
#[tokio::test]
async fn topics_show_in_proposals_and_delegations() {
    use hearth_protocol::GovernanceAction;
    use hearth_protocol::governance::{Level, Proposal, ProposalKind, Scope, Subject, Topic};
    let health = Topic::new("health").expect("a topic");
    let rules = hearth_protocol::Rules {
        topics: vec![health.clone()],
        ..Default::default()
    };
    let f = fixture_with_rules(super::Options::default(), rules).await;
    let founder = f.found().await;
    let filed = |topic: &str| {
        ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: Some(Topic::new(topic).expect("a topic")),
            title: "Clinic hours".into(),
            text: String::new(),
            options: Vec::new(),
            subject: Subject::Question,
        })))
    };
    let (status, json) = f.post(f.action(&founder, 2, filed("music"))).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_topic"))
    );
    assert_eq!(
        f.post(f.action(&founder, 3, filed("health"))).await.0,
        StatusCode::CREATED
    );
    let (_, list) = f.signed_get(&founder, "/v1/proposals").await;
    assert_eq!(list["proposals"][0]["topic"], "health", "{list}");
    let id = list["proposals"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    let (_, detail) = f.signed_get(&founder, &format!("/v1/proposals/{id}")).await;
    assert_eq!(detail["topic"], "health", "{detail}");
    // The founder is the only member, so they revoke: the change goes into
    // the delegation history with its scope all the same.
    let scoped = |topic: Topic| {
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::topic(Level::Local, topic),
            to: None,
        })
    };
    assert_eq!(
        f.post(f.action(&founder, 4, scoped(health))).await.0,
        StatusCode::CREATED
    );
    let (_, delegations) = f.signed_get(&founder, "/v1/delegations").await;
    let event = &delegations["history"][0];
    assert_eq!(event["scope"]["topic"], "health", "{delegations}");
    assert_eq!(event["scope"]["kind"], Value::Null, "{delegations}");
}

#[tokio::test]
async fn names_stand_beside_keys_and_a_proposal_has_a_paged_thread() {
    use hearth_protocol::GovernanceAction;
    use hearth_protocol::governance::{Level, Proposal, ProposalKind, ProposalRef, Subject};
    let f = fixture().await;
    let founder = f.found().await;
    let did = founder.public().to_did();
    let set_name = ActionBody::Membership(MembershipAction::SetName {
        name: "Alice".into(),
    });
    assert_eq!(
        f.post(f.action(&founder, 2, set_name)).await.0,
        StatusCode::CREATED
    );
    let (_, members) = f
        .call(
            Request::get("/v1/members")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(members["members"][0]["did"], did.as_str());
    assert_eq!(members["members"][0]["name"], "Alice");

    let proposal = ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
        kind: ProposalKind::Policy,
        level: Level::Local,
        topic: None,
        title: "Quiet hours".into(),
        text: "From 22:00.".into(),
        options: Vec::new(),
        subject: Subject::Question,
    })));
    assert_eq!(
        f.post(f.action(&founder, 3, proposal)).await.0,
        StatusCode::CREATED
    );
    let (_, list) = f.signed_get(&founder, "/v1/proposals").await;
    let id = list["proposals"][0]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    assert_eq!(list["proposals"][0]["author_name"], "Alice");
    let r = ProposalRef {
        id: id.parse().expect("hash"),
        level: Level::Local,
    };
    for (nonce, text, reply_to) in [
        (4, "Why 22:00?", None),
        (5, "Children sleep.", Some(1)),
        (6, "Agreed.", Some(2)),
    ] {
        let body = ActionBody::Governance(GovernanceAction::Comment {
            proposal: r,
            text: text.into(),
            reply_to,
        });
        assert_eq!(
            f.post(f.action(&founder, nonce, body)).await.0,
            StatusCode::CREATED
        );
    }
    let bad = ActionBody::Governance(GovernanceAction::Comment {
        proposal: r,
        text: "to nowhere".into(),
        reply_to: Some(9),
    });
    let (status, json) = f.post(f.action(&founder, 7, bad)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_comment"))
    );

    let (status, detail) = f.signed_get(&founder, &format!("/v1/proposals/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["comments"], 3);
    assert_eq!(detail["names"][did.as_str()], "Alice");
    // Nobody has voted: the count so far is plainly "no ballots", not a
    // failed or passed vote.
    assert_eq!(detail["ballots"], 0);
    assert_eq!(detail["running"]["verdict"]["outcome"], "no_ballots");
    assert_eq!(detail["running"]["report"]["method"], "no_ballots");

    let path = format!("/v1/proposals/{id}/comments?after=1&limit=1");
    let (status, page) = f.signed_get(&founder, &path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["count"], 3);
    let comments = page["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0]["number"], 2);
    assert_eq!(comments[0]["text"], "Children sleep.");
    assert_eq!(comments[0]["reply_to"], 1);
    assert_eq!(comments[0]["name"], "Alice");
    assert_eq!(comments[0]["author"], did.as_str());

    let (status, _) = f
        .signed_get(&founder, "/v1/proposals/nothex/comments")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let unknown = format!("/v1/proposals/{}/comments", "ab".repeat(32));
    let (status, json) = f.signed_get(&founder, &unknown).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_proposal"))
    );
    let unsigned = Request::get(format!("/v1/proposals/{id}/comments"))
        .body(Body::empty())
        .expect("req");
    assert_eq!(f.call(unsigned).await.0, StatusCode::UNAUTHORIZED);
}
