//! `hearth hours`: the time bank — log hours given, record hours
//! received, confirm or decline, and follow what is pending and the totals.

use anyhow::{Result, bail};
use std::collections::BTreeMap;

use hearth_protocol::economy::time_bank::{Pending, TimeBankAction, TimeRecord, TotalsView};
use hearth_protocol::{ActionBody, Hash, Millis, PublicKey};
use serde::Deserialize;
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::duration;
use crate::economy::{find, read, short};
use crate::output::{datetime, named, printable, short_did, table};

/// Exchange hours of help in the time bank: what you give is paid in KC by who receives it.
///
/// Log the time you gave (`hearth hours log`, naming one recipient or
/// several, as for a class or a shared ride) or record the time you
/// received (`hearth hours received`); the other party confirms or
/// declines it. Each confirmation pays the provider at the community's
/// rate (1 KC an hour unless the rules say otherwise), from the
/// recipient's account. Shares not confirmed within the rules' expiry
/// (14 days by default) expire. A declined share is final.
///
/// Categories: childcare, eldercare, transportation, home_repair,
/// gardening, cooking, those your community added by rule, and the skill
/// categories (`hearth hours categories` lists them). Durations are whole minutes, 1 minute to 24 hours:
/// 90m, 2h, 1h30m. Records are named by id or the start of it (8 hex
/// digits or more); members by did:key or the name of one of your keys.
///
/// Examples:
///   hearth hours log did:key:z6Mk… 2h --category gardening --note "dug the beds"
///   hearth hours received did:key:z6Mk… 90m --category childcare
///   hearth hours pending
///   hearth hours confirm 3f2a9c01
///   hearth hours decline 3f2a9c01 --reason "that was another day"
///   hearth hours history --category gardening
///   hearth hours totals
///   hearth hours categories
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct HoursArgs {
    #[command(subcommand)]
    command: HoursCommand,
}

