//! The export of a node's federation data, what `hearth audit` reads: a
//! stream of length-prefixed canonical records — the signed network
//! genesis, then each public log (a header naming the community and its
//! node key, followed by its entries from seq 0), and any equivocation
//! proofs. Reading checks every length against the record limit before
//! decoding.

use bincode::{Decode, Encode};

use crate::codec::{Canonical, MAX_RECORD_BYTES};
use crate::crypto::{Hash, PublicKey};
use crate::log::SignedEntry;

use super::genesis::SignedNetwork;
use super::records::EquivocationProof;

/// The first bytes of an export.
pub const MAGIC: &[u8; 8] = b"HEARTHF1";

/// One record of an export.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum ExportRecord {
    /// The signed network genesis.
    Network(Box<SignedNetwork>),
    /// The start of a community's public log.
    Log {
        /// The community.
        community: Hash,
        /// Its node key.
        node: PublicKey,
    },
    /// The next entry of the current log.
    Entry(SignedEntry),
    /// An equivocation proof.
    Proof(Box<EquivocationProof>),
}

impl Canonical for ExportRecord {}

/// Appends `record`, length-prefixed, to `out`.
pub fn write_record(out: &mut Vec<u8>, record: &ExportRecord) {
    let bytes = record.to_bytes();
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&bytes);
}

/// Appends an `Entry` record made of a signed entry's stored canonical
/// bytes, without decoding them: the same bytes as
/// `write_record(out, &ExportRecord::Entry(entry))`.
pub fn write_entry_bytes(out: &mut Vec<u8>, entry: &[u8]) {
    // A record is its variant's index (a fixed-width u32) and its fields.
    const ENTRY_VARIANT: u32 = 2;
    out.extend_from_slice(&((entry.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(&ENTRY_VARIANT.to_le_bytes());
    out.extend_from_slice(entry);
}

/// Why an export could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The file does not start with [`MAGIC`].
    #[error("not a Hearth export (bad magic bytes)")]
    BadMagic,
    /// A record is cut short.
    #[error("the export is truncated at byte {offset}")]
    Truncated {
        /// Where.
        offset: usize,
    },
    /// A record is longer than any record may be.
    #[error("record at byte {offset} claims {len} bytes (limit {MAX_RECORD_BYTES})")]
    TooLarge {
        /// Where.
        offset: usize,
        /// Its claimed length.
        len: usize,
    },
    /// A record does not decode canonically.
    #[error("record at byte {offset}: {error}")]
    Record {
        /// Where.
        offset: usize,
        /// Why.
        error: crate::codec::Error,
    },
}

/// Reads the records of an export (after the magic bytes).
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole export; checks the magic bytes.
    pub fn new(bytes: &'a [u8]) -> Result<Reader<'a>, ExportError> {
        if bytes.get(..MAGIC.len()) != Some(MAGIC.as_slice()) {
            return Err(ExportError::BadMagic);
        }
        Ok(Reader {
            bytes,
            offset: MAGIC.len(),
        })
    }

    /// How far the reader has got, in bytes.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The export's length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the export holds no records.
    pub fn is_empty(&self) -> bool {
        self.bytes.len() <= MAGIC.len()
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<ExportRecord, ExportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.offset >= self.bytes.len() {
            return None;
        }
        let offset = self.offset;
        let Some(prefix) = self.bytes.get(offset..offset + 4) else {
            self.offset = self.bytes.len();
            return Some(Err(ExportError::Truncated { offset }));
        };
        let mut len = [0u8; 4];
        len.copy_from_slice(prefix);
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_RECORD_BYTES {
            self.offset = self.bytes.len();
            return Some(Err(ExportError::TooLarge { offset, len }));
        }
        let Some(body) = self.bytes.get(offset + 4..offset + 4 + len) else {
            self.offset = self.bytes.len();
            return Some(Err(ExportError::Truncated { offset }));
        };
        self.offset = offset + 4 + len;
        Some(ExportRecord::from_bytes(body).map_err(|error| ExportError::Record { offset, error }))
    }
}
