//! Councils (DESIGN §7.1, §8) with an injected clock (terms of seconds):
//! seat terms and what an ended term takes away, the caretaker council
//! when every term has ended, replacement by an election any member may
//! propose, appointed technical reviewers, and admission by vote.

use std::collections::BTreeMap;

use crate::action::{ActionBody, GovernanceAction, LedgerAction, MembershipAction};
use crate::community::{Admission, Rules};
use crate::crypto::{Keypair, PublicKey};
use crate::governance::{Ballot, Position, Project, ProposalKind, ProposalRef, Subject, YesNo};
use crate::state::council::{self, Standing};
use crate::state::decide::{Report, Verdict};
use crate::state::{Member, Rejection, Seat, StateRead};
use crate::test::{Community, keypair, weak_key};
use crate::units::{Kc, Millis, Timestamp};

use super::governance::closing::{
    assert_replays, assert_replays_in, close, close_in, decided, decided_in,
};
use super::governance::{Gov, question, quick_rules, vote};
use super::membership::{accept, join, refuse};

/// Quick stages and council terms of ten seconds.
fn term_rules() -> Rules {
    let mut rules = quick_rules();
    rules.council.term = Millis::secs(10);
    rules
}

/// Moves the clock so that the next entry is sealed at `ms`.
fn seal_next_at(c: &mut Community, ms: u64) {
    c.time = Timestamp(ms - 1);
}

fn member(c: &Community, who: &PublicKey) -> Member {
    c.store.member(who).expect("read").expect("a member")
}

/// Each seated member's standing at `now`.
fn standings(c: &Community, now: u64) -> BTreeMap<PublicKey, Standing> {
    let members = c.store.members().expect("members");
    council::seats(&members, Timestamp(now))
        .into_iter()
        .map(|(m, _, standing)| (m.key, standing))
        .collect()
}

fn all(keys: &[PublicKey], standing: Standing) -> BTreeMap<PublicKey, Standing> {
    keys.iter().map(|k| (*k, standing)).collect()
}

/// An invite for the key of `seed`, valid for a day from the next entry.
fn invite(c: &Community, seed: u8) -> ActionBody {
    ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(seed).public(),
        expires: Timestamp(c.time.0 + 1).plus(Millis::days(1)),
    })
}

fn emergency(title: &str) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Propose(Box::new(question(
        ProposalKind::Emergency,
        title,
    ))))
}

fn review(proposal: ProposalRef, approve: bool) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Review {
        proposal,
        approve,
        comment: String::new(),
    })
}

#[test]
fn an_ended_term_gives_up_council_power_to_the_seats_still_in_term() {
    let mut g = Gov::new(term_rules());
    let founders: Vec<PublicKey> = g.people[..3].iter().map(Keypair::public).collect();
    // Founders are seated by the public genesis entry, at 1.001 s.
    let founding = Seat {
        since: Timestamp(1001),
        term_ends: Timestamp(11_001),
    };
    for f in &founders {
        assert_eq!(member(&g.c, f).seat, Some(founding));
    }
    assert_eq!(member(&g.c, &g.people[3].public()).seat, None);
    // The founder invite's claimant is seated when they claim it.
    let late = keypair(50);
    let code = g.c.founder_invite();
    seal_next_at(&mut g.c, 9_000);
    join(&mut g.c, &late, 1, &code);
    let late_seat = Seat {
        since: Timestamp(9_000),
        term_ends: Timestamp(19_000),
    };
    assert_eq!(member(&g.c, &late.public()).seat, Some(late_seat));

    // Raised while the founders are in term; it closes at 15 s, after
    // their terms have ended.
    seal_next_at(&mut g.c, 10_000);
    let flood = g.propose(0, question(ProposalKind::Emergency, "Flood"));
    g.ok(0, vote(flood, Ballot::YesNo(YesNo::Yes)));
    g.ok(1, vote(flood, Ballot::YesNo(YesNo::Yes)));
    accept(&mut g.c, &late, 2, vote(flood, Ballot::YesNo(YesNo::No)));

    // From 11.001 s the founders' seats are expired: the late member's is in term.
    seal_next_at(&mut g.c, 11_001);
    let mut expected = all(&founders, Standing::Expired);
    expected.insert(late.public(), Standing::InTerm);
    assert_eq!(standings(&g.c, 11_001), expected);
    let mut before = all(&founders, Standing::InTerm);
    before.insert(late.public(), Standing::InTerm);
    assert_eq!(standings(&g.c, 11_000), before);
    let body = invite(&g.c, 60);
    let refused = g.no(0, body);
    assert_eq!(
        refused,
        Rejection::TermExpired {
            who: founders[0],
            ended: founding.term_ends,
            what: "issue invites",
        }
    );
    assert_eq!(refused.code(), "term_expired");
    assert!(
        refused
            .to_string()
            .contains("council term ended at 1970-01-01T00:00:11.001Z"),
        "{refused}"
    );
    assert_eq!(g.no(1, emergency("Fire")).code(), "term_expired");
    let removal = ActionBody::Membership(MembershipAction::RemoveMember {
        member: g.people[3].public(),
        reason: "spam".into(),
    });
    assert_eq!(g.no(2, removal.clone()).code(), "term_expired");
    assert_eq!(
        g.no(2, vote(flood, Ballot::YesNo(YesNo::Yes))).code(),
        "term_expired"
    );
    // The member in term holds every council power.
    let body = invite(&g.c, 61);
    accept(&mut g.c, &late, 3, body);
    accept(&mut g.c, &late, 4, emergency("Fire"));

    // The council in power at the close decides: the founders' ballots,
    // cast in term, no longer count.
    seal_next_at(&mut g.c, 16_000);
    close(&mut g, &flood).expect("closes");
    let decision = decided(&g, &flood);
    assert_eq!(decision.verdict, Verdict::Failed);
    match decision.report {
        Report::Majority(report) => assert_eq!((report.yes, report.no), (0, 1)),
        other => panic!("expected a council majority, got {other:?}"),
    }

    // From 19 s every term has ended: the whole council serves on as a caretaker.
    seal_next_at(&mut g.c, 19_000);
    let mut everyone = founders.clone();
    everyone.push(late.public());
    assert_eq!(standings(&g.c, 19_000), all(&everyone, Standing::Caretaker));
    let body = invite(&g.c, 62);
    g.ok(0, body);
    g.ok(1, emergency("Storm"));
    accept(&mut g.c, &late, 5, removal);
    assert_replays(&g);
}

