//! Federation service tests: the sans-IO service driven with gossip, sync
//! responses and ticks at injected times, its outputs asserted. The other
//! community is an in-memory [`Community`] whose entries the tests sign,
//! so that they can also be forged, reordered and forked.

use hearth_protocol::action::{ActionBody, GovernanceAction, MembershipAction};
use hearth_protocol::crypto::Hash;
use hearth_protocol::federation::tally::Tallier;
use hearth_protocol::federation::wire::MAX_RANGE;
use hearth_protocol::federation::{
    Attestation, Checkpoint, Founding, Gossip, LogHead, NetworkSignature, SignedNetwork,
    SyncRequest, SyncResponse,
};
use hearth_protocol::governance::{Ballot, Level, ProposalRef};
use hearth_protocol::log::{Entry, EntryBody, LogId, LogKind, NodeRecord, SignedEntry};
use hearth_protocol::state::StateRead;
use hearth_protocol::test::federation::policy;
use hearth_protocol::test::{Community, keypair};
use hearth_protocol::{Canonical, Rules, SignedAction, Timestamp, Verified};

use super::SYNC_INTERVAL;
use crate::net::{PeerId, Verdict, peer_id_of};
use crate::service::{Io, Receipt, Service, SubmitError, Ticket};
use crate::store::{FedRead, FedStorage, MemoryStorage};
use crate::test::Harness;
use crate::test::federation::{
    CHECKPOINT_INTERVAL, GRACE, VOTING, community, draft, drain, founding, own_records,
    quick_rules, sign_all,
};

/// When the tests' clock starts (the communities were founded before).
const T0: u64 = 2_000_000;

/// The peer id of the node whose key is `keypair(seed)`.
fn peer(seed: u8) -> PeerId {
    peer_id_of(&keypair(seed).public()).expect("a valid key")
}

/// This node's community (members 10 and 11, node key 100) and another
/// community (members 20 and 21, node key 101) whose entries the test
/// signs.
struct Fixture {
    me: Harness<MemoryStorage>,
    other: Community,
    network: SignedNetwork,
}

impl Fixture {
    /// The two communities and their network, signed but recorded by
    /// neither.
    fn unformed() -> Fixture {
        let me = community(0, 2);
        let other = Community::named(
            keypair(101),
            "Community 1",
            &[&keypair(20), &keypair(21)],
            Rules::default(),
        );
        let founders = vec![
            founding(&me.service),
            Founding {
                id: other.id,
                node: other.node.public(),
                name: other.genesis.name.clone(),
            },
        ];
        let genesis = draft(founders, &[], quick_rules(), Timestamp(T0));
        let mut network = sign_all(&genesis, &[&me.service]);
        network.add(NetworkSignature::sign(&genesis, other.id, &other.node));
        Fixture { me, other, network }
    }

    /// Both communities recorded the network, this node at `T0`; this node
    /// holds nothing of the other's log yet.
    fn formed() -> Fixture {
        let mut fx = Fixture::unformed();
        fx.other
            .append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Network(Box::new(fx.network.clone()))]),
                Timestamp(T0),
            )
            .expect("the network record applies");
        fx.me
            .service
            .submit_network(Ticket(1_000), fx.network.clone(), None);
        let out = fx.tick(T0);
        assert!(accepted(&out, Ticket(1_000)).is_some(), "{out:?}");
        fx
    }

    /// This node's community genesis (to found it again on a fresh disk).
    fn genesis(&self) -> hearth_protocol::Genesis {
        self.me
            .service
            .storage()
            .community()
            .expect("read")
            .expect("community")
            .genesis
    }

    /// The other community's public log.
    fn log(&self) -> Vec<SignedEntry> {
        self.other
            .entries
            .iter()
            .filter(|e| e.entry.log.kind == LogKind::Public)
            .cloned()
            .collect()
    }

    /// The other community's node, as a peer.
    fn source(&self) -> PeerId {
        peer(101)
    }

    fn gossip(&mut self, from: PeerId, entry: &SignedEntry) -> Verdict {
        let data = Gossip::Entry(entry.clone()).to_bytes();
        self.me.service.on_gossip(from, &data, self.me.now)
    }

    /// Gossips the other's public entries `from..` in order; all accepted.
    fn deliver(&mut self, from: usize) {
        for entry in &self.log()[from..] {
            assert_eq!(self.gossip(self.source(), entry), Verdict::Accept);
        }
    }

    fn respond(&mut self, from: PeerId, response: &SyncResponse) -> Vec<Io> {
        let now = self.me.now;
        self.me.service.on_response(from, &response.to_bytes(), now);
        drain(&mut self.me.service)
    }

    fn tick(&mut self, at: u64) -> Vec<Io> {
        self.me.now = Timestamp(at);
        self.me.service.tick(self.me.now);
        drain(&mut self.me.service)
    }

    /// The seq of the other's head this node holds.
    fn held(&self) -> Option<u64> {
        held(&self.me.service, &self.other.id)
    }

    /// The other community seals an entry with one checkpoint at `time`.
    fn other_checkpoint(&mut self, time: u64, heads: Vec<LogHead>) {
        let network = self.network.genesis.id();
        self.other
            .append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint { network, heads })]),
                Timestamp(time),
            )
            .expect("the checkpoint applies");
    }

    /// The other community seals one member action at `time`.
    fn other_acts(&mut self, member: u8, nonce: u64, time: u64, body: ActionBody) {
        let key = keypair(member);
        let mut action = self.other.action(&key, nonce, body);
        action.action.created = Timestamp(time);
        let action = action.action.sign(&key);
        self.other
            .append_at(
                LogKind::Public,
                EntryBody::Actions(vec![action]),
                Timestamp(time),
            )
            .expect("the action applies");
    }

    /// The heads the other community would checkpoint: this node's.
    fn my_head(&self) -> Vec<LogHead> {
        vec![LogHead {
            community: self.me.service.community(),
            head: self.me.service.head(LogKind::Public).expect("a head"),
        }]
    }

    /// The entry that would follow the other's `seq`, unsigned.
    fn after(&self, seq: usize, time: u64) -> Entry {
        let prev = &self.log()[seq];
        Entry {
            log: prev.entry.log,
            seq: prev.entry.seq + 1,
            prev: prev.entry.id(),
            time: Timestamp(time),
            body: EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
                network: self.network.genesis.id(),
                heads: Vec::new(),
            })]),
        }
    }
}

