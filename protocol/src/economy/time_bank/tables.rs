//! The time bank's records, counters and indexes, and the queries and
//! views members read.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::state::ApplyError;
use crate::state::records::{self, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::{Kc, Timestamp};

use super::*;

/// Who wrote a record.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// The provider logged time given; each recipient confirms their share.
    Logged,
    /// The recipient recorded time received; the provider confirms.
    Received,
}

/// Where one share stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareState {
    /// Waiting for the other party.
    Pending,
    /// Confirmed: the recipient paid the provider.
    Confirmed,
    /// Declined by the other party, for good.
    Declined,
    /// Not confirmed in time.
    Expired,
}

impl std::fmt::Display for ShareState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ShareState::Pending => "pending",
            ShareState::Confirmed => "confirmed",
            ShareState::Declined => "declined",
            ShareState::Expired => "expired",
        })
    }
}

/// One recipient's share of a record.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Share {
    /// The recipient.
    pub member: PublicKey,
    /// Where it stands.
    pub state: ShareState,
    /// What the recipient paid the provider for it.
    pub paid: Kc,
    /// When it was confirmed, declined or expired.
    pub settled: Option<Timestamp>,
    /// Why it was declined (empty otherwise).
    pub reason: String,
}

/// Hours of help given by one provider to one or several recipients.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct TimeRecord {
    /// Its id: the action that recorded it.
    pub id: Hash,
    /// Who wrote it.
    pub kind: RecordKind,
    /// Who gave the time.
    pub provider: PublicKey,
    /// One share per recipient, in the order named.
    pub shares: Vec<Share>,
    /// How long.
    pub minutes: u32,
    /// Which category.
    pub category: String,
    /// What was done.
    pub note: String,
    /// When it was recorded.
    pub created: Timestamp,
    /// When its pending shares expire.
    pub expires: Timestamp,
}
impl Canonical for TimeRecord {}

impl TimeRecord {
    /// Who wrote it: the provider of a logged record, the recipient of a
    /// received one.
    pub fn author(&self) -> PublicKey {
        match self.kind {
            RecordKind::Logged => self.provider,
            RecordKind::Received => self.shares[0].member,
        }
    }

    /// Who confirms `share`: its recipient for a logged record, the
    /// provider for a received one.
    pub fn confirmer(&self, share: &Share) -> PublicKey {
        match self.kind {
            RecordKind::Logged => share.member,
            RecordKind::Received => self.provider,
        }
    }

    /// Whether any share still waits for confirmation.
    pub fn has_pending(&self) -> bool {
        self.shares.iter().any(|s| s.state == ShareState::Pending)
    }

    /// Whether `member` gave or received in it.
    pub fn involves(&self, member: &PublicKey) -> bool {
        self.provider == *member || self.shares.iter().any(|s| s.member == *member)
    }
}

/// Confirmed minutes and money of one member, kept as shares are confirmed.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct MemberTotals {
    /// Minutes given (as provider) in confirmed shares.
    pub given_minutes: u64,
    /// Minutes received in confirmed shares.
    pub received_minutes: u64,
    /// Confirmed shares given.
    pub given_shares: u64,
    /// Confirmed shares received.
    pub received_shares: u64,
    /// Money earned for time given.
    pub earned: Kc,
    /// Money paid for time received.
    pub paid: Kc,
}
impl Canonical for MemberTotals {}

/// Confirmed minutes and money of one category.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct CategoryTotals {
    /// Minutes in confirmed shares.
    pub minutes: u64,
    /// Confirmed shares.
    pub shares: u64,
    /// Money paid for them.
    pub paid: Kc,
}
impl Canonical for CategoryTotals {}

pub(super) fn record_key(id: &Hash) -> Vec<u8> {
    records::key(table::TIME_RECORD, &id.0)
}

fn party_key(member: &PublicKey, record: &Hash) -> Vec<u8> {
    let mut id = member.0.to_vec();
    id.extend_from_slice(&record.0);
    records::key(table::TIME_PARTY, &id)
}

fn member_totals_key(member: &PublicKey) -> Vec<u8> {
    records::key(table::TIME_MEMBER_TOTALS, &member.0)
}

fn category_totals_key(category: &str) -> Vec<u8> {
    records::key(table::TIME_CATEGORY_TOTALS, category.as_bytes())
}

/// A record.
pub fn record<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Option<TimeRecord>, StoreError> {
    records::read(store, &record_key(id))
}

/// Every record, oldest first (ties in id order).
pub fn records<S: StateRead + ?Sized>(store: &S) -> Result<Vec<TimeRecord>, StoreError> {
    let mut all: Vec<TimeRecord> = records::read_all(store, table::TIME_RECORD)?;
    all.sort_by_key(|r| (r.created, r.id));
    Ok(all)
}

