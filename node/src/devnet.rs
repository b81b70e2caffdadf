//! `hearthd devnet`: a whole federation on one machine, for trying
//! regional and network votes with the `hearth` CLI.
//!
//! It starts one `hearthd run` child per community on loopback, each with
//! its own data directory and ephemeral ports, every node dialling the
//! first; creates members with key files the CLI reads; forms the network
//! and its regions through the nodes' API, exactly as councils would with
//! `hearth network sign/start`; prints what a person needs; and runs until
//! Ctrl-C or SIGTERM, when it stops the nodes with SIGTERM. A node that
//! exits stops the devnet, unless `--keep-going`: then the others keep
//! running and the node is restarted on request (see [`control`]), so
//! that fault drills can be run on a devnet.
//!
//! ```text
//! hearth-devnet/
//!   devnet.json        what was formed: settings, network, communities, keys
//!   c0/data/           node c0's data directory (hearthd --data-dir)
//!   c0/node.log        its output, appended on every start
//!   c0/home/           a CLI home for its members (HEARTH_HOME):
//!     config.toml      node = "<c0's API URL>" (rewritten on every start)
//!     keys/council.key the council member (claimed the founder invite)
//!     keys/member1.key other members (invited by the council)
//!   c1/ …
//! ```
//!
//! A second start on a formed directory restarts its nodes (the network,
//! members and keys are kept; API and p2p ports change); a directory that
//! holds something else, or a devnet whose formation was interrupted, is
//! refused.

mod control;
mod form;
mod http;
pub(crate) mod keys;
mod manifest;
mod nodes;
mod simulate;
mod summary;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use hearth_protocol::Millis;
use hearth_protocol::federation::FederationRules;

use manifest::Settings;
use nodes::{Nodes, Stopped};

/// Most communities a devnet starts (each is a process with its own runtime).
pub const MAX_COMMUNITIES: usize = 32;

/// Most members a devnet creates in each community.
pub const MAX_MEMBERS: usize = 100;

/// How often each devnet node appends a checkpoint to its public log.
pub const CHECKPOINT_INTERVAL: Millis = Millis::secs(1);

/// How long after close and grace a devnet tally waits for a silent
/// community before it is final anyway (the community is listed as missing).
pub const FINALITY: Millis = Millis::secs(60);

/// How often the running devnet checks that its nodes are alive.
const WATCH: Duration = Duration::from_millis(500);

/// Start a federation of communities on this machine
///
/// Starts N nodes on 127.0.0.1 (each with its own data directory and
/// ports), founds a community on each, creates M members per community
/// with keys the `hearth` CLI can use, forms the network and its regions,
/// prints each node's API URL and a session to paste, and runs until
/// Ctrl-C or SIGTERM (which stop the nodes cleanly).
///
/// A node that exits stops the devnet, unless --keep-going: then it is
/// reported on stderr (`hearthd devnet: node c1 exited (…)`) and the
/// others keep running; a line `restart c1` on the devnet's standard input
/// starts it again (`restart` alone: every node that exited), dialling a
/// node that runs, so it catches up on what it missed.
///
/// Network and regional policies skip discussion and deliberation and are
/// voted on for --voting seconds, so a referendum takes minutes.
///
/// With --simulate SPAN (6mo, 90d, 1y…), each community first lives
/// through SPAN of seeded history — members (40 unless --members says
/// otherwise) joining and leaving, paying, logging hours, borrowing tools,
/// booking spaces, asking for aid, claiming insurance, proposing and
/// voting, learning — every action signed by its member and sealed by the
/// node's own service, so the dashboards show a living community at once.
/// The members' keys are written as usual (council, member1, …); --seed
/// chooses the history (community cN uses SEED + N).
///
/// Starting it again on the same --dir restarts the same federation (the
/// flags that shaped it may be left out; given, they must agree). To start
/// afresh, remove the directory.
///
/// Examples:
///   hearthd devnet
///   hearthd devnet --communities 5 --regions 2 --members 4 --voting 60
///   hearthd devnet --keep-going      # then: kill -9 <pid of c1>; type `restart c1`
///   hearthd devnet --communities 2 --simulate 6mo --seed 7
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct DevnetArgs {
    /// How many communities (one node each), 2 to 32 [default: 3].
    #[arg(long, value_name = "N")]
    communities: Option<usize>,
    /// How many regions to split the communities into, round-robin (region-1, …); 0 for none [default: 1].
    #[arg(long, value_name = "R")]
    regions: Option<usize>,
    /// Members per community, the council member included, 1 to 100 [default: 3; 40 with --simulate].
    #[arg(long, value_name = "M")]
    members: Option<usize>,
    /// How long network and regional votes last, in seconds (at least 5) [default: 120].
    #[arg(long, value_name = "SECS", env = "HEARTH_DEVNET_VOTING")]
    voting: Option<u64>,
    /// How long after a vote closes other communities have to witness its ballots, in seconds (at least 2) [default: 10].
    #[arg(long, value_name = "SECS")]
    grace: Option<u64>,
    /// How many other communities' checkpoints must witness a ballot [default: min(2, N-1)].
    #[arg(long, value_name = "W")]
    witnesses: Option<u32>,
    /// The devnet's directory.
    #[arg(long, value_name = "DIR", default_value = "hearth-devnet")]
    dir: PathBuf,
    /// When a node exits, report it and keep the others running; `restart <node>` on standard input starts it again.
    #[arg(long)]
    keep_going: bool,
    /// Fill each new community with this much simulated history before its node starts: a number and h, d, w, mo or y (e.g. 6mo, 90d, 1y).
    #[arg(long, value_name = "SPAN")]
    simulate: Option<String>,
    /// The seed of the simulated history (with --simulate) [default: 1].
    #[arg(long, value_name = "SEED", requires = "simulate")]
    seed: Option<u64>,
}

