//! The time bank: hours logged by the provider or recorded by the
//! recipient, confirmed by the other party and paid through the ledger
//! at the rules' rate; declines, expiry through a `Due` record, refusals
//! with their codes, and a property test over random sequences.

use proptest::prelude::*;

use super::*;
use crate::action::TimeBankAction;
use crate::crypto::PublicKey;
use crate::economy::time_bank::{
    self, RecordKind, ShareState, TimeBankRejection, TimeRecord, share_value,
};

fn key(who: u8) -> PublicKey {
    keypair(who).public()
}

fn log(recipients: &[u8], minutes: u32, category: &str) -> ActionBody {
    ActionBody::TimeBank(TimeBankAction::Log {
        recipients: recipients.iter().map(|r| key(*r)).collect(),
        minutes,
        category: category.into(),
        note: "weeding the beds".into(),
    })
}

fn received(provider: u8, minutes: u32, category: &str) -> ActionBody {
    ActionBody::TimeBank(TimeBankAction::Received {
        provider: key(provider),
        minutes,
        category: category.into(),
        note: String::new(),
    })
}

fn confirm(record: Hash) -> ActionBody {
    ActionBody::TimeBank(TimeBankAction::Confirm { record })
}

fn decline(record: Hash) -> ActionBody {
    ActionBody::TimeBank(TimeBankAction::Decline {
        record,
        reason: "that was not me".into(),
    })
}

fn record(e: &Econ, id: Hash) -> TimeRecord {
    time_bank::record(&e.c.store, &id)
        .expect("store")
        .expect("a record")
}

fn states(e: &Econ, id: Hash) -> Vec<ShareState> {
    record(e, id).shares.iter().map(|s| s.state).collect()
}

/// The records whose expiry is scheduled.
fn expiries(e: &Econ) -> Vec<Hash> {
    state::schedule::due(&e.c.store, Timestamp(u64::MAX - 1), usize::MAX)
        .expect("store")
        .into_iter()
        .filter(|i| i.kind == state::schedule::DueKind::TimeLogExpiry)
        .map(|i| i.id)
        .collect()
}

/// The audit finds nothing wrong and replaying the logs rebuilds the state.
fn sound(e: &Econ) {
    let problems = crate::economy::audit(&e.c.store).expect("store");
    assert!(problems.is_empty(), "{problems:?}");
    e.replays();
}

fn tb(r: Rejection) -> TimeBankRejection {
    match r {
        Rejection::TimeBank(t) => t,
        other => panic!("not a time bank rejection: {other:?}"),
    }
}

#[test]
fn share_values_round_half_up_to_the_milli_kc() {
    assert_eq!(share_value(60, kc(1)), kc(1));
    assert_eq!(share_value(90, kc(1)), Kc(1500));
    // 1 minute at 1 KC/h is 16.66… milli-KC.
    assert_eq!(share_value(1, kc(1)), Kc(17));
    // 1 minute at 0.030 KC/h is exactly 0.5 milli-KC: up.
    assert_eq!(share_value(1, Kc(30)), Kc(1));
    // 1 minute at 0.029 KC/h is 0.48… milli-KC: down.
    assert_eq!(share_value(1, Kc(29)), Kc(0));
    assert_eq!(share_value(1440, Kc(i64::MAX)), Kc(i64::MAX));
}

