//! The node's data directory: its key, the founder invite, the database
//! and the file that reports the bound API address.
//!
//! ```text
//! hearth-data/
//!   hearth.toml      configuration
//!   node.key         the node's ed25519 seed (hex, or a sealed key file), mode 0600
//!   founder-invite   the one-time invite that makes the first council member
//!   db/              sled: entries, heads, state, index
//!   api.addr         the address the running node's API is bound to
//!   founding         only while a community is being founded here
//! ```
//!
//! Founding is atomic. The `founding` marker is written (durably) before
//! anything else and removed after everything else, the node key last of
//! all; a directory that still holds the marker is an unfinished founding
//! (the process died half-way), whose files are discarded and made again
//! on the next start. Nothing is ever removed from a directory without the
//! marker, and a directory that holds part of a community but no marker
//! is refused rather than guessed at.

mod node_key;

use std::fs;
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use hearth_protocol::{Genesis, Hash, InviteCode, Keypair, Rules, Timestamp};

use crate::config::{CONFIG_FILE, TEMPLATE};
use crate::service::Service;
use crate::store::{SledStorage, Storage};

pub use node_key::{KeyLocked, NODE_KEY_PASSPHRASE_ENV, Passphrase, read_passphrase};

/// The paths of a data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

/// What a data directory holds, as far as founding is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Nothing of a community: founding starts here.
    Empty,
    /// A founding that did not finish: founding discards it and starts again.
    Unfinished,
    /// A founded community.
    Founded,
    /// Part of a community without the founding marker (not made by an
    /// interrupted founding of this version): left alone.
    Incomplete {
        /// Which of the community's files are there.
        present: Vec<&'static str>,
        /// Which are missing.
        missing: Vec<&'static str>,
    },
}

/// What founding a community made.
#[derive(Debug)]
pub struct Founded {
    /// The community's id.
    pub id: Hash,
    /// The node key.
    pub node: Keypair,
    /// The open database. A node that goes on to run keeps it: sled
    /// releases its lock only some time after the last handle is dropped,
    /// and opening it again at once can fail.
    pub storage: SledStorage,
}

/// The names founding writes into the data directory (besides the marker
/// and `hearth.toml`, which is kept if it was there), temporary files
/// included: what is discarded when an unfinished founding is redone.
const FOUNDING_FILES: [&str; 6] = [
    "db",
    "founder-invite",
    "founder-invite.tmp",
    "hearth.toml.tmp",
    "node.key",
    "node.key.tmp",
];

impl DataDir {
    /// The data directory at `root` (not created yet).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// Its root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sled database.
    pub fn db(&self) -> PathBuf {
        self.root.join("db")
    }

    /// The node key file.
    pub fn node_key(&self) -> PathBuf {
        self.root.join("node.key")
    }

    /// The founder invite file.
    pub fn founder_invite(&self) -> PathBuf {
        self.root.join("founder-invite")
    }

    /// The file the running node writes its API address to.
    pub fn api_addr(&self) -> PathBuf {
        self.root.join("api.addr")
    }

    /// The marker of a founding in progress.
    pub fn founding_marker(&self) -> PathBuf {
        self.root.join("founding")
    }

    /// What the directory holds.
    pub fn state(&self) -> anyhow::Result<State> {
        let exists = |path: &Path| {
            path.try_exists()
                .with_context(|| format!("cannot look at {}", path.display()))
        };
        if exists(&self.founding_marker())? {
            return Ok(State::Unfinished);
        }
        let parts = [
            ("node.key", self.node_key()),
            ("db", self.db()),
            ("founder-invite", self.founder_invite()),
        ];
        let mut present = Vec::new();
        let mut missing = Vec::new();
        for (name, path) in &parts {
            if exists(path)? {
                present.push(*name);
            } else {
                missing.push(*name);
            }
        }
        // The founder invite is the operator's to delete once claimed.
        Ok(match (present.as_slice(), missing.as_slice()) {
            ([], _) => State::Empty,
            (_, [] | ["founder-invite"]) => State::Founded,
            _ => State::Incomplete { present, missing },
        })
    }

    /// Whether a community was founded here (and its founding finished).
    pub fn is_initialised(&self) -> bool {
        matches!(self.state(), Ok(State::Founded))
    }

    /// Founds a community here: node key (sealed with `passphrase` if one
    /// is given), founder invite, genesis entries. A founding left
    /// unfinished by a crash is discarded first; a directory that holds a
    /// community, or part of one without the founding marker, is refused.
    pub fn init(
        &self,
        name: &str,
        rules: Rules,
        now: Timestamp,
        passphrase: Option<&str>,
    ) -> anyhow::Result<Founded> {
        self.init_with_seeds(name, rules, now, passphrase, random_seed()?, random_seed()?)
    }

