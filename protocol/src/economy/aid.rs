//! Mutual-aid pools (DESIGN §6.3): an emergency pool from genesis and
//! more by vote. Members contribute and ask; a request opens its approval
//! (a community vote, a council decision, or k of n appointed assessors);
//! an approved request is paid once, as far as the pool's money goes, and
//! the rest waits in line for the next contributions.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::action::{Action, MAX_REASON_LEN};
use crate::codec::Canonical;
use crate::community::MAX_NAME_LEN;
use crate::crypto::{Hash, PublicKey};
use crate::governance::{ProposalKind, Subject};
use crate::log::LogKind;
use crate::state::decide::Verdict;
use crate::state::membership::active_member;
use crate::state::records::{self, Account, StateRead, table};
use crate::state::schedule::{self, DueItem, DueKind};
use crate::state::store::{StoreError, StoreMut};
use crate::state::{ApplyError, Context, Rejection, governance};
use crate::units::{Kc, Millis, Timestamp};

use super::payout::{self, Payout};
use super::{Approval, Assessed, ledger};

/// Domain-separation context of the emergency pool's id.
pub const EMERGENCY_CONTEXT: &str = "hearth v1 emergency pool";

/// Guidelines of a mutual-aid pool.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AidGuidelines {
    /// Largest single request.
    pub max_request: Kc,
    /// Time between two granted requests of one member.
    pub cooldown: Millis,
    /// How a request is approved.
    pub approval: Approval,
    /// The appointed assessors (approval by assessors).
    pub assessors: Vec<PublicKey>,
    /// Approving assessors needed (k of n).
    pub assessors_needed: u32,
    /// How long someone must have been a member to ask.
    pub min_membership: Millis,
    /// How long the approval (vote or assessors) runs.
    pub vote_duration: Millis,
}

impl Default for AidGuidelines {
    fn default() -> Self {
        AidGuidelines {
            max_request: Kc::whole(500),
            cooldown: Millis::days(30),
            approval: Approval::CommunityVote,
            assessors: Vec::new(),
            assessors_needed: 0,
            min_membership: Millis(0),
            vote_duration: Millis::days(2),
        }
    }
}

impl AidGuidelines {
    /// Checks the guidelines (`name` prefixes the rule in errors).
    pub fn validate(&self, _name: &'static str) -> Result<(), crate::community::InvalidRules> {
        let bad = |rule, reason| Err(crate::community::InvalidRules { rule, reason });
        if self.max_request.0 <= 0 {
            return bad("aid.max_request", "must be positive");
        }
        if self.vote_duration.0 == 0 {
            return bad("aid.vote_duration", "must be positive");
        }
        super::check_panel(self.approval, &self.assessors, self.assessors_needed)
            .or_else(|reason| bad("aid.assessors", reason))
    }
}

/// Aid actions (local log).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AidAction {
    /// A member gives money to a pool.
    Contribute {
        /// The pool.
        pool: Hash,
        /// How much, positive.
        amount: Kc,
    },
    /// A member asks a pool for money; the request id is this action's id.
    Request {
        /// The pool.
        pool: Hash,
        /// How much, positive and at most the pool's maximum.
        amount: Kc,
        /// Why (seen by those who decide).
        reason: String,
    },
    /// The requester withdraws an open request.
    Withdraw {
        /// The request.
        request: Hash,
    },
    /// An appointed assessor approves or refuses a request.
    Assess {
        /// The request.
        request: Hash,
        /// Whether they approve.
        approve: bool,
    },
}

impl AidAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            AidAction::Contribute { .. } => "aid_contribute",
            AidAction::Request { .. } => "aid_request",
            AidAction::Withdraw { .. } => "aid_withdraw",
            AidAction::Assess { .. } => "aid_assess",
        }
    }

    /// The log aid actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// Why an aid action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AidRejection {
    /// No aid pool with this id.
    #[error("no aid pool {pool}")]
    UnknownPool {
        /// The id.
        pool: Hash,
    },
    /// The request asks for more than the pool's maximum.
    #[error("this pool grants at most {max} per request")]
    OverMaxRequest {
        /// The maximum.
        max: Kc,
    },
    /// The member's last granted request is too recent.
    #[error("the last request granted from this pool was too recent: ask again from {until}")]
    CooldownActive {
        /// When the member may ask again.
        until: Timestamp,
    },
    /// The member already has an open request with this pool.
    #[error("request {request} to this pool is still open: one open request per member and pool")]
    OpenRequestExists {
        /// The open request.
        request: Hash,
    },
    /// The member has not been a member long enough.
    #[error("this pool takes requests from members of at least {min}: ask from {until}")]
    MembershipTooRecent {
        /// The minimum membership.
        min: Millis,
        /// When the member may ask.
        until: Timestamp,
    },
    /// No request with this id.
    #[error("no aid request {request}")]
    UnknownRequest {
        /// The id.
        request: Hash,
    },
    /// The request is no longer open.
    #[error("the request is {status}, no longer open")]
    RequestNotOpen {
        /// Its status.
        status: RequestStatus,
    },
    /// Only the requester may withdraw.
    #[error("only the member who asked may withdraw a request")]
    NotRequester,
    /// The pool's requests are not decided by appointed assessors, or
    /// this member is not one of them.
    #[error("only the pool's appointed assessors assess its requests")]
    NotAssessor,
    /// Nobody decides their own request.
    #[error("a member never decides their own request")]
    OwnRequest,
    /// The assessor already assessed this request.
    #[error("you already assessed this request")]
    AlreadyAssessed,
    /// A new pool's name or guidelines are invalid.
    #[error("invalid aid pool: {reason}")]
    InvalidPool {
        /// What is wrong.
        reason: String,
    },
}

