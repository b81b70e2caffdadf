//! The federation in the node's sans-IO core: other communities' public
//! logs arriving by gossip (push) and by sync (pull), equivocation proofs,
//! the checkpoints and attestations this node appends to its public log,
//! and recovery of its own public log from peers.
//!
//! Inputs are method calls with `now`; outputs go to the same outbox as the
//! rest of the service ([`Io::Publish`], [`Io::Request`], [`Io::Penalise`]).
//! What a peer sends is decoded with its size limit and verified against
//! the node key the network names before anything is stored or forwarded.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hearth_protocol::crypto::{Hash, KeyCache, PublicKey};
use hearth_protocol::federation::tally::Tallier;
use hearth_protocol::federation::wire::{MAX_HEADS, MAX_RANGE, MAX_RESPONSE_BYTES};
use hearth_protocol::federation::{
    Attestation, Checkpoint, CommunityLog, EquivocationProof, FederationView, Gossip, LogHead,
    NetworkSignature, SignedNetwork, SyncRequest, SyncResponse,
};
use hearth_protocol::governance::{Level, Schedule, Subject};
use hearth_protocol::log::{
    ActionsChecked, EntryBody, Head, LogId, LogKind, NodeRecord, SignedEntry,
};
use hearth_protocol::state::{self, Overlay, StoreError, federated};
use hearth_protocol::{ActionBody, Canonical, GovernanceAction, Timestamp};

use super::{Io, Receipt, Service, SubmitError, Ticket};
use crate::net::{PeerId, Verdict, peer_id_of};
use crate::store::{Commit, FedRead, FedStorage, Location};

mod status;
mod view;
pub use status::{FedStatus, HeadStatus, NetworkStatus, PROGRESS_INTERVAL, PendingVote, VoteState};
use view::ViewKeeper;
pub use view::{SharedView, Tallied};

/// How often heads are exchanged with every connected peer.
pub const SYNC_INTERVAL: hearth_protocol::Millis = hearth_protocol::Millis::secs(3);

/// How long a range request may stay unanswered before another is sent.
const INFLIGHT_TIMEOUT: hearth_protocol::Millis = hearth_protocol::Millis::secs(30);

/// Most closed months whose `Stats` one sync round queues for the public
/// log (a community that joins a network with a long history publishes it
/// a year at a time).
const MAX_STATS_PER_SYNC: usize = 12;

/// How many distinct communities' nodes must show a recovering node its
/// public head, by default (every known one when there are fewer).
pub const DEFAULT_RECOVER_QUORUM: usize = 2;

/// How often, at most, finished votes are checked for attestation.
const ATTEST_INTERVAL: hearth_protocol::Millis = hearth_protocol::Millis(500);

/// A checkpoint is appended at least this many checkpoint intervals apart
/// even when nothing changed, so every log moves past every vote's grace.
const HEARTBEAT_INTERVALS: u64 = 3;

/// What became of one received entry.
#[derive(Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Stored: it extended the log.
    Stored,
    /// Already held.
    Known,
    /// Ahead of what is held: the missing range is fetched.
    Ahead,
    /// It conflicts with a held entry: the log is frozen and the proof kept.
    Fork,
    /// Of a community this node does not know (yet).
    Unknown,
    /// Dated further in the future than clocks may differ: not taken now.
    Future,
    /// Invalid: bad signature, broken chain, wrong log.
    Invalid(String),
}

/// Verified entries of one public log, in order, not yet stored.
#[derive(Debug, Default)]
struct Run {
    community: Hash,
    head: Option<Head>,
    entries: Vec<SignedEntry>,
}

/// What [`Service::extend_run`] did with an entry.
#[derive(Debug)]
enum Extended {
    /// Verified and added to the run.
    Verified,
    /// Not the next entry of a log the run can extend.
    No(SignedEntry),
    /// The next entry, but invalid.
    Invalid(String),
}

/// The federation part of the service.
#[derive(Debug, Default)]
pub struct Fed {
    /// The network this community belongs to.
    pub(crate) network: Option<SignedNetwork>,
    /// Other communities' node keys.
    nodes: BTreeMap<Hash, PublicKey>,
    /// Known community nodes' peer ids.
    peer_of: BTreeMap<PeerId, Hash>,
    /// Connected peers.
    connected: BTreeSet<PeerId>,
    /// Heads of the other public logs held.
    heads: BTreeMap<Hash, Head>,
    /// Frozen logs: the fork's seq.
    forks: BTreeMap<Hash, u64>,
    /// Heads peers reported, to keep fetching while they are ahead.
    peer_heads: BTreeMap<(PeerId, Hash), u64>,
    /// A range request in flight per community.
    inflight: BTreeMap<Hash, (PeerId, Timestamp)>,
    /// Peers that served an invalid range of a community, and when: that
    /// range is asked of other peers for a while.
    shunned: BTreeMap<(PeerId, Hash), Timestamp>,
    /// Records to seal into the next public entry, with who waits.
    pub(crate) records: Vec<(Option<Ticket>, NodeRecord)>,
    /// When the last checkpoint was sealed.
    last_checkpoint: Timestamp,
    /// The heads listed in it.
    checkpointed: Vec<LogHead>,
    /// Whether another log gained something besides checkpoints since the
    /// last checkpoint (checkpoints alone do not call for one, or every
    /// node's checkpoint would call for everyone else's).
    dirty: bool,
    /// Proposals this node attested.
    attested: BTreeSet<Hash>,
    /// Federated proposals and when their vote closes.
    closes: BTreeMap<Hash, Timestamp>,
    /// Whether public writes may go on (see [`Service::fed_recovered`]).
    recovered: bool,
    /// How many distinct communities' nodes must have shown this node's
    /// public head before a recovery ends (every known one when fewer).
    recover_quorum: usize,
    /// The highest seq of this node's public log that another community
    /// attested in a signed checkpoint: a recovery never ends below it.
    attested_own: Option<u64>,
    last_sync: Timestamp,
    last_attest: Timestamp,
    last_mirror: Timestamp,
    keys: KeyCache,
    /// The federation view, kept up to date as entries are stored.
    view: ViewKeeper,
    /// A catch-up under way (for its progress lines).
    catch_up: Option<status::CatchUp>,
}

