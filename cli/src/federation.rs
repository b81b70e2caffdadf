//! The federation as the CLI sees it: a node's identity (`GET /v1/node`),
//! the network it belongs to (`GET /v1/federation`), the network draft
//! file founders pass around ([`draft`]) and regional and network
//! proposals (`GET /v1/federation/proposals`, [`proposal`]).
//!
//! Unknown fields are ignored so a newer node still works with this CLI.

pub mod draft;
pub mod proposal;

use anyhow::{Context as _, Result};
use hearth_protocol::federation::FederationRules;
use hearth_protocol::{Hash, PublicKey};
use serde::Deserialize;
use serde_json::Value;

use crate::api::{self, HeadInfo};
use crate::client::Client;
use crate::output::printable;

/// A peer of a node.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PeerInfo {
    /// Its libp2p peer id.
    pub peer_id: String,
    /// Addresses it is known at.
    #[serde(default)]
    pub addrs: Vec<String>,
    /// The node's score of it.
    #[serde(default)]
    pub score: f64,
}

/// Who a node is (`GET /v1/node`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NodeInfo {
    /// The community it serves.
    pub community: Hash,
    /// The community's name.
    pub name: String,
    /// The node's key (a did:key), which signs its logs.
    pub node_key: PublicKey,
    /// Its libp2p peer id.
    #[serde(default)]
    pub peer_id: String,
    /// The multiaddrs it listens on.
    #[serde(default)]
    pub listen: Vec<String>,
    /// Its peers.
    #[serde(default)]
    pub peers: Vec<PeerInfo>,
    /// The networks its community belongs to.
    #[serde(default)]
    pub networks: Vec<Hash>,
}

/// `GET /v1/node` of `client`'s node.
pub fn node_info(client: &Client) -> Result<NodeInfo> {
    let value = client
        .get("/v1/node")
        .with_context(|| format!("cannot learn which community {} serves", client.base()))?;
    api::decode(value, "node description")
}

/// A region of the network.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RegionInfo {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: Hash,
    /// Its communities.
    #[serde(default)]
    pub communities: Vec<Hash>,
}

/// The network a node belongs to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NetworkInfo {
    /// The network id.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// Its regions.
    #[serde(default)]
    pub regions: Vec<RegionInfo>,
    /// The rules of its levels (as `FederationRules` serialises).
    #[serde(default)]
    pub rules: Value,
}

impl NetworkInfo {
    /// The rules of the network's levels.
    pub fn rules(&self) -> Result<FederationRules> {
        serde_json::from_value(self.rules.clone())
            .context("the node sent the network's rules in a form this hearth does not know")
    }
}

/// A community of the network, as the node knows its public log.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MemberCommunity {
    /// The community id.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// Its node's did.
    pub node: String,
    /// The head of its public log as this node holds it.
    #[serde(default)]
    pub head: Option<HeadInfo>,
    /// Frozen at this seq by an equivocation proof.
    #[serde(default)]
    pub frozen_at: Option<u64>,
    /// Its region's name.
    #[serde(default)]
    pub region: Option<String>,
}

/// The federation as a node sees it (`GET /v1/federation`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FederationInfo {
    /// The network, if the node's community belongs to one.
    pub network: Option<NetworkInfo>,
    /// The communities whose public logs it holds.
    #[serde(default)]
    pub communities: Vec<MemberCommunity>,
}

impl FederationInfo {
    /// `GET /v1/federation`, as the node's JSON and decoded.
    pub fn fetch(client: &Client) -> Result<(Value, FederationInfo)> {
        let value = client.get("/v1/federation")?;
        let info = api::decode(value.clone(), "federation")?;
        Ok((value, info))
    }

    /// The network's regions (none outside a network).
    pub fn regions(&self) -> Vec<RegionInfo> {
        self.network
            .as_ref()
            .map(|n| n.regions.clone())
            .unwrap_or_default()
    }

    /// The rules of the network's levels.
    pub fn rules(&self) -> Result<FederationRules> {
        match &self.network {
            Some(network) => network.rules(),
            None => anyhow::bail!(
                "the node's community belongs to no network (see `hearth network --help`)"
            ),
        }
    }

    /// A community's name for people, else the start of its id.
    pub fn community_name(&self, id: &Hash) -> String {
        match self.communities.iter().find(|c| c.id == *id) {
            Some(c) => format!(
                "{} ({})",
                printable(&c.name),
                crate::governance::short_id(id)
            ),
            None => crate::governance::short_id(id),
        }
    }
}