fn held<S: FedStorage>(service: &Service<S>, community: &Hash) -> Option<u64> {
    service
        .storage()
        .fed_heads()
        .expect("heads")
        .get(community)
        .map(|h| h.seq)
}

/// The receipt of an accepted submission in `out`.
fn accepted(out: &[Io], ticket: Ticket) -> Option<Receipt> {
    out.iter().find_map(|io| match io {
        Io::Reply {
            ticket: t,
            result: Ok(receipt),
        } if *t == ticket => Some(*receipt),
        _ => None,
    })
}

fn requests(out: &[Io]) -> Vec<(PeerId, SyncRequest)> {
    out.iter()
        .filter_map(|io| match io {
            Io::Request { peer, data } => {
                Some((*peer, SyncRequest::from_bytes(data).expect("canonical")))
            }
            _ => None,
        })
        .collect()
}

fn ranges(out: &[Io]) -> Vec<(PeerId, Hash, u64, u32)> {
    requests(out)
        .into_iter()
        .filter_map(|(peer, r)| match r {
            SyncRequest::Range {
                community,
                from,
                limit,
            } => Some((peer, community, from, limit)),
            _ => None,
        })
        .collect()
}

fn published(out: &[Io]) -> Vec<Gossip> {
    out.iter()
        .filter_map(|io| match io {
            Io::Publish(data) => Some(Gossip::from_bytes(data).expect("canonical")),
            _ => None,
        })
        .collect()
}

fn penalised(out: &[Io]) -> Vec<PeerId> {
    out.iter()
        .filter_map(|io| match io {
            Io::Penalise(p) => Some(*p),
            _ => None,
        })
        .collect()
}

fn heads(entries: &[(Hash, &SignedEntry)]) -> SyncResponse {
    let mut heads: Vec<LogHead> = entries
        .iter()
        .map(|(community, e)| LogHead {
            community: *community,
            head: e.head(),
        })
        .collect();
    heads.sort_by_key(|h| h.community);
    SyncResponse::Heads {
        heads,
        forked: Vec::new(),
    }
}

fn checkpoints(service: &Service<MemoryStorage>) -> Vec<(Timestamp, Vec<LogHead>)> {
    own_records(service)
        .into_iter()
        .filter_map(|(_, time, r)| match r {
            NodeRecord::Checkpoint(c) => Some((time, c.heads)),
            _ => None,
        })
        .collect()
}

fn attestations(service: &Service<MemoryStorage>, proposal: &Hash) -> Vec<Attestation> {
    own_records(service)
        .into_iter()
        .filter_map(|(_, _, r)| match r {
            NodeRecord::Attest(a) if a.proposal == *proposal => Some(a),
            _ => None,
        })
        .collect()
}

/// ```text
///   me ── other      the network is signed by both; this node records it
/// ```
#[test]
fn a_network_is_acknowledged_and_published_only_after_the_flush_that_makes_it_durable() {
    let mut fx = Fixture::unformed();
    // A network missing a founder's signature is refused at once.
    let mut partial = fx.network.clone();
    partial.signatures.retain(|s| s.community != fx.other.id);
    fx.me.service.submit_network(Ticket(1), partial, None);
    assert!(matches!(
        fx.me.service.next_io(),
        Some(Io::Reply {
            ticket: Ticket(1),
            result: Err(SubmitError::Storage(_))
        })
    ));

    let before = fx.me.service.head(LogKind::Public).expect("head");
    fx.me
        .service
        .submit_network(Ticket(2), fx.network.clone(), None);
    assert!(
        fx.me.service.next_io().is_none(),
        "nothing is answered before the seal"
    );
    assert!(fx.me.service.network().is_none());
    let out = fx.tick(T0);
    let [Io::Flush, Io::Publish(data), Io::Reply { ticket, result }] = out.as_slice() else {
        panic!("expected flush, publish, reply: {out:?}");
    };
    let Ok(Gossip::Entry(entry)) = Gossip::from_bytes(data) else {
        panic!("an entry is published");
    };
    assert_eq!(entry.entry.seq, before.seq + 1);
    assert_eq!(entry.entry.prev, before.hash);
    assert!(matches!(
        &entry.entry.body,
        EntryBody::Records(r) if matches!(r.as_slice(), [NodeRecord::Network(n)] if **n == fx.network)
    ));
    let receipt = result.as_ref().expect("recorded");
    assert_eq!(*ticket, Ticket(2));
    assert_eq!(
        (receipt.log, receipt.seq),
        (LogKind::Public, entry.entry.seq)
    );
    assert_eq!(fx.me.service.head(LogKind::Public), Some(entry.head()));
    assert_eq!(fx.me.service.network(), Some(&fx.network));

    // The same network again is answered at once with where it is
    // recorded; another network is refused at once.
    fx.me
        .service
        .submit_network(Ticket(3), fx.network.clone(), None);
    match fx.me.service.next_io() {
        Some(Io::Reply {
            ticket: Ticket(3),
            result: Ok(again),
        }) => {
            assert!(again.duplicate);
            assert_eq!((again.log, again.seq), (LogKind::Public, entry.entry.seq));
        }
        other => panic!("expected a duplicate receipt, got {other:?}"),
    }
    let mut genesis = fx.network.genesis.clone();
    genesis.name = "Another valley".into();
    let mut another = sign_all(&genesis, &[&fx.me.service]);
    another.add(NetworkSignature::sign(
        &genesis,
        fx.other.id,
        &fx.other.node,
    ));
    fx.me.service.submit_network(Ticket(30), another, None);
    assert!(matches!(
        fx.me.service.next_io(),
        Some(Io::Reply {
            ticket: Ticket(30),
            result: Err(_)
        })
    ));
    assert_eq!(fx.me.service.network(), Some(&fx.network));

    // A member's public action: sealed, flushed, then published and
    // acknowledged.
    let action = propose(&mut fx.me, 10, Level::Network);
    fx.me.service.submit(Ticket(4), action);
    let out = fx.tick(T0 + 10);
    let flush = out.iter().position(|io| matches!(io, Io::Flush));
    let publish = out.iter().position(|io| matches!(io, Io::Publish(_)));
    let reply = out.iter().position(|io| {
        matches!(
            io,
            Io::Reply {
                ticket: Ticket(4),
                result: Ok(_)
            }
        )
    });
    assert!(
        flush.is_some() && flush < publish && publish < reply,
        "{out:?}"
    );
}

