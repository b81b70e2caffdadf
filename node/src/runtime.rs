//! The IO shell around the [`Service`]: one tokio task owns the service
//! and its storage, takes commands from a channel, seals what arrived
//! while the previous seal was flushing (group commit), flushes, and only
//! then answers. A clonable [`Handle`] is how the HTTP API and tests reach
//! it; a closed channel means shutdown.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hearth_protocol::Canonical;
use hearth_protocol::federation::{
    Gossip, NetworkGenesis, NetworkSignature, SignedNetwork, SyncRequest, SyncResponse,
};
use hearth_protocol::log::ActionsChecked;
use hearth_protocol::{Hash, SignedAction, Timestamp, Verified};
use serde::Serialize;
use tokio::sync::{mpsc, oneshot};

use crate::metrics::Metrics;
use crate::net::{Multiaddr, Net, NetConfig, NetEvent, PeerId, ResponseChannel, Verdict};
use crate::service::federation::{FedStatus, SharedView, answer_range};
use crate::service::{Io, Receipt, Service, SubmitError, Ticket};
use crate::store::{ReadOnly, SledStorage};

/// How often the node task ticks without commands (closing votes on time,
/// checkpoints, sync rounds).
const TICK: std::time::Duration = std::time::Duration::from_millis(250);

/// An offset added to the wall clock, settable only through the test
/// controls (`hearthd run --test-controls`), to play a node whose clock
/// runs behind.
static CLOCK_OFFSET: AtomicI64 = AtomicI64::new(0);

/// Sets the test clock offset in milliseconds.
pub fn set_clock_offset(ms: i64) {
    CLOCK_OFFSET.store(ms, Ordering::Relaxed);
}

/// Depth of the command channel.
const CHANNEL_DEPTH: usize = 16_384;

/// The node's wall clock, in milliseconds since the epoch.
pub fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    Timestamp(ms.saturating_add_signed(CLOCK_OFFSET.load(Ordering::Relaxed)))
}

/// Most commands other than submissions answered between two seals.
const OTHERS_PER_ROUND: usize = 8;

/// A command for the node task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Record a verified action; the reply comes once it is durable.
    Submit {
        /// The action.
        action: Box<Verified<SignedAction>>,
        /// Where the outcome goes.
        reply: oneshot::Sender<Result<Receipt, SubmitError>>,
    },
    /// Record a signed network genesis (this community founds it, or was
    /// admitted by the vote on `joined`); the reply comes once durable.
    Network {
        /// The network.
        network: Box<SignedNetwork>,
        /// The admitting proposal, for a community that joins later.
        joined: Option<Hash>,
        /// Where the outcome goes.
        reply: oneshot::Sender<Result<Receipt, SubmitError>>,
    },
    /// Sign a network draft with the node key.
    SignNetwork {
        /// The draft.
        genesis: Box<NetworkGenesis>,
        /// The signature, or why not.
        reply: oneshot::Sender<Result<NetworkSignature, String>>,
    },
    /// Issue a credential signed with the node key.
    IssueCredential {
        /// The member it is for.
        subject: hearth_protocol::PublicKey,
        /// What they are verified in.
        achievement: Box<hearth_protocol::credential::Achievement>,
        /// From when.
        valid_from: Timestamp,
        /// The credential, or why not.
        reply: oneshot::Sender<Result<serde_json::Value, String>>,
    },
    /// What the node's network layer looks like.
    NodeInfo {
        /// Where the answer goes.
        reply: oneshot::Sender<NodeInfo>,
    },
    /// The node's network layer and federation, for the status endpoint.
    Status {
        /// Where the answer goes.
        reply: oneshot::Sender<(NodeInfo, FedStatus)>,
    },
    /// A public entry or proof pushed over HTTP, decoded (and an entry's
    /// action signatures checked) by the API, away from the node task.
    Push {
        /// The message.
        gossip: Box<Gossip>,
        /// The entry's action signatures, if checked.
        checked: Option<ActionsChecked>,
        /// What became of it.
        reply: oneshot::Sender<Result<&'static str, String>>,
    },
    /// A test control (only with `--test-controls`).
    Control {
        /// What to do.
        control: Control,
        /// Done, or why not.
        reply: oneshot::Sender<Result<(), String>>,
    },
}

