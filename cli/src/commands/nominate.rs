//! `hearth nominate`: put a member up for election.

use anyhow::Result;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{Reader, parse_id};
use crate::output::printable;

/// Nominate a candidate in an election during its nominations stage.
///
/// Any member may be nominated, yourself included.
///
/// Example:
///   hearth nominate 3f2a9c01 did:key:z6Mk…
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct NominateArgs {
    /// The election's id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
    /// The candidate: a did:key:…, or the name of one of your keys.
    member: String,
}

/// Runs `hearth nominate`.
pub fn run(ctx: &Context, args: NominateArgs) -> Result<()> {
    let candidate = ctx.member(&args.member)?;
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Nominate {
        proposal: info.reference(),
        candidate,
    }))?;
    let did = candidate.to_did();
    let value = receipt_json(&receipt, json!({ "proposal": info.id, "candidate": did }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Nominated {did} in {} \"{}\" ({})",
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}
