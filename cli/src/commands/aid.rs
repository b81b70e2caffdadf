//! `hearth aid`: mutual-aid pools — contribute, ask, decide, follow.

use anyhow::Result;
use hearth_protocol::economy::Approval;
use hearth_protocol::economy::aid::{AidGuidelines, AidPoolView, AidRequest, RequestStatus};
use hearth_protocol::governance::Subject;
use hearth_protocol::{ActionBody, AidAction, Hash, Kc, Millis, PublicKey};
use serde::Deserialize;
use serde_json::json;

use super::pay::parse_amount;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::duration;
use crate::economy::{find, parse_verdict, percent, read, short};
use crate::output::{datetime, fields, printable, short_did, table};

/// Give to mutual-aid pools, ask them for help and decide requests.
///
/// Every community has an emergency pool; more pools are created by a
/// vote (`hearth aid create-pool`). A request opens its approval — a
/// community vote (`hearth vote ID agree`), a council decision, or the
/// pool's appointed assessors (`hearth aid assess ID approve`) — and the
/// requester never decides it. An approved request is paid once, as far
/// as the pool's money goes; the rest waits in line, first approved first
/// paid, for the next contributions. Pools are named by name or id.
///
/// Examples:
///   hearth aid pools
///   hearth aid contribute emergency 50
///   hearth aid request emergency 120 --reason "the boiler broke"
///   hearth aid requests
///   hearth aid assess 3f2a9c01 approve
///   hearth aid create-pool tools --max-request 100 --approval council
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct AidArgs {
    #[command(subcommand)]
    command: AidCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AidCommand {
    /// List the pools with their balance and figures.
    #[command(verbatim_doc_comment)]
    Pools,
    /// Show one pool: guidelines, figures, requests and the payment line.
    #[command(verbatim_doc_comment)]
    Show {
        /// The pool: its name or the start of its id.
        pool: String,
    },
    /// Give KC to a pool.
    #[command(verbatim_doc_comment)]
    Contribute {
        /// The pool: its name or the start of its id.
        pool: String,
        /// The amount in KC.
        #[arg(value_parser = parse_amount)]
        amount: Kc,
    },
    /// Ask a pool for KC (one open request per pool).
    #[command(verbatim_doc_comment)]
    Request {
        /// The pool: its name or the start of its id.
        pool: String,
        /// The amount in KC.
        #[arg(value_parser = parse_amount)]
        amount: Kc,
        /// Why you ask (seen by those who decide).
        #[arg(long)]
        reason: String,
    },
    /// Withdraw your open request.
    #[command(verbatim_doc_comment)]
    Withdraw {
        /// The request's id (at least 8 hex digits).
        request: String,
    },
    /// List requests (open ones, or all with --all).
    #[command(verbatim_doc_comment)]
    Requests {
        /// Include closed requests.
        #[arg(long)]
        all: bool,
    },
    /// As an appointed assessor, approve or refuse a request.
    #[command(verbatim_doc_comment)]
    Assess {
        /// The request's id (at least 8 hex digits).
        request: String,
        /// approve or refuse.
        #[arg(value_parser = parse_verdict, action = clap::ArgAction::Set)]
        verdict: bool,
    },
    /// Propose a new pool (a policy proposal; the pool exists once it passes).
    #[command(verbatim_doc_comment)]
    CreatePool(CreatePoolArgs),
}

/// The guidelines of a new pool.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct CreatePoolArgs {
    /// The pool's name.
    name: String,
    /// The largest single request, in KC [default: 500].
    #[arg(long, value_parser = parse_amount)]
    max_request: Option<Kc>,
    /// Time between two granted requests of one member [default: 30d].
    #[arg(long, value_parser = duration::parse)]
    cooldown: Option<Millis>,
    /// How requests are approved: vote, council or assessors [default: vote].
    #[arg(long, value_parser = parse_approval)]
    approval: Option<Approval>,
    /// An appointed assessor (a did:key:…; repeatable).
    #[arg(long = "assessor", value_name = "DID", value_parser = parse_did)]
    assessors: Vec<PublicKey>,
    /// Approving assessors needed [default: 1].
    #[arg(long)]
    assessors_needed: Option<u32>,
    /// How long someone must have been a member to ask [default: 0].
    #[arg(long, value_parser = duration::parse_or_zero)]
    min_membership: Option<Millis>,
    /// How long a request's approval runs [default: 2d].
    #[arg(long, value_parser = duration::parse)]
    vote_duration: Option<Millis>,
    /// Why the community needs it (the proposal's text).
    #[arg(long, default_value = "")]
    text: String,
}

/// Parses `vote`, `council` or `assessors`.
pub fn parse_approval(text: &str) -> Result<Approval, String> {
    Approval::parse(text).ok_or_else(|| format!("{text:?}: use vote, council or assessors"))
}

