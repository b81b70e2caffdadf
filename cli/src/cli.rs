//! The `hearth` command line as clap sees it: the global options, one
//! subcommand per module of [`crate::commands`], and the finishing
//! touches the derive cannot express (offline commands do not offer the
//! node's options). `main` parses it; `hearth completions` and `hearth
//! man` describe it.

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::commands::{
    aid, amend, audit, balance, comment, completions, council, credential, dashboard, delegate,
    delegations, hours, income, insurance, invite, join, key, learn, leave, log, man, members,
    name, network, node, nominate, pay, project, proposals, propose, remove, review, show, skills,
    space, stats, status, tally, tool, undelegate, vote, withdraw,
};
use crate::context::GlobalArgs;

/// The program's name, as completions and man pages call it.
pub const NAME: &str = "hearth";

/// A member's command line for a Hearth community node: keys, actions and queries.
///
/// Start with `hearth key new <name>`, then `hearth join <invite>` with an
/// invite from a council member. The node is --node, HEARTH_NODE,
/// `node = "…"` in <HOME>/config.toml, or http://127.0.0.1:7700; an
/// https:// node is checked against Mozilla's certificate authorities and
/// any given with --ca-cert.
///
/// Communities federate into networks: `hearth network --help` founds one,
/// `hearth federation` shows it, `hearth audit` verifies it.
///
/// Exit status: 0 done, 1 the node refused (or `hearth audit` found a
/// problem), 2 usage, network or local error.
#[derive(Debug, Parser)]
#[command(name = NAME, version, propagate_version = true, after_long_help = error_help())]
pub struct Cli {
    /// The options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Every subcommand. The variants carry no doc comments on purpose: clap
/// would take them over the `…Args` structs' own, which say what each does.
#[derive(Debug, Subcommand)]
pub enum Command {
    Key(key::KeyArgs),
    Join(join::JoinArgs),
    Invite(invite::InviteArgs),
    Members(members::MembersArgs),
    Name(name::NameArgs),
    Pay(pay::PayArgs),
    Aid(aid::AidArgs),
    Hours(hours::HoursArgs),
    Skills(skills::SkillsArgs),
    Tool(tool::ToolArgs),
    Space(space::SpaceArgs),
    Learn(learn::LearnArgs),
    Insurance(insurance::InsuranceArgs),
    Income(income::IncomeArgs),
    Stats(stats::StatsArgs),
    Balance(balance::BalanceArgs),
    Log(log::LogArgs),
    Status(status::StatusArgs),
    Node(node::NodeArgs),
    Leave(leave::LeaveArgs),
    Remove(remove::RemoveArgs),
    Propose(Box<propose::ProposeArgs>),
    Proposals(proposals::ProposalsArgs),
    Show(show::ShowArgs),
    Vote(vote::VoteArgs),
    Amend(amend::AmendArgs),
    Comment(comment::CommentArgs),
    Comments(comment::CommentsArgs),
    Withdraw(withdraw::WithdrawArgs),
    Review(review::ReviewArgs),
    Project(project::ProjectArgs),
    Nominate(nominate::NominateArgs),
    Delegate(delegate::DelegateArgs),
    Undelegate(undelegate::UndelegateArgs),
    Delegations(delegations::DelegationsArgs),
    Council(council::CouncilArgs),
    Tally(tally::TallyArgs),
    Network(network::NetworkArgs),
    Federation(network::show::ShowArgs),
    Audit(audit::AuditArgs),
    Credential(credential::CredentialArgs),
    Dashboard(dashboard::DashboardArgs),
    Completions(completions::CompletionsArgs),
    Man(man::ManArgs),
}

/// Global options a command has no use for, by the path of the command:
/// its help does not list them (they are still accepted, so a script may
/// pass `--node` to every command).
const UNUSED_GLOBALS: &[(&[&str], &[&str])] = &[
    (&["key"], &["node", "ca_cert"]),
    (&["tally"], &["node", "ca_cert", "key", "home"]),
    (&["credential"], &["key", "home"]),
    (&["network", "rules"], &["node", "ca_cert", "key", "home"]),
    (
        &["completions"],
        &["node", "ca_cert", "key", "home", "json"],
    ),
    (&["man"], &["node", "ca_cert", "key", "home", "json"]),
];

/// The whole command line, ready to parse or describe.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command();
    // Global options reach the subcommands when the command is built;
    // only then can a subcommand's copy be hidden.
    cmd.build();
    for (path, ids) in UNUSED_GLOBALS {
        cmd = hide_in(cmd, path, ids);
    }
    cmd
}

/// Parses the process's arguments.
pub fn parse() -> Result<Cli, clap::Error> {
    let matches = command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Hides the global options `ids` in the subcommand at `path` and in
/// every subcommand below it. The command is built: its arguments and
/// subcommands are changed in place, since their order is indexed.
fn hide_in(cmd: clap::Command, path: &[&str], ids: &[&str]) -> clap::Command {
    match path.split_first() {
        Some((first, rest)) => cmd.mut_subcommands(|sub| match sub.get_name() == *first {
            true => hide_in(sub, rest, ids),
            false => sub,
        }),
        None => hide_all(cmd, ids),
    }
}

fn hide_all(cmd: clap::Command, ids: &[&str]) -> clap::Command {
    cmd.mut_args(|arg| match ids.contains(&arg.get_id().as_str()) {
        true => arg.hide(true),
        false => arg,
    })
    .mut_subcommands(|sub| hide_all(sub, ids))
}

/// The end of `hearth --help`: the error codes of `--json`.
fn error_help() -> String {
    crate::error::help()
}

#[cfg(test)]
mod tests;
