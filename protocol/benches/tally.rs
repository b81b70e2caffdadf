//! Tally benchmarks (issue 3 §5): each input counted by Hearth and, in the
//! same run and on the same file, by a Python reference
//! (`scripts/bench_reference.py`), with both medians, their ratio and
//! whether the two results agree.
//!
//! 1. Majority with liquid delegation: 1 M eligible members, 200 k of them
//!    delegating, all the others (800 k) voting — and the issue's literal
//!    "1 M ballots + 200 k delegations". [`majority_input`], with a few of
//!    its delegations rewired into loops, long chains and dead ends
//!    ([`rewire`]). In the ratio: delegation resolution + count over the
//!    electorate interned at ingest ([`run_majority_indexed`]). Shown
//!    beside it, each timed on its own: the ingest ([`index_majority`]),
//!    the conversion of the compact result to the keyed report, and the
//!    keyed entry point that does all three ([`run_majority`]). The
//!    reference is plain Python written for this, run twice: on dicts keyed
//!    by the 32-byte keys, and on members interned into lists of ints (its
//!    interning untimed, like Hearth's ingest).
//! 2. STV, 60 000 seeded ballots, 15 candidates, 5 seats, both rules,
//!    against pref_voting's `stv_scottish` and `stv_meek` (and, for scale,
//!    votekit's numpy `FastSTV`, a Gregory count that is not the Scottish
//!    rule).
//! 3. MES-add1, 100 projects, 10 000 approval voters, against pabutools'
//!    MES count (`Cost_Sat`) looped as equalshares.net's Add1 completion
//!    (`scripts/bench_reference.py pb`).
//!
//! ```sh
//! cargo bench -p hearth-protocol --bench tally
//! ```
//!
//! Environment:
//! - `HEARTH_BENCH_PYTHON`: the interpreter with pref_voting and pabutools
//!   (default `/tmp/benchvenv/bin/python`); when it is missing, Hearth's
//!   figures are printed with "reference not available".
//! - `HEARTH_BENCH_ONLY`: a comma-separated subset of `majority,stv,pb`.
//! - `HEARTH_BENCH_REPEAT`: Hearth's timed runs (default 5; 3 for pb).
//! - `HEARTH_BENCH_PY_REPEAT`: the reference's timed runs (default 3).
//! - `HEARTH_BENCH_PY_TIMEOUT`: seconds the reference may take per input,
//!   all its runs together (default 300).
//! - `HEARTH_BENCH_MAJORITY`: the majority cases as `voters:delegators`
//!   pairs (default `800000:200000,1000000:200000`).
//! - `HEARTH_BENCH_KEEP=1`: keep the input files (their directory is printed).

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hearth_protocol::Hash;
use hearth_protocol::tally::blt::{Election, RankedBallot, parse_blt, to_blt};
use hearth_protocol::tally::choice::bench::{
    MajorityInput, SplitMix, index_majority, majority_input, run_majority, run_majority_indexed,
};
use hearth_protocol::tally::choice::{FailReason, MajorityBallot, MajorityReport, Outcome};
use hearth_protocol::tally::delegation::Uncounted;
use hearth_protocol::tally::pabulib::parse_pb;
use hearth_protocol::tally::pb::{PbRule, allocate};
use hearth_protocol::tally::result_hash;
use hearth_protocol::tally::stv::{StvRule, count};

/// The seed of every generated input.
const SEED: u64 = 20_260_301;

