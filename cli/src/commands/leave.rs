//! `hearth leave`: leave the community.

use anyhow::Result;
use hearth_protocol::{ActionBody, MembershipAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;

/// Leave the community; your balance stays in the ledger.
///
/// The last council member cannot leave.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct LeaveArgs {}

/// Runs `hearth leave`.
pub fn run(ctx: &Context, _args: LeaveArgs) -> Result<()> {
    let session = ctx.session()?;
    let receipt = session.submit(ActionBody::Membership(MembershipAction::Leave))?;
    let name = &session.community.name;
    let value = receipt_json(
        &receipt,
        json!({ "community": session.community.id.to_hex(), "name": name }),
    );
    ctx.out.show(&value, || {
        Ok(format!("Left {name} ({})", receipt_text(&receipt)))
    })
}
