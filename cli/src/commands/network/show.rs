//! `hearth network show` (also `hearth federation`): the network the
//! node's community belongs to, its regions, rules and communities.

use anyhow::Result;

use super::rules;
use crate::context::Context;
use crate::federation::FederationInfo;
use crate::governance::short_id;
use crate::output::{datetime, fields, printable, table};

/// Show the node's network: regions, rules and communities.
///
/// Lists every community whose public log the node holds: its region, the
/// head of its public log (seq and time) as the node has verified it, and
/// whether it is frozen by a proof that its node signed two different
/// entries at one seq (its records after the fork are not counted).
/// Public: no key needed. With --json, prints the node's answer unchanged.
///
/// Examples:
///   hearth federation
///   hearth --node http://a:7700 network show
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {}

/// Runs `hearth network show` and `hearth federation`.
pub fn run(ctx: &Context, _args: ShowArgs) -> Result<()> {
    let client = ctx.client()?;
    let (value, info) = FederationInfo::fetch(&client)?;
    ctx.out.show(&value, || Ok(describe(&info)))
}

/// The federation for people.
pub fn describe(info: &FederationInfo) -> String {
    let mut out = String::new();
    match &info.network {
        None => out.push_str(
            "This node's community belongs to no network yet (see `hearth network --help`).\n",
        ),
        Some(network) => {
            let mut rows = vec![(
                "network",
                format!("{} ({})", printable(&network.name), network.id),
            )];
            let name = |id: &hearth_protocol::Hash| {
                info.communities
                    .iter()
                    .find(|c| c.id == *id)
                    .map_or_else(|| short_id(id), |c| printable(&c.name))
            };
            for (i, region) in network.regions.iter().enumerate() {
                let members: Vec<String> = region.communities.iter().map(name).collect();
                let label = if i == 0 { "regions" } else { "" };
                rows.push((
                    label,
                    format!("{}: {}", printable(&region.name), members.join(", ")),
                ));
            }
            match network.rules() {
                Ok(r) => {
                    for (i, line) in rules::describe(&r).into_iter().enumerate() {
                        rows.push((if i == 0 { "rules" } else { "" }, line));
                    }
                }
                Err(_) => rows.push(("rules", "(in a form this hearth does not know)".into())),
            }
            out.push_str(&fields(&rows));
        }
    }
    if info.communities.is_empty() {
        return out;
    }
    let rows: Vec<Vec<String>> = info
        .communities
        .iter()
        .map(|c| {
            vec![
                short_id(&c.id),
                printable(&c.name),
                c.region.as_deref().map_or_else(|| "-".into(), printable),
                c.head.as_ref().map_or_else(
                    || "-".into(),
                    |h| format!("#{} {}", h.seq, datetime(h.time)),
                ),
                c.frozen_at
                    .map_or_else(|| "-".into(), |seq| format!("at #{seq}")),
            ]
        })
        .collect();
    out.push('\n');
    out.push_str(&table(
        &["COMMUNITY", "NAME", "REGION", "PUBLIC HEAD", "FROZEN"],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::Hash;
    use hearth_protocol::federation::FederationRules;
    use serde_json::json;

    #[test]
    fn the_federation_is_a_summary_and_a_table() {
        let (a, b) = (Hash([1; 32]), Hash([2; 32]));
        let info: FederationInfo = serde_json::from_value(json!({
            "network": { "id": Hash([9; 32]), "name": "Valley",
                "regions": [{ "name": "north", "id": Hash([4; 32]), "communities": [a, b] }],
                "rules": FederationRules::default() },
            "communities": [
                { "id": a, "name": "Riverside", "node": "did:key:z6MkA",
                  "head": { "seq": 12, "hash": "00".repeat(32), "time": 2000 },
                  "frozen_at": null, "region": "north" },
                { "id": b, "name": "Hilltop", "node": "did:key:z6MkB", "head": null,
                  "frozen_at": 5, "region": "north" },
            ],
        }))
        .unwrap();
        let text = describe(&info);
        let network = format!("network  Valley ({})", Hash([9; 32]));
        assert!(text.contains(&network), "{network:?} in:\n{text}");
        for needle in [
            "regions  north: Riverside, Hilltop",
            "rules    regions: majority, threshold 3/5",
            "COMMUNITY     NAME       REGION  PUBLIC HEAD                  FROZEN",
            "010101010101  Riverside  north   #12 1970-01-01 00:00:02 UTC  -",
            "020202020202  Hilltop    north   -                            at #5",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
        let alone: FederationInfo =
            serde_json::from_value(json!({ "network": null, "communities": [] })).unwrap();
        assert!(describe(&alone).contains("no network yet"));
    }
}
