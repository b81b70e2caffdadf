//! Propagation benchmark: a federation of real `hearthd` processes on
//! loopback (release build, `--no-mdns`, every node bootstrapped from the
//! first), formed into one network through the API with the default
//! federation rules. A council member of node X submits a public action
//! (a network delegation); from the moment its `201` arrives — the entry
//! holding it is durable at X — the benchmark polls every other node's
//! `GET /v1/federation` until each reports X's public head at that entry's
//! seq or later. Prints p50/p99/max of the time until every node holds it,
//! the per-node delivery times, the polling granularity, and each node's
//! RSS idle and after the run.
//!
//! `cargo bench -p hearth-tests --bench propagation` (set
//! `HEARTH_BENCH_NODES`, default 20; `HEARTH_BENCH_SAMPLES`, default 200;
//! `HEARTH_BENCH_POLL_MS`, the pause between two polls of one node,
//! default 5).

use std::thread;
use std::time::{Duration, Instant};

use hearth_protocol::federation::FederationRules;
use hearth_protocol::governance::{Level, Scope};
use hearth_protocol::test::bench::{env_usize, status_kb};
use hearth_protocol::{ActionBody, GovernanceAction, Hash};
use hearth_tests::federation::Federation;
use hearth_tests::{Http, Rng};

/// How long one sample may take before the benchmark gives up.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(60);

/// Quiet time between two samples, so that they do not overlap.
const SPACING: Duration = Duration::from_millis(100);

/// What one poller saw.
struct Seen {
    /// From the acknowledgement to the poll answer that showed the entry.
    after: Duration,
    /// Polls sent.
    polls: u32,
    /// Time spent waiting for poll answers.
    busy: Duration,
}

/// Polls node `url` until it holds `community`'s public log up to `seq`.
fn wait_for(url: &str, community: &Hash, seq: u64, acked: Instant, pause: Duration) -> Seen {
    let http = Http::new();
    let (mut polls, mut busy) = (0u32, Duration::ZERO);
    loop {
        let t = Instant::now();
        let response = http
            .get(url, "/v1/federation", &[])
            .unwrap_or_else(|e| panic!("GET {url}/v1/federation: {e}"));
        let now = Instant::now();
        busy += now - t;
        polls += 1;
        let held = response.json["communities"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"].as_str() == Some(&community.to_hex()))
            .and_then(|c| c["head"]["seq"].as_u64());
        if held.is_some_and(|h| h >= seq) {
            return Seen {
                after: now - acked,
                polls,
                busy,
            };
        }
        assert!(
            now - acked < SAMPLE_TIMEOUT,
            "{url} did not receive seq {seq} of {community} within {SAMPLE_TIMEOUT:?}"
        );
        thread::sleep(pause);
    }
}

fn rss_line(fed: &Federation, when: &str) {
    let mut rss: Vec<u64> = fed
        .nodes
        .iter()
        .filter_map(|n| n.pid())
        .map(|pid| status_kb(pid, "VmRSS:"))
        .collect();
    rss.sort_unstable();
    let total: u64 = rss.iter().sum();
    println!(
        "RSS per node {when}: min {:.1} MB, median {:.1} MB, max {:.1} MB; all {} nodes {:.0} MB",
        rss[0] as f64 / 1024.0,
        rss[rss.len() / 2] as f64 / 1024.0,
        rss[rss.len() - 1] as f64 / 1024.0,
        rss.len(),
        total as f64 / 1024.0
    );
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let n = env_usize("HEARTH_BENCH_NODES", 20);
    let samples = env_usize("HEARTH_BENCH_SAMPLES", 200);
    let pause = Duration::from_millis(env_usize("HEARTH_BENCH_POLL_MS", 5) as u64);
    println!("# Hearth propagation benchmark: {n} hearthd on 127.0.0.1, {samples} samples");
    let mut rng = Rng::from_env();
    let started = Instant::now();
    let mut fed = Federation::start(n, &[], FederationRules::default(), &mut rng);
    println!(
        "network of {n} formed, every node holding every public log, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    thread::sleep(Duration::from_secs(5));
    rss_line(&fed, "idle, after forming the network");

    let mut all = Vec::with_capacity(samples);
    let mut each = Vec::with_capacity(samples * (n - 1));
    let (mut polls, mut busy) = (0u64, Duration::ZERO);
    let started = Instant::now();
    for k in 0..samples {
        let x = k % n;
        let to = fed.councils[(x + 1 + (k / n) % (n - 1)) % n].public();
        let response = fed.councils[x].submit(ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(Level::Network),
            to: Some(to),
        }));
        let acked = Instant::now();
        response.expect_status(201);
        let seq = response.json["seq"].as_u64().expect("the entry's seq");
        let community = fed.communities[x];
        let seen: Vec<Seen> = thread::scope(|s| {
            let handles: Vec<_> = (0..n)
                .filter(|&i| i != x)
                .map(|i| {
                    let url = fed.nodes[i].url().to_string();
                    s.spawn(move || wait_for(&url, &community, seq, acked, pause))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a poller"))
                .collect()
        });
        all.push(seen.iter().map(|s| s.after).max().expect("other nodes"));
        for s in &seen {
            each.push(s.after);
            polls += u64::from(s.polls);
            busy += s.busy;
        }
        thread::sleep(SPACING);
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    each.sort_unstable();
    println!(
        "{} public entries, one from each node in turn, in {:.0} s",
        samples,
        elapsed.as_secs_f64()
    );
    println!(
        "held by every other node: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms — target p99 < 500 ms",
        ms(pct(&all, 0.50)),
        ms(pct(&all, 0.99)),
        ms(all[all.len() - 1])
    );
    println!(
        "held by one node (each of {} deliveries): p50 {:.1} ms, p99 {:.1} ms",
        each.len(),
        ms(pct(&each, 0.50)),
        ms(pct(&each, 0.99))
    );
    let answer = busy / polls.max(1) as u32;
    println!(
        "polling: {polls} polls, mean answer {:.2} ms + pause {} ms = granularity ~{:.1} ms",
        ms(answer),
        pause.as_millis(),
        ms(answer + pause)
    );
    rss_line(&fed, "after the run");
}
