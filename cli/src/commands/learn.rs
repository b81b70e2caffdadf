//! `hearth learn`: the skill graph, learning paths, peer sessions and
//! their rewards, endorsements and verified skills.

mod session;
mod skill;

use anyhow::Result;
use hearth_protocol::economy::learning::{
    EducationPool, Endorsement, LearningAction, PathStep, Reward, Skill, Verification,
};
use hearth_protocol::{ActionBody, Hash, Kc, PublicKey};
use serde::Deserialize;
use serde_json::json;

use super::pay::parse_amount;
use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::economy::{find, read, short};
use crate::output::{datetime, printable, short_did, table};

/// Learn from each other: skills, paths, peer sessions and verification.
///
/// A skill graph, learning paths, peer sessions rewarded from the
/// education pool, and verified skills.
///
/// Skills have prerequisites; stewards keep the graph (the council in
/// power and the assessors the rule `learning.assessors` appoints). A
/// prerequisite that would close a cycle is refused.
///
/// `path` lists what you still need for your goals: every prerequisite
/// before what needs it, ties by name, without the skills you are
/// verified in — with upcoming sessions and members who offer to teach.
///
/// Any member schedules a session; others enrol. After the session ends,
/// each student confirms it within `learning.confirmation_window` (7 days):
/// the teacher earns `learning.teacher_reward` (50 KC) once per session and
/// each confirming student `learning.student_reward` (10 KC), from the
/// education pool. What the pool cannot pay yet waits, first come first
/// served, for the next contribution (`hearth learn contribute`).
///
/// A skill is verified for a member after `learning.skill_endorsements`
/// (2) endorsements by members verified in it, or at once by one assessor
/// (appointed, else the council in power); the first member in a skill is
/// always verified by an assessor. Nobody endorses themselves. The council
/// revokes a verification by a moderation decision, with its reason.
///
/// Skills are named by name or the start of their id (8 hex digits or
/// more); sessions by the start of their id.
///
/// Examples:
///   hearth learn skill add soil --description "How soil lives"
///   hearth learn skill add compost --needs soil
///   hearth learn path --goal compost
///   hearth learn session schedule soil --at "tomorrow 10:00" --for 2h --place "Garden shed"
///   hearth learn session enrol 1a2b3c4d
///   hearth learn session confirm 1a2b3c4d
///   hearth learn endorse did:key:z6Mk… soil
///   hearth learn verified
///   hearth learn credential soil --out soil.json
///   hearth learn revoke did:key:z6Mk… soil --reason "Endorsed by mistake"
///   hearth learn contribute 100
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct LearnArgs {
    #[command(subcommand)]
    command: LearnCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LearnCommand {
    /// The skill graph: add, edit, list and show skills.
    #[command(subcommand, verbatim_doc_comment)]
    Skill(skill::SkillCommand),
    /// Your learning path to one or more goal skills.
    ///
    /// Examples:
    ///   hearth learn path --goal compost
    ///   hearth learn path --goal compost --goal pruning --member did:key:z6Mk…
    #[command(verbatim_doc_comment)]
    Path {
        /// A goal skill (repeat for several).
        #[arg(long = "goal", required = true)]
        goals: Vec<String>,
        /// Whose path (a did:key or a local key's name; default: yours).
        #[arg(long)]
        member: Option<String>,
    },
    /// Peer sessions: schedule, list, enrol, cancel, confirm.
    #[command(subcommand, verbatim_doc_comment)]
    Session(session::SessionCommand),
    /// Endorse a member in a skill you are verified in (or as an assessor).
    #[command(verbatim_doc_comment)]
    Endorse {
        /// The member (a did:key or a local key's name).
        member: String,
        /// The skill.
        skill: String,
    },
    /// Withdraw an endorsement that has not counted yet.
    #[command(verbatim_doc_comment)]
    Unendorse {
        /// The member.
        member: String,
        /// The skill.
        skill: String,
    },
    /// Offer (or with --stop, stop offering) to teach a skill you are verified in.
    #[command(verbatim_doc_comment)]
    Teach {
        /// The skill.
        skill: String,
        /// Stop offering.
        #[arg(long)]
        stop: bool,
    },
    /// Propose that the council revoke a member's verification (council members).
    ///
    /// An emergency proposal the council decides; its reason is recorded
    /// with the revocation, which is kept for good and answers credential
    /// status requests (on any node of the network once mirrored into the
    /// public log).
    ///
    /// Examples:
    ///   hearth learn revoke did:key:z6Mk… soil --reason "Endorsed by mistake"
    #[command(verbatim_doc_comment)]
    Revoke {
        /// The member.
        member: String,
        /// The skill.
        skill: String,
        /// Why (the proposal's text, recorded with the revocation).
        #[arg(long)]
        reason: String,
    },
    /// A member's verified skills (default: yours), revoked ones marked.
    #[command(verbatim_doc_comment)]
    Verified {
        /// The member (a did:key or a local key's name).
        member: Option<String>,
    },
    /// Pending endorsements (of one member, or everyone's).
    #[command(verbatim_doc_comment)]
    Endorsements {
        /// The member.
        #[arg(long)]
        member: Option<String>,
    },
    /// The education pool and the session rewards, paid and owed.
    #[command(verbatim_doc_comment)]
    Rewards,
    /// Export a skill you are verified in as a portable credential.
    ///
    /// The node issues an Open Badges 3.0 credential (a W3C Verifiable
    /// Credential) naming you and the skill, signed with the community's
    /// did:key (eddsa-jcs-2022). Anyone can check it, offline, with
    /// `hearth credential verify FILE`, or with any verifier of the
    /// standard; with `--node`, also that the community has not revoked it.
    #[command(verbatim_doc_comment)]
    Credential {
        /// The skill.
        skill: String,
        /// Write it to this file (default: print it).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Give money to the education pool: waiting rewards are paid first.
    #[command(verbatim_doc_comment)]
    Contribute {
        /// How much, in KC.
        #[arg(value_parser = parse_amount)]
        amount: Kc,
    },
}

#[derive(Debug, Deserialize)]
struct SkillsView {
    skills: Vec<Skill>,
}

#[derive(Debug, Deserialize)]
struct PathView {
    steps: Vec<PathStep>,
    #[serde(default)]
    prose: Option<String>,
    #[serde(default)]
    prose_note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VerifiedItem {
    #[serde(flatten)]
    verification: Verification,
    name: String,
}

#[derive(Debug, Deserialize)]
struct VerifiedView {
    verifications: Vec<VerifiedItem>,
}

#[derive(Debug, Deserialize)]
struct EndorsementsView {
    endorsements: Vec<Endorsement>,
}

#[derive(Debug, Deserialize)]
struct RewardsView {
    pool: EducationPool,
    rewards: Vec<Reward>,
}

fn skills(ctx: &Context) -> Result<Vec<Skill>> {
    Ok(
        read::<SkillsView>(ctx, "/v1/learning/skills", "skill list")?
            .1
            .skills,
    )
}

fn find_skill<'a>(all: &'a [Skill], text: &str) -> Result<&'a Skill> {
    find(
        all,
        text,
        "skill",
        "unknown_skill",
        |s| Some(s.name.as_str()),
        |s| s.id,
    )
}

fn member(ctx: &Context, text: Option<&str>) -> Result<PublicKey> {
    match text {
        Some(t) => ctx.member(t),
        None => Ok(ctx.signer()?.public()),
    }
}

/// Submits `body` and prints `done`, the id first if `id_first`.
fn act(ctx: &Context, body: LearningAction, done: String, id_first: bool) -> Result<()> {
    let receipt = ctx.session()?.submit(ActionBody::Learning(body))?;
    let value = receipt_json(&receipt, json!({}));
    ctx.out.show(&value, || {
        Ok(if id_first {
            format!("{}\n{done} ({})", receipt.id, receipt_text(&receipt))
        } else {
            format!("{done} ({})", receipt_text(&receipt))
        })
    })
}

/// Runs `hearth learn`.
pub fn run(ctx: &Context, args: LearnArgs) -> Result<()> {
    match args.command {
        LearnCommand::Skill(command) => skill::run(ctx, command),
        LearnCommand::Path { goals, member: m } => {
            let all = skills(ctx)?;
            let ids = goals
                .iter()
                .map(|g| find_skill(&all, g).map(|s| s.id.to_string()))
                .collect::<Result<Vec<_>>>()?;
            let who = member(ctx, m.as_deref())?;
            let path = format!(
                "/v1/learning/path?member={}&goals={}",
                who.to_did(),
                ids.join(",")
            );
            let (value, view): (_, PathView) = read(ctx, &path, "learning path")?;
            ctx.out.show(&value, || {
                let mut text = path_text(&view.steps);
                if let Some(prose) = &view.prose {
                    text.push_str(&format!("\n\n{}", printable(prose)));
                }
                if let Some(note) = &view.prose_note {
                    text.push_str(&format!("\n\n({})", printable(note)));
                }
                Ok(text)
            })
        }
        LearnCommand::Credential { skill, out } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let path = format!("/v1/learning/credential?skill={}", s.id);
            let (credential, _): (serde_json::Value, serde_json::Value) =
                read(ctx, &path, "credential")?;
            let text = serde_json::to_string_pretty(&credential)?;
            match out {
                None => ctx.out.show(&credential, || Ok(text)),
                Some(file) => {
                    std::fs::write(&file, format!("{text}\n"))
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
                    let done =
                        json!({"file": file.display().to_string(), "credential": credential});
                    ctx.out.show(&done, || {
                        Ok(format!(
                            "Wrote your credential for {} to {}; check it with `hearth credential verify {}`",
                            s.name,
                            file.display(),
                            file.display()
                        ))
                    })
                }
            }
        }
        LearnCommand::Session(command) => session::run(ctx, command),
        LearnCommand::Endorse { member: m, skill } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let who = ctx.member(&m)?;
            let done = format!("Endorsed {} in {}", short_did(&who.to_did()), s.name);
            act(
                ctx,
                LearningAction::Endorse {
                    member: who,
                    skill: s.id,
                },
                done,
                false,
            )
        }
        LearnCommand::Unendorse { member: m, skill } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let who = ctx.member(&m)?;
            let done = format!("Withdrew your endorsement in {}", s.name);
            act(
                ctx,
                LearningAction::Unendorse {
                    member: who,
                    skill: s.id,
                },
                done,
                false,
            )
        }
        LearnCommand::Teach { skill, stop } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let done = if stop {
                format!("No longer offering to teach {}", s.name)
            } else {
                format!("Offering to teach {}", s.name)
            };
            act(
                ctx,
                LearningAction::Teach {
                    skill: s.id,
                    offer: !stop,
                },
                done,
                false,
            )
        }
        LearnCommand::Revoke {
            member: m,
            skill,
            reason,
        } => {
            use hearth_protocol::GovernanceAction;
            use hearth_protocol::governance::{Level, Moderation, Proposal, ProposalKind, Subject};
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let who = ctx.member(&m)?;
            let proposal = Proposal {
                kind: ProposalKind::Emergency,
                level: Level::Local,
                topic: None,
                title: format!("Revoke {} in {}", short_did(&who.to_did()), s.name),
                text: reason,
                options: Vec::new(),
                subject: Subject::Moderation {
                    action: Moderation::RevokeSkill {
                        member: who,
                        skill: s.id,
                    },
                },
            };
            let receipt =
                ctx.session()?
                    .submit(ActionBody::Governance(GovernanceAction::Propose(Box::new(
                        proposal,
                    ))))?;
            let value = receipt_json(&receipt, json!({ "skill": s.id, "member": who }));
            ctx.out.show(&value, || {
                Ok(format!(
                    "{}\nProposed revoking {} in {}: the council decides (`hearth vote {} yes`)",
                    receipt.id,
                    short_did(&who.to_did()),
                    s.name,
                    receipt.id.chars().take(8).collect::<String>()
                ))
            })
        }
        LearnCommand::Verified { member: m } => {
            let who = member(ctx, m.as_deref())?;
            let (value, view): (_, VerifiedView) = read(
                ctx,
                &format!("/v1/learning/verified/{}", who.to_did()),
                "verified skills",
            )?;
            ctx.out.show(&value, || {
                if view.verifications.is_empty() {
                    return Ok("No verified skills.".into());
                }
                let rows = view
                    .verifications
                    .iter()
                    .map(|v| {
                        let how = if v.verification.by_assessor {
                            "by an assessor".to_string()
                        } else {
                            format!("{} endorsements", v.verification.by.len())
                        };
                        let state = match &v.verification.revoked {
                            Some(r) => {
                                format!("revoked {}: {}", datetime(r.at.0), printable(&r.reason))
                            }
                            None => "verified".into(),
                        };
                        vec![
                            printable(&v.name),
                            state,
                            datetime(v.verification.verified_at.0),
                            how,
                        ]
                    })
                    .collect::<Vec<_>>();
                Ok(table(&["SKILL", "STATE", "SINCE", "HOW"], &rows))
            })
        }
        LearnCommand::Endorsements { member: m } => {
            let path = match m {
                Some(m) => format!(
                    "/v1/learning/endorsements?member={}",
                    ctx.member(&m)?.to_did()
                ),
                None => "/v1/learning/endorsements".into(),
            };
            let (value, view): (_, EndorsementsView) = read(ctx, &path, "endorsements")?;
            let all = skills(ctx)?;
            ctx.out.show(&value, || {
                if view.endorsements.is_empty() {
                    return Ok("No pending endorsements.".into());
                }
                let rows = view
                    .endorsements
                    .iter()
                    .map(|e| {
                        vec![
                            short_did(&e.member.to_did()),
                            skill_name(&all, &e.skill),
                            short_did(&e.endorser.to_did()),
                            datetime(e.at.0),
                        ]
                    })
                    .collect::<Vec<_>>();
                Ok(table(&["MEMBER", "SKILL", "ENDORSER", "AT"], &rows))
            })
        }
        LearnCommand::Rewards => {
            let (value, view): (_, RewardsView) = read(ctx, "/v1/learning/rewards", "rewards")?;
            ctx.out.show(&value, || {
                let mut out = format!(
                    "Education pool: {} (owes {})",
                    view.pool.balance, view.pool.owed
                );
                if !view.rewards.is_empty() {
                    let rows = view
                        .rewards
                        .iter()
                        .map(|r| {
                            vec![
                                short(&r.session),
                                short_did(&r.member.to_did()),
                                if r.teacher { "teacher" } else { "student" }.into(),
                                r.amount.to_string(),
                                r.paid.to_string(),
                            ]
                        })
                        .collect::<Vec<_>>();
                    out.push('\n');
                    out.push_str(&table(
                        &["SESSION", "MEMBER", "AS", "REWARD", "PAID"],
                        &rows,
                    ));
                }
                Ok(out)
            })
        }
        LearnCommand::Contribute { amount } => act(
            ctx,
            LearningAction::Contribute { amount },
            format!("Gave {amount} to the education pool"),
            false,
        ),
    }
}

fn skill_name(all: &[Skill], id: &Hash) -> String {
    all.iter()
        .find(|s| s.id == *id)
        .map(|s| printable(&s.name))
        .unwrap_or_else(|| short(id))
}

fn path_text(steps: &[PathStep]) -> String {
    if steps.is_empty() {
        return "Nothing to learn: you are verified in every skill of this path.".into();
    }
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        out.push(format!("{}. {}", i + 1, printable(&step.name)));
        for s in &step.sessions {
            out.push(format!(
                "   session {} {} at {} ({} places left)",
                short(&s.id),
                datetime(s.start.0),
                printable(&s.place),
                s.places_left
            ));
        }
        if !step.teachers.is_empty() {
            let teachers: Vec<String> = step
                .teachers
                .iter()
                .map(|t| short_did(&t.to_did()))
                .collect();
            out.push(format!("   teachers: {}", teachers.join(", ")));
        }
    }
    out.join("\n")
}
