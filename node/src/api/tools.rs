//! Tool library reads (member-only: the library is local-log data): the
//! items (or only those available), one item with its loans, the signer's
//! loans with everyone's overdue ones, the signer's holds, and the
//! maintenance fund.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::tools::{self, ItemStatus, ItemsView, LoansView};
use serde::Deserialize;

use super::{Api, ApiError, Member, Node, community_record, not_found, path_id};
use crate::runtime;

/// The tool library routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/tools", get(list::<N>))
        .route("/v1/tools/loans", get(loans::<N>))
        .route("/v1/tools/holds", get(holds::<N>))
        .route("/v1/tools/fund", get(fund::<N>))
        .route("/v1/tools/{id}", get(item::<N>))
}

/// The list's filter.
#[derive(Debug, Deserialize)]
struct Filter {
    /// Only items on the shelf.
    #[serde(default)]
    available: bool,
}

async fn list<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Query(filter): Query<Filter>,
) -> Result<Json<ItemsView>, ApiError> {
    let items = tools::items(api.node.storage())?
        .into_iter()
        .filter(|i| !filter.available || i.status == ItemStatus::Available)
        .collect();
    Ok(Json(ItemsView { items }))
}

async fn item<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<tools::ItemView>, ApiError> {
    let id = path_id(&id)?;
    let view = tools::view(api.node.storage(), &id)?
        .ok_or_else(|| not_found("unknown_item", format!("no tool library item {id}")))?;
    Ok(Json(view))
}

async fn loans<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
) -> Result<Json<LoansView>, ApiError> {
    let storage = api.node.storage();
    let mine = tools::member_loans(storage, &member)?
        .into_iter()
        .filter(|l| l.state != tools::LoanState::Closed)
        .collect();
    let overdue = tools::overdue_loans(storage, runtime::now())?;
    Ok(Json(LoansView { mine, overdue }))
}

async fn holds<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
) -> Result<Json<tools::HoldsView>, ApiError> {
    Ok(Json(tools::holds_of(api.node.storage(), &member)?))
}

async fn fund<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<tools::FundView>, ApiError> {
    let storage = api.node.storage();
    let community = community_record(storage)?.id;
    Ok(Json(tools::fund(storage, &community)?))
}
