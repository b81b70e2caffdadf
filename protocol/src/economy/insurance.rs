//! Insurance pools (DESIGN §6.3): health, property, income and care
//! pools created by vote. Enrolled members pay a premium each period
//! (collected by `Due` records); a member who cannot pay lapses after the
//! grace the rules give. A claim is eligible when its member is enrolled,
//! their premiums are current, the waiting period is over and the caps
//! allow it; it is assessed by appointed assessors (k of n), the council
//! or a community vote — never by the claimant — and paid once, never
//! beyond the pool's balance.

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

/// Domain-separation context of enrolment ids.
pub const ENROLMENT_CONTEXT: &str = "hearth v1 enrolment";

/// The window of the annual cap and of the payout ratio.
pub const YEAR: Millis = Millis::days(365);

/// How long after a failed premium collection it is tried again (within
/// the grace).
pub const PREMIUM_RETRY: Millis = Millis::days(1);

/// Insurance rules common to every pool.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InsuranceRules {
    /// How long a member may owe a premium before their cover lapses.
    pub grace: Millis,
}

impl Default for InsuranceRules {
    fn default() -> Self {
        InsuranceRules {
            grace: Millis::days(7),
        }
    }
}

impl InsuranceRules {
    /// Checks the rules.
    pub fn validate(&self) -> Result<(), crate::community::InvalidRules> {
        Ok(())
    }
}

/// What a pool insures.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    /// Health.
    Health,
    /// Property.
    Property,
    /// Loss of income.
    Income,
    /// Care.
    Care,
}

impl Cover {
    /// Parses `health`, `property`, `income` or `care`.
    pub fn parse(text: &str) -> Option<Cover> {
        match text {
            "health" => Some(Cover::Health),
            "property" => Some(Cover::Property),
            "income" => Some(Cover::Income),
            "care" => Some(Cover::Care),
            _ => None,
        }
    }
}

/// A pool's terms, fixed by the vote that created it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Terms {
    /// The premium per period.
    pub premium: Kc,
    /// The period (default 30 days).
    pub period: Millis,
    /// How long after enrolling a member may first claim.
    pub waiting: Millis,
    /// Largest single claim.
    pub cap_per_claim: Kc,
    /// Most a member may be granted in 365 days.
    pub cap_per_year: Kc,
    /// How claims are approved (appointed assessors by default).
    pub approval: Approval,
    /// The appointed assessors.
    pub assessors: Vec<PublicKey>,
    /// Approving assessors needed (k of n).
    pub assessors_needed: u32,
    /// How long an assessment or vote runs.
    pub decision_time: Millis,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            premium: Kc::whole(10),
            period: Millis::days(30),
            waiting: Millis::days(30),
            cap_per_claim: Kc::whole(500),
            cap_per_year: Kc::whole(1000),
            approval: Approval::Assessors,
            assessors: Vec::new(),
            assessors_needed: 1,
            decision_time: Millis::days(7),
        }
    }
}

impl Terms {
    /// Checks the terms.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.premium.0 <= 0 {
            return Err("the premium must be positive");
        }
        if self.period.0 == 0 || self.decision_time.0 == 0 {
            return Err("the period and the decision time must be positive");
        }
        if self.cap_per_claim.0 <= 0 || self.cap_per_year < self.cap_per_claim {
            return Err("the caps must be positive, the annual one at least the per-claim one");
        }
        super::check_panel(self.approval, &self.assessors, self.assessors_needed)
    }
}

/// Insurance actions (local log).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InsuranceAction {
    /// A member enrols, consenting to the pool's premiums (the first is
    /// paid at once).
    Enrol {
        /// The pool.
        pool: Hash,
    },
    /// A member ends their cover.
    Leave {
        /// The pool.
        pool: Hash,
    },
    /// A member claims; the claim id is this action's id.
    Claim {
        /// The pool.
        pool: Hash,
        /// How much.
        amount: Kc,
        /// What happened.
        reason: String,
        /// The blake3 hash of the evidence (the file stays with the member).
        evidence: Option<Hash>,
    },
    /// The claimant withdraws an open claim.
    Withdraw {
        /// The claim.
        claim: Hash,
    },
    /// An appointed assessor approves or refuses a claim.
    Assess {
        /// The claim.
        claim: Hash,
        /// Whether they approve.
        approve: bool,
    },
}

