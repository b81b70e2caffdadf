//! The node's libp2p layer. It moves opaque bytes between nodes and knows
//! nothing of Hearth's records: the node's service validates what arrives
//! and tells this layer the verdict, which decides whether gossip is
//! forwarded and how the sender's standing changes.
//!
//! - TCP + noise + yamux; identify; ping; kademlia (server mode,
//!   `/hearth/kad/1.0.0`) fed with the addresses identify reports; mDNS when
//!   enabled.
//! - Gossipsub on one topic, without per-message signatures (the payloads
//!   carry their own), message id = blake3 of the payload, nothing forwarded
//!   before the caller's [`Verdict`], peer scoring on.
//! - The `/hearth/sync/1` request-response protocol: length-prefixed bytes,
//!   requests up to [`MAX_REQUEST_SIZE`], responses up to [`MAX_RESPONSE_SIZE`].
//! - Standing: a peer whose score falls below [`BAN_THRESHOLD`] (invalid
//!   gossip, [`Net::penalise`]) is disconnected and refused for
//!   [`BAN_COOLDOWN`]; [`Net::block`] refuses a peer until unblocked.
//!
//! One task owns the [`Net`] and calls [`Net::next_event`] in its `select!`
//! loop; every other method is synchronous and takes effect as the swarm is
//! next driven.

mod behaviour;
mod codec;
mod standing;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt as _;
use libp2p::gossipsub::{IdentTopic, MessageAcceptance, PublishError};
use libp2p::multiaddr::Protocol;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionId, SwarmEvent};
use libp2p::{Swarm, SwarmBuilder, gossipsub, identify, identity, mdns, noise, tcp, yamux};
use tokio::time::{Interval, MissedTickBehavior};

pub use libp2p::gossipsub::MessageId;
pub use libp2p::request_response::{OutboundRequestId, ResponseChannel};
pub use libp2p::{Multiaddr, PeerId};

pub use behaviour::{
    BAN_THRESHOLD, GOSSIP_FRAMING, GOSSIP_THRESHOLD, GRAYLIST_THRESHOLD, IDENTIFY_VERSION,
    KAD_PROTOCOL, MAX_TRANSMIT_SIZE, PUBLISH_THRESHOLD, SYNC_TIMEOUT, message_id,
};
pub use codec::{MAX_REQUEST_SIZE, MAX_RESPONSE_SIZE, SYNC_PROTOCOL};
pub use standing::{BAN_COOLDOWN, PENALTY_HALF_LIFE, PENALTY_STEP};

use behaviour::{Behaviour, BehaviourEvent};
use standing::Standing;

/// Largest payload [`Net::publish`] accepts: the protocol's limit on a
/// `Gossip` message.
pub const MAX_GOSSIP_SIZE: usize = MAX_TRANSMIT_SIZE - GOSSIP_FRAMING;

/// How often bans expire, penalties decay and scores are checked.
const MAINTENANCE_INTERVAL: Duration = Duration::from_secs(1);

/// How often disconnected bootstrap peers are dialled again.
const REDIAL_INTERVAL: Duration = Duration::from_secs(10);

/// How often kademlia is bootstrapped (when its routing table holds a peer).
const KAD_BOOTSTRAP_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// How long a connection no protocol needs is kept open. Long, so that the
/// federation stays connected between rare publications.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// Most addresses taken from one identify report into kademlia.
const MAX_IDENTIFY_ADDRS: usize = 8;

/// Most peers dialled for one mDNS discovery.
const MAX_MDNS_DIALS: usize = 16;

/// What the network layer needs to start.
#[derive(Clone)]
pub struct NetConfig {
    /// The node's ed25519 secret seed: the same key signs the node's logs,
    /// and the node's [`PeerId`] derives from it.
    pub key_seed: [u8; 32],
    /// Addresses to listen on, e.g. `/ip4/127.0.0.1/tcp/0`.
    pub listen: Vec<Multiaddr>,
    /// Peers dialled at start and again every few seconds while
    /// disconnected; each must end in `/p2p/<peer id>`.
    pub bootstrap: Vec<Multiaddr>,
    /// Discover peers on the LAN by mDNS (opt-in: `--mdns`).
    pub mdns: bool,
    /// The gossipsub topic subscribed at start.
    pub topic: String,
}

