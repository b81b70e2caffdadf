//! Proposal lifecycles with an injected clock (stages of seconds), ballots,
//! reviews, nominations and delegations.

use crate::action::{ActionBody, GovernanceAction, LedgerAction};
use crate::community::{Method, ProposalDurations, Rules};
use crate::crypto::Keypair;
use crate::governance::{
    Ballot, Level, Position, Project, Proposal, ProposalKind, ProposalRef, Scope, Stage, Subject,
    YesNo,
};
use crate::state::Rejection;
use crate::state::governance::{self, ProposalRecord};
use crate::test::{Community, keypair};
use crate::units::{Kc, Millis, Timestamp};

use super::membership::{accept, admit, refuse};

/// Rules whose stages last seconds.
pub(super) fn quick_rules() -> Rules {
    let s = Millis::secs;
    Rules {
        durations: ProposalDurations {
            policy_discussion: s(10),
            policy_deliberation: s(5),
            policy_voting: s(5),
            policy_implementation: s(1),
            budget: s(30),
            technical: s(20),
            technical_reviews: 2,
            emergency: s(5),
            election_nominations: s(5),
            election_campaign: s(5),
            election_voting: s(5),
            membership: s(5),
        },
        ..Rules::default()
    }
}

/// Three founders (council) and a member; nonces continue from `next`.
pub(super) struct Gov {
    pub(super) c: Community,
    pub(super) people: [Keypair; 4],
    nonces: [u64; 4],
}

impl Gov {
    pub(super) fn new(rules: Rules) -> Gov {
        let people = [keypair(1), keypair(2), keypair(3), keypair(4)];
        let mut c = Community::new(&[&people[0], &people[1], &people[2]], rules);
        admit(&mut c, &people[0], 1, &people[3]);
        Gov {
            c,
            people,
            nonces: [10; 4],
        }
    }

    pub(super) fn nonce(&mut self, who: usize) -> u64 {
        self.nonces[who] += 1;
        self.nonces[who]
    }

    pub(super) fn ok(&mut self, who: usize, body: ActionBody) {
        let nonce = self.nonce(who);
        let key = self.people[who].clone();
        accept(&mut self.c, &key, nonce, body);
    }

    pub(super) fn no(&mut self, who: usize, body: ActionBody) -> Rejection {
        let nonce = self.nonce(who);
        let key = self.people[who].clone();
        refuse(&mut self.c, &key, nonce, body)
    }

    /// Proposes and returns the reference (the proposal id is the action id).
    pub(super) fn propose(&mut self, who: usize, proposal: Proposal) -> ProposalRef {
        let nonce = self.nonce(who);
        let key = self.people[who].clone();
        let action = self.c.action(
            &key,
            nonce,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
        );
        let id = action.id();
        self.c.submit(action).expect("proposal accepted");
        ProposalRef {
            id,
            level: Level::Local,
        }
    }

    pub(super) fn record(&self, r: &ProposalRef) -> ProposalRecord {
        governance::proposal(&self.c.store, &r.id)
            .expect("read")
            .expect("proposal exists")
    }

    /// Moves the clock so that the next entry is sealed `secs` after creation.
    pub(super) fn at(&mut self, r: &ProposalRef, secs: u64) {
        let created = self.record(r).created;
        self.c.time = Timestamp(created.0 + secs * 1000 - 1);
    }
}

pub(super) fn question(kind: ProposalKind, title: &str) -> Proposal {
    Proposal {
        kind,
        level: Level::Local,
        topic: None,
        title: title.into(),
        text: "We will…".into(),
        options: vec![],
        subject: Subject::Question,
    }
}

pub(super) fn vote(r: ProposalRef, ballot: Ballot) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Vote {
        proposal: r,
        ballot,
    })
}

