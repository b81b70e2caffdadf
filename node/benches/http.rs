//! HTTP submit benchmark: a real `hearthd` on loopback, 1, 8 and 64
//! concurrent clients each submitting pre-signed transfers and waiting
//! for the durable acknowledgement; prints throughput and p50/p99
//! latency. Clients and node share this machine's cores.
//!
//! Then a member's latency while another address floods the node: the
//! member on 127.0.0.1 makes signed reads and submits transfers, first
//! alone, then while 16 connections from 127.0.0.2 send unsigned reads
//! as fast as they can (the node's per-address limit answers them 429).
//!
//! `cargo bench -p hearth-node --bench http` (add `HEARTH_BENCH_SOAK=1000000`
//! for a further million actions and the node's RSS and disk after them;
//! `HEARTH_BENCH_FLOOD_ONLY=1` measures only the flood).

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hearth_protocol::test::bench::{dir_size, status_kb};
use hearth_protocol::test::keypair;
use hearth_protocol::{
    Action, ActionBody, Canonical, Hash, InviteCode, Kc, Keypair, LedgerAction, MembershipAction,
    SignedAction, Timestamp,
};

const CLIENTS: [usize; 3] = [1, 8, 64];

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, bytes: &[u8]) -> u16 {
    agent
        .post(&format!("{url}/v1/actions"))
        .header("content-type", "application/octet-stream")
        .send(bytes)
        .map(|r| r.status().as_u16())
        .unwrap_or_else(|e| panic!("POST {url}/v1/actions: {e}"))
}

fn sign(key: &Keypair, community: Hash, nonce: u64, body: ActionBody) -> Vec<u8> {
    let action: SignedAction = Action {
        author: key.public(),
        community,
        nonce,
        created: Timestamp(now_ms()),
        body,
    }
    .sign(key);
    action.to_bytes()
}

/// User + system CPU seconds a process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}

/// A minimal HTTP/1.1 keep-alive client, so that the load generator (which
/// shares the machine's two cores with the node) costs as little as it can.
struct RawClient {
    reader: std::io::BufReader<std::net::TcpStream>,
    writer: std::net::TcpStream,
}

impl RawClient {
    fn connect(url: &str) -> RawClient {
        let addr = url.trim_start_matches("http://");
        RawClient::new(std::net::TcpStream::connect(addr).expect("connect"))
    }

    /// A client whose connection comes from the loopback address `from`.
    fn connect_from(url: &str, from: std::net::Ipv4Addr) -> RawClient {
        let addr: std::net::SocketAddr =
            url.trim_start_matches("http://").parse().expect("address");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("runtime");
        let stream = runtime
            .block_on(async {
                let socket = tokio::net::TcpSocket::new_v4()?;
                socket.bind((from, 0).into())?;
                socket.connect(addr).await
            })
            .expect("connect");
        let stream = stream.into_std().expect("std stream");
        stream.set_nonblocking(false).expect("blocking");
        RawClient::new(stream)
    }

    fn new(stream: std::net::TcpStream) -> RawClient {
        stream.set_nodelay(true).expect("nodelay");
        RawClient {
            reader: std::io::BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
        }
    }