impl InsuranceAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            InsuranceAction::Enrol { .. } => "insurance_enrol",
            InsuranceAction::Leave { .. } => "insurance_leave",
            InsuranceAction::Claim { .. } => "insurance_claim",
            InsuranceAction::Withdraw { .. } => "insurance_withdraw",
            InsuranceAction::Assess { .. } => "insurance_assess",
        }
    }

    /// The log insurance actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// Why an insurance action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InsuranceRejection {
    /// No insurance pool with this id.
    #[error("no insurance pool {pool}")]
    UnknownPool {
        /// The id.
        pool: Hash,
    },
    /// The member is already enrolled.
    #[error("already enrolled in this pool")]
    AlreadyEnrolled,
    /// The member is not enrolled (or their cover lapsed).
    #[error("not enrolled in this pool{}", lapsed.as_ref().map(|l| format!(": cover lapsed — {l}")).unwrap_or_default())]
    NotEnrolled {
        /// Why the cover lapsed, if it did.
        lapsed: Option<String>,
    },
    /// A premium is owed.
    #[error("a premium has been owed since {since}: pay it (have the balance) before claiming")]
    PremiumsNotCurrent {
        /// Since when.
        since: Timestamp,
    },
    /// The waiting period is not over.
    #[error("the waiting period runs until {until}")]
    WaitingPeriod {
        /// When it ends.
        until: Timestamp,
    },
    /// The claim exceeds the per-claim cap.
    #[error("this pool pays at most {cap} per claim")]
    OverClaimCap {
        /// The cap.
        cap: Kc,
    },
    /// The claim would exceed the annual cap.
    #[error("this pool grants at most {cap} per member in 365 days; {used} already granted")]
    OverAnnualCap {
        /// The cap.
        cap: Kc,
        /// Granted in the window.
        used: Kc,
    },
    /// The member already has an open claim with this pool.
    #[error("claim {claim} to this pool is still open: one open claim per member and pool")]
    OpenClaimExists {
        /// The open claim.
        claim: Hash,
    },
    /// No claim with this id.
    #[error("no insurance claim {claim}")]
    UnknownClaim {
        /// The id.
        claim: Hash,
    },
    /// The claim is no longer open.
    #[error("the claim is {status}, no longer open")]
    ClaimNotOpen {
        /// Its status.
        status: ClaimStatus,
    },
    /// Only the claimant may withdraw.
    #[error("only the member who claimed may withdraw a claim")]
    NotClaimant,
    /// The pool's claims are not assessed by appointed assessors, or this
    /// member is not one of them.
    #[error("only the pool's appointed assessors assess its claims")]
    NotAssessor,
    /// Nobody assesses their own claim.
    #[error("a member never assesses their own claim")]
    OwnClaim,
    /// The assessor already assessed this claim.
    #[error("you already assessed this claim")]
    AlreadyAssessed,
    /// A new pool's name or terms are invalid.
    #[error("invalid insurance pool: {reason}")]
    InvalidPool {
        /// What is wrong.
        reason: String,
    },
}

