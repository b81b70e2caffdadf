//! `hearthd`: runs a Hearth community node.

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use hearth_node::config::{self, FileConfig};
use hearth_node::data_dir::{
    DataDir, KeyLocked, NODE_KEY_PASSPHRASE_ENV, Passphrase, read_passphrase,
};
use hearth_node::service::Service;
use hearth_node::store::Storage;
use hearth_node::{api, devnet, recover, runtime};
use hearth_protocol::state::StateRead;
use hearth_protocol::{LogKind, Rules};

/// A Hearth community node.
///
/// With no command, runs the node (as `hearthd run`, taking the same
/// flags) in ./hearth-data, founding a new community there on first start
/// and printing its one-time founder invite (claim it with `hearth join
/// <invite>`). A first start that is interrupted (even by kill -9) is
/// founded again, whole, on the next one.
///
/// The peer-to-peer layer is off until the community joins a network,
/// unless --p2p-listen, --bootstrap or --mdns (or the same in hearth.toml)
/// turn it on at start; LAN discovery (mDNS) is opt-in.
///
/// The node key (node.key) can be encrypted with a passphrase: give one
/// with --key-passphrase-file or HEARTH_NODE_KEY_PASSPHRASE when the
/// community is founded, or run `hearthd key encrypt`; then give it at
/// every start.
///
/// Logs go to stderr (RUST_LOG sets what is logged, `info` by default;
/// colours only on a terminal and without NO_COLOR).
///
/// Exit status: 0 stopped cleanly, 1 `reindex` found the stored state
/// differed, 2 an error, 3 the node key is encrypted and no passphrase, or
/// a wrong one, was given.
#[derive(Parser, Debug)]
#[command(name = "hearthd", version, about, long_about)]
struct Cli {
    /// The node's data directory.
    #[arg(
        long,
        env = "HEARTH_DATA_DIR",
        default_value = "hearth-data",
        value_name = "PATH"
    )]
    data_dir: PathBuf,
    #[command(flatten)]
    run: RunArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `--data-dir` given after a command (before it, it is `hearthd`'s own).
#[derive(clap::Args, Debug, Default)]
struct DataDirArg {
    /// The node's data directory (may also come before the command)
    /// [default: HEARTH_DATA_DIR, else hearth-data].
    #[arg(long = "data-dir", value_name = "PATH")]
    data_dir: Option<PathBuf>,
}

impl DataDirArg {
    /// The directory: this flag's, else the one `hearthd` was given.
    fn or(&self, top: &std::path::Path) -> DataDir {
        DataDir::new(self.data_dir.as_deref().unwrap_or(top))
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the node (the default: `hearthd` alone takes the same flags).
    Run {
        #[command(flatten)]
        dir: DataDirArg,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Found a community in a new data directory.
    Init {
        #[command(flatten)]
        dir: DataDirArg,
        #[command(flatten)]
        args: InitArgs,
    },
    /// Rebuild all state from the logs and check it equals what was stored
    /// (the node must be stopped). Exits 1 if the stored state differed
    /// (it is then replaced by the rebuilt one).
    Reindex {
        #[command(flatten)]
        dir: DataDirArg,
    },
    /// Write the federation export — the network genesis, every public
    /// log the node holds and every equivocation proof, exactly as `GET
    /// /v1/federation/export` serves it — to a file that `hearth audit
    /// --file FILE` verifies (the node must be stopped; the community must
    /// belong to a network).
    Export {
        #[command(flatten)]
        dir: DataDirArg,
        /// The file to write (replaced whole once the export is complete).
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
    },
    Devnet(devnet::DevnetArgs),
    Simulate(hearth_node::simulate::command::SimulateArgs),
    /// Manage the node key (node.key).
    #[command(subcommand)]
    Key(KeyCommand),
    /// Print a shell completion script for hearthd
    ///
    /// Examples:
    ///   hearthd completions bash > ~/.local/share/bash-completion/completions/hearthd
    ///   hearthd completions zsh > ~/.zfunc/_hearthd
    ///   hearthd completions fish > ~/.config/fish/completions/hearthd.fish
    #[command(verbatim_doc_comment)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print hearthd's manual page (roff) to standard output
    ///
    /// Example:
    ///   hearthd man > hearthd.1 && man ./hearthd.1
    #[command(verbatim_doc_comment)]
    Man,
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    /// Encrypt a node key kept in the clear with a passphrase (from
    /// --key-passphrase-file or HEARTH_NODE_KEY_PASSPHRASE); the node then
    /// needs it at every start. Safe while the node runs.
    Encrypt {
        #[command(flatten)]
        dir: DataDirArg,
        #[command(flatten)]
        passphrase: KeyPassphraseArgs,
    },
}

/// Where the node key's passphrase comes from.
#[derive(clap::Args, Debug, Default)]
struct KeyPassphraseArgs {
    /// A file holding the node key's passphrase (a final line break is not
    /// part of it). Instead, the passphrase itself may
    /// be in HEARTH_NODE_KEY_PASSPHRASE (not both). Given when a community
    /// is founded, the new node key is written encrypted; an encrypted key
    /// needs it at every start.
    #[arg(long, value_name = "PATH", env = "HEARTH_NODE_KEY_PASSPHRASE_FILE")]
    key_passphrase_file: Option<PathBuf>,
}

impl KeyPassphraseArgs {
    fn read(&self) -> anyhow::Result<Option<Passphrase>> {
        read_passphrase(self.key_passphrase_file.as_deref())
    }
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Address of the HTTP API [default: 127.0.0.1:7700, or `api` in hearth.toml].
    #[arg(long, env = "HEARTH_API")]
    api: Option<SocketAddr>,
    /// Name of the community founded on first start.
    #[arg(long, env = "HEARTH_NAME")]
    name: Option<String>,
    /// Multiaddr the p2p layer listens on, e.g. /ip4/0.0.0.0/tcp/4100
    /// (repeatable; or `p2p_listen` in hearth.toml). Given, p2p starts at
    /// once; without it p2p starts once the community joins a network,
    /// on /ip4/0.0.0.0/tcp/0.
    #[arg(
        long = "p2p-listen",
        env = "HEARTH_P2P_LISTEN",
        value_delimiter = ',',
        value_name = "MULTIADDR"
    )]
    p2p_listen: Vec<String>,
    /// A peer to dial at start, `/ip4/…/tcp/…/p2p/<peer id>` (repeatable;
    /// adds to `bootstrap` in hearth.toml). Given, p2p starts at once.
    #[arg(
        long,
        env = "HEARTH_BOOTSTRAP",
        value_delimiter = ',',
        value_name = "MULTIADDR"
    )]
    bootstrap: Vec<String>,
    /// The database's page cache, in MiB [default: 32, or `cache_mb` in
    /// hearth.toml]. More makes reads of a large history faster and costs
    /// that much more memory (BENCHMARKS.md has the trade-off).
    #[arg(long, env = "HEARTH_CACHE_MB", value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=65536))]
    cache_mb: Option<u64>,
    /// Find Hearth nodes on the local network, and be found by them (mDNS;
    /// or `mdns = true` in hearth.toml). Off by default; given, p2p starts
    /// at once.
    #[arg(long)]
    mdns: bool,
    /// mDNS is off unless --mdns: accepted for old scripts, does nothing.
    #[arg(long, hide = true, conflicts_with = "mdns")]
    no_mdns: bool,
    /// Run without the peer-to-peer layer, even in a network (no federation).
    #[arg(long)]
    no_p2p: bool,
    /// The node's disk was lost and restored from its key and genesis:
    /// write nothing to the public log until it is back from peers — at
    /// least up to the highest head other communities' checkpoints attest,
    /// and shown by the nodes of `--recover-quorum` other communities.
    #[arg(long)]
    recover: bool,
    /// With `--recover`: how many other communities' nodes must show this
    /// node its public head before public writes resume (every known one
    /// when the network has fewer).
    #[arg(long, default_value_t = hearth_node::service::federation::DEFAULT_RECOVER_QUORUM as u64, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    recover_quorum: u64,
    /// Enable /v1/test/* controls (partition, clock offset, raw publish).
    /// For tests only: never on a real node.
    #[arg(long, hide = true)]
    test_controls: bool,
    /// Seconds a client has to send a request's headers, counted from when
    /// the connection starts waiting for one: a connection idle this long
    /// is closed too.
    #[arg(long, env = "HEARTH_HEADER_TIMEOUT", value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a client has to send a request's body.
    #[arg(long, env = "HEARTH_BODY_TIMEOUT", value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    body_timeout: Duration,
    /// Most API connections open at once; lowered to stay below the open
    /// file limit (`ulimit -n`) with room for the rest of the node.
    #[arg(long, env = "HEARTH_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Most API connections open at once from one IP address.
    #[arg(long, env = "HEARTH_MAX_CONNECTIONS_PER_IP", default_value_t = 64)]
    max_connections_per_ip: usize,
    /// Requests per second one IP address may make without an active
    /// member's signature (bursts of twice as many pass); more get 429.
    #[arg(long, env = "HEARTH_RATE_PER_IP", default_value_t = 200)]
    rate_per_ip: u32,
    /// Seconds shutdown (SIGTERM) waits for API requests in flight before
    /// closing their connections.
    #[arg(long, env = "HEARTH_SHUTDOWN_GRACE", value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    shutdown_grace: Duration,
    /// Stop (cleanly, as on SIGTERM) when standard input closes: a
    /// supervisor such as `hearthd devnet` that dies takes its nodes with it.
    #[arg(long, hide = true)]
    until_stdin_closes: bool,
    #[command(flatten)]
    passphrase: KeyPassphraseArgs,
}

