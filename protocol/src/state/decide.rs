//! Deciding a proposal whose vote has closed: the eligible members, their
//! delegations as they stood at the close, and the latest ballots, counted
//! by the proposal's method. The report is hashed; a node's `Close` record
//! carries that hash, and applying the record recomputes it.
//!
//! A vote with no ballot of its method's form is [`Report::NoBallots`]:
//! nothing is decided. A tied choice is [`Verdict::Tied`] unless the
//! level's rules draw lots. Every lot a count draws is seeded with
//! [`crate::tally::lot_seed`] — the proposal id and the ballots counted —
//! which replay recomputes from the same state, so the `Close` record
//! needs to carry nothing more; its limits are in that function's docs.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::Canonical;
use crate::community::{Method, Ties};
use crate::crypto::{Hash, PublicKey};
use crate::governance::{Ballot, Level, Position, Proposal, Subject, Tiers, YesNo};
use crate::tally::blt::{Election, RankedBallot};
use crate::tally::choice::{
    ConsensusBallot, ConsensusReport, ConsensusRules, FailReason, MajorityBallot, MajorityReport,
    MajorityRules, Outcome, QvBallot, QvQuestion, QvReport, QvRules, consensus, majority,
    quadratic,
};
use crate::tally::pabulib::{PbInstance, PbVote, Project as PbProject, VoteType};
use crate::tally::pb::{PbReport, PbRule};
use crate::tally::schulze::{self, SchulzeReport};
use crate::tally::stv::{self, StvReport, StvRule};
use crate::units::Timestamp;

use super::governance::{self, BallotRecord, DelegationEvent, ProposalRecord};
use super::records::{self, StateRead, table};
use super::schedule::{self, DueKind};
use super::store::{StoreError, StoreMut};
use super::{ApplyError, Context};

/// A counted proposal's full report, by method.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "method", content = "report", rename_all = "snake_case")]
pub enum Report {
    /// Withdrawn before its vote: nothing was counted.
    Withdrawn,
    /// A consensus decision.
    Consensus(ConsensusReport),
    /// A majority decision (also council decisions).
    Majority(MajorityReport),
    /// A quadratic vote.
    Quadratic(QvReport),
    /// A ranked single-winner choice.
    Schulze(SchulzeReport),
    /// A council election.
    Stv(StvReport),
    /// A participatory budget.
    Budget(PbReport),
    /// The method could not count these ballots (for example an election
    /// with no candidates); the proposal fails with this reason.
    Uncountable {
        /// Why.
        reason: String,
    },
    /// The vote closed without a ballot counted (for a method that
    /// follows delegations: without a direct ballot): nothing is decided —
    /// no winner, nobody elected or admitted, nothing funded.
    NoBallots,
}

/// What was decided, in a word.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "outcome", content = "value", rename_all = "snake_case")]
pub enum Verdict {
    /// The proposal passed.
    Passed,
    /// It failed (the report says why).
    Failed,
    /// Withdrawn by its author.
    Withdrawn,
    /// The winning option of a choice (none if it was not adopted).
    Winner(Option<u32>),
    /// Several options tied for the lead of a choice and the rules draw no
    /// lot: nothing is adopted. The tied options, ascending.
    Tied(Vec<u32>),
    /// Nobody voted: nothing is decided.
    NoBallots,
    /// The candidates elected, in order.
    Elected(Vec<PublicKey>),
    /// The projects funded (indices), in order.
    Selected(Vec<u32>),
}

/// The recorded decision on a proposal.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Decision {
    /// The proposal.
    pub proposal: Hash,
    /// When the close was sealed.
    pub closed: Timestamp,
    /// The hash of the report (what nodes attest to).
    pub result: Hash,
    /// What was decided.
    pub verdict: Verdict,
    /// The full count.
    pub report: Report,
}
impl Canonical for Decision {}

fn decision_key(id: &Hash) -> Vec<u8> {
    records::key(table::DECISION, &id.0)
}

/// The decision on a proposal, once closed.
pub fn decision<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Option<Decision>, StoreError> {
    records::read(store, &decision_key(id))
}

/// Proposals whose vote has closed (or that were withdrawn) at `now` and
/// that have no decision yet: what a node closes on its next tick. Read
/// from the front of the schedule, so the work is bounded by what is due.
pub fn due<S: StateRead + ?Sized>(
    store: &S,
    now: Timestamp,
) -> Result<Vec<ProposalRecord>, StoreError> {
    let mut out = Vec::new();
    for item in schedule::due_of(store, now, &[DueKind::Close], schedule::MAX_DUE_ITEMS)? {
        if let Some(record) = governance::proposal(store, &item.id)?
            && decision(store, &record.id)?.is_none()
        {
            out.push(record);
        }
    }
    Ok(out)
}

