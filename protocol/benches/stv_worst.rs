//! The worst STV count Hearth accepts: `stv::MAX_CANDIDATES` candidates
//! (1 000) level at every stage, so that every exclusion is a tie that looks
//! back through every earlier stage and is then drawn by lot, one seat, so
//! that all but one are excluded (999 stages).
//!
//! Two shapes (`HEARTH_BENCH_SHAPE`):
//! - `spread` (default): every candidate c has one ballot `c d` for every
//!   other candidate d — 999 000 ballot lines, within `stv::MAX_BALLOTS` —
//!   so an exclusion passes one vote to every continuing candidate and they
//!   stay level: the most papers moved at the most stages, with a tie at
//!   every one.
//! - `level`: one single-preference ballot per candidate: the same ties
//!   and stages with almost no papers, so the tie-breaking and the stage
//!   table are all that is measured (the shape whose cost grew as N³ when
//!   every tie rescanned the stage history).
//!
//! Each rule's count is timed `HEARTH_BENCH_RUNS` times (default 3) and the
//! median printed, with the stages, ties, the report's encoded size and the
//! process's peak memory (VmHWM).
//!
//! ```sh
//! cargo bench -p hearth-protocol --bench stv_worst
//! HEARTH_BENCH_SHAPE=level HEARTH_BENCH_CANDIDATES=1000 cargo bench -p hearth-protocol --bench stv_worst
//! ```
//!
//! `HEARTH_BENCH_CANDIDATES` changes the number of candidates (counts over
//! `stv::MAX_CANDIDATES` are refused); `HEARTH_BENCH_RULES` is
//! `scottish`, `meek` or both (default).

use std::time::Instant;

use hearth_protocol::Hash;
use hearth_protocol::tally::blt::{Election, RankedBallot};
use hearth_protocol::tally::stv::{self, StvRule, TieBy};
use hearth_protocol::test::bench::{env_usize, status_kb};

fn main() {
    let candidates = env_usize("HEARTH_BENCH_CANDIDATES", stv::MAX_CANDIDATES) as u32;
    let runs = env_usize("HEARTH_BENCH_RUNS", 3).max(1);
    let shape = std::env::var("HEARTH_BENCH_SHAPE").unwrap_or_else(|_| "spread".into());
    let rules = std::env::var("HEARTH_BENCH_RULES").unwrap_or_else(|_| "scottish,meek".into());
    let election = match shape.as_str() {
        "level" => level(candidates),
        "spread" => spread(candidates),
        other => panic!("HEARTH_BENCH_SHAPE is spread or level, not {other:?}"),
    };
    let seed = Hash::of("hearth bench", b"stv worst");
    println!(
        "## STV worst case ({shape}): {} candidates, {} ballot lines, {} seat",
        election.candidates.len(),
        election.ballots.len(),
        election.seats
    );
    for (rule, name) in [(StvRule::Scottish, "scottish"), (StvRule::Meek, "meek")] {
        if !rules.split(',').any(|r| r.trim() == name) {
            continue;
        }
        let mut times = Vec::with_capacity(runs);
        let mut last = None;
        for _ in 0..runs {
            drop(last.take());
            let start = Instant::now();
            let report = stv::count(&election, rule, None, &seed).expect("the count");
            times.push(start.elapsed().as_secs_f64());
            last = Some(report);
        }
        let report = last.expect("at least one run");
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let lots = report.ties.iter().filter(|t| t.by == TieBy::Lot).count();
        let size = bincode::encode_to_vec(&report, bincode::config::standard())
            .map_or(0, |bytes| bytes.len());
        println!(
            "  {name}: median {median:.3} s over {runs} runs (min {:.3} s, max {:.3} s); {} stages, {} ties ({lots} by lot), report {:.1} MB encoded",
            times[0],
            times[times.len() - 1],
            report.stages.len(),
            report.ties.len(),
            size as f64 / 1e6
        );
    }
    println!(
        "  peak memory (VmHWM): {:.0} MB",
        status_kb(std::process::id(), "VmHWM:") as f64 / 1024.0
    );
}

fn names(candidates: u32) -> Vec<String> {
    (0..candidates).map(|c| format!("Candidate {c}")).collect()
}

/// One single-preference ballot per candidate.
fn level(candidates: u32) -> Election {
    Election {
        title: "level".into(),
        candidates: names(candidates),
        seats: 1,
        withdrawn: Vec::new(),
        ballots: (0..candidates)
            .map(|c| RankedBallot {
                weight: 1,
                ranking: vec![c],
            })
            .collect(),
    }
}

/// A ballot `c d` for every ordered pair of distinct candidates.
fn spread(candidates: u32) -> Election {
    let mut ballots = Vec::with_capacity((candidates as usize).pow(2));
    for c in 0..candidates {
        for d in (0..candidates).filter(|&d| d != c) {
            ballots.push(RankedBallot {
                weight: 1,
                ranking: vec![c, d],
            });
        }
    }
    Election {
        title: "spread".into(),
        candidates: names(candidates),
        seats: 1,
        withdrawn: Vec::new(),
        ballots,
    }
}
