//! `hearth tally pb`: participatory budgeting over a pabulib `.pb` file:
//! which projects the budget funds, and round by round why.

use anyhow::{Context as _, Result};
use hearth_protocol::Hash;
use hearth_protocol::tally::pabulib::{PbInstance, PbWarning, read_pb};
use hearth_protocol::tally::pb::{self, PbReport, PbRule, PbTie, Phase, Ratio, TieBreak};
use hearth_protocol::tally::result_hash;
use serde_json::{Value, json};

use super::{Input, Source, Uncounted, counting, result_json, shown, table};
use crate::context::Context;
use crate::output::fields;

/// Decimal places of the exact fractions (prices, shares) printed for people.
const PLACES: usize = 6;

/// Allocate a participatory budget from a pabulib .pb file.
///
/// Approval and cumulative (points) votes. Prints the projects funded, in
/// order, with their costs, the total spent against the budget, and a
/// summary of each round. No rule ever spends more than the budget. Ties
/// go to more votes, then the lower cost, then by lot drawn from the
/// seed: the BLAKE3 hash of the file's bytes, or --seed (64 hex digits,
/// e.g. a proposal id); the seed is printed either way. With --json:
/// "selected" (ids), "ties" (by id), "warnings", "seed", "seed_from" and
/// the "report".
///
/// Odd lines read one documented way are listed as warnings with their
/// line (an approval vote naming a project twice counts it once); other
/// odd input is refused naming the line. At most 1000 projects, 1 000 000
/// votes, 10 000 000 approvals, amounts up to 10^15; the MES rules at
/// most 2·10^8 projects × approvals (too_large_for_mes), and mes-add1
/// gives up (too_much_work) once its counts add up to 10^10. A file with
/// no votes exits 1 with no_ballots. See `hearth tally --help` for the .pb format.
///
/// Example:
///   hearth tally pb --rule mes-add1-greedy warszawa.pb
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct PbArgs {
    /// The allocation rule.
    #[arg(long, value_enum)]
    rule: Rule,
    #[command(flatten)]
    source: Source,
}

/// A participatory-budgeting rule, as named on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Rule {
    /// By votes, most first, funding each project that still fits.
    #[value(name = "greedy")]
    Greedy,
    /// By votes per unit of cost, funding each project that still fits.
    #[value(name = "greedy-cost")]
    GreedyCost,
    /// The Method of Equal Shares (cost utilities), without completion.
    #[value(name = "mes")]
    Mes,
    /// MES with equalshares.net's Add1 completion (pabulib
    /// `equalshares/add1`): each voter's share raised one unit at a time
    /// while the outcome still fits in the budget.
    #[value(name = "mes-add1")]
    MesAdd1,
    /// mes-add1, then the rest of the budget filled greedily.
    #[value(name = "mes-add1-greedy")]
    MesAdd1Greedy,
}

impl Rule {
    fn pb(self) -> PbRule {
        match self {
            Rule::Greedy => PbRule::Greedy,
            Rule::GreedyCost => PbRule::GreedyCost,
            Rule::Mes => PbRule::Mes,
            Rule::MesAdd1 => PbRule::MesAdd1,
            Rule::MesAdd1Greedy => PbRule::MesAdd1Greedy,
        }
    }
}

/// Runs `hearth tally pb`.
pub fn run(ctx: &Context, args: PbArgs) -> Result<()> {
    let input = args.source.read()?;
    let file = read_pb(&input.text).context(input.name.clone())?;
    let instance = &file.instance;
    let report = counting(ctx, || pb::allocate(instance, args.rule.pb(), &input.seed))
        .map_err(|e| Uncounted {
            code: e.code(),
            message: e.to_string(),
        })
        .with_context(|| format!("{}: cannot count", input.name))?;
    let hash = result_hash(&report);
    let ties: Vec<Value> = report
        .ties
        .iter()
        .map(|tie| {
            json!({
                "round": tie.round + 1,
                "tied": ids(instance, &tie.between),
                "order": ids(instance, &tie.order),
                "by": tie.by,
            })
        })
        .collect();
    let fields = json!({
        "selected": report.selected_ids,
        "rule": report.rule.as_str(),
        "budget": report.budget,
        "spent": report.spent,
        "ties": ties,
        "warnings": file.warnings,
    });
    let value = result_json("pb", fields, &input, &report, &hash)?;
    ctx.out.show(&value, || {
        Ok(report_text(
            instance,
            &file.warnings,
            &input,
            &report,
            &hash,
        ))
    })
}