#[derive(Debug, clap::Subcommand)]
enum HoursCommand {
    /// Log time you gave to one or several members; each confirms their own share.
    ///
    /// Examples:
    ///   hearth hours log did:key:z6MkBob… 1h --category gardening
    ///   hearth hours log bob carol dave 90m --category cooking --note "bread class"
    #[command(
        verbatim_doc_comment,
        override_usage = "hearth hours log [OPTIONS] --category <CATEGORY> <RECIPIENT>... <DURATION>"
    )]
    Log {
        /// The recipients (each a did:key:… or a key name), then the duration (90m, 2h, 1h30m).
        #[arg(required = true, num_args = 2.., value_names = ["RECIPIENT", "DURATION"])]
        words: Vec<String>,
        /// The category: childcare, eldercare, transportation, home_repair, gardening, cooking, … (hearth hours categories).
        #[arg(long)]
        category: String,
        /// What was done (at most 1000 bytes).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record time a member gave you; they confirm it.
    ///
    /// Example:
    ///   hearth hours received did:key:z6MkAlice… 2h --category transportation
    #[command(verbatim_doc_comment)]
    Received {
        /// The provider: a did:key:… or a key name.
        provider: String,
        /// How long: 90m, 2h, 1h30m.
        #[arg(value_parser = parse_minutes)]
        duration: u32,
        /// The category: childcare, eldercare, transportation, home_repair, gardening, cooking, … (hearth hours categories).
        #[arg(long)]
        category: String,
        /// What was done (at most 1000 bytes).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Confirm your share of a record: as its recipient you pay the provider.
    ///
    /// Example:
    ///   hearth hours confirm 3f2a9c01
    #[command(verbatim_doc_comment)]
    Confirm {
        /// The record's id (at least 8 hex digits).
        record: String,
    },
    /// Decline your share of a record, for good.
    ///
    /// Example:
    ///   hearth hours decline 3f2a9c01 --reason "that was another day"
    #[command(verbatim_doc_comment)]
    Decline {
        /// The record's id (at least 8 hex digits).
        record: String,
        /// Why (seen by the other party).
        #[arg(long)]
        reason: String,
    },
    /// List the records you are to confirm and those awaiting others.
    #[command(verbatim_doc_comment)]
    Pending,
    /// List records, oldest first, optionally of one member or category.
    ///
    /// Examples:
    ///   hearth hours history
    ///   hearth hours history --member did:key:z6Mk… --category cooking
    #[command(verbatim_doc_comment)]
    History {
        /// Only records this member gave or received in (a did:key:… or a key name).
        #[arg(long)]
        member: Option<String>,
        /// Only records of this category.
        #[arg(long)]
        category: Option<String>,
    },
    /// Show confirmed minutes and KC per member and per category.
    #[command(verbatim_doc_comment)]
    Totals,
    /// List the categories in force.
    #[command(verbatim_doc_comment)]
    Categories,
}

/// Parses a duration of whole minutes (clap `value_parser`).
pub fn parse_minutes(text: &str) -> Result<u32, String> {
    let Millis(ms) = duration::parse(text)?;
    if ms % 60_000 != 0 {
        return Err(format!("{text:?} is not a whole number of minutes"));
    }
    u32::try_from(ms / 60_000).map_err(|_| format!("the duration {text:?} is too long"))
}

/// Minutes for people: `45m`, `2h`, `1h30m`.
pub fn minutes_text(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

#[derive(Deserialize)]
struct Records {
    records: Vec<TimeRecord>,
    #[serde(default)]
    names: Names,
}

/// Display names by did, as answers carry them.
type Names = BTreeMap<String, String>;

#[derive(Deserialize)]
struct Categories {
    categories: Vec<String>,
}

/// The record `text` names, among the signer's records.
fn record_id(ctx: &Context, text: &str) -> Result<Hash> {
    if let Ok(id) = text.trim().parse::<Hash>() {
        return Ok(id);
    }
    let me = ctx.signer()?.public();
    let path = format!("/v1/hours?member={}", me.to_did());
    let (_, list): (_, Records) = read(ctx, &path, "time record list")?;
    Ok(find(
        &list.records,
        text,
        "time record",
        "unknown_record",
        |_| None,
        |r| r.id,
    )?
    .id)
}

/// Runs `hearth hours`.
pub fn run(ctx: &Context, args: HoursArgs) -> Result<()> {
    match args.command {
        HoursCommand::Log {
            mut words,
            category,
            note,
        } => {
            let Some(last) = words.pop() else {
                bail!("name at least one recipient and a duration");
            };
            let minutes = parse_minutes(&last).map_err(anyhow::Error::msg)?;
            let recipients = words
                .iter()
                .map(|w| ctx.member(w))
                .collect::<Result<Vec<PublicKey>>>()?;
            let dids: Vec<String> = recipients.iter().map(|k| k.to_did()).collect();
            let body = TimeBankAction::Log {
                recipients,
                minutes,
                category: category.clone(),
                note,
            };
            let receipt = ctx.session()?.submit(ActionBody::TimeBank(body))?;
            let value = receipt_json(
                &receipt,
                json!({ "recipients": dids, "minutes": minutes, "category": category }),
            );
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nLogged {} of {category} for {}: awaiting confirmation ({})",
                    receipt.id,
                    minutes_text(minutes.into()),
                    dids.iter()
                        .map(|d| short_did(d))
                        .collect::<Vec<_>>()
                        .join(", "),
                    receipt_text(&receipt)
                ))
            })
        }
        HoursCommand::Received {
            provider,
            duration,
            category,
            note,
        } => {
            let provider = ctx.member(&provider)?;
            let body = TimeBankAction::Received {
                provider,
                minutes: duration,
                category: category.clone(),
                note,
            };
            let receipt = ctx.session()?.submit(ActionBody::TimeBank(body))?;
            let did = provider.to_did();
            let value = receipt_json(
                &receipt,
                json!({ "provider": did, "minutes": duration, "category": category }),
            );
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nRecorded {} of {category} from {}: awaiting their confirmation ({})",
                    receipt.id,
                    minutes_text(duration.into()),
                    short_did(&did),
                    receipt_text(&receipt)
                ))
            })
        }
        HoursCommand::Confirm { record } => {
            let id = record_id(ctx, &record)?;
            let body = TimeBankAction::Confirm { record: id };
            let receipt = ctx.session()?.submit(ActionBody::TimeBank(body))?;
            let value = receipt_json(&receipt, json!({ "record": id }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Confirmed record {} ({})",
                    short(&id),
                    receipt_text(&receipt)
                ))
            })
        }
        HoursCommand::Decline { record, reason } => {
            let id = record_id(ctx, &record)?;
            let body = TimeBankAction::Decline { record: id, reason };
            let receipt = ctx.session()?.submit(ActionBody::TimeBank(body))?;
            let value = receipt_json(&receipt, json!({ "record": id }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Declined record {} ({})",
                    short(&id),
                    receipt_text(&receipt)
                ))
            })
        }
        HoursCommand::Pending => {
            let (value, pending): (_, Pending) = read(ctx, "/v1/hours/pending", "pending list")?;
            let names = names_in(&value);
            ctx.out.show(&value, || Ok(pending_text(&pending, &names)))
        }
        HoursCommand::History { member, category } => {
            let mut query = Vec::new();
            if let Some(m) = member {
                query.push(format!("member={}", ctx.member(&m)?.to_did()));
            }
            if let Some(c) = category {
                query.push(format!("category={c}"));
            }
            let mut path = "/v1/hours".to_string();
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let (value, list): (_, Records) = read(ctx, &path, "time record list")?;
            ctx.out.show(&value, || {
                Ok(if list.records.is_empty() {
                    "No time records.".into()
                } else {
                    records_table(&list.records, &list.names)
                })
            })
        }
        HoursCommand::Totals => {
            let (value, totals): (_, TotalsView) = read(ctx, "/v1/hours/totals", "totals")?;
            let names = names_in(&value);
            ctx.out.show(&value, || Ok(totals_text(&totals, &names)))
        }
        HoursCommand::Categories => {
            let (value, list): (_, Categories) =
                read(ctx, "/v1/hours/categories", "category list")?;
            ctx.out.show(&value, || Ok(list.categories.join("\n")))
        }
    }
}

