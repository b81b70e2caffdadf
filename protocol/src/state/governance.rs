//! Governance in the state machine: proposals and their lifecycle,
//! reviews, projects, nominations, ballots and delegations (DESIGN §7).
//! Stages follow from the proposal's creation time and the rules; "now" is
//! the time of the entry that seals the action.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::action::{Action, MAX_REASON_LEN};
use crate::codec::Canonical;
use crate::community::Method;
use crate::crypto::{Hash, PublicKey};
use crate::governance::{
    Ballot, GovernanceAction, Level, MAX_COMMENT_LEN, MAX_COMMENTS, MAX_OPTIONS, MAX_TEXT_LEN,
    MAX_TITLE_LEN, Moderation, Position, Project, Proposal, ProposalKind, ProposalRef, Schedule,
    Scope, Stage, Subject, Topic, method_of,
};
use crate::tally::choice::quadratic;
use crate::units::Timestamp;

use super::council;
use super::membership::active_member;
use super::records::{self, StateRead, table};
use super::schedule::{self, DueItem, DueKind};
use super::store::{StoreError, StoreMut};
use super::{ApplyError, Context, Rejection};

/// A proposal and where it stands.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct ProposalRecord {
    /// Its id (the id of the action that proposed it).
    pub id: Hash,
    /// Who proposed it.
    pub author: PublicKey,
    /// The proposal, with its text as last amended and any submitted projects.
    pub proposal: Proposal,
    /// When it was sealed.
    pub created: Timestamp,
    /// Its stages.
    pub schedule: Schedule,
    /// How it is decided.
    pub method: Method,
    /// How many times the text was amended.
    pub amendments: u32,
    /// When it was withdrawn, if it was.
    pub withdrawn: Option<Timestamp>,
    /// The latest review of each reviewer: (reviewer, approves).
    pub reviews: Vec<(PublicKey, bool)>,
    /// When a technical proposal's vote opened (enough approving reviews).
    pub vote_opened: Option<Timestamp>,
    /// Election candidates, in nomination order.
    pub nominees: Vec<PublicKey>,
}
impl Canonical for ProposalRecord {}

impl ProposalRecord {
    /// The stage at `now`.
    pub fn stage_at(&self, now: Timestamp) -> Stage {
        if self.withdrawn.is_some() {
            return Stage::Closed;
        }
        self.schedule.stage_at(now, self.vote_opened)
    }

    /// Budget projects (empty for other kinds).
    pub fn projects(&self) -> &[Project] {
        match &self.proposal.subject {
            Subject::Budget { projects, .. } => projects,
            _ => &[],
        }
    }
}

/// A member's latest ballot on a proposal.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct BallotRecord {
    /// The voter.
    pub voter: PublicKey,
    /// The ballot.
    pub ballot: Ballot,
    /// The nonce of the action that cast it (the highest counts).
    pub nonce: u64,
    /// When it was sealed.
    pub cast: Timestamp,
}
impl Canonical for BallotRecord {}

/// A member's current delegation in a scope.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct DelegationRecord {
    /// The delegator.
    pub from: PublicKey,
    /// Where it applies.
    pub scope: Scope,
    /// The delegate.
    pub to: PublicKey,
    /// Since when.
    pub since: Timestamp,
}
impl Canonical for DelegationRecord {}

/// One change of a delegation, kept forever (the graph's history is public).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct DelegationEvent {
    /// The delegator.
    pub from: PublicKey,
    /// Where it applies.
    pub scope: Scope,
    /// The new delegate (`None`: revoked).
    pub to: Option<PublicKey>,
    /// When.
    pub time: Timestamp,
}
impl Canonical for DelegationEvent {}

fn proposal_key(id: &Hash) -> Vec<u8> {
    records::key(table::PROPOSAL, &id.0)
}

fn ballot_key(proposal: &Hash, voter: &PublicKey) -> Vec<u8> {
    let mut id = Vec::with_capacity(64);
    id.extend_from_slice(&proposal.0);
    id.extend_from_slice(&voter.0);
    records::key(table::BALLOT, &id)
}

fn delegation_key(from: &PublicKey, scope: &Scope) -> Vec<u8> {
    let mut id = from.0.to_vec();
    id.extend_from_slice(&crate::codec::encode(scope));
    records::key(table::DELEGATION, &id)
}

