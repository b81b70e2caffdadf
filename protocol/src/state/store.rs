//! The key-value storage the state machine runs over: a trait the node
//! implements on sled, an in-memory implementation, and a write overlay
//! that makes applying one action (or one entry) all-or-nothing.

use std::collections::BTreeMap;

/// Key-value pairs, in key order.
pub type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

/// A storage failure (the disk, not the record, is at fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

/// Read access to the materialised state.
pub trait Store {
    /// The value under `key`.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every (key, value) whose key starts with `prefix`, in key order.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError>;
    /// At most `limit` (key, value) pairs with `from <= key < to`, in key
    /// order: the bounded read that schedules and queues use, so the work
    /// of one step never grows with the history.
    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError>;
}

/// Write access to the materialised state.
pub trait StoreMut: Store {
    /// Sets `key` to `value`.
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Removes `key`.
    fn delete(&mut self, key: Vec<u8>);
}

/// The state in memory: for tests, tools and `reindex`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryStore {
    /// Every key and value.
    pub map: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Store for MemoryStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.map.get(key).cloned())
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        Ok(self
            .map
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        Ok(MemoryStore::range_of(&self.map, from, to, limit))
    }
}

impl MemoryStore {
    fn range_of(map: &BTreeMap<Vec<u8>, Vec<u8>>, from: &[u8], to: &[u8], limit: usize) -> Pairs {
        if from >= to {
            return Vec::new();
        }
        map.range(from.to_vec()..to.to_vec())
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl StoreMut for MemoryStore {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.map.insert(key, value);
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.map.remove(&key);
    }
}

/// Pending writes over a base store: reads see them, nothing reaches the
/// base until the caller takes [`Overlay::into_writes`] and applies them.
#[derive(Debug)]
pub struct Overlay<'a, S: ?Sized> {
    base: &'a S,
    writes: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

/// The writes an overlay collected: `None` deletes.
pub type Writes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

impl<'a, S: Store + ?Sized> Overlay<'a, S> {
    /// An empty overlay over `base`.
    pub fn new(base: &'a S) -> Self {
        Overlay {
            base,
            writes: BTreeMap::new(),
        }
    }

    /// The collected writes.
    pub fn into_writes(self) -> Writes {
        self.writes
    }

    /// Adds writes collected by a nested overlay.
    pub fn absorb(&mut self, writes: Writes) {
        self.writes.extend(writes);
    }
}

impl<S: Store + ?Sized> Store for Overlay<'_, S> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.writes.get(key) {
            Some(value) => Ok(value.clone()),
            None => self.base.get(key),
        }
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> =
            self.base.scan_prefix(prefix)?.into_iter().collect();
        for (k, v) in self
            .writes
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
        {
            match v {
                Some(v) => merged.insert(k.clone(), v.clone()),
                None => merged.remove(k),
            };
        }
        Ok(merged.into_iter().collect())
    }

    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        if from >= to || limit == 0 {
            return Ok(Vec::new());
        }
        // The base may hold pairs the overlay deletes: read past them, a
        // page at a time, until `limit` survive or the range ends.
        let mut out: Pairs = Vec::new();
        let mut cursor = from.to_vec();
        loop {
            let want = limit - out.len();
            let base = self.base.range(&cursor, to, want)?;
            let exhausted = base.len() < want;
            let upper = match (exhausted, base.last()) {
                (false, Some((k, _))) => {
                    let mut next = k.clone();
                    next.push(0);
                    next
                }
                _ => to.to_vec(),
            };
            let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = base.into_iter().collect();
            for (k, v) in self.writes.range(cursor.clone()..upper.clone()) {
                match v {
                    Some(v) => merged.insert(k.clone(), v.clone()),
                    None => merged.remove(k),
                };
            }
            out.extend(merged.into_iter().take(limit - out.len()));
            if out.len() >= limit || exhausted {
                return Ok(out);
            }
            cursor = upper;
        }
    }
}

impl<S: Store + ?Sized> StoreMut for Overlay<'_, S> {
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.writes.insert(key, Some(value));
    }

    fn delete(&mut self, key: Vec<u8>) {
        self.writes.insert(key, None);
    }
}

/// Applies collected writes to a store.
pub fn apply_writes<S: StoreMut + ?Sized>(store: &mut S, writes: Writes) {
    for (k, v) in writes {
        match v {
            Some(v) => store.put(k, v),
            None => store.delete(k),
        }
    }
}
