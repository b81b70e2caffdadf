//! Honest outcomes of a closed vote: no ballots decide nothing, a simple
//! majority is strict, a tied lead fails unless the rules draw lots, and
//! a lot is seeded by the ballots counted, not by the proposal alone.

use crate::action::{ActionBody, GovernanceAction};
use crate::community::{Method, PassWhen, Rules, Ties};
use crate::crypto::Hash;
use crate::governance::{
    Ballot, Level, Position, Project, ProposalKind, ProposalRef, Scope, Subject, YesNo,
};
use crate::state::StateRead;
use crate::state::decide::{Report, Verdict};
use crate::state::governance;
use crate::tally::{draw_order, lot_seed};
use crate::test::keypair;
use crate::units::Kc;

use super::governance::closing::{assert_replays, close, decided};
use super::governance::{Gov, question, quick_rules, vote};

/// The seed a close draws its lots from, as the tests compute it.
fn seed_of(g: &Gov, r: &ProposalRef) -> Hash {
    let ballots = governance::ballots(&g.c.store, &r.id).expect("ballots");
    lot_seed(&r.id, ballots.iter().map(|b| (&b.voter, &b.ballot)))
}

fn council(g: &Gov) -> Vec<crate::crypto::PublicKey> {
    g.c.store
        .members()
        .expect("members")
        .into_iter()
        .filter(|m| m.on_council())
        .map(|m| m.key)
        .collect()
}

#[test]
fn a_vote_with_no_ballots_decides_nothing_for_every_method() {
    let mut rules = quick_rules();
    rules.network.voice_credits = 100;
    let mut g = Gov::new(rules);
    let seated = council(&g);

    let policy = g.propose(3, question(ProposalKind::Policy, "Quiet hours"));
    // A delegation alone is not a ballot: nobody voted directly.
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(Level::Local),
            to: Some(g.people[0].public()),
        }),
    );
    let mut choice = question(ProposalKind::Policy, "Which day");
    choice.options = vec!["Monday".into(), "Friday".into()];
    let choice = g.propose(1, choice);
    assert_eq!(g.record(&choice).method, Method::Schulze);

    let newcomer = keypair(42).public();
    let mut p = question(ProposalKind::Membership, "Admit Ezra");
    p.subject = Subject::Membership { member: newcomer };
    let admit = g.propose(0, p);

    let mut b = question(ProposalKind::Budget, "Budget");
    b.subject = Subject::Budget {
        budget: Kc::whole(1000),
        projects: vec![Project {
            name: "Oven".into(),
            cost: Kc::whole(700),
        }],
    };
    let budget = g.propose(1, b);

    let mut e = question(ProposalKind::Election, "Council");
    e.subject = Subject::Election { seats: 2 };
    let election = g.propose(0, e);
    for who in [1, 3] {
        let candidate = g.people[who].public();
        g.ok(
            0,
            ActionBody::Governance(GovernanceAction::Nominate {
                proposal: election,
                candidate,
            }),
        );
    }
    let emergency = g.propose(0, {
        let mut p = question(ProposalKind::Emergency, "Close the hall");
        p.text = "Storm damage.".into();
        p
    });

    g.at(&budget, 31);
    for r in [policy, choice, admit, budget, election, emergency] {
        close(&mut g, &r).expect("closes");
        let decision = decided(&g, &r);
        assert_eq!(decision.verdict, Verdict::NoBallots, "{:?}", g.record(&r));
        assert_eq!(decision.report, Report::NoBallots);
        assert_eq!(
            decision.result,
            crate::tally::result_hash(&Report::NoBallots)
        );
    }
    // Nobody was admitted or seated, nothing funded: the council in power
    // stays.
    assert!(g.c.store.member(&newcomer).expect("read").is_none());
    assert_eq!(council(&g), seated);
    assert_replays(&g);

    // The words a client shows.
    let json = serde_json::to_value(decided(&g, &policy)).expect("json");
    assert_eq!(json["verdict"]["outcome"], "no_ballots");
    assert_eq!(json["report"]["method"], "no_ballots");
}

