//! A federation of real `hearthd` processes on loopback for end-to-end
//! tests: each node founds its community (its first member is on the
//! council), the nodes dial each other, every council asks its node to sign
//! the network genesis, and the signed genesis is recorded on every node.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::federation::{
    FederationRules, Founding, NetworkGenesis, NetworkSignature, RegionSpec, SignedNetwork,
};
use hearth_protocol::governance::{Level, Proposal, ProposalKind, Subject};
use hearth_protocol::{
    ActionBody, Canonical, GovernanceAction, Hash, Keypair, Millis, PublicKey, Timestamp,
};
use serde_json::Value;

use crate::{Http, Member, Node, Rng, converge, must, now_ms};

/// How long federation-wide convergence may take in a test.
pub const CONVERGE: Duration = Duration::from_secs(90);

/// Federation rules with durations of seconds: a vote of `voting`, a grace
/// of `grace`, checkpoints every second, `witnesses` witnesses.
pub fn quick_rules(voting: Millis, grace: Millis, witnesses: u32) -> FederationRules {
    let mut rules = FederationRules::default();
    rules.durations.policy_discussion = Millis(0);
    rules.durations.policy_deliberation = Millis(0);
    rules.durations.policy_voting = voting;
    rules.durations.membership = voting;
    rules.grace = grace;
    rules.checkpoint_interval = Millis::secs(1);
    rules.finality = Millis::secs(60);
    rules.witnesses = witnesses;
    rules
}

/// A running federation.
#[derive(Debug)]
pub struct Federation {
    /// The nodes, one per community.
    pub nodes: Vec<Node>,
    /// Each community's first member (on its council).
    pub councils: Vec<Member>,
    /// Each community's id.
    pub communities: Vec<Hash>,
    /// The signed network genesis.
    pub network: SignedNetwork,
    http: Http,
}

