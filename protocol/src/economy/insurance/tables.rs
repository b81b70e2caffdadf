//! The insurance domain's records and tables, and the queries and views
//! members read.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::economy::payout::{self, Payout};
use crate::state::ApplyError;
use crate::state::records::{self, Account, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::{Kc, Timestamp};

use super::*;
use crate::economy::Approval;

/// Premiums and payouts of one calendar month.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct MonthFigures {
    /// Months since 1970-01 (UTC).
    pub month: u32,
    /// Premiums collected.
    pub premiums: Kc,
    /// Claims paid.
    pub paid: Kc,
}

/// What a pool has done, kept as it happens.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct InsuranceStats {
    /// Members enrolled now.
    pub members: u64,
    /// Premiums collected, ever.
    pub premiums: Kc,
    /// Claims made.
    pub claims: u64,
    /// Claims decided (approved or refused).
    pub processed: u64,
    /// Claims approved.
    pub approved: u64,
    /// Money paid out, ever.
    pub paid: Kc,
    /// Approved and not yet paid.
    pub outstanding: Kc,
    /// Lapses for unpaid premiums.
    pub lapses: u64,
    /// The last twelve months (and this one), oldest first.
    pub months: Vec<MonthFigures>,
}

impl InsuranceStats {
    pub(super) fn month(&mut self, time: Timestamp) -> &mut MonthFigures {
        let month = crate::economy::income::month_index(time);
        if self.months.last().is_none_or(|m| m.month != month) {
            self.months.push(MonthFigures {
                month,
                ..MonthFigures::default()
            });
            let keep = self.months.len().saturating_sub(13);
            self.months.drain(..keep);
        }
        let last = self.months.len() - 1;
        &mut self.months[last]
    }

    /// Claims paid and premiums collected over the last twelve months
    /// (this one included): the payout ratio is their quotient.
    pub fn year_figures(&self, now: Timestamp) -> (Kc, Kc) {
        let this = crate::economy::income::month_index(now);
        let (mut paid, mut premiums) = (0i64, 0i64);
        for m in self.months.iter().filter(|m| m.month + 12 > this) {
            paid = paid.saturating_add(m.paid.0);
            premiums = premiums.saturating_add(m.premiums.0);
        }
        (Kc(paid), Kc(premiums))
    }
}

/// An insurance pool.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct InsurancePool {
    /// Its id: the proposal that created it.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// What it insures.
    pub cover: Cover,
    /// Its terms.
    pub terms: Terms,
    /// When it was created.
    pub created: Timestamp,
    /// What it has done.
    pub stats: InsuranceStats,
}
impl Canonical for InsurancePool {}

/// Where an enrolment stands.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// Covered.
    Active,
    /// Ended for an unpaid premium.
    Lapsed {
        /// When.
        at: Timestamp,
        /// Why, in words.
        reason: String,
    },
    /// Left by the member.
    Left {
        /// When.
        at: Timestamp,
    },
}

/// A member's enrolment in a pool.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Enrolment {
    /// The pool.
    pub pool: Hash,
    /// The member.
    pub member: PublicKey,
    /// When the current cover began.
    pub since: Timestamp,
    /// Premiums are paid until then.
    pub paid_through: Timestamp,
    /// Since when a premium is owed, if one is.
    pub owed_since: Option<Timestamp>,
    /// When the premium is next collected (or tried again).
    pub next_due: Timestamp,
    /// Where it stands.
    pub status: EnrolmentStatus,
    /// Their open claim, if any.
    pub open_claim: Option<Hash>,
    /// Claims granted, per calendar month (months since 1970-01), for the
    /// last twelve months.
    pub granted: Vec<(u32, Kc)>,
}
impl Canonical for Enrolment {}

/// Where a claim stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Being assessed.
    Open,
    /// Approved; being paid.
    Approved,
    /// Approved and paid in full.
    Paid,
    /// Refused, or its assessment ran out.
    Rejected,
    /// Withdrawn by the claimant.
    Withdrawn,
}

impl std::fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ClaimStatus::Open => "open",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Paid => "paid",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Withdrawn => "withdrawn",
        })
    }
}

/// An insurance claim.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Claim {
    /// Its id (the claiming action's id; also its vote's id).
    pub id: Hash,
    /// The pool.
    pub pool: Hash,
    /// Who claims.
    pub member: PublicKey,
    /// How much.
    pub amount: Kc,
    /// What happened.
    pub reason: String,
    /// The evidence's blake3 hash.
    pub evidence: Option<Hash>,
    /// When.
    pub created: Timestamp,
    /// How it is decided.
    pub approval: Approval,
    /// When its assessment ends.
    pub deadline: Timestamp,
    /// Assessments so far: (assessor, approves).
    pub assessments: Vec<(PublicKey, bool)>,
    /// Where it stands.
    pub status: ClaimStatus,
    /// When it was decided or withdrawn.
    pub decided: Option<Timestamp>,
    /// Paid so far.
    pub paid: Kc,
}
impl Canonical for Claim {}

