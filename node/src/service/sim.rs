//! Simulation (test tier 3): several services wired together by a seeded
//! in-memory network on a simulated clock. The network floods gossip the
//! way gossipsub does (a node forwards only what it accepted, and sees
//! each message once), carries sync requests to the target's `answer` and
//! the responses back, drops, delays and reorders messages, and can split
//! the services into groups and heal. `SEED` replays one run.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use hearth_protocol::crypto::Hash;
use hearth_protocol::federation::tally::{ExclusionReason, FederatedResult, Tallier};
use hearth_protocol::federation::{CommunityLog, FederationView, SignedNetwork};
use hearth_protocol::governance::{Ballot, Level, Proposal, ProposalKind, ProposalRef, Subject};
use hearth_protocol::log::{LogKind, NodeRecord};
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, GovernanceAction, Timestamp};

use super::federation::build_view;
use super::{Io, SubmitError, Ticket};
use crate::net::{PeerId, Verdict, peer_id_of};
use crate::store::{FedRead, MemoryStorage, Storage};
use crate::test::Harness;
use crate::test::federation::{
    GRACE, VOTING, community, draft, founding, member_seeds, own_records, quick_rules, sign_all,
};

/// Seeds run when `SEED` is not set.
const SEEDS: [u64; 4] = [1, 2, 3, 0x4845_4152_5448];

/// When the simulated clock starts (the communities were founded before).
const START: u64 = 2_000_000;

/// How far the clock moves per step.
const STEP: u64 = 100;

/// Members per community.
const MEMBERS: u8 = 3;

/// A splitmix64 generator: the only source of randomness of a run.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// What travels between two services.
#[derive(Debug)]
enum Message {
    /// A gossip message from a neighbour.
    Gossip(Vec<u8>),
    /// A sync request.
    Request(Vec<u8>),
    /// The answer to a sync request.
    Response(Vec<u8>),
    /// A request to this peer failed (dropped, or the link is down).
    Failed,
}

/// One service and what the network saw of it.
#[derive(Debug)]
struct Node {
    h: Harness<MemoryStorage>,
    peer: PeerId,
    /// Gossip message ids this node has seen (gossipsub's duplicate cache).
    seen: HashSet<Hash>,
    /// Replies to submissions, by ticket.
    replies: HashMap<Ticket, Result<(), SubmitError>>,
}

/// Services, the network between them and the clock.
#[derive(Debug)]
struct Sim {
    rng: Rng,
    nodes: Vec<Node>,
    now: u64,
    /// Messages in flight: (delivery time, order) → (from, to, message).
    queue: BTreeMap<(u64, u64), (usize, usize, Message)>,
    order: u64,
    /// The group of each node; nodes talk only inside their group.
    groups: Vec<usize>,
    /// Invalid data any node reported: there must be none between honest nodes.
    faults: Vec<String>,
}

/// Gossip messages lost per hundred.
const GOSSIP_LOSS: u64 = 10;
/// Sync requests and responses lost per hundred.
const SYNC_LOSS: u64 = 5;
/// Longest delay of a message, in milliseconds.
const MAX_DELAY: u64 = 400;

