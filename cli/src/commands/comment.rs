//! `hearth comment` and `hearth comments`: a proposal's discussion thread.

use std::path::PathBuf;

use anyhow::Result;
use hearth_protocol::{ActionBody, GovernanceAction};
use serde::Deserialize;
use serde_json::json;

use super::propose::read_text;
use super::{receipt_json, receipt_text};
use crate::api;
use crate::context::Context;
use crate::governance::{Reader, parse_id};
use crate::output::{datetime, printable, short_did};

/// Comment on a proposal before its vote opens.
///
/// Comments form the proposal's thread, numbered from 1; --reply N answers
/// comment N. They are signed by you and kept in the community's log like
/// every action, during discussion and deliberation (and a budget's
/// submission and review, an election's nominations and campaign).
///
/// Examples:
///   hearth comment 3f2a9c01 "Why 22:00 and not 23:00?"
///   hearth comment 3f2a9c01 --reply 1 "Children sleep by then."
///   hearth comment 3f2a9c01 --text-file thoughts.md
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
#[command(group(clap::ArgGroup::new("comment_text").required(true).args(["text", "text_file"])))]
pub struct CommentArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
    /// The comment.
    text: Option<String>,
    /// Read the comment from a file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    text_file: Option<PathBuf>,
    /// The number of the comment this one answers.
    #[arg(long, value_name = "N")]
    reply: Option<u32>,
}

/// Runs `hearth comment`.
pub fn run(ctx: &Context, args: CommentArgs) -> Result<()> {
    let text = read_text(args.text, args.text_file.as_deref())?;
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Comment {
        proposal: info.reference(),
        text: text.clone(),
        reply_to: args.reply,
    }))?;
    let value = receipt_json(
        &receipt,
        json!({ "proposal": info.id, "text": text, "reply_to": args.reply }),
    );
    ctx.out.show(&value, || {
        Ok(format!(
            "Commented on {} \"{}\" ({})",
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}

/// Read a proposal's discussion thread.
///
/// Shows every comment in order with its number, author (their name
/// beside their key) and time; a reply names the comment it answers.
///
/// Example:
///   hearth comments 3f2a9c01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct CommentsArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
}

/// One comment, as the node serves it.
#[derive(Debug, Deserialize)]
pub struct CommentInfo {
    /// Its number in the thread.
    pub number: u32,
    /// The author's did.
    pub author: String,
    /// The author's display name.
    pub name: Option<String>,
    /// When it was sealed (ms since the epoch).
    pub time: u64,
    /// The comment.
    pub text: String,
    /// The comment it answers.
    pub reply_to: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct Page {
    comments: Vec<CommentInfo>,
}

/// Every comment of proposal `id` (hex), read page by page.
pub fn thread(reader: &Reader<'_>, id: &str) -> Result<(Vec<serde_json::Value>, Vec<CommentInfo>)> {
    let mut values = Vec::new();
    let mut comments: Vec<CommentInfo> = Vec::new();
    loop {
        let after = comments.last().map_or(0, |c| c.number);
        let value = reader.get(&format!(
            "/v1/proposals/{id}/comments?after={after}&limit=1000"
        ))?;
        let page: Page = api::decode(value.clone(), "comment thread")?;
        if page.comments.is_empty() {
            break;
        }
        if let Some(list) = value["comments"].as_array() {
            values.extend(list.iter().cloned());
        }
        comments.extend(page.comments);
    }
    Ok((values, comments))
}

/// The thread as text: one paragraph per comment.
pub fn thread_text(comments: &[CommentInfo]) -> String {
    let mut out = String::new();
    for c in comments {
        let who = match &c.name {
            Some(name) => format!("{} ({})", printable(name), short_did(&c.author)),
            None => short_did(&c.author),
        };
        let reply = c
            .reply_to
            .map(|n| format!(", replying to #{n}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "#{} {who}, {}{reply}\n",
            c.number,
            datetime(c.time)
        ));
        for line in c.text.lines() {
            out.push_str(&format!("    {}\n", printable(line)));
        }
    }
    out
}

/// Runs `hearth comments`.
pub fn run_list(ctx: &Context, args: CommentsArgs) -> Result<()> {
    let client = ctx.client()?;
    let signer = ctx.signer()?;
    let reader = Reader {
        client: &client,
        key: &signer.keypair,
    };
    let (_, info) = reader.find(&args.id)?;
    let (values, comments) = thread(&reader, &info.id.to_hex())?;
    let value = json!({ "proposal": info.id, "comments": values });
    ctx.out.show(&value, || {
        if comments.is_empty() {
            return Ok(format!(
                "No comments on {} \"{}\" yet.",
                info.short_id(),
                printable(&info.title)
            ));
        }
        Ok(format!(
            "{} \"{}\": {} comment{}\n\n{}",
            info.short_id(),
            printable(&info.title),
            comments.len(),
            if comments.len() == 1 { "" } else { "s" },
            thread_text(&comments).trim_end()
        ))
    })
}
