//! Learning (DESIGN §6.3): a skill graph, learning paths, peer sessions
//! rewarded from the education pool, and skill verification.
//!
//! **Skills** have a name, a description and prerequisites. Stewards keep
//! the graph: council members in power and the assessors the rules appoint
//! (`learning.assessors`). A prerequisite that would close a cycle is
//! refused (`prerequisite_cycle`, with the cycle's path), so the graph is
//! always acyclic and every path exists.
//!
//! A **learning path** ([`path`]) is the prerequisite closure of a
//! member's goals minus the skills they are verified in, in topological
//! order with ties broken by name — a pure function of the state.
//!
//! **Peer sessions**: a member schedules a session for a skill; members
//! enrol (never the teacher); after the session ends and within
//! `learning.confirmation_window` each student confirms completion. The
//! first confirmation earns the teacher `learning.teacher_reward`, each
//! confirmation the student `learning.student_reward`, from the
//! community's education pool (`Account::Pool` of [`education_pool_id`],
//! floor 0). Members fund it with `Contribute`. A reward is created once per
//! (session, member) — its id says so — and joins the pool's payout line
//! ([`crate::economy::payout`]): paid at once as far as the pool goes, the
//! rest first come first served from the next contribution.
//!
//! **Verification**: a member endorses another in a skill they are
//! verified in; at `learning.skill_endorsements` endorsements the skill is
//! verified. One endorsement by an assessor (appointed by
//! `learning.assessors`, or, when none are, a council member in power)
//! verifies at once — and is the only way to verify the first member in
//! a skill. Nobody
//! endorses themselves; an endorsement can be withdrawn until it counts.
//! The council revokes a verification by a moderation decision
//! (`Moderation::RevokeSkill`), whose text is the recorded reason; the
//! revocation is kept for good (a credential issued before it is revoked).

mod apply;
mod path;
mod status;
mod tables;

pub use apply::*;
pub use path::*;
pub use status::*;
pub use tables::*;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::log::LogKind;
use crate::state::{ApplyError, Rejection};
use crate::units::{Kc, Millis, Timestamp};

/// Domain-separation context of the education pool's id.
pub const POOL_CONTEXT: &str = "hearth v1 education pool";

/// Domain-separation context of a reward's id.
pub const REWARD_CONTEXT: &str = "hearth v1 learning reward";

/// Longest skill name, in bytes.
pub const MAX_SKILL_NAME_LEN: usize = 120;

/// Longest skill description or session place, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 2000;

/// Most prerequisites one skill names.
pub const MAX_PREREQUISITES: usize = 32;

/// Most students one session takes.
pub const MAX_CAPACITY: u32 = 200;

/// Longest session: a week.
pub const MAX_SESSION: Millis = Millis(7 * 86_400_000);

/// How many upcoming sessions a path step lists.
pub const PATH_SESSIONS: usize = 5;

/// The learning rules (`learning.*`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearningRules {
    /// What a teacher earns for a session at least one student confirmed.
    pub teacher_reward: Kc,
    /// What each confirming student earns.
    pub student_reward: Kc,
    /// Endorsements by verified members that verify a skill.
    pub skill_endorsements: u32,
    /// How long after a session ends its students may confirm it.
    pub confirmation_window: Millis,
    /// Appointed assessors: they keep the skill graph beside the council,
    /// and one assessor's endorsement verifies a skill. Empty: the council
    /// members in power are the assessors (the default).
    pub assessors: Vec<PublicKey>,
    /// If set, reviewers of technical proposals must be verified in this
    /// skill (beside being appointed reviewers or council members).
    pub review_skill: Option<Hash>,
}

impl Default for LearningRules {
    fn default() -> Self {
        LearningRules {
            teacher_reward: Kc::whole(50),
            student_reward: Kc::whole(10),
            skill_endorsements: 2,
            confirmation_window: Millis::days(7),
            assessors: Vec::new(),
            review_skill: None,
        }
    }
}

impl LearningRules {
    /// Checks the rules.
    pub fn validate(&self) -> Result<(), crate::community::InvalidRules> {
        let bad = |rule, reason| Err(crate::community::InvalidRules { rule, reason });
        let max = Kc::whole(1_000_000);
        if self.teacher_reward.0 < 0 || self.teacher_reward > max {
            return bad("learning.teacher_reward", "must be 0 to 1000000 KC");
        }
        if self.student_reward.0 < 0 || self.student_reward > max {
            return bad("learning.student_reward", "must be 0 to 1000000 KC");
        }
        if self.skill_endorsements == 0 || self.skill_endorsements > 100 {
            return bad("learning.skill_endorsements", "must be 1 to 100");
        }
        if self.confirmation_window.0 == 0 {
            return bad("learning.confirmation_window", "must be positive");
        }
        let mut seen = std::collections::BTreeSet::new();
        for key in &self.assessors {
            if key.verifying_key().is_err() {
                return bad(
                    "learning.assessors",
                    "every key must be a valid, strong key",
                );
            }
            if !seen.insert(key) {
                return bad("learning.assessors", "an assessor is named twice");
            }
        }
        Ok(())
    }
}

