use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::*;

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

/// Ballots written as in the literature: `"5 ACBED"` is five voters
/// ranking A > C > B > E > D.
fn ballots(spec: &str) -> Vec<RankedBallot> {
    spec.split(',')
        .map(|part| {
            let (weight, ranking) = part.trim().split_once(' ').expect("weight and ranking");
            RankedBallot {
                weight: weight.parse().expect("weight"),
                ranking: ranking.bytes().map(|b| u32::from(b - b'A')).collect(),
            }
        })
        .collect()
}

fn names(candidates: &[u32]) -> String {
    candidates
        .iter()
        .map(|&c| char::from(b'A' + c as u8))
        .collect()
}

fn seed() -> Hash {
    Hash::of("schulze test", b"seed")
}

/// Schulze, "A new monotonic, clone-independent, reversal symmetric, and
/// Condorcet-consistent single-winner election method", Social Choice
/// and Welfare 36 (2011), example 1 — also the worked example of
/// Wikipedia's "Schulze method" article: 45 voters, 5 candidates. The
/// matrices below are the published `d[*,*]` and `p[*,*]` tables, the
/// winner is E and the ranking E > A > C > B > D.
#[test]
fn schulze_paper_example_1_elects_e() {
    let b = ballots("5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC");
    let report = schulze(5, &b, &[], &seed()).expect("count");
    assert_eq!(report.ballots, 45);
    assert_eq!(
        report.d,
        vec![
            vec![0, 20, 26, 30, 22],
            vec![25, 0, 16, 33, 18],
            vec![19, 29, 0, 17, 24],
            vec![15, 12, 28, 0, 14],
            vec![23, 27, 21, 31, 0],
        ]
    );
    assert_eq!(
        report.p,
        vec![
            vec![0, 28, 28, 30, 24],
            vec![25, 0, 28, 33, 24],
            vec![25, 29, 0, 29, 24],
            vec![25, 28, 28, 0, 24],
            vec![25, 28, 28, 31, 0],
        ]
    );
    assert_eq!(names(&report.unbeaten), "E");
    assert_eq!(report.winner, Some(4));
    assert_eq!(names(&report.ranking), "EACBD");
    assert!(report.ties.is_empty());
}

/// Schulze (2011), example 2: 30 voters, 4 candidates; D wins although
/// there is no Condorcet winner (A > C > B > A … cycles).
#[test]
fn schulze_paper_example_2_elects_d() {
    let b = ballots("5 ACBD, 2 ACDB, 3 ADCB, 4 BACD, 3 CBDA, 3 CDBA, 1 DACB, 5 DBAC, 4 DCBA");
    let report = schulze(4, &b, &[], &seed()).expect("count");
    assert_eq!(
        report.d,
        vec![
            vec![0, 11, 20, 14],
            vec![19, 0, 9, 12],
            vec![10, 21, 0, 17],
            vec![16, 18, 13, 0],
        ]
    );
    assert_eq!(
        report.p,
        vec![
            vec![0, 20, 20, 17],
            vec![19, 0, 19, 17],
            vec![19, 21, 0, 17],
            vec![18, 18, 18, 0],
        ]
    );
    assert_eq!(names(&report.unbeaten), "D");
    // D > A > C > B: p[A,C] = 20 > 19 = p[C,A], p[C,B] = 21 > 19 = p[B,C].
    assert_eq!(names(&report.ranking), "DACB");
}

/// Schulze (2011), example 4: 9 voters, 4 candidates, and a tie — B and
/// D are both Schulze winners (p[B,D] = p[D,B] = 5). The lot decides,
/// and the report says so.
#[test]
fn schulze_paper_example_4_is_a_tie_broken_by_lot() {
    let b = ballots("3 ABCD, 2 DABC, 2 DBCA, 2 CBDA");
    let report = schulze(4, &b, &[], &seed()).expect("count");
    assert_eq!(
        report.p,
        vec![
            vec![0, 5, 5, 5],
            vec![5, 0, 7, 5],
            vec![5, 5, 0, 5],
            vec![6, 5, 5, 0],
        ]
    );
    assert_eq!(names(&report.unbeaten), "BD");
    assert!(report.drawn);
    let first = &report.ties[0];
    assert_eq!((first.round, names(&first.between)), (0, "BD".to_string()));
    assert_eq!(first.by, TieBreak::Lot);
    assert_eq!(first.order, draw_order(&seed(), 0, &[1, 3]));
    assert_eq!(report.winner, Some(first.order[0]));
    assert_eq!(report.ranking[..2], first.order[..]);
    // D beats A (6 > 5) and B beats C (7 > 5); A and C tie below.
    assert_eq!(report.ranking.len(), 4);
    // Another seed may draw the other winner, never a non-winner.
    for i in 0..16u8 {
        let r = schulze(4, &b, &[], &Hash::of("schulze test", &[i])).expect("count");
        assert!(r.winner == Some(1) || r.winner == Some(3));
    }
}