#[test]
fn a_policy_moves_from_discussion_to_voting_to_closed_and_only_its_author_amends_early() {
    let mut g = Gov::new(quick_rules());
    let r = g.propose(3, question(ProposalKind::Policy, "Quiet hours"));
    let record = g.record(&r);
    assert_eq!(record.method, Method::Consensus);
    assert_eq!(record.stage_at(record.created), Stage::Discussion);
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Amend {
            proposal: r,
            text: "From 22:00.".into(),
        }),
    );
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Amend {
                proposal: r,
                text: "x".into()
            })
        )
        .code(),
        "not_author"
    );
    let early = g.no(0, vote(r, Ballot::Consensus(Position::Agree)));
    assert!(matches!(
        early,
        Rejection::WrongStage {
            stage: Stage::Discussion,
            ..
        }
    ));
    g.at(&r, 12);
    assert_eq!(
        g.record(&r).stage_at(Timestamp(g.c.time.0 + 1)),
        Stage::Deliberation
    );
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Amend {
            proposal: r,
            text: "From 23:00.".into(),
        }),
    );
    g.at(&r, 16);
    g.ok(0, vote(r, Ballot::Consensus(Position::Disagree)));
    // A later ballot replaces the earlier one.
    g.ok(0, vote(r, Ballot::Consensus(Position::Agree)));
    g.ok(
        1,
        vote(r, Ballot::Consensus(Position::Block("noise".into()))),
    );
    let wrong_form = g.no(2, vote(r, Ballot::YesNo(YesNo::Yes)));
    assert_eq!(wrong_form.code(), "invalid_ballot");
    let empty_block = g.no(2, vote(r, Ballot::Consensus(Position::Block(" ".into()))));
    assert_eq!(empty_block.code(), "invalid_ballot");
    assert_eq!(
        g.no(
            3,
            ActionBody::Governance(GovernanceAction::Amend {
                proposal: r,
                text: "late".into()
            })
        )
        .code(),
        "wrong_stage"
    );
    let ballots = governance::ballots(&g.c.store, &r.id).expect("ballots");
    assert_eq!(ballots.len(), 2);
    let first = ballots
        .iter()
        .find(|b| b.voter == g.people[0].public())
        .expect("founder voted");
    assert_eq!(first.ballot, Ballot::Consensus(Position::Agree));
    let record = g.record(&r);
    assert_eq!(record.proposal.text, "From 23:00.");
    assert_eq!(record.amendments, 2);
    g.at(&r, 21);
    let closed = g.no(2, vote(r, Ballot::Consensus(Position::Agree)));
    assert!(matches!(
        closed,
        Rejection::WrongStage {
            stage: Stage::Closed,
            ..
        }
    ));
}

#[test]
fn a_withdrawn_proposal_takes_no_ballots_and_only_before_voting() {
    let mut g = Gov::new(quick_rules());
    let r = g.propose(3, question(ProposalKind::Policy, "Bike shed"));
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Withdraw { proposal: r })
        )
        .code(),
        "not_author"
    );
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Withdraw { proposal: r }),
    );
    g.at(&r, 16);
    let refused = g.no(0, vote(r, Ballot::Consensus(Position::Agree)));
    assert!(matches!(
        refused,
        Rejection::WrongStage {
            stage: Stage::Closed,
            ..
        }
    ));
    let late = g.propose(3, question(ProposalKind::Policy, "Late"));
    g.at(&late, 16);
    assert_eq!(
        g.no(
            3,
            ActionBody::Governance(GovernanceAction::Withdraw { proposal: late })
        )
        .code(),
        "wrong_stage"
    );
}

#[test]
fn a_technical_vote_opens_after_enough_approving_reviews_by_reviewers() {
    let mut g = Gov::new(quick_rules());
    let r = g.propose(
        0,
        question(ProposalKind::Technical, "Switch the node to QUIC"),
    );
    let review = |approve| {
        ActionBody::Governance(GovernanceAction::Review {
            proposal: r,
            approve,
            comment: "read it".into(),
        })
    };
    assert_eq!(
        g.no(0, review(true)).code(),
        "not_eligible",
        "authors do not review"
    );
    assert_eq!(g.no(3, review(true)).code(), "not_council");
    assert_eq!(
        g.no(3, vote(r, Ballot::Consensus(Position::Agree))).code(),
        "wrong_stage"
    );
    g.ok(1, review(true));
    g.ok(2, review(false));
    assert_eq!(g.record(&r).vote_opened, None, "one approval of two");
    g.ok(2, review(true));
    let opened = g.record(&r).vote_opened.expect("the vote opened");
    g.ok(3, vote(r, Ballot::Consensus(Position::Agree)));
    // Amending resets the reviews: they approved the old text. (The stage
    // is voting now, so it is too late to amend.)
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Amend {
                proposal: r,
                text: "v2".into()
            })
        )
        .code(),
        "wrong_stage"
    );
    assert!(opened > g.record(&r).created);
}