impl AidRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AidRejection::UnknownPool { .. } => "unknown_pool",
            AidRejection::OverMaxRequest { .. } => "over_max_request",
            AidRejection::CooldownActive { .. } => "cooldown_active",
            AidRejection::OpenRequestExists { .. } => "open_request_exists",
            AidRejection::MembershipTooRecent { .. } => "membership_too_recent",
            AidRejection::UnknownRequest { .. } => "unknown_request",
            AidRejection::RequestNotOpen { .. } => "request_not_open",
            AidRejection::NotRequester => "not_requester",
            AidRejection::NotAssessor => "not_assessor",
            AidRejection::OwnRequest => "own_request",
            AidRejection::AlreadyAssessed => "already_assessed",
            AidRejection::InvalidPool { .. } => "invalid_pool",
        }
    }
}

impl From<AidRejection> for ApplyError {
    fn from(r: AidRejection) -> Self {
        ApplyError::Rejected(Rejection::Aid(r))
    }
}

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
    pub fn guidelines<'a>(&'a self, ctx: &'a Context) -> &'a AidGuidelines {
        self.guidelines.as_ref().unwrap_or(&ctx.rules.aid)
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

fn pool_key(id: &Hash) -> Vec<u8> {
    records::key(table::AID_POOL, &id.0)
}

fn request_key(id: &Hash) -> Vec<u8> {
    records::key(table::AID_REQUEST, &id.0)
}

fn standing_key(pool: &Hash, member: &PublicKey) -> Vec<u8> {
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

fn load_pool<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<AidPool, ApplyError> {
    pool(store, id)?.ok_or_else(|| AidRejection::UnknownPool { pool: *id }.into())
}

fn load_request<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<AidRequest, ApplyError> {
    request(store, id)?.ok_or_else(|| AidRejection::UnknownRequest { request: *id }.into())
}

fn save_pool<S: StoreMut + ?Sized>(store: &mut S, pool: &AidPool) {
    records::write(store, pool_key(&pool.id), pool);
}

fn save_request<S: StoreMut + ?Sized>(store: &mut S, request: &AidRequest) {
    records::write(store, request_key(&request.id), request);
}

fn save_standing<S: StoreMut + ?Sized>(
    store: &mut S,
    pool: &Hash,
    member: &PublicKey,
    standing: &AidStanding,
) {
    records::write(store, standing_key(pool, member), standing);
}

/// Applies an aid action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &AidAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    match body {
        AidAction::Contribute { pool, amount } => contribute(store, ctx, author, pool, *amount),
        AidAction::Request {
            pool,
            amount,
            reason,
        } => ask(store, ctx, author, action.id(), pool, *amount, reason),
        AidAction::Withdraw { request } => withdraw(store, ctx, author, request),
        AidAction::Assess { request, approve } => assess(store, ctx, author, request, *approve),
    }
}

/// Creates the emergency pool at genesis.
pub fn found<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
    let pool = AidPool {
        id: emergency_pool_id(&ctx.community),
        name: "emergency".into(),
        emergency: true,
        guidelines: None,
        created: ctx.time,
        stats: AidStats::default(),
    };
    save_pool(store, &pool);
    Ok(())
}

/// Checks a proposed pool's name and guidelines.
pub fn check_new_pool(name: &str, guidelines: &AidGuidelines) -> Result<(), AidRejection> {
    if name.trim().is_empty() || name.len() > MAX_NAME_LEN {
        return Err(AidRejection::InvalidPool {
            reason: format!("a pool's name has 1 to {MAX_NAME_LEN} bytes"),
        });
    }
    guidelines
        .validate("aid")
        .map_err(|e| AidRejection::InvalidPool {
            reason: e.to_string(),
        })
}

