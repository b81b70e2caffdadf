//! `hearth tool`: the tool library — add items, borrow, hold, renew and
//! return them, report their condition and maintenance, and follow the
//! loans, the holds and the maintenance fund.

use anyhow::Result;
use hearth_protocol::economy::tools::{
    Condition, FundView, HoldsView, ItemStatus, ItemView, ItemsView, Loan, LoansView,
    MaintenancePlan, Owner, ToolItem, ToolsAction,
};
use hearth_protocol::{ActionBody, Kc, Millis};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::duration;
use crate::economy::{find, read, short};
use crate::output::{datetime, fields, printable, short_did, table};

/// Borrow and lend tools: every loan is signed, its deposit held in escrow.
///
/// Stewards (the council in power, or members appointed by the rule
/// `tools.stewards`) add the community's items, report their condition
/// and record their maintenance; any member may lend their own item
/// (`--own`) and looks after it themselves.
///
/// Checking an item out moves its deposit from your account into the
/// loan's escrow (and the rules' `tools.loan_fee`, 0 by default, into the
/// maintenance fund). An item has one loan at a time; while you have an
/// overdue loan you borrow nothing. Hold an item that is out: holders are
/// served first come first served, and when it is your turn you have the
/// pickup window (`tools.pickup_window`, 2 days by default) to collect it
/// before your hold lapses. A loan is renewed by its period unless
/// someone holds the item.
///
/// After you return an item a steward reports its condition: good, and
/// the escrow pays your deposit back; damaged, and it goes to the
/// maintenance fund and the item to maintenance; lost, the same and the
/// item is retired. A maintenance plan (every N loans, every N days) also
/// sends an item to maintenance; a steward records it done.
///
/// The maintenance fund is the aid pool "tool maintenance": repairs are
/// paid from it by an aid request the council decides
/// (`hearth aid request "tool maintenance" 35 --reason "new chuck"`).
///
/// Items are named by name or by the start of their id (8 hex digits or more).
///
/// Examples:
///   hearth tool add drill --category power_tools --deposit 20 --period 7d --replacement 120
///   hearth tool list --available
///   hearth tool checkout drill
///   hearth tool hold drill
///   hearth tool return drill
///   hearth tool inspect drill damaged --note "chuck cracked"
///   hearth tool maintained drill --note "new chuck fitted"
///   hearth tool loans
///   hearth tool fund
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ToolArgs {
    #[command(subcommand)]
    command: ToolCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ToolCommand {
    /// Add an item: the community's (stewards only) or, with --own, your own.
    ///
    /// Examples:
    ///   hearth tool add drill --category power_tools --deposit 20 --period 7d --replacement 120
    ///   hearth tool add "hedge trimmer" --category garden --deposit 15 --period 3d --every-loans 10
    ///   hearth tool add ladder --category diy --deposit 10 --period 2d --own
    #[command(verbatim_doc_comment)]
    Add {
        /// Its name (unique among the items in circulation).
        name: String,
        /// Its category: power_tools, garden, kitchen, …
        #[arg(long)]
        category: String,
        /// Deposit held per loan, in KC (0 for none).
        #[arg(long, value_parser = parse_value)]
        deposit: Kc,
        /// How long a loan lasts: 1h to 365d (7d, 48h).
        #[arg(long, value_parser = duration::parse)]
        period: Millis,
        /// What replacing it costs, in KC.
        #[arg(long, value_parser = parse_value, default_value = "0")]
        replacement: Kc,
        /// Maintenance after every this many loans.
        #[arg(long, default_value_t = 0)]
        every_loans: u32,
        /// Maintenance every this many days.
        #[arg(long, default_value_t = 0)]
        every_days: u32,
        /// Lend your own item (you are its steward) instead of the community's.
        #[arg(long)]
        own: bool,
    },
    /// List the items, or only those on the shelf.
    #[command(verbatim_doc_comment)]
    List {
        /// Only items available now.
        #[arg(long)]
        available: bool,
    },
    /// Show an item: condition, holds, loan history and maintenance.
    #[command(verbatim_doc_comment)]
    Show {
        /// The item: its name or the start of its id.
        item: String,
    },
    /// Borrow an item: its deposit goes into the loan's escrow.
    #[command(verbatim_doc_comment)]
    Checkout {
        /// The item.
        item: String,
    },
    /// Join an item's hold queue (first come, first served).
    #[command(verbatim_doc_comment)]
    Hold {
        /// The item.
        item: String,
    },
    /// Leave an item's hold queue.
    #[command(verbatim_doc_comment, name = "cancel-hold")]
    CancelHold {
        /// The item.
        item: String,
    },
    /// Extend your loan by the item's period (refused while someone holds it).
    #[command(verbatim_doc_comment)]
    Renew {
        /// The item.
        item: String,
    },
    /// Bring an item back; a steward then reports its condition.
    #[command(verbatim_doc_comment)]
    Return {
        /// The item.
        item: String,
    },
    /// Report a returned item's condition (stewards): good, damaged or lost.
    ///
    /// good: the deposit goes back to the borrower. damaged: to the
    /// maintenance fund, and the item to maintenance. lost (also while
    /// still on loan): to the maintenance fund, and the item is retired.
    #[command(verbatim_doc_comment)]
    Inspect {
        /// The item.
        item: String,
        /// good, damaged or lost.
        #[arg(value_parser = parse_condition)]
        condition: Condition,
        /// What you found.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Take an available item out of circulation for maintenance (stewards).
    #[command(verbatim_doc_comment)]
    Maintain {
        /// The item.
        item: String,
        /// What is to be done.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record an item's maintenance done: it circulates again (stewards).
    #[command(verbatim_doc_comment)]
    Maintained {
        /// The item.
        item: String,
        /// What was done.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Your loans, and everyone's overdue ones.
    #[command(verbatim_doc_comment)]
    Loans,
    /// Your holds, and whether it is your turn to collect.
    #[command(verbatim_doc_comment)]
    Holds,
    /// The maintenance fund: what forfeited deposits and loan fees put in it.
    #[command(verbatim_doc_comment)]
    Fund,
}

/// Parses an amount of KC, zero allowed (clap `value_parser`).
fn parse_value(text: &str) -> Result<Kc, String> {
    match Kc::parse(text) {
        Some(amount) if amount.0 >= 0 => Ok(amount),
        Some(_) => Err("the amount must not be negative".into()),
        None => Err(format!(
            "invalid amount {text:?}: use KC with at most 3 decimals, e.g. 20 or 12.5"
        )),
    }
}

/// Parses a condition (clap `value_parser`).
fn parse_condition(text: &str) -> Result<Condition, String> {
    Condition::parse(text).ok_or_else(|| format!("{text:?} is not good, damaged or lost"))
}

/// The item `text` names: an item in circulation with that name, else any
/// item by name or id prefix.
fn find_item(ctx: &Context, text: &str) -> Result<ToolItem> {
    let (_, list): (_, ItemsView) = read(ctx, "/v1/tools", "item list")?;
    if let Some(found) = list
        .items
        .iter()
        .find(|i| i.status != ItemStatus::Retired && i.name == text.trim())
    {
        return Ok(found.clone());
    }
    Ok(find(
        &list.items,
        text,
        "tool library item",
        "unknown_item",
        |i| Some(i.name.as_str()),
        |i| i.id,
    )?
    .clone())
}

/// Submits an action on `item` and prints `done` with the receipt.
fn act(ctx: &Context, item: &ToolItem, body: ToolsAction, done: String) -> Result<()> {
    let receipt = ctx.session()?.submit(ActionBody::Tools(body))?;
    let value = receipt_json(&receipt, json!({ "item": item.id, "name": item.name }));
    ctx.out.show(&value, || {
        Ok(format!("{done} ({})", receipt_text(&receipt)))
    })
}

/// Runs `hearth tool`.
pub fn run(ctx: &Context, args: ToolArgs) -> Result<()> {
    match args.command {
        ToolCommand::Add {
            name,
            category,
            deposit,
            period,
            replacement,
            every_loans,
            every_days,
            own,
        } => {
            let body = ToolsAction::Add {
                name: name.clone(),
                category,
                own,
                deposit,
                loan_period: period,
                replacement,
                plan: MaintenancePlan {
                    every_loans,
                    every_days,
                },
            };
            let receipt = ctx.session()?.submit(ActionBody::Tools(body))?;
            let value = receipt_json(&receipt, json!({ "name": name }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nAdded {name}: deposit {deposit}, loans of {period} ({})",
                    receipt.id,
                    receipt_text(&receipt)
                ))
            })
        }
        ToolCommand::List { available } => {
            let path = if available {
                "/v1/tools?available=true"
            } else {
                "/v1/tools"
            };
            let (value, list): (_, ItemsView) = read(ctx, path, "item list")?;
            ctx.out.show(&value, || {
                Ok(if list.items.is_empty() {
                    "No items.".into()
                } else {
                    items_table(&list.items)
                })
            })
        }
        ToolCommand::Show { item } => {
            let item = find_item(ctx, &item)?;
            let (value, view): (_, ItemView) =
                read(ctx, &format!("/v1/tools/{}", item.id), "item")?;
            ctx.out.show(&value, || Ok(item_text(&view)))
        }
        ToolCommand::Checkout { item } => {
            let item = find_item(ctx, &item)?;
            let done = format!(
                "Borrowed {}: {} deposit in escrow, due back in {}",
                item.name, item.deposit, item.loan_period
            );
            act(ctx, &item, ToolsAction::Checkout { item: item.id }, done)
        }
        ToolCommand::Hold { item } => {
            let item = find_item(ctx, &item)?;
            let done = format!(
                "Holding {}: `hearth tool holds` tells you when it is your turn",
                item.name
            );
            act(ctx, &item, ToolsAction::Hold { item: item.id }, done)
        }
        ToolCommand::CancelHold { item } => {
            let item = find_item(ctx, &item)?;
            let done = format!("No longer holding {}", item.name);
            act(ctx, &item, ToolsAction::CancelHold { item: item.id }, done)
        }
        ToolCommand::Renew { item } => {
            let item = find_item(ctx, &item)?;
            let done = format!("Renewed {} by {}", item.name, item.loan_period);
            act(ctx, &item, ToolsAction::Renew { item: item.id }, done)
        }
        ToolCommand::Return { item } => {
            let item = find_item(ctx, &item)?;
            let done = format!(
                "Returned {}: a steward reports its condition, then the deposit is settled",
                item.name
            );
            act(ctx, &item, ToolsAction::Return { item: item.id }, done)
        }
        ToolCommand::Inspect {
            item,
            condition,
            note,
        } => {
            let item = find_item(ctx, &item)?;
            let done = match condition {
                Condition::Good => format!(
                    "{} is in good order: deposit back to the borrower",
                    item.name
                ),
                Condition::Damaged => format!(
                    "{} is damaged: deposit to the maintenance fund, item in maintenance",
                    item.name
                ),
                Condition::Lost => format!(
                    "{} is lost: deposit to the maintenance fund, item retired",
                    item.name
                ),
            };
            let body = ToolsAction::Inspect {
                item: item.id,
                condition,
                note,
            };
            act(ctx, &item, body, done)
        }
        ToolCommand::Maintain { item, note } => {
            let item = find_item(ctx, &item)?;
            let done = format!("{} is in maintenance", item.name);
            act(
                ctx,
                &item,
                ToolsAction::Maintain {
                    item: item.id,
                    note,
                },
                done,
            )
        }
        ToolCommand::Maintained { item, note } => {
            let item = find_item(ctx, &item)?;
            let done = format!("{} is maintained and back in circulation", item.name);
            act(
                ctx,
                &item,
                ToolsAction::Maintained {
                    item: item.id,
                    note,
                },
                done,
            )
        }
        ToolCommand::Loans => {
            let (value, loans): (_, LoansView) = read(ctx, "/v1/tools/loans", "loans")?;
            ctx.out.show(&value, || Ok(loans_text(&loans)))
        }
        ToolCommand::Holds => {
            let (value, holds): (_, HoldsView) = read(ctx, "/v1/tools/holds", "holds")?;
            ctx.out.show(&value, || Ok(holds_text(&holds)))
        }
        ToolCommand::Fund => {
            let (value, fund): (_, FundView) = read(ctx, "/v1/tools/fund", "fund")?;
            ctx.out.show(&value, || {
                Ok(format!(
                    "Maintenance fund: {} ({} from forfeited deposits, {} from loan fees)\n\
                     It is the aid pool {:?} ({}): repairs are paid by an aid request the council decides.",
                    fund.balance,
                    fund.forfeited,
                    fund.fees,
                    fund.name,
                    short(&fund.pool)
                ))
            })
        }
    }
}

fn owner_text(owner: &Owner) -> String {
    match owner {
        Owner::Community => "community".into(),
        Owner::Member(m) => short_did(&m.to_did()),
    }
}

fn plan_text(plan: &MaintenancePlan) -> String {
    match (plan.every_loans, plan.every_days) {
        (0, 0) => "none".into(),
        (n, 0) => format!("every {n} loans"),
        (0, d) => format!("every {d} days"),
        (n, d) => format!("every {n} loans or {d} days"),
    }
}

fn items_table(items: &[ToolItem]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                short(&i.id),
                printable(&i.name),
                printable(&i.category),
                i.status.to_string(),
                i.deposit.to_string(),
                i.loan_period.to_string(),
                owner_text(&i.owner),
                i.holds.len().to_string(),
            ]
        })
        .collect();
    table(
        &[
            "ID", "NAME", "CATEGORY", "STATUS", "DEPOSIT", "PERIOD", "OWNER", "HOLDS",
        ],
        &rows,
    )
}