/// Learning actions (local log). A skill's id is the id of the action
/// that added it; a session's is its scheduling action's.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LearningAction {
    /// A steward adds a skill to the graph.
    AddSkill {
        /// Its name, 1 to 120 bytes, unique.
        name: String,
        /// What it is (at most 2000 bytes).
        description: String,
        /// Skills learned before it (at most 32, existing).
        prerequisites: Vec<Hash>,
    },
    /// A steward edits a skill: name, description and prerequisites.
    EditSkill {
        /// The skill.
        skill: Hash,
        /// Its name, 1 to 120 bytes, unique.
        name: String,
        /// What it is (at most 2000 bytes).
        description: String,
        /// Skills learned before it; none may need this skill.
        prerequisites: Vec<Hash>,
    },
    /// A member schedules a peer session teaching a skill.
    Schedule {
        /// The skill taught.
        skill: Hash,
        /// When it starts (in the future).
        start: Timestamp,
        /// When it ends (after the start, at most a week later).
        end: Timestamp,
        /// Where (1 to 2000 bytes: an address, a room, a link).
        place: String,
        /// How many students it takes, 1 to 200.
        capacity: u32,
    },
    /// A member enrols in a session before it starts.
    Enrol {
        /// The session.
        session: Hash,
    },
    /// The teacher cancels a session before it starts.
    Cancel {
        /// The session.
        session: Hash,
    },
    /// An enrolled student confirms they completed a session: rewards.
    Confirm {
        /// The session.
        session: Hash,
    },
    /// The author endorses `member` in `skill`.
    Endorse {
        /// Who is endorsed.
        member: PublicKey,
        /// The skill.
        skill: Hash,
    },
    /// The author withdraws an endorsement that has not counted yet.
    Unendorse {
        /// Who was endorsed.
        member: PublicKey,
        /// The skill.
        skill: Hash,
    },
    /// A verified member offers (or stops offering) to teach a skill.
    Teach {
        /// The skill.
        skill: Hash,
        /// Whether they offer.
        offer: bool,
    },
    /// A member gives money to the education pool.
    Contribute {
        /// How much, positive.
        amount: Kc,
    },
}

impl LearningAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            LearningAction::AddSkill { .. } => "learn_add_skill",
            LearningAction::EditSkill { .. } => "learn_edit_skill",
            LearningAction::Schedule { .. } => "learn_schedule",
            LearningAction::Enrol { .. } => "learn_enrol",
            LearningAction::Cancel { .. } => "learn_cancel",
            LearningAction::Confirm { .. } => "learn_confirm",
            LearningAction::Endorse { .. } => "learn_endorse",
            LearningAction::Unendorse { .. } => "learn_unendorse",
            LearningAction::Teach { .. } => "learn_teach",
            LearningAction::Contribute { .. } => "learn_contribute",
        }
    }

    /// The log learning actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// The education pool's id in `community`.
pub fn education_pool_id(community: &Hash) -> Hash {
    Hash::of(POOL_CONTEXT, &community.0)
}

/// The id of `member`'s reward for `session`: one per (session, member),
/// so a reward can never be created twice.
pub fn reward_id(session: &Hash, member: &PublicKey) -> Hash {
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&session.0);
    bytes[32..].copy_from_slice(&member.0);
    Hash::of(REWARD_CONTEXT, &bytes)
}

