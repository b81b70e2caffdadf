//! Insurance pools: enrolment, premiums by `Due`, lapse after the grace,
//! the waiting period, caps, assessment and payout once.

use super::*;
use crate::action::InsuranceAction;
use crate::economy::Approval;
use crate::economy::insurance::{
    self, ClaimStatus, Cover, EnrolmentStatus, InsuranceRejection, Terms,
};
use crate::governance::{Proposal, ProposalKind, Subject};

/// A community of `n` with a health pool created by vote (assessors:
/// members 1 and 2, one needed), and the pool's id.
fn with_pool(n: u8, terms: Terms) -> (Econ, Hash) {
    let mut e = Econ::new(n, quick_rules());
    let id = e.ok(
        1,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: None,
            title: "Health".into(),
            text: String::new(),
            options: vec![],
            subject: Subject::InsurancePool {
                name: "health".into(),
                cover: Cover::Health,
                terms,
            },
        }))),
    );
    e.wait(2 * 3_600_000 + 1);
    for who in 1..=n {
        e.ok(who, agree(id));
    }
    e.wait(3_600_000);
    assert!(insurance::pool(&e.c.store, &id).expect("store").is_some());
    (e, id)
}

fn terms() -> Terms {
    Terms {
        premium: kc(10),
        period: Millis::days(30),
        waiting: Millis::days(10),
        cap_per_claim: kc(100),
        cap_per_year: kc(150),
        approval: Approval::Assessors,
        assessors: vec![keypair(1).public(), keypair(2).public()],
        assessors_needed: 1,
        decision_time: Millis::days(3),
    }
}

fn enrol(pool: Hash) -> ActionBody {
    ActionBody::Insurance(InsuranceAction::Enrol { pool })
}

fn claim(pool: Hash, amount: Kc) -> ActionBody {
    ActionBody::Insurance(InsuranceAction::Claim {
        pool,
        amount,
        reason: "a broken arm".into(),
        evidence: Some(Hash::of("test evidence", b"x-ray.png")),
    })
}

fn assess(claim: Hash, approve: bool) -> ActionBody {
    ActionBody::Insurance(InsuranceAction::Assess { claim, approve })
}

fn claim_of(e: &Econ, id: Hash) -> insurance::Claim {
    insurance::claim(&e.c.store, &id)
        .expect("store")
        .expect("a claim")
}

fn enrolment(e: &Econ, pool: Hash, who: u8) -> insurance::Enrolment {
    insurance::enrolment(&e.c.store, &pool, &keypair(who).public())
        .expect("store")
        .expect("enrolled")
}

#[test]
fn enrolment_pays_premiums_each_period_by_due() {
    let (mut e, pool) = with_pool(3, terms());
    e.ok(3, enrol(pool));
    assert_eq!(
        e.member(3),
        kc(-10),
        "the first premium is paid on enrolling"
    );
    assert_eq!(e.no(3, enrol(pool)).code(), "already_enrolled");
    let since = enrolment(&e, pool, 3).since;
    e.at(since.plus(Millis::days(30)));
    assert_eq!(e.member(3), kc(-20));
    e.at(since.plus(Millis::days(60)));
    assert_eq!(e.member(3), kc(-30));
    assert_eq!(e.balance(Account::Pool(pool)), kc(30));
    let p = insurance::pool(&e.c.store, &pool)
        .expect("store")
        .expect("pool");
    assert_eq!((p.stats.members, p.stats.premiums), (1, kc(30)));
    // Leaving stops the premiums.
    e.ok(3, ActionBody::Insurance(InsuranceAction::Leave { pool }));
    e.at(since.plus(Millis::days(95)));
    assert_eq!(e.member(3), kc(-30));
    e.replays();
}

#[test]
fn a_member_who_cannot_pay_lapses_after_the_grace_and_is_told_why() {
    let (mut e, pool) = with_pool(3, terms());
    e.ok(3, enrol(pool));
    // Member 3 spends to their credit limit.
    e.ok(
        3,
        ActionBody::Ledger(crate::action::LedgerAction::Transfer {
            to: keypair(2).public(),
            amount: kc(990),
            memo: String::new(),
        }),
    );
    let since = enrolment(&e, pool, 3).since;
    e.at(since.plus(Millis::days(30)));
    let owed = enrolment(&e, pool, 3);
    assert_eq!(owed.status, EnrolmentStatus::Active);
    assert_eq!(owed.owed_since, Some(since.plus(Millis::days(30))));
    // Premiums are not current: no claim.
    e.at(since.plus(Millis::days(31)));
    let r = e.no(3, claim(pool, kc(5)));
    assert_eq!(r.code(), "premiums_not_current");
    // Seven days of grace (retried daily), then the cover lapses.
    e.at(since.plus(Millis::days(37)));
    let lapsed = enrolment(&e, pool, 3);
    let EnrolmentStatus::Lapsed { reason, .. } = &lapsed.status else {
        panic!("expected a lapse, got {:?}", lapsed.status);
    };
    assert!(reason.contains("could not be paid"), "{reason}");
    let r = e.no(3, claim(pool, kc(5)));
    assert_eq!(r.code(), "not_enrolled");
    assert!(r.to_string().contains("lapsed"), "{r}");
    assert_eq!(e.member(3), kc(-1000), "no premium taken below the floor");
    // Re-enrolling needs the premium again.
    assert_eq!(e.no(3, enrol(pool)).code(), "insufficient_funds");
    e.replays();
}

