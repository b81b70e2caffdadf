//! The dashboard: server-rendered HTML pages on the API port, with charts
//! as inline SVG and no script at all, so they work with JavaScript off.
//!
//! - `/`: the governance dashboard — the council and its terms, the
//!   network's and regions' votes (public-log data) and, for a member
//!   logged in, the community's own proposals and decisions;
//! - `/analytics`, `/analytics/network`, `/analytics/region/{name}`: the
//!   community's (or network's, or a region's) monthly figures, each chart
//!   beside a table of its figures;
//! - `/me`: a member's own balances, pools, loans, bookings and sessions,
//!   for a read-only session opened by `hearth dashboard`.
//!
//! Member login: `POST /v1/dashboard/challenge` gives a random challenge;
//! the member signs the community and challenge as a signed request to
//! `POST /v1/dashboard/login`, which answers a one-time `/login?token=…`
//! URL; opening it sets an HttpOnly cookie for a short session
//! ([`session`]). Public pages show aggregates and public-log data only.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use hearth_protocol::request::{
    self, HEADER_DID, HEADER_SIGNATURE, HEADER_TIME, LoginChallenge, LoginGrant, LoginRequest,
};
use hearth_protocol::state::{MemberStatus, StoreError};
use hearth_protocol::{PublicKey, Timestamp};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;
use serde_json::json;

use crate::api::Node;
use crate::runtime;

mod analytics;
mod governance;
mod me;
pub mod session;
pub mod svg;

use session::Sessions;

/// The session cookie's name.
pub const COOKIE: &str = "hearth_session";

/// What the dashboard's handlers share: the node and the login store.
#[derive(Clone)]
struct Dash<N> {
    node: N,
    sessions: Arc<Sessions>,
}

impl<N> std::fmt::Debug for Dash<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dash")
    }
}

/// The dashboard's routes over `node`, for merging into the API's router.
pub fn routes<N: Node, S: Clone + Send + Sync + 'static>(node: N) -> Router<S> {
    Router::new()
        .route("/", get(governance::page::<N>))
        .route("/analytics", get(analytics::community::<N>))
        .route("/analytics/network", get(analytics::network::<N>))
        .route("/analytics/region/{name}", get(analytics::region::<N>))
        .route("/me", get(me::page::<N>))
        .route("/login", get(login_page::<N>))
        .route("/logout", get(logout::<N>).post(logout::<N>))
        .route("/dashboard.css", get(stylesheet))
        .route(request::LOGIN_CHALLENGE_PATH, post(challenge::<N>))
        .route(request::LOGIN_PATH, post(login::<N>))
        .with_state(Dash {
            node,
            sessions: Arc::new(Sessions::default()),
        })
}

/// The stylesheet: small, and served from here so pages load nothing else.
const CSS: &str = "\
body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fbfaf7;line-height:1.45}\
header{background:#2d3a2e;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:baseline;flex-wrap:wrap}\
header a{color:#fff}header .name{font-weight:700;font-size:1.15rem}\
main{max-width:72rem;margin:0 auto;padding:1rem 1.2rem 3rem}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}\
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top}\
thead th{background:#eee}\
figure{margin:1.5rem 0;padding:.8rem;background:#fff;border:1px solid #ddd}\
figcaption{font-weight:600;margin-bottom:.5rem}\
.pair{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}\
.drawing{flex:0 1 40rem;min-width:18rem;max-width:40rem}.drawing svg{width:100%;height:auto}.lorenz{max-width:24rem}\
.chart .grid{stroke:#e4e4e4}.chart .axis{stroke:#555}.chart text{font-size:11px;fill:#333}\
.muted{color:#666}.note{background:#fff6d8;padding:.5rem .8rem;border:1px solid #e8d8a0}\
code{background:#eee;padding:0 .2rem}\
";

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        CSS,
    )
}

