//! Helpers the benchmarks of every crate share: settings from the
//! environment, signing fixtures on every core, and measuring a process's
//! memory and a directory's size.

use std::path::Path;

/// The environment variable `name` as a number, or `default` when it is
/// unset or not a number.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Maps `f` over `items` on every core, keeping the order (benches sign
/// their fixtures with it).
pub fn par_map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker"))
            .collect()
    })
}

/// Strict ed25519 verifications per second on one core (the action id's
/// hash, then `verify_strict`), over the actions among `encoded` (at most
/// the first 50 000): the physical limit ingest rates are compared with.
pub fn strict_verify_rate(encoded: &[Vec<u8>]) -> f64 {
    use crate::codec::Canonical;
    let decoded: Vec<crate::action::SignedAction> = encoded[..encoded.len().min(50_000)]
        .iter()
        .map(|b| crate::action::SignedAction::from_bytes(b).expect("a signed action"))
        .collect();
    let started = std::time::Instant::now();
    for a in &decoded {
        a.action
            .author
            .verify(&a.id(), &a.signature)
            .expect("valid signature");
    }
    decoded.len() as f64 / started.elapsed().as_secs_f64()
}

/// A `/proc/<pid>/status` field in kB (0 where there is none).
pub fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The bytes of the files under `path` (what cannot be read counts 0).
pub fn dir_size(path: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        match entry.metadata() {
            Ok(meta) if meta.is_dir() => total += dir_size(&entry.path()),
            Ok(meta) => total += meta.len(),
            Err(_) => {}
        }
    }
    total
}
