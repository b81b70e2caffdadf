//! `hearth undelegate`: take a delegation back.

use anyhow::Result;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::delegate::resolve_scope;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{ScopeArg, parse_scope_arg, scope_text};

/// Take back your delegation in a scope.
///
/// From now on only your own votes count for you there. A narrower delegation (e.g. local:budget) is
/// revoked separately from the whole level's.
///
/// Examples:
///   hearth undelegate
///   hearth undelegate --scope network
///   hearth undelegate --scope region:north:policy
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct UndelegateArgs {
    /// local, network or region:NAME, optionally with :KIND.
    #[arg(long, default_value = "local", value_parser = parse_scope_arg)]
    scope: ScopeArg,
}

/// Runs `hearth undelegate`.
pub fn run(ctx: &Context, args: UndelegateArgs) -> Result<()> {
    let session = ctx.session()?;
    let scope = resolve_scope(&args.scope, &session)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Delegate {
        scope,
        to: None,
    }))?;
    let text = scope_text(&scope);
    let value = receipt_json(&receipt, json!({ "to": null, "scope": scope }));
    ctx.out.show(&value, || {
        Ok(format!(
            "You no longer delegate your {text} votes ({})",
            receipt_text(&receipt)
        ))
    })
}
