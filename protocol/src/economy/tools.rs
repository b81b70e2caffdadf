//! The tool library (DESIGN §6.3): items lent with a deposit, a loan
//! period, a replacement value and a maintenance plan. An item is owned
//! by the community (its stewards — the council in power, or the members
//! the rules appoint in `tools.stewards` — add it, report its condition
//! and record its maintenance) or by a member who lends their own (they
//! are its steward).
//!
//! A checkout moves the item's deposit from the borrower into an escrow
//! account of the loan (`Account::Escrow` of the loan id, floor 0) and
//! the rules' `tools.loan_fee` into the community's maintenance fund,
//! through the ledger, all or nothing (the borrower's floor applies). An
//! item has at most one active loan; a member with an overdue loan
//! borrows nothing (`overdue_loan`). A loan falls overdue by a `Due`
//! record at its due time; the borrower may renew it by its period while
//! nobody holds the item.
//!
//! Holds form a first-come-first-served queue per item. When the item is
//! free, the first holder's pickup window (`tools.pickup_window`) starts:
//! only they may check it out, and a `Due` record lapses their hold when
//! the window ends, starting the next holder's.
//!
//! The borrower returns the item; then a steward (never the borrower)
//! reports its condition. Good: the escrow pays the deposit back to the
//! borrower. Damaged: the escrow pays it into the maintenance fund and the
//! item goes to maintenance. Lost (also reported while still on loan):
//! the same, and the item is retired. The escrow is emptied exactly once,
//! to exactly one of the two. A maintenance plan also takes an item to
//! maintenance after every N loans or every N days (a `Due` record); a
//! steward records the maintenance done and the item circulates again.
//!
//! The maintenance fund is an aid pool with a stable id
//! ([`maintenance_fund_id`]) that the domain creates the first time money
//! flows into it. It is spent like any aid pool: a member asks it for a
//! repair (`hearth aid request "tool maintenance" …`), the council decides,
//! and the approved request is paid once, as far as the fund goes.

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

/// Domain-separation context of the maintenance fund's id.
pub const FUND_CONTEXT: &str = "hearth v1 tool maintenance fund";

/// The maintenance fund's name, as an aid pool.
pub const FUND_NAME: &str = "tool maintenance";

/// Longest item category, in bytes.
pub const MAX_CATEGORY_LEN: usize = 64;

/// Longest note on a condition report or maintenance, in bytes.
pub const MAX_NOTE_LEN: usize = 1000;

/// Shortest loan period: an hour.
pub const MIN_LOAN_PERIOD: Millis = Millis(3_600_000);

/// Longest loan period: a year.
pub const MAX_LOAN_PERIOD: Millis = Millis(365 * 86_400_000);

/// Largest deposit or replacement value: 1 000 000 KC.
pub const MAX_VALUE: Kc = Kc(1_000_000_000_000);

/// Most loans or days a maintenance plan counts between two maintenances.
pub const MAX_PLAN: u32 = 10_000;

/// Most members holding one item at once.
pub const MAX_HOLDS: usize = 50;

/// The tool library's rules (`tools.*`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ToolRules {
    /// Fee a borrower pays into the maintenance fund per checkout.
    pub loan_fee: Kc,
    /// How long the holder whose turn it is has to collect an item.
    pub pickup_window: Millis,
    /// Members appointed as stewards of the community's items, beside the
    /// council in power.
    pub stewards: Vec<PublicKey>,
}

impl Default for ToolRules {
    fn default() -> Self {
        ToolRules {
            loan_fee: Kc::ZERO,
            pickup_window: Millis::days(2),
            stewards: Vec::new(),
        }
    }
}