#[test]
fn budgets_take_projects_during_submission_and_approvals_of_them() {
    let mut g = Gov::new(quick_rules());
    let mut p = question(ProposalKind::Budget, "Summer budget");
    p.subject = Subject::Budget {
        budget: Kc::whole(1000),
        projects: vec![Project {
            name: "Benches".into(),
            cost: Kc::whole(300),
        }],
    };
    let r = g.propose(3, p);
    assert_eq!(g.record(&r).method, Method::Budgeting);
    let project = |name: &str, kc| {
        ActionBody::Governance(GovernanceAction::SubmitProject {
            proposal: r,
            project: Project {
                name: name.into(),
                cost: Kc::whole(kc),
            },
        })
    };
    g.ok(1, project("Tool shed", 600));
    assert_eq!(
        g.no(2, project("Benches", 10)).code(),
        "invalid_proposal",
        "names are distinct"
    );
    assert_eq!(
        g.no(2, project("Pool", 5000)).code(),
        "invalid_proposal",
        "over the budget"
    );
    g.at(&r, 25);
    assert_eq!(g.no(2, project("Late", 1)).code(), "wrong_stage");
    g.ok(2, vote(r, Ballot::Approval(vec![1, 0])));
    assert_eq!(
        g.no(1, vote(r, Ballot::Approval(vec![2]))).code(),
        "invalid_ballot"
    );
    assert_eq!(
        g.no(1, vote(r, Ballot::Approval(vec![0, 0]))).code(),
        "invalid_ballot"
    );
    assert_eq!(g.record(&r).projects().len(), 2);
}

#[test]
fn elections_take_nominations_then_ranked_ballots_over_the_nominees() {
    let mut g = Gov::new(quick_rules());
    let mut p = question(ProposalKind::Election, "Council 2027");
    p.subject = Subject::Election { seats: 2 };
    let r = g.propose(0, p);
    let nominate = |who: &Keypair| {
        ActionBody::Governance(GovernanceAction::Nominate {
            proposal: r,
            candidate: who.public(),
        })
    };
    let (a, b) = (g.people[1].clone(), g.people[3].clone());
    g.ok(0, nominate(&a));
    g.ok(3, nominate(&b));
    assert_eq!(g.no(2, nominate(&a)).code(), "already_nominated");
    assert_eq!(g.no(2, nominate(&keypair(77))).code(), "not_a_member");
    g.at(&r, 6);
    assert_eq!(
        g.no(2, nominate(&g.people[2].clone())).code(),
        "wrong_stage"
    );
    g.at(&r, 11);
    g.ok(2, vote(r, Ballot::Ranked(vec![1, 0])));
    assert_eq!(
        g.no(1, vote(r, Ballot::Ranked(vec![2]))).code(),
        "invalid_ballot"
    );
    assert_eq!(g.record(&r).nominees, vec![a.public(), b.public()]);
    let too_many = {
        let mut p = question(ProposalKind::Election, "Too many");
        p.subject = Subject::Election { seats: 99 };
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(p))),
        )
    };
    assert_eq!(too_many.code(), "invalid_proposal");
}

#[test]
fn emergencies_are_raised_and_decided_by_the_council_only() {
    let mut g = Gov::new(quick_rules());
    let refused = g.no(
        3,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(question(
            ProposalKind::Emergency,
            "Flood",
        )))),
    );
    assert_eq!(refused.code(), "not_council");
    let r = g.propose(0, question(ProposalKind::Emergency, "Flood"));
    assert_eq!(g.record(&r).method, Method::Council);
    g.ok(1, vote(r, Ballot::YesNo(YesNo::Yes)));
    assert_eq!(
        g.no(3, vote(r, Ballot::YesNo(YesNo::Yes))).code(),
        "not_eligible"
    );
}

/// Rules where local proposals are decided by quadratic voting with
/// `credits` voice credits (the network level keeps its own 100).
fn quadratic_rules(credits: u32) -> Rules {
    let mut rules = quick_rules();
    rules.local.method = Method::Quadratic;
    rules.local.voice_credits = credits;
    rules
}

/// A local quadratic proposal over four gardens, in its voting stage.
fn gardens(g: &mut Gov) -> ProposalRef {
    let mut p = question(ProposalKind::Policy, "Which garden");
    p.options = ["North", "South", "East", "West"]
        .map(String::from)
        .to_vec();
    let r = g.propose(0, p);
    assert_eq!(g.record(&r).method, Method::Quadratic);
    g.at(&r, 16);
    r
}

/// The proposal's count as it stands.
fn quadratic_count(g: &Gov, r: &ProposalRef) -> crate::tally::choice::QvReport {
    let ctx = crate::state::Context::load(&g.c.store, g.c.time).expect("context");
    let (report, _) = crate::state::decide::count(&g.c.store, &ctx, &g.record(r)).expect("count");
    match report {
        crate::state::decide::Report::Quadratic(report) => report,
        other => panic!("not a quadratic count: {other:?}"),
    }
}

