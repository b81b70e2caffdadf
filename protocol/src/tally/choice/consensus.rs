//! Consensus (the local default): agree / abstain / disagree / block.
//!
//! A proposal passes iff the quorum is met, fewer than `blocks_to_fail`
//! members block, and the weight agreeing reaches `threshold` (default 4/5)
//! of the weight that does not abstain (agree + disagree + block) — is
//! strictly more than it, when the rules are `strict`.
//!
//! A block is a member's own reasoned objection, so blocks are counted per
//! direct voter: a blocker who represents others still makes one block.
//! The weight of a block ballot (the blocker and whom it represents) does
//! count, like a disagreement, against the threshold.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{FailReason, Outcome, quorum_failure, threshold_reached, weighted};
use crate::community::LevelRules;
use crate::crypto::PublicKey;
use crate::tally::delegation::{Resolution, resolve_indexed};
use crate::tally::electorate::Electorate;
use crate::units::Ratio;

/// A consensus ballot.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsensusBallot {
    /// In favour.
    Agree,
    /// Taking no side: counts for the quorum only.
    Abstain,
    /// Against.
    Disagree,
    /// A principled objection; enough of them fail the proposal.
    Block {
        /// Why the member blocks, shown with the result.
        reason: String,
    },
}

/// The rules of a consensus decision.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct ConsensusRules {
    /// Share of the non-abstaining weight that must agree.
    pub threshold: Ratio,
    /// Share of the eligible members that must be counted.
    pub quorum: Ratio,
    /// Blocks that fail the proposal; 0 means blocks never fail it on
    /// their own (they still count against the threshold).
    pub blocks_to_fail: u32,
    /// Whether agreement must be strictly more than `threshold`.
    #[serde(default)]
    pub strict: bool,
}

impl Default for ConsensusRules {
    /// DESIGN §7.2: 80 % agreement, one block fails; a quarter must take part.
    fn default() -> Self {
        ConsensusRules {
            threshold: Ratio::new(4, 5),
            quorum: Ratio::new(1, 4),
            blocks_to_fail: 1,
            strict: false,
        }
    }
}

impl From<&LevelRules> for ConsensusRules {
    fn from(rules: &LevelRules) -> Self {
        ConsensusRules {
            threshold: rules.threshold,
            quorum: rules.quorum,
            blocks_to_fail: rules.blocks_to_fail,
            strict: rules.strict(),
        }
    }
}

/// Weight per kind of ballot (delegated weight included).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct ConsensusCounts {
    /// Weight agreeing.
    pub agree: u64,
    /// Weight abstaining.
    pub abstain: u64,
    /// Weight disagreeing.
    pub disagree: u64,
    /// Weight of block ballots.
    pub block: u64,
}

impl ConsensusCounts {
    /// The weight that does not abstain: agree + disagree + block.
    pub fn non_abstaining(&self) -> u64 {
        self.agree + self.disagree + self.block
    }
}

/// The result of a consensus decision.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct ConsensusReport {
    /// Weight per kind of ballot.
    pub counts: ConsensusCounts,
    /// The counted members who blocked, with their reasons.
    pub blocks: BTreeMap<PublicKey, String>,
    /// The counted weight, abstentions included: what the quorum measures.
    pub turnout: u64,
    /// Who was counted with whose ballot.
    pub delegation: Resolution,
    /// The decision and, if it failed, why.
    pub outcome: Outcome,
}

/// Counts a consensus decision.
pub fn tally(
    ballots: &BTreeMap<PublicKey, ConsensusBallot>,
    eligible: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
    rules: &ConsensusRules,
) -> ConsensusReport {
    let electorate = Electorate::from_set(eligible);
    let ballots = electorate.ballots(ballots.iter().map(|(key, ballot)| (*key, ballot)));
    let delegations = electorate.delegations(delegate_of);
    let delegation = resolve_indexed(&ballots, &delegations);
    let mut counts = ConsensusCounts::default();
    let mut blocks = BTreeMap::new();
    let keys = electorate.keys();
    for (voter, ballot, weight) in weighted(&ballots, &delegation) {
        match ballot {
            ConsensusBallot::Agree => counts.agree += weight,
            ConsensusBallot::Abstain => counts.abstain += weight,
            ConsensusBallot::Disagree => counts.disagree += weight,
            ConsensusBallot::Block { reason } => {
                counts.block += weight;
                blocks.insert(keys[voter], reason.clone());
            }
        }
    }
    let block_count = blocks.len() as u64;
    let outcome = if let Some(failure) = quorum_failure(rules.quorum, &delegation) {
        Outcome::Failed(failure)
    } else if rules.blocks_to_fail > 0 && block_count >= u64::from(rules.blocks_to_fail) {
        Outcome::Failed(FailReason::Blocked {
            blocks: block_count,
        })
    } else if threshold_reached(
        rules.threshold,
        rules.strict,
        u128::from(counts.agree),
        u128::from(counts.non_abstaining()),
    ) {
        Outcome::Passed
    } else {
        Outcome::Failed(FailReason::Threshold)
    };
    ConsensusReport {
        counts,
        blocks,
        turnout: delegation.counted(),
        delegation: delegation.to_resolution(&electorate),
        outcome,
    }
}
