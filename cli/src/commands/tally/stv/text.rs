//! The result sheet for people: the particulars, any warnings, each
//! candidate's first preferences and fate, the stages, the votes by stage,
//! each stage's transfers and parcels, the elected and the ties.

use hearth_protocol::tally::stv::{StageAction, StvReport, StvRule, TieBy};

use super::super::{names, shown, table};
use super::{Sheet, action_text, elected_text, name, purpose_text, standing, total};
use crate::output::fields;

/// The whole sheet.
pub(super) fn sheet(sheet: &Sheet<'_>) -> String {
    let report = sheet.report;
    let mut out = String::new();
    if !sheet.title.is_empty() {
        out.push_str(&format!("{}\n\n", shown(sheet.title)));
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
        ("seed", sheet.input.seed_text()),
        ("result hash", sheet.hash.to_hex()),
    ]));
    if !sheet.warnings.is_empty() {
        out.push_str("\nWarnings (accepted, but check the file)\n");
        for warning in sheet.warnings {
            out.push_str(&format!("  {}\n", shown(&warning.to_string())));
        }
    }
    out.push_str("\nCandidates\n");
    out.push_str(&candidates_table(report));
    out.push_str("\nStages (a stage's figures are the votes after its transfer)\n");
    out.push_str(&stages_table(report));
    out.push_str("\nVotes by stage\n");
    out.push_str(&votes_table(report));
    out.push_str(&transfers_text(report));
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
                *slot = format!("elected at stage {}", stage.number);
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

/// One row per stage: what it did and whom it elected (and for Meek the
/// quota, which changes).
fn stages_table(report: &StvReport) -> String {
    let meek = report.rule == StvRule::Meek;
    let mut headers = vec!["STAGE".to_owned()];
    if meek {
        headers.push("QUOTA".to_owned());
    }
    headers.push("ACTION".to_owned());
    let rows = report
        .stages
        .iter()
        .map(|stage| {
            let mut row = vec![stage.number.to_string()];
            if meek {
                row.push(report.decimal(stage.quota));
            }
            let mut action = action_text(report, stage);
            let elected = elected_text(report, stage);
            if !elected.is_empty() {
                action.push_str(&format!("; {elected}"));
            }
            row.push(action);
            row
        })
        .collect();
    table(&headers, rows, |i| i == 0 || (meek && i == 1))
}

/// The stage table: a row per standing candidate, a column per stage, then
/// the non-transferable value, what truncation lost (Scottish) and the
/// total.
fn votes_table(report: &StvReport) -> String {
    let mut headers = vec!["NAME".to_owned()];
    headers.extend(report.stages.iter().map(|s| s.number.to_string()));
    let mut rows: Vec<Vec<String>> = standing(report)
        .into_iter()
        .map(|c| {
            let mut row = vec![name(report, c)];
            row.extend(report.stages.iter().map(|s| {
                s.votes
                    .get(c as usize)
                    .map_or_else(String::new, |&v| report.decimal(v))
            }));
            row
        })
        .collect();
    let mut extra = |label: &str, value: &dyn Fn(&hearth_protocol::tally::stv::Stage) -> u64| {
        let mut row = vec![label.to_owned()];
        row.extend(report.stages.iter().map(|s| report.decimal(value(s))));
        rows.push(row);
    };
    extra("non-transferable", &|s| s.exhausted);
    if report.rule == StvRule::Scottish {
        extra("lost to fractions", &|s| s.lost);
    }
    extra("total", &total);
    table(&headers, rows, |i| i > 0)
}

/// Each stage after the first: what each candidate gained or gave, the
/// change in the non-transferable value, and the parcels of papers moved.
fn transfers_text(report: &StvReport) -> String {
    let mut out = String::from("\nTransfers\n");
    if report.rule == StvRule::Meek {
        out.push_str(
            "  (Meek's method moves a fraction of every ballot at each round, not parcels of papers)\n",
        );
    }
    for pair in report.stages.windows(2) {
        let [before, stage] = pair else { continue };
        out.push_str(&format!(
            "Stage {}: {}\n",
            stage.number,
            action_text(report, stage)
        ));
        for parcel in &stage.parcels {
            let aside = if parcel.non_transferable > 0 {
                format!(" ({} non-transferable)", parcel.non_transferable)
            } else {
                String::new()
            };
            out.push_str(&format!(
                "  parcel: {} papers at {}{aside}\n",
                parcel.papers,
                report.decimal(parcel.value)
            ));
        }
        let mut rows: Vec<Vec<String>> = stage
            .transfers
            .iter()
            .map(|t| {
                vec![
                    format!("  {}", name(report, t.candidate)),
                    report.signed_decimal(t.change),
                ]
            })
            .collect();
        let delta = |after: u64, before: u64| {
            i64::try_from(i128::from(after) - i128::from(before)).unwrap_or(0)
        };
        let exhausted = delta(stage.exhausted, before.exhausted);
        if exhausted != 0 {
            rows.push(vec![
                "  non-transferable".to_owned(),
                report.signed_decimal(exhausted),
            ]);
        }
        let lost = delta(stage.lost, before.lost);
        if lost != 0 {
            rows.push(vec![
                "  lost to fractions".to_owned(),
                report.signed_decimal(lost),
            ]);
        }
        if rows.is_empty() {
            out.push_str("  no votes moved\n");
            continue;
        }
        // Indent the table under its stage.
        let headers = ["  CANDIDATE".to_owned(), "CHANGE".to_owned()];
        out.push_str(&table(&headers, rows, |i| i == 1));
    }
    out
}

/// Every tie, and how it was broken: "tied: A, B, C; drawn by lot: A".
fn ties_text(report: &StvReport) -> String {
    if report.ties.is_empty() {
        return "Ties: none\n".to_owned();
    }
    let mut out = String::from("Ties:\n");
    let list = |cs: &[u32]| -> String {
        cs.iter()
            .map(|&c| name(report, c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for tie in &report.ties {
        let decided = match (tie.by, tie.drawn) {
            (TieBy::Lot, Some(drawn)) if tie.lot.len() < tie.tied.len() => format!(
                "earlier stages left {}; drawn by lot: {}",
                list(&tie.lot),
                name(report, drawn)
            ),
            (TieBy::Lot, Some(drawn)) => format!("drawn by lot: {}", name(report, drawn)),
            _ => format!(
                "decided by the votes at earlier stages: {}",
                name(report, tie.chosen)
            ),
        };
        out.push_str(&format!(
            "  stage {}, {}: tied: {}; {decided}\n",
            tie.stage,
            purpose_text(tie.purpose),
            list(&tie.tied)
        ));
    }
    out
}
