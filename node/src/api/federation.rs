//! The federation in the API: the node's p2p identity and peers, founding
//! a network (signing drafts, recording the signed genesis), the
//! federation's communities and logs, regional and network proposals with
//! their cross-community tallies and certification, the export that
//! `hearth audit` verifies, entries pushed over HTTP, and — only with
//! `--test-controls` — the controls the end-to-end tests use.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::Canonical;
use hearth_protocol::crypto::Hash;
use hearth_protocol::federation::tally::Tallier;
use hearth_protocol::federation::{FederationView, Gossip, NetworkGenesis, SignedNetwork};
use hearth_protocol::governance::Level;
use hearth_protocol::state::council;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, ApiError, Node, authorize_body};
use crate::runtime::{self, Control};
use crate::service::federation::SharedView;
use crate::store::FedRead;

fn bad(code: &'static str, message: impl ToString) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn b64<T: Canonical>(text: &str, what: &str) -> Result<T, ApiError> {
    let bytes = B64
        .decode(text.as_bytes())
        .map_err(|e| bad("bad_base64", format!("{what}: {e}")))?;
    T::from_bytes(&bytes).map_err(|e| bad(e.code(), format!("{what}: {e}")))
}

/// Checks a council-signed request (the signature covers the body).
fn council<N: Node>(
    api: &Api<N>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let key = authorize_body(api, method, uri, headers, body)?;
    let storage = api.node.storage();
    council::council_member(
        storage,
        &key,
        runtime::now(),
        "act for the community's node",
    )
    .map(|_| ())
    .map_err(|e| match e {
        hearth_protocol::state::ApplyError::Rejected(r) => {
            ApiError::new(StatusCode::FORBIDDEN, r.code(), r)
        }
        other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", other),
    })
}

/// `GET /v1/node`: the node's community, key and p2p layer.
pub async fn node<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let record = super::community_record(storage)?;
    let info = api.node.node_info().await?;
    let networks: Vec<Hash> = hearth_protocol::state::federated::network_ids(storage)?;
    Ok(Json(json!({
        "community": record.id,
        "name": record.genesis.name,
        "node_key": record.genesis.node,
        "peer_id": info.peer_id,
        "listen": info.listen,
        "peers": info.peers,
        "networks": networks,
    })))
}

#[derive(Deserialize)]
struct SignBody {
    genesis: String,
}

/// `POST /v1/network/sign`: the node signs a network draft (council only).
pub async fn sign<N: Node>(
    State(api): State<Arc<Api<N>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    council(&api, &method, &uri, &headers, &body)?;
    let req: SignBody = serde_json::from_slice(&body)
        .map_err(|e| bad("bad_json", format!("expected {{\"genesis\": base64}}: {e}")))?;
    let genesis: NetworkGenesis = b64(&req.genesis, "genesis")?;
    let signature = api
        .node
        .sign_network(genesis)
        .await?
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "cannot_sign", e))?;
    Ok(Json(
        json!({ "signature": B64.encode(signature.to_bytes()) }),
    ))
}

/// The network this community belongs to, or `404 no_network`.
fn the_network<S: FedRead>(storage: &S) -> Result<SignedNetwork, ApiError> {
    crate::export::network_of(storage)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_network",
            "this community belongs to no network",
        )
    })
}

/// `GET /v1/network`: the signed network genesis this community belongs
/// to (what a newly admitted community records with `hearth network join`).
pub async fn network<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let network = the_network(api.node.storage())?;
    Ok(Json(json!({
        "id": network.genesis.id(),
        "network": B64.encode(network.to_bytes()),
    })))
}

#[derive(Deserialize)]
struct NetworkBody {
    network: String,
    #[serde(default)]
    proposal: Option<Hash>,
}

