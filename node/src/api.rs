//! The HTTP API (axum, JSON, under `/v1`). Errors are
//! `{"error": code, "message": sentence}` with a fitting status. Reads of
//! local-log data need a request signed by an active member's key.
//!
//! The API reads the node's storage through a read-only view and reaches
//! the node task only through [`Node`]'s methods. What one client may take
//! is bounded: requests without a member's signature are rate-limited per
//! address, heavy requests run a few at a time, the replay cache has a
//! size cap, and [`server`] bounds connections and how long a client may
//! take to send a request.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use futures::StreamExt as _;
use hearth_protocol::codec::MAX_ACTION_BYTES;
use hearth_protocol::crypto::KeyCache;
use hearth_protocol::federation::{Gossip, NetworkGenesis, NetworkSignature, SignedNetwork};
use hearth_protocol::log::ActionsChecked;
use hearth_protocol::request::{self, HEADER_DID, HEADER_SIGNATURE, HEADER_TIME, RequestError};
use hearth_protocol::state::{MemberStatus, Rejection, StateRead, StoreError};
use hearth_protocol::{
    Canonical, Hash, LogKind, PublicKey, SignedAction, SignedEntry, Timestamp, Verified,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::metrics::Metrics;
use crate::runtime::{self, Control, Handle, NodeInfo};
use crate::service::federation::{FedStatus, SharedView};
use crate::service::{Receipt, SubmitError};
use crate::store::{FedRead, ReadOnly, SledStorage, StorageRead};

/// Largest request body the server reads at all.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Most entries one page of a log holds.
pub const MAX_PAGE: usize = 256;

/// Most bytes of entries one page holds (at least one entry is returned).
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// What the API needs from a node.
pub trait Node: Clone + Send + Sync + 'static {
    /// The storage type reads go to.
    type Storage: FedRead + Clone + Send + Sync + 'static;
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
    /// Records a signed network genesis; resolves once it is durable.
    fn record_network(
        &self,
        network: SignedNetwork,
        joined: Option<Hash>,
    ) -> impl Future<Output = Result<Receipt, SubmitError>> + Send;
    /// Signs a network draft with the node key (the inner error says why not).
    fn sign_network(
        &self,
        genesis: NetworkGenesis,
    ) -> impl Future<Output = Result<Result<NetworkSignature, String>, SubmitError>> + Send;
    /// Issues a credential for `subject`'s verified skill, signed with the
    /// node key (the inner error says why not).
    fn issue_credential(
        &self,
        subject: PublicKey,
        achievement: hearth_protocol::credential::Achievement,
        valid_from: Timestamp,
    ) -> impl Future<Output = Result<Result<Value, String>, SubmitError>> + Send;
    /// The node's network layer.
    fn node_info(&self) -> impl Future<Output = Result<NodeInfo, SubmitError>> + Send;
    /// The node's network layer and federation, for the status endpoint.
    fn status(&self) -> impl Future<Output = Result<(NodeInfo, FedStatus), SubmitError>> + Send;
    /// A public entry or proof pushed over HTTP; what became of it.
    fn push(
        &self,
        gossip: Box<Gossip>,
        checked: Option<ActionsChecked>,
    ) -> impl Future<Output = Result<Result<&'static str, String>, SubmitError>> + Send;
    /// A test control of the network layer.
    fn control(
        &self,
        control: Control,
    ) -> impl Future<Output = Result<Result<(), String>, SubmitError>> + Send;
}

impl Node for Handle {
    type Storage = ReadOnly<SledStorage>;

    fn submit(
        &self,
        action: Verified<SignedAction>,
    ) -> impl Future<Output = Result<Receipt, SubmitError>> + Send {
        Handle::submit(self, action)
    }

    fn storage(&self) -> &ReadOnly<SledStorage> {
        Handle::storage(self)
    }

    fn metrics(&self) -> &Metrics {
        Handle::metrics(self)
    }

    fn federation(&self) -> &SharedView {
        Handle::federation(self)
    }

    fn record_network(
        &self,
        network: SignedNetwork,
        joined: Option<Hash>,
    ) -> impl Future<Output = Result<Receipt, SubmitError>> + Send {
        Handle::record_network(self, network, joined)
    }

