//! `hearth learn session`: peer sessions — schedule, list, enrol, cancel
//! and confirm.

use anyhow::Result;
use hearth_protocol::Millis;
use hearth_protocol::economy::learning::{LearningAction, Session};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::super::space::parse_time;
use super::{act, find_skill, skill_name, skills};
use crate::context::{Context, now};
use crate::duration;
use crate::economy::{find, read, short};
use crate::output::{datetime, printable, short_did, table};

#[derive(Debug, clap::Subcommand)]
pub(super) enum SessionCommand {
    /// Schedule a session teaching a skill.
    ///
    /// Examples:
    ///   hearth learn session schedule soil --at "tomorrow 10:00" --for 2h --place "Garden shed"
    ///   hearth learn session schedule compost --in 3d --for 90m --place "Hall" --capacity 12
    #[command(verbatim_doc_comment)]
    Schedule {
        /// The skill taught.
        skill: String,
        /// When it starts (2026-12-08T10:00:00Z, "tomorrow 10:00", "10:00").
        #[arg(long, conflicts_with = "after", required_unless_present = "after")]
        at: Option<String>,
        /// Or: how long from now it starts (3d, 2h, 30s).
        #[arg(long = "in", value_parser = duration::parse)]
        after: Option<Millis>,
        /// How long it lasts (up to 7d).
        #[arg(long = "for", value_parser = duration::parse)]
        length: Millis,
        /// Where.
        #[arg(long)]
        place: String,
        /// How many students it takes (1 to 200).
        #[arg(long, default_value_t = 10)]
        capacity: u32,
    },
    /// List the sessions, soonest first.
    #[command(verbatim_doc_comment)]
    List,
    /// Enrol in a session before it starts.
    #[command(verbatim_doc_comment)]
    Enrol {
        /// The session (the start of its id).
        session: String,
    },
    /// Cancel a session you teach, before it starts.
    #[command(verbatim_doc_comment)]
    Cancel {
        /// The session.
        session: String,
    },
    /// Confirm you completed a session (after it ends): rewards are paid.
    #[command(verbatim_doc_comment)]
    Confirm {
        /// The session.
        session: String,
    },
}

#[derive(Debug, Deserialize)]
struct SessionsView {
    sessions: Vec<Session>,
}

fn find_session(ctx: &Context, text: &str) -> Result<Session> {
    let (_, view): (_, SessionsView) = read(ctx, "/v1/learning/sessions", "session list")?;
    Ok(find(
        &view.sessions,
        text,
        "session",
        "unknown_session",
        |_| None,
        |s| s.id,
    )?
    .clone())
}

/// Runs `hearth learn session`.
pub(super) fn run(ctx: &Context, command: SessionCommand) -> Result<()> {
    match command {
        SessionCommand::Schedule {
            skill,
            at,
            after,
            length,
            place,
            capacity,
        } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let start = match (at, after) {
                (Some(at), _) => {
                    let zone = TimeZone::system();
                    let today = jiff::Timestamp::now()
                        .to_zoned_datetime(zone.clone())
                        .date();
                    parse_time(&at, &zone, today).map_err(anyhow::Error::msg)?
                }
                (None, Some(d)) => now()?.plus(d),
                (None, None) => anyhow::bail!("say when it starts: --at TIME or --in DURATION"),
            };
            let end = start.plus(length);
            let done = format!(
                "Scheduled {} at {} for {length} in {}",
                s.name,
                datetime(start.0),
                place.trim()
            );
            act(
                ctx,
                LearningAction::Schedule {
                    skill: s.id,
                    start,
                    end,
                    place,
                    capacity,
                },
                done,
                true,
            )
        }
        SessionCommand::List => {
            let (value, view): (_, SessionsView) =
                read(ctx, "/v1/learning/sessions", "session list")?;
            let all = skills(ctx)?;
            ctx.out.show(&value, || {
                if view.sessions.is_empty() {
                    return Ok("No sessions.".into());
                }
                let rows = view
                    .sessions
                    .iter()
                    .map(|s| {
                        let state = if s.cancelled.is_some() {
                            "cancelled".to_string()
                        } else {
                            format!(
                                "{}/{} enrolled, {} confirmed",
                                s.students.len(),
                                s.capacity,
                                s.confirmations()
                            )
                        };
                        vec![
                            short(&s.id),
                            skill_name(&all, &s.skill),
                            datetime(s.start.0),
                            printable(&s.place),
                            short_did(&s.teacher.to_did()),
                            state,
                        ]
                    })
                    .collect::<Vec<_>>();
                Ok(table(
                    &["ID", "SKILL", "START", "PLACE", "TEACHER", "STUDENTS"],
                    &rows,
                ))
            })
        }
        SessionCommand::Enrol { session } => {
            let s = find_session(ctx, &session)?;
            let done = format!(
                "Enrolled in session {} starting {}",
                short(&s.id),
                datetime(s.start.0)
            );
            act(ctx, LearningAction::Enrol { session: s.id }, done, false)
        }
        SessionCommand::Cancel { session } => {
            let s = find_session(ctx, &session)?;
            let done = format!("Cancelled session {}", short(&s.id));
            act(ctx, LearningAction::Cancel { session: s.id }, done, false)
        }
        SessionCommand::Confirm { session } => {
            let s = find_session(ctx, &session)?;
            let done = format!(
                "Confirmed session {}: rewards are paid from the education pool as far as it goes",
                short(&s.id)
            );
            act(ctx, LearningAction::Confirm { session: s.id }, done, false)
        }
    }
}
