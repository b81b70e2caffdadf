//! Quadratic voting with voice credits (the network default).
//!
//! A ballot gives an integer number of votes to each option of the
//! question — negative ones only if the question allows them — and costs
//! the sum of their squares in voice credits, which must fit the member's
//! budget (default 100). A ballot is priced whole, so a changed ballot is
//! re-priced whole.
//!
//! **Delegation.** A member who did not vote is counted with the ballot of
//! the first voter down their chain (see [`crate::tally::delegation`]): the
//! delegate's allocation is applied with the delegator's weight, as if the
//! delegator had cast the same ballot. Each member has one budget and that
//! ballot fits it, so nobody's votes exceed their own budget; a ballot with
//! weight `w` adds `w × votes` to every option.
//!
//! **Totals.** Per option: `for` is the weighted sum of its positive votes,
//! `against` that of its negative votes (as magnitudes), `net = for −
//! against`.
//!
//! **Outcome.** The leading option is the one with the highest net total.
//! When several share it the lead is tied: by default (`ties = fail`) no
//! option leads and the vote fails as tied, naming the tied options; with
//! `ties = lot` the tie is broken by [`crate::tally::draw_order`] seeded
//! with the question's seed (round 0; the node seeds it with
//! [`crate::tally::lot_seed`]), and the report names the tied options and
//! the order drawn. The proposal passes iff the quorum is met, the lead is
//! not tied (or was drawn) and the leader's `for` reaches `threshold`
//! (default 2/3) of its `for + against` — passes it, when the rules are
//! `strict`. A single-option question is a yes/no question (positive
//! votes for, negative votes against — it should allow negative votes),
//! and the rule reduces to "for ≥ threshold × (for + against)"; with
//! several options the leader is adopted if its own votes reach the
//! threshold.
//!
//! An invalid ballot (wrong length, forbidden negative votes, over budget)
//! is refused: it is reported and treated as not cast, so its author
//! follows their own delegation if they have one. [`check_ballot`] is
//! also what a node checks a ballot with when it is cast, against the same
//! budget, so a ballot the node accepted is counted in full.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{FailReason, Outcome, quorum_failure, threshold_reached, weighted};
use crate::community::{LevelRules, Ties};
use crate::crypto::{Hash, PublicKey};
use crate::tally::delegation::{IndexedResolution, Resolution, resolve_indexed};
use crate::tally::draw_order;
use crate::tally::electorate::{Ballots, Delegations, Electorate};
use crate::units::Ratio;

/// Why a quadratic ballot is refused.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, thiserror::Error, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum QvError {
    /// The ballot does not give one number per option.
    #[error("the ballot has {actual} entries but the question has {expected} options")]
    WrongLength {
        /// The question's options.
        expected: u32,
        /// The ballot's entries.
        actual: u64,
    },
    /// The ballot votes against an option, which the question does not allow.
    #[error("option {option} gets negative votes, which this question does not allow")]
    NegativeNotAllowed {
        /// The first option with negative votes.
        option: u32,
    },
    /// The ballot costs more voice credits than the budget.
    #[error("the ballot costs {cost} voice credits but the budget is {budget}")]
    OverBudget {
        /// The sum of the squared votes.
        cost: u128,
        /// The member's voice credits.
        budget: u32,
    },
    /// The votes are so large that the sum of their squares passes
    /// `u128::MAX` (four votes of `i64::MIN` do): far over any budget.
    #[error(
        "the ballot's votes are too large to price (the sum of their squares passes 2^128); the budget is {budget} voice credits"
    )]
    Unpriceable {
        /// The member's voice credits.
        budget: u32,
    },
}

impl QvError {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            QvError::WrongLength { .. } => "wrong_length",
            QvError::NegativeNotAllowed { .. } => "negative_not_allowed",
            // A ballot too large to price is over any budget.
            QvError::OverBudget { .. } | QvError::Unpriceable { .. } => "over_budget",
        }
    }
}

