//! The HTTP API (axum, JSON, under `/v1`). Errors are
//! `{"error": code, "message": sentence}` with a fitting status. Reads of
//! local-log data need a request signed by an active member's key.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::codec::MAX_ACTION_BYTES;
use hearth_protocol::crypto::KeyCache;
use hearth_protocol::request::{self, HEADER_DID, HEADER_SIGNATURE, HEADER_TIME, RequestError};
use hearth_protocol::state::{MemberStatus, Rejection, StateRead, StoreError};
use hearth_protocol::{
    Canonical, LogKind, PublicKey, SignedAction, SignedEntry, Timestamp, Verified,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::runtime::{self, Handle, Metrics};
use crate::service::federation::SharedView;
use crate::service::{Receipt, SubmitError};
use crate::store::{FedStorage, SledStorage, Storage};

/// Largest request body the server reads at all.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Most entries one page of a log holds.
pub const MAX_PAGE: usize = 256;

/// Most bytes of entries one page holds (at least one entry is returned).
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// What the API needs from a node.
pub trait Node: Clone + Send + Sync + 'static {
    /// The storage type reads go to.
    type Storage: FedStorage + Clone + Send + Sync + 'static;
    /// Records a verified action; resolves once it is durable or refused.
    fn submit(
        &self,
        action: Verified<SignedAction>,
    ) -> impl Future<Output = Result<Receipt, SubmitError>> + Send;
    /// Read access to the node's storage.
    fn storage(&self) -> &Self::Storage;
    /// The node's counters.
    fn metrics(&self) -> &Metrics;
    /// The federation view the node keeps up to date.
    fn federation(&self) -> &SharedView;
    /// Sends the node task a command and waits for its reply.
    fn ask<T: Send + 'static>(
        &self,
        make: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> runtime::Command + Send,
    ) -> impl Future<Output = Result<T, SubmitError>> + Send;
}

impl Node for Handle {
    type Storage = SledStorage;

    fn submit(
        &self,
        action: Verified<SignedAction>,
    ) -> impl Future<Output = Result<Receipt, SubmitError>> + Send {
        Handle::submit(self, action)
    }

    fn storage(&self) -> &SledStorage {
        Handle::storage(self)
    }

    fn metrics(&self) -> &Metrics {
        Handle::metrics(self)
    }

    fn federation(&self) -> &SharedView {
        Handle::federation(self)
    }

    fn ask<T: Send + 'static>(
        &self,
        make: impl FnOnce(tokio::sync::oneshot::Sender<T>) -> runtime::Command + Send,
    ) -> impl Future<Output = Result<T, SubmitError>> + Send {
        Handle::ask(self, make)
    }
}

/// An API error: status, stable code and a sentence.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl ToString) -> ApiError {
        ApiError {
            status,
            code,
            message: message.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "storage error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "storage", e)
    }
}

fn rejection_status(r: &Rejection) -> StatusCode {
    use hearth_protocol::economy::aid::AidRejection as Aid;
    use hearth_protocol::economy::insurance::InsuranceRejection as Ins;
    match r {
        Rejection::Aid(Aid::NotRequester | Aid::NotAssessor | Aid::OwnRequest)
        | Rejection::Insurance(Ins::NotClaimant | Ins::NotAssessor | Ins::OwnClaim) => {
            StatusCode::FORBIDDEN
        }
        Rejection::Aid(Aid::OpenRequestExists { .. } | Aid::AlreadyAssessed)
        | Rejection::Insurance(
            Ins::OpenClaimExists { .. } | Ins::AlreadyAssessed | Ins::AlreadyEnrolled,
        ) => StatusCode::CONFLICT,
        Rejection::NotAMember { .. }
        | Rejection::MemberInactive { .. }
        | Rejection::NotCouncil { .. }
        | Rejection::TermExpired { .. }
        | Rejection::NotReviewer
        | Rejection::AdmissionByVote => StatusCode::FORBIDDEN,
        Rejection::NonceReplayed { .. }
        | Rejection::AlreadyMember { .. }
        | Rejection::InviteUsed
        | Rejection::InviteExists => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> Self {
        match &e {
            SubmitError::Rejected(r) => ApiError::new(rejection_status(r), r.code(), r),
            SubmitError::Storage(s) => ApiError::from(s.clone()),
            SubmitError::Recovering => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "recovering", e)
            }
            SubmitError::ShuttingDown => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", e)
            }
        }
    }
}

struct Api<N> {
    node: N,
    /// Decompressed member keys (an accelerator; same verdicts).
    keys: KeyCache,
    /// Signatures of accepted signed requests, with their time: each is
    /// accepted once within the window.
    seen: Mutex<HashMap<[u8; 64], u64>>,
    /// When this API started: the replay cache is in memory, so requests
    /// signed before then are refused (they could have been used already).
    started: Timestamp,
}

/// What the API serves beyond the defaults.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Serve `/v1/test/*` (partition, clock, raw publish): tests only.
    pub test_controls: bool,
}

/// The API's router over `node`.
pub fn router<N: Node>(node: N) -> Router {
    router_with(node, Options::default())
}

