//! Space sharing: stewards' spaces, bookings refused on overlap (checked
//! against a brute-force oracle of places per instant), weekly series
//! (partial and all-or-nothing), the horizon, cancellations, every
//! refusal with its code and nothing changed, and the iCalendar writer.

use proptest::prelude::*;

use super::*;
use crate::action::SpacesAction;
use crate::crypto::PublicKey;
use crate::economy::spaces::{
    self, Booking, Slot, SpaceKind, SpaceSpec, SpacesRejection, first_conflict, occurrence_id,
};

/// One minute: the unit of these tests' times.
const MIN: u64 = 60_000;

fn key(who: u8) -> PublicKey {
    keypair(who).public()
}

fn spec(name: &str, capacity: u32, buffer_min: u64) -> SpaceSpec {
    SpaceSpec {
        name: name.into(),
        kind: SpaceKind::Coworking,
        capacity,
        buffer: Millis(buffer_min * MIN),
        min_length: Millis(30 * MIN),
        max_length: Millis::hours(4),
        horizon: Millis::days(30),
    }
}

fn create(spec: SpaceSpec) -> ActionBody {
    ActionBody::Spaces(SpacesAction::Create(spec))
}

/// A booking from `start` to `end` (absolute), once.
fn book_at(space: Hash, start: Timestamp, end: Timestamp, places: u32) -> ActionBody {
    ActionBody::Spaces(SpacesAction::Book {
        space,
        start,
        end,
        places,
        weekly: 1,
        all_or_nothing: false,
        note: "team meeting".into(),
    })
}

fn weekly(space: Hash, start: Timestamp, end: Timestamp, n: u32, all: bool) -> ActionBody {
    ActionBody::Spaces(SpacesAction::Book {
        space,
        start,
        end,
        places: 1,
        weekly: n,
        all_or_nothing: all,
        note: String::new(),
    })
}

fn cancel(booking: Hash) -> ActionBody {
    ActionBody::Spaces(SpacesAction::Cancel { booking })
}

/// A community of three (member 1 on the council) with one room of
/// `capacity` places and a buffer of `buffer_min` minutes; and the time
/// bookings are counted from: tomorrow.
fn room(capacity: u32, buffer_min: u64) -> (Econ, Hash, u64) {
    let mut e = Econ::new(3, Rules::default());
    let space = e.ok(1, create(spec("Workshop", capacity, buffer_min)));
    let base = e.now().0 + DAY;
    (e, space, base)
}

/// `base + minutes`.
fn at(base: u64, minutes: u64) -> Timestamp {
    Timestamp(base + minutes * MIN)
}

fn sp(r: Rejection) -> SpacesRejection {
    match r {
        Rejection::Spaces(s) => s,
        other => panic!("not a spaces rejection: {other:?}"),
    }
}

fn booking(e: &Econ, id: Hash) -> Booking {
    spaces::booking(&e.c.store, &id)
        .expect("store")
        .expect("a booking")
}

fn sound(e: &Econ) {
    let problems = crate::economy::audit(&e.c.store).expect("store");
    assert!(problems.is_empty(), "{problems:?}");
    e.replays();
}

#[test]
fn a_room_is_booked_and_every_kind_of_clash_is_refused() {
    let (mut e, room, base) = room(1, 15);
    // 10:00–12:00 (minutes from base: 600–720).
    let first = e.ok(2, book_at(room, at(base, 600), at(base, 720), 1));
    let b = booking(&e, first);
    assert_eq!((b.booker, b.places, b.occurrence), (key(2), 1, 0));
    // Every way of overlapping [600, 735) (the buffer included): starts
    // inside, ends inside, contains, is contained, identical; and a start
    // inside the buffer.
    for (from, to) in [
        (660, 780),
        (540, 660),
        (540, 780),
        (630, 690),
        (600, 720),
        (725, 800),
    ] {
        let r = sp(e.no(3, book_at(room, at(base, from), at(base, to), 1)));
        assert_eq!(r.code(), "overlap", "{from}–{to}");
        assert_eq!(
            r,
            SpacesRejection::Overlap {
                booking: first,
                start: at(base, 600),
                end: at(base, 720)
            }
        );
    }
    // Ending so that its own buffer reaches 10:00 clashes; ending 15
    // minutes before does not.
    let r = sp(e.no(3, book_at(room, at(base, 500), at(base, 590), 1)));
    assert_eq!(r.code(), "overlap");
    e.ok(3, book_at(room, at(base, 500), at(base, 585), 1));
    // Right after the buffer is free.
    e.ok(3, book_at(room, at(base, 735), at(base, 800), 1));
    sound(&e);
}

