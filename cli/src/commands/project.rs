//! `hearth project`: submit a project to a participatory budget.

use anyhow::Result;
use hearth_protocol::governance::Project;
use hearth_protocol::{ActionBody, GovernanceAction, Kc};
use serde_json::json;

use super::pay::parse_amount;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::governance::{Reader, parse_id};
use crate::output::printable;

/// Submit a project to a budget during its submission stage.
///
/// Members then approve the projects they want funded.
///
/// Example:
///   hearth project 3f2a9c01 "Bread oven" 400
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ProjectArgs {
    /// The budget proposal's id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
    /// The project's name (distinct within the budget).
    name: String,
    /// What it costs, in KC.
    #[arg(value_parser = parse_amount)]
    cost: Kc,
}

/// Runs `hearth project`.
pub fn run(ctx: &Context, args: ProjectArgs) -> Result<()> {
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let project = Project {
        name: args.name.clone(),
        cost: args.cost,
    };
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::SubmitProject {
        proposal: info.reference(),
        project,
    }))?;
    let value = receipt_json(
        &receipt,
        json!({ "proposal": info.id, "name": args.name, "cost": args.cost }),
    );
    ctx.out.show(&value, || {
        Ok(format!(
            "Submitted \"{}\" ({}) to {} \"{}\" ({})",
            printable(&args.name),
            args.cost,
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}
