//! The tool library: checkouts into escrow, returns settled by a
//! steward's condition report (deposit back, or to the maintenance fund),
//! overdue loans blocking borrowing, holds and pickup windows, renewals,
//! maintenance plans by loans and by days, refusals with their codes,
//! the audit of escrow, and a property test over random sequences.

use proptest::prelude::*;

use super::*;
use crate::action::ToolsAction;
use crate::crypto::PublicKey;
use crate::economy::tools::{
    self, Condition, ItemStatus, Loan, LoanState, MaintenancePlan, Owner, ToolItem, ToolRules,
    ToolsRejection, maintenance_fund_id,
};

fn key(who: u8) -> PublicKey {
    keypair(who).public()
}

fn add_item(name: &str, deposit: Kc, days: u64, plan: MaintenancePlan, own: bool) -> ActionBody {
    ActionBody::Tools(ToolsAction::Add {
        name: name.into(),
        category: "power_tools".into(),
        own,
        deposit,
        loan_period: Millis::days(days),
        replacement: kc(120),
        plan,
    })
}

fn drill() -> ActionBody {
    add_item("drill", kc(20), 7, MaintenancePlan::default(), false)
}

fn checkout(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::Checkout { item })
}

fn hold(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::Hold { item })
}

fn cancel(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::CancelHold { item })
}

fn renew(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::Renew { item })
}

fn give_back(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::Return { item })
}

fn inspect(item: Hash, condition: Condition) -> ActionBody {
    ActionBody::Tools(ToolsAction::Inspect {
        item,
        condition,
        note: "checked".into(),
    })
}

fn maintain(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::Maintain {
        item,
        note: "blade".into(),
    })
}

fn maintained(item: Hash) -> ActionBody {
    ActionBody::Tools(ToolsAction::Maintained {
        item,
        note: "new chuck".into(),
    })
}

fn item(e: &Econ, id: Hash) -> ToolItem {
    tools::item(&e.c.store, &id)
        .expect("store")
        .expect("an item")
}

fn loan(e: &Econ, id: Hash) -> Loan {
    tools::loan(&e.c.store, &id)
        .expect("store")
        .expect("a loan")
}

fn escrow(e: &Econ, loan: Hash) -> Kc {
    e.balance(Account::Escrow(loan))
}

fn fund(e: &Econ) -> Kc {
    e.balance(Account::Pool(maintenance_fund_id(&e.c.id)))
}

/// The scheduled items of `kind`.
fn scheduled(e: &Econ, kind: state::schedule::DueKind) -> Vec<state::schedule::DueItem> {
    state::schedule::due(&e.c.store, Timestamp(u64::MAX - 1), usize::MAX)
        .expect("store")
        .into_iter()
        .filter(|i| i.kind == kind)
        .collect()
}

fn sound(e: &Econ) {
    let problems = crate::economy::audit(&e.c.store).expect("store");
    assert!(problems.is_empty(), "{problems:?}");
    e.replays();
}

fn tr(r: Rejection) -> ToolsRejection {
    match r {
        Rejection::Tools(t) => t,
        other => panic!("not a tool library rejection: {other:?}"),
    }
}

fn code(e: &mut Econ, who: u8, body: ActionBody) -> &'static str {
    e.no(who, body).code()
}

