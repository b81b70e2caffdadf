//! `DataIntegrityProof`s with the `eddsa-jcs-2022` cryptosuite, as the
//! W3C "Data Integrity EdDSA Cryptosuites v1.0" Recommendation defines
//! them (§3.3):
//!
//! 1. proof configuration: the proof options (`type`
//!    `DataIntegrityProof`, `cryptosuite`, `created`,
//!    `verificationMethod`, `proofPurpose`) with the document's
//!    `@context` copied in, canonicalized with JCS (RFC 8785);
//! 2. transformation: JCS of the document without its `proof`;
//! 3. hashing: SHA-256 of the canonical proof configuration, followed by
//!    SHA-256 of the canonical document (64 bytes);
//! 4. serialization: a pure Ed25519 signature over those 64 bytes,
//!    written as `proofValue` in multibase base58btc (`z…`).
//!
//! Verification takes the proof off, checks that its `@context` is the
//! start of the document's, and redoes the steps with the key the
//! `did:key` verification method names.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::crypto::{Keypair, PublicKey, Signature};

use super::{CredentialError, did_key, jcs, missing, string_field, time, wrong_type};

/// The proof type.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The proof purpose of a credential's proof: the issuer asserts it.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// A proof that verified: who signed, when they say, and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The signing key.
    pub key: PublicKey,
    /// The did:key of the signing key (the verification method without
    /// its fragment).
    pub did: String,
    /// The proof's `created`, as written.
    pub created: Option<String>,
}

/// The proof options of a signature by `key` at `created` (RFC 3339).
pub fn options(key: &PublicKey, created: &str) -> Map<String, Value> {
    let mut options = Map::new();
    options.insert("type".into(), PROOF_TYPE.into());
    options.insert("cryptosuite".into(), CRYPTOSUITE.into());
    options.insert("created".into(), created.into());
    options.insert(
        "verificationMethod".into(),
        did_key::verification_method(key).into(),
    );
    options.insert("proofPurpose".into(), ASSERTION_METHOD.into());
    options
}

/// Adds an `eddsa-jcs-2022` proof by `signer` to `unsecured`, an object
/// without a `proof`, with the given proof `options` (see [`options`]).
/// Returns the secured document.
pub fn sign(
    unsecured: &Value,
    signer: &Keypair,
    options: Map<String, Value>,
) -> Result<Value, CredentialError> {
    let document = object(unsecured, "the document")?;
    if document.contains_key("proof") {
        return Err(wrong_type("proof", "absent from a document to sign"));
    }
    let mut proof = options;
    if let Some(context) = document.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let config = proof_configuration(&proof)?;
    let transformed = transformation(unsecured, &proof)?;
    let hash_data = hashing(&transformed, &config);
    let signature = signer.sign_message(&hash_data);
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature.0).into_string()).into(),
    );
    let mut secured = document.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// Verifies the single `eddsa-jcs-2022` proof of `secured`, made for the