#[test]
fn quadratic_ballots_must_fit_the_local_voice_credit_budget_the_tally_applies() {
    // 50 local credits while the network has 100: the local budget is the
    // one a local ballot is checked against, as the tally counts it.
    let mut g = Gov::new(quadratic_rules(50));
    assert_eq!(g.c.genesis.rules.network.voice_credits, 100);
    let r = gardens(&mut g);
    // 5² + 5² = 50 fits exactly; 5² + 5² + 1² = 51 is one credit over.
    g.ok(1, vote(r, Ballot::Quadratic(vec![5, -5, 0, 0])));
    let over = g.no(2, vote(r, Ballot::Quadratic(vec![5, 5, 1, 0])));
    assert_eq!(
        over,
        Rejection::OverBudget {
            cost: 51,
            budget: 50
        }
    );
    // Votes whose squares do not even sum within 2¹²⁸ are refused in
    // words, without a panic (debug) or a cost wrapped to 0 (release).
    let huge = g.no(2, vote(r, Ballot::Quadratic(vec![i64::MIN; 4])));
    assert_eq!(huge, Rejection::Unpriceable { budget: 50 });
    assert_eq!(huge.code(), "over_budget");
    assert!(huge.to_string().contains("too large to price"), "{huge}");
    assert_eq!(
        g.no(2, vote(r, Ballot::Quadratic(vec![1]))).code(),
        "invalid_ballot"
    );
    // The accepted ballot is counted in full, at its price.
    let report = quadratic_count(&g, &r);
    assert_eq!(
        report.costs,
        std::collections::BTreeMap::from([(g.people[1].public(), 50)])
    );
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(
        (report.options[0].for_votes, report.options[1].against_votes),
        (5, 5)
    );
}

mod quadratic_agreement {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::tally::choice::{QvBallot, QvQuestion, QvRules, quadratic};
    use crate::tests::codec::config;

    /// Vote counts around every edge: small ones near the budget, and
    /// extremes whose squares overflow.
    fn votes() -> impl Strategy<Value = i64> {
        prop_oneof![
            6 => -10i64..=10,
            1 => Just(i64::MIN),
            1 => Just(i64::MAX),
            1 => any::<i64>(),
        ]
    }

    proptest! {
        #![proptest_config(config(48))]

        /// Any ballot the state machine accepts is counted in full by the
        /// tally; any it refuses, the tally's own validation refuses too.
        #[test]
        fn the_state_machine_accepts_exactly_what_the_tally_counts(
            credits in 0u32..150,
            ballots in prop::collection::vec(prop::collection::vec(votes(), 3..=5), 4),
        ) {
            let mut g = Gov::new(quadratic_rules(credits));
            let r = gardens(&mut g);
            let record = g.record(&r);
            // The tally's terms, built here from the rules rather than
            // taken from the state machine.
            let question = QvQuestion { options: 4, allow_negative: true, seed: record.id };
            let rules = QvRules::from(&g.c.genesis.rules.local);
            let mut accepted = BTreeMap::new();
            for (who, votes) in ballots.iter().enumerate() {
                let nonce = g.nonce(who);
                let key = g.people[who].clone();
                let action = g.c.action(&key, nonce, vote(r, Ballot::Quadratic(votes.clone())));
                let voter = key.public();
                let ballot = BTreeMap::from([(voter, QvBallot { votes: votes.clone() })]);
                let alone = quadratic::tally(
                    &question, &ballot, &[voter].into(), &BTreeMap::new(), &rules,
                );
                match g.c.submit(action) {
                    Ok(()) => {
                        prop_assert!(alone.rejected.is_empty(), "{:?}", alone.rejected);
                        accepted.insert(voter, votes.clone());
                    }
                    Err(crate::state::ApplyError::Rejected(rejection)) => {
                        let refused = alone.rejected.get(&voter);
                        prop_assert!(refused.is_some(), "the tally counts {votes:?}, refused as {rejection}");
                        prop_assert_eq!(Rejection::from(*refused.unwrap()), rejection);
                    }
                    Err(other) => prop_assert!(false, "not a rejection: {other}"),
                }
            }
            if accepted.is_empty() {
                // Nothing accepted, nothing counted: the vote has no ballots.
                let ctx = crate::state::Context::load(&g.c.store, g.c.time).expect("context");
                let (report, _) = crate::state::decide::count(&g.c.store, &ctx, &record).expect("count");
                prop_assert_eq!(report, crate::state::decide::Report::NoBallots);
                return Ok(());
            }
            let report = quadratic_count(&g, &r);
            prop_assert!(report.rejected.is_empty(), "{:?}", report.rejected);
            prop_assert_eq!(report.costs.len(), accepted.len());
            for (voter, votes) in &accepted {
                prop_assert_eq!(report.costs.get(voter).copied(), quadratic::cost(votes));
            }
            // Counted in full: every accepted vote is in the totals.
            for (option, total) in report.options.iter().enumerate() {
                let sum = |positive: bool| -> u128 {
                    accepted
                        .values()
                        .map(|v| v[option])
                        .filter(|v| (*v > 0) == positive && *v != 0)
                        .map(|v| u128::from(v.unsigned_abs()))
                        .sum()
                };
                prop_assert_eq!((total.for_votes, total.against_votes), (sum(true), sum(false)));
            }
        }
    }
}

