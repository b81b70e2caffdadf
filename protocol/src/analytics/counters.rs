//! The write side of analytics: what the state machine counts as it
//! applies, and what it takes when a month closes.

use bincode::{Decode, Encode};

use crate::codec::Canonical;
use crate::crypto::PublicKey;
use crate::economy::income::month_index;
use crate::state::records::{self, Account, MemberStatus, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::state::{ApplyError, Context};
use crate::units::{Kc, Timestamp};

use super::figures::{self, Capacity, Distribution};
use super::{MonthCounts, MonthRecord, month_key};

/// Running totals of the state as it stands.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Encode, Decode)]
struct Live {
    /// Σ positive member balances.
    positive_balances: i128,
}
impl Canonical for Live {}

const LIVE_KEY: &[u8] = &[table::ANALYTICS_LIVE];

fn live<S: StateRead + ?Sized>(store: &S) -> Result<Live, StoreError> {
    Ok(records::read(store, LIVE_KEY)?.unwrap_or_default())
}

/// The stored record of month `index` (empty if nothing happened yet).
pub fn month_record<S: StateRead + ?Sized>(
    store: &S,
    index: u32,
) -> Result<MonthRecord, StoreError> {
    Ok(
        records::read(store, &month_key(index))?.unwrap_or(MonthRecord {
            month: index,
            ..MonthRecord::default()
        }),
    )
}

/// Adds to the counts of the month `time` falls in.
pub fn count<S: StoreMut + ?Sized>(
    store: &mut S,
    time: Timestamp,
    f: impl FnOnce(&mut MonthCounts),
) -> Result<(), StoreError> {
    let index = month_index(time);
    let mut record = month_record(&*store, index)?;
    f(&mut record.counts);
    records::write(store, month_key(index), &record);
    Ok(())
}

/// Records a closed vote of the members: its turnout counts towards the
/// month's mean.
pub fn record_closed<S: StoreMut + ?Sized>(
    store: &mut S,
    time: Timestamp,
    counted: u64,
    eligible: u64,
) -> Result<(), StoreError> {
    let index = month_index(time);
    let mut record = month_record(&*store, index)?;
    record.counts.votes_closed += 1;
    record.counts.ballots_counted += counted;
    record.counts.eligible_voters += eligible;
    record.turnouts.push((counted, eligible));
    records::write(store, month_key(index), &record);
    Ok(())
}

fn active_key(index: u32, member: &PublicKey) -> Vec<u8> {
    let mut id = Vec::with_capacity(36);
    id.extend_from_slice(&index.to_be_bytes());
    id.extend_from_slice(&member.0);
    records::key(table::ANALYTICS_ACTIVE, &id)
}

/// Whether `member` moved money in month `index`.
pub fn active<S: StateRead + ?Sized>(
    store: &S,
    index: u32,
    member: &PublicKey,
) -> Result<bool, StoreError> {
    Ok(store.get(&active_key(index, member))?.is_some())
}

fn touch<S: StoreMut + ?Sized>(
    store: &mut S,
    index: u32,
    member: &PublicKey,
    counts: &mut MonthCounts,
) -> Result<(), StoreError> {
    if active(&*store, index, member)? {
        return Ok(());
    }
    store.put(active_key(index, member), Vec::new());
    counts.active += 1;
    if index > 0 && active(&*store, index - 1, member)? {
        counts.retained += 1;
    }
    Ok(())
}

/// Money moved from `from` to each leg: KC between members is
/// circulation, and whoever moved money with another member, a pool or
/// an escrow is active this month. The treasury's levy and basic income
/// count for neither.
pub fn moved<S: StoreMut + ?Sized>(
    store: &mut S,
    time: Timestamp,
    from: &Account,
    legs: &[(Account, Kc)],
) -> Result<(), StoreError> {
    if matches!(from, Account::Treasury) || legs.iter().all(|(to, _)| *to == Account::Treasury) {
        return Ok(());
    }
    let index = month_index(time);
    let mut record = month_record(&*store, index)?;
    let mut counts = std::mem::take(&mut record.counts);
    if let Account::Member(payer) = from {
        touch(store, index, payer, &mut counts)?;
    }
    for (to, amount) in legs {
        if let Account::Member(payee) = to {
            touch(store, index, payee, &mut counts)?;
            if matches!(from, Account::Member(_)) {
                counts.circulation.0 = counts.circulation.0.saturating_add(amount.0);
            }
        }
    }
    record.counts = counts;
    records::write(store, month_key(index), &record);
    Ok(())
}

/// A balance was written: keeps Σ positive member balances current.
pub fn balance_written<S: StoreMut + ?Sized>(
    store: &mut S,
    account: &Account,
    old: Kc,
    new: Kc,
) -> Result<(), StoreError> {
    if !matches!(account, Account::Member(_)) {
        return Ok(());
    }
    let change = i128::from(new.0.max(0)) - i128::from(old.0.max(0));
    if change == 0 {
        return Ok(());
    }
    let mut live = live(&*store)?;
    live.positive_balances += change;
    records::write(store, LIVE_KEY.to_vec(), &live);
    Ok(())
}

/// The month's stocks as they stand now: members, enrolled members,
/// Σ positive member balances, and who was active the month before.
pub(super) fn stocks<S: StateRead + ?Sized>(
    store: &S,
    index: u32,
    counts: &mut MonthCounts,
) -> Result<(), StoreError> {
    counts.members = store.roster()?.active;
    counts.insurance_members = crate::economy::insurance::pools(store)?
        .iter()
        .map(|p| p.stats.members)
        .sum();
    let positive = live(store)?.positive_balances;
    counts.positive_balances = Kc(positive.clamp(0, i128::from(i64::MAX)) as i64);
    counts.previously_active = if index == 0 {
        0
    } else {
        month_record(store, index - 1)?.counts.active
    };
    Ok(())
}

/// Month `index` is over (called by the first `Due` of the next month,
/// before its levy and basic income): its stocks are taken and kept, and
/// the members' spending capacity — balance plus credit limit — is
/// measured for the Gini coefficient and the Lorenz curve. Once per month.
pub fn close_month<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    index: u32,
) -> Result<(), ApplyError> {
    let mut record = month_record(&*store, index)?;
    if record.closed.is_some() {
        return Ok(());
    }
    stocks(&*store, index, &mut record.counts)?;
    record.closed = Some(ctx.time);
    let mut capacities = Vec::new();
    for member in store.members()? {
        if member.status != MemberStatus::Active {
            continue;
        }
        let balance = store.balance(&Account::Member(member.key))?;
        // A balance below a credit limit lowered since counts as nothing.
        let capacity = i128::from(balance.0) + i128::from(ctx.rules.credit_limit.0);
        capacities.push(capacity.max(0) as u128);
    }
    if let Some(capacity) = figures::capacity(index, capacities) {
        records::write(
            store,
            records::key(table::ANALYTICS_DISTRIBUTION, &index.to_be_bytes()),
            &capacity,
        );
    }
    records::write(store, month_key(index), &record);
    Ok(())
}

/// The spending capacity distribution at the end of month `index`.
pub fn distribution<S: StateRead + ?Sized>(
    store: &S,
    index: u32,
) -> Result<Option<Distribution>, StoreError> {
    let capacity: Option<Capacity> = records::read(
        store,
        &records::key(table::ANALYTICS_DISTRIBUTION, &index.to_be_bytes()),
    )?;
    Ok(capacity.and_then(|c| c.distribution()))
}

/// Whether this community's public log holds its `Stats` for `month`.
pub fn published<S: StateRead + ?Sized>(store: &S, month: u32) -> Result<bool, StoreError> {
    Ok(store
        .get(&records::key(
            table::ANALYTICS_PUBLISHED,
            &month.to_be_bytes(),
        ))?
        .is_some())
}

/// Notes that the public log holds this community's `Stats` for `month`.
pub fn set_published<S: StoreMut + ?Sized>(store: &mut S, month: u32) {
    store.put(
        records::key(table::ANALYTICS_PUBLISHED, &month.to_be_bytes()),
        Vec::new(),
    );
}
