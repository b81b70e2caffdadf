//! Applying the insurance domain's actions, due items and decisions.

use crate::action::{Action, MAX_REASON_LEN};
use crate::analytics;
use crate::community::MAX_NAME_LEN;
use crate::crypto::{Hash, PublicKey};
use crate::economy::income::month_index;
use crate::economy::payout::{self, Payout};
use crate::economy::{Approval, Ask, AssessError, Panel, ledger};
use crate::governance::{ProposalKind, Subject};

use crate::state::membership::active_member;
use crate::state::records::{self, Account, StateRead};
use crate::state::schedule::{self, DueItem, DueKind};
use crate::state::store::{StoreError, StoreMut};
use crate::state::{ApplyError, Context, Rejection, governance};
use crate::units::{Kc, Timestamp};

use super::tables::*;
use super::*;

/// Applies an insurance action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &InsuranceAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    match body {
        InsuranceAction::Enrol { pool } => enrol(store, ctx, author, pool),
        InsuranceAction::Leave { pool } => leave(store, ctx, author, pool),
        InsuranceAction::Claim {
            pool,
            amount,
            reason,
            evidence,
        } => make_claim(
            store,
            ctx,
            author,
            action.id(),
            pool,
            *amount,
            reason,
            *evidence,
        ),
        InsuranceAction::Withdraw { claim } => withdraw(store, ctx, author, claim),
        InsuranceAction::Assess { claim, approve } => assess(store, ctx, author, claim, *approve),
    }
}

/// Checks a proposed pool's name and terms.
pub fn check_new_pool(name: &str, terms: &Terms) -> Result<(), InsuranceRejection> {
    if name.trim().is_empty() || name.len() > MAX_NAME_LEN {
        return Err(InsuranceRejection::InvalidPool {
            reason: format!("a pool's name has 1 to {MAX_NAME_LEN} bytes"),
        });
    }
    terms
        .validate()
        .map_err(|reason| InsuranceRejection::InvalidPool {
            reason: reason.to_string(),
        })
}

/// A passed proposal creates a pool (its id is the proposal's).
pub fn create_pool<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: Hash,
    name: &str,
    cover: Cover,
    terms: &Terms,
) -> Result<(), ApplyError> {
    if pool(store, &id)?.is_some() {
        return Ok(());
    }
    let pool = InsurancePool {
        id,
        name: name.to_string(),
        cover,
        terms: terms.clone(),
        created: ctx.time,
        stats: InsuranceStats::default(),
    };
    save_pool(store, &pool);
    Ok(())
}

pub(super) fn premium_item(e: &Enrolment) -> DueItem {
    DueItem {
        at: e.next_due,
        kind: DueKind::Premium,
        id: enrolment_id(&e.pool, &e.member),
    }
}

pub(super) fn enrol<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    pool_id: &Hash,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut pool = load_pool(store, pool_id)?;
    let previous = enrolment(store, pool_id, author)?;
    if previous
        .as_ref()
        .is_some_and(|e| e.status == EnrolmentStatus::Active)
    {
        return Err(InsuranceRejection::AlreadyEnrolled.into());
    }
    // The first premium is paid on enrolling: whoever cannot pay it
    // cannot enrol.
    let premium = pool.terms.premium;
    ledger::pay_from_member(store, ctx, author, &Account::Pool(*pool_id), premium)?;
    pool.stats.premiums = Kc(pool.stats.premiums.0.saturating_add(premium.0));
    pool.stats.month(ctx.time).premiums.0 += premium.0;
    analytics::count(store, ctx.time, |m| m.premiums.0 += premium.0)?;
    pool.stats.members += 1;
    let e = Enrolment {
        pool: *pool_id,
        member: *author,
        since: ctx.time,
        paid_through: ctx.time.plus(pool.terms.period),
        owed_since: None,
        next_due: ctx.time.plus(pool.terms.period),
        status: EnrolmentStatus::Active,
        open_claim: previous.as_ref().and_then(|p| p.open_claim),
        granted: previous.map(|p| p.granted).unwrap_or_default(),
    };
    schedule::add(store, premium_item(&e));
    save_enrolment(store, &e);
    save_pool(store, &pool);
    pay_line(store, ctx, pool_id)
}