impl Sim {
    fn new(seed: u64, n: usize) -> Sim {
        let nodes = (0..n as u8)
            .map(|i| {
                let h = community(i, MEMBERS);
                let peer = peer_id_of(&keypair(100 + i).public()).expect("a valid node key");
                Node {
                    h,
                    peer,
                    seen: HashSet::new(),
                    replies: HashMap::new(),
                }
            })
            .collect();
        let mut sim = Sim {
            rng: Rng(seed),
            nodes,
            now: START,
            queue: BTreeMap::new(),
            order: 0,
            groups: vec![0; n],
            faults: Vec::new(),
        };
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let peer = sim.nodes[j].peer;
                    sim.nodes[i].h.service.peer_connected(peer);
                }
            }
            sim.route(i);
        }
        sim
    }

    fn linked(&self, a: usize, b: usize) -> bool {
        self.groups[a] == self.groups[b]
    }

    fn index_of(&self, peer: &PeerId) -> usize {
        self.nodes
            .iter()
            .position(|n| n.peer == *peer)
            .expect("a known peer")
    }

    fn send(&mut self, from: usize, to: usize, message: Message) {
        let at = self.now + self.rng.range(1, MAX_DELAY);
        self.order += 1;
        self.queue.insert((at, self.order), (from, to, message));
    }

    /// Performs a node's outputs.
    fn route(&mut self, i: usize) {
        while let Some(io) = self.nodes[i].h.service.next_io() {
            match io {
                Io::Flush => self.nodes[i].h.service.storage().flush().expect("flush"),
                Io::Reply { ticket, result } => {
                    self.nodes[i].replies.insert(ticket, result.map(|_| ()));
                }
                Io::Publish(data) => {
                    self.nodes[i].seen.insert(message_id(&data));
                    self.flood(i, None, &data);
                }
                Io::Request { peer, data } => {
                    let j = self.index_of(&peer);
                    if !self.linked(i, j) || self.rng.chance(SYNC_LOSS) {
                        self.send(j, i, Message::Failed);
                    } else {
                        self.send(i, j, Message::Request(data));
                    }
                }
                Io::Penalise(peer) => {
                    let j = self.index_of(&peer);
                    self.faults.push(format!("node {i} penalised node {j}"));
                }
                // The simulation ticks every node on its own schedule.
                Io::Wakeup(_) => {}
            }
        }
    }

    /// Sends gossip from `i` to every linked node but `except`.
    fn flood(&mut self, i: usize, except: Option<usize>, data: &[u8]) {
        for j in 0..self.nodes.len() {
            if j != i && Some(j) != except && self.linked(i, j) && !self.rng.chance(GOSSIP_LOSS) {
                self.send(i, j, Message::Gossip(data.to_vec()));
            }
        }
    }

    fn deliver(&mut self, from: usize, to: usize, message: Message) {
        let now = Timestamp(self.now);
        let peer = self.nodes[from].peer;
        let linked = self.linked(from, to);
        match message {
            Message::Gossip(data) => {
                if !linked || !self.nodes[to].seen.insert(message_id(&data)) {
                    return;
                }
                match self.nodes[to].h.service.on_gossip(peer, &data, now) {
                    Verdict::Accept => self.flood(to, Some(from), &data),
                    Verdict::Reject => self
                        .faults
                        .push(format!("node {to} rejected gossip from node {from}")),
                    Verdict::Ignore => {}
                }
            }
            Message::Request(data) => {
                if !linked || self.rng.chance(SYNC_LOSS) {
                    self.send(to, from, Message::Failed);
                } else {
                    let answer = self.nodes[to].h.service.answer(&data);
                    self.send(to, from, Message::Response(answer));
                }
            }
            Message::Response(data) if linked => {
                self.nodes[to].h.service.on_response(peer, &data, now)
            }
            Message::Response(_) | Message::Failed => {
                self.nodes[to].h.service.request_failed(&peer)
            }
        }
        self.route(to);
    }

    /// Moves the clock one step: delivers what is due, then ticks every node.
    fn step(&mut self) {
        self.now += STEP;
        while let Some(entry) = self.queue.first_entry() {
            if entry.key().0 > self.now {
                break;
            }
            let (from, to, message) = entry.remove();
            self.deliver(from, to, message);
        }
        for i in 0..self.nodes.len() {
            self.nodes[i].h.service.tick(Timestamp(self.now));
            self.route(i);
        }
    }

    /// Runs until `done` holds, at most `limit` milliseconds.
    fn run_until(&mut self, limit: u64, what: &str, mut done: impl FnMut(&Sim) -> bool) {
        let deadline = self.now + limit;
        while !done(self) {
            assert!(
                self.now < deadline,
                "{what} by {}: {}",
                self.now,
                self.describe()
            );
            self.step();
        }
    }

    fn run_for(&mut self, millis: u64) {
        let until = self.now + millis;
        while self.now < until {
            self.step();
        }
    }

    /// Puts node `i` in group `groups[i]`: links between groups go down
    /// (both ends see a disconnection), links inside one come up.
    fn relink(&mut self, groups: Vec<usize>) {
        let before = std::mem::replace(&mut self.groups, groups);
        for i in 0..self.nodes.len() {
            for j in 0..self.nodes.len() {
                let (was, is) = (before[i] == before[j], self.linked(i, j));
                let peer = self.nodes[j].peer;
                if i == j || was == is {
                    continue;
                }
                if is {
                    self.nodes[i].h.service.peer_connected(peer);
                } else {
                    self.nodes[i].h.service.peer_disconnected(&peer);
                }
            }
            self.route(i);
        }
    }

    /// Node `i` stops and starts again from its storage: everything it
    /// held only in memory is gone, and its peers reconnect.
    fn restart(&mut self, i: usize) {
        let mut node = self.nodes.remove(i);
        node.seen.clear();
        let storage = node.h.service.into_storage();
        node.h.service = super::Service::open(storage, keypair(100 + i as u8)).expect("reopens");
        self.nodes.insert(i, node);
        for j in 0..self.nodes.len() {
            if j != i && self.linked(i, j) {
                let (a, b) = (self.nodes[i].peer, self.nodes[j].peer);
                self.nodes[i].h.service.peer_disconnected(&b);
                self.nodes[j].h.service.peer_disconnected(&a);
                self.nodes[i].h.service.peer_connected(b);
                self.nodes[j].h.service.peer_connected(a);
                self.route(j);
            }
        }
        self.route(i);
    }

    /// Node `i`'s member `j` submits an action now; returns its ticket.
    fn submit(&mut self, i: usize, j: usize, body: ActionBody) -> Ticket {
        let seed = member_seeds(i as u8, MEMBERS)[j];
        let h = &mut self.nodes[i].h;
        h.now = Timestamp(self.now);
        let action = h.action(&keypair(seed), body);
        let ticket = Ticket(h.next_ticket);
        h.next_ticket += 1;
        h.service.submit(ticket, action);
        ticket
    }

    /// The tally of `proposal` in node `i`'s view.
    fn tally(&self, i: usize, network: &SignedNetwork, proposal: &Hash) -> FederatedResult {
        let storage = self.nodes[i].h.service.storage();
        let view = build_view(storage, network, &BTreeMap::new()).expect("a view");
        Tallier::new(&view)
            .tally(proposal, Timestamp(self.now))
            .expect("the proposal is in the view")
    }

    /// What each node holds, for failure messages.
    fn describe(&self) -> String {
        let mut out = format!("groups {:?}", self.groups);
        for (i, node) in self.nodes.iter().enumerate() {
            let service = &node.h.service;
            let heads = service.storage().fed_heads().expect("heads");
            out.push_str(&format!(
                "\n  node {i}: own head {:?}, network {}, holds {:?}",
                service.head(LogKind::Public).map(|h| h.seq),
                service.network().is_some(),
                heads.values().map(|h| h.seq).collect::<Vec<_>>(),
            ));
        }
        out
    }
}