#[derive(clap::Args, Debug)]
struct InitArgs {
    /// The community's name.
    #[arg(long, env = "HEARTH_NAME", default_value = config::DEFAULT_NAME)]
    name: String,
    /// A TOML file of community rules (see the README); unset rules keep
    /// their defaults. Amounts are in milli-KC, durations in milliseconds.
    /// Among them: credit_limit, invite_max_ttl, admission ("invite", or
    /// "vote": members join only by a membership proposal),
    /// technical_reviewers (did:keys appointed to review technical
    /// proposals; empty: the council reviews), [council] seats, term and
    /// pass_when, a level's pass_when ("auto": a threshold of exactly 1/2
    /// must be passed, so a tie fails; "at_least"; "more_than") and ties
    /// ("fail": a tied choice adopts nothing; "lot"), and [durations] of
    /// each kind of proposal.
    #[arg(long)]
    rules: Option<PathBuf>,
    #[command(flatten)]
    passphrase: KeyPassphraseArgs,
}

/// Refuses what clap alone would take: `run`'s flags before another
/// command (they belong to `hearthd` alone or after `run`), and
/// `--data-dir` before `devnet`, which keeps its nodes under --dir.
fn check_placement(matches: &ArgMatches) -> Result<(), clap::Error> {
    let Some((name, _)) = matches.subcommand() else {
        return Ok(());
    };
    let command = Cli::command();
    let misplaced = command.get_arguments().find(|arg| {
        arg.get_id() != "data_dir"
            && matches.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine)
    });
    if let Some(arg) = misplaced {
        let flag = arg
            .get_long()
            .map_or_else(|| arg.get_id().to_string(), |l| format!("--{l}"));
        return Err(command.clone().error(
            ErrorKind::ArgumentConflict,
            format!("{flag} is a flag of `hearthd run`: give it after `run`, or with no command, not before `{name}`"),
        ));
    }
    if name == "devnet" && matches.value_source("data_dir") == Some(ValueSource::CommandLine) {
        return Err(command.clone().error(
            ErrorKind::ArgumentConflict,
            "--data-dir does not apply to devnet: its nodes live under --dir",
        ));
    }
    Ok(())
}

