//! The canonical encoding of every Hearth record (DESIGN §3).
//!
//! Records are encoded with bincode 2 using fixed-width integers. Decoding
//! untrusted bytes always sets a size limit, requires every byte to be
//! consumed and re-encodes the value, rejecting it unless the bytes are
//! identical: one value has exactly one encoding, so ids and signatures
//! cannot be malleated.

use bincode::config::{Configuration, Fixint, Limit, LittleEndian};
use bincode::error::DecodeError;
use bincode::{Decode, Encode};

/// Upper bound on any single record's encoding (a batch entry is the largest).
pub const MAX_RECORD_BYTES: usize = 8 * 1024 * 1024;

/// Upper bound on any message's encoding (a sync response is the largest):
/// the largest `Canonical::LIMIT` of any type.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Upper bound on a single signed action's encoding.
pub const MAX_ACTION_BYTES: usize = 64 * 1024;

type Config<const N: usize> = Configuration<LittleEndian, Fixint, Limit<N>>;

fn config<const N: usize>() -> Config<N> {
    bincode::config::standard()
        .with_fixed_int_encoding()
        .with_limit::<N>()
}

/// Why bytes were refused as a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input ended before the record did.
    #[error("the record is truncated: {additional} more bytes were expected")]
    Truncated { additional: usize },
    /// Bytes were left over after the record.
    #[error("{extra} trailing bytes follow the record")]
    TrailingBytes { extra: usize },
    /// The input (or a length inside it) exceeds the size limit.
    #[error("the record exceeds the size limit of {limit} bytes")]
    TooLarge { limit: usize },
    /// The bytes decode, but are not the one canonical encoding of the value.
    #[error("the record is not canonically encoded")]
    NonCanonical,
    /// The bytes are not a record of this kind.
    #[error("the record is malformed: {reason}")]
    Malformed { reason: String },
}

impl Error {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Truncated { .. } => "truncated",
            Error::TrailingBytes { .. } => "trailing_bytes",
            Error::TooLarge { .. } => "too_large",
            Error::NonCanonical => "non_canonical",
            Error::Malformed { .. } => "malformed",
        }
    }
}

/// A record with a canonical encoding.
///
/// `LIMIT` is the largest encoding accepted when decoding.
pub trait Canonical: Encode + Decode<()> + Sized {
    /// Largest accepted encoding, in bytes.
    const LIMIT: usize = MAX_RECORD_BYTES;

    /// The canonical bytes of this value.
    fn to_bytes(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes untrusted bytes, accepting only the canonical encoding.
    fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        decode_canonical(bytes, Self::LIMIT)
    }
}

/// Whether `bytes` are exactly a `T` in bincode's variable-length integer
/// encoding. Only asked about bytes already refused, to name the refusal.
fn is_varint_encoding<T: Encode + Decode<()>>(bytes: &[u8]) -> bool {
    let config = bincode::config::standard().with_limit::<MAX_MESSAGE_BYTES>();
    match bincode::decode_from_slice::<T, _>(bytes, config) {
        Ok((value, used)) if used == bytes.len() => {
            bincode::encode_to_vec(&value, config).is_ok_and(|again| again == bytes)
        }
        _ => false,
    }
}

/// Encodes a value canonically. Encoding into a `Vec` cannot fail for
/// Hearth's record types (no limit applies on the way out).
pub fn encode<T: Encode>(value: &T) -> Vec<u8> {
    // The limit only guards decoding; encoding a well-typed value into a Vec
    // has no failure mode, so an empty result would only hide a bug in a
    // hand-written `Encode` impl, which the round-trip tests catch.
    bincode::encode_to_vec(value, config::<MAX_MESSAGE_BYTES>()).unwrap_or_default()
}

/// The hash of `value`'s canonical encoding under `context`: the same as
/// `Hash::of(context, &encode(value))`, without holding the encoding whole
/// (a tally report may encode to tens of megabytes).
pub fn hash_encoding<T: Encode>(context: &str, value: &T) -> crate::crypto::Hash {
    /// Encoded bytes, hashed a buffer at a time.
    struct Hashing {
        hasher: blake3::Hasher,
        buffer: Vec<u8>,
    }
    impl bincode::enc::write::Writer for Hashing {
        fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
            if self.buffer.len() + bytes.len() > self.buffer.capacity() {
                self.hasher.update(&self.buffer);
                self.buffer.clear();
            }
            if bytes.len() >= self.buffer.capacity() {
                self.hasher.update(bytes);
            } else {
                self.buffer.extend_from_slice(bytes);
            }
            Ok(())
        }
    }
    let mut writer = Hashing {
        hasher: blake3::Hasher::new_derive_key(context),
        buffer: Vec::with_capacity(64 * 1024),
    };
    // As in `encode`: encoding a well-typed value cannot fail.
    let _ = bincode::encode_into_writer(value, &mut writer, config::<MAX_MESSAGE_BYTES>());
    writer.hasher.update(&writer.buffer);
    crate::crypto::Hash(*writer.hasher.finalize().as_bytes())
}

/// Decodes `bytes` as a `T` under `limit`, enforcing the rules of DESIGN §3.
pub fn decode_canonical<T: Encode + Decode<()>>(bytes: &[u8], limit: usize) -> Result<T, Error> {
    if bytes.len() > limit {
        return Err(Error::TooLarge { limit });
    }
    // bincode's limit is a type parameter, and it counts memory, not input:
    // every value decoded, plus — while a list is being read — the room its
    // remaining items take in memory (which may exceed their encoding). So
    // decode under twice the smallest fixed bound that admits `limit`: no
    // length prefix inside can ask for more than that, and every input the
    // length check admits decodes (a full 16 MiB sync response never would
    // under an 8 MiB bound, nor under 16 MiB once its last entry's actions
    // are claimed).
    let decoded = if limit <= MAX_RECORD_BYTES {
        bincode::decode_from_slice::<T, _>(bytes, config::<{ 2 * MAX_RECORD_BYTES }>())
    } else if limit <= MAX_MESSAGE_BYTES {
        bincode::decode_from_slice::<T, _>(bytes, config::<{ 2 * MAX_MESSAGE_BYTES }>())
    } else {
        return Err(Error::TooLarge {
            limit: MAX_MESSAGE_BYTES,
        });
    };
    let value = match decoded {
        Ok((value, used)) if used == bytes.len() => value,
        Ok((_, used)) if !is_varint_encoding::<T>(bytes) => {
            return Err(Error::TrailingBytes {
                extra: bytes.len() - used,
            });
        }
        Err(e) if !is_varint_encoding::<T>(bytes) => {
            return Err(match e {
                DecodeError::UnexpectedEnd { additional } => Error::Truncated { additional },
                DecodeError::LimitExceeded => Error::TooLarge { limit },
                other => Error::Malformed {
                    reason: other.to_string(),
                },
            });
        }
        // The bytes are the record with variable-length integers (bincode's
        // default): the right value in a non-canonical encoding.
        _ => return Err(Error::NonCanonical),
    };
    if encode(&value) != bytes {
        return Err(Error::NonCanonical);
    }
    Ok(value)
}
