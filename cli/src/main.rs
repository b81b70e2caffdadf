//! `hearth`: a member's command line for a Hearth community node.
//!
//! This file parses the command line, dispatches to the subcommand and
//! maps the outcome to an exit code: 0 done, 1 the node refused (or an
//! audit found a problem), 2 a usage, network or local error.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use hearth_cli::commands::{
    aid, amend, audit, balance, comment, council, delegate, delegations, income, insurance, invite, join,
    key, leave, log, members, name, network, nominate, pay, project, proposals, propose, remove, review,
    show, status, tally, undelegate, vote, withdraw,
};
use hearth_cli::{AuditFailed, Context, GlobalArgs, Refusal};

/// A member's command line for a Hearth community node: keys, actions and queries.
///
/// Start with `hearth key new <name>`, then `hearth join <invite>` with an
/// invite from a council member. The node is --node, HEARTH_NODE,
/// `node = "…"` in <HOME>/config.toml, or http://127.0.0.1:7700.
///
/// Communities federate into networks: `hearth network --help` founds one,
/// `hearth federation` shows it, `hearth audit` verifies it.
///
/// Exit status: 0 done, 1 the node refused (or `hearth audit` found a
/// problem), 2 usage, network or local error.
#[derive(Debug, Parser)]
#[command(name = "hearth", version, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Key(key::KeyArgs),
    Join(join::JoinArgs),
    Invite(invite::InviteArgs),
    Members(members::MembersArgs),
    Name(name::NameArgs),
    Pay(pay::PayArgs),
    Aid(aid::AidArgs),
    Insurance(insurance::InsuranceArgs),
    Income(income::IncomeArgs),
    Balance(balance::BalanceArgs),
    Log(log::LogArgs),
    Status(status::StatusArgs),
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hearth: {err:#}");
            exit_code(&err)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let ctx = Context::new(cli.global)?;
    match cli.command {
        Command::Key(args) => key::run(&ctx, args),
        Command::Join(args) => join::run(&ctx, args),
        Command::Invite(args) => invite::run(&ctx, args),
        Command::Members(args) => members::run(&ctx, args),
        Command::Name(args) => name::run(&ctx, args),
        Command::Pay(args) => pay::run(&ctx, args),
        Command::Aid(args) => aid::run(&ctx, args),
        Command::Insurance(args) => insurance::run(&ctx, args),
        Command::Income(args) => income::run(&ctx, args),
        Command::Balance(args) => balance::run(&ctx, args),
        Command::Log(args) => log::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Leave(args) => leave::run(&ctx, args),
        Command::Remove(args) => remove::run(&ctx, args),
        Command::Propose(args) => propose::run(&ctx, *args),
        Command::Proposals(args) => proposals::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Vote(args) => vote::run(&ctx, args),
        Command::Amend(args) => amend::run(&ctx, args),
        Command::Comment(args) => comment::run(&ctx, args),
        Command::Comments(args) => comment::run_list(&ctx, args),
        Command::Withdraw(args) => withdraw::run(&ctx, args),
        Command::Review(args) => review::run(&ctx, args),
        Command::Project(args) => project::run(&ctx, args),
        Command::Nominate(args) => nominate::run(&ctx, args),
        Command::Delegate(args) => delegate::run(&ctx, args),
        Command::Undelegate(args) => undelegate::run(&ctx, args),
        Command::Delegations(args) => delegations::run(&ctx, args),
        Command::Council(args) => council::run(&ctx, args),
        Command::Tally(args) => tally::run(&ctx, args),
        Command::Network(args) => network::run(&ctx, args),
        Command::Federation(args) => network::show::run(&ctx, args),
        Command::Audit(args) => audit::run(&ctx, args),
    }
}

/// 1 when the node refused or an audit found a problem, 2 for
/// everything else.
fn exit_code(err: &anyhow::Error) -> ExitCode {
    if err.downcast_ref::<Refusal>().is_some() || err.downcast_ref::<AuditFailed>().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::from(2)
    }
}

/// Whether the error is stdout closing under us (`hearth log | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn refusals_exit_1_and_other_errors_exit_2() {
        let refusal = anyhow::Error::new(Refusal {
            status: 403,
            code: "not_a_member".into(),
            message: "no".into(),
        })
        .context("while paying");
        assert_eq!(exit_code(&refusal), ExitCode::from(1));
        assert_eq!(exit_code(&anyhow::anyhow!("offline")), ExitCode::from(2));
        let failed = anyhow::Error::new(AuditFailed {
            reason: "a tally disagrees".into(),
        });
        assert_eq!(exit_code(&failed), ExitCode::from(1));
    }
}
