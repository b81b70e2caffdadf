//! Hearth's credentials as Open Badges 3.0 `OpenBadgeCredential`s: a
//! community (its node key) attests that a member was verified in a
//! skill.
//!
//! ```json
//! { "@context": ["https://www.w3.org/ns/credentials/v2",
//!                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!   "id": "urn:hearth:credential:<hex>",
//!   "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!   "issuer": { "id": "did:key:z6Mk…", "type": ["Profile"], "name": "…" },
//!   "validFrom": "2026-12-07T15:00:00Z",
//!   "name": "<skill>",
//!   "credentialSubject": { "id": "did:key:z6Mk…", "type": ["AchievementSubject"],
//!     "achievement": { "id": "urn:hearth:skill:<skill id hex>", "type": ["Achievement"],
//!       "name": "…", "description": "…", "criteria": { "narrative": "…" } } },
//!   "proof": { "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", … } }
//! ```

use serde_json::{Map, Value, json};

use crate::crypto::{Hash, Keypair, PublicKey};
use crate::units::Timestamp;

use super::{CredentialError, did_key, missing, proof, string_field, time, wrong_type};

/// The Verifiable Credentials data model 2.0 context (always first).
pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The Open Badges 3.0 context.
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The prefix of a Hearth credential's id.
pub const CREDENTIAL_ID_PREFIX: &str = "urn:hearth:credential:";
/// The prefix of an achievement's id: the skill's id follows, in hex.
pub const SKILL_ID_PREFIX: &str = "urn:hearth:skill:";

/// What a credential attests: a skill of the issuing community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Achievement {
    /// The skill's id in the community.
    pub skill: Hash,
    /// The skill's name.
    pub name: String,
    /// What the skill is.
    pub description: String,
    /// How a member is verified in it (the endorsement rule), in words.
    pub criteria: String,
}

impl Achievement {
    /// The achievement's id: `urn:hearth:skill:<skill id hex>`.
    pub fn id(&self) -> String {
        format!("{SKILL_ID_PREFIX}{}", self.skill.to_hex())
    }
}

/// A credential whose structure, signature and issuer checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    /// The credential's `id`.
    pub id: String,
    /// The issuer's key: the community's node key.
    pub issuer: PublicKey,
    /// The issuer's did:key.
    pub issuer_did: String,
    /// The issuer's name, as the credential gives it.
    pub issuer_name: Option<String>,
    /// The member's key.
    pub subject: PublicKey,
    /// The member's did:key.
    pub subject_did: String,
    /// The achievement's id.
    pub achievement_id: String,
    /// The skill's id when the achievement is a Hearth skill.
    pub skill: Option<Hash>,
    /// The achievement's name.
    pub achievement_name: String,
    /// When the credential starts to hold.
    pub valid_from: Timestamp,
    /// When it stops holding, if it says (Hearth's credentials do not:
    /// revocation ends them).
    pub valid_until: Option<Timestamp>,
}

impl VerifiedCredential {
    /// Whether the credential's validity period has ended at `now`.
    pub fn expired(&self, now: Timestamp) -> bool {
        self.valid_until.is_some_and(|until| now > until)
    }
}

/// The id of the credential `issuer` gives `subject` for `skill` from
/// `valid_from`: the same facts give the same id.
pub fn credential_id(
    issuer: &PublicKey,
    subject: &PublicKey,
    skill: &Hash,
    valid_from: Timestamp,
) -> String {
    let mut bytes = Vec::with_capacity(104);
    bytes.extend_from_slice(&issuer.0);
    bytes.extend_from_slice(&subject.0);
    bytes.extend_from_slice(&skill.0);
    bytes.extend_from_slice(&valid_from.0.to_be_bytes());
    let id = Hash::of("hearth v1 credential", &bytes);
    format!("{CREDENTIAL_ID_PREFIX}{}", id.to_hex())
}

/// Issues the credential that `issuer` (a community's node key, named
/// `issuer_name`) attests `subject` reached `achievement`, valid from
/// `valid_from`, signed with an `eddsa-jcs-2022` proof created then.
pub fn issue(
    issuer: &Keypair,
    issuer_name: &str,
    subject: &PublicKey,
    achievement: &Achievement,
    valid_from: Timestamp,
) -> Result<Value, CredentialError> {
    let issuer_key = issuer.public();
    let valid_from_text = time::format(valid_from);
    let unsigned = json!({
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id(&issuer_key, subject, &achievement.skill, valid_from),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": did_key::did(&issuer_key),
            "type": ["Profile"],
            "name": issuer_name,
        },
        "validFrom": valid_from_text,
        "name": achievement.name,
        "credentialSubject": {
            "id": did_key::did(subject),
            "type": ["AchievementSubject"],
            "achievement": {
                "id": achievement.id(),
                "type": ["Achievement"],
                "name": achievement.name,
                "description": achievement.description,
                "criteria": { "narrative": achievement.criteria },
            },
        },
    });
    proof::sign(
        &unsigned,
        issuer,
        proof::options(&issuer_key, &valid_from_text),
    )
}