/// Parses a did:key.
pub fn parse_did(text: &str) -> Result<PublicKey, String> {
    PublicKey::from_did(text).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct Pools {
    pools: Vec<AidPoolView>,
}

#[derive(Deserialize)]
struct PoolDetail {
    #[serde(flatten)]
    view: AidPoolView,
    requests: Vec<AidRequest>,
}

#[derive(Deserialize)]
struct Requests {
    requests: Vec<AidRequest>,
}

fn pools(ctx: &Context) -> Result<(serde_json::Value, Vec<AidPoolView>)> {
    let (value, pools): (_, Pools) = read(ctx, "/v1/aid/pools", "pool list")?;
    Ok((value, pools.pools))
}

fn pool_id(ctx: &Context, text: &str) -> Result<(Hash, String)> {
    let (_, pools) = pools(ctx)?;
    let p = find(
        &pools,
        text,
        "aid pool",
        "unknown_pool",
        |p| Some(p.pool.name.as_str()),
        |p| p.pool.id,
    )?;
    Ok((p.pool.id, p.pool.name.clone()))
}

fn request_id(ctx: &Context, text: &str) -> Result<Hash> {
    let (_, list): (_, Requests) = read(ctx, "/v1/aid/requests", "request list")?;
    Ok(find(
        &list.requests,
        text,
        "aid request",
        "unknown_request",
        |_| None,
        |r| r.id,
    )?
    .id)
}

/// Runs `hearth aid`.
pub fn run(ctx: &Context, args: AidArgs) -> Result<()> {
    match args.command {
        AidCommand::Pools => {
            let (value, pools) = pools(ctx)?;
            ctx.out.show(&value, || Ok(pools_text(&pools)))
        }
        AidCommand::Show { pool } => {
            let (id, _) = pool_id(ctx, &pool)?;
            let (value, detail): (_, PoolDetail) =
                read(ctx, &format!("/v1/aid/pools/{id}"), "pool")?;
            ctx.out
                .show(&value, || Ok(pool_text(&detail.view, &detail.requests)))
        }
        AidCommand::Contribute { pool, amount } => {
            let (id, name) = pool_id(ctx, &pool)?;
            let receipt = ctx
                .session()?
                .submit(ActionBody::Aid(AidAction::Contribute { pool: id, amount }))?;
            let value = receipt_json(&receipt, json!({ "pool": id, "amount": amount.0 }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Gave {amount} to the {} pool ({})",
                    printable(&name),
                    receipt_text(&receipt)
                ))
            })
        }
        AidCommand::Request {
            pool,
            amount,
            reason,
        } => {
            let (id, name) = pool_id(ctx, &pool)?;
            let receipt = ctx.session()?.submit(ActionBody::Aid(AidAction::Request {
                pool: id,
                amount,
                reason,
            }))?;
            let value = receipt_json(&receipt, json!({ "pool": id, "amount": amount.0 }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nAsked the {} pool for {amount}: request {} is open ({})",
                    receipt.id,
                    printable(&name),
                    receipt.id.chars().take(12).collect::<String>(),
                    receipt_text(&receipt)
                ))
            })
        }
        AidCommand::Withdraw { request } => {
            let id = request_id(ctx, &request)?;
            let receipt = ctx
                .session()?
                .submit(ActionBody::Aid(AidAction::Withdraw { request: id }))?;
            let value = receipt_json(&receipt, json!({ "request": id }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "Withdrew request {} ({})",
                    short(&id),
                    receipt_text(&receipt)
                ))
            })
        }
        AidCommand::Requests { all } => {
            let (value, list): (_, Requests) = read(ctx, "/v1/aid/requests", "request list")?;
            let (_, pools) = pools(ctx)?;
            ctx.out
                .show(&value, || Ok(requests_text(&list.requests, &pools, all)))
        }
        AidCommand::Assess { request, verdict } => {
            let id = request_id(ctx, &request)?;
            let receipt = ctx.session()?.submit(ActionBody::Aid(AidAction::Assess {
                request: id,
                approve: verdict,
            }))?;
            let value = receipt_json(&receipt, json!({ "request": id, "approve": verdict }));
            let word = if verdict { "Approved" } else { "Refused" };
            ctx.out.show(&value, || {
                Ok(format!(
                    "{word} request {} ({})",
                    short(&id),
                    receipt_text(&receipt)
                ))
            })
        }
        AidCommand::CreatePool(args) => create_pool(ctx, args),
    }
}

fn create_pool(ctx: &Context, args: CreatePoolArgs) -> Result<()> {
    let defaults = AidGuidelines::default();
    let guidelines = AidGuidelines {
        max_request: args.max_request.unwrap_or(defaults.max_request),
        cooldown: args.cooldown.unwrap_or(defaults.cooldown),
        approval: args.approval.unwrap_or(defaults.approval),
        assessors_needed: args
            .assessors_needed
            .unwrap_or(u32::from(!args.assessors.is_empty())),
        assessors: args.assessors,
        min_membership: args.min_membership.unwrap_or(defaults.min_membership),
        vote_duration: args.vote_duration.unwrap_or(defaults.vote_duration),
    };
    crate::economy::propose_pool(
        ctx,
        "aid",
        &args.name,
        args.text,
        Subject::AidPool {
            name: args.name.clone(),
            guidelines,
        },
    )
}

