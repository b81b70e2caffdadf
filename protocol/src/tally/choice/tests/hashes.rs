//! Result hashes pinned on seeded electorates: the bytes nodes attest to
//! must not change when the tally's internals do.

use std::collections::{BTreeMap, BTreeSet};

use crate::crypto::{Hash, PublicKey};
use crate::tally::choice::bench::SplitMix;
use crate::tally::choice::consensus::{self, ConsensusBallot, ConsensusReport, ConsensusRules};
use crate::tally::choice::majority::{self, MajorityBallot, MajorityReport, MajorityRules};
use crate::tally::choice::quadratic::{self, QvBallot, QvQuestion, QvReport, QvRules};
use crate::tally::delegation::Uncounted;
use crate::tally::result_hash;

/// A seeded electorate of `n` keys with every kind of delegation: to
/// voters, chains, self-delegations, loops, to keys outside, from keys
/// outside, and ballots from keys that are not eligible.
struct Electorate {
    eligible: BTreeSet<PublicKey>,
    voters: Vec<PublicKey>,
    delegate_of: BTreeMap<PublicKey, PublicKey>,
}

fn electorate(n: usize, seed: u64) -> (Electorate, SplitMix) {
    let mut rng = SplitMix(seed);
    let keys: Vec<PublicKey> = (0..n).map(|_| rng.key()).collect();
    let mut out = Electorate {
        eligible: BTreeSet::new(),
        voters: Vec::new(),
        delegate_of: BTreeMap::new(),
    };
    for key in &keys {
        // 9 in 10 eligible, 4 in 10 vote, 5 in 10 delegate.
        if rng.below(10) < 9 {
            out.eligible.insert(*key);
        }
        if rng.below(10) < 4 {
            out.voters.push(*key);
        }
        match rng.below(20) {
            0..9 => {
                let to = keys[rng.below(n as u64) as usize];
                out.delegate_of.insert(*key, to);
            }
            9 => {
                out.delegate_of.insert(*key, *key);
            }
            10 => {
                out.delegate_of.insert(*key, rng.key());
            }
            _ => {}
        }
    }
    (out, rng)
}

fn majority_report(seed: u64) -> MajorityReport {
    let (e, mut rng) = electorate(3_000, seed);
    let ballots: BTreeMap<PublicKey, MajorityBallot> = e
        .voters
        .iter()
        .map(|v| {
            let ballot = match rng.below(3) {
                0 => MajorityBallot::Yes,
                1 => MajorityBallot::No,
                _ => MajorityBallot::Abstain,
            };
            (*v, ballot)
        })
        .collect();
    let rules = MajorityRules::default();
    majority::tally(&ballots, &e.eligible, &e.delegate_of, &rules)
}

fn consensus_report(seed: u64) -> ConsensusReport {
    let (e, mut rng) = electorate(3_000, seed);
    let ballots: BTreeMap<PublicKey, ConsensusBallot> = e
        .voters
        .iter()
        .map(|v| {
            let ballot = match rng.below(40) {
                0 => ConsensusBallot::Block {
                    reason: format!("reason {}", rng.below(100)),
                },
                1..10 => ConsensusBallot::Abstain,
                10..20 => ConsensusBallot::Disagree,
                _ => ConsensusBallot::Agree,
            };
            (*v, ballot)
        })
        .collect();
    let rules = ConsensusRules {
        blocks_to_fail: 0,
        ..ConsensusRules::default()
    };
    consensus::tally(&ballots, &e.eligible, &e.delegate_of, &rules)
}

fn quadratic_report(seed: u64) -> QvReport {
    let (e, mut rng) = electorate(3_000, seed);
    let ballots: BTreeMap<PublicKey, QvBallot> = e
        .voters
        .iter()
        .map(|v| {
            // Some ballots are too long, some over budget.
            let len = if rng.below(50) == 0 { 4 } else { 3 };
            let votes = (0..len).map(|_| rng.below(15) as i64 - 7).collect();
            (*v, QvBallot { votes })
        })
        .collect();
    let question = QvQuestion {
        options: 3,
        allow_negative: true,
        seed: Hash::of("hearth test", b"quadratic"),
    };
    let rules = QvRules::default();
    quadratic::tally(&question, &ballots, &e.eligible, &e.delegate_of, &rules)
}

#[test]
fn result_hashes_are_pinned() {
    let (m1, m2) = (majority_report(1), majority_report(2));
    let (c, q) = (consensus_report(3), quadratic_report(4));
    // The inputs exercise every case the report records.
    for r in [&m1.delegation, &m2.delegation, &c.delegation, &q.delegation] {
        for reason in [Uncounted::Loop, Uncounted::DeadEnd, Uncounted::Ineligible] {
            assert!(r.uncounted.values().any(|u| *u == reason));
        }
        assert!(!r.represented_by.is_empty() && r.absent > 0);
    }
    assert!(!c.blocks.is_empty() && !q.rejected.is_empty());
    let got = [
        result_hash(&m1).to_hex(),
        result_hash(&m2).to_hex(),
        result_hash(&c).to_hex(),
        result_hash(&q).to_hex(),
    ];
    let want = [
        "bb9389cf31501c92c59966a5e00079a1e926057cf6852bf7e045e9a899d8a5b1",
        "6fa2e9c1f71cfafea13b566dded2994f472a11f61c1222cb06d45a7067a29c8f",
        "8fd4498157940a3caa7aa990ef41bad3433c3363d2d8c67930242df948683e87",
        "58efb943818456f6b36c0c7163b5cfd53ee3a59e7b585f97120907f5cfe630f8",
    ];
    assert_eq!(got, want);
}