    fn sign_network(
        &self,
        genesis: NetworkGenesis,
    ) -> impl Future<Output = Result<Result<NetworkSignature, String>, SubmitError>> + Send {
        Handle::sign_network(self, genesis)
    }

    fn issue_credential(
        &self,
        subject: PublicKey,
        achievement: hearth_protocol::credential::Achievement,
        valid_from: Timestamp,
    ) -> impl Future<Output = Result<Result<Value, String>, SubmitError>> + Send {
        Handle::issue_credential(self, subject, achievement, valid_from)
    }

    fn node_info(&self) -> impl Future<Output = Result<NodeInfo, SubmitError>> + Send {
        Handle::node_info(self)
    }

    fn status(&self) -> impl Future<Output = Result<(NodeInfo, FedStatus), SubmitError>> + Send {
        Handle::status(self)
    }

    fn push(
        &self,
        gossip: Box<Gossip>,
        checked: Option<ActionsChecked>,
    ) -> impl Future<Output = Result<Result<&'static str, String>, SubmitError>> + Send {
        Handle::push(self, gossip, checked)
    }

    fn control(
        &self,
        control: Control,
    ) -> impl Future<Output = Result<Result<(), String>, SubmitError>> + Send {
        Handle::control(self, control)
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

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The sentence saying what went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON body.
    fn body(&self) -> Value {
        json!({ "error": self.code, "message": self.message })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
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
    use hearth_protocol::economy::learning::LearningRejection as Learn;
    use hearth_protocol::economy::skills::SkillsRejection as Skill;
    use hearth_protocol::economy::spaces::SpacesRejection as Spaces;
    use hearth_protocol::economy::time_bank::TimeBankRejection as Time;
    use hearth_protocol::economy::tools::ToolsRejection as Tools;
    match r {
        Rejection::Learning(
            Learn::NotSteward { .. }
            | Learn::NotTeacher
            | Learn::OwnSession
            | Learn::NotEnrolled
            | Learn::SelfEndorsement
            | Learn::NotQualified
            | Learn::NotExpert { .. },
        ) => StatusCode::FORBIDDEN,
        Rejection::Learning(
            Learn::AlreadyEnrolled
            | Learn::AlreadyConfirmed
            | Learn::AlreadyEndorsed
            | Learn::AlreadyVerified
            | Learn::SessionFull { .. }
            | Learn::SessionStarted { .. }
            | Learn::SessionCancelled
            | Learn::SessionNotOver { .. }
            | Learn::ConfirmationClosed { .. }
            | Learn::PrerequisiteCycle { .. },
        ) => StatusCode::CONFLICT,
        Rejection::Tools(
            Tools::NotSteward { .. } | Tools::NotBorrower | Tools::OwnItem | Tools::OwnLoan,
        ) => StatusCode::FORBIDDEN,
        Rejection::Tools(
            Tools::NotAvailable { .. }
            | Tools::HeldForAnother { .. }
            | Tools::AlreadyHolding
            | Tools::AlreadyBorrowing
            | Tools::ItemHeld { .. }
            | Tools::OverdueLoan { .. },
        ) => StatusCode::CONFLICT,
        Rejection::Spaces(Spaces::NotSteward { .. } | Spaces::NotBooker) => StatusCode::FORBIDDEN,
        Rejection::Spaces(
            Spaces::Overlap { .. } | Spaces::NameTaken { .. } | Spaces::AlreadyCancelled,
        ) => StatusCode::CONFLICT,
        Rejection::TimeBank(Time::OwnRecord | Time::NotAParty) => StatusCode::FORBIDDEN,
        Rejection::TimeBank(Time::AlreadyConfirmed | Time::AlreadyDeclined) => StatusCode::CONFLICT,
        Rejection::Skills(Skill::NotListingAuthor | Skill::OwnListing) => StatusCode::FORBIDDEN,
        Rejection::Skills(Skill::ListingClosed { .. }) => StatusCode::CONFLICT,
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
    /// Signatures of accepted signed requests: each is accepted once.
    seen: Mutex<ReplayCache>,
    /// When this API started: the replay cache is in memory, so requests
    /// signed before then are refused (they could have been used already).
    started: Timestamp,
    /// Requests without a member's signature, per client address.
    rates: Mutex<RateLimiter>,
    /// Permits for heavy requests (exports, federation views).
    heavy: Arc<Semaphore>,
    limits: Limits,
    /// The endpoint that may add prose to learning paths.
    prose: Option<Arc<crate::prose::Prose>>,
}

/// What one client, and all of them together, may take from the API.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a client has to send a request's headers, counted from
    /// when the connection starts waiting for one: a connection idle for
    /// this long is closed too.
    pub header_timeout: Duration,
    /// How long a client has to send a request's body.
    pub body_timeout: Duration,
    /// Most connections open at once (keep it below the process's file
    /// descriptor limit).
    pub max_connections: usize,
    /// Most connections open at once from one address.
    pub max_connections_per_ip: usize,
    /// Requests per second one address may make without a member's
    /// signature, sustained (bursts of twice as many pass).
    pub rate_per_ip: u32,
    /// Most heavy requests (the export, federation views) served at once.
    pub heavy_requests: usize,
    /// Most signatures the replay cache holds.
    pub replay_cache: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_ip: 64,
            rate_per_ip: 200,
            heavy_requests: 2,
            replay_cache: 100_000,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Why a signature was not recorded in the replay cache.
#[derive(Debug, PartialEq, Eq)]
enum Replay {
    /// It was used already.
    Replayed,
    /// The cache is full of signatures that have not expired.
    Full,
}

/// Signatures of accepted signed requests, each with the time after which
/// it would be refused as stale anyway (its signed time plus the request
/// window) and so need not be remembered.
#[derive(Debug)]
struct ReplayCache {
    seen: HashMap<[u8; 64], u64>,
    cap: usize,
    /// The earliest expiry in `seen`: a full cache is swept only once
    /// something in it can have expired, so refusing is cheap.
    earliest: u64,
}

impl ReplayCache {
    fn new(cap: usize) -> ReplayCache {
        ReplayCache {
            seen: HashMap::new(),
            cap,
            earliest: u64::MAX,
        }
    }

    fn len(&self) -> usize {
        self.seen.len()
    }

    /// Records `signature`, which expires at `expires`, at time `now`.
    fn insert(&mut self, signature: [u8; 64], expires: u64, now: u64) -> Result<(), Replay> {
        if self.seen.contains_key(&signature) {
            return Err(Replay::Replayed);
        }
        if self.seen.len() >= self.cap && now >= self.earliest {
            self.seen.retain(|_, e| *e >= now);
            self.earliest = self.seen.values().copied().min().unwrap_or(u64::MAX);
        }
        if self.seen.len() >= self.cap {
            return Err(Replay::Full);
        }
        self.earliest = self.earliest.min(expires);
        self.seen.insert(signature, expires);
        Ok(())
    }
}

/// Most addresses the rate limiter tracks: past this, addresses it does
/// not know yet are refused until others' buckets refill.
const MAX_TRACKED_ADDRESSES: usize = 65_536;

/// A token bucket per client address (IPv6 addresses by their /64, which
/// one host usually holds whole).
#[derive(Debug)]
struct RateLimiter {
    buckets: HashMap<IpAddr, (f64, Instant)>,
    rate: f64,
    burst: f64,
}

impl RateLimiter {
    fn new(rate_per_second: u32) -> RateLimiter {
        let rate = f64::from(rate_per_second.max(1));
        RateLimiter {
            buckets: HashMap::new(),
            rate,
            burst: 2.0 * rate,
        }
    }

    /// Takes a token for `ip` at `now`; false when its bucket is empty.
    fn take(&mut self, ip: IpAddr, now: Instant) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let mut octets = v6.octets();
                    octets[8..].fill(0);
                    IpAddr::from(octets)
                }
            },
            v4 => v4,
        };
        let (rate, burst) = (self.rate, self.burst);
        let level = |(tokens, at): (f64, Instant)| {
            (tokens + now.saturating_duration_since(at).as_secs_f64() * rate).min(burst)
        };
        if !self.buckets.contains_key(&ip) && self.buckets.len() >= MAX_TRACKED_ADDRESSES {
            self.buckets.retain(|_, b| level(*b) < burst);
            if self.buckets.len() >= MAX_TRACKED_ADDRESSES {
                return false;
            }
        }
        let bucket = self.buckets.entry(ip).or_insert((burst, now));
        let tokens = level(*bucket);
        if tokens < 1.0 {
            *bucket = (tokens, now);
            return false;
        }
        *bucket = (tokens - 1.0, now);
        true
    }
}