pub(super) fn active_enrolment<S: StateRead + ?Sized>(
    store: &S,
    pool: &Hash,
    member: &PublicKey,
) -> Result<Enrolment, ApplyError> {
    match enrolment(store, pool, member)? {
        Some(e) if e.status == EnrolmentStatus::Active => Ok(e),
        Some(Enrolment {
            status: EnrolmentStatus::Lapsed { at, reason },
            ..
        }) => Err(InsuranceRejection::NotEnrolled {
            lapsed: Some(format!("{at}: {reason}")),
        }
        .into()),
        _ => Err(InsuranceRejection::NotEnrolled { lapsed: None }.into()),
    }
}

pub(super) fn leave<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    pool_id: &Hash,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, pool_id)?;
    let mut e = active_enrolment(store, pool_id, author)?;
    schedule::remove(store, premium_item(&e));
    e.status = EnrolmentStatus::Left { at: ctx.time };
    e.owed_since = None;
    pool.stats.members = pool.stats.members.saturating_sub(1);
    save_enrolment(store, &e);
    save_pool(store, &pool);
    Ok(())
}

/// An enrolment's premium falls due: it is collected if the member can
/// pay; if not, it is owed, tried again daily, and the cover lapses when
/// the grace has passed.
pub fn premium_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
) -> Result<(), ApplyError> {
    let Some(mut e) = records::read::<Enrolment, _>(store, &enrolment_key(id))? else {
        return Ok(());
    };
    if e.status != EnrolmentStatus::Active {
        return Ok(());
    }
    let mut pool = load_pool(store, &e.pool)?;
    if active_member(store, &e.member).is_err() {
        // A member who left the community leaves its pools too.
        e.status = EnrolmentStatus::Left { at: ctx.time };
        pool.stats.members = pool.stats.members.saturating_sub(1);
        save_enrolment(store, &e);
        save_pool(store, &pool);
        return Ok(());
    }
    let premium = pool.terms.premium;
    match ledger::pay_from_member(store, ctx, &e.member, &Account::Pool(e.pool), premium) {
        Ok(()) => {
            pool.stats.premiums = Kc(pool.stats.premiums.0.saturating_add(premium.0));
            pool.stats.month(ctx.time).premiums.0 += premium.0;
            analytics::count(store, ctx.time, |m| m.premiums.0 += premium.0)?;
            e.paid_through = e.paid_through.plus(pool.terms.period);
            e.owed_since = None;
            e.next_due = e.paid_through;
            schedule::add(store, premium_item(&e));
        }
        Err(ApplyError::Rejected(Rejection::InsufficientFunds { balance, limit, .. })) => {
            let since = *e.owed_since.get_or_insert(e.paid_through);
            let lapses = since.plus(ctx.rules.insurance.grace);
            if ctx.time >= lapses {
                e.status = EnrolmentStatus::Lapsed {
                    at: ctx.time,
                    reason: format!(
                        "the premium of {premium} owed since {since} could not be paid within the grace of {}: balance {balance}, credit limit {limit}",
                        ctx.rules.insurance.grace
                    ),
                };
                pool.stats.members = pool.stats.members.saturating_sub(1);
                pool.stats.lapses += 1;
            } else {
                e.next_due = ctx.time.plus(PREMIUM_RETRY).min(lapses);
                schedule::add(store, premium_item(&e));
            }
        }
        Err(other) => return Err(other),
    }
    save_enrolment(store, &e);
    save_pool(store, &pool);
    pay_line(store, ctx, &e.pool)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn make_claim<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    pool_id: &Hash,
    amount: Kc,
    reason: &str,
    evidence: Option<Hash>,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut pool = load_pool(store, pool_id)?;
    let mut e = active_enrolment(store, pool_id, author)?;
    if amount.0 <= 0 {
        return Err(Rejection::InvalidAmount { amount }.into());
    }
    if reason.len() > MAX_REASON_LEN {
        return Err(Rejection::TextTooLong {
            field: "reason",
            len: reason.len(),
            max: MAX_REASON_LEN,
        }
        .into());
    }
    if let Some(since) = e.owed_since {
        return Err(InsuranceRejection::PremiumsNotCurrent { since }.into());
    }
    let waiting_ends = e.since.plus(pool.terms.waiting);
    if ctx.time < waiting_ends {
        return Err(InsuranceRejection::WaitingPeriod {
            until: waiting_ends,
        }
        .into());
    }
    if amount > pool.terms.cap_per_claim {
        return Err(InsuranceRejection::OverClaimCap {
            cap: pool.terms.cap_per_claim,
        }
        .into());
    }
    if let Some(open) = e.open_claim {
        return Err(InsuranceRejection::OpenClaimExists { claim: open }.into());
    }
    let used = granted_in_year(&e, ctx.time);
    if used.0.saturating_add(amount.0) > pool.terms.cap_per_year.0 {
        return Err(InsuranceRejection::OverAnnualCap {
            cap: pool.terms.cap_per_year,
            used,
        }
        .into());
    }
    let deadline = ctx.time.plus(pool.terms.decision_time);
    let claim = Claim {
        id,
        pool: *pool_id,
        member: *author,
        amount,
        reason: reason.to_string(),
        evidence,
        created: ctx.time,
        approval: pool.terms.approval,
        deadline,
        assessments: Vec::new(),
        status: ClaimStatus::Open,
        decided: None,
        paid: Kc::ZERO,
    };
    match claim.approval {
        Approval::Assessors => schedule::add(store, deadline_item(&claim)),
        Approval::CommunityVote | Approval::Council => governance::open_decision(
            store,
            ctx,
            governance::Decision {
                id,
                author: *author,
                kind: ProposalKind::Claim,
                title: format!("Claim: {amount} from the {} pool", pool.name),
                text: reason.to_string(),
                subject: Subject::Claim {
                    claim: id,
                    claimant: *author,
                },
                council: claim.approval == Approval::Council,
                closes: deadline,
            },
        )?,
    }
    save_claim(store, &claim);
    e.open_claim = Some(id);
    save_enrolment(store, &e);
    pool.stats.claims += 1;
    save_pool(store, &pool);
    Ok(())
}

