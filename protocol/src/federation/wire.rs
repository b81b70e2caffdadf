//! Messages between federation nodes: what is gossiped (push) and the
//! sync protocol's requests and responses (pull). Every message has a
//! canonical encoding and a size limit; bytes from a peer are decoded with
//! [`Canonical::from_bytes`], which enforces both.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::Canonical;
use crate::crypto::Hash;
use crate::log::SignedEntry;

use super::genesis::SignedNetwork;
use super::records::{EquivocationProof, LogHead};

/// Largest gossip message.
pub const MAX_GOSSIP_BYTES: usize = 1024 * 1024;

/// Largest sync request.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Largest sync response (the largest message of all).
pub const MAX_RESPONSE_BYTES: usize = crate::codec::MAX_MESSAGE_BYTES;

/// Largest public-log entry a node seals, so that an entry — and an
/// equivocation proof made of two — fits in one gossip message.
pub const MAX_PUBLIC_ENTRY_BYTES: usize = 480 * 1024;

/// Most entries one range request may ask for.
pub const MAX_RANGE: u32 = 512;

/// Most heads or proofs in one response.
pub const MAX_HEADS: usize = 4096;

/// What a node pushes on the network's topic.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub enum Gossip {
    /// A new entry of a public log.
    Entry(SignedEntry),
    /// Proof that a node signed two entries with the same seq.
    Proof(Box<EquivocationProof>),
}

impl Canonical for Gossip {
    const LIMIT: usize = MAX_GOSSIP_BYTES;
}

/// A sync request.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub enum SyncRequest {
    /// The heads of every public log the peer holds, and which are forked.
    Heads,
    /// Entries `from..from + limit` of a community's public log (the
    /// response may hold fewer, to stay within its size limit).
    Range {
        /// The community.
        community: Hash,
        /// The first seq wanted.
        from: u64,
        /// How many at most.
        limit: u32,
    },
    /// The signed network genesis records the peer knows.
    Networks,
    /// The equivocation proof the peer holds against a community.
    Proof {
        /// The community.
        community: Hash,
    },
}

impl Canonical for SyncRequest {
    const LIMIT: usize = MAX_REQUEST_BYTES;
}

/// A sync response.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub enum SyncResponse {
    /// Heads of the public logs the peer holds, and the communities it
    /// holds an equivocation proof against.
    Heads {
        /// The heads, in community order.
        heads: Vec<LogHead>,
        /// Forked communities.
        forked: Vec<Hash>,
    },
    /// Consecutive entries of one public log.
    Entries(Vec<SignedEntry>),
    /// Signed network geneses.
    Networks(Vec<SignedNetwork>),
    /// An equivocation proof.
    Proof(Option<Box<EquivocationProof>>),
    /// The peer refused the request.
    Refused(String),
}

impl Canonical for SyncResponse {
    const LIMIT: usize = MAX_RESPONSE_BYTES;
}

impl SyncResponse {
    /// The canonical bytes of `SyncResponse::Entries` made of signed
    /// entries' stored canonical bytes, without decoding and encoding them
    /// again: a node answers ranges from what it stored.
    pub fn entries_bytes(entries: &[Vec<u8>]) -> Vec<u8> {
        // The variant's index (a fixed-width u32), the list's length (a
        // fixed-width u64), then each entry.
        const ENTRIES_VARIANT: u32 = 1;
        let len = 12 + entries.iter().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(&ENTRIES_VARIANT.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        for entry in entries {
            out.extend_from_slice(entry);
        }
        out
    }
}
