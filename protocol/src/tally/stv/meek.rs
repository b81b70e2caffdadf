//! Meek's method as the Proportional Representation Foundation's
//! "Reference Meek Rule" specifies it (prfound.org/resources/reference/
//! reference-meek-rule), in fixed-point arithmetic with nine decimal places
//! (values are integers in units of 10⁻⁹ of a vote):
//!
//! - A. Hopeful candidates start with keep factor 1, withdrawn ones 0
//!   (withdrawn candidates are removed from the rankings, which is the
//!   same); omega = 10⁻⁶.
//! - B.1. The count is complete when all seats are filled or the elected
//!   plus hopeful candidates are no more than the seats.
//! - B.2.a. Each ballot starts with weight 1; each candidate in rank order
//!   keeps weight × keep factor, *rounded up* to 9 places, and the ballot's
//!   weight falls by that much, until no candidates remain or the weight is
//!   0. What weight remains is exhausted.
//! - B.2.b. Quota = (sum of all candidates' votes) ÷ (seats + 1), truncated
//!   to 9 places, plus 10⁻⁹: it falls as ballots exhaust.
//! - B.2.c. Hopeful candidates with votes ≥ quota are elected.
//! - B.2.d. Total surplus = Σ (votes − quota) over the elected, at least 0.
//! - B.2.e. A round ends when B.2.c elected someone (back to B.1), or the
//!   surplus is below omega, or (after the first iteration) it did not fall
//!   (then B.3).
//! - B.2.f. Each elected candidate's keep factor becomes keep factor ×
//!   quota (rounded up) ÷ votes (rounded up); iterate.
//! - B.3. The hopeful candidate with the fewest votes is defeated (keep
//!   factor 0); every hopeful candidate with votes ≤ lowest + surplus counts
//!   as tied with it, and ties are broken by lot (procedure T; here the
//!   seeded draw). One candidate a round: the rule has no batch defeats.
//! - C. If seats remain, the remaining hopeful candidates are elected.
//!
//! Identical ballots carry identical weights through every step, so the
//! distribution runs once per distinct ranking and multiplies.

use super::report::Outcome;
use super::{
    Contest, Elected, ElectedBy, MeekRound, Profile, Stage, StageAction, StvError, TieBreak,
    TiePurpose,
};
use crate::crypto::Hash;

/// Units per vote: nine decimal places.
pub const SCALE: u64 = 1_000_000_000;

/// The iteration's convergence threshold, 10⁻⁶ of a vote.
pub const OMEGA: u64 = 1_000;

/// A bound on the iterations of one round. The rule always terminates (the
/// surplus must fall at every iteration), but slowly enough in contrived
/// cases that a peer-supplied election could otherwise stall a node.
pub const MAX_ITERATIONS: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Hopeful,
    Elected,
    Defeated,
    Withdrawn,
}

struct Count<'a> {
    profile: &'a Profile,
    seats: usize,
    seed: &'a Hash,
    status: Vec<Status>,
    keep: Vec<u64>,
    votes: Vec<u64>,
    exhausted: u64,
    quota: u64,
    elected: Vec<u32>,
    stages: Vec<Stage>,
    ties: Vec<TieBreak>,
}

/// How a round's iteration ended (B.2.e).
enum End {
    Elected(Vec<u32>),
    Defeat { stable: bool },
}

/// Counts `profile` for `seats` seats under the reference Meek rule.
pub(crate) fn count(profile: &Profile, seats: u32, seed: &Hash) -> Result<Outcome, StvError> {
    let n = profile.candidates;
    let status: Vec<Status> = profile
        .withdrawn
        .iter()
        .map(|&w| {
            if w {
                Status::Withdrawn
            } else {
                Status::Hopeful
            }
        })
        .collect();
    let keep = status
        .iter()
        .map(|&s| if s == Status::Hopeful { SCALE } else { 0 })
        .collect();
    let mut count = Count {
        profile,
        seats: seats as usize,
        seed,
        status,
        keep,
        votes: vec![0; n],
        exhausted: 0,
        quota: 0,
        elected: Vec::new(),
        stages: Vec::new(),
        ties: Vec::new(),
    };

    // The first-preference count, for the report (B.2.a with every keep
    // factor 1).
    count.distribute();
    count.update_quota();
    count.record(StageAction::FirstPreferences, None);

    let mut round = 0;
    // B.1
    while count.hopeful().len() > count.seats_left() && count.seats_left() > 0 {
        round += 1;
        count.round(round)?;
    }

    // C.1: fill the remaining seats (C.2, defeating the rest, changes
    // nothing a report shows).
    if count.seats_left() > 0 {
        let hopeful = count.hopeful();
        let votes = count.votes.clone();
        let order = count.contest().order(&hopeful, |c| votes[c as usize]);
        for c in order {
            count.elect(c, ElectedBy::LastVacancies);
        }
    }

    Ok(Outcome {
        quota: count.quota,
        elected: count.elected,
        stages: count.stages,
        exhausted: count.exhausted,
        lost: 0,
        ties: count.ties,
    })
}

