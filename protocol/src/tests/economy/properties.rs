//! Property tests: under random sequences of economy actions and the
//! passing of time, Σ balances stays zero, no pool, treasury or member
//! goes below its floor, nothing is paid twice or beyond what was
//! approved, a refused action changes nothing, and replaying the logs
//! rebuilds the state byte for byte.

use proptest::prelude::*;

use super::*;
use crate::action::{AidAction, InsuranceAction, LedgerAction};
use crate::economy::Approval;
use crate::economy::aid;
use crate::economy::insurance::{self, Cover, Terms};
use crate::governance::{Proposal, ProposalKind, Subject};
use crate::state::ApplyError;

impl Econ {
    /// `who` tries an action: accepted, or refused with nothing changed.
    fn try_act(&mut self, who: u8, body: ActionBody) -> bool {
        let action = self.sign(who, body);
        let before = self.c.store.map.clone();
        let entries = self.c.entries.len();
        match self.c.submit(action) {
            Ok(()) => {
                self.check();
                true
            }
            Err(ApplyError::Rejected(_)) => {
                assert!(
                    self.c.store.map == before,
                    "a refused action changed the state"
                );
                assert_eq!(self.c.entries.len(), entries);
                *self.nonces.get_mut(&who).expect("a member") -= 1;
                false
            }
            Err(e) => panic!("not a rejection: {e}"),
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    Pay(u8, u8, i64),
    Contribute(u8, bool, i64),
    Ask(u8, bool, i64),
    Withdraw(u8),
    Assess(u8, usize, bool),
    Vote(u8, usize, bool),
    Enrol(u8),
    Leave(u8),
    Claim(u8, i64),
    AssessClaim(u8, usize, bool),
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    let who = 1u8..=5;
    // Mostly amounts a pool can pay, sometimes more than anyone can.
    let amount = prop_oneof![4 => 1i64..150_000, 1 => 1i64..2_000_000];
    // Mostly the latest requests and claims, which are still open.
    let recent = prop_oneof![3 => Just(usize::MAX), 1 => 0usize..8];
    prop_oneof![
        2 => (who.clone(), who.clone(), amount.clone()).prop_map(|(a, b, k)| Step::Pay(a, b, k)),
        3 => (who.clone(), any::<bool>(), amount.clone())
            .prop_map(|(a, p, k)| Step::Contribute(a, p, k)),
        3 => (who.clone(), any::<bool>(), amount.clone()).prop_map(|(a, p, k)| Step::Ask(a, p, k)),
        1 => who.clone().prop_map(Step::Withdraw),
        4 => (1u8..=2, recent.clone(), prop::bool::weighted(0.8))
            .prop_map(|(a, i, y)| Step::Assess(a, i, y)),
        3 => (who.clone(), recent.clone(), prop::bool::weighted(0.8))
            .prop_map(|(a, i, y)| Step::Vote(a, i, y)),
        2 => who.clone().prop_map(Step::Enrol),
        1 => who.clone().prop_map(Step::Leave),
        2 => (who.clone(), amount).prop_map(|(a, k)| Step::Claim(a, k)),
        3 => (1u8..=2, recent, prop::bool::weighted(0.8))
            .prop_map(|(a, i, y)| Step::AssessClaim(a, i, y)),
        3 => prop_oneof![3 => 1u64..(3 * DAY), 1 => 1u64..(40 * DAY)].prop_map(Step::Wait),
    ]
}

/// Five members, basic income on, the emergency pool decided by vote, a
/// second aid pool and a health pool decided by assessors 1 and 2.
fn economy() -> (Econ, Hash, Hash, Hash) {
    let mut rules = quick_rules();
    rules.basic_income = Some(kc(20));
    rules.treasury_credit = kc(150);
    rules.levy = 200;
    rules.aid.cooldown = Millis::days(3);
    let mut e = Econ::new(5, rules);
    let assessors = vec![keypair(1).public(), keypair(2).public()];
    let pool = |subject| {
        ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: None,
            title: "A pool".into(),
            text: String::new(),
            options: vec![],
            subject,
        })))
    };
    let aid_id = e.ok(
        1,
        pool(Subject::AidPool {
            name: "tools".into(),
            guidelines: aid::AidGuidelines {
                approval: Approval::Assessors,
                assessors: assessors.clone(),
                assessors_needed: 1,
                ..aid::AidGuidelines::default()
            },
        }),
    );
    let health = e.ok(
        1,
        pool(Subject::InsurancePool {
            name: "health".into(),
            cover: Cover::Health,
            terms: Terms {
                premium: kc(15),
                period: Millis::days(10),
                waiting: Millis::days(2),
                assessors,
                assessors_needed: 1,
                ..Terms::default()
            },
        }),
    );
    e.wait(2 * 3_600_000 + 1);
    for who in 1..=5 {
        e.ok(who, agree(aid_id));
        e.ok(who, agree(health));
    }
    e.wait(3_600_000);
    let emergency = aid::emergency_pool_id(&e.c.id);
    (e, emergency, aid_id, health)
}

