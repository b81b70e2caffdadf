//! Storage of a community node: the signed logs, their heads, an index of
//! action ids, and the materialised state.
//!
//! [`Storage`] is what the service needs, [`StorageRead`] its reads alone;
//! [`SledStorage`] keeps it on disk (one sled tree each for entries, heads,
//! state and the action index, committed in one transaction),
//! [`MemoryStorage`] keeps it in memory for tests, and [`ReadOnly`] is the
//! view the HTTP API reads through.

use std::collections::BTreeMap;
use std::path::Path;

use hearth_protocol::Canonical;
use hearth_protocol::crypto::Hash;
use hearth_protocol::log::{Head, LogKind, SignedEntry};
use hearth_protocol::state::store::{MemoryStore, Pairs, Store, StoreError, StoreMut, Writes};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

/// Where an action was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// Which log.
    pub log: LogKind,
    /// Which entry.
    pub seq: u64,
}

/// Everything one seal writes, atomically.
#[derive(Debug, Default)]
pub struct Commit {
    /// New entries, in order.
    pub entries: Vec<SignedEntry>,
    /// State changes.
    pub writes: Writes,
    /// Action ids of the new entries, with where they are.
    pub index: Vec<(Hash, Location)>,
}

/// Reads of the logs, their heads and the action index (the state's reads
/// are [`Store`]'s).
pub trait StorageRead: Store {
    /// The head of a log.
    fn head(&self, kind: LogKind) -> Result<Option<Head>, StoreError>;
    /// The canonical bytes of entries `from..` of a log, at most `limit`.
    fn entries(&self, kind: LogKind, from: u64, limit: usize) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Where an action id was recorded.
    fn locate(&self, id: &Hash) -> Result<Option<Location>, StoreError>;
}

/// What the service needs from storage: the reads, and writing commits.
pub trait Storage: StorageRead {
    /// Writes a commit atomically (durable after [`Storage::flush`]).
    fn commit(&mut self, commit: Commit) -> Result<(), StoreError>;
    /// Makes everything committed durable.
    fn flush(&self) -> Result<(), StoreError>;
}

/// A read-only view of a storage: the HTTP API reads through it, so only
/// the node task (which owns the storage itself) ever writes.
#[derive(Clone, Debug)]
pub struct ReadOnly<S>(S);

impl<S> ReadOnly<S> {
    /// A view of `storage` that can only read it.
    pub fn new(storage: S) -> ReadOnly<S> {
        ReadOnly(storage)
    }
}

impl<S: Store> Store for ReadOnly<S> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key)
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        self.0.scan_prefix(prefix)
    }

    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        self.0.range(from, to, limit)
    }
}

impl<S: StorageRead> StorageRead for ReadOnly<S> {
    fn head(&self, kind: LogKind) -> Result<Option<Head>, StoreError> {
        self.0.head(kind)
    }

    fn entries(&self, kind: LogKind, from: u64, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.0.entries(kind, from, limit)
    }

    fn locate(&self, id: &Hash) -> Result<Option<Location>, StoreError> {
        self.0.locate(id)
    }
}

fn entry_key(kind: LogKind, seq: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = kind as u8;
    key[1..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn location_bytes(loc: Location) -> [u8; 9] {
    entry_key(loc.log, loc.seq)
}

fn parse_location(bytes: &[u8]) -> Option<Location> {
    let log = match bytes.first()? {
        0 => LogKind::Public,
        1 => LogKind::Local,
        _ => return None,
    };
    let seq = u64::from_be_bytes(bytes.get(1..9)?.try_into().ok()?);
    Some(Location { log, seq })
}

pub(crate) fn store_err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// How long opening waits for the database's lock to be released.
///
/// sled releases its file lock from a background thread after the last
/// handle is dropped, so a database closed a moment ago (a simulated
/// history handed to the node that will serve it, a restart in one
/// process) can still be locked; another process holding it for longer
/// is refused once this has passed.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Calls `open` until it succeeds, fails for another reason than the
/// database's lock, or `wait` has passed.
fn open_waiting_for_lock<T>(
    mut open: impl FnMut() -> sled::Result<T>,
    wait: std::time::Duration,
) -> sled::Result<T> {
    let deadline = std::time::Instant::now() + wait;
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        match open() {
            Err(e) if is_lock_held(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(200));
            }
            done => return done,
        }
    }
}

/// Whether sled refused to open because another handle holds the lock
/// (sled 0.34 reports it as an `Other` I/O error with this message).
fn is_lock_held(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().starts_with("could not acquire lock"))
}

/// The node's storage on disk.
#[derive(Clone, Debug)]
pub struct SledStorage {
    db: sled::Db,
    entries: sled::Tree,
    heads: sled::Tree,
    state: sled::Tree,
    index: sled::Tree,
    fed: federation::FedTrees,
}

