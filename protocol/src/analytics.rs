//! Community analytics (DESIGN §9): how a community is doing, per
//! calendar month (UTC), computed exactly from counters the state machine
//! keeps as it applies actions and scheduled effects — so asking is a
//! handful of reads, and a replay gives the same figures.
//!
//! What is counted, and where:
//!
//! - [`MonthCounts`] (table `analytics_month`, by month): counts and sums
//!   written where the thing happens — a proposal opened or closed, money
//!   contributed to an aid pool, a request opened, approved or paid in
//!   full, a premium collected, a claim decided or paid, KC moved between
//!   members. The month's stocks (members, enrolled members, Σ positive
//!   member balances) are written when the month closes. The education
//!   counts are the learning domain's own ([`crate::economy::learning::month`]),
//!   read, not copied.
//! - `analytics_active` ((month, member)): who moved money in a month, for
//!   coverage and retention. A member is active when KC moved between
//!   their account and another member's, a pool or an escrow; the levy and
//!   basic income (the treasury's doing) do not make anyone active.
//! - `analytics_live`: Σ positive member balances, kept up to date by
//!   every balance write, for the velocity of the month in progress.
//! - `analytics_distribution` (by month): members' spending capacity at the
//!   month's end — the Gini coefficient and the Lorenz curve — taken when
//!   the month closes (the first `Due` of the next month, before its levy
//!   and basic income).
//! - `analytics_published` (by month): months this community's node has
//!   published as a `Stats` record in its public log.
//!
//! Every figure is an exact [`Fraction`] of integers; [`Fraction::shown`]
//! is the one rounding, half away from zero, at the digits a figure is
//! shown with. Across communities ([`network`]) figures are recomputed
//! from summed counts, never averaged.

mod counters;
mod figures;
pub mod network;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::Hash;
use crate::economy::income::month_label;
use crate::state::records::{self, StateRead, table};
use crate::state::store::StoreError;
use crate::units::{Kc, Timestamp};

pub use counters::{
    active, balance_written, close_month, count, distribution, month_record, moved, published,
    record_closed, set_published,
};
pub use figures::{
    Capacity, Distribution, Figures, Fraction, Unit, capacity, gini_value, mean_turnout,
};

/// Counts and sums of one month: what a community publishes in its
/// `Stats` record, and what regional and network figures are summed from.
/// Nothing in it names or describes a member.
#[derive(Clone, Default, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct MonthCounts {
    /// Local proposals opened (domain decisions included).
    pub proposals: u64,
    /// Local proposals closed by a vote of the members (not withdrawn, not
    /// council decisions): those whose turnout counts.
    pub votes_closed: u64,
    /// Σ ballots counted over those votes, with delegated weight.
    pub ballots_counted: u64,
    /// Σ eligible voters over those votes.
    pub eligible_voters: u64,
    /// Council decisions closed.
    pub council_decisions: u64,
    /// Σ ballots council members cast in them.
    pub council_ballots: u64,
    /// Σ seats in power over them (seats × decisions when the council is
    /// the same size throughout).
    pub council_seats: u64,
    /// Consensus proposals closed (not withdrawn).
    pub consensus_closed: u64,
    /// Of those, passed.
    pub consensus_passed: u64,
    /// KC contributed to aid pools.
    pub aid_contributed: Kc,
    /// Aid requests opened.
    pub aid_requests: u64,
    /// Aid requests approved.
    pub aid_approved: u64,
    /// Aid requests paid in full.
    pub aid_paid_in_full: u64,
    /// Σ milliseconds from request to full payment, over those paid in full.
    pub aid_response_ms: u64,
    /// Confirmed course completions (one per confirming student).
    pub completions: u64,
    /// Peer sessions held.
    pub peer_sessions: u64,
    /// Skills verified.
    pub verifications: u64,
    /// Members enrolled in insurance pools at the month's end (a member in
    /// two pools counts twice).
    pub insurance_members: u64,
    /// Insurance claims decided.
    pub claims_processed: u64,
    /// Insurance claims paid.
    pub claims_paid: Kc,
    /// Insurance premiums collected.
    pub premiums: Kc,
    /// KC moved between members' accounts (transfers, hours, fees).
    pub circulation: Kc,
    /// Σ positive member balances at the month's end.
    pub positive_balances: Kc,
    /// Active members of the community at the month's end.
    pub members: u64,
    /// Members who moved money in the month.
    pub active: u64,
    /// Members who moved money in the month before.
    pub previously_active: u64,
    /// Members who moved money in this month and the one before.
    pub retained: u64,
}
impl Canonical for MonthCounts {}