impl InsuranceRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InsuranceRejection::UnknownPool { .. } => "unknown_pool",
            InsuranceRejection::AlreadyEnrolled => "already_enrolled",
            InsuranceRejection::NotEnrolled { .. } => "not_enrolled",
            InsuranceRejection::PremiumsNotCurrent { .. } => "premiums_not_current",
            InsuranceRejection::WaitingPeriod { .. } => "waiting_period",
            InsuranceRejection::OverClaimCap { .. } => "over_claim_cap",
            InsuranceRejection::OverAnnualCap { .. } => "over_annual_cap",
            InsuranceRejection::OpenClaimExists { .. } => "open_claim_exists",
            InsuranceRejection::UnknownClaim { .. } => "unknown_claim",
            InsuranceRejection::ClaimNotOpen { .. } => "claim_not_open",
            InsuranceRejection::NotClaimant => "not_claimant",
            InsuranceRejection::NotAssessor => "not_assessor",
            InsuranceRejection::OwnClaim => "own_claim",
            InsuranceRejection::AlreadyAssessed => "already_assessed",
            InsuranceRejection::InvalidPool { .. } => "invalid_pool",
        }
    }
}

impl From<InsuranceRejection> for ApplyError {
    fn from(r: InsuranceRejection) -> Self {
        ApplyError::Rejected(Rejection::Insurance(r))
    }
}

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
    fn month(&mut self, time: Timestamp) -> &mut MonthFigures {
        let month = super::income::month_index(time);
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
        let this = super::income::month_index(now);
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
    /// Claims granted in the last 365 days: (when, how much).
    pub granted: Vec<(Timestamp, Kc)>,
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

fn pool_key(id: &Hash) -> Vec<u8> {
    records::key(table::INSURANCE_POOL, &id.0)
}

fn enrolment_key(id: &Hash) -> Vec<u8> {
    records::key(table::ENROLMENT, &id.0)
}

fn claim_key(id: &Hash) -> Vec<u8> {
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

fn load_pool<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<InsurancePool, ApplyError> {
    pool(store, id)?.ok_or_else(|| InsuranceRejection::UnknownPool { pool: *id }.into())
}

fn load_claim<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Claim, ApplyError> {
    claim(store, id)?.ok_or_else(|| InsuranceRejection::UnknownClaim { claim: *id }.into())
}

fn save_pool<S: StoreMut + ?Sized>(store: &mut S, pool: &InsurancePool) {
    records::write(store, pool_key(&pool.id), pool);
}

fn save_enrolment<S: StoreMut + ?Sized>(store: &mut S, e: &Enrolment) {
    records::write(store, enrolment_key(&enrolment_id(&e.pool, &e.member)), e);
}

fn save_claim<S: StoreMut + ?Sized>(store: &mut S, claim: &Claim) {
    records::write(store, claim_key(&claim.id), claim);
}

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

fn premium_item(e: &Enrolment) -> DueItem {
    DueItem {
        at: e.next_due,
        kind: DueKind::Premium,
        id: enrolment_id(&e.pool, &e.member),
    }
}

fn enrol<S: StoreMut + ?Sized>(
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
    ledger::pay_from_member(store, &ctx.rules, author, &Account::Pool(*pool_id), premium)?;
    pool.stats.premiums = Kc(pool.stats.premiums.0.saturating_add(premium.0));
    pool.stats.month(ctx.time).premiums.0 += premium.0;
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

fn active_enrolment<S: StateRead + ?Sized>(
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

fn leave<S: StoreMut + ?Sized>(
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
    match ledger::pay_from_member(
        store,
        &ctx.rules,
        &e.member,
        &Account::Pool(e.pool),
        premium,
    ) {
        Ok(()) => {
            pool.stats.premiums = Kc(pool.stats.premiums.0.saturating_add(premium.0));
            pool.stats.month(ctx.time).premiums.0 += premium.0;
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
fn make_claim<S: StoreMut + ?Sized>(
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

fn granted_in_year(e: &Enrolment, now: Timestamp) -> Kc {
    let from = now.0.saturating_sub(YEAR.0);
    Kc(e.granted
        .iter()
        .filter(|(at, _)| at.0 > from)
        .fold(0i64, |sum, (_, k)| sum.saturating_add(k.0)))
}

fn deadline_item(claim: &Claim) -> DueItem {
    DueItem {
        at: claim.deadline,
        kind: DueKind::ClaimDeadline,
        id: claim.id,
    }
}

fn open_claim<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Claim, ApplyError> {
    let claim = load_claim(store, id)?;
    if claim.status != ClaimStatus::Open {
        return Err(InsuranceRejection::ClaimNotOpen {
            status: claim.status,
        }
        .into());
    }
    Ok(claim)
}

fn withdraw<S: StoreMut + ?Sized>(
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

fn assess<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
    approve: bool,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut claim = open_claim(store, id)?;
    let pool = load_pool(store, &claim.pool)?;
    if claim.approval != Approval::Assessors || !pool.terms.assessors.contains(author) {
        return Err(InsuranceRejection::NotAssessor.into());
    }
    if claim.member == *author {
        return Err(InsuranceRejection::OwnClaim.into());
    }
    if claim.assessments.iter().any(|(who, _)| who == author) {
        return Err(InsuranceRejection::AlreadyAssessed.into());
    }
    claim.assessments.push((*author, approve));
    match super::assessed(
        &claim.assessments,
        pool.terms.assessors.len(),
        pool.terms.assessors_needed,
    ) {
        Assessed::Open => {
            save_claim(store, &claim);
            Ok(())
        }
        Assessed::Approved => {
            schedule::remove(store, deadline_item(&claim));
            approve_claim(store, ctx, claim)
        }
        Assessed::Rejected => {
            schedule::remove(store, deadline_item(&claim));
            close(store, ctx, claim, ClaimStatus::Rejected)
        }
    }
}

/// The assessors' time ran out: an open claim is refused.
pub fn deadline<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
) -> Result<(), ApplyError> {
    match claim(store, id)? {
        Some(claim) if claim.status == ClaimStatus::Open => {
            close(store, ctx, claim, ClaimStatus::Rejected)
        }
        _ => Ok(()),
    }
}

/// A claim's vote closed.
pub fn decided<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
    verdict: &Verdict,
) -> Result<(), ApplyError> {
    let Some(claim) = claim(store, id)? else {
        return Ok(());
    };
    if claim.status != ClaimStatus::Open {
        return Ok(());
    }
    match verdict {
        Verdict::Passed => approve_claim(store, ctx, claim),
        Verdict::Withdrawn => Ok(()),
        _ => close(store, ctx, claim, ClaimStatus::Rejected),
    }
}

fn clear_open_claim<S: StoreMut + ?Sized>(
    store: &mut S,
    claim: &Claim,
    granted: Option<(Timestamp, Kc)>,
) -> Result<(), ApplyError> {
    if let Some(mut e) = enrolment(store, &claim.pool, &claim.member)? {
        e.open_claim = None;
        if let Some((at, amount)) = granted {
            let from = at.0.saturating_sub(YEAR.0);
            e.granted.retain(|(t, _)| t.0 > from);
            e.granted.push((at, amount));
        }
        save_enrolment(store, &e);
    }
    Ok(())
}

fn close<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut claim: Claim,
    status: ClaimStatus,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &claim.pool)?;
    if status == ClaimStatus::Rejected {
        pool.stats.processed += 1;
    }
    claim.status = status;
    claim.decided = Some(ctx.time);
    clear_open_claim(store, &claim, None)?;
    save_claim(store, &claim);
    save_pool(store, &pool);
    Ok(())
}

fn approve_claim<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    mut claim: Claim,
) -> Result<(), ApplyError> {
    let mut pool = load_pool(store, &claim.pool)?;
    pool.stats.processed += 1;
    pool.stats.approved += 1;
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
        let mut claim = load_claim(store, &s.id)?;
        claim.paid = Kc(claim.paid.0 + s.paid.0);
        pool.stats.paid = Kc(pool.stats.paid.0.saturating_add(s.paid.0));
        pool.stats.outstanding = Kc(pool.stats.outstanding.0 - s.paid.0);
        pool.stats.month(ctx.time).paid.0 += s.paid.0;
        if s.complete {
            claim.status = ClaimStatus::Paid;
        }
        save_claim(store, &claim);
    }
    save_pool(store, &pool);
    Ok(())
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
