//! Governance records: proposals, their kinds, levels and stages, ballots
//! and delegation scopes (DESIGN §7–§8). The schedule of a proposal is a
//! pure function of its kind, its creation time and the rules of its
//! community, so every node derives the same stages from the same records.

mod scope;
mod topic;

pub use scope::{Scope, Tier, Tiers, Within};
pub use topic::{MAX_TOPIC_LEN, MAX_TOPICS, Topic, TopicError, check_list as check_topics};

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::community::{Method, Rules};
use crate::crypto::{Hash, PublicKey};
use crate::log::LogKind;
use crate::units::{Kc, Millis, Timestamp};

/// Longest proposal title, in bytes.
pub const MAX_TITLE_LEN: usize = 200;
/// Longest proposal text, in bytes (longer texts are referred to by hash).
pub const MAX_TEXT_LEN: usize = 16 * 1024;
/// Most options or projects a proposal may have.
pub const MAX_OPTIONS: usize = 256;

/// Where a proposal is decided.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode, Serialize)]
#[serde(tag = "level", content = "id", rename_all = "snake_case")]
pub enum Level {
    /// The community itself.
    Local,
    /// A region of communities.
    Regional(Hash),
    /// The whole network.
    Network,
}

impl Level {
    /// The log a level's governance lives in: local governance in the
    /// local log, regional and network governance in the public log, which
    /// the federation replicates.
    pub fn log(&self) -> LogKind {
        match self {
            Level::Local => LogKind::Local,
            Level::Regional(_) | Level::Network => LogKind::Public,
        }
    }
}

/// What a proposal is about; fixes its process (DESIGN §7.1).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Debug,
    Encode,
    Decode,
    Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// A policy: discussion → deliberation → voting → implementation.
    Policy,
    /// Participatory budgeting: projects, review, voting.
    Budget,
    /// Expert review gates the vote.
    Technical,
    /// A council decision within a day.
    Emergency,
    /// Council seats: nominations → campaign → voting → results.
    Election,
    /// Admitting a member by vote.
    Membership,
    /// Changing the community's current rules.
    Rules,
    /// Approving a mutual-aid request (opened by the request itself).
    Aid,
    /// Approving an insurance claim (opened by the claim itself).
    Claim,
}

impl ProposalKind {
    /// Every kind.
    pub const ALL: [ProposalKind; 9] = [
        ProposalKind::Policy,
        ProposalKind::Budget,
        ProposalKind::Technical,
        ProposalKind::Emergency,
        ProposalKind::Election,
        ProposalKind::Membership,
        ProposalKind::Rules,
        ProposalKind::Aid,
        ProposalKind::Claim,
    ];

    /// The stable name of the kind.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProposalKind::Policy => "policy",
            ProposalKind::Budget => "budget",
            ProposalKind::Technical => "technical",
            ProposalKind::Emergency => "emergency",
            ProposalKind::Election => "election",
            ProposalKind::Membership => "membership",
            ProposalKind::Rules => "rules",
            ProposalKind::Aid => "aid",
            ProposalKind::Claim => "claim",
        }
    }

    /// Parses a kind's name.
    pub fn parse(text: &str) -> Option<ProposalKind> {
        ProposalKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A project of a participatory budget.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Project {
    /// Short name.
    pub name: String,
    /// What it costs.
    pub cost: Kc,
}

/// What a proposal decides, beyond its text.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    /// A yes/no question (policy, technical, emergency), or a choice among
    /// the proposal's options.
    Question,
    /// A participatory budget: the money available and the projects.
    Budget {
        /// The money to allocate.
        budget: Kc,
        /// The projects (more may be submitted during the first stage).
        projects: Vec<Project>,
    },
    /// An election of council seats.
    Election {
        /// Seats to fill.
        seats: u32,
    },
    /// Admitting a member.
    Membership {
        /// The key to admit.
        member: PublicKey,
    },
    /// A moderation action, decided by the council (an emergency proposal);
    /// the proposal's text is its recorded reason.
    Moderation {
        /// What to do.
        action: Moderation,
    },
    /// A change of the community's current rules (a rules proposal):
    /// `key = value` pairs, validated when proposed and applied in order
    /// when the vote passes.
    Rules {
        /// The changes.
        changes: Vec<crate::state::rules::RuleChange>,
    },
    /// A new mutual-aid pool with its guidelines (a policy proposal).
    AidPool {
        /// Its name.
        name: String,
        /// Its guidelines.
        guidelines: crate::economy::aid::AidGuidelines,
    },
    /// A new insurance pool with its terms (a policy proposal).
    InsurancePool {
        /// Its name.
        name: String,
        /// What it insures.
        cover: crate::economy::insurance::Cover,
        /// Its terms.
        terms: crate::economy::insurance::Terms,
    },
    /// The approval of an aid request (an aid vote, opened by the request).
    AidRequest {
        /// The request.
        request: Hash,
        /// Who asked: they never decide their own request.
        requester: PublicKey,
    },
    /// The approval of an insurance claim (a claim vote, opened by the claim).
    Claim {
        /// The claim.
        claim: Hash,
        /// Who claims: they never decide their own claim.
        claimant: PublicKey,
    },
    /// Admitting a community into a region or the network (a membership
    /// proposal at that level).
    Community {
        /// The community id.
        community: Hash,
        /// The key of its node.
        node: PublicKey,
        /// Its name.
        name: String,
    },
}