#[test]
fn delegations_are_scoped_revocable_and_kept_in_history() {
    let mut g = Gov::new(quick_rules());
    let (a, b, c) = (
        g.people[1].public(),
        g.people[2].public(),
        g.people[3].public(),
    );
    let whole = Scope::level(Level::Local);
    let budgets = Scope::kind(Level::Local, ProposalKind::Budget);
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: whole.clone(),
            to: Some(a),
        }),
    );
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: budgets.clone(),
            to: Some(b),
        }),
    );
    let follows = |g: &Gov, kind| {
        governance::effective_delegate(&g.c.store, &c, Level::Local, kind, None).expect("read")
    };
    assert_eq!(follows(&g, ProposalKind::Policy), Some(a));
    assert_eq!(
        follows(&g, ProposalKind::Budget),
        Some(b),
        "the most specific scope wins"
    );
    g.ok(
        3,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: budgets.clone(),
            to: None,
        }),
    );
    assert_eq!(follows(&g, ProposalKind::Budget), Some(a));
    assert_eq!(
        g.no(
            3,
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: whole.clone(),
                to: Some(c)
            })
        )
        .code(),
        "self_delegation"
    );
    assert_eq!(
        g.no(
            3,
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: whole.clone(),
                to: Some(keypair(99).public())
            })
        )
        .code(),
        "unknown_recipient"
    );
    let network = Scope::level(Level::Network);
    assert_eq!(
        g.no(
            3,
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: network.clone(),
                to: Some(a)
            })
        )
        .code(),
        "level_not_available"
    );
    let history = governance::delegation_history(&g.c.store).expect("history");
    assert_eq!(history.len(), 3, "every change is kept");
    assert_eq!(
        governance::delegations(&g.c.store).expect("current").len(),
        1
    );
}

#[test]
fn malformed_proposals_are_refused() {
    let mut g = Gov::new(quick_rules());
    let mut one_option = question(ProposalKind::Policy, "x");
    one_option.options = vec!["only".into()];
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(one_option)))
        )
        .code(),
        "invalid_proposal"
    );
    let untitled = question(ProposalKind::Policy, " ");
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(untitled)))
        )
        .code(),
        "invalid_proposal"
    );
    let mut mismatched = question(ProposalKind::Budget, "x");
    mismatched.subject = Subject::Question;
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(mismatched)))
        )
        .code(),
        "invalid_proposal"
    );
    let mut regional = question(ProposalKind::Policy, "x");
    regional.level = Level::Network;
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(regional)))
        )
        .code(),
        "level_not_available"
    );
    let mut admit_member = question(ProposalKind::Membership, "Admit Dana");
    admit_member.subject = Subject::Membership {
        member: g.people[3].public(),
    };
    assert_eq!(
        g.no(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(admit_member)))
        )
        .code(),
        "already_member"
    );
}

// ---------------------------------------------------------------------------
// Closing: the node's Close record, recomputed by the state machine.

pub(super) mod closing {
    use super::*;
    use crate::log::{EntryBody, LogKind, NodeRecord, SignedEntry};
    use crate::state::decide::{self, Report, Verdict};
    use crate::state::{self, ApplyError, Context, MemoryStore, StateRead};

    /// Seals the Close record a node would seal for `r`, at the current time.
    pub(in crate::tests) fn close(g: &mut Gov, r: &ProposalRef) -> Result<(), ApplyError> {
        close_in(&mut g.c, r)
    }

