//! The HTTP client of a Hearth node, over `http://` or `https://`: plain
//! and member-signed reads, action submission, and the [`Refusal`] that
//! tells a node's "no" apart from a network or local failure.

use std::fmt;
use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};
use hearth_protocol::request::sign_request;
use hearth_protocol::{Canonical, Keypair, SignedAction, Timestamp};
use serde::Deserialize;
use serde_json::Value;
use ureq::Agent;
use ureq::http::Response;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::api::{self, Submitted};
use crate::error::{Code, fail, transport_code};

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
/// How much of a download is read at a time (and progress reported).
const CHUNK_BYTES: usize = 64 * 1024;

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
        Ok(e) => Err(fail(
            Code::NodeError,
            format!(
                "the node failed: {} ({}, HTTP {status})",
                e.message, e.error
            ),
        )),
        Err(_) => {
            let text = String::from_utf8_lossy(&body);
            let excerpt: String = text.trim().chars().take(EXCERPT_CHARS).collect();
            Err(fail(
                Code::NodeError,
                format!("the node answered HTTP {status}: {excerpt}"),
            ))
        }
    }
}

/// The certificate authorities an `https://` node's certificate may
/// chain to: Mozilla's (the webpki roots), and any given with `--ca-cert`.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    extra: Vec<Certificate<'static>>,
}

impl Trust {
    /// Mozilla's roots and the certificates of the PEM file at `path`
    /// (a node with its own certificate authority, or a self-signed one).
    pub fn with_pem_file(path: &Path) -> Result<Trust> {
        let pem = std::fs::read(path)
            .with_context(|| format!("cannot read the CA certificate {}", path.display()))?;
        Trust::with_pem(&pem).map_err(|e| {
            fail(
                Code::InvalidArgument,
                format!("invalid CA certificate {}: {e:#}", path.display()),
            )
        })
    }

    /// Mozilla's roots and the certificates in `pem`.
    pub fn with_pem(pem: &[u8]) -> Result<Trust> {
        let mut extra = Vec::new();
        for item in ureq::tls::parse_pem(pem) {
            if let PemItem::Certificate(cert) = item.context("not PEM")? {
                extra.push(cert);
            }
        }
        anyhow::ensure!(!extra.is_empty(), "it holds no PEM certificate");
        Ok(Trust { extra })
    }

    /// The roots for ureq: the webpki roots alone, or with the extra ones.
    fn roots(&self) -> RootCerts {
        if self.extra.is_empty() {
            return RootCerts::WebPki;
        }
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()))
            .chain(self.extra.iter().cloned())
            .into()
    }
}

/// A connection to one node's HTTP API.
#[derive(Debug, Clone)]
pub struct Client {
    agent: Agent,
    base: String,
}

impl Client {
    /// A client of the node at `base` (`http://host:port` or
    /// `https://host`, no trailing slash), trusting `trust` over https.
    pub fn new(base: &str, trust: &Trust) -> Result<Client> {
        let invalid = |why: &str| {
            fail(
                Code::InvalidArgument,
                format!("invalid node URL {base:?}: {why}"),
            )
        };
        let rest = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"))
            .ok_or_else(|| invalid("it must start with http:// or https://"))?;
        if rest.is_empty() {
            return Err(invalid("it names no host"));
        }
        let tls = TlsConfig::builder().root_certs(trust.roots()).build();
        let config = Agent::config_builder()
            .tls_config(tls)
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

    /// A `GET` signed by a member key of a text document (an iCalendar
    /// feed), returned as it is.
    pub fn get_signed_text(&self, path: &str, key: &Keypair, now: Timestamp) -> Result<String> {
        let mut request = self.agent.get(self.url(path));
        for (name, value) in sign_request(key, "GET", path, now, b"") {
            request = request.header(name, value);
        }
        String::from_utf8(self.finish(request.call())?)
            .context("the node sent text that is not UTF-8")
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
    /// with a long timeout: a federation export. `progress` is told the
    /// bytes read so far and the total, if the node said it, as they come.
    pub fn get_bytes(
        &self,
        path: &str,
        limit: u64,
        progress: &mut dyn FnMut(u64, Option<u64>),
    ) -> Result<Vec<u8>> {
        let response = self
            .agent
            .get(self.url(path))
            .config()
            .timeout_global(Some(EXPORT_TIMEOUT))
            .build()
            .call();
        let mut response = self.connected(response)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return self.read_checked(response, MAX_RESPONSE_BYTES);
        }
        let total = response.body().content_length();
        let mut reader = response.body_mut().with_config().limit(limit).reader();
        let mut body = Vec::with_capacity(total.map_or(0, |t| t.min(limit)) as usize);
        let mut chunk = vec![0; CHUNK_BYTES];
        loop {
            let read = reader.read(&mut chunk).with_context(|| self.reach())?;
            if read == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..read]);
            progress(body.len() as u64, total);
        }
        Ok(body)
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
        let response = self.connected(response)?;
        self.read_checked(response, limit)
    }

    /// Reads a whole answer of at most `limit` bytes and checks its status.
    fn read_checked(&self, mut response: Response<ureq::Body>, limit: u64) -> Result<Vec<u8>> {
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .with_context(|| self.reach())?;
        check_status(status, body)
    }

    /// The answer, or why there is none: the network, or TLS (with what
    /// to do about an untrusted certificate).
    fn connected(
        &self,
        response: Result<Response<ureq::Body>, ureq::Error>,
    ) -> Result<Response<ureq::Body>> {
        response.map_err(|e| match transport_code(&e) {
            Code::Tls => fail(
                Code::Tls,
                format!(
                    "cannot make a TLS connection to the node at {}: {e}; if the node's \
                     certificate is signed by an authority of your own (or by itself), \
                     trust it with --ca-cert FILE or HEARTH_CA_CERT",
                    self.base
                ),
            ),
            _ => anyhow::Error::new(e).context(self.reach()),
        })
    }

    fn reach(&self) -> String {
        format!("cannot reach the node at {}", self.base)
    }
}

fn json(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| {
        fail(
            Code::NodeError,
            format!("the node's answer is not JSON: {e}"),
        )
    })
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
    fn node_urls_are_http_or_https() {
        let trust = Trust::default();
        assert!(Client::new("http://127.0.0.1:7700", &trust).is_ok());
        assert!(Client::new("https://example.org", &trust).is_ok());
        for bad in ["127.0.0.1:7700", "ftp://x", "http://", "https://"] {
            let err = Client::new(bad, &trust).unwrap_err();
            assert_eq!(crate::error::report(&err).code, "invalid_argument", "{bad}");
        }
    }

    #[test]
    fn a_ca_file_must_hold_a_certificate() {
        let err = Trust::with_pem(b"no pem here").unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err:#}");
        let key_only =
            b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        assert!(Trust::with_pem(key_only).is_err());
        let dir = tempfile::tempdir().unwrap();
        let missing = Trust::with_pem_file(&dir.path().join("none.pem")).unwrap_err();
        assert_eq!(crate::error::report(&missing).code, "io");
    }
}
