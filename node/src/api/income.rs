//! Basic income and treasury reads (member-only).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::income;
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, rules_in_force};
use crate::runtime;

/// The income routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new().route("/v1/income", get(view::<N>))
}

async fn view<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let rules = rules_in_force(storage)?;
    Ok(Json(json!(income::view(storage, &rules, runtime::now())?)))
}
