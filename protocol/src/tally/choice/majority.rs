//! Majority with liquid delegation (the regional default): yes / no /
//! abstain. A proposal passes iff the quorum is met and the yes weight
//! reaches `threshold` (default 3/5) of yes + no.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{FailReason, Outcome, quorum_failure, threshold_reached, weighted};
use crate::community::LevelRules;
use crate::crypto::PublicKey;
use crate::tally::delegation::{Resolution, resolve_sorted};
use crate::units::Ratio;

/// A majority ballot.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityBallot {
    /// In favour.
    Yes,
    /// Against.
    No,
    /// Taking no side: counts for the quorum only.
    Abstain,
}

/// The rules of a majority decision.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct MajorityRules {
    /// Share of yes + no that must be yes.
    pub threshold: Ratio,
    /// Share of the eligible members that must be counted.
    pub quorum: Ratio,
}

impl Default for MajorityRules {
    /// DESIGN §7.2: 60 % of yes + no; a fifth must take part.
    fn default() -> Self {
        MajorityRules {
            threshold: Ratio::new(3, 5),
            quorum: Ratio::new(1, 5),
        }
    }
}

impl From<&LevelRules> for MajorityRules {
    fn from(rules: &LevelRules) -> Self {
        MajorityRules {
            threshold: rules.threshold,
            quorum: rules.quorum,
        }
    }
}

/// The result of a majority decision. The weight each direct voter carried
/// is `delegation.weight`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct MajorityReport {
    /// Weight voting yes.
    pub yes: u64,
    /// Weight voting no.
    pub no: u64,
    /// Weight abstaining.
    pub abstain: u64,
    /// The counted weight, abstentions included: what the quorum measures.
    pub turnout: u64,
    /// Who was counted with whose ballot.
    pub delegation: Resolution,
    /// The decision and, if it failed, why.
    pub outcome: Outcome,
}

/// Counts a majority decision.
pub fn tally(
    ballots: &BTreeMap<PublicKey, MajorityBallot>,
    eligible: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
    rules: &MajorityRules,
) -> MajorityReport {
    let delegation = resolve_sorted(eligible, ballots.keys(), delegate_of);
    let [mut yes, mut no, mut abstain] = [0u64; 3];
    for (_, ballot, weight) in weighted(ballots, &delegation) {
        match ballot {
            MajorityBallot::Yes => yes += weight,
            MajorityBallot::No => no += weight,
            MajorityBallot::Abstain => abstain += weight,
        }
    }
    let outcome = if let Some(failure) = quorum_failure(rules.quorum, &delegation) {
        Outcome::Failed(failure)
    } else if threshold_reached(rules.threshold, u128::from(yes), u128::from(yes + no)) {
        Outcome::Passed
    } else {
        Outcome::Failed(FailReason::Threshold)
    };
    MajorityReport {
        yes,
        no,
        abstain,
        turnout: delegation.counted(),
        delegation,
        outcome,
    }
}
