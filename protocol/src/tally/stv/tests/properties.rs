//! Invariants of both STV rules over random elections.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::{assert_conserved, seed};
use crate::tally::blt::{Election, RankedBallot};
use crate::tally::result_hash;
use crate::tally::stv::{ElectedBy, StageAction, StvReport, StvRule, count};

/// `cases` cases, no regression files in the source tree, and the `SEED`
/// environment variable's seed when it holds one (STYLE "Tests").
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if let Some(seed) = std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}

fn ballot(candidates: u32) -> impl Strategy<Value = RankedBallot> {
    (
        1u64..=20,
        Just((0..candidates).collect::<Vec<u32>>()).prop_shuffle(),
        0..=candidates as usize,
    )
        .prop_map(|(weight, order, len)| RankedBallot {
            weight,
            ranking: order[..len].to_vec(),
        })
}

fn election() -> impl Strategy<Value = Election> {
    (1u32..=7, 1u32..=4).prop_flat_map(|(candidates, seats)| {
        (
            proptest::collection::vec(ballot(candidates), 0..40),
            proptest::collection::btree_set(0..candidates, 0..=2),
        )
            .prop_map(move |(ballots, withdrawn)| Election {
                title: "random".into(),
                candidates: (0..candidates).map(|c| format!("C{c}")).collect(),
                seats,
                withdrawn: withdrawn.into_iter().collect(),
                ballots,
            })
    })
}

fn rule() -> impl Strategy<Value = StvRule> {
    prop_oneof![Just(StvRule::Scottish), Just(StvRule::Meek)]
}

fn run(election: &Election, rule: StvRule) -> StvReport {
    count(election, rule, None, &seed()).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(config(160))]

    /// Ballot order never changes the result, nor a bit of the report.
    #[test]
    fn ballot_order_does_not_matter(
        (election, shuffled) in election().prop_flat_map(|e| {
            let ballots = Just(e.ballots.clone()).prop_shuffle();
            (Just(e), ballots)
        }),
        rule in rule(),
    ) {
        let report = run(&election, rule);
        let permuted = Election { ballots: shuffled, ..election };
        let again = run(&permuted, rule);
        prop_assert_eq!(result_hash(&report), result_hash(&again));
        prop_assert_eq!(report, again);
    }

    /// Splitting a group of identical ballots in two changes nothing.
    #[test]
    fn splitting_a_ballot_group_does_not_matter(
        election in election(),
        rule in rule(),
        pick in any::<prop::sample::Index>(),
        part in 1u64..20,
    ) {
        prop_assume!(!election.ballots.is_empty());
        let i = pick.index(election.ballots.len());
        let mut split = election.clone();
        let weight = split.ballots[i].weight;
        prop_assume!(weight > 1);
        let part = 1 + part % (weight - 1);
        split.ballots[i].weight -= part;
        let copy = RankedBallot { weight: part, ranking: split.ballots[i].ranking.clone() };
        split.ballots.push(copy);
        prop_assert_eq!(run(&election, rule), run(&split, rule));
    }

    /// Votes, exhausted value and what truncation lost add up to every
    /// valid vote at every stage; the seats are filled while candidates
    /// last; nobody withdrawn or elected twice is elected.
    #[test]
    fn counts_conserve_votes_and_fill_seats(election in election(), rule in rule()) {
        let report = run(&election, rule);
        assert_conserved(&report);
        let standing = election.candidates.len() - election.withdrawn.len();
        prop_assert_eq!(report.elected.len(), standing.min(election.seats as usize));
        let mut elected = report.elected.clone();
        elected.sort_unstable();
        elected.dedup();
        prop_assert_eq!(elected.len(), report.elected.len());
        prop_assert!(report.elected.iter().all(|c| !election.withdrawn.contains(c)));
        let listed: Vec<u32> = report
            .stages
            .iter()
            .flat_map(|s| s.elected.iter().map(|e| e.candidate))
            .collect();
        prop_assert_eq!(&listed, &report.elected);
    }

    /// Scottish: the quota is fixed, only a candidate at or over it is
    /// elected by it, and truncation loses less than a unit per paper and
    /// surplus transfer.
    #[test]
    fn scottish_elections_by_quota_reach_it(election in election()) {
        let report = run(&election, StvRule::Scottish);
        for stage in &report.stages {
            prop_assert_eq!(stage.quota, report.quota);
            for e in stage.elected.iter().filter(|e| e.by == ElectedBy::Quota) {
                prop_assert!(stage.votes[e.candidate as usize] >= report.quota);
            }
        }
        let transfers = report
            .stages
            .iter()
            .filter(|s| matches!(s.action, StageAction::SurplusTransfer { .. }))
            .count() as u64;
        prop_assert!(report.lost <= report.valid_ballots * transfers);
    }

    /// Meek: every round's quota is its votes ÷ (seats + 1), truncated,
    /// plus one unit, and keep factors never exceed 1.
    #[test]
    fn meek_quotas_follow_the_active_votes(election in election()) {
        let report = run(&election, StvRule::Meek);
        for stage in &report.stages {
            let total: u64 = stage.votes.iter().sum();
            prop_assert_eq!(stage.quota, total / (u64::from(report.seats) + 1) + 1);
            if let Some(round) = &stage.meek {
                prop_assert!(round.keep_factors.iter().all(|&k| k <= report.scale));
            }
        }
    }
}
