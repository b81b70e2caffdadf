//! Federation tests: network genesis and its signatures, equivocation
//! proofs, and the cross-community tally over communities sealed in memory
//! (witnesses, late and backdated ballots, frozen logs, finality,
//! certification).

mod topics;

use std::collections::{BTreeMap, BTreeSet};

use crate::action::{ActionBody, GovernanceAction};
use crate::community::Rules;
use crate::crypto::{Hash, Keypair, PublicKey};
use crate::federation::tally::{ExclusionReason, Tallier};
use crate::federation::{Attestation, EquivocationProof, FederationView, InvalidNetwork};
use crate::governance::{Ballot, Level, Proposal, ProposalKind, Scope, Subject, YesNo};
use crate::log::{EntryBody, LogKind, NodeRecord};
use crate::state::{ApplyError, Rejection};
use crate::tally::choice::{
    MajorityBallot, MajorityRules, QvBallot, QvQuestion, QvRules, majority, quadratic,
};
use crate::test::federation::{CLOSE, Fed, GRACE, OPEN, export, vote};
use crate::test::{Community, keypair};
use crate::units::Timestamp;

#[test]
fn a_network_genesis_is_valid_only_when_every_founder_signed() {
    let fed = Fed::new(3);
    let mut partial = fed.network.clone();
    let missing = partial.signatures.remove(1).community;
    assert_eq!(partial.missing(), vec![missing]);
    assert!(partial.check_signatures().is_ok());
    assert_eq!(
        partial.clone().verify().map(|_| ()),
        Err(InvalidNetwork::Unsigned(missing))
    );
    // A signature by the wrong key.
    let mut forged = fed.network.clone();
    forged.signatures[0].signature = keypair(9).sign(&fed.id());
    assert!(matches!(
        forged.verify(),
        Err(InvalidNetwork::BadSignature(_))
    ));
    assert!(fed.network.clone().verify().is_ok());
    // Structure: one community, unsorted, or a region naming outsiders.
    let mut genesis = fed.network.genesis.clone();
    genesis.communities.truncate(1);
    assert!(genesis.validate().is_err());
    let mut genesis = fed.network.genesis.clone();
    genesis.communities.reverse();
    assert!(genesis.validate().is_err());
    let mut genesis = fed.network.genesis.clone();
    genesis.regions[0].communities = vec![Hash([7; 32])];
    assert!(genesis.validate().is_err());
}

#[test]
fn the_state_machine_takes_network_actions_only_from_communities_in_a_network() {
    let alice = keypair(1);
    let mut lone = Community::new(&[&alice], Rules::default());
    let proposal = Proposal {
        kind: ProposalKind::Policy,
        level: Level::Network,
        topic: None,
        title: "t".into(),
        text: String::new(),
        options: Vec::new(),
        subject: Subject::Question,
    };
    let action = lone.action(
        &alice,
        1,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
    );
    assert!(matches!(
        lone.submit(action),
        Err(ApplyError::Rejected(Rejection::LevelNotAvailable { .. }))
    ));

    let mut fed = Fed::new(2);
    // In the network, a ballot over the network's voice credits (100) is
    // refused, one exactly at them is recorded. Votes too large to price
    // are refused too, and neither panic nor wrap to a small cost.
    let id = Hash([3; 32]);
    let c = &mut fed.communities[0];
    let huge = c.action(
        &fed.members[0][0],
        4,
        vote(id, Level::Network, Ballot::Quadratic(vec![i64::MIN; 4])),
    );
    let refused = c.submit(huge);
    assert_eq!(
        refused,
        Err(ApplyError::Rejected(Rejection::Unpriceable { budget: 100 }))
    );
    let over = c.action(
        &fed.members[0][0],
        5,
        vote(id, Level::Network, Ballot::Quadratic(vec![10, 1])),
    );
    assert_eq!(
        c.submit(over),
        Err(ApplyError::Rejected(Rejection::OverBudget {
            cost: 101,
            budget: 100
        }))
    );
    let ok = c.action(
        &fed.members[0][0],
        6,
        vote(id, Level::Network, Ballot::Quadratic(vec![8, 6])),
    );
    assert!(c.submit(ok).is_ok());
    // A region the community is not in is refused.
    let other = fed.network.genesis.region_id("south");
    let c = &mut fed.communities[0];
    let action = c.action(
        &fed.members[0][1],
        7,
        vote(id, Level::Regional(other), Ballot::YesNo(YesNo::Yes)),
    );
    assert!(matches!(
        c.submit(action),
        Err(ApplyError::Rejected(Rejection::OutsideRegion { .. }))
    ));
    // A network record missing a signature is not a valid record.
    let mut partial = fed.network.clone();
    partial.signatures.pop();
    let c = &mut fed.communities[1];
    assert!(
        c.append(
            LogKind::Public,
            EntryBody::Records(vec![NodeRecord::Network(Box::new(partial))])
        )
        .is_err()
    );
}

