//! `hearth insurance`: insurance pools — enrol, claim, assess, follow.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use hearth_protocol::economy::Approval;
use hearth_protocol::economy::insurance::{
    Claim, ClaimStatus, Cover, Enrolment, EnrolmentStatus, InsurancePoolView, Terms,
};
use hearth_protocol::governance::Subject;
use hearth_protocol::{ActionBody, Hash, InsuranceAction, Kc, Millis, PublicKey};
use serde::Deserialize;
use serde_json::json;

use super::aid::{parse_approval, parse_did};
use super::pay::parse_amount;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::duration;
use crate::economy::{find, parse_verdict, percent, read, short};
use crate::output::{datetime, fields, printable, short_did, table};

/// Enrol in insurance pools, pay premiums, claim and assess claims.
///
/// Pools (health, property, income, care) are created by a vote
/// (`hearth insurance create-pool`) with their terms: a premium per
/// period, a waiting period, caps per claim and per 365 days, and who
/// assesses claims (appointed assessors by default). Enrolling pays the
/// first premium; the node collects the next ones each period. A member
/// who cannot pay keeps the cover through the community's grace, then it
/// lapses. A claim needs current premiums and the waiting period over; it
/// is assessed — never by the claimant — and paid once, as far as the
/// pool's money goes.
///
/// Examples:
///   hearth insurance create-pool health --cover health --premium 10 --assessor did:key:…
///   hearth insurance enrol health
///   hearth insurance claim health 80 --reason "dentist" --evidence invoice.pdf
///   hearth insurance assess 7b1e04aa approve
///   hearth insurance show health
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct InsuranceArgs {
    #[command(subcommand)]
    command: InsuranceCommand,
}

#[derive(Debug, clap::Subcommand)]
enum InsuranceCommand {
    /// List the pools with their figures.
    #[command(verbatim_doc_comment)]
    Pools,
    /// Show one pool: terms, figures, your enrolment.
    #[command(verbatim_doc_comment)]
    Show {
        /// The pool: its name or the start of its id.
        pool: String,
    },
    /// Enrol in a pool (pays the first premium now).
    #[command(verbatim_doc_comment)]
    Enrol {
        /// The pool: its name or the start of its id.
        pool: String,
    },
    /// End your cover in a pool.
    #[command(verbatim_doc_comment)]
    Leave {
        /// The pool: its name or the start of its id.
        pool: String,
    },
    /// Claim from a pool.
    #[command(verbatim_doc_comment)]
    Claim {
        /// The pool: its name or the start of its id.
        pool: String,
        /// The amount in KC.
        #[arg(value_parser = parse_amount)]
        amount: Kc,
        /// What happened.
        #[arg(long)]
        reason: String,
        /// A file of evidence: its blake3 hash is recorded, the file stays with you.
        #[arg(long, value_name = "FILE")]
        evidence: Option<PathBuf>,
    },
    /// List claims (open ones, or all with --all).
    #[command(verbatim_doc_comment)]
    Claims {
        /// Include closed claims.
        #[arg(long)]
        all: bool,
    },
    /// Withdraw your open claim.
    #[command(verbatim_doc_comment)]
    Withdraw {
        /// The claim's id (at least 8 hex digits).
        claim: String,
    },
    /// As an appointed assessor, approve or refuse a claim.
    #[command(verbatim_doc_comment)]
    Assess {
        /// The claim's id (at least 8 hex digits).
        claim: String,
        /// approve or refuse.
        #[arg(value_parser = parse_verdict, action = clap::ArgAction::Set)]
        verdict: bool,
    },
    /// Propose a new pool (a policy proposal; the pool exists once it passes).
    #[command(verbatim_doc_comment)]
    CreatePool(CreatePoolArgs),
}