impl MonthCounts {
    /// Adds another community's counts (for regional and network sums).
    pub fn add(&mut self, o: &MonthCounts) {
        let kc = |a: &mut Kc, b: Kc| a.0 = a.0.saturating_add(b.0);
        self.proposals += o.proposals;
        self.votes_closed += o.votes_closed;
        self.ballots_counted += o.ballots_counted;
        self.eligible_voters += o.eligible_voters;
        self.council_decisions += o.council_decisions;
        self.council_ballots += o.council_ballots;
        self.council_seats += o.council_seats;
        self.consensus_closed += o.consensus_closed;
        self.consensus_passed += o.consensus_passed;
        kc(&mut self.aid_contributed, o.aid_contributed);
        self.aid_requests += o.aid_requests;
        self.aid_approved += o.aid_approved;
        self.aid_paid_in_full += o.aid_paid_in_full;
        self.aid_response_ms = self.aid_response_ms.saturating_add(o.aid_response_ms);
        self.completions += o.completions;
        self.peer_sessions += o.peer_sessions;
        self.verifications += o.verifications;
        self.insurance_members += o.insurance_members;
        self.claims_processed += o.claims_processed;
        kc(&mut self.claims_paid, o.claims_paid);
        kc(&mut self.premiums, o.premiums);
        kc(&mut self.circulation, o.circulation);
        kc(&mut self.positive_balances, o.positive_balances);
        self.members += o.members;
        self.active += o.active;
        self.previously_active += o.previously_active;
        self.retained += o.retained;
    }
}

/// What the state keeps of one month: its counts, each closed vote's
/// turnout (for the community's mean over proposals), and when the month
/// closed.
#[derive(Clone, Default, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct MonthRecord {
    /// Months since 1970-01.
    pub month: u32,
    /// The counts (education counts and, until the month closes, its
    /// stocks are zero here: see [`month_counts`]).
    pub counts: MonthCounts,
    /// (ballots counted, eligible voters) of each vote closed in the month.
    pub turnouts: Vec<(u64, u64)>,
    /// When the month closed (its stocks and distribution were taken).
    pub closed: Option<Timestamp>,
}
impl Canonical for MonthRecord {}

/// The signed summary a node publishes once a month in its public log.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Stats {
    /// Months since 1970-01.
    pub month: u32,
    /// The month's counts and sums.
    pub counts: MonthCounts,
}

/// One month of a community's report.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MonthReport {
    /// `YYYY-MM`.
    pub month: String,
    /// Whether the month has closed (its stocks are final).
    pub closed: bool,
    /// The counts the figures come from.
    pub counts: MonthCounts,
    /// The figures.
    pub figures: Figures,
}

/// A pool's money against what it owes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PoolSolvency {
    /// `aid`, `insurance` or `education`.
    pub kind: String,
    /// The pool's id.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// Its balance.
    pub balance: Kc,
    /// What it owes: approved requests, claims or rewards not yet paid.
    pub owed: Kc,
}