/// Reads a proposal.
pub fn proposal<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Option<ProposalRecord>, StoreError> {
    records::read(store, &proposal_key(id))
}

/// Every proposal.
pub fn proposals<S: StateRead + ?Sized>(store: &S) -> Result<Vec<ProposalRecord>, StoreError> {
    decode_all(store, &[table::PROPOSAL])
}

/// Every latest ballot on a proposal, by voter.
pub fn ballots<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Vec<BallotRecord>, StoreError> {
    let mut prefix = vec![table::BALLOT];
    prefix.extend_from_slice(&id.0);
    decode_all(store, &prefix)
}

/// One comment in a proposal's discussion thread.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct CommentRecord {
    /// Its number in the thread, from 1.
    pub number: u32,
    /// The id of the action that made it.
    pub id: Hash,
    /// Who wrote it.
    pub author: PublicKey,
    /// When it was sealed.
    pub time: Timestamp,
    /// The comment.
    pub text: String,
    /// The number of the comment it answers.
    pub reply_to: Option<u32>,
}

impl Canonical for CommentRecord {}

fn thread_key(proposal: &Hash) -> Vec<u8> {
    records::key(table::COMMENT, &proposal.0)
}

fn comment_key(proposal: &Hash, number: u32) -> Vec<u8> {
    let mut key = thread_key(proposal);
    key.extend_from_slice(&number.to_be_bytes());
    key
}

/// How many comments a proposal's thread holds.
pub fn comment_count<S: StateRead + ?Sized>(store: &S, proposal: &Hash) -> Result<u32, StoreError> {
    let count: Option<u64> = records::read(store, &thread_key(proposal))?;
    Ok(count.map_or(0, |c| u32::try_from(c).unwrap_or(u32::MAX)))
}

/// At most `limit` comments of a proposal's thread numbered after
/// `after`, in order.
pub fn comments<S: StateRead + ?Sized>(
    store: &S,
    proposal: &Hash,
    after: u32,
    limit: usize,
) -> Result<Vec<CommentRecord>, StoreError> {
    let Some(first) = after.checked_add(1) else {
        return Ok(Vec::new());
    };
    let from = comment_key(proposal, first);
    let mut to = thread_key(proposal);
    to.extend_from_slice(&[0xff; 5]);
    store
        .range(&from, &to, limit)?
        .into_iter()
        .map(|(key, value)| {
            CommentRecord::from_bytes(&value).map_err(|e| {
                StoreError(format!("corrupt comment {}: {e}", crate::crypto::hex(&key)))
            })
        })
        .collect()
}

/// A member comments on a community proposal before its vote opens.
pub fn comment<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    r: &ProposalRef,
    text: &str,
    reply_to: Option<u32>,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    local_only(r.level)?;
    let record = load(store, r)?;
    require_stage(&record, ctx.time, BEFORE_VOTING, "a stage before voting")?;
    let invalid = |reason| ApplyError::from(Rejection::InvalidComment { reason });
    if text.trim().is_empty() {
        return Err(invalid("a comment is not empty"));
    }
    check_text("comment", text, MAX_COMMENT_LEN)?;
    let count = comment_count(store, &r.id)?;
    if count >= MAX_COMMENTS {
        return Err(invalid("the thread is full (10 000 comments)"));
    }
    if let Some(to) = reply_to
        && (to == 0 || to > count)
    {
        return Err(invalid(
            "a reply answers an earlier comment of the same thread",
        ));
    }
    let number = count + 1;
    let comment = CommentRecord {
        number,
        id,
        author: *author,
        time: ctx.time,
        text: text.to_string(),
        reply_to,
    };
    records::write(store, comment_key(&r.id, number), &comment);
    records::write(store, thread_key(&r.id), &u64::from(number));
    Ok(())
}

/// Every current delegation.
pub fn delegations<S: StateRead + ?Sized>(store: &S) -> Result<Vec<DelegationRecord>, StoreError> {
    decode_all(store, &[table::DELEGATION])
}

/// The whole delegation history of a member (or everyone), oldest first per member.
pub fn delegation_history<S: StateRead + ?Sized>(
    store: &S,
) -> Result<Vec<DelegationEvent>, StoreError> {
    decode_all(store, &[table::DELEGATION_HISTORY])
}