/// The terms of a new pool.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct CreatePoolArgs {
    /// The pool's name.
    name: String,
    /// What it insures: health, property, income or care.
    #[arg(long, value_parser = parse_cover)]
    cover: Cover,
    /// The premium per period, in KC.
    #[arg(long, value_parser = parse_amount)]
    premium: Kc,
    /// The premium period [default: 30d].
    #[arg(long, value_parser = duration::parse)]
    period: Option<Millis>,
    /// How long after enrolling a member may first claim [default: 30d].
    #[arg(long, value_parser = duration::parse)]
    waiting: Option<Millis>,
    /// The largest single claim, in KC [default: 500].
    #[arg(long, value_parser = parse_amount)]
    cap_per_claim: Option<Kc>,
    /// The most one member is granted in 365 days, in KC [default: 1000].
    #[arg(long, value_parser = parse_amount)]
    cap_per_year: Option<Kc>,
    /// Who decides claims: assessors, council or vote [default: assessors].
    #[arg(long, value_parser = parse_approval)]
    approval: Option<Approval>,
    /// An appointed assessor (a did:key:…; repeatable).
    #[arg(long = "assessor", value_name = "DID", value_parser = parse_did)]
    assessors: Vec<PublicKey>,
    /// Approving assessors needed [default: 1].
    #[arg(long)]
    assessors_needed: Option<u32>,
    /// How long an assessment or vote runs [default: 7d].
    #[arg(long, value_parser = duration::parse)]
    decision_time: Option<Millis>,
    /// Why the community needs it (the proposal's text).
    #[arg(long, default_value = "")]
    text: String,
}

fn parse_cover(text: &str) -> Result<Cover, String> {
    Cover::parse(text).ok_or_else(|| format!("{text:?}: use health, property, income or care"))
}

#[derive(Deserialize)]
struct Pools {
    pools: Vec<InsurancePoolView>,
}

#[derive(Deserialize)]
struct PoolDetail {
    #[serde(flatten)]
    view: InsurancePoolView,
    enrolment: Option<Enrolment>,
}

#[derive(Deserialize)]
struct Claims {
    claims: Vec<Claim>,
}

fn pools(ctx: &Context) -> Result<(serde_json::Value, Vec<InsurancePoolView>)> {
    let (value, pools): (_, Pools) = read(ctx, "/v1/insurance/pools", "pool list")?;
    Ok((value, pools.pools))
}

fn pool_id(ctx: &Context, text: &str) -> Result<(Hash, String)> {
    let (_, pools) = pools(ctx)?;
    let p = find(
        &pools,
        text,
        "insurance pool",
        "unknown_pool",
        |p| Some(p.pool.name.as_str()),
        |p| p.pool.id,
    )?;
    Ok((p.pool.id, p.pool.name.clone()))
}

fn claim_id(ctx: &Context, text: &str) -> Result<Hash> {
    let (_, list): (_, Claims) = read(ctx, "/v1/insurance/claims", "claim list")?;
    Ok(find(
        &list.claims,
        text,
        "insurance claim",
        "unknown_claim",
        |_| None,
        |c| c.id,
    )?
    .id)
}

