//! The IO shell around the [`Service`]: one tokio task owns the service
//! and its storage, takes commands from a channel, seals what arrived
//! while the previous seal was flushing (group commit), flushes, and only
//! then answers. A clonable [`Handle`] is how the HTTP API and tests reach
//! it; a closed channel means shutdown.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hearth_protocol::{SignedAction, Timestamp, Verified};
use tokio::sync::{mpsc, oneshot};

use crate::service::{Io, Receipt, Service, SubmitError, Ticket};
use crate::store::SledStorage;

/// How often the node task ticks without commands (closing votes on time).
const TICK: std::time::Duration = std::time::Duration::from_secs(1);

/// Depth of the command channel.
const CHANNEL_DEPTH: usize = 16_384;

/// The node's wall clock, in milliseconds since the epoch.
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    Timestamp(ms)
}

/// A command for the node task.
#[derive(Debug)]
pub enum Command {
    /// Record a verified action; the reply comes once it is durable.
    Submit {
        /// The action.
        action: Verified<SignedAction>,
        /// Where the outcome goes.
        reply: oneshot::Sender<Result<Receipt, SubmitError>>,
    },
}

/// Counters shared between the node task and the API.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Actions accepted.
    pub accepted: AtomicU64,
    /// Actions refused.
    pub rejected: AtomicU64,
    /// Entries sealed.
    pub entries: AtomicU64,
    /// Seals (group commits).
    pub seals: AtomicU64,
    /// Flushes.
    pub flushes: AtomicU64,
    /// Total microseconds spent flushing.
    pub flush_micros: AtomicU64,
}

/// A clonable way to reach the node task.
#[derive(Clone, Debug)]
pub struct Handle {
    tx: mpsc::Sender<Command>,
    storage: SledStorage,
    metrics: Arc<Metrics>,
}

impl Handle {
    /// Submits a verified action and waits until it is durable (or refused).
    pub async fn submit(&self, action: Verified<SignedAction>) -> Result<Receipt, SubmitError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Submit { action, reply })
            .await
            .map_err(|_| SubmitError::ShuttingDown)?;
        rx.await.unwrap_or(Err(SubmitError::ShuttingDown))
    }

    /// Read access to the storage.
    pub fn storage(&self) -> &SledStorage {
        &self.storage
    }

    /// The node's counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }
}

/// Starts the node task. It ends (after a final seal and flush) when every
/// `Handle` is dropped; await the returned join handle to know it has.
pub fn spawn(service: Service<SledStorage>) -> (Handle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
    let storage = service.storage().clone();
    let metrics = Arc::new(Metrics::default());
    let handle = Handle {
        tx,
        storage,
        metrics: metrics.clone(),
    };
    let task = tokio::spawn(run(service, rx, metrics));
    (handle, task)
}

async fn run(
    mut service: Service<SledStorage>,
    mut rx: mpsc::Receiver<Command>,
    metrics: Arc<Metrics>,
) {
    let mut waiting: HashMap<Ticket, oneshot::Sender<Result<Receipt, SubmitError>>> =
        HashMap::new();
    let mut next_ticket = 0u64;
    let mut healthy = drain_io(&mut service, &mut waiting, &metrics, true).await;
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let command = tokio::select! {
            command = rx.recv() => match command {
                Some(command) => command,
                None => break,
            },
            _ = ticker.tick() => {
                // Time passes: votes that ended are closed.
                service.tick(now());
                healthy = drain_io(&mut service, &mut waiting, &metrics, healthy).await;
                publish_stats(&service, &metrics);
                continue;
            }
        };
        // Take everything that queued up while the last flush ran: this is
        // the group commit.
        let mut command = Some(command);
        while let Some(Command::Submit { action, reply }) = command.take() {
            let ticket = Ticket(next_ticket);
            next_ticket += 1;
            if !healthy {
                let _ = reply.send(Err(SubmitError::ShuttingDown));
            } else {
                waiting.insert(ticket, reply);
                if service.submit(ticket, action) {
                    break;
                }
            }
            command = rx.try_recv().ok();
        }
        service.tick(now());
        healthy = drain_io(&mut service, &mut waiting, &metrics, healthy).await;
        publish_stats(&service, &metrics);
    }
    service.tick(now());
    drain_io(&mut service, &mut waiting, &metrics, healthy).await;
    if let Err(e) = service.storage().flush_async().await {
        tracing::error!(error = %e, "final flush failed");
    }
    tracing::info!("node task stopped");
}

/// Performs the service's outputs in order. A failed flush means nothing
/// after it may be acknowledged: those replies become errors and the node
/// stops accepting actions.
async fn drain_io(
    service: &mut Service<SledStorage>,
    waiting: &mut HashMap<Ticket, oneshot::Sender<Result<Receipt, SubmitError>>>,
    metrics: &Metrics,
    mut healthy: bool,
) -> bool {
    while let Some(io) = service.next_io() {
        match io {
            Io::Flush => {
                let started = std::time::Instant::now();
                let result = service.storage().flush_async().await;
                metrics.flushes.fetch_add(1, Ordering::Relaxed);
                metrics
                    .flush_micros
                    .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                if let Err(e) = result {
                    tracing::error!(error = %e, "flush failed; refusing further actions");
                    healthy = false;
                }
            }
            Io::Reply { ticket, result } => {
                let result = if healthy {
                    result
                } else {
                    Err(SubmitError::ShuttingDown)
                };
                if let Some(reply) = waiting.remove(&ticket) {
                    // The submitter may have gone away; the action stands.
                    let _ = reply.send(result);
                }
            }
        }
    }
    healthy
}

fn publish_stats(service: &Service<SledStorage>, metrics: &Metrics) {
    let stats = service.stats();
    metrics.accepted.store(stats.accepted, Ordering::Relaxed);
    metrics.rejected.store(stats.rejected, Ordering::Relaxed);
    metrics.entries.store(stats.entries, Ordering::Relaxed);
    metrics.seals.store(stats.seals, Ordering::Relaxed);
}
