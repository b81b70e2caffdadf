//! Space sharing end to end, with the real `hearth` against a real
//! `hearthd`: Alice (the council) adds a room, Bob books it, Alice's
//! clashing booking is refused with `overlap` naming Bob's, and the
//! room's calendar, written by `hearth space calendar`, parses as
//! iCalendar with Bob's booking in it.
//!
//! ```text
//!   alice (hearth) ──┐
//!                    ├──> hearthd (one community)
//!   bob   (hearth) ──┘
//! ```

use hearth_protocol::Timestamp;
use hearth_tests::Node;
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime};

fn utc_ms(d: Option<DatePerhapsTime>) -> i64 {
    match d {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => t.timestamp_millis(),
        other => panic!("not a UTC date-time: {other:?}"),
    }
}

#[test]
fn a_room_booked_a_clash_refused_and_the_calendar_exported() {
    let node = Node::start();
    let (alice, bob) = node.alice_and_bob();

    bob.run(&["space", "create", "Workshop", "--capacity", "1"])
        .assert_refused("not_steward");
    let created = alice.ok(&[
        "space",
        "create",
        "Workshop",
        "--kind",
        "coworking",
        "--capacity",
        "1",
        "--buffer",
        "15m",
        "--max",
        "4h",
    ]);
    assert!(created.contains("Added the space Workshop"), "{created}");

    // 2030 is beyond the 90-day horizon.
    bob.run(&[
        "space",
        "book",
        "Workshop",
        "--from",
        "2030-01-15T10:00:00Z",
        "--for",
        "2h",
    ])
    .assert_refused("beyond_horizon");

    // Tomorrow, whole seconds in UTC.
    let day = (hearth_tests::now_ms() / 86_400_000 + 1) * 86_400_000;
    let at = |h: u64, m: u64| {
        // RFC 3339 in UTC, as the protocol prints times.
        Timestamp(day + (h * 60 + m) * 60_000).to_string()
    };
    let booked = bob.json(&[
        "space",
        "book",
        "Workshop",
        "--from",
        &at(10, 0),
        "--to",
        &at(12, 0),
        "--note",
        "Repair café",
    ]);
    let id = booked["id"].as_str().expect("the booking id").to_string();
    assert_eq!(booked["booked"][0], id.as_str(), "{booked}");

    // Inside Bob's 15-minute buffer: refused, naming his booking.
    let clash = alice.run(&[
        "space",
        "book",
        "Workshop",
        "--from",
        &at(12, 10),
        "--for",
        "1h",
    ]);
    clash.assert_refused("overlap");
    assert!(clash.stderr.contains(&id), "{clash}");
    // After the buffer: fine.
    alice.ok(&[
        "space",
        "book",
        "Workshop",
        "--from",
        &at(12, 15),
        "--for",
        "1h",
    ]);
    let shown = alice.ok(&["space", "show", "Workshop"]);
    assert!(
        shown.contains(&id[..8]) && shown.contains("Repair café"),
        "{shown}"
    );

    // The room's calendar, written to a file and parsed.
    let file = alice.home().join("workshop.ics");
    let file_arg = file.to_str().expect("utf-8 path");
    let wrote = alice.ok(&["space", "calendar", "Workshop", "--out", file_arg]);
    assert!(wrote.contains("2 event(s)"), "{wrote}");
    let feed = std::fs::read_to_string(&file).expect("the calendar file");
    let calendar: Calendar = feed.parse().expect("a valid iCalendar file");
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 2, "{feed}");
    let bobs = events
        .iter()
        .find(|e| e.get_uid() == Some(format!("{id}@hearth").as_str()))
        .expect("Bob's booking in the feed");
    assert_eq!(utc_ms(bobs.get_start()), (day + 600 * 60_000) as i64);
    assert_eq!(utc_ms(bobs.get_end()), (day + 720 * 60_000) as i64);
    assert_eq!(bobs.get_summary(), Some("Workshop: Repair café"));

    // Bob's own feed (standard output) has only his booking.
    let mine: Calendar = bob
        .ok(&["space", "calendar"])
        .parse()
        .expect("a valid iCalendar feed");
    let uids: Vec<_> = mine
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .filter_map(|e| e.get_uid().map(str::to_string))
        .collect();
    assert_eq!(uids, vec![format!("{id}@hearth")]);
    let cancelled = bob.ok(&["space", "cancel", &id[..12]]);
    assert!(cancelled.contains("Cancelled booking"), "{cancelled}");
    alice
        .run(&["space", "cancel", &id])
        .assert_refused("already_cancelled");
    let mine = bob.ok(&["space", "calendar"]);
    assert!(!mine.contains("BEGIN:VEVENT"), "{mine}");
}