/// `POST /v1/network`: records the signed network genesis (council only).
pub async fn record<N: Node>(
    State(api): State<Arc<Api<N>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    council(&api, &method, &uri, &headers, &body)?;
    let req: NetworkBody = serde_json::from_slice(&body)
        .map_err(|e| bad("bad_json", format!("expected {{\"network\": base64}}: {e}")))?;
    let network: SignedNetwork = b64(&req.network, "network")?;
    if let Err(e) = network.clone().verify() {
        return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e));
    }
    let id = network.genesis.id();
    let receipt = api
        .node
        .record_network(network, req.proposal)
        .await
        .map_err(|e| match e {
            crate::service::SubmitError::Storage(s) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "network_refused", s.0)
            }
            other => ApiError::from(other),
        })?;
    let status = match receipt.duplicate {
        true => StatusCode::OK,
        false => StatusCode::CREATED,
    };
    Ok((
        status,
        Json(json!({ "network": id, "seq": receipt.seq, "duplicate": receipt.duplicate })),
    )
        .into_response())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e))?
}

/// `GET /v1/federation`: the network and every community's public log.
pub async fn federation<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let guard = api.node.federation().read();
        let Some(view) = guard.as_ref() else {
            return Ok(Json(json!({ "network": null, "communities": [] })));
        };
        let genesis = &view.network;
        let regions: Vec<Value> = genesis
            .regions
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "id": genesis.region_id(&r.name),
                    "communities": r.communities,
                })
            })
            .collect();
        let tallier = Tallier::new(view);
        let members = tallier.communities_at(Level::Network, hearth_protocol::Timestamp(u64::MAX));
        let mut ids: std::collections::BTreeSet<Hash> = members.clone();
        ids.extend(view.communities.keys().copied());
        let communities: Vec<Value> = ids
            .iter()
            .map(|id| {
                let index = view.communities.get(id);
                let name = genesis
                    .founding(id)
                    .map(|f| f.name.clone())
                    .or_else(|| {
                        view.proposals.values().find_map(|p| match &p.proposal.subject {
                            hearth_protocol::governance::Subject::Community {
                                community, name, ..
                            } if community == id => Some(name.clone()),
                            _ => None,
                        })
                    });
                let region = genesis
                    .regions
                    .iter()
                    .find(|r| r.communities.contains(id))
                    .map(|r| r.name.clone());
                json!({
                    "id": id,
                    "name": name,
                    "node": view.node_of(id),
                    "member": members.contains(id),
                    "head": index.and_then(|i| i.last).map(|(seq, time, hash)| json!({"seq": seq, "time": time, "hash": hash})),
                    "frozen_at": index.and_then(|i| i.fork),
                    "region": region,
                })
            })
            .collect();
        Ok(Json(json!({
            "network": {
                "id": view.network_id,
                "name": genesis.name,
                "regions": regions,
                "rules": genesis.rules,
                "communities": genesis.communities,
            },
            "communities": communities,
        })))
    })
    .await
}

fn summary(shared: &SharedView, view: &FederationView, id: &Hash) -> Option<Value> {
    let p = view.proposals.get(id)?;
    let tallied = shared.tally(view, id, runtime::now())?;
    let result = &tallied.result;
    Some(json!({
        "id": id,
        "level": p.proposal.level,
        "kind": p.proposal.kind,
        "title": p.proposal.title,
        "community": p.place.community,
        "author": p.author,
        "opened": p.place.time,
        "closes": result.report.closes,
        "stage": tallied.stage,
        "final": result.is_final,
        "passed": result.passed,
        "verdict": result.verdict,
        "result": result.result,
        "certified": tallied.certification.certified,
    }))
}

/// `GET /v1/federation/proposals`: regional and network proposals.
pub async fn proposals<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    blocking(move || {
        let shared = api.node.federation();
        let guard = shared.read();
        let Some(view) = guard.as_ref() else {
            return Ok(Json(json!([])));
        };
        let list: Vec<Value> = view
            .proposals
            .keys()
            .filter_map(|id| summary(shared, view, id))
            .collect();
        Ok(Json(Value::Array(list)))
    })
    .await
}