/// A page in the dashboard's layout. `member` is who is logged in.
fn layout(title: &str, community: &str, member: Option<&PublicKey>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (community) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/dashboard.css";
            }
            body {
                header {
                    span class="name" { (community) }
                    nav {
                        a href="/" { "Governance" } " · "
                        a href="/analytics" { "Analytics" } " · "
                        a href="/analytics/network" { "Network" } " · "
                        a href="/me" { "Me" }
                    }
                    @if let Some(m) = member {
                        span class="session" { "signed in as " (short_did(m)) " · " a href="/logout" { "sign out" } }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The start and end of a did:key, for tables.
fn short_did(key: &PublicKey) -> String {
    let did = key.to_did();
    match did.len() > 24 {
        true => format!("{}…{}", &did[..16], &did[did.len() - 6..]),
        false => did,
    }
}

/// A time as `YYYY-MM-DD HH:MM UTC`.
fn datetime(t: Timestamp) -> String {
    let secs = t.0 / 1000;
    let (y, m, d) = hearth_protocol::units::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// An HTML error page with a status.
fn error_page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = layout(title, "Hearth", None, html! { h1 { (title) } p { (text) } });
    (status, Html(body.into_string())).into_response()
}

/// A storage failure, as a page.
fn storage_failure(e: StoreError) -> Response {
    tracing::error!(error = %e, "storage error");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Storage error",
        "The node could not read its storage; try again shortly.",
    )
}

/// Why a page could not be made.
#[derive(Debug)]
enum Failure {
    /// The node has no community yet.
    NoCommunity,
    /// Storage failed.
    Storage(StoreError),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::NoCommunity => error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "No community yet",
                "This node does not serve a community yet.",
            ),
            Failure::Storage(e) => storage_failure(e),
        }
    }
}

/// The community's id and name.
fn community_name<N: Node>(node: &N) -> Result<(hearth_protocol::Hash, String), Failure> {
    use hearth_protocol::state::StateRead as _;
    match node.storage().community() {
        Ok(Some(c)) => Ok((c.id, c.genesis.name)),
        Ok(None) => Err(Failure::NoCommunity),
        Err(e) => Err(Failure::Storage(e)),
    }
}

/// The session cookie's value, if the request carries one.
fn session_cookie(headers: &HeaderMap) -> Option<session::Secret> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| session::from_hex(value.trim()))
}

/// The member of the request's session, if it has an unexpired one (and
/// they are still an active member).
fn session_member<N: Node>(dash: &Dash<N>, headers: &HeaderMap) -> Option<(PublicKey, Timestamp)> {
    use hearth_protocol::state::StateRead as _;
    let id = session_cookie(headers)?;
    let (member, until) = dash.sessions.member(&id, runtime::now())?;
    match dash.node.storage().member(&member) {
        Ok(Some(m)) if m.status == MemberStatus::Active => Some((member, until)),
        _ => None,
    }
}

/// A JSON error in the API's shape.
fn json_error(status: StatusCode, code: &'static str, message: impl ToString) -> Response {
    (
        status,
        axum::Json(json!({ "error": code, "message": message.to_string() })),
    )
        .into_response()
}

/// A refused login request: status, code and sentence.
#[derive(Debug)]
struct Refusal(StatusCode, &'static str, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        json_error(self.0, self.1, self.2)
    }
}

/// The active member who signed a request to `path` with `body` (see
/// [`request::sign_request`]).
fn signed_by_member<N: Node>(
    dash: &Dash<N>,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
) -> Result<PublicKey, Refusal> {
    use hearth_protocol::state::StateRead as _;
    let unauthorized = |code, message: String| Refusal(StatusCode::UNAUTHORIZED, code, message);
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(did), Some(time), Some(sig)) = (
        header(HEADER_DID),
        header(HEADER_TIME),
        header(HEADER_SIGNATURE),
    ) else {
        return Err(unauthorized(
            "unsigned_request",
            "sign the request with a member's key (hearth dashboard does)".into(),
        ));
    };
    let key = match request::verify_request(did, time, sig, "POST", path, body, runtime::now()) {
        Ok((key, _)) => key,
        Err(e @ request::RequestError::Stale { .. }) => {
            return Err(unauthorized("stale_request", e.to_string()));
        }
        Err(e) => return Err(unauthorized("bad_request_signature", e.to_string())),
    };
    match dash.node.storage().member(&key) {
        Ok(Some(m)) if m.status == MemberStatus::Active => Ok(key),
        Ok(_) => Err(Refusal(
            StatusCode::FORBIDDEN,
            "not_a_member",
            format!("{key} is not an active member of this community"),
        )),
        Err(e) => {
            tracing::error!(error = %e, "storage error");
            Err(Refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "storage",
                e.to_string(),
            ))
        }
    }
}

