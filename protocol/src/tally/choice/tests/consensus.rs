//! Consensus: 80 % of non-abstaining, blocks, quorum.

use std::collections::BTreeMap;

use super::{ballots, edges, key, keys};
use crate::tally::choice::consensus::{ConsensusBallot, ConsensusRules, tally};
use crate::tally::choice::{ConsensusCounts, FailReason, Outcome};
use crate::tally::result_hash;
use crate::units::Ratio;

use ConsensusBallot::{Abstain, Agree, Disagree};

fn block(reason: &str) -> ConsensusBallot {
    ConsensusBallot::Block {
        reason: reason.into(),
    }
}

/// Rules where blocks never fail on their own and any turnout is enough.
fn lenient() -> ConsensusRules {
    ConsensusRules {
        blocks_to_fail: 0,
        quorum: Ratio::new(0, 1),
        ..ConsensusRules::default()
    }
}

#[test]
fn exactly_80_percent_passes_and_79_99_fails() {
    let cases = [
        ((4, 1), Outcome::Passed),
        ((8000, 2000), Outcome::Passed),
        ((7999, 2001), Outcome::Failed(FailReason::Threshold)),
        ((3, 1), Outcome::Failed(FailReason::Threshold)),
    ];
    for ((agree, disagree), expected) in cases {
        let (b, n) = ballots(0, &[(agree, Agree), (disagree, Disagree)]);
        let r = tally(
            &b,
            &keys(0..n),
            &BTreeMap::new(),
            &ConsensusRules::default(),
        );
        assert_eq!(r.outcome, expected, "{agree} agree, {disagree} disagree");
        assert_eq!(
            r.counts,
            ConsensusCounts {
                agree: agree.into(),
                disagree: disagree.into(),
                ..ConsensusCounts::default()
            }
        );
    }
}

#[test]
fn abstentions_count_for_the_quorum_but_not_the_threshold() {
    // 4 agree, 1 disagrees, 15 abstain: 4/5 of those taking a side.
    let (b, n) = ballots(0, &[(4, Agree), (1, Disagree), (15, Abstain)]);
    let rules = ConsensusRules {
        quorum: Ratio::new(1, 1),
        ..ConsensusRules::default()
    };
    let r = tally(&b, &keys(0..n), &BTreeMap::new(), &rules);
    assert_eq!(r.outcome, Outcome::Passed);
    assert_eq!(r.turnout, 20);
    assert_eq!(r.counts.abstain, 15);

    // Everyone abstains: nobody agrees, so it fails on the threshold.
    let (b, n) = ballots(0, &[(5, Abstain)]);
    let r = tally(&b, &keys(0..n), &BTreeMap::new(), &rules);
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));
}

#[test]
fn one_block_fails_by_default_and_is_reported_with_its_reason() {
    let (mut b, n) = ballots(0, &[(99, Agree)]);
    b.insert(key(n), block("harms the river"));
    let r = tally(
        &b,
        &keys(0..=n),
        &BTreeMap::new(),
        &ConsensusRules::default(),
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::Blocked { blocks: 1 })
    );
    assert_eq!(
        r.blocks,
        BTreeMap::from([(key(n), "harms the river".to_string())])
    );
}