    /// POSTs an action and returns the status once the whole answer is read.
    fn post(&mut self, body: &[u8]) -> u16 {
        let head = format!(
            "POST /v1/actions HTTP/1.1\r\nhost: bench\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        self.exchange(head.as_bytes(), body)
    }

    /// GETs `path` with `headers` and returns the status.
    fn get(&mut self, path: &str, headers: &[(&str, String)]) -> u16 {
        let mut head = format!("GET {path} HTTP/1.1\r\nhost: bench\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        self.exchange(head.as_bytes(), b"")
    }

    /// Sends a request and returns the status once the whole answer is read.
    fn exchange(&mut self, head: &[u8], body: &[u8]) -> u16 {
        use std::io::{Read as _, Write as _};
        self.writer.write_all(head).expect("write");
        self.writer.write_all(body).expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0u8; length];
        self.reader.read_exact(&mut buf).expect("body");
        status
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hearthd"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["run", "--api", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start hearthd");
    let stdout = child.stdout.take().expect("stdout");
    let node_pid = child.id();
    let _node = Node(child);
    let mut url = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("read");
        if let Some(addr) = line.strip_prefix("API listening on ") {
            url = addr.trim().to_string();
            break;
        }
    }
    let founder_code = std::fs::read_to_string(dir.path().join("founder-invite")).expect("invite");
    let founder_code = InviteCode::parse(&founder_code).expect("code");
    let community = founder_code.community;
    let agent = new_agent();
    let founder = keypair(1);
    let mut founder_nonce = 1;
    let join = founder_code.join_body(&founder.public());
    assert_eq!(
        post(
            &agent,
            &url,
            &sign(&founder, community, founder_nonce, join)
        ),
        201
    );
    let max = *CLIENTS.iter().max().expect("clients");
    let members: Vec<Keypair> = (0..max).map(|i| keypair(10 + i as u8)).collect();
    for (i, member) in members.iter().enumerate() {
        let mut seed = [0x77; 32];
        seed[0] = i as u8;
        let code = InviteCode { community, seed };
        founder_nonce += 1;
        let issue = ActionBody::Membership(MembershipAction::IssueInvite {
            key: code.keypair().public(),
            expires: Timestamp(now_ms() + 3_600_000),
        });
        assert_eq!(
            post(
                &agent,
                &url,
                &sign(&founder, community, founder_nonce, issue)
            ),
            201
        );
        // Each member joins from an address of its own, as from its own
        // machine (a stranger's submissions count against its address).
        let join = code.join_body(&member.public());
        let mut client = RawClient::connect_from(&url, std::net::Ipv4Addr::new(127, 0, 1, i as u8));
        assert_eq!(client.post(&sign(member, community, 1, join)), 201);
    }
    println!("# Hearth HTTP submit benchmark (node at {url})");
    println!("| clients | requests | acks/s | p50 ms | p99 ms | node CPU µs/ack |");
    println!("|---|---|---|---|---|---|");
    let mut nonce_base = 10u64;
    let flood_only = std::env::var_os("HEARTH_BENCH_FLOOD_ONLY").is_some();
    for clients in CLIENTS.into_iter().filter(|_| !flood_only) {
        let per_client = (12_000 / clients).clamp(200, 3000);
        let phase = Phase {
            url: &url,
            community,
            members: &members,
            node_pid,
        };
        phase.run(clients, per_client, nonce_base);
        nonce_base += per_client as u64 + 1;
    }
    println!(
        "node RSS: {} kB (peak {} kB)",
        status_kb(node_pid, "VmRSS:"),
        status_kb(node_pid, "VmHWM:")
    );
    flood(&url, community, &founder, &members, nonce_base);
    nonce_base += 2 * FLOOD_MEMBER_REQUESTS as u64 + 1;
    let soak: usize = std::env::var("HEARTH_BENCH_SOAK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if soak > 0 {
        let clients = *CLIENTS.iter().max().expect("clients");
        let per_client = soak / clients;
        println!(
            "\n# Soak: {} more actions from {clients} clients",
            per_client * clients
        );
        println!("| clients | requests | acks/s | p50 ms | p99 ms | node CPU µs/ack |");
        println!("|---|---|---|---|---|---|");
        let phase = Phase {
            url: &url,
            community,
            members: &members,
            node_pid,
        };
        phase.run(clients, per_client, nonce_base);
        println!(
            "node RSS after the soak: {} kB (peak {} kB); data dir {:.0} MB",
            status_kb(node_pid, "VmRSS:"),
            status_kb(node_pid, "VmHWM:"),
            dir_size(dir.path()) as f64 / 1e6
        );
    }
}

/// Requests the member makes in each flood phase (of each kind).
const FLOOD_MEMBER_REQUESTS: usize = 400;

/// Connections the flood keeps busy from its one address.
const FLOOD_CONNECTIONS: usize = 16;