#[test]
fn places_add_up_to_the_capacity_and_no_further() {
    let (mut e, room, base) = room(3, 0);
    e.ok(2, book_at(room, at(base, 60), at(base, 180), 2));
    e.ok(3, book_at(room, at(base, 120), at(base, 240), 1));
    let r = sp(e.no(1, book_at(room, at(base, 150), at(base, 200), 1)));
    assert_eq!(r.code(), "overlap");
    // Where only the second remains, there is room for two more.
    e.ok(1, book_at(room, at(base, 180), at(base, 240), 2));
    let r = sp(e.no(1, book_at(room, at(base, 0), at(base, 60), 4)));
    assert_eq!(
        r,
        SpacesRejection::InvalidPlaces {
            places: 4,
            capacity: 3
        }
    );
    sound(&e);
}

#[test]
fn every_bad_booking_has_its_own_code_and_changes_nothing() {
    let (mut e, room, base) = room(1, 0);
    let now = e.now();
    let cases: Vec<(ActionBody, &str)> = vec![
        (
            book_at(Hash([9; 32]), at(base, 0), at(base, 60), 1),
            "unknown_space",
        ),
        (
            book_at(room, at(base, 0), at(base, 60), 0),
            "invalid_places",
        ),
        (
            book_at(room, at(base, 0), at(base, 60), 2),
            "invalid_places",
        ),
        (
            book_at(room, at(base, 60), at(base, 60), 1),
            "invalid_times",
        ),
        (book_at(room, at(base, 60), at(base, 0), 1), "invalid_times"),
        (
            book_at(room, at(base, 0), at(base, 29), 1),
            "booking_too_short",
        ),
        (
            book_at(room, at(base, 0), at(base, 241), 1),
            "booking_too_long",
        ),
        (
            book_at(room, now, Timestamp(now.0 + 60 * MIN), 1),
            "booking_in_past",
        ),
        (
            book_at(room, at(base, 30 * 24 * 60), at(base, 30 * 24 * 60 + 60), 1),
            "beyond_horizon",
        ),
        (
            weekly(room, at(base, 0), at(base, 60), 0, false),
            "invalid_series",
        ),
        (
            weekly(room, at(base, 0), at(base, 60), 53, false),
            "invalid_series",
        ),
        (cancel(Hash([8; 32])), "unknown_booking"),
    ];
    for (body, code) in cases {
        assert_eq!(e.no(2, body).code(), code);
    }
    let long_note = ActionBody::Spaces(SpacesAction::Book {
        space: room,
        start: at(base, 0),
        end: at(base, 60),
        places: 1,
        weekly: 1,
        all_or_nothing: false,
        note: "x".repeat(501),
    });
    assert_eq!(e.no(2, long_note).code(), "text_too_long");
    sound(&e);
}

