//! Helpers for tests of every tier: fixed keys from seeds and a small
//! in-memory community that seals entries the way a node does.

pub mod bench;
pub mod federation;

use crate::action::{Action, ActionBody, InviteCode, SignedAction};
use crate::community::{Genesis, Rules};
use crate::crypto::{Hash, Keypair, PublicKey};
use crate::log::{Entry, EntryBody, Head, LogId, LogKind, SignedEntry};
use crate::state::{self, ApplyError, MemoryStore};
use crate::units::Timestamp;

/// A key pair fixed by a one-byte seed.
pub fn keypair(seed: u8) -> Keypair {
    let mut bytes = [seed; 32];
    bytes[0] = 0x5e;
    Keypair::from_seed(&bytes)
}

/// The identity point: a weak (small-order) key.
pub fn weak_key() -> PublicKey {
    let mut bytes = [0u8; 32];
    bytes[0] = 1;
    PublicKey(bytes)
}

/// A community held in memory: its node key, genesis, logs and state.
#[derive(Debug)]
pub struct Community {
    /// The node key.
    pub node: Keypair,
    /// The genesis.
    pub genesis: Genesis,
    /// The community id.
    pub id: Hash,
    /// The state.
    pub store: MemoryStore,
    /// Every sealed entry, in sealing order.
    pub entries: Vec<SignedEntry>,
    /// The public log's head.
    pub public: Option<Head>,
    /// The local log's head.
    pub local: Option<Head>,
    /// Time of the last sealed entry.
    pub time: Timestamp,
}

impl Community {
    /// A community founded by `founders` at time 1000, with `rules`.
    pub fn new(founders: &[&Keypair], rules: Rules) -> Community {
        Community::named(keypair(200), "Test Commons", founders, rules)
    }

    /// A community with its own node key and name (communities of one
    /// federation need distinct node keys).
    pub fn named(node: Keypair, name: &str, founders: &[&Keypair], rules: Rules) -> Community {
        let genesis = Genesis {
            name: name.into(),
            node: node.public(),
            founders: founders.iter().map(|k| k.public()).collect(),
            founder_invites: vec![keypair(201).public()],
            rules,
            region: None,
            created: Timestamp(1000),
        };
        let id = genesis.id();
        let mut community = Community {
            node,
            genesis: genesis.clone(),
            id,
            store: MemoryStore::default(),
            entries: Vec::new(),
            public: None,
            local: None,
            time: Timestamp(1000),
        };
        for kind in [LogKind::Public, LogKind::Local] {
            community
                .append(kind, EntryBody::Genesis(Box::new(genesis.clone())))
                .expect("genesis applies");
        }
        community
    }

    /// The founder invite code of this community.
    pub fn founder_invite(&self) -> InviteCode {
        InviteCode {
            community: self.id,
            seed: keypair(201).seed(),
        }
    }

    /// Signs an action of `author` for this community.
    pub fn action(&self, author: &Keypair, nonce: u64, body: ActionBody) -> SignedAction {
        Action {
            author: author.public(),
            community: self.id,
            nonce,
            created: self.time,
            body,
        }
        .sign(author)
    }

    /// Seals one entry holding `action` (in its log) one millisecond later
    /// and applies it; on a rejection nothing changes.
    pub fn submit(&mut self, action: SignedAction) -> Result<(), ApplyError> {
        let kind = action.action.body.log_kind();
        self.append(kind, EntryBody::Actions(vec![action]))
    }

    /// Lets time pass to `time` as a node does: seals the closes and the
    /// `Due` record of what fell due by then (each log's records in one
    /// entry), and returns how many records were sealed.
    pub fn tick(&mut self, time: Timestamp) -> usize {
        let mut sealed = 0;
        for kind in [LogKind::Public, LogKind::Local] {
            let mut scratch = self.store.clone();
            let ctx = state::Context::load(&scratch, time).expect("context");
            let due = state::seal::due_records(&mut scratch, &ctx, kind).expect("store");
            assert!(due.failed.is_empty(), "cannot settle: {:?}", due.failed);
            if due.records.is_empty() {
                continue;
            }
            sealed += due.records.len();
            self.append_at(kind, EntryBody::Records(due.records), time)
                .expect("the sealed records apply on replay");
        }
        sealed
    }

    /// Seals and applies an entry of `kind` with `body`.
    pub fn append(&mut self, kind: LogKind, body: EntryBody) -> Result<(), ApplyError> {
        let time = Timestamp(self.time.0 + 1);
        self.append_at(kind, body, time)
    }

    /// Seals and applies an entry of `kind` with `body` at `time` (which
    /// must not be before the last entry's).
    pub fn append_at(
        &mut self,
        kind: LogKind,
        body: EntryBody,
        time: Timestamp,
    ) -> Result<(), ApplyError> {
        let head = match kind {
            LogKind::Public => self.public,
            LogKind::Local => self.local,
        };
        let entry = Entry {
            log: LogId {
                community: self.id,
                kind,
            },
            seq: head.map_or(0, |h| h.seq + 1),
            prev: head.map_or(Hash::ZERO, |h| h.hash),
            time,
            body,
        }
        .sign(&self.node);
        let verified = entry
            .clone()
            .verify(&entry.entry.log, head.as_ref(), &self.node.public())
            .map_err(|_| ApplyError::Misfit("entry does not verify"))?;
        state::apply_entry(&mut self.store, &verified)?;
        let new_head = Some(entry.head());
        match kind {
            LogKind::Public => self.public = new_head,
            LogKind::Local => self.local = new_head,
        }
        self.time = self.time.max(time);
        self.entries.push(entry);
        Ok(())
    }
}
