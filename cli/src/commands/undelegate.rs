//! `hearth undelegate`: take a delegation back.

use anyhow::Result;
use hearth_protocol::governance::Topic;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::delegate::resolve_scope;
use super::propose::parse_topic;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{ScopeArg, parse_scope_arg, scope_text};

/// Take back your delegation in a scope.
///
/// From now on only your own votes count for you there, or your delegate
/// in the next wider scope that applies: a narrower delegation (e.g.
/// local:budget, or --topic health) is revoked separately from the whole
/// level's.
///
/// Examples:
///   hearth undelegate
///   hearth undelegate --scope network
///   hearth undelegate --topic health
///   hearth undelegate --scope region:north:policy
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct UndelegateArgs {
    /// local, network or region:NAME, optionally with :KIND.
    #[arg(long, default_value = "local", value_parser = parse_scope_arg)]
    scope: ScopeArg,
    /// The delegation of this topic (e.g. health).
    #[arg(long, value_name = "NAME", value_parser = parse_topic)]
    topic: Option<Topic>,
}

/// Runs `hearth undelegate`.
pub fn run(ctx: &Context, args: UndelegateArgs) -> Result<()> {
    let session = ctx.session()?;
    let scope = resolve_scope(&args.scope, args.topic.as_ref(), &session)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Delegate {
        scope: scope.clone(),
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