/// sled's page cache, by default: sized for a small machine (a node
/// holding a million actions stays well under 200 MB resident with it;
/// BENCHMARKS.md has the trade-off against ingest speed).
pub const DEFAULT_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// The page cache databases opened from now on get (`hearthd run
/// --cache-mb`), in bytes; 0 means the default.
static CACHE_BYTES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sets the page cache of databases opened from now on, in bytes.
pub fn set_cache_bytes(bytes: u64) {
    CACHE_BYTES.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

fn cache_bytes() -> u64 {
    match CACHE_BYTES.load(std::sync::atomic::Ordering::Relaxed) {
        0 => DEFAULT_CACHE_BYTES,
        n => n,
    }
}

impl SledStorage {
    /// Opens (or creates) the database at `path`, with the page cache set
    /// by [`set_cache_bytes`] (or [`DEFAULT_CACHE_BYTES`]).
    pub fn open(path: &Path) -> Result<SledStorage, StoreError> {
        let config = sled::Config::new().path(path).cache_capacity(cache_bytes());
        let db = open_waiting_for_lock(|| config.open(), LOCK_WAIT).map_err(store_err)?;
        Ok(SledStorage {
            entries: db.open_tree("entries").map_err(store_err)?,
            heads: db.open_tree("heads").map_err(store_err)?,
            state: db.open_tree("state").map_err(store_err)?,
            index: db.open_tree("index").map_err(store_err)?,
            fed: federation::FedTrees::open(&db)?,
            db,
        })
    }

    /// Bytes the database occupies on disk.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db.size_on_disk().map_err(store_err)
    }

    /// Makes everything committed durable, without blocking the runtime.
    pub async fn flush_async(&self) -> Result<(), StoreError> {
        self.db.flush_async().await.map(|_| ()).map_err(store_err)
    }

    /// The whole materialised state, for comparison with a rebuild.
    pub fn state_snapshot(&self) -> Result<MemoryStore, StoreError> {
        let mut map = BTreeMap::new();
        for item in self.state.iter() {
            let (k, v) = item.map_err(store_err)?;
            map.insert(k.to_vec(), v.to_vec());
        }
        Ok(MemoryStore { map })
    }

    /// Replaces the materialised state (after a rebuild from the logs).
    pub fn replace_state(&self, state: &MemoryStore) -> Result<(), StoreError> {
        self.state.clear().map_err(store_err)?;
        let mut batch = sled::Batch::default();
        for (k, v) in &state.map {
            batch.insert(k.as_slice(), v.as_slice());
        }
        self.state.apply_batch(batch).map_err(store_err)?;
        self.db.flush().map_err(store_err)?;
        Ok(())
    }

    /// The decoded entry `seq` of a log.
    pub fn entry(&self, kind: LogKind, seq: u64) -> Result<Option<SignedEntry>, StoreError> {
        match self.entries.get(entry_key(kind, seq)).map_err(store_err)? {
            None => Ok(None),
            Some(bytes) => SignedEntry::from_bytes(&bytes)
                .map(Some)
                .map_err(|e| StoreError(format!("corrupt entry {kind:?} {seq}: {e}"))),
        }
    }

    /// The last entry stored for a log (independently of the heads tree).
    pub fn last_entry(&self, kind: LogKind) -> Result<Option<SignedEntry>, StoreError> {
        let prefix = [kind as u8];
        match self.entries.scan_prefix(prefix).next_back() {
            None => Ok(None),
            Some(item) => {
                let (_, bytes) = item.map_err(store_err)?;
                SignedEntry::from_bytes(&bytes)
                    .map(Some)
                    .map_err(|e| StoreError(format!("corrupt last entry of {kind:?}: {e}")))
            }
        }
    }

    /// Iterates over every entry of a log in seq order.
    pub fn iter_entries(
        &self,
        kind: LogKind,
    ) -> impl Iterator<Item = Result<SignedEntry, StoreError>> + '_ {
        self.entries.scan_prefix([kind as u8]).map(move |item| {
            let (_, bytes) = item.map_err(store_err)?;
            SignedEntry::from_bytes(&bytes).map_err(|e| StoreError(format!("corrupt entry: {e}")))
        })
    }

    /// Overwrites a stored entry (tests of corruption only).
    #[cfg(test)]
    pub(crate) fn put_entry_for_test(&self, entry: &SignedEntry) {
        let e = &entry.entry;
        self.entries
            .insert(entry_key(e.log.kind, e.seq), entry.to_bytes())
            .expect("insert");
    }

    /// Sets a head directly (used only when repairing from the entries).
    pub fn set_head(&self, kind: LogKind, head: &Head) -> Result<(), StoreError> {
        self.heads
            .insert([kind as u8], head.to_bytes())
            .map_err(store_err)?;
        Ok(())
    }

    /// Rebuilds the action index from the logs (used only when repairing).
    pub fn rebuild_index(&self) -> Result<(), StoreError> {
        self.index.clear().map_err(store_err)?;
        for kind in [LogKind::Public, LogKind::Local] {
            for entry in self.iter_entries(kind) {
                let entry = entry?;
                if let hearth_protocol::EntryBody::Actions(actions) = &entry.entry.body {
                    let loc = Location {
                        log: kind,
                        seq: entry.entry.seq,
                    };
                    for action in actions {
                        self.index
                            .insert(action.id().0, &location_bytes(loc))
                            .map_err(store_err)?;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Store for SledStorage {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.state.get(key).map_err(store_err)?.map(|v| v.to_vec()))
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        self.state
            .scan_prefix(prefix)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(store_err)
            })
            .collect()
    }

    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        if from >= to {
            return Ok(Vec::new());
        }
        self.state
            .range(from..to)
            .take(limit)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(store_err)
            })
            .collect()
    }
}