#[test]
fn equivocation_proofs_need_two_signed_entries_at_one_seq() {
    use crate::log::{Entry, LogId};
    let node = keypair(100);
    let log = LogId {
        community: Hash([1; 32]),
        kind: LogKind::Public,
    };
    let entry = |time| Entry {
        log,
        seq: 4,
        prev: Hash([2; 32]),
        time: Timestamp(time),
        body: EntryBody::Records(vec![NodeRecord::Attest(Attestation {
            network: Hash([0; 32]),
            proposal: Hash([0; 32]),
            result: Hash([0; 32]),
        })]),
    };
    let a = entry(10).sign(&node);
    let b = entry(11).sign(&node);
    let proof = EquivocationProof::new(b.clone(), a.clone());
    assert_eq!(proof.verify(&node.public()), Ok((log, 4)));
    assert!(proof.verify(&keypair(101).public()).is_err());
    assert!(
        EquivocationProof::new(a.clone(), a.clone())
            .verify(&node.public())
            .is_err()
    );
    let mut other_seq = entry(12);
    other_seq.seq = 5;
    assert!(
        EquivocationProof::new(a, other_seq.sign(&node))
            .verify(&node.public())
            .is_err()
    );
}

/// ```text
///   A (proposes) ── B ── C      network referendum, quadratic voting
///   every community checkpoints the others after the close
/// ```
#[test]
fn a_network_referendum_counts_witnessed_ballots_across_communities() {
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    let net = Level::Network;
    fed.act(
        0,
        0,
        2,
        OPEN + 10,
        vote(id, net, Ballot::Quadratic(vec![5])),
    );
    fed.act(
        0,
        1,
        2,
        OPEN + 11,
        vote(id, net, Ballot::Quadratic(vec![-2])),
    );
    // A changed ballot: the later nonce counts.
    fed.act(
        0,
        1,
        3,
        OPEN + 12,
        vote(id, net, Ballot::Quadratic(vec![3])),
    );
    fed.act(
        1,
        0,
        2,
        OPEN + 13,
        vote(id, net, Ballot::Quadratic(vec![4])),
    );
    fed.act(
        1,
        1,
        2,
        OPEN + 14,
        vote(id, net, Ballot::Quadratic(vec![-1])),
    );
    // C's member 0 delegates across community lines to A's member 0.
    let to = fed.members[0][0].public();
    fed.act(
        2,
        0,
        2,
        OPEN + 15,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(net),
            to: Some(to),
        }),
    );
    fed.checkpoint_all(CLOSE + 10);
    // A ballot sealed after the close is late.
    fed.act(
        2,
        1,
        3,
        CLOSE + 20,
        vote(id, net, Ballot::Quadratic(vec![9])),
    );

    // Before every community has an entry past close + grace, not final.
    let view = fed.view();
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + 30))
        .expect("known");
    assert!(!result.is_final);

    fed.checkpoint_all(CLOSE + GRACE + 1);
    let view = fed.view();
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert!(result.is_final);
    let report = &result.report;
    assert_eq!(report.eligible, 9);
    assert_eq!(report.ballots, 4);
    assert_eq!(report.communities.len(), 3);
    assert!(result.missing.is_empty());
    assert_eq!(report.excluded.len(), 1);
    assert_eq!(report.excluded[0].reason, ExclusionReason::Late);
    let crate::state::decide::Report::Quadratic(qv) = &report.count else {
        panic!("a quadratic count: {:?}", report.count);
    };
    // A0 carries C0's weight: 2 × 5, plus 3 + 4 for, 1 against.
    assert_eq!(qv.delegation.weight_of(&fed.members[0][0].public()), 2);
    assert!(result.passed, "{qv:?}");
    // Exactly the keyed count over the same ballots, electorate and
    // delegation.
    let key = |c: usize, m: usize| fed.members[c][m].public();
    let qv_ballot = |votes: i64| QvBallot { votes: vec![votes] };
    let ballots = BTreeMap::from([
        (key(0, 0), qv_ballot(5)),
        (key(0, 1), qv_ballot(3)),
        (key(1, 0), qv_ballot(4)),
        (key(1, 1), qv_ballot(-1)),
    ]);
    let eligible: BTreeSet<PublicKey> = fed.members.iter().flatten().map(Keypair::public).collect();
    assert_eq!(eligible.len(), 9);
    let question = QvQuestion {
        options: 1,
        allow_negative: true,
        seed: id,
    };
    let keyed = quadratic::tally(
        &question,
        &ballots,
        &eligible,
        &BTreeMap::from([(key(2, 0), key(0, 0))]),
        &QvRules::from(&fed.network.genesis.rules.network),
    );
    assert_eq!(*qv, keyed);

    // The same records in another order give the same bits.
    let mut logs = fed.logs();
    logs.reverse();
    let again = FederationView::new(fed.network.genesis.clone(), &logs);
    let other = Tallier::new(&again)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert_eq!(other.result, result.result);

    // Two of three attestations of the same hash certify it; a dissenting
    // one does not.
    fed.attest(0, id, result.result, CLOSE + GRACE + 5);
    fed.attest(1, id, Hash([9; 32]), CLOSE + GRACE + 5);
    let view = fed.view();
    let c = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 6))
        .expect("known")
        .certification;
    assert_eq!(c.needed, 2);
    assert_eq!(c.certified, None);
    fed.attest(2, id, result.result, CLOSE + GRACE + 6);
    let view = fed.view();
    let c = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 7))
        .expect("known")
        .certification;
    assert_eq!(c.certified, Some(result.result));
    assert!(c.missing.is_empty());
}

