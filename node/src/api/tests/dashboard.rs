//! The dashboard's login: a challenge answered once by an active member's
//! signature opens one short session through a one-time URL; replays,
//! wrong keys, strangers and other communities get their codes; `/me`
//! shows nothing without a session. (Expiry of challenges, tokens and
//! sessions is tested on the store with an injected clock.)

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hearth_protocol::request::{LOGIN_CHALLENGE_PATH, LOGIN_PATH, sign_request};
use hearth_protocol::test::keypair;
use hearth_protocol::{Hash, Keypair};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use super::{Fixture, fixture};
use crate::runtime;

/// A signed `POST` of `body` to `path`: a function making the same
/// request as often as called.
fn signed(key: &Keypair, path: &str, body: &Value) -> impl Fn() -> Request<Body> + use<> {
    let bytes = serde_json::to_vec(body).expect("json");
    let headers = sign_request(key, "POST", path, runtime::now(), &bytes);
    let path = path.to_string();
    move || {
        let mut builder = Request::post(&path).header("content-type", "application/json");
        for (name, value) in &headers {
            builder = builder.header(*name, value);
        }
        builder.body(Body::from(bytes.clone())).expect("request")
    }
}

/// A signed `POST` of `body` to `path`.
fn signed_post(key: &Keypair, path: &str, body: &Value) -> Request<Body> {
    signed(key, path, body)()
}

/// A fresh challenge, asked for by `member`.
async fn challenge(f: &Fixture, member: &Keypair) -> String {
    let (status, json) = f
        .call(signed_post(member, LOGIN_CHALLENGE_PATH, &json!({})))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let challenge = json["challenge"].as_str().expect("a challenge").to_string();
    assert_eq!(challenge.len(), 64);
    challenge
}

/// A raw response: status, headers and body text.
async fn raw(f: &Fixture, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = f.app.clone().oneshot(request).await.expect("response");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 24).await.expect("body");
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into(),
    )
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(path);
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn a_member_logs_in_once_and_sees_their_own_page_until_logging_out() {
    let f = fixture().await;
    let alice = f.found().await;
    let did = alice.public().to_did();

    // Without a session /me is refused and shows nothing of anyone.
    let (status, _, text) = raw(&f, get("/me", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        text.contains("hearth dashboard") && !text.contains(&did),
        "{text}"
    );

    let login = signed(
        &alice,
        LOGIN_PATH,
        &json!({ "community": f.community, "challenge": challenge(&f, &alice).await }),
    );
    let (status, grant) = f.call(login()).await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    let path = grant["path"].as_str().expect("a path").to_string();
    assert!(path.starts_with("/login?token="), "{path}");
    assert_eq!(grant["session"], 15 * 60 * 1000);

    // The same signed request again: the challenge is used up.
    let (status, json) = f.call(login()).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unknown_challenge"))
    );

    let (status, headers, _) = raw(&f, get(&path, None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/me");
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=900"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let pair = cookie.split(';').next().expect("pair").to_string();

    // The login URL works once.
    let (status, headers, _) = raw(&f, get(&path, None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers.get(header::SET_COOKIE).is_none());

    let (status, _, text) = raw(&f, get("/me", Some(&pair))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains(&did) && text.contains("data-field=\"balance\""),
        "{text}"
    );
    // The governance page shows a member the community's own proposals.
    let (status, _, text) = raw(&f, get("/", Some(&pair))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("No proposal is open") && text.contains("signed in as"),
        "{text}"
    );

    let (status, _, _) = raw(&f, get("/logout", Some(&pair))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = raw(&f, get("/me", Some(&pair))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A made-up session is no session.
    let forged = format!("hearth_session={}", "ab".repeat(32));
    assert_eq!(
        raw(&f, get("/me", Some(&forged))).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn logins_of_strangers_wrong_keys_and_other_communities_are_refused() {
    let f = fixture().await;
    let alice = f.found().await;
    let stranger = keypair(9);

    // Only a member may ask for a challenge.
    let unsigned = Request::post(LOGIN_CHALLENGE_PATH)
        .body(Body::empty())
        .expect("request");
    let refusals = [
        (unsigned, StatusCode::UNAUTHORIZED, "unsigned_request"),
        (
            signed_post(&stranger, LOGIN_CHALLENGE_PATH, &json!({})),
            StatusCode::FORBIDDEN,
            "not_a_member",
        ),
    ];
    for (request, status, code) in refusals {
        let (got, json) = f.call(request).await;
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{json}"
        );
    }

    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        // Signed by a key that is not a member's.
        (
            signed_post(
                &stranger,
                LOGIN_PATH,
                &json!({ "community": f.community, "challenge": challenge(&f, &alice).await }),
            ),
            StatusCode::FORBIDDEN,
            "not_a_member",
        ),
        // A challenge the node never gave.
        (
            signed_post(
                &alice,
                LOGIN_PATH,
                &json!({ "community": f.community, "challenge": "ab".repeat(32) }),
            ),
            StatusCode::UNAUTHORIZED,
            "unknown_challenge",
        ),
        // Another community's login.
        (
            signed_post(
                &alice,
                LOGIN_PATH,
                &json!({ "community": Hash::of("test", b"elsewhere"), "challenge": challenge(&f, &alice).await }),
            ),
            StatusCode::BAD_REQUEST,
            "wrong_community",
        ),
        (
            Request::post(LOGIN_PATH)
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({ "community": f.community, "challenge": challenge(&f, &alice).await })
                        .to_string(),
                ))
                .expect("request"),
            StatusCode::UNAUTHORIZED,
            "unsigned_request",
        ),
        (
            signed_post(&alice, LOGIN_PATH, &json!({ "challenge": 3 })),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
    ];
    for (request, status, code) in cases {
        let (got, json) = f.call(request).await;
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(code)),
            "{json}"
        );
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // The member's did with the stranger's signature: the signature does
    // not verify, and the challenge it named stays unused.
    let fresh = challenge(&f, &alice).await;
    let body = json!({ "community": f.community, "challenge": fresh });
    let mut forged = signed_post(&stranger, LOGIN_PATH, &body);
    forged.headers_mut().insert(
        hearth_protocol::request::HEADER_DID,
        alice.public().to_did().parse().expect("header"),
    );
    let (status, json) = f.call(forged).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_request_signature"))
    );
    let (status, json) = f.call(signed_post(&alice, LOGIN_PATH, &body)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