/// A network policy proposal by `member`.
fn propose(h: &mut Harness<MemoryStorage>, member: u8, level: Level) -> Verified<SignedAction> {
    h.action(
        &keypair(member),
        ActionBody::Governance(GovernanceAction::Propose(Box::new(policy(level)))),
    )
}

fn vote(id: Hash, votes: i64) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Vote {
        proposal: ProposalRef {
            id,
            level: Level::Network,
        },
        ballot: Ballot::Quadratic(vec![votes]),
    })
}

#[test]
fn gossip_of_the_next_entry_of_a_known_community_is_accepted_and_stored_and_of_an_unknown_one_ignored()
 {
    let mut fx = Fixture::formed();
    let log = fx.log();
    assert_eq!(fx.held(), None);
    for entry in &log {
        assert_eq!(fx.gossip(fx.source(), entry), Verdict::Accept);
        assert_eq!(
            fx.me
                .service
                .storage()
                .fed_entry(&fx.other.id, entry.entry.seq)
                .expect("read")
                .as_ref(),
            Some(entry)
        );
    }
    assert_eq!(fx.held(), Some(1));
    // A copy is not forwarded again.
    assert_eq!(fx.gossip(peer(102), &log[1]), Verdict::Ignore);

    // A community outside the network.
    let stranger = Community::named(keypair(102), "Stranger", &[&keypair(30)], Rules::default());
    let genesis = stranger.entries[0].clone();
    assert_eq!(genesis.entry.log.kind, LogKind::Public);
    assert_eq!(fx.gossip(peer(102), &genesis), Verdict::Ignore);
    let heads = fx.me.service.storage().fed_heads().expect("heads");
    assert!(!heads.contains_key(&stranger.id));
    assert_eq!(heads.len(), 1);
    assert!(drain(&mut fx.me.service).is_empty(), "nothing is fetched");
}

#[test]
fn garbage_forged_and_unchained_gossip_is_rejected_and_stores_nothing() {
    let mut fx = Fixture::formed();
    fx.deliver(0);
    let source = fx.source();
    let mut truncated = Gossip::Entry(fx.log()[1].clone()).to_bytes();
    truncated.pop();
    let me = &mut fx.me.service;
    assert_eq!(
        me.on_gossip(source, b"not a message", Timestamp(T0)),
        Verdict::Reject
    );
    assert_eq!(
        me.on_gossip(source, &truncated, Timestamp(T0)),
        Verdict::Reject
    );

    let next = fx.after(1, T0 + 100);
    // Signed by another key.
    let forged = next.clone().sign(&keypair(99));
    // Chained to an entry that is not the head.
    let mut unchained = next.clone();
    unchained.prev = Hash([7; 32]);
    let unchained = unchained.sign(&fx.other.node);
    // Dated before the head.
    let mut backwards = next.clone();
    backwards.time = Timestamp(T0 - 1);
    let backwards = backwards.sign(&fx.other.node);
    // An entry of the other's local log.
    let mut local = next.clone();
    local.log = LogId {
        community: fx.other.id,
        kind: LogKind::Local,
    };
    let local = local.sign(&fx.other.node);
    // A signed entry whose bytes were altered after signing.
    let mut altered = next.clone().sign(&fx.other.node);
    altered.entry.time = Timestamp(T0 + 101);
    for (what, entry) in [
        ("forged", &forged),
        ("unchained", &unchained),
        ("backwards", &backwards),
        ("local", &local),
        ("altered", &altered),
    ] {
        assert_eq!(fx.gossip(source, entry), Verdict::Reject, "{what}");
    }
    assert_eq!(fx.held(), Some(1), "nothing was stored");
    assert!(fx.me.service.storage().proofs().expect("proofs").is_empty());
    assert!(
        published(&drain(&mut fx.me.service)).is_empty(),
        "nothing is forwarded or published"
    );
    // The genuine entry is still taken.
    assert_eq!(
        fx.gossip(source, &next.sign(&fx.other.node)),
        Verdict::Accept
    );
    assert_eq!(fx.held(), Some(2));
}

#[test]
fn an_entry_ahead_is_ignored_and_the_gap_is_fetched_from_the_peer_that_sent_it() {
    let mut fx = Fixture::formed();
    fx.deliver(0);
    for i in 1..=3 {
        fx.other_checkpoint(T0 + 100 * i, Vec::new());
    }
    let log = fx.log();
    let sender = peer(102);
    assert_eq!(fx.gossip(sender, &log[4]), Verdict::Ignore);
    let out = drain(&mut fx.me.service);
    assert_eq!(
        ranges(&out),
        vec![(sender, fx.other.id, 2, MAX_RANGE)],
        "{out:?}"
    );
    assert_eq!(fx.held(), Some(1), "nothing is stored out of order");
    // While that range is in flight, another entry ahead asks nothing more.
    assert_eq!(fx.gossip(peer(103), &log[3]), Verdict::Ignore);
    assert!(ranges(&drain(&mut fx.me.service)).is_empty());

    let out = fx.respond(sender, &SyncResponse::Entries(log[2..].to_vec()));
    assert_eq!(fx.held(), Some(4));
    assert!(penalised(&out).is_empty());
    assert!(ranges(&out).is_empty(), "the sender is not ahead any more");
    assert_eq!(fx.gossip(sender, &log[4]), Verdict::Ignore, "already held");
}

