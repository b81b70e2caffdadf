//! The genesis of a network (and the regions inside it): the founding
//! communities, their node keys and the rules of the regional and network
//! levels. It is valid once every founding community's node has signed its
//! id; each founding node then records it in its public log.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::community::{LevelRules, Method, ProposalDurations, Rules};
use crate::crypto::{Hash, Keypair, PublicKey, Signature};
use crate::units::{Millis, Ratio, Timestamp};
use crate::verified::Verified;

/// Domain-separation context of network ids.
pub const NETWORK_CONTEXT: &str = "hearth v1 network";

/// Domain-separation context of region ids.
pub const REGION_CONTEXT: &str = "hearth v1 region";

/// Most founding communities a network genesis may list.
pub const MAX_FOUNDING: usize = 1024;

/// Most regions a network genesis may define.
pub const MAX_REGIONS: usize = 256;

/// Longest network or region name, in bytes.
pub const MAX_NETWORK_NAME: usize = 120;

/// A founding community of a network.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Founding {
    /// The community id (hash of its genesis).
    pub id: Hash,
    /// The key of its node, which signs its logs (and the network genesis).
    pub node: PublicKey,
    /// Its name, for people.
    pub name: String,
}

/// A region inside the network: a name and its communities.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct RegionSpec {
    /// The region's name, unique in the network.
    pub name: String,
    /// Its founding communities (ids of founding communities of the network).
    pub communities: Vec<Hash>,
}

/// The rules of the regional and network levels.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FederationRules {
    /// Regional governance (default: majority with liquid delegation, 60 %).
    pub regional: LevelRules,
    /// Network governance (default: quadratic voting, 2/3, 100 credits).
    pub network: LevelRules,
    /// Stage durations of regional and network proposals.
    pub durations: ProposalDurations,
    /// How many other communities' checkpoints must witness the entry
    /// holding a ballot or delegation (capped at the number of other
    /// communities in the network).
    pub witnesses: u32,
    /// How long after a vote closes witnesses have to checkpoint it.
    pub grace: Millis,
    /// How long after close + grace a tally waits for every community's
    /// checkpoint before it is final anyway (the missing ones are listed).
    pub finality: Millis,
    /// How often each node appends a checkpoint to its public log.
    pub checkpoint_interval: Millis,
}

impl Default for FederationRules {
    fn default() -> Self {
        let defaults = Rules::default();
        FederationRules {
            regional: defaults.regional,
            network: defaults.network,
            durations: ProposalDurations::default(),
            witnesses: 2,
            grace: Millis::secs(600),
            finality: Millis::hours(24),
            checkpoint_interval: Millis::secs(60),
        }
    }
}

impl FederationRules {
    /// These rules in the shape of a community's [`Rules`], so that the
    /// schedule and method of a regional or network proposal come from the
    /// same functions as a local one's.
    pub fn as_rules(&self) -> Rules {
        Rules {
            regional: self.regional.clone(),
            network: self.network.clone(),
            durations: self.durations.clone(),
            ..Rules::default()
        }
    }
}

/// The record a network is born from; its hash is the network id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct NetworkGenesis {
    /// Human name of the network.
    pub name: String,
    /// The founding communities, in increasing id order.
    pub communities: Vec<Founding>,
    /// Regions, in increasing name order.
    pub regions: Vec<RegionSpec>,
    /// The rules of its levels.
    pub rules: FederationRules,
    /// When the draft was made.
    pub created: Timestamp,
}

impl Canonical for NetworkGenesis {}

/// Why a network genesis (or its signatures) is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidNetwork {
    /// The genesis breaks a structural rule.
    #[error("invalid network genesis: {0}")]
    Genesis(&'static str),
    /// A level's rules are incoherent.
    #[error("invalid network rule {rule}: {reason}")]
    Rule {
        /// The rule.
        rule: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A founding community has not signed.
    #[error("community {0} has not signed the network genesis")]
    Unsigned(Hash),
    /// A signature is bad, duplicated, or from a community not founding it.
    #[error("bad signature of community {0} on the network genesis")]
    BadSignature(Hash),
}

impl InvalidNetwork {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            InvalidNetwork::Genesis(_) => "invalid_network",
            InvalidNetwork::Rule { .. } => "invalid_network_rules",
            InvalidNetwork::Unsigned(_) => "network_unsigned",
            InvalidNetwork::BadSignature(_) => "bad_network_signature",
        }
    }
}

