//! Single transferable vote for council elections (DESIGN §7.2): two
//! statutory-grade rules over ranked ballots, both in exact fixed-point
//! integer arithmetic and deterministic down to the last unit, so that every
//! node computes the same report and the same [`result_hash`].
//!
//! - [`StvRule::Scottish`]: the Scottish Local Government Elections Order
//!   2007 (SSI 2007/42, schedule 1, rules 45–52), a Weighted Inclusive
//!   Gregory method counted in units of 1/100 000 of a vote
//!   ([`scottish`]).
//! - [`StvRule::Meek`]: the Proportional Representation Foundation's
//!   reference Meek rule, counted in units of 10⁻⁹ of a vote ([`meek`]).
//!
//! Identical ballots are grouped before counting (both rules treat them
//! identically at every step), so the result cannot depend on ballot order
//! and the inner loops run over distinct rankings, not voters. Ties the
//! rules leave to lot are drawn with [`draw_order`] from a seed (a proposal
//! id) and reported.
//!
//! Withdrawn candidates are removed from every ranking before the count; a
//! ballot left with no candidate is not a valid paper and is not counted
//! (rule 45 counts valid papers, which carry a first preference).
//!
//! [`result_hash`]: crate::tally::result_hash
//! [`draw_order`]: crate::tally::draw_order

pub mod meek;
mod report;
pub mod scottish;
#[cfg(test)]
mod tests;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::Hash;
use crate::tally::blt::Election;
use crate::tally::draw_order;

pub use report::{
    Elected, ElectedBy, MeekRound, Stage, StageAction, StvReport, TieBreak, TieBy, TiePurpose,
};

use report::Outcome;

/// The largest total ballot weight counted: keeps every fixed-point sum of
/// the Meek rule (10⁹ units a vote) inside a `u64`.
pub const MAX_TOTAL_WEIGHT: u64 = 1_000_000_000;

/// Which STV counting rule to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Encode, Decode)]
pub enum StvRule {
    /// Scottish Local Government Elections Order 2007 (WIGM, 5 decimals).
    Scottish,
    /// PR Foundation reference Meek rule (9 decimals).
    Meek,
}

impl StvRule {
    /// Units per vote in this rule's fixed-point arithmetic.
    pub fn scale(self) -> u64 {
        match self {
            StvRule::Scottish => scottish::SCALE,
            StvRule::Meek => meek::SCALE,
        }
    }
}

/// Why an election could not be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StvError {
    /// There are no seats to fill.
    #[error("there are no seats to fill")]
    NoSeats,
    /// The election has more candidates than the `.blt` format allows.
    #[error("{candidates} candidates exceed the limit of {limit}")]
    TooManyCandidates { candidates: usize, limit: u32 },
    /// A ballot ranks a candidate that does not exist.
    #[error("ballot {ballot} ranks candidate {candidate}, but there are only {candidates}")]
    UnknownCandidate {
        ballot: usize,
        candidate: u32,
        candidates: usize,
    },
    /// A ballot ranks the same candidate twice.
    #[error("ballot {ballot} ranks candidate {candidate} twice")]
    RankedTwice { ballot: usize, candidate: u32 },
    /// A withdrawn candidate does not exist.
    #[error("withdrawn candidate {candidate} does not exist")]
    UnknownWithdrawn { candidate: u32 },
    /// The ballots weigh more than the arithmetic is sized for.
    #[error("the ballots weigh more than {limit} votes")]
    TooManyVotes { limit: u64 },
    /// The Meek iteration did not settle within its bound.
    #[error("the Meek iteration did not converge within {iterations} iterations in round {round}")]
    NoConvergence { round: u32, iterations: u32 },
}

