//! `hearth audit`: verify everything a node serves about its federation
//! and recompute every regional and network tally, trusting nothing the
//! node says (DESIGN §7.3, §10).

mod local;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use hearth_protocol::Hash;
use hearth_protocol::federation::audit::{AuditReport, audit};
use hearth_protocol::federation::export::{ExportError, ExportRecord, Reader};
use hearth_protocol::governance::Level;

use crate::client::{MAX_EXPORT_BYTES, Refusal};
use crate::context::{Context, now};
use crate::error::{Code, fail};
use crate::governance::{level_text, short_id};
use crate::output::{datetime, printable, table, yes_no};
use crate::progress::{Progress, Unit};

/// Verify a federation and recount its tallies, or replay your community's logs.
///
/// With --local, downloads the community's public and local logs (the
/// local one with your member key), replays them from genesis through the
/// same state machine the node runs — every signature and chain link,
/// every Close and Due recomputed — and checks the money: the balances
/// sum to zero after every entry, no debit goes below a floor, no pool is
/// below zero, every request and claim is paid at most once and in full
/// at most, and the node's ledger equals the replayed one.
///
/// Without --local:
/// Downloads the node's federation export (GET /v1/federation/export) or
/// reads one saved earlier (--file), then, without trusting the node:
/// checks the signed network genesis; every entry of every public log
/// (hash chain and node signature) and every member action in it; every
/// equivocation proof; recomputes every regional and network tally from
/// the logs; and compares each result with the communities' attestations.
///
/// Exit status: 0 everything verifies and every tally matches; 1 a log,
/// proof or signature does not verify, or an attestation disagrees with
/// the recomputed result; 2 usage or IO error (a node that is unreachable
/// or serves no export, an unreadable file, not an export). With --json,
/// prints the full report.
///
/// Examples:
///   hearth audit
///   hearth --node http://a:7700 audit --save valley.export
///   hearth audit --file valley.export
///   hearth audit --local
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AuditArgs {
    /// Replay this community's own logs instead of the federation's.
    #[arg(long, conflicts_with_all = ["file", "save"])]
    local: bool,
    /// Audit this export file instead of downloading one ("-" reads stdin).
    #[arg(long, value_name = "EXPORT", conflicts_with = "save")]
    file: Option<PathBuf>,
    /// Keep the downloaded export in this file (audit it again with --file).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
}

/// The audit found a problem: `hearth` exits with status 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFailed {
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for AuditFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the audit failed: {}", self.reason)
    }
}

impl std::error::Error for AuditFailed {}

/// An export's records, noting how far the reader has got.
struct Tracked<'a, 'b> {
    reader: Reader<'a>,
    offset: &'b Cell<usize>,
}

impl Iterator for Tracked<'_, '_> {
    type Item = Result<ExportRecord, ExportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.reader.next();
        self.offset.set(self.reader.offset());
        item
    }
}

/// Runs `hearth audit`.
pub fn run(ctx: &Context, args: AuditArgs) -> Result<()> {
    if args.local {
        return local::run(ctx);
    }
    let (bytes, source) = match &args.file {
        Some(path) => (read_export(path)?, path.display().to_string()),
        None => {
            let client = ctx.client()?;
            let mut progress: Option<Progress> = None;
            let mut report = |done, total| {
                progress
                    .get_or_insert_with(|| {
                        Progress::bar(&ctx.out, "downloading", total, Unit::Bytes)
                    })
                    .set(done)
            };
            let bytes = client
                .get_bytes("/v1/federation/export", MAX_EXPORT_BYTES, &mut report)
                .map_err(refused_export)?;
            (bytes, format!("the export of {}", client.base()))
        }
    };
    if let Some(path) = &args.save {
        std::fs::write(path, &bytes)
            .with_context(|| format!("cannot save the export to {}", path.display()))?;
    }
    let reader = Reader::new(&bytes).with_context(|| format!("{source} is not a Hearth export"))?;
    let names = Names::of(&bytes);

    let offset = Cell::new(0);
    let total = Some(bytes.len() as u64);
    let mut progress = Progress::bar(&ctx.out, "verifying", total, Unit::Items);
    let records = Tracked {
        reader,
        offset: &offset,
    };
    let outcome = audit(records, now()?, &mut |entries| {
        progress.set_with(offset.get() as u64, format!("{entries} entries"))
    });
    progress.finish();
    let report = outcome.map_err(|e| AuditFailed {
        reason: format!("{source}: {e}"),
    })?;

    let value = serde_json::to_value(&report).context("cannot format the report")?;
    ctx.out.show(&value, || Ok(describe(&report, &names)))?;
    match report.ok {
        true => Ok(()),
        false => Err(AuditFailed {
            reason: problems(&report),
        }
        .into()),
    }
}