/// What the API serves beyond the defaults.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Serve `/v1/test/*` (partition, clock, raw publish): tests only.
    pub test_controls: bool,
    /// What clients may take.
    pub limits: Limits,
    /// The endpoint that may add prose to learning paths (`[learning]`).
    pub prose: Option<Arc<crate::prose::Prose>>,
}

/// The API's router over `node`.
pub fn router<N: Node>(node: N) -> Router {
    router_with(node, Options::default())
}

/// The API's router over `node`, with `options`.
pub fn router_with<N: Node>(node: N, options: Options) -> Router {
    let limits = options.limits;
    let api = Arc::new(Api {
        node,
        keys: KeyCache::default(),
        seen: Mutex::new(ReplayCache::new(limits.replay_cache)),
        started: runtime::now(),
        rates: Mutex::new(RateLimiter::new(limits.rate_per_ip)),
        heavy: Arc::new(Semaphore::new(limits.heavy_requests)),
        limits,
        prose: options.prose,
    });
    let heavy = middleware::from_fn_with_state(api.clone(), heavy::<N>);
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
        .route("/v1/node/status", get(status::status::<N>))
        .route("/v1/network/sign", post(federation::sign::<N>))
        .route(
            "/v1/network",
            post(federation::record::<N>).get(federation::network::<N>),
        )
        .route(
            "/v1/federation",
            get(federation::federation::<N>).route_layer(heavy.clone()),
        )
        .route(
            "/v1/federation/proposals",
            get(federation::proposals::<N>).route_layer(heavy.clone()),
        )
        .route(
            "/v1/federation/proposals/{id}",
            get(federation::proposal::<N>).route_layer(heavy.clone()),
        )
        .route(
            "/v1/federation/export",
            get(federation::export::<N>).route_layer(heavy),
        )
        .route("/v1/federation/entries", post(federation::push::<N>))
        .route("/metrics", get(metrics::<N>))
        .route("/v1/actions", post(submit::<N>))
        .route("/v1/logs/heads", get(heads::<N>))
        .route("/v1/logs/{log}/entries", get(entries::<N>))
        .merge(governance::routes::<N>())
        .merge(membership::routes::<N>())
        .merge(ledger::routes::<N>())
        .merge(aid::routes::<N>())
        .merge(insurance::routes::<N>())
        .merge(income::routes::<N>())
        .merge(time_bank::routes::<N>())
        .merge(skills::routes::<N>())
        .merge(tools::routes::<N>())
        .merge(spaces::routes::<N>())
        .merge(learning::routes::<N>())
        .merge(analytics::routes::<N>())
        .merge(crate::dashboard::routes(api.node.clone()))
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
        .layer(middleware::from_fn_with_state(api.clone(), guard::<N>))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(api.clone(), count::<N>))
        .layer(trace_layer())
        .with_state(api)
}

