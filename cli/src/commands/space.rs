//! `hearth space`: shared spaces — list and show them, book them once or
//! weekly, cancel bookings, export calendars; stewards add and change
//! spaces.

use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use hearth_protocol::economy::spaces::{
    Booking, Series, Space, SpaceKind, SpaceSpec, SpacesAction,
};
use hearth_protocol::{ActionBody, Hash, Millis, Timestamp};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use serde::Deserialize;
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::{Context, now};
use crate::duration;
use crate::economy::{find, read, short};
use crate::output::{datetime, fields, printable, short_did, table};

/// Book the community's shared spaces — rooms, halls, storage, garden plots — as in a room-booking system.
///
/// Each space has a capacity (places usable at once), a buffer kept free
/// after every booking, a shortest and longest booking, and a horizon (how
/// far ahead a booking may end). A booking occupies its places from its
/// start to its end plus the buffer; one that would take more places than
/// the space has at any instant is refused with `overlap`, naming the
/// booking it clashes with. `--weekly N` books N occurrences a week apart
/// in one signed action: those that fit are booked and the others listed
/// (with `--all-or-nothing`, none unless all fit). The booker or a steward
/// cancels a booking. Stewards (the council in power, unless the rules
/// appoint `spaces.stewards`) add and change spaces.
///
/// Times are RFC 3339 (2026-12-08T10:00:00Z) or local time: "2026-12-08
/// 10:00", "tomorrow 10:00", "today 14:30"; --to also takes a bare time
/// ("12:00", the day of --from), and --for a duration instead (90m, 2h).
/// Spaces are named by name or id; bookings by id (8 hex digits or more).
///
/// Calendar applications cannot sign requests, so there is no feed URL to
/// subscribe to: `hearth space calendar` fetches a feed (a space's
/// bookings, or your own bookings and tool loans due back) with a signed
/// request and writes an iCalendar
/// file (RFC 5545) to import; run it again to refresh.
///
/// Examples:
///   hearth space create Workshop --kind coworking --capacity 1 --buffer 15m --max 4h
///   hearth space list
///   hearth space book Workshop --from "tomorrow 10:00" --to 12:00
///   hearth space book Hall --from "2026-12-08 18:00" --for 2h --weekly 8 --places 20
///   hearth space show Workshop
///   hearth space cancel 3f2a9c01
///   hearth space calendar Workshop --out workshop.ics
///   hearth space calendar --out my-bookings.ics
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SpaceArgs {
    #[command(subcommand)]
    command: SpaceCommand,
}

/// A space's terms as options; `create` fills what is left out with
/// defaults, `update` keeps the space's current values.
#[derive(Debug, clap::Args)]
struct Terms {
    /// coworking, events, storage or community_gardens.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<SpaceKind>,
    /// Places usable at once [create: 1].
    #[arg(long)]
    capacity: Option<u32>,
    /// Kept free after each booking: 15m, 1h [create: 0s].
    #[arg(long, value_parser = duration::parse_or_zero)]
    buffer: Option<Millis>,
    /// Shortest booking [create: 30m].
    #[arg(long, value_parser = duration::parse)]
    min: Option<Millis>,
    /// Longest booking, at most 90 days [create: 8h].
    #[arg(long, value_parser = duration::parse)]
    max: Option<Millis>,
    /// How far ahead a booking may end, at most two years [create: 90d].
    #[arg(long, value_parser = duration::parse)]
    horizon: Option<Millis>,
}

