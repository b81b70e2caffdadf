//! Applying space sharing's actions: stewards' spaces, bookings (single
//! and weekly), cancellations, and the overlap check.

use crate::action::Action;
use crate::crypto::{Hash, PublicKey};
use crate::state::council::council_member;
use crate::state::membership::active_member;
use crate::state::store::StoreMut;
use crate::state::{ApplyError, Context, Rejection};
use crate::units::{Millis, Timestamp};

use super::tables::*;
use super::*;

/// The domain separation of the ids of a series' later occurrences.
pub const OCCURRENCE_CONTEXT: &str = "hearth v1 space booking occurrence";

/// Applies a space sharing action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &SpacesAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    match body {
        SpacesAction::Create(spec) => {
            check_steward(store, ctx, author, "add spaces")?;
            check_spec(store, spec, None)?;
            let space = Space {
                id: action.id(),
                spec: spec.clone(),
                longest: spec.max_length,
                created_by: *author,
                created: ctx.time,
                updated: ctx.time,
            };
            save_space(store, &space);
            Ok(())
        }
        SpacesAction::Update { space, spec } => {
            let mut current = load_space(store, space)?;
            check_steward(store, ctx, author, "change spaces")?;
            check_spec(store, spec, Some(space))?;
            current.longest = current.longest.max(spec.max_length);
            current.spec = spec.clone();
            current.updated = ctx.time;
            save_space(store, &current);
            Ok(())
        }
        SpacesAction::Book {
            space,
            start,
            end,
            places,
            weekly,
            all_or_nothing,
            note,
        } => {
            let request = Request {
                id: action.id(),
                booker: *author,
                start: *start,
                end: *end,
                places: *places,
                weekly: *weekly,
                all_or_nothing: *all_or_nothing,
                note,
            };
            book(store, ctx, space, request)
        }
        SpacesAction::Cancel { booking } => cancel(store, ctx, author, booking),
    }
}

/// Whether `who` is a steward at `ctx.time`: one the rules appoint, or,
/// if they appoint none, a council member in power. Refuses with
/// `not_steward` otherwise.
pub fn check_steward<S: StoreMut + ?Sized>(
    store: &S,
    ctx: &Context,
    who: &PublicKey,
    what: &'static str,
) -> Result<(), ApplyError> {
    let refused = || SpacesRejection::NotSteward { what }.into();
    let stewards = &ctx.rules.spaces.stewards;
    let result = if stewards.is_empty() {
        council_member(store, who, ctx.time, what).map(|_| ())
    } else if stewards.contains(who) {
        active_member(store, who).map(|_| ())
    } else {
        return Err(refused());
    };
    match result {
        Err(ApplyError::Rejected(_)) => Err(refused()),
        other => other,
    }
}

