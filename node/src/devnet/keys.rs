//! Member keys in a CLI home, in the `hearth` CLI's own format
//! (`cli/src/keystore.rs`), so that `HEARTH_HOME=<home> hearth --key NAME …`
//! acts as that member.
//!
//! ```text
//! <home>/keys/            mode 0700
//!   <name>.key            mode 0600: {"version": 1, "name", "public": hex,
//!                                     "secret": {"plain": hex seed}}
//!   <name>.nonce          the last action nonce used
//! ```
//!
//! The CLI numbers a key's actions `max(now in ms, last + 1)` from the
//! `.nonce` file, so writing the last nonce the devnet used keeps its
//! later actions strictly increasing, as the node requires.

use std::fs::{self, DirBuilder};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use hearth_protocol::crypto::hex;
use hearth_protocol::{Action, ActionBody, Hash, Keypair, SignedAction};
use serde_json::json;

use crate::runtime;

/// The key-file format version the CLI reads.
const FORMAT_VERSION: u32 = 1;

/// A member key with its nonce counter.
#[derive(Debug)]
pub struct MemberKey {
    /// Its name in the key store.
    pub name: String,
    /// The key pair.
    pub keypair: Keypair,
    /// The community it acts in.
    pub community: Hash,
    /// The last nonce used (0: none yet).
    nonce: u64,
}

impl MemberKey {
    /// A fresh random key named `name` for `community`.
    pub fn generate(name: &str, community: Hash) -> anyhow::Result<MemberKey> {
        Ok(MemberKey {
            name: name.to_string(),
            keypair: Keypair::from_seed(&random_seed()?),
            community,
            nonce: 0,
        })
    }

    /// A key made elsewhere (a simulated member's), whose last nonce was
    /// `nonce`.
    pub fn existing(name: &str, keypair: Keypair, community: Hash, nonce: u64) -> MemberKey {
        MemberKey {
            name: name.to_string(),
            keypair,
            community,
            nonce,
        }
    }

    /// Signs `body` with the next nonce, created now.
    pub fn sign(&mut self, body: ActionBody) -> SignedAction {
        let now = runtime::now();
        self.nonce = now.0.max(self.nonce + 1);
        Action {
            author: self.keypair.public(),
            community: self.community,
            nonce: self.nonce,
            created: now,
            body,
        }
        .sign(&self.keypair)
    }

    /// Writes the key file and its nonce counter into `<home>/keys`.
    pub fn save(&self, home: &Path) -> anyhow::Result<()> {
        let keys = keys_dir(home)?;
        let file = json!({
            "version": FORMAT_VERSION,
            "name": self.name,
            "public": hex(&self.keypair.public().0),
            "secret": { "plain": hex(&self.keypair.seed()) },
        });
        let text = serde_json::to_string_pretty(&file).context("cannot encode a key file")?;
        write_private(&keys.join(format!("{}.key", self.name)), &text)?;
        write_private(
            &keys.join(format!("{}.nonce", self.name)),
            &self.nonce.to_string(),
        )
    }
}

/// `<home>/keys`, created with mode 0700.
fn keys_dir(home: &Path) -> anyhow::Result<PathBuf> {
    let keys = home.join("keys");
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&keys)
        .with_context(|| format!("cannot create {}", keys.display()))?;
    fs::set_permissions(&keys, fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {}", keys.display()))?;
    Ok(keys)
}

/// Writes a new file readable by its owner only (never replacing one).
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A random ed25519 seed.
pub fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::MembershipAction;

    #[test]
    fn a_saved_key_is_private_and_names_its_public_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut key = MemberKey::generate("member1", Hash([7; 32])).unwrap();
        let first = key
            .sign(ActionBody::Membership(MembershipAction::Leave))
            .action
            .nonce;
        let second = key
            .sign(ActionBody::Membership(MembershipAction::Leave))
            .action
            .nonce;
        assert!(second > first, "nonces increase");
        key.save(dir.path()).unwrap();
        let keys = dir.path().join("keys");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&keys), 0o700);
        assert_eq!(mode(&keys.join("member1.key")), 0o600);
        let file: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(keys.join("member1.key")).unwrap()).unwrap();
        assert_eq!(file["version"], 1);
        assert_eq!(file["name"], "member1");
        assert_eq!(file["public"], hex(&key.keypair.public().0));
        assert_eq!(file["secret"]["plain"], hex(&key.keypair.seed()));
        let nonce = fs::read_to_string(keys.join("member1.nonce")).unwrap();
        assert_eq!(nonce, second.to_string());
        assert!(key.save(dir.path()).is_err(), "an existing key is kept");
    }
}