#[test]
fn a_quadratic_vote_with_no_ballots_is_no_ballots() {
    let mut rules = quick_rules();
    rules.local.method = Method::Quadratic;
    rules.local.voice_credits = 100;
    let mut g = Gov::new(rules);
    let r = g.propose(0, question(ProposalKind::Policy, "Solar roof"));
    g.at(&r, 21);
    close(&mut g, &r).expect("closes");
    assert_eq!(decided(&g, &r).verdict, Verdict::NoBallots);
    assert_replays(&g);
}

/// An emergency decided by the three founders (the council): one yes, one
/// no and one abstention.
fn split_council(pass_when: PassWhen) -> Verdict {
    let mut rules = quick_rules();
    rules.council.pass_when = pass_when;
    let mut g = Gov::new(rules);
    let mut p = question(ProposalKind::Emergency, "Close the hall");
    p.text = "Storm damage.".into();
    let r = g.propose(0, p);
    g.ok(0, vote(r, Ballot::YesNo(YesNo::Yes)));
    g.ok(1, vote(r, Ballot::YesNo(YesNo::No)));
    g.ok(2, vote(r, Ballot::YesNo(YesNo::Abstain)));
    g.at(&r, 6);
    close(&mut g, &r).expect("closes");
    assert_replays(&g);
    decided(&g, &r).verdict
}

#[test]
fn a_tied_council_does_not_decide_unless_its_rules_say_at_least() {
    // The council's majority is one half: by default a tie fails.
    assert_eq!(Rules::default().council.pass_when, PassWhen::Auto);
    assert_eq!(split_council(PassWhen::Auto), Verdict::Failed);
    assert_eq!(split_council(PassWhen::MoreThan), Verdict::Failed);
    assert_eq!(split_council(PassWhen::AtLeast), Verdict::Passed);
}

/// Rules where local proposals are decided by quadratic voting, with
/// `ties` for a tied lead.
fn quadratic(ties: Ties) -> Rules {
    let mut rules = quick_rules();
    rules.local.method = Method::Quadratic;
    rules.local.voice_credits = 100;
    rules.local.quorum = crate::units::Ratio::new(0, 1);
    rules.local.ties = ties;
    rules
}

/// Four gardens; members 0 and 1 put 5 votes on North and South, member 2
/// puts `third` on West (less than the tie).
fn tied_gardens(g: &mut Gov, third: Vec<i64>) -> ProposalRef {
    let mut p = question(ProposalKind::Policy, "Which garden");
    p.options = ["North", "South", "East", "West"]
        .map(String::from)
        .to_vec();
    let r = g.propose(3, p);
    g.at(&r, 16);
    g.ok(0, vote(r, Ballot::Quadratic(vec![5, 0, 0, 0])));
    g.ok(1, vote(r, Ballot::Quadratic(vec![0, 5, 0, 0])));
    g.ok(2, vote(r, Ballot::Quadratic(third)));
    g.at(&r, 21);
    r
}