impl StorageRead for SledStorage {
    fn head(&self, kind: LogKind) -> Result<Option<Head>, StoreError> {
        match self.heads.get([kind as u8]).map_err(store_err)? {
            None => Ok(None),
            Some(bytes) => Head::from_bytes(&bytes)
                .map(Some)
                .map_err(|e| StoreError(format!("corrupt head: {e}"))),
        }
    }

    fn entries(&self, kind: LogKind, from: u64, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.entries
            .range(entry_key(kind, from)..=entry_key(kind, u64::MAX))
            .take(limit)
            .map(|item| item.map(|(_, v)| v.to_vec()).map_err(store_err))
            .collect()
    }

    fn locate(&self, id: &Hash) -> Result<Option<Location>, StoreError> {
        Ok(self
            .index
            .get(id.0)
            .map_err(store_err)?
            .and_then(|v| parse_location(&v)))
    }
}

impl Storage for SledStorage {
    fn commit(&mut self, commit: Commit) -> Result<(), StoreError> {
        let mut entries = sled::Batch::default();
        let mut heads = sled::Batch::default();
        for signed in &commit.entries {
            let e = &signed.entry;
            entries.insert(&entry_key(e.log.kind, e.seq), signed.to_bytes());
            heads.insert(&[e.log.kind as u8], signed.head().to_bytes());
        }
        let mut state = sled::Batch::default();
        for (k, v) in &commit.writes {
            match v {
                Some(v) => state.insert(k.as_slice(), v.as_slice()),
                None => state.remove(k.as_slice()),
            }
        }
        let mut index = sled::Batch::default();
        for (id, loc) in &commit.index {
            index.insert(&id.0, &location_bytes(*loc));
        }
        // The closure may run more than once; it only applies the prepared
        // batches, so re-running is harmless.
        (&self.entries, &self.heads, &self.state, &self.index)
            .transaction(|(te, th, ts, ti)| {
                te.apply_batch(&entries)?;
                th.apply_batch(&heads)?;
                ts.apply_batch(&state)?;
                ti.apply_batch(&index)?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e: TransactionError<()>| store_err(format!("{e:?}")))
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(store_err)
    }
}

/// Storage in memory, for service tests.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    /// Other communities' public logs, heads and proofs.
    pub fed: federation::MemoryFed,
    /// The materialised state.
    pub state: MemoryStore,
    /// Entries by (log, seq).
    pub entries: BTreeMap<(LogKind, u64), SignedEntry>,
    /// The action index.
    pub index: BTreeMap<Hash, Location>,
    /// How many times `flush` was called.
    pub flushes: std::sync::atomic::AtomicU64,
}

impl Store for MemoryStorage {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.state.get(key)
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        self.state.scan_prefix(prefix)
    }

    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        self.state.range(from, to, limit)
    }
}

impl StorageRead for MemoryStorage {
    fn head(&self, kind: LogKind) -> Result<Option<Head>, StoreError> {
        Ok(self
            .entries
            .range((kind, 0)..=(kind, u64::MAX))
            .next_back()
            .map(|(_, e)| e.head()))
    }

    fn entries(&self, kind: LogKind, from: u64, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(self
            .entries
            .range((kind, from)..=(kind, u64::MAX))
            .take(limit)
            .map(|(_, e)| e.to_bytes())
            .collect())
    }

    fn locate(&self, id: &Hash) -> Result<Option<Location>, StoreError> {
        Ok(self.index.get(id).copied())
    }
}

impl Storage for MemoryStorage {
    fn commit(&mut self, commit: Commit) -> Result<(), StoreError> {
        for e in commit.entries {
            self.entries.insert((e.entry.log.kind, e.entry.seq), e);
        }
        hearth_protocol::state::store::apply_writes(&mut self.state, commit.writes);
        self.index.extend(commit.index);
        Ok(())
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flushes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

impl StoreMut for MemoryStorage {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.state.put(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.state.delete(key);
    }
}

pub mod federation;

pub use federation::{FedRead, FedStorage};

#[cfg(test)]
mod tests;
