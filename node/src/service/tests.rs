//! Service tests: the sans-IO core driven with inputs and `now`, its
//! outputs asserted. No sockets, no sleeps.

use hearth_protocol::action::{Action, ActionBody, GovernanceAction, MembershipAction};
use hearth_protocol::log::{EntryBody, LogId, LogKind};
use hearth_protocol::state::{self, MemoryStore, Rejection, StateRead};
use hearth_protocol::test::keypair;
use hearth_protocol::{Kc, Timestamp};

use super::{Io, MAX_BATCH, SubmitError, Ticket};
use crate::store::{MemoryStorage, StorageRead};
use crate::test::Harness;

#[test]
fn founding_seals_genesis_in_both_logs_and_the_founder_invite_makes_a_council_member() {
    let h = Harness::new(1);
    let storage = h.service.storage();
    for kind in [LogKind::Public, LogKind::Local] {
        let first = storage.entries(kind, 0, 1).expect("entries");
        assert_eq!(first.len(), 1, "{kind:?} has a genesis entry");
    }
    let founder = storage
        .member(&keypair(1).public())
        .expect("read")
        .expect("member");
    assert!(founder.on_council());
    assert_eq!(storage.roster().expect("roster").council, 1);
    assert_eq!(h.service.head(LogKind::Public).map(|h| h.seq), Some(1));
}

#[test]
fn a_tick_seals_everything_pending_into_one_entry_and_acknowledges_after_the_flush() {
    let mut h = Harness::new(3);
    let local_before = h.service.head(LogKind::Local).map(|h| h.seq);
    let actions = [h.pay(1, 2, 5), h.pay(2, 3, 1), h.pay(3, 1, 2)];
    let replies = h.run(&actions);
    let seqs: Vec<u64> = replies
        .iter()
        .map(|r| r.as_ref().expect("accepted").seq)
        .collect();
    let expected = local_before.map_or(0, |s| s + 1);
    assert_eq!(seqs, vec![expected; 3], "one entry holds the whole batch");
    assert_eq!(h.balance(1), Kc::whole(-3));
    assert_eq!(h.balance(2), Kc::whole(4));
    assert_eq!(h.balance(3), Kc::whole(-1));
    assert_eq!(state::ledger_sum(h.service.storage()).expect("sum"), 0);
}

#[test]
fn a_refused_action_changes_nothing_and_does_not_hold_back_the_rest() {
    let mut h = Harness::new(2);
    let before = h.service.storage().state.clone();
    let too_much = h.pay(1, 2, 1001);
    let replies = h.run(&[too_much]);
    assert!(matches!(
        &replies[0],
        Err(SubmitError::Rejected(Rejection::InsufficientFunds { needed, .. })) if *needed == Kc::whole(1001)
    ));
    assert_eq!(h.service.storage().state, before, "state unchanged");
    let ok = h.pay(1, 2, 10);
    let bad = h.pay(2, 2, 1);
    let replies = h.run(&[ok, bad]);
    assert!(replies[0].is_ok());
    assert!(matches!(
        replies[1],
        Err(SubmitError::Rejected(Rejection::SelfTransfer))
    ));
    assert_eq!(h.balance(2), Kc::whole(10));
}

#[test]
fn resubmitting_a_recorded_action_is_answered_at_once_with_its_place() {
    let mut h = Harness::new(2);
    let pay = h.pay(1, 2, 3);
    let first = h
        .run(std::slice::from_ref(&pay))
        .remove(0)
        .expect("accepted");
    let ticket = h.submit(pay.clone());
    match h.service.next_io() {
        Some(Io::Reply {
            ticket: t,
            result: Ok(receipt),
        }) => {
            assert_eq!(t, ticket);
            assert!(receipt.duplicate);
            assert_eq!((receipt.log, receipt.seq), (first.log, first.seq));
        }
        other => panic!("expected an immediate duplicate reply, got {other:?}"),
    }
    assert_eq!(h.balance(2), Kc::whole(3), "paid once");
    // The same action twice in one batch is recorded once; both wait for it.
    let again = h.pay(1, 2, 4);
    let replies = h.run(&[again.clone(), again]);
    let (first, second) = (
        replies[0].clone().expect("ok"),
        replies[1].clone().expect("ok"),
    );
    assert_eq!((first.id, first.seq), (second.id, second.seq));
    assert!(
        !first.duplicate && second.duplicate,
        "only the first copy recorded it"
    );
    assert_eq!(h.balance(2), Kc::whole(7));
}

