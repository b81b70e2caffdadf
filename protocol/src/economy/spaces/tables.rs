//! Space sharing's records and indexes, and the queries members read.
//!
//! Tables: `space` (by id), `space_booking` (by id), `space_slot` (the
//! time index: (space, start, booking) → end and places, the only table
//! the overlap check reads), `space_member` ((booker, booking), for a
//! member's own calendar) and `space_series` (by the booking action's
//! id: what a weekly series booked and what it could not; a single
//! booking keeps no series record).

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::state::ApplyError;
use crate::state::records::{self, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::{Millis, Timestamp};

use super::*;

/// A space members book.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Space {
    /// Its id: the action that added it.
    pub id: Hash,
    /// Its name and booking terms.
    #[serde(flatten)]
    pub spec: SpaceSpec,
    /// The longest maximum length it ever had: no booking it holds is
    /// longer, which bounds the overlap check's window.
    pub longest: Millis,
    /// Who added it.
    pub created_by: PublicKey,
    /// When it was added.
    pub created: Timestamp,
    /// When its terms last changed.
    pub updated: Timestamp,
}
impl Canonical for Space {}

/// Who cancelled a booking, and when.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Cancelled {
    /// The booker or a steward.
    pub by: PublicKey,
    /// When.
    pub at: Timestamp,
}

/// One booking of a space.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Booking {
    /// Its id: the booking action's id for its first occurrence, derived
    /// from it and the occurrence's number for the others.
    pub id: Hash,
    /// The space.
    pub space: Hash,
    /// Who booked it.
    pub booker: PublicKey,
    /// When it starts.
    pub start: Timestamp,
    /// When it ends.
    pub end: Timestamp,
    /// Places taken.
    pub places: u32,
    /// What it is for.
    pub note: String,
    /// The booking action (its series).
    pub series: Hash,
    /// Which occurrence of the series (0 for the first).
    pub occurrence: u32,
    /// When it was booked.
    pub created: Timestamp,
    /// Set once cancelled.
    pub cancelled: Option<Cancelled>,
}
impl Canonical for Booking {}

/// An occurrence of a series that did not fit.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Skipped {
    /// Which occurrence (0 for the first).
    pub occurrence: u32,
    /// Its start.
    pub start: Timestamp,
    /// Its end.
    pub end: Timestamp,
    /// The refusal's code (`overlap`, `beyond_horizon`, …).
    pub code: String,
    /// The refusal, for people.
    pub reason: String,
}

/// What one booking action booked.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Series {
    /// The booking action's id.
    pub id: Hash,
    /// The space.
    pub space: Hash,
    /// Who booked.
    pub booker: PublicKey,
    /// The bookings made, in occurrence order.
    pub booked: Vec<Hash>,
    /// The occurrences that did not fit, in order.
    pub skipped: Vec<Skipped>,
}
impl Canonical for Series {}

/// A slot of the time index: where a booking ends and the places it takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Slot {
    /// The booking.
    pub booking: Hash,
    /// Its start.
    pub start: Timestamp,
    /// Its end.
    pub end: Timestamp,
    /// Its places.
    pub places: u32,
}

fn space_key(id: &Hash) -> Vec<u8> {
    records::key(table::SPACE, &id.0)
}

fn booking_key(id: &Hash) -> Vec<u8> {
    records::key(table::SPACE_BOOKING, &id.0)
}

fn series_key(id: &Hash) -> Vec<u8> {
    records::key(table::SPACE_SERIES, &id.0)
}

/// The time index key of (space, start, booking).
pub fn slot_key(space: &Hash, start: Timestamp, booking: &Hash) -> Vec<u8> {
    let mut id = Vec::with_capacity(72);
    id.extend_from_slice(&space.0);
    id.extend_from_slice(&start.0.to_be_bytes());
    id.extend_from_slice(&booking.0);
    records::key(table::SPACE_SLOT, &id)
}

/// The first key of the time index at or after (space, start).
fn slot_bound(space: &Hash, start: Timestamp) -> Vec<u8> {
    let mut id = Vec::with_capacity(40);
    id.extend_from_slice(&space.0);
    id.extend_from_slice(&start.0.to_be_bytes());
    records::key(table::SPACE_SLOT, &id)
}

fn member_key(member: &PublicKey, booking: &Hash) -> Vec<u8> {
    let mut id = member.0.to_vec();
    id.extend_from_slice(&booking.0);
    records::key(table::SPACE_MEMBER, &id)
}

fn decode_slot(key: &[u8], value: &[u8]) -> Result<Slot, StoreError> {
    let corrupt = || StoreError(format!("corrupt space slot {}", crate::crypto::hex(key)));
    if key.len() != 1 + 32 + 8 + 32 || value.len() != 12 {
        return Err(corrupt());
    }
    let start = u64::from_be_bytes(key[33..41].try_into().map_err(|_| corrupt())?);
    let booking: [u8; 32] = key[41..].try_into().map_err(|_| corrupt())?;
    let end = u64::from_be_bytes(value[..8].try_into().map_err(|_| corrupt())?);
    let places = u32::from_be_bytes(value[8..].try_into().map_err(|_| corrupt())?);
    Ok(Slot {
        booking: Hash(booking),
        start: Timestamp(start),
        end: Timestamp(end),
        places,
    })
}

/// A space.
pub fn space<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Space>, StoreError> {
    records::read(store, &space_key(id))
}

