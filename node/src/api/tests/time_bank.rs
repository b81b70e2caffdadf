//! The time bank's routes: a logged hour confirmed and read back as a
//! record, in the history, the pending lists and the totals; refusals
//! carry their codes and statuses; reads are member-only.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, InviteCode, Keypair, MembershipAction, TimeBankAction};
use hearth_protocol::{Hash, Timestamp};

use super::{Fixture, fixture};
use crate::runtime;

/// The founder admits `keypair(2)` through an invite; returns both.
pub(super) async fn two_members(f: &Fixture) -> (Keypair, Keypair) {
    let founder = f.found().await;
    let mut seed = [7u8; 32];
    seed[0] = 0x17;
    let code = InviteCode {
        community: f.community,
        seed,
    };
    let invite = ActionBody::Membership(MembershipAction::IssueInvite {
        key: code.keypair().public(),
        expires: Timestamp(runtime::now().0 + 60_000),
    });
    assert_eq!(
        f.post(f.action(&founder, 2, invite)).await.0,
        StatusCode::CREATED
    );
    let bob = keypair(2);
    let join = f.action(&bob, 1, code.join_body(&bob.public()));
    assert_eq!(f.post(join).await.0, StatusCode::CREATED);
    (founder, bob)
}

#[tokio::test]
async fn a_confirmed_hour_reads_back_as_record_history_pending_and_totals() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let log = ActionBody::TimeBank(TimeBankAction::Log {
        recipients: vec![bob.public()],
        minutes: 60,
        category: "gardening".into(),
        note: "the bean rows".into(),
    });
    let (status, json) = f.post(f.action(&alice, 3, log)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let id: Hash = json["id"].as_str().expect("an id").parse().expect("hash");

    // Unsigned reads are refused.
    let (status, _) = f
        .call(
            Request::get("/v1/hours/pending")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, json) = f.signed_get(&bob, "/v1/hours/pending").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["to_confirm"][0]["id"], id.to_string());
    assert_eq!(json["awaiting"].as_array().map(Vec::len), Some(0));
    let (_, json) = f.signed_get(&alice, "/v1/hours/pending").await;
    assert_eq!(json["awaiting"][0]["id"], id.to_string());

    // Alice never confirms her own record.
    let own = ActionBody::TimeBank(TimeBankAction::Confirm { record: id });
    let (status, json) = f.post(f.action(&alice, 4, own)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("own_record"))
    );
    let confirm = ActionBody::TimeBank(TimeBankAction::Confirm { record: id });
    assert_eq!(
        f.post(f.action(&bob, 2, confirm.clone())).await.0,
        StatusCode::CREATED
    );
    let (status, json) = f.post(f.action(&bob, 3, confirm)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("already_confirmed"))
    );

    let (status, json) = f.signed_get(&bob, &format!("/v1/hours/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["shares"][0]["state"], "confirmed");
    assert_eq!(json["shares"][0]["paid"], 1000);
    assert_eq!(json["value"], 1000);
    let (status, json) = f
        .signed_get(&bob, &format!("/v1/hours/{}", Hash([3; 32])))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_record"))
    );

    let path = format!(
        "/v1/hours?member={}&category=gardening",
        bob.public().to_did()
    );
    let (status, json) = f.signed_get(&alice, &path).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["records"].as_array().map(Vec::len), Some(1));
    let (_, json) = f.signed_get(&alice, "/v1/hours?category=cooking").await;
    assert_eq!(json["records"].as_array().map(Vec::len), Some(0));
    let (status, json) = f.signed_get(&alice, "/v1/hours?category=juggling").await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_category"))
    );

    let (status, json) = f.signed_get(&alice, "/v1/hours/totals").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["rate_per_hour"], 1000);
    let members = json["members"].as_array().expect("members");
    let alice_row = members
        .iter()
        .find(|m| m["member"] == alice.public().to_did())
        .expect("alice's totals");
    assert_eq!(
        (
            alice_row["given_minutes"].as_u64(),
            alice_row["earned"].as_i64()
        ),
        (Some(60), Some(1000))
    );
    let gardening = json["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["category"] == "gardening")
        .expect("gardening");
    assert_eq!(gardening["minutes"], 60);

    let path = format!("/v1/accounts/{}", alice.public().to_did());
    let (_, json) = f.signed_get(&alice, &path).await;
    assert_eq!(json["balance"], 1000);
}