#[test]
fn a_conflicting_entry_freezes_the_log_publishes_the_proof_and_seals_a_fork_notice() {
    let mut fx = Fixture::formed();
    fx.other_checkpoint(T0 + 100, Vec::new());
    fx.deliver(0);
    let log = fx.log();
    assert_eq!(fx.held(), Some(2));
    // The other node signs a second entry 2.
    let conflicting = fx.after(1, T0 + 150).sign(&fx.other.node);
    assert_ne!(conflicting.entry.id(), log[2].entry.id());
    assert_eq!(fx.gossip(peer(102), &conflicting), Verdict::Accept);
    let proofs = fx.me.service.storage().proofs().expect("proofs");
    let proof = proofs.get(&fx.other.id).expect("a proof is stored");
    let (at, seq) = proof
        .verify(&fx.other.node.public())
        .expect("a valid proof");
    assert_eq!((at.community, seq), (fx.other.id, 2));
    let out = drain(&mut fx.me.service);
    assert!(
        published(&out)
            .iter()
            .any(|g| matches!(g, Gossip::Proof(p) if **p == *proof)),
        "the proof is published: {out:?}"
    );
    // The log is frozen: what follows the fork is not taken.
    fx.other_checkpoint(T0 + 200, Vec::new());
    let next = fx.log()[3].clone();
    assert_eq!(fx.gossip(fx.source(), &next), Verdict::Ignore);
    assert_eq!(fx.held(), Some(2));
    // The same proof again is known.
    let again = Gossip::Proof(Box::new(proof.clone())).to_bytes();
    assert_eq!(
        fx.me.service.on_gossip(peer(103), &again, Timestamp(T0)),
        Verdict::Ignore
    );

    // The next seal records the fork in this node's public log.
    fx.tick(T0 + 300);
    let notices: Vec<_> = own_records(&fx.me.service)
        .into_iter()
        .filter_map(|(_, _, r)| match r {
            NodeRecord::Fork {
                community,
                seq,
                entries,
            } => Some((community, seq, entries)),
            _ => None,
        })
        .collect();
    let [(community, 2, entries)] = notices.as_slice() else {
        panic!("one fork notice at seq 2: {notices:?}");
    };
    assert_eq!(*community, fx.other.id);
    let mut ids = entries.to_vec();
    ids.sort();
    let mut expected = vec![log[2].entry.id(), conflicting.entry.id()];
    expected.sort();
    assert_eq!(ids, expected);
    // The view and the heads this node serves say so.
    let view = fx.me.service.view().expect("a view");
    assert_eq!(view.communities[&fx.other.id].fork, Some(2));
    let answer = fx.me.service.answer(&SyncRequest::Heads.to_bytes());
    let Ok(SyncResponse::Heads { forked, .. }) = SyncResponse::from_bytes(&answer) else {
        panic!("heads");
    };
    assert_eq!(forked, vec![fx.other.id]);
}

/// ```text
///   A ── me ── B      A serves a range with a forged entry in its middle
/// ```
#[test]
fn an_invalid_entry_in_a_sync_range_keeps_what_came_before_penalises_the_peer_and_asks_another() {
    let mut fx = Fixture::formed();
    for i in 1..=5 {
        fx.other_checkpoint(T0 + 100 * i, Vec::new());
    }
    fx.me.now = Timestamp(T0 + 1_000);
    let log = fx.log();
    // This node holds 0..=1.
    for entry in &log[..2] {
        assert_eq!(fx.gossip(fx.source(), entry), Verdict::Accept);
    }
    let (a, b) = (peer(102), peer(103));
    fx.me.service.peer_connected(a);
    fx.me.service.peer_connected(b);
    drain(&mut fx.me.service);
    let head = heads(&[(fx.other.id, &log[6])]);
    let out = fx.respond(a, &head);
    assert_eq!(ranges(&out), vec![(a, fx.other.id, 2, MAX_RANGE)]);

    let mut bad = log[3].clone();
    bad.entry.time = Timestamp(bad.entry.time.0 + 1);
    let out = fx.respond(
        a,
        &SyncResponse::Entries(vec![log[2].clone(), bad, log[4].clone()]),
    );
    assert_eq!(fx.held(), Some(2), "the entry before the bad one is kept");
    assert_eq!(penalised(&out), vec![a]);
    assert!(ranges(&out).is_empty());

    // The next heads round: A answers first, but the range is asked of B.
    let out = fx.tick(T0 + 1_000 + SYNC_INTERVAL.0);
    let asked: Vec<PeerId> = requests(&out)
        .into_iter()
        .filter(|(_, r)| *r == SyncRequest::Heads)
        .map(|(p, _)| p)
        .collect();
    assert!(asked.contains(&a) && asked.contains(&b), "{asked:?}");
    let out = fx.respond(a, &head);
    assert!(ranges(&out).is_empty(), "not asked again of A: {out:?}");
    let out = fx.respond(b, &head);
    assert_eq!(ranges(&out), vec![(b, fx.other.id, 3, MAX_RANGE)]);
    let out = fx.respond(b, &SyncResponse::Entries(log[3..].to_vec()));
    assert_eq!(fx.held(), Some(6));
    assert!(penalised(&out).is_empty());
}

#[test]
fn the_heads_exchange_fetches_a_long_log_in_bounded_batches_one_at_a_time() {
    let mut fx = Fixture::formed();
    let total = 2 * MAX_RANGE as u64 + 100;
    for i in 1..total - 1 {
        fx.other_checkpoint(T0 + i, Vec::new());
    }
    let log = fx.log();
    assert_eq!(log.len() as u64, total);
    fx.me.now = Timestamp(T0 + total);
    let (a, b) = (peer(102), peer(103));
    fx.me.service.peer_connected(a);
    let out = drain(&mut fx.me.service);
    assert_eq!(
        requests(&out),
        vec![(a, SyncRequest::Heads)],
        "a network member asks only for heads"
    );
    let head = heads(&[(fx.other.id, log.last().expect("entries"))]);
    let mut out = fx.respond(a, &head);
    // B reports the same heads while A's range is in flight: no second range.
    fx.me.service.peer_connected(b);
    drain(&mut fx.me.service);
    assert!(ranges(&fx.respond(b, &head)).is_empty());
    let mut batches = Vec::new();
    loop {
        let asked = ranges(&out);
        let [(peer, community, from, limit)] = asked.as_slice() else {
            assert!(asked.is_empty(), "one range at a time: {asked:?}");
            break;
        };
        assert_eq!((*peer, *community), (a, fx.other.id));
        assert!(*limit <= MAX_RANGE);
        batches.push(*from);
        let end = (*from as usize + *limit as usize).min(log.len());
        out = fx.respond(a, &SyncResponse::Entries(log[*from as usize..end].to_vec()));
    }
    assert_eq!(
        batches,
        vec![0, MAX_RANGE as u64, 2 * MAX_RANGE as u64],
        "resumed where each batch ended"
    );
    assert_eq!(fx.held(), Some(total - 1));
}

