//! `hearth learn skill`: the skill graph — add, edit, list and show skills.

use anyhow::Result;
use hearth_protocol::economy::learning::{LearningAction, Session, Skill, Verification};
use serde::Deserialize;

use super::{SkillsView, act, find_skill, skill_name, skills};
use crate::context::Context;
use crate::economy::{read, short};
use crate::output::{datetime, fields, printable, short_did, table};

#[derive(Debug, clap::Subcommand)]
pub(super) enum SkillCommand {
    /// Add a skill (stewards).
    ///
    /// Examples:
    ///   hearth learn skill add soil --description "How soil lives"
    ///   hearth learn skill add compost --needs soil
    #[command(verbatim_doc_comment)]
    Add {
        /// Its name (unique).
        name: String,
        /// What it is.
        #[arg(long, default_value = "")]
        description: String,
        /// A prerequisite skill (repeat for several).
        #[arg(long = "needs")]
        needs: Vec<String>,
    },
    /// Edit a skill (stewards): what is not given stays as it is.
    ///
    /// Examples:
    ///   hearth learn skill edit compost --needs soil --needs "hand tools"
    ///   hearth learn skill edit compost --no-needs
    #[command(verbatim_doc_comment)]
    Edit {
        /// The skill.
        skill: String,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new description.
        #[arg(long)]
        description: Option<String>,
        /// The new prerequisites (repeat; replaces the old ones).
        #[arg(long = "needs")]
        needs: Vec<String>,
        /// Remove every prerequisite.
        #[arg(long, conflicts_with = "needs")]
        no_needs: bool,
    },
    /// List the skills.
    #[command(verbatim_doc_comment)]
    List,
    /// Show a skill: prerequisites, verified members, upcoming sessions.
    #[command(verbatim_doc_comment)]
    Show {
        /// The skill.
        skill: String,
    },
}

#[derive(Debug, Deserialize)]
struct SkillView {
    #[serde(flatten)]
    skill: Skill,
    verified: Vec<Verification>,
    upcoming: Vec<Session>,
}

/// Runs `hearth learn skill`.
pub(super) fn run(ctx: &Context, command: SkillCommand) -> Result<()> {
    match command {
        SkillCommand::Add {
            name,
            description,
            needs,
        } => {
            let all = skills(ctx)?;
            let prerequisites = needs
                .iter()
                .map(|n| find_skill(&all, n).map(|s| s.id))
                .collect::<Result<Vec<_>>>()?;
            let done = format!("Added skill {}", name.trim());
            act(
                ctx,
                LearningAction::AddSkill {
                    name,
                    description,
                    prerequisites,
                },
                done,
                true,
            )
        }
        SkillCommand::Edit {
            skill,
            name,
            description,
            needs,
            no_needs,
        } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let prerequisites = if no_needs {
                Vec::new()
            } else if needs.is_empty() {
                s.prerequisites.clone()
            } else {
                needs
                    .iter()
                    .map(|n| find_skill(&all, n).map(|s| s.id))
                    .collect::<Result<Vec<_>>>()?
            };
            let name = name.unwrap_or_else(|| s.name.clone());
            let done = format!("Edited skill {}", name.trim());
            act(
                ctx,
                LearningAction::EditSkill {
                    skill: s.id,
                    name,
                    description: description.unwrap_or_else(|| s.description.clone()),
                    prerequisites,
                },
                done,
                false,
            )
        }
        SkillCommand::List => {
            let (value, view): (_, SkillsView) = read(ctx, "/v1/learning/skills", "skill list")?;
            ctx.out.show(&value, || {
                if view.skills.is_empty() {
                    return Ok("No skills yet.".into());
                }
                let mut sorted: Vec<&Skill> = view.skills.iter().collect();
                sorted.sort_by(|a, b| a.name.cmp(&b.name));
                let rows = sorted
                    .iter()
                    .map(|s| {
                        let needs = s
                            .prerequisites
                            .iter()
                            .map(|p| skill_name(&view.skills, p))
                            .collect::<Vec<_>>()
                            .join(", ");
                        vec![short(&s.id), printable(&s.name), needs]
                    })
                    .collect::<Vec<_>>();
                Ok(table(&["ID", "SKILL", "NEEDS"], &rows))
            })
        }
        SkillCommand::Show { skill } => {
            let all = skills(ctx)?;
            let s = find_skill(&all, &skill)?;
            let (value, view): (_, SkillView) =
                read(ctx, &format!("/v1/learning/skills/{}", s.id), "skill")?;
            ctx.out.show(&value, || {
                let needs = view
                    .skill
                    .prerequisites
                    .iter()
                    .map(|p| skill_name(&all, p))
                    .collect::<Vec<_>>()
                    .join(", ");
                let verified = view
                    .verified
                    .iter()
                    .map(|v| short_did(&v.member.to_did()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let upcoming = view
                    .upcoming
                    .iter()
                    .map(|u| format!("{} {}", short(&u.id), datetime(u.start.0)))
                    .collect::<Vec<_>>()
                    .join(", ");
                Ok(fields(&[
                    ("skill", printable(&view.skill.name)),
                    ("id", view.skill.id.to_string()),
                    ("description", printable(&view.skill.description)),
                    ("needs", needs),
                    ("verified", verified),
                    ("upcoming", upcoming),
                ]))
            })
        }
    }
}