    /// [`close`] in any community.
    pub(in crate::tests) fn close_in(c: &mut Community, r: &ProposalRef) -> Result<(), ApplyError> {
        let time = Timestamp(c.time.0 + 1);
        let ctx = Context::load(&c.store, time).expect("context");
        let record = governance::proposal(&c.store, &r.id)
            .expect("read")
            .expect("proposal exists");
        let result = decide::close_result(&c.store, &ctx, &record)?;
        c.append(
            LogKind::Local,
            EntryBody::Records(vec![NodeRecord::Close {
                proposal: r.id,
                result,
            }]),
        )
    }

    pub(in crate::tests) fn decided(g: &Gov, r: &ProposalRef) -> decide::Decision {
        decided_in(&g.c, r)
    }

    /// [`decided`] in any community.
    pub(in crate::tests) fn decided_in(c: &Community, r: &ProposalRef) -> decide::Decision {
        decide::decision(&c.store, &r.id)
            .expect("read")
            .expect("decided")
    }

    /// Every entry, re-verified and re-applied from genesis, gives the same state.
    pub(in crate::tests) fn assert_replays(g: &Gov) {
        assert_replays_in(&g.c);
    }

    /// [`assert_replays`] for any community.
    pub(in crate::tests) fn assert_replays_in(c: &Community) {
        let mut store = MemoryStore::default();
        let mut heads = [None, None];
        for entry in &c.entries {
            let slot = entry.entry.log.kind as usize;
            let verified = SignedEntry::clone(entry)
                .verify(&entry.entry.log, heads[slot].as_ref(), &c.node.public())
                .expect("verifies");
            state::apply_entry(&mut store, &verified).expect("applies");
            heads[slot] = Some(verified.head());
        }
        assert_eq!(store, c.store, "replaying the logs rebuilds the state");
    }

    #[test]
    fn a_consensus_passes_or_fails_by_its_rules_and_closes_once_on_time() {
        let mut g = Gov::new(quick_rules());
        let pass = g.propose(3, question(ProposalKind::Policy, "Compost"));
        let block = g.propose(3, question(ProposalKind::Policy, "Parking"));
        assert!(
            matches!(close(&mut g, &pass), Err(ApplyError::Misfit(_))),
            "not before the end"
        );
        g.at(&pass, 16);
        for who in 0..4 {
            g.ok(who, vote(pass, Ballot::Consensus(Position::Agree)));
        }
        for who in 0..3 {
            g.ok(who, vote(block, Ballot::Consensus(Position::Agree)));
        }
        g.ok(
            3,
            vote(block, Ballot::Consensus(Position::Block("no space".into()))),
        );
        g.at(&pass, 21);
        close(&mut g, &pass).expect("closes");
        close(&mut g, &block).expect("closes");
        assert_eq!(decided(&g, &pass).verdict, Verdict::Passed);
        assert_eq!(decided(&g, &block).verdict, Verdict::Failed);
        match decided(&g, &block).report {
            Report::Consensus(report) => assert_eq!(report.counts.block, 1),
            other => panic!("expected a consensus report, got {other:?}"),
        }
        assert!(
            matches!(close(&mut g, &pass), Err(ApplyError::Misfit(_))),
            "only once"
        );
        // A record claiming another result is refused.
        let other = g.propose(0, question(ProposalKind::Policy, "Other"));
        g.at(&other, 21);
        let forged = NodeRecord::Close {
            proposal: other.id,
            result: crate::crypto::Hash([1; 32]),
        };
        assert!(matches!(
            g.c.append(LogKind::Local, EntryBody::Records(vec![forged])),
            Err(ApplyError::Misfit(_))
        ));
        assert_replays(&g);
    }

