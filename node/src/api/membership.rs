//! Membership reads: the community with its rules in force, and its
//! members (public: the roster is public-log data); a member's last nonce
//! (member-only: it covers local-log actions too).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::state::StateRead;
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, heads_json, not_found, rules_in_force};

/// The membership routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/community", get(community::<N>))
        .route("/v1/members", get(members::<N>))
        .route("/v1/members/{did}/nonce", get(nonce::<N>))
}

async fn community<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let record = super::community_record(storage)?;
    let roster = storage.roster()?;
    Ok(Json(json!({
        "id": record.id,
        "name": record.genesis.name,
        "node": record.genesis.node,
        "created": record.genesis.created,
        "region": record.genesis.region,
        "rules": rules_in_force(storage)?,
        "members": roster.active,
        "council": roster.council,
        "heads": heads_json(storage)?,
    })))
}

/// The roster in the order members joined (founders first), ties by key.
async fn members<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let mut roster = storage.members()?;
    roster.sort_by_key(|m| (m.joined, m.key));
    let members = roster
        .into_iter()
        .map(|m| {
            Ok(json!({
                "did": m.key,
                "name": super::governance::name_of(storage, &m.key)?,
                "joined": m.joined,
                "status": m.status,
                "council": m.on_council(),
                "invited_by": m.invited_by,
            }))
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Json(json!({ "members": members })))
}

/// The last nonce the node accepted from a member (`null` before their
/// first action): a client whose action was refused as `nonce_replayed`
/// signs again with a nonce above it.
async fn nonce<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(did): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let key = super::did_param(&did)?;
    let storage = api.node.storage();
    if storage.member(&key)?.is_none() {
        return Err(not_found(
            "unknown_member",
            format!("{key} is not a member here"),
        ));
    }
    Ok(Json(json!({
        "member": key,
        "last_nonce": storage.last_nonce(&key)?,
    })))
}
