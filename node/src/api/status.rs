//! `GET /v1/node/status`: what an operator checks first — the node's p2p
//! layer, its peers, the networks its community belongs to, how far each
//! public log is held against what peers have, and the votes not yet
//! final. Public and cheap: the node task answers from its state in
//! memory, and the API reads one genesis entry per log for its name.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use hearth_protocol::EntryBody;
use hearth_protocol::crypto::Hash;
use serde_json::{Value, json};

use super::{Api, ApiError, Node};
use crate::store::FedRead;

/// The name a community gave itself in the genesis of its public log.
fn name_of<S: FedRead>(storage: &S, community: &Hash) -> Option<String> {
    match storage.fed_entry(community, 0).ok()??.entry.body {
        EntryBody::Genesis(genesis) => Some(genesis.name),
        _ => None,
    }
}

/// `GET /v1/node/status`.
pub async fn status<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let record = super::community_record(storage)?;
    let (info, fed) = api.node.status().await?;
    let behind = fed.behind();
    let heads: Vec<Value> = fed
        .heads
        .iter()
        .map(|h| {
            let name = if h.community == record.id {
                Some(record.genesis.name.clone())
            } else {
                name_of(storage, &h.community)
            };
            json!({
                "community": h.community,
                "name": name,
                "seq": h.seq,
                "seen": h.seen,
            })
        })
        .collect();
    let peers: Vec<Value> = info
        .peers
        .iter()
        .map(|p| {
            json!({
                "peer_id": p.peer_id,
                "address": p.addrs.first(),
                "community": p.community,
            })
        })
        .collect();
    Ok(Json(json!({
        "peer_id": info.peer_id,
        "community": record.id,
        "community_name": record.genesis.name,
        "version": env!("CARGO_PKG_VERSION"),
        "p2p": {
            "enabled": info.enabled,
            "listen": info.listen,
            "mdns": info.mdns,
        },
        "peers": peers,
        "networks": fed.networks,
        "heads": heads,
        "sync": {
            "catching_up": behind > 0,
            "behind": behind,
        },
        "pending_votes": fed.pending_votes,
    })))
}

#[cfg(test)]
mod tests;
