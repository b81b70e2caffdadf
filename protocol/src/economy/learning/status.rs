//! Whether a credential for a verified skill still stands: the answer a
//! node gives a verifier (`GET /v1/credentials/status`), computed from
//! the community's own records of revocations.

use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::state::StateRead;
use crate::state::store::StoreError;
use crate::units::{Timestamp, days_from_civil};

use super::tables::*;

/// The URN prefix of a skill as a credential's achievement.
pub const ACHIEVEMENT_PREFIX: &str = "urn:hearth:skill:";

/// Where a credential stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Not revoked.
    Valid,
    /// The community revoked the verification at or after the credential's
    /// `validFrom`.
    Revoked,
    /// The issuer is not this community's did:key.
    UnknownIssuer,
    /// The community has no such skill.
    UnknownSkill,
}

/// The answer to a credential status request.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CredentialStatus {
    /// Where it stands.
    pub status: StatusKind,
    /// The revocation's reason (the council decision's text).
    pub reason: Option<String>,
    /// When it was revoked (RFC 3339, UTC).
    pub revoked_at: Option<String>,
}

impl CredentialStatus {
    fn plain(status: StatusKind) -> CredentialStatus {
        CredentialStatus {
            status,
            reason: None,
            revoked_at: None,
        }
    }
}

/// The skill id an achievement URN (`urn:hearth:skill:<hex>`) names.
pub fn achievement_skill(urn: &str) -> Option<Hash> {
    urn.strip_prefix(ACHIEVEMENT_PREFIX)?.parse().ok()
}

/// The achievement URN of a skill.
pub fn achievement_urn(skill: &Hash) -> String {
    format!("{ACHIEVEMENT_PREFIX}{skill}")
}

/// Whether a credential `issuer` gave `subject` for `skill`, valid from
/// `valid_from`, stands: revoked iff the community whose node key is the
/// issuer revoked the subject's verification of the skill at or after
/// `valid_from`.
pub fn credential_status<S: StateRead + ?Sized>(
    store: &S,
    issuer: &PublicKey,
    subject: &PublicKey,
    skill: &Hash,
    valid_from: Timestamp,
) -> Result<CredentialStatus, StoreError> {
    let Some(community) = store.community()? else {
        return Ok(CredentialStatus::plain(StatusKind::UnknownIssuer));
    };
    if community.genesis.node != *issuer {
        return Ok(CredentialStatus::plain(StatusKind::UnknownIssuer));
    }
    if super::skill(store, skill)?.is_none() {
        return Ok(CredentialStatus::plain(StatusKind::UnknownSkill));
    }
    Ok(match revoked_since(store, subject, skill, valid_from)? {
        Some(r) => CredentialStatus {
            status: StatusKind::Revoked,
            reason: Some(r.reason),
            revoked_at: Some(r.at.to_string()),
        },
        None => CredentialStatus::plain(StatusKind::Valid),
    })
}

/// Whether a credential another community of the network issued stands,
/// from the revocations that community mirrored into its public log (the
/// federation view a node keeps). `None` when no community of the view has
/// `issuer` as its node key. Another community's skill graph is local-log
/// data, so an unknown skill is not told apart here: not revoked is valid.
pub fn federated_status(
    view: &crate::federation::FederationView,
    issuer: &PublicKey,
    subject: &PublicKey,
    skill: &Hash,
    valid_from: Timestamp,
) -> Option<CredentialStatus> {
    let index = view
        .communities
        .values()
        .find(|c| c.node.as_ref() == Some(issuer))?;
    Some(
        match index
            .revocations
            .iter()
            .find(|r| r.member == *subject && r.skill == *skill && r.at >= valid_from)
        {
            Some(r) => CredentialStatus {
                status: StatusKind::Revoked,
                reason: Some(r.reason.clone()),
                revoked_at: Some(r.at.to_string()),
            },
            None => CredentialStatus::plain(StatusKind::Valid),
        },
    )
}

/// Parses an RFC 3339 time (`2026-12-07T15:30:00Z`, fractions of a
/// second and `±HH:MM` offsets allowed) to a timestamp, to the
/// millisecond (finer digits are dropped). None if malformed or before 1970.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let mut first3: String = frac[..digits].chars().take(3).collect();
        while first3.len() < 3 {
            first3.push('0');
        }
        millis = first3.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m) = (num_of(&rest[1..3])?, num_of(&rest[4..6])?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 60 + m)
        }
    };
    let days = days_from_civil(year, month as u32, day as u32);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
    let ms = secs.checked_mul(1000)?.checked_add(millis)?;
    u64::try_from(ms).ok().map(Timestamp)
}

fn num_of(s: &str) -> Option<i64> {
    s.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| s.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse_to_the_millisecond() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(Timestamp(0)));
        let t = Timestamp(1_714_567_890_123);
        assert_eq!(parse_rfc3339(&t.to_string()), Some(t));
        assert_eq!(
            parse_rfc3339("2024-05-01T14:51:30.123456+02:00"),
            Some(Timestamp(1_714_567_890_123))
        );
        for bad in [
            "",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2024-05-01T00:00:00",
            "1969-12-31T23:59:59Z",
            "2024-05-01T00:00:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn achievements_name_skills_by_urn() {
        let skill = Hash([7; 32]);
        assert_eq!(achievement_skill(&achievement_urn(&skill)), Some(skill));
        assert_eq!(achievement_skill("urn:hearth:skill:zz"), None);
        assert_eq!(achievement_skill("urn:other:x"), None);
    }
}
