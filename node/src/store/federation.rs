//! Storage of the federation: other communities' public logs (entries
//! verified as chains by the service before they are stored), their heads,
//! and equivocation proofs. The node's own public log stays in the
//! `entries` tree; [`FedRead::public_range`] serves both alike.

use std::collections::BTreeMap;

use hearth_protocol::Canonical;
use hearth_protocol::crypto::Hash;
use hearth_protocol::federation::EquivocationProof;
use hearth_protocol::log::{Head, LogKind, SignedEntry};
use hearth_protocol::state::StoreError;
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{MemoryStorage, ReadOnly, SledStorage, Storage, StorageRead, store_err};

/// Reads of the federation's storage.
pub trait FedRead: StorageRead {
    /// The community this node keeps (its own public log is not stored here).
    fn own_community(&self) -> Result<Option<Hash>, StoreError> {
        use hearth_protocol::state::StateRead as _;
        Ok(self.community()?.map(|c| c.id))
    }
    /// Heads of the other public logs held.
    fn fed_heads(&self) -> Result<BTreeMap<Hash, Head>, StoreError>;
    /// An entry of another community's public log.
    fn fed_entry(&self, community: &Hash, seq: u64) -> Result<Option<SignedEntry>, StoreError>;
    /// Canonical bytes of entries `from..` of another community's public log.
    fn fed_range(
        &self,
        community: &Hash,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError>;
    /// Every equivocation proof held, by community.
    fn proofs(&self) -> Result<BTreeMap<Hash, EquivocationProof>, StoreError>;

    /// Canonical bytes of entries `from..` of any public log, this node's own included.
    fn public_range(
        &self,
        community: &Hash,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        if self.own_community()?.as_ref() == Some(community) {
            self.entries(LogKind::Public, from, limit)
        } else {
            self.fed_range(community, from, limit)
        }
    }

    /// Every entry of a public log, decoded, from seq 0.
    fn public_log(&self, community: &Hash) -> Result<Vec<SignedEntry>, StoreError> {
        let mut out = Vec::new();
        loop {
            let batch = self.public_range(community, out.len() as u64, 4096)?;
            if batch.is_empty() {
                return Ok(out);
            }
            for bytes in batch {
                out.push(
                    SignedEntry::from_bytes(&bytes)
                        .map_err(|e| StoreError(format!("corrupt public entry: {e}")))?,
                );
            }
        }
    }
}

/// What the federation needs from storage: the reads, and storing other
/// communities' entries and proofs.
pub trait FedStorage: FedRead + Storage {
    /// Appends verified entries that extend another community's public log.
    fn fed_append(&mut self, community: &Hash, entries: &[SignedEntry]) -> Result<(), StoreError>;
    /// Stores an equivocation proof against `community` (the first one kept).
    fn put_proof(
        &mut self,
        community: &Hash,
        proof: &EquivocationProof,
    ) -> Result<bool, StoreError>;
}

impl<S: FedRead> FedRead for ReadOnly<S> {
    fn own_community(&self) -> Result<Option<Hash>, StoreError> {
        self.0.own_community()
    }

    fn fed_heads(&self) -> Result<BTreeMap<Hash, Head>, StoreError> {
        self.0.fed_heads()
    }

    fn fed_entry(&self, community: &Hash, seq: u64) -> Result<Option<SignedEntry>, StoreError> {
        self.0.fed_entry(community, seq)
    }

    fn fed_range(
        &self,
        community: &Hash,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        self.0.fed_range(community, from, limit)
    }

