//! `hearth members`: the community's roster.

use anyhow::Result;

use crate::api::{self, Members};
use crate::context::Context;
use crate::output::{datetime, printable, table};

/// List the community's members: did, status, council seat, join time, name.
///
/// With --json, prints the node's answer unchanged.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct MembersArgs {}

/// Runs `hearth members`.
pub fn run(ctx: &Context, _args: MembersArgs) -> Result<()> {
    let value = ctx.client()?.get("/v1/members")?;
    ctx.out.show(&value, || {
        let members: Members = api::decode(value.clone(), "member list")?;
        Ok(members_table(&members))
    })
}

/// The roster as a table.
pub fn members_table(members: &Members) -> String {
    let rows: Vec<Vec<String>> = members
        .members
        .iter()
        .map(|m| {
            let council = if m.council { "council" } else { "" };
            vec![
                m.did.clone(),
                m.status.clone(),
                council.to_owned(),
                datetime(m.joined),
                m.name.as_deref().map(printable).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["DID", "STATUS", "COUNCIL", "JOINED", "NAME"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MemberInfo;

    #[test]
    fn the_roster_is_a_table() {
        let members = Members {
            members: vec![
                MemberInfo {
                    did: "did:key:z6MkA".into(),
                    joined: 0,
                    status: "active".into(),
                    council: true,
                    invited_by: None,
                    name: Some("Alice Æbelø".into()),
                },
                MemberInfo {
                    did: "did:key:z6MkB".into(),
                    joined: 0,
                    status: "left".into(),
                    council: false,
                    invited_by: None,
                    name: None,
                },
            ],
        };
        assert_eq!(
            members_table(&members),
            "DID            STATUS  COUNCIL  JOINED                   NAME\n\
             did:key:z6MkA  active  council  1970-01-01 00:00:00 UTC  Alice Æbelø\n\
             did:key:z6MkB  left             1970-01-01 00:00:00 UTC\n"
        );
    }
}
