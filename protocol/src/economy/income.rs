//! Basic income and the levy (DESIGN §6.2–§6.3). On the first `Due` of
//! each calendar month (UTC) the treasury collects the `levy` on positive
//! member balances and pays the `basic_income` to every active member,
//! once per member and month, down to the treasury's floor: when the
//! floor would be crossed every member gets the same share of what is
//! available, and the shortfall is recorded. Both rules change only by a
//! rules vote.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::Hash;
use crate::state::records::{self, Account, MemberStatus, StateRead, table};
use crate::state::schedule::{self, DueItem, DueKind};
use crate::state::store::{StoreError, StoreMut};
use crate::state::{ApplyError, Context};
use crate::units::{Kc, Timestamp, civil_from_days, days_from_civil};

use super::ledger;

/// What one month's levy and basic income did.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct IncomeMonth {
    /// Months since 1970-01 (UTC).
    pub month: u32,
    /// The month as `YYYY-MM`.
    pub label: String,
    /// When it was settled.
    pub settled: Timestamp,
    /// Levy rate in force (basis points).
    pub levy_rate: u32,
    /// Levy collected.
    pub levy: Kc,
    /// Basic income in force (none: off).
    pub basic_income: Option<Kc>,
    /// Members paid.
    pub members: u64,
    /// What each was paid.
    pub share: Kc,
    /// Total paid.
    pub paid: Kc,
    /// What the rule asked for and the treasury could not pay.
    pub shortfall: Kc,
}
impl Canonical for IncomeMonth {}

/// Months since 1970-01 of a time (UTC).
pub fn month_index(time: Timestamp) -> u32 {
    let (year, month) = year_month(time);
    ((year - 1970) * 12 + i64::from(month) - 1).clamp(0, i64::from(u32::MAX)) as u32
}

/// The calendar (year, month) of a time, UTC.
pub fn year_month(time: Timestamp) -> (i64, u32) {
    let days = (time.0 / 86_400_000) as i64;
    let (year, month, _) = civil_from_days(days);
    (year, month)
}

/// The first instant of month `index` (months since 1970-01).
pub fn month_start(index: u32) -> Timestamp {
    let year = 1970 + i64::from(index / 12);
    let month = index % 12 + 1;
    Timestamp((days_from_civil(year, month, 1).max(0) as u64).saturating_mul(86_400_000))
}

/// `YYYY-MM` of month `index`.
pub fn month_label(index: u32) -> String {
    format!("{:04}-{:02}", 1970 + index / 12, index % 12 + 1)
}

fn month_id(index: u32) -> Hash {
    let mut id = [0u8; 32];
    id[28..].copy_from_slice(&index.to_be_bytes());
    Hash(id)
}

fn month_key(index: u32) -> Vec<u8> {
    records::key(table::INCOME_MONTH, &index.to_be_bytes())
}

fn schedule_month<S: StoreMut + ?Sized>(store: &mut S, index: u32) {
    schedule::add(
        store,
        DueItem {
            at: month_start(index),
            kind: DueKind::IncomeMonth,
            id: month_id(index),
        },
    );
}

/// Schedules the first month after genesis.
pub fn found<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context) {
    schedule_month(store, month_index(ctx.time) + 1);
}

/// What a month settled, if it has been.
pub fn month<S: StateRead + ?Sized>(
    store: &S,
    index: u32,
) -> Result<Option<IncomeMonth>, StoreError> {
    records::read(store, &month_key(index))
}

/// Every settled month, oldest first.
pub fn months<S: StateRead + ?Sized>(store: &S) -> Result<Vec<IncomeMonth>, StoreError> {
    records::read_all(store, table::INCOME_MONTH)
}