impl ToolRules {
    /// Checks the rules.
    pub fn validate(&self) -> Result<(), crate::community::InvalidRules> {
        let bad = |rule, reason| Err(crate::community::InvalidRules { rule, reason });
        if self.loan_fee.0 < 0 || self.loan_fee > MAX_VALUE {
            return bad("tools.loan_fee", "must be 0 to 1000000 KC");
        }
        if self.pickup_window.0 == 0 {
            return bad("tools.pickup_window", "must be positive");
        }
        let mut seen = std::collections::BTreeSet::new();
        for key in &self.stewards {
            if key.verifying_key().is_err() {
                return bad("tools.stewards", "every key must be a valid, strong key");
            }
            if !seen.insert(key) {
                return bad("tools.stewards", "a steward is named twice");
            }
        }
        Ok(())
    }
}

/// When an item goes to maintenance by itself (0: never by that measure).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct MaintenancePlan {
    /// After every this many loans.
    pub every_loans: u32,
    /// Every this many days since it was added or last maintained.
    pub every_days: u32,
}

/// What a condition report says.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// In good order: the deposit goes back to the borrower.
    Good,
    /// Damaged: the deposit goes to the maintenance fund; the item to maintenance.
    Damaged,
    /// Lost: the deposit goes to the maintenance fund; the item is retired.
    Lost,
}

impl Condition {
    /// Parses `good`, `damaged` or `lost`.
    pub fn parse(text: &str) -> Option<Condition> {
        match text {
            "good" => Some(Condition::Good),
            "damaged" => Some(Condition::Damaged),
            "lost" => Some(Condition::Lost),
            _ => None,
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Condition::Good => "good",
            Condition::Damaged => "damaged",
            Condition::Lost => "lost",
        })
    }
}

/// Tool library actions (local log). An item's id is the id of the
/// action that added it; a loan's is its checkout's.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolsAction {
    /// Adds an item: the community's (by a steward) or the author's own.
    Add {
        /// Its name, 1 to 120 bytes, unique among the items in circulation.
        name: String,
        /// Its category (power_tools, garden, kitchen, …), 1 to 64 bytes.
        category: String,
        /// Whether the author lends their own item (else the community's).
        own: bool,
        /// Deposit held per loan, 0 to 1000000 KC.
        deposit: Kc,
        /// How long a loan lasts, 1 hour to 365 days.
        loan_period: Millis,
        /// What replacing it costs, 0 to 1000000 KC.
        replacement: Kc,
        /// When it goes to maintenance by itself.
        plan: MaintenancePlan,
    },
    /// Borrows an item: the deposit goes into the loan's escrow.
    Checkout {
        /// The item.
        item: Hash,
    },
    /// Joins an item's hold queue.
    Hold {
        /// The item.
        item: Hash,
    },
    /// Leaves an item's hold queue.
    CancelHold {
        /// The item.
        item: Hash,
    },
    /// The borrower extends their loan by the item's period.
    Renew {
        /// The item.
        item: Hash,
    },
    /// The borrower brings the item back.
    Return {
        /// The item.
        item: Hash,
    },
    /// A steward reports the condition of a returned item (or an item on
    /// loan as lost): the loan's deposit is settled.
    Inspect {
        /// The item.
        item: Hash,
        /// What they found.
        condition: Condition,
        /// What they saw (at most 1000 bytes).
        note: String,
    },
    /// A steward takes an available item out of circulation for maintenance.
    Maintain {
        /// The item.
        item: Hash,
        /// What is to be done (at most 1000 bytes).
        note: String,
    },
    /// A steward records an item's maintenance done: it circulates again.
    Maintained {
        /// The item.
        item: Hash,
        /// What was done (at most 1000 bytes).
        note: String,
    },
}

impl ToolsAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            ToolsAction::Add { .. } => "tool_add",
            ToolsAction::Checkout { .. } => "tool_checkout",
            ToolsAction::Hold { .. } => "tool_hold",
            ToolsAction::CancelHold { .. } => "tool_cancel_hold",
            ToolsAction::Renew { .. } => "tool_renew",
            ToolsAction::Return { .. } => "tool_return",
            ToolsAction::Inspect { .. } => "tool_inspect",
            ToolsAction::Maintain { .. } => "tool_maintain",
            ToolsAction::Maintained { .. } => "tool_maintained",
        }
    }

    /// The log tool library actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// The maintenance fund's id (an aid pool's) in `community`.
