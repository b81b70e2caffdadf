//! Optional prose for learning paths, from an OpenAI-compatible
//! chat-completions endpoint (`[learning]` in `hearth.toml`).
//!
//! The structured path is the answer; prose only ever rides beside it. The
//! request carries a fixed instruction and the path's own JSON, nothing
//! else, and is bounded by a timeout; whatever goes wrong (no answer in
//! time, an error status, a malformed reply) leaves the prose out with a
//! note saying why.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The variable holding the endpoint's bearer key when none is named.
pub const DEFAULT_KEY_ENV: &str = "HEARTH_LLM_KEY";

/// How long the endpoint may take when nothing else is configured.
pub const DEFAULT_TIMEOUT_MS: u64 = 5_000;

/// The longest prose kept, in characters.
pub const MAX_PROSE_CHARS: usize = 2_000;

/// Most bytes of a reply read.
const MAX_REPLY_BYTES: u64 = 256 * 1024;

/// What the model is asked to do with the path.
pub const INSTRUCTION: &str = "You explain a learning path to the member who asked for it. \
The user message is the path as JSON: the goals, then the steps in the order they must be learned, \
each with its skill, the sessions that teach it and the members who offer to teach it. \
In at most 120 words of plain text, say why the steps come in this order and where to start. \
Use only what the JSON says.";

/// `[learning]` in `hearth.toml`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProseConfig {
    /// The endpoint's base URL (`…/v1`); `/chat/completions` is appended.
    pub llm_endpoint: Option<String>,
    /// The model to ask for.
    pub llm_model: Option<String>,
    /// The environment variable holding the bearer key (default
    /// `HEARTH_LLM_KEY`); unset or empty means no key is sent.
    pub llm_key_env: Option<String>,
    /// How long the endpoint may take, in milliseconds (default 5000).
    pub llm_timeout_ms: Option<u64>,
}

/// Why the prose was left out.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProseError {
    /// No answer in time, or no connection.
    #[error("the prose endpoint did not answer: {0}")]
    Unreachable(String),
    /// The endpoint answered with an error status.
    #[error("the prose endpoint answered {status}")]
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// The reply was not a chat completion with text.
    #[error("the prose endpoint's reply is not a chat completion: {0}")]
    Malformed(String),
}

/// Prose beside a path: the text, or why there is none.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProseOutcome {
    /// The explanation, when the endpoint gave one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prose: Option<String>,
    /// Why there is no explanation, when an endpoint is configured.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prose_note: Option<String>,
}

/// A configured endpoint.
#[derive(Debug)]
pub struct Prose {
    agent: ureq::Agent,
    url: String,
    model: String,
    key: Option<String>,
}

impl Prose {
    /// The endpoint `config` names, if any (the key is read from its
    /// variable now). An endpoint without a model is refused.
    pub fn from_config(config: &ProseConfig) -> anyhow::Result<Option<Prose>> {
        let Some(endpoint) = config.llm_endpoint.as_deref().filter(|e| !e.is_empty()) else {
            return Ok(None);
        };
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            anyhow::bail!(
                "[learning] llm_endpoint must be an http:// or https:// URL, not {endpoint:?}"
            );
        }
        let Some(model) = config.llm_model.clone().filter(|m| !m.is_empty()) else {
            anyhow::bail!("[learning] llm_endpoint is set but llm_model is not");
        };
        let var = config.llm_key_env.as_deref().unwrap_or(DEFAULT_KEY_ENV);
        let key = std::env::var(var).ok().filter(|k| !k.is_empty());
        let timeout = Duration::from_millis(config.llm_timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS));
        Ok(Some(Prose::new(endpoint, &model, key, timeout)))
    }

    /// A client of the endpoint at `endpoint` (its base URL).
    pub fn new(endpoint: &str, model: &str, key: Option<String>, timeout: Duration) -> Prose {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .new_agent();
        Prose {
            agent,
            url: format!("{}/chat/completions", endpoint.trim_end_matches('/')),
            model: model.to_string(),
            key,
        }
    }

    /// The request body for `path`: the instruction and the path's JSON.
    pub fn request(&self, path: &Value) -> Value {
        json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": INSTRUCTION},
                {"role": "user", "content": path.to_string()},
            ],
            "temperature": 0,
            "max_tokens": 400,
        })
    }

    /// Asks for an explanation of `path` (blocking: run it off the
    /// runtime's threads).
    pub fn explain(&self, path: &Value) -> Result<String, ProseError> {
        let mut request = self.agent.post(&self.url);
        if let Some(key) = &self.key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        let mut response = request
            .send_json(self.request(path))
            .map_err(|e| ProseError::Unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(ProseError::Status { status });
        }
        let reply: Value = response
            .body_mut()
            .with_config()
            .limit(MAX_REPLY_BYTES)
            .read_json()
            .map_err(|e| ProseError::Malformed(e.to_string()))?;
        let text = reply
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ProseError::Malformed("no choices[0].message.content".into()))?;
        Ok(text.chars().take(MAX_PROSE_CHARS).collect())
    }

    /// [`Prose::explain`] as an outcome to put beside the path.
    pub fn outcome(&self, path: &Value) -> ProseOutcome {
        match self.explain(path) {
            Ok(prose) => ProseOutcome {
                prose: Some(prose),
                prose_note: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "learning path prose left out");
                ProseOutcome {
                    prose: None,
                    prose_note: Some(format!("prose left out: {e}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