#[test]
fn a_logged_hour_confirmed_by_the_recipient_pays_the_provider_exactly() {
    let mut e = Econ::new(3, Rules::default());
    let id = e.ok(1, log(&[2], 60, "gardening"));
    let r = record(&e, id);
    assert_eq!(r.kind, RecordKind::Logged);
    assert_eq!(r.provider, key(1));
    assert_eq!(r.expires, e.now().plus(Millis::days(14)));
    assert_eq!(states(&e, id), vec![ShareState::Pending]);
    assert_eq!(e.member(1), kc(0), "nothing moves before confirmation");
    let pending = time_bank::pending(&e.c.store, &key(2)).expect("store");
    assert_eq!((pending.to_confirm.len(), pending.awaiting.len()), (1, 0));
    let pending = time_bank::pending(&e.c.store, &key(1)).expect("store");
    assert_eq!((pending.to_confirm.len(), pending.awaiting.len()), (0, 1));

    e.ok(2, confirm(id));
    assert_eq!(e.member(1), kc(1));
    assert_eq!(e.member(2), kc(-1));
    let r = record(&e, id);
    assert_eq!(r.shares[0].state, ShareState::Confirmed);
    assert_eq!(r.shares[0].paid, kc(1));
    let given = time_bank::member_totals(&e.c.store, &key(1)).expect("store");
    assert_eq!((given.given_minutes, given.earned), (60, kc(1)));
    let got = time_bank::member_totals(&e.c.store, &key(2)).expect("store");
    assert_eq!((got.received_minutes, got.paid), (60, kc(1)));
    let cat = time_bank::category_totals(&e.c.store, "gardening").expect("store");
    assert_eq!((cat.minutes, cat.shares, cat.paid), (60, 1, kc(1)));
    assert!(
        time_bank::pending(&e.c.store, &key(2))
            .expect("store")
            .to_confirm
            .is_empty()
    );

    // Paid once; the provider never confirms their own; others have no share.
    assert_eq!(tb(e.no(2, confirm(id))).code(), "already_confirmed");
    assert_eq!(tb(e.no(1, confirm(id))).code(), "own_record");
    assert_eq!(tb(e.no(3, confirm(id))).code(), "not_a_party");
    assert_eq!(tb(e.no(2, decline(id))).code(), "already_confirmed");
    assert_eq!(e.member(1), kc(1));
    // Settled, it leaves the schedule: nothing falls due for it.
    assert!(expiries(&e).is_empty());
    sound(&e);
}

#[test]
fn a_received_record_is_confirmed_by_the_provider() {
    let mut e = Econ::new(2, Rules::default());
    let id = e.ok(2, received(1, 90, "childcare"));
    let r = record(&e, id);
    assert_eq!(r.kind, RecordKind::Received);
    assert_eq!((r.provider, r.shares[0].member), (key(1), key(2)));
    assert_eq!(tb(e.no(2, confirm(id))).code(), "own_record");
    let pending = time_bank::pending(&e.c.store, &key(1)).expect("store");
    assert_eq!(pending.to_confirm.len(), 1);
    e.ok(1, confirm(id));
    assert_eq!(e.member(1), Kc(1500));
    assert_eq!(e.member(2), Kc(-1500));
    sound(&e);
}

#[test]
fn each_recipient_of_a_class_confirms_and_pays_their_own_share() {
    let mut e = Econ::new(4, Rules::default());
    let id = e.ok(1, log(&[2, 3, 4], 120, "cooking"));
    e.ok(2, confirm(id));
    assert_eq!(e.member(1), kc(2));
    e.ok(3, decline(id));
    assert_eq!(tb(e.no(3, confirm(id))).code(), "already_declined");
    assert_eq!(record(&e, id).shares[1].reason, "that was not me");
    assert_eq!(
        states(&e, id),
        vec![
            ShareState::Confirmed,
            ShareState::Declined,
            ShareState::Pending
        ]
    );
    e.ok(4, confirm(id));
    assert_eq!(e.member(1), kc(4));
    assert_eq!(
        (e.member(2), e.member(3), e.member(4)),
        (kc(-2), kc(0), kc(-2))
    );
    let hist = time_bank::history(&e.c.store, Some(&key(3)), Some("cooking")).expect("store");
    assert_eq!(hist.len(), 1);
    let hist = time_bank::history(&e.c.store, Some(&key(3)), Some("gardening")).expect("store");
    assert!(hist.is_empty());
    let totals = time_bank::totals(&e.c.store).expect("store");
    assert_eq!(totals.members.len(), 3, "members with a confirmed share");
    sound(&e);
}

#[test]
fn unconfirmed_shares_expire_through_a_due_record() {
    let mut e = Econ::new(3, Rules::default());
    let id = e.ok(1, log(&[2, 3], 30, "transportation"));
    e.ok(2, confirm(id));
    assert_eq!(expiries(&e), vec![id]);
    let expires = record(&e, id).expires;
    e.at(Timestamp(expires.0 - 1));
    assert_eq!(
        states(&e, id),
        vec![ShareState::Confirmed, ShareState::Pending]
    );
    e.wait(1);
    assert!(
        expiries(&e).is_empty(),
        "the expiry is sealed when it falls due"
    );
    assert_eq!(
        states(&e, id),
        vec![ShareState::Confirmed, ShareState::Expired]
    );
    assert_eq!(tb(e.no(3, confirm(id))).code(), "expired");
    assert_eq!(tb(e.no(3, decline(id))).code(), "expired");
    assert_eq!(e.member(3), kc(0));
    assert_eq!(e.member(1), Kc(500));
    sound(&e);
}

