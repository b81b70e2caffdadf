//! Analytics (DESIGN §9): every figure against its definition computed by
//! brute force from what happened — turnout with delegated weight,
//! circulation, coverage and retention, velocity, the Gini coefficient
//! by the mean absolute difference — and replay giving the same figures.

use std::collections::{BTreeMap, BTreeSet};

use num_rational::BigRational;
use proptest::prelude::*;

use super::*;
use crate::action::LedgerAction;
use crate::analytics::{self, Fraction, MonthCounts, Unit, network};
use crate::crypto::PublicKey;
use crate::economy::income::{month_index, month_start};
use crate::governance::{Proposal, ProposalKind, Scope, Subject};

fn key(who: u8) -> PublicKey {
    keypair(who).public()
}

fn pay(to: u8, amount: Kc) -> ActionBody {
    ActionBody::Ledger(LedgerAction::Transfer {
        to: key(to),
        amount,
        memo: String::new(),
    })
}

fn policy(title: &str) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
        kind: ProposalKind::Policy,
        level: Level::Local,
        topic: None,
        title: title.into(),
        text: String::new(),
        options: vec![],
        subject: Subject::Question,
    })))
}

fn exact(f: &Option<Fraction>) -> Option<BigRational> {
    f.as_ref()
        .map(|f| BigRational::new(f.num.parse().expect("num"), f.den.parse().expect("den")))
}

fn ratio(num: u64, den: u64) -> Option<BigRational> {
    (den > 0).then(|| BigRational::new(num.into(), den.into()))
}

#[test]
fn shown_rounds_half_away_from_zero_once() {
    let f = |n: u64, d: u64, unit| Fraction::new(n, d, unit).expect("a fraction");
    assert_eq!(f(1, 3, Unit::Percent).shown, "33.3%");
    assert_eq!(f(2, 3, Unit::Percent).shown, "66.7%");
    // 0.05% → 0.1%: exactly half rounds up.
    assert_eq!(f(1, 2000, Unit::Percent).shown, "0.1%");
    assert_eq!(f(1, 2001, Unit::Percent).shown, "0.0%");
    assert_eq!(f(5, 4, Unit::Ratio).shown, "1.25");
    assert_eq!(f(1, 8, Unit::Ratio).shown, "0.13");
    assert_eq!(f(412, 1000, Unit::Coefficient).shown, "0.412");
    assert_eq!(f(45, 2, Unit::Hours).shown, "22.5 h");
    assert_eq!(f(3, 1, Unit::Percent).shown, "300.0%");
    // Reduced.
    let g = f(6, 8, Unit::Percent);
    assert_eq!((g.num.as_str(), g.den.as_str()), ("3", "4"));
    assert!(Fraction::new(1u64, 0u64, Unit::Percent).is_none());
}

#[test]
fn months_parse_and_refuse() {
    assert_eq!(analytics::parse_month("1970-01"), Some(0));
    assert_eq!(analytics::parse_month("2026-12"), Some(56 * 12 + 11));
    for bad in [
        "2026-13", "2026-00", "1969-12", "2026-1", "26-01", "2026/01", "", "+026-01",
    ] {
        assert_eq!(analytics::parse_month(bad), None, "{bad}");
    }
}

/// ΣᵢΣⱼ |xᵢ − xⱼ|: the Gini coefficient is this ÷ (2 n Σx).
fn mean_difference_sum(x: &[u128]) -> u128 {
    let mut sum = 0;
    for a in x {
        for b in x {
            sum += a.abs_diff(*b);
        }
    }
    sum
}