fn decode_all<T: Canonical, S: StateRead + ?Sized>(
    store: &S,
    prefix: &[u8],
) -> Result<Vec<T>, StoreError> {
    store
        .scan_prefix(prefix)?
        .into_iter()
        .map(|(k, v)| {
            T::from_bytes(&v)
                .map_err(|e| StoreError(format!("corrupt record {}: {e}", crate::crypto::hex(&k))))
        })
        .collect()
}

fn local_only(level: Level) -> Result<(), Rejection> {
    match level {
        Level::Local => Ok(()),
        Level::Regional(_) => Err(Rejection::LevelNotAvailable { level: "regional" }),
        Level::Network => Err(Rejection::LevelNotAvailable { level: "network" }),
    }
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), Rejection> {
    if text.len() > max {
        return Err(Rejection::TextTooLong {
            field,
            len: text.len(),
            max,
        });
    }
    Ok(())
}

/// The proposal `r` names, checked to be at the named level.
fn load(store: &(impl StateRead + ?Sized), r: &ProposalRef) -> Result<ProposalRecord, ApplyError> {
    match proposal(store, &r.id)? {
        Some(p) if p.proposal.level == r.level => Ok(p),
        _ => Err(Rejection::UnknownProposal { id: r.id }.into()),
    }
}

fn save<S: StoreMut + ?Sized>(store: &mut S, record: &ProposalRecord) {
    records::write(store, proposal_key(&record.id), record);
}

/// Every stage before a proposal's vote opens: it may be withdrawn and
/// discussed in these.
const BEFORE_VOTING: &[Stage] = &[
    Stage::Discussion,
    Stage::Deliberation,
    Stage::Submission,
    Stage::Review,
    Stage::Nominations,
    Stage::Campaign,
];

fn require_stage(
    record: &ProposalRecord,
    now: Timestamp,
    ok: &[Stage],
    needed: &'static str,
) -> Result<(), Rejection> {
    let stage = record.stage_at(now);
    if ok.contains(&stage) {
        Ok(())
    } else {
        Err(Rejection::WrongStage { stage, needed })
    }
}

/// Applies a governance action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &GovernanceAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    match body {
        GovernanceAction::Propose(proposal) => propose(store, ctx, author, action.id(), proposal),
        GovernanceAction::Amend { proposal, text } => amend(store, ctx, author, proposal, text),
        GovernanceAction::Withdraw { proposal } => withdraw(store, ctx, author, proposal),
        GovernanceAction::Review {
            proposal,
            approve,
            comment,
        } => review(store, ctx, author, proposal, *approve, comment),
        GovernanceAction::SubmitProject { proposal, project } => {
            submit_project(store, ctx, author, proposal, project)
        }
        GovernanceAction::Nominate {
            proposal,
            candidate,
        } => nominate(store, ctx, author, proposal, candidate),
        GovernanceAction::Vote { proposal, ballot } => {
            vote(store, ctx, author, action.nonce, proposal, ballot)
        }
        GovernanceAction::Delegate { scope, to } => {
            delegate(store, ctx, author, action.nonce, scope, to.as_ref())
        }
        GovernanceAction::Comment {
            proposal,
            text,
            reply_to,
        } => comment(store, ctx, author, action.id(), proposal, text, *reply_to),
    }
}