/// What is being voted on.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct QvQuestion {
    /// The number of options (1 for a yes/no question).
    pub options: u32,
    /// Whether ballots may give negative votes.
    pub allow_negative: bool,
    /// Seeds the tie-breaking draw, when the rules draw lots (a node uses
    /// [`crate::tally::lot_seed`]).
    pub seed: Hash,
}

/// The rules of a quadratic vote.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct QvRules {
    /// Share of the leader's votes (for + against) that must be for it.
    pub threshold: Ratio,
    /// Share of the eligible members that must be counted.
    pub quorum: Ratio,
    /// Voice credits per member per voting round.
    pub budget: u32,
    /// Whether the leader's `for` must be strictly more than `threshold`.
    #[serde(default)]
    pub strict: bool,
    /// What a tied lead decides.
    #[serde(default)]
    pub ties: Ties,
}

impl Default for QvRules {
    /// DESIGN §7.2: 2/3 of quadratic votes, 100 voice credits; a tenth
    /// must take part.
    fn default() -> Self {
        QvRules {
            threshold: Ratio::new(2, 3),
            quorum: Ratio::new(1, 10),
            budget: 100,
            strict: false,
            ties: Ties::Fail,
        }
    }
}

impl From<&LevelRules> for QvRules {
    fn from(rules: &LevelRules) -> Self {
        QvRules {
            threshold: rules.threshold,
            quorum: rules.quorum,
            budget: rules.voice_credits,
            strict: rules.strict(),
            ties: rules.ties,
        }
    }
}

/// A quadratic ballot: votes per option, in the question's option order.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct QvBallot {
    /// Votes per option; negative is against.
    pub votes: Vec<i64>,
}

/// The cost of an allocation in voice credits: the sum of the squared
/// votes, or `None` when that passes `u128::MAX` (four votes of
/// `i64::MIN` do). Checked, never saturating or wrapping: the one price
/// the state machine, the federated checks and the tally all use.
pub fn cost(votes: &[i64]) -> Option<u128> {
    votes.iter().try_fold(0u128, |sum, v| {
        let v = u128::from(v.unsigned_abs());
        sum.checked_add(v.checked_mul(v)?)
    })
}

/// Prices an allocation against a member's budget: its cost when it fits,
/// otherwise why not.
pub fn check(votes: &[i64], budget: u32) -> Result<u128, QvError> {
    match cost(votes) {
        Some(cost) if cost <= u128::from(budget) => Ok(cost),
        Some(cost) => Err(QvError::OverBudget { cost, budget }),
        None => Err(QvError::Unpriceable { budget }),
    }
}

/// Checks a ballot against the question and a member's budget: its cost
/// when it is valid.
pub fn check_ballot(votes: &[i64], question: &QvQuestion, budget: u32) -> Result<u128, QvError> {
    if u64::try_from(votes.len()).ok() != Some(u64::from(question.options)) {
        return Err(QvError::WrongLength {
            expected: question.options,
            actual: votes.len() as u64,
        });
    }
    if !question.allow_negative
        && let Some(option) = votes.iter().position(|v| *v < 0)
    {
        return Err(QvError::NegativeNotAllowed {
            option: option as u32,
        });
    }
    check(votes, budget)
}

/// The weighted votes on one option.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct OptionTotal {
    /// Weighted positive votes.
    pub for_votes: u128,
    /// Weighted negative votes, as a magnitude.
    pub against_votes: u128,
    /// `for_votes − against_votes`.
    pub net: i128,
}

/// The result of a quadratic vote.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct QvReport {
    /// Totals per option, in the question's option order.
    pub options: Vec<OptionTotal>,
    /// The option with the highest net total (none for a question without
    /// options, or when the lead is tied and no lot is drawn); whether it
    /// is adopted is `outcome`.
    pub leader: Option<u32>,
    /// The options tied for the lead, ascending; empty when one led.
    pub tied: Vec<u32>,
    /// When the tied options were drawn by lot: them, in drawn order (the
    /// first, the leader, is the one the lot chose). Empty otherwise.
    pub draw: Vec<u32>,
    /// The cost in voice credits of every valid ballot.
    pub costs: BTreeMap<PublicKey, u128>,
    /// Refused ballots, treated as not cast.
    pub rejected: BTreeMap<PublicKey, QvError>,
    /// The counted weight, abstentions included: what the quorum measures.
    pub turnout: u64,
    /// Who was counted with whose ballot.
    pub delegation: Resolution,
    /// The decision and, if it failed, why.
    pub outcome: Outcome,
}

