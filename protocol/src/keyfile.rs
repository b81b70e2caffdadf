//! Key files: an ed25519 secret seed as it is kept on disk, in the clear or
//! sealed with a passphrase. The `hearth` CLI keeps members' keys in this
//! format and `hearthd` its node key, so one implementation decides what
//! an encrypted key is.
//!
//! A file is JSON:
//!
//! ```text
//! { "version": 1, "name": "alice", "public": "<64 hex>",
//!   "secret": { "plain": "<64 hex>" } }
//! { "version": 1, "name": "alice", "public": "<64 hex>",
//!   "secret": { "encrypted": { "kdf": "argon2id", "salt": "<base64>",
//!     "m_cost": 19456, "t_cost": 2, "p_cost": 1,
//!     "nonce": "<base64, 12 bytes>", "ciphertext": "<base64, 48 bytes>" } } }
//! ```
//!
//! Sealing derives a 32-byte key from the passphrase with argon2id and
//! encrypts the seed with ChaCha20-Poly1305, the public key as associated
//! data (a file whose public key was swapped does not open). The salt and
//! the nonce are arguments: this crate has no RNG.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead as _, KeyInit as _, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::{Hash, Keypair, hex};

/// The key file format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The only key derivation function.
const KDF: &str = "argon2id";

/// Bytes of random salt given to [`KeyFile::sealed`].
pub const SALT_LEN: usize = 16;

/// Bytes of the ChaCha20-Poly1305 nonce given to [`KeyFile::sealed`].
pub const NONCE_LEN: usize = 12;

/// A 32-byte seed plus the 16-byte Poly1305 tag.
const CIPHERTEXT_LEN: usize = 48;

/// Argon2id costs: memory in KiB, iterations, parallelism.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfCosts {
    /// Memory, in KiB.
    pub m: u32,
    /// Iterations.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfCosts {
    /// The costs a newly sealed key gets (argon2's recommended defaults).
    pub const DEFAULT: KdfCosts = KdfCosts {
        m: Params::DEFAULT_M_COST,
        t: Params::DEFAULT_T_COST,
        p: Params::DEFAULT_P_COST,
    };

    /// The most a file read from disk may ask for, so that a hostile file
    /// cannot make its reader allocate gigabytes or spin for minutes.
    pub const MAX: KdfCosts = KdfCosts {
        m: 1 << 20,
        t: 64,
        p: 16,
    };

    /// Cheap costs for tests only: sealing with them protects nothing.
    pub const INSECURE_FOR_TESTS: KdfCosts = KdfCosts { m: 64, t: 1, p: 1 };

    fn params(self) -> Result<Params, Error> {
        if self.m > Self::MAX.m || self.t > Self::MAX.t || self.p > Self::MAX.p {
            return Err(Error::KdfCostsTooHigh);
        }
        Params::new(self.m, self.t, self.p, Some(32))
            .map_err(|e| Error::InvalidKdfCosts(e.to_string()))
    }
}

