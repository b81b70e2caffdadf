//! Topics: the community's list in its rules, proposals filed under one,
//! delegations scoped to one, and how a member's delegations resolve for a
//! proposal (topic, then kind, then the level) — checked against a brute
//! force that reads the history literally.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::action::{ActionBody, GovernanceAction};
use crate::community::Rules;
use crate::crypto::PublicKey;
use crate::governance::{Ballot, Level, Position, Proposal, ProposalKind, Scope, Topic, Within};
use crate::state::decide::{self, Report};
use crate::state::governance;
use crate::state::rules::{RuleChange, apply_changes};
use crate::units::Timestamp;

use super::governance::closing::{assert_replays, close, decided};
use super::governance::{Gov, question, quick_rules, vote};

fn topic(name: &str) -> Topic {
    Topic::new(name).expect("a topic name")
}

/// Quick rules listing `health`, `transport` and `housing`.
fn rules_with_topics() -> Rules {
    Rules {
        topics: vec![topic("health"), topic("transport"), topic("housing")],
        ..quick_rules()
    }
}

fn delegate(scope: Scope, to: Option<PublicKey>) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Delegate { scope, to })
}

fn filed(kind: ProposalKind, title: &str, topic: Option<Topic>) -> Proposal {
    Proposal {
        topic,
        ..question(kind, title)
    }
}

#[test]
fn the_rules_list_each_topic_once_and_a_rules_vote_changes_the_list() {
    let mut rules = rules_with_topics();
    assert_eq!(rules.validate(), Ok(()));
    rules.topics.push(topic("health"));
    let err = rules.validate().unwrap_err();
    assert_eq!(err.rule, "topics");
    let rules = Rules {
        topics: (0..65).map(|n| topic(&format!("t{n}"))).collect(),
        ..Rules::default()
    };
    assert_eq!(rules.validate().unwrap_err().rule, "topics");

    let change = |value: &str| RuleChange {
        key: "topics".into(),
        value: value.into(),
    };
    let added = apply_changes(&rules_with_topics(), &[change("health, transport, food")])
        .expect("a valid list");
    assert_eq!(
        added.topics,
        vec![topic("health"), topic("transport"), topic("food")]
    );
    let err = apply_changes(&Rules::default(), &[change("Health")]).unwrap_err();
    assert!(err.reason.contains("not a topic name"), "{err}");
}

#[test]
fn a_proposal_is_filed_under_one_of_the_community_s_topics() {
    let mut g = Gov::new(rules_with_topics());
    let r = g.propose(
        3,
        filed(ProposalKind::Policy, "Clinic hours", Some(topic("health"))),
    );
    assert_eq!(g.record(&r).proposal.topic, Some(topic("health")));
    let untopical = g.propose(3, filed(ProposalKind::Policy, "Anything", None));
    assert_eq!(g.record(&untopical).proposal.topic, None);
    let unknown = filed(ProposalKind::Policy, "Choir", Some(topic("music")));
    let before = g.c.store.clone();
    let refused = g.no(
        3,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(unknown))),
    );
    assert_eq!(refused.code(), "unknown_topic");
    assert!(refused.to_string().contains("music"), "{refused}");
    assert_eq!(g.c.store, before, "a refusal changes nothing");
}

#[test]
fn a_topic_delegation_names_a_listed_topic_and_can_always_be_revoked() {
    let mut g = Gov::new(rules_with_topics());
    let a = g.people[0].public();
    let music = Scope::topic(Level::Local, topic("music"));
    assert_eq!(
        g.no(3, delegate(music.clone(), Some(a))).code(),
        "unknown_topic"
    );
    // Taking back a delegation is never refused for its topic: the rules
    // may have dropped the topic since it was made.
    g.ok(3, delegate(music, None));
    let health = Scope::topic(Level::Local, topic("health"));
    g.ok(3, delegate(health.clone(), Some(a)));
    let current = governance::delegations(&g.c.store).expect("read");
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].scope, health);
    let me = g.people[3].public();
    let follows = |g: &Gov, kind, topic: Option<&Topic>| {
        governance::effective_delegate(&g.c.store, &me, Level::Local, kind, topic).expect("read")
    };
    assert_eq!(
        follows(&g, ProposalKind::Policy, Some(&topic("health"))),
        Some(a)
    );
    assert_eq!(
        follows(&g, ProposalKind::Policy, Some(&topic("transport"))),
        None
    );
    assert_eq!(follows(&g, ProposalKind::Policy, None), None);
}

