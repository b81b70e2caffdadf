//! The time bank (DESIGN §6): members record hours of help given and
//! received, and the other party confirms. A `Log` is written by the
//! provider and names one or several recipients (a class, a shared ride):
//! each recipient confirms or declines their own share. A `Received` is
//! written by the one recipient and names the provider, who confirms or
//! declines it. Nobody confirms their own record.
//!
//! On each confirmation the recipient pays the provider, through the
//! ledger (so the recipient's floor applies), `minutes × rate / 60`
//! milli-KC at the `time_bank_kc_per_hour` rate in force when the share
//! is confirmed, rounded half up to the milli-KC ([`share_value`]). A
//! share worth less than half a milli-KC is confirmed without payment.
//!
//! Shares not confirmed within the rules' `time_log_expiry` expire: one
//! scheduled item per record marks its pending shares expired, and an
//! expired share can no longer be confirmed (a share is also refused as
//! expired once its time has passed, before the item is sealed).
//!
//! Categories are the built-in ones of [`CATEGORIES`], those the
//! community adds by rule (`time_bank_categories`), and the skill sharing
//! categories: a skill exchange is recorded here in its skill's category
//! ([`categories`]).

mod apply;
mod tables;

pub use apply::*;
pub use tables::*;

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::community::Rules;
use crate::crypto::{Hash, PublicKey};
use crate::log::LogKind;
use crate::state::{ApplyError, Rejection};
use crate::units::Kc;

/// The categories of help a record may name.
pub const CATEGORIES: [&str; 6] = [
    "childcare",
    "eldercare",
    "transportation",
    "home_repair",
    "gardening",
    "cooking",
];

/// Most minutes one record counts: a day.
pub const MAX_MINUTES: u32 = 24 * 60;

/// Most recipients one `Log` names.
pub const MAX_RECIPIENTS: usize = 50;

/// Longest note on a record, in bytes.
pub const MAX_NOTE_LEN: usize = 1000;

/// Time bank actions (local log). A record's id is its action's id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimeBankAction {
    /// The author gave time to one or several recipients; each confirms
    /// their own share.
    Log {
        /// Who received the help: 1 to 50 distinct active members, not the author.
        recipients: Vec<PublicKey>,
        /// How long, 1 to 1440 minutes.
        minutes: u32,
        /// One of the community's [`categories`].
        category: String,
        /// What was done (at most 1000 bytes).
        note: String,
    },
    /// The author received time from a provider, who confirms it.
    Received {
        /// Who helped: an active member, not the author.
        provider: PublicKey,
        /// How long, 1 to 1440 minutes.
        minutes: u32,
        /// One of the community's [`categories`].
        category: String,
        /// What was done (at most 1000 bytes).
        note: String,
    },
    /// The other party confirms their share of a record: the recipient
    /// pays the provider.
    Confirm {
        /// The record.
        record: Hash,
    },
    /// The other party declines their share of a record, for good.
    Decline {
        /// The record.
        record: Hash,
        /// Why (at most 1000 bytes).
        reason: String,
    },
}

impl TimeBankAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            TimeBankAction::Log { .. } => "time_log",
            TimeBankAction::Received { .. } => "time_received",
            TimeBankAction::Confirm { .. } => "time_confirm",
            TimeBankAction::Decline { .. } => "time_decline",
        }
    }

    /// The log time bank actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// What one share of `minutes` is worth at `rate` per hour: `minutes ×
/// rate / 60` milli-KC, rounded half up to the milli-KC (30 s at 1 KC/h
/// is 8.33… → 8 milli-KC; 1 minute at 0.03 KC/h is 0.5 → 1 milli-KC).
/// Never negative; saturates at the largest amount.
pub fn share_value(minutes: u32, rate: Kc) -> Kc {
    let product = i128::from(minutes) * i128::from(rate.0.max(0));
    let rounded = (product * 2 + 60) / 120;
    Kc(rounded.clamp(0, i128::from(i64::MAX)) as i64)
}

/// The categories a record may name, in this order: the built-in ones,
/// the community's own (rule `time_bank_categories`), then the skill
/// sharing categories (built-in and the community's).
pub fn categories(rules: &Rules) -> Vec<String> {
    CATEGORIES
        .iter()
        .map(|c| (*c).to_string())
        .chain(rules.time_bank_categories.iter().cloned())
        .chain(crate::economy::skills::categories(rules))
        .collect()
}

/// Whether `category` is one a record may name.
pub fn is_category(rules: &Rules, category: &str) -> bool {
    CATEGORIES.contains(&category)
        || rules.time_bank_categories.iter().any(|c| c == category)
        || crate::economy::skills::is_category(rules, category)
}

/// Why a time bank action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeBankRejection {
    /// No record with this id.
    #[error("no time record {record}")]
    UnknownRecord {
        /// The id.
        record: Hash,
    },
    /// Not a category records may name.
    #[error("unknown category {category:?}: see `hearth hours categories`")]
    UnknownCategory {
        /// The category given.
        category: String,
    },
    /// Minutes outside 1..=1440.
    #[error("a record counts 1 to 1440 minutes, not {minutes}")]
    InvalidMinutes {
        /// The minutes given.
        minutes: u32,
    },
    /// The recipients (or provider) named are not acceptable.
    #[error("invalid recipients: {reason}")]
    InvalidRecipients {
        /// What is wrong.
        reason: &'static str,
    },
    /// The author wrote the record: the other party confirms it.
    #[error("the other party confirms or declines a record, never its author")]
    OwnRecord,
    /// The author has no share of the record to confirm or decline.
    #[error("you have no share of this record to confirm or decline")]
    NotAParty,
    /// The share was already confirmed (and paid).
    #[error("your share of this record was already confirmed")]
    AlreadyConfirmed,
    /// The share was declined, for good.
    #[error("your share of this record was declined; a declined share is final")]
    AlreadyDeclined,
    /// The share was not confirmed in time.
    #[error("your share of this record expired unconfirmed")]
    Expired,
}

impl TimeBankRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            TimeBankRejection::UnknownRecord { .. } => "unknown_record",
            TimeBankRejection::UnknownCategory { .. } => "unknown_category",
            TimeBankRejection::InvalidMinutes { .. } => "invalid_minutes",
            TimeBankRejection::InvalidRecipients { .. } => "invalid_recipients",
            TimeBankRejection::OwnRecord => "own_record",
            TimeBankRejection::NotAParty => "not_a_party",
            TimeBankRejection::AlreadyConfirmed => "already_confirmed",
            TimeBankRejection::AlreadyDeclined => "already_declined",
            TimeBankRejection::Expired => "expired",
        }
    }
}

impl From<TimeBankRejection> for ApplyError {
    fn from(r: TimeBankRejection) -> Self {
        ApplyError::Rejected(Rejection::TimeBank(r))
    }
}
