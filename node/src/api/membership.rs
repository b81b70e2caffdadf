//! Membership reads (public: the roster is public-log data): the
//! community with its rules in force, and its members.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::state::StateRead;
use serde_json::{Value, json};

use super::{Api, ApiError, Node, heads_json, rules_in_force};

/// The membership routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/community", get(community::<N>))
        .route("/v1/members", get(members::<N>))
}

async fn community<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let record = storage.community()?.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_community",
            "the node has no community yet",
        )
    })?;
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

async fn members<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let members: Vec<Value> = api
        .node
        .storage()
        .members()?
        .into_iter()
        .map(|m| {
            json!({
                "did": m.key,
                "joined": m.joined,
                "status": m.status,
                "council": m.on_council(),
                "invited_by": m.invited_by,
            })
        })
        .collect();
    Ok(Json(json!({ "members": members })))
}
