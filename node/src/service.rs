//! The node's sans-IO core. The service takes inputs (a verified action
//! submitted by a member, a tick with `now`) and pushes outputs to its
//! outbox (flush the store, reply to a submitter); the IO shell in
//! [`crate::runtime`] performs them. Nothing here touches a socket or the
//! clock.
//!
//! Submitted actions wait in `pending` until the next seal (group commit):
//! the service applies them one by one against the state, public-log
//! actions first, drops the ones the state machine refuses, seals one
//! public and one local entry with the node key and commits everything in
//! one storage transaction. The replies to the accepted actions follow an
//! [`Io::Flush`] in the outbox: an action is acknowledged only once the
//! entry holding it is durable.

use std::collections::{HashMap, VecDeque};

use hearth_protocol::crypto::{Hash, Keypair, PublicKey};
use hearth_protocol::log::{
    Entry, EntryBody, Head, LogId, LogKind, MAX_ACTIONS_PER_ENTRY, NodeRecord, SignedEntry,
};
use hearth_protocol::state::{
    self, ApplyError, Context, Overlay, Rejection, StateRead, StoreError, schedule,
};
use hearth_protocol::{Canonical, Genesis, SignedAction, Timestamp, Verified};

use crate::store::{Commit, FedStorage, Location};

pub mod federation;

pub use federation::Fed;

/// Most actions sealed at once (one entry per log at most).
pub const MAX_BATCH: usize = 4096;

const _: () = assert!(MAX_BATCH <= MAX_ACTIONS_PER_ENTRY);

/// Identifies a submitter waiting for a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket(pub u64);

/// Where an accepted action was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// The action id.
    pub id: Hash,
    /// The log it is in.
    pub log: LogKind,
    /// The entry that holds it.
    pub seq: u64,
    /// Whether the node had already recorded it before this submission.
    pub duplicate: bool,
}

/// Why a submission failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The state machine refused the action.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The node could not store it.
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// The node is shutting down.
    #[error("the node is shutting down")]
    ShuttingDown,
    /// The node is recovering its public log from peers, and as many
    /// public actions as it holds meanwhile already wait.
    #[error(
        "this node is recovering its public log from peers and already holds {MAX_HELD} public actions until then; try again shortly"
    )]
    Recovering,
}

impl SubmitError {
    /// The stable code the API answers with (and the node logs).
    pub fn code(&self) -> &'static str {
        match self {
            SubmitError::Rejected(r) => r.code(),
            SubmitError::Storage(_) => "storage",
            SubmitError::ShuttingDown => "shutting_down",
            SubmitError::Recovering => "recovering",
        }
    }
}

/// Logs a refused action: its kind, its author and the refusal's code
/// (never the action's content, which may carry secrets).
fn log_refused(action: &SignedAction, error: &SubmitError) {
    tracing::info!(
        kind = action.action.body.kind(),
        author = %action.action.author.to_did(),
        code = error.code(),
        "refused"
    );
}

/// Most public actions held while the node recovers its public log.
pub const MAX_HELD: usize = 1024;

/// An output of the service for the IO shell.
#[derive(Debug)]
pub enum Io {
    /// Make everything committed so far durable before performing any
    /// output that follows.
    Flush,
    /// Deliver a reply to a submitter.
    Reply {
        /// The submitter.
        ticket: Ticket,
        /// The outcome.
        result: Result<Receipt, SubmitError>,
    },
    /// Publish a gossip message on the federation topic.
    Publish(Vec<u8>),
    /// Send a sync request to a peer.
    Request {
        /// The peer.
        peer: crate::net::PeerId,
        /// The canonical request.
        data: Vec<u8>,
    },
    /// A peer sent invalid data: lower its standing.
    Penalise(crate::net::PeerId),
    /// Tick the service at this time (or earlier): something falls due
    /// then. Each wake-up replaces the one before.
    Wakeup(Timestamp),
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds no community.
    #[error("the store holds no community (run `hearthd init`)")]
    Empty,
    /// The node key is not the community's node key.
    #[error("this node key does not sign this community's logs")]
    WrongNodeKey,
    /// Genesis could not be applied.
    #[error("genesis: {0}")]
    Genesis(ApplyError),
}

struct Pending {
    action: Verified<SignedAction>,
    tickets: Vec<Ticket>,
}

/// Counters the service keeps (exported as metrics).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// Actions accepted into an entry.
    pub accepted: u64,
    /// Actions refused.
    pub rejected: u64,
    /// Entries sealed.
    pub entries: u64,
    /// Seals performed.
    pub seals: u64,
    /// Sync ranges received from peers.
    pub ranges_received: u64,
    /// Bytes of the sync ranges received.
    pub range_bytes_received: u64,
}