fn main() {
    let config = Config::from_env();
    let dir = std::env::temp_dir().join(format!("hearth-bench-tally-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("create the input directory");
    println!("# Hearth tally benchmarks (inputs in {})", dir.display());
    let python = Python::find(&config);
    let mut rows = Vec::new();

    if config.runs("majority") {
        for &(voters, delegators) in &config.majority {
            bench_majority(
                &config,
                python.as_ref(),
                &dir,
                voters,
                delegators,
                &mut rows,
            );
        }
    }
    if config.runs("stv") {
        bench_stv(&config, python.as_ref(), &dir, &mut rows);
    }
    if config.runs("pb") {
        bench_pb(&config, python.as_ref(), &dir, &mut rows);
    }
    print_summary(&rows);

    if config.keep {
        println!("\ninputs kept in {}", dir.display());
    } else {
        let _ = fs::remove_dir_all(&dir);
    }
}

/// What the environment asks for.
#[derive(Debug)]
struct Config {
    python: PathBuf,
    only: Option<Vec<String>>,
    repeat: Option<usize>,
    py_repeat: usize,
    py_timeout: f64,
    majority: Vec<(usize, usize)>,
    keep: bool,
}

impl Config {
    fn from_env() -> Config {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let number = |name: &str| {
            var(name).map(|v| {
                v.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
            })
        };
        let majority = var("HEARTH_BENCH_MAJORITY")
            .unwrap_or_else(|| "800000:200000,1000000:200000".to_string())
            .split(',')
            .map(|pair| {
                let (v, d) = pair
                    .split_once(':')
                    .expect("HEARTH_BENCH_MAJORITY: voters:delegators pairs");
                (
                    v.trim().parse().expect("a number of voters"),
                    d.trim().parse().expect("a number of delegators"),
                )
            })
            .collect();
        Config {
            python: PathBuf::from(
                var("HEARTH_BENCH_PYTHON").unwrap_or_else(|| "/tmp/benchvenv/bin/python".into()),
            ),
            only: var("HEARTH_BENCH_ONLY")
                .map(|v| v.split(',').map(|s| s.trim().to_string()).collect()),
            repeat: number("HEARTH_BENCH_REPEAT").map(|n| (n as usize).max(1)),
            py_repeat: number("HEARTH_BENCH_PY_REPEAT").map_or(3, |n| (n as usize).max(1)),
            py_timeout: number("HEARTH_BENCH_PY_TIMEOUT").unwrap_or(300.0),
            majority,
            keep: var("HEARTH_BENCH_KEEP").is_some_and(|v| v != "0"),
        }
    }

    fn runs(&self, bench: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| o == bench))
    }

    fn repeat(&self, default: usize) -> usize {
        self.repeat.unwrap_or(default)
    }
}

// --- Timing and reporting -------------------------------------------------

/// Seconds of each of `repeat` runs of `f`, and the last run's result.
fn time_runs<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::with_capacity(repeat);
    let mut last = None;
    for _ in 0..repeat {
        // The previous result is dropped before the clock starts.
        drop(last.take());
        let start = Instant::now();
        let result = f();
        times.push(start.elapsed().as_secs_f64());
        last = Some(result);
    }
    (times, last.expect("at least one run"))
}

fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// `median (n runs: a b c; spread ±x %)`.
fn describe(times: &[f64]) -> String {
    let m = median(times);
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    let max = times.iter().copied().fold(0.0, f64::max);
    let mut all = String::new();
    for t in times {
        let _ = write!(all, " {}", seconds(*t));
    }
    let spread = if m > 0.0 {
        (max - min) / 2.0 / m * 100.0
    } else {
        0.0
    };
    format!(
        "median {} ({} runs:{all}; spread ±{spread:.0} %)",
        seconds(m),
        times.len()
    )
}

fn seconds(t: f64) -> String {
    if t < 0.01 {
        format!("{:.2} ms", t * 1000.0)
    } else if t < 1.0 {
        format!("{:.1} ms", t * 1000.0)
    } else {
        format!("{t:.2} s")
    }
}