fn check_spec<S: StoreMut + ?Sized>(
    store: &S,
    spec: &SpaceSpec,
    updating: Option<&Hash>,
) -> Result<(), ApplyError> {
    let bad = |reason| Err(SpacesRejection::InvalidSpace { reason }.into());
    let name = spec.name.trim();
    if name.is_empty() || name != spec.name || spec.name.len() > MAX_NAME_LEN {
        return bad("a name has 1 to 100 bytes, without spaces around it");
    }
    if spec.name.chars().any(char::is_control) {
        return bad("a name has no control characters");
    }
    if spec.capacity == 0 || spec.capacity > MAX_CAPACITY {
        return bad("a space has 1 to 100000 places");
    }
    if spec.buffer > MAX_BUFFER {
        return bad("the buffer is at most a day");
    }
    if spec.min_length.0 == 0 || spec.min_length > spec.max_length {
        return bad("the minimum length is positive and at most the maximum");
    }
    if spec.max_length > MAX_LENGTH {
        return bad("the maximum length is at most 90 days");
    }
    if spec.horizon.0 == 0 || spec.horizon > MAX_HORIZON {
        return bad("the horizon is positive and at most two years");
    }
    for other in spaces(store)? {
        if other.spec.name == spec.name && Some(&other.id) != updating {
            return Err(SpacesRejection::NameTaken {
                name: spec.name.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// A booking action's request.
struct Request<'a> {
    id: Hash,
    booker: PublicKey,
    start: Timestamp,
    end: Timestamp,
    places: u32,
    weekly: u32,
    all_or_nothing: bool,
    note: &'a str,
}

/// The id of a series' occurrence `n`: the action's id for the first.
pub fn occurrence_id(series: &Hash, n: u32) -> Hash {
    if n == 0 {
        return *series;
    }
    let mut bytes = series.0.to_vec();
    bytes.extend_from_slice(&n.to_be_bytes());
    Hash::of(OCCURRENCE_CONTEXT, &bytes)
}

fn book<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    space_id: &Hash,
    r: Request,
) -> Result<(), ApplyError> {
    active_member(store, &r.booker)?;
    if r.weekly == 0 || r.weekly > MAX_WEEKLY {
        return Err(SpacesRejection::InvalidSeries { weekly: r.weekly }.into());
    }
    if r.note.len() > MAX_NOTE_LEN {
        return Err(Rejection::TextTooLong {
            field: "note",
            len: r.note.len(),
            max: MAX_NOTE_LEN,
        }
        .into());
    }
    let space = load_space(store, space_id)?;
    let spec = &space.spec;
    if r.places == 0 || r.places > spec.capacity {
        return Err(SpacesRejection::InvalidPlaces {
            places: r.places,
            capacity: spec.capacity,
        }
        .into());
    }
    if r.end <= r.start {
        return Err(SpacesRejection::InvalidTimes {
            start: r.start,
            end: r.end,
        }
        .into());
    }
    let length = Millis(r.end.0 - r.start.0);
    if length < spec.min_length {
        return Err(SpacesRejection::TooShort {
            length,
            min: spec.min_length,
        }
        .into());
    }
    if length > spec.max_length {
        return Err(SpacesRejection::TooLong {
            length,
            max: spec.max_length,
        }
        .into());
    }
    let mut series = Series {
        id: r.id,
        space: space.id,
        booker: r.booker,
        booked: Vec::new(),
        skipped: Vec::new(),
    };
    let mut first_refusal = None;
    for n in 0..r.weekly {
        let offset = WEEK.0 * u64::from(n);
        let start = Timestamp(r.start.0.saturating_add(offset));
        let end = Timestamp(r.end.0.saturating_add(offset));
        match check_occurrence(store, ctx, &space, start, end, r.places) {
            Ok(()) => {
                let booking = Booking {
                    id: occurrence_id(&r.id, n),
                    space: space.id,
                    booker: r.booker,
                    start,
                    end,
                    places: r.places,
                    note: r.note.to_string(),
                    series: r.id,
                    occurrence: n,
                    created: ctx.time,
                    cancelled: None,
                };
                insert_booking(store, &booking);
                series.booked.push(booking.id);
            }
            Err(ApplyError::Rejected(Rejection::Spaces(refusal))) => {
                if r.weekly == 1 || r.all_or_nothing {
                    return Err(refusal.into());
                }
                series.skipped.push(Skipped {
                    occurrence: n,
                    start,
                    end,
                    code: refusal.code().to_string(),
                    reason: refusal.to_string(),
                });
                first_refusal.get_or_insert(refusal);
            }
            Err(other) => return Err(other),
        }
    }
    if series.booked.is_empty()
        && let Some(refusal) = first_refusal
    {
        return Err(refusal.into());
    }
    // A single booking is its own record: only a series keeps one more.
    if r.weekly > 1 {
        save_series(store, &series);
    }
    Ok(())
}

/// Checks one occurrence from `start` to `end` against the log's time,
/// the horizon and the space's other bookings.
fn check_occurrence<S: StoreMut + ?Sized>(
    store: &S,
    ctx: &Context,
    space: &Space,
    start: Timestamp,
    end: Timestamp,
    places: u32,
) -> Result<(), ApplyError> {
    if start < ctx.time {
        return Err(SpacesRejection::InPast {
            start,
            now: ctx.time,
        }
        .into());
    }
    let latest = ctx.time.plus(space.spec.horizon);
    if end > latest {
        return Err(SpacesRejection::BeyondHorizon { end, latest }.into());
    }
    if let Some(slot) = conflict(store, space, start, end, places)? {
        return Err(SpacesRejection::Overlap {
            booking: slot.booking,
            start: slot.start,
            end: slot.end,
        }
        .into());
    }
    Ok(())
}

/// The booking a new one of `places` from `start` to `end` would clash
/// with in `space`, if any: read from the time index's bounded window
/// ([`slots_near`]) and decided by [`first_conflict`].
pub fn conflict<S: crate::state::records::StateRead + ?Sized>(
    store: &S,
    space: &Space,
    start: Timestamp,
    end: Timestamp,
    places: u32,
) -> Result<Option<Slot>, crate::state::store::StoreError> {
    let buffer = space.spec.buffer;
    let to = Timestamp(end.0.saturating_add(buffer.0));
    let near = slots_near(store, space, start, to)?;
    Ok(first_conflict(
        &near,
        start,
        end,
        buffer,
        places,
        space.spec.capacity,
    ))
}

/// Where `places` more over `[start, end + buffer)` would take more than
/// `capacity` places at some instant, given `slots` each occupying
/// `[slot.start, slot.end + buffer)`: the earliest such instant's most
/// recently started slot. Intervals are half-open, so one ending (buffer
/// included) exactly when another starts does not overlap it.
pub fn first_conflict(
    slots: &[Slot],
    start: Timestamp,
    end: Timestamp,
    buffer: Millis,
    places: u32,
    capacity: u32,
) -> Option<Slot> {
    let until = end.0.saturating_add(buffer.0);
    // Each overlapping slot, clipped to the new booking's interval, as an
    // entry (+) and an exit (−); exits sort first at the same instant.
    let mut events: Vec<(u64, bool, usize)> = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let slot_until = slot.end.0.saturating_add(buffer.0);
        if slot.start.0 < until && slot_until > start.0 {
            events.push((slot.start.0.max(start.0), true, i));
            events.push((slot_until.min(until), false, i));
        }
    }
    events.sort_by_key(|&(at, enters, i)| (at, enters, i));
    let mut taken = u64::from(places);
    for (_, enters, i) in events {
        let p = u64::from(slots[i].places);
        if enters {
            taken += p;
            if taken > u64::from(capacity) {
                return Some(slots[i]);
            }
        } else {
            taken -= p;
        }
    }
    None
}

fn cancel<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
) -> Result<(), ApplyError> {
    let mut booking = load_booking(store, id)?;
    if booking.booker != *author {
        match check_steward(store, ctx, author, "cancel others' bookings") {
            Err(ApplyError::Rejected(_)) => return Err(SpacesRejection::NotBooker.into()),
            other => other?,
        }
    }
    if booking.cancelled.is_some() {
        return Err(SpacesRejection::AlreadyCancelled.into());
    }
    if booking.end <= ctx.time {
        return Err(SpacesRejection::BookingEnded { end: booking.end }.into());
    }
    booking.cancelled = Some(Cancelled {
        by: *author,
        at: ctx.time,
    });
    cancel_booking(store, &booking);
    Ok(())
}
