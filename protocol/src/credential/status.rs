//! Whether a credential still stands: the question a verifier asks a
//! node (`GET /v1/credentials/status`) and its answer. Revocations are
//! records of the issuing community's public log, so any node of the
//! network that follows that community can answer.

use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::units::Timestamp;

use super::open_badge::SKILL_ID_PREFIX;
use super::{CredentialError, VerifiedCredential, did_key, time};

/// The route a node answers credential status queries on.
pub const STATUS_PATH: &str = "/v1/credentials/status";

/// The query: which credential, named by what it says (its issuer,
/// subject, achievement and validity start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusQuery {
    /// The issuing community's did:key.
    pub issuer: String,
    /// The member's did:key.
    pub subject: String,
    /// The achievement's id (`urn:hearth:skill:<skill id hex>`).
    pub achievement: String,
    /// The credential's `validFrom`, RFC 3339 in UTC.
    pub valid_from: String,
}

impl StatusQuery {
    /// The query for a verified credential (its `validFrom` normalized to
    /// UTC).
    pub fn of(credential: &VerifiedCredential) -> StatusQuery {
        StatusQuery {
            issuer: credential.issuer_did.clone(),
            subject: credential.subject_did.clone(),
            achievement: credential.achievement_id.clone(),
            valid_from: time::format(credential.valid_from),
        }
    }

    /// The query read back, as a node answering it needs it: the
    /// issuer's and subject's keys, the skill id and the validity start.
    pub fn parse(&self) -> Result<ParsedQuery, CredentialError> {
        let skill = self
            .achievement
            .strip_prefix(SKILL_ID_PREFIX)
            .and_then(|hex| hex.parse::<Hash>().ok())
            .ok_or_else(|| CredentialError::WrongType {
                field: "achievement".into(),
                expected: "urn:hearth:skill:<64 hex digits>".into(),
            })?;
        let valid_from =
            time::parse(&self.valid_from).ok_or_else(|| CredentialError::InvalidDate {
                field: "valid_from".into(),
                value: self.valid_from.clone(),
            })?;
        Ok(ParsedQuery {
            issuer: did_key::parse(&self.issuer)?,
            subject: did_key::parse(&self.subject)?,
            skill,
            valid_from,
        })
    }

    /// The path and query string to ask, percent-encoded
    /// (`/v1/credentials/status?issuer=…&subject=…&achievement=…&valid_from=…`).
    pub fn path(&self) -> String {
        format!(
            "{STATUS_PATH}?issuer={}&subject={}&achievement={}&valid_from={}",
            encode(&self.issuer),
            encode(&self.subject),
            encode(&self.achievement),
            encode(&self.valid_from)
        )
    }
}

/// A [`StatusQuery`] read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedQuery {
    /// The issuing community's node key.
    pub issuer: PublicKey,
    /// The member's key.
    pub subject: PublicKey,
    /// The skill's id in the issuing community.
    pub skill: Hash,
    /// The credential's validity start.
    pub valid_from: Timestamp,
}

/// What a node says about a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialStatus {
    /// Issued by a community the node knows, for a skill it knows, and
    /// not revoked.
    Valid,
    /// The community revoked the verification the credential attests.
    Revoked,
    /// The node does not know the issuing community.
    UnknownIssuer,
    /// The issuing community has no such skill.
    UnknownSkill,
}

impl CredentialStatus {
    /// The status as the API writes it (`valid`, `revoked`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialStatus::Valid => "valid",
            CredentialStatus::Revoked => "revoked",
            CredentialStatus::UnknownIssuer => "unknown_issuer",
            CredentialStatus::UnknownSkill => "unknown_skill",
        }
    }
}

/// The answer of `GET /v1/credentials/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialStatusView {
    /// The credential's status.
    pub status: CredentialStatus,
    /// Why it was revoked (the council's reason), or why the node cannot
    /// tell.
    pub reason: Option<String>,
    /// When it was revoked, RFC 3339.
    pub revoked_at: Option<String>,
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_percent_encoded() {
        let query = StatusQuery {
            issuer: "did:key:z6MkA".into(),
            subject: "did:key:z6MkB".into(),
            achievement: "urn:hearth:skill:ab".into(),
            valid_from: "2026-12-07T15:00:00+01:00".into(),
        };
        assert_eq!(
            query.path(),
            "/v1/credentials/status?issuer=did%3Akey%3Az6MkA&subject=did%3Akey%3Az6MkB\
             &achievement=urn%3Ahearth%3Askill%3Aab&valid_from=2026-12-07T15%3A00%3A00%2B01%3A00"
        );
    }

    #[test]
    fn a_query_reads_back_what_the_credential_says() {
        use crate::credential::{Achievement, issue, verify};
        use crate::crypto::Keypair;
        let community = Keypair::from_seed(&[1; 32]);
        let member = Keypair::from_seed(&[2; 32]).public();
        let skill = Hash::of("test", b"skill");
        let achievement = Achievement {
            skill,
            name: "Weaving".into(),
            description: String::new(),
            criteria: String::new(),
        };
        let doc = issue(
            &community,
            "Riverside",
            &member,
            &achievement,
            Timestamp(1_000),
        )
        .expect("issues");
        let query = StatusQuery::of(&verify(&doc).expect("verifies"));
        assert_eq!(query.valid_from, "1970-01-01T00:00:01Z");
        assert_eq!(
            query.parse(),
            Ok(ParsedQuery {
                issuer: community.public(),
                subject: member,
                skill,
                valid_from: Timestamp(1_000),
            })
        );
        let bad = StatusQuery {
            achievement: "urn:other:1".into(),
            ..query.clone()
        };
        assert_eq!(bad.parse().map_err(|e| e.code()), Err("wrong_type"));
        let bad = StatusQuery {
            valid_from: "tomorrow".into(),
            ..query.clone()
        };
        assert_eq!(bad.parse().map_err(|e| e.code()), Err("invalid_date"));
        let bad = StatusQuery {
            issuer: "did:key:nope".into(),
            ..query
        };
        assert_eq!(bad.parse().map_err(|e| e.code()), Err("malformed_did_key"));
    }

    #[test]
    fn the_answer_reads_as_the_api_writes_it() {
        let view: CredentialStatusView = serde_json::from_str(
            r#"{"status":"revoked","reason":"no longer practising","revoked_at":"2026-12-07T15:00:00Z"}"#,
        )
        .expect("parses");
        assert_eq!(view.status, CredentialStatus::Revoked);
        assert_eq!(view.status.as_str(), "revoked");
        for status in ["valid", "unknown_issuer", "unknown_skill"] {
            let view: CredentialStatusView = serde_json::from_str(&format!(
                r#"{{"status":"{status}","reason":null,"revoked_at":null}}"#
            ))
            .expect("parses");
            assert_eq!(view.status.as_str(), status);
        }
    }
}
