//! The community economy (DESIGN §6): one module per domain, each owning
//! its actions, rules, records, rejections, apply functions, queries, due
//! handlers and decision effects. This module holds what the domains share
//! — how a request is approved — and the few lines that route scheduled
//! effects and decisions to their domain.

pub mod aid;
pub mod income;
pub mod insurance;
pub mod learning;
pub mod ledger;
pub mod payout;
pub mod skills;
pub mod spaces;
pub mod time_bank;
pub mod tools;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::governance::Subject;
use crate::state::decide::Verdict;
use crate::state::governance::ProposalRecord;
use crate::state::schedule::{DueItem, DueKind};
use crate::state::store::{StoreError, StoreMut};
use crate::state::{ApplyError, Context, StateRead};

/// How an aid request or insurance claim is approved.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// A community vote (the local level's method), opened by the request.
    #[serde(alias = "vote")]
    CommunityVote,
    /// A council decision, opened by the request.
    Council,
    /// `k` of the pool's `n` appointed assessors approve.
    Assessors,
}

impl Approval {
    /// The word for it: `vote`, `council` or `assessors`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Approval::CommunityVote => "vote",
            Approval::Council => "council",
            Approval::Assessors => "assessors",
        }
    }

    /// Parses `vote`, `council` or `assessors`.
    pub fn parse(text: &str) -> Option<Approval> {
        match text {
            "vote" | "community_vote" => Some(Approval::CommunityVote),
            "council" => Some(Approval::Council),
            "assessors" => Some(Approval::Assessors),
            _ => None,
        }
    }
}

/// Checks a panel of appointed assessors: valid, distinct keys, and
/// `1 <= needed <= n` when the approval is by assessors.
pub fn check_panel(
    approval: Approval,
    assessors: &[PublicKey],
    needed: u32,
) -> Result<(), &'static str> {
    let mut seen = std::collections::BTreeSet::new();
    for key in assessors {
        if key.verifying_key().is_err() {
            return Err("every assessor key must be a valid, strong key");
        }
        if !seen.insert(key) {
            return Err("an assessor is named twice");
        }
    }
    if approval == Approval::Assessors && (needed == 0 || needed as usize > assessors.len()) {
        return Err("approval by assessors needs 1 to n of the n assessors named");
    }
    Ok(())
}

/// The assessments made so far, and what they decide.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Assessed {
    /// Not decided yet.
    Open,
    /// `needed` assessors approved.
    Approved,
    /// So many refused that `needed` approvals can no longer be reached.
    Rejected,
}

/// Why an assessment is not taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AssessError {
    /// The request is not decided by assessors, or the author is not one.
    NotAssessor,
    /// The author asked for the money themselves.
    Own,
    /// The author already assessed it.
    Already,
}

/// A panel's decision on one open request or claim.
#[derive(Debug)]
pub struct Panel<'a> {
    /// How the request is decided.
    pub approval: Approval,
    /// The appointed assessors.
    pub assessors: &'a [PublicKey],
    /// Approvals needed.
    pub needed: u32,
    /// Who asked for the money.
    pub asker: &'a PublicKey,
}

impl Panel<'_> {
    /// Records `author`'s verdict in `assessments` and returns what the
    /// assessments now decide: only an appointed assessor assesses, never
    /// their own request, and once.
    pub fn assess(
        &self,
        assessments: &mut Vec<(PublicKey, bool)>,
        author: &PublicKey,
        approve: bool,
    ) -> Result<Assessed, AssessError> {
        if self.approval != Approval::Assessors || !self.assessors.contains(author) {
            return Err(AssessError::NotAssessor);
        }
        if self.asker == author {
            return Err(AssessError::Own);
        }
        if assessments.iter().any(|(who, _)| who == author) {
            return Err(AssessError::Already);
        }
        assessments.push((*author, approve));
        Ok(assessed(assessments, self.assessors.len(), self.needed))
    }
}

