//! Participatory budgeting: hand-computed examples, real pabulib instances
//! and random ones cross-checked against pabutools, a brute-force MES
//! oracle, and the invariants (never overspend, vote order irrelevant,
//! greedy order).

use std::collections::BTreeMap;
use std::str::FromStr;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::*;
use crate::tally::pabulib::{PbVote, Project, parse_pb};

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

fn seed() -> Hash {
    Hash::of("hearth pb crosscheck", b"")
}

fn ratio(r: &Ratio) -> BigRational {
    BigRational::new(
        BigInt::from_str(&r.num).expect("numerator"),
        BigInt::from_str(&r.den).expect("denominator"),
    )
}

fn frac(num: i64, den: i64) -> BigRational {
    BigRational::new(BigInt::from(num), BigInt::from(den))
}

/// An approval instance from `(cost)` per project and approval sets.
pub(super) fn approval(budget: u64, costs: &[u64], votes: &[(usize, &[u32])]) -> PbInstance {
    let mut all = Vec::new();
    for &(count, projects) in votes {
        for _ in 0..count {
            all.push(PbVote {
                voter: format!("v{}", all.len()),
                projects: projects.to_vec(),
                points: None,
            });
        }
    }
    PbInstance {
        meta: BTreeMap::new(),
        budget,
        projects: costs
            .iter()
            .enumerate()
            .map(|(i, &cost)| Project {
                id: format!("p{i}"),
                cost,
                name: None,
                selected: None,
            })
            .collect(),
        votes: all,
        vote_type: VoteType::Approval,
    }
}

fn ids(report: &PbReport) -> Vec<&str> {
    report.selected_ids.iter().map(String::as_str).collect()
}

/// pabutools' test suite, "Approval example 2" (tests/rules/test_rule.py,
/// costs 1, 0.9, 2, 1.09 and budget 4, here in hundredths): 4 voters
/// {p0}, {p1,p2,p3} ×2, {p2}. Worked by hand:
///
/// - MES, share 400/4 = 100. ρ = price per unit of utility (utility =
///   cost): p0 100/100 = 1; p1 45/90 = 1/2; p2 (200/3)/200 = 1/3;
///   p3 54.5/109 = 1/2. Round 1 funds p2: its three supporters pay 200/3
///   each and keep 100/3. Round 2: p1 (2 × 100/3 < 90) and p3 are out of
///   reach, p0 costs its voter 100 (ρ = 1). Outcome p2, p0; pabutools'
///   expected MES/Cost_Sat outcome is {p0, p2}.
/// - MES-add1: p1 becomes affordable after p2 once 2·(s − 200/3) ≥ 90,
///   s ≥ 111⅔, so from s = 112 (k = 12): p2 (ρ 1/3), p1 (its two voters
///   pay 45 each, ρ 1/2), p0 (ρ 1): 390 spent, and p3 (109) no longer
///   fits. Higher shares give the same outcome until p3 too becomes
///   affordable after p1, 2·(s − 200/3 − 45) ≥ 109, s ≥ 166⅙: at s = 167
///   MES funds all four (499, over budget), so add1 ends at s = 166
///   (k = 66) with {p2, p1, p0}. (pabutools' iterated MES stops at the
///   first exhaustive outcome, k = 12: the same projects.)
/// - greedy by votes (p2: 3, p1: 2, p3: 2, p0: 1): p2; p1 and p3 tie on
///   votes and the cheaper p1 goes first; p3 still fits (399); p0 does
///   not. By votes per cost: p1 (2/90), p3 (2/109), p2 (3/200); p0 does
///   not fit.
fn pabutools_example_2() -> PbInstance {
    approval(
        400,
        &[100, 90, 200, 109],
        &[(1, &[0]), (2, &[1, 2, 3]), (1, &[2])],
    )
}

#[test]
fn mes_on_pabutools_example_2_by_hand() {
    let report = allocate(&pabutools_example_2(), PbRule::Mes, &seed()).expect("mes");
    assert_eq!(report.selected, vec![2, 0]);
    assert_eq!(report.spent, 300);
    assert_eq!(report.share.as_ref().map(ratio), Some(frac(100, 1)));
    let rho: Vec<BigRational> = report
        .rounds
        .iter()
        .map(|r| ratio(r.rho.as_ref().expect("rho")))
        .collect();
    assert_eq!(rho, vec![frac(1, 3), frac(1, 1)]);
    assert_eq!(report.rounds[0].payers, 3);
    assert_eq!(
        report.rounds[0].max_payment.as_ref().map(ratio),
        Some(frac(200, 3))
    );
    // The {p1,p2,p3} voters paid 200/3 each and keep 100/3.
    let group = report
        .spending
        .iter()
        .find(|s| s.projects == vec![1, 2, 3])
        .expect("group");
    assert_eq!(group.voters, 2);
    assert_eq!(ratio(&group.paid), frac(200, 3));
    assert_eq!(ratio(&group.left), frac(100, 3));
}

