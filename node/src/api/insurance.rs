//! Insurance reads (member-only): pools with their terms, balance,
//! payout ratio and solvency; enrolments; claims.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::insurance;
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, not_found, path_id};
use crate::runtime;

/// The insurance routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/insurance/pools", get(pools::<N>))
        .route("/v1/insurance/pools/{id}", get(pool::<N>))
        .route("/v1/insurance/claims", get(claims::<N>))
}

async fn pools<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let now = runtime::now();
    let views = insurance::pools(storage)?
        .into_iter()
        .map(|p| insurance::view(storage, now, p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "pools": views })))
}

async fn pool<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    let storage = api.node.storage();
    let pool = insurance::pool(storage, &id)?
        .ok_or_else(|| not_found("unknown_pool", format!("no insurance pool {id}")))?;
    let view = insurance::view(storage, runtime::now(), pool)?;
    let enrolments: Vec<insurance::Enrolment> = insurance::enrolments(storage)?
        .into_iter()
        .filter(|e| e.pool == id)
        .collect();
    let mut body = json!(view);
    body["enrolment"] = json!(enrolments.iter().find(|e| e.member == member));
    body["enrolments"] = json!(enrolments);
    Ok(Json(body))
}

async fn claims<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "claims": insurance::claims(api.node.storage())? }),
    ))
}