fn loans_table(loans: &[Loan]) -> String {
    let rows: Vec<Vec<String>> = loans
        .iter()
        .map(|l| {
            let settled = match (l.refunded.0, l.forfeited.0) {
                (0, 0) if l.state == hearth_protocol::economy::tools::LoanState::Closed => {
                    "no deposit".to_string()
                }
                (0, 0) => format!("{} in escrow", l.deposit),
                (_, 0) => format!("{} back", l.refunded),
                _ => format!("{} to the fund", l.forfeited),
            };
            vec![
                short(&l.id),
                printable(&l.name),
                short_did(&l.borrower.to_did()),
                datetime(l.started.0),
                datetime(l.due.0),
                if l.overdue {
                    format!("{} (overdue)", l.state)
                } else {
                    l.state.to_string()
                },
                l.condition.map(|c| c.to_string()).unwrap_or_default(),
                settled,
            ]
        })
        .collect();
    table(
        &[
            "LOAN",
            "ITEM",
            "BORROWER",
            "OUT",
            "DUE",
            "STATE",
            "CONDITION",
            "DEPOSIT",
        ],
        &rows,
    )
}

fn item_text(view: &ItemView) -> String {
    let i = &view.item;
    let condition = match i.condition {
        Some(c) if i.condition_note.is_empty() => c.to_string(),
        Some(c) => format!("{c} ({})", printable(&i.condition_note)),
        None => "not reported yet".into(),
    };
    let holders = i
        .holds
        .iter()
        .map(|h| short_did(&h.member.to_did()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = fields(&[
        ("id", i.id.to_string()),
        ("name", printable(&i.name)),
        ("category", printable(&i.category)),
        ("owner", owner_text(&i.owner)),
        ("status", i.status.to_string()),
        ("condition", condition),
        ("deposit", i.deposit.to_string()),
        ("replacement", i.replacement.to_string()),
        ("loan period", i.loan_period.to_string()),
        ("maintenance plan", plan_text(&i.plan)),
        ("loans", i.loans.to_string()),
        (
            "holds",
            if holders.is_empty() {
                "none".into()
            } else {
                holders
            },
        ),
    ]);
    if !view.loans.is_empty() {
        out.push_str("\nLoans:\n");
        out.push_str(&loans_table(&view.loans));
    }
    if !i.maintenance.is_empty() {
        out.push_str("\nMaintenance:\n");
        for m in &i.maintenance {
            let done = match m.done {
                Some(t) => format!("done {} ({})", datetime(t.0), printable(&m.note)),
                None => "in progress".into(),
            };
            out.push_str(&format!(
                "  {}  {}: {done}\n",
                datetime(m.started.0),
                printable(&m.reason)
            ));
        }
    }
    out
}

fn loans_text(loans: &LoansView) -> String {
    let mut out = if loans.mine.is_empty() {
        "You have no loans.\n".to_string()
    } else {
        format!("Your loans:\n{}", loans_table(&loans.mine))
    };
    if loans.overdue.is_empty() {
        out.push_str("\nNo loan is overdue.");
    } else {
        out.push_str("\nOverdue loans:\n");
        out.push_str(&loans_table(&loans.overdue));
    }
    out
}

fn holds_text(holds: &HoldsView) -> String {
    if holds.holds.is_empty() {
        return "You hold no items.".into();
    }
    let mut out = String::new();
    for h in &holds.holds {
        if let Some(until) = h.pickup_until {
            out.push_str(&format!(
                "It is your turn: collect {} by {} (hearth tool checkout {}).\n",
                printable(&h.name),
                datetime(until.0),
                short(&h.item)
            ));
        }
    }
    let rows: Vec<Vec<String>> = holds
        .holds
        .iter()
        .map(|h| {
            vec![
                short(&h.item),
                printable(&h.name),
                h.position.to_string(),
                h.status.to_string(),
                h.pickup_until.map(|t| datetime(t.0)).unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str(&table(
        &["ITEM", "NAME", "PLACE", "STATUS", "COLLECT BY"],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_conditions_parse() {
        assert_eq!(parse_value("0"), Ok(Kc(0)));
        assert_eq!(parse_value("12.5"), Ok(Kc(12_500)));
        assert!(parse_value("-1").is_err());
        assert!(parse_value("lots").is_err());
        assert_eq!(parse_condition("damaged"), Ok(Condition::Damaged));
        assert!(parse_condition("broken").is_err());
        let plan = MaintenancePlan {
            every_loans: 10,
            every_days: 0,
        };
        assert_eq!(plan_text(&plan), "every 10 loans");
    }
}
