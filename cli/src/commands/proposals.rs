//! `hearth proposals`: the community's proposals, and the regional and
//! network proposals of its federation.

use anyhow::Result;
use hearth_protocol::Hash;
use hearth_protocol::governance::Level;
use serde_json::Value;

use crate::context::Context;
use crate::federation::proposal::{self as federated, FederatedSummary};
use crate::federation::{FederationInfo, RegionInfo};
use crate::governance::{ProposalInfo, ProposalList, Reader, level_name, short_id};
use crate::output::{datetime, printable, table};

/// List proposals with their level, kind, stage, closing time and title.
///
/// The community's own proposals and the regional and network proposals
/// of its federation, oldest first. Name a proposal in other commands by
/// the id shown (or any prefix of at least 8 hex digits). The community's
/// proposals are local-log data, so the request is signed with your key;
/// --federation lists only the federation's (public: no key needed).
///
/// A regional or network proposal's stage reads "closed (not final)"
/// until every community has checkpointed past its close, then "passed",
/// "failed", "no ballots" (nobody voted: nothing is decided) or "tied" (a
/// choice whose lead is tied adopts nothing unless the rules draw lots),
/// with ", certified" once two thirds of its communities attest the same
/// result.
///
/// With --json, prints the node's answer unchanged; without --federation
/// the federation's list is added to it under "federation".
///
/// Examples:
///   hearth proposals --open
///   hearth proposals --federation
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ProposalsArgs {
    /// Only proposals whose vote has not closed.
    #[arg(long)]
    open: bool,
    /// Only the regional and network proposals of the node's federation.
    #[arg(long)]
    federation: bool,
}

/// One line of the table, from a local or a federated proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    created: u64,
    id: Hash,
    level: Level,
    kind: String,
    stage: String,
    open: bool,
    closes: u64,
    title: String,
}

impl Row {
    fn local(p: &ProposalInfo) -> Row {
        Row {
            created: p.created,
            id: p.id,
            level: p.level,
            kind: p.kind.as_str().to_string(),
            stage: p.stage_word().to_string(),
            open: p.stage != "closed" && p.withdrawn.is_none(),
            closes: p.closes,
            title: p.title.clone(),
        }
    }

    fn federated(p: &FederatedSummary) -> Row {
        Row {
            created: p.opened,
            id: p.id,
            level: p.level,
            kind: p.kind.as_str().to_string(),
            stage: p.status(),
            open: p.stage != "closed",
            closes: p.closes,
            title: p.title.clone(),
        }
    }
}

/// Runs `hearth proposals`.
pub fn run(ctx: &Context, args: ProposalsArgs) -> Result<()> {
    // Only the community's own proposals need a member's key.
    let signer = match args.federation {
        true => None,
        false => Some(ctx.signer()?),
    };
    let client = ctx.client()?;
    // Without --federation the community's own proposals are listed even
    // if the federation's cannot be.
    let (fed_value, fed) = match (federated::list(&client), &signer) {
        (Ok(list), _) => list,
        (Err(e), None) => return Err(e),
        (Err(e), Some(_)) => {
            eprintln!("hearth: cannot list the federation's proposals: {e:#}");
            (Value::Null, Vec::new())
        }
    };
    // Region names are a courtesy: without them regions show by id.
    let regions = match fed.iter().any(|p| matches!(p.level, Level::Regional(_))) {
        true => FederationInfo::fetch(&client)
            .map(|(_, f)| f.regions())
            .unwrap_or_default(),
        false => Vec::new(),
    };
    let mut rows: Vec<Row> = fed.iter().map(Row::federated).collect();
    let value = match &signer {
        None => fed_value,
        Some(signer) => {
            let reader = Reader {
                client: &client,
                key: &signer.keypair,
            };
            let (mut value, list) = reader.list()?;
            rows.extend(list.proposals.iter().map(Row::local));
            if let Value::Object(object) = &mut value {
                object.insert("federation".into(), fed_value);
            }
            value
        }
    };
    ctx.out.show(&value, || {
        Ok(rows_table(rows, args.open, args.federation, &regions))
    })
}

/// The community's proposals as a table, oldest first.
pub fn proposals_table(list: &ProposalList, open_only: bool) -> String {
    let rows = list.proposals.iter().map(Row::local).collect();
    rows_table(rows, open_only, false, &[])
}

fn rows_table(
    mut rows: Vec<Row>,
    open_only: bool,
    federation_only: bool,
    regions: &[RegionInfo],
) -> String {
    rows.retain(|r| !open_only || r.open);
    if rows.is_empty() {
        return match (open_only, federation_only) {
            (true, _) => "No open proposals.".into(),
            (false, true) => {
                "No regional or network proposals: hearth propose --level network …".into()
            }
            (false, false) => "No proposals yet: hearth propose --kind policy --title \"…\"".into(),
        };
    }
    rows.sort_by_key(|r| (r.created, r.id));
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                short_id(&r.id),
                level_name(&r.level, regions),
                r.kind.clone(),
                r.stage.clone(),
                datetime(r.closes),
                printable(&r.title),
            ]
        })
        .collect();
    table(&["ID", "LEVEL", "KIND", "STAGE", "CLOSES", "TITLE"], &rows)
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
            "ID            LEVEL  KIND      STAGE        CLOSES                   TITLE\n\
             aaaaaaaaaaaa  local  policy    withdrawn    1970-01-01 00:00:00 UTC  Quiet\\u{1b}[2J\n\
             bbbbbbbbbbbb  local  election  nominations  1970-01-01 00:00:00 UTC  Council\n"
        );
        let open = proposals_table(&list, true);
        assert!(
            open.contains("bbbbbbbbbbbb") && !open.contains("aaaa"),
            "{open}"
        );
        let empty = ProposalList { proposals: vec![] };
        assert!(proposals_table(&empty, false).starts_with("No proposals yet"));
    }

    #[test]
    fn federated_proposals_show_their_level_and_finality() {
        let north = Hash([4; 32]);
        let fed: Vec<FederatedSummary> = serde_json::from_value(json!([
            { "id": "cc".repeat(32), "level": {"level": "regional", "id": north}, "kind": "policy",
              "title": "Bus", "community": "01".repeat(32), "author": "did:key:z6MkA",
              "opened": 5, "closes": 0, "stage": "closed", "final": false, "passed": false,
              "result": "00".repeat(32), "certified": null },
            { "id": "dd".repeat(32), "level": {"level": "network"}, "kind": "membership",
              "title": "Hilltop", "community": "01".repeat(32), "author": "did:key:z6MkA",
              "opened": 2, "closes": 0, "stage": "closed", "final": true, "passed": true,
              "result": "00".repeat(32), "certified": "00".repeat(32) },
        ]))
        .unwrap();
        let regions = vec![RegionInfo {
            name: "north".into(),
            id: north,
            communities: vec![],
        }];
        let rows = fed.iter().map(Row::federated).collect();
        let text = rows_table(rows, false, true, &regions);
        assert_eq!(
            text,
            "ID            LEVEL         KIND        STAGE               CLOSES                   TITLE\n\
             dddddddddddd  network       membership  passed, certified   1970-01-01 00:00:00 UTC  Hilltop\n\
             cccccccccccc  region:north  policy      closed (not final)  1970-01-01 00:00:00 UTC  Bus\n"
        );
        assert!(rows_table(vec![], false, true, &[]).contains("hearth propose --level network"));
    }
}