#[test]
fn an_action_for_another_community_is_refused_without_waiting() {
    let mut h = Harness::new(1);
    let stranger = Action {
        author: keypair(1).public(),
        community: hearth_protocol::Hash([7; 32]),
        nonce: 99,
        created: h.now,
        body: ActionBody::Membership(MembershipAction::Leave),
    }
    .sign(&keypair(1))
    .verify()
    .expect("signed");
    h.submit(stranger);
    assert_eq!(h.service.pending(), 0);
    assert!(matches!(
        h.service.next_io(),
        Some(Io::Reply {
            result: Err(SubmitError::Rejected(Rejection::WrongCommunity { .. })),
            ..
        })
    ));
}

#[test]
fn public_actions_of_a_tick_apply_first_and_replaying_the_logs_reproduces_the_state() {
    let mut h = Harness::new(3);
    {
        let a = h.pay(2, 3, 1);
        h.run(&[a])
    }
    .remove(0)
    .expect("pay");
    // Member 2 pays, then leaves, in the same tick: the leave (public) is
    // applied before the payment (local), which is then refused (its nonce
    // is older than the leave's, and its author is gone).
    let pay = h.pay(2, 3, 2);
    let leave = h.action(&keypair(2), ActionBody::Membership(MembershipAction::Leave));
    let replies = h.run(&[pay, leave]);
    assert!(matches!(
        replies[0],
        Err(SubmitError::Rejected(
            Rejection::NonceReplayed { .. } | Rejection::MemberInactive { .. }
        ))
    ));
    assert_eq!(
        h.balance(3),
        Kc::whole(1),
        "the refused payment moved nothing"
    );
    assert!(replies[1].is_ok());
    for _ in 0..3 {
        {
            let a = h.pay(1, 3, 1);
            h.run(&[a])
        }
        .remove(0)
        .expect("pay");
    }
    // Ticks at the same `now` still get strictly later entry times.
    let frozen = h.now;
    for _ in 0..2 {
        let a = h.pay(3, 1, 1);
        h.submit(a);
        h.service.tick(frozen);
        while h.service.next_io().is_some() {}
    }
    let storage = h.service.storage();
    let times: Vec<u64> = storage
        .entries
        .values()
        .filter(|e| matches!(e.entry.body, EntryBody::Actions(_)))
        .map(|e| e.entry.time.0)
        .collect();
    let mut sorted = times.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        times.len() - count_shared_ticks(storage),
        "each tick has its own time"
    );
    assert_eq!(
        replay(storage),
        storage.state,
        "replay rebuilds the state bit for bit"
    );
}

/// Ticks that sealed both a public and a local entry share one time.
fn count_shared_ticks(storage: &MemoryStorage) -> usize {
    let public: std::collections::BTreeSet<u64> = storage
        .entries
        .values()
        .filter(|e| e.entry.log.kind == LogKind::Public && e.entry.seq > 0)
        .map(|e| e.entry.time.0)
        .collect();
    storage
        .entries
        .values()
        .filter(|e| e.entry.log.kind == LogKind::Local && e.entry.seq > 0)
        .filter(|e| public.contains(&e.entry.time.0))
        .count()
}

/// Replays both logs in the protocol's order into a fresh state.
fn replay(storage: &MemoryStorage) -> MemoryStore {
    let community = storage.community().expect("read").expect("community");
    let node = community.genesis.node;
    let mut public: Vec<_> = storage
        .entries
        .values()
        .filter(|e| e.entry.log.kind == LogKind::Public)
        .collect();
    let mut local: Vec<_> = storage
        .entries
        .values()
        .filter(|e| e.entry.log.kind == LogKind::Local)
        .collect();
    public.reverse();
    local.reverse();
    let mut state = MemoryStore::default();
    let mut heads = [None, None];
    loop {
        let take_public = match (public.last(), local.last()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(p), Some(l)) => state::public_first(p.entry.time, l.entry.time),
        };
        let entry = if take_public {
            public.pop()
        } else {
            local.pop()
        }
        .expect("entry");
        let kind = entry.entry.log.kind;
        let slot = kind as usize;
        let log = LogId {
            community: community.id,
            kind,
        };
        let verified = entry
            .clone()
            .verify(&log, heads[slot].as_ref(), &node)
            .expect("entry verifies");
        state::apply_entry(&mut state, &verified).expect("entry applies");
        heads[slot] = Some(verified.head());
    }
    state
}

#[test]
fn a_full_batch_asks_to_be_sealed_now() {
    let mut h = Harness::new(2);
    let mut full = false;
    for i in 0..MAX_BATCH {
        let a = h.pay(1, 2, 0);
        full = h.service.submit(Ticket(10_000 + i as u64), a);
        assert!(!full || i == MAX_BATCH - 1);
    }
    assert!(full);
}