impl fmt::Debug for NetConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The seed is a secret key: never in logs.
        f.debug_struct("NetConfig")
            .field("listen", &self.listen)
            .field("bootstrap", &self.bootstrap)
            .field("mdns", &self.mdns)
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

/// What the network layer reports.
#[derive(Debug)]
pub enum NetEvent {
    /// Listening on a new address (including `/p2p/<our peer id>`).
    Listening(Multiaddr),
    /// First connection to a peer established.
    Connected(PeerId),
    /// Last connection to a peer closed.
    Disconnected(PeerId),
    /// A gossip message on our topic. The caller MUST answer with
    /// [`Net::validate`] within a few seconds (gossipsub keeps unvalidated
    /// messages for 5 heartbeats): nothing is forwarded until then.
    Gossip {
        /// The peer that forwarded it to us (not necessarily its author:
        /// messages are anonymous); pass it back to [`Net::validate`].
        source: PeerId,
        /// blake3 of `data`.
        id: MessageId,
        /// The payload.
        data: Vec<u8>,
    },
    /// A sync request; answer it with [`Net::respond`] within [`SYNC_TIMEOUT`].
    Request {
        /// Who asks.
        peer: PeerId,
        /// The request (at most [`MAX_REQUEST_SIZE`] bytes).
        data: Vec<u8>,
        /// Where the answer goes.
        channel: ResponseChannel<Vec<u8>>,
    },
    /// The answer to one of our sync requests.
    Response {
        /// Who answered.
        peer: PeerId,
        /// The id [`Net::request`] returned.
        id: OutboundRequestId,
        /// The response (at most [`MAX_RESPONSE_SIZE`] bytes).
        data: Vec<u8>,
    },
    /// One of our sync requests failed (no connection, timeout, refused,
    /// oversized, …).
    RequestFailed {
        /// To whom it was sent.
        peer: PeerId,
        /// The id [`Net::request`] returned.
        id: OutboundRequestId,
        /// What went wrong.
        error: String,
    },
}

/// The caller's judgement of a gossip message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: deliver it to our mesh peers.
    Accept,
    /// Provably invalid (bad signature, malformed): drop it and count it
    /// heavily against the peer that sent it.
    Reject,
    /// Not judged (a duplicate, missing context, not of interest): drop it
    /// without penalty.
    Ignore,
}

/// A connected peer, as [`Net::peers`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerInfo {
    /// The peer.
    pub peer: PeerId,
    /// Remote addresses of our connections to it.
    pub addresses: Vec<Multiaddr>,
    /// Its gossipsub score, application penalty included.
    pub score: f64,
    /// Its current application penalty from [`Net::penalise`] (decaying;
    /// counted in `score` as `-penalty`).
    pub penalty: f64,
    /// Whether it has told us it subscribes to our topic.
    pub subscribed: bool,
    /// Whether it is in our gossipsub mesh for our topic.
    pub in_mesh: bool,
}

/// The node's libp2p swarm, and the bookkeeping around it.
pub struct Net {
    swarm: Swarm<Behaviour>,
    topic: IdentTopic,
    bootstrap: Vec<(PeerId, Multiaddr)>,
    standing: Standing,
    /// Remote address of every open connection.
    connections: HashMap<PeerId, Vec<(ConnectionId, Multiaddr)>>,
    maintenance: Interval,
    next_redial: Instant,
    next_kad_bootstrap: Instant,
    mdns: bool,
}

impl fmt::Debug for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Net")
            .field("peer_id", self.swarm.local_peer_id())
            .field("topic", &self.topic.to_string())
            .field("connected", &self.connections.len())
            .finish_non_exhaustive()
    }
}

