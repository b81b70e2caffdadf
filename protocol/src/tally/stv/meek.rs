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

use super::report::{Outcome, transfers};
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

    // The first-preference count. It is also round 1: no keep factor is
    // below 1 before anyone is elected, so round 1 ends at its first
    // iteration, which is this count (electing or defeating at its end).
    count.distribute();
    count.update_quota();
    count.record(StageAction::FirstPreferences, None);

    // What the next round's stage starts with: what the last one decided.
    let mut next: Option<StageAction> = None;
    let mut round = 0;
    // B.1
    while count.hopeful().len() > count.seats_left() && count.seats_left() > 0 {
        round += 1;
        next = Some(count.round(round, next)?);
    }

    // A defeat that ended the count is shown like any other: one more
    // distribution (B.2.a) shows where the defeated candidate's votes went.
    // The count is complete (B.1), so nothing is iterated or elected by it.
    if let Some(action @ StageAction::Exclusion { .. }) = next {
        count.distribute();
        count.update_quota();
        let figures = MeekRound {
            iterations: 1,
            surplus: count.surplus(),
            stable: false,
            keep_factors: count.keep.clone(),
        };
        count.record(action, Some(figures));
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
            precedence: None,
            seed: self.seed,
            stage: self.stages.len() as u32,
            ties: &mut self.ties,
        }
    }

    fn record(&mut self, action: StageAction, meek: Option<MeekRound>) {
        let transfers = match self.stages.last() {
            Some(last) => transfers(&last.votes, &self.votes),
            None => Vec::new(),
        };
        self.stages.push(Stage {
            number: self.stages.len() as u32 + 1,
            action,
            quota: self.quota,
            votes: self.votes.clone(),
            transfers,
            parcels: Vec::new(),
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

    /// B.2.d: the total surplus of the elected, at least 0.
    fn surplus(&self) -> u64 {
        let quota = self.quota;
        let surplus: i128 = (0..self.profile.candidates)
            .filter(|&c| self.status[c] == Status::Elected)
            .map(|c| i128::from(self.votes[c]) - i128::from(quota))
            .sum();
        u64::try_from(surplus.max(0)).unwrap_or(u64::MAX)
    }

    /// One round, B.2 then B.3, recorded as one stage whose action is
    /// `action`, what the round before decided (round 1 is the first
    /// stage). Returns what this round decided: the action of the next.
    fn round(&mut self, round: u32, action: Option<StageAction>) -> Result<StageAction, StvError> {
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
            let surplus = self.surplus();
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
        // The winners of B.2.c were marked elected for B.2.d; they are
        // elected in order below.
        if let End::Elected(winners) = &end {
            for &c in winners {
                self.status[c as usize] = Status::Hopeful;
            }
        }
        match action {
            Some(action) => self.record(action, Some(figures)),
            None => {
                if let Some(first) = self.stages.last_mut() {
                    first.meek = Some(figures);
                }
            }
        }
        match end {
            End::Elected(winners) => {
                let votes = self.votes.clone();
                let order = self.contest().order(&winners, |c| votes[c as usize]);
                for c in order.into_iter().take(self.seats_left()) {
                    self.elect(c, ElectedBy::Quota);
                }
                // Should more have reached the quota than seats remained
                // (impossible with this quota), the rest stay hopeful.
                Ok(StageAction::Surpluses)
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
                match self.contest().split(tied, false, TiePurpose::Exclusion) {
                    Some(who) => {
                        self.status[who as usize] = Status::Defeated;
                        self.keep[who as usize] = 0;
                        Ok(StageAction::Exclusion { who })
                    }
                    // B.1 leaves more hopeful candidates than seats, so
                    // there is always someone to defeat; were there not,
                    // B.1 would end the count before another round.
                    None => Ok(StageAction::Surpluses),
                }
            }
        }
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
