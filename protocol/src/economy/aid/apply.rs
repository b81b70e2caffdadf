//! Applying the aid domain's actions, due items and decisions.

use crate::action::{Action, MAX_REASON_LEN};
use crate::analytics;
use crate::community::MAX_NAME_LEN;
use crate::crypto::{Hash, PublicKey};
use crate::economy::payout::{self, Payout};
use crate::economy::{Approval, Ask, AssessError, Panel, ledger};
use crate::governance::{ProposalKind, Subject};

use crate::state::membership::active_member;
use crate::state::records::{Account, StateRead};
use crate::state::schedule::{self, DueItem, DueKind};
use crate::state::store::{StoreError, StoreMut};
use crate::state::{ApplyError, Context, Rejection, governance};
use crate::units::Kc;

use super::tables::*;
use super::*;

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
        .validate()
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

pub(super) fn contribute<S: StoreMut + ?Sized>(
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
    ledger::pay_from_member(store, ctx, author, &Account::Pool(*id), amount)?;
    pool.stats.contributed = Kc(pool.stats.contributed.0.saturating_add(amount.0));
    pool.stats.contributions += 1;
    analytics::count(store, ctx.time, |m| m.aid_contributed.0 += amount.0)?;
    save_pool(store, &pool);
    pay_line(store, ctx, id)
}

pub(super) fn ask<S: StoreMut + ?Sized>(
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
    let guidelines = pool.guidelines(&ctx.rules).clone();
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
    analytics::count(store, ctx.time, |m| m.aid_requests += 1)?;
    save_pool(store, &pool);
    Ok(())
}

pub(super) fn deadline_item(request: &AidRequest) -> DueItem {
    DueItem {
        at: request.deadline,
        kind: DueKind::AidDeadline,
        id: request.id,
    }
}

pub(super) fn open_request<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<AidRequest, ApplyError> {
    let request = load_request(store, id)?;
    if request.status != RequestStatus::Open {
        return Err(AidRejection::RequestNotOpen {
            status: request.status,
        }
        .into());
    }
    Ok(request)
}

pub(super) fn withdraw<S: StoreMut + ?Sized>(
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

pub(super) fn assess<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
    approve: bool,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut request = open_request(store, id)?;
    let pool = load_pool(store, &request.pool)?;
    let guidelines = pool.guidelines(&ctx.rules);
    let panel = Panel {
        approval: request.approval,
        assessors: &guidelines.assessors,
        needed: guidelines.assessors_needed,
        asker: &request.member,
    };
    let outcome = panel
        .assess(&mut request.assessments, author, approve)
        .map_err(|e| match e {
            AssessError::NotAssessor => AidRejection::NotAssessor,
            AssessError::Own => AidRejection::OwnRequest,
            AssessError::Already => AidRejection::AlreadyAssessed,
        })?;
    crate::economy::settle_assessment(store, ctx, request, outcome)
}

impl Ask for AidRequest {
    fn load<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Self>, StoreError> {
        request(store, id)
    }

    fn is_open(&self) -> bool {
        self.status == RequestStatus::Open
    }

    fn deadline_item(&self) -> DueItem {
        deadline_item(self)
    }

    fn save<S: StoreMut + ?Sized>(&self, store: &mut S) {
        save_request(store, self);
    }

    fn approve<S: StoreMut + ?Sized>(self, store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
        approve_request(store, ctx, self)
    }

    fn refuse<S: StoreMut + ?Sized>(self, store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
        close(store, ctx, self, RequestStatus::Rejected)
    }
}

/// Closes an open request without payment.
pub(super) fn close<S: StoreMut + ?Sized>(
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
pub(super) fn approve_request<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut request: AidRequest,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &request.pool)?;
    pool.stats.approved += 1;
    analytics::count(store, ctx.time, |m| m.aid_approved += 1)?;
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

/// Pays the pool's line and records what was paid (after money came
/// into the pool).
pub fn pay_line<S: StoreMut + ?Sized>(
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
            let waited = ctx.time.0.saturating_sub(request.created.0);
            pool.stats.response_ms = pool.stats.response_ms.saturating_add(waited);
            analytics::count(store, ctx.time, |m| {
                m.aid_paid_in_full += 1;
                m.aid_response_ms = m.aid_response_ms.saturating_add(waited);
            })?;
        }
        save_request(store, &request);
    }
    save_pool(store, &pool);
    Ok(())
}