/// Test controls of the network layer.
#[derive(Debug)]
pub enum Control {
    /// Drop and refuse connections with these peers.
    Block(Vec<PeerId>),
    /// Accept them again (and dial these addresses).
    Unblock(Vec<PeerId>, Vec<Multiaddr>),
    /// Publish raw bytes on the topic, unchecked (a misbehaving peer).
    PublishRaw(Vec<u8>),
}

/// The network layer as the API shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NodeInfo {
    /// The node's peer id (none while the network layer is off).
    pub peer_id: Option<String>,
    /// Its listen addresses, with `/p2p/`.
    pub listen: Vec<String>,
    /// Connected peers.
    pub peers: Vec<PeerJson>,
    /// Whether the network layer runs.
    pub enabled: bool,
    /// Whether it looks for peers on the LAN (mDNS).
    pub mdns: bool,
}

/// A connected peer as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PeerJson {
    /// Its peer id.
    pub peer_id: String,
    /// Addresses it is known at.
    pub addrs: Vec<String>,
    /// Its gossipsub score.
    pub score: f64,
    /// The community whose node it is, if known.
    pub community: Option<Hash>,
}

/// How long until the service's wake-up (a long wait when none is set).
fn wakeup_in(metrics: &Metrics) -> std::time::Duration {
    match metrics.wakeup.load(Ordering::Relaxed) {
        0 => std::time::Duration::from_secs(3600),
        at => std::time::Duration::from_millis(at.saturating_sub(now().0).max(1)),
    }
}

/// A clonable way to reach the node task.
#[derive(Clone, Debug)]
pub struct Handle {
    tx: mpsc::Sender<Command>,
    storage: ReadOnly<SledStorage>,
    metrics: Arc<Metrics>,
    view: Arc<SharedView>,
}

impl Handle {
    /// Submits a verified action and waits until it is durable (or refused).
    pub async fn submit(&self, action: Verified<SignedAction>) -> Result<Receipt, SubmitError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Submit {
                action: Box::new(action),
                reply,
            })
            .await
            .map_err(|_| SubmitError::ShuttingDown)?;
        rx.await.unwrap_or(Err(SubmitError::ShuttingDown))
    }

    /// Sends a command and waits for its reply.
    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, SubmitError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(make(reply))
            .await
            .map_err(|_| SubmitError::ShuttingDown)?;
        rx.await.map_err(|_| SubmitError::ShuttingDown)
    }

    /// Records a signed network genesis (founded by this community, or
    /// joined by the vote on `joined`) and waits until it is durable.
    pub async fn record_network(
        &self,
        network: SignedNetwork,
        joined: Option<Hash>,
    ) -> Result<Receipt, SubmitError> {
        self.ask(|reply| Command::Network {
            network: Box::new(network),
            joined,
            reply,
        })
        .await?
    }

    /// Signs a network draft with the node key (the error says why not).
    pub async fn sign_network(
        &self,
        genesis: NetworkGenesis,
    ) -> Result<Result<NetworkSignature, String>, SubmitError> {
        self.ask(|reply| Command::SignNetwork {
            genesis: Box::new(genesis),
            reply,
        })
        .await
    }

    /// A credential for `subject`'s verified skill, signed with the node key.
    pub async fn issue_credential(
        &self,
        subject: hearth_protocol::PublicKey,
        achievement: hearth_protocol::credential::Achievement,
        valid_from: Timestamp,
    ) -> Result<Result<serde_json::Value, String>, SubmitError> {
        self.ask(|reply| Command::IssueCredential {
            subject,
            achievement: Box::new(achievement),
            valid_from,
            reply,
        })
        .await
    }

    /// What the node's network layer looks like.
    pub async fn node_info(&self) -> Result<NodeInfo, SubmitError> {
        self.ask(|reply| Command::NodeInfo { reply }).await
    }

    /// The node's network layer and federation as they stand.
    pub async fn status(&self) -> Result<(NodeInfo, FedStatus), SubmitError> {
        self.ask(|reply| Command::Status { reply }).await
    }

    /// Hands the node a public entry or proof pushed over HTTP (a canonical
    /// `Gossip`); the outcome, or why it was refused.
    pub async fn push(
        &self,
        gossip: Box<Gossip>,
        checked: Option<ActionsChecked>,
    ) -> Result<Result<&'static str, String>, SubmitError> {
        self.ask(|reply| Command::Push {
            gossip,
            checked,
            reply,
        })
        .await
    }

    /// Carries out a test control (the error says why not).
    pub async fn control(&self, control: Control) -> Result<Result<(), String>, SubmitError> {
        self.ask(|reply| Command::Control { control, reply }).await
    }

    /// Read access to the storage.
    pub fn storage(&self) -> &ReadOnly<SledStorage> {
        &self.storage
    }

    /// The node's counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The federation view the node keeps up to date.
    pub fn federation(&self) -> &SharedView {
        &self.view
    }
}

