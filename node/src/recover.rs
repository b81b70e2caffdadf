//! Rebuilding the materialised state from the signed logs: the start-up
//! check that repairs a state that disagrees with its logs, and
//! `hearthd reindex`.

use hearth_protocol::log::{EntryBody, Head, LogKind, SignedEntry};
use hearth_protocol::state::replay::{Replay, ReplayError, next_is_public};
use hearth_protocol::state::{self, MemoryStore, StateRead, StoreError};
use hearth_protocol::{LogId, PublicKey};

use crate::store::{SledStorage, Storage, StorageRead};

/// How many of the last entries of each log are re-verified at start-up.
pub const VERIFY_TAIL: u64 = 16;

/// Why the logs could not be replayed.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    /// The storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The logs hold no genesis.
    #[error("the public log has no genesis entry")]
    NoGenesis,
    /// An entry does not verify or does not apply.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

fn bad(kind: LogKind, seq: u64, reason: impl ToString) -> RecoverError {
    RecoverError::Replay(ReplayError::BadEntry {
        log: kind.as_str(),
        seq,
        reason: reason.to_string(),
    })
}

/// The node key and log ids named by the public genesis.
fn genesis_of(storage: &SledStorage) -> Result<(PublicKey, hearth_protocol::Hash), RecoverError> {
    let first = storage
        .entry(LogKind::Public, 0)?
        .ok_or(RecoverError::NoGenesis)?;
    match &first.entry.body {
        EntryBody::Genesis(genesis) => Ok((genesis.node, genesis.id())),
        EntryBody::Actions(_) | EntryBody::Records(_) => Err(RecoverError::NoGenesis),
    }
}

/// Replays both logs from genesis into a fresh in-memory state, verifying
/// every entry (chain, node signature, action signatures) and the ledger
/// on the way. `progress` is called with the number of entries applied
/// so far.
pub fn rebuild(
    storage: &SledStorage,
    mut progress: impl FnMut(u64),
) -> Result<(MemoryStore, [Option<Head>; 2]), RecoverError> {
    let first = storage
        .entry(LogKind::Public, 0)?
        .ok_or(RecoverError::NoGenesis)?;
    let mut replay = Replay::new(&first).map_err(|_| RecoverError::NoGenesis)?;
    let mut public = storage.iter_entries(LogKind::Public).peekable();
    let mut local = storage.iter_entries(LogKind::Local).peekable();
    loop {
        // A storage error is returned as soon as it is the next entry.
        let take_public = match (public.peek(), local.peek()) {
            (Some(Err(_)), _) => true,
            (_, Some(Err(_))) => false,
            (p, l) => match next_is_public(ok(p), ok(l)) {
                Some(first) => first,
                None => break,
            },
        };
        let next = if take_public {
            public.next()
        } else {
            local.next()
        };
        let Some(entry) = next else { break };
        replay.apply(entry?)?;
        if replay.entries.is_multiple_of(10_000) {
            progress(replay.entries);
        }
    }
    progress(replay.entries);
    let heads = [replay.head(LogKind::Public), replay.head(LogKind::Local)];
    Ok((replay.state, heads))
}

fn ok(entry: Option<&Result<SignedEntry, StoreError>>) -> Option<&SignedEntry> {
    entry.and_then(|e| e.as_ref().ok())
}

/// What the start-up check found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StartupReport {
    /// Heads that were behind or ahead of the entries and were reset.
    pub heads_repaired: u32,
    /// Whether the state was rebuilt from the logs.
    pub state_rebuilt: bool,
}

/// Checks the last entries of each log and that heads and state agree
/// with them; repairs from the logs if they do not.
pub fn check_on_start(storage: &SledStorage) -> Result<StartupReport, RecoverError> {
    let (node, community) = genesis_of(storage)?;
    let mut report = StartupReport::default();
    let mut rebuild_needed = false;
    for kind in [LogKind::Public, LogKind::Local] {
        let Some(last) = storage.last_entry(kind)? else {
            return Err(bad(kind, 0, "the log is empty"));
        };
        let last_seq = last.entry.seq;
        // Re-verify the tail: chain links and signatures.
        let start = last_seq.saturating_sub(VERIFY_TAIL);
        let mut prev: Option<Head> = match start {
            0 => None,
            s => Some(
                storage
                    .entry(kind, s - 1)?
                    .ok_or_else(|| bad(kind, s - 1, "missing entry"))?
                    .head(),
            ),
        };
        for seq in start..=last_seq {
            let entry = storage
                .entry(kind, seq)?
                .ok_or_else(|| bad(kind, seq, "missing entry"))?;
            let verified = entry
                .verify(&LogId { community, kind }, prev.as_ref(), &node)
                .map_err(|e| bad(kind, seq, e))?;
            prev = Some(verified.head());
        }
        let head = last.head();
        if storage.head(kind)? != Some(head) {
            tracing::warn!(
                log = kind.as_str(),
                seq = head.seq,
                "head disagreed with the log; reset"
            );
            storage.set_head(kind, &head)?;
            report.heads_repaired += 1;
        }
        if storage.applied(kind)? != Some(head) {
            rebuild_needed = true;
        }
    }
    if !rebuild_needed && state::ledger_sum(storage)? != 0 {
        rebuild_needed = true;
    }
    if rebuild_needed {
        tracing::warn!("the materialised state disagrees with the logs; rebuilding it");
        let (state, _) = rebuild(storage, |_| {})?;
        storage.replace_state(&state)?;
        storage.rebuild_index()?;
        storage.flush()?;
        report.state_rebuilt = true;
    }
    Ok(report)
}
