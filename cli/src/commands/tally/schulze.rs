//! `hearth tally schulze`: the Schulze winner and full ranking of a `.blt`
//! file, with the pairwise and strongest-path matrices behind them.

use anyhow::{Context as _, Result};
use hearth_protocol::Hash;
use hearth_protocol::tally::blt::{Election, parse_blt};
use hearth_protocol::tally::result_hash;
use hearth_protocol::tally::schulze::{self, RankedBallot, SchulzeReport};
use serde_json::json;

use super::{Input, Source, counting, result_json, shown, table};
use crate::context::Context;
use crate::output::fields;

/// The largest number of candidates whose matrices are printed; past it
/// they would not fit a screen (--json still has them).
const MAX_MATRIX: usize = 30;

/// Find the Schulze winner and full ranking of a .blt file.
///
/// The file's number of seats is ignored: Schulze picks one winner and
/// ranks everyone. Candidates that no one beats share first place; such
/// ties (at any place) are ordered by lot drawn from the seed, and
/// reported. See `hearth tally --help` for the .blt format.
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
    .with_context(|| format!("{}: cannot count", input.name))?;
    let hash = result_hash(&report);
    let name = |c: &u32| election.candidates.get(*c as usize).cloned();
    let fields = json!({
        "winners": report.winner.iter().filter_map(name).collect::<Vec<_>>(),
        "ranking": report.ranking.iter().filter_map(name).collect::<Vec<_>>(),
        "title": election.title,
    });
    let value = result_json("schulze", fields, &input, &report, &hash)?;
    ctx.out.show(&value, || {
        Ok(report_text(&election, &input, &report, &hash))
    })
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

    let winner = report
        .winner
        .map_or_else(|| "none (no candidates)".to_owned(), |w| name(election, w));
    out.push_str(&format!("\nWinner: {winner}\n"));
    if report.winners.len() > 1 {
        let tied: Vec<String> = report.winners.iter().map(|&c| name(election, c)).collect();
        out.push_str(&format!(
            "  ({} are unbeaten: the winner was drawn by lot)\n",
            tied.join(", ")
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

/// Ties and the order the lot gave them.
fn ties_text(election: &Election, report: &SchulzeReport) -> String {
    if report.ties.is_empty() {
        return "\nTies: none\n".to_owned();
    }
    let mut out = String::from("\nTies (ordered by lot, drawn from the seed):\n");
    let list = |cs: &[u32]| {
        cs.iter()
            .map(|&c| name(election, c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for tie in &report.ties {
        out.push_str(&format!(
            "  tier {}: {} tied; drawn order {}\n",
            tie.round + 1,
            list(&tie.between),
            list(&tie.order)
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
