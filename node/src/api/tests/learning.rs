//! Learning's routes: a skill graph read back as skills, one skill and a
//! path; a session listed and refused before its end; the education
//! pool's rewards; pending endorsements and verified skills; refusals with
//! their codes and statuses; and the public credential status route.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::credential::{self, CredentialStatus, CredentialStatusView};
use hearth_protocol::economy::learning::LearningAction as L;
use hearth_protocol::test::keypair;
use hearth_protocol::units::Millis;
use hearth_protocol::{ActionBody, Hash, Kc};

use super::fixture;
use super::time_bank::two_members;
use crate::runtime;

fn add(name: &str, prerequisites: &[Hash]) -> ActionBody {
    ActionBody::Learning(L::AddSkill {
        name: name.into(),
        description: format!("All about {name}"),
        prerequisites: prerequisites.to_vec(),
    })
}

fn id(json: &serde_json::Value) -> Hash {
    json["id"].as_str().expect("an id").parse().expect("hash")
}

#[tokio::test]
async fn a_skill_graph_a_path_a_session_and_a_verification_read_back() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let (status, json) = f.post(f.action(&alice, 3, add("soil", &[]))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let soil = id(&json);
    let (_, json) = f.post(f.action(&alice, 4, add("compost", &[soil]))).await;
    let compost = id(&json);

    // Bob is no steward; a cycle is refused with its path.
    let (status, json) = f.post(f.action(&bob, 2, add("pruning", &[]))).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_steward"))
    );
    let cyclic = ActionBody::Learning(L::EditSkill {
        skill: soil,
        name: "soil".into(),
        description: String::new(),
        prerequisites: vec![compost],
    });
    let (status, json) = f.post(f.action(&alice, 5, cyclic)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("prerequisite_cycle")),
        "{json}"
    );
    assert!(
        json["message"]
            .as_str()
            .is_some_and(|m| m.contains("soil → compost → soil")),
        "{json}"
    );

    // Reads are member-only.
    let (status, _) = f
        .call(
            Request::get("/v1/learning/skills")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, json) = f.signed_get(&bob, "/v1/learning/skills").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["skills"].as_array().map(Vec::len), Some(2));
    let (status, json) = f.signed_get(&bob, "/v1/learning/skills/compost").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["prerequisites"][0], soil.to_string());
    let (status, json) = f.signed_get(&bob, "/v1/learning/skills/knitting").await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_skill"))
    );

    // Bob's path to compost: soil first.
    let (status, json) = f.signed_get(&bob, "/v1/learning/path?goals=compost").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let names: Vec<_> = json["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["name"].as_str().expect("a name").to_string())
        .collect();
    assert_eq!(names, ["soil", "compost"]);

    // Alice teaches soil tomorrow; Bob enrols, and cannot confirm yet.
    let start = runtime::now().plus(Millis::days(1));
    let schedule = ActionBody::Learning(L::Schedule {
        skill: soil,
        start,
        end: start.plus(Millis::hours(2)),
        place: "Garden shed".into(),
        capacity: 5,
    });
    let (status, json) = f.post(f.action(&alice, 6, schedule)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let session = id(&json);
    let enrol = ActionBody::Learning(L::Enrol { session });
    let (status, json) = f.post(f.action(&alice, 7, enrol.clone())).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("own_session"))
    );
    assert_eq!(
        f.post(f.action(&bob, 2, enrol)).await.0,
        StatusCode::CREATED
    );
    let (status, json) = f
        .post(f.action(&bob, 3, ActionBody::Learning(L::Confirm { session })))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("session_not_over"))
    );
    let (_, json) = f.signed_get(&bob, "/v1/learning/path?goals=compost").await;
    assert_eq!(json["steps"][0]["sessions"][0]["id"], session.to_string());
    let (status, json) = f
        .signed_get(&bob, &format!("/v1/learning/sessions/{session}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["students"][0]["member"], bob.public().to_string());
    let (_, json) = f.signed_get(&bob, "/v1/learning/sessions").await;
    assert_eq!(json["sessions"].as_array().map(Vec::len), Some(1));

    // Bob funds the education pool.
    let give = ActionBody::Learning(L::Contribute {
        amount: Kc::whole(30),
    });
    assert_eq!(f.post(f.action(&bob, 3, give)).await.0, StatusCode::CREATED);
    let (status, json) = f.signed_get(&alice, "/v1/learning/rewards").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["pool"]["balance"], 30_000);
    assert_eq!(json["pool"]["owed"], 0);

    // Alice, on the council, verifies Bob in soil; he cannot endorse himself.
    let own = ActionBody::Learning(L::Endorse {
        member: bob.public(),
        skill: soil,
    });
    let (status, json) = f.post(f.action(&bob, 4, own.clone())).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("self_endorsement"))
    );
    assert_eq!(
        f.post(f.action(&alice, 8, own)).await.0,
        StatusCode::CREATED
    );
    let (status, json) = f
        .signed_get(&alice, &format!("/v1/learning/verified/{}", bob.public()))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["verifications"][0]["name"], "soil");
    assert_eq!(json["verifications"][0]["revoked"], serde_json::Value::Null);
    let (_, json) = f.signed_get(&bob, "/v1/learning/path?goals=compost").await;
    assert_eq!(json["steps"].as_array().map(Vec::len), Some(1));
    let (status, json) = f.signed_get(&bob, "/v1/learning/endorsements").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["endorsements"].as_array().map(Vec::len), Some(0));

    // The status route is public.
    let (_, community) = f
        .call(
            Request::get("/v1/community")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    let node: hearth_protocol::PublicKey =
        serde_json::from_value(community["node"].clone()).expect("the node key");
    let status_of = |issuer: String, skill: Hash| {
        format!(
            "/v1/credentials/status?issuer={issuer}&subject={}&achievement=urn:hearth:skill:{skill}&valid_from=2026-01-01T00:00:00Z",
            bob.public()
        )
    };
    let (status, json) = f
        .call(
            Request::get(status_of(node.to_did(), soil))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let answer: CredentialStatusView = serde_json::from_value(json).expect("a status");
    assert_eq!(answer.status, CredentialStatus::Valid);
    assert_eq!((answer.reason, answer.revoked_at), (None, None));
    let (_, json) = f
        .call(
            Request::get(status_of(keypair(9).public().to_did(), soil))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(json["status"], "unknown_issuer");
    let (_, json) = f
        .call(
            Request::get(status_of(node.to_did(), Hash([3; 32])))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(json["status"], "unknown_skill");
    let bad = status_of(node.to_did(), soil).replace("2026-01-01T00:00:00Z", "yesterday");
    let (status, json) = f
        .call(Request::get(bad).body(Body::empty()).expect("req"))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_query"))
    );

    // Bob's credential: issued by the node key for his verified skill,
    // and it verifies; Alice, not verified in soil, gets none.
    let (status, issued) = f
        .signed_get(&bob, &format!("/v1/learning/credential?skill={soil}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let checked = credential::verify(&issued).expect("the credential verifies");
    assert_eq!(checked.issuer_did, node.to_did());
    assert_eq!(checked.subject_did, bob.public().to_did());
    assert_eq!(checked.achievement_id, format!("urn:hearth:skill:{soil}"));
    let (status, json) = f
        .signed_get(&alice, "/v1/learning/credential?skill=soil")
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("not_verified"))
    );
}
