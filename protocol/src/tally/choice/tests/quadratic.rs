//! Quadratic voting: prices, budgets, delegated allocations, 2/3 of the
//! votes, multi-option leaders and tie draws.

use std::collections::BTreeMap;

use super::{edges, key, keys};
use crate::community::Ties;
use crate::crypto::Hash;
use crate::tally::choice::quadratic::{
    OptionTotal, QvBallot, QvError, QvQuestion, QvRules, check, check_ballot, cost, tally,
};
use crate::tally::choice::{FailReason, Outcome};
use crate::tally::draw_order;

fn question(options: u32, allow_negative: bool) -> QvQuestion {
    QvQuestion {
        options,
        allow_negative,
        seed: Hash::of("test", b"proposal"),
    }
}

fn ballot(votes: &[i64]) -> QvBallot {
    QvBallot {
        votes: votes.to_vec(),
    }
}

/// Any turnout is enough.
fn no_quorum() -> QvRules {
    QvRules {
        quorum: crate::units::Ratio::new(0, 1),
        ..QvRules::default()
    }
}

#[test]
fn a_ballot_costs_the_sum_of_its_squares() {
    assert_eq!(cost(&[]), Some(0));
    assert_eq!(cost(&[3, -4]), Some(25));
    assert_eq!(cost(&[10]), Some(100));
    assert_eq!(cost(&[i64::MIN]), Some(1 << 126));
    assert_eq!(
        cost(&[i64::MIN, i64::MAX, i64::MAX]),
        Some(3 * (1 << 126) - 2 * ((1 << 64) - 1))
    );
    // 4 × 2¹²⁶ = 2¹²⁸: no price, rather than a saturated or wrapped one.
    assert_eq!(cost(&[i64::MIN; 4]), None);
}

#[test]
fn a_budget_admits_exactly_what_it_pays_for() {
    assert_eq!(check(&[8, -6], 100), Ok(100));
    assert_eq!(
        check(&[10, 1], 100),
        Err(QvError::OverBudget {
            cost: 101,
            budget: 100
        })
    );
    assert_eq!(check(&[], 0), Ok(0));
    let huge = check(&[i64::MIN; 4], 100);
    assert_eq!(huge, Err(QvError::Unpriceable { budget: 100 }));
    assert_eq!(huge.unwrap_err().code(), "over_budget");
}

#[test]
fn ballots_are_checked_against_the_question_and_the_budget() {
    let q = question(2, false);
    assert_eq!(check_ballot(&[6, 8], &q, 100), Ok(100));
    assert_eq!(check_ballot(&[0, 0], &q, 0), Ok(0));
    assert_eq!(
        check_ballot(&[6, 9], &q, 100),
        Err(QvError::OverBudget {
            cost: 117,
            budget: 100
        })
    );
    assert_eq!(
        check_ballot(&[1, -1], &q, 100),
        Err(QvError::NegativeNotAllowed { option: 1 })
    );
    assert_eq!(
        check_ballot(&[1], &q, 100),
        Err(QvError::WrongLength {
            expected: 2,
            actual: 1
        })
    );
    assert_eq!(check_ballot(&[1, -1], &question(2, true), 2), Ok(2));
    assert_eq!(
        check_ballot(&[i64::MIN; 4], &question(4, true), 100),
        Err(QvError::Unpriceable { budget: 100 })
    );
}

#[test]
fn a_yes_no_question_passes_at_exactly_two_thirds() {
    // 0 gives +10 (100 credits) and carries 20; 1 gives −10 and carries 10.
    let mut ballots = BTreeMap::from([(key(0), ballot(&[10])), (key(1), ballot(&[-10]))]);
    let delegate_of = edges((2..21).map(|d| (d, 0)).chain((21..30).map(|d| (d, 1))));
    let eligible = keys(0..31);
    let q = question(1, true);
    let r = tally(&q, &ballots, &eligible, &delegate_of, &no_quorum());
    assert_eq!(
        r.options,
        vec![OptionTotal {
            for_votes: 200,
            against_votes: 100,
            net: 100
        }]
    );
    assert_eq!(r.outcome, Outcome::Passed);
    assert_eq!(r.leader, Some(0));
    assert_eq!(r.costs, BTreeMap::from([(key(0), 100), (key(1), 100)]));

    // One more vote against: 200 / 301 < 2/3.
    ballots.insert(key(30), ballot(&[-1]));
    let r = tally(&q, &ballots, &eligible, &delegate_of, &no_quorum());
    assert_eq!(r.options[0].against_votes, 101);
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));
}

