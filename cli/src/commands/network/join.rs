//! `hearth network join`: after the network voted to admit your community,
//! have your node record the network it now belongs to.

use anyhow::{Context as _, Result, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::federation::SignedNetwork;
use hearth_protocol::{Canonical, Hash};
use serde_json::json;

use crate::context::{Context, now};
use crate::output::printable;

/// Join a network that voted to admit your community.
///
/// A community joins a network by a network membership vote, proposed by
/// a member of the network (`hearth propose --level network --kind
/// membership --admit-community <your node's URL>`). Once that vote has
/// passed, a council member of your community fetches the signed network
/// from any of its nodes (--from) and has your node (--node, --key)
/// record it with the admitting proposal; your node then syncs with the
/// federation. Give your node a network node to dial (`--bootstrap` or
/// `bootstrap` in hearth.toml) if mDNS does not find one.
///
/// Example:
///   hearth --node http://d:7700 --key dana network join --from http://a:7700 --proposal 3f2a…
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct JoinArgs {
    /// A node of the network to fetch the signed network genesis from.
    #[arg(long, value_name = "URL")]
    from: String,
    /// The network membership proposal that admitted your community (full id).
    #[arg(long, value_name = "ID")]
    proposal: Hash,
}

/// Runs `hearth network join`.
pub fn run(ctx: &Context, args: JoinArgs) -> Result<()> {
    let source = ctx.client_for(&args.from)?;
    let answer = source
        .get("/v1/network")
        .with_context(|| format!("cannot fetch the network from {}", args.from))?;
    let Some(text) = answer["network"].as_str() else {
        bail!("{} belongs to no network", args.from);
    };
    let bytes = B64
        .decode(text)
        .context("the network is not valid base64")?;
    let network = SignedNetwork::from_bytes(&bytes).context("the network genesis is malformed")?;
    if let Err(e) = network.clone().verify() {
        bail!("the network from {} is not valid: {e}", args.from);
    }
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let body = json!({ "network": text, "proposal": args.proposal });
    let recorded = client.post_signed("/v1/network", &body, &signer.keypair, now()?)?;
    let name = network.genesis.name.clone();
    let value = json!({ "network": network.genesis.id(), "recorded": recorded });
    ctx.out.show(&value, || {
        Ok(format!(
            "The node at {} joined network \"{}\" ({}) as admitted by proposal {}.",
            client.base(),
            printable(&name),
            network.genesis.id(),
            args.proposal
        ))
    })
}