#[test]
fn a_drill_returned_damaged_pays_its_deposit_to_the_maintenance_fund_once() {
    let mut e = Econ::new(3, Rules::default());
    let drill = e.ok(1, self::drill());
    assert_eq!(item(&e, drill).owner, Owner::Community);
    let l = e.ok(2, checkout(drill));
    assert_eq!((e.member(2), escrow(&e, l)), (kc(-20), kc(20)));
    assert_eq!(item(&e, drill).status, ItemStatus::OnLoan);
    assert_eq!(loan(&e, l).due, e.now().plus(Millis::days(7)));
    let mine = tools::loans_of(&e.c.store, &key(2)).expect("store");
    assert_eq!(mine.iter().map(|l| l.id).collect::<Vec<_>>(), vec![l]);
    assert_eq!(code(&mut e, 3, checkout(drill)), "not_available");
    assert_eq!(code(&mut e, 3, give_back(drill)), "not_borrower");
    // A damage report waits for the return (only "lost" comes earlier).
    assert_eq!(
        code(&mut e, 1, inspect(drill, Condition::Damaged)),
        "not_available"
    );

    e.ok(2, give_back(drill));
    assert_eq!(item(&e, drill).status, ItemStatus::Returned);
    assert!(
        tools::loans_of(&e.c.store, &key(2))
            .expect("store")
            .is_empty()
    );
    // Neither the borrower nor another member reports the condition.
    assert_eq!(
        code(&mut e, 2, inspect(drill, Condition::Good)),
        "not_steward"
    );
    assert_eq!(
        code(&mut e, 3, inspect(drill, Condition::Good)),
        "not_steward"
    );
    e.ok(1, inspect(drill, Condition::Damaged));
    let settled = loan(&e, l);
    assert_eq!(settled.state, LoanState::Closed);
    assert_eq!((settled.refunded, settled.forfeited), (Kc::ZERO, kc(20)));
    assert_eq!(
        (e.member(2), escrow(&e, l), fund(&e)),
        (kc(-20), kc(0), kc(20))
    );
    let pool = crate::economy::aid::pool(&e.c.store, &maintenance_fund_id(&e.c.id))
        .expect("store")
        .expect("the fund is an aid pool");
    assert_eq!(pool.name, "tool maintenance");
    let i = item(&e, drill);
    assert_eq!(i.status, ItemStatus::Maintenance);
    assert_eq!(i.condition, Some(Condition::Damaged));
    assert_eq!(
        code(&mut e, 1, inspect(drill, Condition::Good)),
        "not_available",
        "settled once"
    );
    assert_eq!(code(&mut e, 2, checkout(drill)), "not_available");
    assert_eq!(code(&mut e, 2, maintained(drill)), "not_steward");

    e.ok(1, maintained(drill));
    let i = item(&e, drill);
    assert_eq!(i.status, ItemStatus::Available);
    assert_eq!(i.maintenance.len(), 1);
    assert_eq!(i.maintenance[0].done, Some(e.now()));
    assert_eq!(i.maintenance[0].note, "new chuck");
    let view = tools::fund(&e.c.store, &e.c.id).expect("store");
    assert_eq!((view.balance, view.forfeited), (kc(20), kc(20)));
    let shown = tools::view(&e.c.store, &drill)
        .expect("store")
        .expect("view");
    assert_eq!(shown.loans.len(), 1);
    assert!(scheduled(&e, state::schedule::DueKind::LoanOverdue).is_empty());
    sound(&e);
}

#[test]
fn the_fund_pays_a_repair_through_an_aid_request_the_council_decides() {
    let mut e = Econ::new(3, Rules::default());
    let drill = e.ok(1, self::drill());
    e.ok(2, checkout(drill));
    e.ok(2, give_back(drill));
    e.ok(1, inspect(drill, Condition::Damaged));
    let fund_id = maintenance_fund_id(&e.c.id);
    let repair = e.ok(
        3,
        ActionBody::Aid(crate::economy::aid::AidAction::Request {
            pool: fund_id,
            amount: kc(15),
            reason: "a new chuck for the drill".into(),
        }),
    );
    let yes = ActionBody::Governance(GovernanceAction::Vote {
        proposal: local(repair),
        ballot: Ballot::YesNo(crate::governance::YesNo::Yes),
    });
    assert_eq!(
        e.no(2, yes.clone()).code(),
        "not_eligible",
        "only the council"
    );
    e.ok(1, yes);
    e.wait(2 * DAY);
    assert_eq!((e.member(3), fund(&e)), (kc(15), kc(5)));
    let r = crate::economy::aid::request(&e.c.store, &repair)
        .expect("store")
        .expect("the request");
    assert_eq!(r.paid, kc(15));
    sound(&e);
}

