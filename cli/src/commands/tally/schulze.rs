//! `hearth tally schulze`: the Schulze winner and full ranking of a `.blt`
//! file, with the pairwise and strongest-path matrices behind them.

use anyhow::{Context as _, Result};
use hearth_protocol::Hash;
use hearth_protocol::tally::blt::{Election, parse_blt};
use hearth_protocol::tally::result_hash;
use hearth_protocol::tally::schulze::{self, RankedBallot, SchulzeReport, Tie};
use serde_json::{Value, json};

use super::{Input, Source, Uncounted, counting, result_json, shown, table};
use crate::context::Context;
use crate::output::fields;

/// The largest number of candidates whose matrices are printed; past it
/// they would not fit a screen (--json still has them).
const MAX_MATRIX: usize = 30;

/// Find the Schulze winner and full ranking of a .blt file.
///
/// The file's number of seats is ignored: Schulze picks one winner and
/// ranks everyone. Candidates that no one beats share first place; such
/// ties (at any place) are ordered by lot drawn from the seed, and said
/// plainly: "tied: A, B; drawn by lot: B". With --json: "winner" (a
/// name), "tied" (the unbeaten when more than one, else empty), "drawn"
/// (the winner when drawn by lot, else null), "ranking" and "ties" (by
/// name), "seed" and "seed_from", and the "report" (by index).
///
/// The seed of the lot is the BLAKE3 hash of the file's bytes, or --seed
/// (64 hex digits, e.g. a proposal id); it is printed either way.
///
/// At most 1000 candidates (the strongest paths take candidates³ steps),
/// and at most 10⁹ pairwise updates (different rankings × their length ×
/// candidates); a file nobody voted in exits 1 with no_ballots. See
/// `hearth tally --help` for the .blt format.
///
/// Example:
///   hearth tally schulze choice.blt
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SchulzeArgs {
    #[command(flatten)]
    source: Source,
}

/// Runs `hearth tally schulze`.
pub fn run(ctx: &Context, args: SchulzeArgs) -> Result<()> {
    let input = args.source.read()?;
    let election = parse_blt(&input.text).context(input.name.clone())?;
    let ballots: Vec<RankedBallot> = election
        .ballots
        .iter()
        .map(|b| RankedBallot {
            weight: b.weight,
            ranking: b.ranking.clone(),
        })
        .collect();
    let report = counting(ctx, || {
        schulze::schulze(
            election.candidates.len(),
            &ballots,
            &election.withdrawn,
            &input.seed,
        )
    })
    .map_err(|e| Uncounted {
        code: e.code(),
        message: e.to_string(),
    })
    .with_context(|| format!("{}: cannot count", input.name))?;
    let hash = result_hash(&report);
    let fields = result_fields(&election, &report);
    let value = result_json("schulze", fields, &input, &report, &hash)?;
    ctx.out.show(&value, || {
        Ok(report_text(&election, &input, &report, &hash))
    })
}

/// The result by name: the winner, the tie at the top if any, the
/// ranking and every tie, each field with one meaning.
fn result_fields(election: &Election, report: &SchulzeReport) -> Value {
    let name = |c: &u32| election.candidates.get(*c as usize).cloned();
    let names = |cs: &[u32]| cs.iter().filter_map(name).collect::<Vec<_>>();
    let tied = if report.drawn {
        names(&report.unbeaten)
    } else {
        Vec::new()
    };
    let ties: Vec<Value> = report
        .ties
        .iter()
        .map(|tie| {
            let (from, to) = places(report, tie);
            json!({
                "places": [from, to],
                "tied": names(&tie.between),
                "drawn": names(&tie.order),
            })
        })
        .collect();
    json!({
        "winner": report.winner.as_ref().and_then(name),
        "tied": tied,
        "drawn": report.winner.filter(|_| report.drawn).as_ref().and_then(name),
        "ranking": names(&report.ranking),
        "ties": ties,
        "title": election.title,
    })
}

