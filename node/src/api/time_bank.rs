//! Time bank reads (member-only: the time bank is local-log data): one
//! record with its shares, the history filtered by member and category,
//! the signer's pending shares, the totals per member and category, and
//! the categories in force.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::time_bank;
use serde::Deserialize;
use serde_json::{Value, json};

use super::governance::names;
use super::{Api, ApiError, Member, Node, not_found, path_id, rules_in_force};

/// The time bank routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/hours", get(history::<N>))
        .route("/v1/hours/pending", get(pending::<N>))
        .route("/v1/hours/totals", get(totals::<N>))
        .route("/v1/hours/categories", get(categories::<N>))
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
    let member = filter.member.as_deref().map(super::did_param).transpose()?;
    if let Some(category) = filter.category.as_deref()
        && !time_bank::is_category(&rules_in_force(api.node.storage())?, category)
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
    let names = parties(api.node.storage(), &records)?;
    Ok(Json(json!({ "records": records, "names": names })))
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
    let names = parties(storage, std::slice::from_ref(&record))?;
    let mut body = json!(record);
    body["names"] = json!(names);
    body["value"] = json!(time_bank::share_value(record.minutes, rate));
    Ok(Json(body))
}

async fn pending<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
) -> Result<Json<Value>, ApiError> {
    let pending = time_bank::pending(api.node.storage(), &member)?;
    let mut all = pending.to_confirm.clone();
    all.extend(pending.awaiting.iter().cloned());
    let names = parties(api.node.storage(), &all)?;
    Ok(Json(json!({
        "names": names,
        "member": member,
        "to_confirm": pending.to_confirm,
        "awaiting": pending.awaiting,
    })))
}

async fn categories<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let rules = rules_in_force(api.node.storage())?;
    Ok(Json(json!({ "categories": time_bank::categories(&rules) })))
}

async fn totals<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let rate = rules_in_force(storage)?.time_bank_kc_per_hour;
    let totals = time_bank::totals(storage)?;
    let names = names(storage, totals.members.iter().map(|m| &m.member))?;
    let mut body = json!(totals);
    body["names"] = json!(names);
    body["rate_per_hour"] = json!(rate);
    Ok(Json(body))
}

/// The display names of the providers and recipients of `records`.
fn parties(
    storage: &(impl hearth_protocol::state::StateRead + ?Sized),
    records: &[time_bank::TimeRecord],
) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
    names(
        storage,
        records
            .iter()
            .flat_map(|r| std::iter::once(&r.provider).chain(r.shares.iter().map(|s| &s.member))),
    )
}