/// ```text
///   A ── B ── C      C appends a ballot dated before the close after the
///                    others' last checkpoints in the grace period
/// ```
#[test]
fn a_backdated_ballot_is_unwitnessed_and_reported() {
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    let net = Level::Network;
    fed.act(
        0,
        0,
        2,
        OPEN + 10,
        vote(id, net, Ballot::Quadratic(vec![5])),
    );
    // A and B checkpoint after the close; C stays silent.
    fed.checkpoint(0..2, CLOSE + 10);
    // C then seals an entry dated before the close (its last entry is
    // older, so its chain allows it).
    let c = &mut fed.communities[2];
    let key = &fed.members[2][0];
    let mut action = c.action(key, 2, vote(id, net, Ballot::Quadratic(vec![-10])));
    action.action.created = Timestamp(CLOSE - 5);
    let action = action.action.sign(key);
    c.append_at(
        LogKind::Public,
        EntryBody::Actions(vec![action]),
        Timestamp(CLOSE - 5),
    )
    .expect("applies");
    fed.checkpoint_all(CLOSE + GRACE + 1);
    let view = fed.view();
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert!(result.is_final);
    assert_eq!(result.report.ballots, 1);
    assert_eq!(result.report.excluded.len(), 1);
    assert_eq!(
        result.report.excluded[0].reason,
        ExclusionReason::Unwitnessed {
            witnesses: 0,
            needed: 1
        }
    );
    assert!(result.passed);
}

