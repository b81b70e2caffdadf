//! `hearth skills`: skill sharing — offer and request skills, find the
//! listings that fit yours, and accept one as an exchange that settles
//! through the time bank.

use std::collections::BTreeMap;

use anyhow::Result;
use hearth_protocol::economy::skills::{
    ListingKind, ListingState, ListingView, Match, SkillsAction,
};
use hearth_protocol::{ActionBody, Hash};
use serde::Deserialize;
use serde_json::json;

use super::hours::{minutes_text, parse_minutes};
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::economy::{find, read, short};
use crate::output::{datetime, named, printable, table};

/// Share skills: offer what you can teach or do, request what you need, and settle exchanges in hours.
///
/// Post an offer or a request in a category — tutoring, mentorship,
/// crafts, digital, or one your community added by rule (`hearth skills
/// categories`) — with the skill, a description and when you are
/// available. `hearth skills match` lists the requests that fit your
/// offers and the offers that fit your requests: same category, skills
/// sharing a word; the same skill first, then the most words in common,
/// then the most recent.
///
/// Accepting a listing records the exchange in the time bank: accepting
/// an offer is time you received, which its author confirms (you pay
/// them); accepting a request is time you gave, which its author confirms
/// (they pay you). A request is fulfilled once; an offer stays open until
/// its author withdraws it. Listings are named by the start of their id
/// (8 hex digits or more).
///
/// Examples:
///   hearth skills offer tutoring "Algebra" --description "GCSE level" --availability "weekday evenings"
///   hearth skills request digital "Spreadsheets" --availability "Saturdays"
///   hearth skills list --category tutoring
///   hearth skills match
///   hearth skills accept 3f2a9c01 1h30m --note "formulas and charts"
///   hearth skills withdraw 3f2a9c01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SkillsArgs {
    #[command(subcommand)]
    command: SkillsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SkillsCommand {
    /// Offer a skill you can share.
    ///
    /// Example:
    ///   hearth skills offer crafts "Bicycle repair" --availability "Sunday mornings"
    #[command(verbatim_doc_comment)]
    Offer(Post),
    /// Request a skill you need.
    ///
    /// Example:
    ///   hearth skills request tutoring "Algebra" --description "my son, year 9"
    #[command(verbatim_doc_comment)]
    Request(Post),
    /// List open listings, newest first.
    ///
    /// Examples:
    ///   hearth skills list --category crafts --offers
    ///   hearth skills list --mine --all
    #[command(verbatim_doc_comment)]
    List {
        /// Only this category.
        #[arg(long)]
        category: Option<String>,
        /// Only offers.
        #[arg(long, conflicts_with = "requests")]
        offers: bool,
        /// Only requests.
        #[arg(long)]
        requests: bool,
        /// Only your own listings.
        #[arg(long)]
        mine: bool,
        /// Taken, fulfilled and withdrawn listings too.
        #[arg(long)]
        all: bool,
    },
    /// Show one listing with its exchanges.
    #[command(verbatim_doc_comment)]
    Show {
        /// The listing's id (at least 8 hex digits).
        listing: String,
    },
    /// List the listings of others that fit your open listings.
    #[command(verbatim_doc_comment)]
    Match,
    /// Accept a listing: record the exchange in the time bank, for its author to confirm.
    ///
    /// Example:
    ///   hearth skills accept 3f2a9c01 1h --note "fixed the gears"
    #[command(verbatim_doc_comment)]
    Accept {
        /// The listing's id (at least 8 hex digits).
        listing: String,
        /// How long the exchange took: 90m, 2h, 1h30m.
        #[arg(value_parser = parse_minutes)]
        duration: u32,
        /// What was done (at most 1000 bytes; the skill if empty).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Withdraw your listing, for good.
    #[command(verbatim_doc_comment)]
    Withdraw {
        /// The listing's id (at least 8 hex digits).
        listing: String,
    },
    /// List the skill categories in force.
    #[command(verbatim_doc_comment)]
    Categories,
}

/// What an offer or a request says.
#[derive(Debug, clap::Args)]
struct Post {
    /// The category: tutoring, mentorship, crafts, digital or one your community added.
    category: String,
    /// The skill, in a few words.
    skill: String,
    /// What you offer or need (at most 1000 bytes).
    #[arg(long, default_value = "")]
    description: String,
    /// When you are available (at most 200 bytes).
    #[arg(long, default_value = "")]
    availability: String,
}

#[derive(Deserialize)]
struct Listings {
    listings: Vec<ListingView>,
    #[serde(default)]
    names: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Matches {
    matches: Vec<Match>,
    #[serde(default)]
    names: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Categories {
    categories: Vec<String>,
}

/// The listing `text` names: a full id, or the start of an open one's.
fn listing_id(ctx: &Context, text: &str) -> Result<Hash> {
    if let Ok(id) = text.trim().parse::<Hash>() {
        return Ok(id);
    }
    let (_, list): (_, Listings) = read(ctx, "/v1/skills?all=true", "listing list")?;
    let found = find(
        &list.listings,
        text,
        "skill listing",
        "unknown_listing",
        |_| None,
        |l| l.listing.id,
    )?;
    Ok(found.listing.id)
}

/// Runs `hearth skills`.
pub fn run(ctx: &Context, args: SkillsArgs) -> Result<()> {
    match args.command {
        SkillsCommand::Offer(p) => post(ctx, ListingKind::Offer, p),
        SkillsCommand::Request(p) => post(ctx, ListingKind::Request, p),
        SkillsCommand::List {
            category,
            offers,
            requests,
            mine,
            all,
        } => {
            let mut query = Vec::new();
            if let Some(c) = category {
                query.push(format!("category={c}"));
            }
            if offers {
                query.push("kind=offer".to_string());
            }
            if requests {
                query.push("kind=request".to_string());
            }
            if mine {
                query.push(format!("member={}", ctx.signer()?.public().to_did()));
            }
            if all {
                query.push("all=true".to_string());
            }
            let path = match query.is_empty() {
                true => "/v1/skills".to_string(),
                false => format!("/v1/skills?{}", query.join("&")),
            };
            let (value, list): (_, Listings) = read(ctx, &path, "listing list")?;
            ctx.out.show(&value, || {
                Ok(if list.listings.is_empty() {
                    "No listings.".into()
                } else {
                    listings_table(&list.listings, &list.names)
                })
            })
        }
        SkillsCommand::Show { listing } => {
            let id = listing_id(ctx, &listing)?;
            let (value, view): (_, ListingView) =
                read(ctx, &format!("/v1/skills/{id}"), "listing")?;
            let names: BTreeMap<String, String> =
                serde_json::from_value(value["names"].clone()).unwrap_or_default();
            ctx.out.show(&value, || Ok(show_text(&view, &names)))
        }
        SkillsCommand::Match => {
            let (value, found): (_, Matches) = read(ctx, "/v1/skills/matches", "matches")?;
            ctx.out.show(&value, || Ok(matches_text(&found)))
        }
        SkillsCommand::Accept {
            listing,
            duration,
            note,
        } => {
            let id = listing_id(ctx, &listing)?;
            let body = SkillsAction::Accept {
                listing: id,
                minutes: duration,
                note,
            };
            let receipt = ctx.session()?.submit(ActionBody::Skills(body))?;
            let value = receipt_json(&receipt, json!({ "listing": id, "minutes": duration }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nAccepted listing {}: {} recorded in the time bank, awaiting the other party's confirmation ({})",
                    receipt.id,
                    short(&id),
                    minutes_text(duration.into()),
                    receipt_text(&receipt)
                ))
            })
        }
        SkillsCommand::Withdraw { listing } => {
            let id = listing_id(ctx, &listing)?;
            let body = SkillsAction::Withdraw { listing: id };
            let receipt = ctx.session()?.submit(ActionBody::Skills(body))?;
            let value = receipt_json(&receipt, json!({ "listing": id }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Withdrew listing {} ({})",
                    short(&id),
                    receipt_text(&receipt)
                ))
            })
        }
        SkillsCommand::Categories => {
            let (value, list): (_, Categories) =
                read(ctx, "/v1/skills/categories", "category list")?;
            ctx.out.show(&value, || Ok(list.categories.join("\n")))
        }
    }
}