#[test]
fn a_catch_up_reports_its_progress_per_log_at_most_every_interval_and_once_when_done() {
    use super::PROGRESS_INTERVAL;
    let mut fx = Fixture::formed();
    let total = 2 * MAX_RANGE as u64 + 100;
    for i in 1..total - 1 {
        fx.other_checkpoint(T0 + i, Vec::new());
    }
    let log = fx.log();
    let start = T0 + total;
    fx.me.now = Timestamp(start);
    let a = peer(102);
    fx.me.service.peer_connected(a);
    drain(&mut fx.me.service);
    let head = heads(&[(fx.other.id, log.last().expect("entries"))]);
    let mut out = fx.respond(a, &head);
    let short: String = fx.other.id.to_string().chars().take(8).collect();
    assert_eq!(fx.me.service.catch_up_report(Timestamp(start)), None);
    let mut lines = Vec::new();
    let mut at = start;
    loop {
        let asked = ranges(&out);
        let [(_, _, from, limit)] = asked.as_slice() else {
            break;
        };
        let end = (*from as usize + *limit as usize).min(log.len());
        out = fx.respond(a, &SyncResponse::Entries(log[*from as usize..end].to_vec()));
        // Asked twice as often as lines are due: a line at most per interval.
        for _ in 0..2 {
            at += PROGRESS_INTERVAL.0 / 2;
            lines.extend(fx.me.service.catch_up_report(Timestamp(at)));
        }
    }
    let held = 2 * MAX_RANGE as u64;
    assert_eq!(
        lines,
        vec![
            format!(
                "catching up: {short} {MAX_RANGE} fetched, {} to go",
                total - MAX_RANGE as u64
            ),
            format!(
                "catching up: {short} {held} fetched, {} to go",
                total - held
            ),
            format!(
                "caught up with peers: fetched {total} entries of 1 log in {} s",
                // At the first ask after the last range, half an interval
                // before the last ask.
                (at - PROGRESS_INTERVAL.0 / 2 - start) / 1000
            ),
        ]
    );
    assert_eq!(fx.held(), Some(total - 1));
    assert_eq!(
        fx.me.service.catch_up_report(Timestamp(at + 60_000)),
        None,
        "reported once"
    );
    let status = fx.me.service.fed_status(Timestamp(at));
    assert_eq!(status.behind(), 0);
}

#[test]
fn checkpoints_follow_changed_heads_at_the_interval_and_beat_when_nothing_changes() {
    let mut fx = Fixture::formed();
    let i = CHECKPOINT_INTERVAL.0;
    let t1 = T0 + 100;
    fx.tick(t1);
    assert_eq!(
        checkpoints(&fx.me.service),
        vec![(Timestamp(t1), Vec::new())],
        "a first checkpoint once in the network"
    );
    fx.deliver(0);
    let other_head = LogHead {
        community: fx.other.id,
        head: fx.log()[1].head(),
    };
    // Heads changed, but the interval has not passed.
    fx.tick(t1 + i - 1);
    assert_eq!(checkpoints(&fx.me.service).len(), 1);
    fx.tick(t1 + i);
    assert_eq!(
        checkpoints(&fx.me.service).last(),
        Some(&(Timestamp(t1 + i), vec![other_head]))
    );
    // Nothing changes: no checkpoint until the heartbeat.
    for k in 2..=3 {
        fx.tick(t1 + k * i);
        fx.tick(t1 + k * i + i / 2);
    }
    assert_eq!(checkpoints(&fx.me.service).len(), 2);
    fx.tick(t1 + 4 * i);
    assert_eq!(
        checkpoints(&fx.me.service).last(),
        Some(&(Timestamp(t1 + 4 * i), vec![other_head])),
        "the heartbeat repeats the heads"
    );
    assert_eq!(checkpoints(&fx.me.service).len(), 3);
}

/// The scenario of a network vote both communities take part in, up to
/// this node's attestation: returns the proposal, the attested result and
/// the time.
///
/// ```text
///   me: proposes, members 10 (+5) and 11 (-3) vote
///   other: member 20 (+4) votes; checkpoints me before and after the close
/// ```
fn vote_until_attested(fx: &mut Fixture) -> (Hash, Hash, u64) {
    fx.deliver(0);
    let open = T0 + 1_000;
    let proposal = propose(&mut fx.me, 10, Level::Network);
    let id = proposal.id();
    fx.me.service.submit(Ticket(1), proposal);
    let out = fx.tick(open);
    assert!(accepted(&out, Ticket(1)).is_some(), "{out:?}");
    let closes = open + VOTING.0;
    fx.me.now = Timestamp(open + 100);
    let yes = fx.me.action(&keypair(10), vote(id, 5));
    let no = fx.me.action(&keypair(11), vote(id, -3));
    fx.me.service.submit(Ticket(2), yes);
    fx.me.service.submit(Ticket(3), no);
    let out = fx.tick(open + 100);
    assert!(accepted(&out, Ticket(2)).is_some() && accepted(&out, Ticket(3)).is_some());

    let seen = fx.log().len();
    fx.other_acts(20, 1, open + 200, vote(id, 4));
    let witness = fx.my_head();
    fx.other_checkpoint(open + 2_000, witness);
    fx.me.now = Timestamp(open + 2_000);
    fx.deliver(seen);

    // Until the other community has an entry past close + grace, the
    // tally is not final and nothing is attested.
    // Waiting costs nothing per tick: the view is not built again and the
    // vote is not counted until it is final.
    let deadline = closes + GRACE.0;
    let mut now = open + 2_000;
    let shared = fx.me.service.shared_view();
    let builds = shared.builds();
    let counts = shared.counts();
    while now < deadline + 2_000 {
        now += 250;
        fx.tick(now);
        assert!(
            attestations(&fx.me.service, &id).is_empty(),
            "attested at {now}, before the tally was final"
        );
    }
    assert_eq!(shared.builds(), builds, "the view was built again");
    assert_eq!(shared.counts(), counts, "a vote not final was counted");
    let seen = fx.log().len();
    let witness = fx.my_head();
    fx.other_checkpoint(now, witness);
    fx.deliver(seen);
    while attestations(&fx.me.service, &id).is_empty() {
        now += 250;
        assert!(now < deadline + 10_000, "no attestation by {now}");
        fx.tick(now);
    }
    let attested = attestations(&fx.me.service, &id);
    let view = fx.me.service.view().expect("a view");
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(now))
        .expect("the proposal is known");
    assert!(result.is_final);
    assert_eq!(result.report.ballots, 3, "{:?}", result.report);
    assert!(result.report.excluded.is_empty(), "{:?}", result.report);
    assert_eq!(attested[0].result, result.result);
    (id, result.result, now)
}