    #[test]
    fn delegated_weight_follows_the_delegation_as_it_stood_at_the_close() {
        let mut g = Gov::new(quick_rules());
        let whole = Scope::level(Level::Local);
        let r = g.propose(0, question(ProposalKind::Policy, "Library hours"));
        let founder = g.people[0].public();
        g.ok(
            3,
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: whole.clone(),
                to: Some(founder),
            }),
        );
        g.ok(
            1,
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: whole.clone(),
                to: Some(founder),
            }),
        );
        g.at(&r, 16);
        g.ok(0, vote(r, Ballot::Consensus(Position::Agree)));
        g.ok(2, vote(r, Ballot::Consensus(Position::Disagree)));
        // Member 1 votes directly: that overrides their delegation.
        g.ok(1, vote(r, Ballot::Consensus(Position::Disagree)));
        g.at(&r, 21);
        // Revoking after the end changes nothing.
        g.ok(
            3,
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: whole.clone(),
                to: None,
            }),
        );
        close(&mut g, &r).expect("closes");
        match decided(&g, &r).report {
            Report::Consensus(report) => {
                assert_eq!(report.delegation.weight_of(&founder), 2);
                assert_eq!(report.counts.agree, 2);
                assert_eq!(report.counts.disagree, 2);
            }
            other => panic!("expected a consensus report, got {other:?}"),
        }
        assert_eq!(
            decided(&g, &r).verdict,
            Verdict::Failed,
            "50 % is below 80 %"
        );
        assert_replays(&g);
    }

    #[test]
    fn an_election_seats_the_council_it_elects() {
        let mut g = Gov::new(quick_rules());
        let mut p = question(ProposalKind::Election, "Council");
        p.subject = Subject::Election { seats: 2 };
        let r = g.propose(0, p);
        let candidates = [
            g.people[1].public(),
            g.people[2].public(),
            g.people[3].public(),
        ];
        for c in candidates {
            g.ok(
                0,
                ActionBody::Governance(GovernanceAction::Nominate {
                    proposal: r,
                    candidate: c,
                }),
            );
        }
        g.at(&r, 11);
        g.ok(0, vote(r, Ballot::Ranked(vec![2, 0])));
        g.ok(1, vote(r, Ballot::Ranked(vec![2, 1])));
        g.ok(2, vote(r, Ballot::Ranked(vec![0, 2])));
        g.ok(3, vote(r, Ballot::Ranked(vec![0, 1])));
        g.at(&r, 16);
        close(&mut g, &r).expect("closes");
        let elected = match decided(&g, &r).verdict {
            Verdict::Elected(elected) => elected,
            other => panic!("expected an election result, got {other:?}"),
        };
        assert_eq!(elected.len(), 2);
        let council: Vec<_> =
            g.c.store
                .members()
                .expect("members")
                .into_iter()
                .filter(|m| m.on_council())
                .map(|m| m.key)
                .collect();
        assert_eq!(council.len(), 2);
        for key in &elected {
            assert!(council.contains(key));
        }
        assert!(
            !council.contains(&g.people[0].public()),
            "the old council gave way"
        );
        assert_eq!(g.c.store.roster().expect("roster").council, 2);
        assert_replays(&g);
    }

    #[test]
    fn a_membership_vote_admits_and_a_budget_funds_and_a_withdrawal_decides_nothing() {
        let mut g = Gov::new(quick_rules());
        let newcomer = keypair(42).public();
        let mut p = question(ProposalKind::Membership, "Admit Ezra");
        p.subject = Subject::Membership { member: newcomer };
        let admit = g.propose(0, p);
        let mut b = question(ProposalKind::Budget, "Budget");
        b.subject = Subject::Budget {
            budget: Kc::whole(1000),
            projects: vec![
                Project {
                    name: "Oven".into(),
                    cost: Kc::whole(700),
                },
                Project {
                    name: "Paint".into(),
                    cost: Kc::whole(200),
                },
                Project {
                    name: "Roof".into(),
                    cost: Kc::whole(900),
                },
            ],
        };
        let budget = g.propose(1, b);
        let gone = g.propose(2, question(ProposalKind::Policy, "Gone"));
        g.ok(
            2,
            ActionBody::Governance(GovernanceAction::Withdraw { proposal: gone }),
        );
        g.at(&admit, 1);
        for who in 0..4 {
            g.ok(who, vote(admit, Ballot::Consensus(Position::Agree)));
        }
        g.at(&budget, 25);
        g.ok(0, vote(budget, Ballot::Approval(vec![0, 1])));
        g.ok(1, vote(budget, Ballot::Approval(vec![0])));
        g.ok(2, vote(budget, Ballot::Approval(vec![1, 2])));
        g.ok(3, vote(budget, Ballot::Approval(vec![0, 1])));
        g.at(&budget, 31);
        for r in [admit, budget, gone] {
            close(&mut g, &r).expect("closes");
        }
        assert_eq!(decided(&g, &admit).verdict, Verdict::Passed);
        assert!(
            g.c.store.member(&newcomer).expect("read").is_some(),
            "admitted"
        );
        match decided(&g, &budget).verdict {
            Verdict::Selected(selected) => {
                assert!(selected.contains(&0) && selected.contains(&1));
                assert!(
                    !selected.contains(&2),
                    "the roof does not fit beside the oven"
                );
            }
            other => panic!("expected a selection, got {other:?}"),
        }
        assert_eq!(decided(&g, &gone).verdict, Verdict::Withdrawn);
        assert_replays(&g);
    }

    #[test]
    fn a_council_decision_suspends_a_member_whose_actions_are_then_refused_until_it_ends() {
        use crate::governance::Moderation;
        let mut g = Gov::new(quick_rules());
        let member = g.people[3].public();
        let until = Timestamp(g.c.time.0 + 60_000);
        let mut p = question(ProposalKind::Emergency, "Suspend for harassment");
        p.text = "Repeated harassment in the garden chat.".into();
        p.subject = Subject::Moderation {
            action: Moderation::Suspend { member, until },
        };
        let refused = g.no(
            3,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(p.clone()))),
        );
        assert_eq!(
            refused.code(),
            "not_council",
            "moderation is a council decision"
        );
        let r = g.propose(0, p);
        let hide_target = r.id;
        let mut h = question(ProposalKind::Emergency, "Hide the post");
        h.text = "Doxxing.".into();
        h.subject = Subject::Moderation {
            action: Moderation::Hide {
                content: hide_target,
            },
        };
        let hide = g.propose(0, h);
        for who in 0..3 {
            g.ok(who, vote(r, Ballot::YesNo(YesNo::Yes)));
            g.ok(who, vote(hide, Ballot::YesNo(YesNo::Yes)));
        }
        g.at(&hide, 6);
        close(&mut g, &r).expect("closes");
        close(&mut g, &hide).expect("closes");
        assert_eq!(decided(&g, &r).verdict, Verdict::Passed);
        let pay = ActionBody::Ledger(LedgerAction::Transfer {
            to: g.people[0].public(),
            amount: Kc(1),
            memo: String::new(),
        });
        let refusal = g.no(3, pay.clone());
        assert_eq!(refusal, Rejection::Suspended { who: member, until });
        assert_eq!(refusal.code(), "suspended");
        let hidden = decide::hidden(&g.c.store, &hide_target)
            .expect("read")
            .expect("hidden");
        assert_eq!(hidden.proposal, hide.id);
        // When the suspension ends the member acts again.
        g.c.time = until;
        g.ok(3, pay);
        assert_replays(&g);
    }
}