impl Fed {
    fn adopt(&mut self, network: SignedNetwork, own: &Hash) {
        for f in &network.genesis.communities {
            if f.id != *own {
                self.nodes.insert(f.id, f.node);
                if let Some(peer) = peer_id_of(&f.node) {
                    self.peer_of.insert(peer, f.id);
                }
            }
        }
        self.network = Some(network);
        self.view.invalidate();
    }

    fn admit(&mut self, community: Hash, node: PublicKey, own: &Hash) {
        if community != *own && !self.nodes.contains_key(&community) {
            self.nodes.insert(community, node);
            if let Some(peer) = peer_id_of(&node) {
                self.peer_of.insert(peer, community);
            }
        }
    }
}

impl<S: FedStorage> Service<S> {
    /// Loads the federation state at start. With `recover`, public writes
    /// wait until the node holds its public log up to what other
    /// communities attest and several of their nodes show (the node's disk
    /// was lost and it must not reissue a seq; see
    /// [`Service::check_recovered`]).
    pub(crate) fn fed_open(&mut self, recover: bool) -> Result<(), StoreError> {
        let own = self.community;
        if let Some(network) = federated::networks(&self.storage)?.into_iter().next() {
            self.fed.adopt(network, &own);
        }
        self.fed.heads = self.storage.fed_heads()?;
        for (community, proof) in self.storage.proofs()? {
            self.fed.forks.insert(community, proof.at().1);
        }
        for entry in self.storage.public_log(&own)? {
            self.note_own(&entry);
        }
        self.sync_view();
        let foreign: Vec<Hash> = self.fed.heads.keys().copied().collect();
        for c in foreign {
            for entry in self.storage.public_log(&c)? {
                self.note_proposals(&entry);
                self.note_attested_own(&entry);
            }
        }
        self.refresh_admissions();
        self.fed.recovered = !recover;
        if self.fed.recover_quorum == 0 {
            self.fed.recover_quorum = DEFAULT_RECOVER_QUORUM;
        }
        Ok(())
    }

    /// Sets how many distinct communities' nodes must show this node's
    /// public head before a recovery ends (at least one).
    pub fn set_recover_quorum(&mut self, quorum: usize) {
        self.fed.recover_quorum = quorum.max(1);
    }

    /// Remembers the highest seq of this node's own public log that a
    /// checkpoint in another community's entry attests.
    fn note_attested_own(&mut self, entry: &SignedEntry) {
        let EntryBody::Records(records) = &entry.entry.body else {
            return;
        };
        for r in records {
            if let NodeRecord::Checkpoint(c) = r
                && let Some(head) = c.head_of(&self.community)
                && self.fed.attested_own.is_none_or(|s| s < head.seq)
            {
                self.fed.attested_own = Some(head.seq);
            }
        }
    }

    /// Ends a recovery once it is safe to write to the public log again:
    /// the node holds at least the highest head of its own log that any
    /// other community attested in a signed checkpoint, and the nodes of
    /// at least `recover_quorum` distinct communities of the network (all
    /// of them, when there are fewer) have shown a head of this log, none
    /// ahead of what the node holds. One peer's word — stale or lying —
    /// never ends it.
    fn check_recovered(&mut self) {
        if self.fed.recovered {
            return;
        }
        let Some(held) = self.heads[0].map(|h| h.seq) else {
            return;
        };
        if self.fed.attested_own.is_some_and(|a| a > held) {
            return;
        }
        let own = self.community;
        let mut shown: BTreeSet<Hash> = BTreeSet::new();
        for (peer, community) in &self.fed.peer_of {
            let Some(&seq) = self.fed.peer_heads.get(&(*peer, own)) else {
                continue;
            };
            if seq > held {
                return;
            }
            // A node's word counts once its own log is held as far as it
            // showed it: the checkpoints in it are then known, and one that
            // attests more than the node claims is caught above.
            let theirs = self.fed.peer_heads.get(&(*peer, *community));
            let have = self.fed.heads.get(community).map(|h| h.seq);
            if theirs.is_some_and(|t| have.is_some_and(|h| h >= *t)) {
                shown.insert(*community);
            }
        }
        let needed = self.fed.recover_quorum.min(self.fed.nodes.len()).max(1);
        if shown.len() >= needed {
            tracing::info!(
                seq = held,
                communities = shown.len(),
                "recovered this node's public log: public writes resume"
            );
            self.fed.recovered = true;
        }
    }

    /// Whether public-log writes may go on: not while a node that lost its
    /// disk has yet to learn its own public head from a peer.
    pub fn fed_recovered(&self) -> bool {
        self.fed.recovered
    }

    /// The network this community belongs to.
    pub fn network(&self) -> Option<&SignedNetwork> {
        self.fed.network.as_ref()
    }

    /// Remembers what an entry of this node's own public log records —
    /// attestations made (never to be made twice), the last checkpoint and
    /// federated proposals — whether it was sealed here, read at start or
    /// recovered from a peer.
    fn note_own(&mut self, entry: &SignedEntry) {
        if let EntryBody::Records(records) = &entry.entry.body {
            for r in records {
                match r {
                    NodeRecord::Attest(a) => {
                        self.fed.attested.insert(a.proposal);
                    }
                    NodeRecord::Checkpoint(c) => {
                        self.fed.last_checkpoint = entry.entry.time;
                        self.fed.checkpointed = c.heads.clone();
                    }
                    _ => {}
                }
            }
        }
        self.note_proposals(entry);
    }

    /// Remembers when the vote of each federated proposal in `entry` closes.
    fn note_proposals(&mut self, entry: &SignedEntry) {
        let Some(network) = &self.fed.network else {
            return;
        };
        let EntryBody::Actions(actions) = &entry.entry.body else {
            return;
        };
        let rules = network.genesis.rules.as_rules();
        for a in actions {
            if let ActionBody::Governance(GovernanceAction::Propose(p)) = &a.action.body
                && p.level != Level::Local
            {
                let closes = Schedule::of(p.kind, entry.entry.time, &rules).closes;
                self.fed.closes.insert(a.id(), closes);
            }
        }
    }

