//! Majority with liquid delegation (the regional default): yes / no /
//! abstain. A proposal passes iff the quorum is met and the yes weight
//! reaches `threshold` (default 3/5) of yes + no — is strictly more than
//! it, when the rules are `strict` (the default for a simple majority).

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{FailReason, Outcome, quorum_failure, threshold_reached};
use crate::community::LevelRules;
use crate::crypto::PublicKey;
use crate::tally::delegation::{IndexedResolution, Resolution, resolve_indexed};
use crate::tally::electorate::{Ballots, Delegations, Electorate};
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
    /// Whether yes must be strictly more than `threshold` (a tie at the
    /// threshold fails).
    #[serde(default)]
    pub strict: bool,
}

impl Default for MajorityRules {
    /// DESIGN §7.2: 60 % of yes + no; a fifth must take part.
    fn default() -> Self {
        MajorityRules {
            threshold: Ratio::new(3, 5),
            quorum: Ratio::new(1, 5),
            strict: false,
        }
    }
}

impl From<&LevelRules> for MajorityRules {
    fn from(rules: &LevelRules) -> Self {
        MajorityRules {
            threshold: rules.threshold,
            quorum: rules.quorum,
            strict: rules.strict(),
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

/// Counts a majority decision: interns the members and runs
/// [`tally_indexed`].
pub fn tally(
    ballots: &BTreeMap<PublicKey, MajorityBallot>,
    eligible: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
    rules: &MajorityRules,
) -> MajorityReport {
    let electorate = Electorate::from_set(eligible);
    let ballots = electorate.ballots(ballots.iter().map(|(key, ballot)| (*key, *ballot)));
    let delegations = electorate.delegations(delegate_of);
    tally_indexed(&ballots, &delegations, rules).into_report(&electorate)
}

/// The result of a majority decision over an interned electorate: a
/// [`MajorityReport`] with its resolution in compact form.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MajorityCount {
    /// Weight voting yes.
    pub yes: u64,
    /// Weight voting no.
    pub no: u64,
    /// Weight abstaining.
    pub abstain: u64,
    /// The counted weight, abstentions included: what the quorum measures.
    pub turnout: u64,
    /// Who was counted with whose ballot, by member index.
    pub delegation: IndexedResolution,
    /// The decision and, if it failed, why.
    pub outcome: Outcome,
}

impl MajorityCount {
    /// The report, with its resolution keyed by `electorate` (the one the
    /// count was made over): the same report, and result hash, as
    /// [`tally`] on the same vote.
    ///
    /// # Panics
    ///
    /// If `electorate` has another number of members.
    pub fn to_report(&self, electorate: &Electorate) -> MajorityReport {
        MajorityReport {
            yes: self.yes,
            no: self.no,
            abstain: self.abstain,
            turnout: self.turnout,
            delegation: self.delegation.to_resolution(electorate),
            outcome: self.outcome.clone(),
        }
    }

    /// [`MajorityCount::to_report`], consuming the count.
    pub fn into_report(self, electorate: &Electorate) -> MajorityReport {
        self.to_report(electorate)
    }
}

/// Counts a majority decision over an interned electorate: `ballots` and
/// `delegations` by member index (see [`Electorate`]).
///
/// # Panics
///
/// If `ballots` and `delegations` are not for the same number of members.
pub fn tally_indexed(
    ballots: &Ballots<MajorityBallot>,
    delegations: &Delegations,
    rules: &MajorityRules,
) -> MajorityCount {
    let delegation = resolve_indexed(ballots, delegations);
    // Without a branch per member: a member who did not vote carries no
    // weight, added to a fourth sum.
    let mut sums = [0u64; 4];
    for (ballot, weight) in ballots.by_member().iter().zip(delegation.weights()) {
        let kind = match ballot {
            Some(MajorityBallot::Yes) => 0,
            Some(MajorityBallot::No) => 1,
            Some(MajorityBallot::Abstain) => 2,
            None => 3,
        };
        sums[kind] += weight;
    }
    let [yes, no, abstain, _] = sums;
    let outcome = if let Some(failure) = quorum_failure(rules.quorum, &delegation) {
        Outcome::Failed(failure)
    } else if threshold_reached(
        rules.threshold,
        rules.strict,
        u128::from(yes),
        u128::from(yes + no),
    ) {
        Outcome::Passed
    } else {
        Outcome::Failed(FailReason::Threshold)
    };
    MajorityCount {
        yes,
        no,
        abstain,
        turnout: delegation.counted(),
        delegation,
        outcome,
    }
}