impl Count<'_> {
    fn seats_left(&self) -> usize {
        self.seats.saturating_sub(self.elected.len())
    }

    fn hopeful(&self) -> Vec<u32> {
        (0..self.profile.candidates as u32)
            .filter(|&c| self.status[c as usize] == Status::Hopeful)
            .collect()
    }

    fn contest(&mut self) -> Contest<'_> {
        Contest {
            history: &[],
            seed: self.seed,
            stage: self.stages.len() as u32,
            ties: &mut self.ties,
        }
    }

    fn record(&mut self, action: StageAction, meek: Option<MeekRound>) {
        self.stages.push(Stage {
            number: self.stages.len() as u32 + 1,
            action,
            quota: self.quota,
            votes: self.votes.clone(),
            exhausted: self.exhausted,
            lost: 0,
            elected: Vec::new(),
            meek,
        });
    }

    fn elect(&mut self, c: u32, by: ElectedBy) {
        self.status[c as usize] = Status::Elected;
        self.elected.push(c);
        if let Some(stage) = self.stages.last_mut() {
            stage.elected.push(Elected { candidate: c, by });
        }
    }

    /// One round, B.2 then B.3, recorded as one stage.
    fn round(&mut self, round: u32) -> Result<(), StvError> {
        let mut last_surplus: Option<u64> = None;
        let mut iterations = 0;
        let (end, surplus) = loop {
            iterations += 1;
            if iterations > MAX_ITERATIONS {
                return Err(StvError::NoConvergence {
                    round,
                    iterations: MAX_ITERATIONS,
                });
            }
            self.distribute();
            self.update_quota();
            let quota = self.quota;
            // B.2.c
            let winners: Vec<u32> = self
                .hopeful()
                .into_iter()
                .filter(|&c| self.votes[c as usize] >= quota)
                .collect();
            for &c in &winners {
                self.status[c as usize] = Status::Elected;
            }
            // B.2.d
            let surplus: i128 = (0..self.profile.candidates)
                .filter(|&c| self.status[c] == Status::Elected)
                .map(|c| i128::from(self.votes[c]) - i128::from(quota))
                .sum();
            let surplus = u64::try_from(surplus.max(0)).unwrap_or(u64::MAX);
            // B.2.e
            if !winners.is_empty() {
                break (End::Elected(winners), surplus);
            }
            if surplus < OMEGA {
                break (End::Defeat { stable: false }, surplus);
            }
            if last_surplus.is_some_and(|last| surplus >= last) {
                break (End::Defeat { stable: true }, surplus);
            }
            last_surplus = Some(surplus);
            // B.2.f
            for c in 0..self.profile.candidates {
                if self.status[c] == Status::Elected {
                    self.keep[c] = div_up(mul_up(self.keep[c], quota), self.votes[c]);
                }
            }
        };

        let stable = matches!(end, End::Defeat { stable: true });
        let figures = MeekRound {
            iterations,
            surplus,
            stable,
            keep_factors: self.keep.clone(),
        };
        match end {
            End::Elected(winners) => {
                self.record(StageAction::Election, Some(figures));
                for &c in &winners {
                    self.status[c as usize] = Status::Hopeful;
                }
                let votes = self.votes.clone();
                let order = self.contest().order(&winners, |c| votes[c as usize]);
                for c in order.into_iter().take(self.seats_left()) {
                    self.elect(c, ElectedBy::Quota);
                }
                // Should more have reached the quota than seats remained
                // (impossible with this quota), the rest stay hopeful.
            }
            End::Defeat { .. } => {
                // B.3
                let hopeful = self.hopeful();
                let lowest = hopeful
                    .iter()
                    .map(|&c| self.votes[c as usize])
                    .min()
                    .unwrap_or(0);
                let bound = lowest.saturating_add(surplus);
                let tied: Vec<u32> = hopeful
                    .into_iter()
                    .filter(|&c| self.votes[c as usize] <= bound)
                    .collect();
                let stage = self.stages.len() as u32 + 1;
                let mut contest = Contest {
                    history: &[],
                    seed: self.seed,
                    stage,
                    ties: &mut self.ties,
                };
                // B.1 leaves at least one hopeful candidate.
                if let Some(who) = contest.split(tied, false, TiePurpose::Exclusion) {
                    self.record(StageAction::Exclusion { who }, Some(figures));
                    self.status[who as usize] = Status::Defeated;
                    self.keep[who as usize] = 0;
                }
            }
        }
        Ok(())
    }

    /// B.2.a: distributes every ballot by the current keep factors.
    fn distribute(&mut self) {
        self.votes.fill(0);
        let mut exhausted = 0;
        let profile = self.profile;
        for g in 0..profile.groups() {
            let count = profile.counts[g];
            let mut weight = SCALE;
            for &c in profile.ranking(g) {
                let kf = self.keep[c as usize];
                if kf == 0 {
                    continue;
                }
                let kept = if kf == SCALE {
                    weight
                } else {
                    mul_up(weight, kf)
                };
                self.votes[c as usize] += kept * count;
                weight -= kept;
                if weight == 0 {
                    break;
                }
            }
            exhausted += weight * count;
        }
        self.exhausted = exhausted;
    }

    /// B.2.b
    fn update_quota(&mut self) {
        let total: u64 = self.votes.iter().sum();
        self.quota = total / (self.seats as u64 + 1) + 1;
    }
}

/// a × b in units, rounded up to a unit.
fn mul_up(a: u64, b: u64) -> u64 {
    let scale = u128::from(SCALE);
    let product = (u128::from(a) * u128::from(b)).div_ceil(scale);
    u64::try_from(product).unwrap_or(u64::MAX)
}

/// a ÷ b in units, rounded up to a unit.
fn div_up(a: u64, b: u64) -> u64 {
    let quotient = (u128::from(a) * u128::from(SCALE)).div_ceil(u128::from(b.max(1)));
    u64::try_from(quotient).unwrap_or(u64::MAX)
}