impl Subject {
    /// The member who may not vote on this subject: whoever asks for the
    /// money never decides their own request or claim.
    pub fn interested(&self) -> Option<PublicKey> {
        match self {
            Subject::AidRequest { requester, .. } => Some(*requester),
            Subject::Claim { claimant, .. } => Some(*claimant),
            _ => None,
        }
    }
}

/// A moderation action (DESIGN §8).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Moderation {
    /// Suspend a member until a time: their actions are refused meanwhile.
    Suspend {
        /// The member.
        member: PublicKey,
        /// When the suspension ends.
        until: Timestamp,
    },
    /// Lift a suspension early.
    Reinstate {
        /// The member.
        member: PublicKey,
    },
    /// Hide content (a proposal, or anything else by its id) from views.
    Hide {
        /// The content's id.
        content: Hash,
    },
    /// Revoke a member's verification in a skill (learning); the
    /// proposal's text is the recorded reason.
    RevokeSkill {
        /// The member.
        member: PublicKey,
        /// The skill.
        skill: Hash,
    },
}

/// A proposal as its author submits it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Proposal {
    /// Its kind.
    pub kind: ProposalKind,
    /// Where it is decided.
    pub level: Level,
    /// The topic it is filed under, from the proposer's community's list
    /// (none: it has no topic). Delegations scoped to the topic follow it.
    pub topic: Option<Topic>,
    /// A one-line title.
    pub title: String,
    /// The text (may be amended during discussion and deliberation).
    pub text: String,
    /// Options for a multi-option choice (empty: yes/no).
    pub options: Vec<String>,
    /// What it decides.
    pub subject: Subject,
}

/// A stage of a proposal's life.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Open discussion; the author may amend.
    Discussion,
    /// Deliberation; the author may still amend.
    Deliberation,
    /// Budget projects may be submitted.
    Submission,
    /// Budget projects or technical proposals are reviewed.
    Review,
    /// Election candidates are nominated.
    Nominations,
    /// Election campaign.
    Campaign,
    /// Ballots are accepted.
    Voting,
    /// Voting closed; the result is final.
    Closed,
}

/// The stages of a proposal, as (stage, start) in order; the proposal is
/// closed at `closes`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Schedule {
    /// Each stage and when it starts.
    pub stages: Vec<(Stage, Timestamp)>,
    /// When voting closes and the tally becomes final.
    pub closes: Timestamp,
}

impl Schedule {
    /// The schedule of a proposal of `kind` created at `created`, under `rules`.
    ///
    /// Technical proposals are in review until enough approving reviews
    /// arrive; their vote opens then (see [`Schedule::stage_at`]) and
    /// closes at the end of the kind's duration either way.
    pub fn of(kind: ProposalKind, created: Timestamp, rules: &Rules) -> Schedule {
        let d = &rules.durations;
        let mut at = created;
        let mut stages = Vec::new();
        let mut push = |stage, len: Millis| {
            stages.push((stage, at));
            at = at.plus(len);
        };
        match kind {
            ProposalKind::Policy | ProposalKind::Rules => {
                push(Stage::Discussion, d.policy_discussion);
                push(Stage::Deliberation, d.policy_deliberation);
                push(Stage::Voting, d.policy_voting);
            }
            ProposalKind::Budget => {
                let third = Millis(d.budget.0 / 3);
                push(Stage::Submission, third);
                push(Stage::Review, third);
                push(Stage::Voting, Millis(d.budget.0 - 2 * third.0));
            }
            ProposalKind::Technical => push(Stage::Review, d.technical),
            ProposalKind::Emergency => push(Stage::Voting, d.emergency),
            ProposalKind::Election => {
                push(Stage::Nominations, d.election_nominations);
                push(Stage::Campaign, d.election_campaign);
                push(Stage::Voting, d.election_voting);
            }
            ProposalKind::Membership => push(Stage::Voting, d.membership),
            // Aid and claim votes are opened by their domain with the
            // pool's vote duration (see `state::governance::open_decision`);
            // this is only their shape.
            ProposalKind::Aid | ProposalKind::Claim => push(Stage::Voting, Millis(0)),
        }
        Schedule { stages, closes: at }
    }