/// Every space, by name.
pub fn spaces<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Space>, StoreError> {
    let mut all: Vec<Space> = records::read_all(store, table::SPACE)?;
    all.sort_by(|a, b| a.spec.name.cmp(&b.spec.name).then(a.id.cmp(&b.id)));
    Ok(all)
}

/// A booking.
pub fn booking<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Booking>, StoreError> {
    records::read(store, &booking_key(id))
}

/// What a booking action booked: its series record, or for a single
/// booking (which keeps none) the booking alone.
pub fn series<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Series>, StoreError> {
    if let Some(series) = records::read(store, &series_key(id))? {
        return Ok(Some(series));
    }
    Ok(booking(store, id)?
        .filter(|b| b.series == *id)
        .map(|b| Series {
            id: *id,
            space: b.space,
            booker: b.booker,
            booked: vec![b.id],
            skipped: Vec::new(),
        }))
}

/// The slots of `space` whose start is in `[from, to)`, in start order:
/// one bounded range scan of the time index.
pub fn slots_starting<S: StateRead + ?Sized>(
    store: &S,
    space: &Hash,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Slot>, StoreError> {
    store
        .range(&slot_bound(space, from), &slot_bound(space, to), usize::MAX)?
        .iter()
        .map(|(k, v)| decode_slot(k, v))
        .collect()
}

/// The slots of `space` that may occupy some instant of `[from, to)` with
/// the buffer `buffer`: those starting in `[from − longest − buffer, to)`
/// (a booking is at most `longest` long, so one starting earlier is over,
/// buffer included, by `from`).
pub fn slots_near<S: StateRead + ?Sized>(
    store: &S,
    space: &Space,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Slot>, StoreError> {
    let reach = space.longest.0.saturating_add(space.spec.buffer.0);
    slots_starting(
        store,
        &space.id,
        Timestamp(from.0.saturating_sub(reach)),
        to,
    )
}

/// The active (not cancelled) bookings of `space`, in start order.
pub fn space_bookings<S: StateRead + ?Sized>(
    store: &S,
    space: &Hash,
) -> Result<Vec<Booking>, StoreError> {
    let mut out = Vec::new();
    for slot in slots_starting(store, space, Timestamp(0), Timestamp(u64::MAX))? {
        if let Some(b) = booking(store, &slot.booking)? {
            out.push(b);
        }
    }
    Ok(out)
}

/// The bookings `member` made (cancelled ones included), in start order.
pub fn member_bookings<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<Booking>, StoreError> {
    let prefix = records::key(table::SPACE_MEMBER, &member.0);
    let mut out = Vec::new();
    for id in records::ids_under(store, &prefix)? {
        if let Some(b) = booking(store, &id)? {
            out.push(b);
        }
    }
    out.sort_by_key(|b| (b.start, b.id));
    Ok(out)
}

pub(super) fn load_space<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Space, ApplyError> {
    space(store, id)?.ok_or_else(|| SpacesRejection::UnknownSpace { space: *id }.into())
}

pub(super) fn load_booking<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Booking, ApplyError> {
    booking(store, id)?.ok_or_else(|| SpacesRejection::UnknownBooking { booking: *id }.into())
}

pub(super) fn save_space<S: StoreMut + ?Sized>(store: &mut S, space: &Space) {
    records::write(store, space_key(&space.id), space);
}

pub(super) fn save_series<S: StoreMut + ?Sized>(store: &mut S, series: &Series) {
    records::write(store, series_key(&series.id), series);
}

/// Writes a new booking, its slot and its member index entry.
pub(super) fn insert_booking<S: StoreMut + ?Sized>(store: &mut S, b: &Booking) {
    records::write(store, booking_key(&b.id), b);
    let mut value = b.end.0.to_be_bytes().to_vec();
    value.extend_from_slice(&b.places.to_be_bytes());
    store.put(slot_key(&b.space, b.start, &b.id), value);
    store.put(member_key(&b.booker, &b.id), Vec::new());
}

/// Marks a booking cancelled and frees its slot.
pub(super) fn cancel_booking<S: StoreMut + ?Sized>(store: &mut S, b: &Booking) {
    records::write(store, booking_key(&b.id), b);
    store.delete(slot_key(&b.space, b.start, &b.id));
}

/// What a replayed state must show about space sharing: the time index
/// holds exactly the bookings not cancelled, each where and as its record
/// says. (Capacity is checked when a booking is made; a steward may lower
/// it later without touching the bookings already made.) Adds what is
/// wrong to `problems`.
pub fn audit<S: StateRead + ?Sized>(
    store: &S,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let bookings: Vec<Booking> = records::read_all(store, table::SPACE_BOOKING)?;
    let mut indexed = 0usize;
    for space in spaces(store)? {
        let slots = slots_starting(store, &space.id, Timestamp(0), Timestamp(u64::MAX))?;
        indexed += slots.len();
        for slot in &slots {
            match booking(store, &slot.booking)? {
                Some(b)
                    if b.cancelled.is_none()
                        && b.space == space.id
                        && (b.start, b.end, b.places) == (slot.start, slot.end, slot.places) => {}
                _ => problems.push(format!(
                    "space slot of booking {} differs from its record",
                    slot.booking
                )),
            }
        }
    }
    let active = bookings.iter().filter(|b| b.cancelled.is_none()).count();
    if active != indexed {
        problems.push(format!(
            "{active} active bookings but {indexed} in the space time index"
        ));
    }
    Ok(())
}
