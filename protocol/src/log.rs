//! The two append-only, hash-chained, node-signed logs of a community,
//! and the checks that keep them honest.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::action::SignedAction;
use crate::codec::Canonical;
use crate::community::Genesis;
use crate::crypto::{self, Hash, KeyCache, Keypair, PublicKey, Signature};
use crate::federation::wire::MAX_PUBLIC_ENTRY_BYTES;
use crate::federation::{Attestation, Checkpoint, RosterChange, SignedNetwork};
use crate::units::Timestamp;
use crate::verified::Verified;

/// Domain-separation context of entry ids.
pub const ENTRY_CONTEXT: &str = "hearth v1 entry";

/// Most actions one entry may hold.
pub const MAX_ACTIONS_PER_ENTRY: usize = 8192;

/// Which of a community's two logs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// Federation-visible: genesis, rosters, regional and network governance.
    Public,
    /// Internal to the community: ledger, pools, local governance.
    Local,
}

impl LogKind {
    /// `"public"` or `"local"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            LogKind::Public => "public",
            LogKind::Local => "local",
        }
    }

    /// Parses `"public"` or `"local"`.
    pub fn parse(text: &str) -> Option<LogKind> {
        match text {
            "public" => Some(LogKind::Public),
            "local" => Some(LogKind::Local),
            _ => None,
        }
    }
}

/// A log: a community and which of its logs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode, Serialize)]
pub struct LogId {
    /// The community.
    pub community: Hash,
    /// Which log.
    pub kind: LogKind,
}

/// What an entry carries.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum EntryBody {
    /// Seq 0 of both logs: the community's genesis record.
    Genesis(Box<Genesis>),
    /// A sealed batch of validated member actions (group commit).
    Actions(Vec<SignedAction>),
    /// Records the node itself makes (closing votes), checked by every
    /// replica against the state.
    Records(Vec<NodeRecord>),
}

/// A record a node makes in its own name.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NodeRecord {
    /// A proposal's vote closed. `result` is the hash of its tally report:
    /// applying the record recomputes the tally and must find the same.
    Close {
        /// The proposal.
        proposal: Hash,
        /// The tally's result hash.
        result: Hash,
    },
    /// This community is a founding member of a network whose genesis all
    /// founders signed (public log only).
    Network(Box<SignedNetwork>),
    /// This community was admitted to a network by that network's vote on
    /// `proposal` (public log only).
    Joined {
        /// The network.
        network: Box<SignedNetwork>,
        /// The membership proposal that admitted the community.
        proposal: Hash,
    },
    /// The heads of other public logs this node has verified (public log only).
    Checkpoint(Checkpoint),
    /// The node's result of a regional or network tally (public log only).
    Attest(Attestation),
    /// Notice that this node holds (and serves) an equivocation proof
    /// against another community's log (public log only). The proof itself
    /// — two whole entries — is gossiped and synced on its own.
    Fork {
        /// The community whose node equivocated.
        community: Hash,
        /// The seq it signed twice.
        seq: u64,
        /// The two entries' ids.
        entries: [Hash; 2],
    },
    /// A roster change decided in the local log, mirrored for the
    /// federation (public log only).
    Roster(RosterChange),
    /// What fell due at the entry's time, in schedule order (local log
    /// only): applying it recomputes the list from the schedule and
    /// settles each item in its domain.
    Due {
        /// The items, in schedule order.
        items: Vec<crate::state::schedule::DueItem>,
    },
    /// A council decision revoking a member's verified skill, decided in
    /// the local log and mirrored so that any node of the federation can
    /// tell a credential's verifier it was revoked (public log only).
    Revoked(crate::economy::learning::Revocation),
    /// A closed month's analytics counts of this community: sums and
    /// counts only, never a member's data (public log only). Regional and
    /// network analytics add them up.
    Stats(crate::analytics::Stats),
}

impl NodeRecord {
    /// Whether the record belongs in the public log (every record but a
    /// close may only be there; a close goes to its proposal's log).
    pub fn public_only(&self) -> bool {
        !matches!(self, NodeRecord::Close { .. } | NodeRecord::Due { .. })
    }
}

