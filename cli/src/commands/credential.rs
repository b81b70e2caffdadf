//! `hearth credential`: check a portable credential (an Open Badges 3.0
//! credential with an `eddsa-jcs-2022` proof) offline, and ask a node
//! whether its community has revoked it.

use std::fmt;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use hearth_protocol::credential::{
    self, CredentialError, CredentialStatus, CredentialStatusView, StatusQuery, VerifiedCredential,
    time,
};
use serde_json::{Value, json};

use crate::api;
use crate::context::{Context, now};
use crate::output::fields;

/// Verify portable credentials: Open Badges a community issued to a member.
///
/// A credential is a W3C Verifiable Credential (an Open Badges 3.0
/// OpenBadgeCredential) that a community signs with its node key for a
/// skill a member was verified in. Anyone can check it without Hearth:
/// its proof is a DataIntegrityProof with the eddsa-jcs-2022 cryptosuite
/// (JSON canonicalization, SHA-256, Ed25519), and the issuer's key is in
/// its did:key.
///
/// Examples:
///   hearth credential verify sourdough.json
///   hearth credential verify sourdough.json --node https://riverside.example
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CredentialArgs {
    #[command(subcommand)]
    command: CredentialCommand,
}

#[derive(Debug, clap::Subcommand)]
enum CredentialCommand {
    /// Check a credential: offline, and with --node also that it was not revoked.
    ///
    /// Offline, the credential must be an Open Badges 3.0 credential
    /// (its @context, types, issuer, subject, achievement and validFrom),
    /// its eddsa-jcs-2022 proof must verify, and the proof must be made by
    /// the issuer's did:key. Any changed field fails, with the reason.
    ///
    /// With --node URL (or HEARTH_NODE), the node is also asked whether the
    /// issuing community revoked the credential, knows the issuer and the
    /// skill; any node that follows the issuing community can answer.
    /// --offline skips that question even when HEARTH_NODE is set.
    ///
    /// Exit status: 0 the credential holds; 1 it does not, and the code
    /// says why (invalid_json, missing_field, wrong_type, wrong_context,
    /// wrong_cryptosuite, malformed_did_key, bad_signature, issuer_mismatch,
    /// expired: past its validUntil; revoked, unknown_issuer, unknown_skill:
    /// the node's answer); 2 the file or the node could not be read.
    ///
    /// Examples:
    ///   hearth credential verify sourdough.json
    ///   hearth credential verify sourdough.json --node http://127.0.0.1:7700
    ///   hearth --json credential verify - < sourdough.json
    #[command(verbatim_doc_comment)]
    Verify {
        /// The credential: a JSON file, or - for standard input.
        file: PathBuf,
        /// Check offline only, even when a node is given.
        #[arg(long)]
        offline: bool,
    },
}

/// A credential that does not hold: exits 1 with `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotValid {
    /// The stable reason (`bad_signature`, `revoked`, …).
    pub code: String,
    /// The sentence for people.
    pub message: String,
}

impl fmt::Display for NotValid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credential refused: {}", self.message)
    }
}

impl std::error::Error for NotValid {}

impl From<CredentialError> for NotValid {
    fn from(err: CredentialError) -> NotValid {
        NotValid {
            code: err.code().to_string(),
            message: err.to_string(),
        }
    }
}

/// Runs `hearth credential`.
pub fn run(ctx: &Context, args: CredentialArgs) -> Result<()> {
    match args.command {
        CredentialCommand::Verify { file, offline } => verify(ctx, &file, offline),
    }
}

fn verify(ctx: &Context, file: &PathBuf, offline: bool) -> Result<()> {
    let text = read(file)?;
    let doc = credential::json::parse(&text).map_err(NotValid::from)?;
    let verified = credential::verify(&doc).map_err(NotValid::from)?;
    if let (Some(until), true) = (verified.valid_until, verified.expired(now()?)) {
        return Err(NotValid {
            code: "expired".into(),
            message: format!("its validity ended at {}", time::format(until)),
        }
        .into());
    }
    let status = match ctx.nodes().first() {
        Some(_) if !offline => Some(ask_node(ctx, &verified)?),
        _ => None,
    };
    let value = report_json(&verified, status.as_ref());
    ctx.out
        .show(&value, || Ok(report_text(&verified, status.as_ref())))?;
    match status {
        Some(status) if status.status != CredentialStatus::Valid => Err(refusal(&status).into()),
        _ => Ok(()),
    }
}