/// A request for a pool's money — an aid request or an insurance claim —
/// as the shared parts of its life see it: decided by assessors, by a
/// deadline, or by its vote, then approved (paid in line) or closed.
pub trait Ask: Sized {
    /// Reads it.
    fn load<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Self>, StoreError>;
    /// Whether it still waits for its decision.
    fn is_open(&self) -> bool;
    /// When its assessors' time runs out.
    fn deadline_item(&self) -> DueItem;
    /// Records it as it stands (an assessment was added).
    fn save<S: StoreMut + ?Sized>(&self, store: &mut S);
    /// Approves it: it joins its pool's payout line.
    fn approve<S: StoreMut + ?Sized>(self, store: &mut S, ctx: &Context) -> Result<(), ApplyError>;
    /// Refuses it: it closes unpaid.
    fn refuse<S: StoreMut + ?Sized>(self, store: &mut S, ctx: &Context) -> Result<(), ApplyError>;
}

/// Carries out what an assessment decided about `ask`.
pub fn settle_assessment<S: StoreMut + ?Sized, A: Ask>(
    store: &mut S,
    ctx: &Context,
    ask: A,
    outcome: Assessed,
) -> Result<(), ApplyError> {
    match outcome {
        Assessed::Open => {
            ask.save(store);
            Ok(())
        }
        Assessed::Approved => {
            crate::state::schedule::remove(store, ask.deadline_item());
            ask.approve(store, ctx)
        }
        Assessed::Rejected => {
            crate::state::schedule::remove(store, ask.deadline_item());
            ask.refuse(store, ctx)
        }
    }
}

/// The assessors' time for `id` ran out: still open, it is refused.
pub fn deadline<S: StoreMut + ?Sized, A: Ask>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
) -> Result<(), ApplyError> {
    match A::load(store, id)? {
        Some(ask) if ask.is_open() => ask.refuse(store, ctx),
        _ => Ok(()),
    }
}

/// The vote on `id` closed: a pass approves it, a failure refuses it (a
/// withdrawn one was closed when it was withdrawn).
pub fn voted<S: StoreMut + ?Sized, A: Ask>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
    verdict: &Verdict,
) -> Result<(), ApplyError> {
    match A::load(store, id)? {
        Some(ask) if ask.is_open() => match verdict {
            Verdict::Passed => ask.approve(store, ctx),
            Verdict::Withdrawn => Ok(()),
            _ => ask.refuse(store, ctx),
        },
        _ => Ok(()),
    }
}

/// What a panel's assessments decide: approved once `needed` approve,
/// rejected once more than `n - needed` refuse.
pub fn assessed(assessments: &[(PublicKey, bool)], n: usize, needed: u32) -> Assessed {
    let yes = assessments.iter().filter(|(_, a)| *a).count();
    let no = assessments.len() - yes;
    if yes >= needed as usize {
        Assessed::Approved
    } else if no > n.saturating_sub(needed as usize) {
        Assessed::Rejected
    } else {
        Assessed::Open
    }
}

/// Settles one scheduled effect in its domain.
pub fn on_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    item: &DueItem,
) -> Result<(), ApplyError> {
    match item.kind {
        DueKind::Close => Err(ApplyError::Misfit("a close is sealed as a close record")),
        DueKind::AidDeadline => deadline::<_, aid::AidRequest>(store, ctx, &item.id),
        DueKind::ClaimDeadline => deadline::<_, insurance::Claim>(store, ctx, &item.id),
        DueKind::Premium => insurance::premium_due(store, ctx, &item.id),
        DueKind::IncomeMonth => income::month_due(store, ctx, item),
        DueKind::TimeLogExpiry => time_bank::expiry_due(store, ctx, &item.id),
        DueKind::LoanOverdue => tools::overdue_due(store, &item.id),
        DueKind::HoldPickup => tools::pickup_due(store, ctx, item),
        DueKind::ToolMaintenance => tools::maintenance_due(store, ctx, item),
    }
}

