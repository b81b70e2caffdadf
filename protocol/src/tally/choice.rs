//! Decisions on one proposal (DESIGN §7.2): consensus (the local default),
//! majority with liquid delegation (regional) and quadratic voting with
//! voice credits (network).
//!
//! Each tally is a pure function of the ballots (one per key: the caller
//! keeps the highest nonce), the eligible members, each member's effective
//! delegate and the level's rules. It resolves delegations itself (see
//! [`super::delegation`]) so the report — hashable with
//! [`super::result_hash`] — carries, per direct voter, the weight it
//! carried. Every comparison is exact: `part / whole ≥ num / den` is decided
//! by integer cross-multiplication ([`Ratio::reached`]).
//!
//! Shared rules:
//! - **Turnout** is the counted weight, abstentions included: eligible
//!   direct voters and the members they represent. The quorum is met iff
//!   `turnout / eligible ≥ quorum`; with no eligible member it never is.
//! - **Threshold**: the support must reach `threshold` of the votes that
//!   take a side; when nobody takes a side the proposal fails on the
//!   threshold.
//! - Checks run in order quorum, blocks (consensus only), threshold: the
//!   first that fails is the reported reason.

pub mod consensus;
pub mod majority;
pub mod quadratic;

#[cfg(any(test, feature = "test"))]
pub mod bench;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::delegation::Resolution;
use crate::crypto::PublicKey;
use crate::units::Ratio;

pub use consensus::{ConsensusBallot, ConsensusCounts, ConsensusReport, ConsensusRules};
pub use majority::{MajorityBallot, MajorityReport, MajorityRules};
pub use quadratic::{
    OptionTotal, QvBallot, QvError, QvQuestion, QvReport, QvRules, check_ballot, cost,
};

/// Whether a proposal passed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Quorum, blocks and threshold are all satisfied.
    Passed,
    /// The first rule that was not satisfied.
    Failed(FailReason),
}

impl Outcome {
    /// Whether the proposal passed.
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Passed)
    }
}

/// Why a proposal failed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// The support did not reach the threshold of the votes taking a side.
    Threshold,
    /// At least `blocks_to_fail` members blocked (consensus).
    Blocked {
        /// The members who blocked.
        blocks: u64,
    },
    /// Too few of the eligible members were counted.
    QuorumNotMet {
        /// The counted weight, abstentions included.
        turnout: u64,
        /// The number of eligible members.
        eligible: u64,
    },
}

/// The quorum check shared by every method: `None` when it is met.
fn quorum_failure(quorum: Ratio, resolution: &Resolution) -> Option<FailReason> {
    let (turnout, eligible) = (resolution.counted(), resolution.eligible);
    if eligible > 0 && quorum.reached(u128::from(turnout), u128::from(eligible)) {
        None
    } else {
        Some(FailReason::QuorumNotMet { turnout, eligible })
    }
}

/// Whether `support` reaches `threshold` of `sided` (the votes that take a
/// side), with at least one vote taking a side.
fn threshold_reached(threshold: Ratio, support: u128, sided: u128) -> bool {
    sided > 0 && threshold.reached(support, sided)
}

/// The counted ballots with the weight each carries, in key order: a merge
/// of two sorted maps, since every key of `resolution.weight` is a key of
/// `ballots` (the resolution was made from those ballots' keys).
fn weighted<'a, B>(
    ballots: &'a BTreeMap<PublicKey, B>,
    resolution: &'a Resolution,
) -> impl Iterator<Item = (&'a PublicKey, &'a B, u64)> {
    let mut rest = ballots.iter();
    resolution
        .weight
        .iter()
        .filter_map(move |(voter, &weight)| {
            rest.by_ref()
                .find(|(key, _)| *key == voter)
                .map(|(_, ballot)| (voter, ballot, weight))
        })
}