/// Verifies a credential offline: its structure (an Open Badges 3.0
/// credential of an Ed25519 did:key issuer about a did:key subject), its
/// `eddsa-jcs-2022` proof, and that the proof is the issuer's.
pub fn verify(doc: &Value) -> Result<VerifiedCredential, CredentialError> {
    let credential = doc
        .as_object()
        .ok_or_else(|| wrong_type("the credential", "a JSON object"))?;
    check_context(credential.get("@context"))?;
    has_types(
        credential,
        "type",
        &["VerifiableCredential", "OpenBadgeCredential"],
    )?;
    let id = string_field(credential, "id", "id")?.to_string();

    let issuer = object(credential, "issuer", "issuer")?;
    let issuer_did = string_field(issuer, "id", "issuer.id")?.to_string();
    let issuer_key = did_key::parse(&issuer_did)?;
    has_types(issuer, "issuer.type", &["Profile"])?;
    let issuer_name = match issuer.get("name") {
        None => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => return Err(wrong_type("issuer.name", "a string")),
    };

    let valid_from_text = string_field(credential, "validFrom", "validFrom")?;
    let valid_from = time::parse(valid_from_text).ok_or_else(|| CredentialError::InvalidDate {
        field: "validFrom".into(),
        value: valid_from_text.to_string(),
    })?;
    let valid_until = match credential.get("validUntil") {
        None => None,
        Some(Value::String(text)) => {
            Some(
                time::parse(text).ok_or_else(|| CredentialError::InvalidDate {
                    field: "validUntil".into(),
                    value: text.clone(),
                })?,
            )
        }
        Some(_) => return Err(wrong_type("validUntil", "a date-time string")),
    };
    string_field(credential, "name", "name")?;

    let subject = object(credential, "credentialSubject", "credentialSubject")?;
    let subject_did = string_field(subject, "id", "credentialSubject.id")?.to_string();
    let subject_key = did_key::parse(&subject_did)?;
    has_types(subject, "credentialSubject.type", &["AchievementSubject"])?;
    let achievement = object(subject, "achievement", "credentialSubject.achievement")?;
    let achievement_id =
        string_field(achievement, "id", "credentialSubject.achievement.id")?.to_string();
    has_types(
        achievement,
        "credentialSubject.achievement.type",
        &["Achievement"],
    )?;
    let achievement_name =
        string_field(achievement, "name", "credentialSubject.achievement.name")?.to_string();
    let skill = achievement_id
        .strip_prefix(SKILL_ID_PREFIX)
        .map(|hex| {
            hex.parse::<Hash>().map_err(|_| {
                wrong_type(
                    "credentialSubject.achievement.id",
                    "urn:hearth:skill:<64 hex digits>",
                )
            })
        })
        .transpose()?;

    let signed = proof::verify(doc)?;
    if signed.key != issuer_key {
        return Err(CredentialError::IssuerMismatch {
            issuer: issuer_did,
            signer: signed.did,
        });
    }
    Ok(VerifiedCredential {
        id,
        issuer: issuer_key,
        issuer_did,
        issuer_name,
        subject: subject_key,
        subject_did,
        achievement_id,
        skill,
        achievement_name,
        valid_from,
        valid_until,
    })
}

/// The `@context` of a VC 2.0 credential that is an Open Badge: the VC
/// context first, the Open Badges 3.0 context among the rest.
fn check_context(context: Option<&Value>) -> Result<(), CredentialError> {
    let wrong = |reason: &str| CredentialError::WrongContext {
        reason: reason.to_string(),
    };
    let items = match context {
        None => return Err(missing("@context")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(wrong("should be a list of contexts")),
    };
    if items.first().and_then(Value::as_str) != Some(VC_CONTEXT) {
        return Err(wrong(&format!("should start with {VC_CONTEXT}")));
    }
    if !items.iter().any(|item| item.as_str() == Some(OB_CONTEXT)) {
        return Err(wrong(&format!("should include {OB_CONTEXT}")));
    }
    Ok(())
}

/// `map.type` is a list that holds every one of `needed`.
fn has_types(
    map: &Map<String, Value>,
    field: &str,
    needed: &[&str],
) -> Result<(), CredentialError> {
    let expected = || format!("a list holding {}", needed.join(" and "));
    let items = match map.get("type") {
        None => return Err(missing(field)),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(wrong_type(field, &expected())),
    };
    let holds = |name: &&str| items.iter().any(|item| item.as_str() == Some(name));
    if needed.iter().all(holds) {
        Ok(())
    } else {
        Err(wrong_type(field, &expected()))
    }
}

fn object<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    field: &str,
) -> Result<&'a Map<String, Value>, CredentialError> {
    match map.get(name) {
        None => Err(missing(field)),
        Some(Value::Object(inner)) => Ok(inner),
        Some(_) => Err(wrong_type(field, "an object")),
    }
}

#[cfg(test)]
mod tests;
