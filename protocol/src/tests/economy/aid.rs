//! Mutual-aid pools: contributions, requests decided by vote, council or
//! assessors, payment once and in line, cooldowns and refusals.

use super::*;
use crate::action::AidAction;
use crate::economy::Approval;
use crate::economy::aid::{self, AidGuidelines, AidRejection, RequestStatus};
use crate::governance::{Proposal, ProposalKind, Subject};

fn emergency(e: &Econ) -> Hash {
    aid::emergency_pool_id(&e.c.id)
}

fn contribute(pool: Hash, amount: Kc) -> ActionBody {
    ActionBody::Aid(AidAction::Contribute { pool, amount })
}

fn ask(pool: Hash, amount: Kc) -> ActionBody {
    ActionBody::Aid(AidAction::Request {
        pool,
        amount,
        reason: "the roof leaks".into(),
    })
}

fn assess(request: Hash, approve: bool) -> ActionBody {
    ActionBody::Aid(AidAction::Assess { request, approve })
}

fn request(e: &Econ, id: Hash) -> aid::AidRequest {
    aid::request(&e.c.store, &id)
        .expect("store")
        .expect("a request")
}

fn pool(e: &Econ, id: Hash) -> aid::AidPool {
    aid::pool(&e.c.store, &id).expect("store").expect("a pool")
}

#[test]
fn the_emergency_pool_exists_from_genesis_with_the_rules_guidelines() {
    let e = Econ::new(1, Rules::default());
    let pools = aid::pools(&e.c.store).expect("store");
    assert_eq!(pools.len(), 1);
    assert!(pools[0].emergency);
    assert_eq!(pools[0].id, emergency(&e));
    let ctx = state::Context::load(&e.c.store, e.now()).expect("context");
    assert_eq!(pools[0].guidelines(&ctx.rules), &AidGuidelines::default());
    assert_eq!(pools[0].guidelines(&ctx.rules).max_request, kc(500));
}

#[test]
fn a_request_approved_by_vote_is_paid_once() {
    let mut e = Econ::new(4, Rules::default());
    let pool_id = emergency(&e);
    e.ok(1, contribute(pool_id, kc(300)));
    e.ok(2, contribute(pool_id, kc(100)));
    assert_eq!(e.balance(Account::Pool(pool_id)), kc(400));
    let id = e.ok(3, ask(pool_id, kc(250)));
    assert_eq!(request(&e, id).status, RequestStatus::Open);
    // The requester never decides their own request.
    let r = e.no(3, agree(id));
    assert_eq!(r.code(), "not_eligible");
    e.ok(1, agree(id));
    e.ok(2, agree(id));
    e.ok(4, agree(id));
    // Nothing is paid before the vote closes.
    assert_eq!(e.member(3), kc(0));
    assert_eq!(e.wait(DAY), 0);
    assert_eq!(e.wait(DAY), 1, "the close is sealed when the vote ends");
    let r = request(&e, id);
    assert_eq!(r.status, RequestStatus::Paid);
    assert_eq!(r.paid, kc(250));
    assert_eq!(e.member(3), kc(250));
    assert_eq!(e.balance(Account::Pool(pool_id)), kc(150));
    // Nothing more falls due for it: it was paid once.
    assert_eq!(e.wait(DAY), 0);
    assert_eq!(e.member(3), kc(250));
    let p = pool(&e, pool_id);
    assert_eq!(
        (p.stats.requests, p.stats.approved, p.stats.paid_in_full),
        (1, 1, 1)
    );
    assert_eq!(p.stats.paid, kc(250));
    assert_eq!(p.stats.contributed, kc(400));
    let paid_at = r.paid_in_full.expect("paid");
    assert_eq!(p.stats.response_ms, paid_at.0 - r.created.0);
    assert!(p.stats.response_ms >= 2 * DAY);
    e.replays();
}