/// A final tally is counted once: later ticks, and readers, are served
/// the kept count, and new entries extend the view without building it
/// again.
#[test]
fn a_final_tally_is_counted_once_and_the_view_is_kept_incrementally() {
    let mut fx = Fixture::formed();
    let (id, result, now) = vote_until_attested(&mut fx);
    let shared = fx.me.service.shared_view();
    let (builds, counts) = (shared.builds(), shared.counts());
    let seen = fx.log().len();
    let witness = fx.my_head();
    fx.other_checkpoint(now + 1_000, witness);
    fx.deliver(seen);
    for k in 1..=20 {
        fx.tick(now + 1_000 + 250 * k);
    }
    let guard = shared.read();
    let view = guard.as_ref().expect("a view");
    let tallied = shared
        .tally(view, &id, Timestamp(now + 7_000))
        .expect("known");
    assert_eq!(tallied.result.result, result);
    assert_eq!(shared.counts(), counts, "counted again");
    assert_eq!(shared.builds(), builds, "built again");
    assert_eq!(
        view.last_seq(&fx.other.id),
        fx.log().last().map(|e| e.entry.seq),
        "the view holds what arrived"
    );
}

/// A reader holding the federation view while entries arrive leaves the
/// view behind the store: a count over it may lack ballots the node holds,
/// so it is neither kept as final nor attested until the view caught up.
#[test]
fn a_view_behind_the_store_is_neither_kept_final_nor_attested() {
    let mut fx = Fixture::formed();
    fx.deliver(0);
    let open = T0 + 1_000;
    let proposal = propose(&mut fx.me, 10, Level::Network);
    let id = proposal.id();
    fx.me.service.submit(Ticket(1), proposal);
    fx.tick(open);
    fx.me.now = Timestamp(open + 100);
    let yes = fx.me.action(&keypair(10), vote(id, 5));
    fx.me.service.submit(Ticket(2), yes);
    fx.tick(open + 100);
    let closes = open + VOTING.0;

    // The other community's ballot and its checkpoints (of this node's
    // ballot, and past the close) arrive while a reader holds the view;
    // this node witnesses the other's ballot in its own checkpoints all
    // the same (they list the heads it stored).
    let shared = fx.me.service.shared_view();
    let reader = shared.read();
    let seen = fx.log().len();
    fx.other_acts(20, 1, open + 200, vote(id, 4));
    let witness = fx.my_head();
    fx.other_checkpoint(open + 2_000, witness);
    fx.me.now = Timestamp(open + 2_000);
    fx.deliver(seen);
    let past_grace = closes + GRACE.0 + 1_000;
    let mut now = open + 2_000;
    while now < past_grace {
        now += 250;
        fx.tick(now);
    }
    let seen = fx.log().len();
    fx.other_checkpoint(past_grace, Vec::new());
    fx.deliver(seen);
    assert!(!shared.is_current());

    // Past the finality deadline, the lagging view counts the other
    // community as missing and this node's ballot as unwitnessed: that
    // count is not kept, and not attested.
    let late = closes + GRACE.0 + quick_rules().finality.0 + 1_000;
    while now < late {
        now += 250;
        fx.tick(now);
    }
    assert!(
        attestations(&fx.me.service, &id).is_empty(),
        "attested from a lagging view"
    );
    let view = reader.as_ref().expect("a view");
    let counts = shared.counts();
    let stale = shared.tally(view, &id, Timestamp(late)).expect("known");
    assert!(stale.result.is_final, "{:?}", stale.result.report);
    assert_eq!(stale.result.report.ballots, 0, "{:?}", stale.result.report);
    shared.tally(view, &id, Timestamp(late)).expect("known");
    assert_eq!(shared.counts(), counts + 2, "a lagging count is not kept");
    // The reader lets go: the view catches up and the full count is attested.
    drop(reader);
    while attestations(&fx.me.service, &id).is_empty() {
        now += 250;
        assert!(now < late + 10_000, "no attestation by {now}");
        fx.tick(now);
    }
    assert!(shared.is_current());
    let view = fx.me.service.view().expect("a view");
    let full = Tallier::new(&view)
        .tally(&id, Timestamp(now))
        .expect("known");
    assert_eq!(full.report.ballots, 2, "{:?}", full.report);
    assert!(full.missing.is_empty(), "{:?}", full.missing);
    assert_eq!(attestations(&fx.me.service, &id)[0].result, full.result);
    assert_ne!(full.result, stale.result.result);
}

#[test]
fn a_final_federated_tally_is_attested_once_even_after_a_restart() {
    let mut fx = Fixture::formed();
    let (id, result, now) = vote_until_attested(&mut fx);
    for k in 1..=20 {
        fx.tick(now + 500 * k);
    }
    assert_eq!(attestations(&fx.me.service, &id).len(), 1);

    // The other community attests the same hash: two of two certify it.
    let seen = fx.log().len();
    fx.other
        .append_at(
            LogKind::Public,
            EntryBody::Records(vec![NodeRecord::Attest(Attestation {
                network: fx.network.genesis.id(),
                proposal: id,
                result,
            })]),
            Timestamp(now + 10_000),
        )
        .expect("applies");
    fx.deliver(seen);
    let view = fx.me.service.view().expect("a view");
    let tally = Tallier::new(&view)
        .tally(&id, Timestamp(now + 10_001))
        .expect("known");
    assert_eq!(tally.certification.certified, Some(result));

    // Reopened from its storage, the node does not attest again.
    let Harness { service, .. } = fx.me;
    let mut service = Service::open(service.into_storage(), keypair(100)).expect("reopens");
    for k in 1..=10 {
        service.tick(Timestamp(now + 20_000 + 500 * k));
        drain(&mut service);
    }
    assert_eq!(attestations(&service, &id).len(), 1);
}