#[test]
fn withdrawn_candidates_are_skipped_on_every_ballot() {
    // Example 1 with E withdrawn: its ballots fall through to their
    // next preferences, and E appears in no ranking.
    let b = ballots("5 ACBED, 5 ADECB, 8 BEDAC, 3 CABED, 7 CAEBD, 2 CBADE, 7 DCEBA, 8 EBADC");
    let report = schulze(5, &b, &[4], &seed()).expect("count");
    let without: Vec<RankedBallot> = b
        .iter()
        .map(|x| RankedBallot {
            weight: x.weight,
            ranking: x.ranking.iter().copied().filter(|&c| c != 4).collect(),
        })
        .collect();
    let reference = schulze(4, &without, &[], &seed()).expect("count");
    assert_eq!(report.withdrawn, vec![4]);
    assert!(!report.ranking.contains(&4));
    assert_eq!(report.ranking, reference.ranking);
    for i in 0..4 {
        assert_eq!(report.d[i][..4], reference.d[i][..]);
    }
}

#[test]
fn unranked_candidates_rank_below_ranked_ones() {
    // One ballot "A": A beats B and C; B and C are equal.
    let report = schulze(
        3,
        &[RankedBallot {
            weight: 2,
            ranking: vec![0],
        }],
        &[],
        &seed(),
    )
    .expect("count");
    assert_eq!(report.d, vec![vec![0, 2, 2], vec![0, 0, 0], vec![0, 0, 0]]);
    assert_eq!(report.unbeaten, vec![0]);
    assert_eq!(report.ties.len(), 1);
    assert_eq!(report.ties[0].between, vec![1, 2]);
}

#[test]
fn malformed_ballots_are_refused() {
    let bad = |ranking: Vec<u32>| RankedBallot { weight: 1, ranking };
    assert_eq!(
        schulze(3, &[bad(vec![0, 3])], &[], &seed()),
        Err(SchulzeError::UnknownCandidate {
            ballot: 0,
            candidate: 3,
            candidates: 3
        })
    );
    assert_eq!(
        schulze(3, &[bad(vec![1]), bad(vec![0, 2, 0])], &[], &seed()),
        Err(SchulzeError::RepeatedCandidate {
            ballot: 1,
            candidate: 0
        })
    );
    assert_eq!(
        schulze(3, &[], &[7], &seed()).map_err(|e| e.code()),
        Err("unknown_withdrawn")
    );
    let heavy = RankedBallot {
        weight: u64::MAX,
        ranking: vec![0],
    };
    assert_eq!(
        schulze(2, &[heavy.clone(), heavy], &[], &seed()),
        Err(SchulzeError::WeightOverflow)
    );
}

#[test]
fn an_election_nobody_voted_in_has_no_result() {
    for candidates in [0, 1, 3] {
        let err = schulze(candidates, &[], &[], &seed()).expect_err("no ballots");
        assert_eq!(err, SchulzeError::NoBallots);
        assert_eq!(err.code(), "no_ballots");
    }
    // Ballots of weight zero are no votes either.
    let empty = ballots("0 AB, 0 C");
    assert_eq!(
        schulze(3, &empty, &[], &seed()),
        Err(SchulzeError::NoBallots)
    );
    // Ballots that rank nobody are votes: every candidate is unbeaten and
    // the lot draws the winner, which the report says.
    let blank = vec![RankedBallot {
        weight: 3,
        ranking: vec![],
    }];
    let report = schulze(3, &blank, &[], &seed()).expect("count");
    assert_eq!(report.unbeaten, vec![0, 1, 2]);
    assert!(report.drawn);
    assert_eq!(report.ties[0].order, draw_order(&seed(), 0, &[0, 1, 2]));
    assert_eq!(report.winner, Some(report.ties[0].order[0]));
}

#[test]
fn every_candidate_withdrawn_leaves_no_winner() {
    let report = schulze(2, &ballots("2 AB"), &[0, 1], &seed()).expect("count");
    assert_eq!(report.winner, None);
    assert!(report.unbeaten.is_empty() && !report.drawn);
    assert!(report.ranking.is_empty());
}

