//! Member key storage for the `hearth` CLI.
//!
//! Responsible for keeping a member's ed25519 secret seeds on disk under
//! `<dir>/keys/<name>.key` (plain or passphrase-encrypted with
//! argon2id + ChaCha20Poly1305, in the format of
//! [`hearth_protocol::keyfile`], which `hearthd` uses for its node key
//! too), for exporting/importing those files, and for handing out strictly
//! increasing per-key action nonces that survive restarts and concurrent
//! `hearth` processes.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, ensure};
use hearth_protocol::crypto::hex;
use hearth_protocol::keyfile::{
    self, KdfCosts, KeyFile, NONCE_LEN, SALT_LEN, check_name, public_of,
};
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

use crate::error::{Code, fail};

/// Environment variable holding the passphrase for encrypted keys.
pub const PASSPHRASE_ENV: &str = "HEARTH_PASSPHRASE";
/// Argon2id costs of newly encrypted keys.
#[cfg(not(test))]
const KDF_COSTS: KdfCosts = KdfCosts::DEFAULT;
/// Cheap costs so unit tests stay fast; never used in real builds.
#[cfg(test)]
const KDF_COSTS: KdfCosts = KdfCosts::INSECURE_FOR_TESTS;

/// Public facts about a stored key; never contains secret material.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    /// The key's name (also its file stem).
    pub name: String,
    /// The ed25519 public key, serialized as 64 lowercase hex characters.
    #[serde(serialize_with = "serialize_hex")]
    pub public: [u8; 32],
    /// Whether the seed is encrypted with a passphrase.
    pub encrypted: bool,
    /// Path of the key file.
    pub path: PathBuf,
}

/// A decrypted ed25519 secret seed, wiped from memory on drop.
pub struct Secret(Zeroizing<[u8; 32]>);

impl Secret {
    /// The 32-byte ed25519 secret seed.
    pub fn seed(&self) -> &[u8; 32] {
        &self.0
    }

    /// The ed25519 public key derived from the seed.
    pub fn public(&self) -> [u8; 32] {
        public_of(&self.0)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("public", &hex(&self.public()))
            .finish_non_exhaustive()
    }
}

/// The passphrase from `HEARTH_PASSPHRASE`, if set and non-empty.
pub fn passphrase_from_env() -> Option<String> {
    std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty())
}

/// A directory of member keys (`<dir>/keys`).
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
}