#[test]
fn a_good_return_pays_the_deposit_back_and_a_lost_item_is_retired() {
    let mut e = Econ::new(3, Rules::default());
    let drill = e.ok(1, self::drill());
    let first = e.ok(2, checkout(drill));
    e.ok(2, give_back(drill));
    e.ok(1, inspect(drill, Condition::Good));
    assert_eq!(
        (e.member(2), escrow(&e, first), fund(&e)),
        (kc(0), kc(0), kc(0))
    );
    assert_eq!(loan(&e, first).refunded, kc(20));
    assert_eq!(item(&e, drill).status, ItemStatus::Available);

    // Lost while still out: reported at once, the deposit is forfeit.
    let second = e.ok(3, checkout(drill));
    e.ok(1, inspect(drill, Condition::Lost));
    assert_eq!(
        (e.member(3), escrow(&e, second), fund(&e)),
        (kc(-20), kc(0), kc(20))
    );
    assert_eq!(item(&e, drill).status, ItemStatus::Retired);
    assert!(scheduled(&e, state::schedule::DueKind::LoanOverdue).is_empty());
    assert_eq!(code(&mut e, 2, hold(drill)), "not_available");
    assert_eq!(code(&mut e, 3, give_back(drill)), "not_borrower");
    // A retired item's name may be used again.
    e.ok(1, self::drill());
    sound(&e);
}

#[test]
fn an_overdue_loan_blocks_borrowing_until_it_is_back() {
    let mut e = Econ::new(3, Rules::default());
    let saw = e.ok(
        1,
        add_item("saw", kc(5), 1, MaintenancePlan::default(), false),
    );
    let drill = e.ok(1, self::drill());
    let l = e.ok(2, checkout(saw));
    let due = loan(&e, l).due;
    e.at(Timestamp(due.0 - 1));
    assert!(!loan(&e, l).overdue);
    e.wait(1);
    assert!(loan(&e, l).overdue, "sealed by a Due record");
    let refused = tr(e.no(2, checkout(drill)));
    assert_eq!(refused, ToolsRejection::OverdueLoan { item: saw, due });
    assert_eq!(refused.code(), "overdue_loan");
    assert_eq!(code(&mut e, 2, renew(saw)), "overdue_loan");
    let overdue = tools::overdue_loans(&e.c.store, e.now()).expect("store");
    assert_eq!(overdue.iter().map(|l| l.id).collect::<Vec<_>>(), vec![l]);
    // Others still borrow.
    e.ok(3, checkout(drill));
    e.ok(2, give_back(saw));
    assert!(
        tools::overdue_loans(&e.c.store, e.now())
            .expect("store")
            .is_empty()
    );
    e.ok(1, inspect(saw, Condition::Good));
    e.ok(3, give_back(drill));
    e.ok(1, inspect(drill, Condition::Good));
    e.ok(2, checkout(drill));
    sound(&e);
}

#[test]
fn holds_queue_first_come_first_served_with_pickup_windows() {
    let mut e = Econ::new(4, Rules::default());
    let drill = e.ok(1, self::drill());
    e.ok(2, checkout(drill));
    assert_eq!(code(&mut e, 2, hold(drill)), "already_borrowing");
    e.ok(3, hold(drill));
    e.ok(4, hold(drill));
    assert_eq!(code(&mut e, 3, hold(drill)), "already_holding");
    // Renewal is refused while someone holds the item.
    assert_eq!(code(&mut e, 2, renew(drill)), "item_held");
    e.ok(2, give_back(drill));
    e.ok(1, inspect(drill, Condition::Good));
    let window = e.now().plus(ToolRules::default().pickup_window);
    let i = item(&e, drill);
    assert_eq!(i.holds[0].member, key(3));
    assert_eq!(i.holds[0].pickup_until, Some(window));
    assert_eq!(i.holds[1].pickup_until, None);
    let fourth = tools::holds_of(&e.c.store, &key(4)).expect("store");
    assert_eq!(
        (fourth.holds[0].position, fourth.holds[0].pickup_until),
        (2, None)
    );
    assert_eq!(
        tr(e.no(4, checkout(drill))),
        ToolsRejection::HeldForAnother { until: window }
    );
    assert_eq!(code(&mut e, 2, checkout(drill)), "held_for_another");

    // Member 3 does not come: their hold lapses and member 4's turn starts.
    e.at(Timestamp(window.0 - 1));
    assert_eq!(item(&e, drill).holds.len(), 2);
    e.wait(1);
    let i = item(&e, drill);
    assert_eq!(i.holds.len(), 1);
    assert_eq!(i.holds[0].member, key(4));
    assert_eq!(
        i.holds[0].pickup_until,
        Some(e.now().plus(ToolRules::default().pickup_window))
    );
    assert_eq!(code(&mut e, 3, checkout(drill)), "held_for_another");
    assert_eq!(code(&mut e, 3, cancel(drill)), "no_hold");
    e.ok(4, checkout(drill));
    assert!(item(&e, drill).holds.is_empty());
    assert!(scheduled(&e, state::schedule::DueKind::HoldPickup).is_empty());

    // A hold on a free item starts its window at once; cancelling ends it.
    e.ok(3, hold(drill));
    e.ok(3, cancel(drill));
    e.ok(4, give_back(drill));
    e.ok(1, inspect(drill, Condition::Good));
    e.ok(2, hold(drill));
    assert!(item(&e, drill).holds[0].pickup_until.is_some());
    e.ok(2, cancel(drill));
    assert!(scheduled(&e, state::schedule::DueKind::HoldPickup).is_empty());
    e.ok(3, checkout(drill));
    sound(&e);
}