/// A passed proposal creates a pool (its id is the proposal's).
pub fn create_pool<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: Hash,
    name: &str,
    guidelines: &AidGuidelines,
) -> Result<(), ApplyError> {
    if pool(store, &id)?.is_some() {
        return Ok(());
    }
    let pool = AidPool {
        id,
        name: name.to_string(),
        emergency: false,
        guidelines: Some(guidelines.clone()),
        created: ctx.time,
        stats: AidStats::default(),
    };
    save_pool(store, &pool);
    Ok(())
}

fn contribute<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
    amount: Kc,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut pool = load_pool(store, id)?;
    if amount.0 <= 0 {
        return Err(Rejection::InvalidAmount { amount }.into());
    }
    ledger::pay_from_member(store, &ctx.rules, author, &Account::Pool(*id), amount)?;
    pool.stats.contributed = Kc(pool.stats.contributed.0.saturating_add(amount.0));
    pool.stats.contributions += 1;
    save_pool(store, &pool);
    pay_line(store, ctx, id)
}

fn ask<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    pool_id: &Hash,
    amount: Kc,
    reason: &str,
) -> Result<(), ApplyError> {
    let member = active_member(store, author)?;
    let mut pool = load_pool(store, pool_id)?;
    let guidelines = pool.guidelines(ctx).clone();
    if amount.0 <= 0 {
        return Err(Rejection::InvalidAmount { amount }.into());
    }
    if amount > guidelines.max_request {
        return Err(AidRejection::OverMaxRequest {
            max: guidelines.max_request,
        }
        .into());
    }
    if reason.len() > MAX_REASON_LEN {
        return Err(Rejection::TextTooLong {
            field: "reason",
            len: reason.len(),
            max: MAX_REASON_LEN,
        }
        .into());
    }
    let eligible_from = member.joined.plus(guidelines.min_membership);
    if ctx.time < eligible_from {
        return Err(AidRejection::MembershipTooRecent {
            min: guidelines.min_membership,
            until: eligible_from,
        }
        .into());
    }
    let mut standing = standing(store, pool_id, author)?;
    if let Some(open) = standing.open {
        return Err(AidRejection::OpenRequestExists { request: open }.into());
    }
    if let Some(last) = standing.last_granted {
        let until = last.plus(guidelines.cooldown);
        if ctx.time < until {
            return Err(AidRejection::CooldownActive { until }.into());
        }
    }
    let deadline = ctx.time.plus(guidelines.vote_duration);
    let request = AidRequest {
        id,
        pool: *pool_id,
        member: *author,
        amount,
        reason: reason.to_string(),
        created: ctx.time,
        approval: guidelines.approval,
        deadline,
        assessments: Vec::new(),
        status: RequestStatus::Open,
        decided: None,
        paid: Kc::ZERO,
        paid_in_full: None,
    };
    match guidelines.approval {
        Approval::Assessors => schedule::add(store, deadline_item(&request)),
        Approval::CommunityVote | Approval::Council => governance::open_decision(
            store,
            ctx,
            governance::Decision {
                id,
                author: *author,
                kind: ProposalKind::Aid,
                title: format!("Aid: {amount} from the {} pool", pool.name),
                text: reason.to_string(),
                subject: Subject::AidRequest {
                    request: id,
                    requester: *author,
                },
                council: guidelines.approval == Approval::Council,
                closes: deadline,
            },
        )?,
    }
    save_request(store, &request);
    standing.open = Some(id);
    save_standing(store, pool_id, author, &standing);
    pool.stats.requests += 1;
    save_pool(store, &pool);
    Ok(())
}

fn deadline_item(request: &AidRequest) -> DueItem {
    DueItem {
        at: request.deadline,
        kind: DueKind::AidDeadline,
        id: request.id,
    }
}

fn open_request<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<AidRequest, ApplyError> {
    let request = load_request(store, id)?;
    if request.status != RequestStatus::Open {
        return Err(AidRejection::RequestNotOpen {
            status: request.status,
        }
        .into());
    }
    Ok(request)
}

fn withdraw<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
) -> Result<(), ApplyError> {
    let request = open_request(store, id)?;
    if request.member != *author {
        return Err(AidRejection::NotRequester.into());
    }
    match request.approval {
        Approval::Assessors => schedule::remove(store, deadline_item(&request)),
        Approval::CommunityVote | Approval::Council => governance::end_early(store, ctx, id)?,
    }
    close(store, ctx, request, RequestStatus::Withdrawn)
}