impl DevnetArgs {
    /// The settings these flags ask for, with defaults for the rest,
    /// checked against each other.
    fn settings(&self) -> anyhow::Result<Settings> {
        let communities = self.communities.unwrap_or(3);
        if !(2..=MAX_COMMUNITIES).contains(&communities) {
            bail!(
                "--communities must be 2 to {MAX_COMMUNITIES} (a network has at least two), not {communities}"
            );
        }
        let regions = self.regions.unwrap_or(1);
        if regions > communities {
            bail!(
                "--regions {regions} is more than --communities {communities}: every region needs a community"
            );
        }
        let simulate = match &self.simulate {
            Some(span) => {
                crate::simulate::parse_span(span).context("--simulate")?;
                Some(simulate::Simulation {
                    span: span.trim().to_string(),
                    seed: self.seed.unwrap_or(1),
                })
            }
            None => None,
        };
        // A simulated community is worth looking at with a few dozen people.
        let members = self
            .members
            .unwrap_or(if simulate.is_some() { 40 } else { 3 });
        if !(1..=MAX_MEMBERS).contains(&members) {
            bail!(
                "--members must be 1 to {MAX_MEMBERS} (the council member counts as one), not {members}"
            );
        }
        let voting = self.voting.unwrap_or(120);
        if voting < 5 {
            bail!("--voting must be at least 5 seconds, not {voting}");
        }
        let grace = self.grace.unwrap_or(10);
        if grace < 2 {
            bail!(
                "--grace must be at least 2 seconds (nodes checkpoint every second), not {grace}"
            );
        }
        let others = communities as u32 - 1;
        let witnesses = self.witnesses.unwrap_or(others.min(2));
        if witnesses > others {
            bail!(
                "--witnesses {witnesses} is more than the {others} other communities that could witness a ballot"
            );
        }
        Ok(Settings {
            communities,
            regions,
            members,
            voting,
            grace,
            witnesses,
            simulate,
        })
    }

    /// Checks that the flags given agree with a formed devnet's settings.
    fn check_against(&self, formed: &Settings, dir: &Path) -> anyhow::Result<()> {
        let given = [
            (
                "communities",
                self.communities.map(|v| v as u64),
                formed.communities as u64,
            ),
            (
                "regions",
                self.regions.map(|v| v as u64),
                formed.regions as u64,
            ),
            (
                "members",
                self.members.map(|v| v as u64),
                formed.members as u64,
            ),
            ("voting", self.voting, formed.voting),
            ("grace", self.grace, formed.grace),
            (
                "witnesses",
                self.witnesses.map(u64::from),
                u64::from(formed.witnesses),
            ),
        ];
        if let Some(span) = &self.simulate {
            let same = formed.simulate.as_ref().is_some_and(|s| {
                s.span == span.trim() && self.seed.is_none_or(|seed| seed == s.seed)
            });
            if !same {
                bail!(
                    "the devnet in {} was formed {}: a formed devnet is never simulated again; \
                     start it again without --simulate, or remove the directory (or choose another --dir) for a new one",
                    dir.display(),
                    match &formed.simulate {
                        Some(s) => format!("with --simulate {} --seed {}", s.span, s.seed),
                        None => "without --simulate".to_string(),
                    }
                );
            }
        }
        for (flag, value, was) in given {
            if let Some(value) = value
                && value != was
            {
                bail!(
                    "the devnet in {} was formed with --{flag} {was}, not {value}: start it again without --{flag}, \
                     or remove the directory (or choose another --dir) for a new one",
                    dir.display()
                );
            }
        }
        Ok(())
    }
}