#[test]
fn a_tied_quadratic_lead_fails_as_tied_unless_the_rules_draw_lots() {
    let mut g = Gov::new(quadratic(Ties::Fail));
    let r = tied_gardens(&mut g, vec![0, 0, 0, 1]);
    close(&mut g, &r).expect("closes");
    let decision = decided(&g, &r);
    assert_eq!(decision.verdict, Verdict::Tied(vec![0, 1]));
    let Report::Quadratic(report) = &decision.report else {
        panic!("a quadratic report: {:?}", decision.report);
    };
    assert_eq!((report.leader, &report.tied), (None, &vec![0, 1]));
    assert!(report.draw.is_empty(), "no lot was drawn");
    let json = serde_json::to_value(&decision).expect("json");
    assert_eq!(json["verdict"]["outcome"], "tied");
    assert_eq!(json["verdict"]["value"], serde_json::json!([0, 1]));
    assert_replays(&g);

    // With `ties = lot` the lot is drawn from the ballots' seed, and the
    // report names the tied options and the one drawn.
    let mut g = Gov::new(quadratic(Ties::Lot));
    let r = tied_gardens(&mut g, vec![0, 0, 0, 1]);
    close(&mut g, &r).expect("closes");
    let decision = decided(&g, &r);
    let Report::Quadratic(report) = &decision.report else {
        panic!("a quadratic report: {:?}", decision.report);
    };
    let drawn = draw_order(&seed_of(&g, &r), 0, &[0, 1]);
    assert_eq!(report.tied, vec![0, 1]);
    assert_eq!(report.draw, drawn);
    assert_eq!(decision.verdict, Verdict::Winner(drawn.first().copied()));
    assert_replays(&g);
}

#[test]
fn a_tied_schulze_choice_fails_as_tied_unless_the_rules_draw_lots() {
    for ties in [Ties::Fail, Ties::Lot] {
        let mut rules = quick_rules();
        rules.local.ties = ties;
        let mut g = Gov::new(rules);
        let mut p = question(ProposalKind::Policy, "Which day");
        p.options = vec!["Monday".into(), "Friday".into()];
        let r = g.propose(3, p);
        g.at(&r, 16);
        g.ok(0, vote(r, Ballot::Ranked(vec![0, 1])));
        g.ok(1, vote(r, Ballot::Ranked(vec![1, 0])));
        g.at(&r, 21);
        close(&mut g, &r).expect("closes");
        let decision = decided(&g, &r);
        let Report::Schulze(report) = &decision.report else {
            panic!("a Schulze report: {:?}", decision.report);
        };
        assert_eq!(report.unbeaten, vec![0, 1]);
        match ties {
            Ties::Fail => assert_eq!(decision.verdict, Verdict::Tied(vec![0, 1])),
            Ties::Lot => assert_eq!(decision.verdict, Verdict::Winner(report.winner)),
        }
        assert_replays(&g);
    }
}

#[test]
fn the_lot_seed_comes_from_the_ballots_counted_and_is_the_same_on_replay() {
    // Two histories that differ in one ballot cast before the close (one
    // that does not change the tie): different seeds.
    let mut a = Gov::new(quadratic(Ties::Lot));
    let ra = tied_gardens(&mut a, vec![0, 0, 0, 1]);
    let mut b = Gov::new(quadratic(Ties::Lot));
    let rb = tied_gardens(&mut b, vec![0, 0, 1, 0]);
    assert_eq!(ra.id, rb.id, "the same proposal, by the same author");
    let (seed_a, seed_b) = (seed_of(&a, &ra), seed_of(&b, &rb));
    assert_ne!(seed_a, seed_b);

    // The author cannot choose the seed by choosing the proposal: with
    // its id fixed, the seed is unknown until the ballots are in, and it
    // is not what the id alone would give.
    assert_ne!(seed_a, lot_seed(&ra.id, []));
    assert_ne!(seed_a, ra.id);

    // Each close draws from its own seed, and replaying either log
    // recomputes the same draw (the Close record's result hash).
    for (g, r, seed) in [(&mut a, ra, seed_a), (&mut b, rb, seed_b)] {
        close(g, &r).expect("closes");
        let Report::Quadratic(report) = decided(g, &r).report else {
            panic!("a quadratic report");
        };
        assert_eq!(report.draw, draw_order(&seed, 0, &[0, 1]));
        assert_replays(g);
    }

    // Casting the same ballot again (a new nonce, a later time) does not
    // re-draw: only what is counted seeds the lot.
    let mut c = Gov::new(quadratic(Ties::Lot));
    let rc = tied_gardens(&mut c, vec![0, 0, 0, 1]);
    assert_eq!(seed_of(&c, &rc), seed_a);
    c.at(&rc, 19);
    c.ok(2, vote(rc, Ballot::Quadratic(vec![0, 0, 0, 1])));
    assert_eq!(seed_of(&c, &rc), seed_a);
}