    /// Adds the node keys of communities admitted by a passed vote.
    fn refresh_admissions(&mut self) {
        self.sync_view();
        let shared = self.fed.view.shared.clone();
        let admitted: Vec<(Hash, PublicKey)> = {
            let guard = shared.read();
            let Some(view) = guard.as_ref() else {
                return;
            };
            let tallier = Tallier::new(view);
            let admitted = tallier.communities_at(Level::Network, Timestamp(u64::MAX));
            view.admission_proposals()
                .into_iter()
                .filter_map(|p| match &p.proposal.subject {
                    Subject::Community {
                        community, node, ..
                    } if admitted.contains(community) => Some((*community, *node)),
                    _ => None,
                })
                .collect()
        };
        let own = self.community;
        for (community, node) in admitted {
            self.fed.admit(community, node, &own);
        }
    }

    /// A copy of the federation view as it stands (for tests and tools:
    /// the node itself reads the shared view in place).
    pub fn view(&mut self) -> Option<FederationView> {
        self.sync_view();
        self.fed.view.shared.read().clone()
    }

    /// The federation view the node keeps up to date, for readers.
    pub fn shared_view(&self) -> Arc<SharedView> {
        self.fed.view.shared.clone()
    }

    /// Brings the shared view up to date with what was stored (built from
    /// every log only when it must be; see [`ViewKeeper::sync`]).
    fn sync_view(&mut self) {
        let (storage, fed) = (&self.storage, &mut self.fed);
        let (network, forks) = (&fed.network, &fed.forks);
        fed.view.sync(|| {
            let network = network.as_ref()?;
            match build_view(storage, network, forks) {
                Ok(view) => Some(view),
                Err(e) => {
                    tracing::error!(error = %e, "cannot build the federation view");
                    None
                }
            }
        });
    }

    // ---------------------------------------------------------------
    // Network records submitted through the API
    // ---------------------------------------------------------------

    /// Signs a network genesis draft with the node key, if this community
    /// is one of its founders.
    pub fn sign_network(
        &self,
        genesis: &hearth_protocol::federation::NetworkGenesis,
    ) -> Result<NetworkSignature, String> {
        genesis.validate().map_err(|e| e.to_string())?;
        match genesis.founding(&self.community) {
            Some(f) if f.node == self.node.public() => {
                Ok(NetworkSignature::sign(genesis, self.community, &self.node))
            }
            Some(_) => Err("the draft names another node key for this community".into()),
            None => Err("this community is not among the draft's founders".into()),
        }
    }

    /// A signed network genesis to record: sealed in the next public entry
    /// (the reply follows once it is durable). `joined` names the proposal
    /// that admitted a non-founding community.
    pub fn submit_network(&mut self, ticket: Ticket, network: SignedNetwork, joined: Option<Hash>) {
        let refuse = |e: String| Err(SubmitError::Storage(StoreError(e)));
        let checked = network.clone().verify().map_err(|e| e.to_string());
        if let Err(e) = checked {
            self.reply(ticket, refuse(e));
            return;
        }
        let id = network.genesis.id();
        // The same network again (a founder's node may already have taken
        // it from a peer): recorded once, and the submission says where.
        if self
            .fed
            .network
            .as_ref()
            .is_some_and(|n| n.genesis.id() == id)
        {
            let result = match self.network_seq(&id) {
                Ok(Some(seq)) => Ok(Receipt {
                    id,
                    log: LogKind::Public,
                    seq,
                    duplicate: true,
                }),
                Ok(None) => refuse("the network is held but its entry is missing".into()),
                Err(e) => Err(SubmitError::Storage(e)),
            };
            self.reply(ticket, result);
            return;
        }
        if self.fed.network.is_some() {
            self.reply(
                ticket,
                refuse("this community already belongs to a network".into()),
            );
            return;
        }
        let queued = self.fed.records.iter_mut().find(|(waiting, record)| {
            waiting.is_none() && matches!(record, NodeRecord::Network(n) if n.genesis.id() == id)
        });
        if let Some((waiting, _)) = queued {
            *waiting = Some(ticket);
            return;
        }
        let record = match joined {
            None if network.genesis.founding(&self.community).is_none() => {
                self.reply(
                    ticket,
                    refuse("this community is not a founder of that network".into()),
                );
                return;
            }
            None => NodeRecord::Network(Box::new(network)),
            Some(proposal) => NodeRecord::Joined {
                network: Box::new(network),
                proposal,
            },
        };
        self.fed.records.push((Some(ticket), record));
    }

    /// The seq of this node's public entry that recorded network `id`.
    fn network_seq(&self, id: &Hash) -> Result<Option<u64>, StoreError> {
        let mut from = 0;
        loop {
            let page = self.storage.entries(LogKind::Public, from, 256)?;
            if page.is_empty() {
                return Ok(None);
            }
            for bytes in &page {
                let entry = SignedEntry::from_bytes(bytes)
                    .map_err(|e| StoreError(format!("a stored public entry: {e}")))?;
                let records = match &entry.entry.body {
                    EntryBody::Records(records) => records.as_slice(),
                    _ => &[],
                };
                let recorded = records.iter().any(|r| match r {
                    NodeRecord::Network(n) | NodeRecord::Joined { network: n, .. } => {
                        n.genesis.id() == *id
                    }
                    _ => false,
                });
                if recorded {
                    return Ok(Some(entry.entry.seq));
                }
                from = entry.entry.seq + 1;
            }
        }
    }

    // ---------------------------------------------------------------
    // Peers and sync
    // ---------------------------------------------------------------

    /// A peer connected: exchange heads (and networks, if this node has none).
    pub fn peer_connected(&mut self, peer: PeerId) {
        self.fed.connected.insert(peer);
        self.request(peer, &SyncRequest::Heads);
        if self.fed.network.is_none() {
            self.request(peer, &SyncRequest::Networks);
        }
    }

    /// A peer disconnected.
    pub fn peer_disconnected(&mut self, peer: &PeerId) {
        self.fed.connected.remove(peer);
        self.fed.inflight.retain(|_, (p, _)| p != peer);
        self.fed.peer_heads.retain(|(p, _), _| p != peer);
    }

    /// A request to `peer` failed.
    pub fn request_failed(&mut self, peer: &PeerId) {
        self.fed.inflight.retain(|_, (p, _)| p != peer);
    }

