//! The worst cases the Schulze and participatory-budgeting limits allow,
//! timed: what a node or `hearth tally` may be asked to count at most.
//!
//! 1. Schulze at [`schulze::MAX_CANDIDATES`] (1 000) candidates:
//!    - one complete ranking: every pair has a link, so the strongest
//!      paths (n³ = 10⁹ steps) skip nothing — their cost alone;
//!    - a thousand different complete random rankings: the pairwise
//!      matrix at [`schulze::MAX_PAIRWISE_WORK`] (10⁹ updates) as well,
//!      and a dense matrix of links.
//! 2. Participatory budgeting, approval votes of 10 projects each,
//!    Zipf-like popularity, distinct costs, a budget of 15 % of the total
//!    cost:
//!    - at the `.pb` limits, 1 000 projects and 1 000 000 votes (10⁷
//!      approvals): `greedy`, and one MES count (`mes`), which
//!      [`pb::MAX_MES_SIZE`] now refuses at this size;
//!    - at [`pb::MAX_MES_SIZE`], 200 projects and 100 000 votes (2·10⁸):
//!      `greedy`, `mes`, and `mes-add1` with the number of counts it took
//!      against those [`pb::MAX_MES_WORK`] allows;
//!    - the same with a budget that funds every project, and one more
//!      project, the other half of the budget, that one voter alone
//!      approves: the share has to rise almost to its cost, and
//!      `mes-add1` runs until [`pb::MAX_MES_WORK`] stops it — the longest
//!      `mes-add1` allows at this size.
//!
//! ```sh
//! cargo bench -p hearth-protocol --bench limits
//! ```
//!
//! Environment:
//! - `HEARTH_BENCH_ONLY`: `schulze` or `pb`.
//! - `HEARTH_BENCH_REPEAT`: timed runs (default 3; mes-add1 runs once).
//! - `HEARTH_BENCH_PB=limits`, `mes` or `adversarial`: only that instance.
//! - `HEARTH_BENCH_ADD1=0`: skip the mes-add1 run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use hearth_protocol::Hash;
use hearth_protocol::tally::choice::bench::SplitMix;
use hearth_protocol::tally::pabulib::{
    MAX_APPROVALS, MAX_PROJECTS, MAX_VOTES, PbInstance, PbVote, Project, VoteType,
};
use hearth_protocol::tally::pb::{self, PbRule, allocate};
use hearth_protocol::tally::schulze::{self, RankedBallot, schulze};

/// The seed of every generated input.
const SEED: u64 = 20_261_207;

fn main() {
    let only = std::env::var("HEARTH_BENCH_ONLY").unwrap_or_default();
    let repeat = std::env::var("HEARTH_BENCH_REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    if only.is_empty() || only == "schulze" {
        bench_schulze(repeat);
    }
    if only.is_empty() || only == "pb" {
        bench_pb(repeat);
    }
}

/// Seconds of each of `repeat` runs of `f`, and the last run's result.
fn time_runs<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        drop(last.take());
        let start = Instant::now();
        let result = f();
        times.push(start.elapsed().as_secs_f64());
        last = Some(result);
    }
    (times, last.expect("at least one run"))
}

/// `median (n runs: a b c)`.
fn describe(times: &[f64]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let mut all = String::new();
    for t in times {
        let _ = write!(all, " {}", seconds(*t));
    }
    format!("median {} ({} runs:{all})", seconds(median), times.len())
}

fn seconds(t: f64) -> String {
    if t < 1.0 {
        format!("{:.1} ms", t * 1000.0)
    } else {
        format!("{t:.2} s")
    }
}

/// The process's peak resident memory so far (Linux), for scale.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// A uniformly random permutation of `0..n`.
fn permutation(rng: &mut SplitMix, n: u32) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    order
}

fn bench_schulze(repeat: usize) {
    let n = schulze::MAX_CANDIDATES;
    let seed = Hash::of("hearth bench", b"schulze");
    let mut rng = SplitMix(SEED);
    println!("## Schulze at {n} candidates");

    let one = vec![RankedBallot {
        weight: 1,
        ranking: permutation(&mut rng, n as u32),
    }];
    let (times, report) = time_runs(repeat, || schulze(n, &one, &[], &seed).expect("count"));
    println!(
        "  one complete ranking (strongest paths alone): {}; winner #{:?}",
        describe(&times),
        report.winner
    );

    let rankings = (schulze::MAX_PAIRWISE_WORK / (n as u64 * n as u64)) as usize;
    let many: Vec<RankedBallot> = (0..rankings)
        .map(|_| RankedBallot {
            weight: 1 + rng.below(3),
            ranking: permutation(&mut rng, n as u32),
        })
        .collect();
    let (times, report) = time_runs(repeat, || schulze(n, &many, &[], &seed).expect("count"));
    let links = report
        .p
        .iter()
        .flatten()
        .filter(|&&strength| strength > 0)
        .count();
    println!(
        "  {rankings} different complete random rankings (pairwise at its limit too): {}; \
         {links} of {} paths non-zero, {} unbeaten",
        describe(&times),
        n * (n - 1),
        report.unbeaten.len()
    );
    let json = serde_json::to_vec(&report).expect("json");
    println!(
        "  report: {:.1} MB as JSON; peak memory {}",
        json.len() as f64 / 1e6,
        peak_memory()
    );
}