/// Projects' ids by index.
fn ids(instance: &PbInstance, projects: &[u32]) -> Vec<String> {
    projects
        .iter()
        .filter_map(|&p| instance.projects.get(p as usize).map(|p| p.id.clone()))
        .collect()
}

/// A project's id by index, made safe to print.
fn id(instance: &PbInstance, project: u32) -> String {
    instance
        .projects
        .get(project as usize)
        .map_or_else(|| format!("#{project}"), |p| shown(&p.id))
}

/// The whole allocation for people.
fn report_text(
    instance: &PbInstance,
    warnings: &[PbWarning],
    input: &Input,
    report: &PbReport,
    hash: &Hash,
) -> String {
    let mut out = String::new();
    if let Some(description) = instance.meta.get("description") {
        out.push_str(&format!("{}\n\n", shown(description)));
    }
    if !warnings.is_empty() {
        out.push_str("Warnings (read as said, not refused)\n");
        for warning in warnings {
            out.push_str(&format!(
                "  {}: {}\n",
                input.name,
                shown(&warning.to_string())
            ));
        }
        out.push('\n');
    }
    out.push_str(&fields(&[
        ("rule", report.rule.as_str().to_owned()),
        ("vote type", report.vote_type.as_str().to_owned()),
        ("projects", instance.projects.len().to_string()),
        ("votes", report.voters.to_string()),
        ("budget", report.budget.to_string()),
        ("spent", spent_text(report)),
        ("seed", input.seed_text()),
        ("result hash", hash.to_hex()),
    ]));

    out.push_str("\nSelected projects, in the order funded\n");
    if report.selected.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows = report
            .selected
            .iter()
            .enumerate()
            .filter_map(|(i, &p)| {
                let project = instance.projects.get(p as usize)?;
                Some(vec![
                    (i + 1).to_string(),
                    shown(&project.id),
                    project.cost.to_string(),
                    report.project_votes.get(p as usize)?.to_string(),
                    project.name.as_deref().map(shown).unwrap_or_default(),
                ])
            })
            .collect();
        let headers = ["#", "ID", "COST", "VOTES", "NAME"].map(String::from);
        out.push_str(&table(&headers, rows, |i| i == 0 || i == 2 || i == 3));
    }
    out.push_str(&format!(
        "Total spent: {} of the budget of {}\n",
        report.spent, report.budget
    ));

    out.push_str("\nRounds\n");
    out.push_str(&rounds_table(instance, report));
    out.push_str(&mes_text(report));
    if !report.skipped.is_empty() {
        let skipped: Vec<String> = report.skipped.iter().map(|&p| id(instance, p)).collect();
        out.push_str(&format!(
            "\nPassed over (no longer fitting the budget): {}\n",
            skipped.join(", ")
        ));
    }
    out.push_str(&ties_text(instance, report));
    out
}

/// The total spent, and its share of the budget to a tenth of a percent.
fn spent_text(report: &PbReport) -> String {
    match report.budget {
        0 => report.spent.to_string(),
        budget => {
            let permille = u128::from(report.spent) * 1000 / u128::from(budget);
            format!(
                "{} ({}.{} % of the budget)",
                report.spent,
                permille / 10,
                permille % 10
            )
        }
    }
}