    fn request(&mut self, peer: PeerId, request: &SyncRequest) {
        self.outbox.push_back(Io::Request {
            peer,
            data: request.to_bytes(),
        });
    }

    /// Periodic federation work: heads exchange, checkpoints, attestations.
    pub(crate) fn fed_tick(&mut self, now: Timestamp) {
        self.sync_view();
        if now >= self.fed.last_sync.plus(SYNC_INTERVAL) {
            self.fed.last_sync = now;
            let peers: Vec<PeerId> = self.fed.connected.iter().copied().collect();
            for peer in peers {
                self.request(peer, &SyncRequest::Heads);
            }
            self.fed
                .inflight
                .retain(|_, (_, at)| now < at.plus(INFLIGHT_TIMEOUT));
            self.fed
                .shunned
                .retain(|_, at| now < at.plus(INFLIGHT_TIMEOUT));
        }
        self.check_recovered();
        self.report_catch_up(now);
        if self.fed.network.is_none() || !self.fed.recovered {
            return;
        }
        if now >= self.fed.last_mirror.plus(SYNC_INTERVAL) {
            self.fed.last_mirror = now;
            self.mirror_roster();
            self.mirror_revocations();
            self.publish_stats();
        }
        self.maybe_checkpoint(now);
        if now >= self.fed.last_attest.plus(ATTEST_INTERVAL) {
            self.fed.last_attest = now;
            self.maybe_attest(now);
        }
    }