impl KeyStore {
    /// Opens (creating if needed) the key store rooted at `dir`; `<dir>/keys`
    /// is created with mode 0700.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let store = KeyStore { dir: dir.into() };
        let keys = store.keys_dir();
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&keys)
            .with_context(|| format!("cannot create key directory {}", keys.display()))?;
        fs::set_permissions(&keys, fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict permissions of {}", keys.display()))?;
        Ok(store)
    }

    /// The default store directory: `$HEARTH_HOME`, else
    /// `$XDG_CONFIG_HOME/hearth`, else `$HOME/.config/hearth`.
    pub fn default_dir() -> PathBuf {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        default_dir_from(var("HEARTH_HOME"), var("XDG_CONFIG_HOME"), var("HOME"))
    }

    /// Generates a fresh random key named `name`, encrypted if `passphrase`
    /// is given. Fails if the key already exists.
    pub fn generate(&self, name: &str, passphrase: Option<&str>) -> Result<KeyInfo> {
        let mut seed = Zeroizing::new([0u8; 32]);
        fill_random(seed.as_mut(), "a new key")?;
        self.insert(name, *seed, passphrase, false)
    }

    /// Stores `seed` as key `name`, encrypted if `passphrase` is given.
    /// Refuses to overwrite an existing key unless `force`.
    pub fn insert(
        &self,
        name: &str,
        seed: [u8; 32],
        passphrase: Option<&str>,
        force: bool,
    ) -> Result<KeyInfo> {
        let seed = Zeroizing::new(seed);
        let file = seal(name, &seed, passphrase)?;
        self.write_key_file(&file, force)
    }

    /// Lists all keys, sorted by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>> {
        let keys = self.keys_dir();
        let entries = fs::read_dir(&keys)
            .with_context(|| format!("cannot read key directory {}", keys.display()))?;
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", keys.display()))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".key")) else {
                continue;
            };
            if check_name(name).is_ok() {
                out.push(self.info(name)?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Public information about key `name` (no passphrase needed).
    pub fn info(&self, name: &str) -> Result<KeyInfo> {
        let (file, public) = self.read_key_file(name)?;
        Ok(self.key_info(&file, public))
    }

    /// Loads and, if needed, decrypts key `name`.
    pub fn load(&self, name: &str, passphrase: Option<&str>) -> Result<Secret> {
        let (file, public) = self.read_key_file(name)?;
        match file.seed(passphrase) {
            Ok(seed) => Ok(Secret(seed)),
            Err(keyfile::Error::PassphraseNeeded) => Err(fail(
                Code::Passphrase,
                format!("key '{name}' is encrypted; set {PASSPHRASE_ENV} or enter its passphrase"),
            )),
            Err(keyfile::Error::WrongPassphrase) => Err(fail(
                Code::Passphrase,
                format!("wrong passphrase for key '{name}'"),
            )),
            Err(e) => Err(e).with_context(|| {
                format!(
                    "key file for '{name}' is corrupted (public key {})",
                    hex(&public)
                )
            }),
        }
    }

    /// The key file's JSON text, exactly as stored (still encrypted if it was).
    pub fn export(&self, name: &str) -> Result<String> {
        self.read_key_file(name)?;
        let path = self.key_path(name);
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    }

    /// Validates exported key JSON and stores it, under `name` if given, else
    /// under the name it carries. Refuses to overwrite unless `force`.
    pub fn import(&self, name: Option<&str>, text: &str, force: bool) -> Result<KeyInfo> {
        let mut file: KeyFile =
            serde_json::from_str(text.trim()).context("not a valid hearth key file (bad JSON)")?;
        file.validate().context("not a valid hearth key file")?;
        if let Some(n) = name {
            file.set_name(n)?;
        }
        self.write_key_file(&file, force)
    }

    /// Returns the next action nonce for key `name`: `max(now_ms, last + 1)`,
    /// persisted to `<name>.nonce` before returning. An exclusive lock on
    /// `<name>.lock` serializes concurrent processes.
    pub fn next_nonce(&self, name: &str, now_ms: u64) -> Result<u64> {
        check_name(name)?;
        let key = self.key_path(name);
        if !key.exists() {
            return Err(self.not_found(name));
        }
        let lock_path = self.keys_dir().join(format!("{name}.lock"));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .with_context(|| format!("cannot open lock file {}", lock_path.display()))?;
        lock_exclusive(&lock).with_context(|| format!("cannot lock {}", lock_path.display()))?;

        let path = self.keys_dir().join(format!("{name}.nonce"));
        let last = match fs::read_to_string(&path) {
            Ok(s) => Some(s.trim().parse::<u64>().with_context(|| {
                format!("nonce file {} is corrupted (not a number)", path.display())
            })?),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let next = match last {
            None => now_ms,
            Some(l) => l
                .checked_add(1)
                .map(|n| n.max(now_ms))
                .ok_or_else(|| anyhow!("nonces for key '{name}' are exhausted"))?,
        };
        write_atomic(&path, next.to_string().as_bytes(), true)
            .with_context(|| format!("cannot persist nonce for key '{name}'"))?;
        drop(lock);
        Ok(next)
    }

    fn not_found(&self, name: &str) -> anyhow::Error {
        fail(
            Code::KeyNotFound,
            format!("no key named '{name}' in {}", self.keys_dir().display()),
        )
    }

    fn keys_dir(&self) -> PathBuf {
        self.dir.join("keys")
    }

    fn key_path(&self, name: &str) -> PathBuf {
        self.keys_dir().join(format!("{name}.key"))
    }

    fn key_info(&self, file: &KeyFile, public: [u8; 32]) -> KeyInfo {
        KeyInfo {
            name: file.name().to_owned(),
            public,
            encrypted: file.is_encrypted(),
            path: self.key_path(file.name()),
        }
    }

    /// Reads and validates `<name>.key`, returning it with its public key.
    fn read_key_file(&self, name: &str) -> Result<(KeyFile, [u8; 32])> {
        check_name(name)?;
        let path = self.key_path(name);
        let text = match fs::read_to_string(&path) {
            Ok(t) => Zeroizing::new(t),
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(self.not_found(name)),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let file: KeyFile = serde_json::from_str(&text)
            .with_context(|| format!("key file {} is not valid JSON", path.display()))?;
        let public = file
            .validate()
            .with_context(|| format!("key file {} is invalid", path.display()))?;
        ensure!(
            file.name() == name,
            "key file {} names key '{}', not '{name}'",
            path.display(),
            file.name()
        );
        Ok((file, public))
    }

    fn write_key_file(&self, file: &KeyFile, force: bool) -> Result<KeyInfo> {
        let path = self.key_path(file.name());
        let json = Zeroizing::new(
            serde_json::to_string_pretty(file).context("cannot serialize key file")?,
        );
        write_atomic(&path, json.as_bytes(), force).map_err(|e| {
            if e.downcast_ref::<std::io::Error>().map(|e| e.kind())
                == Some(ErrorKind::AlreadyExists)
            {
                anyhow!(
                    "key '{}' already exists (use --force to overwrite)",
                    file.name()
                )
            } else {
                e.context(format!("cannot write key file {}", path.display()))
            }
        })?;
        let public = file.validate()?;
        Ok(self.key_info(file, public))
    }
}

fn default_dir_from(
    hearth_home: Option<std::ffi::OsString>,
    xdg: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> PathBuf {
    if let Some(h) = hearth_home {
        PathBuf::from(h)
    } else if let Some(x) = xdg {
        PathBuf::from(x).join("hearth")
    } else {
        PathBuf::from(home.unwrap_or_else(|| ".".into()))
            .join(".config")
            .join("hearth")
    }
}

fn lock_exclusive(file: &File) -> std::io::Result<()> {
    file.lock()
}

/// Writes `data` to `path` via `<path>.tmp` (mode 0600, fsynced), then renames
/// it into place (or hard-links it when `overwrite` is false, so an existing
/// file is never replaced), and fsyncs the directory.
fn write_atomic(path: &Path, data: &[u8], overwrite: bool) -> Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", tmp.display())),
    }
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    drop(f);
    let placed = if overwrite {
        fs::rename(&tmp, path)
    } else {
        fs::hard_link(&tmp, path).and_then(|()| fs::remove_file(&tmp))
    };
    if let Err(e) = placed {
        let _ = fs::remove_file(&tmp);
        return Err(e.into());
    }
    if let Some(parent) = path.parent() {
        File::open(parent)
            .and_then(|d| d.sync_all())
            .with_context(|| format!("cannot sync directory {}", parent.display()))?;
    }
    Ok(())
}

/// The key file for `seed`: sealed with `passphrase` (fresh salt and
/// nonce) if one is given, else in the clear.
fn seal(name: &str, seed: &[u8; 32], passphrase: Option<&str>) -> Result<KeyFile> {
    let Some(passphrase) = passphrase else {
        return Ok(KeyFile::plain(name, seed)?);
    };
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut salt, "the salt")?;
    fill_random(&mut nonce, "the nonce")?;
    Ok(KeyFile::sealed(
        name, seed, passphrase, salt, nonce, KDF_COSTS,
    )?)
}

fn fill_random(buf: &mut [u8], what: &str) -> Result<()> {
    getrandom::fill(buf).map_err(|e| anyhow!("cannot obtain randomness for {what}: {e}"))
}

fn serialize_hex<S: Serializer>(bytes: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;
    use std::collections::HashSet;

    fn store() -> (tempfile::TempDir, KeyStore) {
        let dir = tempfile::tempdir().unwrap();
        let ks = KeyStore::open(dir.path()).unwrap();
        (dir, ks)
    }

    #[test]
    fn generate_list_info_load_round_trip() {
        let (_d, ks) = store();
        let b = ks.generate("bob", None).unwrap();
        let a = ks.generate("alice", None).unwrap();
        assert!(!a.encrypted);
        let names: Vec<_> = ks.list().unwrap().into_iter().map(|k| k.name).collect();
        assert_eq!(names, ["alice", "bob"]);
        let info = ks.info("bob").unwrap();
        assert_eq!(info.public, b.public);
        assert_eq!(info.path, ks.keys_dir().join("bob.key"));
        let secret = ks.load("bob", None).unwrap();
        assert_eq!(secret.public(), b.public);
        assert!(!format!("{secret:?}").contains(&hex(secret.seed())));
        assert!(
            ks.generate("bob", None)
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["public"], hex(&b.public));
        let mode = fs::metadata(ks.keys_dir()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn encrypted_round_trip_and_wrong_passphrase() {
        let (_d, ks) = store();
        let info = ks.insert("enc", [7u8; 32], Some("hunter2"), false).unwrap();
        assert!(info.encrypted && ks.info("enc").unwrap().encrypted);
        assert_eq!(ks.load("enc", Some("hunter2")).unwrap().seed(), &[7u8; 32]);
        let err = ks.load("enc", Some("nope")).unwrap_err().to_string();
        assert!(err.contains("wrong passphrase for key 'enc'"), "{err}");
        let err = ks.load("enc", None).unwrap_err().to_string();
        assert!(
            err.contains("encrypted") && err.contains(PASSPHRASE_ENV),
            "{err}"
        );
        let text = fs::read_to_string(&info.path).unwrap();
        assert!(!text.contains(&hex(&[7u8; 32])));
    }

    #[test]
    fn key_file_mode_is_0600() {
        let (_d, ks) = store();
        let info = ks.generate("k", Some("pw")).unwrap();
        let mode = fs::metadata(&info.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        ks.insert("k", [1; 32], None, true).unwrap();
        let mode = fs::metadata(&info.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(ks.load("k", None).unwrap().seed(), &[1; 32]);
    }

    #[test]
    fn export_import_into_other_store() {
        let (_d1, a) = store();
        let (_d2, b) = store();
        let plain = a.generate("p", None).unwrap();
        let enc = a.generate("e", Some("pw")).unwrap();
        let seed = *a.load("p", None).unwrap().seed();
        let imported = b.import(None, &a.export("p").unwrap(), false).unwrap();
        assert_eq!(
            (imported.name.as_str(), imported.public),
            ("p", plain.public)
        );
        assert_eq!(b.load("p", None).unwrap().seed(), &seed);
        let renamed = b
            .import(Some("e2"), &a.export("e").unwrap(), false)
            .unwrap();
        assert_eq!((renamed.name.as_str(), renamed.public), ("e2", enc.public));
        assert_eq!(b.load("e2", Some("pw")).unwrap().public(), enc.public);
        assert!(b.import(None, &a.export("p").unwrap(), false).is_err());
        b.import(None, &a.export("p").unwrap(), true).unwrap();
        // Mismatched public key and bad version are rejected.
        let mut v: serde_json::Value = serde_json::from_str(&a.export("p").unwrap()).unwrap();
        v["public"] = serde_json::Value::String("00".repeat(32));
        assert!(b.import(Some("x"), &v.to_string(), false).is_err());
        v["public"] = serde_json::Value::String(hex(&plain.public));
        v["version"] = 2.into();
        assert!(b.import(Some("x"), &v.to_string(), false).is_err());
        assert!(b.import(Some("x"), "not json", false).is_err());
    }

    #[test]
    fn tampered_ciphertext_rejected() {
        let (_d, ks) = store();
        let info = ks.insert("t", [9; 32], Some("pw"), false).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&ks.export("t").unwrap()).unwrap();
        let mut ct = B64
            .decode(v["secret"]["encrypted"]["ciphertext"].as_str().unwrap())
            .unwrap();
        ct[0] ^= 1;
        v["secret"]["encrypted"]["ciphertext"] = B64.encode(ct).into();
        fs::write(&info.path, v.to_string()).unwrap();
        assert!(ks.load("t", Some("pw")).is_err());
    }

    #[test]
    fn invalid_names_rejected() {
        let (_d, ks) = store();
        for bad in ["", "a b", "../x", "x/y", "é", ".hidden", &"a".repeat(65)] {
            let err = ks.generate(bad, None).unwrap_err().to_string();
            assert!(err.contains("invalid key name"), "{bad:?}: {err}");
            assert!(ks.load(bad, None).is_err());
            assert!(ks.next_nonce(bad, 1).is_err());
        }
        ks.generate(&"A-z_9".repeat(12), None).unwrap();
        assert!(
            ks.load("missing", None)
                .unwrap_err()
                .to_string()
                .contains("no key named")
        );
    }

    #[test]
    fn nonces_strictly_increase_and_persist() {
        let (d, ks) = store();
        ks.generate("n", None).unwrap();
        assert_eq!(ks.next_nonce("n", 1000).unwrap(), 1000);
        assert_eq!(ks.next_nonce("n", 1000).unwrap(), 1001);
        assert_eq!(ks.next_nonce("n", 5).unwrap(), 1002);
        assert_eq!(ks.next_nonce("n", 2000).unwrap(), 2000);
        let reopened = KeyStore::open(d.path()).unwrap();
        assert_eq!(reopened.next_nonce("n", 0).unwrap(), 2001);
        assert!(ks.next_nonce("absent", 0).is_err());
    }

    #[test]
    fn concurrent_nonces_are_distinct() {
        let (d, ks) = store();
        ks.generate("c", None).unwrap();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let dir = d.path().to_path_buf();
                std::thread::spawn(move || {
                    let ks = KeyStore::open(dir).unwrap();
                    (0..25)
                        .map(|_| ks.next_nonce("c", 0).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let all: Vec<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let unique: HashSet<_> = all.iter().copied().collect();
        assert_eq!(unique.len(), 200);
        assert_eq!(ks.next_nonce("c", 0).unwrap(), 200);
    }

    #[test]
    fn default_dir_precedence() {
        let d = |h: Option<&str>, x: Option<&str>, home: Option<&str>| {
            default_dir_from(h.map(Into::into), x.map(Into::into), home.map(Into::into))
        };
        assert_eq!(d(Some("/h"), Some("/x"), Some("/u")), PathBuf::from("/h"));
        assert_eq!(d(None, Some("/x"), Some("/u")), PathBuf::from("/x/hearth"));
        assert_eq!(
            d(None, None, Some("/u")),
            PathBuf::from("/u/.config/hearth")
        );
    }
}
