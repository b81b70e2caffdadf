//! Hearth's protocol: the records communities exchange, their canonical
//! encoding, ids and signatures, the two hash-chained logs of a community,
//! and the deterministic state machine that applies them.
//!
//! This crate is pure: no IO, no clock, no global RNG. Time and randomness
//! are arguments, so the node, the CLI and the tests share one state
//! machine and get the same result from the same records.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod action;
pub mod analytics;
pub mod codec;
pub mod community;
pub mod credential;
pub mod crypto;
pub mod economy;
pub mod federation;
pub mod governance;
pub mod keyfile;
pub mod log;
pub mod request;
pub mod state;
pub mod tally;
pub mod units;
pub mod verified;

#[cfg(any(test, feature = "test"))]
pub mod test;

pub use action::{
    Action, ActionBody, AidAction, GovernanceAction, InsuranceAction, InviteCode, LearningAction,
    LedgerAction, MembershipAction, SignedAction, SkillsAction, SpacesAction, TimeBankAction,
    ToolsAction,
};
pub use codec::Canonical;
pub use community::{Genesis, Rules};
pub use crypto::{Hash, Keypair, PublicKey, Signature};
pub use log::{Entry, EntryBody, Head, LogId, LogKind, SignedEntry};
pub use units::{Kc, Millis, Timestamp};
pub use verified::Verified;

#[cfg(test)]
mod tests;