proptest! {
    #[test]
    fn gini_is_the_mean_absolute_difference(x in proptest::collection::vec(0u128..1_000_000, 1..60)) {
        let total: u128 = x.iter().sum();
        let Some(c) = analytics::capacity(7, x.clone()) else {
            prop_assert_eq!(total, 0);
            return Ok(());
        };
        let n = x.len() as u128;
        // gini_sum / (n Σx) = ΣΣ|xi − xj| / (2 n Σx)
        prop_assert_eq!(2 * c.gini_sum, mean_difference_sum(&x));
        prop_assert_eq!(c.members as u128, n);
        prop_assert_eq!(c.total, total);
        // The Lorenz curve: the smallest ⌊k n / 10⌋ capacities.
        let mut sorted = x.clone();
        sorted.sort_unstable();
        for k in 0..=10usize {
            let upto = k * x.len() / 10;
            prop_assert_eq!(c.lorenz[k], sorted[..upto].iter().sum::<u128>());
        }
        prop_assert_eq!(c.lorenz[10], total);
        let d = c.distribution().expect("a distribution");
        prop_assert_eq!(d.lorenz.len(), 11);
        prop_assert_eq!(
            exact(&Some(d.gini)),
            Some(BigRational::new(
                mean_difference_sum(&x).into(),
                (2 * n * total).into()
            ))
        );
    }

    #[test]
    fn turnout_is_the_mean_over_votes(votes in proptest::collection::vec((0u64..50, 0u64..50), 0..12)) {
        let votes: Vec<(u64, u64)> = votes.into_iter().map(|(c, e)| (c.min(e), e)).collect();
        let counted: Vec<&(u64, u64)> = votes.iter().filter(|(_, e)| *e > 0).collect();
        let expected = (!counted.is_empty()).then(|| {
            let sum: BigRational = counted
                .iter()
                .map(|(c, e)| BigRational::new((*c).into(), (*e).into()))
                .sum();
            sum / BigRational::from_integer((counted.len() as u64).into())
        });
        prop_assert_eq!(exact(&analytics::mean_turnout(&votes)), expected);
    }
}

#[test]
fn turnout_counts_delegated_weight_and_consensus_rate() {
    // Four members; member 4 delegates to member 2. Members 1 and 2 vote
    // on the first proposal: 3 of 4 counted. Nobody votes on the second:
    // it fails its quorum, 0 of 4.
    let mut e = Econ::new(4, quick_rules());
    e.ok(
        4,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(Level::Local),
            to: Some(key(2)),
        }),
    );
    let a = e.ok(1, policy("Longer opening hours"));
    let b = e.ok(3, policy("A second oven"));
    e.wait(2 * 3_600_000 + 1);
    e.ok(1, agree(a));
    e.ok(2, agree(a));
    e.wait(3_600_000);
    let month = month_index(e.now());
    let report = analytics::report(&e.c.store, month, month).expect("report");
    let m = &report.months[0];
    assert_eq!(m.counts.proposals, 2);
    assert_eq!(m.counts.votes_closed, 2);
    assert_eq!((m.counts.ballots_counted, m.counts.eligible_voters), (3, 8));
    // The mean of 3/4 and 0/4, not Σ/Σ (which happens to agree here).
    assert_eq!(
        exact(&m.figures.voting_turnout),
        ratio(3, 8),
        "{:?}",
        m.figures
    );
    assert_eq!(
        (m.counts.consensus_closed, m.counts.consensus_passed),
        (2, 1)
    );
    assert_eq!(
        m.figures.consensus_rate.as_ref().map(|f| f.shown.as_str()),
        Some("50.0%")
    );
    let _ = b;
    e.replays();
}