/// Runs `hearth insurance`.
pub fn run(ctx: &Context, args: InsuranceArgs) -> Result<()> {
    let submit = |body: InsuranceAction, fields: serde_json::Value, text: String| -> Result<()> {
        let receipt = ctx.session()?.submit(ActionBody::Insurance(body))?;
        let value = receipt_json(&receipt, fields);
        ctx.out.show(&value, || {
            Ok(format!("{text} ({})", receipt_text(&receipt)))
        })
    };
    match args.command {
        InsuranceCommand::Pools => {
            let (value, pools) = pools(ctx)?;
            ctx.out.show(&value, || Ok(pools_text(&pools)))
        }
        InsuranceCommand::Show { pool } => {
            let (id, _) = pool_id(ctx, &pool)?;
            let (value, detail): (_, PoolDetail) =
                read(ctx, &format!("/v1/insurance/pools/{id}"), "pool")?;
            ctx.out.show(&value, || {
                Ok(pool_text(&detail.view, detail.enrolment.as_ref()))
            })
        }
        InsuranceCommand::Enrol { pool } => {
            let (id, name) = pool_id(ctx, &pool)?;
            submit(
                InsuranceAction::Enrol { pool: id },
                json!({ "pool": id }),
                format!("Enrolled in the {} pool", printable(&name)),
            )
        }
        InsuranceCommand::Leave { pool } => {
            let (id, name) = pool_id(ctx, &pool)?;
            submit(
                InsuranceAction::Leave { pool: id },
                json!({ "pool": id }),
                format!("Left the {} pool", printable(&name)),
            )
        }
        InsuranceCommand::Claim {
            pool,
            amount,
            reason,
            evidence,
        } => {
            let (id, name) = pool_id(ctx, &pool)?;
            let evidence = evidence
                .map(|path| {
                    std::fs::read(&path)
                        .with_context(|| format!("cannot read the evidence {}", path.display()))
                        .map(|bytes| Hash(*blake3::hash(&bytes).as_bytes()))
                })
                .transpose()?;
            let receipt = ctx
                .session()?
                .submit(ActionBody::Insurance(InsuranceAction::Claim {
                    pool: id,
                    amount,
                    reason,
                    evidence,
                }))?;
            let value = receipt_json(
                &receipt,
                json!({ "pool": id, "amount": amount.0, "evidence": evidence }),
            );
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nClaimed {amount} from the {} pool: claim {} is open ({})",
                    receipt.id,
                    printable(&name),
                    receipt.id.chars().take(12).collect::<String>(),
                    receipt_text(&receipt)
                ))
            })
        }
        InsuranceCommand::Claims { all } => {
            let (value, list): (_, Claims) = read(ctx, "/v1/insurance/claims", "claim list")?;
            let (_, pools) = pools(ctx)?;
            ctx.out
                .show(&value, || Ok(claims_text(&list.claims, &pools, all)))
        }
        InsuranceCommand::Withdraw { claim } => {
            let id = claim_id(ctx, &claim)?;
            submit(
                InsuranceAction::Withdraw { claim: id },
                json!({ "claim": id }),
                format!("Withdrew claim {}", short(&id)),
            )
        }
        InsuranceCommand::Assess { claim, verdict } => {
            let id = claim_id(ctx, &claim)?;
            let word = if verdict { "Approved" } else { "Refused" };
            submit(
                InsuranceAction::Assess {
                    claim: id,
                    approve: verdict,
                },
                json!({ "claim": id, "approve": verdict }),
                format!("{word} claim {}", short(&id)),
            )
        }
        InsuranceCommand::CreatePool(args) => create_pool(ctx, args),
    }
}

fn create_pool(ctx: &Context, args: CreatePoolArgs) -> Result<()> {
    let d = Terms::default();
    let terms = Terms {
        premium: args.premium,
        period: args.period.unwrap_or(d.period),
        waiting: args.waiting.unwrap_or(d.waiting),
        cap_per_claim: args.cap_per_claim.unwrap_or(d.cap_per_claim),
        cap_per_year: args.cap_per_year.unwrap_or(d.cap_per_year),
        approval: args.approval.unwrap_or(d.approval),
        assessors_needed: args.assessors_needed.unwrap_or(d.assessors_needed),
        assessors: args.assessors,
        decision_time: args.decision_time.unwrap_or(d.decision_time),
    };
    crate::economy::propose_pool(
        ctx,
        "insurance",
        &args.name,
        args.text,
        Subject::InsurancePool {
            name: args.name.clone(),
            cover: args.cover,
            terms,
        },
    )
}

fn ratio(v: &InsurancePoolView) -> String {
    let paid = u64::try_from(v.paid_12m.0).unwrap_or(0);
    let premiums = u64::try_from(v.premiums_12m.0).unwrap_or(0);
    percent(paid, premiums)
}