/// An approval instance of `m` projects and `votes` votes of 10 projects.
fn pb_instance(m: usize, votes: usize) -> PbInstance {
    let mut rng = SplitMix(SEED);
    let per_vote = MAX_APPROVALS / MAX_VOTES;
    let costs: Vec<u64> = (0..m as u64)
        .map(|p| (20 + rng.below(281)) * 1_000 + p)
        .collect();
    let order = permutation(&mut rng, m as u32);
    // Zipf-like: the project of rank r has weight 1/(r + 3); cumulative
    // weights make each pick a binary search.
    let mut cumulative = Vec::with_capacity(m);
    let mut total = 0u64;
    let mut weight = vec![0u64; m];
    for (rank, &p) in order.iter().enumerate() {
        weight[p as usize] = 1_000_000 / (rank as u64 + 3);
    }
    for w in &weight {
        total += w;
        cumulative.push(total);
    }
    let budget = costs.iter().sum::<u64>() * 3 / 20;
    let votes = (0..votes)
        .map(|v| {
            let mut chosen: Vec<u32> = Vec::with_capacity(per_vote);
            while chosen.len() < per_vote {
                let x = rng.below(total);
                let p = cumulative.partition_point(|&c| c <= x) as u32;
                if !chosen.contains(&p) {
                    chosen.push(p);
                }
            }
            PbVote {
                voter: format!("v{v}"),
                projects: chosen,
                points: None,
            }
        })
        .collect();
    PbInstance {
        meta: BTreeMap::new(),
        budget,
        projects: costs
            .iter()
            .enumerate()
            .map(|(p, &cost)| Project {
                id: format!("p{p}"),
                cost,
                name: None,
                selected: None,
            })
            .collect(),
        votes,
        vote_type: VoteType::Approval,
    }
}

fn bench_pb(repeat: usize) {
    let which = std::env::var("HEARTH_BENCH_PB").unwrap_or_default();
    let seed = Hash::of("hearth bench", b"pb limits");
    if which.is_empty() || which == "limits" {
        let instance = pb_instance(MAX_PROJECTS, MAX_VOTES);
        header(&instance, "the .pb limits");
        // MES here is what MAX_MES_SIZE refuses: one count of the engine
        // itself, through `allocate` at a size it still takes, is below.
        run_rules(&instance, &[PbRule::Greedy], repeat, &seed);
        let refused = allocate(&instance, PbRule::Mes, &seed).map(|_| ());
        println!("  mes: {refused:?}");
        println!("  peak memory {}", peak_memory());
    }
    if which.is_empty() || which == "mes" {
        let votes = (pb::MAX_MES_SIZE / 200 / 10) as usize;
        let instance = pb_instance(200, votes);
        header(&instance, "MAX_MES_SIZE");
        run_rules(&instance, &[PbRule::Greedy, PbRule::Mes], repeat, &seed);
        if std::env::var("HEARTH_BENCH_ADD1").as_deref() != Ok("0") {
            let size = 200 * votes as u64 * 10;
            let (times, result) = time_runs(1, || allocate(&instance, PbRule::MesAdd1, &seed));
            match result {
                Ok(report) => println!(
                    "  mes-add1: {}; {} projects selected, spent {}, {} raises, {} MES counts \
                     (limit {} at this size)",
                    describe(&times),
                    report.selected.len(),
                    report.spent,
                    report.increments.unwrap_or(0),
                    report.mes_runs.unwrap_or(0),
                    pb::MAX_MES_WORK / size
                ),
                Err(err) => println!("  mes-add1: {}; refused: {err}", describe(&times)),
            }
        }
        println!("  peak memory {}", peak_memory());
    }
    if (which.is_empty() || which == "adversarial")
        && std::env::var("HEARTH_BENCH_ADD1").as_deref() != Ok("0")
    {
        // The same size, a budget that funds every other project, and a
        // project that costs the other half of it and that one voter alone
        // wants: the outcome stays within the budget while the share rises
        // towards its cost, so mes-add1 runs until MAX_MES_WORK stops it.
        let votes = (pb::MAX_MES_SIZE / 200 / 10) as usize;
        let mut instance = pb_instance(199, votes);
        let others: u64 = instance.projects.iter().map(|p| p.cost).sum();
        instance.budget = 2 * others;
        instance.projects.push(Project {
            id: "lone".to_string(),
            cost: others,
            name: None,
            selected: None,
        });
        if let Some(first) = instance.votes[0].projects.last_mut() {
            *first = 199;
        }
        header(
            &instance,
            "MAX_MES_SIZE, with a project only one voter wants",
        );
        let (times, result) = time_runs(1, || allocate(&instance, PbRule::MesAdd1, &seed));
        match result {
            Ok(report) => println!(
                "  mes-add1: {}; {} MES counts",
                describe(&times),
                report.mes_runs.unwrap_or(0)
            ),
            Err(err) => println!("  mes-add1: {}; refused: {err}", describe(&times)),
        }
    }
}

fn header(instance: &PbInstance, what: &str) {
    let approvals: usize = instance.votes.iter().map(|v| v.projects.len()).sum();
    println!(
        "\n## Participatory budgeting at {what}: {} projects, {} votes, {approvals} approvals, budget {}",
        instance.projects.len(),
        instance.votes.len(),
        instance.budget
    );
}

fn run_rules(instance: &PbInstance, rules: &[PbRule], repeat: usize, seed: &Hash) {
    for &rule in rules {
        let (times, report) =
            time_runs(repeat, || allocate(instance, rule, seed).expect("allocate"));
        println!(
            "  {rule}: {}; {} projects selected, spent {}",
            describe(&times),
            report.selected.len(),
            report.spent
        );
    }
}
