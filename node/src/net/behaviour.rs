//! The composed libp2p behaviour and the parameters of its parts: gossipsub
//! (unsigned, validated by the caller, scored), kademlia, identify, ping,
//! mDNS, the sync protocol, connection limits and the block list.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use anyhow::Context as _;
use libp2p::gossipsub::{
    self, IdentTopic, IdentityTransform, MessageAuthenticity, MessageId, PeerScoreParams,
    PeerScoreThresholds, TopicScoreParams, ValidationMode, WhitelistSubscriptionFilter,
    score_parameter_decay,
};
use libp2p::kad::{self, store::MemoryStore};
use libp2p::swarm::NetworkBehaviour;
use libp2p::swarm::behaviour::toggle::Toggle;
use libp2p::{
    StreamProtocol, allow_block_list, connection_limits, identify, identity, mdns, ping,
    request_response,
};

use super::codec::{SYNC_PROTOCOL, SyncCodec};
use super::standing::{BAN_COOLDOWN, PENALTY_STEP};

/// Kademlia protocol name: a Hearth DHT, apart from the public IPFS one.
pub const KAD_PROTOCOL: StreamProtocol = StreamProtocol::new("/hearth/kad/1.0.0");

/// Protocol version announced by identify.
pub const IDENTIFY_VERSION: &str = "/hearth/1.0.0";

/// Bytes of a gossipsub frame's framing (topic, protobuf tags) beyond its
/// payload.
pub const GOSSIP_FRAMING: usize = 1024;

/// Largest gossipsub frame: the protocol's largest gossip message plus
/// its framing; larger frames are dropped by gossipsub on both ends.
pub const MAX_TRANSMIT_SIZE: usize =
    hearth_protocol::federation::wire::MAX_GOSSIP_BYTES + GOSSIP_FRAMING;

/// Time for a sync request to be answered (the response included).
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(30);

/// Most sync streams open at once per connection, in and out together.
const SYNC_MAX_STREAMS: usize = 64;

/// Most established connections in all.
const MAX_CONNECTIONS: u32 = 256;

/// Most connections to one peer (two allows a simultaneous dial).
const MAX_CONNECTIONS_PER_PEER: u32 = 2;

/// Most connections being set up at once, each way.
const MAX_PENDING: u32 = 64;

/// Most gossipsub messages queued for one peer.
const GOSSIP_QUEUE_LEN: usize = 512;

/// Gossipsub heartbeat: mesh maintenance and gossip emission.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// Score below which we neither gossip to nor accept gossip (IHAVE) from a peer.
pub const GOSSIP_THRESHOLD: f64 = -10.0;
/// Score below which our own messages are not flood-published to a peer.
pub const PUBLISH_THRESHOLD: f64 = -50.0;
/// Score below which everything a peer sends is ignored.
pub const GRAYLIST_THRESHOLD: f64 = -80.0;
/// Score below which a peer is disconnected and refused for a cooldown.
pub const BAN_THRESHOLD: f64 = -100.0;

/// Weight of each invalid (Rejected) message, squared: one costs 20, two 80,
/// three 180 — past [`BAN_THRESHOLD`] whatever good the peer did.
const INVALID_MESSAGE_WEIGHT: f64 = -20.0;
/// Cap on what good behaviour can earn, so that it never hides misbehaviour.
const TOPIC_SCORE_CAP: f64 = 10.0;
/// How long gossipsub remembers the score of a disconnected peer; shorter
/// than the ban cooldown so a banned peer comes back with a clean slate.
const RETAIN_SCORE: Duration = Duration::from_secs(5 * 60);

// The most good behaviour can earn is less than one invalid message costs,
// three invalid messages or three penalties cross the ban threshold, and a
// banned peer's score is forgotten before its ban ends.
const _: () = {
    assert!(TOPIC_SCORE_CAP + INVALID_MESSAGE_WEIGHT < 0.0);
    assert!(TOPIC_SCORE_CAP + 9.0 * INVALID_MESSAGE_WEIGHT < BAN_THRESHOLD);
    assert!(TOPIC_SCORE_CAP - 3.0 * PENALTY_STEP < BAN_THRESHOLD);
    assert!(BAN_THRESHOLD < GRAYLIST_THRESHOLD);
    assert!(RETAIN_SCORE.as_secs() < BAN_COOLDOWN.as_secs());
};

