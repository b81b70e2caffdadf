//! `hearth undelegate`: take a delegation back.

use anyhow::Result;
use hearth_protocol::ActionBody;
use hearth_protocol::governance::Scope;
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{parse_scope, scope_text};

/// Take back your delegation in a scope
///
/// From now on only your own votes count for you there. A narrower delegation (e.g. local:budget) is
/// revoked separately from the whole level's.
#[derive(Debug, clap::Args)]
pub struct UndelegateArgs {
    /// local, or local:KIND.
    #[arg(long, default_value = "local", value_parser = parse_scope)]
    scope: Scope,
}

/// Runs `hearth undelegate`.
pub fn run(ctx: &Context, args: UndelegateArgs) -> Result<()> {
    let session = ctx.session()?;
    let receipt = session.submit(ActionBody::Delegate {
        scope: args.scope,
        to: None,
    })?;
    let scope = scope_text(&args.scope);
    let value = receipt_json(&receipt, json!({ "to": null, "scope": args.scope }));
    ctx.out.show(&value, || {
        Ok(format!(
            "You no longer delegate your {scope} votes ({})",
            receipt_text(&receipt)
        ))
    })
}
