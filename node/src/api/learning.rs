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
use hearth_protocol::Hash;
use hearth_protocol::credential::{
    Achievement, CredentialStatus, CredentialStatusView, StatusQuery,
};
use hearth_protocol::economy::learning;
use hearth_protocol::state::{ApplyError, StateRead};
use serde::Deserialize;
use serde_json::{Value, json};

use super::governance::names;
use super::{Api, ApiError, Member, Node, did_param, not_found, path_id};

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
        .route("/v1/learning/credential", get(credential::<N>))
        .route("/v1/credentials/status", get(status::<N>))
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
    let member = q
        .member
        .as_deref()
        .map(did_param)
        .transpose()?
        .unwrap_or(signer);
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
    let mut path = json!({
        "member": member,
        "goals": goals,
        "steps": steps,
        "names": names,
    });
    // Prose rides beside the path when an endpoint is configured; the
    // path is the same with or without it, and only the path is sent.
    if let Some(prose) = api.prose.clone() {
        let sent = path.clone();
        let outcome = tokio::task::spawn_blocking(move || prose.outcome(&sent))
            .await
            .unwrap_or_else(|e| crate::prose::ProseOutcome {
                prose: None,
                prose_note: Some(format!("prose left out: {e}")),
            });
        if let (Value::Object(fields), Ok(Value::Object(extra))) =
            (&mut path, serde_json::to_value(outcome))
        {
            fields.extend(extra);
        }
    }
    Ok(Json(path))
}

/// A credential's query: the skill, by id or name.
#[derive(Debug, Deserialize)]
struct CredentialQuery {
    skill: String,
}

/// The signer's Open Badges credential for a skill they are verified in,
/// signed with the node key (the community's did:key), valid from now.
async fn credential<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
    Query(q): Query<CredentialQuery>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let skill_id = resolve(storage, &q.skill)?;
    let skill = learning::skill(storage, &skill_id)?
        .ok_or_else(|| not_found("unknown_skill", format!("no skill {skill_id}")))?;
    let verified = learning::verification(storage, &member, &skill_id)?;
    if !verified.as_ref().is_some_and(|v| v.valid()) {
        let why = match verified {
            Some(_) => "your verification of this skill was revoked",
            None => "you are not verified in this skill",
        };
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_verified",
            format!("{why}: a credential is issued only for a verified skill"),
        ));
    }
    let rules = hearth_protocol::state::Context::load(storage, crate::runtime::now())
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e))?
        .rules;
    let achievement = Achievement {
        skill: skill_id,
        name: skill.name.clone(),
        description: skill.description.clone(),
        criteria: format!(
            "Verified by {} endorsements of members verified in {}, or by one endorsement of an appointed assessor.",
            rules.learning.skill_endorsements, skill.name
        ),
    };
    let issued = api
        .node
        .issue_credential(member, achievement, crate::runtime::now())
        .await?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e))?;
    Ok(Json(issued))
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
    let member = q.member.as_deref().map(did_param).transpose()?;
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
    let member = did_param(&member)?;
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

async fn status<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Query(q): Query<StatusQuery>,
) -> Result<Json<CredentialStatusView>, ApiError> {
    let q = q.parse().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("{e} (issuer and subject are did:keys, achievement urn:hearth:skill:<skill id hex>, valid_from an RFC 3339 time)"),
        )
    })?;
    let own = learning::credential_status(
        api.node.storage(),
        &q.issuer,
        &q.subject,
        &q.skill,
        q.valid_from,
    )?;
    if own.status != CredentialStatus::UnknownIssuer {
        return Ok(Json(own));
    }
    // Another community's credential: the revocations it mirrored into
    // its public log, as this node's federation view holds them.
    let guard = api.node.federation().read();
    let federated = guard.as_ref().and_then(|view| {
        learning::federated_status(view, &q.issuer, &q.subject, &q.skill, q.valid_from)
    });
    Ok(Json(federated.unwrap_or(own)))
}