/// Why a learning action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LearningRejection {
    /// No skill with this id.
    #[error("no skill {skill}")]
    UnknownSkill {
        /// The id.
        skill: Hash,
    },
    /// A skill's name, description or prerequisites are not acceptable.
    #[error("invalid skill: {reason}")]
    InvalidSkill {
        /// What is wrong.
        reason: &'static str,
    },
    /// The prerequisite would close a cycle.
    #[error("a prerequisite would close a cycle: {}", path.join(" → "))]
    PrerequisiteCycle {
        /// The skill names around the cycle, from the edited skill back to it.
        path: Vec<String>,
    },
    /// Only stewards (council in power, appointed assessors) keep the graph.
    #[error("only the council in power or an appointed assessor {what}")]
    NotSteward {
        /// What was attempted.
        what: &'static str,
    },
    /// No session with this id.
    #[error("no session {session}")]
    UnknownSession {
        /// The id.
        session: Hash,
    },
    /// A new session's time, place or capacity is not acceptable.
    #[error("invalid session: {reason}")]
    InvalidSession {
        /// What is wrong.
        reason: &'static str,
    },
    /// The session has started: no more enrolment or cancellation.
    #[error("the session started at {start}")]
    SessionStarted {
        /// When it started.
        start: Timestamp,
    },
    /// The session was cancelled.
    #[error("the session was cancelled")]
    SessionCancelled,
    /// Every place is taken.
    #[error("the session is full ({capacity} students)")]
    SessionFull {
        /// Its capacity.
        capacity: u32,
    },
    /// The teacher is never their own student.
    #[error("you teach this session: a teacher is never their own student")]
    OwnSession,
    /// Only the teacher does this.
    #[error("only the session's teacher may do this")]
    NotTeacher,
    /// The member already enrolled.
    #[error("you are already enrolled in this session")]
    AlreadyEnrolled,
    /// The member is not a student of the session.
    #[error("you did not enrol in this session")]
    NotEnrolled,
    /// The session is not over yet.
    #[error("the session ends at {end}: confirm it after")]
    SessionNotOver {
        /// When it ends.
        end: Timestamp,
    },
    /// The confirmation window closed.
    #[error("the confirmation window closed at {closed}")]
    ConfirmationClosed {
        /// When it closed.
        closed: Timestamp,
    },
    /// The student already confirmed.
    #[error("you already confirmed this session")]
    AlreadyConfirmed,
    /// Nobody endorses themselves.
    #[error("nobody endorses themselves")]
    SelfEndorsement,
    /// The endorser is neither verified in the skill nor an assessor.
    #[error(
        "only members verified in the skill, or an assessor (appointed, else the council in power), endorse it; a skill nobody is verified in yet needs an assessor"
    )]
    NotQualified,
    /// The member is already verified in the skill.
    #[error("the member is already verified in this skill")]
    AlreadyVerified,
    /// The author already endorsed the member in the skill.
    #[error("you already endorsed the member in this skill")]
    AlreadyEndorsed,
    /// No such endorsement to withdraw (or it already counted).
    #[error("you have no pending endorsement of the member in this skill")]
    NoEndorsement,
    /// The member is not verified in the skill.
    #[error("not verified in this skill")]
    NotVerified,
    /// Technical proposals are reviewed by members verified in a skill.
    #[error("reviewers of technical proposals must be verified in skill {skill}")]
    NotExpert {
        /// The skill (rule `learning.review_skill`).
        skill: Hash,
    },
}

impl LearningRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            LearningRejection::UnknownSkill { .. } => "unknown_skill",
            LearningRejection::InvalidSkill { .. } => "invalid_skill",
            LearningRejection::PrerequisiteCycle { .. } => "prerequisite_cycle",
            LearningRejection::NotSteward { .. } => "not_steward",
            LearningRejection::UnknownSession { .. } => "unknown_session",
            LearningRejection::InvalidSession { .. } => "invalid_session",
            LearningRejection::SessionStarted { .. } => "session_started",
            LearningRejection::SessionCancelled => "session_cancelled",
            LearningRejection::SessionFull { .. } => "session_full",
            LearningRejection::OwnSession => "own_session",
            LearningRejection::NotTeacher => "not_teacher",
            LearningRejection::AlreadyEnrolled => "already_enrolled",
            LearningRejection::NotEnrolled => "not_enrolled",
            LearningRejection::SessionNotOver { .. } => "session_not_over",
            LearningRejection::ConfirmationClosed { .. } => "confirmation_closed",
            LearningRejection::AlreadyConfirmed => "already_confirmed",
            LearningRejection::SelfEndorsement => "self_endorsement",
            LearningRejection::NotQualified => "not_qualified",
            LearningRejection::AlreadyVerified => "already_verified",
            LearningRejection::AlreadyEndorsed => "already_endorsed",
            LearningRejection::NoEndorsement => "no_endorsement",
            LearningRejection::NotVerified => "not_verified",
            LearningRejection::NotExpert { .. } => "not_expert",
        }
    }
}

impl From<LearningRejection> for ApplyError {
    fn from(r: LearningRejection) -> Self {
        ApplyError::Rejected(Rejection::Learning(r))
    }
}
