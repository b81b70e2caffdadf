//! Topics across communities: a network proposal filed under a topic of
//! its proposer's community is followed by every community's delegations
//! scoped to that topic's name, and the cross-community count resolves
//! delegations exactly as the local count does (the brute force of
//! `tests::topics`).

use std::collections::BTreeSet;

use proptest::prelude::*;

use crate::action::{ActionBody, GovernanceAction};
use crate::community::Rules;
use crate::crypto::{Hash, Keypair, PublicKey};
use crate::federation::tally::Tallier;
use crate::governance::{Ballot, Level, Proposal, ProposalKind, Scope, Topic};
use crate::log::EntryBody;
use crate::state::decide::Report;
use crate::state::{ApplyError, Rejection};
use crate::test::federation::{CLOSE, Fed, GRACE, OPEN, policy, vote};
use crate::tests::topics::{Event, brute_force};
use crate::units::Timestamp;

fn topic(name: &str) -> Topic {
    Topic::new(name).expect("a topic name")
}

/// Three communities that all list `health` and `transport`.
fn fed() -> Fed {
    Fed::with_rules(
        3,
        Rules {
            topics: vec![topic("health"), topic("transport")],
            ..Rules::default()
        },
    )
}

/// Member 0 of community 0 files a network policy under `topic` at `OPEN`.
fn propose(fed: &mut Fed, topic: Option<Topic>) -> Hash {
    let proposal = Proposal {
        topic,
        ..policy(Level::Network)
    };
    fed.act(
        0,
        0,
        1,
        OPEN,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
    );
    match &fed.communities[0].entries.last().expect("entry").entry.body {
        EntryBody::Actions(actions) => actions[0].id(),
        _ => unreachable!("the proposal's entry holds actions"),
    }
}

fn delegate(scope: Scope, to: Option<PublicKey>) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Delegate { scope, to })
}

#[test]
fn a_network_proposal_and_a_delegation_name_a_topic_of_their_community() {
    let mut fed = fed();
    let mut lone = Fed::new(2);
    let author = &lone.members[0][0];
    let c = &mut lone.communities[0];
    let proposal = Proposal {
        topic: Some(topic("health")),
        ..policy(Level::Network)
    };
    let unlisted = c.action(
        author,
        1,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
    );
    assert_eq!(
        c.submit(unlisted),
        Err(ApplyError::Rejected(Rejection::UnknownTopic {
            topic: topic("health")
        }))
    );
    let to = fed.members[1][0].public();
    let c = &mut fed.communities[0];
    let music = c.action(
        &fed.members[0][1],
        1,
        delegate(Scope::topic(Level::Network, topic("music")), Some(to)),
    );
    assert!(matches!(
        c.submit(music),
        Err(ApplyError::Rejected(Rejection::UnknownTopic { .. }))
    ));
}

/// Across communities, by name: members of communities 1 and 2 delegate
/// `health` to one member and `transport` to another; a health proposal
/// of community 0 counts them with the first, a transport one with the
/// second.
#[test]
fn every_community_s_topic_delegations_follow_a_network_proposal_s_topic() {
    let mut fed = fed();
    let health = propose(&mut fed, Some(topic("health")));
    let ada = fed.members[0][1].public();
    let ben = fed.members[0][2].public();
    let net = Level::Network;
    let mut time = OPEN + 1;
    let mut act = |fed: &mut Fed, i: usize, j: usize, nonce: u64, body: ActionBody| {
        fed.act(i, j, nonce, time, body);
        time += 1;
    };
    // The transport proposal is made by community 0 too.
    let proposal = Proposal {
        topic: Some(topic("transport")),
        ..policy(net)
    };
    act(
        &mut fed,
        0,
        0,
        2,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
    );
    let transport = match &fed.communities[0].entries.last().expect("entry").entry.body {
        EntryBody::Actions(actions) => actions[0].id(),
        _ => unreachable!("the proposal's entry holds actions"),
    };
    for i in 1..3 {
        for j in 0..3 {
            act(
                &mut fed,
                i,
                j,
                2,
                delegate(Scope::topic(net, topic("health")), Some(ada)),
            );
            act(
                &mut fed,
                i,
                j,
                3,
                delegate(Scope::topic(net, topic("transport")), Some(ben)),
            );
        }
    }
    for id in [health, transport] {
        act(
            &mut fed,
            0,
            1,
            4 + u64::from(id == transport),
            vote(id, net, Ballot::Quadratic(vec![3])),
        );
        act(
            &mut fed,
            0,
            2,
            4 + u64::from(id == transport),
            vote(id, net, Ballot::Quadratic(vec![-3])),
        );
    }
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 5);
    let view = fed.view();
    let tally = Tallier::new(&view);
    let weights = |id: &Hash| {
        let result = tally
            .tally(id, Timestamp(CLOSE + GRACE + 6))
            .expect("known");
        let Report::Quadratic(qv) = &result.report.count else {
            panic!("a quadratic count: {:?}", result.report.count);
        };
        (qv.delegation.weight_of(&ada), qv.delegation.weight_of(&ben))
    };
    assert_eq!(
        weights(&health),
        (7, 1),
        "six health delegations follow Ada"
    );
    assert_eq!(
        weights(&transport),
        (1, 7),
        "six transport delegations follow Ben"
    );
}