/// Counts a proposal as it stands (for a closed one: its final count).
pub fn count<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    record: &ProposalRecord,
) -> Result<(Report, Verdict), ApplyError> {
    count_with_turnout(store, ctx, record).map(|(report, verdict, _)| (report, verdict))
}

/// Who took part in a count: ballots counted (with delegated weight where
/// the method counts delegations) out of the eligible voters; for a
/// council decision, the council's ballots out of the seats in power.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Turnout {
    /// Ballots counted.
    pub counted: u64,
    /// Eligible voters (a council decision: the seats in power).
    pub eligible: u64,
}

/// Counts a proposal, and says who took part.
pub fn count_with_turnout<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    record: &ProposalRecord,
) -> Result<(Report, Verdict, Turnout), ApplyError> {
    if record.withdrawn.is_some() {
        return Ok((Report::Withdrawn, Verdict::Withdrawn, Turnout::default()));
    }
    let closes = record.schedule.closes;
    let members = store.members()?;
    let council_only = record.method == Method::Council;
    // A council decision is made by the council in power when it closes.
    let council = super::council::holders(&members, closes);
    // Whoever asks for the money never decides their own request.
    let interested = record.proposal.subject.interested();
    let eligible: BTreeSet<PublicKey> = members
        .iter()
        .filter(|m| m.member_during(record.created, closes))
        .filter(|m| !council_only || council.contains(&m.key))
        .filter(|m| Some(m.key) != interested)
        .map(|m| m.key)
        .collect();
    let ballots: Vec<BallotRecord> = governance::ballots(store, &record.id)?
        .into_iter()
        .filter(|b| eligible.contains(&b.voter))
        .collect();
    let delegate_of = if council_only {
        BTreeMap::new()
    } else {
        delegations_at(store, &record.proposal, closes)?
    };
    let rules = level_rules(ctx, record.proposal.level);
    if !ballots.iter().any(|b| fits(record.method, &b.ballot)) {
        let eligible = if council_only {
            council.len()
        } else {
            eligible.len()
        };
        let turnout = Turnout {
            counted: 0,
            eligible: eligible as u64,
        };
        return Ok((Report::NoBallots, Verdict::NoBallots, turnout));
    }
    // Hashing every ballot costs about half a quadratic count: only the
    // methods that may draw a lot ask for it.
    let seed = || crate::tally::lot_seed(&record.id, ballots.iter().map(|b| (&b.voter, &b.ballot)));
    let report = match record.method {
        Method::Consensus => {
            let ballots = collect(&ballots, |b| match b {
                Ballot::Consensus(Position::Agree) => Some(ConsensusBallot::Agree),
                Ballot::Consensus(Position::Abstain) => Some(ConsensusBallot::Abstain),
                Ballot::Consensus(Position::Disagree) => Some(ConsensusBallot::Disagree),
                Ballot::Consensus(Position::Block(reason)) => Some(ConsensusBallot::Block {
                    reason: reason.clone(),
                }),
                _ => None,
            });
            let rules = ConsensusRules::from(rules);
            Report::Consensus(consensus::tally(&ballots, &eligible, &delegate_of, &rules))
        }
        Method::Majority | Method::Council => {
            let ballots = collect(&ballots, |b| match b {
                Ballot::YesNo(YesNo::Yes) => Some(MajorityBallot::Yes),
                Ballot::YesNo(YesNo::No) => Some(MajorityBallot::No),
                Ballot::YesNo(YesNo::Abstain) => Some(MajorityBallot::Abstain),
                _ => None,
            });
            let rules = if council_only {
                let council = &ctx.rules.council;
                MajorityRules {
                    threshold: council.majority,
                    quorum: council.quorum,
                    strict: council.pass_when.strict(council.majority),
                }
            } else {
                MajorityRules::from(rules)
            };
            Report::Majority(majority::tally(&ballots, &eligible, &delegate_of, &rules))
        }
        Method::Quadratic => {
            let ballots = collect(&ballots, |b| match b {
                Ballot::Quadratic(votes) => Some(QvBallot {
                    votes: votes.clone(),
                }),
                _ => None,
            });
            let (mut question, rules) = quadratic_terms(ctx, record);
            if rules.ties == Ties::Lot {
                question.seed = seed();
            }
            Report::Quadratic(quadratic::tally(
                &question,
                &ballots,
                &eligible,
                &delegate_of,
                &rules,
            ))
        }
        Method::Schulze => {
            let ranked = ranked(&ballots);
            match schulze::schulze(record.proposal.options.len(), &ranked, &[], &seed()) {
                Ok(report) => Report::Schulze(report),
                Err(e) => Report::Uncountable {
                    reason: e.to_string(),
                },
            }
        }
        Method::Stv => {
            let seats = match record.proposal.subject {
                Subject::Election { seats } => seats,
                _ => 0,
            };
            let election = Election {
                title: record.proposal.title.clone(),
                candidates: record.nominees.iter().map(PublicKey::to_did).collect(),
                seats,
                withdrawn: Vec::new(),
                ballots: ranked(&ballots),
            };
            match stv::count(&election, StvRule::Scottish, None, &seed()) {
                Ok(report) => Report::Stv(report),
                Err(e) => Report::Uncountable {
                    reason: e.to_string(),
                },
            }
        }
        Method::Budgeting => {
            let (budget, projects) = match &record.proposal.subject {
                Subject::Budget { budget, projects } => (budget.0, projects.clone()),
                _ => (0, Vec::new()),
            };
            let instance = PbInstance {
                meta: BTreeMap::new(),
                budget: u64::try_from(budget).unwrap_or(0),
                projects: projects
                    .iter()
                    .enumerate()
                    .map(|(i, p)| PbProject {
                        id: i.to_string(),
                        cost: u64::try_from(p.cost.0).unwrap_or(u64::MAX),
                        name: Some(p.name.clone()),
                        selected: None,
                    })
                    .collect(),
                votes: ballots
                    .iter()
                    .filter_map(|b| match &b.ballot {
                        Ballot::Approval(projects) => Some(PbVote {
                            voter: b.voter.to_did(),
                            projects: projects.clone(),
                            points: None,
                        }),
                        _ => None,
                    })
                    .collect(),
                vote_type: VoteType::Approval,
            };
            match crate::tally::pb::allocate(&instance, PbRule::MesAdd1Greedy, &seed()) {
                Ok(report) => Report::Budget(report),
                Err(e) => Report::Uncountable {
                    reason: e.to_string(),
                },
            }
        }
    };
    let verdict = verdict_of(&report, record, rules.ties);
    let turnout = match &report {
        _ if council_only => Turnout {
            counted: ballots.len() as u64,
            eligible: council.len() as u64,
        },
        Report::Consensus(r) => Turnout {
            counted: r.delegation.counted(),
            eligible: r.delegation.eligible,
        },
        Report::Majority(r) => Turnout {
            counted: r.delegation.counted(),
            eligible: r.delegation.eligible,
        },
        Report::Quadratic(r) => Turnout {
            counted: r.delegation.counted(),
            eligible: r.delegation.eligible,
        },
        _ => Turnout {
            counted: ballots.len() as u64,
            eligible: eligible.len() as u64,
        },
    };
    Ok((report, verdict, turnout))
}

