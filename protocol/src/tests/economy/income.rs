//! Basic income and the levy, month by month.

use super::*;
use crate::economy::income::{self, month_index, month_start};
use crate::governance::{Proposal, ProposalKind, Subject};
use crate::state::rules::RuleChange;

fn rules_with(income: Option<Kc>, treasury_credit: Kc, levy: u32) -> Rules {
    let mut rules = quick_rules();
    rules.basic_income = income;
    rules.treasury_credit = treasury_credit;
    rules.levy = levy;
    rules
}

/// The first instant of the `n`th month after genesis.
fn month(e: &Econ, n: u32) -> Timestamp {
    month_start(month_index(e.c.genesis.created) + n)
}

#[test]
fn every_active_member_is_paid_once_a_month() {
    let mut e = Econ::new(3, rules_with(Some(kc(50)), kc(1000), 0));
    e.at(Timestamp(month(&e, 1).0 - 1));
    assert_eq!(e.member(2), kc(0), "nothing before the month begins");
    assert_eq!(e.wait(1), 1);
    for who in 1..=3 {
        assert_eq!(e.member(who), kc(50));
    }
    assert_eq!(e.balance(Account::Treasury), kc(-150));
    // Ticking again within the month pays nothing more.
    e.wait(DAY);
    assert_eq!(e.member(2), kc(50));
    e.at(month(&e, 2));
    assert_eq!(e.member(2), kc(100));
    let months = income::months(&e.c.store).expect("store");
    assert_eq!(months.len(), 2);
    assert_eq!((months[0].members, months[0].share), (3, kc(50)));
    assert_eq!(months[0].label, "1970-02");
    e.replays();
}

#[test]
fn when_the_treasury_runs_short_everyone_gets_the_same_share() {
    let mut e = Econ::new(3, rules_with(Some(kc(50)), kc(100), 0));
    e.at(month(&e, 1));
    // 100 KC of treasury credit for 3 × 50 KC: 33.333 KC each.
    for who in 1..=3 {
        assert_eq!(e.member(who), Kc(33_333));
    }
    let m = &income::months(&e.c.store).expect("store")[0];
    assert_eq!(m.share, Kc(33_333));
    assert_eq!(m.shortfall, Kc(150_000 - 99_999));
    assert_eq!(e.balance(Account::Treasury), Kc(-99_999));
    // The treasury is at its floor: next month pays nothing.
    e.at(month(&e, 2));
    assert_eq!(e.member(1), Kc(33_333));
    assert_eq!(income::months(&e.c.store).expect("store")[1].paid, kc(0));
    e.replays();
}

#[test]
fn the_levy_flows_to_the_treasury_and_funds_the_income() {
    let mut e = Econ::new(2, rules_with(Some(kc(10)), kc(0), 1000));
    e.ok(
        1,
        ActionBody::Ledger(crate::action::LedgerAction::Transfer {
            to: keypair(2).public(),
            amount: kc(200),
            memo: String::new(),
        }),
    );
    e.at(month(&e, 1));
    // 10 % of member 2's 200 KC; member 1 is negative and pays none.
    let m = &income::months(&e.c.store).expect("store")[0];
    assert_eq!(m.levy, kc(20));
    assert_eq!((m.share, m.shortfall), (kc(10), kc(0)));
    assert_eq!(e.member(2), kc(200 - 20 + 10));
    assert_eq!(e.member(1), kc(-200 + 10));
    assert_eq!(e.balance(Account::Treasury), kc(0));
    e.replays();
}

#[test]
fn basic_income_is_turned_on_by_a_rules_vote() {
    let mut e = Econ::new(2, quick_rules());
    let change = |key: &str, value: &str| RuleChange {
        key: key.into(),
        value: value.into(),
    };
    let id = e.ok(
        1,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
            kind: ProposalKind::Rules,
            level: Level::Local,
            topic: None,
            title: "Basic income".into(),
            text: String::new(),
            options: vec![],
            subject: Subject::Rules {
                changes: vec![
                    change("basic_income", "25"),
                    change("treasury_credit", "5000"),
                ],
            },
        }))),
    );
    e.wait(2 * 3_600_000 + 1);
    e.ok(1, agree(id));
    e.ok(2, agree(id));
    e.wait(3_600_000);
    e.at(month(&e, 1));
    assert_eq!(e.member(2), kc(25));
    e.replays();
}