/// Counts a quadratic vote: interns the members and runs
/// [`tally_indexed`].
pub fn tally(
    question: &QvQuestion,
    ballots: &BTreeMap<PublicKey, QvBallot>,
    eligible: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
    rules: &QvRules,
) -> QvReport {
    let electorate = Electorate::from_set(eligible);
    let ballots = electorate.ballots(ballots.iter().map(|(key, ballot)| (*key, ballot)));
    let delegations = electorate.delegations(delegate_of);
    tally_indexed(question, &ballots, &delegations, rules).into_report(&electorate)
}

/// The result of a quadratic vote over an interned electorate: a
/// [`QvReport`] with members as indices.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct QvCount {
    /// Totals per option, in the question's option order.
    pub options: Vec<OptionTotal>,
    /// The option with the highest net total, if one leads (or was drawn).
    pub leader: Option<u32>,
    /// The options tied for the lead, ascending; empty when one led.
    pub tied: Vec<u32>,
    /// When the tied options were drawn by lot: them, in drawn order.
    pub draw: Vec<u32>,
    /// Per member, the cost in voice credits of its valid ballot (0 for
    /// a member without one: the members who voted are those with a weight
    /// in `delegation`). A valid ballot fits a `u32` budget.
    pub costs: Vec<u32>,
    /// Members' refused ballots, in index order.
    pub rejected: Vec<(u32, QvError)>,
    /// Ballots from keys that are not eligible: their cost, or why they
    /// were refused.
    pub ineligible: BTreeMap<PublicKey, Result<u128, QvError>>,
    /// The counted weight, abstentions included: what the quorum measures.
    pub turnout: u64,
    /// Who was counted with whose ballot, by member index.
    pub delegation: IndexedResolution,
    /// The decision and, if it failed, why.
    pub outcome: Outcome,
}

impl QvCount {
    /// The report, keyed by `electorate` (the one the count was made
    /// over): the same report, and result hash, as [`tally`] on the same
    /// vote.
    ///
    /// # Panics
    ///
    /// If `electorate` has another number of members.
    pub fn to_report(&self, electorate: &Electorate) -> QvReport {
        let delegation = self.delegation.to_resolution(electorate);
        let keys = electorate.keys();
        let costs = keys
            .iter()
            .zip(self.delegation.weights())
            .zip(&self.costs)
            .filter(|((_, weight), _)| *weight > 0)
            .map(|((key, _), cost)| (*key, u128::from(*cost)))
            .chain(
                self.ineligible
                    .iter()
                    .filter_map(|(key, check)| Some((*key, *check.as_ref().ok()?))),
            )
            .collect();
        let rejected = self
            .rejected
            .iter()
            .map(|(member, error)| (keys[*member as usize], *error))
            .chain(
                self.ineligible
                    .iter()
                    .filter_map(|(key, check)| Some((*key, *check.as_ref().err()?))),
            )
            .collect();
        QvReport {
            options: self.options.clone(),
            leader: self.leader,
            tied: self.tied.clone(),
            draw: self.draw.clone(),
            costs,
            rejected,
            turnout: self.turnout,
            delegation,
            outcome: self.outcome.clone(),
        }
    }

    /// [`QvCount::to_report`], consuming the count.
    pub fn into_report(self, electorate: &Electorate) -> QvReport {
        self.to_report(electorate)
    }
}