/// The scopes the federated property test delegates in.
fn scopes() -> Vec<Scope> {
    let net = Level::Network;
    vec![
        Scope::level(net),
        Scope::kind(net, ProposalKind::Policy),
        Scope::kind(net, ProposalKind::Membership),
        Scope::topic(net, topic("health")),
        Scope::topic(net, topic("transport")),
    ]
}

proptest! {
    #![proptest_config(crate::tests::codec::config(24))]

    /// Random histories of network delegations and revocations by the
    /// members of three communities, over every tier of scope, some after
    /// the close: the cross-community count resolves them as the brute
    /// force does (events at or before the close count), and so counts
    /// exactly what the keyed count over the brute force's delegations
    /// counts.
    #[test]
    fn the_federated_resolver_is_the_brute_force(
        steps in prop::collection::vec(
            (0usize..9, 0usize..5, prop::option::of(1usize..9), 1u64..12),
            0..30,
        ),
        topic_of_proposal in prop_oneof![
            Just(None),
            Just(Some(topic("health"))),
            Just(Some(topic("transport"))),
        ],
        // At least one ballot: a vote with none is decided as no ballots
        // before any delegation is resolved.
        voters in prop::collection::btree_set(0usize..9, 1..5),
    ) {
        let mut fed = fed();
        let id = propose(&mut fed, topic_of_proposal.clone());
        let keys: Vec<Keypair> = fed.members.iter().flatten().cloned().collect();
        let net = Level::Network;
        let mut nonces = [10u64; 9];
        let mut time = OPEN + 1;
        for (n, who) in voters.iter().enumerate() {
            let votes = if n % 2 == 0 { 1 } else { -1 };
            fed.act(who / 3, who % 3, 5, time, vote(id, net, Ballot::Quadratic(vec![votes])));
            time += 1;
        }
        let scopes = scopes();
        let mut events = Vec::new();
        // Every entry up to the close is witnessed in time: the
        // communities checkpoint just after it.
        let mut witnessed = false;
        for (who, scope, to, gap) in steps {
            time += gap;
            if time > CLOSE && !witnessed {
                fed.checkpoint_all(CLOSE + 1);
                witnessed = true;
                time = time.max(CLOSE + 1);
            }
            // Never to oneself (refused), sometimes a revocation.
            let to = to.map(|r| keys[(who + r) % 9].public());
            let scope = scopes[scope].clone();
            nonces[who] += 1;
            fed.act(who / 3, who % 3, nonces[who], time, delegate(scope.clone(), to));
            events.push(Event {
                from: keys[who].public(),
                scope,
                to,
                time: Timestamp(time),
            });
        }
        if !witnessed {
            fed.checkpoint_all(CLOSE + 1);
        }
        fed.checkpoint_all(time.max(CLOSE + GRACE) + 5);
        let view = fed.view();
        let result = Tallier::new(&view)
            .tally(&id, Timestamp(time.max(CLOSE + GRACE) + 6))
            .expect("known");
        let Report::Quadratic(qv) = &result.report.count else {
            panic!("a quadratic count: {:?}", result.report.count);
        };
        let at_or_before: fn(Timestamp, Timestamp) -> bool = |t, at| t <= at;
        let expected = brute_force(
            &events,
            net,
            ProposalKind::Policy,
            topic_of_proposal.as_ref(),
            Timestamp(CLOSE),
            at_or_before,
        );
        let eligible: BTreeSet<PublicKey> = keys.iter().map(Keypair::public).collect();
        let direct: BTreeSet<PublicKey> = voters.iter().map(|v| keys[*v].public()).collect();
        let keyed = crate::tally::delegation::resolve(&eligible, &direct, &expected);
        prop_assert_eq!(&qv.delegation, &keyed);
    }
}