fn check_level(name: &'static str, level: &LevelRules) -> Result<(), InvalidNetwork> {
    for ratio in [level.threshold, level.quorum] {
        if ratio.den == 0 || ratio.num > ratio.den {
            return Err(InvalidNetwork::Rule {
                rule: name,
                reason: "thresholds and quorums are fractions between 0 and 1",
            });
        }
    }
    if !matches!(level.method, Method::Majority | Method::Quadratic) {
        return Err(InvalidNetwork::Rule {
            rule: name,
            reason: "regional and network levels vote by majority or quadratic voting",
        });
    }
    if level.method == Method::Quadratic && level.voice_credits == 0 {
        return Err(InvalidNetwork::Rule {
            rule: name,
            reason: "quadratic voting needs voice credits",
        });
    }
    if level.voice_credits > crate::community::MAX_VOICE_CREDITS {
        return Err(InvalidNetwork::Rule {
            rule: name,
            reason: "voice credits are at most 1000000 (1000 votes on one option)",
        });
    }
    Ok(())
}

impl NetworkGenesis {
    /// The network id.
    pub fn id(&self) -> Hash {
        Hash::of(NETWORK_CONTEXT, &self.to_bytes())
    }

    /// The id of the region named `name` in this network.
    pub fn region_id(&self, name: &str) -> Hash {
        region_id(&self.id(), name)
    }

    /// The founding community with id `id`.
    pub fn founding(&self, id: &Hash) -> Option<&Founding> {
        self.communities
            .binary_search_by(|f| f.id.cmp(id))
            .ok()
            .map(|i| &self.communities[i])
    }

    /// Checks the structure: 2 to [`MAX_FOUNDING`] communities in strictly
    /// increasing id order with valid node keys; regions with distinct
    /// names in increasing order, each listing founding communities, and
    /// no community in two regions; coherent rules.
    pub fn validate(&self) -> Result<(), InvalidNetwork> {
        let bad = |why| Err(InvalidNetwork::Genesis(why));
        if self.name.trim().is_empty() || self.name.len() > MAX_NETWORK_NAME {
            return bad("a network name has 1 to 120 bytes");
        }
        if self.communities.len() < 2 || self.communities.len() > MAX_FOUNDING {
            return bad("a network has 2 to 1024 founding communities");
        }
        if !self.communities.windows(2).all(|w| w[0].id < w[1].id) {
            return bad("founding communities are listed once each, in id order");
        }
        let mut nodes = std::collections::BTreeSet::new();
        for founding in &self.communities {
            if founding.node.verifying_key().is_err() || !nodes.insert(founding.node) {
                return bad("every founding community has its own valid node key");
            }
            if founding.name.len() > MAX_NETWORK_NAME {
                return bad("a community name has at most 120 bytes");
            }
        }
        if self.regions.len() > MAX_REGIONS {
            return bad("a network has at most 256 regions");
        }
        if !self.regions.windows(2).all(|w| w[0].name < w[1].name) {
            return bad("regions have distinct names, in order");
        }
        let mut placed = std::collections::BTreeSet::new();
        for region in &self.regions {
            if region.name.trim().is_empty() || region.name.len() > MAX_NETWORK_NAME {
                return bad("a region name has 1 to 120 bytes");
            }
            if region.communities.is_empty() || !region.communities.windows(2).all(|w| w[0] < w[1])
            {
                return bad("a region lists its communities once each, in id order");
            }
            for c in &region.communities {
                if self.founding(c).is_none() || !placed.insert(*c) {
                    return bad(
                        "a region's communities are founding communities in no other region",
                    );
                }
            }
        }
        check_level("regional", &self.rules.regional)?;
        check_level("network", &self.rules.network)?;
        if self.rules.grace.0 == 0 || self.rules.checkpoint_interval.0 == 0 {
            return Err(InvalidNetwork::Rule {
                rule: "grace / checkpoint_interval",
                reason: "must be positive",
            });
        }
        if self.rules.checkpoint_interval.0 > self.rules.grace.0 {
            return Err(InvalidNetwork::Rule {
                rule: "checkpoint_interval",
                reason: "must not exceed the grace period, or ballots could never be witnessed in time",
            });
        }
        Ok(())
    }
}

