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
//! (rule 45 counts valid papers, which carry a first preference). An
//! election without a single valid paper has no result
//! ([`StvError::NoBallots`]).
//!
//! Both rules report their stages by one convention, that of the result
//! sheets Scottish returning officers publish: a stage's row shows the
//! votes *after* that stage's transfer, and the candidates elected at the
//! end of it. Stage 1 counts first preferences; every later stage is one
//! transfer — a surplus or an excluded candidate's papers (Scottish), or a
//! Meek round, which begins with the exclusion or the new keep factors
//! decided at the end of the stage before and iterates to its end. Each
//! stage lists what every candidate gained or gave ([`Transfer`]) and, for
//! the Scottish rule, the parcels of papers moved at each transfer value
//! ([`Parcel`]); Meek's method moves no papers, only fractions of every
//! ballot, so its stages have no parcels.
//!
//! The work is bounded: [`MAX_CANDIDATES`], [`MAX_BALLOTS`] and
//! [`MAX_PREFERENCES`] say why each limit is what it is, and ties look back
//! through the stages with an index (`Precedence`) instead of rescanning
//! them, so a count costs about (candidates² × log candidates) on top of
//! its preferences, in time, and candidates² in memory (the stage table).
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
    Elected, ElectedBy, MeekRound, Parcel, Stage, StageAction, StvReport, TieBreak, TieBy,
    TiePurpose, Transfer,
};

use report::Outcome;

/// The largest total ballot weight counted: keeps every fixed-point sum of
/// the Meek rule (10⁹ units a vote) inside a `u64`.
pub const MAX_TOTAL_WEIGHT: u64 = 1_000_000_000;

/// The most candidates an STV count accepts.
///
/// The report holds every candidate's votes at every stage, and a count has
/// at most one stage per candidate excluded plus one per surplus
/// transferred, so the stage table grows as the square of the candidates:
/// at 1 000 candidates and ~1 000 stages it is 8 MB of figures, and the
/// ties recorded when all are level at every stage add a few MB more. The
/// worst case allowed — 1 000 candidates level at every stage on 999 000
/// ballot lines, so that each of 999 stages moves papers to everyone and
/// ends in a tie drawn by lot — counts in 0.3 s (Scottish) and 3–4 s (Meek)
/// with a report of 9–14 MB (BENCHMARKS.md, "STV: the worst case
/// allowed"); at 3 000 candidates the same shape would hold ~10 times the
/// ballot lines allowed, and the report alone 50–80 MB. Real ballot papers
/// are far shorter: Scottish wards have at most a few dozen candidates, and
/// the longest STV papers in public elections (Australian Senate) list a
/// few hundred.
pub const MAX_CANDIDATES: usize = 1_000;

/// The most ballot lines (groups of identical ballots with a weight) an STV
/// count accepts. Every line is held in memory while the count runs and
/// the Meek rule walks all of them at every iteration; weights let one line
/// stand for many voters, so this bounds the work, not the electorate
/// (that is [`MAX_TOTAL_WEIGHT`]). One million lines is more than the
/// distinct rankings of any public STV count published as a `.blt` file
/// (a Scottish ward has at most some tens of thousands of papers).
pub const MAX_BALLOTS: usize = 1_000_000;

/// The most preferences (candidates ranked, over all ballot lines) an STV
/// count accepts: 4 bytes each in memory, and the unit of the Meek rule's
/// work per iteration. 20 million is 80 MB of rankings, and 20 preferences
/// on each of [`MAX_BALLOTS`] lines.
pub const MAX_PREFERENCES: usize = 20_000_000;

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
    #[error("no_seats: there are no seats to fill")]
    NoSeats,
    /// Nobody cast a valid ballot (one ranking a candidate who stands): an
    /// election nobody voted in has no result.
    #[error("no_ballots: no valid ballot was cast, so there is nothing to count")]
    NoBallots,
    /// More candidates than [`MAX_CANDIDATES`].
    #[error("too_many_candidates: {candidates} candidates exceed the limit of {limit}")]
    TooManyCandidates { candidates: usize, limit: usize },
    /// More ballot lines than [`MAX_BALLOTS`].
    #[error("too_many_ballots: {ballots} ballot lines exceed the limit of {limit}")]
    TooManyBallots { ballots: usize, limit: usize },
    /// More preferences than [`MAX_PREFERENCES`].
    #[error("too_many_preferences: the ballots rank more than {limit} candidates in all")]
    TooManyPreferences { limit: usize },
    /// A ballot ranks a candidate that does not exist.
    #[error(
        "unknown_candidate: ballot {ballot} ranks candidate {candidate}, but there are only {candidates}"
    )]
    UnknownCandidate {
        ballot: usize,
        candidate: u32,
        candidates: usize,
    },
    /// A ballot ranks the same candidate twice.
    #[error("ranked_twice: ballot {ballot} ranks candidate {candidate} twice")]
    RankedTwice { ballot: usize, candidate: u32 },
    /// A withdrawn candidate does not exist.
    #[error("unknown_withdrawn: withdrawn candidate {candidate} does not exist")]
    UnknownWithdrawn { candidate: u32 },
    /// The ballots weigh more than the arithmetic is sized for.
    #[error("too_many_votes: the ballots weigh more than {limit} votes")]
    TooManyVotes { limit: u64 },
    /// The Meek iteration did not settle within its bound.
    #[error(
        "no_convergence: the Meek iteration did not converge within {iterations} iterations in round {round}"
    )]
    NoConvergence { round: u32, iterations: u32 },
}

