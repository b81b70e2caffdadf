//! `hearth node status` against real nodes: the node's peer id, p2p
//! layer, peers, network, log heads, sync state and pending votes, as
//! `GET /v1/node/status` serves them and as the CLI prints them.

use hearth_protocol::Millis;
use hearth_protocol::governance::Level;
use hearth_tests::federation::{CONVERGE, Federation, quick_rules};
use hearth_tests::{Cli, Rng, converge, now_ms};
use serde_json::Value;

/// ```text
///   hearth ──HTTP──▶ A ─── B   (one network, "Test Federation")
/// ```
/// A network proposal is open when A is asked for its status.
#[test]
fn node_status_shows_peers_networks_heads_and_pending_votes() {
    let mut rng = Rng::from_env();
    let rules = quick_rules(Millis::secs(600), Millis::secs(4), 1);
    let mut fed = Federation::start(2, &[], rules, &mut rng);
    fed.converge_heads();
    let title = "Seeds for every garden";
    let id = Federation::propose(&mut fed.councils[1], Level::Network, title);
    fed.converge_proposal(&id);
    let (a, b) = (fed.communities[0].to_hex(), fed.communities[1].to_hex());
    let cli = Cli::new(fed.nodes[0].url());

    // The node's answer, once it lists B as a peer of a known community.
    let status: Value = converge(CONVERGE, "A lists B as a peer", || {
        let status = cli.json(&["node", "status"]);
        let peers = status["peers"].as_array()?;
        peers
            .iter()
            .any(|p| p["peer_id"] == fed.peer_id(1).as_str() && p["community"] == b.as_str())
            .then_some(status)
    });
    assert_eq!(status["peer_id"], fed.peer_id(0).as_str(), "{status}");
    assert_eq!(status["community"], a.as_str(), "{status}");
    let name = fed.get(0, "/v1/community")["name"].clone();
    assert_eq!(status["community_name"], name, "{status}");
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"), "{status}");

    // p2p: on, on loopback, no mDNS (the test nodes run --no-mdns).
    assert_eq!(status["p2p"]["enabled"], true, "{status}");
    assert_eq!(status["p2p"]["mdns"], false, "{status}");
    let p2p_addr = fed.nodes[0].p2p_addr();
    let listen = status["p2p"]["listen"].as_array().expect("listen");
    assert!(
        listen
            .iter()
            .filter_map(Value::as_str)
            .any(|l| p2p_addr.starts_with(l)),
        "{p2p_addr} among {listen:?}"
    );

    // The network and both public logs.
    let networks = status["networks"].as_array().expect("networks");
    assert_eq!(networks.len(), 1, "{status}");
    assert_eq!(networks[0]["id"], fed.id().to_hex().as_str(), "{status}");
    assert_eq!(networks[0]["name"], "Test Federation", "{status}");
    assert_eq!(networks[0]["communities"], 2, "{status}");
    let heads = status["heads"].as_array().expect("heads");
    for community in [&a, &b] {
        let head = heads
            .iter()
            .find(|h| h["community"] == community.as_str())
            .unwrap_or_else(|| panic!("a head for {community}: {status}"));
        let (seq, seen) = (head["seq"].as_u64(), head["seen"].as_u64());
        assert!(seq.is_some() && seen >= seq, "{head}");
    }
    let own = heads
        .iter()
        .find(|h| h["community"] == a.as_str())
        .expect("A's head");
    assert_eq!(own["name"], name, "{own}");
    assert!(status["sync"]["catching_up"].is_boolean(), "{status}");
    assert!(status["sync"]["behind"].is_u64(), "{status}");

    // The open network vote.
    let votes = status["pending_votes"].as_array().expect("pending_votes");
    let vote = votes
        .iter()
        .find(|v| v["id"] == id.to_hex().as_str())
        .unwrap_or_else(|| panic!("the proposal among {votes:?}"));
    assert_eq!(vote["level"], "network", "{vote}");
    assert_eq!(vote["title"], title, "{vote}");
    assert_eq!(vote["state"], "open", "{vote}");
    let closes = vote["closes_at"].as_u64().expect("closes_at");
    assert!(closes > now_ms(), "the vote is still open: {vote}");

    // The same, for people.
    let text = cli.ok(&["node", "status"]);
    for needle in [
        "Peers (",
        &fed.peer_id(1),
        "Networks (1)",
        "Test Federation",
        "Heads (2)",
        "Sync",
        "catching up",
        "Pending votes (1)",
        &id.to_hex()[..12],
        title,
    ] {
        assert!(text.contains(needle), "{needle:?} in:\n{text}");
    }
}
