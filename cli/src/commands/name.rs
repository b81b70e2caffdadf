//! `hearth name`: the name shown beside your key.

use anyhow::Result;
use hearth_protocol::state::membership::check_display_name;
use hearth_protocol::{ActionBody, MembershipAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::error::{Code, fail};
use crate::output::printable;

/// Set the name shown beside your key in members, proposals and results.
///
/// Names are for people: they need not be unique, and the did:key beside
/// them stays your identity. A name has 1 to 64 bytes, no line breaks and
/// no leading or trailing space; --clear removes yours.
///
/// Examples:
///   hearth name "Alice Martin"
///   hearth name --clear
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["name", "clear"])))]
pub struct NameArgs {
    /// Your display name.
    name: Option<String>,
    /// Remove your display name.
    #[arg(long)]
    clear: bool,
}

/// Runs `hearth name`.
pub fn run(ctx: &Context, args: NameArgs) -> Result<()> {
    let name = args.name.unwrap_or_default();
    if !args.clear
        && let Err(refusal) = check_display_name(&name)
    {
        return Err(fail(Code::InvalidArgument, refusal.to_string()));
    }
    let session = ctx.session()?;
    let receipt = session.submit(ActionBody::Membership(MembershipAction::SetName {
        name: name.clone(),
    }))?;
    let did = session.signer.keypair.public().to_did();
    let value = receipt_json(
        &receipt,
        json!({ "did": did, "name": (!name.is_empty()).then_some(&name) }),
    );
    ctx.out.show(&value, || {
        Ok(if name.is_empty() {
            format!("Cleared your name ({})", receipt_text(&receipt))
        } else {
            format!(
                "You are shown as \"{}\" ({})",
                printable(&name),
                receipt_text(&receipt)
            )
        })
    })
}