/// What a member was granted in the 12 months up to `now`: this
/// calendar month and the eleven before.
pub(super) fn granted_in_year(e: &Enrolment, now: Timestamp) -> Kc {
    let this = month_index(now);
    Kc(e.granted
        .iter()
        .filter(|(month, _)| month + 12 > this)
        .fold(0i64, |sum, (_, k)| sum.saturating_add(k.0)))
}

pub(super) fn deadline_item(claim: &Claim) -> DueItem {
    DueItem {
        at: claim.deadline,
        kind: DueKind::ClaimDeadline,
        id: claim.id,
    }
}

pub(super) fn open_claim<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Claim, ApplyError> {
    let claim = load_claim(store, id)?;
    if claim.status != ClaimStatus::Open {
        return Err(InsuranceRejection::ClaimNotOpen {
            status: claim.status,
        }
        .into());
    }
    Ok(claim)
}

pub(super) fn withdraw<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
) -> Result<(), ApplyError> {
    let claim = open_claim(store, id)?;
    if claim.member != *author {
        return Err(InsuranceRejection::NotClaimant.into());
    }
    match claim.approval {
        Approval::Assessors => schedule::remove(store, deadline_item(&claim)),
        Approval::CommunityVote | Approval::Council => governance::end_early(store, ctx, id)?,
    }
    close(store, ctx, claim, ClaimStatus::Withdrawn)
}