    /// Members admitted by a local vote are mirrored into the public log,
    /// so the federation sees the community's whole roster.
    fn mirror_roster(&mut self) {
        match federated::unmirrored(&self.storage) {
            Ok(changes) => {
                for change in changes {
                    let queued = self.fed.records.iter().any(
                        |(_, r)| matches!(r, NodeRecord::Roster(c) if c.proposal == change.proposal),
                    );
                    if !queued {
                        self.fed.records.push((None, NodeRecord::Roster(change)));
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read membership decisions"),
        }
    }

    /// Skill revocations the council decided are mirrored into the public
    /// log, so any node of the federation can answer a credential status.
    fn mirror_revocations(&mut self) {
        match federated::unmirrored_revocations(&self.storage) {
            Ok(revocations) => {
                for r in revocations {
                    let queued = self.fed.records.iter().any(
                        |(_, q)| matches!(q, NodeRecord::Revoked(x) if x.proposal == r.proposal),
                    );
                    if !queued {
                        self.fed.records.push((None, NodeRecord::Revoked(r)));
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read skill revocations"),
        }
    }

    /// Each closed month's analytics counts are published once in the
    /// public log, for the network's and regions' analytics.
    fn publish_stats(&mut self) {
        match hearth_protocol::analytics::unpublished(&self.storage, MAX_STATS_PER_SYNC) {
            Ok(months) => {
                for stats in months {
                    let queued =
                        self.fed.records.iter().any(
                            |(_, q)| matches!(q, NodeRecord::Stats(x) if x.month == stats.month),
                        );
                    if !queued {
                        self.fed.records.push((None, NodeRecord::Stats(stats)));
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot read the analytics months"),
        }
    }

    fn maybe_checkpoint(&mut self, now: Timestamp) {
        let Some(network) = &self.fed.network else {
            return;
        };
        if self
            .fed
            .records
            .iter()
            .any(|(_, r)| matches!(r, NodeRecord::Checkpoint(_)))
        {
            return;
        }
        let interval = network.genesis.rules.checkpoint_interval;
        let grace = network.genesis.rules.grace;
        let last = self.fed.last_checkpoint;
        if now < last.plus(interval) {
            return;
        }
        let heads = self.foreign_heads();
        let changed = self.fed.dirty && heads != self.fed.checkpointed;
        let heartbeat = now.0 >= last.0 + HEARTBEAT_INTERVALS * interval.0;
        // A vote closed, or its grace ended, since the last checkpoint.
        let deadline = self
            .fed
            .closes
            .values()
            .any(|t| (last < *t && *t <= now) || (last < t.plus(grace) && t.plus(grace) < now));
        if changed || heartbeat || deadline {
            self.fed.dirty = false;
            let network_id = network.genesis.id();
            self.fed.records.push((
                None,
                NodeRecord::Checkpoint(Checkpoint {
                    network: network_id,
                    heads,
                }),
            ));
        }
    }

    fn maybe_attest(&mut self, now: Timestamp) {
        let Some(network) = &self.fed.network else {
            return;
        };
        let grace = network.genesis.rules.grace;
        let due: Vec<Hash> = self
            .fed
            .closes
            .iter()
            .filter(|(id, closes)| !self.fed.attested.contains(*id) && now > closes.plus(grace))
            .map(|(id, _)| *id)
            .collect();
        if due.is_empty() {
            return;
        }
        self.sync_view();
        let shared = self.fed.view.shared.clone();
        // A view that lags behind the store (a reader held it) is not
        // counted from: it may lack ballots and checkpoints the node holds.
        // The next round tries again.
        if !shared.is_current() {
            return;
        }
        let mut attest = Vec::new();
        let mut decided = false;
        {
            let guard = shared.read();
            let Some(view) = guard.as_ref() else {
                return;
            };
            let tallier = Tallier::new(view);
            for id in due {
                // Whether it is final costs no count; a vote waiting for
                // finality is counted once, when it is.
                if tallier.is_final(&id, now) != Some(true) {
                    continue;
                }
                let Some(tallied) = shared.tally(view, &id, now) else {
                    continue;
                };
                let result = &tallied.result;
                // Attest only where this community takes part.
                if result.report.communities.contains(&self.community) {
                    tracing::info!(proposal = %id, result = %result.result, passed = result.passed, "attesting a federated tally");
                    attest.push((view.network_id, id, result.result));
                }
                self.fed.attested.insert(id);
                decided = true;
            }
        }
        for (network, proposal, result) in attest {
            self.fed.records.push((
                None,
                NodeRecord::Attest(Attestation {
                    network,
                    proposal,
                    result,
                }),
            ));
        }
        // Only a vote that became final can admit a community.
        if decided {
            self.refresh_admissions();
        }
    }

    /// Answers a peer's sync request.
    pub fn answer(&self, data: &[u8]) -> Vec<u8> {
        match SyncRequest::from_bytes(data) {
            Err(e) => SyncResponse::Refused(format!("malformed request: {e}")).to_bytes(),
            Ok(request) => self.respond(request),
        }
    }

    /// Answers a decoded sync request (ranges from the stored bytes, as
    /// [`answer_range`] does off the actor).
    pub fn respond(&self, request: SyncRequest) -> Vec<u8> {
        let response = match request {
            SyncRequest::Range {
                community,
                from,
                limit,
            } => return answer_range(&self.storage, &community, from, limit),
            SyncRequest::Heads => {
                let mut heads = self.foreign_heads();
                if let Some(own) = self.heads[0] {
                    heads.push(LogHead {
                        community: self.community,
                        head: own,
                    });
                }
                heads.sort_by_key(|h| h.community);
                heads.truncate(MAX_HEADS);
                SyncResponse::Heads {
                    heads,
                    forked: self.fed.forks.keys().take(MAX_HEADS).copied().collect(),
                }
            }
            SyncRequest::Networks => {
                SyncResponse::Networks(self.fed.network.iter().cloned().collect())
            }
            SyncRequest::Proof { community } => match self.storage.proofs() {
                Ok(mut proofs) => SyncResponse::Proof(proofs.remove(&community).map(Box::new)),
                Err(e) => SyncResponse::Refused(format!("storage: {e}")),
            },
        };
        response.to_bytes()
    }

    /// A peer answered a sync request.
    pub fn on_response(&mut self, peer: PeerId, data: &[u8], now: Timestamp) {
        let response = match SyncResponse::from_bytes(data) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(%peer, error = %e, "malformed sync response");
                self.outbox.push_back(Io::Penalise(peer));
                return;
            }
        };
        match response {
            SyncResponse::Heads { heads, forked } => self.on_heads(peer, heads, forked, now),
            SyncResponse::Entries(entries) => {
                self.stats.ranges_received += 1;
                self.stats.range_bytes_received += data.len() as u64;
                self.on_entries(peer, entries, data.len(), now)
            }
            SyncResponse::Networks(networks) => {
                for network in networks {
                    self.offered_network(network);
                }
            }
            SyncResponse::Proof(Some(proof)) => {
                if let Err(reason) = self.take_proof(*proof) {
                    tracing::warn!(%peer, %reason, "invalid equivocation proof");
                    self.outbox.push_back(Io::Penalise(peer));
                }
            }
            SyncResponse::Proof(None) => {}
            SyncResponse::Refused(reason) => {
                tracing::debug!(%peer, %reason, "sync request refused");
                self.fed.inflight.retain(|_, (p, _)| *p != peer);
            }
        }
    }

    /// A peer offers a complete network genesis: a founding community that
    /// has none records it (so `hearth network start` needs one node only).
    fn offered_network(&mut self, network: SignedNetwork) {
        if self.fed.network.is_some()
            || self
                .fed
                .records
                .iter()
                .any(|(_, r)| matches!(r, NodeRecord::Network(_)))
        {
            return;
        }
        if network.genesis.founding(&self.community).is_some() && network.clone().verify().is_ok() {
            tracing::info!(network = %network.genesis.id(), "recording the network a peer offered");
            self.fed
                .records
                .push((None, NodeRecord::Network(Box::new(network))));
        }
    }

    /// The heads held of other communities' public logs, in community order.
    fn foreign_heads(&self) -> Vec<LogHead> {
        self.fed
            .heads
            .iter()
            .map(|(&community, &head)| LogHead { community, head })
            .collect()
    }

    fn on_heads(&mut self, peer: PeerId, heads: Vec<LogHead>, forked: Vec<Hash>, now: Timestamp) {
        let own = self.community;
        let mut own_listed = false;
        let mut own_behind = false;
        for LogHead { community, head } in heads {
            // Only logs this node follows: heads of unknown communities
            // would grow the map without bound.
            if community != own && !self.fed.nodes.contains_key(&community) {
                continue;
            }
            self.fed.peer_heads.insert((peer, community), head.seq);
            if community == own {
                own_listed = true;
                let ours = self.heads[0].map_or(0, |h| h.seq);
                if head.seq > ours {
                    own_behind = true;
                    self.fetch(peer, community, ours + 1, now);
                }
                continue;
            }
            let ours = self.fed.heads.get(&community).map(|h| h.seq);
            if ours.is_none_or(|s| head.seq > s) {
                self.fetch(peer, community, ours.map_or(0, |s| s + 1), now);
            }
        }
        if own_listed && !own_behind {
            self.check_recovered();
        }
        for community in forked {
            if self.fed.nodes.contains_key(&community) && !self.fed.forks.contains_key(&community) {
                self.request(peer, &SyncRequest::Proof { community });
            }
        }
    }

    fn fetch(&mut self, peer: PeerId, community: Hash, from: u64, now: Timestamp) {
        if self
            .fed
            .inflight
            .get(&community)
            .is_some_and(|(_, at)| now < at.plus(INFLIGHT_TIMEOUT))
        {
            return;
        }
        if self
            .fed
            .shunned
            .get(&(peer, community))
            .is_some_and(|at| now < at.plus(INFLIGHT_TIMEOUT))
        {
            return;
        }
        self.fed.inflight.insert(community, (peer, now));
        self.catching_up(now);
        self.request(
            peer,
            &SyncRequest::Range {
                community,
                from,
                limit: MAX_RANGE,
            },
        );
    }

    fn on_entries(
        &mut self,
        peer: PeerId,
        entries: Vec<SignedEntry>,
        bytes: usize,
        now: Timestamp,
    ) {
        let Some(first) = entries.first() else {
            return;
        };
        let community = first.entry.log.community;
        tracing::info!(
            %peer,
            community = %community,
            from = first.entry.seq,
            entries = entries.len(),
            bytes,
            "received a sync range"
        );
        if self
            .fed
            .inflight
            .get(&community)
            .is_some_and(|(p, _)| *p == peer)
        {
            self.fed.inflight.remove(&community);
        }
        let mut stored = 0;
        // Entries that extend the held log are verified one after the
        // other and stored together, in one transaction per run (a range
        // holds up to MAX_RANGE of them); anything else goes through
        // `ingest` once the run before it is stored.
        let mut run = Run::default();
        for entry in entries {
            if entry.entry.log.community != community {
                self.store_run_logged(&mut run);
                self.outbox.push_back(Io::Penalise(peer));
                return;
            }
            let entry = match self.extend_run(&mut run, entry, None, now) {
                Extended::Verified => {
                    stored += 1;
                    continue;
                }
                Extended::No(entry) => entry,
                Extended::Invalid(reason) => {
                    if self.store_run_logged(&mut run) {
                        self.bad_range(peer, community, &reason, now);
                    }
                    return;
                }
            };
            if !self.store_run_logged(&mut run) {
                return;
            }
            match self.ingest(entry, now) {
                Ok(Ingested::Stored) => stored += 1,
                Ok(Ingested::Known | Ingested::Fork | Ingested::Unknown) => {}
                Ok(Ingested::Ahead | Ingested::Future) => break,
                Ok(Ingested::Invalid(reason)) => {
                    self.bad_range(peer, community, &reason, now);
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot store a public entry");
                    return;
                }
            }
        }
        if !self.store_run_logged(&mut run) {
            return;
        }
        // Keep fetching while the peer is ahead.
        let held = if community == self.community {
            self.heads[0].map(|h| h.seq)
        } else {
            self.fed.heads.get(&community).map(|h| h.seq)
        };
        let theirs = self.fed.peer_heads.get(&(peer, community)).copied();
        if stored > 0
            && let (Some(theirs), Some(held)) = (theirs, held)
            && theirs > held
        {
            self.fetch(peer, community, held + 1, now);
        }
        self.check_recovered();
    }

    /// Verifies `entry` as the next entry of another community's public
    /// log after those held and those in `run`, and adds it to `run`; the
    /// entry comes back if it is not that (`ingest` then decides).
    fn extend_run(
        &self,
        run: &mut Run,
        entry: SignedEntry,
        checked: Option<&ActionsChecked>,
        now: Timestamp,
    ) -> Extended {
        let log = entry.entry.log;
        if log.kind != LogKind::Public
            || log.community == self.community
            || entry.entry.time > now.plus(hearth_protocol::action::MAX_CLOCK_SKEW)
        {
            return Extended::No(entry);
        }
        let Some(node) = self.fed.nodes.get(&log.community).copied() else {
            return Extended::No(entry);
        };
        if self
            .fed
            .forks
            .get(&log.community)
            .is_some_and(|&fork| entry.entry.seq >= fork)
        {
            return Extended::No(entry);
        }
        let head = match run.head {
            Some(head) if run.community == log.community => Some(head),
            _ if !run.entries.is_empty() => return Extended::No(entry),
            _ => self.fed.heads.get(&log.community).copied(),
        };
        if entry.entry.seq != head.map_or(0, |h| h.seq + 1) {
            return Extended::No(entry);
        }
        match entry.verify_checked(&log, head.as_ref(), &node, &self.fed.keys, checked) {
            Ok(verified) => {
                run.community = log.community;
                run.head = Some(Head {
                    seq: verified.entry.seq,
                    hash: verified.id(),
                    time: verified.entry.time,
                });
                run.entries.push(verified.into_inner());
                Extended::Verified
            }
            Err(e) => Extended::Invalid(format!("{e} ({})", e.code())),
        }
    }

    /// [`Service::store_run`], logging a failure; whether it stored.
    fn store_run_logged(&mut self, run: &mut Run) -> bool {
        match self.store_run(run) {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "cannot store public entries");
                false
            }
        }
    }

    /// `peer` served an invalid entry of `community` in a range. One bad
    /// range does not abort the others; this peer loses standing and the
    /// range is asked of another.
    fn bad_range(&mut self, peer: PeerId, community: Hash, reason: &str, now: Timestamp) {
        tracing::warn!(%peer, community = %community, %reason, "invalid entry in a sync range");
        self.outbox.push_back(Io::Penalise(peer));
        self.fed.shunned.insert((peer, community), now);
    }

    /// Stores the verified entries of `run` and empties it.
    fn store_run(&mut self, run: &mut Run) -> Result<(), StoreError> {
        let Some(head) = run.head.take() else {
            return Ok(());
        };
        let entries = std::mem::take(&mut run.entries);
        self.storage.fed_append(&run.community, &entries)?;
        self.fed.heads.insert(run.community, head);
        self.note_fetched(run.community, entries.len() as u64);
        for entry in &entries {
            self.note_proposals(entry);
            self.note_attested_own(entry);
            self.fed.dirty |= !only_checkpoints(entry);
        }
        if let Some(&node) = self.fed.nodes.get(&run.community) {
            let fork = self.fed.forks.get(&run.community).copied();
            self.fed.view.append(run.community, node, fork, entries);
        }
        self.sync_view();
        Ok(())
    }

    /// A gossip message arrived from `peer`; returns the verdict that
    /// decides whether it is forwarded.
    pub fn on_gossip(&mut self, peer: PeerId, data: &[u8], now: Timestamp) -> Verdict {
        let gossip = match Gossip::from_bytes(data) {
            Ok(g) => g,
            Err(e) => {
                tracing::debug!(%peer, error = %e, "malformed gossip");
                return Verdict::Reject;
            }
        };
        match gossip {
            Gossip::Entry(entry) => {
                let community = entry.entry.log.community;
                let seq = entry.entry.seq;
                match self.ingest(entry, now) {
                    Ok(Ingested::Stored | Ingested::Fork) => Verdict::Accept,
                    Ok(Ingested::Known | Ingested::Unknown | Ingested::Future) => Verdict::Ignore,
                    Ok(Ingested::Ahead) => {
                        let from = if community == self.community {
                            self.heads[0].map_or(0, |h| h.seq + 1)
                        } else {
                            self.fed.heads.get(&community).map_or(0, |h| h.seq + 1)
                        };
                        let known = self.fed.peer_heads.entry((peer, community)).or_insert(seq);
                        *known = (*known).max(seq);
                        self.fetch(peer, community, from, now);
                        Verdict::Ignore
                    }
                    Ok(Ingested::Invalid(reason)) => {
                        tracing::warn!(%peer, %reason, "invalid gossiped entry");
                        Verdict::Reject
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot store a gossiped entry");
                        Verdict::Ignore
                    }
                }
            }
            Gossip::Proof(proof) => match self.take_proof(*proof) {
                Ok(true) => Verdict::Accept,
                Ok(false) => Verdict::Ignore,
                Err(reason) => {
                    tracing::warn!(%peer, %reason, "invalid equivocation proof");
                    Verdict::Reject
                }
            },
        }
    }

    /// Entries pushed over HTTP (`POST /v1/federation/entries`): treated as
    /// gossip from nobody, answered per entry. The caller decoded the
    /// message and, away from the actor, checked the action signatures of
    /// an entry (`checked`), so the actor checks only what needs its state.
    pub fn push(
        &mut self,
        gossip: Gossip,
        checked: Option<ActionsChecked>,
        now: Timestamp,
    ) -> Result<&'static str, String> {
        match gossip {
            Gossip::Entry(entry) => match self
                .ingest_checked(entry, checked.as_ref(), now)
                .map_err(|e| e.to_string())?
            {
                Ingested::Stored => Ok("stored"),
                Ingested::Known => Ok("known"),
                Ingested::Ahead => Ok("ahead"),
                Ingested::Fork => Ok("fork"),
                Ingested::Unknown => Err("an entry of a community this node does not know".into()),
                Ingested::Future => {
                    Err("an entry dated further ahead than clocks may differ".into())
                }
                Ingested::Invalid(reason) => Err(reason),
            },
            Gossip::Proof(proof) => match self.take_proof(*proof) {
                Ok(true) => Ok("proof stored"),
                Ok(false) => Ok("proof known"),
                Err(e) => Err(e),
            },
        }
    }

    /// Verifies and keeps an equivocation proof; `Ok(false)` if one against
    /// that community is already held.
    fn take_proof(&mut self, proof: EquivocationProof) -> Result<bool, String> {
        let (log, seq) = proof.at();
        let node = if log.community == self.community {
            self.node.public()
        } else {
            *self
                .fed
                .nodes
                .get(&log.community)
                .ok_or("a proof against a community this node does not know")?
        };
        proof.verify(&node).map_err(|e| e.to_string())?;
        if log.kind != LogKind::Public {
            return Err("a proof against a local log".into());
        }
        self.freeze(log.community, seq, proof)
    }

    fn freeze(
        &mut self,
        community: Hash,
        seq: u64,
        proof: EquivocationProof,
    ) -> Result<bool, String> {
        if self.fed.forks.contains_key(&community) {
            return Ok(false);
        }
        let fresh = self
            .storage
            .put_proof(&community, &proof)
            .map_err(|e| e.to_string())?;
        if !fresh {
            return Ok(false);
        }
        tracing::warn!(community = %community, seq, "equivocation: the log is frozen at the fork");
        self.fed.forks.insert(community, seq);
        // The view may hold entries past the fork: built again.
        self.fed.view.invalidate();
        let gossip = Gossip::Proof(Box::new(proof.clone()));
        self.outbox.push_back(Io::Publish(gossip.to_bytes()));
        if self.fed.network.is_some() && community != self.community {
            let entries = [proof.first.entry.id(), proof.second.entry.id()];
            self.fed.records.push((
                None,
                NodeRecord::Fork {
                    community,
                    seq,
                    entries,
                },
            ));
        }
        Ok(true)
    }

    /// Takes one public entry from a peer.
    pub fn ingest(&mut self, entry: SignedEntry, now: Timestamp) -> Result<Ingested, StoreError> {
        self.ingest_checked(entry, None, now)
    }

    /// [`Service::ingest`] of an entry whose action signatures may have
    /// been checked already.
    fn ingest_checked(
        &mut self,
        entry: SignedEntry,
        checked: Option<&ActionsChecked>,
        now: Timestamp,
    ) -> Result<Ingested, StoreError> {
        let log = entry.entry.log;
        if entry.entry.time > now.plus(hearth_protocol::action::MAX_CLOCK_SKEW) {
            return Ok(Ingested::Future);
        }
        if log.kind != LogKind::Public {
            return Ok(Ingested::Invalid(
                "only public entries are exchanged".into(),
            ));
        }
        if log.community == self.community {
            return self.ingest_own(entry, checked);
        }
        let Some(node) = self.fed.nodes.get(&log.community).copied() else {
            return Ok(Ingested::Unknown);
        };
        let seq = entry.entry.seq;
        if let Some(&fork) = self.fed.forks.get(&log.community)
            && seq >= fork
        {
            return Ok(Ingested::Known);
        }
        let head = self.fed.heads.get(&log.community).copied();
        let next = head.map_or(0, |h| h.seq + 1);
        if seq < next {
            let Some(held) = self.storage.fed_entry(&log.community, seq)? else {
                return Ok(Ingested::Known);
            };
            if held.entry.id() == entry.entry.id() {
                return Ok(Ingested::Known);
            }
            if node.verify(&entry.entry.id(), &entry.signature).is_err() {
                return Ok(Ingested::Invalid("entry signature".into()));
            }
            let proof = EquivocationProof::new(held, entry);
            return match self.freeze(log.community, seq, proof) {
                Ok(_) => Ok(Ingested::Fork),
                Err(e) => Err(StoreError(e)),
            };
        }
        if seq > next {
            if node.verify(&entry.entry.id(), &entry.signature).is_err() {
                return Ok(Ingested::Invalid("entry signature".into()));
            }
            return Ok(Ingested::Ahead);
        }
        // The next entry: stored as a run of one.
        let mut run = Run::default();
        match self.extend_run(&mut run, entry, checked, now) {
            Extended::Verified => {
                self.store_run(&mut run)?;
                Ok(Ingested::Stored)
            }
            Extended::Invalid(reason) => Ok(Ingested::Invalid(reason)),
            Extended::No(_) => Ok(Ingested::Unknown),
        }
    }

    /// This community's own public entry came back from a peer: known, a
    /// sign of key misuse, or — after a lost disk — the log to recover.
    fn ingest_own(
        &mut self,
        entry: SignedEntry,
        checked: Option<&ActionsChecked>,
    ) -> Result<Ingested, StoreError> {
        let seq = entry.entry.seq;
        let head = self.heads[0];
        let next = head.map_or(0, |h| h.seq + 1);
        if seq < next {
            let held = self
                .storage
                .entries(LogKind::Public, seq, 1)?
                .into_iter()
                .next()
                .and_then(|b| SignedEntry::from_bytes(&b).ok());
            if held.is_some_and(|h| h.entry.id() == entry.entry.id()) {
                return Ok(Ingested::Known);
            }
            if self
                .node
                .public()
                .verify(&entry.entry.id(), &entry.signature)
                .is_ok()
            {
                tracing::error!(
                    seq,
                    "another entry signed with this node's key exists for a seq this node holds: the key is misused or the log was reissued"
                );
            }
            return Ok(Ingested::Known);
        }
        if seq > next {
            return Ok(Ingested::Ahead);
        }
        let node = self.node.public();
        let verified = match entry.verify_checked(
            &LogId {
                community: self.community,
                kind: LogKind::Public,
            },
            head.as_ref(),
            &node,
            &self.fed.keys,
            checked,
        ) {
            Ok(v) => v,
            Err(e) => return Ok(Ingested::Invalid(format!("{e} ({})", e.code()))),
        };
        // Recovery: apply the entry to the state and store it as this
        // node's own, exactly as replaying the log would.
        let mut overlay = Overlay::new(&self.storage);
        if let Err(e) = state::apply_entry(&mut overlay, &verified) {
            return Ok(Ingested::Invalid(format!("does not apply: {e}")));
        }
        let writes = overlay.into_writes();
        let entry = verified.into_inner();
        let loc = Location {
            log: LogKind::Public,
            seq,
        };
        let index = match &entry.entry.body {
            EntryBody::Actions(actions) => actions.iter().map(|a| (a.id(), loc)).collect(),
            _ => Vec::new(),
        };
        let head = entry.head();
        self.note_own(&entry);
        self.fed.view.append(
            self.community,
            self.node.public(),
            None,
            vec![entry.clone()],
        );
        self.storage.commit(Commit {
            entries: vec![entry],
            writes,
            index,
        })?;
        self.heads[0] = Some(head);
        self.last_time = self.last_time.max(head.time);
        self.note_fetched(self.community, 1);
        if self.fed.network.is_none()
            && let Some(network) = federated::networks(&self.storage)?.into_iter().next()
        {
            let own = self.community;
            self.fed.adopt(network, &own);
        }
        Ok(Ingested::Stored)
    }

    /// Records applied by a seal: adopt a network just recorded, remember
    /// checkpoints and attestations sealed.
    pub(crate) fn fed_sealed(&mut self, entry: &SignedEntry) {
        if let EntryBody::Records(records) = &entry.entry.body {
            for r in records {
                if let NodeRecord::Network(n) | NodeRecord::Joined { network: n, .. } = r {
                    let own = self.community;
                    self.fed.adopt((**n).clone(), &own);
                }
            }
        }
        self.note_own(entry);
        self.fed.view.append(
            self.community,
            self.node.public(),
            None,
            vec![entry.clone()],
        );
        self.sync_view();
        self.outbox
            .push_back(Io::Publish(Gossip::Entry(entry.clone()).to_bytes()));
    }

    /// Replies to whoever waits for a sealed record.
    pub(crate) fn record_receipt(&mut self, ticket: Ticket, id: Hash, seq: u64) {
        self.reply(
            ticket,
            Ok(Receipt {
                id,
                log: LogKind::Public,
                seq,
                duplicate: false,
            }),
        );
    }

    /// Connected peers that are known community nodes, by community.
    pub fn community_peers(&self) -> BTreeMap<PeerId, Hash> {
        self.fed
            .connected
            .iter()
            .filter_map(|p| self.fed.peer_of.get(p).map(|c| (*p, *c)))
            .collect()
    }
}

/// Builds the federation view from storage: this node's own public log and
/// every other one held, frozen at their forks.
pub fn build_view<S: FedRead>(
    storage: &S,
    network: &SignedNetwork,
    forks: &BTreeMap<Hash, u64>,
) -> Result<FederationView, StoreError> {
    let own = storage.own_community()?;
    let mut logs = Vec::new();
    let mut communities: BTreeSet<Hash> = storage.fed_heads()?.keys().copied().collect();
    if let Some(own) = own {
        communities.insert(own);
    }
    for community in communities {
        let entries = storage.public_log(&community)?;
        let node = match entries.first().map(|e| &e.entry.body) {
            Some(EntryBody::Genesis(g)) => g.node,
            _ => continue,
        };
        logs.push(CommunityLog {
            community,
            node,
            entries,
            fork: forks.get(&community).copied(),
        });
    }
    Ok(FederationView::new(network.genesis.clone(), &logs))
}

/// The canonical bytes answering a request for entries `from..from +
/// limit` of `community`'s public log: the stored entries as they are (no
/// decoding, no encoding again), as many as fit in a response. It needs
/// only the store, so the node answers ranges away from its actor.
pub fn answer_range<S: FedStorage>(
    storage: &S,
    community: &Hash,
    from: u64,
    limit: u32,
) -> Vec<u8> {
    let limit = limit.min(MAX_RANGE) as usize;
    let entries = match storage.public_range(community, from, limit) {
        Ok(entries) => entries,
        Err(e) => return SyncResponse::Refused(format!("storage: {e}")).to_bytes(),
    };
    let mut size = 12;
    let mut kept = Vec::new();
    for bytes in entries {
        if size + bytes.len() > MAX_RESPONSE_BYTES && !kept.is_empty() {
            break;
        }
        size += bytes.len();
        kept.push(bytes);
    }
    SyncResponse::entries_bytes(&kept)
}

/// Whether an entry holds nothing but checkpoints (which alone do not call
/// for a checkpoint in return).
fn only_checkpoints(entry: &SignedEntry) -> bool {
    matches!(&entry.entry.body, EntryBody::Records(records)
        if records.iter().all(|r| matches!(r, NodeRecord::Checkpoint(_))))
}

#[cfg(test)]
mod tests;