#[test]
fn claims_need_the_waiting_period_and_respect_the_caps() {
    let (mut e, pool) = with_pool(4, terms());
    for who in [2, 3, 4] {
        e.ok(who, enrol(pool));
    }
    let since = enrolment(&e, pool, 3).since;
    let r = e.no(3, claim(pool, kc(10)));
    assert_eq!(
        r,
        Rejection::Insurance(InsuranceRejection::WaitingPeriod {
            until: since.plus(Millis::days(10))
        })
    );
    e.at(since.plus(Millis::days(10)));
    assert_eq!(e.no(3, claim(pool, kc(101))).code(), "over_claim_cap");
    assert_eq!(e.no(1, claim(pool, kc(5))).code(), "not_enrolled");
    let first = e.ok(3, claim(pool, kc(100)));
    assert_eq!(e.no(3, claim(pool, kc(5))).code(), "open_claim_exists");
    // The pool holds 30 KC of premiums: paid as far as it goes.
    e.ok(1, assess(first, true));
    let c = claim_of(&e, first);
    assert_eq!((c.status, c.paid), (ClaimStatus::Approved, kc(30)));
    // The annual cap counts what was granted.
    let r = e.no(3, claim(pool, kc(60)));
    assert_eq!(
        r,
        Rejection::Insurance(InsuranceRejection::OverAnnualCap {
            cap: kc(150),
            used: kc(100)
        })
    );
    let second = e.ok(3, claim(pool, kc(50)));
    // Nobody assesses their own claim: member 2 claims, 2 may not assess.
    let other = e.ok(2, claim(pool, kc(20)));
    assert_eq!(e.no(2, assess(other, true)).code(), "own_claim");
    e.ok(2, assess(second, false));
    assert_eq!(
        claim_of(&e, second).status,
        ClaimStatus::Open,
        "1 of 2 refused"
    );
    e.ok(1, assess(second, false));
    assert_eq!(claim_of(&e, second).status, ClaimStatus::Rejected);
    // Premiums arriving pay the line, first approved first.
    e.at(since.plus(Millis::days(30)).plus(Millis(10)));
    let c = claim_of(&e, first);
    assert_eq!(c.paid, kc(60));
    assert_eq!(e.balance(Account::Pool(pool)), kc(0));
    // A claim nobody assesses in time is refused.
    e.at(since.plus(Millis::days(33)));
    assert_eq!(claim_of(&e, other).status, ClaimStatus::Rejected);
    let p = insurance::pool(&e.c.store, &pool)
        .expect("store")
        .expect("pool");
    assert_eq!(
        (p.stats.claims, p.stats.processed, p.stats.approved),
        (3, 3, 1)
    );
    assert_eq!(p.stats.outstanding, kc(40));
    let (paid, premiums) = p.stats.year_figures(e.now());
    assert_eq!((paid, premiums), (kc(60), kc(60)));
    // The community's analytics count the same, month by month: premiums,
    // claims decided and paid; the payout ratio over twelve months is the
    // pool's; three members are enrolled.
    let now = crate::economy::income::month_index(e.now());
    let report = crate::analytics::report(&e.c.store, now, now).expect("report");
    let mut counts = crate::analytics::MonthCounts::default();
    for month in crate::economy::income::month_index(since)..=now {
        counts.add(
            &crate::analytics::month_counts(&e.c.store, month)
                .expect("counts")
                .1,
        );
    }
    assert_eq!((counts.premiums, counts.claims_paid), (kc(60), kc(60)));
    assert_eq!(counts.claims_processed, 3);
    let figures = &report.months[0].figures;
    assert_eq!(figures.insurance_members, 3);
    assert_eq!(
        figures.payout_ratio.as_ref().map(|r| r.shown.as_str()),
        Some("100.0%")
    );
    e.replays();
}

#[test]
fn a_vote_decided_claim_excludes_the_claimant() {
    let mut t = terms();
    t.approval = Approval::CommunityVote;
    t.waiting = Millis(0);
    let (mut e, pool) = with_pool(3, t);
    e.ok(2, enrol(pool));
    e.ok(3, enrol(pool));
    let id = e.ok(3, claim(pool, kc(15)));
    assert_eq!(e.no(3, agree(id)).code(), "not_eligible");
    e.ok(1, agree(id));
    e.ok(2, agree(id));
    e.wait(3 * DAY);
    let c = claim_of(&e, id);
    assert_eq!((c.status, c.paid), (ClaimStatus::Paid, kc(15)));
    assert_eq!(e.member(3), kc(5));
    e.replays();
}

#[test]
fn pools_with_invalid_terms_are_refused_when_proposed() {
    let mut e = Econ::new(2, quick_rules());
    for bad in [
        Terms {
            premium: Kc(0),
            ..terms()
        },
        Terms {
            cap_per_year: kc(50),
            ..terms()
        },
        Terms {
            assessors_needed: 3,
            ..terms()
        },
    ] {
        let r = e.no(
            1,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
                kind: ProposalKind::Policy,
                level: Level::Local,
                topic: None,
                title: "Bad".into(),
                text: String::new(),
                options: vec![],
                subject: Subject::InsurancePool {
                    name: "bad".into(),
                    cover: Cover::Care,
                    terms: bad,
                },
            }))),
        );
        assert_eq!(r.code(), "invalid_pool");
    }
}