#[test]
fn blocks_below_the_limit_count_against_the_threshold() {
    let rules = ConsensusRules {
        blocks_to_fail: 2,
        ..ConsensusRules::default()
    };
    // 8 agree, 1 disagrees, 1 blocks: 8/10 passes, 1 < 2 blocks.
    let (mut b, n) = ballots(0, &[(8, Agree), (1, Disagree)]);
    b.insert(key(n), block("too soon"));
    let r = tally(&b, &keys(0..=n), &BTreeMap::new(), &rules);
    assert_eq!(r.outcome, Outcome::Passed);
    assert_eq!(r.counts.block, 1);

    // 7 agree, 1 disagrees, 1 blocks: 7/9 < 80 %.
    let (mut b, n) = ballots(0, &[(7, Agree), (1, Disagree)]);
    b.insert(key(n), block("too soon"));
    let r = tally(&b, &keys(0..=n), &BTreeMap::new(), &rules);
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));

    // A second block reaches the limit.
    let (mut b, n) = ballots(0, &[(98, Agree)]);
    b.insert(key(n), block("a"));
    b.insert(key(n + 1), block("b"));
    let r = tally(&b, &keys(0..n + 2), &BTreeMap::new(), &rules);
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::Blocked { blocks: 2 })
    );

    // With blocking disabled, blocks only weigh against the threshold.
    let r = tally(&b, &keys(0..n + 2), &BTreeMap::new(), &lenient());
    assert_eq!(r.outcome, Outcome::Passed);
}

#[test]
fn a_block_is_one_members_however_many_it_represents() {
    // 1 blocks and represents 2, 3 and 4; 5..15 agree (11).
    let (mut b, _) = ballots(5, &[(11, Agree)]);
    b.insert(key(1), block("no"));
    let delegate_of = edges([(2, 1), (3, 1), (4, 2)]);
    let rules = ConsensusRules {
        blocks_to_fail: 2,
        ..ConsensusRules::default()
    };
    let r = tally(&b, &keys(1..16), &delegate_of, &rules);
    assert_eq!(r.blocks.len(), 1);
    assert_eq!(r.counts.block, 4);
    assert_eq!(r.delegation.weight_of(&key(1)), 4);
    // 11 / 15 < 80 %: the represented weight counts against the threshold.
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));
}

#[test]
fn the_quorum_includes_delegated_weight_and_comes_first() {
    let rules = ConsensusRules::default(); // quorum 1/4
    // 20 eligible; 4 vote: 4/20 < 1/4.
    let (b, _) = ballots(0, &[(4, Agree)]);
    let r = tally(&b, &keys(0..20), &BTreeMap::new(), &rules);
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::QuorumNotMet {
            turnout: 4,
            eligible: 20
        })
    );
    // One more member delegates to a voter: 5/20 = 1/4 exactly.
    let r = tally(&b, &keys(0..20), &edges([(10, 0)]), &rules);
    assert_eq!(r.outcome, Outcome::Passed);
    assert_eq!(r.turnout, 5);

    // A quorum failure is reported before a block.
    let mut blocked = b.clone();
    blocked.insert(key(4), block("no"));
    let r = tally(&blocked, &keys(0..40), &BTreeMap::new(), &rules);
    assert!(matches!(
        r.outcome,
        Outcome::Failed(FailReason::QuorumNotMet { .. })
    ));
}

#[test]
fn ineligible_ballots_and_empty_electorates_count_for_nothing() {
    // 100 is not eligible; its block is ignored.
    let (mut b, n) = ballots(0, &[(5, Agree)]);
    b.insert(key(100), block("outsider"));
    let r = tally(
        &b,
        &keys(0..n),
        &BTreeMap::new(),
        &ConsensusRules::default(),
    );
    assert_eq!(r.outcome, Outcome::Passed);
    assert!(r.blocks.is_empty());

    let r = tally(
        &BTreeMap::new(),
        &keys([]),
        &BTreeMap::new(),
        &ConsensusRules::default(),
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::QuorumNotMet {
            turnout: 0,
            eligible: 0
        })
    );
}

#[test]
fn reports_hash_deterministically() {
    let (b, n) = ballots(0, &[(4, Agree), (1, Disagree)]);
    let a = tally(&b, &keys(0..n), &BTreeMap::new(), &lenient());
    let again = tally(&b, &keys(0..n), &BTreeMap::new(), &lenient());
    assert_eq!(result_hash(&a), result_hash(&again));
    let (b, n) = ballots(0, &[(4, Agree), (1, Abstain)]);
    let other = tally(&b, &keys(0..n), &BTreeMap::new(), &lenient());
    assert_ne!(result_hash(&a), result_hash(&other));
}
