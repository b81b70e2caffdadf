//! HTTP submit benchmark: a real `hearthd` on loopback, 1, 8 and 64
//! concurrent clients each submitting pre-signed transfers and waiting
//! for the durable acknowledgement; prints throughput and p50/p99
//! latency. Clients and node share this machine's cores.
//!
//! `cargo bench -p hearth-node --bench http` (add `HEARTH_BENCH_SOAK=1000000`
//! for a further million actions and the node's RSS and disk after them).

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
        let stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        RawClient {
            reader: std::io::BufReader::new(stream.try_clone().expect("clone")),
            writer: stream,
        }
    }

    /// POSTs an action and returns the status once the whole answer is read.
    fn post(&mut self, body: &[u8]) -> u16 {
        use std::io::{Read as _, Write as _};
        let head = format!(
            "POST /v1/actions HTTP/1.1\r\nhost: bench\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        self.writer.write_all(head.as_bytes()).expect("write");
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
        let join = code.join_body(&member.public());
        assert_eq!(post(&agent, &url, &sign(member, community, 1, join)), 201);
    }
    println!("# Hearth HTTP submit benchmark (node at {url})");
    println!("| clients | requests | acks/s | p50 ms | p99 ms | node CPU µs/ack |");
    println!("|---|---|---|---|---|---|");
    let mut nonce_base = 10u64;
    for clients in CLIENTS {
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
