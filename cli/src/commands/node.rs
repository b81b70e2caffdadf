//! `hearth node`: what the node itself is doing, as opposed to its
//! community (`hearth status`).

pub mod status;

use anyhow::Result;

use crate::context::Context;

/// Inspect the node itself: its peers, networks, logs and pending votes.
///
/// Examples:
///   hearth node status
///   hearth --json node status | jq '.peers | length'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct NodeArgs {
    #[command(subcommand)]
    command: NodeCommand,
}

#[derive(Debug, clap::Subcommand)]
enum NodeCommand {
    Status(status::StatusArgs),
}

/// Runs `hearth node`.
pub fn run(ctx: &Context, args: NodeArgs) -> Result<()> {
    match args.command {
        NodeCommand::Status(args) => status::run(ctx, args),
    }
}