#[test]
fn a_tick_after_a_vote_ends_seals_its_close_and_replay_agrees() {
    use hearth_protocol::governance::{
        Ballot, Level, Position, Proposal, ProposalKind, ProposalRef, Subject,
    };
    use hearth_protocol::state::decide::{self, Verdict};

    let mut h = Harness::new(2);
    let proposal = Proposal {
        kind: ProposalKind::Emergency,
        level: Level::Local,
        topic: None,
        title: "Storm shelter".into(),
        text: "Open the hall tonight.".into(),
        options: vec![],
        subject: Subject::Question,
    };
    let propose = h.action(
        &keypair(1),
        ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
    );
    let id = propose.id();
    h.run(&[propose]).remove(0).expect("proposed");
    let r = ProposalRef {
        id,
        level: Level::Local,
    };
    let yes = h.action(
        &keypair(1),
        ActionBody::Governance(GovernanceAction::Vote {
            proposal: r,
            ballot: Ballot::YesNo(hearth_protocol::governance::YesNo::Yes),
        }),
    );
    h.run(&[yes]).remove(0).expect("voted");
    let wrong = h.action(
        &keypair(1),
        ActionBody::Governance(GovernanceAction::Vote {
            proposal: r,
            ballot: Ballot::Consensus(Position::Agree),
        }),
    );
    assert!(
        h.run(&[wrong]).remove(0).is_err(),
        "an emergency takes yes/no ballots"
    );
    // Nothing is due before the end of the day.
    let local_head = h.service.head(LogKind::Local);
    h.service.tick(Timestamp(h.now.0 + 1000));
    assert!(h.service.next_io().is_none());
    assert_eq!(h.service.head(LogKind::Local), local_head);
    // After it, a tick with no actions seals the close and flushes.
    let after = Timestamp(h.now.0 + 86_400_000);
    h.service.tick(after);
    assert!(matches!(h.service.next_io(), Some(Io::Flush)));
    let decision = decide::decision(h.service.storage(), &id)
        .expect("read")
        .expect("decided");
    assert_eq!(
        decision.verdict,
        Verdict::Passed,
        "the only council member voted yes"
    );
    let last = h.service.head(LogKind::Local).expect("head");
    let entry = &h.service.storage().entries[&(LogKind::Local, last.seq)];
    assert!(matches!(entry.entry.body, EntryBody::Records(_)));
    // The service asks to be woken when the next item falls due (the
    // next month of the income schedule), not before.
    let mut wakeups = Vec::new();
    while let Some(io) = h.service.next_io() {
        if let Io::Wakeup(at) = io {
            wakeups.push(at);
        }
    }
    assert_eq!(wakeups.len(), 1);
    assert!(wakeups[0] > Timestamp(after.0 + 1000));
    // Closed once: the next tick seals nothing.
    h.service.tick(Timestamp(after.0 + 1000));
    assert!(h.service.next_io().is_none());
    assert_eq!(h.service.head(LogKind::Local), Some(last));
    assert_eq!(replay(h.service.storage()), h.service.storage().state);
}

#[test]
fn a_vote_that_ends_without_ballots_closes_as_no_ballots_and_replay_agrees() {
    use hearth_protocol::governance::{Level, Proposal, ProposalKind, Subject};
    use hearth_protocol::state::decide::{self, Report, Verdict};

    let mut h = Harness::new(2);
    let newcomer = keypair(77).public();
    let proposals = [
        Proposal {
            kind: ProposalKind::Emergency,
            level: Level::Local,
            topic: None,
            title: "Storm shelter".into(),
            text: "Open the hall tonight.".into(),
            options: vec![],
            subject: Subject::Question,
        },
        Proposal {
            kind: ProposalKind::Membership,
            level: Level::Local,
            topic: None,
            title: "Admit Ezra".into(),
            text: String::new(),
            options: vec![],
            subject: Subject::Membership { member: newcomer },
        },
    ];
    let actions: Vec<_> = proposals
        .into_iter()
        .map(|p| {
            h.action(
                &keypair(1),
                ActionBody::Governance(GovernanceAction::Propose(Box::new(p))),
            )
        })
        .collect();
    let ids: Vec<_> = actions.iter().map(|a| a.id()).collect();
    for result in h.run(&actions) {
        result.expect("proposed");
    }
    // Nobody votes. Once both votes have ended, a tick closes them.
    h.service.tick(Timestamp(h.now.0 + 8 * 86_400_000));
    for id in &ids {
        let decision = decide::decision(h.service.storage(), id)
            .expect("read")
            .expect("decided");
        assert_eq!(decision.verdict, Verdict::NoBallots);
        assert_eq!(decision.report, Report::NoBallots);
    }
    // The membership vote admitted nobody.
    assert!(
        h.service
            .storage()
            .state
            .member(&newcomer)
            .expect("read")
            .is_none()
    );
    assert_eq!(replay(h.service.storage()), h.service.storage().state);
}