/// Prints the reference's figures against Hearth's median and whether the
/// results agree, and adds a summary row; returns the ratio, if there is a
/// reference.
fn compare(
    rows: &mut Vec<Row>,
    bench: &str,
    label: &str,
    hearth_median: f64,
    hearth_result: &str,
    reference: Option<&Reference>,
) -> Option<Ratio> {
    let mut row = Row {
        bench: bench.to_string(),
        hearth: seconds(hearth_median),
        reference: label.to_string(),
        python: "not available".to_string(),
        ratio: "–".to_string(),
        agree: "–".to_string(),
    };
    let Some(reference) = reference else {
        println!("  {label}: reference not available");
        rows.push(row);
        return None;
    };
    let ratio = if !reference.times.is_empty() {
        let m = median(&reference.times);
        let ratio = m / hearth_median;
        println!("  {label}: {}", describe(&reference.times));
        println!("  ratio: {ratio:.1}× ({label} median / Hearth median)");
        row.python = seconds(m);
        row.ratio = times_ratio(ratio);
        Some(Ratio::Measured(ratio))
    } else if let Some(limit) = reference.timeout {
        let ratio = limit / hearth_median;
        println!("  {label}: > {limit:.0} s (stopped at the time limit)");
        println!("  ratio: > {ratio:.1}× (lower bound)");
        row.python = format!("> {limit:.0} s");
        row.ratio = format!("> {}", times_ratio(ratio));
        Some(Ratio::AtLeast(ratio))
    } else {
        println!("  {label}: no figure (see above)");
        None
    };
    row.agree = match &reference.result {
        Some(theirs) if theirs == hearth_result => {
            println!("  results agree: {hearth_result}");
            "yes".to_string()
        }
        Some(theirs) => {
            println!("  results DIFFER:\n    Hearth: {hearth_result}\n    {label}: {theirs}");
            "NO".to_string()
        }
        None => {
            println!("  results: none from the reference (it did not finish)");
            "not checked".to_string()
        }
    };
    rows.push(row);
    ratio
}

/// `2.7×`, `163×`.
fn times_ratio(ratio: f64) -> String {
    if ratio < 10.0 {
        format!("{ratio:.1}×")
    } else {
        format!("{ratio:.0}×")
    }
}

/// `800 k`, `1 M`, `1.2 M`.
fn people(n: usize) -> String {
    if n >= 1_000_000 {
        format!("{} M", n as f64 / 1e6)
    } else {
        format!("{} k", n as f64 / 1e3)
    }
}

/// One line of the closing summary.
#[derive(Debug)]
struct Row {
    bench: String,
    hearth: String,
    reference: String,
    python: String,
    ratio: String,
    agree: String,
}

fn print_summary(rows: &[Row]) {
    println!("\n## Summary (medians)\n");
    println!("| input | Hearth | reference | reference time | ratio | same result |");
    println!("|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.bench, r.hearth, r.reference, r.python, r.ratio, r.agree
        );
    }
}

/// Reference time / Hearth time.
#[derive(Debug, Clone, Copy)]
enum Ratio {
    Measured(f64),
    /// The reference was stopped at its time limit.
    AtLeast(f64),
}

fn target(name: &str, met: bool) {
    println!("  target {name}: {}", if met { "met" } else { "MISSED" });
}

/// The issue's "≥ 100× faster than the Python references".
fn ratio_target(ratio: Option<Ratio>) {
    const NAME: &str = "≥ 100× the Python reference";
    match ratio {
        Some(Ratio::Measured(r)) => target(NAME, r >= 100.0),
        Some(Ratio::AtLeast(r)) if r >= 100.0 => target(NAME, true),
        Some(Ratio::AtLeast(_)) => {
            println!("  target {NAME}: not shown (the reference was stopped too early)");
        }
        None => {}
    }
}

// --- The Python reference -------------------------------------------------

/// The Python interpreter and the reference script.
#[derive(Debug)]
struct Python {
    interpreter: PathBuf,
    script: PathBuf,
    repeat: usize,
    timeout: f64,
}

/// What one reference run printed.
#[derive(Debug, Default)]
struct Reference {
    times: Vec<f64>,
    timeout: Option<f64>,
    result: Option<String>,
    /// votekit: the count alone, without building its profile.
    count_times: Vec<f64>,
    /// pb, after a timeout: the MES counts the stopped run had finished.
    mes_counts: Option<u64>,
    mes_result: Option<String>,
}

impl Python {
    /// The reference, if the interpreter and its packages are there.
    fn find(config: &Config) -> Option<Python> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/bench_reference.py");
        let python = Python {
            interpreter: config.python.clone(),
            script,
            repeat: config.py_repeat,
            timeout: config.py_timeout,
        };
        if !python.interpreter.exists() {
            println!(
                "Python reference: {} not found (set HEARTH_BENCH_PYTHON): reference not available",
                python.interpreter.display()
            );
            return None;
        }
        match Command::new(&python.interpreter)
            .arg(&python.script)
            .arg("versions")
            .output()
        {
            Ok(out) if out.status.success() => {
                let versions = String::from_utf8_lossy(&out.stdout);
                println!(
                    "Python reference: {} ({})",
                    python.interpreter.display(),
                    versions.lines().collect::<Vec<_>>().join(", ")
                );
                Some(python)
            }
            Ok(out) => {
                println!(
                    "Python reference: {} failed: {}: reference not available",
                    python.interpreter.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                println!("Python reference: {e}: reference not available");
                None
            }
        }
    }

