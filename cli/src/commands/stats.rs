//! `hearth stats`: the community's analytics, or its network's or a
//! region's, month by month.

use anyhow::{Result, bail};
use hearth_protocol::analytics::network::NetworkReport;
use hearth_protocol::analytics::{self, Figures, Fraction, Report};
use hearth_protocol::economy::income::{month_index, month_label};

use crate::api;
use crate::context::{Context, now};
use crate::economy::short;
use crate::output::{fields, table};

/// Show how the community is doing, month by month.
///
/// Participation (voting turnout, proposals, council attendance, consensus
/// rate), mutual aid (contributions, requests, fulfilment, response time),
/// learning, insurance and the economy (circulation, velocity, coverage,
/// retention, the Gini coefficient of spending capacity), computed exactly
/// by the node from counters it keeps; a rate is shown rounded, and
/// `--json` gives it as an exact fraction. Public: aggregates only.
///
/// Without --month or --from, the last six months (this one included).
/// --level network or --level region:NAME sums the monthly figures the
/// communities of the network or region published (a community's figures
/// for a month are published once the month is over) and names the
/// communities whose figures are missing.
///
/// Examples:
///   hearth stats
///   hearth stats --month 2026-11
///   hearth stats --from 2026-01 --to 2026-12 --json
///   hearth stats --level region:north
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StatsArgs {
    /// One month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "to"])]
    month: Option<String>,
    /// First month, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM")]
    from: Option<String>,
    /// Last month, YYYY-MM (default: this month).
    #[arg(long, value_name = "YYYY-MM")]
    to: Option<String>,
    /// community (default), network or region:NAME.
    #[arg(long, default_value = "community")]
    level: String,
}

/// Runs `hearth stats`.
pub fn run(ctx: &Context, args: StatsArgs) -> Result<()> {
    let month = |text: &str| match analytics::parse_month(text) {
        Some(m) => Ok(m),
        None => bail!("invalid month {text:?}: expected YYYY-MM"),
    };
    let (from, to) = match (&args.month, &args.from, &args.to) {
        (Some(m), _, _) => (month(m)?, month(m)?),
        (None, from, to) => {
            let to = match to {
                Some(t) => month(t)?,
                None => month_index(now()?),
            };
            let from = match from {
                Some(f) => month(f)?,
                None => to.saturating_sub(5),
            };
            (from, to)
        }
    };
    if from > to {
        bail!(
            "--from {} is after --to {}",
            month_label(from),
            month_label(to)
        );
    }
    let path = format!(
        "/v1/analytics?from={}&to={}&level={}",
        month_label(from),
        month_label(to),
        args.level
    );
    let value = ctx.client()?.get(&path)?;
    if args.level == "community" {
        let report: Report = api::decode(value.clone(), "analytics")?;
        ctx.out.show(&value, || Ok(community_text(&report)))
    } else {
        let report: NetworkReport = api::decode(value.clone(), "analytics")?;
        ctx.out.show(&value, || Ok(network_text(&report)))
    }
}

fn shown(f: &Option<Fraction>) -> String {
    f.as_ref().map_or("–".into(), |f| f.shown.clone())
}

/// Each figure as a row, each month as a column.
fn figure_rows(months: &[(&str, &Figures)]) -> String {
    type Cell = fn(&Figures) -> String;
    let rows: [(&str, Cell); 19] = [
        ("voting turnout", |f| shown(&f.voting_turnout)),
        ("proposals", |f| f.proposals.to_string()),
        ("council attendance", |f| shown(&f.council_attendance)),
        ("consensus rate", |f| shown(&f.consensus_rate)),
        ("aid contributions", |f| f.pool_contributions.to_string()),
        ("aid requests", |f| f.aid_requests.to_string()),
        ("aid fulfilment", |f| shown(&f.fulfilment_rate)),
        ("aid response", |f| shown(&f.response_hours)),
        ("course completions", |f| f.course_completions.to_string()),
        ("peer sessions", |f| f.peer_sessions.to_string()),
        ("skills verified", |f| f.skill_verifications.to_string()),
        ("insured members", |f| f.insurance_members.to_string()),
        ("claims processed", |f| f.claims_processed.to_string()),
        ("payout ratio (12 mo)", |f| shown(&f.payout_ratio)),
        ("circulation", |f| f.circulation.to_string()),
        ("velocity", |f| shown(&f.velocity)),
        ("coverage", |f| shown(&f.coverage)),
        ("retention", |f| shown(&f.retention)),
        ("gini", |f| shown(&f.gini)),
    ];
    let mut headers = vec!["FIGURE"];
    headers.extend(months.iter().map(|(m, _)| *m));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, cell)| {
            let mut row = vec![name.to_string()];
            row.extend(months.iter().map(|(_, f)| cell(f)));
            row
        })
        .collect();
    table(&headers, &body)
}

fn community_text(r: &Report) -> String {
    let months: Vec<(&str, &Figures)> = r
        .months
        .iter()
        .map(|m| (m.month.as_str(), &m.figures))
        .collect();
    let mut out = figure_rows(&months);
    if let Some(d) = &r.distribution {
        out.push('\n');
        out.push_str(&fields(&[(
            "gini",
            format!(
                "{} over {} members' spending capacity at the end of {}",
                d.gini.shown, d.members, d.month
            ),
        )]));
    }
    if !r.pools.is_empty() {
        let rows: Vec<Vec<String>> = r
            .pools
            .iter()
            .map(|p| {
                vec![
                    p.kind.clone(),
                    p.name.clone(),
                    p.balance.to_string(),
                    p.owed.to_string(),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&["POOL", "NAME", "BALANCE", "OWES"], &rows));
    }
    out
}

fn network_text(r: &NetworkReport) -> String {
    let months: Vec<(&str, &Figures)> = r
        .months
        .iter()
        .map(|m| (m.month.as_str(), &m.figures))
        .collect();
    let mut out = format!(
        "{} of network {}: {} communities\n",
        r.level,
        short(&r.network),
        r.communities.len()
    );
    out.push_str(&figure_rows(&months));
    let rows: Vec<Vec<String>> = r
        .months
        .iter()
        .map(|m| {
            vec![
                m.month.clone(),
                m.reporting.len().to_string(),
                m.missing.iter().map(short).collect::<Vec<_>>().join(" "),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(&["MONTH", "REPORTING", "MISSING"], &rows));
    out
}