#[test]
fn an_over_budget_ballot_is_refused_and_its_author_follows_their_delegation() {
    // 2 overspends and delegated to 0: counted with 0's ballot instead.
    let ballots = BTreeMap::from([
        (key(0), ballot(&[5])),
        (key(1), ballot(&[-3])),
        (key(2), ballot(&[11])),
    ]);
    let r = tally(
        &question(1, true),
        &ballots,
        &keys(0..3),
        &edges([(2, 0)]),
        &no_quorum(),
    );
    assert_eq!(
        r.rejected,
        BTreeMap::from([(
            key(2),
            QvError::OverBudget {
                cost: 121,
                budget: 100
            }
        )])
    );
    assert_eq!(r.delegation.represented_by.get(&key(2)), Some(&key(0)));
    assert_eq!(r.options[0].for_votes, 10);
    assert_eq!(r.options[0].against_votes, 3);
    assert!(!r.costs.contains_key(&key(2)));
    assert_eq!(r.turnout, 3);
}

#[test]
fn multi_option_questions_rank_by_net_total() {
    // Options 0, 1, 2. 0 represents 3 and 4.
    let ballots = BTreeMap::from([
        (key(0), ballot(&[1, 7, -5])), // 75 credits, weight 3
        (key(1), ballot(&[9, -4, 0])), // 97 credits
        (key(2), ballot(&[0, 0, 0])),  // abstains
    ]);
    let r = tally(
        &question(3, true),
        &ballots,
        &keys(0..5),
        &edges([(3, 0), (4, 3)]),
        &no_quorum(),
    );
    let total = |f, a| OptionTotal {
        for_votes: f,
        against_votes: a,
        net: f as i128 - a as i128,
    };
    assert_eq!(r.options, vec![total(12, 0), total(21, 4), total(0, 15)]);
    assert_eq!((r.leader, r.draw.len()), (Some(1), 0));
    // Option 1: 21 of 25 ≥ 2/3.
    assert_eq!(r.outcome, Outcome::Passed);
    assert_eq!(r.turnout, 5);
    assert_eq!(
        r.costs,
        BTreeMap::from([(key(0), 75), (key(1), 97), (key(2), 0)])
    );
}

#[test]
fn a_tied_lead_fails_unless_the_rules_draw_lots() {
    let ballots = BTreeMap::from([
        (key(0), ballot(&[3, 0, 3, 0])),
        (key(1), ballot(&[0, 0, 0, 3])),
        (key(2), ballot(&[0, 0, 0, 0])),
    ]);
    let q = question(4, false);
    let r = tally(&q, &ballots, &keys(0..3), &BTreeMap::new(), &no_quorum());
    assert_eq!(
        (r.leader, &r.tied, &r.draw),
        (None, &vec![0, 2, 3], &vec![])
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::Tied {
            options: vec![0, 2, 3]
        })
    );
    // The quorum is checked first: a tie that also misses it says so.
    let r = tally(
        &q,
        &ballots,
        &keys(0..40),
        &BTreeMap::new(),
        &QvRules::default(),
    );
    assert!(matches!(
        r.outcome,
        Outcome::Failed(FailReason::QuorumNotMet { .. })
    ));
}

#[test]
fn ties_for_the_lead_are_drawn_from_the_seed() {
    let ballots = BTreeMap::from([
        (key(0), ballot(&[3, 0, 3, 0])),
        (key(1), ballot(&[0, 0, 0, 3])),
        (key(2), ballot(&[0, 0, 0, 0])),
    ]);
    let q = question(4, false);
    let lot = || QvRules {
        ties: Ties::Lot,
        ..no_quorum()
    };
    let r = tally(&q, &ballots, &keys(0..3), &BTreeMap::new(), &lot());
    let expected = draw_order(&q.seed, 0, &[0, 2, 3]);
    assert_eq!(r.draw, expected);
    assert_eq!(r.tied, vec![0, 2, 3]);
    assert_eq!(r.leader, expected.first().copied());
    assert_eq!(r.outcome, Outcome::Passed);

    // Another seed may draw another order, never another set.
    let other = QvQuestion {
        seed: Hash::of("test", b"another proposal"),
        ..q
    };
    let r = tally(&other, &ballots, &keys(0..3), &BTreeMap::new(), &lot());
    let mut drawn = r.draw.clone();
    drawn.sort();
    assert_eq!(drawn, vec![0, 2, 3]);
}