    /// Runs `bench_reference.py ARGS --repeat N --timeout S`.
    fn run(&self, args: &[&str]) -> Option<Reference> {
        let out = Command::new(&self.interpreter)
            .arg(&self.script)
            .args(args)
            .args(["--repeat", &self.repeat.to_string()])
            .args(["--timeout", &self.timeout.to_string()])
            .output();
        let out = match out {
            Ok(out) => out,
            Err(e) => {
                println!("  Python: could not start: {e}");
                return None;
            }
        };
        if !out.status.success() {
            println!(
                "  Python: failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        let mut reference = Reference::default();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let (key, rest) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "times" => {
                    reference.times = rest
                        .split_whitespace()
                        .filter_map(|t| t.parse().ok())
                        .collect();
                }
                "timeout" => reference.timeout = rest.trim().parse().ok(),
                "result" => reference.result = Some(rest.to_string()),
                "count_times" => {
                    reference.count_times = rest
                        .split_whitespace()
                        .filter_map(|t| t.parse().ok())
                        .collect();
                }
                "mes_counts" => reference.mes_counts = rest.trim().parse().ok(),
                "mes_result" => reference.mes_result = Some(rest.to_string()),
                _ => {}
            }
        }
        Some(reference)
    }
}

// --- 1. Majority with liquid delegation ----------------------------------

fn bench_majority(
    config: &Config,
    python: Option<&Python>,
    dir: &Path,
    voters: usize,
    delegators: usize,
    rows: &mut Vec<Row>,
) {
    println!(
        "\n## Majority with liquid delegation: {} eligible, {} voting, {} delegating",
        voters + delegators,
        voters,
        delegators
    );
    let start = Instant::now();
    let mut input = majority_input(voters, delegators, SEED);
    let rewired = rewire(&mut input, SEED + 1);
    println!(
        "  input (ingest, not timed): built in {}; {rewired}",
        seconds(start.elapsed().as_secs_f64())
    );
    let path = dir.join(format!("majority-{voters}-{delegators}.bin"));
    write_majority(&input, &path);

    // Ingest: interning the members and expressing ballots and
    // delegations as indices. Not in the ratio, like building the maps
    // (here) and the dicts (in Python); timed so that its cost is seen.
    let (ingest_times, indexed) = time_runs(config.repeat(5), || index_majority(&input));
    println!(
        "  Hearth ingest (not in the ratio): {} — intern {} members, index ballots and delegations",
        describe(&ingest_times),
        indexed.electorate.len()
    );
    let (times, count) = time_runs(config.repeat(5), || run_majority_indexed(&indexed));
    let hearth = median(&times);
    println!(
        "  Hearth: {} — majority::tally_indexed: delegation resolution + count",
        describe(&times)
    );
    let (convert_times, report) =
        time_runs(config.repeat(5), || count.to_report(&indexed.electorate));
    let convert = median(&convert_times);
    println!(
        "  Hearth conversion to the keyed report: {} — MajorityCount::to_report",
        describe(&convert_times)
    );
    let (map_times, map_report) = time_runs(config.repeat(5), || run_majority(&input));
    let map = median(&map_times);
    println!(
        "  Hearth from keyed maps: {} — majority::tally (intern + tally + keyed report)",
        describe(&map_times)
    );
    assert_eq!(report, map_report, "the indexed and keyed tallies agree");
    assert_eq!(result_hash(&report), result_hash(&map_report));
    drop((input, indexed, count, map_report));
    let result = majority_result(&report);
    println!(
        "  Hearth: {} members in loops, {} at dead ends; outcome {:?}",
        count_uncounted(&report, Uncounted::Loop),
        count_uncounted(&report, Uncounted::DeadEnd),
        report.outcome
    );
    drop(report);
    let path = path.to_string_lossy().into_owned();
    let dicts = python.and_then(|p| p.run(&["majority", &path]));
    let interned = python.and_then(|p| p.run(&["majority", &path, "--interned"]));
    let bench = format!(
        "majority, {} eligible ({} voting, {} delegating)",
        people(voters + delegators),
        people(voters),
        people(delegators)
    );
    let (on_dicts, on_lists) = ("Python (own), dicts", "Python (own), interned lists");
    not_compared(
        rows,
        &format!("{bench}: ingest (intern)"),
        median(&ingest_times),
    );
    target("< 1 s", hearth < 1.0);
    let tally = format!("{bench}: indexed tally");
    let ratio = compare(rows, &tally, on_dicts, hearth, &result, dicts.as_ref());
    ratio_target(ratio);
    let ratio = compare(rows, &tally, on_lists, hearth, &result, interned.as_ref());
    ratio_target(ratio);
    not_compared(
        rows,
        &format!("{bench}: conversion to the keyed report"),
        convert,
    );
    println!(
        "  indexed tally + conversion to the keyed report: {}",
        seconds(hearth + convert)
    );
    let keyed = format!("{bench}: indexed tally + keyed report");
    compare(
        rows,
        &keyed,
        on_dicts,
        hearth + convert,
        &result,
        dicts.as_ref(),
    );
    let entry = format!("{bench}: `majority::tally` from keyed maps");
    compare(rows, &entry, on_dicts, map, &result, dicts.as_ref());
}

