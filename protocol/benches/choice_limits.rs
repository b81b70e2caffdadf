//! The choice methods at their limits: a quadratic vote with the most
//! options a proposal may have (256) and ballots that spend nearly the most
//! voice credits the rules allow (10⁶), every member voting directly —
//! the worst case a node counts per member. Prints the median of the
//! runs, the time per member and per ballot entry, and what the ballots
//! hold in memory.
//!
//! ```sh
//! cargo bench -p hearth-protocol --bench choice_limits
//! ```
//!
//! Environment:
//! - `HEARTH_BENCH_MEMBERS`: members, all voting (default 20 000).
//! - `HEARTH_BENCH_REPEAT`: timed runs (default 5).

use std::time::Instant;

use hearth_protocol::Hash;
use hearth_protocol::community::MAX_VOICE_CREDITS;
use hearth_protocol::governance::MAX_OPTIONS;
use hearth_protocol::tally::choice::bench::SplitMix;
use hearth_protocol::tally::choice::quadratic::{self, QvBallot, QvQuestion, QvRules};
use hearth_protocol::tally::electorate::{Delegations, Electorate};
use hearth_protocol::tally::{lot_seed, result_hash};

fn main() {
    let number = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} is a number")))
            .unwrap_or(default)
    };
    let members = number("HEARTH_BENCH_MEMBERS", 20_000);
    let repeat = number("HEARTH_BENCH_REPEAT", 5).max(1);
    let options = MAX_OPTIONS as u32;
    // 62 votes on each of 256 options cost 62² × 256 = 984 064 credits.
    let per_option = ((f64::from(MAX_VOICE_CREDITS) / f64::from(options)).sqrt()) as i64;

    let mut rng = SplitMix(20_261_207);
    let keys: Vec<_> = (0..members).map(|_| rng.key()).collect();
    let electorate = Electorate::new(keys.iter().copied());
    let ballots = electorate.ballots(keys.iter().map(|key| {
        let votes = (0..options)
            .map(|_| {
                let v = rng.below(2 * per_option as u64 + 1) as i64 - per_option;
                // Every option gets votes: the sum of squares stays in budget.
                if v == 0 { 1 } else { v }
            })
            .collect();
        (*key, QvBallot { votes })
    }));
    let delegations = Delegations::new(members);
    let question = QvQuestion {
        options,
        allow_negative: true,
        seed: Hash::ZERO,
    };
    let rules = QvRules {
        budget: MAX_VOICE_CREDITS,
        ..QvRules::default()
    };

    let mut times = Vec::new();
    let mut hash = None;
    for _ in 0..repeat {
        let start = Instant::now();
        let count = quadratic::tally_indexed(&question, &ballots, &delegations, &rules);
        times.push(start.elapsed().as_secs_f64());
        assert!(count.rejected.is_empty(), "every ballot fits the budget");
        hash = Some(result_hash(&count.into_report(&electorate)));
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];

    // The lot seed hashes every counted ballot: timed on the same ballots.
    let governance_ballots: Vec<_> = electorate
        .keys()
        .iter()
        .zip(ballots.by_member())
        .filter_map(|(key, b)| {
            let votes = b.as_ref()?.votes.clone();
            Some((*key, hearth_protocol::governance::Ballot::Quadratic(votes)))
        })
        .collect();
    let start = Instant::now();
    let seed = lot_seed(&Hash::ZERO, governance_ballots.iter().map(|(k, b)| (k, b)));
    let seed_time = start.elapsed().as_secs_f64();

    let entries = members as f64 * f64::from(options);
    println!("# quadratic vote at its limits");
    println!(
        "members {members}, options {options}, ±{per_option} votes per option (budget {MAX_VOICE_CREDITS})"
    );
    println!(
        "count: median {:.1} ms of {repeat} runs ({:.2} µs per member, {:.1} ns per ballot entry)",
        median * 1e3,
        median * 1e6 / members as f64,
        median * 1e9 / entries
    );
    println!(
        "lot seed over every ballot: {:.1} ms ({})",
        seed_time * 1e3,
        &seed.to_hex()[..16]
    );
    println!(
        "ballots in memory: {:.1} MB ({} bytes each)",
        entries * 8.0 / 1e6,
        options * 8
    );
    println!("result {}", hash.map(|h| h.to_hex()).unwrap_or_default());
}
