//! The count of the Scottish Local Government Elections Order 2007 (SSI
//! 2007/42), schedule 1, rules 45–52 — a Weighted Inclusive Gregory Method —
//! carried out exactly: values are integers in units of 1/100 000 of a
//! vote, the five decimal places of rule 48(3).
//!
//! - Rule 45: papers are sorted by first preference; each counts one vote.
//! - Rule 46: quota = ⌊valid papers ÷ (seats + 1)⌋ + 1 (whole votes).
//! - Rule 47: a candidate whose votes equal or exceed the quota at any
//!   stage is deemed elected (we take them at the end of the stage, in
//!   order of votes).
//! - Rules 48–49: at the end of a stage, the largest untransferred surplus
//!   is transferred, one per stage. *All* the papers the elected candidate
//!   holds pass to their next available preference, each at the transfer
//!   value surplus × (the paper's value when received) ÷ (the candidate's
//!   total votes), to five decimal places with the remainder ignored;
//!   papers with no next available preference are non-transferable. Equal
//!   surpluses: the candidate with more votes at the most recent preceding
//!   stage where they differed goes first, else by lot. The transferring
//!   candidate keeps the quota; what truncation leaves of the surplus is
//!   reported as lost.
//! - Rules 50–51: with no surplus to transfer, the continuing candidate
//!   with the fewest votes is excluded (ties: fewest at the most recent
//!   preceding stage where they differed, else by lot) and all their papers
//!   pass on at the value they carry.
//! - Rule 52: when the continuing candidates are no more than the vacancies,
//!   they are all deemed elected and no further transfer is made. The Order
//!   has no other short cut: a surplus is transferred, and candidates are
//!   excluded, even when the outcome is already certain.
//!
//! Papers with the same ranking travel together (same holder, same value
//! at every stage), so a ballot group stands for all of its papers.

use std::collections::BTreeMap;

use super::report::{Outcome, transfers};
use super::{
    Contest, Elected, ElectedBy, Parcel, Precedence, Profile, Stage, StageAction, TieBreak,
    TiePurpose,
};
use crate::crypto::Hash;

/// Units per vote: five decimal places (rule 48(3)).
pub const SCALE: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Continuing,
    Elected,
    Excluded,
    Withdrawn,
}

struct Count<'a> {
    profile: &'a Profile,
    seats: usize,
    seed: &'a Hash,
    quota: u64,
    status: Vec<Status>,
    votes: Vec<u64>,
    /// Per group: the position in its ranking of the candidate holding it.
    position: Vec<usize>,
    /// Per group: the value of each of its papers, in units.
    value: Vec<u64>,
    /// The groups each candidate holds.
    piles: Vec<Vec<usize>>,
    /// Elected candidates whose surplus is still to be transferred.
    pending: Vec<u32>,
    exhausted: u64,
    lost: u64,
    elected: Vec<u32>,
    stages: Vec<Stage>,
    /// The earlier stages, indexed for ties.
    precedence: Precedence,
    /// The papers moved at the current stage: per value carried on,
    /// (papers, of which non-transferable).
    parcels: BTreeMap<u64, (u64, u64)>,
    ties: Vec<TieBreak>,
}

/// Counts `profile` for `seats` seats under the Scottish rules.
pub(crate) fn count(profile: &Profile, seats: u32, seed: &Hash) -> Outcome {
    let n = profile.candidates;
    let groups = profile.groups();
    // Rule 46. `total` is at most MAX_TOTAL_WEIGHT, so these cannot overflow.
    let quota = (profile.total / (u64::from(seats) + 1) + 1) * SCALE;
    let mut count = Count {
        profile,
        seats: seats as usize,
        seed,
        quota,
        status: profile
            .withdrawn
            .iter()
            .map(|&w| {
                if w {
                    Status::Withdrawn
                } else {
                    Status::Continuing
                }
            })
            .collect(),
        votes: vec![0; n],
        position: vec![0; groups],
        value: vec![SCALE; groups],
        piles: vec![Vec::new(); n],
        pending: Vec::new(),
        exhausted: 0,
        lost: 0,
        elected: Vec::new(),
        stages: Vec::new(),
        precedence: Precedence::new(n),
        parcels: BTreeMap::new(),
        ties: Vec::new(),
    };

    // Rule 45: the first stage.
    for g in 0..groups {
        if let Some(&first) = profile.ranking(g).first() {
            count.piles[first as usize].push(g);
            count.votes[first as usize] += profile.counts[g] * SCALE;
        }
    }
    count.record(StageAction::FirstPreferences);

    while !count.settle() {
        if let Some(c) = count.largest_surplus() {
            count.transfer_surplus(c);
        } else if let Some(c) = count.lowest() {
            count.exclude(c);
        } else {
            break;
        }
    }

    Outcome {
        quota: count.quota,
        elected: count.elected,
        stages: count.stages,
        exhausted: count.exhausted,
        lost: count.lost,
        ties: count.ties,
    }
}