/// Why the export could not be downloaded. A node that refuses to serve
/// it (it belongs to no network, say) is an error like an unreachable one:
/// exit status 1 is kept for what the audit finds.
fn refused_export(err: anyhow::Error) -> anyhow::Error {
    match err.downcast_ref::<Refusal>() {
        Some(refusal) => fail(
            Code::NodeError,
            format!("cannot download the federation export: {refusal}"),
        ),
        None => err.context("cannot download the federation export"),
    }
}

fn read_export(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read the export from stdin")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("cannot read the export {}", path.display()))
}

/// The founding communities' and the regions' names, from the export's
/// first record (names are a courtesy: the audit verifies that record
/// itself).
#[derive(Debug, Default)]
pub struct Names {
    /// Community id → name.
    pub communities: BTreeMap<Hash, String>,
    /// Region id → name.
    pub regions: BTreeMap<Hash, String>,
}

impl Names {
    fn of(bytes: &[u8]) -> Names {
        match Reader::new(bytes).ok().and_then(|mut r| r.next()) {
            Some(Ok(ExportRecord::Network(signed))) => {
                let genesis = &signed.genesis;
                Names {
                    communities: genesis
                        .communities
                        .iter()
                        .map(|f| (f.id, f.name.clone()))
                        .collect(),
                    regions: genesis
                        .regions
                        .iter()
                        .map(|r| (genesis.region_id(&r.name), r.name.clone()))
                        .collect(),
                }
            }
            _ => Names::default(),
        }
    }

    /// `region:NAME` for a region the genesis names, else the level as ids.
    fn level(&self, level: &Level) -> String {
        match level {
            Level::Regional(id) if let Some(name) = self.regions.get(id) => {
                format!("region:{}", printable(name))
            }
            other => level_text(other),
        }
    }
}

/// What failed, in one line.
pub fn problems(report: &AuditReport) -> String {
    let mut parts = Vec::new();
    let bad_logs = report.logs.iter().filter(|l| l.error.is_some()).count();
    if bad_logs > 0 {
        parts.push(format!("{bad_logs} public log(s) do not verify"));
    }
    if report.bad_proofs > 0 {
        parts.push(format!(
            "{} equivocation proof(s) do not verify",
            report.bad_proofs
        ));
    }
    let mismatched = report.proposals.iter().filter(|p| p.mismatch).count();
    if mismatched > 0 {
        parts.push(format!(
            "{mismatched} tally(ies) disagree with their attestations"
        ));
    }
    if parts.is_empty() {
        "see the report".into()
    } else {
        parts.join(", ")
    }
}

