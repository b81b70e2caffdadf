//! `hearth network draft`: draft a network genesis from the founding
//! communities' nodes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use hearth_protocol::Hash;
use hearth_protocol::federation::{FederationRules, Founding, NetworkGenesis, RegionSpec};
use serde_json::json;

use super::rules;
use crate::context::{Context, now};
use crate::federation::draft::{DEFAULT_FILE, Draft};
use crate::federation::{NodeInfo, node_info};
use crate::governance::short_id;
use crate::output::{printable, table};

/// Draft a network from its founding communities' nodes.
///
/// Asks each node (--node URL, once per founding community) which community
/// it serves and with which node key, and writes the draft genesis to a
/// file (network.json unless -o says otherwise) with the founders' node
/// URLs. Nothing is sent to the nodes: the draft becomes a network once a
/// council member of every founding community has signed it with
/// `hearth network sign` and started it with `hearth network start`.
///
/// A region groups founding communities, named by their node URLs (a
/// community is in at most one region). The rules of the regional and
/// network levels come from --rules (see `hearth network rules`), else
/// the defaults.
///
/// Examples:
///   hearth network draft --name "Valley" --node http://a:7700 --node http://b:7700 --node http://c:7700
///   hearth network draft --name "Valley" --node http://a:7700 --node http://b:7700 \
///       --region north=http://a:7700,http://b:7700 --rules rules.toml -o valley.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DraftArgs {
    /// The network's name.
    #[arg(long)]
    name: String,
    /// A region and its communities' node URLs (repeatable).
    #[arg(long = "region", value_name = "NAME=URL,URL", value_parser = parse_region)]
    regions: Vec<(String, Vec<String>)>,
    /// The rules of the regional and network levels, as TOML.
    #[arg(long, value_name = "FILE.toml")]
    rules: Option<PathBuf>,
    /// Where to write the draft.
    #[arg(short = 'o', long = "output", value_name = "FILE", default_value = DEFAULT_FILE)]
    output: PathBuf,
    /// Replace the file if it exists (its signatures are lost).
    #[arg(long)]
    force: bool,
}

/// Parses `NAME=URL,URL`.
pub fn parse_region(text: &str) -> Result<(String, Vec<String>), String> {
    let Some((name, urls)) = text.split_once('=') else {
        return Err(format!(
            "invalid region {text:?}: use NAME=URL,URL (the nodes of its communities)"
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("invalid region {text:?}: it needs a name"));
    }
    let urls: Vec<String> = urls
        .split(',')
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty())
        .collect();
    if urls.is_empty() {
        return Err(format!(
            "invalid region {text:?}: name the node URL of at least one community"
        ));
    }
    Ok((name.to_string(), urls))
}

/// Builds the genesis from each node URL's answer to `GET /v1/node`.
pub fn genesis(
    name: &str,
    nodes: &[(String, NodeInfo)],
    regions: &[(String, Vec<String>)],
    rules: FederationRules,
    created: hearth_protocol::Timestamp,
) -> Result<NetworkGenesis> {
    let mut founding: BTreeMap<Hash, (Founding, &str)> = BTreeMap::new();
    for (url, info) in nodes {
        let entry = Founding {
            id: info.community,
            node: info.node_key,
            name: info.name.clone(),
        };
        if let Some((_, other)) = founding.insert(info.community, (entry, url)) {
            bail!(
                "{other} and {url} serve the same community {} ({}): give each community's node once",
                printable(&info.name),
                info.community
            );
        }
    }
    let community_at = |url: &str| -> Result<Hash> {
        nodes
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, info)| info.community)
            .with_context(|| format!("{url} is not one of the founding nodes"))
    };
    let mut specs: Vec<RegionSpec> = Vec::new();
    for (region, urls) in regions {
        if specs.iter().any(|r| r.name == *region) {
            bail!("region {region:?} is given twice");
        }
        let mut communities = urls
            .iter()
            .map(|u| community_at(u))
            .collect::<Result<Vec<Hash>>>()?;
        communities.sort();
        communities.dedup();
        specs.push(RegionSpec {
            name: region.clone(),
            communities,
        });
    }
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    let genesis = NetworkGenesis {
        name: name.trim().to_string(),
        communities: founding.into_values().map(|(f, _)| f).collect(),
        regions: specs,
        rules,
        created,
    };
    genesis
        .validate()
        .context("the draft is not a valid network")?;
    Ok(genesis)
}