/// The records `member` gave or received in, oldest first, read through
/// the member's index.
pub fn member_records<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<TimeRecord>, StoreError> {
    let prefix = records::key(table::TIME_PARTY, &member.0);
    let mut found = Vec::new();
    for id in records::ids_under(store, &prefix)? {
        if let Some(r) = record(store, &id)? {
            found.push(r);
        }
    }
    found.sort_by_key(|r| (r.created, r.id));
    Ok(found)
}

/// Records, oldest first, of `member` (if given) in `category` (if given).
pub fn history<S: StateRead + ?Sized>(
    store: &S,
    member: Option<&PublicKey>,
    category: Option<&str>,
) -> Result<Vec<TimeRecord>, StoreError> {
    let all = match member {
        Some(m) => member_records(store, m)?,
        None => records(store)?,
    };
    Ok(all
        .into_iter()
        .filter(|r| category.is_none_or(|c| r.category == c))
        .collect())
}

/// A member's records with shares still pending.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Pending {
    /// Records with a share the member is to confirm or decline.
    pub to_confirm: Vec<TimeRecord>,
    /// Records the member wrote or is paid for, with a share awaiting
    /// the other party.
    pub awaiting: Vec<TimeRecord>,
}

/// What `member` has to confirm and what awaits others.
pub fn pending<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Pending, StoreError> {
    let mut out = Pending::default();
    for r in member_records(store, member)? {
        let open = r.shares.iter().filter(|s| s.state == ShareState::Pending);
        let (mine, others): (Vec<&Share>, Vec<&Share>) =
            open.partition(|s| r.confirmer(s) == *member);
        let waits_on_others = others.iter().any(|s| {
            // The member waits if they are the other side of the share.
            s.member == *member || r.provider == *member
        });
        let to_confirm = !mine.is_empty();
        if to_confirm {
            out.to_confirm.push(r.clone());
        }
        if waits_on_others {
            out.awaiting.push(r);
        }
    }
    Ok(out)
}

/// A member's totals.
pub fn member_totals<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<MemberTotals, StoreError> {
    Ok(records::read(store, &member_totals_key(member))?.unwrap_or_default())
}

/// A category's totals.
pub fn category_totals<S: StateRead + ?Sized>(
    store: &S,
    category: &str,
) -> Result<CategoryTotals, StoreError> {
    Ok(records::read(store, &category_totals_key(category))?.unwrap_or_default())
}

/// One member's totals, as the totals view lists them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MemberTotalsView {
    /// The member.
    pub member: PublicKey,
    /// Their totals.
    #[serde(flatten)]
    pub totals: MemberTotals,
}

/// One category's totals, as the totals view lists them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CategoryTotalsView {
    /// The category.
    pub category: String,
    /// Its totals.
    #[serde(flatten)]
    pub totals: CategoryTotals,
}

/// Every member's totals (members with any confirmed share, in key
/// order) and every category's (the community's categories in list
/// order, then any a rules vote has since removed).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TotalsView {
    /// Per member.
    pub members: Vec<MemberTotalsView>,
    /// Per category.
    pub categories: Vec<CategoryTotalsView>,
}

/// Reads the totals view.
pub fn totals<S: StateRead + ?Sized>(store: &S) -> Result<TotalsView, StoreError> {
    let prefix = [table::TIME_MEMBER_TOTALS];
    let mut members = Vec::new();
    for (key, value) in store.scan_prefix(&prefix)? {
        let corrupt = || {
            StoreError(format!(
                "corrupt time bank totals {}",
                crate::crypto::hex(&key)
            ))
        };
        let bytes: [u8; 32] = key[1..].try_into().map_err(|_| corrupt())?;
        let totals = MemberTotals::from_bytes(&value).map_err(|_| corrupt())?;
        members.push(MemberTotalsView {
            member: PublicKey(bytes),
            totals,
        });
    }
    let mut categories = Vec::new();
    for category in super::categories(&crate::state::rules::in_force(store)?) {
        let totals = category_totals(store, &category)?;
        categories.push(CategoryTotalsView { category, totals });
    }
    // Categories a later rules vote removed keep their totals.
    for (category, totals) in stored_category_totals(store)? {
        if !categories.iter().any(|c| c.category == category) {
            categories.push(CategoryTotalsView { category, totals });
        }
    }
    Ok(TotalsView {
        members,
        categories,
    })
}

