//! Mutual-aid pools (DESIGN §6.3): an emergency pool from genesis and
//! more by vote. Members contribute and ask; a request opens its approval
//! (a community vote, a council decision, or k of n appointed assessors);
//! an approved request is paid once, as far as the pool's money goes, and
//! the rest waits in line for the next contributions.

mod apply;
mod tables;

pub use apply::*;
pub use tables::*;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::log::LogKind;
use crate::state::{ApplyError, Rejection};
use crate::units::{Kc, Millis, Timestamp};

use super::Approval;

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
    /// Checks the guidelines.
    pub fn validate(&self) -> Result<(), crate::community::InvalidRules> {
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