/// What a random month of payments must give, by brute force.
#[derive(Default)]
struct Expected {
    circulation: i64,
    active: BTreeSet<u8>,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Payments over three months: circulation, coverage and retention
    /// per month equal a brute force over the payments made; velocity's
    /// denominator is Σ positive balances at the month's end; the Gini of
    /// the closed months is the mean absolute difference of (balance +
    /// credit limit); Σ = 0 throughout; and a replay gives the same.
    #[test]
    fn money_figures_match_a_brute_force(
        payments in proptest::collection::vec((1u8..=5, 1u8..=5, 1i64..40, 0u64..20), 1..40)
    ) {
        let mut e = Econ::new(5, quick_rules());
        let start = month_start(month_index(e.now()) + 1);
        e.at(start);
        let first = month_index(start);
        let mut expected: BTreeMap<u32, Expected> = BTreeMap::new();
        let mut positive_at_end: BTreeMap<u32, i64> = BTreeMap::new();
        let mut capacities_at_end: BTreeMap<u32, Vec<u128>> = BTreeMap::new();
        let limit = Rules::default().credit_limit.0;
        let measure = |e: &Econ| -> (i64, Vec<u128>) {
            let balances: Vec<i64> = (1..=5).map(|w| e.member(w).0).collect();
            (
                balances.iter().map(|b| (*b).max(0)).sum(),
                balances.iter().map(|b| (b + limit) as u128).collect(),
            )
        };
        for (from, to, amount, days) in payments {
            let next = Timestamp(e.now().0 + days * DAY);
            let (before, after) = (month_index(e.now()), month_index(next));
            if after != before {
                // Measured just before the month ends.
                let (positive, capacities) = measure(&e);
                for m in before..after {
                    positive_at_end.insert(m, positive);
                    capacities_at_end.insert(m, capacities.clone());
                }
            }
            e.at(next);
            if from == to {
                continue;
            }
            let month = month_index(e.now());
            if e.attempt(from, pay(to, kc(amount))).is_some() {
                let x = expected.entry(month).or_default();
                x.circulation += kc(amount).0;
                x.active.insert(from);
                x.active.insert(to);
            }
        }
        let last = month_index(e.now());
        for month in first..=last {
            let (record, counts) = analytics::month_counts(&e.c.store, month).expect("counts");
            let x = expected.remove(&month).unwrap_or_default();
            prop_assert_eq!(counts.circulation, Kc(x.circulation));
            prop_assert_eq!(counts.active, x.active.len() as u64);
            let before = month.checked_sub(1).map(|m| {
                (first..=last).contains(&m).then(|| {
                    (1..=5u8)
                        .filter(|w| analytics::active(&e.c.store, m, &key(*w)).expect("store"))
                        .collect::<BTreeSet<u8>>()
                })
            });
            if let Some(Some(before)) = before {
                let now_active: BTreeSet<u8> = (1..=5u8)
                    .filter(|w| analytics::active(&e.c.store, month, &key(*w)).expect("store"))
                    .collect();
                prop_assert_eq!(counts.previously_active, before.len() as u64);
                prop_assert_eq!(counts.retained, before.intersection(&now_active).count() as u64);
            }
            prop_assert_eq!(counts.members, 5);
            if record.closed.is_some() {
                prop_assert_eq!(counts.positive_balances, Kc(positive_at_end[&month]));
                let caps = &capacities_at_end[&month];
                let total: u128 = caps.iter().sum();
                let d = analytics::distribution(&e.c.store, month).expect("store").expect("measured");
                prop_assert_eq!(
                    exact(&Some(d.gini)),
                    Some(BigRational::new(
                        mean_difference_sum(caps).into(),
                        (2 * 5 * total).into()
                    ))
                );
            } else {
                prop_assert_eq!(counts.positive_balances, Kc(measure(&e).0));
            }
            let report = analytics::report(&e.c.store, month, month).expect("report");
            let f = &report.months[0].figures;
            prop_assert_eq!(exact(&f.coverage), ratio(counts.active, 5));
            prop_assert_eq!(
                exact(&f.velocity),
                ratio(counts.circulation.0 as u64, counts.positive_balances.0 as u64)
            );
        }
        e.replays();
    }
}

#[test]
fn network_figures_are_recomputed_from_sums() {
    // Two communities: one with 1 of 10 voting, one with 90 of 100. The
    // average of their rates is 45 %; the network's is 91 of 110.
    let a = Hash([1; 32]);
    let b = Hash([2; 32]);
    let c = Hash([3; 32]);
    let month = 680;
    let counts = |counted, eligible, active, members| MonthCounts {
        votes_closed: 1,
        ballots_counted: counted,
        eligible_voters: eligible,
        active,
        members,
        ..MonthCounts::default()
    };
    let mut published = network::Published::new();
    published
        .entry(a)
        .or_default()
        .insert(month, counts(1, 10, 2, 10));
    published
        .entry(b)
        .or_default()
        .insert(month, counts(90, 100, 50, 100));
    published
        .entry(b)
        .or_default()
        .insert(month + 1, counts(5, 100, 5, 100));
    let report = network::aggregate(
        "network".into(),
        Hash([9; 32]),
        &[a, b, c],
        &published,
        month,
        month + 1,
    );
    let m = &report.months[0];
    assert_eq!(exact(&m.figures.voting_turnout), ratio(91, 110));
    assert_eq!(exact(&m.figures.coverage), ratio(52, 110));
    assert_eq!(m.reporting, vec![a, b]);
    assert_eq!(m.missing, vec![c]);
    let next = &report.months[1];
    assert_eq!(next.reporting, vec![b]);
    assert_eq!(next.missing, vec![a, c]);
    assert_eq!(exact(&next.figures.voting_turnout), ratio(5, 100));
    assert!(next.figures.gini.is_none());
}