/// Whether a request carries the headers of a signed request.
fn is_signed(headers: &HeaderMap) -> bool {
    [HEADER_DID, HEADER_TIME, HEADER_SIGNATURE]
        .iter()
        .all(|h| headers.contains_key(*h))
}

/// Every request passes here: requests from an address over its rate are
/// refused unless a member vouches for them (see below), and the body is
/// read whole within the body deadline (a client dripping it is cut off).
async fn guard<N: Node>(State(api): State<Arc<Api<N>>>, request: Request, next: Next) -> Response {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let over = match ip {
        Some(ip) => match api.rates.lock() {
            Ok(mut rates) => !rates.take(ip, Instant::now()),
            Err(_) => true,
        },
        // In-process callers (tests) have no address to limit.
        None => false,
    };
    let rate_limited = || {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many requests from this address; slow down",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        response
    };
    let submission = request.method() == Method::POST && request.uri().path() == "/v1/actions";
    if over && !is_signed(request.headers()) && !submission {
        return rate_limited();
    }
    let (mut parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let body = match tokio::time::timeout(api.limits.body_timeout, read).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            return match too_large {
                true => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("a request body may be at most {MAX_BODY_BYTES} bytes"),
                ),
                false => ApiError::new(StatusCode::BAD_REQUEST, "bad_body", e),
            }
            .into_response();
        }
        Err(_) => {
            let mut response = ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                format!(
                    "the request body did not arrive within {} s",
                    api.limits.body_timeout.as_secs_f64()
                ),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
    };
    if over {
        // Past its rate, an address is served only what an active member
        // signed: a signed request, or an action submitted by one (or a
        // newcomer's join with an invite a member issued).
        let by_member = match submission {
            true => match verified_action(&api, &parts.headers, &body) {
                Ok(action) => {
                    let vouched = vouched_for(api.node.storage(), &action);
                    // The handler need not verify it again.
                    parts.extensions.insert(Checked(action));
                    vouched
                }
                Err(_) => false,
            },
            false => {
                signed_by_member(&api, &parts.method, &parts.uri, &parts.headers, &body).is_ok()
            }
        };
        if !by_member {
            return rate_limited();
        }
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}

