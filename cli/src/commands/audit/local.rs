//! `hearth audit --local`: replay the community's own logs through the
//! state machine, trusting nothing the node says.

use std::collections::VecDeque;

use anyhow::{Context as _, Result, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::log::LogKind;
use hearth_protocol::state::replay::{Replay, next_is_public};
use hearth_protocol::state::{Account, StateRead};
use hearth_protocol::{Canonical, Hash, Kc, Keypair, SignedEntry};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AuditFailed;
use crate::api::{self, Heads};
use crate::client::Client;
use crate::context::{Context, now};
use crate::output::fields;
use crate::progress::{Progress, Unit};

/// Entries asked for per page.
const PAGE: u64 = 256;

/// What `hearth audit --local` found.
#[derive(Debug, Serialize)]
pub struct LocalReport {
    /// The community.
    pub community: Hash,
    /// Entries replayed.
    pub entries: u64,
    /// Member actions replayed.
    pub actions: u64,
    /// The public log's last seq.
    pub public_seq: Option<u64>,
    /// The local log's last seq.
    pub local_seq: Option<u64>,
    /// Accounts in the replayed ledger.
    pub accounts: usize,
    /// Accounts whose balance the node serves differently.
    pub ledger_mismatches: Vec<String>,
    /// What is wrong with the money.
    pub problems: Vec<String>,
    /// Everything verified and matched.
    pub ok: bool,
}

#[derive(Deserialize)]
struct Page {
    entries: Vec<PageEntry>,
}

#[derive(Deserialize)]
struct PageEntry {
    bytes: String,
}

/// One log read page by page.
struct Pages<'a> {
    client: &'a Client,
    key: &'a Keypair,
    kind: LogKind,
    next: u64,
    last: Option<u64>,
    buffer: VecDeque<SignedEntry>,
}

impl Pages<'_> {
    fn peek(&mut self) -> Result<Option<&SignedEntry>> {
        if self.buffer.is_empty() && self.last.is_some_and(|last| self.next <= last) {
            let path = format!(
                "/v1/logs/{}/entries?from={}&limit={PAGE}",
                self.kind.as_str(),
                self.next
            );
            let value: Value = match self.kind {
                LogKind::Public => self.client.get(&path)?,
                LogKind::Local => self.client.get_signed(&path, self.key, now()?)?,
            };
            let page: Page = api::decode(value, "log page")?;
            if page.entries.is_empty() {
                return Err(anyhow!(
                    "the node served no {} entries from #{} though its head is #{}",
                    self.kind.as_str(),
                    self.next,
                    self.last.unwrap_or(0)
                ));
            }
            for e in page.entries {
                let bytes = B64
                    .decode(e.bytes.as_bytes())
                    .context("the node sent an entry that is not base64")?;
                let entry = SignedEntry::from_bytes(&bytes).map_err(|e| AuditFailed {
                    reason: format!("the node sent an entry that does not decode: {e}"),
                })?;
                self.next = entry.entry.seq + 1;
                self.buffer.push_back(entry);
            }
        }
        Ok(self.buffer.front())
    }
}

