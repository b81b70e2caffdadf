//! The federation view a node keeps up to date as entries arrive, shared
//! between the node's actor (the only writer) and the API's readers.
//!
//! Building a view reads every public log; the node does that once — at
//! start, when it joins a network, or when a fork cuts a log it already
//! indexed — and otherwise appends each stored entry to the view. Final
//! tallies are counted once and kept: what they count is fixed by the
//! logs' dates. [`build_view`](super::build_view) stays the oracle the
//! tests and `hearth audit` compare against.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use hearth_protocol::Timestamp;
use hearth_protocol::crypto::{Hash, PublicKey};
use hearth_protocol::federation::FederationView;
use hearth_protocol::federation::tally::{FederatedResult, Tallier};
use hearth_protocol::log::SignedEntry;

/// The view and the final results counted from it.
#[derive(Debug, Default)]
pub struct SharedView {
    view: RwLock<Option<FederationView>>,
    finals: Mutex<BTreeMap<Hash, Arc<FederatedResult>>>,
    builds: AtomicU64,
    counts: AtomicU64,
    /// The node stored entries the view does not hold yet (a reader held
    /// it when the node tried to add them).
    lagging: AtomicBool,
}

/// A tally as the API shows it: the count (shared, for a final one) and
/// what changes after it (attestations, the stage).
#[derive(Debug, Clone)]
pub struct Tallied {
    /// The count, with the certification and stage as of the count.
    pub result: Arc<FederatedResult>,
    /// The certification now.
    pub certification: hearth_protocol::federation::tally::Certification,
    /// The stage now.
    pub stage: hearth_protocol::governance::Stage,
}

impl SharedView {
    /// Read access to the view (`None` before the node has a network).
    pub fn read(&self) -> RwLockReadGuard<'_, Option<FederationView>> {
        self.view.read().unwrap_or_else(|e| e.into_inner())
    }

    fn try_write(&self) -> Option<RwLockWriteGuard<'_, Option<FederationView>>> {
        match self.view.try_write() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// How many times the view was built from every log.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// How many tallies were counted (a final one is counted once).
    pub fn counts(&self) -> u64 {
        self.counts.load(Ordering::Relaxed)
    }

    /// Whether the view holds everything the node stored. A count over a
    /// view that lags may miss ballots and checkpoints the node holds: it
    /// is neither kept nor attested.
    pub fn is_current(&self) -> bool {
        !self.lagging.load(Ordering::Acquire)
    }

    /// The tally of `proposal` at `now` over `view` (read from this shared
    /// view): a final count is counted once and kept — once the view holds
    /// everything the node stored (see [`SharedView::is_current`]).
    pub fn tally(&self, view: &FederationView, proposal: &Hash, now: Timestamp) -> Option<Tallied> {
        let tallier = Tallier::new(view);
        let cached = self
            .finals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(proposal)
            .cloned();
        let result = match cached {
            Some(result) => result,
            None => {
                let result = Arc::new(tallier.tally(proposal, now)?);
                self.counts.fetch_add(1, Ordering::Relaxed);
                if result.is_final && self.is_current() {
                    self.finals
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(*proposal, result.clone());
                }
                result
            }
        };
        let (certification, stage) = tallier.refreshed(&result, now);
        Some(Tallied {
            certification,
            stage,
            result,
        })
    }
}

/// What the actor holds to keep a [`SharedView`] up to date: entries not
/// yet appended (the view was being read) and whether it must be rebuilt.
#[derive(Debug, Default)]
pub struct ViewKeeper {
    /// The view, shared with readers.
    pub shared: Arc<SharedView>,
    unapplied: Vec<(Hash, PublicKey, Option<u64>, Vec<SignedEntry>)>,
    stale: bool,
}

impl ViewKeeper {
    /// Entries just stored of `community`'s log (whose node key is `node`
    /// and which is frozen at `fork`, if it is).
    pub fn append(
        &mut self,
        community: Hash,
        node: PublicKey,
        fork: Option<u64>,
        entries: Vec<SignedEntry>,
    ) {
        if !self.stale {
            self.unapplied.push((community, node, fork, entries));
        }
        self.shared.lagging.store(true, Ordering::Release);
    }

    /// The view must be built again from the logs (a network was adopted,
    /// or a log it indexed was cut at a fork).
    pub fn invalidate(&mut self) {
        self.stale = true;
        self.unapplied.clear();
        self.shared.lagging.store(true, Ordering::Release);
    }

    /// Applies what waits, unless a reader holds the view (then it is
    /// tried again on the next tick: the actor never waits for a reader).
    /// `build` makes the view from every log when it must be rebuilt.
    pub fn sync(&mut self, build: impl FnOnce() -> Option<FederationView>) {
        if !self.stale && self.unapplied.is_empty() {
            return;
        }
        let Some(mut guard) = self.shared.try_write() else {
            return;
        };
        if self.stale {
            *guard = build();
            self.shared.builds.fetch_add(1, Ordering::Relaxed);
            self.shared
                .finals
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            self.stale = false;
            self.unapplied.clear();
            self.shared.lagging.store(false, Ordering::Release);
            return;
        }
        if let Some(view) = guard.as_mut() {
            for (community, node, fork, entries) in self.unapplied.drain(..) {
                view.append(&community, node, fork, &entries);
            }
        } else {
            self.unapplied.clear();
        }
        self.shared.lagging.store(false, Ordering::Release);
    }
}