/// Whether an action is vouched for: its author is an active member, or
/// it joins with an invite a member issued and nobody else claimed.
fn vouched_for<S: StateRead + ?Sized>(storage: &S, action: &SignedAction) -> bool {
    use hearth_protocol::MembershipAction;
    let author = &action.action.author;
    if let Ok(Some(member)) = storage.member(author) {
        return member.status == MemberStatus::Active;
    }
    match &action.action.body {
        hearth_protocol::ActionBody::Membership(MembershipAction::Join { invite, .. }) => storage
            .invite(invite)
            .is_ok_and(|i| i.is_some_and(|i| i.claimed_by.is_none_or(|by| by == *author))),
        _ => false,
    }
}

/// Heavy requests run a few at a time; past that they are refused with
/// `503 busy`. The permit is held until the response body is sent.
async fn heavy<N: Node>(State(api): State<Arc<Api<N>>>, request: Request, next: Next) -> Response {
    let Ok(permit) = api.heavy.clone().try_acquire_owned() else {
        let mut response = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the node is serving as many exports and federation views as it takes at once; try again shortly",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let (parts, body) = next.run(request).await.into_parts();
    let body = body.into_data_stream().map(move |chunk| {
        let _held = &permit;
        chunk
    });
    Response::from_parts(parts, Body::from_stream(body))
}

fn action_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("an action may be at most {MAX_ACTION_BYTES} bytes"),
    )
}

#[derive(Deserialize)]
struct JsonAction {
    action: String,
}

/// An action [`guard`] has already decoded and verified.
#[derive(Clone, Debug)]
struct Checked(Verified<SignedAction>);

async fn submit<N: Node>(
    State(api): State<Arc<Api<N>>>,
    checked: Option<axum::Extension<Checked>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => action_too_large(),
        status => ApiError::new(status, "bad_body", e.body_text()),
    })?;
    let verified = match checked {
        Some(axum::Extension(Checked(action))) => action,
        None => verified_action(&api, &headers, &body)?,
    };
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

/// The verified action a submission's body carries: its canonical bytes,
/// or `{"action": base64}` with a JSON content type.
fn verified_action<N: Node>(
    api: &Api<N>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Verified<SignedAction>, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json);
    let bytes = if is_json {
        let wrapper: JsonAction = serde_json::from_slice(body).map_err(|e| {
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
        return Err(action_too_large());
    }
    let action = SignedAction::from_bytes(&bytes).map_err(|e| {
        let status = match e {
            hearth_protocol::codec::Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, e.code(), e)
    })?;
    action
        .verify_cached(&api.keys)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), e))
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

/// The node's community record, or `503 no_community` before it has one.
fn community_record(
    storage: &(impl StorageRead + ?Sized),
) -> Result<hearth_protocol::state::CommunityRecord, ApiError> {
    storage.community()?.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_community",
            "the node has no community yet",
        )
    })
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

