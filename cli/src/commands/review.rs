//! `hearth review`: review a technical proposal or a budget's projects.

use anyhow::Result;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{Reader, parse_id};
use crate::output::printable;

/// Review a proposal in its review stage (appointed reviewers or the council).
///
/// Technical proposals are reviewed by the reviewers the community's rules
/// appoint (`technical_reviewers`), or by council members in term if the
/// rules appoint none; budgets by council members in term. Nobody reviews
/// their own proposals. Enough approving reviews open a technical
/// proposal's vote. A later review replaces yours.
///
/// Example:
///   hearth review 3f2a9c01 approve --comment "tested on the spare node"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ReviewArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
    /// Your verdict.
    verdict: Verdict,
    /// What you found.
    #[arg(long, default_value = "")]
    comment: String,
}

/// A reviewer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Verdict {
    /// The proposal may go to a vote.
    Approve,
    /// It should not.
    Reject,
}

/// Runs `hearth review`.
pub fn run(ctx: &Context, args: ReviewArgs) -> Result<()> {
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let approve = args.verdict == Verdict::Approve;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Review {
        proposal: info.reference(),
        approve,
        comment: args.comment.clone(),
    }))?;
    let value = receipt_json(
        &receipt,
        json!({ "proposal": info.id, "approve": approve, "comment": args.comment }),
    );
    ctx.out.show(&value, || {
        let verdict = if approve { "Approved" } else { "Rejected" };
        Ok(format!(
            "{verdict} {} \"{}\" ({})",
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}
