//! `hearth tally stv`: a single transferable vote count of a `.blt` file,
//! shown as a returning officer's result sheet: every stage with what each
//! candidate gained or gave, the parcels of papers moved, and every tie.
//!
//! Text ([`text`]), JSON (here) and CSV ([`csv`]) show the same figures,
//! under one convention: a stage's figures are the votes *after* that
//! stage's transfer, as on a Scottish result sheet.

mod csv;
mod text;

use anyhow::{Context as _, Result};
use hearth_protocol::Hash;
use hearth_protocol::tally::blt::{Limits, Warning, read_blt};
use hearth_protocol::tally::result_hash;
use hearth_protocol::tally::stv::{
    self, ElectedBy, Stage, StageAction, StvReport, StvRule, TieBy, TiePurpose,
};
use serde_json::{Value, json};

use super::{Input, Source, Uncounted, counting, result_json, shown};
use crate::context::Context;
use crate::error::{Code, fail};
use crate::output;

/// Count a .blt file by the single transferable vote.
///
/// Prints the quota, every stage (what it did, each candidate's votes, the
/// non-transferable value), what each candidate gained or gave at each
/// stage, the parcels of papers moved at each transfer value (Scottish rule;
/// Meek's method moves fractions of every ballot, not papers, so it has
/// none), who was elected in which order, every tie and how it was broken
/// ("tied: A, B; drawn by lot: A"), and the seed of the lots: a hash of
/// the file's bytes unless --seed gives one (a proposal id), printed in
/// text and JSON ("seed", "seed_from") so anyone can redo the draw. A
/// stage's figures are the votes after that stage's transfer, as on a
/// Scottish result sheet; stage 1 counts first preferences.
///
/// Odd but accepted input (a ballot ranking nobody, two ballots on a line…)
/// is listed under "Warnings" with its line. A file with no valid ballot
/// has no result: it exits 1 with the code no_ballots. Files over the
/// limits of an STV count (1 000 candidates, 1 000 000 ballot lines,
/// 20 000 000 preferences) are refused naming the line, exit 2. See
/// `hearth tally --help` for the .blt format.
///
/// Examples:
///   hearth tally stv --rule scottish --seats 3 ward9.blt
///   hearth tally stv --rule scottish --format csv ward9.blt > ward9.csv
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StvArgs {
    /// The counting rule.
    #[arg(long, value_enum)]
    rule: Rule,
    /// Seats to fill [default: the number in the file]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    seats: Option<u32>,
    /// Output: text for people, json (the same as --json), or csv (the
    /// stage table: a row per candidate, a column per stage)
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "text")]
    format: Format,
    #[command(flatten)]
    source: Source,
}

/// An STV rule, as named on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Rule {
    /// The Scottish Local Government Elections Order 2007 (WIGM, 5 decimals).
    Scottish,
    /// Meek's method, the PR Foundation's reference rule (9 decimals).
    Meek,
}

impl Rule {
    fn stv(self) -> StvRule {
        match self {
            Rule::Scottish => StvRule::Scottish,
            Rule::Meek => StvRule::Meek,
        }
    }
}

/// How the count is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// A result sheet for people.
    Text,
    /// One JSON object (what --json prints).
    Json,
    /// The stage table as CSV.
    Csv,
}

/// What an STV count accepts of a file, checked while it is read so that
/// a refusal names the line.
const LIMITS: Limits = Limits {
    candidates: stv::MAX_CANDIDATES as u32,
    ballot_lines: stv::MAX_BALLOTS,
    preferences: stv::MAX_PREFERENCES,
};

/// Runs `hearth tally stv`.
pub fn run(ctx: &Context, args: StvArgs) -> Result<()> {
    let format = match (ctx.out.json, args.format) {
        (true, Format::Csv) => {
            return Err(fail(
                Code::InvalidArgument,
                "--json and --format csv do not go together",
            ));
        }
        (true, _) => Format::Json,
        (false, format) => format,
    };
    let input = args.source.read()?;
    let parsed = read_blt(&input.text, &LIMITS).context(input.name.clone())?;
    let election = parsed.election;
    let report = counting(ctx, || {
        stv::count(&election, args.rule.stv(), args.seats, &input.seed)
    })
    .map_err(|e| Uncounted {
        code: e.code(),
        message: e.to_string(),
    })
    .with_context(|| format!("{}: cannot count", input.name))?;
    let hash = result_hash(&report);
    let sheet = Sheet {
        title: &election.title,
        input: &input,
        report: &report,
        hash: &hash,
        warnings: &parsed.warnings,
    };
    match format {
        Format::Text => output::print(&text::sheet(&sheet)),
        Format::Csv => output::print(&csv::stages(&report)),
        Format::Json => {
            let value = sheet.json()?;
            let text = serde_json::to_string_pretty(&value).context("cannot format JSON")?;
            output::print(&text)
        }
    }
}

/// Everything a result sheet shows.
struct Sheet<'a> {
    title: &'a str,
    input: &'a Input,
    report: &'a StvReport,
    hash: &'a Hash,
    warnings: &'a [Warning],
}

impl Sheet<'_> {
    /// The JSON object: the method's fields, the seed, the exact report
    /// and its hash, and `count`, the report for people: names for
    /// candidate numbers and decimal strings (`…_shown`) beside the exact
    /// integers.
    fn json(&self) -> Result<Value> {
        let report = self.report;
        let fields = json!({
            "winners": report.winners(),
            "rule": rule_name(report.rule),
            "title": self.title,
            "seed_from": if self.input.seed_given { "--seed" } else { "file" },
            "warnings": self.warnings,
            "count": count_json(report),
        });
        result_json("stv", fields, self.input, report, self.hash)
    }
}

