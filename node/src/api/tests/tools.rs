//! The tool library's routes: a drill lent, held, returned and reported
//! damaged reads back through the list, the item, the loans, the holds
//! and the fund; refusals carry their codes and statuses and change
//! nothing; malformed, forged and replayed submissions are refused; reads
//! are member-only.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::economy::tools::{Condition, MaintenancePlan, ToolsAction};
use hearth_protocol::{ActionBody, Hash, Kc, Millis};

use super::fixture;
use super::time_bank::two_members;

fn tools(action: ToolsAction) -> ActionBody {
    ActionBody::Tools(action)
}

#[tokio::test]
async fn a_drill_lent_held_and_returned_damaged_reads_back_everywhere() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let add = tools(ToolsAction::Add {
        name: "drill".into(),
        category: "power_tools".into(),
        own: false,
        deposit: Kc::whole(20),
        loan_period: Millis::days(7),
        replacement: Kc::whole(120),
        plan: MaintenancePlan::default(),
    });
    let (status, json) = f.post(f.action(&alice, 3, add)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let drill: Hash = json["id"].as_str().expect("an id").parse().expect("hash");

    let unsigned = Request::get("/v1/tools").body(Body::empty()).expect("req");
    assert_eq!(f.call(unsigned).await.0, StatusCode::UNAUTHORIZED);
    let (status, json) = f.signed_get(&bob, "/v1/tools?available=true").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["items"][0]["id"], drill.to_string());
    assert_eq!(json["items"][0]["deposit"], 20_000);

    let checkout = tools(ToolsAction::Checkout { item: drill });
    let (status, json) = f.post(f.action(&bob, 2, checkout.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let loan = json["id"].as_str().expect("the loan id").to_string();
    let (_, json) = f.signed_get(&bob, "/v1/tools?available=true").await;
    assert_eq!(json["items"].as_array().map(Vec::len), Some(0));
    let (status, json) = f.signed_get(&bob, "/v1/tools/loans").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["mine"][0]["id"], loan.as_str());
    assert!(json["mine"][0]["due"].as_u64().is_some(), "{json}");
    assert_eq!(json["overdue"].as_array().map(Vec::len), Some(0));
    // The loan falls due in Bob's own calendar feed.
    // iCalendar times are whole seconds.
    let due = json["mine"][0]["due"].as_i64().expect("a due time") / 1000 * 1000;
    let (status, feed) = f.signed_get(&bob, "/v1/calendar.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        super::spaces::events(feed.as_str().expect("a text feed")),
        vec![(
            format!("{loan}-due@hearth"),
            due,
            due + 30 * 60_000,
            "Return drill".to_string()
        )]
    );

    // Refusals: their codes and statuses.
    let refusals = [
        (
            &alice,
            4,
            checkout.clone(),
            StatusCode::CONFLICT,
            "not_available",
        ),
        (
            &alice,
            4,
            tools(ToolsAction::Return { item: drill }),
            StatusCode::FORBIDDEN,
            "not_borrower",
        ),
        (
            &bob,
            3,
            tools(ToolsAction::Inspect {
                item: drill,
                condition: Condition::Good,
                note: String::new(),
            }),
            StatusCode::FORBIDDEN,
            "not_steward",
        ),
        (
            &bob,
            3,
            tools(ToolsAction::Hold {
                item: Hash([5; 32]),
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_item",
        ),
    ];
    for (who, nonce, body, status, code) in refusals {
        let (got, json) = f.post(f.action(who, nonce, body)).await;
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{json}"
        );
    }

    let hold = tools(ToolsAction::Hold { item: drill });
    assert_eq!(
        f.post(f.action(&alice, 4, hold)).await.0,
        StatusCode::CREATED
    );
    let (_, json) = f.signed_get(&alice, "/v1/tools/holds").await;
    assert_eq!(json["holds"][0]["position"], 1);
    assert_eq!(json["holds"][0]["pickup_until"], serde_json::Value::Null);
    let renew = tools(ToolsAction::Renew { item: drill });
    let (status, json) = f.post(f.action(&bob, 3, renew)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("item_held"))
    );

    let back = tools(ToolsAction::Return { item: drill });
    assert_eq!(f.post(f.action(&bob, 3, back)).await.0, StatusCode::CREATED);
    let damaged = tools(ToolsAction::Inspect {
        item: drill,
        condition: Condition::Damaged,
        note: "chuck cracked".into(),
    });
    let (status, json) = f.post(f.action(&alice, 5, damaged)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");

    let (status, json) = f.signed_get(&bob, &format!("/v1/tools/{drill}")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["item"]["status"], "maintenance");
    assert_eq!(json["item"]["condition"], "damaged");
    assert_eq!(json["loans"][0]["forfeited"], 20_000);
    assert_eq!(json["loans"][0]["refunded"], 0);
    let (status, json) = f.signed_get(&bob, "/v1/tools/fund").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        (json["balance"].as_i64(), json["name"].as_str()),
        (Some(20_000), Some("tool maintenance"))
    );
    let path = format!("/v1/accounts/{}", bob.public().to_did());
    let (_, json) = f.signed_get(&bob, &path).await;
    assert_eq!(json["balance"], -20_000);

    let (status, json) = f
        .signed_get(&bob, &format!("/v1/tools/{}", Hash([3; 32])))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_item"))
    );
    let (status, _) = f.signed_get(&bob, "/v1/tools/nothex").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn malformed_forged_and_replayed_tool_actions_are_refused() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let add = tools(ToolsAction::Add {
        name: "saw".into(),
        category: "hand_tools".into(),
        own: true,
        deposit: Kc::whole(5),
        loan_period: Millis::days(2),
        replacement: Kc::whole(30),
        plan: MaintenancePlan::default(),
    });
    let bytes = f.action(&bob, 2, add);
    let (status, json) = f.post(bytes[..bytes.len() - 5].to_vec()).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("truncated"))
    );
    let mut forged = bytes.clone();
    let last = forged.len() - 1;
    forged[last] ^= 0x40;
    let (status, json) = f.post(forged).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_signature"))
    );
    let (_, json) = f.signed_get(&alice, "/v1/tools").await;
    assert_eq!(
        json["items"].as_array().map(Vec::len),
        Some(0),
        "nothing changed"
    );

    assert_eq!(f.post(bytes.clone()).await.0, StatusCode::CREATED);
    let (status, json) = f.post(bytes).await;
    assert_eq!(
        (status, json["duplicate"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let other = tools(ToolsAction::Hold {
        item: Hash([1; 32]),
    });
    let (status, json) = f.post(f.action(&bob, 2, other)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("nonce_replayed"))
    );
    let period = tools(ToolsAction::Add {
        name: "plane".into(),
        category: "hand_tools".into(),
        own: true,
        deposit: Kc(-1),
        loan_period: Millis::days(2),
        replacement: Kc::whole(30),
        plan: MaintenancePlan::default(),
    });
    let (status, json) = f.post(f.action(&bob, 3, period)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_value"))
    );
    let (_, json) = f.signed_get(&alice, "/v1/tools").await;
    assert_eq!(json["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(json["items"][0]["owner"]["member"], bob.public().to_did());
}
