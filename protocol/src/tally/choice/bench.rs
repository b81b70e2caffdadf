//! Large, seeded inputs for benchmarks (and the ignored scale tests): the
//! issue's "1 M-ballot majority tally with 200 k delegations". The
//! generator is a splitmix64 stream, so a seed names one input everywhere.

use std::collections::{BTreeMap, BTreeSet};

use super::majority::{self, MajorityBallot, MajorityCount, MajorityReport, MajorityRules};
use crate::crypto::PublicKey;
use crate::tally::electorate::{Ballots, Delegations, Electorate};

/// A majority vote: eligible members, ballots, delegations and rules.
#[derive(Clone, Debug)]
pub struct MajorityInput {
    /// The eligible members: the voters and the delegators.
    pub eligible: BTreeSet<PublicKey>,
    /// One ballot per voter.
    pub ballots: BTreeMap<PublicKey, MajorityBallot>,
    /// One delegation per member who did not vote.
    pub delegate_of: BTreeMap<PublicKey, PublicKey>,
    /// The default regional rules.
    pub rules: MajorityRules,
}

/// A deterministic pseudo-random stream (splitmix64).
#[derive(Clone, Debug)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the slight modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// 32 pseudo-random bytes as a key (not necessarily a curve point:
    /// tallies never verify keys).
    pub fn key(&mut self) -> PublicKey {
        let mut bytes = [0u8; 32];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        PublicKey(bytes)
    }
}

/// `voters` ballots (60 % yes, 30 % no, 10 % abstain) and `delegators`
/// members who did not vote, each delegating to a random member — voters
/// mostly, so chains form, and some delegators, so loops and dead ends
/// form too.
pub fn majority_input(voters: usize, delegators: usize, seed: u64) -> MajorityInput {
    let mut rng = SplitMix(seed);
    let members: Vec<PublicKey> = (0..voters + delegators).map(|_| rng.key()).collect();
    let ballots = members[..voters]
        .iter()
        .map(|voter| {
            let ballot = match rng.below(10) {
                0..6 => MajorityBallot::Yes,
                6..9 => MajorityBallot::No,
                _ => MajorityBallot::Abstain,
            };
            (*voter, ballot)
        })
        .collect();
    let delegate_of = members[voters..]
        .iter()
        .map(|delegator| {
            let to = members[rng.below(members.len() as u64) as usize];
            (*delegator, to)
        })
        .collect();
    MajorityInput {
        eligible: members.into_iter().collect(),
        ballots,
        delegate_of,
        rules: MajorityRules::default(),
    }
}

/// A majority vote interned at ingest: what a node holding a large vote
/// keeps, so that the tally compares no keys.
#[derive(Clone, Debug)]
pub struct IndexedMajorityInput {
    /// The eligible members, interned.
    pub electorate: Electorate,
    /// The ballots by member index.
    pub ballots: Ballots<MajorityBallot>,
    /// The delegations by member index.
    pub delegations: Delegations,
    /// The rules.
    pub rules: MajorityRules,
}

/// Interns `input` (ingest).
pub fn index_majority(input: &MajorityInput) -> IndexedMajorityInput {
    let electorate = Electorate::from_set(&input.eligible);
    let ballots = electorate.ballots(input.ballots.iter().map(|(k, b)| (*k, *b)));
    let delegations = electorate.delegations(&input.delegate_of);
    IndexedMajorityInput {
        electorate,
        ballots,
        delegations,
        rules: input.rules,
    }
}

/// Tallies an interned vote: what the benchmark compares with the Python
/// reference.
pub fn run_majority_indexed(input: &IndexedMajorityInput) -> MajorityCount {
    majority::tally_indexed(&input.ballots, &input.delegations, &input.rules)
}

/// Tallies `input` from its keyed maps (interning included): the map-based
/// entry point.
pub fn run_majority(input: &MajorityInput) -> MajorityReport {
    majority::tally(
        &input.ballots,
        &input.eligible,
        &input.delegate_of,
        &input.rules,
    )
}