/// A member proposes.
pub fn propose<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    proposal: &Proposal,
) -> Result<(), ApplyError> {
    let member = active_member(store, author)?;
    local_only(proposal.level)?;
    let invalid = |reason| ApplyError::from(Rejection::InvalidProposal { reason });
    if proposal.title.trim().is_empty() {
        return Err(invalid("a proposal needs a title"));
    }
    check_text("title", &proposal.title, MAX_TITLE_LEN)?;
    check_text("text", &proposal.text, MAX_TEXT_LEN)?;
    if proposal.options.len() > MAX_OPTIONS || proposal.options.len() == 1 {
        return Err(invalid(
            "a choice has between 2 and 256 options (none: yes/no)",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for option in &proposal.options {
        check_text("option", option, MAX_TITLE_LEN)?;
        if option.trim().is_empty() || !seen.insert(option.as_str()) {
            return Err(invalid("options are distinct and not empty"));
        }
    }
    match (&proposal.kind, &proposal.subject) {
        (ProposalKind::Budget, Subject::Budget { budget, projects }) => {
            if budget.0 <= 0 {
                return Err(invalid("a budget must be positive"));
            }
            if projects.len() > MAX_OPTIONS || !proposal.options.is_empty() {
                return Err(invalid("a budget has at most 256 projects and no options"));
            }
            for project in projects {
                check_project(project, *budget)?;
            }
        }
        (ProposalKind::Election, Subject::Election { seats }) => {
            if *seats == 0 || *seats > ctx.rules.council.seats || !proposal.options.is_empty() {
                return Err(invalid(
                    "an election fills 1 to council.seats seats and has no options",
                ));
            }
        }
        (ProposalKind::Membership, Subject::Membership { member }) => {
            if member.verifying_key().is_err() {
                return Err(Rejection::InvalidKey { key: *member }.into());
            }
            if active_member(store, member).is_ok() {
                return Err(Rejection::AlreadyMember { who: *member }.into());
            }
        }
        (ProposalKind::Emergency, Subject::Moderation { action }) => {
            if proposal.text.trim().is_empty() {
                return Err(invalid(
                    "a moderation proposal gives its reason as its text",
                ));
            }
            match action {
                Moderation::Suspend { member, until } => {
                    active_member(store, member)?;
                    if *until <= ctx.time {
                        return Err(invalid("a suspension ends in the future"));
                    }
                }
                Moderation::Reinstate { member } => {
                    active_member(store, member)?;
                }
                Moderation::Hide { .. } => {}
                Moderation::RevokeSkill { member, skill } => {
                    crate::economy::learning::check_revocation(store, member, skill)?;
                }
            }
        }
        (
            ProposalKind::Policy | ProposalKind::Technical | ProposalKind::Emergency,
            Subject::Question,
        ) => {}
        (ProposalKind::Rules, Subject::Rules { changes }) => {
            super::rules::apply_changes(&ctx.rules, changes).map_err(Rejection::InvalidRule)?;
        }
        (ProposalKind::Policy, Subject::AidPool { name, guidelines }) => {
            crate::economy::aid::check_new_pool(name, guidelines).map_err(Rejection::Aid)?;
        }
        (ProposalKind::Policy, Subject::InsurancePool { name, terms, .. }) => {
            crate::economy::insurance::check_new_pool(name, terms).map_err(Rejection::Insurance)?;
        }
        (ProposalKind::Aid | ProposalKind::Claim, _) => {
            return Err(invalid(
                "aid and claim votes are opened by a request or a claim, not proposed",
            ));
        }
        _ => return Err(invalid("the subject does not match the kind")),
    }
    if proposal.kind == ProposalKind::Emergency {
        council::check_power(store, &member, ctx.time, "raise emergency proposals")?;
    }
    if let Some(topic) = &proposal.topic {
        check_topic(ctx, topic)?;
    }
    let record = ProposalRecord {
        id,
        author: *author,
        proposal: proposal.clone(),
        created: ctx.time,
        schedule: Schedule::of(proposal.kind, ctx.time, &ctx.rules),
        method: method_of(proposal, &ctx.rules),
        amendments: 0,
        withdrawn: None,
        reviews: Vec::new(),
        vote_opened: None,
        nominees: Vec::new(),
    };
    schedule_close(store, &record);
    save(store, &record);
    crate::analytics::count(store, ctx.time, |m| m.proposals += 1)?;
    Ok(())
}

/// A vote that a domain opens in its own name (an aid request's or a
/// claim's approval): voting runs from now until `closes`.
#[derive(Clone, Debug)]
pub struct Decision {
    /// The proposal id (the opening action's id).
    pub id: Hash,
    /// Whose action opened it.
    pub author: PublicKey,
    /// Aid or claim.
    pub kind: ProposalKind,
    /// A one-line title.
    pub title: String,
    /// The text (the request's reason).
    pub text: String,
    /// What it decides.
    pub subject: Subject,
    /// Decided by the council rather than by the community.
    pub council: bool,
    /// When voting closes.
    pub closes: Timestamp,
}

/// Opens a domain's decision as a local proposal in its voting stage.
pub fn open_decision<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    decision: Decision,
) -> Result<(), ApplyError> {
    let proposal = Proposal {
        kind: decision.kind,
        level: Level::Local,
        topic: None,
        title: decision.title,
        text: decision.text,
        options: Vec::new(),
        subject: decision.subject,
    };
    let method = if decision.council {
        Method::Council
    } else {
        method_of(&proposal, &ctx.rules)
    };
    let record = ProposalRecord {
        id: decision.id,
        author: decision.author,
        proposal,
        created: ctx.time,
        schedule: Schedule {
            stages: vec![(Stage::Voting, ctx.time)],
            closes: decision.closes,
        },
        method,
        amendments: 0,
        withdrawn: None,
        reviews: Vec::new(),
        vote_opened: None,
        nominees: Vec::new(),
    };
    schedule_close(store, &record);
    save(store, &record);
    crate::analytics::count(store, ctx.time, |m| m.proposals += 1)?;
    Ok(())
}

/// Ends a domain's decision early (its request or claim was withdrawn):
/// it closes as withdrawn on the next seal.
pub fn end_early<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
) -> Result<(), ApplyError> {
    let Some(mut record) = proposal(store, id)? else {
        return Ok(());
    };
    if record.withdrawn.is_none() {
        unschedule_close(store, &record);
        record.withdrawn = Some(ctx.time);
        schedule_close(store, &record);
        save(store, &record);
    }
    Ok(())
}

/// When a proposal's close falls due: at the end of its vote, or at once
/// once withdrawn.
pub fn close_time(record: &ProposalRecord) -> Timestamp {
    record.withdrawn.unwrap_or(record.schedule.closes)
}

fn close_item(record: &ProposalRecord) -> DueItem {
    DueItem {
        at: close_time(record),
        kind: DueKind::Close,
        id: record.id,
    }
}

fn schedule_close<S: StoreMut + ?Sized>(store: &mut S, record: &ProposalRecord) {
    schedule::add(store, close_item(record));
}

/// Takes a proposal's close off the schedule (it was sealed).
pub fn unschedule_close<S: StoreMut + ?Sized>(store: &mut S, record: &ProposalRecord) {
    schedule::remove(store, close_item(record));
}

fn check_project(project: &Project, budget: crate::units::Kc) -> Result<(), Rejection> {
    check_text("project name", &project.name, MAX_TITLE_LEN)?;
    if project.name.trim().is_empty() || project.cost.0 <= 0 || project.cost > budget {
        return Err(Rejection::InvalidProposal {
            reason: "a project has a name and a positive cost within the budget",
        });
    }
    Ok(())
}

/// The author amends the text before voting.
pub fn amend<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    r: &ProposalRef,
    text: &str,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut record = load(store, r)?;
    if record.author != *author {
        return Err(Rejection::NotAuthor { what: "amend it" }.into());
    }
    let open = [
        Stage::Discussion,
        Stage::Deliberation,
        Stage::Submission,
        Stage::Review,
        Stage::Nominations,
    ];
    require_stage(&record, ctx.time, &open, "a stage before voting")?;
    check_text("text", text, MAX_TEXT_LEN)?;
    record.proposal.text = text.to_string();
    record.amendments += 1;
    // Reviews approved the old text.
    if record.proposal.kind == ProposalKind::Technical {
        record.reviews.clear();
        record.vote_opened = None;
    }
    save(store, &record);
    Ok(())
}

