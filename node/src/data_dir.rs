//! The node's data directory: its key, the founder invite, the database
//! and the file that reports the bound API address.
//!
//! ```text
//! hearth-data/
//!   hearth.toml      configuration
//!   node.key         the node's ed25519 seed (hex, mode 0600)
//!   founder-invite   the one-time invite that makes the first council member
//!   db/              sled: entries, heads, state, index
//!   api.addr         the address the running node's API is bound to
//! ```

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use hearth_protocol::crypto::hex;
use hearth_protocol::{Genesis, Hash, InviteCode, Keypair, Rules, Timestamp};

use crate::config::{CONFIG_FILE, TEMPLATE};
use crate::service::Service;
use crate::store::{SledStorage, Storage};

/// The paths of a data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

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

    /// Whether a community was founded here.
    pub fn is_initialised(&self) -> bool {
        self.node_key().exists() && self.db().exists()
    }

    /// Founds a community here: node key, founder invite, genesis entries.
    /// Returns its id and the open database: a node that goes on to run
    /// keeps it, since sled releases its lock only some time after the
    /// last handle is dropped, and opening it again at once can fail.
    pub fn init(
        &self,
        name: &str,
        rules: Rules,
        now: Timestamp,
    ) -> anyhow::Result<(Hash, SledStorage)> {
        if self.is_initialised() {
            bail!("{} already holds a community", self.root.display());
        }
        if name.trim().is_empty() || name.len() > hearth_protocol::community::MAX_NAME_LEN {
            bail!(
                "a community name has 1 to {} bytes",
                hearth_protocol::community::MAX_NAME_LEN
            );
        }
        rules.validate().context("invalid rules")?;
        fs::create_dir_all(&self.root)
            .with_context(|| format!("cannot create {}", self.root.display()))?;
        fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700))?;
        let node = Keypair::from_seed(&random_seed()?);
        let invite_seed = random_seed()?;
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
        // The key file is written last: its presence marks a finished init.
        write_secret(&self.node_key(), &hex(&node.seed()))?;
        if !self.root.join(CONFIG_FILE).exists() {
            fs::write(self.root.join(CONFIG_FILE), TEMPLATE)?;
        }
        Ok((id, storage))
    }

    /// Reads the node key.
    pub fn load_node_key(&self) -> anyhow::Result<Keypair> {
        let path = self.node_key();
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let seed: Hash = text
            .trim()
            .parse()
            .with_context(|| format!("{} does not hold a 32-byte hex seed", path.display()))?;
        Ok(Keypair::from_seed(&seed.0))
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
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(seed)
}

/// Writes a file readable by its owner only, durably.
pub fn write_secret(path: &Path, text: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    Ok(())
}