/// The member's latency alone and while 127.0.0.2 floods; prints a table.
fn flood(url: &str, community: Hash, reader: &Keypair, members: &[Keypair], nonce_base: u64) {
    use std::net::Ipv4Addr;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    println!(
        "\n# A member on 127.0.0.1 while 127.0.0.2 floods ({FLOOD_CONNECTIONS} connections of unsigned GET /v1/members)"
    );
    println!(
        "| flood | member signed GET p50 / p99 ms | member submit p50 / p99 ms | flood requests/s | flood answered 429 |"
    );
    println!("|---|---|---|---|---|");
    let payer = &members[0];
    let to = members[1].public();
    for (phase, flooding) in [("none", false), ("running", true)] {
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let sent = std::sync::Arc::new(AtomicU64::new(0));
        let limited = std::sync::Arc::new(AtomicU64::new(0));
        let flooders: Vec<_> = (0..if flooding { FLOOD_CONNECTIONS } else { 0 })
            .map(|_| {
                let (url, stop, sent, limited) =
                    (url.to_string(), stop.clone(), sent.clone(), limited.clone());
                std::thread::spawn(move || {
                    let mut client = RawClient::connect_from(&url, Ipv4Addr::new(127, 0, 0, 2));
                    while !stop.load(Ordering::Relaxed) {
                        let status = client.get("/v1/members", &[]);
                        sent.fetch_add(1, Ordering::Relaxed);
                        limited.fetch_add(u64::from(status == 429), Ordering::Relaxed);
                    }
                })
            })
            .collect();
        let started = Instant::now();
        let mut member = RawClient::connect_from(url, Ipv4Addr::new(127, 0, 0, 1));
        let offset = if flooding { FLOOD_MEMBER_REQUESTS } else { 0 };
        let mut reads = Vec::with_capacity(FLOOD_MEMBER_REQUESTS);
        let mut submits = Vec::with_capacity(FLOOD_MEMBER_REQUESTS);
        for i in 0..FLOOD_MEMBER_REQUESTS {
            let path = format!("/v1/ledger?n={phase}{i}");
            let headers: Vec<(&str, String)> = hearth_protocol::request::sign_request(
                reader,
                "GET",
                &path,
                Timestamp(now_ms()),
                b"",
            )
            .into_iter()
            .collect();
            let t = Instant::now();
            assert_eq!(member.get(&path, &headers), 200, "the member's read");
            reads.push(t.elapsed());
            let body = ActionBody::Ledger(LedgerAction::Transfer {
                to,
                amount: Kc(1),
                memo: String::new(),
            });
            let bytes = sign(payer, community, nonce_base + (offset + i) as u64, body);
            let t = Instant::now();
            assert_eq!(member.post(&bytes), 201, "the member's transfer");
            submits.push(t.elapsed());
        }
        let elapsed = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        for f in flooders {
            f.join().expect("flooder");
        }
        let ms = |v: &mut Vec<Duration>, p: f64| {
            v.sort_unstable();
            v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1e3
        };
        let sent = sent.load(Ordering::Relaxed);
        let limited = limited.load(Ordering::Relaxed);
        println!(
            "| {phase} | {:.2} / {:.2} | {:.2} / {:.2} | {:.0} | {:.1} % |",
            ms(&mut reads, 0.5),
            ms(&mut reads, 0.99),
            ms(&mut submits, 0.5),
            ms(&mut submits, 0.99),
            sent as f64 / elapsed.as_secs_f64(),
            100.0 * limited as f64 / (sent.max(1)) as f64,
        );
    }
}

struct Phase<'a> {
    url: &'a str,
    community: Hash,
    members: &'a [Keypair],
    node_pid: u32,
}

impl Phase<'_> {
    /// `clients` threads each send `per_client` pre-signed transfers, one
    /// at a time; prints a table row.
    fn run(&self, clients: usize, per_client: usize, nonce_base: u64) {
        let members = self.members;
        let community = self.community;
        // Pre-sign everything (on every core) so the clients only send.
        let work: Vec<Vec<Vec<u8>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..clients)
                .map(|c| {
                    scope.spawn(move || {
                        let to = members[(c + 1) % members.len()].public();
                        (0..per_client)
                            .map(|k| {
                                let body = ActionBody::Ledger(LedgerAction::Transfer {
                                    to,
                                    amount: Kc(1),
                                    memo: String::new(),
                                });
                                sign(&members[c], community, nonce_base + k as u64, body)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("signer"))
                .collect()
        });
        let cpu_before = cpu_seconds(self.node_pid);
        let started = Instant::now();
        let handles: Vec<_> = work
            .into_iter()
            .map(|actions| {
                let url = self.url.to_string();
                std::thread::spawn(move || {
                    let mut client = RawClient::connect(&url);
                    let mut latencies = Vec::with_capacity(actions.len());
                    for bytes in actions {
                        let t = Instant::now();
                        let status = client.post(&bytes);
                        assert_eq!(status, 201, "every transfer is acknowledged");
                        latencies.push(t.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies: Vec<Duration> = handles
            .into_iter()
            .flat_map(|h| h.join().expect("client"))
            .collect();
        let elapsed = started.elapsed();
        let node_cpu = cpu_seconds(self.node_pid) - cpu_before;
        latencies.sort_unstable();
        let pct =
            |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
        println!(
            "| {clients} | {} | {:.0} | {:.2} | {:.2} | {:.0} |",
            latencies.len(),
            latencies.len() as f64 / elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            node_cpu * 1e6 / latencies.len() as f64
        );
    }
}
