//! Majority with liquid delegation: 60 % of yes + no, delegated weights.

use std::collections::BTreeMap;

use super::{ballots, edges, key, keys};
use crate::tally::choice::bench::{
    index_majority, majority_input, run_majority, run_majority_indexed,
};
use crate::tally::choice::majority::{MajorityBallot, MajorityRules, tally};
use crate::tally::choice::{FailReason, Outcome};
use crate::tally::delegation::Uncounted;

use MajorityBallot::{Abstain, No, Yes};

/// Voter 0 votes `a` for itself and `a_weight − 1` delegators; voter 1
/// votes `b` likewise. Delegators are 2.. .
fn two_blocs(a: MajorityBallot, a_weight: u32, b: MajorityBallot, b_weight: u32) -> Outcome {
    let ballots = BTreeMap::from([(key(0), a), (key(1), b)]);
    let first = 2;
    let split = first + a_weight - 1;
    let end = split + b_weight - 1;
    let delegate_of = edges(
        (first..split)
            .map(|d| (d, 0))
            .chain((split..end).map(|d| (d, 1))),
    );
    let r = tally(
        &ballots,
        &keys(0..end),
        &delegate_of,
        &MajorityRules::default(),
    );
    assert_eq!(r.delegation.weight_of(&key(0)), u64::from(a_weight));
    assert_eq!(r.delegation.weight_of(&key(1)), u64::from(b_weight));
    r.outcome
}

#[test]
fn exactly_60_percent_of_delegated_weight_passes() {
    assert_eq!(two_blocs(Yes, 6000, No, 4000), Outcome::Passed);
    assert_eq!(two_blocs(Yes, 3, No, 2), Outcome::Passed);
    assert_eq!(
        two_blocs(Yes, 5999, No, 4001),
        Outcome::Failed(FailReason::Threshold)
    );
    // Abstentions take no side: 1 yes of 1 yes + 0 no.
    assert_eq!(two_blocs(Yes, 1, Abstain, 9999), Outcome::Passed);
    assert_eq!(
        two_blocs(Abstain, 1, Abstain, 1),
        Outcome::Failed(FailReason::Threshold)
    );
}

#[test]
fn the_report_gives_each_voters_carried_weight() {
    // 0 votes yes, 1 no, 2 abstains; 3 → 0, 4 → 3 → 0, 5 → 1,
    // 6 → 7 → 6 loops, 8 delegates to an outsider, 9 is absent,
    // 2 delegated to 1 but voted, so only its own vote counts.
    let ballots = BTreeMap::from([(key(0), Yes), (key(1), No), (key(2), Abstain)]);
    let delegate_of = edges([(3, 0), (4, 3), (5, 1), (6, 7), (7, 6), (8, 100), (2, 1)]);
    let r = tally(
        &ballots,
        &keys(0..10),
        &delegate_of,
        &MajorityRules::default(),
    );
    assert_eq!(
        r.delegation.weight,
        BTreeMap::from([(key(0), 3), (key(1), 2), (key(2), 1)])
    );
    assert_eq!((r.yes, r.no, r.abstain), (3, 2, 1));
    assert_eq!(r.turnout, 6);
    assert_eq!(r.delegation.absent, 1);
    assert_eq!(r.delegation.uncounted.get(&key(6)), Some(&Uncounted::Loop));
    assert_eq!(
        r.delegation.uncounted.get(&key(8)),
        Some(&Uncounted::DeadEnd)
    );
    // 3/5 yes, and 6/10 turnout ≥ 1/5.
    assert_eq!(r.outcome, Outcome::Passed);
}

#[test]
fn the_quorum_counts_the_represented() {
    let (b, _) = ballots(0, &[(1, Yes)]);
    // 1 of 10 < 1/5.
    let r = tally(
        &b,
        &keys(0..10),
        &BTreeMap::new(),
        &MajorityRules::default(),
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::QuorumNotMet {
            turnout: 1,
            eligible: 10
        })
    );
    // 1 + 1 represented = 2 of 10 = 1/5.
    let r = tally(
        &b,
        &keys(0..10),
        &edges([(5, 0)]),
        &MajorityRules::default(),
    );
    assert_eq!(r.outcome, Outcome::Passed);
}