#[test]
fn an_election_any_member_proposes_replaces_a_caretaker_council() {
    let mut g = Gov::new(term_rules());
    let founders: Vec<PublicKey> = g.people[..3].iter().map(Keypair::public).collect();
    seal_next_at(&mut g.c, 12_000);
    assert_eq!(standings(&g.c, 12_000), all(&founders, Standing::Caretaker));

    // A member who is not on the council calls the election.
    let mut p = question(ProposalKind::Election, "Council");
    p.subject = Subject::Election { seats: 2 };
    let election = g.propose(3, p);
    let (a, b) = (g.people[1].public(), g.people[3].public());
    for candidate in [a, b] {
        g.ok(
            3,
            ActionBody::Governance(GovernanceAction::Nominate {
                proposal: election,
                candidate,
            }),
        );
    }
    g.at(&election, 11);
    for (who, ranking) in [(0, vec![0, 1]), (1, vec![0]), (2, vec![1, 0]), (3, vec![1])] {
        g.ok(who, vote(election, Ballot::Ranked(ranking)));
    }
    g.at(&election, 16);
    close(&mut g, &election).expect("closes");
    let decision = decided(&g, &election);
    assert!(matches!(decision.verdict, Verdict::Elected(ref e) if e.len() == 2));

    // The elected start a new term at the close (the re-elected founder
    // too); the others leave the council.
    let seat = Seat {
        since: decision.closed,
        term_ends: decision.closed.plus(Millis::secs(10)),
    };
    assert_eq!(member(&g.c, &a).seat, Some(seat));
    assert_eq!(member(&g.c, &b).seat, Some(seat));
    for gone in [founders[0], founders[2]] {
        assert_eq!(member(&g.c, &gone).seat, None);
    }
    assert_eq!(g.c.store.roster().expect("roster").council, 2);
    assert_eq!(
        standings(&g.c, decision.closed.0),
        all(&[a, b], Standing::InTerm)
    );
    let body = invite(&g.c, 60);
    assert_eq!(
        g.no(0, body),
        Rejection::NotCouncil {
            what: "issue invites"
        }
    );
    let body = invite(&g.c, 61);
    g.ok(3, body);
    // Their terms end in turn, and they serve on as caretakers.
    let ends = seat.term_ends.0;
    assert_eq!(standings(&g.c, ends), all(&[a, b], Standing::Caretaker));
    assert_replays(&g);
}

