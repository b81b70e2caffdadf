//! Replaying a community's two logs from genesis: every entry verified
//! (chain, node signature, every action signature) and applied in
//! [`super::public_first`] order, so every `Close` and `Due` is
//! recomputed. While it replays it checks the ledger entry by entry: the
//! balances an entry changes sum to zero, and no account it debits ends
//! below its floor. `hearthd reindex`, the node's start-up repair and
//! `hearth audit --local` all replay through here.

use crate::crypto::{Hash, KeyCache, PublicKey};
use crate::economy::ledger;
use crate::log::{EntryBody, Head, LogId, LogKind, SignedEntry};
use crate::units::Kc;

use super::records::{Account, StateRead, table};
use super::rules;
use super::store::{MemoryStore, Overlay, apply_writes};

/// Why a replay stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The first public entry is not a genesis.
    #[error("the public log does not start with a genesis entry")]
    NoGenesis,
    /// An entry does not verify or does not apply.
    #[error("{log} entry {seq}: {reason}")]
    BadEntry {
        /// Which log.
        log: &'static str,
        /// Which entry.
        seq: u64,
        /// What is wrong.
        reason: String,
    },
}

fn bad(kind: LogKind, seq: u64, reason: impl ToString) -> ReplayError {
    ReplayError::BadEntry {
        log: kind.as_str(),
        seq,
        reason: reason.to_string(),
    }
}

/// A replay in progress.
#[derive(Debug)]
pub struct Replay {
    node: PublicKey,
    community: Hash,
    keys: KeyCache,
    heads: [Option<Head>; 2],
    /// The state rebuilt so far.
    pub state: MemoryStore,
    /// Entries applied so far.
    pub entries: u64,
    /// Actions applied so far.
    pub actions: u64,
}

impl Replay {
    /// Starts a replay of the community whose public genesis entry is
    /// `genesis` (the entry is not applied yet: pass it to [`Replay::apply`]).
    pub fn new(genesis: &SignedEntry) -> Result<Replay, ReplayError> {
        let EntryBody::Genesis(g) = &genesis.entry.body else {
            return Err(ReplayError::NoGenesis);
        };
        if genesis.entry.log.kind != LogKind::Public || genesis.entry.seq != 0 {
            return Err(ReplayError::NoGenesis);
        }
        Ok(Replay {
            node: g.node,
            community: g.id(),
            keys: KeyCache::default(),
            heads: [None, None],
            state: MemoryStore::default(),
            entries: 0,
            actions: 0,
        })
    }

    /// The community replayed.
    pub fn community(&self) -> Hash {
        self.community
    }

    /// The head of a log replayed so far.
    pub fn head(&self, kind: LogKind) -> Option<Head> {
        self.heads[kind as usize]
    }

    /// Verifies `entry` against its log's head and applies it, checking
    /// that the balances it changes sum to zero and that no account it
    /// debits ends below its floor.
    pub fn apply(&mut self, entry: SignedEntry) -> Result<(), ReplayError> {
        let kind = entry.entry.log.kind;
        let seq = entry.entry.seq;
        let log = LogId {
            community: self.community,
            kind,
        };
        let actions = match &entry.entry.body {
            EntryBody::Actions(a) => a.len() as u64,
            _ => 0,
        };
        let verified = entry
            .verify_cached(
                &log,
                self.heads[kind as usize].as_ref(),
                &self.node,
                &self.keys,
            )
            .map_err(|e| bad(kind, seq, e))?;
        let mut overlay = Overlay::new(&self.state);
        super::apply_entry(&mut overlay, &verified).map_err(|e| bad(kind, seq, e))?;
        let writes = overlay.into_writes();
        self.check_ledger(&writes).map_err(|e| bad(kind, seq, e))?;
        apply_writes(&mut self.state, writes);
        self.heads[kind as usize] = Some(verified.head());
        self.entries += 1;
        self.actions += actions;
        Ok(())
    }

    fn check_ledger(&self, writes: &super::store::Writes) -> Result<(), String> {
        // Read once, and only for an entry that debits an account.
        let mut rules = None;
        let mut delta: i128 = 0;
        for (key, value) in writes.range(vec![table::ACCOUNT]..vec![table::ACCOUNT + 1]) {
            use crate::codec::Canonical as _;
            let account = Account::from_bytes(&key[1..]).map_err(|e| e.to_string())?;
            let before = self.state.balance(&account).map_err(|e| e.to_string())?;
            let after = match value {
                Some(v) => Kc::from_bytes(v).map_err(|e| e.to_string())?,
                None => Kc::ZERO,
            };
            delta += i128::from(after.0) - i128::from(before.0);
            if after >= before {
                continue;
            }
            let rules = match &rules {
                Some(rules) => rules,
                None => rules.insert(rules::in_force(&self.state).map_err(|e| e.to_string())?),
            };
            let floor = ledger::floor(&account, rules);
            if after < floor {
                return Err(format!(
                    "{account:?} was debited to {after}, below its floor of {floor}"
                ));
            }
        }
        if delta != 0 {
            return Err(format!("the entry changes the sum of balances by {delta}"));
        }
        Ok(())
    }
}

/// Which log's entry comes next in replay order, given the next entry of
/// each (`None`: both logs are exhausted).
pub fn next_is_public(public: Option<&SignedEntry>, local: Option<&SignedEntry>) -> Option<bool> {
    match (public, local) {
        (None, None) => None,
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (Some(p), Some(l)) => Some(super::public_first(p.entry.time, l.entry.time)),
    }
}
