//! A node is quiet on the network by default: in no network and with no
//! peers or listen address configured, it neither listens for p2p nor
//! announces itself, and says so at start; given `--p2p-listen` it listens
//! at once and prints each address once.
//!
//! ```text
//!   hearthd --api 127.0.0.1:0                       (no p2p at all)
//!   hearthd --api 127.0.0.1:0 --p2p-listen /ip4/127.0.0.1/tcp/0
//! ```

use hearth_tests::daemon::Daemon;
use hearth_tests::{Http, START_TIMEOUT, converge};
use serde_json::Value;

fn get(url: &str, path: &str) -> Value {
    let response = Http::new().get(url, path, &[]).expect(path);
    assert_eq!(response.status, 200, "{path}: {}", response.text);
    response.json
}

#[test]
fn a_fresh_node_does_not_listen_and_says_how_to_turn_p2p_on() {
    let node = Daemon::start(&["--api", "127.0.0.1:0"], &[("RUST_LOG", "info")]);
    let stdout = node.stdout();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("p2p is off"))
        .unwrap_or_else(|| panic!("no p2p-off line: {stdout}"));
    assert!(line.contains("--p2p-listen"), "{line}");
    assert!(!stdout.contains("p2p listening on"), "{stdout}");
    let info = get(node.url(), "/v1/node");
    assert_eq!(info["listen"], Value::Array(vec![]), "{info}");
    assert_eq!(info["peer_id"], Value::Null, "{info}");
    let status = get(node.url(), "/v1/node/status");
    assert_eq!(status["p2p"]["enabled"], false, "{status}");
    assert_eq!(status["p2p"]["mdns"], false, "{status}");
    assert_eq!(status["p2p"]["listen"], Value::Array(vec![]), "{status}");
    let log = node.stderr();
    assert!(!log.contains("No known peers"), "{log}");
    assert!(!log.contains("mdns"), "no LAN announcements: {log}");
}

#[test]
fn with_a_listen_address_the_node_listens_at_once_and_prints_it_once() {
    let node = Daemon::start(
        &[
            "--api",
            "127.0.0.1:0",
            "--p2p-listen",
            "/ip4/127.0.0.1/tcp/0",
        ],
        // The default log filter (no RUST_LOG).
        &[],
    );
    let addr = converge(START_TIMEOUT, "the p2p address", || {
        node.stdout()
            .lines()
            .find_map(|l| l.strip_prefix("p2p listening on "))
            .map(str::to_string)
    });
    assert!(addr.starts_with("/ip4/127.0.0.1/tcp/"), "{addr}");
    assert!(!node.stdout().contains("p2p is off"), "{}", node.stdout());
    let status = get(node.url(), "/v1/node/status");
    assert_eq!(status["p2p"]["enabled"], true, "{status}");
    assert_eq!(
        status["p2p"]["listen"],
        Value::Array(vec![Value::String(addr.clone())]),
        "{status}"
    );
    assert!(
        addr.ends_with(status["peer_id"].as_str().expect("a peer id")),
        "{status}"
    );
    // Kademlia's one bootstrap at start (half a second after it listens,
    // with no peer) has had time to complain, if it were to.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let printed = |text: &str| text.matches(addr.as_str()).count();
    assert_eq!(printed(&node.stdout()), 1, "{}", node.stdout());
    assert_eq!(printed(&node.stderr()), 0, "{}", node.stderr());
    assert!(
        node.stderr().contains("p2p layer started"),
        "{}",
        node.stderr()
    );
    assert!(
        !node.stderr().contains("No known peers"),
        "{}",
        node.stderr()
    );
}