fn message_id(data: &[u8]) -> Hash {
    Hash(*blake3::hash(data).as_bytes())
}

fn attestations(sim: &Sim, i: usize, proposal: &Hash) -> Vec<Hash> {
    own_records(&sim.nodes[i].h.service)
        .into_iter()
        .filter_map(|(_, _, r)| match r {
            NodeRecord::Attest(a) if a.proposal == *proposal => Some(a.result),
            _ => None,
        })
        .collect()
}

/// A vote a member will cast.
#[derive(Debug)]
struct Planned {
    at: u64,
    community: usize,
    member: usize,
    votes: i64,
}

/// Every node of `sim` signs a network draft founding it together and
/// records it; returns the network once every node has.
fn form_network(sim: &mut Sim) -> hearth_protocol::federation::SignedNetwork {
    let founders = sim
        .nodes
        .iter()
        .map(|node| founding(&node.h.service))
        .collect();
    let genesis = draft(founders, &[], quick_rules(), Timestamp(sim.now));
    let services: Vec<_> = sim.nodes.iter().map(|node| &node.h.service).collect();
    let network = sign_all(&genesis, &services);
    for node in &mut sim.nodes {
        node.h
            .service
            .submit_network(Ticket(u64::MAX), network.clone(), None);
    }
    sim.run_until(10_000, "the network is recorded everywhere", |sim| {
        sim.nodes
            .iter()
            .all(|node| matches!(node.replies.get(&Ticket(u64::MAX)), Some(Ok(()))))
    });
    network
}

