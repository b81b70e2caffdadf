//! Ingest benchmark: the physical limit (strict ed25519 verifications per
//! second on one core), the service's durable ingest of signed transfers
//! (decode + verify + apply + commit + flush) as a ratio of it, the
//! `reindex` rate, and disk bytes and RSS per action.
//!
//! `cargo bench -p hearth-node --bench ingest` (set `HEARTH_BENCH_ACTIONS`,
//! default 200000, e.g. 1000000 for the per-million figures).

use std::time::Instant;

use hearth_node::recover;
use hearth_node::store::{SledStorage, Storage};
use hearth_node::test::Harness;
use hearth_protocol::test::bench::dir_size;
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, Canonical, Kc, LedgerAction, SignedAction};

const MEMBERS: u8 = 64;

fn main() {
    let n: usize = std::env::var("HEARTH_BENCH_ACTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    println!("# Hearth ingest benchmark ({n} signed transfers, {MEMBERS} members)");

    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let mut h = Harness::with_storage(storage, MEMBERS);

    let started = Instant::now();
    let actions: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let from = (i % MEMBERS as usize) as u8 + 1;
            let to = ((i * 7 + 3) % MEMBERS as usize) as u8 + 1;
            let to = if to == from { to % MEMBERS + 1 } else { to };
            let body = ActionBody::Ledger(LedgerAction::Transfer {
                to: keypair(to).public(),
                amount: Kc(1),
                memo: String::new(),
            });
            h.action(&keypair(from), body).into_inner().to_bytes()
        })
        .collect();
    let sign_rate = n as f64 / started.elapsed().as_secs_f64();
    println!("signing (+verify in the harness): {sign_rate:.0}/s");

    // (a) The physical limit: strict verification on one core.
    let verify_rate = hearth_protocol::test::bench::strict_verify_rate(&actions);
    let sample = actions.len().min(50_000);
    let decoded: Vec<SignedAction> = actions[..sample]
        .iter()
        .map(|b| SignedAction::from_bytes(b).expect("decode"))
        .collect();
    println!("(a) strict verify (id hash + verify_strict), 1 core: {verify_rate:.0}/s");
    let cache = hearth_protocol::crypto::KeyCache::default();
    let started = Instant::now();
    for a in &decoded {
        cache
            .verify(&a.action.author, &a.id(), &a.signature)
            .expect("valid signature");
    }
    let cached_rate = sample as f64 / started.elapsed().as_secs_f64();
    println!(
        "    the same with decompressed keys cached: {cached_rate:.0}/s = {:.2} x (a)",
        cached_rate / verify_rate
    );

    // (b) Durable ingest through the service, in group commits.
    // The API verifies with a cache of decompressed member keys.
    let keys = hearth_protocol::crypto::KeyCache::default();
    let mut offset = 0;
    for (label, batch, count) in [("64", 64usize, n / 4), ("1024", 1024usize, n - n / 4)] {
        let part = &actions[offset..offset + count];
        offset += count;
        let started = Instant::now();
        let accepted = h.ingest_in_batches(part, batch, &keys);
        assert_eq!(accepted, part.len());
        let rate = part.len() as f64 / started.elapsed().as_secs_f64();
        println!(
            "(b) durable ingest, group commit of {label}: {rate:.0} actions/s = {:.2} x (a)",
            rate / verify_rate
        );
    }

    // (e) Disk and memory.
    let storage = h.service.storage().clone();
    storage.flush().expect("flush");
    let disk = dir_size(dir.path());
    println!(
        "(e) disk: {:.1} MB for {n} actions = {:.0} MB per 1 M actions ({} bytes/action)",
        disk as f64 / 1e6,
        disk as f64 / n as f64,
        disk / n as u64
    );
    println!(
        "(e) peak RSS of this process: {:.0} MB",
        peak_rss_kb() as f64 / 1024.0
    );

    // (d) Reindex: replay and verify both logs from genesis.
    let started = Instant::now();
    let (rebuilt, _) = recover::rebuild(&storage, |_| {}).expect("rebuild");
    let reindex_rate = n as f64 / started.elapsed().as_secs_f64();
    assert_eq!(rebuilt, storage.state_snapshot().expect("snapshot"));
    println!(
        "(d) reindex: {reindex_rate:.0} actions/s = {:.2} x (a)",
        reindex_rate / verify_rate
    );
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