/// A month began: collect the levy, pay the basic income, schedule the
/// next month.
pub fn month_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    item: &DueItem,
) -> Result<(), ApplyError> {
    let index = month_index(item.at);
    schedule_month(store, index + 1);
    // Once per month, whatever happens: the record is the guard.
    if month(store, index)?.is_some() {
        return Ok(());
    }
    // The month that ended is measured before this one's levy and income.
    if let Some(ended) = index.checked_sub(1) {
        crate::analytics::close_month(store, ctx, ended)?;
    }
    let rules = &ctx.rules;
    let mut record = IncomeMonth {
        month: index,
        label: month_label(index),
        settled: ctx.time,
        levy_rate: rules.levy,
        basic_income: rules.basic_income,
        ..IncomeMonth::default()
    };
    let members: Vec<_> = store
        .members()?
        .into_iter()
        .filter(|m| m.status == MemberStatus::Active)
        .filter(|m| m.suspended_until.is_none_or(|until| until <= ctx.time))
        .collect();
    if rules.levy > 0 {
        let mut levy: i64 = 0;
        for m in &members {
            let account = Account::Member(m.key);
            let balance = store.balance(&account)?;
            let due = (i128::from(balance.0.max(0)) * i128::from(rules.levy) / 10_000) as i64;
            if due > 0 {
                ledger::move_money(store, ctx, &account, &Account::Treasury, Kc(due))
                    .map_err(|e| e.into_apply(Kc(due)))?;
                levy += due;
            }
        }
        record.levy = Kc(levy);
    }
    if let Some(amount) = rules.basic_income
        && !members.is_empty()
    {
        let n = members.len() as i64;
        let available = ledger::available(&*store, rules, &Account::Treasury)?;
        let wanted = i128::from(amount.0) * i128::from(n);
        let share = if wanted <= i128::from(available.0) {
            amount.0
        } else {
            available.0 / n
        };
        record.members = n as u64;
        record.share = Kc(share);
        record.paid = Kc(share * n);
        record.shortfall =
            Kc((wanted - i128::from(share * n)).clamp(0, i128::from(i64::MAX)) as i64);
        if share > 0 {
            let legs: Vec<(Account, Kc)> = members
                .iter()
                .map(|m| (Account::Member(m.key), Kc(share)))
                .collect();
            ledger::move_split(store, ctx, &Account::Treasury, &legs)
                .map_err(|e| e.into_apply(Kc(share)))?;
        }
    }
    records::write(store, month_key(index), &record);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_on_their_first_day() {
        // 2026-12-06T23:52:32Z
        let t = Timestamp(1_796_601_152_000);
        let index = month_index(t);
        assert_eq!(month_label(index), "2026-12");
        assert_eq!(month_start(index).to_string(), "2026-12-01T00:00:00.000Z");
        assert_eq!(
            month_start(index + 1).to_string(),
            "2027-01-01T00:00:00.000Z"
        );
        assert_eq!(month_index(month_start(index + 1)), index + 1);
        assert_eq!(month_index(Timestamp(month_start(index + 1).0 - 1)), index);
        for i in 0..2400 {
            assert_eq!(month_index(month_start(i)), i);
        }
    }
}

/// Basic income and the treasury as members read them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct IncomeView {
    /// The basic income in force (none: off).
    pub basic_income: Option<Kc>,
    /// The levy in force, in basis points per month.
    pub levy: u32,
    /// The treasury's credit (its floor is minus this).
    pub treasury_credit: Kc,
    /// The treasury's balance.
    pub treasury: Kc,
    /// What the treasury can pay before its floor.
    pub available: Kc,
    /// When the next month is settled.
    pub next_month: Timestamp,
    /// Every month settled, oldest first.
    pub months: Vec<IncomeMonth>,
}

/// Reads the income view under `rules` at `now`.
pub fn view<S: StateRead + ?Sized>(
    store: &S,
    rules: &crate::community::Rules,
    now: Timestamp,
) -> Result<IncomeView, StoreError> {
    Ok(IncomeView {
        basic_income: rules.basic_income,
        levy: rules.levy,
        treasury_credit: rules.treasury_credit,
        treasury: store.balance(&Account::Treasury)?,
        available: ledger::available(store, rules, &Account::Treasury)?,
        next_month: month_start(month_index(now) + 1),
        months: months(store)?,
    })
}
