//! `hearthd simulate`: fills a new data directory with a simulated
//! history, and optionally writes the members' keys into a CLI home.

use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::json;

use super::{Plan, parse_span, simulate};
use crate::data_dir::DataDir;
use crate::devnet::keys::MemberKey;
use crate::runtime;

/// The name of the founder's key (they claimed the founder invite and sit
/// on the council), as `hearthd devnet` names it.
pub const COUNCIL_KEY: &str = "council";

/// Found a community with months of simulated history
///
/// Founds a community in a new data directory, with its genesis SPAN ago,
/// and fills it with a seeded, realistic history up to now: members
/// joining over the first weeks (a few leaving later), payments, time bank
/// hours, skill exchanges, tool loans, space bookings, aid, insurance,
/// proposals and votes, learning sessions and endorsements. Every action
/// is signed by its member and sealed by the node's own service on a
/// simulated clock, so `hearthd run` then serves the community as if it
/// had lived through it. The same --seed, --members and SPAN make the same
/// history (apart from the node key, which is fresh).
///
/// With --keys HOME, the members' keys are written into HOME/keys for the
/// `hearth` CLI: the founder as `council`, the others as `member<i>`.
///
/// Examples:
///   hearthd --data-dir demo simulate 6mo --members 200 --keys demo-home
///   hearthd --data-dir bench simulate 1y --members 50000 --activity 50
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct SimulateArgs {
    /// The new data directory (may also come before the command)
    /// [default: HEARTH_DATA_DIR, else hearth-data].
    #[arg(long = "data-dir", value_name = "PATH")]
    data_dir: Option<std::path::PathBuf>,
    /// How long the history is: a number and a unit, h, d, w, mo (30 days) or y (e.g. 6mo, 90d, 1y).
    #[arg(value_name = "SPAN")]
    span: String,
    /// How many members the community grows to, the founder included.
    #[arg(long, value_name = "N", default_value_t = 40)]
    members: usize,
    /// The seed of the history.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    seed: u64,
    /// How active members are, in percent of the built-in rates (1 to 1000).
    #[arg(long, value_name = "PERCENT", default_value_t = 100)]
    activity: u32,
    /// The community's name.
    #[arg(long, value_name = "NAME", default_value = "Riverside")]
    name: String,
    /// Write the keys of the members (those who have not left) into HOME/keys.
    #[arg(long, value_name = "HOME")]
    keys: Option<std::path::PathBuf>,
    /// sled's page cache while simulating, in MB (a large history runs much
    /// faster with more than a running node's default).
    #[arg(long, value_name = "MB", default_value_t = 256)]
    cache_mb: u64,
    /// Print what was made as one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

/// Runs `hearthd simulate`; `top` is the data directory given before the
/// command (or its default).
pub fn run(top: &std::path::Path, args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let dir = DataDir::new(args.data_dir.as_deref().unwrap_or(top));
    let span = parse_span(&args.span)?;
    crate::store::set_cache_bytes(args.cache_mb.max(1) * 1024 * 1024);
    let plan = Plan {
        activity: args.activity,
        name: args.name.clone(),
        ..Plan::new(args.seed, args.members, span, runtime::now())
    };
    eprintln!(
        "{}: simulating {} days of {} members (seed {})…",
        args.name,
        span.0 / super::DAY,
        args.members,
        args.seed
    );
    let summary = simulate(dir.root(), &plan)?;
    eprintln!("{}: {}", args.name, summary.text());
    let mut keys = Vec::new();
    for &(i, nonce) in &summary.members {
        let name = if i == 0 {
            COUNCIL_KEY.to_string()
        } else {
            format!("member{i}")
        };
        let key = MemberKey::existing(&name, plan.member_key(i), summary.community, nonce);
        if let Some(home) = &args.keys {
            key.save(home)
                .with_context(|| format!("cannot write the key of {name}"))?;
        }
        keys.push(json!({ "name": name, "did": key.keypair.public().to_did() }));
    }
    if args.json {
        let out = json!({
            "community": summary.community.to_string(),
            "actions": summary.actions(),
            "refusals": summary.refusals(),
            "keys": keys,
        });
        println!("{out}");
    }
    if summary.refusals() > 0 {
        eprintln!(
            "{}: {} simulated actions were refused (the community is usable, but this is a fault of the simulation)",
            args.name,
            summary.refusals()
        );
    }
    Ok(ExitCode::SUCCESS)
}
