//! Whether a credential for a verified skill still stands: the answer a
//! node gives a verifier (`GET /v1/credentials/status`), computed from
//! the community's own records of revocations.

use crate::credential::{CredentialStatus, CredentialStatusView, time};
use crate::crypto::{Hash, PublicKey};
use crate::state::StateRead;
use crate::state::store::StoreError;
use crate::units::Timestamp;

use super::tables::*;

fn plain(status: CredentialStatus) -> CredentialStatusView {
    CredentialStatusView {
        status,
        reason: None,
        revoked_at: None,
    }
}

fn revoked(reason: String, at: Timestamp) -> CredentialStatusView {
    CredentialStatusView {
        status: CredentialStatus::Revoked,
        reason: Some(reason),
        revoked_at: Some(time::format(at)),
    }
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
) -> Result<CredentialStatusView, StoreError> {
    let Some(community) = store.community()? else {
        return Ok(plain(CredentialStatus::UnknownIssuer));
    };
    if community.genesis.node != *issuer {
        return Ok(plain(CredentialStatus::UnknownIssuer));
    }
    if super::skill(store, skill)?.is_none() {
        return Ok(plain(CredentialStatus::UnknownSkill));
    }
    Ok(match revoked_since(store, subject, skill, valid_from)? {
        Some(r) => revoked(r.reason, r.at),
        None => plain(CredentialStatus::Valid),
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
) -> Option<CredentialStatusView> {
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
            Some(r) => revoked(r.reason.clone(), r.at),
            None => plain(CredentialStatus::Valid),
        },
    )
}