#[test]
fn limits_are_enforced_before_counting() {
    let one = |ranking: Vec<u32>| RankedBallot { weight: 1, ranking };
    assert_eq!(
        schulze(MAX_CANDIDATES + 1, &[one(vec![0])], &[], &seed()).map_err(|e| e.code()),
        Err("too_many_candidates")
    );
    // At the candidate limit, one complete ranking is a million updates:
    // a thousand and one different ones are over the work limit, a
    // thousand identical ones are one ranking.
    let n = MAX_CANDIDATES as u32;
    let rotated = |k: u32| one((0..n).map(|c| (c + k) % n).collect());
    let reversed = |k: u32| {
        let mut ranking = rotated(k).ranking;
        ranking.reverse();
        ranking
    };
    let mut many: Vec<RankedBallot> = (0..1_000).map(rotated).collect();
    many.push(one(reversed(0)));
    // (A report at this size is too large to print on failure.)
    let Err(err) = schulze(MAX_CANDIDATES, &many, &[], &seed()) else {
        panic!("1001 complete rankings of 1000 candidates were counted");
    };
    assert_eq!(err.code(), "too_much_work");
    assert!(err.to_string().contains("1001 different rankings"), "{err}");
    // Exactly at the limit is allowed, and weight-0 or repeated rankings
    // cost nothing (the count itself is benchmarked, not tested here).
    let mut grouped: std::collections::BTreeMap<Vec<u32>, u64> =
        (0..1_000).map(|k| (rotated(k).ranking, 7)).collect();
    assert_eq!(check_work(&grouped, MAX_CANDIDATES), Ok(()));
    grouped.insert(reversed(0), 0);
    assert_eq!(check_work(&grouped, MAX_CANDIDATES), Ok(()));
    grouped.insert(reversed(1), 1);
    assert_eq!(
        check_work(&grouped, MAX_CANDIDATES).map_err(|e| e.code()),
        Err("too_much_work")
    );
}

#[test]
fn the_report_hash_is_stable_for_the_same_count() {
    let b = ballots("3 ABCD, 2 DABC, 2 DBCA, 2 CBDA");
    let one = schulze(4, &b, &[], &seed()).expect("count");
    let two = schulze(4, &b, &[], &seed()).expect("count");
    assert_eq!(
        crate::tally::result_hash(&one),
        crate::tally::result_hash(&two)
    );
}

fn ballot_strategy(n: u32) -> impl Strategy<Value = RankedBallot> {
    (
        1u64..5,
        Just((0..n).collect::<Vec<u32>>()).prop_shuffle(),
        0..=n as usize,
    )
        .prop_map(|(weight, order, len)| RankedBallot {
            weight,
            ranking: order[..len].to_vec(),
        })
}

fn election() -> impl Strategy<Value = (u32, Vec<RankedBallot>)> {
    (1u32..7).prop_flat_map(|n| (Just(n), prop::collection::vec(ballot_strategy(n), 1..40)))
}