/// The community node's state machine driver.
pub struct Service<S> {
    storage: S,
    node: Keypair,
    community: Hash,
    heads: [Option<Head>; 2],
    last_time: Timestamp,
    pending: Vec<Pending>,
    pending_ids: HashMap<Hash, usize>,
    outbox: VecDeque<Io>,
    stats: Stats,
    fed: Fed,
    /// The last wake-up asked of the runtime.
    wakeup: Option<Timestamp>,
}

impl<S> std::fmt::Debug for Service<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("community", &self.community)
            .field("heads", &self.heads)
            .field("pending", &self.pending.len())
            .finish()
    }
}

fn slot(kind: LogKind) -> usize {
    match kind {
        LogKind::Public => 0,
        LogKind::Local => 1,
    }
}

impl<S: FedStorage> Service<S> {
    /// Founds a community in empty storage: seals genesis as seq 0 of both
    /// logs. The caller flushes (an [`Io::Flush`] is queued).
    pub fn create(mut storage: S, node: Keypair, genesis: Genesis) -> Result<Self, OpenError> {
        if genesis.node != node.public() {
            return Err(OpenError::WrongNodeKey);
        }
        let community = genesis.id();
        let time = genesis.created;
        let mut overlay = Overlay::new(&storage);
        let mut entries = Vec::new();
        for kind in [LogKind::Public, LogKind::Local] {
            let entry = Entry {
                log: LogId { community, kind },
                seq: 0,
                prev: Hash::ZERO,
                time,
                body: EntryBody::Genesis(Box::new(genesis.clone())),
            }
            .sign(&node);
            let verified = entry
                .clone()
                .verify(&entry.entry.log, None, &node.public())
                .map_err(|_| OpenError::WrongNodeKey)?;
            state::apply_entry(&mut overlay, &verified).map_err(OpenError::Genesis)?;
            entries.push(entry);
        }
        let writes = overlay.into_writes();
        storage.commit(Commit {
            entries,
            writes,
            index: Vec::new(),
        })?;
        let mut service = Service::open(storage, node)?;
        service.outbox.push_back(Io::Flush);
        Ok(service)
    }

    /// Opens a community already in storage.
    pub fn open(storage: S, node: Keypair) -> Result<Self, OpenError> {
        let record = storage.community()?.ok_or(OpenError::Empty)?;
        if record.genesis.node != node.public() {
            return Err(OpenError::WrongNodeKey);
        }
        let heads = [
            storage.head(LogKind::Public)?,
            storage.head(LogKind::Local)?,
        ];
        let last_time = heads
            .iter()
            .flatten()
            .map(|h| h.time)
            .max()
            .unwrap_or_default();
        Ok(Service {
            storage,
            node,
            community: record.id,
            heads,
            last_time,
            pending: Vec::new(),
            pending_ids: HashMap::new(),
            outbox: VecDeque::new(),
            stats: Stats::default(),
            fed: Fed::default(),
            wakeup: None,
        })
        .and_then(|mut service| {
            service.fed_open(false)?;
            Ok(service)
        })
    }

    /// Opens a community whose disk was lost and restored from its genesis
    /// and key: public writes wait until a peer has reported (and this node
    /// has fetched) its public log, so no seq is ever reissued.
    pub fn open_recovering(storage: S, node: Keypair) -> Result<Self, OpenError> {
        let mut service = Service::open(storage, node)?;
        service.fed_open(true)?;
        Ok(service)
    }

    /// The community id.
    pub fn community(&self) -> Hash {
        self.community
    }

    /// Issues an Open Badges credential signed with the node key (the
    /// community's did:key): `subject` is verified in `achievement`'s skill
    /// from `valid_from` (the caller has checked that it is).
    pub fn issue_credential(
        &self,
        subject: &PublicKey,
        achievement: &hearth_protocol::credential::Achievement,
        valid_from: Timestamp,
    ) -> Result<serde_json::Value, String> {
        let name = match self.storage.community() {
            Ok(Some(record)) => record.genesis.name,
            Ok(None) => return Err("no community is founded here".into()),
            Err(e) => return Err(e.to_string()),
        };
        hearth_protocol::credential::issue(&self.node, &name, subject, achievement, valid_from)
            .map_err(|e| e.to_string())
    }

    /// The storage (for reads).
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Stops the service and gives its storage back (to reopen it).
    pub fn into_storage(self) -> S {
        self.storage
    }

