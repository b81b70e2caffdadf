//! `hearth remove`: remove a member (council members).

use anyhow::Result;
use hearth_protocol::{ActionBody, MembershipAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;

/// Remove a member from the community (council members only).
///
/// The reason is recorded in the public log.
///
/// Example:
///   hearth remove did:key:z6Mk… --reason "asked to be removed"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RemoveArgs {
    /// The member: a did:key:…, or the name of one of your keys.
    member: String,
    /// Why the member is removed (recorded publicly).
    #[arg(long)]
    reason: String,
}

/// Runs `hearth remove`.
pub fn run(ctx: &Context, args: RemoveArgs) -> Result<()> {
    let member = ctx.member(&args.member)?;
    let session = ctx.session()?;
    let receipt = session.submit(ActionBody::Membership(MembershipAction::RemoveMember {
        member,
        reason: args.reason.clone(),
    }))?;
    let did = member.to_did();
    let name = &session.community.name;
    let value = receipt_json(&receipt, json!({ "member": did, "reason": args.reason }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Removed {did} from {name} ({})",
            receipt_text(&receipt)
        ))
    })
}