    /// [`DataDir::init`] with the node key's and the founder invite's
    /// seeds given: a simulated community that must be the same on every
    /// run (never a real one, whose keys must be secret).
    pub fn init_with_seeds(
        &self,
        name: &str,
        rules: Rules,
        now: Timestamp,
        passphrase: Option<&str>,
        node_seed: [u8; 32],
        invite_seed: [u8; 32],
    ) -> anyhow::Result<Founded> {
        if name.trim().is_empty() || name.len() > hearth_protocol::community::MAX_NAME_LEN {
            bail!(
                "a community name has 1 to {} bytes",
                hearth_protocol::community::MAX_NAME_LEN
            );
        }
        rules.validate().context("invalid rules")?;
        match self.state()? {
            State::Empty => {}
            State::Unfinished => self.discard_unfinished()?,
            State::Founded => bail!("{} already holds a community", self.root.display()),
            State::Incomplete { present, missing } => bail!(
                "{} holds part of a community ({}) but not {}, and no sign of a founding \
                 in progress: it is left as it is (restore what is missing, or move the \
                 directory away to found a new community)",
                self.root.display(),
                present.join(", "),
                missing.join(", ")
            ),
        }
        fs::create_dir_all(&self.root)
            .with_context(|| format!("cannot create {}", self.root.display()))?;
        fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700))?;
        write_durably(&self.founding_marker(), b"", 0o600)?;

        let node = Keypair::from_seed(&node_seed);
        let genesis = Genesis {
            name: name.trim().to_string(),
            node: node.public(),
            founders: Vec::new(),
            founder_invites: vec![Keypair::from_seed(&invite_seed).public()],
            rules,
            region: None,
            created: now,
        };
        let id = genesis.id();
        let storage = SledStorage::open(&self.db()).context("cannot open the database")?;
        Service::create(storage.clone(), node.clone(), genesis)
            .context("cannot found the community")?;
        storage.flush().context("cannot flush the database")?;
        write_secret(
            &self.founder_invite(),
            &InviteCode {
                community: id,
                seed: invite_seed,
            }
            .to_string(),
        )?;
        if !self.root.join(CONFIG_FILE).exists() {
            write_durably(&self.root.join(CONFIG_FILE), TEMPLATE.as_bytes(), 0o644)?;
        }
        node_key::write(&self.node_key(), &node, passphrase)?;
        remove_durably(&self.founding_marker())?;
        Ok(Founded { id, node, storage })
    }

    /// Removes what an unfinished founding wrote (never `hearth.toml`,
    /// which may be the operator's).
    fn discard_unfinished(&self) -> anyhow::Result<()> {
        tracing::warn!(
            dir = %self.root.display(),
            "a founding was interrupted here: discarding what it wrote and founding again"
        );
        for name in FOUNDING_FILES {
            let path = self.root.join(name);
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            match removed {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
            }
        }
        sync_dir(&self.root)
    }

    /// Reads the node key, opening it with `passphrase` if it is sealed.
    /// A sealed key without a passphrase, or with a wrong one, is a
    /// [`KeyLocked`] error.
    pub fn load_node_key(&self, passphrase: Option<&str>) -> anyhow::Result<Keypair> {
        node_key::read(&self.node_key(), passphrase)
    }

    /// Whether the node key is sealed with a passphrase.
    pub fn node_key_is_encrypted(&self) -> anyhow::Result<bool> {
        node_key::is_sealed(&self.node_key())
    }

    /// Seals a node key kept in the clear with `passphrase`.
    pub fn encrypt_node_key(&self, passphrase: &str) -> anyhow::Result<()> {
        if !self.is_initialised() {
            bail!("{} holds no community", self.root.display());
        }
        let path = self.node_key();
        if node_key::is_sealed(&path)? {
            bail!("{} is already encrypted", path.display());
        }
        let node = node_key::read(&path, None)?;
        node_key::write(&path, &node, Some(passphrase))
    }

    /// The founder invite, if its file is still there.
    pub fn load_founder_invite(&self) -> Option<InviteCode> {
        InviteCode::parse(&fs::read_to_string(self.founder_invite()).ok()?)
    }

    /// Opens the database (one process at a time).
    pub fn open_storage(&self) -> anyhow::Result<SledStorage> {
        SledStorage::open(&self.db()).with_context(|| {
            format!(
                "cannot open the database in {} (is another hearthd using this data directory?)",
                self.root.display()
            )
        })
    }
}

fn random_seed() -> anyhow::Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    fill_random(&mut seed)?;
    Ok(seed)
}

fn fill_random(buf: &mut [u8]) -> anyhow::Result<()> {
    getrandom::fill(buf).map_err(|e| anyhow::anyhow!("no randomness: {e}"))
}

/// Writes a file readable by its owner only, durably, followed by a newline.
pub fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    let written = write_durably(path, &bytes, 0o600);
    zeroize::Zeroize::zeroize(&mut bytes);
    written
}

/// Writes `bytes` to `path` whole or not at all: into `<path>.tmp` (with
/// `mode`), synced, renamed into place, and the directory synced.
fn write_durably(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    sync_parent(path)
}

/// Removes a file and syncs its directory.
fn remove_durably(path: &Path) -> anyhow::Result<()> {
    fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    sync_parent(path)
}

fn sync_parent(path: &Path) -> anyhow::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => sync_dir(dir),
        _ => sync_dir(Path::new(".")),
    }
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync directory {}", dir.display()))
}

#[cfg(test)]
mod tests;