/// The id of `member`'s enrolment in `pool` (what its premiums are
/// scheduled under).
pub fn enrolment_id(pool: &Hash, member: &PublicKey) -> Hash {
    let mut bytes = pool.0.to_vec();
    bytes.extend_from_slice(&member.0);
    Hash::of(ENROLMENT_CONTEXT, &bytes)
}

pub(super) fn pool_key(id: &Hash) -> Vec<u8> {
    records::key(table::INSURANCE_POOL, &id.0)
}

pub(super) fn enrolment_key(id: &Hash) -> Vec<u8> {
    records::key(table::ENROLMENT, &id.0)
}

pub(super) fn claim_key(id: &Hash) -> Vec<u8> {
    records::key(table::CLAIM, &id.0)
}

/// A pool.
pub fn pool<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Option<InsurancePool>, StoreError> {
    records::read(store, &pool_key(id))
}

/// Every pool, in id order.
pub fn pools<S: StateRead + ?Sized>(store: &S) -> Result<Vec<InsurancePool>, StoreError> {
    records::read_all(store, table::INSURANCE_POOL)
}

/// A member's enrolment in a pool.
pub fn enrolment<S: StateRead + ?Sized>(
    store: &S,
    pool: &Hash,
    member: &PublicKey,
) -> Result<Option<Enrolment>, StoreError> {
    records::read(store, &enrolment_key(&enrolment_id(pool, member)))
}

/// Every enrolment (ever), in id order.
pub fn enrolments<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Enrolment>, StoreError> {
    records::read_all(store, table::ENROLMENT)
}

/// A claim.
pub fn claim<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Claim>, StoreError> {
    records::read(store, &claim_key(id))
}

/// Every claim, in id order.
pub fn claims<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Claim>, StoreError> {
    records::read_all(store, table::CLAIM)
}

/// Payouts approved and waiting for the pool's money, first first.
pub fn waiting<S: StateRead + ?Sized>(store: &S, pool: &Hash) -> Result<Vec<Payout>, StoreError> {
    payout::waiting(store, pool)
}

pub(super) fn load_pool<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<InsurancePool, ApplyError> {
    pool(store, id)?.ok_or_else(|| InsuranceRejection::UnknownPool { pool: *id }.into())
}

pub(super) fn load_claim<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Claim, ApplyError> {
    claim(store, id)?.ok_or_else(|| InsuranceRejection::UnknownClaim { claim: *id }.into())
}

pub(super) fn save_pool<S: StoreMut + ?Sized>(store: &mut S, pool: &InsurancePool) {
    records::write(store, pool_key(&pool.id), pool);
}

pub(super) fn save_enrolment<S: StoreMut + ?Sized>(store: &mut S, e: &Enrolment) {
    records::write(store, enrolment_key(&enrolment_id(&e.pool, &e.member)), e);
}

pub(super) fn save_claim<S: StoreMut + ?Sized>(store: &mut S, claim: &Claim) {
    records::write(store, claim_key(&claim.id), claim);
}

/// A pool as members read it: the record, its balance, the payouts
/// waiting for money, the payout ratio's terms over the last twelve months
/// and its solvency. The node serves it and the CLI reads it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InsurancePoolView {
    /// The pool.
    pub pool: InsurancePool,
    /// Its balance.
    pub balance: Kc,
    /// Approved claims waiting for money, first first.
    pub waiting: Vec<Payout>,
    /// Claims paid over the last twelve months.
    pub paid_12m: Kc,
    /// Premiums collected over the last twelve months.
    pub premiums_12m: Kc,
}

impl InsurancePoolView {
    /// Whether the balance covers every approved claim not yet paid.
    pub fn solvent(&self) -> bool {
        self.balance >= self.pool.stats.outstanding
    }
}

/// Reads a pool's view at `now`.
pub fn view<S: StateRead + ?Sized>(
    store: &S,
    now: Timestamp,
    pool: InsurancePool,
) -> Result<InsurancePoolView, StoreError> {
    let (paid_12m, premiums_12m) = pool.stats.year_figures(now);
    Ok(InsurancePoolView {
        balance: store.balance(&Account::Pool(pool.id))?,
        waiting: waiting(store, &pool.id)?,
        paid_12m,
        premiums_12m,
        pool,
    })
}