#[test]
fn a_frozen_log_contributes_nothing_after_its_fork_and_finality_lists_the_missing() {
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    let net = Level::Network;
    fed.act(
        0,
        0,
        2,
        OPEN + 10,
        vote(id, net, Ballot::Quadratic(vec![5])),
    );
    fed.act(
        2,
        0,
        2,
        OPEN + 20,
        vote(id, net, Ballot::Quadratic(vec![-10])),
    );
    fed.checkpoint_all(CLOSE + 10);
    let fork_seq = fed.communities[2].public.expect("head").seq - 1;
    let mut logs = fed.logs();
    logs[2].fork = Some(fork_seq);
    let view = FederationView::new(fed.network.genesis.clone(), &logs);
    // C's log ends before close + grace and nothing more arrives: final by
    // deadline, with every community missing.
    let late = Timestamp(CLOSE + GRACE + 1_000);
    let result = Tallier::new(&view).tally(&id, late).expect("known");
    assert!(result.is_final);
    assert_eq!(
        result.report.frozen,
        vec![(fed.communities[2].id, fork_seq)]
    );
    assert_eq!(result.missing.len(), 3);
    assert_eq!(result.report.ballots, 1, "C's ballot is past its fork");
}

/// ```text
///   region north = {A, B}     C is outside it
/// ```
#[test]
fn a_regional_majority_counts_only_the_region() {
    let mut fed = Fed::new(3);
    let north = fed.network.genesis.region_id("north");
    let level = Level::Regional(north);
    let id = fed.propose(level);
    fed.act(
        0,
        0,
        2,
        OPEN + 10,
        vote(id, level, Ballot::YesNo(YesNo::Yes)),
    );
    fed.act(
        0,
        1,
        2,
        OPEN + 11,
        vote(id, level, Ballot::YesNo(YesNo::Yes)),
    );
    fed.act(
        1,
        0,
        2,
        OPEN + 12,
        vote(id, level, Ballot::YesNo(YesNo::No)),
    );
    // B1 delegates to A1 (across communities, inside the region).
    let to = fed.members[0][1].public();
    fed.act(
        1,
        1,
        2,
        OPEN + 13,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::kind(level, ProposalKind::Policy),
            to: Some(to),
        }),
    );
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 1);
    let view = fed.view();
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert!(result.is_final);
    assert_eq!(result.report.communities.len(), 2);
    assert_eq!(result.report.eligible, 6);
    let crate::state::decide::Report::Majority(m) = &result.report.count else {
        panic!("a majority count");
    };
    assert_eq!((m.yes, m.no), (3, 1));
    assert!(result.passed);
    // Exactly the keyed count over the same ballots, electorate and
    // delegation.
    let key = |c: usize, m: usize| fed.members[c][m].public();
    let ballots = BTreeMap::from([
        (key(0, 0), MajorityBallot::Yes),
        (key(0, 1), MajorityBallot::Yes),
        (key(1, 0), MajorityBallot::No),
    ]);
    let eligible: BTreeSet<PublicKey> = fed.members[..2]
        .iter()
        .flatten()
        .map(Keypair::public)
        .collect();
    let keyed = majority::tally(
        &ballots,
        &eligible,
        &BTreeMap::from([(key(1, 1), key(0, 1))]),
        &MajorityRules::from(&fed.network.genesis.rules.regional),
    );
    assert_eq!(*m, keyed);
}