    fn proofs(&self) -> Result<BTreeMap<Hash, EquivocationProof>, StoreError> {
        self.0.proofs()
    }
}

fn key(community: &Hash, seq: u64) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&community.0);
    k[32..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// The sled trees of the federation.
#[derive(Clone, Debug)]
pub struct FedTrees {
    entries: sled::Tree,
    heads: sled::Tree,
    proofs: sled::Tree,
}

impl FedTrees {
    pub(super) fn open(db: &sled::Db) -> Result<FedTrees, StoreError> {
        Ok(FedTrees {
            entries: db.open_tree("fed_entries").map_err(store_err)?,
            heads: db.open_tree("fed_heads").map_err(store_err)?,
            proofs: db.open_tree("fed_proofs").map_err(store_err)?,
        })
    }
}

fn hash_of(bytes: &[u8]) -> Result<Hash, StoreError> {
    let mut h = [0u8; 32];
    h.copy_from_slice(bytes.get(..32).ok_or_else(|| store_err("short key"))?);
    Ok(Hash(h))
}

impl FedRead for SledStorage {
    fn fed_heads(&self) -> Result<BTreeMap<Hash, Head>, StoreError> {
        let mut out = BTreeMap::new();
        for item in self.fed.heads.iter() {
            let (k, v) = item.map_err(store_err)?;
            let head = Head::from_bytes(&v).map_err(|e| store_err(format!("corrupt head: {e}")))?;
            out.insert(hash_of(&k)?, head);
        }
        Ok(out)
    }

    fn fed_entry(&self, community: &Hash, seq: u64) -> Result<Option<SignedEntry>, StoreError> {
        match self
            .fed
            .entries
            .get(key(community, seq))
            .map_err(store_err)?
        {
            None => Ok(None),
            Some(bytes) => SignedEntry::from_bytes(&bytes)
                .map(Some)
                .map_err(|e| store_err(format!("corrupt public entry: {e}"))),
        }
    }

    fn fed_range(
        &self,
        community: &Hash,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        self.fed
            .entries
            .range(key(community, from)..=key(community, u64::MAX))
            .take(limit)
            .map(|item| item.map(|(_, v)| v.to_vec()).map_err(store_err))
            .collect()
    }

    fn proofs(&self) -> Result<BTreeMap<Hash, EquivocationProof>, StoreError> {
        let mut out = BTreeMap::new();
        for item in self.fed.proofs.iter() {
            let (k, v) = item.map_err(store_err)?;
            let proof = EquivocationProof::from_bytes(&v)
                .map_err(|e| store_err(format!("corrupt proof: {e}")))?;
            out.insert(hash_of(&k)?, proof);
        }
        Ok(out)
    }
}

impl FedStorage for SledStorage {
    fn fed_append(&mut self, community: &Hash, entries: &[SignedEntry]) -> Result<(), StoreError> {
        let Some(last) = entries.last() else {
            return Ok(());
        };
        let mut batch = sled::Batch::default();
        for e in entries {
            batch.insert(key(community, e.entry.seq).to_vec(), e.to_bytes());
        }
        let head = last.head().to_bytes();
        (&self.fed.entries, &self.fed.heads)
            .transaction(|(te, th)| {
                te.apply_batch(&batch)?;
                th.insert(&community.0, head.as_slice())?;
                Ok::<_, ConflictableTransactionError<()>>(())
            })
            .map_err(|e: TransactionError<()>| store_err(format!("{e:?}")))
    }

    fn put_proof(
        &mut self,
        community: &Hash,
        proof: &EquivocationProof,
    ) -> Result<bool, StoreError> {
        let old = self
            .fed
            .proofs
            .compare_and_swap(community.0, None as Option<&[u8]>, Some(proof.to_bytes()))
            .map_err(store_err)?;
        Ok(old.is_ok())
    }
}

/// The federation's storage in memory, for service tests.
#[derive(Debug, Default)]
pub struct MemoryFed {
    /// Entries by (community, seq).
    pub entries: BTreeMap<(Hash, u64), SignedEntry>,
    /// Proofs by community.
    pub proofs: BTreeMap<Hash, EquivocationProof>,
}

impl FedRead for MemoryStorage {
    fn fed_heads(&self) -> Result<BTreeMap<Hash, Head>, StoreError> {
        let mut out = BTreeMap::new();
        for ((c, _), e) in &self.fed.entries {
            out.insert(*c, e.head());
        }
        Ok(out)
    }

    fn fed_entry(&self, community: &Hash, seq: u64) -> Result<Option<SignedEntry>, StoreError> {
        Ok(self.fed.entries.get(&(*community, seq)).cloned())
    }

    fn fed_range(
        &self,
        community: &Hash,
        from: u64,
        limit: usize,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        Ok(self
            .fed
            .entries
            .range((*community, from)..=(*community, u64::MAX))
            .take(limit)
            .map(|(_, e)| e.to_bytes())
            .collect())
    }

    fn proofs(&self) -> Result<BTreeMap<Hash, EquivocationProof>, StoreError> {
        Ok(self.fed.proofs.clone())
    }
}

impl FedStorage for MemoryStorage {
    fn fed_append(&mut self, community: &Hash, entries: &[SignedEntry]) -> Result<(), StoreError> {
        for e in entries {
            self.fed
                .entries
                .insert((*community, e.entry.seq), e.clone());
        }
        Ok(())
    }

    fn put_proof(
        &mut self,
        community: &Hash,
        proof: &EquivocationProof,
    ) -> Result<bool, StoreError> {
        if self.fed.proofs.contains_key(community) {
            return Ok(false);
        }
        self.fed.proofs.insert(*community, proof.clone());
        Ok(true)
    }
}
