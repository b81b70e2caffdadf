//! The edges of every rule, against what a person works out by hand: no
//! votes, one project, every project tied; and the limits.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::*;
use crate::tally::pabulib::parse_pb;

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

/// An approval instance: `costs` per project, one vote per entry of `votes`.
fn instance(budget: u64, costs: &[u64], votes: &[Vec<u32>]) -> PbInstance {
    let votes: Vec<(usize, &[u32])> = votes.iter().map(|v| (1, v.as_slice())).collect();
    super::tests::approval(budget, costs, &votes)
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn no_votes_no_result(
        costs in prop::collection::vec(0u64..100, 0..6),
        budget in 0u64..500,
        salt in any::<u8>(),
    ) {
        let seed = Hash::of("pb edges", &[salt]);
        let empty = instance(budget, &costs, &[]);
        for rule in PbRule::ALL {
            prop_assert_eq!(allocate(&empty, rule, &seed), Err(PbError::NoBallots));
        }
    }

    /// One project: every rule but plain MES funds it exactly when someone
    /// wants it and it fits; plain MES when its supporters' shares cover it.
    #[test]
    fn one_project_is_funded_when_it_should_be(
        cost in 0u64..60,
        budget in 0u64..60,
        supporters in 0usize..4,
        others in 0usize..4,
    ) {
        prop_assume!(supporters + others > 0);
        let mut votes = vec![vec![0]; supporters];
        votes.extend(std::iter::repeat_n(vec![], others));
        let one = instance(budget, &[cost], &votes);
        let n = (supporters + others) as u64;
        let wanted = supporters > 0;
        for rule in PbRule::ALL {
            let report = allocate(&one, rule, &Hash::of("pb edges", b"one")).expect("allocate");
            let funded = match rule {
                PbRule::Mes => wanted && supporters as u64 * budget >= cost * n,
                _ => wanted && cost <= budget,
            };
            let expected: Vec<u32> = if funded { vec![0] } else { vec![] };
            prop_assert_eq!(&report.selected, &expected, "{}", rule);
            prop_assert_eq!(report.spent, if funded { cost } else { 0 });
            prop_assert!(report.ties.is_empty());
        }
    }

    /// Identical projects everyone wants: every rule funds as many as fit,
    /// the first ones of the lot's order, and says the lot decided.
    #[test]
    fn when_every_project_is_tied_the_lot_decides(
        m in 1u32..6,
        cost in 1u64..40,
        budget in 0u64..200,
        voters in 1usize..5,
        salt in any::<u8>(),
    ) {
        let seed = Hash::of("pb edges", &[salt]);
        let all: Vec<u32> = (0..m).collect();
        let tied = instance(budget, &vec![cost; m as usize], &vec![all.clone(); voters]);
        let fit = (budget / cost).min(u64::from(m)) as usize;
        let drawn = draw_order(&seed, 0, &all);
        for rule in PbRule::ALL {
            let report = allocate(&tied, rule, &seed).expect("allocate");
            prop_assert_eq!(&report.selected, &drawn[..fit].to_vec(), "{}", rule);
            prop_assert!(report.ties.iter().all(|t| t.by == TieBreak::Lot), "{}", rule);
            if m > 1 && fit > 0 {
                prop_assert!(!report.ties.is_empty(), "{}", rule);
            }
        }
    }
}

#[test]
fn sizes_over_the_limits_are_refused() {
    let seed = Hash::of("pb edges", b"limits");
    let projects = instance(10, &vec![1; MAX_PROJECTS + 1], &[vec![0]]);
    assert_eq!(
        allocate(&projects, PbRule::Greedy, &seed).map_err(|e| e.code()),
        Err("too_many")
    );
    // Over the approvals limit with one vote per project id, repeated:
    // refused before any counting.
    let per_vote = MAX_PROJECTS as u32;
    let votes = MAX_APPROVALS / MAX_PROJECTS + 1;
    let approvals = instance(
        10,
        &vec![1; MAX_PROJECTS],
        &vec![(0..per_vote).collect::<Vec<u32>>(); votes],
    );
    let err = allocate(&approvals, PbRule::Greedy, &seed).expect_err("too many");
    assert_eq!(
        err,
        PbError::TooMany {
            what: "approvals",
            count: votes * MAX_PROJECTS,
            limit: MAX_APPROVALS,
        }
    );
}

/// The MES rules refuse what one count cannot afford; greedy counts it.
#[test]
fn mes_refuses_instances_over_its_size() {
    let seed = Hash::of("pb edges", b"size");
    let all: Vec<u32> = (0..MAX_PROJECTS as u32).collect();
    // 1 000 projects × 201 000 approvals: just over MAX_MES_SIZE.
    let big = instance(1_000, &vec![10; MAX_PROJECTS], &vec![all; 201]);
    for rule in [PbRule::Mes, PbRule::MesAdd1, PbRule::MesAdd1Greedy] {
        let err = allocate(&big, rule, &seed).expect_err("too large");
        assert_eq!(
            err,
            PbError::TooLargeForMes {
                projects: 1_000,
                approvals: 201_000
            },
            "{rule}"
        );
        assert_eq!(err.code(), "too_large_for_mes");
    }
    let greedy = allocate(&big, PbRule::Greedy, &seed).expect("greedy");
    assert_eq!(greedy.selected.len(), 100);
}

/// `mes-add1` gives up, with its own code, once it has run its allowed
/// MES counts; the Toulouse excerpt needs a handful (its share is raised
/// 119 799 times, most of them skipped).
#[test]
fn add1_gives_up_past_its_counts() {
    let toulouse = parse_pb(include_str!("data/france_toulouse_2019_excerpt.pb")).expect("parse");
    let seed = Hash::of("pb edges", b"counts");
    let err = allocate_within(&toulouse, PbRule::MesAdd1, &seed, 3).expect_err("gives up");
    assert_eq!(err.code(), "too_much_work");
    assert!(
        matches!(err, PbError::TooMuchWork { counts: 3, .. }),
        "{err}"
    );
    let report = allocate_within(&toulouse, PbRule::MesAdd1, &seed, 50).expect("add1");
    let runs = report.mes_runs.expect("runs");
    assert!(runs > 3 && runs <= 50, "{runs}");
    assert_eq!(
        allocate(&toulouse, PbRule::MesAdd1, &seed).map(|r| r.selected),
        Ok(report.selected)
    );
}