fn assess<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
    approve: bool,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut request = open_request(store, id)?;
    let pool = load_pool(store, &request.pool)?;
    let guidelines = pool.guidelines(ctx);
    if request.approval != Approval::Assessors || !guidelines.assessors.contains(author) {
        return Err(AidRejection::NotAssessor.into());
    }
    if request.member == *author {
        return Err(AidRejection::OwnRequest.into());
    }
    if request.assessments.iter().any(|(who, _)| who == author) {
        return Err(AidRejection::AlreadyAssessed.into());
    }
    request.assessments.push((*author, approve));
    let outcome = super::assessed(
        &request.assessments,
        guidelines.assessors.len(),
        guidelines.assessors_needed,
    );
    match outcome {
        Assessed::Open => {
            save_request(store, &request);
            Ok(())
        }
        Assessed::Approved => {
            schedule::remove(store, deadline_item(&request));
            approve_request(store, ctx, request)
        }
        Assessed::Rejected => {
            schedule::remove(store, deadline_item(&request));
            close(store, ctx, request, RequestStatus::Rejected)
        }
    }
}

/// The assessors' time ran out: an open request is refused.
pub fn deadline<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
) -> Result<(), ApplyError> {
    match request(store, id)? {
        Some(request) if request.status == RequestStatus::Open => {
            close(store, ctx, request, RequestStatus::Rejected)
        }
        _ => Ok(()),
    }
}

/// A request's vote closed.
pub fn decided<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
    verdict: &Verdict,
) -> Result<(), ApplyError> {
    let Some(request) = request(store, id)? else {
        return Ok(());
    };
    if request.status != RequestStatus::Open {
        return Ok(());
    }
    match verdict {
        Verdict::Passed => approve_request(store, ctx, request),
        Verdict::Withdrawn => Ok(()),
        _ => close(store, ctx, request, RequestStatus::Rejected),
    }
}

/// Closes an open request without payment.
fn close<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut request: AidRequest,
    status: RequestStatus,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &request.pool)?;
    match status {
        RequestStatus::Withdrawn => pool.stats.withdrawn += 1,
        _ => pool.stats.rejected += 1,
    }
    request.status = status;
    request.decided = Some(ctx.time);
    let mut standing = standing(store, &request.pool, &request.member)?;
    standing.open = None;
    save_standing(store, &request.pool, &request.member, &standing);
    save_request(store, &request);
    save_pool(store, &pool);
    Ok(())
}

/// Approves a request: it joins the pool's line and is paid as far as
/// the money goes.
fn approve_request<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut request: AidRequest,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &request.pool)?;
    pool.stats.approved += 1;
    pool.stats.outstanding = Kc(pool.stats.outstanding.0.saturating_add(request.amount.0));
    save_pool(store, &pool);
    request.status = RequestStatus::Approved;
    request.decided = Some(ctx.time);
    save_request(store, &request);
    let mut standing = standing(store, &request.pool, &request.member)?;
    standing.open = None;
    standing.last_granted = Some(ctx.time);
    save_standing(store, &request.pool, &request.member, &standing);
    payout::enqueue(
        store,
        &request.pool,
        &Payout {
            id: request.id,
            member: request.member,
            owed: request.amount,
            approved: ctx.time,
        },
    )?;
    pay_line(store, ctx, &request.pool)
}

/// Pays the pool's line and records what was paid.
fn pay_line<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    pool_id: &Hash,
) -> Result<(), ApplyError> {
    let settled = payout::settle(store, ctx, pool_id)?;
    if settled.is_empty() {
        return Ok(());
    }
    let mut pool = load_pool(store, pool_id)?;
    for s in settled {
        let mut request = load_request(store, &s.id)?;
        request.paid = Kc(request.paid.0 + s.paid.0);
        pool.stats.paid = Kc(pool.stats.paid.0.saturating_add(s.paid.0));
        pool.stats.outstanding = Kc(pool.stats.outstanding.0 - s.paid.0);
        if s.complete {
            request.status = RequestStatus::Paid;
            request.paid_in_full = Some(ctx.time);
            pool.stats.paid_in_full += 1;
            pool.stats.response_ms = pool
                .stats
                .response_ms
                .saturating_add(ctx.time.0.saturating_sub(request.created.0));
        }
        save_request(store, &request);
    }
    save_pool(store, &pool);
    Ok(())
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
    rules: &crate::community::Rules,
    pool: AidPool,
) -> Result<AidPoolView, StoreError> {
    Ok(AidPoolView {
        guidelines: pool.guidelines.clone().unwrap_or_else(|| rules.aid.clone()),
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