/// How the node task runs the p2p layer.
#[derive(Debug)]
pub enum P2p {
    /// Never (`--no-p2p`).
    Off,
    /// Running from the start.
    On(Box<Net>),
    /// Started with this configuration once the community belongs to a
    /// network (it is in none yet, and nothing asked for p2p before that).
    OnceInNetwork(NetConfig),
}

/// Starts the node task with its p2p layer as `p2p` says. It ends (after
/// a final seal and flush) when every `Handle` is dropped; await the
/// returned join handle to know it has.
pub fn spawn(service: Service<SledStorage>, p2p: P2p) -> (Handle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
    let storage = ReadOnly::new(service.storage().clone());
    let metrics = Arc::new(Metrics::new());
    let handle = Handle {
        tx,
        storage,
        metrics: metrics.clone(),
        view: service.shared_view(),
    };
    let (net, deferred) = match p2p {
        P2p::Off => (None, None),
        P2p::On(net) => (Some(*net), None),
        P2p::OnceInNetwork(config) => (None, Some(config)),
    };
    let task = tokio::spawn(run(service, net, deferred, rx, metrics));
    (handle, task)
}

/// Starts the deferred p2p layer once the community belongs to a network.
fn start_deferred(
    service: &Service<SledStorage>,
    net: &mut Option<Net>,
    deferred: &mut Option<NetConfig>,
) {
    if deferred.is_none() || net.is_some() {
        return;
    }
    let Some(network) = service.network() else {
        return;
    };
    let Some(config) = deferred.take() else {
        return;
    };
    match Net::new(config) {
        Ok(started) => {
            tracing::info!(
                network = %network.genesis.id(),
                peer_id = %started.local_peer_id(),
                "the community is in a network: p2p started"
            );
            *net = Some(started);
        }
        Err(e) => tracing::error!(error = %format!("{e:#}"), "cannot start the p2p layer"),
    }
}

async fn next_net_event(net: &mut Option<Net>) -> NetEvent {
    match net {
        Some(net) => net.next_event().await,
        None => std::future::pending().await,
    }
}

type Waiting = HashMap<Ticket, oneshot::Sender<Result<Receipt, SubmitError>>>;

/// Range requests answered away from the node task, per peer: a peer
/// asking for more at once is refused until its answers are sent.
const RANGES_PER_PEER: usize = 2;