/// A community's analytics over a range of months.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Report {
    /// The community.
    pub community: Hash,
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`.
    pub to: String,
    /// Each month from `from` to `to`, oldest first.
    pub months: Vec<MonthReport>,
    /// The spending capacity distribution at the end of the last closed
    /// month of the range (none before a month closed).
    pub distribution: Option<Distribution>,
    /// Every pool's solvency, now.
    pub pools: Vec<PoolSolvency>,
}

/// Most months one report covers.
pub const MAX_MONTHS: u32 = 120;

/// Parses `YYYY-MM` into months since 1970-01.
pub fn parse_month(text: &str) -> Option<u32> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(year) || !all_digits(month) {
        return None;
    }
    let year: u32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    if year < 1970 || !(1..=12).contains(&month) {
        return None;
    }
    Some((year - 1970) * 12 + month - 1)
}

/// The counts of month `index`: the stored counters, the learning
/// domain's education counts, and — for a month still open — its stocks
/// as they stand now.
pub fn month_counts<S: StateRead + ?Sized>(
    store: &S,
    index: u32,
) -> Result<(MonthRecord, MonthCounts), StoreError> {
    let record = month_record(store, index)?;
    let mut counts = record.counts.clone();
    let learning = crate::economy::learning::month(store, index)?;
    counts.completions = learning.completions;
    counts.peer_sessions = learning.sessions;
    counts.verifications = learning.verifications;
    if record.closed.is_none() {
        counters::stocks(store, index, &mut counts)?;
    }
    Ok((record, counts))
}

/// A community's report for months `from..=to` (months since 1970-01).
pub fn report<S: StateRead + ?Sized>(store: &S, from: u32, to: u32) -> Result<Report, StoreError> {
    let community = store
        .community()?
        .map(|c| c.id)
        .ok_or_else(|| StoreError("no community".into()))?;
    // The payout ratio looks back twelve months: read them once.
    let first = figures::window_start(from);
    let mut all = Vec::new();
    for index in first..=to {
        all.push(month_counts(store, index)?);
    }
    let counts: Vec<&MonthCounts> = all.iter().map(|(_, c)| c).collect();
    let each = figures::each_month(&counts, (from - first) as usize);
    let mut months = Vec::new();
    let mut last_distribution = None;
    for ((index, (record, counts)), mut figures) in
        (from..=to).zip(&all[(from - first) as usize..]).zip(each)
    {
        figures.voting_turnout = figures::mean_turnout(&record.turnouts);
        let distribution = distribution(store, index)?;
        figures.gini = distribution.as_ref().map(|d| d.gini.clone());
        if distribution.is_some() {
            last_distribution = distribution;
        }
        months.push(MonthReport {
            month: month_label(index),
            closed: record.closed.is_some(),
            counts: counts.clone(),
            figures,
        });
    }
    Ok(Report {
        community,
        from: month_label(from),
        to: month_label(to),
        months,
        distribution: last_distribution,
        pools: pools(store)?,
    })
}

/// Every pool's balance against what it owes.
pub fn pools<S: StateRead + ?Sized>(store: &S) -> Result<Vec<PoolSolvency>, StoreError> {
    use crate::economy::{aid, insurance, learning, payout};
    use crate::state::records::Account;
    let mut out = Vec::new();
    for pool in aid::pools(store)? {
        out.push(PoolSolvency {
            kind: "aid".into(),
            id: pool.id,
            balance: store.balance(&Account::Pool(pool.id))?,
            owed: pool.stats.outstanding,
            name: pool.name,
        });
    }
    for pool in insurance::pools(store)? {
        out.push(PoolSolvency {
            kind: "insurance".into(),
            id: pool.id,
            balance: store.balance(&Account::Pool(pool.id))?,
            owed: pool.stats.outstanding,
            name: pool.name,
        });
    }
    if let Some(community) = store.community()? {
        let id = learning::education_pool_id(&community.id);
        out.push(PoolSolvency {
            kind: "education".into(),
            id,
            name: "education".into(),
            balance: store.balance(&Account::Pool(id))?,
            owed: payout::owed(store, &id)?,
        });
    }
    Ok(out)
}

/// Months that closed and that this node has not yet published in a
/// `Stats` record, oldest first (at most `max`).
pub fn unpublished<S: StateRead + ?Sized>(store: &S, max: usize) -> Result<Vec<Stats>, StoreError> {
    let mut out = Vec::new();
    for (key, value) in store.scan_prefix(&[table::ANALYTICS_MONTH])? {
        let record = MonthRecord::from_bytes(&value).map_err(|e| {
            StoreError(format!(
                "corrupt state record {}: {e}",
                crate::crypto::hex(&key)
            ))
        })?;
        if record.closed.is_none() || published(store, record.month)? {
            continue;
        }
        let (_, counts) = month_counts(store, record.month)?;
        out.push(Stats {
            month: record.month,
            counts,
        });
        if out.len() == max {
            break;
        }
    }
    Ok(out)
}

pub(crate) fn month_key(index: u32) -> Vec<u8> {
    records::key(table::ANALYTICS_MONTH, &index.to_be_bytes())
}