/// The author withdraws the proposal before voting.
pub fn withdraw<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    r: &ProposalRef,
) -> Result<(), ApplyError> {
    let mut record = load(store, r)?;
    if record.author != *author {
        return Err(Rejection::NotAuthor {
            what: "withdraw it",
        }
        .into());
    }
    require_stage(&record, ctx.time, BEFORE_VOTING, "a stage before voting")?;
    unschedule_close(store, &record);
    record.withdrawn = Some(ctx.time);
    schedule_close(store, &record);
    save(store, &record);
    Ok(())
}

/// A reviewer reviews a proposal in its review stage; enough approving
/// reviews open a technical proposal's vote. Technical proposals are
/// reviewed by the reviewers the rules appoint, or by the council in power
/// if the rules appoint none; budgets by the council in power.
pub fn review<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    reviewer: &PublicKey,
    r: &ProposalRef,
    approve: bool,
    comment: &str,
) -> Result<(), ApplyError> {
    let member = active_member(store, reviewer)?;
    check_text("comment", comment, MAX_REASON_LEN)?;
    let mut record = load(store, r)?;
    require_stage(&record, ctx.time, &[Stage::Review], "its review stage")?;
    let appointed = &ctx.rules.technical_reviewers;
    if record.proposal.kind == ProposalKind::Technical && !appointed.is_empty() {
        if !appointed.contains(reviewer) {
            return Err(Rejection::NotReviewer.into());
        }
    } else {
        council::check_power(store, &member, ctx.time, "review proposals")?;
    }
    if record.proposal.kind == ProposalKind::Technical
        && let Some(skill) = ctx.rules.learning.review_skill
        && !crate::economy::learning::is_verified(store, reviewer, &skill)?
    {
        return Err(crate::economy::learning::LearningRejection::NotExpert { skill }.into());
    }
    if record.author == *reviewer {
        return Err(Rejection::NotEligible {
            who: *reviewer,
            reason: "authors do not review their own proposals",
        }
        .into());
    }
    record.reviews.retain(|(who, _)| who != reviewer);
    record.reviews.push((*reviewer, approve));
    let approvals = record.reviews.iter().filter(|(_, a)| *a).count();
    if record.proposal.kind == ProposalKind::Technical
        && record.vote_opened.is_none()
        && approvals >= ctx.rules.durations.technical_reviews as usize
    {
        record.vote_opened = Some(ctx.time);
    }
    save(store, &record);
    Ok(())
}

