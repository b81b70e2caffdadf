//! `hearth show`: one proposal in full.

mod federated;

use anyhow::Result;
use hearth_protocol::Kc;

use crate::context::Context;
use crate::federation::FederationInfo;
use crate::governance::ballot::numbered;
use crate::governance::words::{self, result_line};
use crate::governance::{
    Found, ProposalInfo, Reader, SubjectInfo, level_text, method_name, parse_id,
};
use crate::output::{datetime, fields, printable, table};

/// Show a proposal: its stages, ballots and result.
///
/// Also its text, reviews, nominees or projects, and the decision (or the
/// count so far, unless the rules hide it).
///
/// A regional or network proposal shows the cross-community count as your
/// node computes it: whether it is final, the ballots counted and the
/// members eligible, the records not counted and why (late, unwitnessed,
/// not on a roster…), frozen and missing communities, and each
/// community's attestation of the result (certified once two thirds of
/// them attest the same result).
///
/// Name it by its id or a prefix of at least 8 hex digits. With --json,
/// prints the node's answer unchanged (the full report of the count).
///
/// Examples:
///   hearth show 3f2a9c01
///   hearth --json show 3f2a9c01 | jq .report.excluded
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
}

/// Runs `hearth show`.
pub fn run(ctx: &Context, args: ShowArgs) -> Result<()> {
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let reader = Reader {
        client: &client,
        key: &signer.keypair,
    };
    match reader.find_any(&args.id)? {
        Found::Local(value, info) => ctx.out.show(&value, || Ok(describe(&info))),
        Found::Federated(value, proposal) => ctx.out.show(&value, || {
            let (_, federation) = FederationInfo::fetch(&client)?;
            federated::describe(&proposal, &federation)
        }),
    }
}

/// A proposal for people.
pub fn describe(info: &ProposalInfo) -> String {
    let mut rows = vec![
        ("proposal", info.id.to_hex()),
        ("title", printable(&info.title)),
        (
            "kind",
            format!(
                "{} {}, decided by {}",
                level_text(&info.level),
                info.kind.as_str(),
                method_name(info.method)
            ),
        ),
        ("author", info.named(&info.author)),
        ("created", datetime(info.created)),
    ];
    if let Some(topic) = &info.topic {
        rows.insert(3, ("topic", printable(topic)));
    }
    let stage = match info.withdrawn {
        Some(at) => format!("withdrawn {}", datetime(at)),
        None if info.stage == "closed" => format!("closed {}", datetime(info.closes)),
        None => format!("{} (the vote closes {})", info.stage, datetime(info.closes)),
    };
    rows.push(("stage", stage));
    if let Some(opened) = info.vote_opened {
        rows.push(("vote opened", datetime(opened)));
    }
    if info.amendments > 0 {
        let times = if info.amendments == 1 {
            "time"
        } else {
            "times"
        };
        rows.push(("amended", format!("{} {times}", info.amendments)));
    }
    match &info.subject {
        Some(SubjectInfo::Budget { budget, .. }) => rows.push(("budget", Kc(*budget).to_string())),
        Some(SubjectInfo::Election { seats }) => rows.push(("seats", seats.to_string())),
        Some(SubjectInfo::Membership { member }) => rows.push(("admits", member.clone())),
        Some(SubjectInfo::Community {
            community,
            node,
            name,
        }) => rows.push((
            "admits",
            format!("community {} ({community}, node {node})", printable(name)),
        )),
        _ => {}
    }
    if info.comments > 0 {
        let comments = if info.comments == 1 {
            "1 comment".to_string()
        } else {
            format!("{} comments", info.comments)
        };
        rows.push((
            "discussion",
            format!("{comments} (hearth comments {})", info.short_id()),
        ));
    }
    if let Some(ballots) = info.ballots {
        rows.push(("ballots", ballots.to_string()));
    }
    if let Some(result) = result_line(info) {
        let label = if info.decision.is_some() {
            "decision"
        } else {
            "count"
        };
        rows.push((label, result));
    }
    let mut out = fields(&rows);
    out.push('\n');
    out.push_str(&stages(info));
    body_sections(&mut out, info);
    let projects = info.projects();
    if !projects.is_empty() {
        let lines: Vec<String> = projects
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}. {} ({})", i + 1, printable(&p.name), Kc(p.cost)))
            .collect();
        section(&mut out, "Projects", &lines);
    }
    if !info.nominees.is_empty() {
        let nominees: Vec<String> = info.nominees.iter().map(|n| info.named(n)).collect();
        section(&mut out, "Nominees", &numbered(&nominees));
    }
    if !info.reviews.is_empty() {
        let lines: Vec<String> = info
            .reviews
            .iter()
            .map(|r| {
                let verdict = if r.approve { "approves" } else { "rejects" };
                format!("{} {verdict}", info.named(&r.reviewer))
            })
            .collect();
        section(&mut out, "Reviews", &lines);
    }
    if let Some(report) = words::report(info) {
        let blocks: Vec<String> = words::blocks(report)
            .into_iter()
            .map(|(did, reason)| format!("{did}: {reason}"))
            .collect();
        if !blocks.is_empty() {
            section(&mut out, "Blocks", &blocks);
        }
        let carried: Vec<String> = words::carried(report)
            .into_iter()
            .map(|(did, weight)| format!("{did} carried {weight} votes"))
            .collect();
        if !carried.is_empty() {
            section(&mut out, "Delegated votes", &carried);
        }
    }
    out
}

