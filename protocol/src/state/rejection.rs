//! Why the state machine refused an action: stable codes and the data a
//! person needs to understand the refusal.

use crate::crypto::{Hash, PublicKey};
use crate::tally::choice::QvError;
use crate::units::{Kc, Millis, Timestamp};

use super::records::MemberStatus;

/// A refused action. The `code()` is stable across versions (the API
/// returns it); the `Display` text is a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The action names another community.
    #[error("the action is for community {actual}, but this is community {expected}")]
    WrongCommunity {
        /// This community.
        expected: Hash,
        /// The one the action names.
        actual: Hash,
    },
    /// The author already used this nonce or a later one.
    #[error("nonce {nonce} was already used: the author's last nonce is {last}")]
    NonceReplayed {
        /// The author's last accepted nonce.
        last: u64,
        /// The action's nonce.
        nonce: u64,
    },
    /// The nonce runs too far ahead of the clock.
    #[error("nonce {nonce} is too far ahead of the clock (at most {max} now)")]
    NonceTooFar {
        /// The action's nonce.
        nonce: u64,
        /// The largest nonce accepted now.
        max: u64,
    },
    /// The action claims to have been created in the future.
    #[error(
        "the action was created at {created}, after the node's time {now} plus the allowed clock skew"
    )]
    CreatedInFuture {
        /// The action's creation time.
        created: Timestamp,
        /// The node's time.
        now: Timestamp,
    },
    /// The author is not a member.
    #[error("{who} is not a member of this community")]
    NotAMember {
        /// The key in question.
        who: PublicKey,
    },
    /// The member has left or was removed.
    #[error("{who} is no longer an active member: {status}")]
    MemberInactive {
        /// The key in question.
        who: PublicKey,
        /// Their status.
        status: MemberStatus,
    },
    /// The author is already a member.
    #[error("{who} is already a member")]
    AlreadyMember {
        /// The key in question.
        who: PublicKey,
    },
    /// Only council members may do this.
    #[error("only council members may {what}")]
    NotCouncil {
        /// What was attempted.
        what: &'static str,
    },
    /// The member's council term has ended while other seats are in term.
    #[error("{who}'s council term ended at {ended}: only council members in term may {what}")]
    TermExpired {
        /// The member.
        who: PublicKey,
        /// When their term ended.
        ended: Timestamp,
        /// What was attempted.
        what: &'static str,
    },
    /// The rules appoint technical reviewers, and this member is not one.
    #[error(
        "only the technical reviewers the community's rules appoint may review technical proposals"
    )]
    NotReviewer,
    /// The rules admit members by vote only.
    #[error(
        "this community admits members by vote only: invites are not issued or claimed; propose the member's admission instead"
    )]
    AdmissionByVote,
    /// The last council member cannot leave: the community would have no council.
    #[error("the last council member cannot leave the community")]
    LastCouncilMember,
    /// A member cannot remove themselves; they leave instead.
    #[error("council members leave instead of removing themselves")]
    CannotRemoveSelf,
    /// No invite with this key was issued.
    #[error("no invite with key {invite} was issued")]
    InviteUnknown {
        /// The invite key.
        invite: PublicKey,
    },
    /// The invite expired.
    #[error("the invite expired at {expired}")]
    InviteExpired {
        /// When it expired.
        expired: Timestamp,
    },
    /// The invite was already claimed.
    #[error("the invite was already used")]
    InviteUsed,
    /// The invite key already exists.
    #[error("an invite with this key already exists")]
    InviteExists,
    /// The invite proof does not bind this invite to the author.
    #[error("the invite proof does not verify for this member")]
    InvalidInviteProof,
    /// The invite would outlive the community's maximum.
    #[error("an invite may live at most {max}")]
    InviteTtlTooLong {
        /// The longest allowed lifetime.
        max: Millis,
    },
    /// The invite's expiry is already past.
    #[error("the invite's expiry is not in the future")]
    InviteExpiryPast,
    /// A key named in the action is invalid or weak.
    #[error("the key {key} in the action is invalid or weak")]
    InvalidKey {
        /// The key.
        key: PublicKey,
    },
    /// The recipient is not an active member.
    #[error("the recipient {who} is not an active member")]
    UnknownRecipient {
        /// The recipient.
        who: PublicKey,
    },
    /// A member cannot pay themselves.
    #[error("a member cannot pay themselves")]
    SelfTransfer,
    /// Amounts must be positive.
    #[error("the amount {amount} is not a positive amount")]
    InvalidAmount {
        /// The amount.
        amount: Kc,
    },
    /// The payment would take the payer below their credit limit.
    #[error("insufficient funds: balance {balance}, credit limit {limit}, payment {needed}")]
    InsufficientFunds {
        /// The payer's balance.
        balance: Kc,
        /// How far below zero they may go.
        limit: Kc,
        /// The payment.
        needed: Kc,
    },
    /// No proposal with this id (at this level).
    #[error("no proposal {id} at this level")]
    UnknownProposal {
        /// The id.
        id: Hash,
    },
    /// The proposal is not in a stage that allows this.
    #[error("the proposal is in its {stage:?} stage; this needs {needed}")]
    WrongStage {
        /// Its stage now.
        stage: crate::governance::Stage,
        /// What the action needs.
        needed: &'static str,
    },
    /// Only the proposal's author may do this.
    #[error("only the proposal's author may {what}")]
    NotAuthor {
        /// What was attempted.
        what: &'static str,
    },
    /// The community belongs to a network, but not to this region.
    #[error("this community is not in region {region}: only the region's communities vote there")]
    OutsideRegion {
        /// The region.
        region: Hash,
    },
    /// The community takes no part in governance at this level (it is in
    /// no network, or not in that region), or the action does not exist at
    /// that level.
    #[error(
        "{level} governance is not available here: {level} actions need a network (or region) this community belongs to, and only proposals, ballots and delegations exist at that level"
    )]
    LevelNotAvailable {
        /// The level.
        level: &'static str,
    },
    /// The proposal is malformed.
    #[error("invalid proposal: {reason}")]
    InvalidProposal {
        /// What is wrong.
        reason: &'static str,
    },
    /// The ballot does not fit the proposal's method or options.
    #[error("invalid ballot: {reason}")]
    InvalidBallot {
        /// What is wrong.
        reason: &'static str,
    },
    /// A quadratic ballot costs more voice credits than the voter has.
    #[error("the ballot costs {cost} voice credits; the budget is {budget}")]
    OverBudget {
        /// Σ votes².
        cost: u128,
        /// The voter's credits.
        budget: u32,
    },
    /// A quadratic ballot's votes are so large that Σ votes² passes
    /// `u128::MAX`: over any budget (same code as `OverBudget`).
    #[error(
        "the ballot's votes are too large to price (the sum of their squares passes 2^128); the budget is {budget} voice credits"
    )]
    Unpriceable {
        /// The voter's credits.
        budget: u32,
    },
    /// The member may not vote on this proposal.
    #[error("{who} may not vote on this proposal: {reason}")]
    NotEligible {
        /// The voter.
        who: PublicKey,
        /// Why not.
        reason: &'static str,
    },
    /// The candidate is already nominated.
    #[error("{who} is already nominated")]
    AlreadyNominated {
        /// The candidate.
        who: PublicKey,
    },
    /// The level's rules do not allow delegation.
    #[error("delegation is not allowed at this level")]
    DelegationNotAllowed,
    /// A member cannot delegate to themselves.
    #[error("a member cannot delegate to themselves")]
    SelfDelegation,
    /// The author is suspended by a council decision.
    #[error("{who} is suspended until {until}")]
    Suspended {
        /// The member.
        who: PublicKey,
        /// When the suspension ends.
        until: crate::units::Timestamp,
    },
    /// A pool, the treasury or an escrow cannot pay that much.
    #[error("the account has {balance}; paying {needed} would take it below its floor of {floor}")]
    BelowFloor {
        /// Its balance.
        balance: Kc,
        /// Its floor.
        floor: Kc,
        /// The payment.
        needed: Kc,
    },
    /// A proposed rule change is invalid.
    #[error("invalid rule change: {0}")]
    InvalidRule(#[from] super::rules::RuleError),
    /// Refused by the mutual-aid domain.
    #[error(transparent)]
    Aid(#[from] crate::economy::aid::AidRejection),
    /// Refused by the insurance domain.
    #[error(transparent)]
    Insurance(#[from] crate::economy::insurance::InsuranceRejection),
    /// Refused by the time bank.
    #[error(transparent)]
    TimeBank(#[from] crate::economy::time_bank::TimeBankRejection),
    /// Skill sharing refused the action.
    #[error(transparent)]
    Skills(#[from] crate::economy::skills::SkillsRejection),
    /// Refused by the tool library.
    #[error(transparent)]
    Tools(#[from] crate::economy::tools::ToolsRejection),
    /// Refused by space sharing.
    #[error(transparent)]
    Spaces(#[from] crate::economy::spaces::SpacesRejection),
    /// Refused by learning.
    #[error(transparent)]
    Learning(#[from] crate::economy::learning::LearningRejection),
    /// A display name that cannot be shown as one.
    #[error("invalid name: {reason}")]
    InvalidName {
        /// What is wrong.
        reason: &'static str,
    },
    /// A proposal or a delegation names a topic the community does not list.
    #[error(
        "{topic} is not one of this community's topics (its rules list them; a rules vote adds one)"
    )]
    UnknownTopic {
        /// The topic named.
        topic: crate::governance::Topic,
    },
    /// A comment that cannot join the proposal's thread.
    #[error("invalid comment: {reason}")]
    InvalidComment {
        /// What is wrong.
        reason: &'static str,
    },
    /// A text field is too long.
    #[error("the {field} is {len} bytes long; at most {max} are allowed")]
    TextTooLong {
        /// Which field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The maximum.
        max: usize,
    },
}

impl Rejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::WrongCommunity { .. } => "wrong_community",
            Rejection::NonceReplayed { .. } => "nonce_replayed",
            Rejection::NonceTooFar { .. } => "nonce_too_far",
            Rejection::CreatedInFuture { .. } => "created_in_future",
            Rejection::NotAMember { .. } => "not_a_member",
            Rejection::MemberInactive { .. } => "member_inactive",
            Rejection::AlreadyMember { .. } => "already_member",
            Rejection::NotCouncil { .. } => "not_council",
            Rejection::TermExpired { .. } => "term_expired",
            Rejection::NotReviewer => "not_reviewer",
            Rejection::AdmissionByVote => "admission_by_vote",
            Rejection::LastCouncilMember => "last_council_member",
            Rejection::CannotRemoveSelf => "cannot_remove_self",
            Rejection::InviteUnknown { .. } => "invite_unknown",
            Rejection::InviteExpired { .. } => "invite_expired",
            Rejection::InviteUsed => "invite_used",
            Rejection::InviteExists => "invite_exists",
            Rejection::InvalidInviteProof => "invalid_invite_proof",
            Rejection::InviteTtlTooLong { .. } => "invite_ttl_too_long",
            Rejection::InviteExpiryPast => "invite_expiry_past",
            Rejection::InvalidKey { .. } => "invalid_key",
            Rejection::UnknownRecipient { .. } => "unknown_recipient",
            Rejection::SelfTransfer => "self_transfer",
            Rejection::InvalidAmount { .. } => "invalid_amount",
            Rejection::InsufficientFunds { .. } => "insufficient_funds",
            Rejection::TextTooLong { .. } => "text_too_long",
            Rejection::InvalidName { .. } => "invalid_name",
            Rejection::InvalidComment { .. } => "invalid_comment",
            Rejection::UnknownTopic { .. } => "unknown_topic",
            Rejection::Suspended { .. } => "suspended",
            Rejection::UnknownProposal { .. } => "unknown_proposal",
            Rejection::WrongStage { .. } => "wrong_stage",
            Rejection::NotAuthor { .. } => "not_author",
            Rejection::LevelNotAvailable { .. } => "level_not_available",
            Rejection::OutsideRegion { .. } => "outside_region",
            Rejection::InvalidProposal { .. } => "invalid_proposal",
            Rejection::InvalidBallot { .. } => "invalid_ballot",
            Rejection::OverBudget { .. } | Rejection::Unpriceable { .. } => "over_budget",
            Rejection::NotEligible { .. } => "not_eligible",
            Rejection::AlreadyNominated { .. } => "already_nominated",
            Rejection::DelegationNotAllowed => "delegation_not_allowed",
            Rejection::SelfDelegation => "self_delegation",
            Rejection::BelowFloor { .. } => "below_floor",
            Rejection::InvalidRule(_) => "invalid_rule",
            Rejection::Aid(r) => r.code(),
            Rejection::Insurance(r) => r.code(),
            Rejection::TimeBank(r) => r.code(),
            Rejection::Skills(r) => r.code(),
            Rejection::Tools(r) => r.code(),
            Rejection::Spaces(r) => r.code(),
            Rejection::Learning(r) => r.code(),
        }
    }
}

impl From<QvError> for Rejection {
    /// A quadratic ballot refused by the tally's own check, in the state
    /// machine's words.
    fn from(error: QvError) -> Self {
        match error {
            QvError::WrongLength { .. } => Rejection::InvalidBallot {
                reason: "give votes for every option (one number for a yes/no proposal)",
            },
            QvError::NegativeNotAllowed { .. } => Rejection::InvalidBallot {
                reason: "this question does not allow votes against an option",
            },
            QvError::OverBudget { cost, budget } => Rejection::OverBudget { cost, budget },
            QvError::Unpriceable { budget } => Rejection::Unpriceable { budget },
        }
    }
}
