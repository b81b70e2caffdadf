//! The Schulze method for single-winner ranked choices (DESIGN §7.2).
//!
//! From weighted ranked ballots it builds the pairwise preference matrix
//! `d` (`d[i][j]`: the weight of ballots ranking `i` above `j`; a ranked
//! candidate is above every unranked one, unranked candidates are equal),
//! the strongest-path matrix `p` (widest paths, Floyd–Warshall, with
//! winning-votes link strengths: the link `i → j` is `d[i][j]` when
//! `d[i][j] > d[j][i]`, else absent), the winner set and a full ranking.
//!
//! `i` is above `j` when `p[i][j] > p[j][i]`; Schulze proves this relation
//! transitive, so the ranking is built tier by tier: the candidates that no
//! remaining candidate beats form the next tier. A tier of more than one
//! candidate is a tie the method leaves to lot: it is ordered by
//! [`draw_order`] with the tier's index as the round, and reported.
//!
//! Everything is integer arithmetic on ballot weights; the result depends
//! only on the multiset of ballots, never on their order.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::crypto::Hash;
pub use crate::tally::blt::RankedBallot;
use crate::tally::draw_order;

/// Most candidates a Schulze count accepts. The pairwise and strongest-path
/// matrices are `n × n` (two tables of 8 MB at the limit, and as many
/// numbers in the report) and the strongest paths take `n³` steps: 10⁹ at
/// the limit, about a second on one core (BENCHMARKS.md, "Schulze and
/// participatory budgeting at their limits"). Ten times more candidates
/// would be a thousand times the work.
pub const MAX_CANDIDATES: usize = 1_000;

/// Most updates of the pairwise matrix a count may take: each distinct
/// ranking (identical ones are added up first) costs the number of
/// candidates it ranks times the number of candidates. 10⁹ is a thousand
/// different complete rankings of 1 000 candidates, or a million of 31
/// candidates: 3–5 s with the strongest paths (BENCHMARKS.md), as each
/// distinct ranking streams the whole matrix. An election with more
/// different long rankings than that is refused rather than left to run
/// for minutes or hours.
pub const MAX_PAIRWISE_WORK: u64 = 1_000_000_000;

/// Why a Schulze count was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchulzeError {
    /// More candidates than [`MAX_CANDIDATES`].
    #[error(
        "{candidates} candidates exceed the limit of {limit} (the strongest paths take candidates³ steps)"
    )]
    TooManyCandidates { candidates: usize, limit: usize },
    /// The distinct rankings would take more than [`MAX_PAIRWISE_WORK`]
    /// updates of the pairwise matrix.
    #[error(
        "the ballots hold {rankings} different rankings with {ranked} preferences in all over {candidates} candidates: \
         {work} pairwise updates exceed the limit of {limit}"
    )]
    TooMuchWork {
        rankings: usize,
        ranked: u64,
        candidates: usize,
        work: u64,
        limit: u64,
    },
    /// No ballot (of positive weight) was cast: nobody voted, so there is
    /// no result — not a tie of every candidate to be drawn by lot.
    #[error("no ballots: nobody voted, so there is no winner")]
    NoBallots,
    /// A ballot ranks a candidate that does not exist.
    #[error("ballot {ballot} ranks candidate {candidate}, but there are only {candidates}")]
    UnknownCandidate {
        ballot: usize,
        candidate: u32,
        candidates: usize,
    },
    /// A ballot ranks the same candidate twice.
    #[error("ballot {ballot} ranks candidate {candidate} more than once")]
    RepeatedCandidate { ballot: usize, candidate: u32 },
    /// A withdrawn candidate index does not exist.
    #[error("withdrawn candidate {candidate} does not exist (there are {candidates})")]
    UnknownWithdrawn { candidate: u32, candidates: usize },
    /// The ballots' total weight does not fit in 64 bits.
    #[error("the total ballot weight overflows 64 bits")]
    WeightOverflow,
}

impl SchulzeError {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            SchulzeError::TooManyCandidates { .. } => "too_many_candidates",
            SchulzeError::TooMuchWork { .. } => "too_much_work",
            SchulzeError::NoBallots => "no_ballots",
            SchulzeError::UnknownCandidate { .. } => "unknown_candidate",
            SchulzeError::RepeatedCandidate { .. } => "repeated_candidate",
            SchulzeError::UnknownWithdrawn { .. } => "unknown_withdrawn",
            SchulzeError::WeightOverflow => "weight_overflow",
        }
    }
}

/// How a tie was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// By [`draw_order`] seeded with the count's seed.
    Lot,
}