/// The `names` of an answer (none if it has none).
fn names_in(value: &serde_json::Value) -> Names {
    serde_json::from_value(value["names"].clone()).unwrap_or_default()
}

fn shares_text(record: &TimeRecord, names: &Names) -> String {
    record
        .shares
        .iter()
        .map(|s| format!("{} {}", named(names, &s.member.to_did()), s.state))
        .collect::<Vec<_>>()
        .join(", ")
}

fn records_table(records: &[TimeRecord], names: &Names) -> String {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                short(&r.id),
                r.category.clone(),
                minutes_text(r.minutes.into()),
                named(names, &r.provider.to_did()),
                shares_text(r, names),
                datetime(r.created.0),
                printable(&r.note),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "CATEGORY",
            "TIME",
            "PROVIDER",
            "RECIPIENTS",
            "LOGGED",
            "NOTE",
        ],
        &rows,
    )
}

fn pending_text(pending: &Pending, names: &Names) -> String {
    let mut out = String::new();
    if pending.to_confirm.is_empty() {
        out.push_str("Nothing to confirm.\n");
    } else {
        out.push_str("To confirm or decline (hearth hours confirm ID):\n");
        out.push_str(&records_table(&pending.to_confirm, names));
    }
    if pending.awaiting.is_empty() {
        out.push_str("\nNothing awaiting others.");
    } else {
        out.push_str("\nAwaiting others:\n");
        out.push_str(&records_table(&pending.awaiting, names));
    }
    out
}

fn totals_text(totals: &TotalsView, names: &Names) -> String {
    let rows: Vec<Vec<String>> = totals
        .members
        .iter()
        .map(|m| {
            vec![
                named(names, &m.member.to_did()),
                minutes_text(m.totals.given_minutes),
                m.totals.earned.to_string(),
                minutes_text(m.totals.received_minutes),
                m.totals.paid.to_string(),
            ]
        })
        .collect();
    let mut out = if rows.is_empty() {
        "No confirmed hours yet.\n".to_string()
    } else {
        table(&["MEMBER", "GIVEN", "EARNED", "RECEIVED", "PAID"], &rows)
    };
    let rows: Vec<Vec<String>> = totals
        .categories
        .iter()
        .map(|c| {
            vec![
                c.category.clone(),
                minutes_text(c.totals.minutes),
                c.totals.shares.to_string(),
                c.totals.paid.to_string(),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(&["CATEGORY", "TIME", "SHARES", "PAID"], &rows));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_whole_minutes() {
        assert_eq!(parse_minutes("90m"), Ok(90));
        assert_eq!(parse_minutes("2h"), Ok(120));
        assert_eq!(parse_minutes("1h30m"), Ok(90));
        assert!(
            parse_minutes("30s")
                .unwrap_err()
                .contains("whole number of minutes")
        );
        assert!(
            parse_minutes("soon")
                .unwrap_err()
                .contains("invalid duration")
        );
        assert_eq!(minutes_text(45), "45m");
        assert_eq!(minutes_text(120), "2h");
        assert_eq!(minutes_text(90), "1h30m");
    }
}