#[test]
fn a_month_closes_once_and_its_stats_wait_to_be_published() {
    let mut e = Econ::new(3, quick_rules());
    e.ok(1, pay(2, kc(5)));
    let month = month_index(e.now());
    assert!(
        analytics::unpublished(&e.c.store, 12)
            .expect("store")
            .is_empty()
    );
    e.at(month_start(month + 1));
    e.at(month_start(month + 2));
    let waiting = analytics::unpublished(&e.c.store, 12).expect("store");
    let months: Vec<u32> = waiting.iter().map(|s| s.month).collect();
    assert_eq!(months, vec![month, month + 1]);
    assert_eq!(waiting[0].counts.circulation, kc(5));
    assert_eq!(waiting[0].counts.members, 3);
    assert_eq!(waiting[1].counts.previously_active, 2);
    let closed = analytics::month_record(&e.c.store, month)
        .expect("store")
        .closed;
    assert!(closed.is_some());
    e.replays();
}

#[test]
fn aid_and_council_figures_follow_their_definitions() {
    use crate::action::AidAction;
    use crate::economy::aid;
    use crate::governance::{Ballot, Moderation, YesNo};

    let mut e = Econ::new(4, Rules::default());
    let pool = aid::emergency_pool_id(&e.c.id);
    e.ok(
        1,
        ActionBody::Aid(AidAction::Contribute {
            pool,
            amount: kc(300),
        }),
    );
    e.ok(
        2,
        ActionBody::Aid(AidAction::Contribute {
            pool,
            amount: kc(100),
        }),
    );
    let id = e.ok(
        3,
        ActionBody::Aid(AidAction::Request {
            pool,
            amount: kc(250),
            reason: "the roof leaks".into(),
        }),
    );
    for who in [1, 2, 4] {
        e.ok(who, agree(id));
    }
    // The council (member 1, the founder) hides a comment: a council
    // decision it attends.
    let hide = e.ok(
        1,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
            kind: ProposalKind::Emergency,
            level: Level::Local,
            topic: None,
            title: "Hide a rude remark".into(),
            text: "It named a neighbour.".into(),
            options: vec![],
            subject: Subject::Moderation {
                action: Moderation::Hide {
                    content: Hash([7; 32]),
                },
            },
        }))),
    );
    e.ok(
        1,
        ActionBody::Governance(GovernanceAction::Vote {
            proposal: local(hide),
            ballot: Ballot::YesNo(YesNo::Yes),
        }),
    );
    e.wait(2 * DAY);
    let request = aid::request(&e.c.store, &id)
        .expect("store")
        .expect("a request");
    let (asked, paid) = (request.created, request.paid_in_full.expect("paid in full"));
    // Everything above happened within one month, or the test's clock
    // crossed a month: sum the months it spans.
    let mut counts = MonthCounts::default();
    for month in month_index(asked)..=month_index(e.now()) {
        counts.add(
            &analytics::month_counts(&e.c.store, month)
                .expect("counts")
                .1,
        );
    }
    assert_eq!(counts.aid_contributed, kc(400));
    assert_eq!(
        (
            counts.aid_requests,
            counts.aid_approved,
            counts.aid_paid_in_full
        ),
        (1, 1, 1)
    );
    assert_eq!(counts.aid_response_ms, paid.0 - asked.0);
    // Two proposals opened (the request's vote and the moderation).
    assert_eq!(counts.proposals, 2);
    assert_eq!(
        (
            counts.council_decisions,
            counts.council_ballots,
            counts.council_seats
        ),
        (1, 1, 1)
    );
    // The aid vote: 3 of the 3 eligible (the requester is not).
    assert_eq!((counts.ballots_counted, counts.eligible_voters), (3, 3));
    let f = analytics::Figures::of(&counts, &[&counts]);
    assert_eq!(exact(&f.fulfilment_rate), ratio(1, 1));
    assert_eq!(exact(&f.council_attendance), ratio(1, 1));
    assert_eq!(exact(&f.response_hours), ratio(paid.0 - asked.0, 3_600_000));
    e.replays();
}
