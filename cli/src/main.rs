//! `hearth`: a member's command line for a Hearth community node.
//!
//! This file parses the command line, dispatches to the subcommand and
//! maps the outcome to an exit code: 0 done, 1 the node refused (or an
//! audit found a problem), 2 a usage, network or local error. With
//! `--json`, a failure is also one JSON object on stdout.

use std::process::ExitCode;

use anyhow::Result;
use clap::error::ErrorKind;
use hearth_cli::cli::{self, Cli, Command};
use hearth_cli::commands::{
    aid, amend, audit, balance, comment, completions, council, credential, dashboard, delegate,
    delegations, hours, income, insurance, invite, join, key, learn, leave, log, man, members,
    name, network, node, nominate, pay, project, proposals, propose, remove, review, show, skills,
    space, stats, status, tally, tool, undelegate, vote, withdraw,
};
use hearth_cli::error::{self, Code, Report};
use hearth_cli::{Context, output};

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let json = cli.global.json;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let report = error::report(&err);
            eprintln!("hearth: {}", report.message);
            if json {
                print_json_error(&report);
            }
            ExitCode::from(report.status)
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
        Command::Hours(args) => hours::run(&ctx, args),
        Command::Dashboard(args) => dashboard::run(&ctx, args),
        Command::Skills(args) => skills::run(&ctx, args),
        Command::Tool(args) => tool::run(&ctx, args),
        Command::Space(args) => space::run(&ctx, args),
        Command::Learn(args) => learn::run(&ctx, args),
        Command::Insurance(args) => insurance::run(&ctx, args),
        Command::Income(args) => income::run(&ctx, args),
        Command::Stats(args) => stats::run(&ctx, args),
        Command::Balance(args) => balance::run(&ctx, args),
        Command::Log(args) => log::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Node(args) => node::run(&ctx, args),
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
        Command::Credential(args) => credential::run(&ctx, args),
        Command::Completions(args) => completions::run(args, cli::command()),
        Command::Man(args) => man::run(args, cli::command()),
    }
}

/// A command line clap refused, or `--help`/`--version` (which clap
/// reports the same way): clap's text, and with `--json` a usage error
/// as JSON on stdout.
fn usage_error(err: clap::Error) -> ExitCode {
    let _ = err.print();
    // 0 for --help and --version, 2 for a usage error.
    let status = u8::try_from(err.exit_code()).unwrap_or(2);
    if status != 0 && wants_json() {
        let message = match err.kind() {
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                "a subcommand is missing (see hearth --help)".to_string()
            }
            _ => error::usage_message(&err.render().to_string()),
        };
        print_json_error(&Report {
            status,
            code: Code::Usage.as_str().to_string(),
            message,
        });
    }
    ExitCode::from(status)
}

/// Whether `--json` is on the command line (before a `--`), for errors
/// raised before the command line is parsed.
fn wants_json() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// The `--json` form of a failure, on stdout, unless the command already
/// printed its JSON result there (an audit that found a problem prints its
/// report, which says so): stdout carries one JSON document.
fn print_json_error(report: &Report) {
    if !output::printed() {
        let _ = output::print(&report.to_json().to_string());
    }
}

/// Whether the error is stdout closing under us (`hearth log | head`).
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
