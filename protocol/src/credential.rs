//! Portable credentials: what a community attests about a member (a skill
//! they were verified in), in a form anyone can check without Hearth.
//!
//! A credential is an Open Badges 3.0 `OpenBadgeCredential`, a W3C
//! Verifiable Credential (data model 2.0) whose issuer is the
//! community's `did:key` and whose subject is the member's. It carries a
//! `DataIntegrityProof` with the `eddsa-jcs-2022` cryptosuite: the
//! credential and the proof options are canonicalized with JCS
//! (RFC 8785), hashed with SHA-256 and signed with the issuer's Ed25519
//! key. Any verifier that implements those W3C specifications accepts it.
//!
//! - [`json`]: reading a credential's text strictly (no duplicate names);
//! - [`jcs`]: RFC 8785 canonicalization;
//! - [`did_key`]: `did:key` identifiers and verification methods;
//! - [`proof`]: the `eddsa-jcs-2022` proof, signing and verifying;
//! - [`open_badge`]: issuing and verifying Hearth's credentials;
//! - [`status`]: what a node answers when asked whether a credential was
//!   revoked (the types node and CLI share);
//! - [`time`]: the RFC 3339 times credentials carry.

pub mod did_key;
pub mod jcs;
pub mod json;
pub mod open_badge;
pub mod proof;
pub mod status;
pub mod time;

pub use open_badge::{Achievement, VerifiedCredential, issue, verify};
pub use status::{CredentialStatus, CredentialStatusView, ParsedQuery, StatusQuery};

/// Why a credential was refused. Each variant has a stable
/// [`code`](CredentialError::code) and says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The text is not JSON, or names a member twice in one object.
    #[error("the credential is not valid JSON: {reason}")]
    InvalidJson { reason: String },
    /// A required field is absent.
    #[error("the credential has no `{field}`")]
    MissingField { field: String },
    /// A field is present but of the wrong kind or value.
    #[error("`{field}` should be {expected}")]
    WrongType { field: String, expected: String },
    /// The `@context` is not the one an Open Badges 3.0 credential has.
    #[error("`@context` {reason}")]
    WrongContext { reason: String },
    /// The proof is not a `DataIntegrityProof`.
    #[error("the proof's type is `{found}`, not DataIntegrityProof")]
    WrongProofType { found: String },
    /// The proof uses another cryptosuite.
    #[error("the proof's cryptosuite is `{found}`, not eddsa-jcs-2022")]
    WrongCryptosuite { found: String },
    /// The proof is not the issuer's assertion.
    #[error("the proof's purpose is `{found}`, not assertionMethod")]
    WrongProofPurpose { found: String },
    /// The proof's `@context` is not the start of the credential's.
    #[error("the proof's `@context` is not the start of the credential's `@context`")]
    ContextMismatch,
    /// A `did:key` that does not name a valid Ed25519 key.
    #[error("`{did}` is not a valid Ed25519 did:key ({reason})")]
    MalformedDidKey { did: String, reason: String },
    /// The proof's verification method is not a did:key key id.
    #[error("the verification method `{method}` is not a did:key key id (did:key:z…#z…)")]
    MalformedVerificationMethod { method: String },
    /// The proof value is not a multibase base58btc Ed25519 signature.
    #[error("the proof value is malformed: {reason}")]
    MalformedProofValue { reason: String },
    /// A date-time that is not RFC 3339 with an offset.
    #[error("`{field}` is not an RFC 3339 date-time: `{value}`")]
    InvalidDate { field: String, value: String },
    /// The proof verifies, but by a key that is not the issuer's.
    #[error("the proof was made by {signer}, not by the issuer {issuer}")]
    IssuerMismatch { issuer: String, signer: String },
    /// The signature does not verify: a field was changed after signing,
    /// or the proof was made by another key than it names.
    #[error(
        "the signature does not verify: the credential was changed after it was signed, or signed by another key"
    )]
    BadSignature,
    /// The document cannot be canonicalized (JCS).
    #[error("the credential cannot be canonicalized: {reason}")]
    Canonicalization { reason: String },
}

impl CredentialError {
    /// A stable, machine-readable code for this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            CredentialError::InvalidJson { .. } => "invalid_json",
            CredentialError::MissingField { .. } => "missing_field",
            CredentialError::WrongType { .. } => "wrong_type",
            CredentialError::WrongContext { .. } => "wrong_context",
            CredentialError::WrongProofType { .. } => "wrong_proof_type",
            CredentialError::WrongCryptosuite { .. } => "wrong_cryptosuite",
            CredentialError::WrongProofPurpose { .. } => "wrong_proof_purpose",
            CredentialError::ContextMismatch => "context_mismatch",
            CredentialError::MalformedDidKey { .. } => "malformed_did_key",
            CredentialError::MalformedVerificationMethod { .. } => "malformed_verification_method",
            CredentialError::MalformedProofValue { .. } => "malformed_proof_value",
            CredentialError::InvalidDate { .. } => "invalid_date",
            CredentialError::IssuerMismatch { .. } => "issuer_mismatch",
            CredentialError::BadSignature => "bad_signature",
            CredentialError::Canonicalization { .. } => "canonicalization",
        }
    }
}

/// A missing field, named by its path in the credential.
pub(crate) fn missing(field: &str) -> CredentialError {
    CredentialError::MissingField {
        field: field.to_string(),
    }
}

/// A field of the wrong kind, named by its path.
pub(crate) fn wrong_type(field: &str, expected: &str) -> CredentialError {
    CredentialError::WrongType {
        field: field.to_string(),
        expected: expected.to_string(),
    }
}

/// The string member `name` of `map`; `field` is its path for the error.
pub(crate) fn string_field<'a>(
    map: &'a serde_json::Map<String, serde_json::Value>,
    name: &str,
    field: &str,
) -> Result<&'a str, CredentialError> {
    match map.get(name) {
        None => Err(missing(field)),
        Some(serde_json::Value::String(text)) => Ok(text),
        Some(_) => Err(wrong_type(field, "a string")),
    }
}