/// The walk-through of DESIGN §7.2: Dana delegates health to Ada and
/// transport to Ben. A health proposal counts Dana with Ada's ballot, a
/// transport proposal with Ben's; Ada and Ben vote opposite ways on both.
#[test]
fn health_follows_one_delegate_and_transport_another() {
    let mut g = Gov::new(rules_with_topics());
    let (ada, ben, dana) = (
        g.people[0].public(),
        g.people[1].public(),
        g.people[3].public(),
    );
    g.ok(
        3,
        delegate(Scope::topic(Level::Local, topic("health")), Some(ada)),
    );
    g.ok(
        3,
        delegate(Scope::topic(Level::Local, topic("transport")), Some(ben)),
    );
    let clinic = g.propose(
        2,
        filed(ProposalKind::Policy, "Clinic hours", Some(topic("health"))),
    );
    let bus = g.propose(
        2,
        filed(ProposalKind::Policy, "Night bus", Some(topic("transport"))),
    );
    let other = g.propose(2, filed(ProposalKind::Policy, "Paint the hall", None));
    g.at(&clinic, 16);
    for r in [clinic, bus, other] {
        g.ok(0, vote(r, Ballot::Consensus(Position::Agree)));
        g.ok(1, vote(r, Ballot::Consensus(Position::Disagree)));
    }
    g.at(&clinic, 22);
    for r in [&clinic, &bus, &other] {
        close(&mut g, r).expect("closes");
    }
    let resolution = |r| match decided(&g, r).report {
        Report::Consensus(report) => report.delegation,
        other => panic!("expected a consensus report, got {other:?}"),
    };
    let health = resolution(&clinic);
    assert_eq!(health.represented_by.get(&dana), Some(&ada));
    assert_eq!((health.weight_of(&ada), health.weight_of(&ben)), (2, 1));
    let transport = resolution(&bus);
    assert_eq!(transport.represented_by.get(&dana), Some(&ben));
    assert_eq!(
        (transport.weight_of(&ada), transport.weight_of(&ben)),
        (1, 2)
    );
    let untopical = resolution(&other);
    assert_eq!(
        untopical.represented_by.get(&dana),
        None,
        "no topic, no delegate"
    );
    assert_replays(&g);
}

// ---------------------------------------------------------------------------
// Resolution against a brute force.

/// The scopes the property tests delegate in: the level, two kinds, and
/// three topics (two listed by the community, one not, refused).
fn scopes() -> Vec<Scope> {
    let local = Level::Local;
    vec![
        Scope::level(local),
        Scope::kind(local, ProposalKind::Policy),
        Scope::kind(local, ProposalKind::Budget),
        Scope::topic(local, topic("health")),
        Scope::topic(local, topic("transport")),
        Scope::topic(local, topic("music")),
    ]
}

/// One accepted delegation change, as the brute force reads it.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub(crate) from: PublicKey,
    pub(crate) scope: Scope,
    pub(crate) to: Option<PublicKey>,
    pub(crate) time: Timestamp,
}

