//! `hearth council`: who sits on the council.

use anyhow::Result;
use serde::Deserialize;

use crate::api;
use crate::context::Context;
use crate::output::{datetime, table};

/// List the council: its seats and the members who hold them.
///
/// The council decides emergency proposals and issues invites; elections
/// reseat it. Public: needs no key. With --json, prints the node's answer
/// unchanged.
#[derive(Debug, clap::Args)]
pub struct CouncilArgs {}

/// A council member.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Seat {
    /// Their did.
    pub did: String,
    /// When they joined the community (ms).
    pub joined: u64,
}

/// `GET /v1/council`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Council {
    /// Seats on the council.
    pub seats: u32,
    /// Who holds them.
    pub members: Vec<Seat>,
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
        .map(|m| vec![m.did.clone(), datetime(m.joined)])
        .collect();
    format!(
        "{} of {} seats filled\n{}",
        council.members.len(),
        council.seats,
        table(&["DID", "MEMBER SINCE"], &rows)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_council_is_a_table_of_seats() {
        let council = Council {
            seats: 5,
            members: vec![Seat {
                did: "did:key:z6MkA".into(),
                joined: 0,
            }],
        };
        assert_eq!(
            council_text(&council),
            "1 of 5 seats filled\n\
             DID            MEMBER SINCE\n\
             did:key:z6MkA  1970-01-01 00:00:00 UTC\n"
        );
    }
}