/// Every category's stored totals, in name order.
fn stored_category_totals<S: StateRead + ?Sized>(
    store: &S,
) -> Result<Vec<(String, CategoryTotals)>, StoreError> {
    let mut out = Vec::new();
    for (key, value) in store.scan_prefix(&[table::TIME_CATEGORY_TOTALS])? {
        let corrupt = || {
            StoreError(format!(
                "corrupt time bank totals {}",
                crate::crypto::hex(&key)
            ))
        };
        let name = String::from_utf8(key[1..].to_vec()).map_err(|_| corrupt())?;
        out.push((
            name,
            CategoryTotals::from_bytes(&value).map_err(|_| corrupt())?,
        ));
    }
    Ok(out)
}

pub(super) fn load_record<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<TimeRecord, ApplyError> {
    record(store, id)?.ok_or_else(|| TimeBankRejection::UnknownRecord { record: *id }.into())
}

pub(super) fn save_record<S: StoreMut + ?Sized>(store: &mut S, record: &TimeRecord) {
    records::write(store, record_key(&record.id), record);
}

pub(super) fn index_party<S: StoreMut + ?Sized>(store: &mut S, member: &PublicKey, id: &Hash) {
    store.put(party_key(member, id), Vec::new());
}

/// Counts a confirmed share of `minutes` worth `paid` in the provider's,
/// the recipient's and the category's totals.
pub(super) fn count_confirmed<S: StoreMut + ?Sized>(
    store: &mut S,
    provider: &PublicKey,
    recipient: &PublicKey,
    category: &str,
    minutes: u32,
    paid: Kc,
) -> Result<(), StoreError> {
    let minutes = u64::from(minutes);
    let mut given = member_totals(&*store, provider)?;
    given.given_minutes = given.given_minutes.saturating_add(minutes);
    given.given_shares += 1;
    given.earned = Kc(given.earned.0.saturating_add(paid.0));
    records::write(store, member_totals_key(provider), &given);
    let mut received = member_totals(&*store, recipient)?;
    received.received_minutes = received.received_minutes.saturating_add(minutes);
    received.received_shares += 1;
    received.paid = Kc(received.paid.0.saturating_add(paid.0));
    records::write(store, member_totals_key(recipient), &received);
    let mut cat = category_totals(&*store, category)?;
    cat.minutes = cat.minutes.saturating_add(minutes);
    cat.shares += 1;
    cat.paid = Kc(cat.paid.0.saturating_add(paid.0));
    records::write(store, category_totals_key(category), &cat);
    Ok(())
}

/// What a replayed state must show about the time bank: only confirmed
/// shares were paid, none below zero, and the totals kept per member and
/// per category are exactly what the confirmed shares add up to. Adds
/// what is wrong to `problems`.
pub fn audit<S: StateRead + ?Sized>(
    store: &S,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    use std::collections::BTreeMap;
    let mut members: BTreeMap<PublicKey, MemberTotals> = BTreeMap::new();
    let mut categories: BTreeMap<String, CategoryTotals> = BTreeMap::new();
    for r in records(store)? {
        for s in &r.shares {
            if s.state != ShareState::Confirmed {
                if s.paid != Kc::ZERO {
                    problems.push(format!("time record {} paid an unconfirmed share", r.id));
                }
                continue;
            }
            if s.paid.0 < 0 {
                problems.push(format!("time record {} paid {} for a share", r.id, s.paid));
            }
            let minutes = u64::from(r.minutes);
            let given = members.entry(r.provider).or_default();
            given.given_minutes += minutes;
            given.given_shares += 1;
            given.earned = Kc(given.earned.0.saturating_add(s.paid.0));
            let got = members.entry(s.member).or_default();
            got.received_minutes += minutes;
            got.received_shares += 1;
            got.paid = Kc(got.paid.0.saturating_add(s.paid.0));
            let cat = categories.entry(r.category.clone()).or_default();
            cat.minutes += minutes;
            cat.shares += 1;
            cat.paid = Kc(cat.paid.0.saturating_add(s.paid.0));
        }
    }
    for view in totals(store)?.members {
        let want = members.remove(&view.member).unwrap_or_default();
        if view.totals != want {
            problems.push(format!(
                "the time bank totals of {} differ from its records",
                view.member
            ));
        }
    }
    for member in members.keys() {
        problems.push(format!("the time bank keeps no totals for {member}"));
    }
    for (category, stored) in stored_category_totals(store)? {
        if categories.remove(&category).unwrap_or_default() != stored {
            problems.push(format!(
                "the time bank totals of {category} differ from its records"
            ));
        }
    }
    for category in categories.keys() {
        problems.push(format!(
            "the time bank keeps no totals for the category {category:?}"
        ));
    }
    Ok(())
}