/// What a report decides. A choice whose lead is tied is `Tied` unless
/// the rules draw lots (`ties`); a quadratic choice adopts its leader only
/// if it passed its quorum and threshold.
pub fn verdict_of(report: &Report, record: &ProposalRecord, ties: Ties) -> Verdict {
    let passed = |p: bool| if p { Verdict::Passed } else { Verdict::Failed };
    match report {
        Report::Withdrawn => Verdict::Withdrawn,
        Report::NoBallots => Verdict::NoBallots,
        Report::Consensus(r) => passed(r.outcome.passed()),
        Report::Majority(r) => passed(r.outcome.passed()),
        Report::Quadratic(r) if record.proposal.options.is_empty() => passed(r.outcome.passed()),
        Report::Quadratic(r) => match &r.outcome {
            Outcome::Passed => Verdict::Winner(r.leader),
            Outcome::Failed(FailReason::Tied { options }) => Verdict::Tied(options.clone()),
            Outcome::Failed(_) => Verdict::Failed,
        },
        Report::Schulze(r) if r.unbeaten.len() > 1 && ties == Ties::Fail => {
            Verdict::Tied(r.unbeaten.clone())
        }
        Report::Schulze(r) => Verdict::Winner(r.winner),
        Report::Stv(r) => Verdict::Elected(
            r.elected
                .iter()
                .filter_map(|&i| record.nominees.get(i as usize).copied())
                .collect(),
        ),
        Report::Budget(r) => Verdict::Selected(r.selected.clone()),
        Report::Uncountable { .. } => Verdict::Failed,
    }
}

