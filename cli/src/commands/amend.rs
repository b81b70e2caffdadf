//! `hearth amend`: change the text of your proposal.

use std::path::PathBuf;

use anyhow::Result;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::propose::read_text;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{Reader, parse_id};
use crate::output::printable;

/// Replace the text of your proposal before its vote opens.
///
/// The author may amend during discussion and deliberation (or a budget's
/// submission and review). Ballots apply to the final text. Amending a technical
/// proposal sets its reviews aside: the new text needs new reviews.
///
/// Example:
///   hearth amend 3f2a9c01 --text-file quiet-hours.md
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("new_text").required(true).args(["text", "text_file"])))]
pub struct AmendArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
    /// The new text.
    #[arg(long)]
    text: Option<String>,
    /// Read the new text from a file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    text_file: Option<PathBuf>,
}

/// Runs `hearth amend`.
pub fn run(ctx: &Context, args: AmendArgs) -> Result<()> {
    let text = read_text(args.text, args.text_file.as_deref())?;
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Amend {
        proposal: info.reference(),
        text: text.clone(),
    }))?;
    let value = receipt_json(&receipt, json!({ "proposal": info.id, "text": text }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Amended {} \"{}\" ({})",
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}