/// Counts an STV election under `rule`. `seats` overrides the election's
/// own number of seats; `seed` (a proposal id) seeds the drawing of lots.
pub fn count(
    election: &Election,
    rule: StvRule,
    seats: Option<u32>,
    seed: &Hash,
) -> Result<StvReport, StvError> {
    let seats = seats.unwrap_or(election.seats);
    if seats == 0 {
        return Err(StvError::NoSeats);
    }
    let profile = Profile::new(election)?;
    let outcome: Outcome = match rule {
        StvRule::Scottish => scottish::count(&profile, seats, seed),
        StvRule::Meek => meek::count(&profile, seats, seed)?,
    };
    Ok(StvReport {
        rule,
        seats,
        scale: rule.scale(),
        candidates: election.candidates.clone(),
        withdrawn: profile.withdrawn_list(),
        valid_ballots: profile.total,
        quota: outcome.quota,
        elected: outcome.elected,
        stages: outcome.stages,
        exhausted: outcome.exhausted,
        lost: outcome.lost,
        ties: outcome.ties,
    })
}

/// The ballots grouped by distinct ranking (withdrawn candidates removed),
/// laid out flat so the counting loops allocate nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Profile {
    /// Number of candidates.
    pub candidates: usize,
    /// Whether each candidate is withdrawn.
    pub withdrawn: Vec<bool>,
    /// Every group's ranking, one after another.
    pub ranks: Vec<u32>,
    /// Group `g` ranks `ranks[starts[g]..starts[g + 1]]`; one more entry
    /// than there are groups.
    pub starts: Vec<usize>,
    /// How many voters cast each group's ranking.
    pub counts: Vec<u64>,
    /// The total weight of valid ballots (N).
    pub total: u64,
}

impl Profile {
    /// Validates the election and groups its ballots, in the canonical
    /// (sorted) order of their rankings.
    pub fn new(election: &Election) -> Result<Profile, StvError> {
        let n = election.candidates.len();
        let limit = crate::tally::blt::MAX_CANDIDATES;
        if n > limit as usize {
            return Err(StvError::TooManyCandidates {
                candidates: n,
                limit,
            });
        }
        let mut withdrawn = vec![false; n];
        for &c in &election.withdrawn {
            *withdrawn
                .get_mut(c as usize)
                .ok_or(StvError::UnknownWithdrawn { candidate: c })? = true;
        }

        // Validate, and keep each valid ballot's ranking without the
        // withdrawn candidates.
        let mut seen = vec![usize::MAX; n];
        let mut kept: Vec<(Vec<u32>, u64)> = Vec::with_capacity(election.ballots.len());
        for (index, ballot) in election.ballots.iter().enumerate() {
            for &c in &ballot.ranking {
                let mark = seen.get_mut(c as usize).ok_or(StvError::UnknownCandidate {
                    ballot: index,
                    candidate: c,
                    candidates: n,
                })?;
                if *mark == index {
                    return Err(StvError::RankedTwice {
                        ballot: index,
                        candidate: c,
                    });
                }
                *mark = index;
            }
            if ballot.weight == 0 {
                continue;
            }
            let ranking: Vec<u32> = ballot
                .ranking
                .iter()
                .copied()
                .filter(|&c| !withdrawn[c as usize])
                .collect();
            if !ranking.is_empty() {
                kept.push((ranking, ballot.weight));
            }
        }
        kept.sort_unstable();

        let mut profile = Profile {
            candidates: n,
            withdrawn,
            ranks: Vec::new(),
            starts: vec![0],
            counts: Vec::new(),
            total: 0,
        };
        let mut previous: Option<&[u32]> = None;
        for (ranking, weight) in &kept {
            profile.total = profile
                .total
                .checked_add(*weight)
                .filter(|&t| t <= MAX_TOTAL_WEIGHT)
                .ok_or(StvError::TooManyVotes {
                    limit: MAX_TOTAL_WEIGHT,
                })?;
            match (previous, profile.counts.last_mut()) {
                (Some(p), Some(last)) if p == ranking.as_slice() => *last += weight,
                _ => {
                    profile.ranks.extend_from_slice(ranking);
                    profile.starts.push(profile.ranks.len());
                    profile.counts.push(*weight);
                }
            }
            previous = Some(ranking);
        }
        Ok(profile)
    }

