//! `hearth tally stv`: a single transferable vote count of a `.blt` file,
//! shown stage by stage.

use anyhow::{Context as _, Result};
use hearth_protocol::Hash;
use hearth_protocol::tally::blt::parse_blt;
use hearth_protocol::tally::result_hash;
use hearth_protocol::tally::stv::{
    self, ElectedBy, StageAction, StvReport, StvRule, TieBy, TiePurpose,
};
use serde_json::json;

use super::{Input, Source, counting, names, result_json, shown, table};
use crate::context::Context;
use crate::output::fields;

/// Count a .blt file by the single transferable vote.
///
/// Prints the quota, every stage (its action, each candidate's votes and
/// the exhausted value), who was elected in which order, and every tie and
/// how it was broken. See `hearth tally --help` for the .blt format.
///
/// Example:
///   hearth tally stv --rule scottish --seats 3 ward9.blt
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StvArgs {
    /// The counting rule.
    #[arg(long, value_enum)]
    rule: Rule,
    /// Seats to fill [default: the number in the file]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    seats: Option<u32>,
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

/// Runs `hearth tally stv`.
pub fn run(ctx: &Context, args: StvArgs) -> Result<()> {
    let input = args.source.read()?;
    let election = parse_blt(&input.text).context(input.name.clone())?;
    let report = counting(ctx, || {
        stv::count(&election, args.rule.stv(), args.seats, &input.seed)
    })
    .with_context(|| format!("{}: cannot count", input.name))?;
    let hash = result_hash(&report);
    let fields = json!({
        "winners": report.winners(),
        "rule": rule_name(report.rule),
        "title": election.title,
    });
    let value = result_json("stv", fields, &input, &report, &hash)?;
    ctx.out.show(&value, || {
        Ok(report_text(&election.title, &input, &report, &hash))
    })
}

/// The rule's name on the command line.
fn rule_name(rule: StvRule) -> &'static str {
    match rule {
        StvRule::Scottish => "scottish",
        StvRule::Meek => "meek",
    }
}

/// The whole count for people.
fn report_text(title: &str, input: &Input, report: &StvReport, hash: &Hash) -> String {
    let mut out = String::new();
    if !title.is_empty() {
        out.push_str(&format!("{}\n\n", shown(title)));
    }
    let rule = match report.rule {
        StvRule::Scottish => "scottish (Scottish Local Government Elections Order 2007, WIGM)",
        StvRule::Meek => "meek (Meek's method, PR Foundation reference rule)",
    };
    let withdrawn = if report.withdrawn.is_empty() {
        String::new()
    } else {
        let who: Vec<String> = report.withdrawn.iter().map(|&c| name(report, c)).collect();
        format!(" (withdrawn: {})", who.join(", "))
    };
    out.push_str(&fields(&[
        ("rule", rule.to_owned()),
        ("seats", report.seats.to_string()),
        (
            "candidates",
            format!("{}{withdrawn}", report.candidates.len()),
        ),
        ("valid ballots", report.valid_ballots.to_string()),
        ("quota", quota_text(report)),
        ("seed", input.seed_text()),
        ("result hash", hash.to_hex()),
    ]));
    out.push_str("\nCandidates\n");
    out.push_str(&candidates_table(report));
    out.push_str("\nStages (votes as decimals; candidates by #)\n");
    out.push_str(&stages_table(report));
    let elected = if report.elected.is_empty() {
        "nobody".to_owned()
    } else {
        names(report.winners())
    };
    out.push_str(&format!("\nElected: {elected}\n"));
    out.push_str(&ties_text(report));
    out
}

/// The quota; Meek's changes from round to round.
fn quota_text(report: &StvReport) -> String {
    let last = report.decimal(report.quota);
    match report.stages.first() {
        Some(first) if first.quota != report.quota => {
            format!(
                "{} at first, {last} at the end",
                report.decimal(first.quota)
            )
        }
        _ => last,
    }
}

/// A candidate's name by index, made safe to print.
fn name(report: &StvReport, candidate: u32) -> String {
    report
        .candidates
        .get(candidate as usize)
        .map_or_else(|| format!("#{}", candidate + 1), |n| shown(n))
}