#[test]
fn a_refused_request_closes_unpaid_and_starts_no_cooldown() {
    let mut e = Econ::new(3, Rules::default());
    let pool_id = emergency(&e);
    e.ok(1, contribute(pool_id, kc(500)));
    let id = e.ok(2, ask(pool_id, kc(100)));
    e.ok(1, disagree(id));
    e.ok(3, disagree(id));
    e.wait(2 * DAY);
    assert_eq!(request(&e, id).status, RequestStatus::Rejected);
    assert_eq!(e.member(2), kc(0));
    // Refused, so no cooldown: the member may ask again at once.
    e.ok(2, ask(pool_id, kc(100)));
    e.replays();
}

#[test]
fn one_open_request_per_member_and_pool_and_the_maximum_holds() {
    let mut e = Econ::new(2, Rules::default());
    let pool_id = emergency(&e);
    let r = e.no(2, ask(pool_id, kc(501)));
    assert_eq!(
        r,
        Rejection::Aid(AidRejection::OverMaxRequest { max: kc(500) })
    );
    let id = e.ok(2, ask(pool_id, kc(500)));
    let r = e.no(2, ask(pool_id, kc(1)));
    assert_eq!(
        r,
        Rejection::Aid(AidRejection::OpenRequestExists { request: id })
    );
    assert_eq!(r.code(), "open_request_exists");
    for bad in [Kc(0), Kc(-5)] {
        assert_eq!(e.no(1, ask(pool_id, bad)).code(), "invalid_amount");
    }
    assert_eq!(e.no(1, ask(Hash([9; 32]), kc(1))).code(), "unknown_pool");
    assert_eq!(
        e.no(1, contribute(pool_id, kc(1001))).code(),
        "insufficient_funds"
    );
    // Withdrawn by its requester only; then the member may ask again.
    let w = ActionBody::Aid(AidAction::Withdraw { request: id });
    assert_eq!(e.no(1, w.clone()).code(), "not_requester");
    e.ok(2, w.clone());
    assert_eq!(request(&e, id).status, RequestStatus::Withdrawn);
    assert_eq!(e.no(2, w).code(), "request_not_open");
    e.ok(2, ask(pool_id, kc(10)));
    // The withdrawn request's vote closes as withdrawn on the next tick.
    assert_eq!(e.wait(1), 1);
    e.replays();
}

#[test]
fn an_approved_request_waits_for_money_first_come_first_served() {
    let mut rules = Rules::default();
    rules.aid.approval = Approval::Assessors;
    rules.aid.assessors = vec![
        keypair(1).public(),
        keypair(2).public(),
        keypair(3).public(),
    ];
    rules.aid.assessors_needed = 2;
    let mut e = Econ::new(5, rules);
    let pool_id = emergency(&e);
    e.ok(1, contribute(pool_id, kc(100)));
    let first = e.ok(4, ask(pool_id, kc(300)));
    let second = e.ok(5, ask(pool_id, kc(50)));
    // Not an assessor; nobody assesses twice; the requester never does.
    assert_eq!(e.no(5, assess(first, true)).code(), "not_assessor");
    e.ok(1, assess(first, true));
    assert_eq!(e.no(1, assess(first, true)).code(), "already_assessed");
    assert_eq!(request(&e, first).status, RequestStatus::Open);
    e.ok(2, assess(first, true));
    // Approved: paid as far as the pool goes; the rest waits.
    let r = request(&e, first);
    assert_eq!((r.status, r.paid), (RequestStatus::Approved, kc(100)));
    assert_eq!(e.balance(Account::Pool(pool_id)), kc(0));
    e.ok(1, assess(second, true));
    e.ok(3, assess(second, true));
    // The second waits behind the first, though it is smaller.
    assert_eq!(request(&e, second).paid, kc(0));
    e.ok(3, contribute(pool_id, kc(220)));
    assert_eq!(request(&e, first).status, RequestStatus::Paid);
    assert_eq!(request(&e, second).paid, kc(20));
    e.ok(2, contribute(pool_id, kc(100)));
    assert_eq!(request(&e, second).status, RequestStatus::Paid);
    assert_eq!(e.balance(Account::Pool(pool_id)), kc(70));
    assert_eq!((e.member(4), e.member(5)), (kc(300), kc(50)));
    let p = pool(&e, pool_id);
    assert_eq!((p.stats.approved, p.stats.paid_in_full), (2, 2));
    assert_eq!(p.stats.outstanding, kc(0));
    assert!(
        aid::waiting(&e.c.store, &pool_id)
            .expect("store")
            .is_empty()
    );
    e.replays();
}

