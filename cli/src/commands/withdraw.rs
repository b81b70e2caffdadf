//! `hearth withdraw`: withdraw your proposal.

use anyhow::Result;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{Reader, parse_id};
use crate::output::printable;

/// Withdraw your proposal before its vote opens.
///
/// It closes as withdrawn; nothing is counted.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct WithdrawArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
}

/// Runs `hearth withdraw`.
pub fn run(ctx: &Context, args: WithdrawArgs) -> Result<()> {
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Withdraw {
        proposal: info.reference(),
    }))?;
    let value = receipt_json(&receipt, json!({ "proposal": info.id }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Withdrew {} \"{}\" ({})",
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}
