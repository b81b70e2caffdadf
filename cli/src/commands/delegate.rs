//! `hearth delegate`: let another member vote for you.

use anyhow::Result;
use hearth_protocol::ActionBody;
use hearth_protocol::governance::Scope;
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{parse_scope, scope_text};

/// Delegate your votes to another member
///
/// When you do not vote, your vote follows theirs (and their delegate's,
/// if they do not vote either).
///
/// A scope is a level, optionally narrowed to one kind of proposal; the
/// narrowest scope that applies wins, and voting yourself always overrides
/// a delegation. `hearth undelegate` takes it back.
///
/// Examples:
///   hearth delegate did:key:z6Mk…
///   hearth delegate did:key:z6Mk… --scope local:budget
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DelegateArgs {
    /// Your delegate: a did:key:…, or the name of one of your keys.
    member: String,
    /// local, or local:KIND for one kind of proposal (policy, budget, technical, …).
    #[arg(long, default_value = "local", value_parser = parse_scope)]
    scope: Scope,
}

/// Runs `hearth delegate`.
pub fn run(ctx: &Context, args: DelegateArgs) -> Result<()> {
    let to = ctx.member(&args.member)?;
    let session = ctx.session()?;
    let receipt = session.submit(ActionBody::Delegate {
        scope: args.scope,
        to: Some(to),
    })?;
    let did = to.to_did();
    let scope = scope_text(&args.scope);
    let value = receipt_json(&receipt, json!({ "to": did, "scope": args.scope }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Delegated your {scope} votes to {did} ({})",
            receipt_text(&receipt)
        ))
    })
}
