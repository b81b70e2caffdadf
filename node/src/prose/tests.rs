//! The prose client against a local server that speaks the
//! chat-completions protocol.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::*;

/// What the server saw: (authorization header, request body).
type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

async fn completions(
    State(seen): State<Seen>,
    Path(mode): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    seen.lock().expect("lock").push((auth, body.clone()));
    match mode.as_str() {
        "ok" => {
            let path = body["messages"][1]["content"].as_str().unwrap_or_default();
            Json(json!({
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": format!("  Start with the first step of {} bytes.  ", path.len())},
                    "finish_reason": "stop"
                }]
            }))
            .into_response()
        }
        "slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(json!({})).into_response()
        }
        "fail" => (StatusCode::INTERNAL_SERVER_ERROR, "overloaded").into_response(),
        "empty" => Json(json!({"choices": []})).into_response(),
        _ => (StatusCode::OK, "not json").into_response(),
    }
}

/// A chat-completions server on a loopback port: its base URL for a mode
/// (`…/MODE/v1`), what it saw, and the runtime that keeps it up.
fn server() -> (String, Seen, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/{mode}/v1/chat/completions", post(completions))
        .with_state(seen.clone());
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    rt.spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen, rt)
}

fn path() -> Value {
    json!({"goals": ["Bread"], "steps": [{"skill": "Flour"}, {"skill": "Bread"}]})
}

#[test]
fn the_path_alone_is_sent_and_the_prose_comes_back_trimmed() {
    let (url, seen, _rt) = server();
    let prose = Prose::new(
        &format!("{url}/ok/v1/"),
        "tiny",
        Some("sekrit".into()),
        Duration::from_secs(10),
    );
    let sent = path().to_string();
    assert_eq!(
        prose.explain(&path()),
        Ok(format!(
            "Start with the first step of {} bytes.",
            sent.len()
        ))
    );
    let seen = seen.lock().expect("lock");
    let (auth, body) = &seen[0];
    assert_eq!(auth.as_deref(), Some("Bearer sekrit"));
    assert_eq!(body["model"], "tiny");
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["content"], INSTRUCTION);
    assert_eq!(messages[1]["content"], sent.as_str());
}

#[test]
fn a_failing_slow_or_malformed_endpoint_leaves_the_prose_out_with_a_note() {
    let (url, _seen, _rt) = server();
    // Only the slow server is given less time than it takes; the others
    // get plenty, so a loaded machine cannot turn their answers into
    // timeouts.
    let ask = |mode: &str| {
        let timeout = match mode {
            "slow" => Duration::from_millis(300),
            _ => Duration::from_secs(10),
        };
        Prose::new(&format!("{url}/{mode}/v1"), "tiny", None, timeout).outcome(&path())
    };
    let failed = ask("fail");
    assert_eq!(failed.prose, None);
    assert_eq!(
        failed.prose_note.as_deref(),
        Some("prose left out: the prose endpoint answered 500")
    );
    let slow = ask("slow");
    assert_eq!(slow.prose, None);
    assert!(
        slow.prose_note
            .as_deref()
            .is_some_and(|n| n.starts_with("prose left out: the prose endpoint did not answer")),
        "{slow:?}"
    );
    for mode in ["empty", "junk"] {
        let bad = ask(mode);
        assert_eq!(bad.prose, None);
        assert!(
            bad.prose_note
                .as_deref()
                .is_some_and(|n| n.contains("is not a chat completion")),
            "{mode}: {bad:?}"
        );
    }
    let ok = ask("ok");
    assert!(ok.prose.is_some() && ok.prose_note.is_none(), "{ok:?}");
}

#[test]
fn the_config_needs_a_model_and_an_http_url() {
    assert!(
        Prose::from_config(&ProseConfig::default())
            .expect("none")
            .is_none()
    );
    let no_model = ProseConfig {
        llm_endpoint: Some("http://127.0.0.1:9/v1".into()),
        ..ProseConfig::default()
    };
    assert!(Prose::from_config(&no_model).is_err());
    let bad_url = ProseConfig {
        llm_endpoint: Some("127.0.0.1:9".into()),
        llm_model: Some("m".into()),
        ..ProseConfig::default()
    };
    assert!(Prose::from_config(&bad_url).is_err());
    let good = ProseConfig {
        llm_endpoint: Some("http://127.0.0.1:9/v1".into()),
        llm_model: Some("m".into()),
        llm_key_env: Some("HEARTH_TEST_NO_SUCH_KEY_VAR".into()),
        llm_timeout_ms: Some(100),
    };
    let prose = Prose::from_config(&good)
        .expect("valid")
        .expect("configured");
    assert_eq!(prose.url, "http://127.0.0.1:9/v1/chat/completions");
    assert_eq!(prose.key, None);
}