#[test]
fn mes_add1_on_pabutools_example_2_by_hand() {
    let report = allocate(&pabutools_example_2(), PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(report.selected, vec![2, 1, 0]);
    assert_eq!(report.spent, 390);
    assert_eq!(report.increments, Some(66));
    assert_eq!(report.effective_budget, Some(664));
    assert_eq!(report.share.as_ref().map(ratio), Some(frac(166, 1)));
    let rho: Vec<BigRational> = report
        .rounds
        .iter()
        .map(|r| ratio(r.rho.as_ref().expect("rho")))
        .collect();
    assert_eq!(rho, vec![frac(1, 3), frac(1, 2), frac(1, 1)]);
    let group = report
        .spending
        .iter()
        .find(|s| s.projects == vec![1, 2, 3])
        .expect("group");
    // 166 − 200/3 − 45 = 163/3.
    assert_eq!(ratio(&group.left), frac(163, 3));
    // Nothing left to fill: the greedy completion changes nothing.
    let filled =
        allocate(&pabutools_example_2(), PbRule::MesAdd1Greedy, &seed()).expect("add1 greedy");
    assert_eq!(filled.selected, vec![2, 1, 0]);
}

/// add1 does not stop at an exhaustive outcome. Budget 5; p0 costs 4, p1
/// 5, p2 6, p3 2; 5 voters: {p2}, {p1} ×2, {p0,p1,p3} ×2. By hand:
///
/// - share 1: p1's four supporters hold 4 < 5, p0's two hold 2 < 4, p2's
///   one holds 1 < 6; p3's two pay 1 each (ρ 1/2). Outcome {p3}, 2 spent:
///   exhaustive (3 left, and every other project costs more).
/// - share 2 (k = 1): p1 costs its four supporters 5/4 each (ρ 1/4, the
///   least); then p3's two hold 3/4 each, 3/2 < 2, and p0's the same
///   3/2 < 4. Outcome {p1}, 5 spent: within the budget, so taken.
/// - share 3: p1 (5/4 each), then p3 (its two hold 7/4 each: ρ 1/2):
///   7 > 5, so add1 ends with {p1} at k = 1.
///
/// Stopping at the first exhaustive outcome (pabutools' iterated MES)
/// would give {p3}.
#[test]
fn add1_goes_past_an_exhaustive_outcome() {
    let instance = approval(5, &[4, 5, 6, 2], &[(1, &[2]), (2, &[1]), (2, &[0, 1, 3])]);
    assert_eq!(mes_selection(&instance, 5), vec![3]);
    assert_eq!(mes_selection(&instance, 15), vec![1, 3]);
    let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(report.selected, vec![1]);
    assert_eq!(report.spent, 5);
    assert_eq!(report.increments, Some(1));
    assert_eq!(report.rounds[0].rho.as_ref().map(ratio), Some(frac(1, 4)));
    assert!(report.ties.is_empty());
}

/// Every instance under `data/` whose META names an Equal Shares rule as
/// the official one (pabulib `rule;equalshares…`: Assen 2024, Świecie
/// 2023, Wieliczka 2023): `mes-add1` funds exactly the projects the file's
/// `selected` column marks as funded by the official count.
#[test]
fn mes_add1_selects_the_official_equal_shares_outcomes() {
    let mut checked = Vec::new();
    for (file, text) in FILES {
        let instance = parse_pb(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let Some(official_rule) = instance
            .meta
            .get("rule")
            .filter(|r| r.starts_with("equalshares"))
        else {
            continue;
        };
        let official: std::collections::BTreeSet<&str> = instance
            .projects
            .iter()
            .filter(|p| p.selected == Some(1))
            .map(|p| p.id.as_str())
            .collect();
        assert!(!official.is_empty(), "{file}: no `selected` column");
        let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
        let ours: std::collections::BTreeSet<&str> = ids(&report).into_iter().collect();
        assert_eq!(ours, official, "{file}: official rule {official_rule}");
        // No lot decided it (Assen has one tie, p2 and p11 with 24 votes
        // each, settled by the lower cost).
        assert!(
            report.ties.iter().all(|t| t.by != TieBreak::Lot),
            "{file}: {:?}",
            report.ties
        );
        checked.push(*file);
    }
    assert_eq!(
        checked,
        [
            "netherlands_assen_2024.pb",
            "poland_swiecie_2023.pb",
            "poland_wieliczka_2023_green-budget.pb"
        ]
    );
}

/// Wieliczka 2023 (Zielony Milion): stopping at the first exhaustive
/// outcome, as pabutools' iterated MES does, funds 66 and 67 instead of 46
/// (984 579 spent); the official count raised the share further, to the
/// outcome that spends 995 079.
#[test]
fn wieliczka_2023_is_decided_past_its_first_exhaustive_outcome() {
    let (_, text) = FILES
        .iter()
        .find(|(f, _)| f.contains("wieliczka"))
        .expect("file");
    let instance = parse_pb(text).expect("parse");
    assert_eq!(instance.votes.len(), 6586);
    let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(report.spent, 995_079);
    assert_eq!(report.selected.len(), 30);
    let n = instance.votes.len() as u64;
    // The first exhaustive outcome: 150 raises, a share of 301.84 zł.
    let exhaustive_k = 150;
    let earlier = mes_selection(&instance, instance.budget + exhaustive_k * n);
    let before = mes_selection(&instance, instance.budget + (exhaustive_k - 1) * n);
    let id = |p: &u32| instance.projects[*p as usize].id.as_str();
    let earlier_ids: std::collections::BTreeSet<&str> = earlier.iter().map(id).collect();
    let ours: std::collections::BTreeSet<&str> = report.selected.iter().map(id).collect();
    assert_eq!(
        earlier_ids
            .symmetric_difference(&ours)
            .copied()
            .collect::<Vec<_>>(),
        ["46", "66", "67"]
    );
    let cost = |selected: &[u32]| -> u64 {
        selected
            .iter()
            .map(|&p| instance.projects[p as usize].cost)
            .sum()
    };
    assert_eq!(cost(&earlier), 984_579);
    let exhaustive = |selected: &[u32]| {
        (0..instance.projects.len() as u32).all(|p| {
            selected.contains(&p)
                || cost(selected) + instance.projects[p as usize].cost > instance.budget
        })
    };
    assert!(exhaustive(&earlier));
    assert!(!exhaustive(&before));
    assert_eq!(report.increments, Some(164));
}

#[test]
fn greedy_on_pabutools_example_2_by_hand() {
    let report = allocate(&pabutools_example_2(), PbRule::Greedy, &seed()).expect("greedy");
    assert_eq!(report.selected, vec![2, 1, 3]);
    assert_eq!(report.skipped, vec![0]);
    assert_eq!(report.spent, 399);
    assert_eq!(report.ties.len(), 1);
    assert_eq!(report.ties[0].order, vec![1, 3]);
    assert_eq!(report.ties[0].by, TieBreak::Cost);
    let report = allocate(&pabutools_example_2(), PbRule::GreedyCost, &seed()).expect("ratio");
    assert_eq!(report.selected, vec![1, 3, 2]);
    assert_eq!(report.skipped, vec![0]);
    assert!(report.ties.is_empty());
}

/// The running example of Lackner & Skowron, "Multi-Winner Voting with
/// Approval Preferences" (Springer 2023), as in pabutools' test suite: 7
/// unit-cost projects a–g, budget 4, 12 voters: {a,b} ×3, {a,c} ×3,
/// {a,d} ×2, {b,c,f}, {e}, {f}, {g}. By hand, with shares of 1/3: a costs
/// its 8 voters 1/8 each; afterwards b and c can raise only
/// 3·5/24 + 1/3 = 23/24 < 1, and d, e, f, g never could. MES funds {a}
/// (pabutools' expectation). With one more unit each (share 4/3) MES
/// funds all seven projects, over budget, so add1 returns the first
/// outcome, {a}; the greedy fill then adds b and c (4 votes each, equal
/// cost: drawn by lot) and one of d, f (2 votes each: lot).
#[test]
fn lackner_skowron_running_example() {
    let instance = approval(
        4,
        &[1; 7],
        &[
            (3, &[0, 1]),
            (3, &[0, 2]),
            (2, &[0, 3]),
            (1, &[1, 2, 5]),
            (1, &[4]),
            (1, &[5]),
            (1, &[6]),
        ],
    );
    let mes = allocate(&instance, PbRule::Mes, &seed()).expect("mes");
    assert_eq!(mes.selected, vec![0]);
    assert_eq!(
        mes.rounds[0].rho.as_ref().map(ratio),
        Some(frac(1, 8)),
        "8 voters pay 1/8 each for a unit of utility 1"
    );
    let add1 = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(add1.selected, vec![0]);
    assert_eq!(add1.increments, Some(0));
    assert_eq!(add1.mes_runs, Some(2));
    let filled = allocate(&instance, PbRule::MesAdd1Greedy, &seed()).expect("fill");
    assert_eq!(filled.spent, 4);
    assert_eq!(filled.selected[0], 0);
    let mut middle = filled.selected[1..3].to_vec();
    middle.sort_unstable();
    assert_eq!(middle, vec![1, 2]);
    assert!(filled.selected[3] == 3 || filled.selected[3] == 5);
    let lots: Vec<TieBreak> = filled.ties.iter().map(|t| t.by).collect();
    assert!(lots.iter().all(|&b| b == TieBreak::Lot), "{lots:?}");
}

/// pabutools' "Approval example 4": a free project p0. Hearth funds a free
/// project someone approved at once (pabutools' cost-utility MES gives it
/// utility 0 and funds nothing); the rest is as pabutools: p2 (2 voters,
/// cost 2) is out of reach at share 2/3 and reached by add1.
#[test]
fn a_free_project_with_support_is_funded_first() {
    let instance = approval(2, &[0, 1, 2], &[(1, &[0]), (1, &[0, 1, 2]), (1, &[2])]);
    let mes = allocate(&instance, PbRule::Mes, &seed()).expect("mes");
    assert_eq!(mes.selected, vec![0]);
    assert_eq!(mes.rounds[0].rho.as_ref().map(ratio), Some(frac(0, 1)));
    let add1 = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(add1.selected, vec![0, 2]);
}

#[test]
fn nobody_s_project_is_never_funded() {
    let instance = approval(100, &[10, 10], &[(3, &[0])]);
    for rule in PbRule::ALL {
        let report = allocate(&instance, rule, &seed()).expect("allocate");
        assert_eq!(report.selected, vec![0], "{rule}");
    }
}

#[test]
fn a_budget_nobody_voted_on_has_no_result() {
    let instance = approval(100, &[10, 10], &[]);
    for rule in PbRule::ALL {
        let err = allocate(&instance, rule, &seed()).expect_err("no ballots");
        assert_eq!(err.code(), "no_ballots", "{rule}");
        assert_eq!(err, PbError::NoBallots, "{rule}");
    }
    // Votes that approve nothing are votes: nothing is funded.
    let blank = approval(100, &[10, 10], &[(3, &[])]);
    for rule in PbRule::ALL {
        let report = allocate(&blank, rule, &seed()).expect("allocate");
        assert!(report.selected.is_empty(), "{rule}");
        assert_eq!(report.voters, 3);
    }
}

#[test]
fn rules_round_trip_through_their_names() {
    for rule in PbRule::ALL {
        assert_eq!(PbRule::from_str(rule.as_str()), Ok(rule));
    }
    assert_eq!(
        PbRule::from_str("mes-add2").map_err(|e| e.code()),
        Err("unknown_rule")
    );
}

#[test]
fn invalid_instances_are_refused() {
    let mut instance = approval(10, &[1, 2], &[(1, &[0, 1])]);
    instance.votes[0].projects = vec![0, 2];
    assert_eq!(
        allocate(&instance, PbRule::Mes, &seed()).map_err(|e| e.code()),
        Err("unknown_project")
    );
    instance.votes[0].projects = vec![1, 1];
    assert_eq!(
        allocate(&instance, PbRule::Mes, &seed()).map_err(|e| e.code()),
        Err("repeated_project")
    );
    instance.votes[0].projects = vec![1];
    instance.votes[0].points = Some(vec![3]);
    assert_eq!(
        allocate(&instance, PbRule::Mes, &seed()).map_err(|e| e.code()),
        Err("invalid_points")
    );
    instance.votes[0].points = None;
    instance.budget = MAX_AMOUNT + 1;
    assert_eq!(
        allocate(&instance, PbRule::Mes, &seed()).map_err(|e| e.code()),
        Err("amount_too_large")
    );
}

#[test]
fn identical_projects_are_told_apart_by_lot_and_the_lot_follows_the_seed() {
    // Two identical projects, room for one.
    let instance = approval(10, &[10, 10], &[(2, &[0, 1])]);
    let mut winners = std::collections::BTreeSet::new();
    for i in 0..32u8 {
        let s = Hash::of("lot", &[i]);
        for rule in PbRule::ALL {
            let report = allocate(&instance, rule, &s).expect("allocate");
            assert_eq!(report.selected.len(), 1);
            let tie = report.ties.first().expect("a tie");
            assert_eq!(tie.by, TieBreak::Lot);
            assert_eq!(tie.order, draw_order(&s, 0, &[0, 1]));
            assert_eq!(report.selected[0], tie.order[0]);
            winners.insert(report.selected[0]);
        }
    }
    assert_eq!(winners.len(), 2, "both projects win some draws");
}

include!("tests_tables.rs");

/// Real pabulib instances and random ones: Hearth selects what pabutools
/// selects, in the same order.
#[test]
fn selections_agree_with_pabutools() {
    let mut checked = 0;
    for (file, text) in FILES {
        let instance = parse_pb(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for rule in PbRule::ALL {
            let expected: Vec<&str> = PABUTOOLS
                .iter()
                .find(|(f, r, _)| f == file && *r == rule.as_str())
                .map(|(_, _, ids)| ids.to_vec())
                .unwrap_or_else(|| panic!("no expectation for {file} {rule}"));
            let report = allocate(&instance, rule, &seed()).expect("allocate");
            assert_eq!(ids(&report), expected, "{file} {rule}");
            checked += 1;
        }
    }
    assert_eq!(checked, PABUTOOLS.len());
}

/// Warsaw 2017, Wesoła, Plac Wojska Polskiego (pabulib
/// `poland_warszawa_2017_plac-wojska-polskiego.pb`, as quoted in
/// pabutools' tests/test_pabulib.py): the city's greedy rule funded all
/// four projects (`selected` column), and so does ours; MES alone funds
/// three, and add1 completes it to all four.
#[test]
fn warsaw_plac_wojska_polskiego_2017() {
    let instance = parse_pb(include_str!(
        "data/poland_warszawa_2017_plac-wojska-polskiego.pb"
    ))
    .expect("parse");
    assert_eq!(instance.votes.len(), 27);
    assert_eq!(instance.budget, 51195);
    let greedy = allocate(&instance, PbRule::Greedy, &seed()).expect("greedy");
    assert_eq!(ids(&greedy), vec!["427", "915", "2567", "1623"]);
    assert_eq!(greedy.project_votes, vec![16, 14, 12, 5]);
    let mes = allocate(&instance, PbRule::Mes, &seed()).expect("mes");
    assert_eq!(ids(&mes), vec!["427", "915", "1623"]);
    let add1 = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(ids(&add1), vec!["427", "915", "2567", "1623"]);
    assert!(add1.effective_budget > Some(51195));
}

// ---------------------------------------------------------------------
// A brute-force MES oracle: one budget per voter, every project's ρ
// recomputed from scratch every round by trying every voter as the
// marginal one. Slow and obviously right.

fn oracle_mes(instance: &PbInstance, share: &BigRational) -> Vec<u32> {
    let profile = profile::Profile::new(instance);
    let order = TieOrder::new(&profile, &seed());
    let n = instance.votes.len();
    let m = instance.projects.len();
    let utility = |v: usize, p: usize| -> u64 {
        let vote = &instance.votes[v];
        match vote.projects.iter().position(|&q| q as usize == p) {
            None => 0,
            Some(i) => match &vote.points {
                None => instance.projects[p].cost,
                Some(points) => points[i],
            },
        }
    };
    let mut left = vec![share.clone(); n];
    let mut selected: Vec<u32> = (0..m as u32)
        .filter(|&p| instance.projects[p as usize].cost == 0 && profile.votes[p as usize] > 0)
        .collect();
    loop {
        let mut best: Option<(BigRational, u32)> = None;
        for p in 0..m {
            let cost = BigRational::from_integer(BigInt::from(instance.projects[p].cost));
            if selected.contains(&(p as u32)) || cost.is_zero() {
                continue;
            }
            // ρ is the least of the candidates left_v / u_v and
            // (cost − Σ_{poor} left) / Σ_{rich} u that pays exactly.
            let supporters: Vec<usize> = (0..n).filter(|&v| utility(v, p) > 0).collect();
            let paid = |r: &BigRational| -> BigRational {
                supporters
                    .iter()
                    .map(|&v| {
                        let due = r * BigInt::from(utility(v, p));
                        if due < left[v] { due } else { left[v].clone() }
                    })
                    .fold(BigRational::zero(), |a, b| a + b)
            };
            let mut found: Option<BigRational> = None;
            for &marginal in &supporters {
                // Suppose exactly the voters with left/u < left_marginal/u_marginal are poor.
                let key = |v: usize| &left[v] / BigInt::from(utility(v, p));
                let limit = key(marginal);
                let poor: BigRational = supporters
                    .iter()
                    .filter(|&&v| key(v) < limit)
                    .map(|&v| left[v].clone())
                    .fold(BigRational::zero(), |a, b| a + b);
                let rich: u64 = supporters
                    .iter()
                    .filter(|&&v| key(v) >= limit)
                    .map(|&v| utility(v, p))
                    .sum();
                if rich == 0 {
                    continue;
                }
                let r = (&cost - poor) / BigInt::from(rich);
                if r >= BigRational::zero() && paid(&r) == cost {
                    found = Some(match found {
                        Some(f) if f < r => f,
                        _ => r,
                    });
                }
            }
            if let Some(r) = found {
                let better = match &best {
                    None => true,
                    Some((b, q)) => r < *b || (r == *b && order.rank[p] < order.rank[*q as usize]),
                };
                if better {
                    best = Some((r, p as u32));
                }
            }
        }
        let Some((r, p)) = best else {
            return selected;
        };
        for (v, money) in left.iter_mut().enumerate() {
            let due = &r * BigInt::from(utility(v, p as usize));
            *money = if due < *money {
                &*money - due
            } else {
                BigRational::zero()
            };
        }
        selected.push(p);
    }
}

// ---------------------------------------------------------------------
// Random instances.

fn instance_strategy() -> impl Strategy<Value = PbInstance> {
    (
        1usize..7,
        any::<bool>(),
        prop::collection::vec(0u64..12, 6),
        0u64..60,
    )
        .prop_flat_map(|(m, cumulative, costs, budget)| {
            let vote = prop::collection::vec((0..m as u32, 1u64..4), 0..=m);
            (
                Just(m),
                Just(cumulative),
                Just(costs),
                Just(budget),
                prop::collection::vec(vote, 1..14),
            )
        })
        .prop_map(|(m, cumulative, costs, budget, votes)| PbInstance {
            meta: BTreeMap::new(),
            budget,
            // Costs on a coarse grid: ties in votes and cost happen.
            projects: (0..m)
                .map(|p| Project {
                    id: format!("p{p}"),
                    cost: costs[p] * 5,
                    name: None,
                    selected: None,
                })
                .collect(),
            votes: votes
                .into_iter()
                .enumerate()
                .map(|(v, mut items)| {
                    items.sort_unstable_by_key(|&(p, _)| p);
                    items.dedup_by_key(|&mut (p, _)| p);
                    PbVote {
                        voter: format!("voter{v}"),
                        projects: items.iter().map(|&(p, _)| p).collect(),
                        points: cumulative.then(|| items.iter().map(|&(_, x)| x).collect()),
                    }
                })
                .collect(),
            vote_type: if cumulative {
                VoteType::Cumulative
            } else {
                VoteType::Approval
            },
        })
}

fn shuffled(instance: &PbInstance, key: u64) -> PbInstance {
    let mut other = instance.clone();
    let len = other.votes.len();
    for i in (1..len).rev() {
        let j = (key
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(i as u32)
            % (i as u64 + 1)) as usize;
        other.votes.swap(i, j);
    }
    other
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn no_rule_ever_overspends(instance in instance_strategy()) {
        for rule in PbRule::ALL {
            let report = allocate(&instance, rule, &seed()).expect("allocate");
            prop_assert!(report.spent <= instance.budget, "{} spent {} of {}", rule, report.spent, instance.budget);
            let total: u64 = report.selected.iter().map(|&p| instance.projects[p as usize].cost).sum();
            prop_assert_eq!(total, report.spent);
            let mut distinct = report.selected.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), report.selected.len());
            prop_assert!(report.selected.iter().all(|&p| report.project_votes[p as usize] > 0));
            prop_assert_eq!(report.rounds.len(), report.selected.len());
            // MES phases: what voters paid is exactly the cost of what MES funded.
            let mes_cost: u64 = report.rounds.iter().filter(|r| r.phase == Phase::Mes).map(|r| r.cost).sum();
            let paid = report.spending.iter().fold(BigRational::zero(), |acc, s| {
                acc + ratio(&s.paid) * BigInt::from(s.voters)
            });
            if !report.spending.is_empty() {
                prop_assert_eq!(paid, BigRational::from_integer(BigInt::from(mes_cost)));
                for s in &report.spending {
                    prop_assert!(ratio(&s.left) >= BigRational::zero());
                }
            }
        }
    }

    #[test]
    fn the_result_does_not_depend_on_vote_order(instance in instance_strategy(), key in any::<u64>()) {
        let other = shuffled(&instance, key);
        for rule in PbRule::ALL {
            let one = allocate(&instance, rule, &seed()).expect("allocate");
            let two = allocate(&other, rule, &seed()).expect("allocate");
            prop_assert_eq!(&one, &two);
            prop_assert_eq!(crate::tally::result_hash(&one), crate::tally::result_hash(&two));
        }
    }

    #[test]
    fn greedy_takes_projects_in_nonincreasing_vote_order(instance in instance_strategy()) {
        let report = allocate(&instance, PbRule::Greedy, &seed()).expect("greedy");
        let votes: Vec<u64> = report.selected.iter().map(|&p| report.project_votes[p as usize]).collect();
        prop_assert!(votes.windows(2).all(|w| w[0] >= w[1]), "{:?}", votes);
        // Whatever it passed over had at least as many votes as what came
        // after it and did not fit when its turn came.
        for &s in &report.skipped {
            prop_assert!(instance.projects[s as usize].cost > instance.budget - report.spent
                || report.rounds.iter().any(|r| r.spent_after + instance.projects[s as usize].cost > instance.budget));
        }
        let ratio_report = allocate(&instance, PbRule::GreedyCost, &seed()).expect("greedy-cost");
        let ratios: Vec<(u64, u64)> = ratio_report.selected.iter()
            .map(|&p| (ratio_report.project_votes[p as usize], instance.projects[p as usize].cost))
            .collect();
        prop_assert!(ratios.windows(2).all(|w| u128::from(w[0].0) * u128::from(w[1].1) >= u128::from(w[1].0) * u128::from(w[0].1)));
    }

    #[test]
    fn mes_agrees_with_a_brute_force_oracle(instance in instance_strategy(), extra in 0u64..4) {
        let report = allocate(&instance, PbRule::Mes, &seed()).expect("mes");
        if instance.votes.is_empty() {
            prop_assert!(report.selected.is_empty());
        } else {
            let n = instance.votes.len() as u64;
            let share = BigRational::new(BigInt::from(instance.budget), BigInt::from(n));
            prop_assert_eq!(&report.selected, &oracle_mes(&instance, &share));
            // And at raised shares, as add1 uses them.
            let total = instance.budget + extra * n;
            let raised = BigRational::new(BigInt::from(total), BigInt::from(n));
            prop_assert_eq!(mes_selection(&instance, total), oracle_mes(&instance, &raised));
        }
    }

    #[test]
    fn add1_skipping_ahead_matches_raising_one_unit_at_a_time(instance in instance_strategy()) {
        prop_assume!(!instance.votes.is_empty());
        let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
        let (selected, k) = naive_add1(&instance);
        prop_assert_eq!(&report.selected, &selected);
        prop_assert_eq!(report.increments, Some(k));
    }

    #[test]
    fn add1_skips_correctly_with_large_budgets(mut instance in instance_strategy(), scale in 20u64..200) {
        // Larger amounts: thousands of one-unit raises, mostly skipped.
        prop_assume!(!instance.votes.is_empty());
        instance.budget *= scale;
        for p in &mut instance.projects {
            p.cost = p.cost * scale + scale / 3;
        }
        let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
        let (selected, k) = naive_add1(&instance);
        prop_assert_eq!(&report.selected, &selected);
        prop_assert_eq!(report.increments, Some(k));
        prop_assert!(report.mes_runs <= Some(k + 1));
    }

    #[test]
    fn add1_returns_an_outcome_within_budget_that_mes_reaches(instance in instance_strategy()) {
        let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
        prop_assert!(report.spent <= instance.budget);
        if let (Some(share), false) = (&report.share, instance.votes.is_empty()) {
            let k = report.increments.expect("increments");
            let n = instance.votes.len() as u64;
            let total = instance.budget + k * n;
            prop_assert_eq!(report.effective_budget, Some(total));
            prop_assert_eq!(mes_selection(&instance, total), report.selected.clone());
            prop_assert_eq!(ratio(share), BigRational::new(BigInt::from(total), BigInt::from(n)));
        }
    }
}

/// `mes-add1` the slow way: every one-unit raise counted, as equalshares.net
/// counts: the next raise is taken while its outcome fits in the budget.
fn naive_add1(instance: &PbInstance) -> (Vec<u32>, u64) {
    let n = instance.votes.len() as u64;
    let cost = |selected: &[u32]| -> u64 {
        selected
            .iter()
            .map(|&p| instance.projects[p as usize].cost)
            .sum()
    };
    let profile = profile::Profile::new(instance);
    let fundable = profile.votes.iter().filter(|&&v| v > 0).count();
    let mut previous: Option<(Vec<u32>, u64)> = None;
    for k in 0.. {
        let selected = mes_selection(instance, instance.budget + k * n);
        if cost(&selected) > instance.budget {
            return previous.expect("k = 0 is within budget");
        }
        // Everything MES can fund is funded: no raise can overspend.
        if selected.len() == fundable {
            return (selected, k);
        }
        previous = Some((selected, k));
    }
    unreachable!()
}

/// MES's selection when every voter starts with `total / n`.
fn mes_selection(instance: &PbInstance, total: u64) -> Vec<u32> {
    let profile = profile::Profile::new(instance);
    let order = TieOrder::new(&profile, &seed());
    mes::selection_at(&profile, total, &order)
}

#[test]
fn the_oracle_itself_reproduces_the_hand_computed_example() {
    let instance = pabutools_example_2();
    assert_eq!(oracle_mes(&instance, &frac(100, 1)), vec![2, 0]);
    assert_eq!(oracle_mes(&instance, &frac(112, 1)), vec![2, 1, 0]);
    assert_eq!(oracle_mes(&instance, &frac(111, 1)), vec![2, 0]);
    assert!(BigRational::one() > BigRational::zero());
}

/// A synthetic instance shaped like a city's vote: `projects` projects with
/// skewed popularity, `voters` approval ballots of 1–15 projects (a
/// deterministic generator: no RNG dependency).
pub(crate) fn synthetic(projects: usize, voters: usize, seed: u64) -> PbInstance {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 33
    };
    let costs: Vec<u64> = (0..projects)
        .map(|_| 10_000 + (next() % 400) * 1_000)
        .collect();
    let popularity: Vec<u64> = (0..projects).map(|_| 1 + next() % 100).collect();
    let total: u64 = popularity.iter().sum();
    let budget = costs.iter().sum::<u64>() / 4;
    let votes = (0..voters)
        .map(|v| {
            let len = 1 + (next() % 15) as usize;
            let mut chosen = Vec::new();
            for _ in 0..len {
                let mut x = next() % total;
                let mut p = 0;
                while x >= popularity[p] {
                    x -= popularity[p];
                    p += 1;
                }
                if !chosen.contains(&(p as u32)) {
                    chosen.push(p as u32);
                }
            }
            PbVote {
                voter: format!("v{v}"),
                projects: chosen,
                points: None,
            }
        })
        .collect();
    PbInstance {
        meta: BTreeMap::new(),
        budget,
        projects: (0..projects)
            .map(|p| Project {
                id: format!("p{p}"),
                cost: costs[p],
                name: None,
                selected: None,
            })
            .collect(),
        votes,
        vote_type: VoteType::Approval,
    }
}