/// Whether `ballot` is of the form `method` counts: a vote closing with
/// none of them is decided as [`Report::NoBallots`].
pub fn fits(method: Method, ballot: &Ballot) -> bool {
    matches!(
        (method, ballot),
        (Method::Consensus, Ballot::Consensus(_))
            | (Method::Majority | Method::Council, Ballot::YesNo(_))
            | (Method::Quadratic, Ballot::Quadratic(_))
            | (Method::Schulze | Method::Stv, Ballot::Ranked(_))
            | (Method::Budgeting, Ballot::Approval(_))
    )
}

/// The question and rules a quadratic proposal is counted with. A ballot
/// is checked against the same ones when it is cast, so the budget a node
/// accepts a ballot under is the budget the tally applies: the proposal's
/// level's voice credits. (The count replaces the question's seed with the
/// lot seed when the rules draw lots.)
pub(super) fn quadratic_terms(ctx: &Context, record: &ProposalRecord) -> (QvQuestion, QvRules) {
    let question = QvQuestion {
        options: record.proposal.options.len().max(1) as u32,
        allow_negative: true,
        seed: record.id,
    };
    (
        question,
        QvRules::from(level_rules(ctx, record.proposal.level)),
    )
}

fn level_rules(ctx: &Context, level: Level) -> &crate::community::LevelRules {
    match level {
        Level::Local => &ctx.rules.local,
        Level::Regional(_) => &ctx.rules.regional,
        Level::Network => &ctx.rules.network,
    }
}

fn collect<T>(
    ballots: &[BallotRecord],
    f: impl Fn(&Ballot) -> Option<T>,
) -> BTreeMap<PublicKey, T> {
    ballots
        .iter()
        .filter_map(|b| f(&b.ballot).map(|t| (b.voter, t)))
        .collect()
}

