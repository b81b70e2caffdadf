use std::collections::BTreeSet;

use hearth_protocol::LogKind;
use hearth_protocol::community::Method;
use hearth_protocol::economy::{self, insurance, time_bank, tools};
use hearth_protocol::state::decide::{self, Verdict};
use hearth_protocol::state::governance;
use hearth_protocol::state::{self, MemberStatus, StateRead as _};

use super::*;
use crate::recover;
use crate::store::{SledStorage, StorageRead as _};

/// A fixed end, so that runs can be compared.
const END: Timestamp = Timestamp(1_780_000_000_000);

fn plan(members: usize, days: u64) -> Plan {
    Plan {
        node_seed: Some([9; 32]),
        ..Plan::new(7, members, Millis::days(days), END)
    }
}

/// Simulates `plan` into a new directory; returns the directory (kept
/// alive) and the store, reopened as `hearthd run` opens it.
fn run(plan: &Plan) -> (tempfile::TempDir, Summary, SledStorage) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let summary = simulate(&data, plan).unwrap();
    println!("{}", summary.text());
    let storage = DataDir::new(&data).open_storage().unwrap();
    (dir, summary, storage)
}

#[test]
fn a_season_of_history_is_accepted_whole_and_sound() {
    let (_dir, summary, storage) = run(&plan(60, 100));
    assert_eq!(summary.refusals(), 0, "{}", summary.text());
    assert_eq!(summary.stuck, 0, "every scheduled item was settled");

    // Money: Σ = 0, every floor, every payout once, every escrow.
    assert_eq!(state::ledger_sum(&storage).unwrap(), 0);
    let problems = economy::audit(&storage).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    // The logs replay to the same state (every Due and Close recomputed).
    assert_eq!(
        recover::check_on_start(&storage).unwrap(),
        recover::StartupReport::default()
    );
    let (rebuilt, _) = recover::rebuild(&storage, |_| {}).unwrap();
    assert_eq!(rebuilt, storage.state_snapshot().unwrap());

    // Every kind of activity is there.
    let kinds: BTreeSet<&str> = summary.accepted.keys().copied().collect();
    for kind in [
        "join",
        "leave",
        "issue_invite",
        "set_name",
        "transfer",
        "time_log",
        "time_received",
        "time_confirm",
        "time_decline",
        "skill_offer",
        "skill_request",
        "skill_accept",
        "tool_add",
        "tool_checkout",
        "tool_return",
        "tool_inspect",
        "tool_renew",
        "space_create",
        "space_book",
        "aid_contribute",
        "aid_request",
        "aid_assess",
        "insurance_enrol",
        "insurance_claim",
        "insurance_assess",
        "propose",
        "vote",
        "delegate",
        "learn_add_skill",
        "learn_schedule",
        "learn_enrol",
        "learn_confirm",
        "learn_endorse",
        "learn_contribute",
    ] {
        assert!(kinds.contains(kind), "no {kind}: {}", summary.text());
    }

    // Members came and some went; balances spread.
    let members = storage.members().unwrap();
    assert!(members.len() >= 55, "{} members", members.len());
    assert!(members.iter().any(|m| m.status == MemberStatus::Left));
    let balances: Vec<i64> = members
        .iter()
        .map(|m| storage.balance(&state::Account::Member(m.key)).unwrap().0)
        .collect();
    let spread = balances.iter().max().unwrap() - balances.iter().min().unwrap();
    assert!(
        spread > Kc::whole(200).0,
        "balances barely differ: {balances:?}"
    );

    // Proposals of several methods were closed by the schedule: some
    // passed, some failed, a choice had a winner.
    let proposals = governance::proposals(&storage).unwrap();
    let methods: BTreeSet<String> = proposals
        .iter()
        .map(|p| format!("{:?}", p.method))
        .collect();
    for method in [Method::Consensus, Method::Council, Method::Schulze] {
        assert!(methods.contains(&format!("{method:?}")), "{methods:?}");
    }
    let verdicts: Vec<Verdict> = proposals
        .iter()
        .filter_map(|p| decide::decision(&storage, &p.id).unwrap())
        .map(|d| d.verdict)
        .collect();
    assert!(verdicts.contains(&Verdict::Passed));
    assert!(verdicts.contains(&Verdict::Failed));
    assert!(
        verdicts
            .iter()
            .any(|v| matches!(v, Verdict::Winner(Some(_))))
    );
    assert!(!governance::delegations(&storage).unwrap().is_empty());

    // Time records confirmed, declined and expired by the schedule.
    let states: BTreeSet<String> = time_bank::records(&storage)
        .unwrap()
        .iter()
        .flat_map(|r| r.shares.iter().map(|s| format!("{:?}", s.state)))
        .collect();
    for state in ["Confirmed", "Declined", "Expired"] {
        assert!(states.contains(state), "{states:?}");
    }
    // Loans returned late fell overdue; insurance paid claims.
    assert!(tools::all_loans(&storage).unwrap().len() >= 5);
    let pools = insurance::pools(&storage).unwrap();
    assert!(!pools.is_empty());
    assert!(pools.iter().any(|p| p.stats.paid.0 > 0), "no claim paid");
}

#[test]
fn the_same_seed_makes_the_same_history() {
    let heads = |plan: &Plan| {
        let (_dir, summary, storage) = run(plan);
        assert_eq!(summary.refusals(), 0, "{}", summary.text());
        (
            storage.head(LogKind::Public).unwrap(),
            storage.head(LogKind::Local).unwrap(),
        )
    };
    let a = heads(&plan(25, 30));
    assert_eq!(a, heads(&plan(25, 30)), "same seed, same logs");
    let other = Plan {
        seed: 8,
        ..plan(25, 30)
    };
    assert_ne!(a, heads(&other), "another seed, another history");
}

#[test]
fn spans_are_read_in_people_s_units() {
    assert_eq!(parse_span("6mo").unwrap(), Millis::days(180));
    assert_eq!(parse_span("90d").unwrap(), Millis::days(90));
    assert_eq!(parse_span("2w").unwrap(), Millis::days(14));
    assert_eq!(parse_span("1y").unwrap(), Millis::days(365));
    assert_eq!(parse_span("240h").unwrap(), Millis::days(10));
    for bad in [
        "",
        "6",
        "mo",
        "6 months",
        "-1d",
        "3d",
        "11y",
        "1.5mo",
        "99999999999999999y",
    ] {
        assert!(parse_span(bad).is_err(), "{bad:?} is refused");
    }
}

#[test]
fn a_plan_out_of_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(simulate(dir.path(), &plan(0, 30)).is_err());
    assert!(simulate(dir.path(), &plan(5, 3)).is_err());
    let lazy = Plan {
        activity: 0,
        ..plan(5, 30)
    };
    assert!(simulate(dir.path(), &lazy).is_err());
}