fn comment(r: ProposalRef, text: &str, reply_to: Option<u32>) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Comment {
        proposal: r,
        text: text.into(),
        reply_to,
    })
}

#[test]
fn comments_form_a_numbered_thread_until_the_vote_opens() {
    let mut g = Gov::new(quick_rules());
    let r = g.propose(3, question(ProposalKind::Policy, "Quiet hours"));
    g.ok(0, comment(r, "Why 22:00?", None));
    g.ok(3, comment(r, "Children sleep by then.", Some(1)));
    let codes = [
        (comment(r, "  \n", None), "invalid_comment"),
        (comment(r, "to nowhere", Some(3)), "invalid_comment"),
        (comment(r, "to nothing", Some(0)), "invalid_comment"),
        (
            comment(r, &"x".repeat(crate::governance::MAX_COMMENT_LEN + 1), None),
            "text_too_long",
        ),
        (
            comment(
                ProposalRef {
                    id: crate::crypto::Hash([7; 32]),
                    level: Level::Local,
                },
                "lost",
                None,
            ),
            "unknown_proposal",
        ),
        (
            comment(
                ProposalRef {
                    id: r.id,
                    level: Level::Network,
                },
                "far",
                None,
            ),
            "level_not_available",
        ),
    ];
    for (body, code) in codes {
        assert_eq!(g.no(1, body).code(), code);
    }
    // Deliberation is still a discussion; voting is not.
    g.at(&r, 12);
    g.ok(1, comment(r, "Agreed, with weekends at 23:00.", Some(2)));
    g.at(&r, 16);
    assert_eq!(g.no(2, comment(r, "late", None)).code(), "wrong_stage");

    let thread = governance::comments(&g.c.store, &r.id, 0, 100).expect("thread");
    let summary: Vec<_> = thread
        .iter()
        .map(|c| (c.number, c.author, c.reply_to, c.text.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, g.people[0].public(), None, "Why 22:00?"),
            (2, g.people[3].public(), Some(1), "Children sleep by then."),
            (
                3,
                g.people[1].public(),
                Some(2),
                "Agreed, with weekends at 23:00."
            ),
        ]
    );
    assert_eq!(
        governance::comment_count(&g.c.store, &r.id).expect("count"),
        3
    );
    let page = governance::comments(&g.c.store, &r.id, 1, 1).expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].number, 2);
    assert!(
        governance::comments(&g.c.store, &r.id, u32::MAX, 10)
            .expect("past the end")
            .is_empty()
    );
}