/// The `i`th item from the end (`usize::MAX`: the last).
fn nth<T: Clone>(items: &[T], i: usize) -> Option<T> {
    let n = items.len();
    (n > 0).then(|| items[n - 1 - i.min(n - 1) % n].clone())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn money_is_conserved_and_paid_once(steps in prop::collection::vec(step(), 1..80)) {
        let (mut e, emergency, tools, health) = economy();
        let mut requests: Vec<Hash> = Vec::new();
        let mut claims: Vec<Hash> = Vec::new();
        for s in steps {
            let key = |who: u8| keypair(who).public();
            match s {
                Step::Pay(a, b, k) => {
                    e.try_act(a, ActionBody::Ledger(LedgerAction::Transfer {
                        to: key(b), amount: Kc(k), memo: String::new(),
                    }));
                }
                Step::Contribute(a, p, k) => {
                    let pool = if p { emergency } else { tools };
                    e.try_act(a, ActionBody::Aid(AidAction::Contribute { pool, amount: Kc(k) }));
                }
                Step::Ask(a, p, k) => {
                    let pool = if p { emergency } else { tools };
                    let body = ActionBody::Aid(AidAction::Request {
                        pool, amount: Kc(k), reason: String::new(),
                    });
                    let action = e.sign(a, body);
                    let id = action.id();
                    *e.nonces.get_mut(&a).expect("member") -= 1;
                    if e.try_act(a, action.action.body) {
                        requests.push(id);
                    }
                }
                Step::Withdraw(a) => {
                    if let Some(request) = requests.iter().rev().find(|r| {
                        aid::request(&e.c.store, r).ok().flatten().is_some_and(|q| q.member == key(a))
                    }) {
                        e.try_act(a, ActionBody::Aid(AidAction::Withdraw { request: *request }));
                    }
                }
                Step::Assess(a, i, y) => {
                    if let Some(request) = nth(&requests, i) {
                        e.try_act(a, ActionBody::Aid(AidAction::Assess { request, approve: y }));
                    }
                }
                Step::Vote(a, i, y) => {
                    if let Some(request) = nth(&requests, i) {
                        e.try_act(a, if y { agree(request) } else { disagree(request) });
                    }
                }
                Step::Enrol(a) => {
                    e.try_act(a, ActionBody::Insurance(InsuranceAction::Enrol { pool: health }));
                }
                Step::Leave(a) => {
                    e.try_act(a, ActionBody::Insurance(InsuranceAction::Leave { pool: health }));
                }
                Step::Claim(a, k) => {
                    let body = ActionBody::Insurance(InsuranceAction::Claim {
                        pool: health, amount: Kc(k), reason: String::new(), evidence: None,
                    });
                    let action = e.sign(a, body);
                    let id = action.id();
                    *e.nonces.get_mut(&a).expect("member") -= 1;
                    if e.try_act(a, action.action.body) {
                        claims.push(id);
                    }
                }
                Step::AssessClaim(a, i, y) => {
                    if let Some(claim) = nth(&claims, i) {
                        e.try_act(a, ActionBody::Insurance(InsuranceAction::Assess { claim, approve: y }));
                    }
                }
                Step::Wait(ms) => {
                    e.wait(ms);
                }
            }
        }
        // Nothing paid twice or beyond what was approved, and every pool's
        // record of what it paid matches its requests and claims.
        for pool in aid::pools(&e.c.store).expect("store") {
            let mut paid = 0i64;
            for r in aid::requests(&e.c.store).expect("store").iter().filter(|r| r.pool == pool.id) {
                prop_assert!(r.paid.0 >= 0 && r.paid <= r.amount);
                prop_assert_eq!(r.paid == r.amount, r.status == aid::RequestStatus::Paid);
                paid += r.paid.0;
            }
            prop_assert_eq!(pool.stats.paid, Kc(paid));
        }
        for pool in insurance::pools(&e.c.store).expect("store") {
            let mut paid = 0i64;
            for c in insurance::claims(&e.c.store).expect("store").iter().filter(|c| c.pool == pool.id) {
                prop_assert!(c.paid.0 >= 0 && c.paid <= c.amount);
                paid += c.paid.0;
            }
            prop_assert_eq!(pool.stats.paid, Kc(paid));
        }
        let months = crate::economy::income::months(&e.c.store).expect("store");
        let mut labels: Vec<u32> = months.iter().map(|m| m.month).collect();
        labels.dedup();
        prop_assert_eq!(labels.len(), months.len(), "a month paid twice");
        e.replays();
    }
}
