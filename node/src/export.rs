//! The federation export — what `hearth audit` verifies — written from the
//! store: the signed network genesis, then every public log the node holds
//! (a header naming the community and its node key, then its entries from
//! seq 0, copied as stored), then every equivocation proof. One writer for
//! `GET /v1/federation/export` and `hearthd export`: both hand it a sink
//! for chunks of bytes, so memory stays flat however large the logs are.

use std::collections::BTreeSet;

use hearth_protocol::Canonical;
use hearth_protocol::crypto::Hash;
use hearth_protocol::federation::SignedNetwork;
use hearth_protocol::federation::export::{ExportRecord, MAGIC, write_entry_bytes, write_record};
use hearth_protocol::log::{EntryBody, SignedEntry};
use hearth_protocol::state::StoreError;

use crate::store::FedRead;

/// How many bytes are gathered before they are handed to the sink.
pub const CHUNK: usize = 1024 * 1024;

/// How many entries are read from the store at a time.
const PAGE: usize = 256;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The community belongs to no network: there is nothing to export.
    #[error(
        "this community belongs to no network: the federation export holds a network's logs (`hearth audit --local` verifies a community's own logs)"
    )]
    NoNetwork,
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sink refused a chunk (a full disk, a client gone).
    #[error("cannot write the export: {0}")]
    Sink(#[source] std::io::Error),
}

/// What an export held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exported {
    /// Public log entries.
    pub entries: u64,
    /// Public logs (communities).
    pub communities: u64,
    /// Equivocation proofs.
    pub proofs: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// The network the community belongs to, if any.
pub fn network_of<S: FedRead>(storage: &S) -> Result<Option<SignedNetwork>, StoreError> {
    Ok(hearth_protocol::state::federated::networks(storage)?
        .into_iter()
        .next())
}

/// Writes the export of `storage` for `network` to `sink` a chunk at a
/// time (at most about [`CHUNK`] bytes each), calling `progress` with the
/// entries written so far after each chunk.
pub fn write<S: FedRead>(
    storage: &S,
    network: SignedNetwork,
    sink: &mut dyn FnMut(Vec<u8>) -> std::io::Result<()>,
    progress: &mut dyn FnMut(&Exported),
) -> Result<Exported, ExportError> {
    let mut done = Exported::default();
    let mut out = MAGIC.to_vec();
    let mut flush = |out: &mut Vec<u8>, done: &mut Exported| -> Result<(), ExportError> {
        done.bytes += out.len() as u64;
        sink(std::mem::take(out)).map_err(ExportError::Sink)?;
        progress(done);
        Ok(())
    };
    write_record(&mut out, &ExportRecord::Network(Box::new(network)));
    let mut communities: BTreeSet<Hash> = storage.fed_heads()?.keys().copied().collect();
    if let Some(own) = storage.own_community()? {
        communities.insert(own);
    }
    for community in communities {
        let mut from = 0;
        loop {
            let page = storage.public_range(&community, from, PAGE)?;
            let Some(first) = page.first() else {
                break;
            };
            if from == 0 {
                let first = SignedEntry::from_bytes(first)
                    .map_err(|e| StoreError(format!("a stored public entry: {e}")))?;
                let EntryBody::Genesis(genesis) = &first.entry.body else {
                    break;
                };
                write_record(
                    &mut out,
                    &ExportRecord::Log {
                        community,
                        node: genesis.node,
                    },
                );
                done.communities += 1;
            }
            from += page.len() as u64;
            for bytes in &page {
                write_entry_bytes(&mut out, bytes);
                done.entries += 1;
                if out.len() >= CHUNK {
                    flush(&mut out, &mut done)?;
                }
            }
        }
    }
    for (_, proof) in storage.proofs()? {
        write_record(&mut out, &ExportRecord::Proof(Box::new(proof)));
        done.proofs += 1;
    }
    flush(&mut out, &mut done)?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use hearth_protocol::federation::export::Reader;

    use super::*;
    use crate::service::{Service, Ticket};
    use crate::store::MemoryStorage;
    use crate::test::federation::{community, draft, drain, founding, quick_rules, sign_all};

    /// A community with two members that founded a network with another.
    fn federated() -> (Service<MemoryStorage>, SignedNetwork) {
        let mut a = community(0, 2);
        let b = community(1, 1);
        let founders = vec![founding(&a.service), founding(&b.service)];
        let genesis = draft(founders, &[], quick_rules(), a.now);
        let network = sign_all(&genesis, &[&a.service, &b.service]);
        assert_eq!(network_of(a.service.storage()).expect("read"), None);
        a.service.submit_network(Ticket(1), network.clone(), None);
        a.service.tick(hearth_protocol::Timestamp(a.now.0 + 1_000));
        drain(&mut a.service);
        assert_eq!(
            network_of(a.service.storage()).expect("read"),
            Some(network.clone())
        );
        (a.service, network)
    }

    #[test]
    fn the_export_reads_back_record_by_record_in_any_chunking() {
        let (service, network) = federated();
        let mut whole = Vec::new();
        let mut chunks = 0;
        let mut seen = Vec::new();
        let done = write(
            service.storage(),
            network.clone(),
            &mut |chunk| {
                chunks += 1;
                whole.extend_from_slice(&chunk);
                Ok(())
            },
            &mut |e| seen.push(e.entries),
        )
        .expect("export");
        assert_eq!(done.bytes, whole.len() as u64);
        assert!(chunks >= 1 && seen.last() == Some(&done.entries));
        let records: Vec<ExportRecord> = Reader::new(&whole)
            .expect("magic")
            .collect::<Result<_, _>>()
            .expect("every record reads");
        assert_eq!(records[0], ExportRecord::Network(Box::new(network)));
        let logs = records
            .iter()
            .filter(|r| matches!(r, ExportRecord::Log { .. }))
            .count();
        let entries = records
            .iter()
            .filter(|r| matches!(r, ExportRecord::Entry(_)))
            .count();
        assert_eq!(logs as u64, done.communities);
        assert_eq!(entries as u64, done.entries);
        assert!(done.entries > 2, "members joined: {done:?}");
    }

    #[test]
    fn a_sink_that_fails_stops_the_export() {
        let (service, network) = federated();
        let error = write(
            service.storage(),
            network,
            &mut |_| Err(std::io::Error::other("disk full")),
            &mut |_| {},
        )
        .expect_err("the sink failed");
        assert!(matches!(error, ExportError::Sink(_)), "{error}");
    }
}