/// `GET /v1/federation/proposals/{id}`: one proposal with its tally,
/// report and certification (a final tally is counted once, then served
/// from memory).
pub async fn proposal<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: Hash = id
        .parse()
        .map_err(|_| bad("bad_id", "a proposal id is 64 hex digits"))?;
    blocking(move || {
        let not_found = || {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_proposal",
                format!("no regional or network proposal {id}"),
            )
        };
        let shared = api.node.federation();
        let guard = shared.read();
        let view = guard.as_ref().ok_or_else(not_found)?;
        let p = view.proposals.get(&id).ok_or_else(not_found)?;
        let tallied = shared
            .tally(view, &id, runtime::now())
            .ok_or_else(not_found)?;
        let result = &tallied.result;
        // Written straight from the (shared) count: no copy of the report.
        #[derive(serde::Serialize)]
        struct Body<'a> {
            id: Hash,
            proposal: &'a hearth_protocol::governance::Proposal,
            community: Hash,
            author: hearth_protocol::PublicKey,
            opened: hearth_protocol::Timestamp,
            closes: hearth_protocol::Timestamp,
            stage: hearth_protocol::governance::Stage,
            #[serde(rename = "final")]
            is_final: bool,
            passed: bool,
            winner: Option<u32>,
            verdict: &'a hearth_protocol::state::decide::Verdict,
            missing: &'a [Hash],
            result: Hash,
            report: &'a hearth_protocol::federation::tally::FederatedReport,
            certification: &'a hearth_protocol::federation::tally::Certification,
        }
        let body = serde_json::to_vec(&Body {
            id,
            proposal: &p.proposal,
            community: p.place.community,
            author: p.author,
            opened: p.place.time,
            closes: result.report.closes,
            stage: tallied.stage,
            is_final: result.is_final,
            passed: result.passed,
            winner: result.winner,
            verdict: &result.verdict,
            missing: &result.missing,
            result: result.result,
            report: &result.report,
            certification: &tallied.certification,
        })
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e))?;
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    })
    .await
}