pub fn maintenance_fund_id(community: &Hash) -> Hash {
    Hash::of(FUND_CONTEXT, &community.0)
}

/// Why a tool library action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolsRejection {
    /// No item with this id.
    #[error("no tool library item {item}")]
    UnknownItem {
        /// The id.
        item: Hash,
    },
    /// A new item's name, category or plan is not acceptable.
    #[error("invalid item: {reason}")]
    InvalidItem {
        /// What is wrong.
        reason: &'static str,
    },
    /// A deposit or replacement value outside 0..=1000000 KC.
    #[error("a deposit or replacement value is 0 to 1000000 KC, not {amount}")]
    InvalidValue {
        /// The amount given.
        amount: Kc,
    },
    /// A loan period outside 1 hour..=365 days.
    #[error("a loan period is 1 hour to 365 days, not {period}")]
    InvalidLoanPeriod {
        /// The period given.
        period: Millis,
    },
    /// Only the item's stewards do this.
    #[error(
        "only the item's stewards (its owner, or for the community's items the council or an appointed steward) {what}"
    )]
    NotSteward {
        /// What was attempted.
        what: &'static str,
    },
    /// The item is not in the state the action needs.
    #[error("the item is {status}")]
    NotAvailable {
        /// Where it stands.
        status: ItemStatus,
    },
    /// The member has an overdue loan and borrows nothing until it is back.
    #[error("your loan of item {item} was due {due}: return it before borrowing")]
    OverdueLoan {
        /// The overdue item.
        item: Hash,
        /// When it was due.
        due: Timestamp,
    },
    /// Another member holds the item and it is their turn.
    #[error("the item is held for another member until {until}")]
    HeldForAnother {
        /// When their pickup window ends.
        until: Timestamp,
    },
    /// The owner neither borrows nor holds their own item.
    #[error("you own this item: lend it, don't borrow it")]
    OwnItem,
    /// The member already holds the item.
    #[error("you already hold this item")]
    AlreadyHolding,
    /// The member does not hold the item.
    #[error("you hold no place for this item")]
    NoHold,
    /// The item's hold queue is full.
    #[error("the item's hold queue is full (50 members)")]
    HoldQueueFull,
    /// The member is not the borrower of the item's loan.
    #[error("you are not the borrower of this item's loan")]
    NotBorrower,
    /// The member already borrows the item.
    #[error("you already borrow this item")]
    AlreadyBorrowing,
    /// Someone holds the item: the loan is not renewed.
    #[error("another member holds this item: return it by {due}")]
    ItemHeld {
        /// When the loan is due.
        due: Timestamp,
    },
    /// A steward never reports on their own loan.
    #[error("a steward never reports the condition of their own loan")]
    OwnLoan,
}

impl ToolsRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ToolsRejection::UnknownItem { .. } => "unknown_item",
            ToolsRejection::InvalidItem { .. } => "invalid_item",
            ToolsRejection::InvalidValue { .. } => "invalid_value",
            ToolsRejection::InvalidLoanPeriod { .. } => "invalid_loan_period",
            ToolsRejection::NotSteward { .. } => "not_steward",
            ToolsRejection::NotAvailable { .. } => "not_available",
            ToolsRejection::OverdueLoan { .. } => "overdue_loan",
            ToolsRejection::HeldForAnother { .. } => "held_for_another",
            ToolsRejection::OwnItem => "own_item",
            ToolsRejection::AlreadyHolding => "already_holding",
            ToolsRejection::NoHold => "no_hold",
            ToolsRejection::HoldQueueFull => "hold_queue_full",
            ToolsRejection::NotBorrower => "not_borrower",
            ToolsRejection::AlreadyBorrowing => "already_borrowing",
            ToolsRejection::ItemHeld { .. } => "item_held",
            ToolsRejection::OwnLoan => "own_loan",
        }
    }
}

impl From<ToolsRejection> for ApplyError {
    fn from(r: ToolsRejection) -> Self {
        ApplyError::Rejected(Rejection::Tools(r))
    }
}