/// ```text
///   N communities (3–5) of three members, all linked, form a network;
///   one member proposes a network vote:
///
///   open ── ballots ── split {..} | {..} ── ballots ── close ── grace ── heal
///                 (one node restarts somewhere from open to after the heal)
/// ```
/// Every node attests once; every view certifies one result, the same as
/// a tally over all the public logs put together.
fn federated_vote_survives_loss_reordering_and_a_partition(seed: u64) {
    let mut rng = Rng(seed ^ 0x5349_4d55_4c41_5445);
    let n = rng.range(3, 5) as usize;
    let mut sim = Sim::new(rng.next_u64(), n);
    sim.run_for(500);

    // Form the network: each node signs the draft, each records it.
    let network = form_network(&mut sim);
    sim.run_for(3_000);

    // A member of one community proposes a network vote.
    let proposer = rng.range(0, n as u64 - 1) as usize;
    let proposal = Proposal {
        kind: ProposalKind::Policy,
        level: Level::Network,
        topic: None,
        title: "Shared seed bank".into(),
        text: "Fund a seed bank for the whole network.".into(),
        options: Vec::new(),
        subject: Subject::Question,
    };
    let ticket = sim.submit(
        proposer,
        0,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
    );
    sim.step();
    assert!(matches!(
        sim.nodes[proposer].replies.get(&ticket),
        Some(Ok(()))
    ));
    let service = &sim.nodes[proposer].h.service;
    let id = proposal_of(service);
    let open = proposal_time(service, &id);
    let closes = open + VOTING.0;

    // Who votes, when and how; some change their ballot.
    let mut plan = Vec::new();
    for community in 0..n {
        for member in 0..MEMBERS as usize {
            if rng.chance(15) {
                continue;
            }
            let casts = if rng.chance(30) { 2 } else { 1 };
            for _ in 0..casts {
                plan.push(Planned {
                    at: rng.range(open + 500, closes - 4_000),
                    community,
                    member,
                    votes: rng.range(0, 20) as i64 - 10,
                });
            }
        }
    }
    plan.sort_by_key(|p| p.at);
    let voters: BTreeSet<(usize, usize)> = plan.iter().map(|p| (p.community, p.member)).collect();

    // The split: a random cut, each side non-empty.
    let split_at = rng.range(open + 2_000, closes - 5_000);
    let mut groups: Vec<usize> = (0..n).map(|_| rng.range(0, 1) as usize).collect();
    if groups.iter().all(|&g| g == groups[0]) {
        groups[0] = 1 - groups[0];
    }
    let heal_at = closes + GRACE.0 + rng.range(500, 2_500);
    let pairs_in_groups = (0..2).all(|g| groups.iter().filter(|&&x| x == g).count() >= 2);

    // One node restarts from its storage some time between the opening
    // and shortly after the heal.
    let restart_at = rng.range(open, heal_at + 5_000);
    let restarted = rng.range(0, n as u64 - 1) as usize;

    let mut tickets = Vec::new();
    let (mut split, mut healed, mut restarted_yet) = (false, false, false);
    let mut plan = plan.into_iter().peekable();
    while !(healed && restarted_yet) {
        if !split && sim.now >= split_at {
            sim.relink(groups.clone());
            split = true;
        }
        if !healed && sim.now >= heal_at {
            sim.relink(vec![0; n]);
            healed = true;
        }
        if !restarted_yet && sim.now >= restart_at {
            sim.restart(restarted);
            restarted_yet = true;
        }
        while let Some(p) = plan.next_if(|p| p.at <= sim.now) {
            let ballot = ActionBody::Governance(GovernanceAction::Vote {
                proposal: ProposalRef {
                    id,
                    level: Level::Network,
                },
                ballot: Ballot::Quadratic(vec![p.votes]),
            });
            let ticket = sim.submit(p.community, p.member, ballot);
            tickets.push((p.community, ticket));
        }
        sim.step();
    }
    assert!(plan.next().is_none(), "every planned ballot was cast");
    sim.run_until(30_000, "every node attests", |sim| {
        (0..n).all(|i| !attestations(sim, i, &id).is_empty())
    });
    sim.run_until(30_000, "every view certifies a result", |sim| {
        // Views are rebuilt once a simulated second, not at every step.
        sim.now % 1_000 == 0
            && (0..n).all(|i| {
                sim.tally(i, &network, &id)
                    .certification
                    .certified
                    .is_some()
            })
    });

    for (i, ticket) in tickets {
        assert!(
            matches!(sim.nodes[i].replies.get(&ticket), Some(Ok(()))),
            "every ballot is recorded: {:?}",
            sim.nodes[i].replies.get(&ticket)
        );
    }
    assert!(sim.faults.is_empty(), "honest nodes: {:?}", sim.faults);

    // One result everywhere, attested once per node and certified.
    let attested: Vec<Vec<Hash>> = (0..n).map(|i| attestations(&sim, i, &id)).collect();
    let result = attested[0][0];
    for (i, a) in attested.iter().enumerate() {
        assert_eq!(a, &vec![result], "node {i} attests once, the same result");
        let tally = sim.tally(i, &network, &id);
        assert!(tally.is_final && tally.missing.is_empty());
        assert_eq!(tally.result, result, "node {i} computes the same tally");
        assert_eq!(tally.certification.certified, Some(result));
        assert!(
            sim.nodes[i]
                .h
                .service
                .storage()
                .proofs()
                .expect("proofs")
                .is_empty()
        );
    }

    // The same as a tally of every public log put together.
    let logs: Vec<CommunityLog> = sim
        .nodes
        .iter()
        .map(|node| {
            let service = &node.h.service;
            let entries = service
                .storage()
                .public_log(&service.community())
                .expect("own log");
            CommunityLog {
                community: service.community(),
                node: founding(service).node,
                entries,
                fork: None,
            }
        })
        .collect();
    let view = FederationView::new(network.genesis.clone(), &logs);
    let oracle = Tallier::new(&view)
        .tally(&id, Timestamp(sim.now))
        .expect("known");
    assert!(oracle.is_final);
    assert_eq!(oracle.result, result, "{:#?}", oracle.report);

    // Every member was eligible; what was not counted was cut off from its
    // witnesses by the split, which cannot happen when each side has two.
    let report = &oracle.report;
    assert_eq!(report.eligible, (n * MEMBERS as usize) as u64);
    assert!(
        report
            .excluded
            .iter()
            .all(|e| matches!(e.reason, ExclusionReason::Unwitnessed { .. })),
        "{report:#?}"
    );
    if pairs_in_groups {
        assert!(report.excluded.is_empty(), "{report:#?}");
        assert_eq!(report.ballots, voters.len() as u64);
    }
}