/// Logs to stderr, filtered by RUST_LOG (`info` by default), in colour
/// only on a terminal and when NO_COLOR is unset.
fn init_logs(default: &str) {
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // Kademlia bootstraps by itself once when the node starts listening
    // with no peer connected, and warns "No known peers" if its routing
    // table is still empty, as it is on every node whose peers are not yet
    // known: that warning says nothing to act on.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| default.into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(colour)
        .init();
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = check_placement(&matches) {
        e.exit();
    }
    // A simulation seals hundreds of thousands of actions: the service's
    // line for each would drown what it says.
    let quiet = matches!(cli.command, Some(Command::Simulate(_)));
    init_logs(if quiet {
        "warn"
    } else {
        "info,sled=warn,libp2p_kad=error"
    });
    let top = cli.data_dir;
    let result = match cli.command {
        None => run(&DataDir::new(&top), cli.run),
        Some(Command::Run { dir, args }) => run(&dir.or(&top), args),
        Some(Command::Init { dir, args }) => init(&dir.or(&top), args),
        Some(Command::Reindex { dir }) => reindex(&dir.or(&top)),
        Some(Command::Export { dir, out }) => export(&dir.or(&top), &out),
        Some(Command::Devnet(args)) => devnet::run(args),
        Some(Command::Simulate(args)) => hearth_node::simulate::command::run(&top, args),
        Some(Command::Key(KeyCommand::Encrypt { dir, passphrase })) => {
            encrypt_key(&dir.or(&top), &passphrase)
        }
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "hearthd", &mut script);
            print_bytes(&script, "the completion script")
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .context("cannot render the manual page")
                .and_then(|()| print_bytes(&page, "the manual page"))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hearthd: {e:#}");
            if e.downcast_ref::<KeyLocked>().is_some() {
                ExitCode::from(3)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

/// Writes `bytes` (`what`) to standard output.
fn print_bytes(bytes: &[u8], what: &str) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write {what}"))?;
    Ok(ExitCode::SUCCESS)
}

fn init(dir: &DataDir, args: InitArgs) -> anyhow::Result<ExitCode> {
    let rules = match &args.rules {
        None => Rules::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("invalid rules in {}", path.display()))?
        }
    };
    let passphrase = args.passphrase.read()?;
    let founded = dir.init(
        &args.name,
        rules,
        runtime::now(),
        passphrase.as_ref().map(|p| p.as_str()),
    )?;
    let id = founded.id;
    println!(
        "Founded community {:?} ({id}) in {}",
        args.name,
        dir.root().display()
    );
    if let Some(invite) = dir.load_founder_invite() {
        println!("Founder invite (claim it with `hearth join`): {invite}");
    }
    Ok(ExitCode::SUCCESS)
}