pub(super) fn assess<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
    approve: bool,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut claim = open_claim(store, id)?;
    let pool = load_pool(store, &claim.pool)?;
    let panel = Panel {
        approval: claim.approval,
        assessors: &pool.terms.assessors,
        needed: pool.terms.assessors_needed,
        asker: &claim.member,
    };
    let outcome = panel
        .assess(&mut claim.assessments, author, approve)
        .map_err(|e| match e {
            AssessError::NotAssessor => InsuranceRejection::NotAssessor,
            AssessError::Own => InsuranceRejection::OwnClaim,
            AssessError::Already => InsuranceRejection::AlreadyAssessed,
        })?;
    crate::economy::settle_assessment(store, ctx, claim, outcome)
}

impl Ask for Claim {
    fn load<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Self>, StoreError> {
        claim(store, id)
    }

    fn is_open(&self) -> bool {
        self.status == ClaimStatus::Open
    }

    fn deadline_item(&self) -> DueItem {
        deadline_item(self)
    }

    fn save<S: StoreMut + ?Sized>(&self, store: &mut S) {
        save_claim(store, self);
    }

    fn approve<S: StoreMut + ?Sized>(self, store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
        approve_claim(store, ctx, self)
    }

    fn refuse<S: StoreMut + ?Sized>(self, store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
        close(store, ctx, self, ClaimStatus::Rejected)
    }
}

pub(super) fn clear_open_claim<S: StoreMut + ?Sized>(
    store: &mut S,
    claim: &Claim,
    granted: Option<(Timestamp, Kc)>,
) -> Result<(), ApplyError> {
    if let Some(mut e) = enrolment(store, &claim.pool, &claim.member)? {
        e.open_claim = None;
        if let Some((at, amount)) = granted {
            // One total per month, twelve months kept: the record stays
            // small however many claims a member makes.
            let month = month_index(at);
            e.granted.retain(|(m, _)| m + 12 > month);
            match e.granted.last_mut() {
                Some((m, total)) if *m == month => total.0 = total.0.saturating_add(amount.0),
                _ => e.granted.push((month, amount)),
            }
        }
        save_enrolment(store, &e);
    }
    Ok(())
}

pub(super) fn close<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut claim: Claim,
    status: ClaimStatus,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &claim.pool)?;
    if status == ClaimStatus::Rejected {
        pool.stats.processed += 1;
        analytics::count(store, ctx.time, |m| m.claims_processed += 1)?;
    }
    claim.status = status;
    claim.decided = Some(ctx.time);
    clear_open_claim(store, &claim, None)?;
    save_claim(store, &claim);
    save_pool(store, &pool);
    Ok(())
}

pub(super) fn approve_claim<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut claim: Claim,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &claim.pool)?;
    pool.stats.processed += 1;
    pool.stats.approved += 1;
    analytics::count(store, ctx.time, |m| m.claims_processed += 1)?;
    pool.stats.outstanding = Kc(pool.stats.outstanding.0.saturating_add(claim.amount.0));
    save_pool(store, &pool);
    claim.status = ClaimStatus::Approved;
    claim.decided = Some(ctx.time);
    save_claim(store, &claim);
    clear_open_claim(store, &claim, Some((ctx.time, claim.amount)))?;
    payout::enqueue(
        store,
        &claim.pool,
        &Payout {
            id: claim.id,
            member: claim.member,
            owed: claim.amount,
            approved: ctx.time,
        },
    )?;
    pay_line(store, ctx, &claim.pool)
}

pub(super) fn pay_line<S: StoreMut + ?Sized>(
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
        let mut claim = load_claim(store, &s.id)?;
        claim.paid = Kc(claim.paid.0 + s.paid.0);
        pool.stats.paid = Kc(pool.stats.paid.0.saturating_add(s.paid.0));
        pool.stats.outstanding = Kc(pool.stats.outstanding.0 - s.paid.0);
        pool.stats.month(ctx.time).paid.0 += s.paid.0;
        analytics::count(store, ctx.time, |m| m.claims_paid.0 += s.paid.0)?;
        if s.complete {
            claim.status = ClaimStatus::Paid;
        }
        save_claim(store, &claim);
    }
    save_pool(store, &pool);
    Ok(())
}