    /// Number of distinct rankings.
    pub fn groups(&self) -> usize {
        self.counts.len()
    }

    /// The ranking of group `g`.
    pub fn ranking(&self, g: usize) -> &[u32] {
        &self.ranks[self.starts[g]..self.starts[g + 1]]
    }

    fn withdrawn_list(&self) -> Vec<u32> {
        (0..self.candidates as u32)
            .filter(|&c| self.withdrawn[c as usize])
            .collect()
    }
}

/// How candidates compete in a decision, and how its ties are broken.
pub(crate) struct Contest<'a> {
    /// Each candidate's votes at the end of every stage so far, oldest
    /// first; empty where the rule breaks ties straight by lot (Meek).
    pub history: &'a [Vec<u64>],
    /// The seed of the draw of lots.
    pub seed: &'a Hash,
    /// The stage at whose end the decision is taken (also the draw's round).
    pub stage: u32,
    /// Where the ties met are recorded.
    pub ties: &'a mut Vec<TieBreak>,
}

impl Contest<'_> {
    /// The candidate with the highest (`highest`) or lowest `key`; equal
    /// keys are split by the most recent earlier stage at which the tied
    /// candidates' votes differed (Scottish rules 49(2), 51(2)(a)), then by
    /// lot (rules 49(3), 51(2)(b)). With three or more tied, each step back
    /// keeps those at the extreme and looks further back for the rest.
    pub fn best(
        &mut self,
        candidates: &[u32],
        key: impl Fn(u32) -> u64,
        highest: bool,
        purpose: TiePurpose,
    ) -> Option<u32> {
        let extreme = if highest {
            candidates.iter().map(|&c| key(c)).max()?
        } else {
            candidates.iter().map(|&c| key(c)).min()?
        };
        let tied: Vec<u32> = candidates
            .iter()
            .copied()
            .filter(|&c| key(c) == extreme)
            .collect();
        self.split(tied, highest, purpose)
    }

    /// Breaks a tie between `tied`, recording it if there is one; `None`
    /// when `tied` is empty.
    pub fn split(&mut self, tied: Vec<u32>, highest: bool, purpose: TiePurpose) -> Option<u32> {
        match tied.as_slice() {
            [] => return None,
            [only] => return Some(*only),
            _ => {}
        }
        let (chosen, by) = pick(&tied, highest, self.history, self.seed, self.stage)?;
        self.ties.push(TieBreak {
            stage: self.stage,
            purpose,
            between: tied,
            chosen,
            by,
        });
        Some(chosen)
    }

    /// `candidates` ordered by `key`, highest first, ties split as in
    /// [`Contest::best`]: the order in which candidates elected together
    /// are listed.
    pub fn order(&mut self, candidates: &[u32], key: impl Fn(u32) -> u64) -> Vec<u32> {
        let mut left = candidates.to_vec();
        let mut ordered = Vec::with_capacity(left.len());
        while let Some(next) = self.best(&left, &key, true, TiePurpose::ElectionOrder) {
            ordered.push(next);
            left.retain(|&c| c != next);
        }
        ordered
    }
}

/// The best of tied candidates by earlier stages, else by lot.
fn pick(
    tied: &[u32],
    highest: bool,
    history: &[Vec<u64>],
    seed: &Hash,
    stage: u32,
) -> Option<(u32, TieBy)> {
    let mut left = tied.to_vec();
    for votes in history.iter().rev() {
        let value = |c: u32| votes.get(c as usize).copied().unwrap_or(0);
        let values = left.iter().map(|&c| value(c));
        let extreme = if highest { values.max() } else { values.min() };
        if let Some(extreme) = extreme {
            left.retain(|&c| value(c) == extreme);
        }
        if let [only] = left.as_slice() {
            return Some((*only, TieBy::EarlierStages));
        }
    }
    let chosen = draw_order(seed, stage, &left).first().copied()?;
    Some((chosen, TieBy::Lot))
}