/// The node's libp2p behaviour. The block list and connection limits come
/// first so that they veto connections before the others see them.
#[derive(NetworkBehaviour)]
pub struct Behaviour {
    pub block_list: allow_block_list::Behaviour<allow_block_list::BlockedPeers>,
    pub limits: connection_limits::Behaviour,
    pub identify: identify::Behaviour,
    pub ping: ping::Behaviour,
    pub kad: kad::Behaviour<MemoryStore>,
    pub mdns: Toggle<mdns::tokio::Behaviour>,
    pub gossipsub: gossipsub::Behaviour<IdentityTransform, WhitelistSubscriptionFilter>,
    pub sync: request_response::Behaviour<SyncCodec>,
}

impl Behaviour {
    /// Builds every part; `mdns` needs a running tokio runtime.
    pub fn new(key: &identity::Keypair, topic: &IdentTopic, mdns: bool) -> anyhow::Result<Self> {
        let peer_id = key.public().to_peer_id();

        let limits = connection_limits::ConnectionLimits::default()
            .with_max_established(Some(MAX_CONNECTIONS))
            .with_max_established_per_peer(Some(MAX_CONNECTIONS_PER_PEER))
            .with_max_pending_incoming(Some(MAX_PENDING))
            .with_max_pending_outgoing(Some(MAX_PENDING));

        let identify = identify::Behaviour::new(
            identify::Config::new(IDENTIFY_VERSION.into(), key.public())
                .with_agent_version(format!("hearthd/{}", env!("CARGO_PKG_VERSION"))),
        );

        let mut kad_config = kad::Config::new(KAD_PROTOCOL);
        // Hearth stores nothing in the DHT; it is for finding peers only. With
        // FilterBoth, records and provider announcements that peers push are
        // handed to us as events (which we drop) instead of being stored.
        kad_config.set_record_filtering(kad::StoreInserts::FilterBoth);
        // The node bootstraps kademlia itself (see `Net::maintain`), only
        // when its routing table holds a peer: kademlia's own periodic
        // bootstrap warns "No known peers" every time on a node with none.
        kad_config.set_periodic_bootstrap_interval(None);
        let mut kad = kad::Behaviour::with_config(peer_id, MemoryStore::new(peer_id), kad_config);
        // Without confirmed external addresses kademlia would stay a client
        // and never be added to other nodes' routing tables.
        kad.set_mode(Some(kad::Mode::Server));

        let mdns = if mdns {
            Some(
                mdns::tokio::Behaviour::new(mdns::Config::default(), peer_id)
                    .context("starting mDNS")?,
            )
        } else {
            None
        };

        let sync = request_response::Behaviour::with_codec(
            SyncCodec::default(),
            [(SYNC_PROTOCOL, request_response::ProtocolSupport::Full)],
            request_response::Config::default()
                .with_request_timeout(SYNC_TIMEOUT)
                .with_max_concurrent_streams(SYNC_MAX_STREAMS),
        );

        Ok(Behaviour {
            block_list: Default::default(),
            limits: connection_limits::Behaviour::new(limits),
            identify,
            ping: ping::Behaviour::default(),
            kad,
            mdns: mdns.into(),
            gossipsub: gossipsub(topic)?,
            sync,
        })
    }
}

/// Gossipsub message id: the blake3 hash of the payload, so the same bytes
/// are one message whoever relays them.
pub fn message_id(data: &[u8]) -> MessageId {
    MessageId::new(blake3::hash(data).as_bytes())
}

