//! `hearth network start`: have your node record a network every founder
//! has signed.

use std::path::PathBuf;

use anyhow::{Result, bail};
use hearth_protocol::Hash;
use serde::Deserialize;
use serde_json::json;

use super::pending_text;
use crate::api;
use crate::context::{Context, now};
use crate::federation::draft::{DEFAULT_FILE, Draft, signed_base64};
use crate::federation::node_info;
use crate::governance::short_id;
use crate::output::{printable, table};

/// Start a network on your node, once every founder has signed it.
///
/// Sends the signed network to the node (--node), in a request signed by
/// your key (--key), which must be a council member of that node's
/// community; the node records it in its public log and joins the
/// network. Each founding community starts it on its own node, so a
/// council member of each runs this once against their node.
///
/// Then asks every founding node in the draft whether it has started the
/// network, and prints which have not yet.
///
/// Example:
///   hearth --node http://a:7700 --key alice network start network.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StartArgs {
    /// The draft file, signed by every founder.
    #[arg(default_value = DEFAULT_FILE)]
    file: PathBuf,
}

/// The node's answer to `POST /v1/network`.
#[derive(Debug, Deserialize)]
struct Recorded {
    network: Hash,
    seq: u64,
}

/// Whether one founding node has started the network.
#[derive(Debug, Clone)]
struct NodeState {
    community: Hash,
    name: String,
    url: String,
    /// `Ok(started)`, or why the node could not be asked.
    started: Result<bool, String>,
}

/// Runs `hearth network start`.
pub fn run(ctx: &Context, args: StartArgs) -> Result<()> {
    let draft = Draft::load(&args.file)?;
    let file = args.file.display().to_string();
    if !draft.missing().is_empty() {
        bail!(
            "not every founder has signed network \"{}\" yet.\n{}",
            printable(&draft.genesis().name),
            pending_text(&draft, &file).trim_end()
        );
    }
    let id = draft.id();
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let body = json!({ "network": signed_base64(&draft.network) });
    let answer = client.post_signed("/v1/network", &body, &signer.keypair, now()?)?;
    let recorded: Recorded = api::decode(answer, "answer to the network")?;
    if recorded.network != id {
        bail!(
            "the node at {} recorded network {}, not {id}",
            client.base(),
            recorded.network
        );
    }

    let states: Vec<NodeState> = draft
        .genesis()
        .communities
        .iter()
        .map(|f| {
            let url = draft.url_of(&f.id).unwrap_or_default().to_string();
            let started = ctx
                .client_for(&url)
                .and_then(|c| node_info(&c))
                .map(|info| info.networks.contains(&id))
                .map_err(|e| format!("{e:#}"));
            NodeState {
                community: f.id,
                name: f.name.clone(),
                url,
                started,
            }
        })
        .collect();
    let value = json!({
        "network": id,
        "node": client.base(),
        "seq": recorded.seq,
        "nodes": states.iter().map(|s| json!({
            "community": s.community, "name": s.name, "url": s.url,
            "started": s.started.as_ref().ok(),
            "error": s.started.as_ref().err(),
        })).collect::<Vec<_>>(),
    });
    ctx.out.show(&value, || {
        let mut out = format!(
            "The node at {} recorded network \"{}\" ({id}) at public #{}.\n\n",
            client.base(),
            printable(&draft.genesis().name),
            recorded.seq
        );
        let rows: Vec<Vec<String>> = states
            .iter()
            .map(|s| {
                let state = match &s.started {
                    Ok(true) => "started".to_string(),
                    Ok(false) => "not yet".to_string(),
                    Err(e) => format!("cannot tell: {e}"),
                };
                vec![
                    short_id(&s.community),
                    printable(&s.name),
                    s.url.clone(),
                    state,
                ]
            })
            .collect();
        out.push_str(&table(&["COMMUNITY", "NAME", "NODE", "NETWORK"], &rows));
        if states.iter().any(|s| s.started != Ok(true)) {
            out.push_str(&format!(
                "\nA council member of each community not started yet runs:\n  \
                 hearth --node <its URL> --key <council key> network start {file}\n"
            ));
        }
        Ok(out)
    })
}