#[test]
fn a_leader_without_two_thirds_of_its_votes_fails() {
    // Option 0: +6 ×1, −4 ×1 → net 2 leads option 1 (net 0), but 6/10.
    let ballots = BTreeMap::from([(key(0), ballot(&[6, 0])), (key(1), ballot(&[-4, 0]))]);
    let r = tally(
        &question(2, true),
        &ballots,
        &keys(0..2),
        &BTreeMap::new(),
        &no_quorum(),
    );
    assert_eq!(r.leader, Some(0));
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));
}

#[test]
fn the_quorum_and_degenerate_questions() {
    // 1 of 20 < 1/10.
    let ballots = BTreeMap::from([(key(0), ballot(&[1]))]);
    let r = tally(
        &question(1, true),
        &ballots,
        &keys(0..20),
        &BTreeMap::new(),
        &QvRules::default(),
    );
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::QuorumNotMet {
            turnout: 1,
            eligible: 20
        })
    );
    // No options: every ballot is the empty allocation, nothing can pass.
    let ballots = BTreeMap::from([(key(0), ballot(&[]))]);
    let r = tally(
        &question(0, true),
        &ballots,
        &keys(0..1),
        &BTreeMap::new(),
        &QvRules::default(),
    );
    assert_eq!(
        (r.leader, r.outcome),
        (None, Outcome::Failed(FailReason::Threshold))
    );
}

#[test]
fn edges_no_ballots_one_option_all_tied() {
    // No ballots: nobody is counted, the quorum (even zero) is not what
    // passes it — nothing takes a side — and no option leads but all tie.
    let none: BTreeMap<_, QvBallot> = BTreeMap::new();
    let r = tally(
        &question(3, true),
        &none,
        &keys(0..4),
        &BTreeMap::new(),
        &no_quorum(),
    );
    assert_eq!((r.turnout, r.leader), (0, None));
    assert_eq!(
        r.outcome,
        Outcome::Failed(FailReason::Tied {
            options: vec![0, 1, 2]
        })
    );
    // One option (a yes/no question) never ties.
    let ballots = BTreeMap::from([(key(0), ballot(&[0]))]);
    let r = tally(
        &question(1, true),
        &ballots,
        &keys(0..1),
        &BTreeMap::new(),
        &no_quorum(),
    );
    assert_eq!((r.leader, r.tied.len()), (Some(0), 0));
    assert_eq!(r.outcome, Outcome::Failed(FailReason::Threshold));
    // Every option tied, by votes that cancel out.
    let ballots = BTreeMap::from([(key(0), ballot(&[2, -2])), (key(1), ballot(&[-2, 2]))]);
    let r = tally(
        &question(2, true),
        &ballots,
        &keys(0..2),
        &BTreeMap::new(),
        &no_quorum(),
    );
    assert_eq!(r.tied, vec![0, 1]);
    assert_eq!(r.leader, None);
}

#[test]
fn a_strict_threshold_fails_at_exactly_the_threshold() {
    // 2 for, 1 against: exactly 2/3.
    let ballots = BTreeMap::from([
        (key(0), ballot(&[1])),
        (key(1), ballot(&[1])),
        (key(2), ballot(&[-1])),
    ]);
    let count = |strict| {
        let rules = QvRules {
            strict,
            ..no_quorum()
        };
        tally(
            &question(1, true),
            &ballots,
            &keys(0..3),
            &BTreeMap::new(),
            &rules,
        )
        .outcome
    };
    assert_eq!(count(false), Outcome::Passed);
    assert_eq!(count(true), Outcome::Failed(FailReason::Threshold));
}
