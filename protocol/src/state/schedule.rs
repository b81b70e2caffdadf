//! Scheduled effects (DESIGN §6.1): whatever happens by time is in one
//! index ordered by `(due time, kind, id)`. A node finds what fell due by
//! reading the front of the index — never by scanning the state — and
//! seals it: proposal closes as `Close` records (they carry a tally's
//! hash), everything else as one `Due` record listing the items. Applying
//! a `Due` record recomputes the list from the index and refuses a
//! mismatch, as applying a `Close` recomputes the count.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::Canonical;
use crate::crypto::Hash;
use crate::units::Timestamp;

use super::records::table;
use super::store::{Store, StoreError, StoreMut};
use super::{ApplyError, Context};

/// Most items one `Due` record settles; what remains is sealed next.
pub const MAX_DUE_ITEMS: usize = 1024;

/// What falls due.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// A proposal's vote ends (sealed as a `Close` record).
    Close,
    /// The assessors' time to decide an aid request ends.
    AidDeadline,
    /// The assessors' time to decide an insurance claim ends.
    ClaimDeadline,
    /// An enrolled member's premium falls due (or is retried).
    Premium,
    /// A calendar month begins: levy and basic income.
    IncomeMonth,
    /// A time bank record's unconfirmed shares expire.
    TimeLogExpiry,
    /// A tool loan's due time passes: it is overdue.
    LoanOverdue,
    /// A tool holder's pickup window ends: the hold lapses.
    HoldPickup,
    /// A tool's maintenance plan falls due by days.
    ToolMaintenance,
}

impl DueKind {
    fn byte(self) -> u8 {
        match self {
            DueKind::Close => 0,
            DueKind::AidDeadline => 1,
            DueKind::ClaimDeadline => 2,
            DueKind::Premium => 3,
            DueKind::IncomeMonth => 4,
            DueKind::TimeLogExpiry => 5,
            DueKind::LoanOverdue => 6,
            DueKind::HoldPickup => 7,
            DueKind::ToolMaintenance => 8,
        }
    }

    fn from_byte(byte: u8) -> Option<DueKind> {
        Some(match byte {
            0 => DueKind::Close,
            1 => DueKind::AidDeadline,
            2 => DueKind::ClaimDeadline,
            3 => DueKind::Premium,
            4 => DueKind::IncomeMonth,
            5 => DueKind::TimeLogExpiry,
            6 => DueKind::LoanOverdue,
            7 => DueKind::HoldPickup,
            8 => DueKind::ToolMaintenance,
            _ => return None,
        })
    }
}

/// One scheduled effect.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode, Serialize)]
pub struct DueItem {
    /// When it falls due.
    pub at: Timestamp,
    /// What it is.
    pub kind: DueKind,
    /// What it concerns (a proposal, request, claim, enrolment or month).
    pub id: Hash,
}

impl Canonical for DueItem {}

fn key_of(item: &DueItem) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + 8 + 1 + 32);
    key.push(table::SCHEDULE);
    key.extend_from_slice(&item.at.0.to_be_bytes());
    key.push(item.kind.byte());
    key.extend_from_slice(&item.id.0);
    key
}

fn item_of(key: &[u8]) -> Result<DueItem, StoreError> {
    let bad = || StoreError(format!("corrupt schedule key {}", crate::crypto::hex(key)));
    if key.len() != 42 {
        return Err(bad());
    }
    let mut at = [0u8; 8];
    at.copy_from_slice(&key[1..9]);
    let kind = DueKind::from_byte(key[9]).ok_or_else(bad)?;
    let mut id = [0u8; 32];
    id.copy_from_slice(&key[10..42]);
    Ok(DueItem {
        at: Timestamp(u64::from_be_bytes(at)),
        kind,
        id: Hash(id),
    })
}

/// Schedules an item (idempotent).
pub fn add<S: StoreMut + ?Sized>(store: &mut S, item: DueItem) {
    store.put(key_of(&item), Vec::new());
}

/// Removes an item (idempotent).
pub fn remove<S: StoreMut + ?Sized>(store: &mut S, item: DueItem) {
    store.delete(key_of(&item));
}

/// Up to `limit` items due at or before `now`, in schedule order.
pub fn due<S: Store + ?Sized>(
    store: &S,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<DueItem>, StoreError> {
    let from = [table::SCHEDULE];
    let mut to = vec![table::SCHEDULE];
    to.extend_from_slice(&now.0.saturating_add(1).to_be_bytes());
    store
        .range(&from, &to, limit)?
        .iter()
        .map(|(k, _)| item_of(k))
        .collect()
}

/// Up to `limit` items of `kind` due at or before `now`, in order. Reads
/// at most [`MAX_DUE_ITEMS`] × 4 index entries, so a backlog of one kind
/// never makes a step's work grow with the history.
pub fn due_of<S: Store + ?Sized>(
    store: &S,
    now: Timestamp,
    kinds: &[DueKind],
    limit: usize,
) -> Result<Vec<DueItem>, StoreError> {
    Ok(due(store, now, MAX_DUE_ITEMS * 4)?
        .into_iter()
        .filter(|i| kinds.contains(&i.kind))
        .take(limit)
        .collect())
}

/// When the next item falls due, if any.
pub fn next<S: Store + ?Sized>(store: &S) -> Result<Option<Timestamp>, StoreError> {
    let from = [table::SCHEDULE];
    let to = [table::SCHEDULE + 1];
    Ok(match store.range(&from, &to, 1)?.first() {
        Some((k, _)) => Some(item_of(k)?.at),
        None => None,
    })
}

/// The kinds a `Due` record settles (closes have their own record).
pub const DUE_KINDS: [DueKind; 8] = [
    DueKind::AidDeadline,
    DueKind::ClaimDeadline,
    DueKind::Premium,
    DueKind::IncomeMonth,
    DueKind::TimeLogExpiry,
    DueKind::LoanOverdue,
    DueKind::HoldPickup,
    DueKind::ToolMaintenance,
];

/// What a node seals as a `Due` record at `ctx.time`: the items due then.
pub fn due_record<S: Store + ?Sized>(store: &S, ctx: &Context) -> Result<Vec<DueItem>, StoreError> {
    due_of(store, ctx.time, &DUE_KINDS, MAX_DUE_ITEMS)
}

/// Applies a node's `Due` record: the items must be exactly what is due
/// at the entry's time (up to [`MAX_DUE_ITEMS`]); each is settled by its
/// domain and leaves the schedule.
pub fn apply_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    items: &[DueItem],
) -> Result<(), ApplyError> {
    if items.is_empty() {
        return Err(ApplyError::Misfit("an empty due record"));
    }
    let expected = due_record(&*store, ctx)?;
    if expected != items {
        return Err(ApplyError::Misfit(
            "the due record differs from what the schedule says is due",
        ));
    }
    for item in items {
        remove(store, *item);
        crate::economy::on_due(store, ctx, item)?;
    }
    Ok(())
}