/// Why a key file was refused or could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The file is of another format version.
    #[error("unsupported key file version {found} (expected {FORMAT_VERSION})")]
    UnsupportedVersion { found: u32 },
    /// The name breaks [`check_name`].
    #[error("invalid key name {0:?}: use 1-64 characters from A-Z, a-z, 0-9, '_' and '-'")]
    InvalidName(String),
    /// A field that should be 64 hex digits is not.
    #[error("the {what} is not 64 hex digits")]
    BadHex { what: &'static str },
    /// A field that should be base64 is not.
    #[error("the {what} is not valid base64")]
    BadBase64 { what: &'static str },
    /// A sealed field has the wrong size.
    #[error("the {what} has {actual} bytes, not {expected}")]
    BadLength {
        what: &'static str,
        expected: &'static str,
        actual: usize,
    },
    /// The stored public key is not the one of the seed.
    #[error("the public key does not match the secret seed")]
    PublicMismatch,
    /// The key derivation function is not argon2id.
    #[error("unsupported kdf {0:?} (expected argon2id)")]
    UnsupportedKdf(String),
    /// The argon2 costs are above [`KdfCosts::MAX`].
    #[error("the argon2 costs are out of range")]
    KdfCostsTooHigh,
    /// Argon2 refuses the costs.
    #[error("invalid argon2 costs: {0}")]
    InvalidKdfCosts(String),
    /// Sealing needs a passphrase that is not empty.
    #[error("the passphrase must not be empty")]
    EmptyPassphrase,
    /// The key is sealed and no passphrase was given.
    #[error("the key is encrypted and needs its passphrase")]
    PassphraseNeeded,
    /// The passphrase does not open the key (or the file was altered).
    #[error("wrong passphrase (or the key file was altered)")]
    WrongPassphrase,
    /// Argon2 or the cipher failed.
    #[error("{0}")]
    Crypto(String),
}

/// A key file's content.
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyFile {
    version: u32,
    name: String,
    public: String,
    secret: SecretField,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SecretField {
    Plain(HexSeed),
    Encrypted(SealedSeed),
}

/// A hex-encoded seed in the clear; wiped on drop.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
struct HexSeed(String);

impl Drop for HexSeed {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[derive(Clone, Serialize, Deserialize)]
struct SealedSeed {
    kdf: String,
    salt: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    nonce: String,
    ciphertext: String,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFile")
            .field("name", &self.name)
            .field("public", &self.public)
            .field("encrypted", &self.is_encrypted())
            .finish_non_exhaustive()
    }
}

impl KeyFile {
    /// A key file holding `seed` in the clear.
    pub fn plain(name: &str, seed: &[u8; 32]) -> Result<KeyFile, Error> {
        check_name(name)?;
        Ok(KeyFile {
            version: FORMAT_VERSION,
            name: name.to_owned(),
            public: hex(&public_of(seed)),
            secret: SecretField::Plain(HexSeed(hex(seed))),
        })
    }

    /// A key file holding `seed` sealed with `passphrase`, with a fresh
    /// random `salt` and `nonce` from the caller.
    pub fn sealed(
        name: &str,
        seed: &[u8; 32],
        passphrase: &str,
        salt: [u8; SALT_LEN],
        nonce: [u8; NONCE_LEN],
        costs: KdfCosts,
    ) -> Result<KeyFile, Error> {
        check_name(name)?;
        if passphrase.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        let public = public_of(seed);
        let key = derive_key(passphrase, &salt, costs.params()?)?;
        let ciphertext = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: seed,
                    aad: &public,
                },
            )
            .map_err(|_| Error::Crypto("encryption failed".into()))?;
        Ok(KeyFile {
            version: FORMAT_VERSION,
            name: name.to_owned(),
            public: hex(&public),
            secret: SecretField::Encrypted(SealedSeed {
                kdf: KDF.to_owned(),
                salt: B64.encode(salt),
                m_cost: costs.m,
                t_cost: costs.t,
                p_cost: costs.p,
                nonce: B64.encode(nonce),
                ciphertext: B64.encode(ciphertext),
            }),
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Renames the key.
    pub fn set_name(&mut self, name: &str) -> Result<(), Error> {
        check_name(name)?;
        self.name = name.to_owned();
        Ok(())
    }

    /// Whether the seed is sealed with a passphrase.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.secret, SecretField::Encrypted(_))
    }

    /// Checks the file's structure (what can be checked without the
    /// passphrase) and returns its public key. A file read from disk is
    /// checked before anything else is done with it.
    pub fn validate(&self) -> Result<[u8; 32], Error> {
        if self.version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: self.version,
            });
        }
        check_name(&self.name)?;
        let public = decode_32(&self.public, "public key")?;
        match &self.secret {
            SecretField::Plain(seed) => {
                if public_of(&decode_32(&seed.0, "secret seed")?) != public {
                    return Err(Error::PublicMismatch);
                }
            }
            SecretField::Encrypted(sealed) => {
                if sealed.kdf != KDF {
                    return Err(Error::UnsupportedKdf(sealed.kdf.clone()));
                }
                sealed.costs().params()?;
                let salt = b64_decode(&sealed.salt, "salt")?;
                if !(8..=64).contains(&salt.len()) {
                    return Err(Error::BadLength {
                        what: "salt",
                        expected: "8 to 64",
                        actual: salt.len(),
                    });
                }
                sealed.nonce()?;
                sealed.ciphertext()?;
            }
        }
        Ok(public)
    }

    /// The seed: in the clear, or opened with `passphrase`. Checks that
    /// it is the seed of the file's public key.
    pub fn seed(&self, passphrase: Option<&str>) -> Result<Zeroizing<[u8; 32]>, Error> {
        let public = self.validate()?;
        let seed = match &self.secret {
            SecretField::Plain(seed) => Zeroizing::new(decode_32(&seed.0, "secret seed")?),
            SecretField::Encrypted(sealed) => {
                let passphrase = passphrase.ok_or(Error::PassphraseNeeded)?;
                sealed.open(&public, passphrase)?
            }
        };
        if public_of(&seed) != public {
            return Err(Error::PublicMismatch);
        }
        Ok(seed)
    }
}