#[test]
fn a_loan_renews_by_its_period_while_nobody_holds_the_item() {
    let mut e = Econ::new(3, Rules::default());
    let drill = e.ok(1, self::drill());
    let l = e.ok(2, checkout(drill));
    let due = loan(&e, l).due;
    assert_eq!(code(&mut e, 3, renew(drill)), "not_borrower");
    e.ok(2, renew(drill));
    let renewed = loan(&e, l);
    assert_eq!(
        (renewed.due, renewed.renewals),
        (due.plus(Millis::days(7)), 1)
    );
    let overdue = scheduled(&e, state::schedule::DueKind::LoanOverdue);
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].at, renewed.due);
    e.at(due);
    assert!(!loan(&e, l).overdue, "the old due time passed harmlessly");
    sound(&e);
}

#[test]
fn a_plan_of_every_two_loans_sends_the_item_to_maintenance() {
    let mut e = Econ::new(3, Rules::default());
    let plan = MaintenancePlan {
        every_loans: 2,
        every_days: 0,
    };
    let sander = e.ok(1, add_item("sander", kc(10), 3, plan, false));
    for who in [2, 3] {
        e.ok(who, checkout(sander));
        e.ok(who, give_back(sander));
        e.ok(1, inspect(sander, Condition::Good));
    }
    let i = item(&e, sander);
    assert_eq!(i.status, ItemStatus::Maintenance);
    assert_eq!(i.maintenance[0].reason, "the plan: every 2 loans");
    assert_eq!(
        (e.member(2), e.member(3)),
        (kc(0), kc(0)),
        "good returns refund"
    );
    e.ok(1, maintained(sander));
    let i = item(&e, sander);
    assert_eq!(
        (i.status, i.loans_since_maintenance, i.loans),
        (ItemStatus::Available, 0, 2)
    );
    // A steward may also take an item to maintenance by hand.
    e.ok(1, maintain(sander));
    assert_eq!(item(&e, sander).status, ItemStatus::Maintenance);
    sound(&e);
}

#[test]
fn a_plan_of_every_ten_days_goes_by_due_records() {
    let mut e = Econ::new(3, Rules::default());
    let plan = MaintenancePlan {
        every_loans: 0,
        every_days: 10,
    };
    let mower = e.ok(1, add_item("mower", kc(10), 30, plan, false));
    let first = item(&e, mower).next_maintenance.expect("planned");
    assert_eq!(first, e.now().plus(Millis::days(10)));
    e.at(first);
    let i = item(&e, mower);
    assert_eq!(i.status, ItemStatus::Maintenance);
    assert_eq!(i.maintenance[0].reason, "the plan: every 10 days");
    e.ok(1, maintained(mower));
    let next = item(&e, mower).next_maintenance.expect("planned again");
    assert_eq!(next, e.now().plus(Millis::days(10)));
    // Out on loan when the days run out: maintenance follows the return.
    e.ok(2, checkout(mower));
    e.at(next);
    let i = item(&e, mower);
    assert_eq!((i.status, i.maintenance_due), (ItemStatus::OnLoan, true));
    e.ok(2, give_back(mower));
    e.ok(1, inspect(mower, Condition::Good));
    assert_eq!(item(&e, mower).status, ItemStatus::Maintenance);
    assert_eq!(e.member(2), kc(0));
    sound(&e);
}

