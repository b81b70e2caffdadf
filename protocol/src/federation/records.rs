//! What nodes record in their public logs for the federation: checkpoints
//! (witnesses of other logs' heads), tally attestations, equivocation
//! proofs and mirrors of roster changes decided in the local log.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::log::{Head, LogId, SignedEntry};

/// Most heads one checkpoint lists.
pub const MAX_CHECKPOINT_HEADS: usize = 4096;

/// The head of another community's public log, as a node verified it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct LogHead {
    /// The community whose public log it is.
    pub community: Hash,
    /// Its head.
    pub head: Head,
}

/// A node's witness of the other public logs it has verified: a checkpoint
/// of B listing A's head at seq s says A's public log up to s existed at
/// the time of B's entry.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Checkpoint {
    /// The network the checkpoint is for.
    pub network: Hash,
    /// Heads of other communities' public logs, in community order.
    pub heads: Vec<LogHead>,
}

impl Checkpoint {
    /// Whether the heads are in strictly increasing community order and
    /// within bounds.
    pub fn well_formed(&self) -> bool {
        self.heads.len() <= MAX_CHECKPOINT_HEADS
            && self
                .heads
                .windows(2)
                .all(|w| w[0].community < w[1].community)
    }

    /// The head listed for `community`.
    pub fn head_of(&self, community: &Hash) -> Option<&Head> {
        self.heads
            .binary_search_by(|h| h.community.cmp(community))
            .ok()
            .map(|i| &self.heads[i].head)
    }
}

/// A node's signed statement of the result of a regional or network tally.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Attestation {
    /// The network.
    pub network: Hash,
    /// The proposal.
    pub proposal: Hash,
    /// The result hash the node computed.
    pub result: Hash,
}

/// Two different entries with the same (log, seq), both validly signed by
/// the log's node: proof that the node equivocated.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct EquivocationProof {
    /// The entry with the smaller id.
    pub first: SignedEntry,
    /// The entry with the larger id.
    pub second: SignedEntry,
}

impl Canonical for EquivocationProof {}

/// Why an equivocation proof is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The entries are for different logs or seqs, identical, or out of order.
    #[error("the entries do not form an equivocation: {0}")]
    NotAFork(&'static str),
    /// A signature does not verify with the log's node key.
    #[error("an entry's signature does not verify")]
    BadSignature,
}

impl EquivocationProof {
    /// Builds the proof from two conflicting entries, in canonical order.
    pub fn new(a: SignedEntry, b: SignedEntry) -> EquivocationProof {
        if a.entry.id() <= b.entry.id() {
            EquivocationProof {
                first: a,
                second: b,
            }
        } else {
            EquivocationProof {
                first: b,
                second: a,
            }
        }
    }

    /// The forked log and seq.
    pub fn at(&self) -> (LogId, u64) {
        (self.first.entry.log, self.first.entry.seq)
    }

    /// Checks the proof against the log's node key: same log and seq,
    /// different ids in increasing order, both signatures valid (strictly).
    pub fn verify(&self, node: &PublicKey) -> Result<(LogId, u64), ProofError> {
        let (a, b) = (&self.first.entry, &self.second.entry);
        if a.log != b.log || a.seq != b.seq {
            return Err(ProofError::NotAFork("different logs or seqs"));
        }
        let (ida, idb) = (a.id(), b.id());
        if ida >= idb {
            return Err(ProofError::NotAFork("identical or out of order"));
        }
        node.verify(&ida, &self.first.signature)
            .map_err(|_| ProofError::BadSignature)?;
        node.verify(&idb, &self.second.signature)
            .map_err(|_| ProofError::BadSignature)?;
        Ok(self.at())
    }
}

/// A roster change decided in the local log (a membership vote), mirrored
/// into the public log so the federation sees the community's roster.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct RosterChange {
    /// The local proposal that decided it.
    pub proposal: Hash,
    /// Keys admitted.
    pub admitted: Vec<PublicKey>,
}
