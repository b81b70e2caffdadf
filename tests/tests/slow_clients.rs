//! Slow clients cannot hold a node up on SIGTERM: shutdown waits for
//! requests in flight only for the grace period, then closes their
//! connections and the node seals, flushes and exits.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use hearth_tests::{Http, Node};

//   slow ×4 ──half a request head──▶ hearthd (--shutdown-grace 1,
//   slow ×2 ──head, a tenth of body──▶        header/body deadlines 60 s)
//   test ──GET /healthz──▶ hearthd; then SIGTERM
#[test]
fn sigterm_with_slow_clients_connected_stops_within_the_grace_period() {
    let args = [
        "--shutdown-grace",
        "1",
        "--header-timeout",
        "60",
        "--body-timeout",
        "60",
    ];
    let mut node = Node::start_with_args(&args.map(String::from));
    let addr = node.url().trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(&addr).expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: hearth\r\nx-slow: a")
            .expect("send");
        slow.push(stream);
    }
    for _ in 0..2 {
        let mut stream = TcpStream::connect(&addr).expect("connect");
        stream
            .write_all(b"POST /v1/actions HTTP/1.1\r\nhost: hearth\r\ncontent-type: application/octet-stream\r\ncontent-length: 1000\r\n\r\n0123456789")
            .expect("send");
        slow.push(stream);
    }
    // The node accepts connections in order: once a later one is served,
    // it holds all the slow ones.
    let health = Http::new()
        .get(node.url(), "/healthz", &[])
        .expect("healthz answers");
    health.expect_status(200);

    let started = Instant::now();
    let status = node.stop();
    let took = started.elapsed();
    assert!(status.success(), "hearthd exited with {status}");
    // Far less than the 60 s the slow clients would otherwise have had.
    assert!(took < Duration::from_secs(20), "stopping took {took:?}");
    let log = node.log();
    assert!(
        log.contains("closing connections still open after the shutdown grace period"),
        "{log}"
    );
    assert!(log.contains("node task stopped"), "{log}");
    drop(slow);
}
