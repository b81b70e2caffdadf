//! Drives the node's service as the node task does, on a simulated clock:
//! verified actions in, group commits sealed by `tick`, every scheduled
//! item sealed at the time it falls due.

use std::collections::{BTreeMap, HashMap};

use hearth_protocol::state::schedule;
use hearth_protocol::{SignedAction, Timestamp, Verified};

use crate::service::{Io, Service, Ticket};
use crate::store::{SledStorage, Storage as _};

/// How many full refusals a summary keeps.
const SAMPLES: usize = 8;

/// Seals between two flushes of the database (a simulation that dies
/// half-way is started again from an empty directory, so flushing every
/// seal would only slow it down; the last seal is always flushed).
const FLUSH_EVERY: u32 = 256;

/// The service, its clock and what came back from it.
pub struct Driver {
    /// The service.
    pub service: Service<SledStorage>,
    /// The simulated clock.
    pub now: Timestamp,
    next_ticket: u64,
    kinds: HashMap<Ticket, (&'static str, String)>,
    /// Actions accepted, by kind.
    pub accepted: BTreeMap<&'static str, u64>,
    /// Actions refused, by `kind code`.
    pub refused: BTreeMap<String, u64>,
    /// A few refusals in full.
    pub samples: Vec<String>,
    /// Scheduled items not settled when due.
    pub stuck: u64,
    unflushed: u32,
}

impl std::fmt::Debug for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Driver").field("now", &self.now).finish()
    }
}

impl Driver {
    /// A driver of `service` whose clock reads `now`.
    pub fn new(service: Service<SledStorage>, now: Timestamp) -> Driver {
        Driver {
            service,
            now,
            next_ticket: 0,
            kinds: HashMap::new(),
            accepted: BTreeMap::new(),
            refused: BTreeMap::new(),
            samples: Vec::new(),
            stuck: 0,
            unflushed: 0,
        }
    }

    /// The store, for reading the state.
    pub fn storage(&self) -> &SledStorage {
        self.service.storage()
    }

    /// Submits a verified action, as the API does; seals at once when the
    /// batch is full.
    pub fn submit(&mut self, action: Verified<SignedAction>, what: String) {
        let ticket = Ticket(self.next_ticket);
        self.next_ticket += 1;
        self.kinds.insert(ticket, (action.action.body.kind(), what));
        if self.service.submit(ticket, action) {
            self.seal();
        }
    }

    /// Seals everything submitted, at the clock's time.
    pub fn seal(&mut self) {
        loop {
            self.service.tick(self.now);
            self.drain();
            if self.service.pending() == 0 {
                break;
            }
        }
    }

    /// Moves the clock to `to`, stopping at every scheduled item that falls
    /// due before, so that it is sealed at its time.
    pub fn advance(&mut self, to: Timestamp) -> anyhow::Result<()> {
        loop {
            let next = schedule::next(self.service.storage())?;
            let Some(at) = next.filter(|at| *at <= to) else {
                break;
            };
            let at = at.max(self.now);
            self.now = at;
            self.service.tick(at);
            self.drain();
            if schedule::next(self.service.storage())? == next {
                // Left for a later tick by the service (and logged): move on.
                self.stuck += 1;
                break;
            }
        }
        self.now = self.now.max(to);
        Ok(())
    }

    /// Makes everything durable.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.service.storage().flush()?;
        self.unflushed = 0;
        Ok(())
    }

    /// Performs the service's outputs: flushes now and then, and records
    /// the replies.
    fn drain(&mut self) {
        while let Some(io) = self.service.next_io() {
            match io {
                Io::Flush => {
                    self.unflushed += 1;
                    if self.unflushed >= FLUSH_EVERY
                        && let Err(e) = self.flush()
                    {
                        tracing::error!(error = %e, "cannot flush the simulated community");
                    }
                }
                Io::Reply { ticket, result } => {
                    let (kind, what) = self.kinds.remove(&ticket).unwrap_or(("?", String::new()));
                    match result {
                        Ok(_) => *self.accepted.entry(kind).or_default() += 1,
                        Err(e) => {
                            *self
                                .refused
                                .entry(format!("{kind} {}", e.code()))
                                .or_default() += 1;
                            if self.samples.len() < SAMPLES {
                                self.samples.push(format!("{what}: {e}"));
                            }
                        }
                    }
                }
                Io::Publish(_) | Io::Request { .. } | Io::Penalise(_) | Io::Wakeup(_) => {}
            }
        }
    }
}