#[test]
fn an_audit_verifies_every_log_and_recomputes_every_tally() {
    use crate::federation::audit::audit;
    use crate::federation::export::Reader;
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    fed.act(
        0,
        0,
        2,
        OPEN + 10,
        vote(id, Level::Network, Ballot::Quadratic(vec![5])),
    );
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 1);
    let now = Timestamp(CLOSE + GRACE + 2);
    let result = Tallier::new(&fed.view()).tally(&id, now).expect("known");
    for i in 0..3 {
        fed.attest(i, id, result.result, CLOSE + GRACE + 3);
    }
    let bytes = export(&fed, false);
    let report = audit(Reader::new(&bytes).expect("magic"), now, &mut |_| {}).expect("audits");
    assert!(report.ok, "{report:?}");
    assert_eq!(report.proposals.len(), 1);
    assert_eq!(report.proposals[0].certified, Some(result.result));

    // A tampered entry breaks its log's chain and fails the audit.
    let bytes = export(&fed, true);
    let report = audit(Reader::new(&bytes).expect("magic"), now, &mut |_| {}).expect("audits");
    assert!(!report.ok);
    assert!(report.logs[1].error.is_some());

    // An attestation of another hash is a mismatch.
    fed.attest(2, Hash([5; 32]), Hash([5; 32]), CLOSE + GRACE + 4);
    let mut fed2 = Fed::new(3);
    let id2 = fed2.propose(Level::Network);
    fed2.checkpoint_all(CLOSE + 10);
    fed2.checkpoint_all(CLOSE + GRACE + 1);
    fed2.attest(0, id2, Hash([1; 32]), CLOSE + GRACE + 3);
    let bytes = export(&fed2, false);
    let report = audit(Reader::new(&bytes).expect("magic"), now, &mut |_| {}).expect("audits");
    assert!(!report.ok);
    assert!(report.proposals[0].mismatch);
    // Garbage is refused with a reason.
    assert!(Reader::new(b"nonsense").is_err());
    let mut cut = export(&fed2, false);
    cut.truncate(cut.len() - 3);
    assert!(Reader::new(&cut).expect("magic").any(|r| r.is_err()));
}

#[test]
fn a_mirrored_roster_change_admits_the_member_for_the_federation() {
    use crate::federation::RosterChange;
    let mut fed = Fed::new(2);
    let newcomer = keypair(77).public();
    let proposal = Hash([4; 32]);
    assert!(
        !crate::state::federated::mirrored(&fed.communities[0].store, &proposal).expect("read")
    );
    fed.communities[0]
        .append_at(
            LogKind::Public,
            EntryBody::Records(vec![NodeRecord::Roster(RosterChange {
                proposal,
                admitted: vec![newcomer],
            })]),
            Timestamp(1_700),
        )
        .expect("the mirror applies");
    assert!(crate::state::federated::mirrored(&fed.communities[0].store, &proposal).expect("read"));
    let view = fed.view();
    let id = fed.communities[0].id;
    assert!(view.roster_at(&id, Timestamp(1_700)).contains(&newcomer));
    assert!(!view.roster_at(&id, Timestamp(1_699)).contains(&newcomer));
}

#[test]
fn a_mirrored_skill_revocation_answers_a_credential_status_on_any_node() {
    use crate::credential::CredentialStatus as StatusKind;
    use crate::economy::learning::{Revocation, federated_status};
    let mut fed = Fed::new(2);
    let member = keypair(78).public();
    let skill = Hash([9; 32]);
    let proposal = Hash([5; 32]);
    let issuer = fed.communities[0].node.public();
    let view = fed.view();
    let before = federated_status(&view, &issuer, &member, &skill, Timestamp(1_000));
    assert_eq!(before.map(|s| s.status), Some(StatusKind::Valid));
    fed.communities[0]
        .append_at(
            LogKind::Public,
            EntryBody::Records(vec![NodeRecord::Revoked(Revocation {
                member,
                skill,
                at: Timestamp(1_600),
                proposal,
                reason: "Endorsed by mistake.".into(),
            })]),
            Timestamp(1_700),
        )
        .expect("the mirror applies");
    assert!(crate::state::federated::mirrored(&fed.communities[0].store, &proposal).expect("read"));
    let view = fed.view();
    let status =
        federated_status(&view, &issuer, &member, &skill, Timestamp(1_000)).expect("known");
    assert_eq!(status.status, StatusKind::Revoked);
    assert_eq!(status.reason.as_deref(), Some("Endorsed by mistake."));
    assert_eq!(
        status.revoked_at.as_deref(),
        Some("1970-01-01T00:00:01.600Z")
    );
    // Issued after the revocation: not revoked by it; another skill: valid.
    let later = federated_status(&view, &issuer, &member, &skill, Timestamp(1_601)).expect("known");
    assert_eq!(later.status, StatusKind::Valid);
    let other =
        federated_status(&view, &issuer, &member, &Hash([8; 32]), Timestamp(0)).expect("known");
    assert_eq!(other.status, StatusKind::Valid);
    // A key that is no community's node is unknown.
    assert!(
        federated_status(&view, &keypair(79).public(), &member, &skill, Timestamp(0)).is_none()
    );
}