#[test]
fn stewards_add_and_change_spaces_others_cannot() {
    let mut e = Econ::new(3, Rules::default());
    assert_eq!(e.no(2, create(spec("Hall", 50, 0))).code(), "not_steward");
    let hall = e.ok(1, create(spec("Hall", 50, 0)));
    assert_eq!(
        e.no(1, create(spec("Hall", 5, 0))).code(),
        "space_name_taken"
    );
    let mut bad = spec("Shed", 0, 0);
    assert_eq!(e.no(1, create(bad.clone())).code(), "invalid_space");
    bad.capacity = 1;
    bad.min_length = Millis::hours(5);
    assert_eq!(e.no(1, create(bad.clone())).code(), "invalid_space");
    bad.min_length = Millis(MIN);
    bad.horizon = Millis(0);
    assert_eq!(e.no(1, create(bad.clone())).code(), "invalid_space");
    bad.horizon = Millis::days(1);
    bad.name = " Shed".into();
    assert_eq!(e.no(1, create(bad.clone())).code(), "invalid_space");
    let update = |spec| ActionBody::Spaces(SpacesAction::Update { space: hall, spec });
    assert_eq!(e.no(2, update(spec("Hall", 60, 0))).code(), "not_steward");
    let unknown = ActionBody::Spaces(SpacesAction::Update {
        space: Hash([7; 32]),
        spec: spec("Hall", 60, 0),
    });
    assert_eq!(e.no(1, unknown).code(), "unknown_space");
    e.ok(1, update(spec("Great hall", 60, 0)));
    let s = spaces::space(&e.c.store, &hall)
        .expect("store")
        .expect("space");
    assert_eq!((s.spec.name.as_str(), s.spec.capacity), ("Great hall", 60));
    // Appointed stewards replace the council.
    let mut rules = Rules::default();
    rules.spaces.stewards = vec![key(2)];
    let mut e = Econ::new(3, rules);
    assert_eq!(e.no(1, create(spec("Hall", 50, 0))).code(), "not_steward");
    e.ok(2, create(spec("Hall", 50, 0)));
    sound(&e);
}

#[test]
fn a_shorter_maximum_still_sees_the_long_bookings_made_before() {
    let (mut e, room, base) = room(1, 0);
    // A four-hour booking, then the maximum drops to one hour.
    let long = e.ok(2, book_at(room, at(base, 0), at(base, 240), 1));
    let mut short = spec("Workshop", 1, 0);
    short.max_length = Millis::hours(1);
    e.ok(
        1,
        ActionBody::Spaces(SpacesAction::Update {
            space: room,
            spec: short,
        }),
    );
    // Starting three hours after it, the window must still reach back.
    let r = sp(e.no(3, book_at(room, at(base, 180), at(base, 210), 1)));
    assert_eq!(r.code(), "overlap");
    assert!(matches!(r, SpacesRejection::Overlap { booking, .. } if booking == long));
    sound(&e);
}

#[test]
fn a_weekly_series_books_what_fits_and_reports_the_rest() {
    let (mut e, room, base) = room(1, 0);
    // Week 2's slot is taken.
    let taken = e.ok(
        3,
        book_at(
            room,
            Timestamp(at(base, 600).0 + 2 * 7 * DAY),
            Timestamp(at(base, 660).0 + 2 * 7 * DAY),
            1,
        ),
    );
    // Six weeks: week 2 clashes, week 5 ends beyond the 30-day horizon.
    let series = e.ok(2, weekly(room, at(base, 600), at(base, 660), 6, false));
    let s = spaces::series(&e.c.store, &series)
        .expect("store")
        .expect("series");
    assert_eq!(
        s.booked,
        vec![
            occurrence_id(&series, 0),
            occurrence_id(&series, 1),
            occurrence_id(&series, 3),
            occurrence_id(&series, 4)
        ]
    );
    assert_eq!(occurrence_id(&series, 0), series);
    let skipped: Vec<(u32, &str)> = s
        .skipped
        .iter()
        .map(|k| (k.occurrence, k.code.as_str()))
        .collect();
    assert_eq!(skipped, vec![(2, "overlap"), (5, "beyond_horizon")]);
    assert!(s.skipped[0].reason.contains(&taken.to_string()));
    let third = booking(&e, occurrence_id(&series, 3));
    assert_eq!(third.start, Timestamp(at(base, 600).0 + 3 * 7 * DAY));
    assert_eq!((third.series, third.occurrence), (series, 3));
    // All or nothing: the same series is refused whole, naming the clash.
    let r = sp(e.no(1, weekly(room, at(base, 630), at(base, 690), 3, true)));
    assert_eq!(r.code(), "overlap");
    let r = sp(e.no(1, weekly(room, at(base, 780), at(base, 840), 6, true)));
    assert_eq!(r.code(), "beyond_horizon");
    // A series none of whose occurrences fit is refused.
    let r = sp(e.no(1, weekly(room, at(base, 600), at(base, 660), 2, false)));
    assert_eq!(r.code(), "overlap");
    // A series that fits whole.
    let whole = e.ok(1, weekly(room, at(base, 780), at(base, 840), 4, true));
    let s = spaces::series(&e.c.store, &whole)
        .expect("store")
        .expect("series");
    assert_eq!((s.booked.len(), s.skipped.len()), (4, 0));
    sound(&e);
}