/// purpose `assertionMethod` by the did:key its verification method
/// names.
pub fn verify(secured: &Value) -> Result<VerifiedProof, CredentialError> {
    let document = object(secured, "the document")?;
    let proof = match document.get("proof") {
        None => return Err(missing("proof")),
        Some(Value::Object(proof)) => proof,
        Some(_) => return Err(wrong_type("proof", "one proof object")),
    };
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    let mut proof_options = proof.clone();
    let proof_value = match proof_options.remove("proofValue") {
        None => return Err(missing("proof.proofValue")),
        Some(Value::String(text)) => text,
        Some(_) => return Err(wrong_type("proof.proofValue", "a string")),
    };
    let signature = decode_proof_value(&proof_value)?;
    check_options(&proof_options)?;
    if let Some(proof_context) = proof_options.get("@context") {
        if !context_starts_with(unsecured.get("@context"), proof_context) {
            return Err(CredentialError::ContextMismatch);
        }
        unsecured.insert("@context".into(), proof_context.clone());
    }
    let unsecured = Value::Object(unsecured);
    let transformed = transformation(&unsecured, &proof_options)?;
    let config = proof_configuration(&proof_options)?;
    let hash_data = hashing(&transformed, &config);
    let method = string(&proof_options, "proof.verificationMethod")?;
    let (did, key) = did_key::parse_verification_method(method)?;
    key.verify_message(&hash_data, &signature)
        .map_err(|_| CredentialError::BadSignature)?;
    Ok(VerifiedProof {
        key,
        did,
        created: proof_options
            .get("created")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The canonical proof configuration (spec §3.3.5): the options checked
/// and canonicalized.
pub fn proof_configuration(options: &Map<String, Value>) -> Result<Vec<u8>, CredentialError> {
    check_suite(options)?;
    if let Some(created) = options.get("created") {
        let text = created
            .as_str()
            .ok_or_else(|| wrong_type("proof.created", "a date-time string"))?;
        time::parse(text).ok_or_else(|| CredentialError::InvalidDate {
            field: "proof.created".into(),
            value: text.to_string(),
        })?;
    }
    jcs::canonicalize(&Value::Object(options.clone()))
}

/// The transformed document (spec §3.3.3): JCS of the unsecured document.
pub fn transformation(
    unsecured: &Value,
    options: &Map<String, Value>,
) -> Result<Vec<u8>, CredentialError> {
    check_suite(options)?;
    jcs::canonicalize(unsecured)
}

/// The hash data (spec §3.3.4): SHA-256 of the canonical proof
/// configuration, then SHA-256 of the transformed document.
pub fn hashing(transformed: &[u8], canonical_config: &[u8]) -> [u8; 64] {
    let mut out = [0; 64];
    out[..32].copy_from_slice(&Sha256::digest(canonical_config));
    out[32..].copy_from_slice(&Sha256::digest(transformed));
    out
}

/// The proof's `type`, `cryptosuite` and `proofPurpose`, and a
/// `verificationMethod` that is there.
fn check_options(options: &Map<String, Value>) -> Result<(), CredentialError> {
    check_suite(options)?;
    let purpose = string(options, "proof.proofPurpose")?;
    if purpose != ASSERTION_METHOD {
        return Err(CredentialError::WrongProofPurpose {
            found: purpose.to_string(),
        });
    }
    string(options, "proof.verificationMethod")?;
    Ok(())
}

fn check_suite(options: &Map<String, Value>) -> Result<(), CredentialError> {
    let kind = string(options, "proof.type")?;
    if kind != PROOF_TYPE {
        return Err(CredentialError::WrongProofType {
            found: kind.to_string(),
        });
    }
    let suite = string(options, "proof.cryptosuite")?;
    if suite != CRYPTOSUITE {
        return Err(CredentialError::WrongCryptosuite {
            found: suite.to_string(),
        });
    }
    Ok(())
}

/// The 64 signature bytes of a `z…` base58btc multibase proof value.
fn decode_proof_value(text: &str) -> Result<Signature, CredentialError> {
    let malformed = |reason: &str| CredentialError::MalformedProofValue {
        reason: reason.to_string(),
    };
    let rest = text
        .strip_prefix('z')
        .ok_or_else(|| malformed("expected multibase base58btc (a leading z)"))?;
    let bytes = bs58::decode(rest)
        .into_vec()
        .map_err(|_| malformed("not base58btc"))?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|_| malformed("an Ed25519 signature has 64 bytes"))?;
    Ok(Signature(bytes))
}

/// Whether the document's `@context` starts with every value of the
/// proof's, in order (spec §3.3.2 step 4).
fn context_starts_with(document: Option<&Value>, proof: &Value) -> bool {
    let as_list = |value: &Value| match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let Some(document) = document else {
        return false;
    };
    let (document, proof) = (as_list(document), as_list(proof));
    document.len() >= proof.len() && document[..proof.len()] == proof[..]
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map<String, Value>, CredentialError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(what, "a JSON object"))
}

fn string<'a>(map: &'a Map<String, Value>, field: &str) -> Result<&'a str, CredentialError> {
    string_field(map, field.rsplit('.').next().unwrap_or(field), field)
}

#[cfg(test)]
mod tests;
