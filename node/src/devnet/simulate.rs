//! `hearthd devnet --simulate SPAN`: before a new devnet's nodes first
//! start, each community's data directory is filled with SPAN of seeded
//! history by a `hearthd simulate` child (several at once), which also
//! writes the members' keys into the community's CLI home. The devnet then
//! starts the nodes on those directories and forms the network as usual,
//! with the simulated founder (`council`) acting for each community.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use hearth_protocol::{Hash, Millis, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::MemberKey;
use super::manifest::{Settings, community_dir, community_name};
use crate::simulate::Plan;
use crate::simulate::command::COUNCIL_KEY;

/// How a devnet's history was simulated (kept in `devnet.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Simulation {
    /// The span, as given (`6mo`).
    pub span: String,
    /// The seed of community c0; community `i` uses `seed + i`.
    pub seed: u64,
}

impl Simulation {
    /// The seed of community `i`.
    pub fn seed_of(&self, i: usize) -> u64 {
        self.seed.wrapping_add(i as u64)
    }
}

/// Simulates the history of every community of a new devnet in `root`
/// with the `hearthd` at `exe`; returns each community's member keys, the
/// council's first.
pub fn simulate_all(
    exe: &Path,
    root: &Path,
    settings: &Settings,
    simulation: &Simulation,
) -> anyhow::Result<Vec<Vec<MemberKey>>> {
    eprintln!(
        "Simulating {} of history in each community ({} members, seed {})…",
        simulation.span, settings.members, simulation.seed
    );
    let at_once = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut keys = Vec::with_capacity(settings.communities);
    let indices: Vec<usize> = (0..settings.communities).collect();
    for chunk in indices.chunks(at_once) {
        let children = chunk
            .iter()
            .map(|&i| spawn(exe, root, i, settings, simulation).map(|c| (i, c)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        for (i, child) in children {
            let name = community_name(i);
            let out = child
                .wait_with_output()
                .with_context(|| format!("cannot wait for the simulation of {name}"))?;
            if !out.status.success() {
                bail!("the simulation of {name} failed ({})", out.status);
            }
            keys.push(
                parse(&out.stdout, simulation.seed_of(i), settings.members)
                    .with_context(|| format!("the simulation of {name} answered nonsense"))?,
            );
        }
    }
    Ok(keys)
}

/// Starts `hearthd simulate` for community `i`.
fn spawn(
    exe: &Path,
    root: &Path,
    i: usize,
    settings: &Settings,
    simulation: &Simulation,
) -> anyhow::Result<std::process::Child> {
    let dir = community_dir(root, i);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut command = Command::new(exe);
    command
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("simulate")
        .arg(&simulation.span)
        .args(["--members", &settings.members.to_string()])
        .args(["--seed", &simulation.seed_of(i).to_string()])
        .args(["--name", &community_name(i)])
        .arg("--keys")
        .arg(dir.join("home"))
        .arg("--json")
        .env("NO_COLOR", "1")
        .env_remove("HEARTH_DATA_DIR");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", exe.display()))
}

/// The member keys a `hearthd simulate --json` reported: the key pairs
/// are the plan's (from the seed), the names and dids as reported.
fn parse(stdout: &[u8], seed: u64, members: usize) -> anyhow::Result<Vec<MemberKey>> {
    let answer: Value = serde_json::from_slice(stdout).context("not JSON")?;
    let community: Hash = answer["community"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("no community id")?;
    // Only the keys matter here, never the plan's times.
    let plan = Plan::new(seed, members, Millis::days(30), Timestamp(0));
    let mut keys = Vec::new();
    for key in answer["keys"].as_array().context("no keys")? {
        let name = key["name"].as_str().context("a key without a name")?;
        let index = match name {
            COUNCIL_KEY => 0,
            other => other
                .strip_prefix("member")
                .and_then(|i| i.parse().ok())
                .with_context(|| format!("an unknown key name {name:?}"))?,
        };
        let keypair = plan.member_key(index);
        if Some(keypair.public().to_did().as_str()) != key["did"].as_str() {
            bail!("the key {name} is not the plan's");
        }
        keys.push(MemberKey::existing(name, keypair, community, 0));
    }
    if keys.first().is_none_or(|k| k.name != COUNCIL_KEY) {
        bail!("the founder's key is missing");
    }
    Ok(keys)
}
