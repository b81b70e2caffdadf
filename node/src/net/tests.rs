//! Several [`Net`]s in one process on 127.0.0.1, mDNS off. Each node runs
//! in its own task, driven the way the node's `select!` loop drives it
//! (commands and `next_event` raced), and answers gossip with a verdict the
//! test sets. Every wait has a deadline.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::timeout;

use super::*;

const TOPIC: &str = "hearth-test";

/// Deadline of every wait: generous, because the whole test suite runs
/// beside these nodes (a mesh forms within two heartbeats on an idle
/// machine, but a starved one can take several seconds).
const WAIT: Duration = Duration::from_secs(30);

/// How long "nothing happens" is watched for.
const QUIET: Duration = Duration::from_millis(1000);

type Call = Box<dyn FnOnce(&mut Net) + Send>;

/// Gossip payloads a node received, with the peer that forwarded each.
type GossipLog = Arc<Mutex<Vec<(PeerId, Vec<u8>)>>>;

/// A [`Net`] in its own task.
struct Node {
    name: &'static str,
    peer: PeerId,
    addr: Multiaddr,
    calls: mpsc::UnboundedSender<Call>,
    events: mpsc::UnboundedReceiver<NetEvent>,
    verdict: Arc<Mutex<Verdict>>,
    /// Every gossip payload received, with the peer that forwarded it.
    gossip: GossipLog,
    task: JoinHandle<()>,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn config(seed: u8, bootstrap: Vec<Multiaddr>) -> NetConfig {
    NetConfig {
        key_seed: [seed; 32],
        listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
        bootstrap,
        mdns: false,
        topic: TOPIC.into(),
    }
}

impl Node {
    /// Starts a node (keys from `seed`) that accepts all gossip.
    async fn start(name: &'static str, seed: u8, bootstrap: Vec<Multiaddr>) -> Node {
        let mut net = Net::new(config(seed, bootstrap)).unwrap();
        let addr = timeout(WAIT, async {
            loop {
                if let NetEvent::Listening(addr) = net.next_event().await {
                    return addr;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{name}: not listening"));
        assert_eq!(net.listen_addrs(), vec![addr.clone()]);
        assert_eq!(addr.iter().last(), Some(Protocol::P2p(net.local_peer_id())));

        let (calls, mut call_rx) = mpsc::unbounded_channel::<Call>();
        let (event_tx, events) = mpsc::unbounded_channel();
        let verdict = Arc::new(Mutex::new(Verdict::Accept));
        let gossip = GossipLog::default();
        let peer = net.local_peer_id();
        let task = tokio::spawn({
            let (verdict, gossip) = (verdict.clone(), gossip.clone());
            async move {
                loop {
                    tokio::select! {
                        call = call_rx.recv() => match call {
                            Some(call) => call(&mut net),
                            None => return,
                        },
                        event = net.next_event() => {
                            if let NetEvent::Gossip { source, id, data } = &event {
                                assert_eq!(*id, message_id(data), "message id is blake3 of the payload");
                                gossip.lock().unwrap().push((*source, data.clone()));
                                let verdict = *verdict.lock().unwrap();
                                net.validate(id, source, verdict);
                            }
                            if event_tx.send(event).is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        });
        Node {
            name,
            peer,
            addr,
            calls,
            events,
            verdict,
            gossip,
            task,
        }
    }

    /// Runs `f` on the node's [`Net`] in its task.
    async fn call<R: Send + 'static>(&self, f: impl FnOnce(&mut Net) -> R + Send + 'static) -> R {
        let (tx, rx) = oneshot::channel();
        let call: Call = Box::new(move |net| {
            let _ = tx.send(f(net));
        });
        self.calls.send(call).expect("node task alive");
        rx.await.expect("node task alive")
    }

    /// Skips events until `pick` takes one.
    async fn next<T>(&mut self, what: &str, mut pick: impl FnMut(NetEvent) -> Option<T>) -> T {
        let events = &mut self.events;
        timeout(WAIT, async {
            loop {
                let event = events.recv().await.expect("node task alive");
                if let Some(found) = pick(event) {
                    return found;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{}: timed out waiting for {what}", self.name))
    }

    /// Asserts that no event `pick` takes arrives within [`QUIET`].
    async fn quiet(&mut self, what: &str, mut pick: impl FnMut(&NetEvent) -> bool) {
        let events = &mut self.events;
        let seen = timeout(QUIET, async {
            loop {
                let event = events.recv().await.expect("node task alive");
                if pick(&event) {
                    return event;
                }
            }
        })
        .await;
        if let Ok(event) = seen {
            panic!("{}: unexpected {what}: {event:?}", self.name);
        }
    }

    /// Polls `check` on the node until it holds.
    async fn until(&self, what: &str, check: impl Fn(&Net) -> bool + Clone + Send + 'static) {
        let reached = timeout(WAIT, async {
            loop {
                let check = check.clone();
                if self.call(move |net| check(net)).await {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            reached.is_ok(),
            "{}: timed out waiting until {what}",
            self.name
        );
    }

    /// What the node knows of `peer`, if connected.
    async fn peer_info(&self, peer: PeerId) -> Option<PeerInfo> {
        self.call(move |net| net.peers().into_iter().find(|p| p.peer == peer))
            .await
    }

    /// Waits until `peer` is connected and subscribed to the topic.
    async fn until_subscribed(&self, peer: &Node) {
        let peer = peer.peer;
        self.until("the peer subscribed", move |net| {
            net.peers().iter().any(|p| p.peer == peer && p.subscribed)
        })
        .await;
    }

    async fn publish(&self, data: &[u8]) {
        let data = data.to_vec();
        self.call(move |net| net.publish(data)).await;
    }

    /// Waits for gossip carrying `data`; returns the peer that forwarded it.
    async fn receive(&mut self, data: &[u8]) -> PeerId {
        self.next("gossip", |event| match event {
            NetEvent::Gossip {
                source, data: got, ..
            } if got == data => Some(source),
            _ => None,
        })
        .await
    }

    fn received(&self, data: &[u8]) -> usize {
        let gossip = self.gossip.lock().unwrap();
        gossip.iter().filter(|(_, got)| got == data).count()
    }

    fn set_verdict(&self, verdict: Verdict) {
        *self.verdict.lock().unwrap() = verdict;
    }
}

/// ```text
///   B ── A ── C     (B and C dial A; they may find each other too)
/// ```
#[tokio::test]
async fn gossip_reaches_every_peer_once_after_accept() {
    let a = Node::start("A", 1, vec![]).await;
    let mut b = Node::start("B", 2, vec![a.addr.clone()]).await;
    let mut c = Node::start("C", 3, vec![a.addr.clone()]).await;
    a.until_subscribed(&b).await;
    a.until_subscribed(&c).await;

    a.publish(b"entry 1").await;
    assert_eq!(b.receive(b"entry 1").await, a.peer);
    assert_eq!(c.receive(b"entry 1").await, a.peer);
    // A second message is a barrier: any duplicate of the first would have
    // been relayed before it.
    a.publish(b"entry 2").await;
    b.receive(b"entry 2").await;
    c.receive(b"entry 2").await;
    assert_eq!(b.received(b"entry 1"), 1);
    assert_eq!(c.received(b"entry 1"), 1);
    assert_eq!(
        a.received(b"entry 1"),
        0,
        "our own message is not delivered to us"
    );
}

/// ```text
///   A ── B ── C     (A and C block each other, so kademlia cannot shortcut the line)
/// ```
#[tokio::test]
async fn a_relay_forwards_only_what_it_accepts_and_scores_down_invalid_senders() {
    let mut b = Node::start("B", 11, vec![]).await;
    let a = Node::start("A", 12, vec![]).await;
    let mut c = Node::start("C", 13, vec![]).await;
    let (a_id, c_id) = (a.peer, c.peer);
    a.call(move |net| net.block(c_id)).await;
    c.call(move |net| net.block(a_id)).await;
    for node in [&a, &c] {
        let addr = b.addr.clone();
        node.call(move |net| net.dial(addr)).await;
    }
    a.until_subscribed(&b).await;
    b.until_subscribed(&a).await;
    let c_id = c.peer;
    b.until("C is in B's mesh", move |net| {
        net.peers().iter().any(|p| p.peer == c_id && p.in_mesh)
    })
    .await;

    b.set_verdict(Verdict::Reject);
    a.publish(b"forged entry").await;
    assert_eq!(b.receive(b"forged entry").await, a.peer);
    let a_id = a.peer;
    b.until("A's score is negative", move |net| {
        net.peers().iter().any(|p| p.peer == a_id && p.score < 0.0)
    })
    .await;

    b.set_verdict(Verdict::Accept);
    a.publish(b"valid entry").await;
    b.receive(b"valid entry").await;
    assert_eq!(c.receive(b"valid entry").await, b.peer, "relayed by B");
    assert_eq!(
        c.received(b"forged entry"),
        0,
        "B did not forward what it rejected"
    );
    let info = b.peer_info(a.peer).await.expect("A still connected to B");
    assert!(info.score < 0.0 && info.score > BAN_THRESHOLD, "{info:?}");
    assert!(c.peer_info(a.peer).await.is_none());
}

/// ```text
///   A ── B
/// ```
#[tokio::test]
async fn sync_requests_round_trip_and_oversized_messages_are_refused() {
    let mut a = Node::start("A", 21, vec![]).await;
    let mut b = Node::start("B", 22, vec![a.addr.clone()]).await;
    let b_id = b.peer;
    // A knows B's address only once B has dialled it.
    a.until("B connected", move |net| {
        net.peers().iter().any(|p| p.peer == b_id)
    })
    .await;

    async fn ask(a: &Node, b_id: PeerId, data: Vec<u8>) -> OutboundRequestId {
        a.call(move |net| net.request(&b_id, data)).await
    }
    async fn answer(b: &mut Node, expected: &[u8], response: Vec<u8>) {
        let channel = b
            .next("a request", |event| match event {
                NetEvent::Request { data, channel, .. } => {
                    assert_eq!(data, expected);
                    Some(channel)
                }
                _ => None,
            })
            .await;
        b.call(move |net| net.respond(channel, response)).await;
    }
    async fn outcome(a: &mut Node, wanted: OutboundRequestId) -> Result<Vec<u8>, String> {
        a.next("the outcome of a request", |event| match event {
            NetEvent::Response { id, data, .. } if id == wanted => Some(Ok(data)),
            NetEvent::RequestFailed { id, error, .. } if id == wanted => Some(Err(error)),
            _ => None,
        })
        .await
    }

    let id = ask(&a, b_id, b"heads?".to_vec()).await;
    answer(&mut b, b"heads?", b"log 7 at seq 3".to_vec()).await;
    assert_eq!(outcome(&mut a, id).await.unwrap(), b"log 7 at seq 3");

    // Responses up to the limit pass; one byte more is refused.
    let id = ask(&a, b_id, b"everything".to_vec()).await;
    answer(&mut b, b"everything", vec![7; MAX_RESPONSE_SIZE]).await;
    assert_eq!(outcome(&mut a, id).await.unwrap().len(), MAX_RESPONSE_SIZE);
    let id = ask(&a, b_id, b"too much".to_vec()).await;
    answer(&mut b, b"too much", vec![7; MAX_RESPONSE_SIZE + 1]).await;
    outcome(&mut a, id).await.unwrap_err();

    // An oversized request is refused before it is sent: B's next request
    // is the one after it.
    let id = ask(&a, b_id, vec![1; MAX_REQUEST_SIZE + 1]).await;
    outcome(&mut a, id).await.unwrap_err();
    let id = ask(&a, b_id, vec![2; MAX_REQUEST_SIZE]).await;
    answer(&mut b, &[2; MAX_REQUEST_SIZE], b"ok".to_vec()).await;
    assert_eq!(outcome(&mut a, id).await.unwrap(), b"ok");
}

/// ```text
///   A ─╳─ B   then   A ── B
/// ```
#[tokio::test]
async fn block_partitions_and_unblock_heals() {
    let mut a = Node::start("A", 31, vec![]).await;
    let mut b = Node::start("B", 32, vec![a.addr.clone()]).await;
    a.until_subscribed(&b).await;
    b.until_subscribed(&a).await;

    let b_id = b.peer;
    a.call(move |net| net.block(b_id)).await;
    a.next("B disconnected", |e| {
        matches!(e, NetEvent::Disconnected(p) if p == b_id).then_some(())
    })
    .await;
    // B keeps trying; A refuses it.
    let a_addr = a.addr.clone();
    b.call(move |net| net.dial(a_addr)).await;
    a.quiet(
        "connection from B",
        |e| matches!(e, NetEvent::Connected(p) if *p == b_id),
    )
    .await;
    assert!(a.peer_info(b_id).await.is_none());
    a.publish(b"during the partition").await;
    b.publish(b"from the other side").await;

    a.call(move |net| net.unblock(&b_id)).await;
    let a_addr = a.addr.clone();
    b.call(move |net| net.dial(a_addr)).await;
    a.next("B reconnected", |e| {
        matches!(e, NetEvent::Connected(p) if p == b_id).then_some(())
    })
    .await;
    a.until_subscribed(&b).await;
    a.publish(b"healed").await;
    b.receive(b"healed").await;
    assert_eq!(b.received(b"during the partition"), 0);
    assert_eq!(a.received(b"from the other side"), 0);
}

/// A `Write` into a shared buffer, to capture logs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn publishing_with_no_peers_is_silent() {
    // Warnings of this (single-threaded) test are captured.
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer({
            let logs = logs.clone();
            move || logs.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut net = Net::new(config(41, vec![])).unwrap();
    net.publish(b"nobody is listening".to_vec());
    net.publish(b"still nobody".to_vec());
    // Drive the swarm for a moment: nothing to report.
    let event = timeout(Duration::from_millis(300), async {
        loop {
            match net.next_event().await {
                NetEvent::Listening(_) => continue,
                other => return other,
            }
        }
    })
    .await;
    assert!(event.is_err(), "unexpected {event:?}");
    assert_eq!(logs.text(), "", "no warning");

    // The capture works: an oversized message is warned about.
    net.publish(vec![0; MAX_GOSSIP_SIZE + 1]);
    assert!(logs.text().contains("oversized"), "{}", logs.text());
}

/// ```text
///   A ── B   (B penalises A three times)
/// ```
#[tokio::test]
async fn penalised_peers_are_disconnected_and_refused() {
    let a = Node::start("A", 51, vec![]).await;
    let mut b = Node::start("B", 52, vec![a.addr.clone()]).await;
    b.until_subscribed(&a).await;
    let a_id = a.peer;

    b.call(move |net| net.penalise(&a_id)).await;
    let info = b.peer_info(a_id).await.expect("still connected");
    assert!((info.penalty - PENALTY_STEP).abs() < 0.01, "{info:?}");
    assert!(info.score < 0.0, "{info:?}");

    b.call(move |net| net.penalise(&a_id)).await;
    b.call(move |net| net.penalise(&a_id)).await;
    b.next("A disconnected", |e| {
        matches!(e, NetEvent::Disconnected(p) if p == a_id).then_some(())
    })
    .await;
    let b_addr = b.addr.clone();
    a.call(move |net| net.dial(b_addr)).await;
    b.quiet(
        "connection from A",
        |e| matches!(e, NetEvent::Connected(p) if *p == a_id),
    )
    .await;
    assert!(b.peer_info(a_id).await.is_none());
}

/// ```text
///   B ── A ── C   then   B ── C as well, found through A's DHT
/// ```
#[tokio::test]
async fn kademlia_finds_peers_beyond_the_bootstrap_node() {
    let a = Node::start("A", 61, vec![]).await;
    let mut b = Node::start("B", 62, vec![a.addr.clone()]).await;
    a.until_subscribed(&b).await;
    let c = Node::start("C", 63, vec![a.addr.clone()]).await;
    let c_id = c.peer;
    b.next("C connected", |e| {
        matches!(e, NetEvent::Connected(p) if p == c_id).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_peer_id_derives_from_the_node_key() {
    let seed = [71; 32];
    let net = Net::new(config(71, vec![])).unwrap();
    let node_key = hearth_protocol::Keypair::from_seed(&seed).public();
    assert_eq!(peer_id_of(&node_key), Some(net.local_peer_id()));
    let mut identity_point = [0; 32];
    identity_point[0] = 1;
    assert_eq!(
        peer_id_of(&hearth_protocol::PublicKey(identity_point)),
        None
    );
}

#[tokio::test]
async fn bootstrap_addresses_must_name_the_peer() {
    let bad = config(81, vec!["/ip4/127.0.0.1/tcp/1".parse().unwrap()]);
    let err = Net::new(bad).unwrap_err();
    assert!(err.to_string().contains("/p2p/"), "{err}");
}