    /// The stage at `now`. `vote_opened` is when a technical proposal got
    /// its last required approving review (its vote opens then).
    pub fn stage_at(&self, now: Timestamp, vote_opened: Option<Timestamp>) -> Stage {
        if now >= self.closes {
            return Stage::Closed;
        }
        if let Some(opened) = vote_opened
            && now >= opened
        {
            return Stage::Voting;
        }
        self.stages
            .iter()
            .rev()
            .find(|(_, start)| now >= *start)
            .map_or(Stage::Closed, |(stage, _)| *stage)
    }
}

/// The voting method a proposal uses: fixed by its kind and level (DESIGN
/// §7.2), never chosen by its author. A question with options is a ranked
/// single-winner choice (Schulze) where the level's method is consensus or
/// majority; quadratic voting spreads votes over the options.
pub fn method_of(proposal: &Proposal, rules: &Rules) -> Method {
    let method = method_for(proposal.kind, proposal.level, rules);
    match method {
        Method::Consensus | Method::Majority if !proposal.options.is_empty() => Method::Schulze,
        other => other,
    }
}

/// The method for a yes/no proposal of `kind` at `level`.
pub fn method_for(kind: ProposalKind, level: Level, rules: &Rules) -> Method {
    match kind {
        ProposalKind::Budget => Method::Budgeting,
        ProposalKind::Election => Method::Stv,
        ProposalKind::Emergency => Method::Council,
        ProposalKind::Policy
        | ProposalKind::Technical
        | ProposalKind::Membership
        | ProposalKind::Rules
        | ProposalKind::Aid
        | ProposalKind::Claim => match level {
            Level::Local => rules.local.method,
            Level::Regional(_) => rules.regional.method,
            Level::Network => rules.network.method,
        },
    }
}

/// A consensus position.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "position", content = "reason", rename_all = "snake_case")]
pub enum Position {
    /// Agree.
    Agree,
    /// Stand aside.
    Abstain,
    /// Disagree.
    Disagree,
    /// Block, with a reason.
    Block(String),
}

/// A yes/no answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    /// For.
    Yes,
    /// Against.
    No,
    /// Neither.
    Abstain,
}

/// A ballot, in the form the proposal's method takes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Ballot {
    /// Consensus.
    Consensus(Position),
    /// Majority (and council decisions).
    YesNo(YesNo),
    /// Ranked options or candidates (indices, most preferred first).
    Ranked(Vec<u32>),
    /// Quadratic: votes per option (a yes/no proposal has one option).
    Quadratic(Vec<i64>),
    /// Approval of budget projects (indices).
    Approval(Vec<u32>),
}

/// Governance actions: proposals, their stages, ballots and delegations.
/// Local governance is recorded in the local log; regional and network
/// governance in the public log, which the federation replicates.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GovernanceAction {
    /// A member proposes; the proposal id is this action's id.
    Propose(Box<Proposal>),
    /// The author amends the text during discussion or deliberation.
    Amend {
        /// The proposal.
        proposal: ProposalRef,
        /// The new text.
        text: String,
    },
    /// The author withdraws the proposal before voting.
    Withdraw {
        /// The proposal.
        proposal: ProposalRef,
    },
    /// A reviewer approves (or not) a technical proposal, or a budget's projects.
    Review {
        /// The proposal.
        proposal: ProposalRef,
        /// Whether the reviewer approves.
        approve: bool,
        /// The review.
        comment: String,
    },
    /// A member adds a project to a budget during submission.
    SubmitProject {
        /// The budget proposal.
        proposal: ProposalRef,
        /// The project.
        project: Project,
    },
    /// A member nominates a member for an election during nominations.
    Nominate {
        /// The election.
        proposal: ProposalRef,
        /// The candidate.
        candidate: PublicKey,
    },
    /// A member votes; a later ballot replaces an earlier one.
    Vote {
        /// The proposal.
        proposal: ProposalRef,
        /// The ballot.
        ballot: Ballot,
    },
    /// A member delegates their vote in a scope; `to: None` revokes.
    Delegate {
        /// Where the delegation applies.
        scope: Scope,
        /// The delegate.
        to: Option<PublicKey>,
    },
    /// A member comments on a proposal before its vote opens (discussion,
    /// deliberation and the other stages before voting); the comments
    /// form the proposal's thread, numbered from 1 in the order the log
    /// holds them.
    Comment {
        /// The proposal.
        proposal: ProposalRef,
        /// The comment: 1 to [`MAX_COMMENT_LEN`] bytes.
        text: String,
        /// The number of the comment in the same thread it answers.
        reply_to: Option<u32>,
    },
}

