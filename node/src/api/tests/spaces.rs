//! Space sharing's routes: a steward adds a room, a member books it, a
//! clash is refused with `overlap` (409) naming the booking, the space,
//! booking and series read back, and both iCalendar feeds parse with a
//! real iCalendar parser, carrying the booking's UID, times and summary.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::economy::spaces::{SpaceKind, SpaceSpec, SpacesAction};
use hearth_protocol::{ActionBody, Hash, Millis, Timestamp};
use icalendar::{Calendar, Component, DatePerhapsTime};

use super::fixture;
use super::time_bank::two_members;
use crate::runtime;

fn book(space: Hash, start: Timestamp, end: Timestamp) -> ActionBody {
    ActionBody::Spaces(SpacesAction::Book {
        space,
        start,
        end,
        places: 1,
        weekly: 1,
        all_or_nothing: false,
        note: "Repair café, bring tools".into(),
    })
}

/// The one event of a feed: (UID, start ms, end ms, summary).
/// The (UID, start, end, summary) of every event of a feed, read with a
/// real iCalendar parser.
pub(super) fn events(feed: &str) -> Vec<(String, i64, i64, String)> {
    let calendar: Calendar = feed.parse().expect("a valid iCalendar feed");
    let millis = |d: Option<DatePerhapsTime>| match d {
        Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t))) => {
            t.timestamp_millis()
        }
        other => panic!("not a UTC date-time: {other:?}"),
    };
    calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .map(|e| {
            (
                e.get_uid().expect("a UID").to_string(),
                millis(e.get_start()),
                millis(e.get_end()),
                e.get_summary().expect("a summary").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_room_is_booked_a_clash_refused_and_the_feeds_parse() {
    let f = fixture().await;
    let (alice, bob) = two_members(&f).await;
    let spec = SpaceSpec {
        name: "Workshop".into(),
        kind: SpaceKind::Coworking,
        capacity: 1,
        buffer: Millis(15 * 60_000),
        min_length: Millis(30 * 60_000),
        max_length: Millis::hours(4),
        horizon: Millis::days(30),
    };
    let create = ActionBody::Spaces(SpacesAction::Create(spec.clone()));
    let (status, json) = f.post(f.action(&bob, 2, create.clone())).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_steward"))
    );
    let (status, json) = f.post(f.action(&alice, 3, create)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let room: Hash = json["id"].as_str().expect("id").parse().expect("hash");

    // Whole seconds, as iCalendar keeps them.
    let start = Timestamp((runtime::now().0 / 1000 + 86_400) * 1000);
    let end = start.plus(Millis::hours(2));
    let (status, json) = f.post(f.action(&bob, 2, book(room, start, end))).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    let booked: Hash = json["id"].as_str().expect("id").parse().expect("hash");

    // Alice's booking starts inside the buffer after Bob's.
    let late = end.plus(Millis(10 * 60_000));
    let (status, json) = f
        .post(f.action(&alice, 4, book(room, late, late.plus(Millis::hours(1)))))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("overlap")),
        "{json}"
    );
    assert!(
        json["message"]
            .as_str()
            .is_some_and(|m| m.contains(&booked.to_string())),
        "{json}"
    );

    let (status, json) = f.signed_get(&alice, "/v1/spaces").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["spaces"][0]["name"], "Workshop");
    assert_eq!(json["spaces"][0]["capacity"], 1);
    let (_, json) = f.signed_get(&alice, &format!("/v1/spaces/{room}")).await;
    assert_eq!(json["bookings"][0]["id"], booked.to_string());
    assert_eq!(json["bookings"].as_array().map(Vec::len), Some(1));
    let (_, json) = f
        .signed_get(&alice, &format!("/v1/spaces/bookings/{booked}"))
        .await;
    assert_eq!(json["booker"], bob.public().to_did());
    let (_, json) = f
        .signed_get(&bob, &format!("/v1/spaces/series/{booked}"))
        .await;
    assert_eq!(json["booked"][0], booked.to_string());
    let (status, json) = f
        .signed_get(&bob, &format!("/v1/spaces/{}", Hash([3; 32])))
        .await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_space"))
    );

    // The space's feed, member-only, parsed.
    let path = format!("/v1/spaces/{room}/calendar.ics");
    let unsigned = Request::get(&path).body(Body::empty()).expect("request");
    assert_eq!(f.call(unsigned).await.0, StatusCode::UNAUTHORIZED);
    let (status, feed) = f.signed_get(&alice, &path).await;
    assert_eq!(status, StatusCode::OK);
    let feed = feed.as_str().expect("a text feed");
    assert!(feed.contains("\r\n") && feed.contains("VERSION:2.0"));
    let want = (
        format!("{booked}@hearth"),
        start.0 as i64,
        end.0 as i64,
        "Workshop: Repair café, bring tools".to_string(),
    );
    assert_eq!(events(feed), vec![want.clone()]);

    // Bob's own feed has his booking; Alice's has none.
    let (_, feed) = f.signed_get(&bob, "/v1/calendar.ics").await;
    assert_eq!(events(feed.as_str().expect("text")), vec![want]);
    let (_, feed) = f.signed_get(&alice, "/v1/calendar.ics").await;
    assert!(events(feed.as_str().expect("text")).is_empty());

    // Bob cancels: the feed empties.
    let cancel = ActionBody::Spaces(SpacesAction::Cancel { booking: booked });
    assert_eq!(
        f.post(f.action(&bob, 3, cancel.clone())).await.0,
        StatusCode::CREATED
    );
    let (status, json) = f.post(f.action(&bob, 4, cancel)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::CONFLICT, Some("already_cancelled"))
    );
    let (_, feed) = f.signed_get(&alice, &path).await;
    assert!(events(feed.as_str().expect("text")).is_empty());
}