/// The id of the federated proposal in a service's own public log.
fn proposal_of(service: &super::Service<MemoryStorage>) -> Hash {
    proposals_in(service)
        .first()
        .map(|(id, _)| *id)
        .expect("a proposal in the proposer's log")
}

fn proposal_time(service: &super::Service<MemoryStorage>, id: &Hash) -> u64 {
    proposals_in(service)
        .into_iter()
        .find(|(p, _)| p == id)
        .map(|(_, t)| t)
        .expect("the proposal")
}

fn proposals_in(service: &super::Service<MemoryStorage>) -> Vec<(Hash, u64)> {
    let log = service
        .storage()
        .public_log(&service.community())
        .expect("own log");
    let mut out = Vec::new();
    for entry in log {
        if let hearth_protocol::log::EntryBody::Actions(actions) = &entry.entry.body {
            for a in actions {
                if matches!(
                    a.action.body,
                    ActionBody::Governance(GovernanceAction::Propose(_))
                ) {
                    out.push((a.id(), entry.entry.time.0));
                }
            }
        }
    }
    out
}

/// The seeds to run: `SEED` (decimal or `0x` hex) alone, else [`SEEDS`].
fn seeds() -> Vec<u64> {
    match std::env::var("SEED") {
        Ok(s) => {
            let s = s.trim();
            let seed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            vec![seed.unwrap_or_else(|e| panic!("SEED={s:?} is not a number: {e}"))]
        }
        Err(_) => SEEDS.to_vec(),
    }
}