fn ranked(ballots: &[BallotRecord]) -> Vec<RankedBallot> {
    ballots
        .iter()
        .filter_map(|b| match &b.ballot {
            Ballot::Ranked(ranking) => Some(RankedBallot {
                weight: 1,
                ranking: ranking.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Each member's delegate for `proposal`, as the delegations stood just
/// before `at`: of the member's latest delegations in the scopes that
/// apply (the proposal's level; its kind; its topic, if it has one), the
/// most specific one not revoked wins — a revoked topic delegation falls
/// back to the kind's, a revoked kind delegation to the level's.
pub fn delegations_at<S: StateRead + ?Sized>(
    store: &S,
    proposal: &Proposal,
    at: Timestamp,
) -> Result<BTreeMap<PublicKey, PublicKey>, StoreError> {
    let (level, kind, topic) = (proposal.level, proposal.kind, proposal.topic.as_ref());
    // History is ordered by member, then nonce (which grows with time):
    // each tier's last event is the member's latest in that tier.
    let mut tiers: BTreeMap<PublicKey, Tiers> = BTreeMap::new();
    for DelegationEvent {
        from,
        scope,
        to,
        time,
    } in governance::delegation_history(store)?
    {
        if time >= at {
            continue;
        }
        if let Some(tier) = scope.applies_to(level, kind, topic) {
            tiers.entry(from).or_default().set(tier, to);
        }
    }
    Ok(tiers
        .into_iter()
        .filter_map(|(from, tiers)| tiers.delegate().map(|to| (from, to)))
        .collect())
}

/// Applies a node's `Close` record: recomputes the count, which must hash
/// to `claimed`, records the decision and carries out its effects (an
/// election seats the council; an admitted member joins).
pub fn close<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    log: crate::log::LogKind,
    proposal: &Hash,
    claimed: &Hash,
) -> Result<(), ApplyError> {
    let record = governance::proposal(store, proposal)?
        .ok_or(ApplyError::Misfit("close of an unknown proposal"))?;
    if record.proposal.level.log() != log {
        return Err(ApplyError::Misfit("close record in the wrong log"));
    }
    if decision(store, proposal)?.is_some() {
        return Err(ApplyError::Misfit("close of a proposal already decided"));
    }
    if record.withdrawn.is_none() && ctx.time < record.schedule.closes {
        return Err(ApplyError::Misfit("close before the vote's end"));
    }
    let (report, verdict, turnout) = count_with_turnout(store, ctx, &record)?;
    let result = crate::tally::result_hash(&report);
    if result != *claimed {
        return Err(ApplyError::Misfit(
            "the close record's result differs from the count",
        ));
    }
    governance::unschedule_close(store, &record);
    if record.proposal.level == crate::governance::Level::Local {
        count_closed(store, ctx, &record, &report, &verdict, turnout)?;
    }
    effects(store, ctx, &record, &verdict)?;
    let decision = Decision {
        proposal: *proposal,
        closed: ctx.time,
        result,
        verdict,
        report,
    };
    records::write(store, decision_key(proposal), &decision);
    Ok(())
}

/// Counts a closed local proposal in its month's analytics: a council
/// decision's attendance, a vote's turnout, a consensus' outcome.
fn count_closed<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    record: &ProposalRecord,
    report: &Report,
    verdict: &Verdict,
    turnout: Turnout,
) -> Result<(), StoreError> {
    if matches!(report, Report::Withdrawn) {
        return Ok(());
    }
    if record.method == Method::Council {
        return crate::analytics::count(store, ctx.time, |m| {
            m.council_decisions += 1;
            m.council_ballots += turnout.counted;
            m.council_seats += turnout.eligible;
        });
    }
    crate::analytics::record_closed(store, ctx.time, turnout.counted, turnout.eligible)?;
    if record.method == Method::Consensus {
        let passed = *verdict == Verdict::Passed;
        crate::analytics::count(store, ctx.time, |m| {
            m.consensus_closed += 1;
            m.consensus_passed += u64::from(passed);
        })?;
    }
    Ok(())
}

/// What a node seals to close `record`: the hash of its count.
pub fn close_result<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    record: &ProposalRecord,
) -> Result<Hash, ApplyError> {
    let (report, _) = count(store, ctx, record)?;
    Ok(crate::tally::result_hash(&report))
}

fn effects<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    record: &ProposalRecord,
    verdict: &Verdict,
) -> Result<(), ApplyError> {
    match (verdict, &record.proposal.subject) {
        (Verdict::Elected(elected), Subject::Election { .. }) if !elected.is_empty() => {
            super::council::seat_council(store, ctx, elected)?;
        }
        (Verdict::Passed, Subject::Membership { member }) => {
            super::membership::admit_by_vote(store, ctx, member)?;
            if record.proposal.level == crate::governance::Level::Local {
                super::federated::to_mirror(store, &record.id, member);
            }
        }
        (Verdict::Passed, Subject::Moderation { action }) => {
            moderate(store, ctx, record, action)?;
        }
        (Verdict::Passed, Subject::Rules { changes }) => {
            super::rules::change(store, ctx, record.id, changes)?;
        }
        _ => crate::economy::decided(store, ctx, record, verdict)?,
    }
    Ok(())
}

/// Content hidden by a council decision.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Hidden {
    /// The content's id.
    pub content: Hash,
    /// The decision that hid it (its text is the reason).
    pub proposal: Hash,
    /// When.
    pub since: Timestamp,
}
impl Canonical for Hidden {}

/// Whether content is hidden, and by which decision.
pub fn hidden<S: StateRead + ?Sized>(
    store: &S,
    content: &Hash,
) -> Result<Option<Hidden>, StoreError> {
    records::read(store, &records::key(table::HIDDEN, &content.0))
}

/// Carries out a moderation action the council passed.
fn moderate<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    record: &ProposalRecord,
    action: &crate::governance::Moderation,
) -> Result<(), ApplyError> {
    use crate::governance::Moderation;
    match action {
        Moderation::Suspend { member, until } => set_suspension(store, member, Some(*until)),
        Moderation::Reinstate { member } => set_suspension(store, member, None),
        Moderation::Hide { content } => {
            let hidden = Hidden {
                content: *content,
                proposal: record.id,
                since: ctx.time,
            };
            records::write(store, records::key(table::HIDDEN, &content.0), &hidden);
            Ok(())
        }
        Moderation::RevokeSkill { member, skill } => crate::economy::learning::revoke(
            store,
            ctx,
            &record.id,
            &record.proposal.text,
            member,
            skill,
        ),
    }
}

fn set_suspension<S: StoreMut + ?Sized>(
    store: &mut S,
    member: &PublicKey,
    until: Option<Timestamp>,
) -> Result<(), ApplyError> {
    if let Some(mut m) = store.member(member)? {
        m.suspended_until = until;
        records::write(store, records::key(table::MEMBER, &member.0), &m);
    }
    Ok(())
}
