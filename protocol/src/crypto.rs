//! Keys, hashes and signatures: member and node identities (`did:key`),
//! domain-separated blake3 ids, and strict ed25519 verification.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::RwLock;

use bincode::{Decode, Encode};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The multicodec prefix of an ed25519 public key (`0xed 0x01`).
const ED25519_MULTICODEC: [u8; 2] = [0xed, 0x01];

/// Why a key, hash or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not a `did:key` naming an ed25519 key.
    #[error("not an ed25519 did:key: {reason}")]
    InvalidDid { reason: String },
    /// The bytes are not a point on the curve.
    #[error("the public key is not a valid ed25519 point")]
    InvalidKey,
    /// The key has small order; anyone could forge its signatures.
    #[error("the public key is weak (small order) and is refused")]
    WeakKey,
    /// The signature does not verify (strictly) under the key.
    #[error("the signature does not verify")]
    BadSignature,
    /// The text is not 64 hex digits.
    #[error("not a 32-byte hex hash: {reason}")]
    InvalidHash { reason: String },
}

impl Error {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidDid { .. } => "invalid_did",
            Error::InvalidKey => "invalid_key",
            Error::WeakKey => "weak_key",
            Error::BadSignature => "bad_signature",
            Error::InvalidHash { .. } => "invalid_hash",
        }
    }
}

/// A 32-byte blake3 hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Encode, Decode)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The all-zero hash: the `prev` of a log's genesis entry.
    pub const ZERO: Hash = Hash([0; 32]);

    /// Hashes `bytes` under a domain-separation `context`
    /// (e.g. `"hearth v1 action"`), so ids of different kinds never collide.
    pub fn of(context: &str, bytes: &[u8]) -> Hash {
        let mut hasher = blake3::Hasher::new_derive_key(context);
        hasher.update(bytes);
        Hash(*hasher.finalize().as_bytes())
    }

    /// The hash as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", &self.to_hex()[..16])
    }
}

impl FromStr for Hash {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let invalid = |reason: &str| Error::InvalidHash {
            reason: reason.to_string(),
        };
        if s.len() != 64 {
            return Err(invalid("expected 64 hex digits"));
        }
        let mut out = [0u8; 32];
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let text = std::str::from_utf8(chunk).map_err(|_| invalid("not ASCII"))?;
            out[i] = u8::from_str_radix(text, 16).map_err(|_| invalid("not hex"))?;
        }
        Ok(Hash(out))
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// An ed25519 public key: a member's or a node's identity.
///
/// Decoding accepts any 32 bytes (so a record with a bad key can be
/// refused with a precise reason); [`PublicKey::verifying_key`] is where a
/// key is checked to be a valid, non-weak point.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The key as a checked curve point: invalid and weak keys are refused.
    pub fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| Error::InvalidKey)?;
        if key.is_weak() {
            return Err(Error::WeakKey);
        }
        Ok(key)
    }

    /// Verifies `signature` over the 32-byte `id` with `verify_strict`.
    pub fn verify(&self, id: &Hash, signature: &Signature) -> Result<(), Error> {
        verify_strict(&self.verifying_key()?, id, signature)
    }

    /// Verifies `signature` over arbitrary `message` bytes with
    /// `verify_strict` (for formats that sign more than an id, such as
    /// the credentials' proofs).
    pub fn verify_message(&self, message: &[u8], signature: &Signature) -> Result<(), Error> {
        let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.verifying_key()?
            .verify_strict(message, &signature)
            .map_err(|_| Error::BadSignature)
    }

    /// The `did:key:z6Mk…` form shown to people.
    pub fn to_did(&self) -> String {
        let mut bytes = Vec::with_capacity(34);
        bytes.extend_from_slice(&ED25519_MULTICODEC);
        bytes.extend_from_slice(&self.0);
        format!("did:key:z{}", bs58::encode(bytes).into_string())
    }

    /// Parses a `did:key`, refusing malformed, invalid and weak keys.
    pub fn from_did(text: &str) -> Result<PublicKey, Error> {
        let invalid = |reason: &str| Error::InvalidDid {
            reason: reason.to_string(),
        };
        let rest = text
            .strip_prefix("did:key:z")
            .ok_or_else(|| invalid("expected the prefix did:key:z"))?;
        let bytes = bs58::decode(rest)
            .into_vec()
            .map_err(|_| invalid("not base58btc"))?;
        let key = bytes
            .strip_prefix(&ED25519_MULTICODEC)
            .ok_or_else(|| invalid("not an ed25519 key (multicodec 0xed01)"))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| invalid("an ed25519 key has 32 bytes"))?;
        let key = PublicKey(key);
        key.verifying_key()?;
        Ok(key)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_did())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let did = self.to_did();
        write!(f, "PublicKey({}…)", &did[..did.len().min(20)])
    }
}

impl FromStr for PublicKey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        PublicKey::from_did(s)
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_did())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PublicKey::from_did(&text).map_err(serde::de::Error::custom)
    }
}

fn verify_strict(key: &VerifyingKey, id: &Hash, signature: &Signature) -> Result<(), Error> {
    let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
    key.verify_strict(&id.0, &signature)
        .map_err(|_| Error::BadSignature)
}