/// `GET /v1/federation/export`: the network genesis, every public log and
/// every equivocation proof this node holds, for `hearth audit`. Streamed:
/// written by [`crate::export::write`] on the blocking pool and sent a
/// chunk at a time, so memory stays flat however large the logs are.
pub async fn export<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Response, ApiError> {
    let storage = api.node.storage().clone();
    // Refuse before the stream starts if there is nothing to export.
    let network = blocking({
        let storage = storage.clone();
        move || the_network(&storage)
    })
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::task::spawn_blocking(move || {
        let mut send = |chunk: Vec<u8>| {
            tx.blocking_send(Ok(chunk))
                .map_err(|_| std::io::Error::other("the client went away"))
        };
        match crate::export::write(&storage, network, &mut send, &mut |_| {}) {
            Ok(_) | Err(crate::export::ExportError::Sink(_)) => {}
            Err(e) => {
                // Headers are gone: the client sees the body cut short (and
                // an export that does not read to its end is refused by
                // `audit`).
                tracing::error!(error = %e, "export failed");
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
            }
        }
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

#[derive(Deserialize)]
struct PushBody {
    gossip: String,
}

/// `POST /v1/federation/entries`: a public entry or an equivocation proof
/// (a canonical gossip message, base64 in `{"gossip": …}`), checked exactly
/// as if it had arrived by gossip.
pub async fn push<N: Node>(
    State(api): State<Arc<Api<N>>>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let req: PushBody = serde_json::from_slice(&body)
        .map_err(|e| bad("bad_json", format!("expected {{\"gossip\": base64}}: {e}")))?;
    let data = B64
        .decode(req.gossip.as_bytes())
        .map_err(|e| bad("bad_base64", e))?;
    let invalid = |e: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_entry", e);
    // Decoding and the entry's action signatures — the bulk of the work —
    // run here, off the node task, which then checks only what needs its
    // state (the node signature first, then the chain).
    let shared = api.clone();
    let (gossip, checked) = blocking(move || {
        let gossip =
            Gossip::from_bytes(&data).map_err(|e| invalid(format!("{} ({})", e, e.code())))?;
        let checked = match &gossip {
            Gossip::Entry(entry) => {
                // The one node signature first: an entry its node did not
                // sign costs one verification here, whatever it carries.
                // (Of a community the view does not know, the node task
                // refuses it without verifying anything.)
                let community = entry.entry.log.community;
                let node = shared.node.federation().read().as_ref().and_then(|view| {
                    view.communities
                        .get(&community)
                        .and_then(|index| index.node)
                        .or_else(|| view.node_of(&community))
                });
                match node {
                    None => None,
                    Some(node) => {
                        shared
                            .keys
                            .verify(&node, &entry.entry.id(), &entry.signature)
                            .map_err(|e| invalid(format!("entry signature: {e}")))?;
                        Some(
                            entry
                                .check_actions(&shared.keys)
                                .map_err(|e| invalid(format!("{e} ({})", e.code())))?,
                        )
                    }
                }
            }
            Gossip::Proof(_) => None,
        };
        Ok((Box::new(gossip), checked))
    })
    .await?;
    let outcome = api
        .node
        .push(gossip, checked)
        .await?
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_entry", e))?;
    Ok(Json(json!({ "outcome": outcome })))
}

/// Peers to block or unblock, and addresses to dial.
#[derive(Deserialize)]
pub struct Peers {
    #[serde(default)]
    peers: Vec<String>,
    #[serde(default)]
    dial: Vec<String>,
}

fn peers(list: &[String]) -> Result<Vec<crate::net::PeerId>, ApiError> {
    list.iter()
        .map(|p| {
            p.parse()
                .map_err(|_| bad("bad_peer", format!("not a peer id: {p}")))
        })
        .collect()
}

async fn control<N: Node>(api: &Api<N>, control: Control) -> Result<Json<Value>, ApiError> {
    api.node
        .control(control)
        .await?
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, "no_network_layer", e))?;
    Ok(Json(json!({ "ok": true })))
}

/// `POST /v1/test/block`: drop and refuse connections with peers.
pub async fn test_block<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Json(req): Json<Peers>,
) -> Result<Json<Value>, ApiError> {
    control(&api, Control::Block(peers(&req.peers)?)).await
}

/// `POST /v1/test/unblock`: accept peers again and dial addresses.
pub async fn test_unblock<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Json(req): Json<Peers>,
) -> Result<Json<Value>, ApiError> {
    let dial = req
        .dial
        .iter()
        .map(|a| {
            a.parse()
                .map_err(|_| bad("bad_addr", format!("not a multiaddr: {a}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    control(&api, Control::Unblock(peers(&req.peers)?, dial)).await
}

/// Raw bytes to publish.
#[derive(Deserialize)]
pub struct Raw {
    data: String,
}

/// `POST /v1/test/publish`: publish raw bytes on the topic, unchecked.
pub async fn test_publish<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Json(req): Json<Raw>,
) -> Result<Json<Value>, ApiError> {
    let data = B64
        .decode(req.data.as_bytes())
        .map_err(|e| bad("bad_base64", e))?;
    control(&api, Control::PublishRaw(data)).await
}

/// A clock offset.
#[derive(Deserialize)]
pub struct Clock {
    offset_ms: i64,
}

/// `POST /v1/test/clock`: shift the node's clock.
pub async fn test_clock(Json(req): Json<Clock>) -> Result<Json<Value>, ApiError> {
    runtime::set_clock_offset(req.offset_ms);
    Ok(Json(json!({ "offset_ms": req.offset_ms })))
}
