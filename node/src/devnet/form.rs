//! Forming the devnet's federation through the nodes' API, as people
//! would: each community's first member claims its node's founder invite
//! (and so sits on its council) and invites the others; every council has
//! its node sign the network genesis, then records the signed genesis on
//! its node.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::federation::{
    Founding, NetworkGenesis, NetworkSignature, RegionSpec, SignedNetwork,
};
use hearth_protocol::{
    ActionBody, Canonical, Hash, InviteCode, Keypair, MembershipAction, Millis, PublicKey,
    Timestamp,
};
use serde_json::{Value, json};

use super::http::Http;
use super::keys::{self, MemberKey};
use super::manifest::{self, Manifest, Settings};
use super::nodes::{Node, Nodes};
use crate::data_dir::DataDir;
use crate::runtime;

/// The name of every devnet's network.
pub const NETWORK_NAME: &str = "Hearth Devnet";

/// The name of the council member's key.
pub const COUNCIL_KEY: &str = "council";

/// How long every node may take to hold every community's public log.
pub const CONVERGE_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the invites the councils issue to the other members live.
const INVITE_TTL: Millis = Millis::hours(1);

/// How often the convergence wait polls.
const POLL: Duration = Duration::from_millis(200);

/// Creates the members of every community (unless a simulation made them:
/// `simulated` holds their keys, already saved) and forms the network;
/// returns what was formed.
pub fn form(
    settings: &Settings,
    nodes: &Nodes,
    simulated: Option<Vec<Vec<MemberKey>>>,
) -> anyhow::Result<Manifest> {
    let http = Http::new();
    let members: Vec<Vec<MemberKey>> = match simulated {
        Some(members) => members,
        None => {
            eprintln!("Creating {} members per community…", settings.members);
            nodes
                .iter()
                .map(|node| {
                    let keys = members(&http, node, settings.members)
                        .with_context(|| format!("cannot create the members of {}", node.name))?;
                    for key in &keys {
                        key.save(&node.home())?;
                    }
                    Ok(keys)
                })
                .collect::<anyhow::Result<_>>()?
        }
    };
    let ids: Vec<Hash> = members.iter().map(|keys| keys[0].community).collect();

    eprintln!("Forming the network…");
    let genesis = genesis(&http, nodes, &ids, settings)?;
    let mut network = SignedNetwork {
        genesis: genesis.clone(),
        signatures: Vec::new(),
    };
    let draft = json!({ "genesis": B64.encode(genesis.to_bytes()) });
    for (node, keys) in nodes.iter().zip(&members) {
        let answer = http
            .signed_post(&node.url, &keys[0].keypair, "/v1/network/sign", &draft, 200)
            .with_context(|| format!("node {} did not sign the network", node.name))?;
        let signature = answer["signature"]
            .as_str()
            .and_then(|s| B64.decode(s).ok())
            .and_then(|bytes| NetworkSignature::from_bytes(&bytes).ok())
            .with_context(|| format!("node {} answered no signature: {answer}", node.name))?;
        network.add(signature);
    }
    let signed = json!({ "network": B64.encode(network.to_bytes()) });
    for (node, keys) in nodes.iter().zip(&members) {
        http.signed_post(&node.url, &keys[0].keypair, "/v1/network", &signed, 201)
            .with_context(|| format!("node {} did not record the network", node.name))?;
    }

    let region_of = |id: &Hash| {
        genesis
            .regions
            .iter()
            .find(|r| r.communities.contains(id))
            .map(|r| r.name.clone())
    };
    let communities = nodes
        .iter()
        .zip(&members)
        .map(|(node, keys)| manifest::Community {
            name: node.name.clone(),
            id: keys[0].community,
            region: region_of(&keys[0].community),
            keys: keys
                .iter()
                .map(|k| manifest::Key {
                    name: k.name.clone(),
                    did: k.keypair.public().to_did(),
                })
                .collect(),
        })
        .collect();
    Ok(Manifest {
        settings: settings.clone(),
        network_name: genesis.name.clone(),
        network: genesis.id(),
        regions: genesis.regions.iter().map(|r| r.name.clone()).collect(),
        communities,
    })
}