fn pools_text(pools: &[AidPoolView]) -> String {
    let rows: Vec<Vec<String>> = pools
        .iter()
        .map(|v| {
            let s = &v.pool.stats;
            let (full, approved) = s.fulfilment();
            vec![
                printable(&v.pool.name),
                short(&v.pool.id),
                v.balance.to_string(),
                v.guidelines.max_request.to_string(),
                v.guidelines.approval.as_str().to_owned(),
                s.requests.to_string(),
                percent(full, approved),
                v.waiting.len().to_string(),
            ]
        })
        .collect();
    table(
        &[
            "POOL",
            "ID",
            "BALANCE",
            "MAX",
            "DECIDED BY",
            "REQUESTS",
            "FULFILLED",
            "WAITING",
        ],
        &rows,
    )
}

/// A mean duration for people: seconds, minutes, hours or days.
fn duration(ms: Millis) -> String {
    let secs = ms.0 / 1000;
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..172_800 => format!("{:.1} h", ms.0 as f64 / 3_600_000.0),
        _ => format!("{:.1} days", ms.0 as f64 / 86_400_000.0),
    }
}

fn pool_text(v: &AidPoolView, requests: &[AidRequest]) -> String {
    let s = &v.pool.stats;
    let g = &v.guidelines;
    let (full, approved) = s.fulfilment();
    let mut out = fields(&[
        ("pool", printable(&v.pool.name)),
        ("id", v.pool.id.to_hex()),
        ("balance", v.balance.to_string()),
        ("max request", g.max_request.to_string()),
        ("cooldown", g.cooldown.to_string()),
        (
            "decided by",
            match g.approval {
                Approval::Assessors => format!(
                    "{} of {} assessors ({})",
                    g.assessors_needed,
                    g.assessors.len(),
                    g.assessors
                        .iter()
                        .map(|k| short_did(&k.to_did()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                other => other.as_str().to_owned(),
            },
        ),
        ("decision time", g.vote_duration.to_string()),
        (
            "contributed",
            format!("{} in {} contributions", s.contributed, s.contributions),
        ),
        (
            "requests",
            format!(
                "{} made, {} approved, {} refused, {} withdrawn",
                s.requests, s.approved, s.rejected, s.withdrawn
            ),
        ),
        ("paid", s.paid.to_string()),
        (
            "fulfilment",
            format!(
                "{} ({full} of {approved} paid in full)",
                percent(full, approved)
            ),
        ),
        (
            "response time",
            s.mean_response().map_or("—".into(), duration),
        ),
        ("owed", s.outstanding.to_string()),
    ]);
    if !v.waiting.is_empty() {
        out.push_str("\nWaiting for money, first first:\n");
        let rows: Vec<Vec<String>> = v
            .waiting
            .iter()
            .map(|p| {
                vec![
                    short(&p.id),
                    short_did(&p.member.to_did()),
                    p.owed.to_string(),
                    datetime(p.approved.0),
                ]
            })
            .collect();
        out.push_str(&table(&["REQUEST", "MEMBER", "OWED", "APPROVED"], &rows));
    }
    if !requests.is_empty() {
        out.push_str("\nRequests:\n");
        out.push_str(&requests_table(requests, |_| printable(&v.pool.name)));
    }
    out
}

fn requests_table(requests: &[AidRequest], pool_name: impl Fn(&Hash) -> String) -> String {
    let rows: Vec<Vec<String>> = requests
        .iter()
        .map(|r| {
            vec![
                short(&r.id),
                pool_name(&r.pool),
                short_did(&r.member.to_did()),
                r.amount.to_string(),
                r.paid.to_string(),
                r.status.to_string(),
                datetime(r.created.0),
                printable(&r.reason),
            ]
        })
        .collect();
    table(
        &[
            "ID", "POOL", "MEMBER", "AMOUNT", "PAID", "STATUS", "ASKED", "REASON",
        ],
        &rows,
    )
}

fn requests_text(requests: &[AidRequest], pools: &[AidPoolView], all: bool) -> String {
    let shown: Vec<AidRequest> = requests
        .iter()
        .filter(|r| all || matches!(r.status, RequestStatus::Open | RequestStatus::Approved))
        .cloned()
        .collect();
    if shown.is_empty() {
        return if all {
            "No aid requests.".into()
        } else {
            "No open aid requests (--all lists closed ones too).".into()
        };
    }
    requests_table(&shown, |id| {
        pools
            .iter()
            .find(|p| p.pool.id == *id)
            .map_or_else(|| short(id), |p| printable(&p.pool.name))
    })
}
