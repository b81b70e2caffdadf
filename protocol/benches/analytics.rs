//! Analytics across communities: the network's and a region's figures
//! summed from the `Stats` records in the public logs of 20 communities
//! (12 months each), as the node's `GET /v1/analytics?level=network` does
//! on the federation view it keeps — and, for reference, building that
//! view from the logs.
//!
//! `cargo bench -p hearth-protocol --bench analytics` (set
//! `HEARTH_BENCH_COMMUNITIES`, default 20, and `HEARTH_BENCH_MONTHS`,
//! default 12).

use std::time::{Duration, Instant};

use hearth_protocol::analytics::network::of_view;
use hearth_protocol::analytics::{MonthCounts, Stats};
use hearth_protocol::federation::{
    CommunityLog, FederationRules, FederationView, Founding, NetworkGenesis, NetworkSignature,
    RegionSpec, SignedNetwork,
};
use hearth_protocol::log::NodeRecord;
use hearth_protocol::test::bench::env_usize;
use hearth_protocol::{
    Entry, EntryBody, Genesis, Hash, Kc, Keypair, LogId, LogKind, Rules, SignedEntry, Timestamp,
};

/// 2026-01, in months since 1970-01.
const FIRST_MONTH: u32 = 56 * 12;

fn seed(domain: &[u8], i: u64) -> [u8; 32] {
    *blake3::Hasher::new()
        .update(domain)
        .update(&i.to_le_bytes())
        .finalize()
        .as_bytes()
}

struct Log {
    node: Keypair,
    community: Hash,
    entries: Vec<SignedEntry>,
}

impl Log {
    fn append(&mut self, time: Timestamp, body: EntryBody) {
        let head = self.entries.last().map(SignedEntry::head);
        let entry = Entry {
            log: LogId {
                community: self.community,
                kind: LogKind::Public,
            },
            seq: head.map_or(0, |h| h.seq + 1),
            prev: head.map_or(Hash::ZERO, |h| h.hash),
            time,
            body,
        }
        .sign(&self.node);
        self.entries.push(entry);
    }
}

/// A month's counts for community `c`: varied, so nothing sums trivially.
fn counts(c: u64, month: u32) -> MonthCounts {
    let x = c * 7919 + u64::from(month) * 104_729;
    MonthCounts {
        proposals: x % 13,
        votes_closed: x % 11 + 1,
        ballots_counted: x % 900,
        eligible_voters: 1000 + x % 500,
        council_decisions: x % 5,
        council_ballots: x % 20,
        council_seats: 25,
        consensus_closed: x % 4,
        consensus_passed: x % 3,
        aid_contributed: Kc((x % 100_000) as i64),
        aid_requests: x % 30,
        aid_approved: x % 20,
        aid_paid_in_full: x % 19,
        aid_response_ms: x % 1_000_000_000,
        completions: x % 40,
        peer_sessions: x % 10,
        verifications: x % 7,
        insurance_members: 300 + x % 100,
        claims_processed: x % 9,
        claims_paid: Kc((x % 50_000) as i64),
        premiums: Kc((x % 80_000) as i64 + 1),
        circulation: Kc((x % 10_000_000) as i64),
        positive_balances: Kc((x % 20_000_000) as i64 + 1),
        members: 2500,
        active: 1000 + x % 1500,
        previously_active: 1000 + x % 1400,
        retained: 900 + x % 100,
    }
}

fn main() {
    let n = env_usize("HEARTH_BENCH_COMMUNITIES", 20) as u64;
    let months = env_usize("HEARTH_BENCH_MONTHS", 12) as u32;
    let founded = Timestamp(1_767_225_600_000); // 2026-01-01
    let mut logs: Vec<Log> = (0..n)
        .map(|c| {
            let node = Keypair::from_seed(&seed(b"node", c));
            let genesis = Genesis {
                name: format!("Community {c}"),
                node: node.public(),
                founders: vec![Keypair::from_seed(&seed(b"founder", c)).public()],
                founder_invites: Vec::new(),
                rules: Rules::default(),
                region: None,
                created: founded,
            };
            let mut log = Log {
                node,
                community: genesis.id(),
                entries: Vec::new(),
            };
            log.append(founded, EntryBody::Genesis(Box::new(genesis)));
            log
        })
        .collect();
    let mut founding: Vec<Founding> = logs
        .iter()
        .enumerate()
        .map(|(i, l)| Founding {
            id: l.community,
            node: l.node.public(),
            name: format!("Community {i}"),
        })
        .collect();
    founding.sort_by_key(|f| f.id);
    let mut north: Vec<Hash> = logs
        .iter()
        .take(logs.len() / 2)
        .map(|l| l.community)
        .collect();
    north.sort();
    let genesis = NetworkGenesis {
        name: "Benchmark Federation".into(),
        communities: founding,
        regions: vec![RegionSpec {
            name: "north".into(),
            communities: north,
        }],
        rules: FederationRules::default(),
        created: Timestamp(founded.0 + 1),
    };
    let mut network = SignedNetwork {
        genesis: genesis.clone(),
        signatures: Vec::new(),
    };
    for l in &logs {
        network.add(NetworkSignature::sign(&genesis, l.community, &l.node));
    }
    for (c, l) in logs.iter_mut().enumerate() {
        l.append(
            Timestamp(founded.0 + 1),
            EntryBody::Records(vec![NodeRecord::Network(Box::new(network.clone()))]),
        );
        // One `Stats` per month, each in its own entry as a node seals it;
        // the last community has not published its last month yet.
        for m in 0..months {
            if c as u64 == n - 1 && m == months - 1 {
                continue;
            }
            let month = FIRST_MONTH + m;
            let time = Timestamp(founded.0 + 2 + u64::from(m) * 31 * 86_400_000);
            l.append(
                time,
                EntryBody::Records(vec![NodeRecord::Stats(Stats {
                    month,
                    counts: counts(c as u64, month),
                })]),
            );
        }
    }
    let community_logs: Vec<CommunityLog> = logs
        .iter()
        .map(|l| CommunityLog {
            community: l.community,
            node: l.node.public(),
            entries: l.entries.clone(),
            fork: None,
        })
        .collect();

    let build = repeat(21, || {
        std::hint::black_box(FederationView::new(genesis.clone(), &community_logs));
    });
    let view = FederationView::new(genesis.clone(), &community_logs);
    let (from, to) = (FIRST_MONTH, FIRST_MONTH + months - 1);
    let report = of_view(&view, None, from, to).expect("the network");
    assert_eq!(report.communities.len(), n as usize);
    assert_eq!(report.months[months as usize - 1].missing.len(), 1);
    let network_times = repeat(201, || {
        std::hint::black_box(of_view(&view, None, from, to).expect("the network"));
    });
    let region_times = repeat(201, || {
        std::hint::black_box(of_view(&view, Some("north"), from, to).expect("the region"));
    });

    println!("analytics across {n} communities, {months} months of Stats each");
    println!(
        "  network figures (of_view, level=network):      p50 {:.3} ms  p99 {:.3} ms",
        ms(percentile(&network_times, 50)),
        ms(percentile(&network_times, 99))
    );
    println!(
        "  region figures (of_view, level=region:north):  p50 {:.3} ms  p99 {:.3} ms",
        ms(percentile(&region_times, 50)),
        ms(percentile(&region_times, 99))
    );
    println!(
        "  for reference, building the federation view:   p50 {:.3} ms",
        ms(percentile(&build, 50))
    );
}

fn repeat(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