/// The rule's name on the command line.
fn rule_name(rule: StvRule) -> &'static str {
    match rule {
        StvRule::Scottish => "scottish",
        StvRule::Meek => "meek",
    }
}

/// A candidate's name by index, made safe to print.
fn name(report: &StvReport, candidate: u32) -> String {
    report
        .candidates
        .get(candidate as usize)
        .map_or_else(|| format!("#{}", candidate + 1), |n| shown(n))
}

/// The candidates shown in stage tables: all but the withdrawn.
fn standing(report: &StvReport) -> Vec<u32> {
    (0..report.candidates.len() as u32)
        .filter(|c| !report.withdrawn.contains(c))
        .collect()
}

/// What a stage did, in words, with names.
fn action_text(report: &StvReport, stage: &Stage) -> String {
    match stage.action {
        StageAction::FirstPreferences => "first preferences".to_owned(),
        StageAction::SurplusTransfer {
            from,
            surplus,
            value,
        } => format!(
            "surplus of {} ({} at transfer value {})",
            name(report, from),
            report.decimal(surplus),
            report.decimal(value)
        ),
        StageAction::Exclusion { who } => format!("exclusion of {}", name(report, who)),
        StageAction::Surpluses => "surpluses of the elected (keep factors lowered)".to_owned(),
    }
}

/// Who a stage elected, in words ("" if nobody).
fn elected_text(report: &StvReport, stage: &Stage) -> String {
    let elected: Vec<String> = stage
        .elected
        .iter()
        .map(|e| {
            let by = match e.by {
                ElectedBy::Quota => "",
                ElectedBy::LastVacancies => " (last vacancies)",
            };
            format!("{}{by}", name(report, e.candidate))
        })
        .collect();
    if elected.is_empty() {
        String::new()
    } else {
        format!("elected: {}", elected.join(", "))
    }
}

/// What a tie decided, in words.
fn purpose_text(purpose: TiePurpose) -> &'static str {
    match purpose {
        TiePurpose::Surplus => "which surplus to transfer first",
        TiePurpose::Exclusion => "whom to exclude",
        TiePurpose::ElectionOrder => "the order of those elected together",
    }
}

/// A stage's total: every candidate's votes, the non-transferable value
/// and what truncation lost — every valid vote.
fn total(stage: &Stage) -> u64 {
    stage.votes.iter().sum::<u64>() + stage.exhausted + stage.lost
}

/// A value as exact units beside its decimal: `{key: units, key_shown: "…"}`.
fn figure(report: &StvReport, key: &str, units: u64, into: &mut serde_json::Map<String, Value>) {
    into.insert(key.to_owned(), json!(units));
    into.insert(format!("{key}_shown"), json!(report.decimal(units)));
}

/// The count for people, as JSON.
fn count_json(report: &StvReport) -> Value {
    let mut count = serde_json::Map::new();
    count.insert(
        "convention".into(),
        json!("a stage's figures are the votes after that stage's transfer"),
    );
    figure(report, "quota", report.quota, &mut count);
    let candidates = standing(report);
    let stages: Vec<Value> = report
        .stages
        .iter()
        .map(|stage| {
            let mut out = serde_json::Map::new();
            out.insert("number".into(), json!(stage.number));
            out.insert("action".into(), json!(action_text(report, stage)));
            figure(report, "quota", stage.quota, &mut out);
            let votes: Vec<Value> = candidates
                .iter()
                .map(|&c| {
                    let mut row = serde_json::Map::new();
                    row.insert("candidate".into(), json!(name(report, c)));
                    let units = stage.votes.get(c as usize).copied().unwrap_or(0);
                    figure(report, "votes", units, &mut row);
                    Value::Object(row)
                })
                .collect();
            out.insert("votes".into(), Value::Array(votes));
            let transfers: Vec<Value> = stage
                .transfers
                .iter()
                .map(|t| {
                    json!({
                        "candidate": name(report, t.candidate),
                        "change": t.change,
                        "change_shown": report.signed_decimal(t.change),
                    })
                })
                .collect();
            out.insert("transfers".into(), Value::Array(transfers));
            let parcels = match report.rule {
                StvRule::Meek => Value::Null,
                StvRule::Scottish => Value::Array(
                    stage
                        .parcels
                        .iter()
                        .map(|p| {
                            json!({
                                "papers": p.papers,
                                "value": p.value,
                                "value_shown": report.decimal(p.value),
                                "non_transferable": p.non_transferable,
                            })
                        })
                        .collect(),
                ),
            };
            out.insert("parcels".into(), parcels);
            figure(report, "non_transferable", stage.exhausted, &mut out);
            figure(report, "lost", stage.lost, &mut out);
            figure(report, "total", total(stage), &mut out);
            let elected: Vec<String> = stage
                .elected
                .iter()
                .map(|e| name(report, e.candidate))
                .collect();
            out.insert("elected".into(), json!(elected));
            Value::Object(out)
        })
        .collect();
    count.insert("stages".into(), Value::Array(stages));
    let names = |list: &[u32]| -> Vec<String> { list.iter().map(|&c| name(report, c)).collect() };
    let ties: Vec<Value> = report
        .ties
        .iter()
        .map(|tie| {
            json!({
                "stage": tie.stage,
                "decides": purpose_text(tie.purpose),
                "tied": names(&tie.tied),
                "lot_between": names(&tie.lot),
                "drawn": tie.drawn.map(|c| name(report, c)),
                "chosen": name(report, tie.chosen),
                "by": match tie.by {
                    TieBy::EarlierStages => "earlier_stages",
                    TieBy::Lot => "lot",
                },
            })
        })
        .collect();
    count.insert("ties".into(), Value::Array(ties));
    Value::Object(count)
}
