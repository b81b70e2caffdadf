//! `devnet.json`: what a devnet was formed with, written once the network
//! is recorded on every node, so that a second start restarts the same
//! federation instead of forming another one.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use hearth_protocol::Hash;
use serde::{Deserialize, Serialize};

/// The file in the devnet's directory.
pub const FILE: &str = "devnet.json";

/// The shape and rules of a devnet, from its flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Communities, one node each.
    pub communities: usize,
    /// Regions (communities spread round-robin).
    pub regions: usize,
    /// Members per community, the council member included.
    pub members: usize,
    /// Seconds a network or regional vote lasts.
    pub voting: u64,
    /// Seconds of grace after a vote closes.
    pub grace: u64,
    /// Witnesses a ballot needs.
    pub witnesses: u32,
    /// The history simulated before the nodes first started, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulate: Option<super::simulate::Simulation>,
}

/// A key the devnet created in a community's CLI home.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Key {
    /// Its name in the key store (`--key NAME`).
    pub name: String,
    /// The member's `did:key`.
    pub did: String,
}

/// A community of the devnet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Community {
    /// Its name, also the name of its directory (`c0`, `c1`, …).
    pub name: String,
    /// Its id.
    pub id: Hash,
    /// Its region, if any.
    pub region: Option<String>,
    /// Its members' keys, the council member's first.
    pub keys: Vec<Key>,
}

/// What a devnet was formed with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The flags it was formed with.
    pub settings: Settings,
    /// The network's name.
    pub network_name: String,
    /// The network's id.
    pub network: Hash,
    /// The regions' names, in order.
    pub regions: Vec<String>,
    /// The communities, in the order of their directories.
    pub communities: Vec<Community>,
}

impl Manifest {
    /// Writes `devnet.json` into `root`.
    pub fn save(&self, root: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self).context("cannot encode devnet.json")?;
        let path = root.join(FILE);
        let tmp = root.join(format!("{FILE}.tmp"));
        std::fs::write(&tmp, text + "\n")
            .and_then(|()| std::fs::rename(&tmp, &path))
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The directory of community `i` inside the devnet.
pub fn community_dir(root: &Path, i: usize) -> PathBuf {
    root.join(community_name(i))
}

/// The name of community `i` (and of its directory).
pub fn community_name(i: usize) -> String {
    format!("c{i}")
}

/// What is in `dir`: nothing (a new devnet can be formed there), or a
/// formed devnet. Anything else is refused.
pub fn inspect(dir: &Path) -> anyhow::Result<Option<Manifest>> {
    let mut entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if entries.next().is_none() {
                return Ok(None);
            }
            bail!(
                "{} is not empty but holds no formed devnet (no {FILE}; was its formation interrupted?): \
                 remove it, or choose another --dir",
                dir.display()
            );
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a devnet description", path.display()))?;
    if manifest.communities.len() != manifest.settings.communities {
        bail!(
            "{} lists {} communities, not {}",
            path.display(),
            manifest.communities.len(),
            manifest.settings.communities
        );
    }
    for i in 0..manifest.communities.len() {
        let key = community_dir(dir, i).join("data").join("node.key");
        if !key.exists() {
            bail!(
                "the devnet in {} has lost community c{i} ({} is missing): remove the directory and start afresh",
                dir.display(),
                key.display()
            );
        }
    }
    Ok(Some(manifest))
}