/// ```text
///   me (disk lost, restored from genesis) ── relay (stale: seq 2)
///                                          └─ other's node (stale, then current)
/// ```
///
/// A stale or lying peer must never end a recovery: the node writes
/// nothing public until it holds its log up to what the other community's
/// signed checkpoints attest and that community's node shows it.
#[test]
fn a_recovering_node_waits_for_an_attested_head_and_never_reissues_a_seq() {
    let mut fx = Fixture::formed();
    let (id, _, now) = vote_until_attested(&mut fx);
    let invite = fx.me.action(
        &keypair(10),
        ActionBody::Membership(MembershipAction::IssueInvite {
            key: keypair(77).public(),
            expires: Timestamp(now + 3_600_000),
        }),
    );
    let own = fx.me.service.community();
    let mine = fx.me.service.storage().public_log(&own).expect("own log");
    let head = mine.last().expect("entries").clone();
    // The stale head: the entry that records the network.
    let stale_seq = mine
        .iter()
        .position(|e| {
            matches!(&e.entry.body, EntryBody::Records(records)
                if records.iter().any(|r| matches!(r, NodeRecord::Network(_))))
        })
        .expect("the network record");
    assert!(
        head.entry.seq as usize > stale_seq,
        "a log longer than the stale head"
    );
    // The other community attests this node's head in a checkpoint.
    fx.other
        .append_at(
            LogKind::Public,
            EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
                network: fx.network.genesis.id(),
                heads: vec![LogHead {
                    community: own,
                    head: head.head(),
                }],
            })]),
            Timestamp(now),
        )
        .expect("the checkpoint applies");
    let others = fx.log();
    let genesis = fx.genesis();

    let mut fresh =
        Service::create(MemoryStorage::default(), keypair(100), genesis).expect("create");
    drain(&mut fresh);
    let mut node = Service::open_recovering(fresh.into_storage(), keypair(100)).expect("opens");
    assert!(!node.fed_recovered());
    node.submit(Ticket(9), invite);
    let t = now + 1_000;
    node.tick(Timestamp(t));
    let out = drain(&mut node);
    assert!(
        published(&out).is_empty() && accepted(&out, Ticket(9)).is_none(),
        "{out:?}"
    );
    assert_eq!(node.head(LogKind::Public).map(|h| h.seq), Some(0));

    // A relay (no community's node) shows a stale head: the node fetches
    // what it shows, but the relay's word ends nothing.
    let relay = peer(102);
    node.peer_connected(relay);
    drain(&mut node);
    node.on_response(
        relay,
        &heads(&[(own, &mine[stale_seq])]).to_bytes(),
        Timestamp(t),
    );
    let out = drain(&mut node);
    assert_eq!(ranges(&out), vec![(relay, own, 1, MAX_RANGE)], "{out:?}");
    node.on_response(
        relay,
        &SyncResponse::Entries(mine[1..=stale_seq].to_vec()).to_bytes(),
        Timestamp(t + 100),
    );
    node.tick(Timestamp(t + 200));
    let out = drain(&mut node);
    assert_eq!(
        node.head(LogKind::Public).map(|h| h.seq),
        Some(stale_seq as u64)
    );
    assert!(!node.fed_recovered(), "a relay's word ends nothing");
    assert!(published(&out).is_empty(), "{out:?}");

    // The other community's node, stale too, shows the same: its log is
    // fetched first, and its checkpoint attests more than it shows.
    let other = fx.source();
    node.peer_connected(other);
    drain(&mut node);
    let stale = heads(&[
        (own, &mine[stale_seq]),
        (fx.other.id, others.last().expect("entries")),
    ]);
    node.on_response(other, &stale.to_bytes(), Timestamp(t + 300));
    let out = drain(&mut node);
    assert!(node.network().is_some(), "the network is known again");
    assert_eq!(
        ranges(&out),
        vec![(other, fx.other.id, 0, MAX_RANGE)],
        "{out:?}"
    );
    assert!(!node.fed_recovered(), "its own log is not held yet");
    node.on_response(
        other,
        &SyncResponse::Entries(others.clone()).to_bytes(),
        Timestamp(t + 400),
    );
    node.on_response(other, &stale.to_bytes(), Timestamp(t + 500));
    for k in 1..=4 {
        node.tick(Timestamp(t + 500 + 500 * k));
    }
    let out = drain(&mut node);
    assert!(
        !node.fed_recovered(),
        "a checkpoint attests seq {}",
        head.entry.seq
    );
    assert!(published(&out).is_empty(), "{out:?}");
    assert_eq!(
        node.head(LogKind::Public).map(|h| h.seq),
        Some(stale_seq as u64)
    );

    // Once it shows the current head, the rest is fetched, and only then
    // do public writes resume.
    let current = heads(&[(own, &head), (fx.other.id, others.last().expect("entries"))]);
    node.on_response(other, &current.to_bytes(), Timestamp(t + 3_000));
    let out = drain(&mut node);
    assert_eq!(
        ranges(&out),
        vec![(other, own, stale_seq as u64 + 1, MAX_RANGE)],
        "{out:?}"
    );
    assert!(!node.fed_recovered());
    node.on_response(
        other,
        &SyncResponse::Entries(mine[stale_seq + 1..].to_vec()).to_bytes(),
        Timestamp(t + 3_100),
    );
    drain(&mut node);
    assert!(node.fed_recovered());
    assert_eq!(node.head(LogKind::Public), Some(head.head()));

    let mut replied = None;
    for k in 1..=10 {
        node.tick(Timestamp(t + 3_100 + 500 * k));
        let out = drain(&mut node);
        replied = replied.or(accepted(&out, Ticket(9)));
    }
    let receipt = replied.expect("the held action is sealed");
    assert!(receipt.seq > head.entry.seq);
    let log = node.storage().public_log(&own).expect("own log");
    assert_eq!(&log[..mine.len()], mine.as_slice(), "the recovered prefix");
    let node_key = keypair(100).public();
    let mut prev = None;
    for entry in &log {
        let verified = entry
            .clone()
            .verify(&entry.entry.log, prev.as_ref(), &node_key)
            .expect("one chain, no seq reissued");
        prev = Some(verified.head());
    }
    assert_eq!(
        attestations(&node, &id).len(),
        1,
        "the recovered attestation is not made again"
    );
}