/// A member adds a project to a budget during submission.
pub fn submit_project<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    r: &ProposalRef,
    project: &Project,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut record = load(store, r)?;
    require_stage(
        &record,
        ctx.time,
        &[Stage::Submission],
        "its submission stage",
    )?;
    let Subject::Budget { budget, projects } = &mut record.proposal.subject else {
        return Err(Rejection::InvalidProposal {
            reason: "only budgets take projects",
        }
        .into());
    };
    check_project(project, *budget)?;
    if projects.len() >= MAX_OPTIONS || projects.iter().any(|p| p.name == project.name) {
        return Err(Rejection::InvalidProposal {
            reason: "project names are distinct and a budget has at most 256",
        }
        .into());
    }
    projects.push(project.clone());
    save(store, &record);
    Ok(())
}

/// A member nominates a candidate for an election.
pub fn nominate<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    r: &ProposalRef,
    candidate: &PublicKey,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut record = load(store, r)?;
    if record.proposal.kind != ProposalKind::Election {
        return Err(Rejection::InvalidProposal {
            reason: "only elections take nominations",
        }
        .into());
    }
    require_stage(
        &record,
        ctx.time,
        &[Stage::Nominations],
        "its nomination stage",
    )?;
    active_member(store, candidate)?;
    if record.nominees.contains(candidate) {
        return Err(Rejection::AlreadyNominated { who: *candidate }.into());
    }
    if record.nominees.len() >= MAX_OPTIONS {
        return Err(Rejection::InvalidProposal {
            reason: "an election has at most 256 candidates",
        }
        .into());
    }
    record.nominees.push(*candidate);
    save(store, &record);
    Ok(())
}

/// A member votes; the ballot replaces any earlier one of theirs.
pub fn vote<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    voter: &PublicKey,
    nonce: u64,
    r: &ProposalRef,
    ballot: &Ballot,
) -> Result<(), ApplyError> {
    let member = active_member(store, voter)?;
    let record = load(store, r)?;
    require_stage(&record, ctx.time, &[Stage::Voting], "its voting stage")?;
    if member.joined > record.created {
        return Err(Rejection::NotEligible {
            who: *voter,
            reason: "members vote on proposals made after they joined",
        }
        .into());
    }
    if record.proposal.subject.interested() == Some(*voter) {
        return Err(Rejection::NotEligible {
            who: *voter,
            reason: "a member never decides their own request or claim",
        }
        .into());
    }
    if record.method == Method::Council {
        if !member.on_council() {
            return Err(Rejection::NotEligible {
                who: *voter,
                reason: "only council members decide this",
            }
            .into());
        }
        council::check_power(store, &member, ctx.time, "decide council proposals")?;
    }
    check_ballot(&record, ballot, ctx)?;
    let cast = BallotRecord {
        voter: *voter,
        ballot: ballot.clone(),
        nonce,
        cast: ctx.time,
    };
    records::write(store, ballot_key(&record.id, voter), &cast);
    Ok(())
}

fn distinct_indices(indices: &[u32], count: usize) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    indices
        .iter()
        .all(|&i| (i as usize) < count && seen.insert(i))
}

