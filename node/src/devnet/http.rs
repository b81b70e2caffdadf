//! A small blocking client for the nodes' API, as the devnet uses it:
//! reads, submitted actions and council-signed posts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use hearth_protocol::request::sign_request;
use hearth_protocol::{Keypair, SignedAction, Timestamp};
use serde_json::Value;

use crate::runtime;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Most bytes of a response the devnet reads.
const MAX_RESPONSE: u64 = hearth_protocol::codec::MAX_MESSAGE_BYTES as u64;

/// A client of the nodes' API.
#[derive(Debug)]
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    /// A client with a timeout per request.
    pub fn new() -> Http {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .build()
            .new_agent();
        Http { agent }
    }

    /// `GET url + path`, which must answer 200 with JSON.
    pub fn get(&self, url: &str, path: &str) -> anyhow::Result<Value> {
        let response = self
            .agent
            .get(format!("{url}{path}"))
            .call()
            .with_context(|| format!("GET {url}{path}"))?;
        read(response, 200).with_context(|| format!("GET {url}{path}"))
    }

    /// Submits a signed action to the node at `url`; it must be recorded.
    pub fn submit(&self, url: &str, action: &SignedAction) -> anyhow::Result<Value> {
        use hearth_protocol::Canonical as _;
        let response = self
            .agent
            .post(format!("{url}/v1/actions"))
            .header("content-type", "application/octet-stream")
            .send(&action.to_bytes()[..])
            .with_context(|| format!("POST {url}/v1/actions"))?;
        read(response, 201).with_context(|| format!("POST {url}/v1/actions"))
    }

    /// `POST url + path` with a JSON body, signed by `key`, expecting
    /// `status`.
    pub fn signed_post(
        &self,
        url: &str,
        key: &Keypair,
        path: &str,
        body: &Value,
        status: u16,
    ) -> anyhow::Result<Value> {
        let body = body.to_string();
        let mut request = self
            .agent
            .post(format!("{url}{path}"))
            .header("content-type", "application/json");
        for (name, value) in sign_request(key, "POST", path, request_time(), body.as_bytes()) {
            request = request.header(name, value);
        }
        let response = request
            .send(body.as_bytes())
            .with_context(|| format!("POST {url}{path}"))?;
        read(response, status).with_context(|| format!("POST {url}{path}"))
    }
}

/// Reads a response's JSON, failing with the node's error unless it has
/// `status`.
fn read(response: ureq::http::Response<ureq::Body>, status: u16) -> anyhow::Result<Value> {
    let got = response.status().as_u16();
    let text = response
        .into_body()
        .into_with_config()
        .limit(MAX_RESPONSE)
        .read_to_string()
        .context("cannot read the response")?;
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if got != status {
        match (json["error"].as_str(), json["message"].as_str()) {
            (Some(code), Some(message)) => bail!("the node answered {got} {code}: {message}"),
            _ => bail!("the node answered {got}: {text}"),
        }
    }
    Ok(json)
}

/// A time for a signed request, later than every one handed out before:
/// the node accepts each request signature only once.
fn request_time() -> Timestamp {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = runtime::now().0;
    let previous = LAST.fetch_max(now, Ordering::SeqCst);
    if previous >= now {
        Timestamp(LAST.fetch_add(1, Ordering::SeqCst) + 1)
    } else {
        Timestamp(now)
    }
}
