//! Learning reads (member-only: learning is local-log data): the skill
//! graph, one skill with its verified members and upcoming sessions, a
//! member's learning path, sessions, pending endorsements, a member's
//! verified skills and the rewards owed by the education pool. Beside
//! them, the public status route a credential verifier calls
//! (`/v1/credentials/status`): it reveals only whether a community revoked
//! a verification it vouched for — this node's own community from its
//! state, another community of the network from the revocations that
//! community mirrored into its public log.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::learning::{self, CredentialStatus, StatusKind};
use hearth_protocol::state::{ApplyError, StateRead};
use hearth_protocol::{Hash, PublicKey};
use serde::Deserialize;
use serde_json::{Value, json};

use super::governance::names;
use super::{Api, ApiError, Member, Node, not_found, path_id};

/// The learning routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/learning/skills", get(skills::<N>))
        .route("/v1/learning/skills/{id}", get(skill::<N>))
        .route("/v1/learning/path", get(path::<N>))
        .route("/v1/learning/sessions", get(sessions::<N>))
        .route("/v1/learning/sessions/{id}", get(session::<N>))
        .route("/v1/learning/endorsements", get(endorsements::<N>))
        .route("/v1/learning/verified/{member}", get(verified::<N>))
        .route("/v1/learning/rewards", get(rewards::<N>))
        .route("/v1/credentials/status", get(status::<N>))
}

fn did(text: &str) -> Result<PublicKey, ApiError> {
    PublicKey::from_did(text).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), e))
}

/// A skill named by its id (hex) or its exact name.
fn resolve(storage: &(impl StateRead + ?Sized), text: &str) -> Result<Hash, ApiError> {
    if let Ok(id) = text.parse::<Hash>()
        && learning::skill(storage, &id)?.is_some()
    {
        return Ok(id);
    }
    match learning::skill_named(storage, text)? {
        Some(s) => Ok(s.id),
        None => Err(not_found(
            "unknown_skill",
            format!("no skill {text:?} (see `hearth learn skill list`)"),
        )),
    }
}

async fn skills<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let skills = learning::skills(api.node.storage())?;
    Ok(Json(json!({ "skills": skills })))
}

async fn skill<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let id = resolve(storage, &id)?;
    let skill = learning::skill(storage, &id)?
        .ok_or_else(|| not_found("unknown_skill", format!("no skill {id}")))?;
    let verified = learning::verified_in(storage, &id)?;
    let upcoming =
        learning::upcoming(storage, &id, crate::runtime::now(), learning::PATH_SESSIONS)?;
    let names = names(storage, verified.iter().map(|v| &v.member))?;
    let mut body = json!(skill);
    body["verified"] = json!(verified);
    body["upcoming"] = json!(upcoming);
    body["names"] = json!(names);
    Ok(Json(body))
}

/// A path's query: whose path (default: the signer) and the goals, ids
/// or names separated by commas.
#[derive(Debug, Deserialize)]
struct PathQuery {
    member: Option<String>,
    goals: String,
}

async fn path<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(signer): Member,
    Query(q): Query<PathQuery>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let member = q.member.as_deref().map(did).transpose()?.unwrap_or(signer);
    let goals = q
        .goals
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(|g| resolve(storage, g))
        .collect::<Result<Vec<_>, _>>()?;
    if goals.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "no_goals",
            "name at least one goal skill",
        ));
    }
    let steps =
        learning::path(storage, &member, &goals, crate::runtime::now()).map_err(|e| match e {
            ApplyError::Rejected(r) => not_found(r.code(), r),
            ApplyError::Store(s) => ApiError::from(s),
            other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", other),
        })?;
    let names = names(
        storage,
        steps.iter().flat_map(|s| {
            s.teachers
                .iter()
                .chain(s.sessions.iter().map(|x| &x.teacher))
        }),
    )?;
    Ok(Json(json!({
        "member": member,
        "goals": goals,
        "steps": steps,
        "names": names,
    })))
}

async fn sessions<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let mut sessions = learning::sessions(storage)?;
    sessions.sort_by_key(|s| (s.start, s.id));
    let names = names(storage, sessions.iter().map(|s| &s.teacher))?;
    Ok(Json(json!({ "sessions": sessions, "names": names })))
}

async fn session<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let id = path_id(&id)?;
    let session = learning::session(storage, &id)?
        .ok_or_else(|| not_found("unknown_session", format!("no session {id}")))?;
    let names = names(
        storage,
        std::iter::once(&session.teacher).chain(session.students.iter().map(|s| &s.member)),
    )?;
    let mut body = json!(session);
    body["names"] = json!(names);
    Ok(Json(body))
}

/// Whose pending endorsements (default: every member's).
#[derive(Debug, Deserialize)]
struct MemberQuery {
    member: Option<String>,
}

async fn endorsements<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Query(q): Query<MemberQuery>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let member = q.member.as_deref().map(did).transpose()?;
    let all: Vec<_> = learning::all_endorsements(storage)?
        .into_iter()
        .filter(|e| member.is_none_or(|m| e.member == m))
        .collect();
    Ok(Json(json!({ "endorsements": all })))
}

async fn verified<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(member): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let member = did(&member)?;
    let mut out = Vec::new();
    for v in learning::verifications(storage, &member)? {
        let name = learning::skill(storage, &v.skill)?
            .map(|s| s.name)
            .unwrap_or_default();
        let mut item = json!(v);
        item["name"] = json!(name);
        out.push(item);
    }
    Ok(Json(json!({ "member": member, "verifications": out })))
}

async fn rewards<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let community = storage
        .community()?
        .ok_or_else(|| not_found("no_community", "the node has no community yet"))?;
    let pool = learning::education_pool(storage, &community.id)?;
    let rewards = learning::rewards(storage)?;
    let owed: Vec<_> = rewards.iter().filter(|r| r.paid < r.amount).collect();
    let names = names(storage, rewards.iter().map(|r| &r.member))?;
    Ok(Json(json!({
        "pool": pool,
        "owed": owed,
        "rewards": rewards,
        "names": names,
    })))
}

/// A credential status request.
#[derive(Debug, Deserialize)]
struct StatusQuery {
    issuer: String,
    subject: String,
    achievement: String,
    valid_from: String,
}

async fn status<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<CredentialStatus>, ApiError> {
    let issuer = did(&q.issuer)?;
    let subject = did(&q.subject)?;
    let skill = learning::achievement_skill(&q.achievement).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_achievement",
            format!(
                "an achievement is {}<skill id hex>",
                learning::ACHIEVEMENT_PREFIX
            ),
        )
    })?;
    let valid_from = learning::parse_rfc3339(&q.valid_from).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_time",
            "valid_from is an RFC 3339 time (2026-12-07T15:30:00Z)",
        )
    })?;
    let own =
        learning::credential_status(api.node.storage(), &issuer, &subject, &skill, valid_from)?;
    if own.status != StatusKind::UnknownIssuer {
        return Ok(Json(own));
    }
    // Another community's credential: the revocations it mirrored into
    // its public log, as this node's federation view holds them.
    let guard = api.node.federation().read();
    let federated = guard
        .as_ref()
        .and_then(|view| learning::federated_status(view, &issuer, &subject, &skill, valid_from));
    Ok(Json(federated.unwrap_or(own)))
}