#[test]
fn a_consensus_at_exactly_its_threshold_is_strict_only_when_asked() {
    for (pass_when, want) in [
        (PassWhen::Auto, Verdict::Passed),
        (PassWhen::MoreThan, Verdict::Failed),
    ] {
        let mut rules = quick_rules();
        rules.local.threshold = crate::units::Ratio::new(3, 4);
        rules.local.pass_when = pass_when;
        let mut g = Gov::new(rules);
        let r = g.propose(3, question(ProposalKind::Policy, "Compost"));
        g.at(&r, 16);
        // 3 of 4 agree: exactly 3/4.
        for who in 0..3 {
            g.ok(who, vote(r, Ballot::Consensus(Position::Agree)));
        }
        g.ok(3, vote(r, Ballot::Consensus(Position::Disagree)));
        g.at(&r, 21);
        close(&mut g, &r).expect("closes");
        assert_eq!(decided(&g, &r).verdict, want, "{pass_when:?}");
    }
}

#[test]
fn voice_credits_beyond_the_limit_are_refused_in_the_rules() {
    let mut rules = Rules::default();
    rules.network.voice_credits = crate::community::MAX_VOICE_CREDITS;
    assert_eq!(rules.validate(), Ok(()));
    rules.network.voice_credits += 1;
    let err = rules.validate().expect_err("over the limit");
    assert_eq!(err.rule, "network.voice_credits");
}

#[test]
fn proposals_and_ballots_beyond_the_limits_are_refused_when_cast() {
    use crate::governance::MAX_OPTIONS;
    let mut rules = quadratic(Ties::Fail);
    rules.local.voice_credits = crate::community::MAX_VOICE_CREDITS;
    let mut g = Gov::new(rules);
    let options = |n: usize| (0..n).map(|i| format!("Option {i}")).collect::<Vec<_>>();
    let propose = |n| {
        let mut p = question(ProposalKind::Policy, "Names");
        p.options = options(n);
        ActionBody::Governance(GovernanceAction::Propose(Box::new(p)))
    };
    // Too many options, or a single one, is not a choice.
    assert_eq!(g.no(0, propose(MAX_OPTIONS + 1)).code(), "invalid_proposal");
    assert_eq!(g.no(0, propose(1)).code(), "invalid_proposal");
    // The most options a proposal may have; a ballot on each of them.
    let mut p = question(ProposalKind::Policy, "Names");
    p.options = options(MAX_OPTIONS);
    let r = g.propose(0, p);
    g.at(&r, 16);
    // 62 votes on every option: 62² × 256 = 984 064 credits, in budget.
    g.ok(1, vote(r, Ballot::Quadratic(vec![62; MAX_OPTIONS])));
    // One more vote on every option is over it.
    let over = g.no(2, vote(r, Ballot::Quadratic(vec![63; MAX_OPTIONS])));
    assert_eq!(over.code(), "over_budget");
    // A ballot that skips an option does not fit the question.
    let short = g.no(2, vote(r, Ballot::Quadratic(vec![1; MAX_OPTIONS - 1])));
    assert_eq!(short.code(), "invalid_ballot");
    // The accepted ballot is counted in full.
    g.at(&r, 21);
    close(&mut g, &r).expect("closes");
    let Report::Quadratic(report) = decided(&g, &r).report else {
        panic!("a quadratic report");
    };
    assert!(report.options.iter().all(|t| t.for_votes == 62));
    // Every option has the same total: the lead is tied, and fails.
    assert_eq!(report.tied.len(), MAX_OPTIONS);
    assert!(matches!(decided(&g, &r).verdict, Verdict::Tied(ref t) if t.len() == MAX_OPTIONS));
}