/// `POST /v1/dashboard/challenge`, signed by an active member: a fresh
/// login challenge (so only members can fill the bounded store).
async fn challenge<N: Node>(
    State(dash): State<Dash<N>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refusal) = signed_by_member(&dash, &headers, request::LOGIN_CHALLENGE_PATH, &body) {
        return refusal.into_response();
    }
    match dash.sessions.challenge(runtime::now()) {
        Ok((secret, expires)) => axum::Json(LoginChallenge {
            challenge: session::to_hex(&secret),
            expires,
        })
        .into_response(),
        Err(e) => busy(e),
    }
}

fn busy(e: session::Full) -> Response {
    let mut response = json_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "logins_busy",
        match e {
            session::Full::Full => {
                "the node holds as many dashboard logins as it can; try again in a minute"
            }
            session::Full::Random => "the node's random source failed",
        },
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

/// `POST /v1/dashboard/login`: a signed request whose body is a
/// [`LoginRequest`]; answers a one-time login URL for an active member.
async fn login<N: Node>(
    State(dash): State<Dash<N>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Ok(login) = serde_json::from_slice::<LoginRequest>(&body) else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            "expected {\"community\": id, \"challenge\": hex}",
        );
    };
    let Ok((community, _)) = community_name(&dash.node) else {
        return json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_community",
            "the node has no community yet",
        );
    };
    if login.community != community {
        return json_error(
            StatusCode::BAD_REQUEST,
            "wrong_community",
            format!(
                "this node serves community {community}, not {}",
                login.community
            ),
        );
    }
    let now = runtime::now();
    // A challenge named in a validly signed request is used up whatever
    // follows: a login request is good once.
    let signed = signed_by_member(&dash, &headers, request::LOGIN_PATH, &body);
    let signature_checked = matches!(&signed, Ok(_) | Err(Refusal(StatusCode::FORBIDDEN, ..)));
    let fresh = signature_checked
        && session::from_hex(&login.challenge)
            .is_some_and(|c| dash.sessions.take_challenge(&c, now));
    let key = match signed {
        Ok(key) => key,
        Err(refusal) => return refusal.into_response(),
    };
    if !fresh {
        return json_error(
            StatusCode::UNAUTHORIZED,
            "unknown_challenge",
            "the challenge is unknown, used or expired; ask for a new one",
        );
    }
    match dash.sessions.token(key, now) {
        Ok((token, expires)) => axum::Json(LoginGrant {
            path: format!("/login?token={}", session::to_hex(&token)),
            expires,
            session: session::SESSION_TTL,
        })
        .into_response(),
        Err(e) => busy(e),
    }
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// `GET /login?token=…`: redeems a one-time login token for a session
/// cookie and goes to `/me`.
async fn login_page<N: Node>(State(dash): State<Dash<N>>, Query(q): Query<TokenQuery>) -> Response {
    let refused = || {
        error_page(
            StatusCode::UNAUTHORIZED,
            "Login link not valid",
            "This login link is unknown, used or expired. Run `hearth dashboard` for a new one.",
        )
    };
    let Some(token) = q.token.as_deref().and_then(session::from_hex) else {
        return refused();
    };
    match dash.sessions.redeem(&token, runtime::now()) {
        Ok(Some((id, _, _))) => {
            let cookie = format!(
                "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
                session::to_hex(&id),
                session::SESSION_TTL.0 / 1000
            );
            let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/me")]).into_response();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => refused(),
        Err(_) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy",
            "The node holds as many sessions as it can; try again in a few minutes.",
        ),
    }
}

/// `/logout`: ends the session and clears the cookie.
async fn logout<N: Node>(State(dash): State<Dash<N>>, headers: HeaderMap) -> Response {
    if let Some(id) = session_cookie(&headers) {
        dash.sessions.end(&id);
    }
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("hearth_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    response
}

/// A page's HTML response, never cached (member pages hold private data).
fn html_page(markup: Markup) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Html(markup.into_string()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(datetime(Timestamp(0)), "1970-01-01 00:00 UTC");
        assert_eq!(
            datetime(Timestamp(1_796_664_900_000)),
            "2026-12-07 17:35 UTC"
        );
        assert_eq!(
            hearth_protocol::units::civil_from_days(11_016),
            (2000, 2, 29)
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        let id = [5u8; 32];
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=b; {COOKIE}={}; c=d", session::to_hex(&id)))
                .expect("header"),
        );
        assert_eq!(session_cookie(&headers), Some(id));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("hearth_session=zz"),
        );
        assert_eq!(session_cookie(&headers), None);
    }
}