/// Checked, decompressed public keys, so that verifying many signatures of
/// the same members decompresses each key once (a quarter of the cost of a
/// verification). Purely an accelerator: a verification gives the same
/// answer with or without it. Safe to share between threads.
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: RwLock<HashMap<PublicKey, VerifyingKey>>,
}

impl KeyCache {
    /// Most keys held; the cache starts over when it is full.
    pub const CAPACITY: usize = 65_536;

    /// The checked key (invalid and weak keys are refused, and not cached).
    pub fn verifying_key(&self, key: &PublicKey) -> Result<VerifyingKey, Error> {
        if let Ok(keys) = self.keys.read()
            && let Some(found) = keys.get(key)
        {
            return Ok(*found);
        }
        let checked = key.verifying_key()?;
        if let Ok(mut keys) = self.keys.write() {
            if keys.len() >= Self::CAPACITY {
                keys.clear();
            }
            keys.insert(*key, checked);
        }
        Ok(checked)
    }

    /// How many keys are held (each was checked once).
    pub fn len(&self) -> usize {
        self.keys.read().map_or(0, |keys| keys.len())
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`PublicKey::verify`] with the key taken from the cache.
    pub fn verify(&self, key: &PublicKey, id: &Hash, signature: &Signature) -> Result<(), Error> {
        verify_strict(&self.verifying_key(key)?, id, signature)
    }
}

/// A 64-byte ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub struct Signature(pub [u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({}…)", hex(&self.0[..8]))
    }
}

impl Serialize for Signature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(&self.0))
    }
}

/// A secret signing key. The caller supplies the 32-byte seed (the
/// protocol has no RNG); `Debug` never shows it.
#[derive(Clone)]
pub struct Keypair(SigningKey);

impl Keypair {
    /// The key pair for a 32-byte secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> Keypair {
        Keypair(SigningKey::from_bytes(seed))
    }

    /// The secret seed (for storing the key).
    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key().to_bytes())
    }

    /// Signs a 32-byte id.
    pub fn sign(&self, id: &Hash) -> Signature {
        Signature(self.0.sign(&id.0).to_bytes())
    }

    /// Signs arbitrary `message` bytes (pure Ed25519, RFC 8032).
    pub fn sign_message(&self, message: &[u8]) -> Signature {
        Signature(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keypair({:?})", self.public())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_round_trips_and_has_the_standard_prefix() {
        let key = Keypair::from_seed(&[7; 32]).public();
        let did = key.to_did();
        assert!(did.starts_with("did:key:z6Mk"), "{did}");
        assert_eq!(PublicKey::from_did(&did), Ok(key));
    }

    #[test]
    fn malformed_and_weak_dids_are_refused() {
        assert!(matches!(
            PublicKey::from_did("did:web:x"),
            Err(Error::InvalidDid { .. })
        ));
        assert!(matches!(
            PublicKey::from_did("did:key:z0OIl"),
            Err(Error::InvalidDid { .. })
        ));
        // The identity point (small order) in did:key form.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let did = PublicKey(weak).to_did();
        assert_eq!(PublicKey::from_did(&did), Err(Error::WeakKey));
        // A secp256k1 multicodec prefix is not ed25519.
        let other = format!(
            "did:key:z{}",
            bs58::encode([0xe7, 0x01, 1, 2, 3]).into_string()
        );
        assert!(matches!(
            PublicKey::from_did(&other),
            Err(Error::InvalidDid { .. })
        ));
    }

    #[test]
    fn signatures_verify_strictly_and_only_for_their_id() {
        let pair = Keypair::from_seed(&[1; 32]);
        let id = Hash::of("hearth v1 test", b"hello");
        let sig = pair.sign(&id);
        assert_eq!(pair.public().verify(&id, &sig), Ok(()));
        let other = Hash::of("hearth v1 test", b"hellp");
        assert_eq!(pair.public().verify(&other, &sig), Err(Error::BadSignature));
        let stranger = Keypair::from_seed(&[2; 32]).public();
        assert_eq!(stranger.verify(&id, &sig), Err(Error::BadSignature));
    }

    #[test]
    fn the_key_cache_gives_the_same_answers() {
        let cache = KeyCache::default();
        let pair = Keypair::from_seed(&[3; 32]);
        let id = Hash::of("hearth v1 test", b"x");
        let sig = pair.sign(&id);
        for _ in 0..2 {
            assert_eq!(cache.verify(&pair.public(), &id, &sig), Ok(()));
            let other = Hash::of("hearth v1 test", b"y");
            assert_eq!(
                cache.verify(&pair.public(), &other, &sig),
                Err(Error::BadSignature)
            );
        }
        let mut weak = [0u8; 32];
        weak[0] = 1;
        assert_eq!(
            cache.verify(&PublicKey(weak), &id, &sig),
            Err(Error::WeakKey)
        );
        assert_eq!(
            cache.verify(&PublicKey(weak), &id, &sig),
            Err(Error::WeakKey)
        );
    }

    #[test]
    fn hash_hex_round_trips_and_contexts_separate() {
        let a = Hash::of("hearth v1 a", b"x");
        assert_eq!(a.to_hex().parse::<Hash>(), Ok(a));
        assert_ne!(a, Hash::of("hearth v1 b", b"x"));
        assert!("zz".parse::<Hash>().is_err());
    }
}