/// The API's router over `node`, with `options`.
pub fn router_with<N: Node>(node: N, options: Options) -> Router {
    let api = Arc::new(Api {
        node,
        keys: KeyCache::default(),
        seen: Mutex::new(HashMap::new()),
        started: runtime::now(),
    });
    let mut router = Router::new();
    if options.test_controls {
        router = router
            .route("/v1/test/block", post(federation::test_block::<N>))
            .route("/v1/test/unblock", post(federation::test_unblock::<N>))
            .route("/v1/test/publish", post(federation::test_publish::<N>))
            .route("/v1/test/clock", post(federation::test_clock));
    }
    router
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/node", get(federation::node::<N>))
        .route("/v1/network/sign", post(federation::sign::<N>))
        .route(
            "/v1/network",
            post(federation::record::<N>).get(federation::network::<N>),
        )
        .route("/v1/federation", get(federation::federation::<N>))
        .route("/v1/federation/proposals", get(federation::proposals::<N>))
        .route(
            "/v1/federation/proposals/{id}",
            get(federation::proposal::<N>),
        )
        .route("/v1/federation/export", get(federation::export::<N>))
        .route("/v1/federation/entries", post(federation::push::<N>))
        .route("/metrics", get(metrics::<N>))
        .route("/v1/actions", post(submit::<N>))
        .route("/v1/logs/heads", get(heads::<N>))
        .route("/v1/logs/{log}/entries", get(entries::<N>))
        .route("/v1/proposals", get(governance::proposals::<N>))
        .route("/v1/proposals/{id}", get(governance::proposal::<N>))
        .route("/v1/delegations", get(governance::delegations::<N>))
        .route("/v1/council", get(governance::council::<N>))
        .route("/v1/rules", get(governance::rules::<N>))
        .merge(membership::routes::<N>())
        .merge(ledger::routes::<N>())
        .merge(aid::routes::<N>())
        .merge(insurance::routes::<N>())
        .merge(income::routes::<N>())
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(api)
}

#[derive(Deserialize)]
struct JsonAction {
    action: String,
}

async fn submit<N: Node>(
    State(api): State<Arc<Api<N>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("an action may be at most {MAX_ACTION_BYTES} bytes"),
        )
    };
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        status => ApiError::new(status, "bad_body", e.body_text()),
    })?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bytes = if is_json {
        let wrapper: JsonAction = serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_json",
                format!("expected {{\"action\": base64}}: {e}"),
            )
        })?;
        B64.decode(wrapper.action.as_bytes())
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_base64", e))?
    } else {
        body.to_vec()
    };
    if bytes.len() > MAX_ACTION_BYTES {
        return Err(too_large());
    }
    let action = SignedAction::from_bytes(&bytes).map_err(|e| {
        let status = match e {
            hearth_protocol::codec::Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, e.code(), e)
    })?;
    let verified = action
        .verify_cached(&api.keys)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), e))?;
    let receipt = api.node.submit(verified).await?;
    let status = if receipt.duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let body = json!({
        "id": receipt.id,
        "log": receipt.log.as_str(),
        "seq": receipt.seq,
        "duplicate": receipt.duplicate,
    });
    Ok((status, Json(body)).into_response())
}

/// The active member who signed the request: an extractor for the routes
/// that serve local-log data.
#[derive(Debug, Clone, Copy)]
pub struct Member(pub PublicKey);

impl<N: Node> axum::extract::FromRequestParts<Arc<Api<N>>> for Member {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        api: &Arc<Api<N>>,
    ) -> Result<Self, Self::Rejection> {
        authorize(api, &parts.method, &parts.uri, &parts.headers).map(Member)
    }
}

/// A 404 with a stable code.
fn not_found(code: &'static str, message: impl ToString) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, code, message)
}

/// A path's id (64 hex digits), or a 400.
fn path_id(text: &str) -> Result<hearth_protocol::Hash, ApiError> {
    text.parse().map_err(|e: hearth_protocol::crypto::Error| {
        ApiError::new(StatusCode::BAD_REQUEST, e.code(), e)
    })
}

/// The rules in force.
fn rules_in_force<S: hearth_protocol::state::Store + ?Sized>(
    storage: &S,
) -> Result<hearth_protocol::Rules, ApiError> {
    Ok(hearth_protocol::state::rules::in_force(storage)?)
}