/// A sync range answered away from the node task, to send: the peer,
/// where the answer goes, the answer, and the range it was asked for.
type Answered = (PeerId, ResponseChannel<Vec<u8>>, Vec<u8>, (Hash, u64));

/// What the node task tracks of range requests answered off it.
struct Ranges {
    tx: mpsc::UnboundedSender<Answered>,
    rx: mpsc::UnboundedReceiver<Answered>,
    inflight: HashMap<PeerId, usize>,
}

async fn next_answered(ranges: &mut Ranges) -> Answered {
    match ranges.rx.recv().await {
        Some(answered) => answered,
        // The task holds a sender itself: the channel never closes.
        None => std::future::pending().await,
    }
}

/// Ticks the service, timing the seal it may perform.
fn tick(service: &mut Service<SledStorage>, metrics: &Metrics) {
    let seals = service.stats().seals;
    let started = Instant::now();
    service.tick(now());
    if service.stats().seals > seals {
        metrics
            .seal_seconds
            .observe(started.elapsed().as_secs_f64());
    }
}

async fn run(
    mut service: Service<SledStorage>,
    mut net: Option<Net>,
    mut deferred: Option<NetConfig>,
    mut rx: mpsc::Receiver<Command>,
    metrics: Arc<Metrics>,
) {
    let (answered_tx, answered_rx) = mpsc::unbounded_channel();
    let mut ranges = Ranges {
        tx: answered_tx,
        rx: answered_rx,
        inflight: HashMap::new(),
    };
    let mut waiting: Waiting = HashMap::new();
    let mut next_ticket = 0u64;
    let mut healthy = drain_io(&mut service, &mut net, &mut waiting, &metrics, true).await;
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        start_deferred(&service, &mut net, &mut deferred);
        let wake = wakeup_in(&metrics);
        let command = tokio::select! {
            command = rx.recv() => match command {
                Some(command) => command,
                None => break,
            },
            (peer, channel, data, (community, from)) = next_answered(&mut ranges) => {
                if let Some(n) = ranges.inflight.get_mut(&peer) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        ranges.inflight.remove(&peer);
                    }
                }
                if let Some(net) = net.as_mut() {
                    tracing::info!(%peer, community = %community, from, bytes = data.len(), "served a sync range");
                    metrics.sync("served", data.len() as u64);
                    net.respond(channel, data);
                }
                continue;
            }
            event = next_net_event(&mut net) => {
                on_net_event(&mut service, &mut net, &mut ranges, &metrics, event);
                healthy = drain_io(&mut service, &mut net, &mut waiting, &metrics, healthy).await;
                continue;
            }
            _ = tokio::time::sleep(wake) => {
                // Something the service scheduled falls due.
                tick(&mut service, &metrics);
                healthy = drain_io(&mut service, &mut net, &mut waiting, &metrics, healthy).await;
                publish_stats(&service, &metrics);
                continue;
            }
            _ = ticker.tick() => {
                // Time passes: votes that ended are closed, checkpoints
                // and sync rounds are due.
                tick(&mut service, &metrics);
                healthy = drain_io(&mut service, &mut net, &mut waiting, &metrics, healthy).await;
                publish_stats(&service, &metrics);
                continue;
            }
        };
        // Take everything that queued up while the last flush ran: this is
        // the group commit.
        // Other commands (a pushed entry, a read of the network layer) are
        // answered in between, but only a few per round: a stream of them
        // must never hold back the seal that members' actions wait for.
        let mut command = Some(command);
        let mut others = 0;
        while let Some(c) = command.take() {
            match c {
                Command::Submit { action, reply } => {
                    let ticket = Ticket(next_ticket);
                    next_ticket += 1;
                    if !healthy {
                        let _ = reply.send(Err(SubmitError::ShuttingDown));
                    } else {
                        waiting.insert(ticket, reply);
                        if service.submit(ticket, *action) {
                            break;
                        }
                    }
                }
                Command::Network {
                    network,
                    joined,
                    reply,
                } => {
                    let ticket = Ticket(next_ticket);
                    next_ticket += 1;
                    waiting.insert(ticket, reply);
                    service.submit_network(ticket, *network, joined);
                }
                other => {
                    answer(&mut service, &mut net, other);
                    others += 1;
                    if others >= OTHERS_PER_ROUND {
                        break;
                    }
                }
            }
            command = rx.try_recv().ok();
        }
        tick(&mut service, &metrics);
        healthy = drain_io(&mut service, &mut net, &mut waiting, &metrics, healthy).await;
        publish_stats(&service, &metrics);
    }
    service.tick(now());
    drain_io(&mut service, &mut net, &mut waiting, &metrics, healthy).await;
    if let Err(e) = service.storage().flush_async().await {
        tracing::error!(error = %e, "final flush failed");
    }
    tracing::info!("node task stopped");
}

