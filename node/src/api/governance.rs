//! Governance reads: proposals with their stage and deadlines, ballots,
//! delegations (member-only: local governance is local-log data) and the
//! council (public, like the roster).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_protocol::Hash;
use hearth_protocol::state::StateRead;
use hearth_protocol::state::governance::{self, ProposalRecord};
use hearth_protocol::state::{Context, council, decide};
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node};
use crate::runtime;

fn summary(record: &ProposalRecord, now: hearth_protocol::Timestamp) -> Value {
    json!({
        "id": record.id,
        "kind": record.proposal.kind,
        "level": record.proposal.level,
        "title": record.proposal.title,
        "author": record.author,
        "created": record.created,
        "stage": record.stage_at(now),
        "stages": record.schedule.stages,
        "closes": record.schedule.closes,
        "method": record.method,
        "withdrawn": record.withdrawn,
    })
}

pub(super) async fn proposals<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let now = runtime::now();
    let list: Vec<Value> = governance::proposals(api.node.storage())?
        .iter()
        .map(|r| summary(r, now))
        .collect();
    Ok(Json(json!({ "proposals": list })))
}

pub(super) async fn proposal<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Path(id): Path<String>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let id: Hash = id.parse().map_err(|e: hearth_protocol::crypto::Error| {
        ApiError::new(StatusCode::BAD_REQUEST, e.code(), e)
    })?;
    let storage = api.node.storage();
    let record = governance::proposal(storage, &id)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_proposal",
            format!("no proposal {id}"),
        )
    })?;
    let ballots = governance::ballots(storage, &id)?;
    let mut body = summary(&record, runtime::now());
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

pub(super) async fn delegations<N: Node>(
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
pub(super) async fn council<N: Node>(
    State(api): State<Arc<Api<N>>>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let rules = Some(super::rules_in_force(storage)?);
    let members = storage.members()?;
    let seats = council::seats(&members, runtime::now());
    let caretaker = !seats.is_empty()
        && seats
            .iter()
            .all(|(_, _, standing)| *standing == council::Standing::Caretaker);
    let list: Vec<Value> = seats
        .iter()
        .map(|(m, seat, standing)| {
            json!({
                "did": m.key,
                "joined": m.joined,
                "seated": seat.since,
                "term_ends": seat.term_ends,
                "standing": standing,
            })
        })
        .collect();
    Ok(Json(json!({
        "seats": rules.as_ref().map_or(0, |r| r.council.seats),
        "term": rules.as_ref().map(|r| r.council.term),
        "caretaker": caretaker,
        "members": list,
    })))
}

/// The rules in force: the record a rules vote changes, with its version
/// and the proposal that last changed it.
pub(super) async fn rules<N: Node>(
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