/// Checks a signed request and returns its active member.
fn authorize<N: Node>(
    api: &Api<N>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<PublicKey, ApiError> {
    authorize_body(api, method, uri, headers, b"")
}

/// Checks a signed request whose signature covers `body`, and returns its
/// active member.
fn authorize_body<N: Node>(
    api: &Api<N>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<PublicKey, ApiError> {
    let header = |name: &'static str| -> Result<&str, ApiError> {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unsigned_request",
                    format!("this is member-only data: sign the request ({name} is missing)"),
                )
            })
    };
    let (did, time, sig) = (
        header(HEADER_DID)?,
        header(HEADER_TIME)?,
        header(HEADER_SIGNATURE)?,
    );
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let now = runtime::now();
    let (key, signature) =
        request::verify_request(did, time, sig, method.as_str(), path, body, now).map_err(|e| {
            let code = match e {
                RequestError::Malformed(_) => "bad_request_signature",
                RequestError::Stale { .. } => "stale_request",
                RequestError::BadSignature => "bad_request_signature",
            };
            ApiError::new(StatusCode::UNAUTHORIZED, code, e)
        })?;
    if time.parse::<u64>().is_ok_and(|t| t < api.started.0) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "stale_request",
            "the request was signed before the node started; sign a new one",
        ));
    }
    {
        let mut seen = api
            .seen
            .lock()
            .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "lock"))?;
        if seen.len() > 100_000 {
            let horizon = now.0.saturating_sub(2 * request::REQUEST_WINDOW.0);
            seen.retain(|_, t| *t >= horizon);
        }
        if seen.insert(signature.0, now.0).is_some() {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "request_replayed",
                "this signed request was already used; sign a new one",
            ));
        }
    }
    match api.node.storage().member(&key)? {
        Some(m) if m.status == MemberStatus::Active => Ok(key),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_member",
            format!("{key} is not an active member of this community"),
        )),
    }
}

pub(crate) fn heads_json<S: Storage + ?Sized>(storage: &S) -> Result<Value, ApiError> {
    Ok(json!({
        "public": storage.head(LogKind::Public)?,
        "local": storage.head(LogKind::Local)?,
    }))
}

async fn heads<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Json<Value>, ApiError> {
    Ok(Json(heads_json(api.node.storage())?))
}

#[derive(Deserialize)]
struct Page {
    from: Option<u64>,
    limit: Option<usize>,
}

async fn entries<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Path(log): Path<String>,
    page: Result<Query<Page>, axum::extract::rejection::QueryRejection>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let kind = LogKind::parse(&log).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_log",
            "logs are `public` and `local`",
        )
    })?;
    let Query(page) =
        page.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_query", e.body_text()))?;
    if kind == LogKind::Local {
        authorize(&api, &method, &uri, &headers)?;
    }
    let from = page.from.unwrap_or(0);
    let limit = page.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let raw = api.node.storage().entries(kind, from, limit)?;
    let mut out = Vec::with_capacity(raw.len());
    let mut budget = 0usize;
    let mut next = None;
    for bytes in raw {
        let signed = SignedEntry::from_bytes(&bytes).map_err(|e| StoreError(e.to_string()))?;
        budget += bytes.len();
        if budget > MAX_PAGE_BYTES && !out.is_empty() {
            next = Some(signed.entry.seq);
            break;
        }
        next = Some(signed.entry.seq + 1);
        out.push(json!({
            "seq": signed.entry.seq,
            "id": signed.entry.id(),
            "time": signed.entry.time,
            "prev": signed.entry.prev,
            "body": signed.entry.body,
            "signature": signed.signature,
            "bytes": B64.encode(&bytes),
        }));
    }
    let head = api.node.storage().head(kind)?.map_or(0, |h| h.seq);
    let next = next.filter(|n| *n <= head);
    Ok(Json(
        json!({ "log": kind.as_str(), "entries": out, "next": next }),
    ))
}

async fn metrics<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Response, ApiError> {
    use std::fmt::Write as _;
    use std::sync::atomic::Ordering::Relaxed;
    let m = api.node.metrics();
    let storage = api.node.storage();
    let roster = storage.roster()?;
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    };
    metric(
        "hearth_actions_accepted_total",
        "counter",
        "Actions accepted into the logs.",
        m.accepted.load(Relaxed),
    );
    metric(
        "hearth_actions_rejected_total",
        "counter",
        "Actions refused by the state machine.",
        m.rejected.load(Relaxed),
    );
    metric(
        "hearth_entries_sealed_total",
        "counter",
        "Log entries sealed.",
        m.entries.load(Relaxed),
    );
    metric(
        "hearth_seals_total",
        "counter",
        "Group commits.",
        m.seals.load(Relaxed),
    );
    metric(
        "hearth_flushes_total",
        "counter",
        "Storage flushes.",
        m.flushes.load(Relaxed),
    );
    metric(
        "hearth_flush_seconds_micros_total",
        "counter",
        "Microseconds spent flushing.",
        m.flush_micros.load(Relaxed),
    );
    metric(
        "hearth_members_active",
        "gauge",
        "Active members.",
        roster.active,
    );
    let _ = writeln!(
        out,
        "# HELP hearth_log_head_seq Seq of the log head.\n# TYPE hearth_log_head_seq gauge"
    );
    for kind in [LogKind::Public, LogKind::Local] {
        let seq = storage.head(kind)?.map_or(0, |h| h.seq);
        let _ = writeln!(
            out,
            "hearth_log_head_seq{{log=\"{}\"}} {seq}",
            kind.as_str()
        );
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

mod aid;
mod federation;
mod governance;
mod income;
mod insurance;
mod ledger;
mod membership;
#[cfg(test)]
mod tests;
