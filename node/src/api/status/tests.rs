//! `GET /v1/node/status` over a real node task and sled directory, called
//! in-process: its shape for a node alone, then in a network with a vote
//! open; and a node whose p2p waits for a network starting it, listening
//! on loopback, once its community records one.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hearth_protocol::federation::{Founding, NetworkGenesis, NetworkSignature, SignedNetwork};
use hearth_protocol::governance::{Level, Proposal, ProposalKind, Subject};
use hearth_protocol::test::keypair;
use hearth_protocol::{
    Action, ActionBody, Canonical, GovernanceAction, Hash, InviteCode, Keypair, Rules,
};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::data_dir::DataDir;
use crate::net::{NetConfig, peer_id_of};
use crate::runtime::{self, Handle, P2p};
use crate::service::Service;

struct Fixture {
    app: axum::Router,
    handle: Handle,
    community: Hash,
    node: hearth_protocol::PublicKey,
    founder_code: InviteCode,
    _dir: tempfile::TempDir,
}

/// A node founded in a temporary directory, its p2p layer as `p2p`
/// (given the node key's seed) says.
fn fixture(p2p: impl FnOnce([u8; 32]) -> P2p) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = DataDir::new(dir.path().join("data"));
    let founded = data
        .init("Riverside", Rules::default(), runtime::now(), None)
        .expect("init");
    let (community, node) = (founded.id, founded.node.public());
    let p2p = p2p(founded.node.seed());
    let service = Service::open(founded.storage, founded.node).expect("service");
    let (handle, _task) = runtime::spawn(service, p2p);
    Fixture {
        app: super::super::router(handle.clone()),
        handle,
        community,
        node,
        founder_code: data.load_founder_invite().expect("invite"),
        _dir: dir,
    }
}

impl Fixture {
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let request = Request::get(path).body(Body::empty()).expect("request");
        let response = self.app.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn status(&self) -> Value {
        let (status, json) = self.get("/v1/node/status").await;
        assert_eq!(status, StatusCode::OK, "{json}");
        json
    }

    /// Signs `body` as `author` and submits it; the receipt.
    async fn submit(&self, author: &Keypair, nonce: u64, body: ActionBody) -> Value {
        let bytes = Action {
            author: author.public(),
            community: self.community,
            nonce,
            created: runtime::now(),
            body,
        }
        .sign(author)
        .to_bytes();
        let request = Request::post("/v1/actions")
            .header("content-type", "application/octet-stream")
            .body(Body::from(bytes))
            .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("a receipt")
    }

    /// Founds network "Valley" with one other community (whose node key
    /// the test holds) and records it on this node.
    async fn join_network(&self) -> SignedNetwork {
        let other = keypair(77);
        let other_id = Hash([7; 32]);
        let mut communities = vec![
            Founding {
                id: self.community,
                node: self.node,
                name: "Riverside".into(),
            },
            Founding {
                id: other_id,
                node: other.public(),
                name: "Hillside".into(),
            },
        ];
        communities.sort_by_key(|f| f.id);
        let genesis = NetworkGenesis {
            name: "Valley".into(),
            communities,
            regions: Vec::new(),
            rules: crate::test::federation::quick_rules(),
            created: runtime::now(),
        };
        let mine = self
            .handle
            .sign_network(genesis.clone())
            .await
            .expect("the node answers")
            .expect("a founder signs");
        let mut network = SignedNetwork {
            genesis: genesis.clone(),
            signatures: Vec::new(),
        };
        network.add(mine);
        network.add(NetworkSignature::sign(&genesis, other_id, &other));
        self.handle
            .record_network(network.clone(), None)
            .await
            .expect("recorded");
        network
    }
}

#[tokio::test]
async fn a_lone_node_shows_itself_with_p2p_off_and_nothing_pending() {
    let f = fixture(|_| P2p::Off);
    let founder = keypair(1);
    f.submit(&founder, 1, f.founder_code.join_body(&founder.public()))
        .await;
    let status = f.status().await;
    let community = f.community.to_string();
    assert_eq!(
        status,
        json!({
            "peer_id": null,
            "community": community,
            "community_name": "Riverside",
            "version": env!("CARGO_PKG_VERSION"),
            "p2p": {"enabled": false, "listen": [], "mdns": false},
            "peers": [],
            "networks": [],
            "heads": [{"community": community, "name": "Riverside", "seq": 1, "seen": 1}],
            "sync": {"catching_up": false, "behind": 0},
            "pending_votes": [],
        })
    );
}

#[tokio::test]
async fn in_a_network_the_status_lists_it_and_an_open_network_vote() {
    let f = fixture(|_| P2p::Off);
    let founder = keypair(1);
    f.submit(&founder, 1, f.founder_code.join_body(&founder.public()))
        .await;
    let network = f.join_network().await;
    let proposal = Proposal {
        kind: ProposalKind::Policy,
        level: Level::Network,
        topic: None,
        title: "Shared seed bank".into(),
        text: "One seed bank for the valley.".into(),
        options: Vec::new(),
        subject: Subject::Question,
    };
    let proposed = runtime::now();
    let receipt = f
        .submit(
            &founder,
            2,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
        )
        .await;
    let status = f.status().await;
    assert_eq!(
        status["networks"],
        json!([{"id": network.genesis.id(), "name": "Valley", "communities": 2}])
    );
    let heads = status["heads"].as_array().expect("heads");
    assert_eq!(heads.len(), 1, "only its own log is held: {status}");
    assert_eq!(heads[0]["seq"], receipt["seq"], "{status}");
    let votes = status["pending_votes"].as_array().expect("pending votes");
    assert_eq!(votes.len(), 1, "{status}");
    let vote = &votes[0];
    assert_eq!(vote["id"], receipt["id"]);
    assert_eq!(
        (&vote["level"], &vote["title"], &vote["state"]),
        (
            &json!("network"),
            &json!("Shared seed bank"),
            &json!("open")
        )
    );
    let closes = vote["closes_at"].as_u64().expect("closes_at");
    let voting = crate::test::federation::VOTING.0;
    // It closes one vote's length after it was proposed (however slowly
    // a loaded machine got here).
    assert!(
        closes > proposed.0 && closes <= runtime::now().0 + voting,
        "{vote}"
    );
    assert_eq!(status["sync"], json!({"catching_up": false, "behind": 0}));
}

#[tokio::test]
async fn p2p_waiting_for_a_network_starts_when_the_community_records_one() {
    let f = fixture(|seed| {
        P2p::OnceInNetwork(NetConfig {
            key_seed: seed,
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")],
            bootstrap: Vec::new(),
            mdns: false,
            topic: crate::config::TOPIC.into(),
        })
    });
    let before = f.status().await;
    assert_eq!(
        (&before["peer_id"], &before["p2p"]),
        (
            &Value::Null,
            &json!({"enabled": false, "listen": [], "mdns": false})
        )
    );
    f.join_network().await;
    let peer = peer_id_of(&f.node).expect("a peer id").to_string();
    let mut status = Value::Null;
    for _ in 0..200 {
        status = f.status().await;
        if status["p2p"]["listen"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(status["p2p"]["enabled"], true, "{status}");
    assert_eq!(status["peer_id"], json!(peer));
    let listen = status["p2p"]["listen"][0].as_str().unwrap_or_default();
    assert!(
        listen.starts_with("/ip4/127.0.0.1/tcp/") && listen.ends_with(&peer),
        "{status}"
    );
}