/// Answers the commands that need no seal.
fn answer(service: &mut Service<SledStorage>, net: &mut Option<Net>, command: Command) {
    match command {
        Command::Submit { .. } | Command::Network { .. } => {}
        Command::SignNetwork { genesis, reply } => {
            let _ = reply.send(service.sign_network(&genesis));
        }
        Command::IssueCredential {
            subject,
            achievement,
            valid_from,
            reply,
        } => {
            let _ = reply.send(service.issue_credential(&subject, &achievement, valid_from));
        }
        Command::NodeInfo { reply } => {
            let _ = reply.send(node_info(service, net.as_ref()));
        }
        Command::Status { reply } => {
            let info = node_info(service, net.as_ref());
            let _ = reply.send((info, service.fed_status(now())));
        }
        Command::Push {
            gossip,
            checked,
            reply,
        } => {
            let _ = reply.send(service.push(*gossip, checked, now()));
        }
        Command::Control { control, reply } => {
            let Some(net) = net.as_mut() else {
                let _ = reply.send(Err("this node runs without a network layer".into()));
                return;
            };
            match control {
                Control::Block(peers) => peers.into_iter().for_each(|p| net.block(p)),
                Control::Unblock(peers, addrs) => {
                    peers.iter().for_each(|p| net.unblock(p));
                    addrs.into_iter().for_each(|a| net.dial(a));
                }
                Control::PublishRaw(data) => net.publish(data),
            }
            let _ = reply.send(Ok(()));
        }
    }
}

fn node_info(service: &Service<SledStorage>, net: Option<&Net>) -> NodeInfo {
    let Some(net) = net else {
        return NodeInfo::default();
    };
    let known = service.community_peers();
    NodeInfo {
        peer_id: Some(net.local_peer_id().to_string()),
        listen: net.listen_addrs().iter().map(|a| a.to_string()).collect(),
        peers: net
            .peers()
            .into_iter()
            .map(|p| PeerJson {
                peer_id: p.peer.to_string(),
                addrs: p.addresses.iter().map(|a| a.to_string()).collect(),
                score: p.score,
                community: known.get(&p.peer).copied(),
            })
            .collect(),
        enabled: true,
        mdns: net.mdns(),
    }
}