/// One row per candidate: number, name, first preferences, what became of them.
fn candidates_table(report: &StvReport) -> String {
    let n = report.candidates.len();
    let mut fate: Vec<String> = vec!["not elected".to_owned(); n];
    for stage in &report.stages {
        if let StageAction::Exclusion { who } = stage.action
            && let Some(slot) = fate.get_mut(who as usize)
        {
            *slot = format!("excluded at stage {}", stage.number);
        }
        for elected in &stage.elected {
            if let Some(slot) = fate.get_mut(elected.candidate as usize) {
                let by = match elected.by {
                    ElectedBy::Quota => "quota",
                    ElectedBy::LastVacancies => "last vacancies",
                };
                *slot = format!("elected at stage {} ({by})", stage.number);
            }
        }
    }
    for &c in &report.withdrawn {
        if let Some(slot) = fate.get_mut(c as usize) {
            *slot = "withdrawn".to_owned();
        }
    }
    let first = report.stages.first();
    let rows = (0..n)
        .map(|c| {
            let votes = first
                .and_then(|s| s.votes.get(c))
                .map_or_else(String::new, |&v| report.decimal(v));
            vec![
                (c + 1).to_string(),
                name(report, c as u32),
                votes,
                fate[c].clone(),
            ]
        })
        .collect();
    let headers = ["#", "NAME", "FIRST PREFERENCES", "RESULT"].map(String::from);
    table(&headers, rows, |i| i == 0 || i == 2)
}

/// One row per stage: its action, each continuing candidate's votes, the
/// exhausted value (and for Meek the quota, for Scottish the value lost to
/// truncation).
fn stages_table(report: &StvReport) -> String {
    let meek = report.rule == StvRule::Meek;
    let shown_candidates: Vec<usize> = (0..report.candidates.len())
        .filter(|&c| !report.withdrawn.contains(&(c as u32)))
        .collect();
    let mut headers = vec!["STAGE".to_owned(), "ACTION".to_owned()];
    if meek {
        headers.push("QUOTA".to_owned());
    }
    headers.extend(shown_candidates.iter().map(|c| format!("#{}", c + 1)));
    headers.push("EXHAUSTED".to_owned());
    if !meek {
        headers.push("LOST".to_owned());
    }
    let rows = report
        .stages
        .iter()
        .map(|stage| {
            let mut row = vec![stage.number.to_string(), action_text(report, stage)];
            if meek {
                row.push(report.decimal(stage.quota));
            }
            row.extend(shown_candidates.iter().map(|&c| {
                stage
                    .votes
                    .get(c)
                    .map_or_else(String::new, |&v| report.decimal(v))
            }));
            row.push(report.decimal(stage.exhausted));
            if !meek {
                row.push(report.decimal(stage.lost));
            }
            row
        })
        .collect();
    table(&headers, rows, |i| i != 1)
}

/// What a stage did, with the candidates it elected.
fn action_text(report: &StvReport, stage: &stv::Stage) -> String {
    let mut text = match stage.action {
        StageAction::FirstPreferences => "first preferences".to_owned(),
        StageAction::SurplusTransfer {
            from,
            surplus,
            value,
        } => format!(
            "surplus of #{} ({} at {})",
            from + 1,
            report.decimal(surplus),
            report.decimal(value)
        ),
        StageAction::Exclusion { who } => format!("exclude #{}", who + 1),
        StageAction::Election => "quota reached".to_owned(),
    };
    if !stage.elected.is_empty() {
        let elected: Vec<String> = stage
            .elected
            .iter()
            .map(|e| format!("#{}", e.candidate + 1))
            .collect();
        text.push_str(&format!("; elect {}", elected.join(", ")));
    }
    text
}

/// Every tie, and how it was broken.
fn ties_text(report: &StvReport) -> String {
    if report.ties.is_empty() {
        return "Ties: none\n".to_owned();
    }
    let mut out = String::from("Ties:\n");
    for tie in &report.ties {
        let purpose = match tie.purpose {
            TiePurpose::Surplus => "which surplus to transfer first",
            TiePurpose::Exclusion => "whom to exclude",
            TiePurpose::ElectionOrder => "the order of those elected together",
        };
        let by = match tie.by {
            TieBy::EarlierStages => "by the votes at earlier stages",
            TieBy::Lot => "by lot, drawn from the seed",
        };
        let between: Vec<String> = tie.between.iter().map(|&c| name(report, c)).collect();
        out.push_str(&format!(
            "  stage {}, {purpose}: {} tied; {} chosen {by}\n",
            tie.stage,
            between.join(", "),
            name(report, tie.chosen)
        ));
    }
    out
}