/// ```text
///   A, B: entries within the finality window    C: only long after it
/// ```
/// The communities missing from a final result are read from the logs'
/// dates: C, which wrote nothing within the window, stays listed once its
/// later entries arrive, and a node that never saw them lists the same.
#[test]
fn the_missing_communities_are_those_of_the_finality_window_on_every_node() {
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    let net = Level::Network;
    fed.act(
        0,
        1,
        2,
        OPEN + 10,
        vote(id, net, Ballot::Quadratic(vec![3])),
    );
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint(0..2, CLOSE + GRACE + 100);
    let finality = crate::test::federation::rules().finality.0;
    let deadline = Timestamp(CLOSE + GRACE + finality);
    let before = fed.view();
    let first = Tallier::new(&before).tally(&id, deadline).expect("known");
    assert!(first.is_final);
    assert_eq!(first.missing, vec![fed.communities[2].id]);

    // C comes back long after finality.
    fed.checkpoint(2..3, CLOSE + GRACE + finality + 500);
    let after = fed.view();
    let later = Timestamp(CLOSE + GRACE + finality + 1_000);
    let second = Tallier::new(&after).tally(&id, later).expect("known");
    assert!(second.is_final);
    assert_eq!(second.missing, first.missing, "as of finality");
    assert_eq!(second.result, first.result);
    // A node that never saw C's late entries says the same at that time.
    let third = Tallier::new(&before).tally(&id, later).expect("known");
    assert_eq!(third.missing, first.missing);
    assert_eq!(third.result, first.result);
}

/// A federation with a bit of everything the view indexes: proposals at
/// both levels, ballots, delegations, checkpoints, attestations and a
/// roster change, in every community's log.
fn busy_fed() -> Fed {
    let mut fed = Fed::new(3);
    let north = fed.network.genesis.region_id("north");
    let id = fed.propose(Level::Network);
    let net = Level::Network;
    fed.act(0, 1, 2, OPEN + 5, vote(id, net, Ballot::Quadratic(vec![2])));
    fed.act(
        1,
        0,
        2,
        OPEN + 6,
        vote(id, net, Ballot::Quadratic(vec![-3])),
    );
    fed.checkpoint_all(OPEN + 7);
    fed.act(2, 2, 2, OPEN + 8, vote(id, net, Ballot::Quadratic(vec![1])));
    fed.act(
        2,
        0,
        2,
        OPEN + 9,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(net),
            to: Some(fed.members[0][0].public()),
        }),
    );
    fed.act(
        1,
        1,
        2,
        OPEN + 11,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(
            crate::test::federation::policy(Level::Regional(north)),
        ))),
    );
    fed.act(
        1,
        0,
        3,
        OPEN + 12,
        vote(id, net, Ballot::Quadratic(vec![4])),
    );
    fed.checkpoint_all(CLOSE + 10);
    fed.act(
        0,
        2,
        2,
        CLOSE + 20,
        vote(id, net, Ballot::Quadratic(vec![1])),
    );
    fed.checkpoint_all(CLOSE + GRACE + 5);
    let result = Tallier::new(&fed.view())
        .tally(&id, Timestamp(CLOSE + GRACE + 6))
        .expect("known")
        .result;
    fed.attest(0, id, result, CLOSE + GRACE + 7);
    fed.attest(2, id, result, CLOSE + GRACE + 8);
    fed.checkpoint(1..2, CLOSE + GRACE + 9);
    fed
}