#[derive(Debug, clap::Subcommand)]
enum SpaceCommand {
    /// List the spaces and their terms.
    #[command(verbatim_doc_comment)]
    List,
    /// Show a space and its bookings.
    #[command(verbatim_doc_comment)]
    Show {
        /// The space: its name or id.
        space: String,
    },
    /// Add a space (stewards).
    ///
    /// Example:
    ///   hearth space create "Main hall" --kind events --capacity 80 --buffer 30m --max 6h
    #[command(verbatim_doc_comment)]
    Create {
        /// Its name, unique in the community.
        name: String,
        #[command(flatten)]
        terms: Terms,
    },
    /// Change a space's name or terms (stewards); bookings made stay.
    ///
    /// Example:
    ///   hearth space update Workshop --capacity 2 --buffer 30m
    #[command(verbatim_doc_comment)]
    Update {
        /// The space: its name or id.
        space: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        terms: Terms,
    },
    /// Book a space, once or weekly.
    ///
    /// Examples:
    ///   hearth space book Workshop --from "tomorrow 10:00" --to 12:00
    ///   hearth space book Workshop --from 2026-12-08T09:00:00Z --for 90m --weekly 4
    #[command(verbatim_doc_comment)]
    Book {
        /// The space: its name or id.
        space: String,
        /// The start: RFC 3339, "YYYY-MM-DD HH:MM", "tomorrow HH:MM" or "today HH:MM" (local time).
        #[arg(long)]
        from: String,
        /// The end: as --from, or a bare time "HH:MM" on the day of --from.
        #[arg(
            long,
            required_unless_present = "duration",
            conflicts_with = "duration"
        )]
        to: Option<String>,
        /// The length instead of --to: 90m, 2h.
        #[arg(long = "for", value_parser = duration::parse)]
        duration: Option<Millis>,
        /// Places taken.
        #[arg(long, default_value_t = 1)]
        places: u32,
        /// Occurrences a week apart (1 to 52).
        #[arg(long, default_value_t = 1)]
        weekly: u32,
        /// With --weekly: book none unless every occurrence fits.
        #[arg(long)]
        all_or_nothing: bool,
        /// What it is for (shown in calendars).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Cancel a booking (yours, or any as a steward).
    #[command(verbatim_doc_comment)]
    Cancel {
        /// The booking's id (at least 8 hex digits).
        booking: String,
    },
    /// Write an iCalendar (RFC 5545) file of a space's bookings, or of your own bookings and loans due.
    ///
    /// Examples:
    ///   hearth space calendar Workshop --out workshop.ics
    ///   hearth space calendar > my-bookings.ics
    #[command(verbatim_doc_comment)]
    Calendar {
        /// The space (name or id); without it, your own bookings and tool loans due back.
        space: Option<String>,
        /// The file to write (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

fn parse_kind(text: &str) -> Result<SpaceKind, String> {
    SpaceKind::parse(text)
        .ok_or_else(|| format!("{text:?}: one of coworking, events, storage, community_gardens"))
}

/// Reads a time as a person writes it, in `zone`; `day` is the date a
/// bare time falls on.
pub fn parse_time(text: &str, zone: &TimeZone, day: Date) -> Result<Timestamp, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "{text:?} is not a time: use 2026-12-08T10:00:00Z, \"2026-12-08 10:00\", \"tomorrow 10:00\" or \"10:00\""
        )
    };
    let instant = if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        ts
    } else {
        let civil = if let Ok(dt) = text.parse::<DateTime>() {
            dt
        } else {
            let (date, time) = match text.split_once(' ') {
                Some(("today", t)) => (day, t),
                Some(("tomorrow", t)) => (day.tomorrow().map_err(|_| bad())?, t),
                Some(_) => return Err(bad()),
                None => (day, text),
            };
            let time: Time = time.trim().parse().map_err(|_| bad())?;
            date.to_datetime(time)
        };
        civil
            .to_zoned_datetime(zone.clone())
            .map_err(|_| bad())?
            .timestamp()
    };
    u64::try_from(instant.as_millisecond())
        .map(Timestamp)
        .map_err(|_| bad())
}

#[derive(Deserialize)]
struct Spaces {
    spaces: Vec<Space>,
}

#[derive(Deserialize)]
struct SpaceView {
    space: Space,
    bookings: Vec<Booking>,
}

fn spaces(ctx: &Context) -> Result<Vec<Space>> {
    let (_, list): (_, Spaces) = read(ctx, "/v1/spaces", "space list")?;
    Ok(list.spaces)
}

/// The space `text` names.
fn find_space(ctx: &Context, text: &str) -> Result<Space> {
    let all = spaces(ctx)?;
    Ok(find(
        &all,
        text,
        "space",
        "unknown_space",
        |s| Some(s.spec.name.as_str()),
        |s| s.id,
    )?
    .clone())
}

/// The booking `text` names: a full id, or the start of one among the
/// spaces' bookings.
fn booking_id(ctx: &Context, text: &str) -> Result<Hash> {
    if let Ok(id) = text.trim().parse::<Hash>() {
        return Ok(id);
    }
    let mut all = Vec::new();
    for space in spaces(ctx)? {
        let (_, view): (_, SpaceView) = read(ctx, &format!("/v1/spaces/{}", space.id), "space")?;
        all.extend(view.bookings);
    }
    Ok(find(&all, text, "booking", "unknown_booking", |_| None, |b| b.id)?.id)
}