impl StvError {
    /// A stable, machine-readable code for this error (also the first word
    /// of its message, so that a node's `Uncountable` reason carries it).
    pub fn code(&self) -> &'static str {
        match self {
            StvError::NoSeats => "no_seats",
            StvError::NoBallots => "no_ballots",
            StvError::TooManyCandidates { .. } => "too_many_candidates",
            StvError::TooManyBallots { .. } => "too_many_ballots",
            StvError::TooManyPreferences { .. } => "too_many_preferences",
            StvError::UnknownCandidate { .. } => "unknown_candidate",
            StvError::RankedTwice { .. } => "ranked_twice",
            StvError::UnknownWithdrawn { .. } => "unknown_withdrawn",
            StvError::TooManyVotes { .. } => "too_many_votes",
            StvError::NoConvergence { .. } => "no_convergence",
        }
    }
}

/// Counts an STV election under `rule`. `seats` overrides the election's
/// own number of seats; `seed` (a proposal id) seeds the drawing of lots.
///
/// Refused: no seats, no valid ballot ([`StvError::NoBallots`]), more than
/// [`MAX_CANDIDATES`] candidates, [`MAX_BALLOTS`] ballot lines or
/// [`MAX_PREFERENCES`] preferences, and malformed ballots.
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
    if profile.total == 0 {
        return Err(StvError::NoBallots);
    }
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
        if n > MAX_CANDIDATES {
            return Err(StvError::TooManyCandidates {
                candidates: n,
                limit: MAX_CANDIDATES,
            });
        }
        if election.ballots.len() > MAX_BALLOTS {
            return Err(StvError::TooManyBallots {
                ballots: election.ballots.len(),
                limit: MAX_BALLOTS,
            });
        }
        let preferences: usize = election.ballots.iter().map(|b| b.ranking.len()).sum();
        if preferences > MAX_PREFERENCES {
            return Err(StvError::TooManyPreferences {
                limit: MAX_PREFERENCES,
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

/// An index of the earlier stages for breaking ties (Scottish rules
/// 49(2), 51(2)(a)): each candidate's rank among all candidates when they
/// are compared by their votes at the latest stage, then at the stage
/// before, and so on back to the first.
///
/// Comparing candidates "at the most recent preceding stage at which they
/// had unequal votes", narrowing to those at the extreme and looking further
/// back for the rest, is a lexicographic comparison of their vote histories
/// read backwards. That order after stage k is the order by (votes at stage
/// k, rank after stage k − 1), so it is kept up to date with one sort per
/// stage instead of rescanning every stage at every tie: a tie costs the
/// number of tied candidates, not the number of stages times that, and the
/// count keeps no vote history beyond the report's stage table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Precedence {
    /// Per candidate: how many distinct histories rank below theirs.
    rank: Vec<u32>,
    /// Scratch for [`Precedence::push`], kept to allocate once.
    order: Vec<u32>,
}

impl Precedence {
    /// Before any stage: everyone equal.
    pub fn new(candidates: usize) -> Precedence {
        Precedence {
            rank: vec![0; candidates],
            order: (0..candidates as u32).collect(),
        }
    }

    /// Takes in the votes at the end of a new stage.
    pub fn push(&mut self, votes: &[u64]) {
        let rank = &self.rank;
        let key = |c: u32| {
            (
                votes.get(c as usize).copied().unwrap_or(0),
                rank[c as usize],
            )
        };
        // The previous order is nearly sorted by the new key (few
        // candidates change at a stage), which the stable sort exploits.
        self.order.sort_by_key(|&c| key(c));
        let mut next = vec![0u32; self.rank.len()];
        let mut current = 0u32;
        let mut previous = None;
        for &c in &self.order {
            let k = key(c);
            if previous.is_some_and(|p| p != k) {
                current += 1;
            }
            previous = Some(k);
            next[c as usize] = current;
        }
        self.rank = next;
    }

    /// A candidate's rank: higher means more votes at the most recent stage
    /// where they differed.
    fn rank(&self, candidate: u32) -> u32 {
        self.rank.get(candidate as usize).copied().unwrap_or(0)
    }
}

/// How candidates compete in a decision, and how its ties are broken.
pub(crate) struct Contest<'a> {
    /// The earlier stages, for ties; `None` where the rule breaks ties
    /// straight by lot (Meek).
    pub precedence: Option<&'a Precedence>,
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
        // Those still level at every earlier stage.
        let lot: Vec<u32> = match self.precedence {
            Some(precedence) => {
                let ranks = tied.iter().map(|&c| precedence.rank(c));
                let extreme = if highest { ranks.max() } else { ranks.min() }?;
                tied.iter()
                    .copied()
                    .filter(|&c| precedence.rank(c) == extreme)
                    .collect()
            }
            None => tied.clone(),
        };
        let (chosen, by, drawn, lot) = match lot.as_slice() {
            [only] => (*only, TieBy::EarlierStages, None, Vec::new()),
            _ => {
                let chosen = draw_order(self.seed, self.stage, &lot).first().copied()?;
                (chosen, TieBy::Lot, Some(chosen), lot)
            }
        };
        self.ties.push(TieBreak {
            stage: self.stage,
            purpose,
            tied,
            lot,
            drawn,
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