fn read(file: &PathBuf) -> Result<String> {
    if file.as_os_str() == "-" {
        return std::io::read_to_string(std::io::stdin()).context("cannot read standard input");
    }
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

/// Asks the node for the credential's status.
fn ask_node(ctx: &Context, verified: &VerifiedCredential) -> Result<CredentialStatusView> {
    let path = StatusQuery::of(verified).path();
    let value = ctx.client()?.get(&path)?;
    api::decode(value, "credential status")
}

/// Why the node's answer makes the credential not hold.
fn refusal(status: &CredentialStatusView) -> NotValid {
    let message = match status.status {
        CredentialStatus::Valid => "the node says it is valid".to_string(),
        CredentialStatus::Revoked => format!(
            "the issuing community revoked it{}{}",
            status
                .revoked_at
                .as_deref()
                .map(|at| format!(" at {at}"))
                .unwrap_or_default(),
            status
                .reason
                .as_deref()
                .map(|why| format!(": {why}"))
                .unwrap_or_default()
        ),
        CredentialStatus::UnknownIssuer => {
            "the node does not know the issuing community, so it cannot say whether it was revoked"
                .to_string()
        }
        CredentialStatus::UnknownSkill => {
            "the issuing community has no such skill, so the node cannot say whether it was revoked"
                .to_string()
        }
    };
    let message = match (&status.reason, status.status) {
        (Some(reason), CredentialStatus::UnknownIssuer | CredentialStatus::UnknownSkill) => {
            format!("{message} ({reason})")
        }
        _ => message,
    };
    NotValid {
        code: status.status.as_str().to_string(),
        message,
    }
}

fn report_json(verified: &VerifiedCredential, status: Option<&CredentialStatusView>) -> Value {
    json!({
        "valid": status.is_none_or(|s| s.status == CredentialStatus::Valid),
        "id": verified.id,
        "issuer": verified.issuer_did,
        "issuer_name": verified.issuer_name,
        "subject": verified.subject_did,
        "achievement": verified.achievement_id,
        "achievement_name": verified.achievement_name,
        "valid_from": time::format(verified.valid_from),
        "valid_until": verified.valid_until.map(time::format),
        "status": status,
    })
}

fn report_text(verified: &VerifiedCredential, status: Option<&CredentialStatusView>) -> String {
    let issuer = match &verified.issuer_name {
        Some(name) => format!("{name} ({})", verified.issuer_did),
        None => verified.issuer_did.clone(),
    };
    let mut rows = vec![
        ("issuer", issuer),
        ("subject", verified.subject_did.clone()),
        (
            "achievement",
            format!(
                "{} ({})",
                verified.achievement_name, verified.achievement_id
            ),
        ),
        ("valid from", time::format(verified.valid_from)),
    ];
    if let Some(until) = verified.valid_until {
        rows.push(("valid until", time::format(until)));
    }
    let (verdict, checked) = match status {
        None => (
            "valid",
            "signature, issuer key and structure checked offline".to_string(),
        ),
        Some(view) if view.status == CredentialStatus::Valid => (
            "valid",
            "signature, issuer key and structure checked; the node knows of no revocation"
                .to_string(),
        ),
        Some(view) => ("NOT valid", refusal(view).message),
    };
    rows.push(("checked", checked));
    format!("credential {verdict}\n{}", fields(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::credential::Achievement;
    use hearth_protocol::{Hash, Keypair, Timestamp};

    fn verified() -> VerifiedCredential {
        let doc = credential::issue(
            &Keypair::from_seed(&[1; 32]),
            "Riverside",
            &Keypair::from_seed(&[2; 32]).public(),
            &Achievement {
                skill: Hash::of("test", b"skill"),
                name: "Sourdough baking".into(),
                description: "Bakes bread.".into(),
                criteria: "Two endorsements.".into(),
            },
            Timestamp(1_765_119_600_000),
        )
        .expect("issues");
        credential::verify(&doc).expect("verifies")
    }

    #[test]
    fn a_revocation_names_when_and_why() {
        let view = CredentialStatusView {
            status: CredentialStatus::Revoked,
            reason: Some("no longer practising".into()),
            revoked_at: Some("2026-01-02T03:04:05Z".into()),
        };
        assert_eq!(
            refusal(&view),
            NotValid {
                code: "revoked".into(),
                message:
                    "the issuing community revoked it at 2026-01-02T03:04:05Z: no longer practising"
                        .into(),
            }
        );
        let text = report_text(&verified(), Some(&view));
        assert!(text.starts_with("credential NOT valid\n"), "{text}");
        assert!(text.contains("no longer practising"), "{text}");
    }

    #[test]
    fn the_report_says_what_the_credential_attests() {
        let verified = verified();
        let text = report_text(&verified, None);
        assert!(text.starts_with("credential valid\n"), "{text}");
        assert!(
            text.contains(&format!("Riverside ({})", verified.issuer_did)),
            "{text}"
        );
        assert!(text.contains("valid from   2025-12-07T15:00:00Z"), "{text}");
        let value = report_json(&verified, None);
        assert_eq!(value["valid"], true);
        assert_eq!(value["achievement_name"], "Sourdough baking");
        assert_eq!(value["status"], Value::Null);
    }
}
