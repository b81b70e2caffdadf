//! Analytics and dashboard pages at scale: a community of
//! `HEARTH_BENCH_MEMBERS` members (default 50 000) with
//! `HEARTH_BENCH_MONTHS` months (default 12) of history made by the
//! history generator through the node's own service, then served by a
//! real `hearthd` on loopback. Timed, one request after another over
//! keep-alive connections: `GET /v1/analytics` for the whole history
//! (the 12 months; the target is < 200 ms), and the pages `/` and
//! `/analytics` (the target is < 50 ms at p99), each
//! `HEARTH_BENCH_REQUESTS` times (default 200); and, in process on the
//! same store, `analytics::report` alone.
//!
//! `cargo bench -p hearth-node --bench dashboard` (set
//! `HEARTH_BENCH_ACTIVITY`, percent of the generator's built-in activity,
//! default 100; `HEARTH_BENCH_DATA=DIR` keeps the simulated data
//! directory there and reuses it on the next run).

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hearth_node::simulate::{Plan, simulate};
use hearth_protocol::economy::income::{month_index, month_label};
use hearth_protocol::test::bench::env_usize;
use hearth_protocol::{Millis, Timestamp};

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

fn main() {
    let members = env_usize("HEARTH_BENCH_MEMBERS", 50_000);
    let months = env_usize("HEARTH_BENCH_MONTHS", 12) as u64;
    let activity = env_usize("HEARTH_BENCH_ACTIVITY", 100) as u32;
    let requests = env_usize("HEARTH_BENCH_REQUESTS", 200);
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir: PathBuf = match std::env::var_os("HEARTH_BENCH_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => scratch.path().join("data"),
    };
    // The history ends a day ago, so the node's own clock finds it all in
    // the past and the last month may still be open.
    let end = Timestamp(now_ms() - 86_400_000);
    if !dir.join("founder-invite").exists() && !dir.exists() {
        hearth_node::store::set_cache_bytes(256 * 1024 * 1024);
        let plan = Plan {
            activity,
            ..Plan::new(1, members, Millis::days(30 * months), end)
        };
        let started = Instant::now();
        let summary = simulate(&dir, &plan).expect("simulate");
        assert_eq!(summary.refusals(), 0, "every simulated action is accepted");
        println!(
            "# simulated {members} members over {months} months ({activity} % activity): {} actions in {:.0} s",
            summary.actions(),
            started.elapsed().as_secs_f64()
        );
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_hearthd"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["run", "--api", "127.0.0.1:0", "--rate-per-ip", "1000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start hearthd");
    let stdout = child.stdout.take().expect("stdout");
    let _node = Node(child);
    let mut url = String::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("read");
        if let Some(addr) = line.strip_prefix("API listening on ") {
            url = addr.trim().to_string();
            break;
        }
    }
    assert!(!url.is_empty(), "hearthd did not start");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    let to = month_index(Timestamp(now_ms()));
    let from = to + 1 - months as u32;
    let analytics = format!(
        "/v1/analytics?from={}&to={}",
        month_label(from),
        month_label(to)
    );
    let get = |path: &str| -> (u16, usize) {
        let mut response = agent.get(&format!("{url}{path}")).call().expect("GET");
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_vec().expect("body");
        (status, body.len())
    };
    let (status, bytes) = get(&analytics);
    assert_eq!(status, 200);
    println!("# {url}: {analytics} is {bytes} bytes");
    println!("| request | p50 | p99 | max |");
    println!("|---|---|---|---|");
    for path in [analytics.as_str(), "/", "/analytics"] {
        // Warm: the first request reads the pages from disk.
        for _ in 0..5 {
            assert_eq!(get(path).0, 200, "{path}");
        }
        let mut times: Vec<Duration> = (0..requests)
            .map(|_| {
                let started = Instant::now();
                let (status, _) = get(path);
                let took = started.elapsed();
                assert_eq!(status, 200, "{path}");
                took
            })
            .collect();
        times.sort();
        println!(
            "| `GET {path}` | {:.2} ms | {:.2} ms | {:.2} ms |",
            ms(times[times.len() / 2]),
            ms(times[(times.len() - 1) * 99 / 100]),
            ms(times[times.len() - 1])
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