/// The stages of a proposal and when each starts, then when it closes.
fn stages(info: &ProposalInfo) -> String {
    let stage_rows: Vec<Vec<String>> = info
        .stages
        .iter()
        .map(|(stage, start)| vec![stage.clone(), datetime(*start)])
        .chain(std::iter::once(vec![
            "closes".into(),
            datetime(info.closes),
        ]))
        .collect();
    table(&["STAGE", "FROM"], &stage_rows)
}

/// The text and options of a proposal, as sections.
fn body_sections(out: &mut String, info: &ProposalInfo) {
    if !info.text.is_empty() {
        out.push_str("\nText:\n");
        for line in info.text.lines() {
            out.push_str(&format!("  {}\n", printable(line)));
        }
    }
    if !info.options.is_empty() {
        let options: Vec<String> = info.options.iter().map(|o| printable(o)).collect();
        section(out, "Options", &numbered(&options));
    }
}

fn section(out: &mut String, title: &str, lines: &[String]) {
    out.push_str(&format!("\n{title}:\n"));
    for line in lines {
        out.push_str(&format!("  {line}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_decided_policy_reads_in_words() {
        let info: ProposalInfo = serde_json::from_value(json!({
            "id": "ab".repeat(32), "kind": "policy", "level": {"level": "local"},
            "title": "Quiet hours", "author": "did:key:z6MkA", "created": 0, "stage": "closed",
            "stages": [["discussion", 0], ["deliberation", 2000], ["voting", 3000]],
            "closes": 6000, "method": "consensus", "withdrawn": null,
            "text": "No drums\nafter 22:00", "options": [], "subject": {"type": "question"},
            "amendments": 1, "reviews": [], "vote_opened": null, "nominees": [], "ballots": 3,
            "decision": { "proposal": "ab".repeat(32), "closed": 6100, "result": "00".repeat(32),
              "verdict": { "outcome": "passed" },
              "report": { "method": "consensus", "report": {
                "counts": { "agree": 4, "abstain": 0, "disagree": 0, "block": 0 },
                "blocks": {}, "turnout": 4,
                "delegation": { "eligible": 4, "weight": { "did:key:z6MkC": 2 },
                                "represented_by": {}, "uncounted": {}, "absent": 0 },
                "outcome": "passed" } } },
        }))
        .unwrap();
        let text = describe(&info);
        for needle in [
            "decision  passed: 4 agree, 0 disagree, 0 block, turnout 4/4",
            "stage     closed 1970-01-01 00:00:06 UTC",
            "amended   1 time",
            "ballots   3",
            "deliberation  1970-01-01 00:00:02 UTC",
            "closes        1970-01-01 00:00:06 UTC",
            "Text:\n  No drums\n  after 22:00\n",
            "Delegated votes:\n  did:key:z6MkC carried 2 votes\n",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
    }

    #[test]
    fn budgets_list_projects_and_elections_nominees() {
        let info: ProposalInfo = serde_json::from_value(json!({
            "id": "cd".repeat(32), "kind": "budget", "level": {"level": "local"},
            "title": "Spring", "author": "did:key:z6MkA", "created": 0, "stage": "review",
            "stages": [], "closes": 0, "method": "budgeting", "withdrawn": null,
            "subject": {"type": "budget", "budget": 1000000,
                        "projects": [{"name": "Oven", "cost": 400000}]},
            "reviews": [{"reviewer": "did:key:z6MkR", "approve": true}],
            "nominees": ["did:key:z6MkN"], "ballots": 0, "running": {"hidden": true},
        }))
        .unwrap();
        let text = describe(&info);
        for needle in [
            "budget    1000 KC",
            "count     hidden until the vote closes",
            "Projects:\n  1. Oven (400 KC)\n",
            "Reviews:\n  did:key:z6MkR approves\n",
            "Nominees:\n  1. did:key:z6MkN\n",
            "stage     review (the vote closes",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
    }
}

#[cfg(test)]
mod names {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_named_beside_their_keys_and_comments_counted() {
        let info: ProposalInfo = serde_json::from_value(json!({
            "id": "cd".repeat(32), "kind": "election", "level": {"level": "local"},
            "title": "Council", "author": "did:key:z6MkA", "author_name": "Alice",
            "created": 0, "stage": "nominations", "stages": [], "closes": 0,
            "method": "stv", "withdrawn": null, "comments": 2,
            "subject": {"type": "election", "seats": 1},
            "reviews": [], "nominees": ["did:key:z6MkN", "did:key:z6MkM"],
            "names": {"did:key:z6MkN": "Nia\u{7}"}, "ballots": 0,
            "running": {"hidden": true},
        }))
        .unwrap();
        let text = describe(&info);
        for needle in [
            "author      Alice (did:key:z6MkA)",
            "discussion  2 comments (hearth comments cdcdcdcd",
            "Nominees:\n  1. Nia\\u{7} (did:key:z6MkN)\n  2. did:key:z6MkM\n",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
    }
}