#[test]
fn a_confirmation_the_recipient_cannot_afford_is_refused_with_the_ledger_code() {
    let rules = Rules {
        credit_limit: kc(1),
        ..Rules::default()
    };
    let mut e = Econ::new(2, rules);
    let id = e.ok(1, log(&[2], 120, "home_repair"));
    assert_eq!(e.no(2, confirm(id)).code(), "insufficient_funds");
    assert_eq!(states(&e, id), vec![ShareState::Pending]);
    assert_eq!(e.member(2), kc(0));
    // A smaller record fits the floor.
    let small = e.ok(1, log(&[2], 60, "home_repair"));
    e.ok(2, confirm(small));
    assert_eq!(e.member(2), kc(-1));
    sound(&e);
}

#[test]
fn bad_records_are_refused_with_their_codes() {
    let mut e = Econ::new(3, Rules::default());
    let code = |e: &mut Econ, who, body| tb(e.no(who, body)).code();
    assert_eq!(
        code(&mut e, 1, log(&[2], 0, "gardening")),
        "invalid_minutes"
    );
    assert_eq!(
        code(&mut e, 1, log(&[2], 1441, "gardening")),
        "invalid_minutes"
    );
    assert_eq!(
        code(&mut e, 1, log(&[2], 60, "juggling")),
        "unknown_category"
    );
    assert_eq!(
        code(&mut e, 1, log(&[], 60, "gardening")),
        "invalid_recipients"
    );
    assert_eq!(
        code(&mut e, 1, log(&[1], 60, "gardening")),
        "invalid_recipients"
    );
    assert_eq!(
        code(&mut e, 1, log(&[2, 2], 60, "gardening")),
        "invalid_recipients"
    );
    assert_eq!(
        code(&mut e, 1, log(&[9], 60, "gardening")),
        "invalid_recipients"
    );
    assert_eq!(
        code(&mut e, 2, received(2, 60, "gardening")),
        "invalid_recipients"
    );
    assert_eq!(
        code(&mut e, 2, received(9, 60, "gardening")),
        "invalid_recipients"
    );
    let many: Vec<u8> = (2..=3).cycle().take(51).collect();
    assert_eq!(
        code(&mut e, 1, log(&many, 60, "gardening")),
        "invalid_recipients"
    );
    let long = ActionBody::TimeBank(TimeBankAction::Log {
        recipients: vec![key(2)],
        minutes: 60,
        category: "gardening".into(),
        note: "x".repeat(1001),
    });
    assert_eq!(e.no(1, long).code(), "text_too_long");
    assert_eq!(code(&mut e, 2, confirm(Hash([7; 32]))), "unknown_record");
    // A stranger records nothing.
    let stranger = e.c.action(&keypair(9), 1, log(&[2], 60, "gardening"));
    assert_eq!(refuse_signed(&mut e.c, stranger).code(), "not_a_member");
    e.ok(1, log(&[2, 3], 1440, "eldercare"));
    sound(&e);
}

#[test]
fn the_audit_finds_totals_that_differ_from_the_records() {
    let mut e = Econ::new(2, Rules::default());
    let id = e.ok(1, log(&[2], 60, "gardening"));
    e.ok(2, confirm(id));
    sound(&e);
    let mut forged = time_bank::category_totals(&e.c.store, "gardening").expect("store");
    forged.minutes += 1;
    let key = crate::state::records::key(
        crate::state::records::table::TIME_CATEGORY_TOTALS,
        b"gardening",
    );
    crate::state::StoreMut::put(
        &mut e.c.store,
        key,
        crate::codec::Canonical::to_bytes(&forged),
    );
    let problems = crate::economy::audit(&e.c.store).expect("store");
    assert_eq!(
        problems,
        vec!["the time bank totals of gardening differ from its records".to_string()]
    );
}

