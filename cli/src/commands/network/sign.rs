//! `hearth network sign`: have your community's node sign a network draft.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use serde_json::json;

use super::pending_text;
use crate::context::{Context, now};
use crate::federation::draft::{DEFAULT_FILE, Draft, decode_signature};
use crate::output::printable;

/// Have your community's node sign a network draft.
///
/// Sends the draft's genesis to the node (--node), in a request signed by
/// your key (--key), which must be a council member of that node's
/// community. The node answers with its node key's signature of the
/// network; it is checked against that community's node key in the draft
/// and added to the file. Prints which founders have yet to sign.
///
/// Example:
///   hearth --node http://a:7700 --key alice network sign network.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SignArgs {
    /// The draft file.
    #[arg(default_value = DEFAULT_FILE)]
    file: PathBuf,
}

/// Runs `hearth network sign`.
pub fn run(ctx: &Context, args: SignArgs) -> Result<()> {
    let mut draft = Draft::load(&args.file)?;
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let body = json!({ "genesis": draft.genesis_base64() });
    let answer = client.post_signed("/v1/network/sign", &body, &signer.keypair, now()?)?;
    let signature = answer["signature"]
        .as_str()
        .context("the node's answer holds no signature")
        .and_then(decode_signature)
        .with_context(|| format!("the node at {} sent a bad signature", client.base()))?;
    let founding = draft
        .add(signature)
        .with_context(|| format!("the node at {} sent a bad signature", client.base()))?;
    draft.save(&args.file, true)?;

    let file = args.file.display().to_string();
    let missing = draft.missing();
    let value = json!({
        "network": draft.id(),
        "signed": founding.id,
        "file": file,
        "missing": missing.iter().map(|f| json!({
            "id": f.id, "name": f.name, "url": draft.url_of(&f.id),
        })).collect::<Vec<_>>(),
    });
    ctx.out.show(&value, || {
        let mut out = format!(
            "{} signed network \"{}\" ({}) with its node key; saved in {file}.\n",
            printable(&founding.name),
            printable(&draft.genesis().name),
            draft.id()
        );
        out.push_str(&pending_text(&draft, &file));
        Ok(out)
    })
}