fn post(ctx: &Context, kind: ListingKind, p: Post) -> Result<()> {
    let body = SkillsAction::Post {
        kind,
        category: p.category.clone(),
        skill: p.skill.clone(),
        description: p.description,
        availability: p.availability,
    };
    let receipt = ctx.session()?.submit(ActionBody::Skills(body))?;
    let value = receipt_json(
        &receipt,
        json!({ "kind": kind.as_str(), "category": p.category, "skill": p.skill }),
    );
    ctx.out.show(&value, || {
        Ok(format!(
            "{}\nPosted {} of {:?} in {} ({})",
            receipt.id,
            match kind {
                ListingKind::Offer => "an offer",
                ListingKind::Request => "a request",
            },
            p.skill,
            p.category,
            receipt_text(&receipt)
        ))
    })
}

fn state_text(view: &ListingView) -> String {
    match view.state {
        ListingState::Open => "open".into(),
        other => other.to_string(),
    }
}

fn listings_table(listings: &[ListingView], names: &BTreeMap<String, String>) -> String {
    let rows: Vec<Vec<String>> = listings
        .iter()
        .map(|v| {
            let l = &v.listing;
            vec![
                short(&l.id),
                l.kind.as_str().into(),
                l.category.clone(),
                printable(&l.skill),
                named(names, &l.author.to_did()),
                printable(&l.availability),
                state_text(v),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "KIND",
            "CATEGORY",
            "SKILL",
            "BY",
            "AVAILABLE",
            "STATE",
        ],
        &rows,
    )
}

fn show_text(view: &ListingView, names: &BTreeMap<String, String>) -> String {
    let l = &view.listing;
    let mut out = format!(
        "id            {}\nkind          {}\ncategory      {}\nskill         {}\nby            {}\navailability  {}\nposted        {}\nstate         {}\ndescription   {}",
        l.id,
        l.kind.as_str(),
        l.category,
        printable(&l.skill),
        named(names, &l.author.to_did()),
        printable(&l.availability),
        datetime(l.created.0),
        state_text(view),
        printable(&l.description),
    );
    for x in &view.exchanges {
        out.push_str(&format!("\nexchange      {x} (hearth hours history)"));
    }
    out
}

fn matches_text(found: &Matches) -> String {
    if found.matches.is_empty() {
        return "No matches: nothing open fits your open listings.".into();
    }
    let rows: Vec<Vec<String>> = found
        .matches
        .iter()
        .map(|m| {
            let l = &m.theirs.listing;
            vec![
                short(&m.mine),
                short(&l.id),
                l.kind.as_str().into(),
                l.category.clone(),
                printable(&l.skill),
                named(&found.names, &l.author.to_did()),
                printable(&l.availability),
            ]
        })
        .collect();
    format!(
        "Listings that fit yours (hearth skills accept ID DURATION):\n{}",
        table(
            &[
                "YOURS",
                "ID",
                "KIND",
                "CATEGORY",
                "SKILL",
                "BY",
                "AVAILABLE"
            ],
            &rows
        )
    )
}
