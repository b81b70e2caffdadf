//! Signed HTTP requests: how a member proves who reads local-log data.
//!
//! The member signs the hash of (method, path with query, time, blake3 of
//! the body). The node accepts a signature within [`REQUEST_WINDOW`] of its
//! own clock, once.

use crate::crypto::{Hash, Keypair, PublicKey, Signature, hex};
use crate::units::{Millis, Timestamp};

/// Domain-separation context of signed requests.
pub const REQUEST_CONTEXT: &str = "hearth v1 request";

/// Header carrying the member's did.
pub const HEADER_DID: &str = "hearth-did";
/// Header carrying the request time (milliseconds since the epoch).
pub const HEADER_TIME: &str = "hearth-time";
/// Header carrying the signature (128 hex digits).
pub const HEADER_SIGNATURE: &str = "hearth-signature";

/// How far a request's time may be from the node's clock.
pub const REQUEST_WINDOW: Millis = Millis::secs(300);

/// The id a member signs for a request.
pub fn request_id(method: &str, path_and_query: &str, time: Timestamp, body: &[u8]) -> Hash {
    let text = format!(
        "{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        path_and_query,
        time.0,
        hex(blake3::hash(body).as_bytes())
    );
    Hash::of(REQUEST_CONTEXT, text.as_bytes())
}

/// The three header values for a signed request.
pub fn sign_request(
    key: &Keypair,
    method: &str,
    path_and_query: &str,
    time: Timestamp,
    body: &[u8],
) -> [(&'static str, String); 3] {
    let signature = key.sign(&request_id(method, path_and_query, time, body));
    [
        (HEADER_DID, key.public().to_did()),
        (HEADER_TIME, time.0.to_string()),
        (HEADER_SIGNATURE, hex(&signature.0)),
    ]
}

/// Parses 128 hex digits into a signature.
pub fn parse_signature(text: &str) -> Option<Signature> {
    // Hex digits only: `from_str_radix` alone would also take a sign
    // (`+f` for `0f`), giving one signature several spellings.
    if text.len() != 128 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 64];
    for (i, chunk) in text.as_bytes().chunks(2).enumerate() {
        let digits = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(digits, 16).ok()?;
    }
    Some(Signature(out))
}

/// Why a signed request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A header is missing or malformed.
    #[error("the request signature headers are missing or malformed: {0}")]
    Malformed(&'static str),
    /// The request time is outside the window.
    #[error("the request time is more than {window} from the node's clock")]
    Stale {
        /// The window.
        window: Millis,
    },
    /// The signature does not verify.
    #[error("the request signature does not verify")]
    BadSignature,
}

/// Checks a signed request's headers against the node's clock `now`;
/// returns the signer and the signature (for the caller's replay cache).
pub fn verify_request(
    did: &str,
    time: &str,
    signature: &str,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<(PublicKey, Signature), RequestError> {
    let key = PublicKey::from_did(did).map_err(|_| RequestError::Malformed("hearth-did"))?;
    let time = Timestamp(
        time.parse()
            .map_err(|_| RequestError::Malformed("hearth-time"))?,
    );
    let signature =
        parse_signature(signature).ok_or(RequestError::Malformed("hearth-signature"))?;
    if time.0.abs_diff(now.0) > REQUEST_WINDOW.0 {
        return Err(RequestError::Stale {
            window: REQUEST_WINDOW,
        });
    }
    key.verify(&request_id(method, path_and_query, time, body), &signature)
        .map_err(|_| RequestError::BadSignature)?;
    Ok((key, signature))
}

/// `POST` here for a dashboard login challenge ([`LoginChallenge`]).
pub const LOGIN_CHALLENGE_PATH: &str = "/v1/dashboard/challenge";
/// `POST` a [`LoginRequest`] here, signed as a request by the member
/// (see [`sign_request`]), for a one-time login URL ([`LoginGrant`]).
pub const LOGIN_PATH: &str = "/v1/dashboard/login";

/// A fresh login challenge: 64 hex digits, answered once before `expires`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginChallenge {
    /// The challenge (32 random bytes as hex).
    pub challenge: String,
    /// When it can no longer be answered.
    pub expires: Timestamp,
}

/// What a member signs to log in to the dashboard: the community and the
/// challenge, as the body of a signed request to [`LOGIN_PATH`] (the
/// request context and path separate it from every other signature).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginRequest {
    /// The community logged in to.
    pub community: Hash,
    /// The challenge, as issued.
    pub challenge: String,
}

/// A one-time login URL for the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginGrant {
    /// Path and query of the login URL on the node (`/login?token=…`).
    pub path: String,
    /// When the URL stops working (it works once).
    pub expires: Timestamp,
    /// How long the session it opens lasts, in milliseconds.
    pub session: Millis,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::keypair;

    #[test]
    fn a_signed_request_verifies_only_as_signed() {
        let key = keypair(1);
        let [(_, did), (_, time), (_, sig)] =
            sign_request(&key, "get", "/v1/accounts/x?y=1", Timestamp(10_000), b"");
        let now = Timestamp(20_000);
        let ok = verify_request(&did, &time, &sig, "GET", "/v1/accounts/x?y=1", b"", now);
        assert_eq!(ok.map(|(k, _)| k), Ok(key.public()));
        let other_path = verify_request(&did, &time, &sig, "GET", "/v1/accounts/z", b"", now);
        assert_eq!(other_path, Err(RequestError::BadSignature));
        let other_body = verify_request(&did, &time, &sig, "GET", "/v1/accounts/x?y=1", b"x", now);
        assert_eq!(other_body, Err(RequestError::BadSignature));
        let late = Timestamp(10_000 + REQUEST_WINDOW.0 + 1);
        let stale = verify_request(&did, &time, &sig, "GET", "/v1/accounts/x?y=1", b"", late);
        assert!(matches!(stale, Err(RequestError::Stale { .. })));
        let garbled = verify_request("did:key:zxx", &time, &sig, "GET", "/", b"", now);
        assert_eq!(garbled, Err(RequestError::Malformed("hearth-did")));
    }

    #[test]
    fn a_signature_is_hex_digits_only() {
        // A byte `0f` written `+f` (found by the `signed_request` fuzz
        // target): `u8::from_str_radix` alone reads it as 15, so the
        // signature header had several spellings.
        let digits = format!("0f{}", "ab".repeat(63));
        let signed = format!("+f{}", "ab".repeat(63));
        let mut expected = [0xab; 64];
        expected[0] = 0x0f;
        assert_eq!(parse_signature(&digits), Some(Signature(expected)));
        assert_eq!(parse_signature(&signed), None);
        assert_eq!(parse_signature(&format!("-f{}", "ab".repeat(63))), None);
        assert_eq!(
            parse_signature(&digits.to_ascii_uppercase()),
            Some(Signature(expected))
        );
    }
}