/// Counts a quadratic vote over an interned electorate: `ballots` and
/// `delegations` by member index (see [`Electorate`]).
///
/// # Panics
///
/// If `ballots` and `delegations` are not for the same number of members.
pub fn tally_indexed<B: Borrow<QvBallot>>(
    question: &QvQuestion,
    ballots: &Ballots<B>,
    delegations: &Delegations,
    rules: &QvRules,
) -> QvCount {
    let check = |ballot: &B| check_ballot(&ballot.borrow().votes, question, rules.budget);
    let mut costs = vec![0u32; ballots.members()];
    let mut rejected = Vec::new();
    for (member, ballot) in (0u32..).zip(ballots.by_member()) {
        let Some(ballot) = ballot else { continue };
        match check(ballot) {
            // A valid ballot's cost is at most the (`u32`) budget.
            Ok(cost) => costs[member as usize] = u32::try_from(cost).unwrap_or(u32::MAX),
            Err(error) => rejected.push((member, error)),
        }
    }
    let ineligible = ballots
        .ineligible()
        .iter()
        .map(|(key, ballot)| (*key, check(ballot)))
        .collect();
    let valid = ballots.filter(|ballot| check(ballot).is_ok());
    let delegation = resolve_indexed(&valid, delegations);

    // Valid ballots have one entry per option, each at most √budget < 2¹⁶
    // in magnitude, and weights sum to at most the number of members, so
    // totals stay far below 2⁹⁶ and `Ratio::reached` cannot overflow.
    let mut options = vec![OptionTotal::default(); question.options as usize];
    for (_, ballot, weight) in weighted(&valid, &delegation) {
        for (total, &votes) in options.iter_mut().zip(&(*ballot).borrow().votes) {
            let weighted = u128::from(weight).saturating_mul(u128::from(votes.unsigned_abs()));
            if votes > 0 {
                total.for_votes = total.for_votes.saturating_add(weighted);
            } else {
                total.against_votes = total.against_votes.saturating_add(weighted);
            }
        }
    }
    for total in &mut options {
        let signed = |x: u128| i128::try_from(x).unwrap_or(i128::MAX);
        total.net = signed(total.for_votes) - signed(total.against_votes);
    }

    let Lead { leader, tied, draw } = lead(&options, &question.seed, rules.ties);
    let outcome = match (quorum_failure(rules.quorum, &delegation), leader) {
        (Some(failure), _) => Outcome::Failed(failure),
        (None, Some(leader)) => {
            let total = options[leader as usize];
            let sided = total.for_votes.saturating_add(total.against_votes);
            if threshold_reached(rules.threshold, rules.strict, total.for_votes, sided) {
                Outcome::Passed
            } else {
                Outcome::Failed(FailReason::Threshold)
            }
        }
        (None, None) if !tied.is_empty() => Outcome::Failed(FailReason::Tied {
            options: tied.clone(),
        }),
        (None, None) => Outcome::Failed(FailReason::Threshold),
    };
    QvCount {
        options,
        leader,
        tied,
        draw,
        costs,
        rejected,
        ineligible,
        turnout: delegation.counted(),
        delegation,
        outcome,
    }
}

/// Who leads a quadratic vote.
struct Lead {
    leader: Option<u32>,
    tied: Vec<u32>,
    draw: Vec<u32>,
}

/// The option with the highest net total; when several share it, the tied
/// options and — if the rules draw lots — the draw, whose first is the
/// leader.
fn lead(options: &[OptionTotal], seed: &Hash, ties: Ties) -> Lead {
    let Some(best) = options.iter().map(|t| t.net).max() else {
        return Lead {
            leader: None,
            tied: Vec::new(),
            draw: Vec::new(),
        };
    };
    let tied: Vec<u32> = (0u32..)
        .zip(options)
        .filter(|(_, t)| t.net == best)
        .map(|(i, _)| i)
        .collect();
    if let [only] = tied[..] {
        return Lead {
            leader: Some(only),
            tied: Vec::new(),
            draw: Vec::new(),
        };
    }
    match ties {
        Ties::Fail => Lead {
            leader: None,
            tied,
            draw: Vec::new(),
        },
        Ties::Lot => {
            let draw = draw_order(seed, 0, &tied);
            Lead {
                leader: draw.first().copied(),
                tied,
                draw,
            }
        }
    }
}