#[derive(Clone, Debug)]
enum Step {
    Log(u8, Vec<u8>, u32),
    Received(u8, u8, u32),
    Confirm(u8, usize),
    /// The `j`th share's confirmer of a recent record confirms.
    ConfirmShare(usize, usize),
    Decline(u8, usize),
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    let who = 1u8..=4;
    let minutes = prop_oneof![4 => 1u32..=180, 1 => 0u32..=1500];
    let recent = 0usize..6;
    prop_oneof![
        3 => (who.clone(), prop::collection::vec(1u8..=4, 1..4), minutes.clone())
            .prop_map(|(a, r, m)| Step::Log(a, r, m)),
        2 => (who.clone(), who.clone(), minutes).prop_map(|(a, p, m)| Step::Received(a, p, m)),
        3 => (who.clone(), recent.clone()).prop_map(|(a, i)| Step::Confirm(a, i)),
        3 => (recent.clone(), 0usize..3).prop_map(|(i, j)| Step::ConfirmShare(i, j)),
        1 => (who, recent).prop_map(|(a, i)| Step::Decline(a, i)),
        2 => prop_oneof![3 => 1u64..(3 * DAY), 1 => 1u64..(20 * DAY)].prop_map(Step::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every share is paid at most once, only after the other party's
    /// accepted confirmation, and each member's balance is exactly what
    /// the confirmed shares moved; Σ = 0 and every floor holds after
    /// every step (`Econ::check`), and replay rebuilds the state.
    #[test]
    fn shares_are_paid_once_and_only_when_the_other_party_confirms(
        steps in prop::collection::vec(step(), 1..40)
    ) {
        let rules = Rules { credit_limit: kc(3), ..Rules::default() };
        let rate = rules.time_bank_kc_per_hour;
        let mut e = Econ::new(4, rules);
        let mut ids: Vec<Hash> = Vec::new();
        // (record, confirmer) of every accepted confirmation.
        let mut confirmed: Vec<(Hash, PublicKey)> = Vec::new();
        for step in steps {
            match step {
                Step::Log(a, r, m) => {
                    if let Some(id) = e.attempt(a, log(&r, m, "gardening")) {
                        ids.push(id);
                    }
                }
                Step::Received(a, p, m) => {
                    if let Some(id) = e.attempt(a, received(p, m, "cooking")) {
                        ids.push(id);
                    }
                }
                Step::Confirm(..) | Step::ConfirmShare(..) | Step::Decline(..)
                    if ids.is_empty() => {}
                Step::ConfirmShare(i, j) => {
                    let id = ids[ids.len() - 1 - i % ids.len()];
                    let r = record(&e, id);
                    let who = r.confirmer(&r.shares[j % r.shares.len()]);
                    let a = (1..=4u8).find(|n| key(*n) == who).expect("a member");
                    if e.attempt(a, confirm(id)).is_some() {
                        confirmed.push((id, who));
                    }
                }
                Step::Confirm(a, i) => {
                    let id = ids[ids.len() - 1 - i % ids.len()];
                    if e.attempt(a, confirm(id)).is_some() {
                        confirmed.push((id, key(a)));
                    }
                }
                Step::Decline(a, i) => {
                    let id = ids[ids.len() - 1 - i % ids.len()];
                    let _ = e.attempt(a, decline(id));
                }
                Step::Wait(ms) => {
                    e.wait(ms);
                }
            }
            let mut expected: BTreeMap<PublicKey, i64> = BTreeMap::new();
            for id in &ids {
                let r = record(&e, *id);
                for s in &r.shares {
                    let confirms = confirmed
                        .iter()
                        .filter(|(c, who)| c == id && *who == r.confirmer(s))
                        .count();
                    if s.state == ShareState::Confirmed {
                        prop_assert_eq!(confirms, 1, "one accepted confirmation per paid share");
                        prop_assert_eq!(s.paid, share_value(r.minutes, rate));
                        *expected.entry(r.provider).or_default() += s.paid.0;
                        *expected.entry(s.member).or_default() -= s.paid.0;
                    } else {
                        prop_assert_eq!(confirms, 0);
                        prop_assert_eq!(s.paid, Kc::ZERO);
                    }
                }
            }
            for who in 1..=4u8 {
                let want = expected.get(&key(who)).copied().unwrap_or(0);
                prop_assert_eq!(e.member(who), Kc(want));
            }
        }
        sound(&e);
    }
}
