//! The node's JSON answers, as far as the CLI reads them for human output.
//!
//! Unknown fields are ignored so a newer node still works with this CLI;
//! `--json` output passes the node's JSON through untouched instead.

use anyhow::Result;
use hearth_protocol::Hash;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Code, fail};

/// Decodes one of the types below from a JSON value the node sent.
pub fn decode<T: DeserializeOwned>(value: Value, what: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| {
        fail(
            Code::NodeError,
            format!("the node sent a malformed {what}: {e}"),
        )
    })
}

/// The answer to a submitted action (`POST /v1/actions`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Submitted {
    /// The action id (hex).
    pub id: String,
    /// The log it was recorded in: `"public"` or `"local"`.
    pub log: String,
    /// The seq of the entry holding it.
    pub seq: u64,
}

/// The last entry of a log (`{"seq", "hash", "time"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HeadInfo {
    /// Its seq.
    pub seq: u64,
    /// Its id (hex).
    pub hash: String,
    /// When it was sealed (ms).
    pub time: u64,
}

/// The heads of a community's two logs (`GET /v1/logs/heads`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Heads {
    /// The public log's head.
    pub public: Option<HeadInfo>,
    /// The local log's head.
    pub local: Option<HeadInfo>,
}

/// The community a node serves (`GET /v1/community`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Community {
    /// The community id.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// The node's did.
    pub node: String,
    /// When it was created (ms).
    #[serde(default)]
    pub created: u64,
    /// Active members.
    #[serde(default)]
    pub members: u64,
    /// Council members.
    #[serde(default)]
    pub council: u64,
}

/// One member of the roster.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MemberInfo {
    /// Their did.
    pub did: String,
    /// When they (last) joined (ms).
    pub joined: u64,
    /// `"active"`, `"left"` or `"removed"`.
    pub status: String,
    /// Whether they sit on the council.
    #[serde(default)]
    pub council: bool,
    /// Who invited them.
    #[serde(default)]
    pub invited_by: Option<String>,
    /// The name they set for themselves.
    #[serde(default)]
    pub name: Option<String>,
}

/// The roster (`GET /v1/members`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Members {
    /// Every member, active or not.
    pub members: Vec<MemberInfo>,
}

/// A member's account (`GET /v1/accounts/{did}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountInfo {
    /// The member's did.
    pub account: String,
    /// Balance in milli-KC.
    pub balance: i64,
    /// How far below zero the balance may go, in milli-KC.
    pub credit_limit: i64,
}

/// One log entry as the node serves it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EntryInfo {
    /// Its seq.
    pub seq: u64,
    /// When it was sealed (ms).
    pub time: u64,
    /// `{"type": "genesis" | "actions", "value": …}`.
    pub body: Value,
}

/// A page of a log (`GET /v1/logs/{log}/entries`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LogPage {
    /// The entries, in seq order.
    pub entries: Vec<EntryInfo>,
    /// Where the next page starts, if there is one.
    #[serde(default)]
    pub next: Option<u64>,
}

/// What a node is doing (`GET /v1/node/status`): its p2p layer and
/// peers, the networks and logs it holds, how far it has synced, and the
/// votes not yet final. Fields a node leaves out read as empty.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct NodeStatus {
    /// The node's libp2p peer id.
    pub peer_id: String,
    /// Its community's id (hex).
    pub community: String,
    /// Its community's name.
    pub community_name: String,
    /// The `hearthd` version.
    pub version: String,
    /// The p2p layer.
    pub p2p: P2pStatus,
    /// The peers connected now.
    pub peers: Vec<PeerStatus>,
    /// The networks the community belongs to.
    pub networks: Vec<NetworkStatus>,
    /// The public logs the node holds, its own first.
    pub heads: Vec<HeadStatus>,
    /// Whether the node is catching up.
    pub sync: SyncStatus,
    /// Votes that are not final yet.
    pub pending_votes: Vec<PendingVote>,
}

/// The node's p2p layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct P2pStatus {
    /// Whether it runs (`hearthd run --no-p2p` turns it off).
    pub enabled: bool,
    /// The multiaddrs it listens on.
    pub listen: Vec<String>,
    /// Whether it looks for peers on the LAN.
    pub mdns: bool,
}

/// A connected peer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PeerStatus {
    /// Its peer id.
    pub peer_id: String,
    /// Its address, as connected.
    pub address: String,
    /// Its community (hex), once it said.
    pub community: Option<String>,
}

/// A network the community belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NetworkStatus {
    /// The network id (hex).
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many communities it has.
    pub communities: u64,
}

/// One public log the node holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct HeadStatus {
    /// The community (hex).
    pub community: String,
    /// Its name.
    pub name: String,
    /// The last seq the node holds.
    pub seq: u64,
    /// The highest seq it has heard of.
    pub seen: u64,
}

/// Whether the node is catching up on logs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SyncStatus {
    /// Whether it is fetching entries it knows it lacks.
    pub catching_up: bool,
    /// How many entries it lacks in all.
    pub behind: u64,
}

/// A vote that is not final yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PendingVote {
    /// The proposal id (hex).
    pub id: String,
    /// `local`, `regional` or `network`.
    pub level: String,
    /// Its title.
    pub title: String,
    /// When its vote closes (ms).
    pub closes_at: u64,
    /// `open`, `grace` (closed, waiting for witnesses) or `finality`
    /// (waiting for every community to pass the close).
    pub state: String,
}