    /// The heads of both logs.
    pub fn head(&self, kind: LogKind) -> Option<Head> {
        self.heads[slot(kind)]
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Actions waiting for the next seal.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The next output for the IO shell.
    pub fn next_io(&mut self) -> Option<Io> {
        self.outbox.pop_front()
    }

    /// A member's verified action arrives. It is answered at once if it
    /// is for another community or already recorded; otherwise it waits
    /// for the next seal. Returns whether the batch is full (seal now).
    pub fn submit(&mut self, ticket: Ticket, action: Verified<SignedAction>) -> bool {
        let id = action.id();
        if action.action.community != self.community {
            let rejection = Rejection::WrongCommunity {
                expected: self.community,
                actual: action.action.community,
            };
            let error = SubmitError::from(rejection);
            log_refused(&action, &error);
            self.reply(ticket, Err(error));
            return false;
        }
        match self.storage.locate(&id) {
            Ok(Some(Location { log, seq })) => {
                let receipt = Receipt {
                    id,
                    log,
                    seq,
                    duplicate: true,
                };
                self.reply(ticket, Ok(receipt));
                return false;
            }
            Ok(None) => {}
            Err(e) => {
                self.reply(ticket, Err(e.into()));
                return false;
            }
        }
        if let Some(&i) = self.pending_ids.get(&id) {
            self.pending[i].tickets.push(ticket);
        } else {
            if !self.fed_recovered()
                && action.action.body.log_kind() == LogKind::Public
                && self
                    .pending
                    .iter()
                    .filter(|p| p.action.action.body.log_kind() == LogKind::Public)
                    .count()
                    >= MAX_HELD
            {
                log_refused(&action, &SubmitError::Recovering);
                self.reply(ticket, Err(SubmitError::Recovering));
                return false;
            }
            self.pending_ids.insert(id, self.pending.len());
            self.pending.push(Pending {
                action,
                tickets: vec![ticket],
            });
        }
        self.pending.len() >= MAX_BATCH
    }

    /// Time passes: seals whatever is pending or has fallen due.
    pub fn tick(&mut self, now: Timestamp) {
        self.fed_tick(now);
        let mut next_due = self.next_due();
        let time = Timestamp(now.0.max(self.last_time.0 + 1));
        let due = next_due.is_some_and(|at| at <= time);
        if !self.pending.is_empty() || !self.fed.records.is_empty() || due {
            self.seal(now);
            next_due = self.next_due();
        }
        self.ask_wakeup(next_due);
    }

    /// When the schedule's next item falls due: read from the front of the
    /// schedule index, so it costs the same whatever the history.
    fn next_due(&self) -> Option<Timestamp> {
        match schedule::next(&self.storage) {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the schedule");
                None
            }
        }
    }

    /// Tells the runtime when the next scheduled item falls due, if that
    /// changed.
    fn ask_wakeup(&mut self, next: Option<Timestamp>) {
        if next != self.wakeup {
            self.wakeup = next;
            if let Some(at) = next {
                self.outbox.push_back(Io::Wakeup(at));
            }
        }
    }

    /// Signs the entry that follows `head` in a log.
    fn entry(
        &self,
        kind: LogKind,
        head: Option<Head>,
        time: Timestamp,
        body: EntryBody,
    ) -> SignedEntry {
        Entry {
            log: LogId {
                community: self.community,
                kind,
            },
            seq: head.map_or(0, |h| h.seq + 1),
            prev: head.map_or(Hash::ZERO, |h| h.hash),
            time,
            body,
        }
        .sign(&self.node)
    }

    /// Closes, in `overlay`, every proposal of log `kind` whose vote has
    /// ended and settles what else fell due, and returns the records to
    /// seal. What cannot be closed or settled is logged and left for the
    /// next tick.
    fn due_records(
        &self,
        overlay: &mut Overlay<'_, S>,
        ctx: &Context,
        kind: LogKind,
    ) -> Result<Vec<NodeRecord>, StoreError> {
        let sealed = state::seal::due_records(overlay, ctx, kind)?;
        for (id, error) in &sealed.failed {
            tracing::error!(%id, %error, "cannot settle what fell due");
        }
        Ok(sealed.records)
    }

    fn reply(&mut self, ticket: Ticket, result: Result<Receipt, SubmitError>) {
        match &result {
            Ok(r) if !r.duplicate => self.stats.accepted += 1,
            Err(_) => self.stats.rejected += 1,
            Ok(_) => {}
        }
        self.outbox.push_back(Io::Reply { ticket, result });
    }