/// Creates `count` members of `node`'s community: the first claims the
/// founder invite, the others join with invites the first issues.
fn members(http: &Http, node: &Node, count: usize) -> anyhow::Result<Vec<MemberKey>> {
    let invite = DataDir::new(node.data_dir())
        .load_founder_invite()
        .context("the node's founder invite is missing")?;
    let community = invite.community;
    let mut council = MemberKey::generate(COUNCIL_KEY, community)?;
    let join = council.sign(invite.join_body(&council.keypair.public()));
    http.submit(&node.url, &join)
        .context("cannot claim the founder invite")?;
    let mut keys = Vec::with_capacity(count);
    for j in 1..count {
        let invite = Keypair::from_seed(&keys::random_seed()?);
        let issue = council.sign(ActionBody::Membership(MembershipAction::IssueInvite {
            key: invite.public(),
            expires: runtime::now().plus(INVITE_TTL),
        }));
        http.submit(&node.url, &issue)
            .context("the council cannot issue an invite")?;
        let code = InviteCode {
            community,
            seed: invite.seed(),
        };
        let mut member = MemberKey::generate(&format!("member{j}"), community)?;
        let join = member.sign(code.join_body(&member.keypair.public()));
        http.submit(&node.url, &join)
            .with_context(|| format!("member{j} cannot join"))?;
        keys.push(member);
    }
    keys.insert(0, council);
    Ok(keys)
}

/// The network genesis: the communities (by id) with their node keys as
/// their nodes report them, `settings.regions` regions filled round-robin
/// in the order of the nodes, and the devnet's rules.
fn genesis(
    http: &Http,
    nodes: &Nodes,
    ids: &[Hash],
    settings: &Settings,
) -> anyhow::Result<NetworkGenesis> {
    let mut communities = Vec::new();
    for (node, id) in nodes.iter().zip(ids) {
        let info = http.get(&node.url, "/v1/node")?;
        let reported: Option<Hash> = info["community"].as_str().and_then(|s| s.parse().ok());
        if reported != Some(*id) {
            bail!(
                "node {} serves community {}, not {id} of its founder invite",
                node.name,
                info["community"]
            );
        }
        let key = info["node_key"]
            .as_str()
            .and_then(|did| PublicKey::from_did(did).ok())
            .with_context(|| format!("node {} reports no node key: {info}", node.name))?;
        communities.push(Founding {
            id: *id,
            node: key,
            name: info["name"].as_str().unwrap_or(&node.name).to_string(),
        });
    }
    communities.sort_by_key(|f| f.id);
    let mut regions: Vec<RegionSpec> = (0..settings.regions)
        .map(|r| {
            let mut members: Vec<Hash> = ids
                .iter()
                .enumerate()
                .filter(|(i, _)| i % settings.regions == r)
                .map(|(_, id)| *id)
                .collect();
            members.sort();
            RegionSpec {
                name: format!("region-{}", r + 1),
                communities: members,
            }
        })
        .collect();
    regions.sort_by(|a, b| a.name.cmp(&b.name));
    let genesis = NetworkGenesis {
        name: NETWORK_NAME.into(),
        communities,
        regions,
        rules: settings.rules(),
        created: Timestamp(runtime::now().0),
    };
    genesis
        .validate()
        .context("the devnet's network genesis is invalid")?;
    Ok(genesis)
}

/// Waits until every node holds a head of every community's public log.
pub fn converge(nodes: &Nodes, communities: usize) -> anyhow::Result<()> {
    let http = Http::new();
    let deadline = Instant::now() + CONVERGE_TIMEOUT;
    let holds_all = |node: &Node| -> bool {
        http.get(&node.url, "/v1/federation")
            .is_ok_and(|fed: Value| {
                fed["communities"].as_array().is_some_and(|c| {
                    c.iter().filter(|c| !c["head"].is_null()).count() >= communities
                })
            })
    };
    eprintln!("Waiting for every node to hold every community's public log…");
    loop {
        let behind: Vec<&str> = nodes
            .iter()
            .filter(|n| !holds_all(n))
            .map(|n| n.name.as_str())
            .collect();
        if behind.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "within {CONVERGE_TIMEOUT:?}, nodes {} still lack some communities' public logs \
                 (see their node.log)",
                behind.join(", ")
            );
        }
        thread::sleep(POLL);
    }
}

/// Points each community's CLI home at its node (`node = …` in its
/// `config.toml`): the API port changes on every start.
pub fn point_homes(nodes: &Nodes) -> anyhow::Result<()> {
    nodes.iter().try_for_each(point_home)
}

/// Points one community's CLI home at its node.
pub fn point_home(node: &Node) -> anyhow::Result<()> {
    let home = node.home();
    std::fs::create_dir_all(&home).with_context(|| format!("cannot create {}", home.display()))?;
    let path = home.join("config.toml");
    let tmp = home.join("config.toml.tmp");
    let text = format!(
        "# Written by `hearthd devnet` on every start: the node's API port changes.\n\
         node = \"{}\"\n",
        node.url
    );
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .with_context(|| format!("cannot write {}", path.display()))
}