#[test]
fn the_horizon_moves_with_the_log_time() {
    let (mut e, room, base) = room(1, 0);
    let far = Timestamp(base + 30 * DAY);
    let r = sp(e.no(2, book_at(room, far, Timestamp(far.0 + 60 * MIN), 1)));
    assert!(matches!(r, SpacesRejection::BeyondHorizon { .. }));
    e.wait(2 * DAY);
    e.ok(2, book_at(room, far, Timestamp(far.0 + 60 * MIN), 1));
    sound(&e);
}

#[test]
fn the_booker_or_a_steward_cancels_others_cannot() {
    let (mut e, room, base) = room(1, 0);
    let b = e.ok(2, book_at(room, at(base, 60), at(base, 120), 1));
    assert_eq!(e.no(3, cancel(b)).code(), "not_booker");
    e.ok(2, cancel(b));
    assert_eq!(booking(&e, b).cancelled.expect("cancelled").by, key(2));
    assert_eq!(e.no(2, cancel(b)).code(), "already_cancelled");
    // The places are free again.
    let c = e.ok(3, book_at(room, at(base, 60), at(base, 120), 1));
    // The council member (a steward) cancels it.
    e.ok(1, cancel(c));
    assert_eq!(booking(&e, c).cancelled.expect("cancelled").by, key(1));
    let d = e.ok(3, book_at(room, at(base, 60), at(base, 120), 1));
    // Once over, a booking stays.
    e.wait(2 * DAY);
    let r = sp(e.no(3, cancel(d)));
    assert_eq!(r, SpacesRejection::BookingEnded { end: at(base, 120) });
    assert_eq!(
        spaces::space_bookings(&e.c.store, &room)
            .expect("store")
            .len(),
        1
    );
    sound(&e);
}

#[test]
fn a_members_feed_is_valid_icalendar_text() {
    let (mut e, room, base) = room(1, 0);
    let b = e.ok(2, book_at(room, at(base, 60), at(base, 120), 1));
    let events = spaces::calendar::member_events(&e.c.store, &key(2)).expect("store");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].uid, format!("{b}@hearth"));
    let text = spaces::calendar::write("Bookings, mine; all", &events);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    assert!(text.contains("X-WR-CALNAME:Bookings\\, mine\\; all\r\n"));
    assert!(text.contains(&format!(
        "DTSTART:{}\r\n",
        spaces::calendar::utc(at(base, 60))
    )));
    assert!(text.split("\r\n").all(|l| l.len() <= 75));
    assert!(
        spaces::calendar::member_events(&e.c.store, &key(3))
            .expect("store")
            .is_empty()
    );
}

/// The places taken at instant `t` by `booked`, each occupying
/// `[start, end + buffer)`.
fn taken_at(booked: &[(u64, u64, u32)], buffer: u64, t: u64) -> u32 {
    booked
        .iter()
        .filter(|(s, e, _)| *s <= t && t < e + buffer)
        .map(|(_, _, p)| p)
        .sum()
}