impl Count<'_> {
    fn stage_number(&self) -> u32 {
        self.stages.len() as u32
    }

    fn continuing(&self) -> Vec<u32> {
        (0..self.profile.candidates as u32)
            .filter(|&c| self.status[c as usize] == Status::Continuing)
            .collect()
    }

    fn contest(&mut self) -> Contest<'_> {
        Contest {
            precedence: Some(&self.precedence),
            seed: self.seed,
            stage: self.stages.len() as u32,
            ties: &mut self.ties,
        }
    }

    fn record(&mut self, action: StageAction) {
        let transfers = match self.stages.last() {
            Some(last) => transfers(&last.votes, &self.votes),
            None => Vec::new(),
        };
        let parcels = std::mem::take(&mut self.parcels)
            .into_iter()
            .map(|(value, (papers, non_transferable))| Parcel {
                value,
                papers,
                non_transferable,
            })
            .collect();
        self.stages.push(Stage {
            number: self.stage_number() + 1,
            action,
            quota: self.quota,
            votes: self.votes.clone(),
            transfers,
            parcels,
            exhausted: self.exhausted,
            lost: self.lost,
            elected: Vec::new(),
            meek: None,
        });
        self.precedence.push(&self.votes);
    }

    fn elect(&mut self, c: u32, by: ElectedBy) {
        self.status[c as usize] = Status::Elected;
        self.elected.push(c);
        if let Some(stage) = self.stages.last_mut() {
            stage.elected.push(Elected { candidate: c, by });
        }
    }

    /// The end of a stage: rule 47 elections, then rule 52. Whether the
    /// count is over.
    fn settle(&mut self) -> bool {
        let quota = self.quota;
        let reached: Vec<u32> = self
            .continuing()
            .into_iter()
            .filter(|&c| self.votes[c as usize] >= quota)
            .collect();
        let votes = self.votes.clone();
        let order = self.contest().order(&reached, |c| votes[c as usize]);
        for c in order {
            if self.elected.len() < self.seats {
                self.elect(c, ElectedBy::Quota);
                if self.votes[c as usize] > quota {
                    self.pending.push(c);
                }
            }
        }
        if self.elected.len() >= self.seats {
            return true;
        }
        let continuing = self.continuing();
        if continuing.len() <= self.seats - self.elected.len() {
            let order = self.contest().order(&continuing, |c| votes[c as usize]);
            for c in order {
                self.elect(c, ElectedBy::LastVacancies);
            }
            return true;
        }
        false
    }

    /// Rule 49: the candidate whose surplus goes next.
    fn largest_surplus(&mut self) -> Option<u32> {
        let pending = self.pending.clone();
        let votes = self.votes.clone();
        self.contest()
            .best(&pending, |c| votes[c as usize], true, TiePurpose::Surplus)
    }

    /// Rule 50(1): the continuing candidate to exclude.
    fn lowest(&mut self) -> Option<u32> {
        let continuing = self.continuing();
        let votes = self.votes.clone();
        self.contest().best(
            &continuing,
            |c| votes[c as usize],
            false,
            TiePurpose::Exclusion,
        )
    }

    /// Rules 48–49: transfers all of `c`'s papers at reduced values.
    fn transfer_surplus(&mut self, c: u32) {
        self.pending.retain(|&p| p != c);
        let total = self.votes[c as usize];
        let surplus = total - self.quota;
        let mut moved = 0;
        for g in std::mem::take(&mut self.piles[c as usize]) {
            // Rule 48(3)–(4): A ÷ B with A = surplus × the paper's value
            // when received, B = the candidate's total votes, to five
            // decimal places, the remainder ignored.
            let value = mul_div(self.value[g], surplus, total);
            self.value[g] = value;
            let amount = self.profile.counts[g] * value;
            moved += amount;
            self.pass_on(g, amount);
        }
        self.votes[c as usize] = self.quota;
        self.lost += surplus - moved;
        self.record(StageAction::SurplusTransfer {
            from: c,
            surplus,
            value: mul_div(SCALE, surplus, total),
        });
    }

    /// Rule 50(2)–(4): excludes `c`, passing its papers on at their values.
    fn exclude(&mut self, c: u32) {
        self.status[c as usize] = Status::Excluded;
        for g in std::mem::take(&mut self.piles[c as usize]) {
            let amount = self.profile.counts[g] * self.value[g];
            self.pass_on(g, amount);
        }
        self.votes[c as usize] = 0;
        self.record(StageAction::Exclusion { who: c });
    }

    /// Gives group `g`'s papers, worth `amount` in all, to their next
    /// available preference (a continuing candidate), or sets them aside as
    /// non-transferable.
    fn pass_on(&mut self, g: usize, amount: u64) {
        let papers = self.profile.counts[g];
        let parcel = self.parcels.entry(self.value[g]).or_default();
        parcel.0 += papers;
        let ranking = self.profile.ranking(g);
        let from = self.position[g] + 1;
        let next = ranking
            .iter()
            .enumerate()
            .skip(from)
            .find(|&(_, &d)| self.status[d as usize] == Status::Continuing);
        match next {
            Some((position, &d)) => {
                self.position[g] = position;
                self.piles[d as usize].push(g);
                self.votes[d as usize] += amount;
            }
            None => {
                self.position[g] = ranking.len();
                self.exhausted += amount;
                parcel.1 += papers;
            }
        }
    }
}

/// ⌊a × b ÷ c⌋ without overflow; `c` is a candidate's non-zero total and
/// the result is at most `a` (as `b ≤ c`).
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    let exact = u128::from(a) * u128::from(b) / u128::from(c.max(1));
    u64::try_from(exact).unwrap_or(u64::MAX)
}