/// Runs `hearth space`.
pub fn run(ctx: &Context, args: SpaceArgs) -> Result<()> {
    match args.command {
        SpaceCommand::List => {
            let (value, list): (_, Spaces) = read(ctx, "/v1/spaces", "space list")?;
            ctx.out.show(&value, || {
                Ok(if list.spaces.is_empty() {
                    "No spaces yet (stewards add them: hearth space create).".into()
                } else {
                    spaces_table(&list.spaces)
                })
            })
        }
        SpaceCommand::Show { space } => {
            let space = find_space(ctx, &space)?;
            let (value, view): (_, SpaceView) =
                read(ctx, &format!("/v1/spaces/{}", space.id), "space")?;
            ctx.out.show(&value, || Ok(space_text(&view)))
        }
        SpaceCommand::Create { name, terms } => {
            let spec = SpaceSpec {
                name,
                kind: terms.kind.unwrap_or(SpaceKind::Coworking),
                capacity: terms.capacity.unwrap_or(1),
                buffer: terms.buffer.unwrap_or(Millis(0)),
                min_length: terms.min.unwrap_or(Millis(30 * 60_000)),
                max_length: terms.max.unwrap_or(Millis::hours(8)),
                horizon: terms.horizon.unwrap_or(Millis::days(90)),
            };
            let body = SpacesAction::Create(spec.clone());
            let receipt = ctx.session()?.submit(ActionBody::Spaces(body))?;
            let value = receipt_json(&receipt, json!({ "space": spec }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nAdded the space {} ({}, {} place(s)) ({})",
                    receipt.id,
                    printable(&spec.name),
                    spec.kind,
                    spec.capacity,
                    receipt_text(&receipt)
                ))
            })
        }
        SpaceCommand::Update { space, name, terms } => {
            let current = find_space(ctx, &space)?;
            let old = current.spec;
            let spec = SpaceSpec {
                name: name.unwrap_or(old.name),
                kind: terms.kind.unwrap_or(old.kind),
                capacity: terms.capacity.unwrap_or(old.capacity),
                buffer: terms.buffer.unwrap_or(old.buffer),
                min_length: terms.min.unwrap_or(old.min_length),
                max_length: terms.max.unwrap_or(old.max_length),
                horizon: terms.horizon.unwrap_or(old.horizon),
            };
            let body = SpacesAction::Update {
                space: current.id,
                spec: spec.clone(),
            };
            let receipt = ctx.session()?.submit(ActionBody::Spaces(body))?;
            let value = receipt_json(&receipt, json!({ "space": current.id, "spec": spec }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Changed the space {} ({})",
                    printable(&spec.name),
                    receipt_text(&receipt)
                ))
            })
        }
        SpaceCommand::Book {
            space,
            from,
            to,
            duration,
            places,
            weekly,
            all_or_nothing,
            note,
        } => {
            let space = find_space(ctx, &space)?;
            let zone = TimeZone::system();
            let today = jiff::Timestamp::now()
                .to_zoned_datetime(zone.clone())
                .date();
            let start = parse_time(&from, &zone, today).map_err(anyhow::Error::msg)?;
            let end = match (to, duration) {
                (_, Some(length)) => start.plus(length),
                (Some(to), None) => {
                    let day = jiff::Timestamp::from_millisecond(start.0 as i64)
                        .context("the start is out of range")?
                        .to_zoned_datetime(zone.clone())
                        .date();
                    parse_time(&to, &zone, day).map_err(anyhow::Error::msg)?
                }
                (None, None) => bail!("say when the booking ends: --to or --for"),
            };
            let body = SpacesAction::Book {
                space: space.id,
                start,
                end,
                places,
                weekly,
                all_or_nothing,
                note,
            };
            let receipt = ctx.session()?.submit(ActionBody::Spaces(body))?;
            let (_, series): (_, Series) =
                read(ctx, &format!("/v1/spaces/series/{}", receipt.id), "booking")?;
            let value = receipt_json(
                &receipt,
                json!({ "space": space.id, "booked": series.booked, "skipped": series.skipped }),
            );
            ctx.out.show(&value, || {
                let mut out = format!(
                    "{}\nBooked {} from {} to {}",
                    receipt.id,
                    printable(&space.spec.name),
                    datetime(start.0),
                    datetime(end.0)
                );
                if weekly > 1 {
                    out.push_str(&format!(", {} of {weekly} weeks", series.booked.len()));
                }
                out.push_str(&format!(" ({})", receipt_text(&receipt)));
                for s in &series.skipped {
                    out.push_str(&format!(
                        "\nNot booked: {} to {}: {} ({})",
                        datetime(s.start.0),
                        datetime(s.end.0),
                        s.reason,
                        s.code
                    ));
                }
                Ok(out)
            })
        }
        SpaceCommand::Cancel { booking } => {
            let id = booking_id(ctx, &booking)?;
            let body = SpacesAction::Cancel { booking: id };
            let receipt = ctx.session()?.submit(ActionBody::Spaces(body))?;
            let value = receipt_json(&receipt, json!({ "booking": id }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Cancelled booking {} ({})",
                    short(&id),
                    receipt_text(&receipt)
                ))
            })
        }
        SpaceCommand::Calendar { space, out } => {
            let path = match space {
                Some(text) => format!("/v1/spaces/{}/calendar.ics", find_space(ctx, &text)?.id),
                None => "/v1/calendar.ics".to_string(),
            };
            let signer = ctx.signer()?;
            let feed = ctx
                .client()?
                .get_signed_text(&path, &signer.keypair, now()?)?;
            let events = feed.matches("BEGIN:VEVENT").count();
            match out {
                None => {
                    print!("{feed}");
                    Ok(())
                }
                Some(file) => {
                    std::fs::write(&file, &feed)
                        .with_context(|| format!("cannot write {}", file.display()))?;
                    let value = json!({ "file": file, "events": events });
                    ctx.out.show(&value, || {
                        Ok(format!(
                            "Wrote {} event(s) to {}: import it into your calendar application",
                            events,
                            file.display()
                        ))
                    })
                }
            }
        }
    }
}