#[test]
fn an_entry_dated_beyond_the_clock_skew_is_not_taken_until_it_is_due() {
    let mut fx = Fixture::formed();
    fx.deliver(0);
    let held = fx.held().expect("the other's log") as usize;
    let skew = hearth_protocol::action::MAX_CLOCK_SKEW.0;
    let future = fx
        .after(held, fx.me.now.0 + skew + 1_000)
        .sign(&fx.other.node);
    // Ignored, not rejected: a relay with another clock is not a liar.
    assert_eq!(fx.gossip(fx.source(), &future), Verdict::Ignore);
    assert_eq!(fx.held(), Some(held as u64));
    // Once the clock has caught up, the same entry is taken.
    fx.me.now = Timestamp(fx.me.now.0 + 2_000);
    assert_eq!(fx.gossip(fx.source(), &future), Verdict::Accept);
    assert_eq!(fx.held(), Some(held as u64 + 1));
}

/// ```text
///   me ── other (a log of full public entries: over 8 MiB in one range)
/// ```
/// A range of full-size entries fills a response past the largest record;
/// the node still reads it — answered from the stored bytes, as a peer's
/// node answers — and catches up without penalising anyone.
#[test]
fn a_log_of_full_size_entries_is_caught_up_in_ranges_larger_than_a_record() {
    use hearth_protocol::codec::MAX_RECORD_BYTES;
    use hearth_protocol::federation::wire::MAX_PUBLIC_ENTRY_BYTES;

    let mut fx = Fixture::formed();
    let voter = keypair(20);
    let proposal = Hash([7; 32]);
    let mut nonce = 10;
    let mut time = T0 + 100;
    for _ in 0..24 {
        let mut actions = Vec::new();
        let mut size = 0;
        // Ballots of many options, as a large network vote's batch holds.
        while size < MAX_PUBLIC_ENTRY_BYTES - 40 * 1024 {
            nonce += 1;
            let mut action = fx.other.action(
                &voter,
                nonce,
                ActionBody::Governance(GovernanceAction::Vote {
                    proposal: ProposalRef {
                        id: proposal,
                        level: Level::Network,
                    },
                    ballot: Ballot::Quadratic(vec![0; 48]),
                }),
            );
            action.action.created = Timestamp(time);
            let action = action.action.sign(&voter);
            size += action.to_bytes().len();
            actions.push(action);
        }
        time += 10;
        fx.other
            .append_at(
                LogKind::Public,
                EntryBody::Actions(actions),
                Timestamp(time),
            )
            .expect("a full entry applies");
    }
    let log = fx.log();
    // The other node's store, answering as a node does.
    let mut responder = MemoryStorage::default();
    responder.fed_append(&fx.other.id, &log).expect("stored");
    fx.me.now = Timestamp(time + 1_000);
    let source = fx.source();
    fx.me.service.peer_connected(source);
    drain(&mut fx.me.service);
    let heads = heads(&[(fx.other.id, log.last().expect("entries"))]);
    let mut out = fx.respond(source, &heads);
    let mut largest = 0;
    let mut rounds = 0;
    while let Some(&(peer, community, from, limit)) = ranges(&out).first() {
        rounds += 1;
        assert!(rounds < 10, "no progress: {out:?}");
        let answer = crate::service::federation::answer_range(&responder, &community, from, limit);
        largest = largest.max(answer.len());
        let now = fx.me.now;
        fx.me.service.on_response(peer, &answer, now);
        out = drain(&mut fx.me.service);
        assert!(penalised(&out).is_empty(), "{out:?}");
    }
    assert!(largest > MAX_RECORD_BYTES, "a range of {largest} bytes");
    assert_eq!(fx.held(), log.last().map(|e| e.entry.seq));
}

/// A flood of public actions while the node recovers is held only up to
/// a bound; past it, submitters are told to come back (nothing grows).
#[test]
fn public_actions_held_during_a_recovery_are_bounded() {
    let mut fx = Fixture::formed();
    let genesis = fx.genesis();
    let actions: Vec<_> = (0..crate::service::MAX_HELD + 20)
        .map(|i| {
            fx.me.action(
                &keypair(10),
                ActionBody::Membership(MembershipAction::IssueInvite {
                    key: hearth_protocol::Keypair::from_seed(&[(i % 251) as u8 + 1; 32]).public(),
                    expires: Timestamp(T0 + 3_600_000 + i as u64),
                }),
            )
        })
        .collect();
    let mut fresh =
        Service::create(MemoryStorage::default(), keypair(100), genesis).expect("create");
    drain(&mut fresh);
    let mut node = Service::open_recovering(fresh.into_storage(), keypair(100)).expect("opens");
    let mut refused = 0;
    for (i, action) in actions.into_iter().enumerate() {
        node.submit(Ticket(i as u64), action);
        if i % 256 == 0 {
            node.tick(Timestamp(T0 + 1_000 + i as u64));
        }
        for io in drain(&mut node) {
            if let Io::Reply { result, .. } = io {
                assert!(matches!(result, Err(SubmitError::Recovering)), "{result:?}");
                refused += 1;
            }
        }
    }
    assert_eq!(refused, 20, "all past the bound, and only those");
    assert!(!node.fed_recovered());
    assert_eq!(node.head(LogKind::Public).map(|h| h.seq), Some(0));
}

/// Heads a peer reports of communities this node does not follow are not
/// kept: a flood of them leaves nothing behind.
#[test]
fn heads_of_unknown_communities_are_not_kept() {
    let mut fx = Fixture::formed();
    let source = fx.source();
    fx.me.service.peer_connected(source);
    drain(&mut fx.me.service);
    let head = fx.log()[0].head();
    let mut heads: Vec<LogHead> = (0..hearth_protocol::federation::wire::MAX_HEADS as u32)
        .map(|i| {
            let mut id = [0u8; 32];
            id[..4].copy_from_slice(&i.to_be_bytes());
            LogHead {
                community: Hash(id),
                head,
            }
        })
        .collect();
    heads.sort_by_key(|h| h.community);
    let response = SyncResponse::Heads {
        heads,
        forked: Vec::new(),
    };
    let out = fx.respond(source, &response);
    assert!(ranges(&out).is_empty(), "{out:?}");
    assert!(fx.me.service.fed.peer_heads.is_empty());
}