/// The longest comment, in bytes.
pub const MAX_COMMENT_LEN: usize = 4 * 1024;

/// The most comments one proposal's thread holds.
pub const MAX_COMMENTS: u32 = 10_000;

impl GovernanceAction {
    /// The level the action belongs to, which decides its log.
    pub fn level(&self) -> Level {
        match self {
            GovernanceAction::Propose(p) => p.level,
            GovernanceAction::Amend { proposal, .. }
            | GovernanceAction::Withdraw { proposal }
            | GovernanceAction::Review { proposal, .. }
            | GovernanceAction::SubmitProject { proposal, .. }
            | GovernanceAction::Nominate { proposal, .. }
            | GovernanceAction::Vote { proposal, .. }
            | GovernanceAction::Comment { proposal, .. } => proposal.level,
            GovernanceAction::Delegate { scope, .. } => scope.level,
        }
    }

    /// The log the action is recorded in.
    pub fn log_kind(&self) -> LogKind {
        self.level().log()
    }

    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            GovernanceAction::Propose(_) => "propose",
            GovernanceAction::Amend { .. } => "amend",
            GovernanceAction::Withdraw { .. } => "withdraw",
            GovernanceAction::Review { .. } => "review",
            GovernanceAction::SubmitProject { .. } => "submit_project",
            GovernanceAction::Nominate { .. } => "nominate",
            GovernanceAction::Vote { .. } => "vote",
            GovernanceAction::Delegate { .. } => "delegate",
            GovernanceAction::Comment { .. } => "comment",
        }
    }
}

/// A reference to a proposal: its id (the id of the action that proposed
/// it) and its level, which decides the log its actions go to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize)]
pub struct ProposalRef {
    /// The proposal id.
    pub id: Hash,
    /// Its level.
    pub level: Level,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_stages_follow_the_rules_durations() {
        let rules = Rules::default();
        let day = Millis::days(1).0;
        let s = Schedule::of(ProposalKind::Policy, Timestamp(0), &rules);
        assert_eq!(s.closes, Timestamp(13 * day));
        assert_eq!(s.stage_at(Timestamp(0), None), Stage::Discussion);
        assert_eq!(s.stage_at(Timestamp(7 * day), None), Stage::Deliberation);
        assert_eq!(s.stage_at(Timestamp(10 * day), None), Stage::Voting);
        assert_eq!(s.stage_at(Timestamp(13 * day - 1), None), Stage::Voting);
        assert_eq!(s.stage_at(Timestamp(13 * day), None), Stage::Closed);
    }

    #[test]
    fn a_technical_vote_opens_with_its_reviews_and_closes_on_time() {
        let rules = Rules::default();
        let s = Schedule::of(ProposalKind::Technical, Timestamp(0), &rules);
        assert_eq!(s.stage_at(Timestamp(5), None), Stage::Review);
        assert_eq!(s.stage_at(Timestamp(5), Some(Timestamp(4))), Stage::Voting);
        assert_eq!(s.stage_at(s.closes, Some(Timestamp(4))), Stage::Closed);
    }

    #[test]
    fn methods_are_fixed_by_kind_and_level() {
        let rules = Rules::default();
        assert_eq!(
            method_for(ProposalKind::Policy, Level::Local, &rules),
            Method::Consensus
        );
        assert_eq!(
            method_for(ProposalKind::Policy, Level::Network, &rules),
            Method::Quadratic
        );
        assert_eq!(
            method_for(ProposalKind::Election, Level::Local, &rules),
            Method::Stv
        );
        assert_eq!(
            method_for(ProposalKind::Emergency, Level::Local, &rules),
            Method::Council
        );
    }
}