/// Each member's delegate for a proposal of `kind` at `level` under
/// `topic`, closing at `at`: for each member, literally, the latest event
/// before `at` in each scope that applies, the topic's scope first, then
/// the kind's, then the level's; the first that is not a revocation.
/// `before` says whether an event at `time` counts for a close at `at`.
pub(crate) fn brute_force(
    events: &[Event],
    level: Level,
    kind: ProposalKind,
    topic: Option<&Topic>,
    at: Timestamp,
    before: fn(Timestamp, Timestamp) -> bool,
) -> BTreeMap<PublicKey, PublicKey> {
    let mut members: Vec<PublicKey> = events.iter().map(|e| e.from).collect();
    members.sort();
    members.dedup();
    let mut wanted = Vec::new();
    if let Some(topic) = topic {
        wanted.push(Within::Topic(topic.clone()));
    }
    wanted.push(Within::Kind(kind));
    wanted.push(Within::All);
    let mut out = BTreeMap::new();
    for member in members {
        for within in &wanted {
            // The last such event in history order is the latest.
            let latest = events.iter().rfind(|e| {
                e.from == member
                    && e.scope.level == level
                    && e.scope.within == *within
                    && before(e.time, at)
            });
            if let Some(Event { to: Some(to), .. }) = latest {
                out.insert(member, *to);
                break;
            }
        }
    }
    out
}

fn topic_choice() -> impl Strategy<Value = Option<Topic>> {
    prop_oneof![
        Just(None),
        Just(Some(topic("health"))),
        Just(Some(topic("transport"))),
        Just(Some(topic("housing"))),
    ]
}

fn kind_choice() -> impl Strategy<Value = ProposalKind> {
    prop::sample::select(vec![
        ProposalKind::Policy,
        ProposalKind::Budget,
        ProposalKind::Technical,
    ])
}

proptest! {
    #![proptest_config(super::codec::config(64))]

    /// Random histories of delegations and revocations over every tier of
    /// scope, and random proposals: the count's resolver says what the
    /// brute force says, at any close time, and the current delegations
    /// say the same once every change is in.
    #[test]
    fn the_local_resolver_is_the_brute_force(
        steps in prop::collection::vec(
            (0usize..4, 0usize..6, prop::option::of(0usize..4), 1u64..4),
            0..40,
        ),
        kind in kind_choice(),
        filed_under in topic_choice(),
        network in prop::bool::weighted(0.1),
        close_after in 0u64..130,
    ) {
        let mut g = Gov::new(rules_with_topics());
        let keys: Vec<PublicKey> = g.people.iter().map(|k| k.public()).collect();
        let start = g.c.time;
        let scopes = scopes();
        let mut events = Vec::new();
        for (who, scope, to, gap) in steps {
            g.c.time = Timestamp(g.c.time.0 + gap);
            let scope = scopes[scope].clone();
            let to = to.map(|i| keys[i]);
            let body = delegate(scope.clone(), to);
            let nonce = g.nonce(who);
            let action = g.c.action(&g.people[who], nonce, body);
            if g.c.submit(action).is_ok() {
                events.push(Event { from: keys[who], scope, to, time: g.c.time });
            } else {
                // Only the refusals the rules call for.
                prop_assert!(to == Some(keys[who]) || scope.topic_of() == Some(&topic("music")));
            }
        }
        let level = if network { Level::Network } else { Level::Local };
        let proposal = Proposal {
            level,
            ..filed(kind, "P", filed_under.clone())
        };
        let at = Timestamp(start.0 + close_after);
        let resolved = decide::delegations_at(&g.c.store, &proposal, at).expect("read");
        let strictly_before: fn(Timestamp, Timestamp) -> bool = |t, at| t < at;
        let expected = brute_force(&events, level, kind, filed_under.as_ref(), at, strictly_before);
        prop_assert_eq!(&resolved, &expected);
        // After every change, the current delegations agree.
        let end = Timestamp(g.c.time.0 + 1);
        let all = decide::delegations_at(&g.c.store, &proposal, end).expect("read");
        for key in &keys {
            let current = governance::effective_delegate(
                &g.c.store, key, level, kind, filed_under.as_ref(),
            ).expect("read");
            prop_assert_eq!(current, all.get(key).copied());
        }
    }
}