/// The report for people.
pub fn describe(report: &AuditReport, names: &Names) -> String {
    let name = |id: &Hash| match names.communities.get(id) {
        Some(n) => format!("{} ({})", printable(n), short_id(id)),
        None => short_id(id),
    };
    let mut out = format!(
        "Network \"{}\" {}\nVerified {} entries and {} signatures in {} public logs.\n\n",
        printable(&report.name),
        report.network,
        report.entries,
        report.signatures,
        report.logs.len()
    );
    let rows: Vec<Vec<String>> = report
        .logs
        .iter()
        .map(|l| {
            let status = match (&l.error, l.fork) {
                (Some(e), _) => format!("FAILED: {}", printable(e)),
                (None, Some(seq)) => format!("ok, frozen at #{seq} (equivocation proof)"),
                (None, None) => "ok".into(),
            };
            vec![
                name(&l.community),
                l.verified.to_string(),
                l.head.map_or_else(
                    || "-".into(),
                    |h| format!("#{} {}", h.seq, datetime(h.time.0)),
                ),
                status,
            ]
        })
        .collect();
    out.push_str(&table(&["COMMUNITY", "ENTRIES", "HEAD", "STATUS"], &rows));
    if !report.forks.is_empty() {
        let forks: Vec<String> = report
            .forks
            .iter()
            .map(|(c, seq)| format!("{} at #{seq}", name(c)))
            .collect();
        out.push_str(&format!("\nForks proven: {}\n", forks.join(", ")));
    }
    if report.bad_proofs > 0 {
        out.push_str(&format!(
            "\nEquivocation proofs that do not verify: {}\n",
            report.bad_proofs
        ));
    }
    if report.proposals.is_empty() {
        out.push_str("\nNo regional or network proposals.\n");
    } else {
        let rows: Vec<Vec<String>> = report
            .proposals
            .iter()
            .map(|p| {
                let matching = p.attestations.iter().filter(|(_, _, m)| *m).count();
                let certified = match p.certified {
                    Some(h) if h == p.result => "yes".to_string(),
                    Some(_) => "OTHER".to_string(),
                    None => "no".to_string(),
                };
                vec![
                    short_id(&p.id),
                    names.level(&p.level),
                    yes_no(p.is_final).to_string(),
                    yes_no(p.passed).to_string(),
                    format!("{matching}/{}", p.attestations.len()),
                    certified,
                    if p.mismatch { "MISMATCH" } else { "ok" }.to_string(),
                    printable(&p.title),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(
            &[
                "PROPOSAL",
                "LEVEL",
                "FINAL",
                "PASSED",
                "MATCHING",
                "CERTIFIED",
                "STATUS",
                "TITLE",
            ],
            &rows,
        ));
        for p in report.proposals.iter().filter(|p| p.mismatch) {
            out.push_str(&format!(
                "\n{} recomputes to {}:\n",
                short_id(&p.id),
                p.result
            ));
            for (community, hash, matches) in &p.attestations {
                if !matches {
                    out.push_str(&format!("  {} attested {hash}\n", name(community)));
                }
            }
            if let Some(certified) = p.certified.filter(|c| *c != p.result) {
                out.push_str(&format!("  certified {certified}\n"));
            }
        }
    }
    out.push('\n');
    out.push_str(&match report.ok {
        true => "Audit passed: every log verifies and every tally matches its attestations.\n"
            .to_string(),
        false => format!("Audit FAILED: {}.\n", problems(report)),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report with a broken log and a mismatched tally.
    fn sample() -> AuditReport {
        use hearth_protocol::federation::audit::{LogAudit, ProposalAudit};
        use hearth_protocol::test::keypair;
        use hearth_protocol::{Head, Timestamp};
        let (a, b) = (Hash([1; 32]), Hash([2; 32]));
        AuditReport {
            network: Hash([9; 32]),
            name: "Valley".into(),
            logs: vec![
                LogAudit {
                    community: a,
                    node: keypair(1).public(),
                    verified: 5,
                    head: Some(Head {
                        seq: 4,
                        hash: Hash([3; 32]),
                        time: Timestamp(2_000),
                    }),
                    error: None,
                    fork: None,
                },
                LogAudit {
                    community: b,
                    node: keypair(2).public(),
                    verified: 2,
                    head: None,
                    error: Some("entry 2: bad signature".into()),
                    fork: Some(3),
                },
            ],
            forks: vec![(b, 3)],
            bad_proofs: 0,
            entries: 7,
            signatures: 9,
            proposals: vec![
                ProposalAudit {
                    id: Hash([0xaa; 32]),
                    title: "Seeds".into(),
                    level: Level::Network,
                    is_final: true,
                    passed: true,
                    result: Hash([5; 32]),
                    attestations: vec![(a, Hash([5; 32]), true), (b, Hash([6; 32]), false)],
                    certified: None,
                    mismatch: true,
                },
                ProposalAudit {
                    id: Hash([0xbb; 32]),
                    title: "Ferry".into(),
                    level: Level::Regional(Hash([8; 32])),
                    is_final: false,
                    passed: false,
                    result: Hash([7; 32]),
                    attestations: vec![],
                    certified: None,
                    mismatch: false,
                },
            ],
            ok: false,
        }
    }

    #[test]
    fn a_failed_audit_names_what_failed() {
        let report = sample();
        let names = Names {
            communities: BTreeMap::from([(Hash([1; 32]), "Riverside".to_string())]),
            regions: BTreeMap::from([(Hash([8; 32]), "North".to_string())]),
        };
        let text = describe(&report, &names);
        for needle in [
            "Network \"Valley\"",
            "Verified 7 entries and 9 signatures in 2 public logs.",
            "Riverside (010101010101)  5        #4 1970-01-01 00:00:02 UTC  ok",
            "020202020202              2        -                           FAILED: entry 2: bad signature",
            "Forks proven: 020202020202 at #3",
            "aaaaaaaaaaaa  network       yes    yes     1/2       no         MISMATCH  Seeds",
            "bbbbbbbbbbbb  region:North  no     no      0/0       no         ok        Ferry",
            &format!("020202020202 attested {}", Hash([6; 32])),
            "Audit FAILED: 1 public log(s) do not verify, 1 tally(ies) disagree with their attestations.",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
        let err = anyhow::Error::new(AuditFailed {
            reason: problems(&report),
        });
        assert!(
            err.to_string()
                .starts_with("the audit failed: 1 public log")
        );
    }
}
