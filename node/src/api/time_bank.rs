//! Time bank reads (member-only: the time bank is local-log data): one
//! record with its shares, the history filtered by member and category,
//! the signer's pending shares, and the totals per member and category.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::PublicKey;
use hearth_protocol::economy::time_bank;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, not_found, path_id, rules_in_force};

/// The time bank routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/hours", get(history::<N>))
        .route("/v1/hours/pending", get(pending::<N>))
        .route("/v1/hours/totals", get(totals::<N>))
        .route("/v1/hours/{id}", get(record::<N>))
}

/// The history's filters.
#[derive(Debug, Deserialize)]
struct Filter {
    /// Only records this member (a `did:key`) gave or received in.
    member: Option<String>,
    /// Only records of this category.
    category: Option<String>,
}

async fn history<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Query(filter): Query<Filter>,
) -> Result<Json<Value>, ApiError> {
    let member = filter
        .member
        .as_deref()
        .map(|did| {
            PublicKey::from_did(did)
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), e))
        })
        .transpose()?;
    if let Some(category) = filter.category.as_deref()
        && !time_bank::is_category(category)
    {
        let r = time_bank::TimeBankRejection::UnknownCategory {
            category: category.to_string(),
        };
        return Err(ApiError::new(StatusCode::BAD_REQUEST, r.code(), r));
    }
    let records = time_bank::history(
        api.node.storage(),
        member.as_ref(),
        filter.category.as_deref(),
    )?;
    Ok(Json(json!({ "records": records })))
}

async fn record<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    let storage = api.node.storage();
    let record = time_bank::record(storage, &id)?
        .ok_or_else(|| not_found("unknown_record", format!("no time record {id}")))?;
    let rate = rules_in_force(storage)?.time_bank_kc_per_hour;
    let mut body = json!(record);
    body["value"] = json!(time_bank::share_value(record.minutes, rate));
    Ok(Json(body))
}

async fn pending<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
) -> Result<Json<Value>, ApiError> {
    let pending = time_bank::pending(api.node.storage(), &member)?;
    Ok(Json(json!({
        "member": member,
        "to_confirm": pending.to_confirm,
        "awaiting": pending.awaiting,
    })))
}

async fn totals<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let rate = rules_in_force(storage)?.time_bank_kc_per_hour;
    let mut body = json!(time_bank::totals(storage)?);
    body["rate_per_hour"] = json!(rate);
    Ok(Json(body))
}