/// Whether `(s, e, p)` fits: at every instant of `[s, e + buffer)`, with
/// all times whole units so that checking each unit is exact.
fn oracle_fits(
    booked: &[(u64, u64, u32)],
    buffer: u64,
    cap: u32,
    (s, e, p): (u64, u64, u32),
) -> bool {
    (s..e + buffer).all(|t| taken_at(booked, buffer, t) + p <= cap)
}

fn bookings() -> impl Strategy<Value = Vec<(u64, u64, u32)>> {
    prop::collection::vec((0u64..60, 1u64..=8, 1u32..=3), 1..16)
        .prop_map(|v| v.into_iter().map(|(s, len, p)| (s, s + len, p)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The overlap decision equals the per-instant oracle, and a named
    /// clash occupies an instant where the capacity is exceeded.
    #[test]
    fn overlap_detection_equals_the_oracle(
        wanted in bookings(),
        buffer in 0u64..4,
        cap in 1u32..4,
    ) {
        let mut booked: Vec<(u64, u64, u32)> = Vec::new();
        for (i, (s, e, p)) in wanted.into_iter().enumerate() {
            // More places than the capacity is refused before any overlap check.
            let p = p.min(cap);
            let slots: Vec<Slot> = booked
                .iter()
                .enumerate()
                .map(|(j, (s, e, p))| Slot {
                    booking: Hash([j as u8; 32]),
                    start: Timestamp(*s),
                    end: Timestamp(*e),
                    places: *p,
                })
                .collect();
            let clash = first_conflict(&slots, Timestamp(s), Timestamp(e), Millis(buffer), p, cap);
            let fits = oracle_fits(&booked, buffer, cap, (s, e, p));
            prop_assert_eq!(clash.is_none(), fits, "booking {} {}..{} x{}", i, s, e, p);
            match clash {
                None => booked.push((s, e, p)),
                Some(slot) => {
                    let (cs, ce) = (slot.start.0, slot.end.0 + buffer);
                    let over = (s.max(cs)..(e + buffer).min(ce))
                        .any(|t| taken_at(&booked, buffer, t) + p > cap);
                    prop_assert!(over, "the named clash occupies an instant over capacity");
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The same through signed actions and the state machine (bounded
    /// window read from the store): accepted and refused exactly as the
    /// oracle says, the refusal coded `overlap`, and the state replays.
    #[test]
    fn signed_bookings_are_accepted_exactly_as_the_oracle_says(
        wanted in bookings(),
        buffer in 0u64..4,
        cap in 1u32..4,
    ) {
        let mut e = Econ::new(2, Rules::default());
        let mut s = spec("Room", cap, buffer);
        s.min_length = Millis(MIN);
        s.max_length = Millis(8 * MIN);
        let room = e.ok(1, create(s));
        let base = e.now().0 + DAY;
        let mut booked: Vec<(u64, u64, u32)> = Vec::new();
        for (s, end, p) in wanted {
            let p = p.min(cap);
            let body = book_at(room, at(base, s), at(base, end), p);
            if oracle_fits(&booked, buffer, cap, (s, end, p)) {
                e.ok(2, body);
                booked.push((s, end, p));
            } else {
                prop_assert_eq!(e.no(2, body).code(), "overlap");
            }
        }
        sound(&e);
    }
}

#[test]
fn a_rules_vote_appoints_stewards_and_checks_their_keys() {
    use crate::state::rules::{RuleChange, apply_changes};
    let change = |value: String| {
        vec![RuleChange {
            key: "spaces.stewards".into(),
            value,
        }]
    };
    let dids = format!("{},{}", key(2).to_did(), key(3).to_did());
    let rules = apply_changes(&Rules::default(), &change(dids)).expect("valid stewards");
    assert_eq!(rules.spaces.stewards, vec![key(2), key(3)]);
    let twice = format!("{},{}", key(2).to_did(), key(2).to_did());
    let e = apply_changes(&Rules::default(), &change(twice)).expect_err("a key twice");
    assert_eq!(e.key, "spaces.stewards");
    let rules = apply_changes(&rules, &change("none".into())).expect("back to the council");
    assert!(rules.spaces.stewards.is_empty());
}
