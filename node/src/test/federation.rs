//! Federation helpers for service and simulation tests: communities with
//! their own node keys, a network genesis every founder signs through its
//! service, rules with durations of seconds, and an outbox drained the way
//! the node task drains it.

use hearth_protocol::federation::{
    FederationRules, Founding, Gossip, NetworkGenesis, RegionSpec, SignedNetwork,
};
use hearth_protocol::log::{EntryBody, LogKind, NodeRecord, SignedEntry};
use hearth_protocol::state::StateRead;
use hearth_protocol::test::keypair;
use hearth_protocol::{Canonical, Hash, Millis, Timestamp};

use super::Harness;
use crate::service::{Io, Receipt, Service};
use crate::store::{FedStorage, MemoryStorage};

/// How long a federated policy vote lasts.
pub const VOTING: Millis = Millis::secs(12);

/// How long witnesses have to checkpoint a vote after it closes.
pub const GRACE: Millis = Millis::secs(4);

/// How often nodes checkpoint.
pub const CHECKPOINT_INTERVAL: Millis = Millis::secs(1);

/// Federation rules with durations of seconds: policy votes open at once
/// and last [`VOTING`], one witness suffices, finality waits two minutes.
pub fn quick_rules() -> FederationRules {
    let mut rules = FederationRules::default();
    rules.durations.policy_discussion = Millis(0);
    rules.durations.policy_deliberation = Millis(0);
    rules.durations.policy_voting = VOTING;
    rules.grace = GRACE;
    rules.checkpoint_interval = CHECKPOINT_INTERVAL;
    rules.finality = Millis::secs(120);
    rules.witnesses = 1;
    rules
}

/// The seeds of the members of community `index` (`index` < 9, at most
/// ten members): `keypair(seed)` are their keys.
pub fn member_seeds(index: u8, members: u8) -> Vec<u8> {
    assert!(index < 9 && members <= 10, "seeds stay distinct");
    (0..members).map(|j| 10 * (index + 1) + j).collect()
}

/// Community `index` in memory: node key `keypair(100 + index)`, members
/// from [`member_seeds`] (the first on the council).
pub fn community(index: u8, members: u8) -> Harness<MemoryStorage> {
    Harness::founded(
        MemoryStorage::default(),
        keypair(100 + index),
        &format!("Community {index}"),
        &member_seeds(index, members),
    )
}

/// How a service names itself in a network draft.
pub fn founding<S: FedStorage>(service: &Service<S>) -> Founding {
    let community = service
        .storage()
        .community()
        .expect("read")
        .expect("a community");
    Founding {
        id: community.id,
        node: community.genesis.node,
        name: community.genesis.name,
    }
}

/// A network draft of `founders`, with `regions` as (name, indices into
/// `founders`).
pub fn draft(
    mut founders: Vec<Founding>,
    regions: &[(&str, &[usize])],
    rules: FederationRules,
    created: Timestamp,
) -> NetworkGenesis {
    let regions = regions
        .iter()
        .map(|(name, members)| {
            let mut communities: Vec<Hash> = members.iter().map(|&i| founders[i].id).collect();
            communities.sort();
            RegionSpec {
                name: (*name).into(),
                communities,
            }
        })
        .collect();
    founders.sort_by_key(|f| f.id);
    NetworkGenesis {
        name: "Test Network".into(),
        communities: founders,
        regions,
        rules,
        created,
    }
}

/// The draft signed by every service, each through [`Service::sign_network`].
pub fn sign_all<S: FedStorage>(
    genesis: &NetworkGenesis,
    services: &[&Service<S>],
) -> SignedNetwork {
    let mut network = SignedNetwork {
        genesis: genesis.clone(),
        signatures: Vec::new(),
    };
    for service in services {
        network.add(service.sign_network(genesis).expect("a founder signs"));
    }
    network
}

/// Takes every output of the service in order, flushing the storage at
/// each [`Io::Flush`] the way the node task does, and checks that no
/// acceptance and no entry of the node's own public log leaves before a
/// flush has made it durable.
pub fn drain<S: FedStorage>(service: &mut Service<S>) -> Vec<Io> {
    let own = service.community();
    let mut flushed_to: Option<u64> = None;
    let mut out = Vec::new();
    while let Some(io) = service.next_io() {
        match &io {
            Io::Flush => {
                service.storage().flush().expect("flush");
                flushed_to = service.head(LogKind::Public).map(|h| h.seq);
            }
            Io::Reply {
                result: Ok(Receipt {
                    duplicate: false, ..
                }),
                ..
            } => assert!(flushed_to.is_some(), "an acceptance left before its flush"),
            Io::Publish(data) => {
                if let Some(entry) = own_entry(data, &own) {
                    assert!(
                        flushed_to.is_some_and(|f| entry.entry.seq <= f),
                        "own entry {} published before the flush that makes it durable",
                        entry.entry.seq
                    );
                }
            }
            _ => {}
        }
        out.push(io);
    }
    out
}

fn own_entry(data: &[u8], own: &Hash) -> Option<SignedEntry> {
    match Gossip::from_bytes(data) {
        Ok(Gossip::Entry(e)) if e.entry.log.community == *own => Some(e),
        _ => None,
    }
}

/// The node records of a service's own public log, with their entries'
/// seq and time.
pub fn own_records<S: FedStorage>(service: &Service<S>) -> Vec<(u64, Timestamp, NodeRecord)> {
    let log = service
        .storage()
        .public_log(&service.community())
        .expect("own public log");
    let mut out = Vec::new();
    for entry in log {
        if let EntryBody::Records(records) = entry.entry.body {
            for r in records {
                out.push((entry.entry.seq, entry.entry.time, r));
            }
        }
    }
    out
}