/// A member named by a `did:key` in a path or query, or a 400.
fn did_param(text: &str) -> Result<PublicKey, ApiError> {
    PublicKey::from_did(text).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code(), e))
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

/// Whether a content type is JSON (`application/json`, in any case, with
/// or without parameters).
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
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
    let (key, signature, expires) = signed_by_member(api, method, uri, headers, body)?;
    // Only now, with everything cheap checked, is the signature
    // remembered: a stranger's requests never fill the cache.
    let mut seen = api
        .seen
        .lock()
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "lock"))?;
    match seen.insert(signature, expires, runtime::now().0) {
        Ok(()) => Ok(key),
        Err(Replay::Replayed) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "request_replayed",
            "this signed request was already used; sign a new one",
        )),
        Err(Replay::Full) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "replay_cache_full",
            "the node has taken as many signed requests as it can remember for now; try again in a few minutes",
        )),
    }
}

/// Checks that a request is signed, fresh and by an active member; returns
/// the member, the signature and when the signature expires. Does not
/// record the signature (see [`authorize_body`]).
fn signed_by_member<N: Node>(
    api: &Api<N>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(PublicKey, [u8; 64], u64), ApiError> {
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
    let signed = time.parse::<u64>().unwrap_or(0);
    if signed < api.started.0 {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "stale_request",
            "the request was signed before the node started; sign a new one",
        ));
    }
    match api.node.storage().member(&key)? {
        Some(m) if m.status == MemberStatus::Active => Ok((
            key,
            signature.0,
            signed.saturating_add(request::REQUEST_WINDOW.0),
        )),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_member",
            format!("{key} is not an active member of this community"),
        )),
    }
}

pub(crate) fn heads_json<S: StorageRead + ?Sized>(storage: &S) -> Result<Value, ApiError> {
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

/// `GET /metrics`: every series in the OpenMetrics text format. What is
/// read from storage is brought up to date first.
async fn metrics<N: Node>(State(api): State<Arc<Api<N>>>) -> Result<Response, ApiError> {
    let m = api.node.metrics();
    let storage = api.node.storage();
    m.members_active
        .set(i64::try_from(storage.roster()?.active).unwrap_or(i64::MAX));
    m.replay_cache
        .set(api.seen.lock().map_or(0, |s| s.len() as i64));
    for kind in [LogKind::Public, LogKind::Local] {
        let seq = storage.head(kind)?.map_or(0, |h| h.seq);
        m.log_head
            .get_or_create(&crate::metrics::LogLabels { log: kind.as_str() })
            .set(seq as i64);
    }
    let mut heads = storage.fed_heads()?;
    if let (Some(own), Some(head)) = (storage.own_community()?, storage.head(LogKind::Public)?) {
        heads.insert(own, head);
    }
    for (community, head) in heads {
        m.public_head
            .get_or_create(&crate::metrics::CommunityLabels {
                community: community.to_string(),
            })
            .set(head.seq as i64);
    }
    Ok((
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        m.encode(),
    )
        .into_response())
}

/// Counts every request by its matched route (the template, so ids in
/// paths do not make new series), method and status, with its latency.
async fn count<N: Node>(State(api): State<Arc<Api<N>>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_string();
    // Methods by name only for the ones HTTP defines: a client inventing
    // methods must not invent series.
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    };
    let started = Instant::now();
    let response = next.run(request).await;
    api.node.metrics().request(
        &route,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Request logs: one `debug` line as each request starts and ends (a
/// `warn` for a server error), so the `info` log stays one line per action.
fn trace_layer() -> tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
> {
    use tower_http::trace::{
        DefaultMakeSpan, DefaultOnFailure, DefaultOnRequest, DefaultOnResponse,
    };
    use tracing::Level;
    tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::DEBUG))
        .on_request(DefaultOnRequest::new().level(Level::DEBUG))
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        .on_failure(DefaultOnFailure::new().level(Level::WARN))
}

mod aid;
pub mod analytics;
mod federation;
mod governance;
mod income;
mod insurance;
mod learning;
mod ledger;
mod membership;
pub mod server;
mod skills;
mod spaces;
mod status;
#[cfg(test)]
mod tests;
mod time_bank;
mod tools;