/// A summary row for a step that no reference does on its own.
fn not_compared(rows: &mut Vec<Row>, bench: &str, hearth: f64) {
    rows.push(Row {
        bench: bench.to_string(),
        hearth: seconds(hearth),
        reference: "–".to_string(),
        python: "–".to_string(),
        ratio: "–".to_string(),
        agree: "–".to_string(),
    });
}

/// `majority_input` delegates to uniformly drawn members, which makes short
/// chains but next to no loops and no dead ends. This rewires a few of its
/// delegations, deterministically: 1 in 200 delegators into loops of 2–6
/// members, 1 in 100 into 20 long chains ending at a voter, and 1 in 200 to
/// keys that are not eligible (dead ends). Other delegators' chains run into
/// these too. Returns what it did.
fn rewire(input: &mut MajorityInput, seed: u64) -> String {
    let mut rng = SplitMix(seed);
    let mut delegators: Vec<_> = input.delegate_of.keys().copied().collect();
    for i in (1..delegators.len()).rev() {
        delegators.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let n = delegators.len();
    let (in_loops, in_chains, outside) = (n / 200, n / 100, n / 200);
    let mut rest = delegators.as_slice();
    let mut loops = 0;
    let mut taken = 0;
    while taken < in_loops {
        let len = (2 + rng.below(5) as usize).min(rest.len());
        let (members, tail) = rest.split_at(len);
        for (i, from) in members.iter().enumerate() {
            input.delegate_of.insert(*from, members[(i + 1) % len]);
        }
        rest = tail;
        taken += len;
        loops += 1;
    }
    let voters: Vec<_> = input.ballots.keys().copied().collect();
    let chains = 20;
    let (chain_members, tail) = rest.split_at(in_chains.min(rest.len()));
    for chain in chain_members.chunks(chain_members.len().div_ceil(chains).max(1)) {
        for pair in chain.windows(2) {
            input.delegate_of.insert(pair[0], pair[1]);
        }
        if let Some(last) = chain.last() {
            let voter = voters[rng.below(voters.len() as u64) as usize];
            input.delegate_of.insert(*last, voter);
        }
    }
    rest = tail;
    for from in &rest[..outside.min(rest.len())] {
        input.delegate_of.insert(*from, rng.key());
    }
    format!(
        "rewired {taken} delegators into {loops} loops, {} into {chains} chains of ~{}, {outside} to non-members",
        chain_members.len(),
        chain_members.len() / chains
    )
}

fn count_uncounted(report: &MajorityReport, what: Uncounted) -> usize {
    report
        .delegation
        .uncounted
        .values()
        .filter(|&&u| u == what)
        .count()
}

/// The report in the reference's words.
fn majority_result(report: &MajorityReport) -> String {
    let outcome = match &report.outcome {
        Outcome::Passed => "passed",
        Outcome::Failed(FailReason::QuorumNotMet { .. }) => "quorum_not_met",
        Outcome::Failed(FailReason::Threshold) => "threshold",
        Outcome::Failed(FailReason::Blocked { .. }) => "blocked",
        Outcome::Failed(FailReason::Tied { .. }) => "tied",
    };
    format!(
        "yes={} no={} abstain={} turnout={} represented={} loops={} dead_ends={} absent={} outcome={outcome}",
        report.yes,
        report.no,
        report.abstain,
        report.turnout,
        report.delegation.represented_by.len(),
        count_uncounted(report, Uncounted::Loop),
        count_uncounted(report, Uncounted::DeadEnd),
        report.delegation.absent,
    )
}

/// The reference's binary input: counts, eligible keys, ballots, delegations.
fn write_majority(input: &MajorityInput, path: &Path) {
    let file = fs::File::create(path).expect("create the majority input");
    let mut out = BufWriter::new(file);
    let counts = [
        input.eligible.len(),
        input.ballots.len(),
        input.delegate_of.len(),
    ];
    for n in counts {
        out.write_all(&(n as u64).to_le_bytes()).expect("write");
    }
    for key in &input.eligible {
        out.write_all(&key.0).expect("write");
    }
    for (key, ballot) in &input.ballots {
        out.write_all(&key.0).expect("write");
        let byte: u8 = match ballot {
            MajorityBallot::Yes => 0,
            MajorityBallot::No => 1,
            MajorityBallot::Abstain => 2,
        };
        out.write_all(&[byte]).expect("write");
    }
    for (from, to) in &input.delegate_of {
        out.write_all(&from.0).expect("write");
        out.write_all(&to.0).expect("write");
    }
    out.flush().expect("flush the majority input");
}

// --- 2. STV ---------------------------------------------------------------

const STV_BALLOTS: usize = 60_000;
const STV_SEATS: u32 = 5;
/// Four parties: names, popularity (per mille) and candidates.
const PARTIES: [(&str, u64, usize); 4] = [
    ("Red", 380, 5),
    ("Blue", 300, 4),
    ("Green", 190, 3),
    ("Gold", 130, 3),
];
/// The popularity of a party's candidates, by their position in the party.
const WITHIN_PARTY: [u64; 5] = [100, 55, 34, 21, 13];

/// A seeded, skewed ranked-ballot election: most voters rank their party's
/// candidates first (a Plackett–Luce draw by popularity), many stop there,
/// others go on to other parties' candidates; one in ten votes across
/// parties from the start. Every ballot is one line of weight 1.
fn stv_election(ballots: usize, seed: u64) -> Election {
    let mut rng = SplitMix(seed);
    let mut names = Vec::new();
    let mut party_of = Vec::new();
    let mut weight = Vec::new();
    for (p, &(party, share, size)) in PARTIES.iter().enumerate() {
        for (i, &w) in WITHIN_PARTY.iter().take(size).enumerate() {
            names.push(format!("{party} {}", i + 1));
            party_of.push(p);
            weight.push(share * w);
        }
    }
    let n = names.len();
    let mut list = Vec::with_capacity(ballots);
    for _ in 0..ballots {
        let mut left: Vec<usize> = (0..n).collect();
        let mut ranking = Vec::new();
        if rng.below(10) > 0 {
            let party = pick(&mut rng, &PARTIES.map(|(_, share, _)| share));
            let mut own: Vec<usize> = (0..n).filter(|&c| party_of[c] == party).collect();
            while !own.is_empty() {
                let i = pick(
                    &mut rng,
                    &own.iter().map(|&c| weight[c]).collect::<Vec<_>>(),
                );
                ranking.push(own.remove(i));
                if rng.below(100) >= 75 {
                    break;
                }
            }
            left.retain(|c| !ranking.contains(c));
            if rng.below(100) >= 45 {
                left.clear();
            }
        }
        while !left.is_empty() {
            let i = pick(
                &mut rng,
                &left.iter().map(|&c| weight[c]).collect::<Vec<_>>(),
            );
            ranking.push(left.remove(i));
            if rng.below(100) >= 65 {
                break;
            }
        }
        list.push(RankedBallot {
            weight: 1,
            ranking: ranking.into_iter().map(|c| c as u32).collect(),
        });
    }
    Election {
        title: format!("Hearth bench: {ballots} seeded ballots (seed {seed})"),
        candidates: names,
        seats: STV_SEATS,
        withdrawn: Vec::new(),
        ballots: list,
    }
}

/// An index drawn with probability proportional to `weights`.
fn pick(rng: &mut SplitMix, weights: &[u64]) -> usize {
    let total: u64 = weights.iter().sum();
    let mut x = rng.below(total);
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

fn bench_stv(config: &Config, python: Option<&Python>, dir: &Path, rows: &mut Vec<Row>) {
    let election = stv_election(STV_BALLOTS, SEED);
    let text = to_blt(&election);
    let path = dir.join("stv-60000.blt");
    fs::write(&path, &text).expect("write the .blt file");
    let (parse_times, parsed) = time_runs(config.repeat(5), || parse_blt(&text).expect("parse"));
    assert_eq!(parsed, election, "the .blt file reads back as generated");
    let mut distinct: Vec<&Vec<u32>> = parsed.ballots.iter().map(|b| &b.ranking).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let path = path.to_string_lossy().into_owned();
    let seed = Hash::of("hearth bench", b"stv");

    for (rule, name) in [(StvRule::Scottish, "scottish"), (StvRule::Meek, "meek")] {
        println!(
            "\n## STV ({name}): {} ballots ({} distinct rankings), {} candidates, {} seats",
            parsed.ballots.len(),
            distinct.len(),
            parsed.candidates.len(),
            parsed.seats
        );
        println!(
            "  .blt parse (not in the ratio): {}",
            describe(&parse_times)
        );
        let (times, report) = time_runs(config.repeat(5), || {
            count(&parsed, rule, None, &seed).expect("count")
        });
        let hearth = median(&times);
        println!("  Hearth: {} — stv::count", describe(&times));
        println!(
            "  Hearth: elected in order {:?}, {} stages, {} ties by lot",
            report.winners(),
            report.stages.len(),
            report
                .ties
                .iter()
                .filter(|t| matches!(t.by, hearth_protocol::tally::stv::TieBy::Lot))
                .count()
        );
        let mut winners: Vec<&str> = report.winners();
        winners.sort_unstable();
        let result = format!("winners={}", winners.join(","));
        let reference = python.and_then(|p| p.run(&["stv", &path, "--rule", name]));
        let label = format!("pref_voting stv_{name}");
        let bench = format!("STV {name}, {} ballots", people(parsed.ballots.len()));
        let ratio = compare(rows, &bench, &label, hearth, &result, reference.as_ref());
        ratio_target(ratio);
        if rule == StvRule::Scottish {
            // Not the same rule, but the fastest Python STV we found.
            let votekit = python.and_then(|p| p.run(&["stv", &path, "--rule", "votekit"]));
            compare(
                rows,
                &bench,
                "votekit FastSTV (not the same rule)",
                hearth,
                &result,
                votekit.as_ref(),
            );
            if let Some(counts) = votekit.as_ref().map(|v| &v.count_times)
                && !counts.is_empty()
            {
                println!(
                    "  votekit FastSTV count alone (its profile already built): {}; ratio {:.1}×",
                    describe(counts),
                    median(counts) / hearth
                );
            }
        }
    }
}

// --- 3. MES-add1 ----------------------------------------------------------

const PB_PROJECTS: usize = 100;
const PB_VOTERS: usize = 10_000;

/// A seeded approval instance in the pabulib format: distinct costs (so
/// ties never reach the lot), Zipf-like popularity, 1–10 approvals per
/// voter, and a budget of 15 % of the total cost.
fn pb_text(projects: usize, voters: usize, seed: u64) -> String {
    let mut rng = SplitMix(seed);
    let costs: Vec<u64> = (0..projects as u64)
        .map(|p| (20 + rng.below(281)) * 1_000 + p)
        .collect();
    // A random permutation gives each project its popularity rank.
    let mut order: Vec<usize> = (0..projects).collect();
    for i in (1..projects).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut popularity = vec![0u64; projects];
    for (rank, &p) in order.iter().enumerate() {
        popularity[p] = 1_000_000 / (rank as u64 + 3);
    }
    let budget = costs.iter().sum::<u64>() * 3 / 20;
    let mut out = String::new();
    let _ = writeln!(out, "META\nkey;value");
    let _ = writeln!(
        out,
        "description;Hearth bench: seeded approval instance (seed {seed})"
    );
    let _ = writeln!(out, "country;Nowhere\nunit;Bench\ninstance;bench");
    let _ = writeln!(out, "num_projects;{projects}\nnum_votes;{voters}");
    let _ = writeln!(
        out,
        "budget;{budget}\nvote_type;approval\nrule;equalshares/add1"
    );
    let _ = writeln!(out, "PROJECTS\nproject_id;cost;name");
    for (p, cost) in costs.iter().enumerate() {
        let _ = writeln!(out, "p{p};{cost};Project {p}");
    }
    let _ = writeln!(out, "VOTES\nvoter_id;vote");
    for v in 0..voters {
        let k = 1 + rng.below(10) as usize;
        let mut left: Vec<usize> = (0..projects).collect();
        let mut chosen = Vec::with_capacity(k);
        for _ in 0..k {
            let weights: Vec<u64> = left.iter().map(|&p| popularity[p]).collect();
            chosen.push(left.remove(pick(&mut rng, &weights)));
        }
        let ids: Vec<String> = chosen.iter().map(|p| format!("p{p}")).collect();
        let _ = writeln!(out, "v{v};{}", ids.join(","));
    }
    out
}

fn bench_pb(config: &Config, python: Option<&Python>, dir: &Path, rows: &mut Vec<Row>) {
    let text = pb_text(PB_PROJECTS, PB_VOTERS, SEED);
    let path = dir.join("mes-100x10000.pb");
    fs::write(&path, &text).expect("write the .pb file");
    let (parse_times, instance) = time_runs(config.repeat(3), || parse_pb(&text).expect("parse"));
    println!(
        "\n## MES-add1: {} projects, {} approval voters, budget {}",
        instance.projects.len(),
        instance.votes.len(),
        instance.budget
    );
    println!("  .pb parse (not in the ratio): {}", describe(&parse_times));
    let seed = Hash::of("hearth bench", b"pb");
    let (times, report) = time_runs(config.repeat(3), || {
        allocate(&instance, PbRule::MesAdd1, &seed).expect("allocate")
    });
    let hearth = median(&times);
    println!("  Hearth: {} — pb::allocate(mes-add1)", describe(&times));
    let runs = report.mes_runs.unwrap_or(0);
    println!(
        "  Hearth: {} projects selected, spent {} of {}, {} one-unit raises, {} MES counts",
        report.selected.len(),
        report.spent,
        report.budget,
        report.increments.unwrap_or(0),
        runs
    );
    let result = format!("selected={}", report.selected_ids.join(","));
    let path = path.to_string_lossy().into_owned();
    let reference = python.and_then(|p| p.run(&["pb", &path]));
    let bench = format!(
        "MES-add1, {} projects × {} voters",
        instance.projects.len(),
        people(instance.votes.len())
    );
    let label = "pabutools MES, looped as equalshares.net's Add1";
    let ratio = compare(rows, &bench, label, hearth, &result, reference.as_ref());
    ratio_target(ratio);
    if let Some(reference) = &reference
        && let (Some(done), Some(limit)) = (reference.mes_counts, reference.timeout)
    {
        if done > 0 {
            let estimate = limit * runs as f64 / done as f64;
            println!(
                "  estimate: pabutools finished {done} of the {runs} MES counts in {limit:.0} s; \
                 all of them ≈ {} ≈ {:.0}× Hearth",
                seconds(estimate),
                estimate / hearth
            );
        } else {
            println!("  estimate: pabutools did not finish one MES count in {limit:.0} s");
        }
    }
    if let Some(theirs) = reference.as_ref().and_then(|r| r.mes_result.as_ref()) {
        let plain = allocate(&instance, PbRule::Mes, &seed).expect("allocate");
        let ours = format!("selected={}", plain.selected_ids.join(","));
        let verdict = if *theirs == ours { "agree" } else { "DIFFER" };
        println!("  plain MES (the first add1 count), Hearth `mes` vs pabutools: {verdict}");
        if *theirs != ours {
            println!("    Hearth:    {ours}\n    pabutools: {theirs}");
        }
    }
}