fn pools_text(pools: &[InsurancePoolView]) -> String {
    if pools.is_empty() {
        return "No insurance pools yet (`hearth insurance create-pool` proposes one).".into();
    }
    let rows: Vec<Vec<String>> = pools
        .iter()
        .map(|v| {
            let s = &v.pool.stats;
            vec![
                printable(&v.pool.name),
                short(&v.pool.id),
                format!("{:?}", v.pool.cover).to_lowercase(),
                v.pool.terms.premium.to_string(),
                s.members.to_string(),
                v.balance.to_string(),
                format!("{}/{}", s.processed, s.claims),
                ratio(v),
                if v.solvent() { "yes" } else { "no" }.to_owned(),
            ]
        })
        .collect();
    table(
        &[
            "POOL", "ID", "COVER", "PREMIUM", "MEMBERS", "BALANCE", "DECIDED", "PAYOUT", "SOLVENT",
        ],
        &rows,
    )
}

fn pool_text(v: &InsurancePoolView, mine: Option<&Enrolment>) -> String {
    let t = &v.pool.terms;
    let s = &v.pool.stats;
    let mut rows = vec![
        ("pool", printable(&v.pool.name)),
        ("id", v.pool.id.to_hex()),
        ("cover", format!("{:?}", v.pool.cover).to_lowercase()),
        ("premium", format!("{} every {}", t.premium, t.period)),
        ("waiting period", t.waiting.to_string()),
        (
            "caps",
            format!(
                "{} per claim, {} per 365 days",
                t.cap_per_claim, t.cap_per_year
            ),
        ),
        (
            "decided by",
            match t.approval {
                Approval::Assessors => format!(
                    "{} of {} assessors ({})",
                    t.assessors_needed,
                    t.assessors.len(),
                    t.assessors
                        .iter()
                        .map(|k| short_did(&k.to_did()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                other => other.as_str().to_owned(),
            },
        ),
        ("members", s.members.to_string()),
        ("balance", v.balance.to_string()),
        ("premiums", s.premiums.to_string()),
        (
            "claims",
            format!(
                "{} made, {} decided, {} approved",
                s.claims, s.processed, s.approved
            ),
        ),
        ("paid", s.paid.to_string()),
        (
            "payout ratio",
            format!(
                "{} ({} paid / {} premiums, 12 months)",
                ratio(v),
                v.paid_12m,
                v.premiums_12m
            ),
        ),
        (
            "solvency",
            format!(
                "{} owed on approved claims against a balance of {}",
                s.outstanding, v.balance
            ),
        ),
    ];
    rows.push((
        "your cover",
        match mine {
            None => "not enrolled".into(),
            Some(e) => match &e.status {
                EnrolmentStatus::Active => match e.owed_since {
                    Some(since) => format!("a premium is owed since {}", datetime(since.0)),
                    None => format!("paid until {}", datetime(e.paid_through.0)),
                },
                EnrolmentStatus::Lapsed { at, reason } => {
                    format!("lapsed {}: {}", datetime(at.0), printable(reason))
                }
                EnrolmentStatus::Left { at } => format!("left {}", datetime(at.0)),
            },
        },
    ));
    fields(&rows)
}

fn claims_text(claims: &[Claim], pools: &[InsurancePoolView], all: bool) -> String {
    let rows: Vec<Vec<String>> = claims
        .iter()
        .filter(|c| all || matches!(c.status, ClaimStatus::Open | ClaimStatus::Approved))
        .map(|c| {
            vec![
                short(&c.id),
                pools
                    .iter()
                    .find(|p| p.pool.id == c.pool)
                    .map_or_else(|| short(&c.pool), |p| printable(&p.pool.name)),
                short_did(&c.member.to_did()),
                c.amount.to_string(),
                c.paid.to_string(),
                c.status.to_string(),
                datetime(c.created.0),
                printable(&c.reason),
            ]
        })
        .collect();
    if rows.is_empty() {
        return if all {
            "No insurance claims.".into()
        } else {
            "No open insurance claims (--all lists closed ones too).".into()
        };
    }
    table(
        &[
            "ID", "POOL", "MEMBER", "AMOUNT", "PAID", "STATUS", "CLAIMED", "REASON",
        ],
        &rows,
    )
}