/// The places (1-based, first and last) a tie's candidates share.
fn places(report: &SchulzeReport, tie: &Tie) -> (usize, usize) {
    let first = tie
        .order
        .first()
        .and_then(|c| report.ranking.iter().position(|r| r == c))
        .unwrap_or(0);
    (first + 1, first + tie.order.len())
}

/// A candidate's name by index, made safe to print.
fn name(election: &Election, candidate: u32) -> String {
    election
        .candidates
        .get(candidate as usize)
        .map_or_else(|| format!("#{}", candidate + 1), |n| shown(n))
}

/// The whole count for people.
fn report_text(election: &Election, input: &Input, report: &SchulzeReport, hash: &Hash) -> String {
    let mut out = String::new();
    if !election.title.is_empty() {
        out.push_str(&format!("{}\n\n", shown(&election.title)));
    }
    let withdrawn: Vec<String> = report
        .withdrawn
        .iter()
        .map(|&c| name(election, c))
        .collect();
    let mut rows = vec![
        ("method", "Schulze (winning votes)".to_owned()),
        ("candidates", election.candidates.len().to_string()),
    ];
    if !withdrawn.is_empty() {
        rows.push(("withdrawn", withdrawn.join(", ")));
    }
    rows.extend([
        ("ballots", report.ballots.to_string()),
        ("seed", input.seed_text()),
        ("result hash", hash.to_hex()),
    ]);
    out.push_str(&fields(&rows));

    let winner = report.winner.map_or_else(
        || "none (every candidate withdrawn)".to_owned(),
        |w| name(election, w),
    );
    out.push_str(&format!("\nWinner: {winner}\n"));
    if let (true, Some(w)) = (report.drawn, report.winner) {
        out.push_str(&format!(
            "  tied: {}; drawn by lot: {}\n",
            list(election, &report.unbeaten),
            name(election, w)
        ));
    }

    out.push_str("\nRanking\n");
    let rows = report
        .ranking
        .iter()
        .enumerate()
        .map(|(place, &c)| {
            vec![
                (place + 1).to_string(),
                format!("#{}", c + 1),
                name(election, c),
            ]
        })
        .collect();
    out.push_str(&table(
        &["PLACE", "#", "NAME"].map(String::from),
        rows,
        |i| i == 0,
    ));

    out.push_str(&ties_text(election, report));

    let n = report.d.len();
    if n > MAX_MATRIX {
        out.push_str(&format!(
            "\n(The {n}×{n} pairwise and strongest-path matrices are in --json.)\n"
        ));
    } else if n > 0 {
        out.push_str("\nPairwise preferences: voters ranking the row above the column\n");
        out.push_str(&matrix(election, &report.d));
        out.push_str(
            "\nStrongest paths: strength of the strongest path from the row to the column\n",
        );
        out.push_str(&matrix(election, &report.p));
    }
    out
}

/// Candidates' names, comma-separated.
fn list(election: &Election, candidates: &[u32]) -> String {
    candidates
        .iter()
        .map(|&c| name(election, c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ties and the order the lot gave them.
fn ties_text(election: &Election, report: &SchulzeReport) -> String {
    if report.ties.is_empty() {
        return "\nTies: none\n".to_owned();
    }
    let mut out = String::from("\nTies (ordered by lot, drawn from the seed):\n");
    for tie in &report.ties {
        let (from, to) = places(report, tie);
        out.push_str(&format!(
            "  places {from}–{to}: tied: {}; drawn by lot: {}\n",
            list(election, &tie.between),
            list(election, &tie.order)
        ));
    }
    out
}

/// A square matrix with candidates as rows and `#` columns; the diagonal
/// is blank.
fn matrix(election: &Election, values: &[Vec<u64>]) -> String {
    let n = values.len();
    let mut headers = vec!["#".to_owned(), "NAME".to_owned()];
    headers.extend((1..=n).map(|c| format!("#{c}")));
    let rows = values
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![format!("#{}", i + 1), name(election, i as u32)];
            cells.extend(row.iter().enumerate().map(|(j, v)| match i == j {
                true => "-".to_owned(),
                false => v.to_string(),
            }));
            cells
        })
        .collect();
    table(&headers, rows, |i| i != 1)
}