/// A city-sized count: 100 projects, 10 000 voters. Ignored in CI (slow
/// unoptimised); `cargo test --release -p hearth-protocol large_instance --
/// --ignored --nocapture` also prints the times (not a benchmark: see
/// BENCHMARKS.md for those).
#[test]
#[ignore]
fn large_instance_100_projects_10k_voters() {
    let instance = synthetic(100, 10_000, 7);
    let only = std::env::var("PB_RULE").ok();
    for rule in PbRule::ALL {
        if only.as_deref().is_some_and(|r| r != rule.as_str()) {
            continue;
        }
        let start = std::time::Instant::now();
        let report = allocate(&instance, rule, &seed()).expect("allocate");
        println!(
            "{rule}: {:?}, {} selected, spent {} of {}, MES counts {:?}, raises {:?}",
            start.elapsed(),
            report.selected.len(),
            report.spent,
            report.budget,
            report.mes_runs,
            report.increments
        );
        assert!(report.spent <= report.budget);
        if let Some(total) = report.effective_budget {
            assert_eq!(mes_selection(&instance, total)[..], report.selected[..]);
        }
    }
}

/// Few voters and a large budget: the Toulouse excerpt's share is raised
/// 119 799 times (12 voters, a budget of 1 000 000) before the next raise
/// would overspend; counting only where the outcome can change takes a
/// handful of counts.
#[test]
fn add1_skips_the_raises_that_change_nothing() {
    for (file, runs) in [
        ("france_toulouse_2019_excerpt.pb", 20),
        ("poland_warszawa_2017_plac-wojska-polskiego.pb", 20),
    ] {
        let (_, text) = FILES.iter().find(|(f, _)| *f == file).expect("file");
        let instance = parse_pb(text).expect("parse");
        let report = allocate(&instance, PbRule::MesAdd1, &seed()).expect("add1");
        assert!(
            report.mes_runs <= Some(runs),
            "{file}: {:?}",
            report.mes_runs
        );
    }
    let toulouse = parse_pb(
        FILES
            .iter()
            .find(|(f, _)| f.contains("toulouse"))
            .expect("file")
            .1,
    )
    .expect("parse");
    let report = allocate(&toulouse, PbRule::MesAdd1, &seed()).expect("add1");
    assert_eq!(report.increments, Some(119_799));
}