/// Runs `hearth audit --local`.
pub fn run(ctx: &Context) -> Result<()> {
    let client = ctx.client()?;
    let signer = ctx.signer()?;
    let heads: Heads = api::decode(client.get("/v1/logs/heads")?, "heads")?;
    let (public_seq, local_seq) = (
        heads.public.as_ref().map(|h| h.seq),
        heads.local.as_ref().map(|h| h.seq),
    );
    let total = public_seq.map_or(0, |s| s + 1) + local_seq.map_or(0, |s| s + 1);
    let pages = |kind, last| Pages {
        client: &client,
        key: &signer.keypair,
        kind,
        next: 0,
        last,
        buffer: VecDeque::new(),
    };
    let mut public = pages(LogKind::Public, public_seq);
    let mut local = pages(LogKind::Local, local_seq);
    let first = public
        .peek()?
        .cloned()
        .ok_or_else(|| anyhow!("the node serves no public log"))?;
    let mut replay = Replay::new(&first).map_err(|e| AuditFailed {
        reason: e.to_string(),
    })?;
    let mut progress = Progress::bar(&ctx.out, "replaying", Some(total), Unit::Items);
    loop {
        let p = public.peek()?.cloned();
        let l = local.peek()?.cloned();
        let Some(take_public) = next_is_public(p.as_ref(), l.as_ref()) else {
            break;
        };
        let entry = if take_public {
            public.buffer.pop_front()
        } else {
            local.buffer.pop_front()
        };
        let Some(entry) = entry else { break };
        replay.apply(entry).map_err(|e| AuditFailed {
            reason: e.to_string(),
        })?;
        if replay.entries.is_multiple_of(64) {
            let detail = format!(
                "{}/{total} entries, {} actions",
                replay.entries, replay.actions
            );
            progress.set_with(replay.entries, detail);
        }
    }
    progress.finish();
    let state = &replay.state;
    let problems = hearth_protocol::economy::audit(state)?;
    // The node's own ledger must be the one its logs make.
    let served: Value = client.get_signed("/v1/ledger", &signer.keypair, now()?)?;
    let mut ledger_mismatches = Vec::new();
    let replayed = state.accounts()?;
    let served_accounts = served["accounts"].as_array().cloned().unwrap_or_default();
    for (account, balance) in &replayed {
        let json = serde_json::to_value(account)?;
        let theirs = served_accounts
            .iter()
            .find(|a| a["account"] == json)
            .and_then(|a| a["balance"].as_i64())
            .map(Kc);
        if theirs != Some(*balance) {
            ledger_mismatches.push(format!(
                "{}: the logs give {balance}, the node serves {}",
                account_name(account),
                theirs.map_or("nothing".into(), |k| k.to_string())
            ));
        }
    }
    if served_accounts.len() != replayed.len() {
        ledger_mismatches.push(format!(
            "the logs give {} accounts, the node serves {}",
            replayed.len(),
            served_accounts.len()
        ));
    }
    let report = LocalReport {
        community: replay.community(),
        entries: replay.entries,
        actions: replay.actions,
        public_seq: replay.head(LogKind::Public).map(|h| h.seq),
        local_seq: replay.head(LogKind::Local).map(|h| h.seq),
        accounts: replayed.len(),
        ok: problems.is_empty() && ledger_mismatches.is_empty(),
        ledger_mismatches,
        problems,
    };
    let value = serde_json::to_value(&report).context("cannot format the report")?;
    ctx.out.show(&value, || Ok(describe(&report)))?;
    if report.ok {
        Ok(())
    } else {
        Err(AuditFailed {
            reason: report
                .problems
                .iter()
                .chain(&report.ledger_mismatches)
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
        }
        .into())
    }
}

fn account_name(account: &Account) -> String {
    match account {
        Account::Member(key) => key.to_did(),
        Account::Treasury => "the treasury".into(),
        Account::Pool(id) => format!("pool {id}"),
        Account::Escrow(id) => format!("escrow {id}"),
    }
}

fn describe(report: &LocalReport) -> String {
    let mut out = fields(&[
        ("community", report.community.to_hex()),
        (
            "replayed",
            format!(
                "{} entries, {} actions (public #{}, local #{})",
                report.entries,
                report.actions,
                report.public_seq.map_or("-".into(), |s| s.to_string()),
                report.local_seq.map_or("-".into(), |s| s.to_string())
            ),
        ),
        (
            "verified",
            "every signature and chain link; every Close and Due recomputed".into(),
        ),
        (
            "ledger",
            format!(
                "{} accounts, sum zero after every entry, no debit below a floor",
                report.accounts
            ),
        ),
    ]);
    if report.ok {
        out.push_str("OK: the node's state is the one its logs make; every payout was made once.");
    } else {
        for line in report.problems.iter().chain(&report.ledger_mismatches) {
            out.push_str(&format!("PROBLEM: {line}\n"));
        }
    }
    out
}
