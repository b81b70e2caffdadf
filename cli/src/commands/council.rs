//! `hearth council`: who sits on the council, and their terms.

use anyhow::Result;
use serde::Deserialize;

use crate::api;
use crate::context::Context;
use crate::output::{datetime, printable, table};

/// List the council: its seats, the members who hold them and their terms.
///
/// The council decides emergency proposals, issues invites and removes
/// members; elections reseat it. A seat whose term has ended no longer
/// acts as council while other seats are in term; when every term has
/// ended, the council serves on as a caretaker until an election (which
/// any member may propose) seats successors. Public: needs no key. With
/// --json, prints the node's answer unchanged.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CouncilArgs {}

/// A council member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Seat {
    /// Their did.
    pub did: String,
    /// When they joined the community (ms).
    pub joined: u64,
    /// When they were seated (ms).
    #[serde(default)]
    pub seated: u64,
    /// When their term ends (ms).
    #[serde(default)]
    pub term_ends: u64,
    /// `in_term`, `caretaker` or `expired`.
    #[serde(default)]
    pub standing: String,
    /// The name they set for themselves.
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET /v1/council`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Council {
    /// Seats on the council.
    pub seats: u32,
    /// Whether every term has ended and the council serves as a caretaker.
    #[serde(default)]
    pub caretaker: bool,
    /// Who holds them.
    pub members: Vec<Seat>,
}

/// A seat's standing in words.
fn standing_text(standing: &str) -> &str {
    match standing {
        "in_term" => "in term",
        "caretaker" => "caretaker",
        "expired" => "term ended",
        other => other,
    }
}

/// Runs `hearth council`.
pub fn run(ctx: &Context, _args: CouncilArgs) -> Result<()> {
    let value = ctx.client()?.get("/v1/council")?;
    ctx.out.show(&value, || {
        let council: Council = api::decode(value.clone(), "council")?;
        Ok(council_text(&council))
    })
}

/// The council for people.
pub fn council_text(council: &Council) -> String {
    let rows: Vec<Vec<String>> = council
        .members
        .iter()
        .map(|m| {
            vec![
                m.did.clone(),
                datetime(m.seated),
                datetime(m.term_ends),
                standing_text(&m.standing).to_string(),
                m.name.as_deref().map(printable).unwrap_or_default(),
            ]
        })
        .collect();
    let mut text = format!(
        "{} of {} seats filled\n",
        council.members.len(),
        council.seats
    );
    if council.caretaker {
        text.push_str(
            "Every term has ended: the council serves as a caretaker until an election seats successors.\n",
        );
    }
    text.push_str(&table(
        &["DID", "SEATED", "TERM ENDS", "STANDING", "NAME"],
        &rows,
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seat(did: &str, term_ends: u64, standing: &str) -> Seat {
        Seat {
            did: did.into(),
            joined: 0,
            seated: 0,
            term_ends,
            standing: standing.into(),
            name: (did == "did:key:z6MkA").then(|| "Alice".into()),
        }
    }

    #[test]
    fn the_council_is_a_table_of_seats_and_terms() {
        let council = Council {
            seats: 5,
            caretaker: false,
            members: vec![
                seat("did:key:z6MkA", 86_400_000, "in_term"),
                seat("did:key:z6MkB", 1_000, "expired"),
            ],
        };
        assert_eq!(
            council_text(&council),
            "2 of 5 seats filled\n\
             DID            SEATED                   TERM ENDS                STANDING    NAME\n\
             did:key:z6MkA  1970-01-01 00:00:00 UTC  1970-01-02 00:00:00 UTC  in term     Alice\n\
             did:key:z6MkB  1970-01-01 00:00:00 UTC  1970-01-01 00:00:01 UTC  term ended\n"
        );
    }

    #[test]
    fn a_caretaker_council_says_so() {
        let council = Council {
            seats: 1,
            caretaker: true,
            members: vec![seat("did:key:z6MkA", 1_000, "caretaker")],
        };
        let text = council_text(&council);
        assert!(text.contains("serves as a caretaker"), "{text}");
        assert!(text.ends_with("caretaker  Alice\n"), "{text}");
    }
}
