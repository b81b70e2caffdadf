//! `hearth delegate`: let another member vote for you.

use anyhow::Result;
use hearth_protocol::governance::{Scope, Topic};
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::propose::parse_topic;
use super::{receipt_json, receipt_text};
use crate::context::{Context, Session};
use crate::federation::FederationInfo;
use crate::governance::{ScopeArg, parse_scope_arg, scope_text};

/// Delegate your votes to another member.
///
/// When you do not vote, your vote follows theirs (and their delegate's,
/// if they do not vote either).
///
/// A scope is a level, optionally narrowed to one kind of proposal
/// (--scope LEVEL:KIND) or to one topic (--topic NAME, one of your
/// community's topics). The narrowest scope that applies to a proposal
/// wins: its topic, then its kind, then its level; voting yourself always
/// overrides a delegation. `hearth undelegate` takes it back, and a
/// delegation taken back falls back to the next narrowest one.
///
/// For regional and network votes your delegate may be a member of any
/// community of the network: name them by their did:key. Regions are
/// named as `hearth federation` lists them.
///
/// Scopes: local, network, region:NAME (or regional:<region id>), each
/// optionally followed by :KIND (policy, budget, technical, emergency,
/// election, membership).
///
/// Examples:
///   hearth delegate did:key:z6Mk…
///   hearth delegate did:key:z6Mk… --scope local:budget
///   hearth delegate did:key:z6Mk… --topic health
///   hearth delegate did:key:z6Mk… --scope network
///   hearth delegate did:key:z6Mk… --scope region:north:policy
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DelegateArgs {
    /// Your delegate: a did:key:…, or the name of one of your keys.
    member: String,
    /// local, network or region:NAME, optionally with :KIND (e.g. local:budget).
    #[arg(long, default_value = "local", value_parser = parse_scope_arg)]
    scope: ScopeArg,
    /// Only proposals filed under this topic, one of your community's (e.g. health).
    #[arg(long, value_name = "NAME", value_parser = parse_topic)]
    topic: Option<Topic>,
}

/// The protocol's scope, asking the session's node for region names.
pub fn resolve_scope(scope: &ScopeArg, topic: Option<&Topic>, session: &Session) -> Result<Scope> {
    scope.resolve(topic, || {
        Ok(FederationInfo::fetch(&session.client)?.1.regions())
    })
}

/// Runs `hearth delegate`.
pub fn run(ctx: &Context, args: DelegateArgs) -> Result<()> {
    let to = ctx.member(&args.member)?;
    let session = ctx.session()?;
    let scope = resolve_scope(&args.scope, args.topic.as_ref(), &session)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Delegate {
        scope: scope.clone(),
        to: Some(to),
    }))?;
    let did = to.to_did();
    let text = scope_text(&scope);
    let value = receipt_json(&receipt, json!({ "to": did, "scope": scope }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Delegated your {text} votes to {did} ({})",
            receipt_text(&receipt)
        ))
    })
}
