//! Governance reads: proposals with their stage, deadlines and
//! discussion thread, ballots, delegations (member-only: local governance
//! is local-log data) and the council (public, like the roster). Members'
//! display names are shown beside their keys.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::PublicKey;
use hearth_protocol::state::governance::{self, ProposalRecord};
use hearth_protocol::state::membership::display_name;
use hearth_protocol::state::{Context, StateRead, council, decide};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node};
use crate::runtime;

/// The governance routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/proposals", get(proposals::<N>))
        .route("/v1/proposals/{id}", get(proposal::<N>))
        .route("/v1/proposals/{id}/comments", get(comments::<N>))
        .route("/v1/delegations", get(delegations::<N>))
        .route("/v1/council", get(council::<N>))
        .route("/v1/rules", get(rules::<N>))
}

/// The display names of `keys` that have one, by did.
pub(super) fn names<'a>(
    storage: &(impl StateRead + ?Sized),
    keys: impl IntoIterator<Item = &'a PublicKey>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut names = BTreeMap::new();
    for key in keys {
        if let Some(name) = display_name(storage, key)? {
            names.insert(key.to_string(), name.name);
        }
    }
    Ok(names)
}

/// The display name of `key`, or null.
pub(super) fn name_of(
    storage: &(impl StateRead + ?Sized),
    key: &PublicKey,
) -> Result<Value, ApiError> {
    Ok(json!(display_name(storage, key)?.map(|n| n.name)))
}

fn summary(
    storage: &(impl StateRead + ?Sized),
    record: &ProposalRecord,
    now: hearth_protocol::Timestamp,
) -> Result<Value, ApiError> {
    Ok(json!({
        "id": record.id,
        "kind": record.proposal.kind,
        "level": record.proposal.level,
        "topic": record.proposal.topic,
        "title": record.proposal.title,
        "author": record.author,
        "author_name": name_of(storage, &record.author)?,
        "comments": governance::comment_count(storage, &record.id)?,
        "created": record.created,
        "stage": record.stage_at(now),
        "stages": record.schedule.stages,
        "closes": record.schedule.closes,
        "method": record.method,
        "withdrawn": record.withdrawn,
    }))
}

async fn proposals<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let now = runtime::now();
    let storage = api.node.storage();
    let list = governance::proposals(storage)?
        .iter()
        .map(|r| summary(storage, r, now))
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Json(json!({ "proposals": list })))
}

/// The proposal the path names, or 400/404.
fn load(storage: &(impl StateRead + ?Sized), id: &str) -> Result<ProposalRecord, ApiError> {
    let id = super::path_id(id)?;
    governance::proposal(storage, &id)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_proposal",
            format!("no proposal {id}"),
        )
    })
}

async fn proposal<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Path(id): Path<String>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let record = load(storage, &id)?;
    let id = record.id;
    let ballots = governance::ballots(storage, &id)?;
    let mut body = summary(storage, &record, runtime::now())?;
    let named = std::iter::once(&record.author)
        .chain(record.reviews.iter().map(|(who, _)| who))
        .chain(record.nominees.iter());
    body["names"] = json!(names(storage, named)?);
    body["text"] = json!(record.proposal.text);
    body["options"] = json!(record.proposal.options);
    body["subject"] = json!(record.proposal.subject);
    body["amendments"] = json!(record.amendments);
    body["reviews"] = json!(
        record
            .reviews
            .iter()
            .map(|(who, approve)| json!({ "reviewer": who, "approve": approve }))
            .collect::<Vec<_>>()
    );
    body["vote_opened"] = json!(record.vote_opened);
    body["nominees"] = json!(record.nominees);
    body["ballots"] = json!(ballots.len());
    if let Some(decision) = decide::decision(storage, &id)? {
        body["decision"] = json!(decision);
    } else {
        let now = runtime::now();
        let ctx = Context::load(storage, now)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "state", e))?;
        if ctx.rules.hidden_tally.contains(&record.proposal.kind) {
            body["running"] = json!({ "hidden": true });
        } else {
            match decide::count(storage, &ctx, &record) {
                Ok((report, verdict)) => {
                    body["running"] = json!({ "verdict": verdict, "report": report });
                }
                Err(e) => body["running"] = json!({ "error": e.to_string() }),
            }
        }
    }
    Ok(Json(body))
}

/// Paging of a discussion thread.
#[derive(Debug, Deserialize)]
struct ThreadPage {
    /// Comments numbered after this one (0: from the start).
    #[serde(default)]
    after: u32,
    /// At most this many (at most 1000; 100 by default).
    limit: Option<usize>,
}

/// A proposal's discussion thread, in order, each comment with its
/// author's display name.
async fn comments<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Path(id): Path<String>,
    Query(page): Query<ThreadPage>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let record = load(storage, &id)?;
    let limit = page.limit.unwrap_or(100).clamp(1, 1000);
    let list = governance::comments(storage, &record.id, page.after, limit)?
        .into_iter()
        .map(|c| {
            Ok(json!({
                "number": c.number,
                "id": c.id,
                "author": c.author,
                "name": name_of(storage, &c.author)?,
                "time": c.time,
                "text": c.text,
                "reply_to": c.reply_to,
            }))
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Json(json!({
        "proposal": record.id,
        "count": governance::comment_count(storage, &record.id)?,
        "comments": list,
    })))
}

async fn delegations<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    Ok(Json(json!({
        "delegations": governance::delegations(storage)?,
        "history": governance::delegation_history(storage)?,
    })))
}

/// The council: each seat with its term and standing now, and whether the
/// council serves as a caretaker (every term has ended, no successors
/// elected yet).
async fn council<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let rules = Some(super::rules_in_force(storage)?);
    let members = council::seated(storage)?;
    let seats = council::seats(&members, runtime::now());
    let caretaker = !seats.is_empty()
        && seats
            .iter()
            .all(|(_, _, standing)| *standing == council::Standing::Caretaker);
    let list = seats
        .iter()
        .map(|(m, seat, standing)| {
            Ok(json!({
                "did": m.key,
                "name": name_of(storage, &m.key)?,
                "joined": m.joined,
                "seated": seat.since,
                "term_ends": seat.term_ends,
                "standing": standing,
            }))
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Json(json!({
        "seats": rules.as_ref().map_or(0, |r| r.council.seats),
        "term": rules.as_ref().map(|r| r.council.term),
        "caretaker": caretaker,
        "members": list,
    })))
}

/// The rules in force: the record a rules vote changes, with its version
/// and the proposal that last changed it.
async fn rules<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let current = hearth_protocol::state::rules::current(storage)?;
    Ok(Json(json!({
        "rules": super::rules_in_force(storage)?,
        "version": current.as_ref().map_or(0, |c| c.version),
        "since": current.as_ref().map(|c| c.since),
        "proposal": current.and_then(|c| c.proposal),
        "settable": hearth_protocol::state::rules::SETTABLE
            .iter()
            .map(|(key, form)| json!({ "key": key, "value": form }))
            .collect::<Vec<_>>(),
    })))
}
