//! The analytics route: a payment shows in this month's circulation and
//! coverage, exactly as the protocol computes it; the public route needs
//! no signature; bad queries and levels get their codes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::analytics::{self, Report};
use hearth_protocol::economy::income::{month_index, month_label};
use hearth_protocol::{ActionBody, Kc, LedgerAction};

use super::fixture;
use super::time_bank::two_members;
use crate::runtime;

#[tokio::test]
async fn a_payment_shows_in_the_months_figures() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let pay = ActionBody::Ledger(LedgerAction::Transfer {
        to: bob.public(),
        amount: Kc::whole(12),
        memo: "bread".into(),
    });
    assert_eq!(
        f.post(f.action(&alice, 3, pay)).await.0,
        StatusCode::CREATED
    );

    let month = month_label(month_index(runtime::now()));
    let path = format!("/v1/analytics?from={month}&to={month}");
    let (status, json) = f
        .call(Request::get(&path).body(Body::empty()).expect("req"))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let report: Report = serde_json::from_value(json.clone()).expect("a report");
    assert_eq!(report.community, f.community);
    assert_eq!(report.months.len(), 1);
    let m = &report.months[0];
    assert_eq!(m.month, month);
    assert!(!m.closed);
    assert_eq!(m.counts.circulation, Kc::whole(12));
    assert_eq!((m.counts.active, m.counts.members), (2, 2));
    assert_eq!(
        m.figures.coverage.as_ref().map(|c| c.shown.as_str()),
        Some("100.0%")
    );
    // Bob holds the only positive balance: velocity 12 / 12.
    assert_eq!(
        m.figures.velocity.as_ref().map(|v| v.shown.as_str()),
        Some("1.00")
    );
    // The education pool is listed with what it owes.
    assert!(report.pools.iter().any(|p| p.kind == "education"), "{json}");

    // Without a range: the months since the community began, up to now.
    let (status, json) = f
        .call(
            Request::get("/v1/analytics")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["to"], month);
    let _ = analytics::MAX_MONTHS;
}

#[tokio::test]
async fn bad_queries_and_levels_get_their_codes() {
    let f = fixture().await;
    f.found().await;
    for (path, status, code) in [
        (
            "/v1/analytics?from=2026-13",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/v1/analytics?from=2026-05&to=2026-04",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/v1/analytics?from=1990-01&to=2026-01",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/v1/analytics?level=planet",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/v1/analytics?level=region:",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/v1/analytics?colour=red",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "/v1/analytics?level=network",
            StatusCode::NOT_FOUND,
            "no_network",
        ),
        (
            "/v1/analytics?level=region:north",
            StatusCode::NOT_FOUND,
            "no_network",
        ),
    ] {
        let (got, json) = f
            .call(Request::get(path).body(Body::empty()).expect("req"))
            .await;
        assert_eq!(got, status, "{path}: {json}");
        assert_eq!(json["error"], code, "{path}: {json}");
    }
}
