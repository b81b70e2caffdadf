//! The HTTP client of a Hearth node: plain and member-signed reads, action
//! submission, and the [`Refusal`] that tells a node's "no" apart from a
//! network or local failure.

use std::fmt;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use hearth_protocol::request::sign_request;
use hearth_protocol::{Canonical, Keypair, SignedAction, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use ureq::Agent;
use ureq::http::Response;

use crate::api::{self, Submitted};

/// How long connecting to the node may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer read from the node.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// The largest federation export downloaded for an audit.
pub const MAX_EXPORT_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// How long downloading a federation export may take.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(3600);
/// How much of an unexpected answer is quoted in an error.
const EXCERPT_CHARS: usize = 200;

/// The node refused a request: an HTTP 4xx answer with an error body.
/// `hearth` exits with status 1 on this error and 2 on any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: u16,
    /// The node's stable error code (e.g. `insufficient_funds`).
    pub code: String,
    /// The node's sentence explaining it.
    pub message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the node refused: {} ({})", self.message, self.code)
    }
}

impl std::error::Error for Refusal {}

/// The error body every failed request carries.
#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    message: String,
}

/// Turns a status and body into `Ok(body)`, a [`Refusal`] (4xx with an
/// error body) or a plain error (5xx, or an answer that is not the API's).
pub fn check_status(status: u16, body: Vec<u8>) -> Result<Vec<u8>> {
    if (200..300).contains(&status) {
        return Ok(body);
    }
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(e) if (400..500).contains(&status) => Err(Refusal {
            status,
            code: e.error,
            message: e.message,
        }
        .into()),
        Ok(e) => bail!(
            "the node failed: {} ({}, HTTP {status})",
            e.message,
            e.error
        ),
        Err(_) => {
            let text = String::from_utf8_lossy(&body);
            let excerpt: String = text.trim().chars().take(EXCERPT_CHARS).collect();
            bail!("the node answered HTTP {status}: {excerpt}")
        }
    }
}

/// A connection to one node's HTTP API.
#[derive(Debug, Clone)]
pub struct Client {
    agent: Agent,
    base: String,
}

impl Client {
    /// A client of the node at `base` (`http://host:port`, no trailing slash).
    pub fn new(base: &str) -> Result<Client> {
        if base.starts_with("https://") {
            // ureq is built without a TLS stack (see the workspace manifest).
            bail!("invalid node URL {base:?}: this build of hearth speaks plain http:// only");
        }
        let rest = base
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("invalid node URL {base:?}: it must start with http://"))?;
        if rest.is_empty() {
            bail!("invalid node URL {base:?}: it names no host");
        }
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .user_agent(concat!("hearth/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Client {
            agent: config.into(),
            base: base.to_owned(),
        })
    }

    /// The node's URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /healthz`: the node's one-word health answer.
    pub fn health(&self) -> Result<String> {
        let body = self.finish(self.agent.get(self.url("/healthz")).call())?;
        Ok(String::from_utf8_lossy(&body).trim().to_owned())
    }

    /// An unsigned `GET` of a JSON document (`path` starts with `/`).
    pub fn get(&self, path: &str) -> Result<Value> {
        let body = self.finish(self.agent.get(self.url(path)).call())?;
        json(&body)
    }

    /// A `GET` signed by a member key, for local-log data. `path` is the
    /// path and query exactly as sent; `now` is the request time.
    pub fn get_signed(&self, path: &str, key: &Keypair, now: Timestamp) -> Result<Value> {
        let mut request = self.agent.get(self.url(path));
        for (name, value) in sign_request(key, "GET", path, now, b"") {
            request = request.header(name, value);
        }
        json(&self.finish(request.call())?)
    }

    /// A `POST` of a JSON body signed by a member key (the signature
    /// covers the body): council requests such as `POST /v1/network/sign`.
    pub fn post_signed(
        &self,
        path: &str,
        body: &Value,
        key: &Keypair,
        now: Timestamp,
    ) -> Result<Value> {
        let bytes = serde_json::to_vec(body).context("cannot encode the request")?;
        let mut request = self
            .agent
            .post(self.url(path))
            .content_type("application/json");
        for (name, value) in sign_request(key, "POST", path, now, &bytes) {
            request = request.header(name, value);
        }
        json(&self.finish(request.send(&bytes[..]))?)
    }

    /// An unsigned `GET` of a binary document of at most `limit` bytes,
    /// with a long timeout: a federation export.
    pub fn get_bytes(&self, path: &str, limit: u64) -> Result<Vec<u8>> {
        let response = self
            .agent
            .get(self.url(path))
            .config()
            .timeout_global(Some(EXPORT_TIMEOUT))
            .build()
            .call();
        self.finish_limited(response, limit)
    }

    /// Submits a signed action (`POST /v1/actions`, canonical bytes).
    pub fn submit(&self, action: &SignedAction) -> Result<Submitted> {
        let response = self
            .agent
            .post(self.url("/v1/actions"))
            .content_type("application/octet-stream")
            .send(action.to_bytes());
        api::decode(json(&self.finish(response)?)?, "submission receipt")
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Reads the answer and checks its status.
    fn finish(&self, response: Result<Response<ureq::Body>, ureq::Error>) -> Result<Vec<u8>> {
        self.finish_limited(response, MAX_RESPONSE_BYTES)
    }

    /// Reads an answer of at most `limit` bytes and checks its status.
    fn finish_limited(
        &self,
        response: Result<Response<ureq::Body>, ureq::Error>,
        limit: u64,
    ) -> Result<Vec<u8>> {
        let reach = || format!("cannot reach the node at {}", self.base);
        let mut response = response.with_context(reach)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .with_context(reach)?;
        check_status(status, body)
    }
}

fn json(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).context("the node's answer is not JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_success_refusal_or_failure() {
        assert_eq!(check_status(201, b"{}".to_vec()).unwrap(), b"{}");
        let body = br#"{"error":"insufficient_funds","message":"not enough"}"#.to_vec();
        let err = check_status(422, body.clone()).unwrap_err();
        let refusal = err.downcast_ref::<Refusal>().unwrap();
        assert_eq!(
            (refusal.status, refusal.code.as_str()),
            (422, "insufficient_funds")
        );
        assert_eq!(
            err.to_string(),
            "the node refused: not enough (insufficient_funds)"
        );
        let failed = check_status(500, body).unwrap_err();
        assert!(failed.downcast_ref::<Refusal>().is_none());
        assert!(failed.to_string().contains("HTTP 500"), "{failed}");
        let odd = check_status(404, b"<html>nope</html>".to_vec()).unwrap_err();
        assert!(odd.downcast_ref::<Refusal>().is_none());
        assert!(odd.to_string().contains("HTTP 404: <html>"), "{odd}");
    }

    #[test]
    fn node_urls_must_be_http() {
        assert!(Client::new("http://127.0.0.1:7700").is_ok());
        assert!(Client::new("127.0.0.1:7700").is_err());
        assert!(Client::new("https://example.org").is_err());
        assert!(Client::new("http://").is_err());
    }
}