/// Everything a view holds, in an order that does not depend on the order
/// the logs arrived in (casts are kept in arrival order; tallies never
/// depend on it).
fn normalized(view: &FederationView) -> String {
    let sorted = |items: Vec<String>| {
        let mut items = items;
        items.sort();
        items
    };
    let ballots: Vec<String> = view
        .ballots
        .iter()
        .map(|(p, casts)| {
            format!(
                "{p:?}: {:?}",
                sorted(casts.iter().map(|c| format!("{c:?}")).collect())
            )
        })
        .collect();
    let attestations: Vec<String> = view
        .attestations
        .iter()
        .map(|(p, list)| {
            format!(
                "{p:?}: {:?}",
                sorted(list.iter().map(|a| format!("{a:?}")).collect())
            )
        })
        .collect();
    let delegations = sorted(view.delegations.iter().map(|d| format!("{d:?}")).collect());
    format!(
        "{:?}\n{:?}\n{ballots:?}\n{delegations:?}\n{attestations:?}",
        view.communities, view.proposals
    )
}

proptest::proptest! {
    #![proptest_config(crate::tests::codec::config(48))]

    /// A view kept up to date entry by entry, in any interleaving of the
    /// logs and in runs of any length, equals the view built from scratch
    /// over the same logs — and so do the tallies read from it.
    #[test]
    fn an_incremental_view_equals_the_view_built_from_scratch(
        steps in proptest::collection::vec((0usize..3, 1usize..4), 1..40),
    ) {
        let fed = busy_fed();
        let logs = fed.logs();
        let genesis = fed.network.genesis.clone();
        let mut view = FederationView::new(genesis.clone(), &[]);
        let mut held = vec![0usize; logs.len()];
        let now = Timestamp(CLOSE + GRACE + 2_000);
        let check = |view: &FederationView, held: &[usize]| -> Result<(), proptest::test_runner::TestCaseError> {
            let prefixes: Vec<_> = logs
                .iter()
                .zip(held)
                .filter(|(_, n)| **n > 0)
                .map(|(log, n)| crate::federation::CommunityLog {
                    entries: log.entries[..*n].to_vec(),
                    ..log.clone()
                })
                .collect();
            let built = FederationView::new(genesis.clone(), &prefixes);
            proptest::prop_assert_eq!(normalized(view), normalized(&built));
            let (a, b) = (Tallier::new(view), Tallier::new(&built));
            for id in built.proposals.keys() {
                let (x, y) = (a.tally(id, now), b.tally(id, now));
                proptest::prop_assert_eq!(x, y);
            }
            Ok(())
        };
        for (which, run) in steps {
            let log = &logs[which];
            let end = (held[which] + run).min(log.entries.len());
            // Sometimes with entries already held in front (a range that
            // overlaps what arrived by gossip).
            let from = held[which].saturating_sub(run % 2);
            view.append(&log.community, log.node, None, &log.entries[from..end]);
            held[which] = end;
            check(&view, &held)?;
        }
        for (which, log) in logs.iter().enumerate() {
            view.append(&log.community, log.node, None, &log.entries[held[which]..]);
            held[which] = log.entries.len();
        }
        check(&view, &held)?;
    }
}

/// ```text
///   A ── B ── C      a network vote nobody casts a ballot in
/// ```
#[test]
fn a_federated_vote_without_ballots_is_no_ballots_on_every_node() {
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    // A delegation is not a ballot.
    let to = fed.members[0][0].public();
    fed.act(
        1,
        0,
        2,
        OPEN + 10,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(Level::Network),
            to: Some(to),
        }),
    );
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 1);
    let view = fed.view();
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert!(result.is_final);
    assert_eq!(result.report.count, crate::state::decide::Report::NoBallots);
    assert_eq!(result.verdict, crate::state::decide::Verdict::NoBallots);
    assert_eq!((result.passed, result.winner), (false, None));
    assert_eq!(result.report.ballots, 0);
    // Another node, with the logs in another order, gets the same bits.
    let mut logs = fed.logs();
    logs.reverse();
    let again = FederationView::new(fed.network.genesis.clone(), &logs);
    let other = Tallier::new(&again)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert_eq!(other.result, result.result);
}