impl SealedSeed {
    fn costs(&self) -> KdfCosts {
        KdfCosts {
            m: self.m_cost,
            t: self.t_cost,
            p: self.p_cost,
        }
    }

    fn nonce(&self) -> Result<[u8; NONCE_LEN], Error> {
        let nonce = b64_decode(&self.nonce, "nonce")?;
        nonce.as_slice().try_into().map_err(|_| Error::BadLength {
            what: "nonce",
            expected: "12",
            actual: nonce.len(),
        })
    }

    fn ciphertext(&self) -> Result<Vec<u8>, Error> {
        let ciphertext = b64_decode(&self.ciphertext, "ciphertext")?;
        if ciphertext.len() != CIPHERTEXT_LEN {
            return Err(Error::BadLength {
                what: "ciphertext",
                expected: "48",
                actual: ciphertext.len(),
            });
        }
        Ok(ciphertext)
    }

    fn open(&self, public: &[u8; 32], passphrase: &str) -> Result<Zeroizing<[u8; 32]>, Error> {
        let key = derive_key(
            passphrase,
            &b64_decode(&self.salt, "salt")?,
            self.costs().params()?,
        )?;
        let plain = Zeroizing::new(
            ChaCha20Poly1305::new(Key::from_slice(key.as_ref()))
                .decrypt(
                    Nonce::from_slice(&self.nonce()?),
                    Payload {
                        msg: &self.ciphertext()?,
                        aad: public,
                    },
                )
                .map_err(|_| Error::WrongPassphrase)?,
        );
        let mut seed = Zeroizing::new([0u8; 32]);
        if plain.len() != seed.len() {
            return Err(Error::WrongPassphrase);
        }
        seed.copy_from_slice(&plain);
        Ok(seed)
    }
}

/// Checks a key's name: 1 to 64 characters from A-Z, a-z, 0-9, `_`, `-`
/// (it is also a file name).
pub fn check_name(name: &str) -> Result<(), Error> {
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidName(name.to_owned()))
    }
}

/// The ed25519 public key of a seed.
pub fn public_of(seed: &[u8; 32]) -> [u8; 32] {
    Keypair::from_seed(seed).public().0
}

fn derive_key(passphrase: &str, salt: &[u8], params: Params) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut())
        .map_err(|e| Error::Crypto(format!("key derivation failed: {e}")))?;
    Ok(key)
}

fn decode_32(text: &str, what: &'static str) -> Result<[u8; 32], Error> {
    text.parse::<Hash>()
        .map(|h| h.0)
        .map_err(|_| Error::BadHex { what })
}

fn b64_decode(text: &str, what: &'static str) -> Result<Vec<u8>, Error> {
    B64.decode(text).map_err(|_| Error::BadBase64 { what })
}

#[cfg(test)]
mod tests {
    use super::*;

    const COSTS: KdfCosts = KdfCosts::INSECURE_FOR_TESTS;

    fn sealed(seed: &[u8; 32], passphrase: &str) -> KeyFile {
        KeyFile::sealed("k", seed, passphrase, [1; SALT_LEN], [2; NONCE_LEN], COSTS).unwrap()
    }