#[test]
fn a_partitioned_federation_with_lossy_links_agrees_on_one_certified_result() {
    for seed in seeds() {
        let run = std::panic::catch_unwind(|| {
            federated_vote_survives_loss_reordering_and_a_partition(seed)
        });
        if let Err(panic) = run {
            eprintln!("simulation failed with SEED={seed} (set SEED to replay it)");
            std::panic::resume_unwind(panic);
        }
    }
}

/// ```text
///   community 0 ── network ── community 1
///   council revokes member 1's skill → NodeRecord::Revoked in 0's public log
///                                    → 1's federation view answers "revoked"
/// ```
/// A skill revocation decided in one community's local log is mirrored
/// into its public log, and the other node's federation view answers a
/// credential status request with it.
#[test]
fn a_skill_revocation_reaches_the_other_nodes_of_the_network() {
    use hearth_protocol::credential::CredentialStatus as StatusKind;
    use hearth_protocol::economy::learning::{self, LearningAction};
    use hearth_protocol::governance::{Moderation, YesNo};

    let mut sim = Sim::new(0x004c_4541_524e, 2);
    sim.run_for(500);
    let network = form_network(&mut sim);

    // Community 0's council (its first member) adds a skill and verifies
    // member 1 in it, then proposes the revocation and decides it.
    let member = keypair(member_seeds(0, MEMBERS)[1]).public();
    let add = LearningAction::AddSkill {
        name: "soil".into(),
        description: String::new(),
        prerequisites: Vec::new(),
    };
    sim.submit(0, 0, ActionBody::Learning(add));
    sim.step();
    let skill = learning::skills(sim.nodes[0].h.service.storage()).expect("read")[0].id;
    sim.submit(
        0,
        0,
        ActionBody::Learning(LearningAction::Endorse { member, skill }),
    );
    sim.step();
    let verified_at = Timestamp(sim.now);
    let revoke = Proposal {
        kind: ProposalKind::Emergency,
        level: Level::Local,
        topic: None,
        title: "Revoke soil".into(),
        text: "Endorsed by mistake.".into(),
        options: Vec::new(),
        subject: Subject::Moderation {
            action: Moderation::RevokeSkill { member, skill },
        },
    };
    sim.submit(
        0,
        0,
        ActionBody::Governance(GovernanceAction::Propose(Box::new(revoke))),
    );
    sim.step();
    let proposal = hearth_protocol::state::governance::proposals(sim.nodes[0].h.service.storage())
        .expect("read")
        .iter()
        .find(|p| p.proposal.kind == ProposalKind::Emergency)
        .expect("the revocation proposal")
        .id;
    let ballot = GovernanceAction::Vote {
        proposal: ProposalRef {
            id: proposal,
            level: Level::Local,
        },
        ballot: Ballot::YesNo(YesNo::Yes),
    };
    sim.submit(0, 0, ActionBody::Governance(ballot));
    sim.step();
    // The council decision takes a day (the default rules).
    sim.now += 86_400_000;
    let issuer = keypair(100).public();
    sim.run_until(
        20_000,
        "the revocation is in the other node's view",
        |sim| {
            let storage = sim.nodes[1].h.service.storage();
            let view = build_view(storage, &network, &BTreeMap::new()).expect("a view");
            learning::federated_status(&view, &issuer, &member, &skill, verified_at)
                .is_some_and(|s| s.status == StatusKind::Revoked)
        },
    );
    let storage = sim.nodes[1].h.service.storage();
    let view = build_view(storage, &network, &BTreeMap::new()).expect("a view");
    let status =
        learning::federated_status(&view, &issuer, &member, &skill, verified_at).expect("known");
    assert_eq!(status.reason.as_deref(), Some("Endorsed by mistake."));
    // The issuing node answers from its own state, and the mirror is
    // recorded there (it is not mirrored twice).
    let own = learning::credential_status(
        sim.nodes[0].h.service.storage(),
        &issuer,
        &member,
        &skill,
        verified_at,
    )
    .expect("read");
    assert_eq!(own.status, StatusKind::Revoked);
    assert!(
        hearth_protocol::state::federated::unmirrored_revocations(sim.nodes[0].h.service.storage())
            .expect("read")
            .is_empty()
    );
    assert!(sim.faults.is_empty(), "{:?}", sim.faults);
}