/// Carries out what a decided proposal means for the economy.
pub fn decided<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    record: &ProposalRecord,
    verdict: &Verdict,
) -> Result<(), ApplyError> {
    let passed = *verdict == Verdict::Passed;
    match &record.proposal.subject {
        Subject::AidPool { name, guidelines } if passed => {
            aid::create_pool(store, ctx, record.id, name, guidelines)
        }
        Subject::InsurancePool { name, cover, terms } if passed => {
            insurance::create_pool(store, ctx, record.id, name, *cover, terms)
        }
        Subject::AidRequest { request, .. } => {
            voted::<_, aid::AidRequest>(store, ctx, request, verdict)
        }
        Subject::Claim { claim, .. } => voted::<_, insurance::Claim>(store, ctx, claim, verdict),
        _ => Ok(()),
    }
}

/// What the economy sets up when a community is founded: the emergency
/// pool and the first month of the income schedule.
pub fn found<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
    aid::found(store, ctx)?;
    income::found(store, ctx);
    Ok(())
}

/// Checks that each of a pool's requests or claims was paid at most its
/// amount and that the pool's record of what it paid is their sum.
fn check_paid<'a>(
    problems: &mut Vec<String>,
    what: &str,
    items_word: &str,
    name: &str,
    recorded: crate::units::Kc,
    items: impl Iterator<Item = (&'a str, Hash, crate::units::Kc, crate::units::Kc)>,
) {
    let mut total = 0i64;
    for (kind, id, paid, amount) in items {
        if paid.0 < 0 || paid > amount {
            problems.push(format!("{kind} {id} was paid {paid} of {amount}"));
        }
        total = total.saturating_add(paid.0);
    }
    if recorded.0 != total {
        problems.push(format!(
            "{what} {name} records {recorded} paid, its {items_word} {}",
            crate::units::Kc(total)
        ));
    }
}

/// What a replayed state must show about money, beyond what replay checks
/// entry by entry: the sum of all balances is zero, no pool or escrow is
/// below zero, and every request and claim was paid at most what was
/// approved, with each pool's record of what it paid matching them, and
/// the time bank's totals are what its confirmed shares add up to, and
/// every tool loan's escrow holds its deposit while open and nothing once
/// closed.
/// Returns what is wrong (nothing, for a sound state).
pub fn audit<S: crate::state::StateRead + ?Sized>(
    store: &S,
) -> Result<Vec<String>, crate::state::StoreError> {
    use crate::state::Account;
    let mut problems = Vec::new();
    let sum = crate::state::ledger_sum(store)?;
    if sum != 0 {
        problems.push(format!("the balances sum to {sum}, not zero"));
    }
    for (account, balance) in store.accounts()? {
        if matches!(account, Account::Pool(_) | Account::Escrow(_)) && balance.0 < 0 {
            problems.push(format!("{account:?} holds {balance}, below zero"));
        }
    }
    let requests = aid::requests(store)?;
    for pool in aid::pools(store)? {
        let paid = requests
            .iter()
            .filter(|r| r.pool == pool.id)
            .map(|r| ("aid request", r.id, r.paid, r.amount));
        check_paid(
            &mut problems,
            "aid pool",
            "requests",
            &pool.name,
            pool.stats.paid,
            paid,
        );
    }
    let claims = insurance::claims(store)?;
    for pool in insurance::pools(store)? {
        let paid = claims
            .iter()
            .filter(|c| c.pool == pool.id)
            .map(|c| ("claim", c.id, c.paid, c.amount));
        check_paid(
            &mut problems,
            "insurance pool",
            "claims",
            &pool.name,
            pool.stats.paid,
            paid,
        );
    }
    time_bank::audit(store, &mut problems)?;
    tools::audit(store, &mut problems)?;
    spaces::audit(store, &mut problems)?;
    learning::audit(store, &mut problems)?;
    Ok(problems)
}