/// A set of candidates the method could not order, and the order drawn.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct Tie {
    /// The tier (0 = the winners) and the `round` given to [`draw_order`].
    pub round: u32,
    /// The tied candidates, ascending.
    pub between: Vec<u32>,
    /// The order they were placed in.
    pub order: Vec<u32>,
    /// How the order was decided.
    pub by: TieBreak,
}

/// The full, serialisable explanation of a Schulze count.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct SchulzeReport {
    /// Number of candidates (withdrawn ones included).
    pub candidates: u32,
    /// Withdrawn candidates, ascending: ignored on every ballot.
    pub withdrawn: Vec<u32>,
    /// Total weight of the ballots counted.
    pub ballots: u64,
    /// `d[i][j]`: weight of the ballots that prefer `i` to `j`.
    pub d: Vec<Vec<u64>>,
    /// `p[i][j]`: strength of the strongest path from `i` to `j`.
    pub p: Vec<Vec<u64>>,
    /// The Schulze winners: the candidates no one beats (no `j` with
    /// `p[j][i] > p[i][j]`), ascending. More than one is a tie the method
    /// leaves to lot.
    pub unbeaten: Vec<u32>,
    /// The winner: the one unbeaten candidate, or the one drawn by lot
    /// among them (`None` only when every candidate is withdrawn).
    pub winner: Option<u32>,
    /// Whether `winner` was drawn by lot among `unbeaten` (then the first
    /// of `ties`, round 0, holds the draw).
    pub drawn: bool,
    /// Every continuing candidate, best first.
    pub ranking: Vec<u32>,
    /// Ties in the ranking and how they were broken.
    pub ties: Vec<Tie>,
}

/// Counts `ballots` over `candidates` candidates by the Schulze method,
/// breaking ties by lot drawn from `seed` (a proposal id).
///
/// Refused: more than [`MAX_CANDIDATES`] candidates or
/// [`MAX_PAIRWISE_WORK`], malformed ballots, and an election without a
/// ballot of positive weight ([`SchulzeError::NoBallots`]). Ballots that
/// rank nobody do count: they make every candidate equal, and if all
/// ballots are so, every candidate is unbeaten and the lot decides.
pub fn schulze(
    candidates: usize,
    ballots: &[RankedBallot],
    withdrawn: &[u32],
    seed: &Hash,
) -> Result<SchulzeReport, SchulzeError> {
    if candidates > MAX_CANDIDATES {
        return Err(SchulzeError::TooManyCandidates {
            candidates,
            limit: MAX_CANDIDATES,
        });
    }
    let mut is_withdrawn = vec![false; candidates];
    for &c in withdrawn {
        let slot = is_withdrawn
            .get_mut(c as usize)
            .ok_or(SchulzeError::UnknownWithdrawn {
                candidate: c,
                candidates,
            })?;
        *slot = true;
    }
    let (d, total) = pairwise(candidates, ballots, &is_withdrawn)?;
    let p = strongest_paths(&d);
    let continuing: Vec<u32> = (0..candidates as u32)
        .filter(|&c| !is_withdrawn[c as usize])
        .collect();
    let (ranking, tiers, ties) = rank(&p, &continuing, seed);
    let unbeaten = tiers.first().cloned().unwrap_or_default();
    Ok(SchulzeReport {
        candidates: candidates as u32,
        withdrawn: withdrawn_list(&is_withdrawn),
        ballots: total,
        d,
        p,
        drawn: unbeaten.len() > 1,
        unbeaten,
        winner: ranking.first().copied(),
        ranking,
        ties,
    })
}

fn withdrawn_list(is_withdrawn: &[bool]) -> Vec<u32> {
    (0..is_withdrawn.len() as u32)
        .filter(|&c| is_withdrawn[c as usize])
        .collect()
}

