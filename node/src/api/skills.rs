//! Skill sharing reads (member-only: listings are local-log data): the
//! listings of a category, kind or member, one listing with its
//! exchanges, the signer's matches, and the categories in force. Each
//! answer carries the display names of the members it mentions.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::skills::{self, ListingKind, SkillsRejection};
use serde::Deserialize;
use serde_json::{Value, json};

use super::governance::names;
use super::{Api, ApiError, Member, Node, not_found, path_id, rules_in_force};

/// The skill sharing routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/skills", get(list::<N>))
        .route("/v1/skills/categories", get(categories::<N>))
        .route("/v1/skills/matches", get(matches::<N>))
        .route("/v1/skills/{id}", get(listing::<N>))
}

/// The listing filters.
#[derive(Debug, Deserialize)]
struct Filter {
    /// Only this category.
    category: Option<String>,
    /// Only offers or only requests.
    kind: Option<ListingKind>,
    /// Only this member's listings (a `did:key`; withdrawn ones excluded).
    member: Option<String>,
    /// Taken, fulfilled and withdrawn listings too.
    #[serde(default)]
    all: bool,
}

fn bad_request(code: &'static str, message: impl ToString) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

async fn list<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Query(filter): Query<Filter>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    if let Some(category) = filter.category.as_deref()
        && !skills::is_category(&rules_in_force(storage)?, category)
    {
        let r = SkillsRejection::UnknownCategory {
            category: category.to_string(),
        };
        return Err(bad_request(r.code(), r));
    }
    let listings = match filter.member.as_deref() {
        Some(did) => {
            let member = super::did_param(did)?;
            skills::member_listings(storage, &member)?
                .into_iter()
                .filter(|l| {
                    filter
                        .category
                        .as_ref()
                        .is_none_or(|c| l.listing.category == *c)
                })
                .filter(|l| filter.kind.is_none_or(|k| l.listing.kind == k))
                .filter(|l| filter.all || l.state == skills::ListingState::Open)
                .collect()
        }
        None => skills::listings(storage, filter.category.as_deref(), filter.kind, filter.all)?,
    };
    let names = names(storage, listings.iter().map(|l| &l.listing.author))?;
    Ok(Json(json!({ "listings": listings, "names": names })))
}

async fn categories<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let rules = rules_in_force(api.node.storage())?;
    Ok(Json(json!({ "categories": skills::categories(&rules) })))
}

async fn matches<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let found = skills::matches(storage, &member)?;
    let names = names(storage, found.iter().map(|m| &m.theirs.listing.author))?;
    Ok(Json(json!({
        "member": member,
        "matches": found,
        "names": names,
    })))
}

async fn listing<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    let storage = api.node.storage();
    let view = skills::listing_view(storage, &id)?
        .ok_or_else(|| not_found("unknown_listing", format!("no skill listing {id}")))?;
    let names = names(storage, [&view.listing.author])?;
    let mut body = json!(view);
    body["names"] = json!(names);
    Ok(Json(body))
}