impl Federation {
    /// Starts `n` nodes, with `regions` as (name, node indices), and forms
    /// the network with `rules`.
    pub fn start(
        n: usize,
        regions: &[(&str, &[usize])],
        rules: FederationRules,
        rng: &mut Rng,
    ) -> Federation {
        let mut nodes: Vec<Node> = Vec::new();
        for i in 0..n {
            // Every node dials the first; kademlia and identify do the rest.
            let args = match nodes.first() {
                Some(first) if i > 0 => vec!["--bootstrap".to_string(), first.p2p_addr()],
                _ => Vec::new(),
            };
            nodes.push(Node::start_with_args(&args));
        }
        let councils: Vec<Member> = nodes
            .iter()
            .map(|node| Member::found(node, rng.keypair()))
            .collect();
        let http = Http::new();
        let infos: Vec<Value> = nodes
            .iter()
            .map(|node| {
                let r = must(http.get(node.url(), "/v1/node", &[]), "GET /v1/node");
                r.expect_status(200);
                r.json
            })
            .collect();
        let communities: Vec<Hash> = infos
            .iter()
            .map(|i| {
                i["community"]
                    .as_str()
                    .expect("community")
                    .parse()
                    .expect("hex")
            })
            .collect();
        let mut founding: Vec<Founding> = infos
            .iter()
            .zip(&communities)
            .map(|(info, id)| Founding {
                id: *id,
                node: PublicKey::from_did(info["node_key"].as_str().expect("node key"))
                    .expect("did"),
                name: info["name"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        founding.sort_by_key(|f| f.id);
        let mut region_specs: Vec<RegionSpec> = regions
            .iter()
            .map(|(name, members)| {
                let mut communities: Vec<Hash> = members.iter().map(|&i| communities[i]).collect();
                communities.sort();
                RegionSpec {
                    name: name.to_string(),
                    communities,
                }
            })
            .collect();
        region_specs.sort_by(|a, b| a.name.cmp(&b.name));
        let genesis = NetworkGenesis {
            name: "Test Federation".into(),
            communities: founding,
            regions: region_specs,
            rules,
            created: Timestamp(now_ms()),
        };
        let mut network = SignedNetwork {
            genesis: genesis.clone(),
            signatures: Vec::new(),
        };
        let draft = serde_json::json!({ "genesis": B64.encode(genesis.to_bytes()) }).to_string();
        for (node, council) in nodes.iter().zip(&councils) {
            let r = must(
                http.signed_post(
                    node.url(),
                    &council.key,
                    "/v1/network/sign",
                    draft.as_bytes(),
                ),
                "POST /v1/network/sign",
            );
            r.expect_status(200);
            let bytes = B64
                .decode(r.json["signature"].as_str().expect("signature"))
                .expect("base64");
            network.add(NetworkSignature::from_bytes(&bytes).expect("a signature"));
        }
        let body = serde_json::json!({ "network": B64.encode(network.to_bytes()) }).to_string();
        for (node, council) in nodes.iter().zip(&councils) {
            let r = must(
                http.signed_post(node.url(), &council.key, "/v1/network", body.as_bytes()),
                "POST /v1/network",
            );
            // 200 where the node already took the network from a peer.
            assert!(
                matches!(r.status, 200 | 201),
                "unexpected response: {}",
                r.text
            );
        }
        let federation = Federation {
            nodes,
            councils,
            communities,
            network,
            http,
        };
        federation.converge_heads();
        federation
    }

    /// The network's id.
    pub fn id(&self) -> Hash {
        self.network.genesis.id()
    }

    /// The id of region `name`.
    pub fn region(&self, name: &str) -> Hash {
        self.network.genesis.region_id(name)
    }

    /// `GET path` on node `i`.
    #[track_caller]
    pub fn get(&self, i: usize, path: &str) -> Value {
        let r = must(self.http.get(self.nodes[i].url(), path, &[]), path);
        r.expect_status(200);
        r.json
    }

    /// `GET path` on any node URL (200 expected, `Null` otherwise).
    pub fn http_get(&self, url: &str, path: &str) -> Value {
        let r = must(self.http.get(url, path, &[]), path);
        if r.status == 200 { r.json } else { Value::Null }
    }

    /// `GET path` on node `i`, `None` unless it answers 200.
    pub fn try_get(&self, i: usize, path: &str) -> Option<Value> {
        let r = self.http.get(self.nodes[i].url(), path, &[]).ok()?;
        (r.status == 200).then_some(r.json)
    }

    /// Waits until every running node holds every community's public log.
    pub fn converge_heads(&self) {
        let n = self.nodes.len();
        converge(CONVERGE, "every node holds every public log", || {
            self.running()
                .all(|i| {
                    let fed = self.get(i, "/v1/federation");
                    fed["communities"]
                        .as_array()
                        .is_some_and(|c| c.iter().filter(|c| !c["head"].is_null()).count() == n)
                })
                .then_some(())
        });
    }

    /// Indices of the nodes that are running.
    pub fn running(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].is_running())
    }

    /// Admits `count` new members to community `i`.
    pub fn members(&mut self, i: usize, count: usize, rng: &mut Rng) -> Vec<Member> {
        (0..count)
            .map(|_| self.councils[i].admit(rng.keypair()))
            .collect()
    }

    /// Member `by` proposes at `level`; returns the proposal id.
    pub fn propose(by: &mut Member, level: Level, title: &str) -> Hash {
        let proposal = Proposal {
            kind: ProposalKind::Policy,
            level,
            topic: None,
            title: title.into(),
            text: format!("{title}: decided by the whole federation."),
            options: Vec::new(),
            subject: Subject::Question,
        };
        let signed = by.sign(ActionBody::Governance(GovernanceAction::Propose(Box::new(
            proposal,
        ))));
        by.submit_signed(&signed).expect_status(201);
        signed.id()
    }

    /// Waits until every running node knows `proposal`.
    pub fn converge_proposal(&self, proposal: &Hash) {
        converge(CONVERGE, "every node knows the proposal", || {
            self.running()
                .all(|i| {
                    must(
                        self.http.get(
                            self.nodes[i].url(),
                            &format!("/v1/federation/proposals/{proposal}"),
                            &[],
                        ),
                        "GET proposal",
                    )
                    .status
                        == 200
                })
                .then_some(())
        });
    }

    /// Waits until every running node reports `proposal` certified, and
    /// returns each node's view of it (all with the same certified hash).
    pub fn certified(&self, proposal: &Hash) -> Vec<Value> {
        converge(CONVERGE, "every node certifies the result", || {
            let views: Vec<Value> = self
                .running()
                .map(|i| self.get(i, &format!("/v1/federation/proposals/{proposal}")))
                .collect();
            views
                .iter()
                .all(|v| !v["certification"]["certified"].is_null() && v["final"] == true)
                .then_some(views)
        })
    }

    /// The node key pair of node `i` (read from its data directory), as a
    /// misbehaving operator — or a test — holds it.
    pub fn node_key(&self, i: usize) -> Keypair {
        let path = self.nodes[i].data_dir().join("node.key");
        let text = std::fs::read_to_string(&path).expect("the node key file");
        let bytes: Vec<u8> = (0..64)
            .step_by(2)
            .map(|j| u8::from_str_radix(&text.trim()[j..j + 2], 16).expect("hex"))
            .collect();
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&bytes);
        Keypair::from_seed(&seed)
    }

    /// Posts to a test control of node `i`.
    #[track_caller]
    pub fn control(&self, i: usize, path: &str, body: Value) {
        let r = must(
            self.http.post(
                self.nodes[i].url(),
                path,
                "application/json",
                body.to_string().as_bytes(),
            ),
            path,
        );
        r.expect_status(200);
    }

    /// The peer id of node `i`.
    pub fn peer_id(&self, i: usize) -> String {
        self.get(i, "/v1/node")["peer_id"]
            .as_str()
            .expect("peer id")
            .to_string()
    }

    /// Node `i`'s federation export (`GET /v1/federation/export`).
    pub fn export(&self, i: usize) -> Vec<u8> {
        let url = format!("{}/v1/federation/export", self.nodes[i].url());
        let response = self.http.agent.get(&url).call().expect("GET the export");
        assert_eq!(response.status().as_u16(), 200, "the export");
        response
            .into_body()
            .into_with_config()
            .limit(1 << 30)
            .read_to_vec()
            .expect("the export's bytes")
    }

    /// Pushes a canonical gossip message to node `i` over HTTP.
    pub fn push(&self, i: usize, gossip: &[u8]) -> crate::Response {
        let body = serde_json::json!({ "gossip": B64.encode(gossip) }).to_string();
        must(
            self.http.post(
                self.nodes[i].url(),
                "/v1/federation/entries",
                "application/json",
                body.as_bytes(),
            ),
            "POST /v1/federation/entries",
        )
    }
}