    /// Seals the pending actions into at most one entry per log and
    /// commits them. Every tick gets a time later than the last one, so
    /// replaying the logs in [`state::public_first`] order reproduces the
    /// order the actions were applied in here.
    fn seal(&mut self, now: Timestamp) {
        let mut pending = std::mem::take(&mut self.pending);
        self.pending_ids.clear();
        let mut records = std::mem::take(&mut self.fed.records);
        // Until a node that lost its disk has its public head back from a
        // peer, nothing goes to its public log.
        let mut held: Vec<Pending> = Vec::new();
        if !self.fed_recovered() {
            let (public, local): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|p| p.action.action.body.log_kind() == LogKind::Public);
            held = public;
            pending = local;
            self.fed.records = std::mem::take(&mut records);
        }
        let time = Timestamp(now.0.max(self.last_time.0 + 1));
        let all: Vec<Ticket> = pending
            .iter()
            .flat_map(|p| p.tickets.iter().copied())
            .chain(records.iter().filter_map(|(t, _)| *t))
            .collect();
        let mut refused: Vec<(Vec<Ticket>, SubmitError)> = Vec::new();
        let mut sealed: Vec<(LogKind, Vec<Pending>)> = Vec::new();
        let mut sealed_records: Vec<(Ticket, Hash)> = Vec::new();
        let recovered = self.fed_recovered();
        let outcome = (|| -> Result<Commit, StoreError> {
            let mut overlay = Overlay::new(&self.storage);
            let ctx = match Context::load(&overlay, time) {
                Ok(ctx) => ctx,
                Err(ApplyError::Store(e)) => return Err(e),
                Err(e) => return Err(StoreError(e.to_string())),
            };
            let (public, local): (Vec<_>, Vec<_>) = pending
                .into_iter()
                .partition(|p| p.action.action.body.log_kind() == LogKind::Public);
            let mut commit = Commit::default();
            for (kind, batch) in [(LogKind::Public, public), (LogKind::Local, local)] {
                let mut head = self.heads[slot(kind)];
                if kind == LogKind::Public && !recovered {
                    continue;
                }
                // Votes that have ended are closed first (their ballots
                // were all sealed before this tick's time), then whatever
                // else fell due.
                let mut node_records = self.due_records(&mut overlay, &ctx, kind)?;
                if kind == LogKind::Public {
                    for (ticket, record) in std::mem::take(&mut records) {
                        match state::federated::apply_record(&mut overlay, &ctx, &record) {
                            Ok(()) => {
                                if let Some(ticket) = ticket {
                                    sealed_records.push((ticket, record_id(&record)));
                                }
                                node_records.push(record);
                            }
                            Err(ApplyError::Store(e)) => return Err(e),
                            Err(e) => {
                                tracing::warn!(error = %e, "a federation record does not apply");
                                if let Some(ticket) = ticket {
                                    refused.push((vec![ticket], StoreError(e.to_string()).into()));
                                }
                            }
                        }
                    }
                }
                if !node_records.is_empty() {
                    let entry = self.entry(kind, head, time, EntryBody::Records(node_records));
                    state::record_applied(&mut overlay, kind, &entry.head());
                    head = Some(entry.head());
                    commit.entries.push(entry);
                }
                let mut accepted = Vec::new();
                let mut bytes = 0usize;
                let cap = match kind {
                    LogKind::Public => MAX_PUBLIC_BATCH_BYTES,
                    LogKind::Local => MAX_LOCAL_BATCH_BYTES,
                };
                for p in batch {
                    let size = p.action.to_bytes().len();
                    if bytes + size > cap {
                        // The entry is full: the rest waits for the next seal.
                        held.push(p);
                        continue;
                    }
                    let error: SubmitError =
                        match state::apply_action(&mut overlay, &ctx, &p.action) {
                            Ok(()) => {
                                bytes += size;
                                accepted.push(p);
                                continue;
                            }
                            Err(ApplyError::Rejected(r)) => r.into(),
                            Err(ApplyError::Store(e)) => return Err(e),
                            Err(e @ (ApplyError::Misfit(_) | ApplyError::InvalidGenesis(_))) => {
                                StoreError(e.to_string()).into()
                            }
                        };
                    log_refused(&p.action, &error);
                    refused.push((p.tickets, error));
                }
                if accepted.is_empty() {
                    continue;
                }
                let body = EntryBody::Actions(
                    accepted
                        .iter()
                        .map(|p| p.action.clone().into_inner())
                        .collect(),
                );
                let entry = self.entry(kind, head, time, body);
                state::record_applied(&mut overlay, kind, &entry.head());
                let loc = Location {
                    log: kind,
                    seq: entry.entry.seq,
                };
                commit
                    .index
                    .extend(accepted.iter().map(|p| (p.action.id(), loc)));
                commit.entries.push(entry);
                sealed.push((kind, accepted));
            }
            commit.writes = overlay.into_writes();
            Ok(commit)
        })();
        // What did not fit (or may not be written yet) waits for the next seal.
        let held_tickets: std::collections::HashSet<Ticket> = held
            .iter()
            .flat_map(|p| p.tickets.iter().copied())
            .collect();
        for p in held {
            self.pending_ids.insert(p.action.id(), self.pending.len());
            self.pending.push(p);
        }
        self.stats.seals += 1;
        let public_entries: Vec<SignedEntry> = outcome
            .as_ref()
            .map(|c| {
                c.entries
                    .iter()
                    .filter(|e| e.entry.log.kind == LogKind::Public)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let committed = outcome.and_then(|commit| {
            let heads: Vec<(LogKind, Head)> = commit
                .entries
                .iter()
                .map(|e| (e.entry.log.kind, e.head()))
                .collect();
            if !commit.entries.is_empty() {
                self.storage.commit(commit)?;
            }
            Ok(heads)
        });
        let mut answered = held_tickets;
        for (tickets, error) in refused {
            for ticket in tickets {
                answered.insert(ticket);
                self.reply(ticket, Err(error.clone()));
            }
        }
        match committed {
            Ok(heads) => {
                for (kind, head) in &heads {
                    self.heads[slot(*kind)] = Some(*head);
                    self.last_time = head.time;
                    self.stats.entries += 1;
                }
                for kind in [LogKind::Public, LogKind::Local] {
                    let entries = heads.iter().filter(|(k, _)| *k == kind).count();
                    if let Some(head) = self.heads[slot(kind)].filter(|_| entries > 0) {
                        tracing::info!(log = kind.as_str(), seq = head.seq, entries, "sealed");
                    }
                }
                if !heads.is_empty() {
                    self.outbox.push_back(Io::Flush);
                }
                // Published only once durable: a crash must never leave
                // peers holding an entry this node could reissue.
                for entry in &public_entries {
                    self.fed_sealed(entry);
                }
                let public_seq = self.heads[slot(LogKind::Public)].map_or(0, |h| h.seq);
                for (ticket, id) in sealed_records {
                    let seq = public_entries
                        .iter()
                        .find(|e| matches!(e.entry.body, EntryBody::Records(_)))
                        .map_or(public_seq, |e| e.entry.seq);
                    self.record_receipt(ticket, id, seq);
                }
                for (kind, accepted) in sealed {
                    let seq = self.heads[slot(kind)].map_or(0, |h| h.seq);
                    for p in accepted {
                        tracing::info!(
                            kind = p.action.action.body.kind(),
                            author = %p.action.action.author.to_did(),
                            log = kind.as_str(),
                            seq,
                            "accepted"
                        );
                        let receipt = Receipt {
                            id: p.action.id(),
                            log: kind,
                            seq,
                            duplicate: false,
                        };
                        // The first submitter recorded it; copies that
                        // arrived in the same batch are duplicates.
                        for (i, ticket) in p.tickets.into_iter().enumerate() {
                            let duplicate = i > 0;
                            self.reply(
                                ticket,
                                Ok(Receipt {
                                    duplicate,
                                    ..receipt
                                }),
                            );
                        }
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "sealing failed; the batch is refused");
                for ticket in all.into_iter().filter(|t| !answered.contains(t)) {
                    self.reply(ticket, Err(e.clone().into()));
                }
            }
        }
    }
}

/// The id a sealed federation record is acknowledged with.
fn record_id(record: &NodeRecord) -> Hash {
    match record {
        NodeRecord::Network(n) | NodeRecord::Joined { network: n, .. } => n.genesis.id(),
        NodeRecord::Attest(a) => a.proposal,
        NodeRecord::Close { proposal, .. } => *proposal,
        other => Hash::of("hearth v1 record", &hearth_protocol::codec::encode(other)),
    }
}

/// Most bytes of actions in one public entry: an entry (and an
/// equivocation proof of two) must fit in a gossip message.
pub const MAX_PUBLIC_BATCH_BYTES: usize =
    hearth_protocol::federation::wire::MAX_PUBLIC_ENTRY_BYTES - 16 * 1024;

/// Most bytes of actions in one local entry (well under the record limit).
pub const MAX_LOCAL_BATCH_BYTES: usize = 4 * 1024 * 1024;

#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;