fn encrypt_key(dir: &DataDir, args: &KeyPassphraseArgs) -> anyhow::Result<ExitCode> {
    let Some(passphrase) = args.read()? else {
        bail!("give the new passphrase with --key-passphrase-file or {NODE_KEY_PASSPHRASE_ENV}");
    };
    dir.encrypt_node_key(&passphrase)?;
    println!(
        "Encrypted {}: give its passphrase at every start",
        dir.node_key().display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run(dir: &DataDir, args: RunArgs) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(dir.root())?;
    if let Some(mb) = args.cache_mb.or(file.cache_mb) {
        hearth_node::store::set_cache_bytes(mb * 1024 * 1024);
    }
    let prose = hearth_node::prose::Prose::from_config(&file.learning.clone().unwrap_or_default())
        .with_context(|| format!("in {}", dir.root().join(config::CONFIG_FILE).display()))?
        .map(std::sync::Arc::new);
    let passphrase = args.passphrase.read()?;
    let (node, storage) = if dir.is_initialised() {
        let node = dir.load_node_key(passphrase.as_ref().map(|p| p.as_str()))?;
        if passphrase.is_some() && !dir.node_key_is_encrypted()? {
            tracing::warn!(
                "a passphrase was given but the node key is not encrypted: \
                 `hearthd key encrypt` encrypts it"
            );
        }
        (node, dir.open_storage()?)
    } else {
        let name = config::resolve(args.name, file.name.clone(), config::DEFAULT_NAME.into());
        let founded = dir.init(
            &name,
            Rules::default(),
            runtime::now(),
            passphrase.as_ref().map(|p| p.as_str()),
        )?;
        tracing::info!(community = %founded.id, dir = %dir.root().display(), "founded a new community");
        (founded.node, founded.storage)
    };
    let default_api: SocketAddr = config::DEFAULT_API.parse()?;
    let api_addr = config::resolve(args.api, file.api, default_api);
    let report = recover::check_on_start(&storage).context("start-up check of the logs failed")?;
    if report != recover::StartupReport::default() {
        tracing::warn!(?report, "repaired the store from the logs");
    }
    let key_seed = node.seed();
    let service = if args.recover {
        let mut service = Service::open_recovering(storage, node)?;
        service.set_recover_quorum(args.recover_quorum as usize);
        service
    } else {
        Service::open(storage, node)?
    };
    let community = service.community();
    let mdns = args.mdns || file.mdns.unwrap_or(false);
    let listen = if args.p2p_listen.is_empty() {
        file.p2p_listen
            .clone()
            .unwrap_or_else(|| vec![config::DEFAULT_P2P_LISTEN.into()])
    } else {
        args.p2p_listen.clone()
    };
    let mut bootstrap = file.bootstrap.clone().unwrap_or_default();
    bootstrap.extend(args.bootstrap.iter().cloned());
    let parse = |list: &[String], what: &str| -> anyhow::Result<Vec<hearth_node::net::Multiaddr>> {
        list.iter()
            .map(|a| {
                a.parse()
                    .with_context(|| format!("invalid {what} multiaddr {a:?}"))
            })
            .collect()
    };
    let start = config::P2pWish {
        no_p2p: args.no_p2p,
        file_p2p: file.p2p,
        listen: !args.p2p_listen.is_empty() || file.p2p_listen.is_some(),
        bootstrap: !bootstrap.is_empty(),
        mdns,
        in_network: service.network().is_some(),
    }
    .start();
    let net_config = hearth_node::net::NetConfig {
        key_seed,
        listen: parse(&listen, "listen")?,
        bootstrap: parse(&bootstrap, "bootstrap")?,
        mdns,
        topic: config::TOPIC.into(),
    };
    let test_controls = args.test_controls;
    let descriptors = api::server::descriptor_limit();
    let max_connections = api::server::connection_cap(args.max_connections, descriptors);
    if max_connections < args.max_connections {
        tracing::warn!(
            wanted = args.max_connections,
            max_connections,
            ?descriptors,
            "lowered the connection cap to stay below the open file limit"
        );
    }
    let limits = api::Limits {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        max_connections,
        max_connections_per_ip: args.max_connections_per_ip,
        rate_per_ip: args.rate_per_ip,
        shutdown_grace: args.shutdown_grace,
        ..api::Limits::default()
    };
    let stdin_closed = args.until_stdin_closes.then(stdin_closed);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let p2p = match start {
            config::P2pStart::Off => runtime::P2p::Off,
            config::P2pStart::OnceInNetwork => runtime::P2p::OnceInNetwork(net_config),
            config::P2pStart::Now => {
                let net =
                    hearth_node::net::Net::new(net_config).context("cannot start the p2p layer")?;
                tracing::info!(peer_id = %net.local_peer_id(), "p2p layer started");
                runtime::P2p::On(Box::new(net))
            }
        };
        let (handle, task) = runtime::spawn(service, p2p);
        let listener = tokio::net::TcpListener::bind(api_addr)
            .await
            .with_context(|| format!("cannot listen on {api_addr}"))?;
        let bound = listener.local_addr()?;
        let _ = std::fs::remove_file(dir.api_addr());
        let claimed = match dir.load_founder_invite() {
            Some(invite) => handle
                .storage()
                .invite(&invite.keypair().public())?
                .is_some_and(|i| i.claimed_by.is_some()),
            None => true,
        };
        // What a person starting the node needs to see. Best effort: a
        // closed stdout must not stop the node.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Hearth node for community {community}");
        let _ = writeln!(out, "API listening on http://{bound}");
        if let Some(line) = config::p2p_off_line(start) {
            let _ = writeln!(out, "{line}");
        }
        if !claimed && let Some(invite) = dir.load_founder_invite() {
            let _ = writeln!(
                out,
                "Founder invite (claim it with `hearth join <invite>`): {invite}"
            );
        }
        let _ = out.flush();
        drop(out);
        // The address file last: once it exists, the node has said where
        // it listens (whoever waits for the file can read that too).
        hearth_node::data_dir::write_secret(&dir.api_addr(), &bound.to_string())?;
        let options = api::Options {
            test_controls,
            limits,
            prose,
        };
        let app = api::router_with(handle.clone(), options);
        drop(handle);
        api::server::serve(listener, app, limits, shutdown_signal(stdin_closed)).await;
        tracing::info!("shutting down: sealing and flushing");
        task.await.context("the node task panicked")?;
        let _ = std::fs::remove_file(dir.api_addr());
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Parses a number of seconds (fractions allowed), more than zero.
fn seconds(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("{text:?} is not a number of seconds above zero")),
    }
}