/// One link of a log.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Entry {
    /// The log this entry belongs to.
    pub log: LogId,
    /// Position, from 0 (genesis), without gaps.
    pub seq: u64,
    /// Hash of entry `seq - 1` ([`Hash::ZERO`] for genesis).
    pub prev: Hash,
    /// When the node sealed it; never decreases along a log.
    pub time: Timestamp,
    /// The contents.
    pub body: EntryBody,
}

impl Canonical for Entry {}

impl Entry {
    /// The entry id (what the node signs, and the next entry's `prev`).
    pub fn id(&self) -> Hash {
        Hash::of(ENTRY_CONTEXT, &self.to_bytes())
    }

    /// Signs the entry with the node key.
    pub fn sign(self, key: &Keypair) -> SignedEntry {
        let signature = key.sign(&self.id());
        SignedEntry {
            entry: self,
            signature,
        }
    }
}

/// An entry with the node's signature over its id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct SignedEntry {
    /// The entry.
    pub entry: Entry,
    /// The node's signature over `entry.id()`.
    pub signature: Signature,
}

impl Canonical for SignedEntry {}

/// The last entry of a log.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Head {
    /// Its seq.
    pub seq: u64,
    /// Its id.
    pub hash: Hash,
    /// Its time.
    pub time: Timestamp,
}

/// Why an entry does not extend a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The node signature is bad.
    #[error("entry signature: {0}")]
    Signature(#[from] crypto::Error),
    /// The entry is for another log.
    #[error("the entry belongs to another log")]
    WrongLog,
    /// The seq is not the next one.
    #[error("expected seq {expected}, got {actual}")]
    SeqGap {
        /// The next seq of the log.
        expected: u64,
        /// The entry's seq.
        actual: u64,
    },
    /// The head is at the last seq a log can have: nothing extends it.
    #[error("the log is full: its head is at the last possible seq")]
    LogFull,
    /// `prev` is not the hash of the previous entry.
    #[error("prev does not match the hash of entry {seq}")]
    PrevMismatch {
        /// The previous entry's seq.
        seq: u64,
    },
    /// The time went backwards.
    #[error("entry time {time} is before its predecessor's {prev}")]
    TimeWentBack {
        /// The entry's time.
        time: u64,
        /// The predecessor's time.
        prev: u64,
    },
    /// Only seq 0 may carry genesis, and it must.
    #[error("genesis must be exactly the first entry")]
    MisplacedGenesis,
    /// The genesis is not the one the log's community id names, or names
    /// another node.
    #[error("the genesis does not match the log's community or node")]
    ForeignGenesis,
    /// An entry holds too many actions, none, or one for the other log.
    #[error("invalid batch: {reason}")]
    InvalidBatch {
        /// What is wrong.
        reason: &'static str,
    },
}

impl ChainError {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::Signature(e) => e.code(),
            ChainError::WrongLog => "wrong_log",
            ChainError::SeqGap { .. } => "seq_gap",
            ChainError::LogFull => "log_full",
            ChainError::PrevMismatch { .. } => "prev_mismatch",
            ChainError::TimeWentBack { .. } => "time_went_back",
            ChainError::MisplacedGenesis => "misplaced_genesis",
            ChainError::InvalidBatch { .. } => "invalid_batch",
            ChainError::ForeignGenesis => "foreign_genesis",
        }
    }
}

/// Proof that the action signatures of the entry with this id were
/// checked ([`SignedEntry::check_actions`] is the only way to make one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionsChecked(Hash);

impl SignedEntry {
    /// Verifies that this entry extends the log whose head is `prev`
    /// (`None` for an empty log) and is signed by `node`.
    ///
    /// The actions inside are verified too: a `Verified<SignedEntry>`
    /// vouches for every signature it contains.
    pub fn verify(
        self,
        log: &LogId,
        prev: Option<&Head>,
        node: &PublicKey,
    ) -> Result<Verified<SignedEntry>, ChainError> {
        self.verify_cached(log, prev, node, &KeyCache::default())
    }

    /// [`SignedEntry::verify`] with keys from a cache (same answers).
    pub fn verify_cached(
        self,
        log: &LogId,
        prev: Option<&Head>,
        node: &PublicKey,
        keys: &KeyCache,
    ) -> Result<Verified<SignedEntry>, ChainError> {
        self.verify_checked(log, prev, node, keys, None)
    }