#[test]
fn assessors_who_cannot_reach_k_refuse_and_time_runs_out() {
    let mut rules = Rules::default();
    rules.aid.approval = Approval::Assessors;
    rules.aid.assessors = vec![
        keypair(1).public(),
        keypair(2).public(),
        keypair(3).public(),
    ];
    rules.aid.assessors_needed = 2;
    let mut e = Econ::new(4, rules);
    let pool_id = emergency(&e);
    let id = e.ok(4, ask(pool_id, kc(10)));
    e.ok(1, assess(id, false));
    e.ok(2, assess(id, false));
    assert_eq!(request(&e, id).status, RequestStatus::Rejected);
    // An assessor who asks is never their own assessor.
    let own = e.ok(3, ask(pool_id, kc(10)));
    assert_eq!(e.no(3, assess(own, true)).code(), "own_request");
    // Nobody decides in time: refused by a `Due` at the deadline.
    e.ok(1, assess(own, true));
    assert_eq!(e.wait(2 * DAY - 10), 0);
    assert_eq!(e.wait(20), 1);
    assert_eq!(request(&e, own).status, RequestStatus::Rejected);
    e.replays();
}

#[test]
fn a_granted_request_starts_the_cooldown() {
    let mut rules = Rules::default();
    rules.aid.approval = Approval::Council;
    let mut e = Econ::new(3, rules);
    let pool_id = emergency(&e);
    e.ok(2, contribute(pool_id, kc(500)));
    let id = e.ok(3, ask(pool_id, kc(100)));
    // Only the council decides.
    let yes = ActionBody::Governance(GovernanceAction::Vote {
        proposal: local(id),
        ballot: Ballot::YesNo(crate::governance::YesNo::Yes),
    });
    assert_eq!(e.no(2, yes.clone()).code(), "not_eligible");
    e.ok(1, yes);
    e.wait(2 * DAY);
    let granted = e.now();
    assert_eq!(request(&e, id).status, RequestStatus::Paid);
    let r = e.no(3, ask(pool_id, kc(10)));
    assert_eq!(
        r,
        Rejection::Aid(AidRejection::CooldownActive {
            until: granted.plus(Millis::days(30))
        })
    );
    e.at(granted.plus(Millis::days(30)));
    e.ok(3, ask(pool_id, kc(10)));
    e.replays();
}

#[test]
fn pools_are_created_by_vote_with_their_own_guidelines() {
    let mut e = Econ::new(2, quick_rules());
    let guidelines = AidGuidelines {
        max_request: kc(50),
        ..AidGuidelines::default()
    };
    let propose = |name: &str, guidelines: AidGuidelines| {
        ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: None,
            title: "A tools fund".into(),
            text: String::new(),
            options: vec![],
            subject: Subject::AidPool {
                name: name.into(),
                guidelines,
            },
        })))
    };
    let bad = AidGuidelines {
        max_request: Kc(0),
        ..AidGuidelines::default()
    };
    assert_eq!(e.no(1, propose("tools", bad)).code(), "invalid_pool");
    assert_eq!(
        e.no(1, propose(" ", guidelines.clone())).code(),
        "invalid_pool"
    );
    let id = e.ok(1, propose("tools", guidelines));
    assert!(aid::pool(&e.c.store, &id).expect("store").is_none());
    e.wait(2 * 3_600_000 + 1);
    e.ok(1, agree(id));
    e.ok(2, agree(id));
    e.wait(3_600_000);
    let p = pool(&e, id);
    assert_eq!(p.name, "tools");
    assert!(!p.emergency);
    assert_eq!(
        e.no(2, ask(id, kc(51))),
        Rejection::Aid(AidRejection::OverMaxRequest { max: kc(50) })
    );
    e.replays();
}