#[test]
fn a_member_lends_their_own_item_and_looks_after_it() {
    let mut e = Econ::new(3, Rules::default());
    let ladder = e.ok(
        2,
        add_item("ladder", kc(15), 2, MaintenancePlan::default(), true),
    );
    assert_eq!(item(&e, ladder).owner, Owner::Member(key(2)));
    assert_eq!(code(&mut e, 2, checkout(ladder)), "own_item");
    assert_eq!(code(&mut e, 2, hold(ladder)), "own_item");
    e.ok(3, checkout(ladder));
    e.ok(3, give_back(ladder));
    // The council looks after the community's items, not members' own.
    assert_eq!(
        code(&mut e, 1, inspect(ladder, Condition::Good)),
        "not_steward"
    );
    e.ok(2, inspect(ladder, Condition::Good));
    assert_eq!(e.member(3), kc(0));
    sound(&e);
}

#[test]
fn appointed_stewards_and_a_loan_fee_into_the_fund() {
    let rules = Rules {
        tools: ToolRules {
            loan_fee: kc(1),
            stewards: vec![key(3)],
            ..ToolRules::default()
        },
        ..Rules::default()
    };
    let mut e = Econ::new(3, rules);
    let drill = e.ok(3, self::drill());
    let l = e.ok(2, checkout(drill));
    assert_eq!(
        (e.member(2), escrow(&e, l), fund(&e)),
        (kc(-21), kc(20), kc(1))
    );
    assert_eq!(loan(&e, l).fee, kc(1));
    e.ok(2, give_back(drill));
    e.ok(3, inspect(drill, Condition::Good));
    assert_eq!((e.member(2), fund(&e)), (kc(-1), kc(1)));
    sound(&e);
}

#[test]
fn bad_tool_actions_are_refused_with_their_codes_and_change_nothing() {
    let rules = Rules {
        credit_limit: kc(25),
        ..Rules::default()
    };
    let mut e = Econ::new(3, rules);
    let none = MaintenancePlan::default();
    let with = |name: &str, deposit: Kc, days: u64| add_item(name, deposit, days, none, false);
    assert_eq!(code(&mut e, 2, drill()), "not_steward");
    assert_eq!(code(&mut e, 1, with("", kc(1), 1)), "invalid_item");
    assert_eq!(
        code(&mut e, 1, with(&"x".repeat(121), kc(1), 1)),
        "invalid_item"
    );
    assert_eq!(code(&mut e, 1, with("bad\nname", kc(1), 1)), "invalid_item");
    assert_eq!(code(&mut e, 1, with("saw", Kc(-1), 1)), "invalid_value");
    assert_eq!(
        code(&mut e, 1, with("saw", Kc(tools::MAX_VALUE.0 + 1), 1)),
        "invalid_value"
    );
    assert_eq!(
        code(&mut e, 1, with("saw", kc(1), 0)),
        "invalid_loan_period"
    );
    assert_eq!(
        code(&mut e, 1, with("saw", kc(1), 366)),
        "invalid_loan_period"
    );
    let busy = MaintenancePlan {
        every_loans: tools::MAX_PLAN + 1,
        every_days: 0,
    };
    assert_eq!(
        code(&mut e, 1, add_item("saw", kc(1), 1, busy, false)),
        "invalid_item"
    );
    let no_category = ActionBody::Tools(ToolsAction::Add {
        name: "saw".into(),
        category: " ".into(),
        own: false,
        deposit: kc(1),
        loan_period: Millis::days(1),
        replacement: kc(1),
        plan: none,
    });
    assert_eq!(code(&mut e, 1, no_category), "invalid_item");
    let drill = e.ok(1, self::drill());
    assert_eq!(
        code(&mut e, 1, self::drill()),
        "invalid_item",
        "names are unique"
    );
    let nowhere = Hash([9; 32]);
    for body in [
        checkout(nowhere),
        hold(nowhere),
        cancel(nowhere),
        renew(nowhere),
        give_back(nowhere),
        inspect(nowhere, Condition::Good),
        maintain(nowhere),
        maintained(nowhere),
    ] {
        assert_eq!(code(&mut e, 2, body), "unknown_item");
    }
    let long = ActionBody::Tools(ToolsAction::Inspect {
        item: drill,
        condition: Condition::Good,
        note: "x".repeat(1001),
    });
    assert_eq!(code(&mut e, 1, long), "text_too_long");
    assert_eq!(code(&mut e, 2, cancel(drill)), "no_hold");
    assert_eq!(code(&mut e, 2, renew(drill)), "not_borrower");
    assert_eq!(code(&mut e, 2, give_back(drill)), "not_borrower");
    assert_eq!(code(&mut e, 1, maintained(drill)), "not_available");
    assert_eq!(code(&mut e, 2, maintain(drill)), "not_steward");

    // The deposit is paid through the ledger: the borrower's floor holds.
    e.ok(
        2,
        ActionBody::Ledger(crate::economy::ledger::LedgerAction::Transfer {
            to: key(3),
            amount: kc(10),
            memo: String::new(),
        }),
    );
    assert_eq!(code(&mut e, 2, checkout(drill)), "insufficient_funds");
    assert_eq!(item(&e, drill).status, ItemStatus::Available);

    // A steward never settles their own loan.
    e.ok(1, checkout(drill));
    assert_eq!(code(&mut e, 1, maintain(drill)), "not_available");
    e.ok(1, give_back(drill));
    assert_eq!(code(&mut e, 1, inspect(drill, Condition::Good)), "own_loan");
    assert_eq!(code(&mut e, 1, give_back(drill)), "not_borrower");

    // Replayed and foreign actions.
    let signed = e.sign(3, hold(drill));
    e.c.submit(signed.clone()).expect("first time");
    assert_eq!(refuse_signed(&mut e.c, signed).code(), "nonce_replayed");
    let stranger = e.c.action(&keypair(9), 1, hold(drill));
    assert_eq!(refuse_signed(&mut e.c, stranger).code(), "not_a_member");
    sound(&e);
}

