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
//! The keyed entry points (`tally`) intern their maps into an
//! [`Electorate`](super::electorate::Electorate) and run the indexed ones:
//! one algorithm. A large vote (a network referendum) interns at ingest and
//! calls the indexed tally directly (`majority::tally_indexed`,
//! `quadratic::tally_indexed`), whose compact result becomes the same report
//! — with the same result hash — through `into_report`.
//!
//! Shared rules:
//! - **Turnout** is the counted weight, abstentions included: eligible
//!   direct voters and the members they represent. The quorum is met iff
//!   `turnout / eligible ≥ quorum`; with no eligible member it never is.
//! - **Threshold**: the support must reach `threshold` of the votes that
//!   take a side — or, when the rules are strict, pass it: strictly more
//!   than `threshold` (the default for a simple majority, `threshold =
//!   1/2`, so that a tie does not pass; see [`PassWhen`]). When nobody
//!   takes a side the proposal fails on the threshold.
//! - Checks run in order quorum, blocks (consensus only), tie (quadratic
//!   choices only), threshold: the first that fails is the reported
//!   reason.
//!
//! **Limits** (what a node accepts, and why):
//! - *options*: a yes/no decision (majority, consensus, council) has none;
//!   a quadratic choice has 2 to [`MAX_OPTIONS`] (256) and a ballot gives
//!   one number per option. A count reads every ballot's every option
//!   once: at most 256 × members additions, and a ballot is at most
//!   256 × 8 bytes — at the limits about 7 µs and 2 KiB per voting member
//!   (BENCHMARKS.md, "Choice methods at their limits").
//! - *votes and voice credits*: a ballot costs the sum of its squared
//!   votes and must fit the level's `voice_credits`, at most
//!   [`MAX_VOICE_CREDITS`] (10⁶): at most 1000 votes on one option, so an
//!   option's total is below members × 1000 and every comparison
//!   (`Ratio::reached`, at most 2³² × total) stays far inside `u128`.
//!   A ballot over budget is refused when cast (`over_budget`), one of the
//!   wrong length too (`invalid_ballot`).
//! - *members*: an electorate indexes its members with `u32`, so a count
//!   has at most [`MAX_MEMBERS`] (2³² − 9) members, and a weight — a sum
//!   of members — fits a `u64`. The count is linear in members (each
//!   delegation chain is followed once): 1.2 million eligible members
//!   count in about 12 ms over an interned electorate and about 260 ms
//!   from keyed maps (BENCHMARKS.md, "tally").
//!
//! [`PassWhen`]: crate::community::PassWhen
//! [`MAX_OPTIONS`]: crate::governance::MAX_OPTIONS
//! [`MAX_VOICE_CREDITS`]: crate::community::MAX_VOICE_CREDITS
//! [`MAX_MEMBERS`]: super::electorate::MAX_MEMBERS

pub mod consensus;
pub mod majority;
pub mod quadratic;

#[cfg(any(test, feature = "test"))]
pub mod bench;

#[cfg(test)]
mod tests;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::delegation::IndexedResolution;
use super::electorate::Ballots;
use crate::units::Ratio;

pub use consensus::{ConsensusBallot, ConsensusCounts, ConsensusReport, ConsensusRules};
pub use majority::{MajorityBallot, MajorityCount, MajorityReport, MajorityRules};
pub use quadratic::{
    OptionTotal, QvBallot, QvCount, QvError, QvQuestion, QvReport, QvRules, check_ballot, cost,
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
    /// Several options tied for the lead and the rules do not draw lots:
    /// no option is adopted.
    Tied {
        /// The options tied for the lead, ascending.
        options: Vec<u32>,
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
fn quorum_failure(quorum: Ratio, resolution: &IndexedResolution) -> Option<FailReason> {
    let (turnout, eligible) = (resolution.counted(), resolution.eligible());
    if eligible > 0 && quorum.reached(u128::from(turnout), u128::from(eligible)) {
        None
    } else {
        Some(FailReason::QuorumNotMet { turnout, eligible })
    }
}

/// Whether `support` reaches `threshold` of `sided` (the votes that take a
/// side) — passes it, when `strict` — with at least one vote taking a side.
fn threshold_reached(threshold: Ratio, strict: bool, support: u128, sided: u128) -> bool {
    sided > 0
        && if strict {
            threshold.exceeded(support, sided)
        } else {
            threshold.reached(support, sided)
        }
}

/// The counted ballots with the weight each carries, in member (key)
/// order: `resolution` was made from `ballots`, so every ballot of a member
/// is counted, with a weight of at least 1.
fn weighted<'a, B>(
    ballots: &'a Ballots<B>,
    resolution: &'a IndexedResolution,
) -> impl Iterator<Item = (usize, &'a B, u64)> {
    ballots
        .by_member()
        .iter()
        .zip(resolution.weights())
        .enumerate()
        .filter_map(|(i, (ballot, weight))| Some((i, ballot.as_ref()?, weight)))
}
