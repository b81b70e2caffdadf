//! `hearth income`: the basic income, the levy and the treasury.

use anyhow::Result;
use hearth_protocol::economy::income::IncomeView;

use crate::context::Context;
use crate::economy::read;
use crate::output::{datetime, fields, table};

/// Show the basic income, the levy and the treasury, month by month.
///
/// A community may pay every active member a monthly basic income from
/// its treasury, and collect a levy on positive balances into it. Both are
/// rules, changed only by a vote, for example:
///   hearth propose --kind rules --title "Basic income" \
///       --set basic_income=50 --set treasury_credit=5000 --set levy=100
/// On the first day of each month (UTC) the node pays it, once per member;
/// when the treasury would go below its floor (minus treasury_credit),
/// every member gets the same share of what is left.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct IncomeArgs {}

/// Runs `hearth income`.
pub fn run(ctx: &Context, _args: IncomeArgs) -> Result<()> {
    let (value, view): (_, IncomeView) = read(ctx, "/v1/income", "income")?;
    ctx.out.show(&value, || Ok(text(&view)))
}

fn text(v: &IncomeView) -> String {
    let mut out = fields(&[
        (
            "basic income",
            v.basic_income
                .map_or("off".into(), |a| format!("{a} per member and month")),
        ),
        (
            "levy",
            format!(
                "{}.{:02} % of positive balances a month",
                v.levy / 100,
                v.levy % 100
            ),
        ),
        ("treasury", v.treasury.to_string()),
        ("treasury credit", v.treasury_credit.to_string()),
        ("available", v.available.to_string()),
        ("next month", datetime(v.next_month.0)),
    ]);
    if v.months.is_empty() {
        out.push_str("\nNo month settled yet.");
        return out;
    }
    let rows: Vec<Vec<String>> = v
        .months
        .iter()
        .rev()
        .map(|m| {
            vec![
                m.label.clone(),
                m.members.to_string(),
                m.share.to_string(),
                m.paid.to_string(),
                m.shortfall.to_string(),
                m.levy.to_string(),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &["MONTH", "MEMBERS", "EACH", "PAID", "SHORTFALL", "LEVY"],
        &rows,
    ));
    out
}