/// Whether `ballot` fits the proposal's method and options.
fn check_ballot(record: &ProposalRecord, ballot: &Ballot, ctx: &Context) -> Result<(), Rejection> {
    let invalid = |reason| Err(Rejection::InvalidBallot { reason });
    match (record.method, ballot) {
        (Method::Consensus, Ballot::Consensus(position)) => {
            if let Position::Block(reason) = position {
                check_text("block reason", reason, MAX_REASON_LEN)?;
                if reason.trim().is_empty() {
                    return invalid("a block gives its reason");
                }
            }
            Ok(())
        }
        (Method::Majority | Method::Council, Ballot::YesNo(_)) => Ok(()),
        (Method::Schulze, Ballot::Ranked(ranking)) => {
            if ranking.is_empty() || !distinct_indices(ranking, record.proposal.options.len()) {
                return invalid("rank distinct options by their numbers");
            }
            Ok(())
        }
        (Method::Stv, Ballot::Ranked(ranking)) => {
            if ranking.is_empty() || !distinct_indices(ranking, record.nominees.len()) {
                return invalid("rank distinct candidates by their numbers");
            }
            Ok(())
        }
        (Method::Budgeting, Ballot::Approval(projects)) => {
            if !distinct_indices(projects, record.projects().len()) {
                return invalid("approve distinct projects by their numbers");
            }
            Ok(())
        }
        (Method::Quadratic, Ballot::Quadratic(votes)) => {
            // Checked as the tally will count it: the same question, the
            // same budget.
            let (question, rules) = super::decide::quadratic_terms(ctx, record);
            quadratic::check_ballot(votes, &question, rules.budget)?;
            Ok(())
        }
        _ => invalid("this ballot does not fit the proposal's voting method"),
    }
}

/// A member delegates (or revokes) in a scope. The history is kept.
pub fn delegate<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    from: &PublicKey,
    nonce: u64,
    scope: &Scope,
    to: Option<&PublicKey>,
) -> Result<(), ApplyError> {
    active_member(store, from)?;
    local_only(scope.level)?;
    if !ctx.rules.local.delegation {
        return Err(Rejection::DelegationNotAllowed.into());
    }
    let key = delegation_key(from, scope);
    match to {
        Some(to) if to == from => return Err(Rejection::SelfDelegation.into()),
        Some(to) => {
            if let Some(topic) = scope.topic_of() {
                check_topic(ctx, topic)?;
            }
            active_member(store, to).map_err(|_| Rejection::UnknownRecipient { who: *to })?;
            let record = DelegationRecord {
                from: *from,
                scope: scope.clone(),
                to: *to,
                since: ctx.time,
            };
            records::write(store, key, &record);
        }
        None => store.delete(key),
    }
    let mut id = from.0.to_vec();
    id.extend_from_slice(&nonce.to_be_bytes());
    let event = DelegationEvent {
        from: *from,
        scope: scope.clone(),
        to: to.copied(),
        time: ctx.time,
    };
    records::write(store, records::key(table::DELEGATION_HISTORY, &id), &event);
    Ok(())
}

/// Whether the community lists `topic`: a proposal is filed, and a
/// delegation scoped, only under the community's own topics. Revoking a
/// topic delegation is not checked, so one whose topic the rules have
/// since dropped can still be taken back.
pub fn check_topic(ctx: &Context, topic: &Topic) -> Result<(), Rejection> {
    if ctx.rules.topics.contains(topic) {
        Ok(())
    } else {
        Err(Rejection::UnknownTopic {
            topic: topic.clone(),
        })
    }
}

/// The delegate a member follows for a proposal of `kind` at `level` filed
/// under `topic`, by their current delegations: the most specific scope
/// wins (topic, then kind, then the level).
pub fn effective_delegate<S: StateRead + ?Sized>(
    store: &S,
    from: &PublicKey,
    level: Level,
    kind: ProposalKind,
    topic: Option<&Topic>,
) -> Result<Option<PublicKey>, StoreError> {
    let topic = topic.map(|t| Scope::topic(level, t.clone()));
    let scopes = [Scope::kind(level, kind), Scope::level(level)];
    for scope in topic.iter().chain(&scopes) {
        if let Some(d) = records::read::<DelegationRecord, _>(store, &delegation_key(from, scope))?
        {
            return Ok(Some(d.to));
        }
    }
    Ok(None)
}