/// Complete rankings, each cast as often as its reverse: every pair of
/// candidates is preferred both ways by the same weight.
fn balanced() -> impl Strategy<Value = (u32, Vec<RankedBallot>)> {
    (2u32..8).prop_flat_map(|n| {
        let full = (1u64..5, Just((0..n).collect::<Vec<u32>>()).prop_shuffle());
        (Just(n), prop::collection::vec(full, 1..12)).prop_map(|(n, pairs)| {
            let mut b = Vec::new();
            for (weight, ranking) in pairs {
                let mut reverse = ranking.clone();
                reverse.reverse();
                b.push(RankedBallot { weight, ranking });
                b.push(RankedBallot {
                    weight,
                    ranking: reverse,
                });
            }
            (n, b)
        })
    })
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn no_ballot_of_weight_is_no_result(
        n in 0usize..8,
        b in prop::collection::vec(ballot_strategy(4), 0..6),
    ) {
        // Any number of candidates, and only ballots of weight zero.
        let b: Vec<RankedBallot> = b
            .into_iter()
            .map(|x| RankedBallot {
                weight: 0,
                ranking: x.ranking.into_iter().filter(|&c| (c as usize) < n).collect(),
            })
            .collect();
        prop_assert_eq!(schulze(n, &b, &[], &seed()), Err(SchulzeError::NoBallots));
    }

    #[test]
    fn one_candidate_always_wins_outright(
        b in prop::collection::vec(ballot_strategy(1), 1..20),
    ) {
        let report = schulze(1, &b, &[], &seed()).expect("count");
        prop_assert_eq!(report.winner, Some(0));
        prop_assert_eq!(report.unbeaten, vec![0]);
        prop_assert!(!report.drawn);
        prop_assert!(report.ties.is_empty());
        prop_assert_eq!(report.ballots, b.iter().map(|x| x.weight).sum::<u64>());
    }

    #[test]
    fn when_all_are_tied_the_lot_draws_the_whole_ranking(
        (n, b) in balanced(),
        salt in any::<u8>(),
    ) {
        let seed = Hash::of("schulze test", &[salt]);
        let report = schulze(n as usize, &b, &[], &seed).expect("count");
        let all: Vec<u32> = (0..n).collect();
        // Brute force: every pair is preferred both ways equally, so
        // there are no links and no paths.
        for i in 0..n as usize {
            for j in 0..n as usize {
                prop_assert_eq!(report.d[i][j], report.d[j][i]);
                prop_assert_eq!(report.p[i][j], 0);
            }
        }
        prop_assert_eq!(&report.unbeaten, &all);
        prop_assert!(report.drawn);
        prop_assert_eq!(report.ties.len(), 1);
        let drawn = draw_order(&seed, 0, &all);
        prop_assert_eq!(&report.ties[0].order, &drawn);
        prop_assert_eq!(&report.ranking, &drawn);
        prop_assert_eq!(report.winner, Some(drawn[0]));
    }

    #[test]
    fn ballot_order_does_not_matter(
        (n, b, other) in election().prop_flat_map(|(n, b)| {
            let shuffled = Just(b.clone()).prop_shuffle();
            (Just(n), Just(b), shuffled)
        }),
    ) {
        let one = schulze(n as usize, &b, &[], &seed()).expect("count");
        let two = schulze(n as usize, &other, &[], &seed()).expect("count");
        prop_assert_eq!(one, two);
    }

    #[test]
    fn a_condorcet_winner_always_wins(
        (n, mut b) in election(),
        pick in any::<prop::sample::Index>(),
        rest in Just(()).prop_perturb(|_, mut rng| rng.next_u64()),
    ) {
        // Add a bloc, heavier than every other ballot together, that
        // ranks `winner` first: it then beats everyone head to head.
        let winner = pick.index(n as usize) as u32;
        let heavier = b.iter().map(|x| x.weight).sum::<u64>() + 1;
        let mut ranking = vec![winner];
        let mut others: Vec<u32> = (0..n).filter(|&c| c != winner).collect();
        let turn = (rest % n as u64) as usize % others.len().max(1);
        others.rotate_left(turn);
        ranking.extend(others.iter().take((rest % (n as u64 + 1)) as usize));
        b.push(RankedBallot { weight: heavier, ranking });
        let report = schulze(n as usize, &b, &[], &seed()).expect("count");
        for c in 0..n as usize {
            if c != winner as usize {
                prop_assert!(report.d[winner as usize][c] > report.d[c][winner as usize]);
            }
        }
        prop_assert_eq!(report.unbeaten, vec![winner]);
        prop_assert_eq!(report.winner, Some(winner));
        prop_assert!(report.ties.iter().all(|t| t.round > 0));
    }

    #[test]
    fn the_ranking_is_a_total_order_extending_schulze_s_relation(
        (n, b) in election(),
        withdraw in any::<prop::sample::Index>(),
        with_withdrawal in any::<bool>(),
    ) {
        let withdrawn: Vec<u32> = if with_withdrawal {
            vec![withdraw.index(n as usize) as u32]
        } else {
            vec![]
        };
        let report = schulze(n as usize, &b, &withdrawn, &seed()).expect("count");
        // Every continuing candidate exactly once.
        let mut sorted = report.ranking.clone();
        sorted.sort_unstable();
        let continuing: Vec<u32> = (0..n).filter(|c| !withdrawn.contains(c)).collect();
        prop_assert_eq!(sorted, continuing);
        let p = &report.p;
        for (a, &i) in report.ranking.iter().enumerate() {
            for &j in &report.ranking[a + 1..] {
                // Nobody is placed above a candidate that beats them.
                prop_assert!(p[i as usize][j as usize] >= p[j as usize][i as usize]);
            }
        }
        // The relation is transitive (Schulze 2011, §4.1).
        let beats = |x: usize, y: usize| p[x][y] > p[y][x];
        for x in 0..n as usize {
            for y in 0..n as usize {
                for z in 0..n as usize {
                    if beats(x, y) && beats(y, z) {
                        prop_assert!(beats(x, z));
                    }
                }
            }
        }
        // The winners are exactly the unbeaten, and the winner is one of them.
        for &w in &report.unbeaten {
            prop_assert!(report.ranking.iter().all(|&o| !beats(o as usize, w as usize)));
        }
        if let Some(w) = report.winner {
            prop_assert!(report.unbeaten.contains(&w));
        }
    }
}
