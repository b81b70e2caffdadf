//! Insurance pools (DESIGN §6.3): health, property, income and care
//! pools created by vote. Enrolled members pay a premium each period
//! (collected by `Due` records); a member who cannot pay lapses after the
//! grace the rules give. A claim is eligible when its member is enrolled,
//! their premiums are current, the waiting period is over and the caps
//! allow it; it is assessed by appointed assessors (k of n), the council
//! or a community vote — never by the claimant — and paid once, never
//! beyond the pool's balance.

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

/// Domain-separation context of enrolment ids.
pub const ENROLMENT_CONTEXT: &str = "hearth v1 enrolment";

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
    /// Most a member may be granted in 12 months (this calendar month and
    /// the eleven before).
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
    #[error("this pool grants at most {cap} per member in 12 months; {used} already granted")]
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