fn length_text(ms: Millis) -> String {
    ms.to_string()
}

fn spaces_table(spaces: &[Space]) -> String {
    let rows: Vec<Vec<String>> = spaces
        .iter()
        .map(|s| {
            vec![
                printable(&s.spec.name),
                s.spec.kind.to_string(),
                s.spec.capacity.to_string(),
                length_text(s.spec.buffer),
                format!(
                    "{} – {}",
                    length_text(s.spec.min_length),
                    length_text(s.spec.max_length)
                ),
                length_text(s.spec.horizon),
                short(&s.id),
            ]
        })
        .collect();
    table(
        &[
            "NAME", "KIND", "PLACES", "BUFFER", "LENGTH", "HORIZON", "ID",
        ],
        &rows,
    )
}

fn space_text(view: &SpaceView) -> String {
    let s = &view.space;
    let mut out = fields(&[
        ("name", printable(&s.spec.name)),
        ("id", s.id.to_string()),
        ("kind", s.spec.kind.to_string()),
        ("places", s.spec.capacity.to_string()),
        ("buffer", length_text(s.spec.buffer)),
        (
            "length",
            format!(
                "{} to {}",
                length_text(s.spec.min_length),
                length_text(s.spec.max_length)
            ),
        ),
        ("horizon", length_text(s.spec.horizon)),
    ]);
    if view.bookings.is_empty() {
        out.push_str("\nNo bookings.");
        return out;
    }
    let rows: Vec<Vec<String>> = view
        .bookings
        .iter()
        .map(|b| {
            vec![
                short(&b.id),
                datetime(b.start.0),
                datetime(b.end.0),
                b.places.to_string(),
                short_did(&b.booker.to_did()),
                printable(&b.note),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &["ID", "FROM", "TO", "PLACES", "BOOKER", "NOTE"],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_people_write_them() {
        let utc = TimeZone::UTC;
        let day = Date::new(2026, 12, 7).expect("date");
        let at = |y, mo, d, h, mi| {
            let dt = DateTime::new(y, mo, d, h, mi, 0, 0).expect("datetime");
            Ok(Timestamp(
                dt.to_zoned_datetime(TimeZone::UTC)
                    .expect("zoned")
                    .timestamp()
                    .as_millisecond() as u64,
            ))
        };
        assert_eq!(
            parse_time("2026-12-08T10:00:00Z", &utc, day),
            at(2026, 12, 8, 10, 0)
        );
        assert_eq!(
            parse_time("2026-12-08 10:00", &utc, day),
            at(2026, 12, 8, 10, 0)
        );
        assert_eq!(
            parse_time("tomorrow 10:00", &utc, day),
            at(2026, 12, 8, 10, 0)
        );
        assert_eq!(
            parse_time("today 14:30", &utc, day),
            at(2026, 12, 7, 14, 30)
        );
        assert_eq!(parse_time("12:00", &utc, day), at(2026, 12, 7, 12, 0));
        let paris = TimeZone::get("Europe/Paris").expect("zone");
        assert_eq!(
            parse_time("2026-12-08 11:00", &paris, day),
            at(2026, 12, 8, 10, 0)
        );
        assert!(parse_time("next week", &utc, day).is_err());
        assert!(parse_time("25:00", &utc, day).is_err());
    }
}
