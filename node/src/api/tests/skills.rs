//! Skill sharing's routes: an offer listed by category and matched to a
//! request, accepted into a time bank record that its author confirms;
//! refusals carry their codes and statuses; reads are member-only.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::economy::skills::ListingKind;
use hearth_protocol::{ActionBody, Hash, MembershipAction, SkillsAction, TimeBankAction};

use super::fixture;
use super::time_bank::two_members;

fn post(kind: ListingKind, skill: &str) -> ActionBody {
    ActionBody::Skills(SkillsAction::Post {
        kind,
        category: "tutoring".into(),
        skill: skill.into(),
        description: "patiently".into(),
        availability: "Saturdays".into(),
    })
}

#[tokio::test]
async fn an_offer_is_listed_matched_accepted_and_settled_through_the_time_bank() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let name = ActionBody::Membership(MembershipAction::SetName {
        name: "Alice".into(),
    });
    assert_eq!(
        f.post(f.action(&alice, 3, name)).await.0,
        StatusCode::CREATED
    );
    let (status, json) = f
        .post(f.action(&alice, 4, post(ListingKind::Offer, "Algebra")))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let offer: Hash = json["id"].as_str().expect("an id").parse().expect("hash");
    let (status, _) = f
        .post(f.action(&bob, 2, post(ListingKind::Request, "algebra homework")))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, _) = f
        .call(Request::get("/v1/skills").body(Body::empty()).expect("req"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "reads are member-only");
    let (status, json) = f
        .signed_get(&bob, "/v1/skills?category=tutoring&kind=offer")
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["listings"][0]["id"], offer.to_string());
    assert_eq!(json["listings"][0]["state"], "open");
    assert_eq!(json["names"][alice.public().to_did()], "Alice");
    let (_, json) = f.signed_get(&bob, "/v1/skills?category=crafts").await;
    assert_eq!(json["listings"].as_array().map(Vec::len), Some(0));
    let (status, json) = f.signed_get(&bob, "/v1/skills?category=juggling").await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_category"))
    );
    let path = format!("/v1/skills?member={}", bob.public().to_did());
    let (_, json) = f.signed_get(&alice, &path).await;
    assert_eq!(json["listings"][0]["kind"], "request");

    let (status, json) = f.signed_get(&bob, "/v1/skills/matches").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["matches"][0]["theirs"]["id"], offer.to_string());
    assert_eq!(json["matches"][0]["common_words"], 1);
    let (_, json) = f.signed_get(&bob, "/v1/skills/categories").await;
    assert_eq!(json["categories"][0], "tutoring");
    let (_, json) = f.signed_get(&bob, "/v1/hours/categories").await;
    assert_eq!(json["categories"][6], "tutoring");

    let accept = |minutes| {
        ActionBody::Skills(SkillsAction::Accept {
            listing: offer,
            minutes,
            note: String::new(),
        })
    };
    let (status, json) = f.post(f.action(&alice, 5, accept(60))).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("own_listing"))
    );
    let (status, json) = f.post(f.action(&bob, 3, accept(60))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let exchange: Hash = json["id"].as_str().expect("an id").parse().expect("hash");
    let confirm = ActionBody::TimeBank(TimeBankAction::Confirm { record: exchange });
    assert_eq!(
        f.post(f.action(&alice, 5, confirm)).await.0,
        StatusCode::CREATED
    );
    let (status, json) = f.signed_get(&bob, &format!("/v1/skills/{offer}")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["exchanges"][0], exchange.to_string());
    let (_, json) = f.signed_get(&bob, &format!("/v1/hours/{exchange}")).await;
    assert_eq!(json["shares"][0]["state"], "confirmed");
    assert_eq!(json["category"], "tutoring");
    assert_eq!(json["names"][alice.public().to_did()], "Alice");
    let (status, json) = f
        .signed_get(&bob, &format!("/v1/skills/{}", Hash([3; 32])))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_listing"))
    );
    let withdraw = ActionBody::Skills(SkillsAction::Withdraw { listing: offer });
    let (status, json) = f.post(f.action(&bob, 4, withdraw)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_listing_author"))
    );
}