/// One row per funded project: how and at what price it was funded.
fn rounds_table(instance: &PbInstance, report: &PbReport) -> String {
    let rows = report
        .rounds
        .iter()
        .enumerate()
        .map(|(i, round)| {
            let mes = round.phase == Phase::Mes;
            vec![
                (i + 1).to_string(),
                id(instance, round.project),
                match round.phase {
                    Phase::Mes => "mes".to_owned(),
                    Phase::Greedy => "greedy".to_owned(),
                },
                round.cost.to_string(),
                round.votes.to_string(),
                round.rho.as_ref().map(decimal).unwrap_or_default(),
                if mes {
                    round.payers.to_string()
                } else {
                    String::new()
                },
                if mes {
                    round.paid_all.to_string()
                } else {
                    String::new()
                },
                round.spent_after.to_string(),
            ]
        })
        .collect();
    let headers = [
        "ROUND", "PROJECT", "PHASE", "COST", "VOTES", "PRICE ρ", "PAYERS", "PAID ALL", "SPENT",
    ]
    .map(String::from);
    table(&headers, rows, |i| i != 1 && i != 2)
}

/// The MES figures: each voter's share and, for add1, how it was raised.
fn mes_text(report: &PbReport) -> String {
    let Some(share) = &report.share else {
        return String::new();
    };
    let mut out = format!("\nEach voter's share of the budget: {}\n", decimal(share));
    if let (Some(budget), Some(raises), Some(runs)) =
        (report.effective_budget, report.increments, report.mes_runs)
    {
        out.push_str(&format!(
            "Raised {raises} times from budget / voters, a virtual budget of {budget} ({runs} MES counts)\n"
        ));
    }
    out.push_str("What each voter paid: see --json (report.spending)\n");
    out
}

/// Ties between projects and the order the tie rule gave them.
fn ties_text(instance: &PbInstance, report: &PbReport) -> String {
    if report.ties.is_empty() {
        return "\nTies: none\n".to_owned();
    }
    let mut out = String::from("\nTies (more votes, then lower cost, then lot):\n");
    for tie in &report.ties {
        out.push_str(&tie_text(instance, tie));
    }
    out
}

/// One tie: what was tied and how the tie rule ordered it.
fn tie_text(instance: &PbInstance, tie: &PbTie) -> String {
    let list = |ps: &[u32]| {
        ps.iter()
            .map(|&p| id(instance, p))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let by = match tie.by {
        TieBreak::Votes => "ordered by votes",
        TieBreak::Cost => "ordered by votes, then cost",
        TieBreak::Lot => "drawn by lot",
    };
    format!(
        "  round {}: tied: {}; {by}: {}\n",
        tie.round + 1,
        list(&tie.between),
        list(&tie.order)
    )
}

/// An exact fraction as a decimal, truncated to [`PLACES`] places with `…`
/// when digits were cut; fractions too large for 128 bits stay `num/den`.
fn decimal(ratio: &Ratio) -> String {
    let (Ok(num), Ok(den)) = (ratio.num.parse::<u128>(), ratio.den.parse::<u128>()) else {
        return ratio.to_string();
    };
    if den == 0 {
        return ratio.to_string();
    }
    let whole = num / den;
    let mut rest = num % den;
    if rest == 0 {
        return whole.to_string();
    }
    let mut digits = String::new();
    while rest != 0 && digits.len() < PLACES {
        // `rest < den`, so `rest * 10` overflows only for huge denominators.
        let Some(next) = rest.checked_mul(10) else {
            return ratio.to_string();
        };
        digits.push(char::from(b'0' + (next / den) as u8));
        rest = next % den;
    }
    let cut = if rest == 0 { "" } else { "…" };
    format!("{whole}.{digits}{cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(num: &str, den: &str) -> Ratio {
        Ratio {
            num: num.into(),
            den: den.into(),
        }
    }

    #[test]
    fn fractions_print_as_truncated_decimals() {
        assert_eq!(decimal(&ratio("3", "1")), "3");
        assert_eq!(decimal(&ratio("1", "4")), "0.25");
        assert_eq!(decimal(&ratio("17065", "9")), "1896.111111…");
        assert_eq!(decimal(&ratio("2", "3")), "0.666666…");
        let huge = "1".repeat(50);
        assert_eq!(decimal(&ratio(&huge, "7")), format!("{huge}/7"));
    }
}