#[test]
fn the_bench_input_tallies_consistently() {
    let input = majority_input(2_000, 400, 7);
    let r = run_majority(&input);
    assert_eq!(r.yes + r.no + r.abstain, r.turnout);
    let lost = r.delegation.uncounted.len() as u64;
    assert_eq!(r.turnout + lost + r.delegation.absent, 2_400);
    assert_eq!(r.delegation.represented_by.len() as u64 + 2_000, r.turnout);
    assert_eq!(run_majority(&input), r);
    let indexed = index_majority(&input);
    assert_eq!(
        run_majority_indexed(&indexed).into_report(&indexed.electorate),
        r
    );
}

/// The scale: 1 M ballots and 200 k delegations. Timing belongs to
/// the benchmark (`bench::run_majority`); this checks the count at scale.
#[test]
#[ignore = "scale test: run with --release --ignored"]
fn a_million_ballots_with_200k_delegations() {
    let input = majority_input(1_000_000, 200_000, 1);
    let start = std::time::Instant::now();
    let r = run_majority(&input);
    eprintln!("1 M ballots, 200 k delegations: {:?}", start.elapsed());
    assert_eq!(r.yes + r.no + r.abstain, r.turnout);
    let lost = r.delegation.uncounted.len() as u64;
    assert_eq!(r.turnout + lost + r.delegation.absent, 1_200_000);
    assert!(r.delegation.represented_by.len() > 150_000);
    assert_eq!(r.outcome, Outcome::Passed);
    let indexed = index_majority(&input);
    let start = std::time::Instant::now();
    let count = run_majority_indexed(&indexed);
    eprintln!("the same, interned: {:?}", start.elapsed());
    assert_eq!(count.into_report(&indexed.electorate), r);
}

#[test]
fn a_simple_majority_is_strict_by_default_and_a_tie_fails() {
    use crate::community::{LevelRules, Method, PassWhen, Ties};
    use crate::units::Ratio;
    let level = |threshold, pass_when| LevelRules {
        method: Method::Majority,
        threshold,
        quorum: Ratio::new(0, 1),
        blocks_to_fail: 0,
        voice_credits: 0,
        delegation: true,
        pass_when,
        ties: Ties::Fail,
    };
    let count = |rules: &LevelRules, yes: u32, no: u32| {
        let (ballots, end) = ballots(0, &[(yes, Yes), (no, No)]);
        tally(
            &ballots,
            &keys(0..end),
            &BTreeMap::new(),
            &MajorityRules::from(rules),
        )
        .outcome
    };
    let half = level(Ratio::new(1, 2), PassWhen::Auto);
    assert!(MajorityRules::from(&half).strict);
    assert_eq!(count(&half, 2, 2), Outcome::Failed(FailReason::Threshold));
    assert_eq!(count(&half, 3, 2), Outcome::Passed);
    // 50/100 is one half too.
    assert!(MajorityRules::from(&level(Ratio::new(50, 100), PassWhen::Auto)).strict);
    // Asked for, a tie passes a half; other thresholds are reached by default.
    let inclusive = level(Ratio::new(1, 2), PassWhen::AtLeast);
    assert_eq!(count(&inclusive, 2, 2), Outcome::Passed);
    let three_fifths = level(Ratio::new(3, 5), PassWhen::Auto);
    assert_eq!(count(&three_fifths, 3, 2), Outcome::Passed);
    let more = level(Ratio::new(3, 5), PassWhen::MoreThan);
    assert_eq!(count(&more, 3, 2), Outcome::Failed(FailReason::Threshold));
    assert_eq!(count(&more, 4, 2), Outcome::Passed);
}

#[test]
fn no_ballots_count_nobody_and_pass_nothing() {
    let none: BTreeMap<_, MajorityBallot> = BTreeMap::new();
    let lenient = MajorityRules {
        threshold: crate::units::Ratio::new(0, 1),
        quorum: crate::units::Ratio::new(0, 1),
        strict: false,
    };
    let r = tally(&none, &keys(0..5), &BTreeMap::new(), &lenient);
    assert_eq!((r.yes, r.no, r.turnout), (0, 0, 0));
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));
}