/// A receiver that fires when standard input reaches its end (or fails).
///
/// A blocking read on a thread of its own: the runtime's workers never
/// wait on it, and the process exits without joining it.
fn stdin_closed() -> tokio::sync::oneshot::Receiver<()> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = tx.send(());
    });
    rx
}

async fn shutdown_signal(stdin_closed: Option<tokio::sync::oneshot::Receiver<()>>) {
    use tokio::signal::unix::{SignalKind, signal};
    let stdin = async {
        match stdin_closed {
            Some(rx) => {
                let _ = rx.await;
                tracing::info!("standard input closed");
            }
            None => std::future::pending().await,
        }
    };
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGTERM");
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = stdin => {}
            }
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = stdin => {}
    }
}

fn reindex(dir: &DataDir) -> anyhow::Result<ExitCode> {
    if !dir.is_initialised() {
        bail!("{} holds no community", dir.root().display());
    }
    let storage = dir.open_storage()?;
    let started = std::time::Instant::now();
    let (rebuilt, heads) = recover::rebuild(&storage, |n| {
        eprint!("\rreplayed {n} entries");
    })?;
    eprintln!();
    let elapsed = started.elapsed();
    let entries: u64 = heads.iter().flatten().map(|h| h.seq + 1).sum();
    let actions = rebuilt_actions(&storage)?;
    let stored = storage.state_snapshot()?;
    println!(
        "replayed {entries} entries ({actions} actions) in {:.3} s ({:.0} actions/s)",
        elapsed.as_secs_f64(),
        actions as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    if stored == rebuilt {
        println!(
            "the stored state equals the state rebuilt from the logs ({} records)",
            stored.map.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let differing = stored
        .map
        .iter()
        .filter(|(k, v)| rebuilt.map.get(*k) != Some(*v))
        .count()
        + rebuilt
            .map
            .keys()
            .filter(|k| !stored.map.contains_key(*k))
            .count();
    storage.replace_state(&rebuilt)?;
    storage.rebuild_index()?;
    storage.flush()?;
    println!(
        "the stored state differed in {differing} records; it was replaced by the rebuilt state"
    );
    Ok(ExitCode::from(1))
}

fn rebuilt_actions(storage: &hearth_node::store::SledStorage) -> anyhow::Result<u64> {
    let mut count = 0u64;
    for kind in [LogKind::Public, LogKind::Local] {
        for entry in storage.iter_entries(kind) {
            if let hearth_protocol::EntryBody::Actions(a) = &entry?.entry.body {
                count += a.len() as u64;
            }
        }
    }
    Ok(count)
}

/// How many entries a progress line of `hearthd export` stands for when
/// stderr is not a terminal (on one, a single line is rewritten).
const EXPORT_PROGRESS_ENTRIES: u64 = 100_000;

/// `hearthd export`: the federation export, written next to `out` and
/// renamed over it once whole, so a file at `out` is always complete.
fn export(dir: &DataDir, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !dir.is_initialised() {
        bail!("{} holds no community", dir.root().display());
    }
    let storage = dir.open_storage()?;
    let network = hearth_node::export::network_of(&storage)?
        .ok_or(hearth_node::export::ExportError::NoNetwork)?;
    let partial = {
        let mut name = out.as_os_str().to_owned();
        name.push(".partial");
        PathBuf::from(name)
    };
    let written = (|| -> anyhow::Result<hearth_node::export::Exported> {
        let mut file = std::fs::File::create(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        let terminal = std::io::stderr().is_terminal();
        let mut reported = 0u64;
        let done = hearth_node::export::write(
            &storage,
            network,
            &mut |chunk| file.write_all(&chunk),
            &mut |so_far| {
                if terminal {
                    eprint!(
                        "\rexported {} entries ({})",
                        so_far.entries,
                        human_bytes(so_far.bytes)
                    );
                } else if so_far.entries / EXPORT_PROGRESS_ENTRIES > reported {
                    reported = so_far.entries / EXPORT_PROGRESS_ENTRIES;
                    eprintln!("exported {} entries", so_far.entries);
                }
            },
        )?;
        if terminal {
            eprintln!();
        }
        file.sync_all()
            .with_context(|| format!("cannot write {}", partial.display()))?;
        std::fs::rename(&partial, out)
            .with_context(|| format!("cannot move the export to {}", out.display()))?;
        Ok(done)
    })();
    let done = match written {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    println!(
        "Exported {} entries of {} public logs and {} equivocation proofs ({}) to {}",
        done.entries,
        done.communities,
        done.proofs,
        human_bytes(done.bytes),
        out.display()
    );
    println!("Verify it with: hearth audit --file {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// A size for people: bytes, KiB or MiB.
fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} bytes"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}
