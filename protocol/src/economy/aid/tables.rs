//! The aid domain's records and tables, and the queries and views
//! members read.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::community::Rules;
use crate::crypto::{Hash, PublicKey};
use crate::economy::payout::{self, Payout};
use crate::state::ApplyError;
use crate::state::records::{self, Account, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::{Kc, Millis, Timestamp};

use super::*;
use crate::economy::Approval;

/// What a pool has done, kept as it happens.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct AidStats {
    /// Money contributed.
    pub contributed: Kc,
    /// Contributions made.
    pub contributions: u64,
    /// Requests made.
    pub requests: u64,
    /// Requests approved.
    pub approved: u64,
    /// Requests refused (or whose approval ran out).
    pub rejected: u64,
    /// Requests withdrawn.
    pub withdrawn: u64,
    /// Money paid out.
    pub paid: Kc,
    /// Approved requests paid in full.
    pub paid_in_full: u64,
    /// Money approved and not yet paid.
    pub outstanding: Kc,
    /// Sum over requests paid in full of the time from request to full payment.
    pub response_ms: u64,
}

/// A mutual-aid pool.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct AidPool {
    /// Its id: the proposal that created it (the emergency pool's is
    /// derived from the community id).
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// Whether it is the community's emergency pool, whose guidelines are
    /// the rules' `aid` (and change with them).
    pub emergency: bool,
    /// Its own guidelines (`None`: the rules' `aid`).
    pub guidelines: Option<AidGuidelines>,
    /// When it was created.
    pub created: Timestamp,
    /// What it has done.
    pub stats: AidStats,
}
impl Canonical for AidPool {}

impl AidPool {
    /// The guidelines in force for this pool.
    pub fn guidelines<'a>(&'a self, rules: &'a Rules) -> &'a AidGuidelines {
        self.guidelines.as_ref().unwrap_or(&rules.aid)
    }
}

/// Where a request stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for its approval.
    Open,
    /// Approved; being paid.
    Approved,
    /// Approved and paid in full.
    Paid,
    /// Refused, or its approval ran out.
    Rejected,
    /// Withdrawn by the requester.
    Withdrawn,
}

impl std::fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RequestStatus::Open => "open",
            RequestStatus::Approved => "approved",
            RequestStatus::Paid => "paid",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
        })
    }
}

/// An aid request.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct AidRequest {
    /// Its id (the requesting action's id; also its vote's id).
    pub id: Hash,
    /// The pool.
    pub pool: Hash,
    /// Who asked.
    pub member: PublicKey,
    /// How much.
    pub amount: Kc,
    /// Why.
    pub reason: String,
    /// When.
    pub created: Timestamp,
    /// How it is decided.
    pub approval: Approval,
    /// When its approval ends.
    pub deadline: Timestamp,
    /// Assessments so far (approval by assessors): (assessor, approves).
    pub assessments: Vec<(PublicKey, bool)>,
    /// Where it stands.
    pub status: RequestStatus,
    /// When it was decided or withdrawn.
    pub decided: Option<Timestamp>,
    /// Paid so far.
    pub paid: Kc,
    /// When it was paid in full.
    pub paid_in_full: Option<Timestamp>,
}
impl Canonical for AidRequest {}

/// A member's standing with one pool.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct AidStanding {
    /// Their open request, if any.
    pub open: Option<Hash>,
    /// When their last request was granted.
    pub last_granted: Option<Timestamp>,
}
impl Canonical for AidStanding {}

/// The emergency pool's id in `community`.
pub fn emergency_pool_id(community: &Hash) -> Hash {
    Hash::of(EMERGENCY_CONTEXT, &community.0)
}

pub(super) fn pool_key(id: &Hash) -> Vec<u8> {
    records::key(table::AID_POOL, &id.0)
}

pub(super) fn request_key(id: &Hash) -> Vec<u8> {
    records::key(table::AID_REQUEST, &id.0)
}

pub(super) fn standing_key(pool: &Hash, member: &PublicKey) -> Vec<u8> {
    let mut id = pool.0.to_vec();
    id.extend_from_slice(&member.0);
    records::key(table::AID_MEMBER, &id)
}

/// A pool.
pub fn pool<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<AidPool>, StoreError> {
    records::read(store, &pool_key(id))
}

/// Every pool, in id order.
pub fn pools<S: StateRead + ?Sized>(store: &S) -> Result<Vec<AidPool>, StoreError> {
    records::read_all(store, table::AID_POOL)
}

/// A request.
pub fn request<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Option<AidRequest>, StoreError> {
    records::read(store, &request_key(id))
}

/// Every request, in id order.
pub fn requests<S: StateRead + ?Sized>(store: &S) -> Result<Vec<AidRequest>, StoreError> {
    records::read_all(store, table::AID_REQUEST)
}

/// A member's standing with a pool.
pub fn standing<S: StateRead + ?Sized>(
    store: &S,
    pool: &Hash,
    member: &PublicKey,
) -> Result<AidStanding, StoreError> {
    Ok(records::read(store, &standing_key(pool, member))?.unwrap_or_default())
}

/// Payouts approved and waiting for the pool's money, first first.
pub fn waiting<S: StateRead + ?Sized>(store: &S, pool: &Hash) -> Result<Vec<Payout>, StoreError> {
    payout::waiting(store, pool)
}

pub(super) fn load_pool<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<AidPool, ApplyError> {
    pool(store, id)?.ok_or_else(|| AidRejection::UnknownPool { pool: *id }.into())
}

pub(super) fn load_request<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<AidRequest, ApplyError> {
    request(store, id)?.ok_or_else(|| AidRejection::UnknownRequest { request: *id }.into())
}

pub(super) fn save_pool<S: StoreMut + ?Sized>(store: &mut S, pool: &AidPool) {
    records::write(store, pool_key(&pool.id), pool);
}

pub(super) fn save_request<S: StoreMut + ?Sized>(store: &mut S, request: &AidRequest) {
    records::write(store, request_key(&request.id), request);
}

pub(super) fn save_standing<S: StoreMut + ?Sized>(
    store: &mut S,
    pool: &Hash,
    member: &PublicKey,
    standing: &AidStanding,
) {
    records::write(store, standing_key(pool, member), standing);
}

/// A pool as members read it: the record, the guidelines in force, its
/// balance and the payouts waiting for money. The node serves it and the
/// CLI reads it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AidPoolView {
    /// The pool.
    pub pool: AidPool,
    /// Its guidelines in force.
    pub guidelines: AidGuidelines,
    /// Its balance.
    pub balance: Kc,
    /// Approved requests waiting for money, first first.
    pub waiting: Vec<Payout>,
}

/// Reads a pool's view under `rules`.
pub fn view<S: StateRead + ?Sized>(
    store: &S,
    rules: &Rules,
    pool: AidPool,
) -> Result<AidPoolView, StoreError> {
    Ok(AidPoolView {
        guidelines: pool.guidelines(rules).clone(),
        balance: store.balance(&Account::Pool(pool.id))?,
        waiting: waiting(store, &pool.id)?,
        pool,
    })
}

impl AidStats {
    /// Requests paid in full out of requests approved.
    pub fn fulfilment(&self) -> (u64, u64) {
        (self.paid_in_full, self.approved)
    }

    /// Mean time from request to full payment.
    pub fn mean_response(&self) -> Option<Millis> {
        (self.paid_in_full > 0).then(|| Millis(self.response_ms / self.paid_in_full))
    }
}
