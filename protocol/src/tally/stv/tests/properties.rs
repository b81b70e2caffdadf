//! Invariants of both STV rules over random elections.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::{assert_conserved, seed};
use crate::tally::blt::{Election, RankedBallot};
use crate::tally::result_hash;
use crate::tally::stv::{
    ElectedBy, StageAction, StvError, StvReport, StvRule, TieBy, TiePurpose, count,
};

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

/// The count, or `None` for an election without a valid ballot (which
/// must then be refused with `no_ballots`, and only then).
fn run(election: &Election, rule: StvRule) -> Option<StvReport> {
    let valid = election
        .ballots
        .iter()
        .any(|b| b.weight > 0 && b.ranking.iter().any(|c| !election.withdrawn.contains(c)));
    match count(election, rule, None, &seed()) {
        Ok(report) => {
            assert!(valid, "counted an election without a valid ballot");
            Some(report)
        }
        Err(StvError::NoBallots) if !valid => None,
        Err(e) => panic!("{e}"),
    }
}

/// The oracle for ties: the candidates of `tied` still level after looking
/// back through every stage up to `stage`, most recent first, keeping at
/// each those at the extreme (rules 49(2), 51(2)(a)) — the rescan the
/// count's index replaces.
fn level_after_looking_back(
    report: &StvReport,
    tied: &[u32],
    stage: u32,
    highest: bool,
) -> Vec<u32> {
    let mut left = tied.to_vec();
    for st in report.stages[..stage as usize].iter().rev() {
        let value = |c: u32| st.votes[c as usize];
        let values = left.iter().map(|&c| value(c));
        let extreme = if highest { values.max() } else { values.min() };
        if let Some(extreme) = extreme {
            left.retain(|&c| value(c) == extreme);
        }
        if left.len() == 1 {
            break;
        }
    }
    left
}

/// Single-preference ballots giving every one of `candidates` the same
/// `votes`: everyone is level at every stage.
fn all_level(candidates: u32, votes: u64, seats: u32) -> Election {
    Election {
        title: "level".into(),
        candidates: (0..candidates).map(|c| format!("C{c}")).collect(),
        seats,
        withdrawn: Vec::new(),
        ballots: (0..candidates)
            .map(|c| RankedBallot {
                weight: votes,
                ranking: vec![c],
            })
            .collect(),
    }
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
        let Some(report) = run(&election, rule) else { return Ok(()) };
        let permuted = Election { ballots: shuffled, ..election };
        let again = run(&permuted, rule);
        prop_assert_eq!(Some(result_hash(&report)), again.as_ref().map(result_hash));
        prop_assert_eq!(Some(report), again);
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
        let Some(report) = run(&election, rule) else { return Ok(()) };
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
        let Some(report) = run(&election, StvRule::Scottish) else { return Ok(()) };
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
        let Some(report) = run(&election, StvRule::Meek) else { return Ok(()) };
        for stage in &report.stages {
            let total: u64 = stage.votes.iter().sum();
            prop_assert_eq!(stage.quota, total / (u64::from(report.seats) + 1) + 1);
            if let Some(round) = &stage.meek {
                prop_assert!(round.keep_factors.iter().all(|&k| k <= report.scale));
            }
        }
    }

    /// Every tie the count broke is broken as a rescan of the stage table
    /// says: by earlier stages exactly when one candidate stays ahead
    /// there, else by lot between exactly those still level.
    #[test]
    fn ties_agree_with_a_rescan_of_the_stages(election in election()) {
        let Some(report) = run(&election, StvRule::Scottish) else { return Ok(()) };
        for tie in &report.ties {
            let highest = tie.purpose != TiePurpose::Exclusion;
            let level = level_after_looking_back(&report, &tie.tied, tie.stage, highest);
            match tie.by {
                TieBy::EarlierStages => {
                    prop_assert_eq!(&level, &vec![tie.chosen]);
                    prop_assert!(tie.lot.is_empty() && tie.drawn.is_none());
                }
                TieBy::Lot => {
                    prop_assert_eq!(&level, &tie.lot);
                    prop_assert_eq!(tie.drawn, Some(tie.chosen));
                    prop_assert!(level.len() > 1);
                }
            }
        }
    }

    /// At every stage what candidates gained and gave, with the change in
    /// the non-transferable value and in what truncation lost, sums to
    /// nothing; under the Scottish rules the parcels moved (papers × value)
    /// are what the giver gave less what truncation lost, and what the
    /// others received plus the newly non-transferable.
    #[test]
    fn transfers_and_parcels_add_up(election in election(), rule in rule()) {
        let Some(report) = run(&election, rule) else { return Ok(()) };
        for pair in report.stages.windows(2) {
            let [before, stage] = pair else { continue };
            let exhausted = stage.exhausted as i128 - before.exhausted as i128;
            let lost = stage.lost as i128 - before.lost as i128;
            let changes: i128 = stage.transfers.iter().map(|t| i128::from(t.change)).sum();
            prop_assert_eq!(changes + exhausted + lost, 0, "stage {}", stage.number);
            for t in &stage.transfers {
                prop_assert_eq!(
                    i128::from(t.change),
                    stage.votes[t.candidate as usize] as i128 - before.votes[t.candidate as usize] as i128
                );
            }
            let giver = match stage.action {
                StageAction::SurplusTransfer { from, .. } => Some(from),
                StageAction::Exclusion { who } if rule == StvRule::Scottish => Some(who),
                _ => None,
            };
            if let Some(giver) = giver {
                let moved: i128 = stage.parcels.iter().map(|p| i128::from(p.papers * p.value)).sum();
                let gave = stage.transfers.iter().find(|t| t.candidate == giver).map_or(0, |t| -i128::from(t.change));
                prop_assert_eq!(moved, gave - lost);
                let received: i128 = stage
                    .transfers
                    .iter()
                    .filter(|t| t.candidate != giver)
                    .map(|t| i128::from(t.change))
                    .sum();
                prop_assert_eq!(moved, received + exhausted);
            } else {
                prop_assert!(stage.parcels.is_empty());
            }
        }
    }

    /// Edges. One candidate is elected unopposed, with no tie. With every
    /// candidate level at every stage, each exclusion is drawn by lot
    /// between all who continue, and the seats are filled. No ballots at
    /// all: `no_ballots`.
    #[test]
    fn edges_one_candidate_all_tied_no_ballots(
        candidates in 2u32..12,
        votes in 1u64..5,
        seats in 1u32..4,
        rule in rule(),
    ) {
        let one = all_level(1, votes, seats);
        let report = run(&one, rule).expect("one candidate with votes counts");
        prop_assert_eq!(&report.elected, &vec![0]);
        prop_assert!(report.ties.is_empty());

        let level = all_level(candidates, votes, seats);
        let report = run(&level, rule).expect("a level election counts");
        prop_assert_eq!(report.elected.len(), seats.min(candidates) as usize);
        let mut standing = candidates as usize;
        for tie in report.ties.iter().filter(|t| t.purpose == TiePurpose::Exclusion) {
            prop_assert_eq!(tie.by, TieBy::Lot);
            prop_assert_eq!(tie.tied.len(), standing);
            prop_assert_eq!(&tie.lot, &tie.tied);
            standing -= 1;
        }

        let mut none = level.clone();
        none.ballots.clear();
        prop_assert_eq!(count(&none, rule, None, &seed()), Err(StvError::NoBallots));
    }
}
