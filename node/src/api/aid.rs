//! Mutual-aid reads (member-only): pools with their guidelines, balance
//! and waiting payouts, and requests.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::aid;
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, not_found, path_id, rules_in_force};

/// The aid routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/aid/pools", get(pools::<N>))
        .route("/v1/aid/pools/{id}", get(pool::<N>))
        .route("/v1/aid/requests", get(requests::<N>))
}

async fn pools<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let rules = rules_in_force(storage)?;
    let views = aid::pools(storage)?
        .into_iter()
        .map(|p| aid::view(storage, &rules, p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "pools": views })))
}

async fn pool<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    let storage = api.node.storage();
    let pool = aid::pool(storage, &id)?
        .ok_or_else(|| not_found("unknown_pool", format!("no aid pool {id}")))?;
    let view = aid::view(storage, &rules_in_force(storage)?, pool)?;
    let requests: Vec<aid::AidRequest> = aid::requests(storage)?
        .into_iter()
        .filter(|r| r.pool == id)
        .collect();
    let mut body = json!(view);
    body["requests"] = json!(requests);
    Ok(Json(body))
}

async fn requests<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "requests": aid::requests(api.node.storage())? }),
    ))
}