#[test]
fn tool_rules_change_by_vote_keys_and_are_validated() {
    use crate::state::rules::{RuleChange, apply_changes};
    let change = |k: &str, v: &str| RuleChange {
        key: k.into(),
        value: v.into(),
    };
    let rules = apply_changes(
        &Rules::default(),
        &[
            change("tools.loan_fee", "0.5"),
            change("tools.pickup_window", "1d"),
            change("tools.stewards", &key(2).to_did()),
        ],
    )
    .expect("valid");
    assert_eq!(rules.tools.loan_fee, Kc(500));
    assert_eq!(rules.tools.pickup_window, Millis::days(1));
    assert_eq!(rules.tools.stewards, vec![key(2)]);
    for (k, v) in [
        ("tools.loan_fee", "-1"),
        ("tools.pickup_window", "0s"),
        ("tools.stewards", "did:key:nope"),
    ] {
        assert!(
            apply_changes(&Rules::default(), &[change(k, v)]).is_err(),
            "{k}={v}"
        );
    }
}

#[test]
fn the_audit_finds_escrow_left_in_a_closed_loan() {
    let mut e = Econ::new(2, Rules::default());
    let drill = e.ok(1, self::drill());
    let l = e.ok(2, checkout(drill));
    e.ok(2, give_back(drill));
    e.ok(1, inspect(drill, Condition::Good));
    sound(&e);
    let key = crate::state::records::key(
        crate::state::records::table::ACCOUNT,
        &crate::codec::Canonical::to_bytes(&Account::Escrow(l)),
    );
    crate::state::StoreMut::put(
        &mut e.c.store,
        key,
        crate::codec::Canonical::to_bytes(&kc(3)),
    );
    let problems = crate::economy::audit(&e.c.store).expect("store");
    assert!(
        problems.contains(&format!("closed loan {l} holds 3 KC in escrow")),
        "{problems:?}"
    );
}

