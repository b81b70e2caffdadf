//! `hearth audit` in the protocol: verify every public log of an export
//! (every entry's chain and node signature, every action signature, every
//! equivocation proof), recompute every regional and network tally and
//! compare it with the communities' attestations.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::crypto::{Hash, KeyCache, PublicKey};
use crate::governance::Level;
use crate::log::{EntryBody, Head, LogId, LogKind, SignedEntry};
use crate::units::Timestamp;

use super::export::{ExportError, ExportRecord};
use super::genesis::SignedNetwork;
use super::records::EquivocationProof;
use super::tally::Tallier;
use super::view::{CommunityLog, FederationView};

/// What the audit found about one public log.
#[derive(Clone, Debug, Serialize)]
pub struct LogAudit {
    /// The community.
    pub community: Hash,
    /// Its node key as the export gave it.
    pub node: PublicKey,
    /// Entries that verified, from seq 0.
    pub verified: u64,
    /// The head of the verified part.
    pub head: Option<Head>,
    /// The first problem, if the log stops verifying (nothing after it is used).
    pub error: Option<String>,
    /// Frozen at this seq by a valid equivocation proof.
    pub fork: Option<u64>,
}

/// What the audit found about one proposal.
#[derive(Clone, Debug, Serialize)]
pub struct ProposalAudit {
    /// The proposal.
    pub id: Hash,
    /// Its title.
    pub title: String,
    /// Its level.
    pub level: Level,
    /// Whether the recomputed tally is final.
    pub is_final: bool,
    /// Whether it passed (recomputed).
    pub passed: bool,
    /// The recomputed result hash.
    pub result: Hash,
    /// Each attesting community, its hash, and whether it matches.
    pub attestations: Vec<(Hash, Hash, bool)>,
    /// The certified hash, if two thirds attested one.
    pub certified: Option<Hash>,
    /// Whether anything disagrees with the recomputation.
    pub mismatch: bool,
}

/// The whole audit.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    /// The network.
    pub network: Hash,
    /// Its name.
    pub name: String,
    /// Per public log.
    pub logs: Vec<LogAudit>,
    /// Valid equivocation proofs: (community, seq).
    pub forks: Vec<(Hash, u64)>,
    /// Proofs that did not verify.
    pub bad_proofs: u64,
    /// Entries verified.
    pub entries: u64,
    /// Signatures verified (entries and actions).
    pub signatures: u64,
    /// Per regional or network proposal.
    pub proposals: Vec<ProposalAudit>,
    /// Whether everything verified and every tally matches.
    pub ok: bool,
}

/// Why an audit could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The export is unreadable.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The export does not start with a valid network genesis.
    #[error("the export has no valid network genesis: {0}")]
    Network(String),
}

struct PendingLog {
    community: Hash,
    node: PublicKey,
    entries: Vec<SignedEntry>,
    head: Option<Head>,
    error: Option<String>,
}

/// Audits the records of an export as of `now`. `progress` is called with
/// the number of entries verified so far.
pub fn audit(
    records: impl Iterator<Item = Result<ExportRecord, ExportError>>,
    now: Timestamp,
    progress: &mut dyn FnMut(u64),
) -> Result<AuditReport, AuditError> {
    let keys = KeyCache::default();
    let mut network: Option<SignedNetwork> = None;
    let mut logs: Vec<PendingLog> = Vec::new();
    let mut proofs: Vec<EquivocationProof> = Vec::new();
    let (mut entries, mut signatures) = (0u64, 0u64);
    for record in records {
        match record? {
            ExportRecord::Network(signed) => {
                let verified = signed
                    .verify()
                    .map_err(|e| AuditError::Network(e.to_string()))?;
                network = Some(verified.into_inner());
            }
            ExportRecord::Log { community, node } => logs.push(PendingLog {
                community,
                node,
                entries: Vec::new(),
                head: None,
                error: None,
            }),
            ExportRecord::Entry(entry) => {
                let Some(log) = logs.last_mut() else {
                    return Err(AuditError::Network("an entry before any log header".into()));
                };
                if log.error.is_some() {
                    continue;
                }
                let id = LogId {
                    community: log.community,
                    kind: LogKind::Public,
                };
                let actions = match &entry.entry.body {
                    EntryBody::Actions(a) => a.len() as u64,
                    _ => 0,
                };
                match entry.verify_cached(&id, log.head.as_ref(), &log.node, &keys) {
                    Ok(verified) => {
                        log.head = Some(verified.head());
                        log.entries.push(verified.into_inner());
                        entries += 1;
                        signatures += 1 + actions;
                        if entries.is_multiple_of(1024) {
                            progress(entries);
                        }
                    }
                    Err(e) => {
                        log.error =
                            Some(format!("entry {}: {e}", log.head.map_or(0, |h| h.seq + 1)))
                    }
                }
            }
            ExportRecord::Proof(proof) => proofs.push(*proof),
        }
    }
    progress(entries);
    let network = network.ok_or_else(|| AuditError::Network("missing".into()))?;
    let genesis = network.genesis.clone();

    // Proofs freeze logs at their fork.
    let mut forks: BTreeMap<Hash, u64> = BTreeMap::new();
    let mut bad_proofs = 0;
    for proof in &proofs {
        let (log, seq) = proof.at();
        let node = logs
            .iter()
            .find(|l| l.community == log.community)
            .map(|l| l.node);
        match node.map(|n| proof.verify(&n)) {
            Some(Ok(_)) => {
                let at = forks.entry(log.community).or_insert(seq);
                *at = (*at).min(seq);
            }
            _ => bad_proofs += 1,
        }
    }
    let community_logs: Vec<CommunityLog> = logs
        .iter()
        .map(|l| CommunityLog {
            community: l.community,
            node: l.node,
            entries: l.entries.clone(),
            fork: forks.get(&l.community).copied(),
        })
        .collect();
    let view = FederationView::new(genesis.clone(), &community_logs);
    // A log must be signed by the node key the network knows for it.
    let mut ok = bad_proofs == 0;
    let mut log_audits = Vec::new();
    for l in &logs {
        let mut error = l.error.clone();
        if view.node_of(&l.community) != Some(l.node) {
            error.get_or_insert_with(|| "not signed by the node key the network names".into());
        }
        ok &= error.is_none();
        log_audits.push(LogAudit {
            community: l.community,
            node: l.node,
            verified: l.entries.len() as u64,
            head: l.head,
            error,
            fork: forks.get(&l.community).copied(),
        });
    }
    let tallier = Tallier::new(&view);
    let mut proposals = Vec::new();
    for (id, p) in &view.proposals {
        let Some(result) = tallier.tally(id, now) else {
            continue;
        };
        let attestations: Vec<(Hash, Hash, bool)> = result
            .certification
            .attestations
            .iter()
            .map(|(c, h)| (*c, *h, *h == result.result))
            .collect();
        let mismatch = result.is_final
            && (attestations.iter().any(|(_, _, m)| !m)
                || result
                    .certification
                    .certified
                    .is_some_and(|c| c != result.result));
        ok &= !mismatch;
        proposals.push(ProposalAudit {
            id: *id,
            title: p.proposal.title.clone(),
            level: p.proposal.level,
            is_final: result.is_final,
            passed: result.passed,
            result: result.result,
            attestations,
            certified: result.certification.certified,
            mismatch,
        });
    }
    Ok(AuditReport {
        network: genesis.id(),
        name: genesis.name.clone(),
        logs: log_audits,
        forks: forks.into_iter().collect(),
        bad_proofs,
        entries,
        signatures,
        proposals,
        ok,
    })
}
