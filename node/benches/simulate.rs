//! The history generator at benchmark scale: one community of
//! `HEARTH_BENCH_MEMBERS` members (default 50 000) over
//! `HEARTH_BENCH_MONTHS` months (default 12) at `HEARTH_BENCH_ACTIVITY`
//! percent of the built-in activity (default 100), on sled (page cache
//! `HEARTH_CACHE_MB`, default 256, as `hearthd simulate` uses) through the
//! node's service, as `hearthd devnet --simulate` makes it.
//!
//! `cargo bench -p hearth-node --bench simulate`

use std::time::Instant;

use hearth_node::simulate::{Plan, simulate};
use hearth_protocol::test::bench::{dir_size, env_usize};
use hearth_protocol::{Millis, Timestamp};

fn main() {
    let members = env_usize("HEARTH_BENCH_MEMBERS", 50_000);
    let months = env_usize("HEARTH_BENCH_MONTHS", 12) as u64;
    let activity = env_usize("HEARTH_BENCH_ACTIVITY", 100) as u32;
    let cache_mb = env_usize("HEARTH_CACHE_MB", 256) as u64;
    hearth_node::store::set_cache_bytes(cache_mb * 1024 * 1024);
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = Plan {
        activity,
        ..Plan::new(
            1,
            members,
            Millis::days(30 * months),
            Timestamp(1_780_000_000_000),
        )
    };
    let started = Instant::now();
    let summary = simulate(&dir.path().join("data"), &plan).expect("simulate");
    let elapsed = started.elapsed().as_secs_f64();
    println!("{}", summary.text());
    assert_eq!(summary.refusals(), 0, "every simulated action is accepted");
    println!(
        "# {members} members over {months} months at {activity} % activity, {cache_mb} MB cache: {} actions in {elapsed:.1} s = {:.0} actions/s; disk {:.0} MB",
        summary.actions(),
        summary.actions() as f64 / elapsed,
        dir_size(dir.path()) as f64 / 1e6
    );
}