/// Runs `hearth network draft`.
pub fn run(ctx: &Context, args: DraftArgs) -> Result<()> {
    // Founders are the --node URLs, and any node named only in a region.
    let mut urls: Vec<String> = ctx.nodes().to_vec();
    for url in args.regions.iter().flat_map(|(_, urls)| urls) {
        if !urls.contains(url) {
            urls.push(url.clone());
        }
    }
    if urls.len() < 2 {
        bail!(
            "a network has at least two founding communities: give --node URL for each founding community's node"
        );
    }
    if !args.force && args.output.exists() {
        bail!(
            "{} already exists; pick another file with -o, or --force to replace it",
            args.output.display()
        );
    }
    let rules = match &args.rules {
        Some(path) => rules::load(path)?,
        None => FederationRules::default(),
    };
    let mut nodes = Vec::new();
    for url in &urls {
        let info = node_info(&ctx.client_for(url)?)?;
        nodes.push((url.clone(), info));
    }
    let genesis = genesis(&args.name, &nodes, &args.regions, rules, now()?)?;
    let by_id: BTreeMap<Hash, String> = nodes
        .iter()
        .map(|(url, info)| (info.community, url.clone()))
        .collect();
    let draft = Draft::new(genesis, by_id);
    draft.save(&args.output, args.force)?;

    let id = draft.id();
    let file = args.output.display().to_string();
    let genesis = draft.genesis();
    let region_of = |c: &Hash| {
        genesis
            .regions
            .iter()
            .find(|r| r.communities.contains(c))
            .map(|r| r.name.clone())
    };
    let value = json!({
        "network": id,
        "name": genesis.name,
        "file": file,
        "communities": genesis.communities.iter().map(|f| json!({
            "id": f.id, "name": f.name, "node": f.node, "url": draft.url_of(&f.id),
            "region": region_of(&f.id),
        })).collect::<Vec<_>>(),
        "regions": genesis.regions.iter().map(|r| json!({
            "name": r.name, "id": genesis.region_id(&r.name),
        })).collect::<Vec<_>>(),
    });
    ctx.out.show(&value, || {
        let rows: Vec<Vec<String>> = genesis
            .communities
            .iter()
            .map(|f| {
                vec![
                    short_id(&f.id),
                    printable(&f.name),
                    region_of(&f.id).map_or_else(|| "-".into(), |r| printable(&r)),
                    draft.url_of(&f.id).unwrap_or("?").to_string(),
                ]
            })
            .collect();
        let mut out = format!(
            "{id}\nDrafted network \"{}\" in {file}:\n",
            printable(&genesis.name)
        );
        out.push_str(&table(&["COMMUNITY", "NAME", "REGION", "NODE"], &rows));
        out.push_str(&format!(
            "\nNext, a council member of each founding community signs it with their node:\n  \
             hearth --node <its URL> --key <council key> network sign {file}\n\
             Once all have signed, each starts it on their own node:\n  \
             hearth --node <its URL> --key <council key> network start {file}\n"
        ));
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::Timestamp;
    use hearth_protocol::test::keypair;

    fn node(i: u8) -> (String, NodeInfo) {
        (
            format!("http://n{i}"),
            NodeInfo {
                community: Hash([i; 32]),
                name: format!("C{i}"),
                node_key: keypair(i).public(),
                peer_id: String::new(),
                listen: vec![],
                peers: vec![],
                networks: vec![],
            },
        )
    }

    #[test]
    fn regions_parse_as_a_name_and_node_urls() {
        assert_eq!(
            parse_region("north=http://a:1/, http://b:2"),
            Ok((
                "north".into(),
                vec!["http://a:1".into(), "http://b:2".into()]
            ))
        );
        assert!(parse_region("north").unwrap_err().contains("NAME=URL"));
        assert!(parse_region("=http://a").unwrap_err().contains("name"));
        assert!(parse_region("north=").unwrap_err().contains("at least one"));
    }

    #[test]
    fn the_genesis_lists_founders_by_id_and_regions_by_name() {
        let nodes = vec![node(3), node(1), node(2)];
        let regions = vec![
            ("south".to_string(), vec!["http://n3".to_string()]),
            (
                "north".to_string(),
                vec!["http://n2".to_string(), "http://n1".to_string()],
            ),
        ];
        let g = genesis(
            " Valley ",
            &nodes,
            &regions,
            FederationRules::default(),
            Timestamp(5),
        )
        .unwrap();
        assert_eq!(g.name, "Valley");
        let ids: Vec<Hash> = g.communities.iter().map(|f| f.id).collect();
        assert_eq!(ids, [Hash([1; 32]), Hash([2; 32]), Hash([3; 32])]);
        assert_eq!(g.communities[0].node, keypair(1).public());
        assert_eq!(g.regions[0].name, "north");
        assert_eq!(g.regions[0].communities, [Hash([1; 32]), Hash([2; 32])]);
        assert_eq!(g.regions[1].name, "south");

        let twice = vec![node(1), (String::from("http://again"), node(1).1)];
        let err = format!(
            "{:#}",
            genesis("V", &twice, &[], FederationRules::default(), Timestamp(5)).unwrap_err()
        );
        assert!(err.contains("serve the same community"), "{err}");
        let overlapping = vec![
            ("a".to_string(), vec!["http://n1".to_string()]),
            ("b".to_string(), vec!["http://n1".to_string()]),
        ];
        let err = format!(
            "{:#}",
            genesis(
                "V",
                &nodes,
                &overlapping,
                FederationRules::default(),
                Timestamp(5)
            )
            .unwrap_err()
        );
        assert!(err.contains("not a valid network"), "{err}");
        let alone = vec![node(1)];
        assert!(genesis("V", &alone, &[], FederationRules::default(), Timestamp(5)).is_err());
    }
}