impl Settings {
    /// The rules of the network's levels: the protocol's defaults, with
    /// policies voted on at once for `voting` seconds, and the devnet's
    /// grace, witnesses, checkpoints and finality.
    pub fn rules(&self) -> FederationRules {
        let mut rules = FederationRules::default();
        rules.durations.policy_discussion = Millis(0);
        rules.durations.policy_deliberation = Millis(0);
        rules.durations.policy_voting = Millis::secs(self.voting);
        rules.durations.membership = Millis::secs(self.voting);
        rules.grace = Millis::secs(self.grace);
        rules.witnesses = self.witnesses;
        rules.checkpoint_interval = CHECKPOINT_INTERVAL;
        rules.finality = FINALITY;
        rules
    }
}

/// Runs `hearthd devnet`.
pub fn run(args: DevnetArgs) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot find the hearthd executable")?;
    let existing = manifest::inspect(&args.dir)?;
    if let Some(formed) = &existing {
        args.check_against(&formed.settings, &args.dir)?;
    }
    let settings = match &existing {
        Some(formed) => formed.settings.clone(),
        None => args.settings()?,
    };
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let root = std::fs::canonicalize(&args.dir)
        .with_context(|| format!("cannot resolve {}", args.dir.display()))?;

    match &existing {
        Some(_) => eprintln!(
            "Restarting the devnet in {} ({} communities)…",
            root.display(),
            settings.communities
        ),
        None => eprintln!(
            "Starting a devnet of {} communities in {}…",
            settings.communities,
            root.display()
        ),
    }
    let simulated = match (&existing, &settings.simulate) {
        (None, Some(simulation)) => {
            Some(simulate::simulate_all(&exe, &root, &settings, simulation)?)
        }
        _ => None,
    };
    let mut nodes = Nodes::start(&exe, &root, settings.communities)?;
    let manifest = match existing {
        Some(manifest) => manifest,
        None => {
            let manifest = form::form(&settings, &nodes, simulated)?;
            manifest.save(&root)?;
            manifest
        }
    };
    form::point_homes(&nodes)?;
    form::converge(&nodes, settings.communities)?;
    print!(
        "{}",
        summary::text(&root, &exe, &manifest, &nodes, args.keep_going)
    );
    use std::io::Write as _;
    let _ = std::io::stdout().flush();

    let stop = wait_for_stop(&mut nodes, args.keep_going)?;
    let stopped = nodes.stop();
    report(&stopped);
    Ok(match stop {
        Stop::Signal => ExitCode::SUCCESS,
        Stop::Exited(name, status) => {
            eprintln!(
                "hearthd devnet: node {name} exited unexpectedly ({status}); see {}",
                root.join(&name).join("node.log").display()
            );
            ExitCode::from(1)
        }
    })
}

/// Why the devnet stopped.
enum Stop {
    /// Ctrl-C or SIGTERM.
    Signal,
    /// A node exited on its own.
    Exited(String, std::process::ExitStatus),
}

/// Waits for Ctrl-C or SIGTERM, or for a node to exit; with `keep_going`,
/// reports a node that exits and carries out requests on standard input
/// instead (until Ctrl-C or SIGTERM).
fn wait_for_stop(nodes: &mut Nodes, keep_going: bool) -> anyhow::Result<Stop> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut watch = tokio::time::interval(WATCH);
        let mut requests = keep_going.then(control::stdin_lines);
        loop {
            let request = async {
                match requests.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = int.recv() => return Ok(Stop::Signal),
                _ = term.recv() => return Ok(Stop::Signal),
                _ = watch.tick() => {
                    while let Some((name, status)) = nodes.exited() {
                        if !keep_going {
                            return Ok(Stop::Exited(name, status));
                        }
                        eprintln!(
                            "hearthd devnet: node {name} exited ({status}); the others keep running \
                             (`restart {name}` starts it again; its output is in {})",
                            nodes.log_path(&name).display()
                        );
                    }
                }
                line = request => match line {
                    Some(line) => control::apply(nodes, &line),
                    // The end of standard input: no more requests.
                    None => requests = None,
                },
            }
        }
    })
}

/// Says how each node stopped.
fn report(stopped: &[Stopped]) {
    for s in stopped {
        match &s.status {
            Some(status) if status.success() => {}
            Some(status) => eprintln!("node {} exited with {status}", s.name),
            None => eprintln!(
                "node {} did not stop within {:?} of SIGTERM and was killed",
                s.name,
                nodes::STOP_TIMEOUT
            ),
        }
    }
    eprintln!("Devnet stopped.");
}
