//! `hearth proposals`: the community's proposals.

use anyhow::Result;

use crate::context::Context;
use crate::governance::{ProposalInfo, ProposalList, Reader};
use crate::output::{datetime, printable, table};

/// List the community's proposals: id, kind, stage, when the vote closes, title.
///
/// Newest last. Name a proposal in other commands by the id shown (or any
/// prefix of at least 8 hex digits). Proposals are local-log data, so the
/// request is signed with your key. With --json, prints the node's answer
/// unchanged.
#[derive(Debug, clap::Args)]
pub struct ProposalsArgs {
    /// Only proposals whose vote has not closed.
    #[arg(long)]
    open: bool,
}

/// Runs `hearth proposals`.
pub fn run(ctx: &Context, args: ProposalsArgs) -> Result<()> {
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let reader = Reader {
        client: &client,
        key: &signer.keypair,
    };
    let (value, list) = reader.list()?;
    ctx.out
        .show(&value, || Ok(proposals_table(&list, args.open)))
}

/// The proposals as a table, oldest first.
pub fn proposals_table(list: &ProposalList, open_only: bool) -> String {
    let mut proposals: Vec<&ProposalInfo> = list
        .proposals
        .iter()
        .filter(|p| !open_only || (p.stage != "closed" && p.withdrawn.is_none()))
        .collect();
    if proposals.is_empty() {
        return if open_only {
            "No open proposals.".into()
        } else {
            "No proposals yet: hearth propose --kind policy --title \"…\"".into()
        };
    }
    proposals.sort_by_key(|p| (p.created, p.id));
    let rows: Vec<Vec<String>> = proposals
        .iter()
        .map(|p| {
            vec![
                p.short_id(),
                p.kind.as_str().to_string(),
                p.stage_word().to_string(),
                datetime(p.closes),
                printable(&p.title),
            ]
        })
        .collect();
    table(&["ID", "KIND", "STAGE", "CLOSES", "TITLE"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn proposals_are_a_table_oldest_first() {
        let list: ProposalList = serde_json::from_value(json!({ "proposals": [
            { "id": "bb".repeat(32), "kind": "election", "level": {"level": "local"},
              "title": "Council", "author": "did:key:z6MkA", "created": 9, "stage": "nominations",
              "stages": [], "closes": 0, "method": "stv", "withdrawn": null },
            { "id": "aa".repeat(32), "kind": "policy", "level": {"level": "local"},
              "title": "Quiet\u{1b}[2J", "author": "did:key:z6MkA", "created": 1, "stage": "closed",
              "stages": [], "closes": 0, "method": "consensus", "withdrawn": 3 },
        ]}))
        .unwrap();
        assert_eq!(
            proposals_table(&list, false),
            "ID            KIND      STAGE        CLOSES                   TITLE\n\
             aaaaaaaaaaaa  policy    withdrawn    1970-01-01 00:00:00 UTC  Quiet\\u{1b}[2J\n\
             bbbbbbbbbbbb  election  nominations  1970-01-01 00:00:00 UTC  Council\n"
        );
        let open = proposals_table(&list, true);
        assert!(
            open.contains("bbbbbbbbbbbb") && !open.contains("aaaa"),
            "{open}"
        );
        let empty = ProposalList { proposals: vec![] };
        assert!(proposals_table(&empty, false).starts_with("No proposals yet"));
    }
}