/// The id of the region named `name` in network `network`.
pub fn region_id(network: &Hash, name: &str) -> Hash {
    let mut bytes = network.0.to_vec();
    bytes.extend_from_slice(name.as_bytes());
    Hash::of(REGION_CONTEXT, &bytes)
}

/// A founding community's node signature over the network id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct NetworkSignature {
    /// The community.
    pub community: Hash,
    /// Its node's signature over the network id.
    pub signature: Signature,
}

impl Canonical for NetworkSignature {}

impl NetworkSignature {
    /// Signs `genesis` for `community` with its node key.
    pub fn sign(genesis: &NetworkGenesis, community: Hash, node: &Keypair) -> NetworkSignature {
        NetworkSignature {
            community,
            signature: node.sign(&genesis.id()),
        }
    }
}

/// A network genesis with its founders' signatures (in community order).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct SignedNetwork {
    /// The genesis.
    pub genesis: NetworkGenesis,
    /// One signature per founding community, in community order.
    pub signatures: Vec<NetworkSignature>,
}

impl Canonical for SignedNetwork {}

impl SignedNetwork {
    /// Adds (or replaces) a community's signature, keeping the order.
    pub fn add(&mut self, signature: NetworkSignature) {
        self.signatures
            .retain(|s| s.community != signature.community);
        self.signatures.push(signature);
        self.signatures.sort_by_key(|s| s.community);
    }

    /// The founding communities that have not signed yet.
    pub fn missing(&self) -> Vec<Hash> {
        self.genesis
            .communities
            .iter()
            .filter(|f| !self.signatures.iter().any(|s| s.community == f.id))
            .map(|f| f.id)
            .collect()
    }

    /// Checks every signature (strictly), without requiring all of them.
    pub fn check_signatures(&self) -> Result<(), InvalidNetwork> {
        self.genesis.validate()?;
        let id = self.genesis.id();
        if !self
            .signatures
            .windows(2)
            .all(|w| w[0].community < w[1].community)
        {
            return Err(InvalidNetwork::Genesis(
                "signatures are listed once each, in community order",
            ));
        }
        for s in &self.signatures {
            let founding = self
                .genesis
                .founding(&s.community)
                .ok_or(InvalidNetwork::BadSignature(s.community))?;
            founding
                .node
                .verify(&id, &s.signature)
                .map_err(|_| InvalidNetwork::BadSignature(s.community))?;
        }
        Ok(())
    }

    /// Verifies the genesis and that every founding community signed it:
    /// only then is the network valid.
    pub fn verify(self) -> Result<Verified<SignedNetwork>, InvalidNetwork> {
        self.check_signatures()?;
        if let Some(missing) = self.missing().first() {
            return Err(InvalidNetwork::Unsigned(*missing));
        }
        let id = self.genesis.id();
        Ok(Verified::new_unchecked(self, id))
    }
}

/// A quorum and threshold preset for a level, for tests and examples.
pub fn level(method: Method, threshold: Ratio, quorum: Ratio, credits: u32) -> LevelRules {
    LevelRules {
        method,
        threshold,
        quorum,
        blocks_to_fail: 0,
        voice_credits: credits,
        delegation: true,
        pass_when: crate::community::PassWhen::Auto,
        ties: crate::community::Ties::Fail,
    }
}