/// Gossipsub without per-message signatures (the payloads carry their own),
/// validated by the caller before anything is forwarded, scored, subscribed
/// to `topic` and tracking nobody's subscriptions to other topics.
fn gossipsub(
    topic: &IdentTopic,
) -> anyhow::Result<gossipsub::Behaviour<IdentityTransform, WhitelistSubscriptionFilter>> {
    let config = gossipsub::ConfigBuilder::default()
        .validation_mode(ValidationMode::Anonymous)
        .message_id_fn(|message| message_id(&message.data))
        .validate_messages()
        .max_transmit_size(MAX_TRANSMIT_SIZE)
        // D = 6 with D_lo = 4 and D_high = 12: in a federation of 2–5 nodes
        // every subscribed peer is below D_lo and is grafted as soon as its
        // subscription arrives, so the mesh is the whole (small) network; in
        // a large one the mesh stays at 4–12 peers. D_out = 2 must be at
        // most D/2 and below D_lo; with few peers it is a target that is
        // simply not met, which gossipsub tolerates.
        .mesh_n(6)
        .mesh_n_low(4)
        .mesh_n_high(12)
        .mesh_outbound_min(2)
        .gossip_lazy(6)
        // Our own messages go to every subscribed peer with a decent score,
        // not only the mesh: publications are rare (one community's log) and
        // this takes a hop off their latency.
        .flood_publish(true)
        // Messages queued for one slow peer before further ones are dropped
        // for it (gossipsub's default of 5000 would allow gigabytes at 1 MiB
        // each); sync fills what gossip drops.
        .connection_handler_queue_len(GOSSIP_QUEUE_LEN)
        .heartbeat_interval(HEARTBEAT)
        .heartbeat_initial_delay(Duration::from_millis(500))
        .build()
        .map_err(|e| anyhow::anyhow!("gossipsub config: {e}"))?;

    let mut behaviour = gossipsub::Behaviour::new_with_subscription_filter(
        MessageAuthenticity::Anonymous,
        config,
        WhitelistSubscriptionFilter(HashSet::from([topic.hash()])),
    )
    .map_err(|e| anyhow::anyhow!("gossipsub: {e}"))?;
    behaviour
        .with_peer_score(score_params(topic), thresholds())
        .map_err(|e| anyhow::anyhow!("gossipsub scoring: {e}"))?;
    behaviour
        .subscribe(topic)
        .context("subscribing to the topic")?;
    Ok(behaviour)
}

fn thresholds() -> PeerScoreThresholds {
    PeerScoreThresholds {
        gossip_threshold: GOSSIP_THRESHOLD,
        publish_threshold: PUBLISH_THRESHOLD,
        graylist_threshold: GRAYLIST_THRESHOLD,
        // Peer exchange is off; nobody is trusted to hand us peers.
        accept_px_threshold: 1000.0,
        opportunistic_graft_threshold: 1.0,
    }
}

fn score_params(topic: &IdentTopic) -> PeerScoreParams {
    let topic_params = TopicScoreParams {
        topic_weight: 1.0,
        // P1, time in mesh: up to 6 points after an hour.
        time_in_mesh_weight: 0.1,
        time_in_mesh_quantum: Duration::from_secs(60),
        time_in_mesh_cap: 60.0,
        // P2, first deliveries of valid messages: up to 10 points, decaying
        // over an hour.
        first_message_deliveries_weight: 0.5,
        first_message_deliveries_decay: score_parameter_decay(Duration::from_secs(3600)),
        first_message_deliveries_cap: 20.0,
        // P3/P3b, mesh delivery rate: off. Hearth's topic is quiet and
        // bursty, so a deficit says nothing about a peer, and penalising it
        // would prune honest peers from small meshes.
        mesh_message_deliveries_weight: 0.0,
        mesh_message_deliveries_decay: 0.5,
        mesh_message_deliveries_cap: 1.0,
        mesh_message_deliveries_threshold: 1.0,
        mesh_message_deliveries_window: Duration::from_millis(10),
        mesh_message_deliveries_activation: Duration::from_secs(5),
        mesh_failure_penalty_weight: 0.0,
        mesh_failure_penalty_decay: 0.5,
        // P4, invalid messages: the penalty that matters, decaying to a
        // tenth in ten minutes.
        invalid_message_deliveries_weight: INVALID_MESSAGE_WEIGHT,
        invalid_message_deliveries_decay: score_parameter_decay(Duration::from_secs(600)),
    };
    PeerScoreParams {
        topics: [(topic.hash(), topic_params)].into(),
        topic_score_cap: TOPIC_SCORE_CAP,
        // P5 carries the penalties of `Net::penalise`, one for one.
        app_specific_weight: 1.0,
        // P6: more than ten peers behind one address cost points, except on
        // loopback (devnets and tests run many nodes on one host).
        ip_colocation_factor_weight: -5.0,
        ip_colocation_factor_threshold: 10.0,
        ip_colocation_factor_whitelist: HashSet::from([
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]),
        // P7, protocol misbehaviour (grafting during a backoff, IHAVE without
        // delivering): a few slips are free, then it adds up.
        behaviour_penalty_weight: -10.0,
        behaviour_penalty_threshold: 6.0,
        behaviour_penalty_decay: score_parameter_decay(Duration::from_secs(600)),
        retain_score: RETAIN_SCORE,
        ..PeerScoreParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_valid() {
        let topic = IdentTopic::new("hearth-test");
        score_params(&topic).validate().unwrap();
        thresholds().validate().unwrap();
        gossipsub(&topic).unwrap();
    }
}
