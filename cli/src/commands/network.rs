//! `hearth network`: found a network of communities (draft, sign, start)
//! and show the network a node belongs to.

pub mod draft;
pub mod join;
pub mod rules;
pub mod show;
pub mod sign;
pub mod start;

use anyhow::Result;

use crate::context::Context;
use crate::federation::draft::Draft;
use crate::output::printable;

/// Found a network of communities (draft, sign, start) or show the node's network.
///
/// Communities federate into a network (with regions) that decides
/// regional and network proposals together. A network is born from a
/// genesis that lists its founding communities, its regions and its
/// rules; it is valid once every founding community's node has signed it.
///
/// Founding a network takes three steps, passing one draft file around.
///
/// Anyone drafts it from the founders' node URLs:
///   hearth network draft --name "Valley" --node http://a:7700 --node http://b:7700 \
///       --region north=http://a:7700,http://b:7700
///
/// A council member of each founding community has their node sign it:
///   hearth --node http://a:7700 --key alice network sign network.json
///
/// Once every founder has signed, a council member of each community
/// starts it on their own node (the node records it in its public log):
///   hearth --node http://a:7700 --key alice network start network.json
///
/// Then `hearth network show` (or `hearth federation`) shows the network.
/// Communities join later by a network membership vote:
///   hearth propose --level network --kind membership --title "…" --admit-community URL
/// and, once it has passed, record the network on the new node:
///   hearth --node http://d:7700 --key dana network join --from http://a:7700 --proposal ID
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct NetworkArgs {
    #[command(subcommand)]
    command: NetworkCommand,
}

#[derive(Debug, clap::Subcommand)]
enum NetworkCommand {
    Draft(draft::DraftArgs),
    Sign(sign::SignArgs),
    Start(start::StartArgs),
    Join(join::JoinArgs),
    Show(show::ShowArgs),
    Rules(rules::RulesArgs),
}

/// Runs `hearth network`.
pub fn run(ctx: &Context, args: NetworkArgs) -> Result<()> {
    match args.command {
        NetworkCommand::Draft(args) => draft::run(ctx, args),
        NetworkCommand::Sign(args) => sign::run(ctx, args),
        NetworkCommand::Start(args) => start::run(ctx, args),
        NetworkCommand::Join(args) => join::run(ctx, args),
        NetworkCommand::Show(args) => show::run(ctx, args),
        NetworkCommand::Rules(args) => rules::run(ctx, args),
    }
}

/// Which founders of a draft have yet to sign, and what to run next.
fn pending_text(draft: &Draft, file: &str) -> String {
    let missing = draft.missing();
    if missing.is_empty() {
        return format!(
            "Every founder has signed. A council member of each community now starts it on their node:\n  \
             hearth --node <its URL> --key <council key> network start {file}\n"
        );
    }
    let mut out = format!(
        "Still to sign ({} of {}):\n",
        missing.len(),
        draft.genesis().communities.len()
    );
    for f in missing {
        let url = draft.url_of(&f.id).unwrap_or("<its node URL>");
        out.push_str(&format!(
            "  {}: hearth --node {url} --key <council key> network sign {file}\n",
            printable(&f.name)
        ));
    }
    out
}