/// ```text
///   community 0 ── network ── community 1
///   each pays within itself; the month ends → NodeRecord::Stats in each
///   public log → either node's view sums both communities' month
/// ```
/// Each node publishes a closed month's analytics counts once, and every
/// node's federation view adds them up into the network's figures.
#[test]
fn closed_months_are_published_and_summed_across_the_network() {
    use hearth_protocol::analytics::network;
    use hearth_protocol::economy::income::{month_index, month_start};
    use hearth_protocol::{Kc, LedgerAction};

    let mut sim = Sim::new(0x0053_5441_5453, 2);
    sim.run_for(500);
    let network = form_network(&mut sim);
    for (c, amount) in [(0usize, 7), (1, 5)] {
        let to = keypair(member_seeds(c as u8, MEMBERS)[1]).public();
        let pay = LedgerAction::Transfer {
            to,
            amount: Kc::whole(amount),
            memo: String::new(),
        };
        sim.submit(c, 0, ActionBody::Ledger(pay));
    }
    sim.step();
    let month = month_index(Timestamp(sim.now));
    sim.now = month_start(month + 1).0 + 1_000;
    sim.run_until(20_000, "both months are in both views", |sim| {
        (0..2).all(|n| {
            let storage = sim.nodes[n].h.service.storage();
            let view = build_view(storage, &network, &BTreeMap::new()).expect("a view");
            let report = network::of_view(&view, None, month, month).expect("the network");
            report.months[0].missing.is_empty()
        })
    });
    for n in 0..2 {
        let storage = sim.nodes[n].h.service.storage();
        let view = build_view(storage, &network, &BTreeMap::new()).expect("a view");
        let report = network::of_view(&view, None, month, month).expect("the network");
        let m = &report.months[0];
        assert_eq!(m.reporting.len(), 2);
        assert_eq!(m.counts.circulation, Kc::whole(12));
        assert_eq!(m.counts.active, 4);
        // Published once: nothing waits, and the view holds one record per
        // community and month.
        assert!(
            hearth_protocol::analytics::unpublished(storage, 12)
                .expect("read")
                .is_empty()
        );
        for index in view.communities.values() {
            let months: Vec<u32> = index.stats.iter().map(|s| s.month).collect();
            assert_eq!(months, vec![month], "published once");
        }
    }
    assert!(sim.faults.is_empty(), "{:?}", sim.faults);
}