    /// Checks the signatures of the actions this entry carries — the bulk
    /// of verifying it, which needs neither the log's head nor the node
    /// key, so it can run away from the node's single actor. The answer
    /// lets [`SignedEntry::verify_checked`] skip them for this very entry.
    pub fn check_actions(&self, keys: &KeyCache) -> Result<ActionsChecked, ChainError> {
        if let EntryBody::Actions(actions) = &self.entry.body {
            for action in actions {
                keys.verify(&action.action.author, &action.id(), &action.signature)?;
            }
        }
        Ok(ActionsChecked(self.entry.id()))
    }

    /// [`SignedEntry::verify_cached`], skipping the action signatures if
    /// `checked` vouches for them (it names the entry it checked, so a
    /// token for another entry vouches for nothing).
    pub fn verify_checked(
        self,
        log: &LogId,
        prev: Option<&Head>,
        node: &PublicKey,
        keys: &KeyCache,
        checked: Option<&ActionsChecked>,
    ) -> Result<Verified<SignedEntry>, ChainError> {
        let entry = &self.entry;
        if entry.log != *log {
            return Err(ChainError::WrongLog);
        }
        let expected = match prev {
            None => 0,
            Some(head) => head.seq.checked_add(1).ok_or(ChainError::LogFull)?,
        };
        if entry.seq != expected {
            return Err(ChainError::SeqGap {
                expected,
                actual: entry.seq,
            });
        }
        match prev {
            None if entry.prev != Hash::ZERO => return Err(ChainError::PrevMismatch { seq: 0 }),
            Some(head) if entry.prev != head.hash => {
                return Err(ChainError::PrevMismatch { seq: head.seq });
            }
            Some(head) if entry.time < head.time => {
                return Err(ChainError::TimeWentBack {
                    time: entry.time.0,
                    prev: head.time.0,
                });
            }
            _ => {}
        }
        match (&entry.body, entry.seq) {
            (EntryBody::Genesis(genesis), 0) => {
                if genesis.id() != log.community || genesis.node != *node {
                    return Err(ChainError::ForeignGenesis);
                }
            }
            (EntryBody::Genesis(_), _) | (_, 0) => return Err(ChainError::MisplacedGenesis),
            (EntryBody::Actions(actions), _) => {
                if actions.is_empty() || actions.len() > MAX_ACTIONS_PER_ENTRY {
                    return Err(ChainError::InvalidBatch {
                        reason: "an entry holds between 1 and MAX_ACTIONS_PER_ENTRY actions",
                    });
                }
                if actions.iter().any(|a| a.action.body.log_kind() != log.kind) {
                    return Err(ChainError::InvalidBatch {
                        reason: "an action belongs to the other log",
                    });
                }
            }
            (EntryBody::Records(records), _) => {
                if records.is_empty() || records.len() > MAX_ACTIONS_PER_ENTRY {
                    return Err(ChainError::InvalidBatch {
                        reason: "an entry holds between 1 and MAX_ACTIONS_PER_ENTRY records",
                    });
                }
                if log.kind == LogKind::Local && records.iter().any(NodeRecord::public_only) {
                    return Err(ChainError::InvalidBatch {
                        reason: "a federation record belongs to the public log",
                    });
                }
            }
        }
        let bytes = entry.to_bytes();
        if log.kind == LogKind::Public && bytes.len() > MAX_PUBLIC_ENTRY_BYTES {
            return Err(ChainError::InvalidBatch {
                reason: "a public entry is at most MAX_PUBLIC_ENTRY_BYTES long",
            });
        }
        let id = Hash::of(ENTRY_CONTEXT, &bytes);
        // The one node signature before the many action signatures: an
        // entry the node did not sign costs one verification, however many
        // valid action signatures it carries (the verdict is the same).
        keys.verify(node, &id, &self.signature)?;
        if checked.is_none_or(|c| c.0 != id) {
            self.check_actions(keys)?;
        }
        Ok(Verified::new_unchecked(self, id))
    }

    /// The head this entry makes.
    pub fn head(&self) -> Head {
        Head {
            seq: self.entry.seq,
            hash: self.entry.id(),
            time: self.entry.time,
        }
    }
}