#[derive(Clone, Debug)]
enum Step {
    Checkout(u8, usize),
    Hold(u8, usize),
    Cancel(u8, usize),
    Renew(u8, usize),
    Return(u8, usize),
    Inspect(u8, usize, Condition),
    Maintained(u8, usize),
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    let who = 1u8..=4;
    let it = 0usize..2;
    let condition = prop_oneof![
        4 => Just(Condition::Good),
        2 => Just(Condition::Damaged),
        1 => Just(Condition::Lost)
    ];
    prop_oneof![
        4 => (who.clone(), it.clone()).prop_map(|(w, i)| Step::Checkout(w, i)),
        2 => (who.clone(), it.clone()).prop_map(|(w, i)| Step::Hold(w, i)),
        1 => (who.clone(), it.clone()).prop_map(|(w, i)| Step::Cancel(w, i)),
        1 => (who.clone(), it.clone()).prop_map(|(w, i)| Step::Renew(w, i)),
        3 => (who.clone(), it.clone()).prop_map(|(w, i)| Step::Return(w, i)),
        3 => (who.clone(), it.clone(), condition).prop_map(|(w, i, c)| Step::Inspect(w, i, c)),
        2 => (who, it).prop_map(|(w, i)| Step::Maintained(w, i)),
        2 => prop_oneof![1u64..(2 * DAY), 1u64..(12 * DAY)].prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every deposit sits in its loan's escrow while the loan is open and
    /// goes whole to the borrower or whole to the maintenance fund when it
    /// closes — never both, never neither; the fund holds exactly the
    /// forfeited deposits and fees; each member's balance is exactly what
    /// their loans moved; Σ = 0 and every floor holds after every step
    /// (`Econ::check`), and replay rebuilds the state.
    #[test]
    fn deposits_are_conserved_and_settled_once(
        steps in prop::collection::vec(step(), 1..50)
    ) {
        let rules = Rules {
            credit_limit: kc(30),
            tools: ToolRules { loan_fee: kc(1), ..ToolRules::default() },
            ..Rules::default()
        };
        let mut e = Econ::new(4, rules);
        let daily = MaintenancePlan { every_loans: 3, every_days: 5 };
        let items = [
            e.ok(1, add_item("drill", kc(12), 2, daily, false)),
            e.ok(2, add_item("ladder", kc(7), 1, MaintenancePlan::default(), true)),
        ];
        for step in steps {
            let _ = match step {
                Step::Checkout(w, i) => e.attempt(w, checkout(items[i])),
                Step::Hold(w, i) => e.attempt(w, hold(items[i])),
                Step::Cancel(w, i) => e.attempt(w, cancel(items[i])),
                Step::Renew(w, i) => e.attempt(w, renew(items[i])),
                Step::Return(w, i) => e.attempt(w, give_back(items[i])),
                Step::Inspect(w, i, c) => e.attempt(w, inspect(items[i], c)),
                Step::Maintained(w, i) => e.attempt(w, maintained(items[i])),
                Step::Wait(ms) => {
                    e.wait(ms);
                    None
                }
            };
            let mut expected: BTreeMap<PublicKey, i64> = BTreeMap::new();
            let mut into_fund = 0i64;
            for l in tools::all_loans(&e.c.store).expect("store") {
                let held = escrow(&e, l.id);
                let owed = expected.entry(l.borrower).or_default();
                *owed -= l.fee.0;
                into_fund += l.fee.0;
                match l.state {
                    LoanState::Active | LoanState::Returned => {
                        prop_assert_eq!(held, l.deposit);
                        prop_assert_eq!((l.refunded, l.forfeited), (Kc::ZERO, Kc::ZERO));
                        *owed -= l.deposit.0;
                    }
                    LoanState::Closed => {
                        prop_assert_eq!(held, Kc::ZERO);
                        let good = l.condition == Some(Condition::Good);
                        let (back, lost) = if good { (l.deposit, Kc::ZERO) } else { (Kc::ZERO, l.deposit) };
                        prop_assert_eq!((l.refunded, l.forfeited), (back, lost));
                        *owed -= lost.0;
                        into_fund += lost.0;
                    }
                }
            }
            prop_assert_eq!(fund(&e), Kc(into_fund));
            for who in 1..=4u8 {
                let want = expected.get(&key(who)).copied().unwrap_or(0);
                prop_assert_eq!(e.member(who), Kc(want));
            }
        }
        sound(&e);
    }
}