#[test]
fn appointed_reviewers_alone_review_technical_proposals_and_their_approvals_open_the_vote() {
    let mut rules = quick_rules();
    // A founder (people[2]) and a member off the council (people[3]).
    rules.technical_reviewers = vec![keypair(3).public(), keypair(4).public()];
    let mut g = Gov::new(rules);
    assert_eq!(g.people[2].public(), keypair(3).public());
    let r = g.propose(1, question(ProposalKind::Technical, "Move to QUIC"));
    // A council member who is not appointed may not review it.
    let refused = g.no(0, review(r, true));
    assert_eq!(refused, Rejection::NotReviewer);
    assert_eq!(refused.code(), "not_reviewer");
    g.ok(3, review(r, true));
    assert_eq!(g.record(&r).vote_opened, None, "one approval of two");
    assert_eq!(
        g.no(0, vote(r, Ballot::Consensus(Position::Agree))).code(),
        "wrong_stage"
    );
    g.ok(2, review(r, true));
    let opened = g.record(&r).vote_opened.expect("the vote opened");
    assert_eq!(opened, g.c.time, "at the second approval");
    g.ok(0, vote(r, Ballot::Consensus(Position::Agree)));

    // Appointed reviewers do not review their own proposals.
    let own = g.propose(3, question(ProposalKind::Technical, "Nightly backups"));
    assert_eq!(g.no(3, review(own, true)).code(), "not_eligible");

    // Budgets are still reviewed by the council.
    let mut b = question(ProposalKind::Budget, "Tools");
    b.subject = Subject::Budget {
        budget: Kc::whole(100),
        projects: vec![Project {
            name: "Saw".into(),
            cost: Kc::whole(40),
        }],
    };
    let budget = g.propose(1, b);
    g.at(&budget, 11);
    assert_eq!(g.no(3, review(budget, true)).code(), "not_council");
    g.ok(0, review(budget, true));
}

#[test]
fn without_appointed_reviewers_the_council_in_term_reviews() {
    let mut g = Gov::new(term_rules());
    seal_next_at(&mut g.c, 5_000);
    let r = g.propose(3, question(ProposalKind::Technical, "Move to QUIC"));
    g.ok(0, review(r, true));
    // A founder invite claimed now puts one seat in term past the founders'.
    let late = keypair(50);
    let code = g.c.founder_invite();
    join(&mut g.c, &late, 1, &code);
    seal_next_at(&mut g.c, 11_001);
    assert_eq!(g.no(1, review(r, true)).code(), "term_expired");
    accept(&mut g.c, &late, 2, review(r, true));
    assert!(g.record(&r).vote_opened.is_some());
    assert_replays(&g);
}

#[test]
fn appointed_reviewers_must_be_valid_distinct_and_enough() {
    let (k1, k2) = (keypair(9).public(), keypair(10).public());
    let check = |reviewers: Vec<PublicKey>| {
        let rules = Rules {
            technical_reviewers: reviewers,
            ..Rules::default()
        };
        rules.validate().map_err(|e| e.rule)
    };
    assert_eq!(check(vec![k1, k2]), Ok(()));
    assert_eq!(check(vec![]), Ok(()), "none: the council reviews");
    assert_eq!(check(vec![k1, k1]), Err("technical_reviewers"));
    assert_eq!(check(vec![k1, weak_key()]), Err("technical_reviewers"));
    assert_eq!(
        check(vec![k1]),
        Err("durations.technical_reviews"),
        "two approvals are needed by default: one reviewer could never open a vote"
    );
    let mut rules = Rules::default();
    rules.council.term = Millis(0);
    assert_eq!(rules.validate().map_err(|e| e.rule), Err("council.term"));
}

#[test]
fn where_the_rules_admit_by_vote_invites_are_refused_and_a_passed_proposal_admits() {
    let mut rules = quick_rules();
    rules.admission = Admission::Vote;
    let founder = keypair(1);
    let mut c = Community::new(&[&founder], rules);
    let body = invite(&c, 60);
    let refused = refuse(&mut c, &founder, 1, body);
    assert_eq!(refused, Rejection::AdmissionByVote);
    assert_eq!(refused.code(), "admission_by_vote");

    // The genesis founder invite still seats a new community's first members.
    let first = keypair(2);
    let code = c.founder_invite();
    join(&mut c, &first, 1, &code);
    assert!(member(&c, &first.public()).on_council());

    let newcomer = keypair(3);
    let mut p = question(ProposalKind::Membership, "Admit Ezra");
    p.subject = Subject::Membership {
        member: newcomer.public(),
    };
    let action = c.action(
        &founder,
        2,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(p))),
    );
    let r = ProposalRef {
        id: action.id(),
        level: crate::governance::Level::Local,
    };
    c.submit(action).expect("proposed");
    accept(
        &mut c,
        &founder,
        3,
        vote(r, Ballot::Consensus(Position::Agree)),
    );
    accept(
        &mut c,
        &first,
        2,
        vote(r, Ballot::Consensus(Position::Agree)),
    );
    // Not a member until the vote passes.
    let pay = ActionBody::Ledger(LedgerAction::Transfer {
        to: founder.public(),
        amount: Kc(1),
        memo: String::new(),
    });
    assert_eq!(
        refuse(&mut c, &newcomer, 1, pay.clone()).code(),
        "not_a_member"
    );
    let created = crate::state::governance::proposal(&c.store, &r.id)
        .expect("read")
        .expect("proposal")
        .created;
    seal_next_at(&mut c, created.0 + 6_000);
    close_in(&mut c, &r).expect("closes");
    assert_eq!(decided_in(&c, &r).verdict, Verdict::Passed);
    let admitted = member(&c, &newcomer.public());
    assert!(!admitted.on_council());
    accept(&mut c, &newcomer, 1, pay);
    assert_replays_in(&c);
}