fn on_net_event(
    service: &mut Service<SledStorage>,
    net: &mut Option<Net>,
    ranges: &mut Ranges,
    metrics: &Metrics,
    event: NetEvent,
) {
    let Some(net) = net.as_mut() else {
        return;
    };
    match event {
        NetEvent::Listening(addr) => {
            // What a person (or a test) starting the node needs to see,
            // once per address and only here; best effort, like the API
            // address.
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "p2p listening on {addr}");
            let _ = out.flush();
        }
        NetEvent::Connected(peer) => {
            metrics.peers.inc();
            service.peer_connected(peer);
            match service.community_peers().get(&peer) {
                Some(community) => {
                    tracing::info!(%peer, community = %community, "peer connected")
                }
                None => tracing::info!(%peer, "peer connected"),
            }
        }
        NetEvent::Disconnected(peer) => {
            metrics.peers.dec();
            tracing::info!(%peer, "peer disconnected");
            service.peer_disconnected(&peer);
        }
        NetEvent::Gossip { source, id, data } => {
            metrics.gossip("in");
            let verdict = service.on_gossip(source, &data, now());
            if verdict == Verdict::Reject {
                metrics.gossip_rejected.inc();
            }
            net.validate(&id, &source, verdict);
        }
        NetEvent::Request {
            peer,
            data,
            channel,
        } => match SyncRequest::from_bytes(&data) {
            // Ranges — up to 16 MiB read from the store — are answered
            // on the blocking pool, a few per peer at a time.
            Ok(SyncRequest::Range {
                community,
                from,
                limit,
            }) => {
                let inflight = ranges.inflight.entry(peer).or_default();
                if *inflight >= RANGES_PER_PEER {
                    let busy = SyncResponse::Refused("too many ranges at once".into());
                    net.respond(channel, busy.to_bytes());
                    return;
                }
                *inflight += 1;
                let storage = service.storage().clone();
                let tx = ranges.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let data = answer_range(&storage, &community, from, limit);
                    let _ = tx.send((peer, channel, data, (community, from)));
                });
            }
            Ok(request) => net.respond(channel, service.respond(request)),
            Err(e) => {
                let refused = SyncResponse::Refused(format!("malformed request: {e}"));
                net.respond(channel, refused.to_bytes());
            }
        },
        NetEvent::Response { peer, data, .. } => service.on_response(peer, &data, now()),
        NetEvent::RequestFailed { peer, error, .. } => {
            tracing::debug!(%peer, %error, "sync request failed");
            service.request_failed(&peer);
        }
    }
}

/// Performs the service's outputs in order. A failed flush means nothing
/// after it may be acknowledged: those replies become errors and the node
/// stops accepting actions.
async fn drain_io(
    service: &mut Service<SledStorage>,
    net: &mut Option<Net>,
    waiting: &mut Waiting,
    metrics: &Metrics,
    mut healthy: bool,
) -> bool {
    while let Some(io) = service.next_io() {
        match io {
            Io::Flush => {
                let started = Instant::now();
                let result = service.storage().flush_async().await;
                metrics.flushes.inc();
                metrics
                    .flush_seconds
                    .observe(started.elapsed().as_secs_f64());
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
            Io::Publish(data) => {
                if let Some(net) = net.as_mut() {
                    metrics.gossip("out");
                    net.publish(data);
                }
            }
            Io::Request { peer, data } => {
                if let Some(net) = net.as_mut() {
                    net.request(&peer, data);
                }
            }
            Io::Penalise(peer) => {
                if let Some(net) = net.as_mut() {
                    net.penalise(&peer);
                }
            }
            Io::Wakeup(at) => metrics.wakeup.store(at.0, Ordering::Relaxed),
        }
    }
    healthy
}

/// Brings the metrics the service keeps up to date.
fn publish_stats(service: &Service<SledStorage>, metrics: &Metrics) {
    let stats = service.stats();
    Metrics::catch_up(&metrics.accepted, stats.accepted);
    Metrics::catch_up(&metrics.rejected, stats.rejected);
    Metrics::catch_up(&metrics.entries, stats.entries);
    Metrics::catch_up(&metrics.seals, stats.seals);
    let received = metrics
        .sync_ranges
        .get_or_create_owned(&crate::metrics::DirectionLabels {
            direction: "received",
        });
    let bytes = metrics
        .sync_bytes
        .get_or_create_owned(&crate::metrics::DirectionLabels {
            direction: "received",
        });
    Metrics::catch_up(&received, stats.ranges_received);
    Metrics::catch_up(&bytes, stats.range_bytes_received);
    metrics
        .pending_votes
        .set(service.pending_vote_count() as i64);
}