impl Net {
    /// Builds the swarm, starts listening and dials the bootstrap peers.
    /// Must be called within a tokio runtime.
    pub fn new(config: NetConfig) -> anyhow::Result<Net> {
        tokio::runtime::Handle::try_current()
            .context("the network layer needs a running tokio runtime")?;
        let key =
            identity::Keypair::ed25519_from_bytes(config.key_seed).context("the node key seed")?;
        let bootstrap = config
            .bootstrap
            .iter()
            .map(|addr| match addr.iter().last() {
                Some(Protocol::P2p(peer)) => Ok((peer, addr.clone())),
                _ => Err(anyhow::anyhow!(
                    "bootstrap address {addr} must end in /p2p/<peer id>"
                )),
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let topic = IdentTopic::new(config.topic);

        let mdns = config.mdns;
        let behaviour = Behaviour::new(&key, &topic, mdns)?;
        let mut swarm = SwarmBuilder::with_existing_identity(key)
            .with_tokio()
            .with_tcp(
                tcp::Config::default(),
                noise::Config::new,
                yamux::Config::default,
            )
            .context("building the TCP transport")?
            .with_behaviour(|_| behaviour)?
            .with_swarm_config(|c| c.with_idle_connection_timeout(IDLE_CONNECTION_TIMEOUT))
            .build();
        for addr in config.listen {
            swarm
                .listen_on(addr.clone())
                .with_context(|| format!("listening on {addr}"))?;
        }

        let mut maintenance = tokio::time::interval_at(
            tokio::time::Instant::now() + MAINTENANCE_INTERVAL,
            MAINTENANCE_INTERVAL,
        );
        maintenance.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut net = Net {
            swarm,
            topic,
            bootstrap,
            standing: Standing::default(),
            connections: HashMap::new(),
            maintenance,
            next_redial: Instant::now() + REDIAL_INTERVAL,
            next_kad_bootstrap: Instant::now() + KAD_BOOTSTRAP_INTERVAL,
            mdns,
        };
        for (peer, addr) in net.bootstrap.clone() {
            net.swarm
                .behaviour_mut()
                .kad
                .add_address(&peer, without_p2p(&addr));
            net.dial_peer(peer, addr);
        }
        Ok(net)
    }

    /// Drives the swarm until something the caller must see happens.
    ///
    /// Cancel-safe: it only awaits the swarm's event stream and a tokio
    /// interval, both cancel-safe, and keeps no state across those awaits,
    /// so dropping it (a losing `select!` branch) loses no event.
    pub async fn next_event(&mut self) -> NetEvent {
        loop {
            tokio::select! {
                event = self.swarm.select_next_some() => {
                    if let Some(event) = self.on_swarm_event(event) {
                        return event;
                    }
                }
                _ = self.maintenance.tick() => self.maintain(Instant::now()),
            }
        }
    }

    /// Publishes `data` on the topic. Having no subscribed peer yet is
    /// normal (debug log only); other failures are logged, not returned:
    /// gossip is best-effort and sync fills the gaps.
    pub fn publish(&mut self, data: Vec<u8>) {
        if data.len() > MAX_GOSSIP_SIZE {
            tracing::warn!(
                len = data.len(),
                max = MAX_GOSSIP_SIZE,
                "not publishing an oversized gossip message"
            );
            return;
        }
        let topic = self.topic.clone();
        match self.swarm.behaviour_mut().gossipsub.publish(topic, data) {
            Ok(id) => tracing::trace!(%id, "published"),
            Err(PublishError::NoPeersSubscribedToTopic) => {
                tracing::debug!("published to nobody: no peer subscribed yet")
            }
            Err(PublishError::Duplicate) => tracing::debug!("already published"),
            Err(error) => tracing::warn!(%error, "publishing failed"),
        }
    }

    /// Reports the verdict on a [`NetEvent::Gossip`]: `Accept` forwards it,
    /// `Reject` drops it and penalises `source` (possibly banning it),
    /// `Ignore` drops it.
    pub fn validate(&mut self, id: &MessageId, source: &PeerId, verdict: Verdict) {
        let acceptance = match verdict {
            Verdict::Accept => MessageAcceptance::Accept,
            Verdict::Reject => MessageAcceptance::Reject,
            Verdict::Ignore => MessageAcceptance::Ignore,
        };
        let known = self
            .swarm
            .behaviour_mut()
            .gossipsub
            .report_message_validation_result(id, source, acceptance);
        if !known {
            tracing::debug!(%id, "validated a message gossipsub no longer holds");
        }
        if verdict == Verdict::Reject {
            self.check_standing(*source, Instant::now());
        }
    }

    /// Sends a sync request; the answer comes as [`NetEvent::Response`] or
    /// [`NetEvent::RequestFailed`] with the returned id. Dials `peer` if
    /// not connected (kademlia knows its addresses). A request over
    /// [`MAX_REQUEST_SIZE`] fails without being sent.
    pub fn request(&mut self, peer: &PeerId, data: Vec<u8>) -> OutboundRequestId {
        self.swarm.behaviour_mut().sync.send_request(peer, data)
    }

    /// Answers a [`NetEvent::Request`]. A response over
    /// [`MAX_RESPONSE_SIZE`] is not sent (the requester sees a failure).
    pub fn respond(&mut self, channel: ResponseChannel<Vec<u8>>, data: Vec<u8>) {
        if self
            .swarm
            .behaviour_mut()
            .sync
            .send_response(channel, data)
            .is_err()
        {
            tracing::debug!("the requester is gone (disconnected or timed out)");
        }
    }

    /// Counts application-level misbehaviour (e.g. an invalid sync
    /// response) against `peer`: each call costs [`PENALTY_STEP`] points of
    /// score, halving every [`PENALTY_HALF_LIFE`]; below [`BAN_THRESHOLD`]
    /// the peer is disconnected and refused for [`BAN_COOLDOWN`].
    pub fn penalise(&mut self, peer: &PeerId) {
        let now = Instant::now();
        let penalty = self.standing.penalise(*peer, now);
        tracing::debug!(%peer, penalty, "penalised");
        self.check_standing(*peer, now);
    }

    /// Disconnects `peer` now and refuses connections to and from it until
    /// [`Net::unblock`] (for partitions in tests).
    pub fn block(&mut self, peer: PeerId) {
        self.standing.block(peer);
        self.swarm.behaviour_mut().block_list.block_peer(peer);
    }

    /// Lifts [`Net::block`] (a ban still applies). Does not reconnect:
    /// bootstrap peers are redialled on the next timer, others need
    /// [`Net::dial`].
    pub fn unblock(&mut self, peer: &PeerId) {
        if self.standing.unblock(peer) {
            self.swarm.behaviour_mut().block_list.unblock_peer(*peer);
        }
    }

    /// Dials an address; with a `/p2p/<peer id>` suffix, only if that peer
    /// is neither connected nor being dialled. Failures are logged.
    pub fn dial(&mut self, addr: Multiaddr) {
        match addr.iter().last() {
            Some(Protocol::P2p(peer)) => self.dial_peer(peer, addr),
            _ => {
                if let Err(error) = self.swarm.dial(addr.clone()) {
                    tracing::debug!(%addr, %error, "dial failed");
                }
            }
        }
    }

    /// Whether peers on the LAN are looked for by mDNS.
    pub fn mdns(&self) -> bool {
        self.mdns
    }

    /// Our peer id.
    pub fn local_peer_id(&self) -> PeerId {
        *self.swarm.local_peer_id()
    }

    /// The addresses we listen on, each with our `/p2p/` suffix.
    pub fn listen_addrs(&self) -> Vec<Multiaddr> {
        let me = self.local_peer_id();
        self.swarm
            .listeners()
            .map(|addr| with_p2p(addr.clone(), me))
            .collect()
    }

    /// The connected peers, by peer id.
    pub fn peers(&self) -> Vec<PeerInfo> {
        let now = Instant::now();
        let topic = self.topic.hash();
        let gossipsub = &self.swarm.behaviour().gossipsub;
        let mesh: HashSet<&PeerId> = gossipsub.mesh_peers(&topic).collect();
        let subscribed: HashSet<&PeerId> = gossipsub
            .all_peers()
            .filter(|(_, topics)| topics.contains(&&topic))
            .map(|(peer, _)| peer)
            .collect();
        let mut peers: Vec<PeerInfo> = self
            .swarm
            .connected_peers()
            .map(|peer| PeerInfo {
                peer: *peer,
                addresses: self
                    .connections
                    .get(peer)
                    .map(|c| c.iter().map(|(_, addr)| addr.clone()).collect())
                    .unwrap_or_default(),
                score: gossipsub.peer_score(peer).unwrap_or(0.0),
                penalty: self.standing.penalty(peer, now),
                subscribed: subscribed.contains(peer),
                in_mesh: mesh.contains(peer),
            })
            .collect();
        peers.sort_by_key(|info| info.peer);
        peers
    }

    fn dial_peer(&mut self, peer: PeerId, addr: Multiaddr) {
        let opts = DialOpts::peer_id(peer)
            .addresses(vec![addr])
            .condition(PeerCondition::DisconnectedAndNotDialing)
            .build();
        if let Err(error) = self.swarm.dial(opts) {
            tracing::debug!(%peer, %error, "dial failed");
        }
    }

    /// Expires bans, decays penalties, bans peers whose score fell too low,
    /// redials the bootstrap peers and bootstraps kademlia now and then.
    fn maintain(&mut self, now: Instant) {
        for peer in self.standing.expire_bans(now) {
            tracing::info!(%peer, "ban over");
            self.swarm.behaviour_mut().block_list.unblock_peer(peer);
        }
        self.standing.forget_penalties(now);
        let peers: Vec<PeerId> = self.swarm.connected_peers().copied().collect();
        for peer in peers {
            self.check_standing(peer, now);
        }
        if now >= self.next_kad_bootstrap {
            self.next_kad_bootstrap = now + KAD_BOOTSTRAP_INTERVAL;
            let kad = &mut self.swarm.behaviour_mut().kad;
            let known = kad.kbuckets().any(|bucket| bucket.num_entries() > 0);
            if known && let Err(error) = kad.bootstrap() {
                tracing::debug!(%error, "kademlia bootstrap");
            }
        }
        if now >= self.next_redial {
            self.next_redial = now + REDIAL_INTERVAL;
            for (peer, addr) in self.bootstrap.clone() {
                if !self.swarm.is_connected(&peer) && !self.standing.is_refused(&peer) {
                    self.dial_peer(peer, addr);
                }
            }
        }
    }

    /// Brings gossipsub's view of `peer`'s penalty up to date and bans the
    /// peer if its score is below [`BAN_THRESHOLD`]. Gossipsub only scores
    /// peers it knows (connected, or recently so); for others the penalty
    /// alone counts.
    fn check_standing(&mut self, peer: PeerId, now: Instant) {
        if self.standing.is_banned(&peer) {
            return;
        }
        let penalty = self.standing.penalty(&peer, now);
        let gossipsub = &mut self.swarm.behaviour_mut().gossipsub;
        let score = if gossipsub.set_application_score(&peer, -penalty) {
            gossipsub.peer_score(&peer).unwrap_or(0.0)
        } else {
            -penalty
        };
        if score < BAN_THRESHOLD {
            tracing::warn!(%peer, score, cooldown = ?BAN_COOLDOWN, "banning peer");
            let behaviour = self.swarm.behaviour_mut();
            if let Some(lifted) = self.standing.ban(peer, now) {
                behaviour.block_list.unblock_peer(lifted);
            }
            behaviour.gossipsub.set_application_score(&peer, 0.0);
            behaviour.block_list.block_peer(peer);
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) -> Option<NetEvent> {
        match event {
            SwarmEvent::Behaviour(event) => self.on_behaviour_event(event),
            SwarmEvent::NewListenAddr { address, .. } => {
                let address = with_p2p(address, self.local_peer_id());
                // Printed once, by whoever runs the node (`hearthd` prints
                // `p2p listening on …`).
                tracing::debug!(%address, "listening");
                Some(NetEvent::Listening(address))
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                endpoint,
                num_established,
                ..
            } => {
                let addr = endpoint.get_remote_address().clone();
                tracing::debug!(peer = %peer_id, %addr, "connection established");
                self.connections
                    .entry(peer_id)
                    .or_default()
                    .push((connection_id, addr));
                // A penalty given while the peer was away counts from now.
                self.check_standing(peer_id, Instant::now());
                (num_established.get() == 1).then_some(NetEvent::Connected(peer_id))
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                connection_id,
                num_established,
                cause,
                ..
            } => {
                tracing::debug!(peer = %peer_id, ?cause, "connection closed");
                if let Some(connections) = self.connections.get_mut(&peer_id) {
                    connections.retain(|(id, _)| *id != connection_id);
                }
                if num_established > 0 {
                    return None;
                }
                self.connections.remove(&peer_id);
                Some(NetEvent::Disconnected(peer_id))
            }
            SwarmEvent::OutgoingConnectionError { peer_id, error, .. } => {
                tracing::debug!(peer = ?peer_id, %error, "outgoing connection failed");
                None
            }
            SwarmEvent::IncomingConnectionError {
                send_back_addr,
                error,
                ..
            } => {
                tracing::debug!(%send_back_addr, %error, "incoming connection failed");
                None
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                tracing::info!(%address, "no longer listening");
                None
            }
            SwarmEvent::ListenerClosed {
                addresses, reason, ..
            } => {
                tracing::warn!(?addresses, ?reason, "listener closed");
                None
            }
            SwarmEvent::ListenerError { error, .. } => {
                tracing::warn!(%error, "listener error");
                None
            }
            _ => None,
        }
    }

    fn on_behaviour_event(&mut self, event: BehaviourEvent) -> Option<NetEvent> {
        match event {
            BehaviourEvent::BlockList(never) | BehaviourEvent::Limits(never) => match never {},
            BehaviourEvent::Gossipsub(event) => self.on_gossipsub_event(event),
            BehaviourEvent::Sync(event) => on_sync_event(event),
            BehaviourEvent::Identify(identify::Event::Received { peer_id, info, .. }) => {
                // Only peers that speak our DHT protocol go into it.
                if info.protocols.contains(&KAD_PROTOCOL) {
                    let kad = &mut self.swarm.behaviour_mut().kad;
                    for addr in info.listen_addrs.into_iter().take(MAX_IDENTIFY_ADDRS) {
                        kad.add_address(&peer_id, addr);
                    }
                }
                None
            }
            BehaviourEvent::Identify(_) | BehaviourEvent::Ping(_) | BehaviourEvent::Kad(_) => None,
            BehaviourEvent::Mdns(mdns::Event::Discovered(found)) => {
                let me = self.local_peer_id();
                for (peer, addr) in found.into_iter().take(MAX_MDNS_DIALS) {
                    if peer == me || self.standing.is_refused(&peer) {
                        continue;
                    }
                    tracing::debug!(%peer, %addr, "found on the LAN");
                    self.swarm
                        .behaviour_mut()
                        .kad
                        .add_address(&peer, addr.clone());
                    self.dial_peer(peer, addr);
                }
                None
            }
            BehaviourEvent::Mdns(mdns::Event::Expired(_)) => None,
        }
    }

    fn on_gossipsub_event(&mut self, event: gossipsub::Event) -> Option<NetEvent> {
        match event {
            gossipsub::Event::Message {
                propagation_source,
                message_id,
                message,
            } => {
                if message.topic != self.topic.hash() {
                    // Not reachable with the subscription filter; never leave
                    // a message unvalidated all the same.
                    self.swarm
                        .behaviour_mut()
                        .gossipsub
                        .report_message_validation_result(
                            &message_id,
                            &propagation_source,
                            MessageAcceptance::Ignore,
                        );
                    return None;
                }
                Some(NetEvent::Gossip {
                    source: propagation_source,
                    id: message_id,
                    data: message.data,
                })
            }
            gossipsub::Event::SlowPeer {
                peer_id,
                failed_messages,
            } => {
                tracing::debug!(peer = %peer_id, ?failed_messages, "slow gossipsub peer");
                None
            }
            other => {
                tracing::trace!(?other, "gossipsub");
                None
            }
        }
    }
}

fn on_sync_event(event: libp2p::request_response::Event<Vec<u8>, Vec<u8>>) -> Option<NetEvent> {
    use libp2p::request_response::{Event, Message};
    match event {
        Event::Message {
            peer,
            message: Message::Request {
                request, channel, ..
            },
            ..
        } => Some(NetEvent::Request {
            peer,
            data: request,
            channel,
        }),
        Event::Message {
            peer,
            message:
                Message::Response {
                    request_id,
                    response,
                },
            ..
        } => Some(NetEvent::Response {
            peer,
            id: request_id,
            data: response,
        }),
        Event::OutboundFailure {
            peer,
            request_id,
            error,
            ..
        } => Some(NetEvent::RequestFailed {
            peer,
            id: request_id,
            error: error.to_string(),
        }),
        Event::InboundFailure { peer, error, .. } => {
            tracing::debug!(%peer, %error, "inbound sync request failed");
            None
        }
        Event::ResponseSent { .. } => None,
    }
}

/// The [`PeerId`] of the node whose community node key (a 32-byte ed25519
/// public key) is `node_key`; `None` for an invalid or weak key.
pub fn peer_id_of(node_key: &hearth_protocol::PublicKey) -> Option<PeerId> {
    node_key.verifying_key().ok()?;
    let key = identity::ed25519::PublicKey::try_from_bytes(&node_key.0).ok()?;
    Some(identity::PublicKey::from(key).to_peer_id())
}

fn with_p2p(addr: Multiaddr, peer: PeerId) -> Multiaddr {
    if matches!(addr.iter().last(), Some(Protocol::P2p(_))) {
        addr
    } else {
        addr.with(Protocol::P2p(peer))
    }
}

fn without_p2p(addr: &Multiaddr) -> Multiaddr {
    addr.iter()
        .filter(|p| !matches!(p, Protocol::P2p(_)))
        .collect()
}