    fn json(file: &KeyFile) -> serde_json::Value {
        serde_json::to_value(file).unwrap()
    }

    fn from_json(value: serde_json::Value) -> KeyFile {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_plain_key_round_trips_through_json() {
        let file = KeyFile::plain("alice", &[7; 32]).unwrap();
        let back = from_json(json(&file));
        assert!(!back.is_encrypted());
        assert_eq!(back.validate().unwrap(), public_of(&[7; 32]));
        assert_eq!(*back.seed(None).unwrap(), [7; 32]);
        assert_eq!(*back.seed(Some("ignored")).unwrap(), [7; 32]);
    }

    #[test]
    fn a_sealed_key_opens_only_with_its_passphrase() {
        let file = from_json(json(&sealed(&[9; 32], "hunter2")));
        assert!(file.is_encrypted());
        assert_eq!(file.validate().unwrap(), public_of(&[9; 32]));
        assert_eq!(*file.seed(Some("hunter2")).unwrap(), [9; 32]);
        assert_eq!(
            file.seed(Some("hunter3")).err(),
            Some(Error::WrongPassphrase)
        );
        assert_eq!(file.seed(None).err(), Some(Error::PassphraseNeeded));
        let text = serde_json::to_string(&file).unwrap();
        assert!(!text.contains(&hex(&[9; 32])), "{text}");
    }

    #[test]
    fn a_tampered_or_swapped_file_does_not_open() {
        let file = sealed(&[9; 32], "pw");
        let mut v = json(&file);
        let mut ct = B64
            .decode(v["secret"]["encrypted"]["ciphertext"].as_str().unwrap())
            .unwrap();
        ct[0] ^= 1;
        v["secret"]["encrypted"]["ciphertext"] = B64.encode(ct).into();
        assert_eq!(
            from_json(v).seed(Some("pw")).err(),
            Some(Error::WrongPassphrase)
        );
        // Another key's public half: the associated data no longer matches.
        let mut v = json(&file);
        v["public"] = hex(&public_of(&[8; 32])).into();
        assert_eq!(
            from_json(v).seed(Some("pw")).err(),
            Some(Error::WrongPassphrase)
        );
    }

    #[test]
    fn malformed_files_are_refused_before_any_work() {
        let file = sealed(&[9; 32], "pw");
        let cases: [(&str, serde_json::Value, Error); 5] = [
            ("/version", 2.into(), Error::UnsupportedVersion { found: 2 }),
            (
                "/secret/encrypted/kdf",
                "scrypt".into(),
                Error::UnsupportedKdf("scrypt".into()),
            ),
            (
                "/secret/encrypted/m_cost",
                (1u64 << 31).into(),
                Error::KdfCostsTooHigh,
            ),
            (
                "/secret/encrypted/nonce",
                B64.encode([0; 11]).into(),
                Error::BadLength {
                    what: "nonce",
                    expected: "12",
                    actual: 11,
                },
            ),
            ("/public", "zz".into(), Error::BadHex { what: "public key" }),
        ];
        for (pointer, value, error) in cases {
            let mut v = json(&file);
            *v.pointer_mut(pointer).unwrap() = value;
            assert_eq!(from_json(v).validate().err(), Some(error), "{pointer}");
        }
        let mut v = json(&KeyFile::plain("p", &[3; 32]).unwrap());
        v["public"] = hex(&public_of(&[4; 32])).into();
        assert_eq!(from_json(v).validate().err(), Some(Error::PublicMismatch));
    }

    #[test]
    fn names_and_passphrases_are_checked() {
        for bad in ["", "a b", "../x", "é", &"a".repeat(65)] {
            assert!(matches!(
                KeyFile::plain(bad, &[1; 32]),
                Err(Error::InvalidName(_))
            ));
        }
        assert!(check_name(&"A-z_9".repeat(12)).is_ok());
        assert_eq!(
            KeyFile::sealed("k", &[1; 32], "", [0; SALT_LEN], [0; NONCE_LEN], COSTS).err(),
            Some(Error::EmptyPassphrase)
        );
    }
}