/// The pairwise preference matrix and the total weight counted.
fn pairwise(
    candidates: usize,
    ballots: &[RankedBallot],
    is_withdrawn: &[bool],
) -> Result<(Vec<Vec<u64>>, u64), SchulzeError> {
    // Identical rankings are added up first: the matrix is then a sum over
    // distinct rankings, which is also what makes the count independent of
    // ballot order.
    let mut grouped: std::collections::BTreeMap<Vec<u32>, u64> = Default::default();
    let mut total: u64 = 0;
    let mut seen = vec![usize::MAX; candidates];
    for (index, ballot) in ballots.iter().enumerate() {
        let mut ranking = Vec::with_capacity(ballot.ranking.len());
        for &c in &ballot.ranking {
            let slot = seen
                .get_mut(c as usize)
                .ok_or(SchulzeError::UnknownCandidate {
                    ballot: index,
                    candidate: c,
                    candidates,
                })?;
            if *slot == index {
                return Err(SchulzeError::RepeatedCandidate {
                    ballot: index,
                    candidate: c,
                });
            }
            *slot = index;
            if !is_withdrawn[c as usize] {
                ranking.push(c);
            }
        }
        total = total
            .checked_add(ballot.weight)
            .ok_or(SchulzeError::WeightOverflow)?;
        let entry = grouped.entry(ranking).or_default();
        // Cannot overflow: bounded by `total`.
        *entry += ballot.weight;
    }
    if total == 0 {
        return Err(SchulzeError::NoBallots);
    }
    check_work(&grouped, candidates)?;
    let mut d = vec![vec![0u64; candidates]; candidates];
    let mut ranked = vec![false; candidates];
    for (ranking, weight) in &grouped {
        if *weight == 0 {
            continue;
        }
        for (position, &above) in ranking.iter().enumerate() {
            for &below in &ranking[position + 1..] {
                d[above as usize][below as usize] += weight;
            }
            ranked[above as usize] = true;
        }
        // Every ranked candidate is preferred to every unranked continuing one.
        for &above in ranking {
            for below in 0..candidates {
                if !ranked[below] && !is_withdrawn[below] {
                    d[above as usize][below] += weight;
                }
            }
        }
        for &c in ranking {
            ranked[c as usize] = false;
        }
    }
    Ok((d, total))
}

/// Refuses rankings whose pairwise matrix would take more than
/// [`MAX_PAIRWISE_WORK`] updates, before any is made.
fn check_work(
    grouped: &std::collections::BTreeMap<Vec<u32>, u64>,
    candidates: usize,
) -> Result<(), SchulzeError> {
    let counted = grouped.iter().filter(|&(_, &weight)| weight > 0);
    let rankings = counted.clone().count();
    // Each ranking is at most `candidates` long and there are at most
    // 2⁶⁴ bytes of them: the sum fits, the product saturates.
    let ranked: u64 = counted.map(|(ranking, _)| ranking.len() as u64).sum();
    let work = ranked.saturating_mul(candidates as u64);
    if work > MAX_PAIRWISE_WORK {
        return Err(SchulzeError::TooMuchWork {
            rankings,
            ranked,
            candidates,
            work,
            limit: MAX_PAIRWISE_WORK,
        });
    }
    Ok(())
}

/// Widest paths by Floyd–Warshall over winning-votes links.
fn strongest_paths(d: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let n = d.len();
    let mut p = vec![vec![0u64; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i != j && d[i][j] > d[j][i] {
                p[i][j] = d[i][j];
            }
        }
    }
    for k in 0..n {
        // Row k does not change while k is the intermediate candidate.
        let through = p[k].clone();
        for (i, row) in p.iter_mut().enumerate() {
            let via = row[k];
            if i == k || via == 0 {
                continue;
            }
            for (j, cell) in row.iter_mut().enumerate() {
                if j != i && j != k {
                    let width = via.min(through[j]);
                    if width > *cell {
                        *cell = width;
                    }
                }
            }
        }
    }
    p
}

/// The ranking, its tiers and the ties broken by lot.
fn rank(p: &[Vec<u64>], continuing: &[u32], seed: &Hash) -> (Vec<u32>, Vec<Vec<u32>>, Vec<Tie>) {
    let beats = |i: u32, j: u32| p[i as usize][j as usize] > p[j as usize][i as usize];
    let mut remaining: Vec<u32> = continuing.to_vec();
    let mut ranking = Vec::with_capacity(remaining.len());
    let mut tiers = Vec::new();
    let mut ties = Vec::new();
    while !remaining.is_empty() {
        let tier: Vec<u32> = remaining
            .iter()
            .copied()
            .filter(|&c| !remaining.iter().any(|&o| beats(o, c)))
            .collect();
        // Transitivity of `beats` (Schulze 2011, §4.1) guarantees a
        // non-empty tier; the fallback only keeps the loop finite.
        let tier = if tier.is_empty() {
            remaining.clone()
        } else {
            tier
        };
        let round = tiers.len() as u32;
        let order = if tier.len() > 1 {
            let order = draw_order(seed, round, &tier);
            ties.push(Tie {
                round,
                between: tier.clone(),
                order: order.clone(),
                by: TieBreak::Lot,
            });
            order
        } else {
            tier.clone()
        };
        ranking.extend_from_slice(&order);
        remaining.retain(|c| !tier.contains(c));
        tiers.push(tier);
    }
    (ranking, tiers, ties)
}

#[cfg(test)]
mod tests;
