//! `hearth log`: read the community's local or public log.

use anyhow::Result;
use hearth_protocol::Kc;
use serde_json::Value;

use crate::api::{self, EntryInfo, LogPage};
use crate::context::{Context, now};
use crate::output::{datetime, printable, short_did};

/// Print the community's log, one line per entry with a summary of its actions.
///
/// Each line gives the entry's seq and time, then what each action in it did.
///
/// The local log (ledger and other internal records) is the default and
/// only members may read it; --public reads the federation-visible log.
/// With --json, prints the node's answer unchanged.
///
/// Example:
///   hearth log --public --from 100 --limit 20
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct LogArgs {
    /// Read the public log instead of the local one.
    #[arg(long)]
    public: bool,
    /// The first seq to print.
    #[arg(long, default_value_t = 0, value_name = "SEQ")]
    from: u64,
    /// How many entries to print at most (1-256).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=256))]
    limit: u16,
}

/// Runs `hearth log`.
pub fn run(ctx: &Context, args: LogArgs) -> Result<()> {
    let kind = if args.public { "public" } else { "local" };
    let path = format!(
        "/v1/logs/{kind}/entries?from={}&limit={}",
        args.from, args.limit
    );
    let client = ctx.client()?;
    let value = if args.public {
        client.get(&path)?
    } else {
        client.get_signed(&path, &ctx.signer()?.keypair, now()?)?
    };
    ctx.out.show(&value, || {
        let page: LogPage = api::decode(value.clone(), "log page")?;
        if let Some(next) = page.next {
            let flag = if args.public { " --public" } else { "" };
            eprintln!("More entries follow: hearth log{flag} --from {next}");
        }
        if page.entries.is_empty() {
            return Ok(format!("No {kind} log entries from #{}.", args.from));
        }
        Ok(page
            .entries
            .iter()
            .map(entry_line)
            .collect::<Vec<_>>()
            .join("\n"))
    })
}

/// One entry on one line: seq, time, what it holds.
pub fn entry_line(entry: &EntryInfo) -> String {
    let value = &entry.body["value"];
    let summary = match entry.body["type"].as_str() {
        Some("genesis") => format!("genesis of {:?}", value["name"].as_str().unwrap_or("?")),
        Some("actions") => value
            .as_array()
            .map(|actions| actions.iter().map(action_summary).collect::<Vec<_>>())
            .unwrap_or_default()
            .join("; "),
        Some("records") => value
            .as_array()
            .map(|records| records.iter().map(record_summary).collect::<Vec<_>>())
            .unwrap_or_default()
            .join("; "),
        other => other.unwrap_or("unknown entry").to_owned(),
    };
    format!("#{:<5} {}  {summary}", entry.seq, datetime(entry.time))
}

/// A signed action as `kind: who did what`. Free text (memos, reasons)
/// is quoted and escaped so it cannot drive the terminal.
pub fn action_summary(signed: &Value) -> String {
    let action = &signed["action"];
    // The body names its domain, then the domain's action.
    let body = &action["body"]["action"];
    let did = |v: &Value| v.as_str().map_or_else(|| "?".to_owned(), short_did);
    let author = did(&action["author"]);
    let kind = body["type"].as_str().unwrap_or("unknown");
    let detail = match kind {
        "transfer" => {
            let amount = amount(&body["amount"]);
            let memo = body["memo"].as_str().unwrap_or("");
            let memo = if memo.is_empty() {
                String::new()
            } else {
                format!(" {memo:?}")
            };
            format!("{author} paid {amount} to {}{memo}", did(&body["to"]))
        }
        "issue_invite" => {
            let expires = body["expires"]
                .as_u64()
                .map_or_else(|| "?".to_owned(), datetime);
            format!("{author} issued an invite until {expires}")
        }
        "join" => format!("{author} joined"),
        "leave" => format!("{author} left"),
        "remove_member" => format!(
            "{author} removed {}: {:?}",
            did(&body["member"]),
            body["reason"].as_str().unwrap_or("")
        ),
        "propose" => format!(
            "{author} proposed {} {:?}",
            body["kind"].as_str().unwrap_or("?"),
            body["title"].as_str().unwrap_or("")
        ),
        "amend" => format!("{author} amended {}", proposal(&body["proposal"])),
        "withdraw" => format!("{author} withdrew {}", proposal(&body["proposal"])),
        "review" => {
            let verdict = match body["approve"].as_bool() {
                Some(true) => "approved",
                _ => "rejected",
            };
            format!("{author} {verdict} {}", proposal(&body["proposal"]))
        }
        "submit_project" => format!(
            "{author} submitted {:?} to {}",
            body["project"]["name"].as_str().unwrap_or(""),
            proposal(&body["proposal"])
        ),
        "nominate" => format!(
            "{author} nominated {} in {}",
            did(&body["candidate"]),
            proposal(&body["proposal"])
        ),
        "vote" => format!("{author} voted on {}", proposal(&body["proposal"])),
        "aid_contribute" => format!(
            "{author} gave {} to aid pool {}",
            amount(&body["amount"]),
            short_hex(&body["pool"])
        ),
        "aid_request" => format!(
            "{author} asked aid pool {} for {}",
            short_hex(&body["pool"]),
            amount(&body["amount"])
        ),
        "aid_withdraw" => format!("{author} withdrew request {}", short_hex(&body["request"])),
        "aid_assess" | "insurance_assess" => {
            let verdict = match body["approve"].as_bool() {
                Some(true) => "approved",
                _ => "refused",
            };
            let id = body.get("request").unwrap_or(&body["claim"]);
            format!("{author} {verdict} {}", short_hex(id))
        }
        "insurance_enrol" => format!("{author} enrolled in {}", short_hex(&body["pool"])),
        "insurance_leave" => format!("{author} left {}", short_hex(&body["pool"])),
        "insurance_claim" => format!(
            "{author} claimed {} from {}",
            amount(&body["amount"]),
            short_hex(&body["pool"])
        ),
        "insurance_withdraw" => format!("{author} withdrew claim {}", short_hex(&body["claim"])),
        "delegate" => {
            let scope = &body["scope"];
            let mut scope_text = scope["level"]["level"].as_str().unwrap_or("?").to_owned();
            if let Some(kind) = scope["kind"].as_str() {
                scope_text = format!("{scope_text}:{kind}");
            }
            if let Some(topic) = scope["topic"].as_str() {
                scope_text = format!("{scope_text} #{}", printable(topic));
            }
            match &body["to"] {
                Value::Null => format!("{author} revoked their {scope_text} delegation"),
                to => format!("{author} delegated {scope_text} votes to {}", did(to)),
            }
        }
        _ => format!("by {author}"),
    };
    format!("{kind}: {detail}")
}

/// An amount in milli-KC as KC.
fn amount(value: &Value) -> String {
    value
        .as_i64()
        .map_or_else(|| "?".to_owned(), |m| Kc(m).to_string())
}

/// A proposal reference (`{"id", "level"}`) as its short id.
fn proposal(reference: &Value) -> String {
    short_hex(&reference["id"])
}

/// The first digits of a hex id.
fn short_hex(id: &Value) -> String {
    id.as_str().map_or_else(
        || "?".to_owned(),
        |id| id.chars().take(crate::governance::SHORT_ID).collect(),
    )
}

/// A node's own record: `close: <proposal> decided`.
pub fn record_summary(record: &Value) -> String {
    match record["type"].as_str() {
        Some("close") => format!("close: {} decided", short_hex(&record["proposal"])),
        Some("due") => {
            let items = record["items"].as_array().map_or(0, Vec::len);
            format!("due: {items} scheduled item(s) settled")
        }
        other => other.unwrap_or("unknown record").to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::test::keypair;
    use hearth_protocol::{
        Action, ActionBody, GovernanceAction, Hash, LedgerAction, MembershipAction, Timestamp,
    };
    use serde_json::json;

    fn signed(body: ActionBody) -> Value {
        let author = keypair(1);
        let action = Action {
            author: author.public(),
            community: Hash([0; 32]),
            nonce: 1,
            created: Timestamp(0),
            body,
        };
        serde_json::to_value(action.sign(&author)).unwrap()
    }

    #[test]
    fn actions_are_summarised_from_the_protocol_json() {
        let to = keypair(2).public();
        let author = short_did(&keypair(1).public().to_did());
        let transfer = signed(ActionBody::Ledger(LedgerAction::Transfer {
            to,
            amount: Kc(12_500),
            memo: "ladder\x1b[2J".into(),
        }));
        assert_eq!(
            action_summary(&transfer),
            format!(
                "transfer: {author} paid 12.5 KC to {} \"ladder\\u{{1b}}[2J\"",
                short_did(&to.to_did())
            )
        );
        let leave = signed(ActionBody::Membership(MembershipAction::Leave));
        assert_eq!(action_summary(&leave), format!("leave: {author} left"));
        let remove = signed(ActionBody::Membership(MembershipAction::RemoveMember {
            member: to,
            reason: "spam".into(),
        }));
        assert!(action_summary(&remove).ends_with(": \"spam\""));
        assert_eq!(action_summary(&json!({})), "unknown: by ?");
    }

    #[test]
    fn governance_actions_and_closes_are_summarised() {
        use hearth_protocol::governance::{
            Ballot, Level, Proposal, ProposalKind, ProposalRef, Scope, Subject, YesNo,
        };
        let author = short_did(&keypair(1).public().to_did());
        let proposal = ProposalRef {
            id: Hash([0xab; 32]),
            level: Level::Local,
        };
        let propose = signed(ActionBody::Governance(GovernanceAction::Propose(Box::new(
            Proposal {
                kind: ProposalKind::Policy,
                level: Level::Local,
                topic: None,
                title: "Quiet\nhours".into(),
                text: String::new(),
                options: vec![],
                subject: Subject::Question,
            },
        ))));
        assert_eq!(
            action_summary(&propose),
            format!("propose: {author} proposed policy \"Quiet\\nhours\"")
        );
        let vote = signed(ActionBody::Governance(GovernanceAction::Vote {
            proposal,
            ballot: Ballot::YesNo(YesNo::Yes),
        }));
        assert_eq!(
            action_summary(&vote),
            format!("vote: {author} voted on abababababab")
        );
        let scope = Scope::kind(Level::Local, ProposalKind::Budget);
        let to = keypair(2).public();
        let delegate = signed(ActionBody::Governance(GovernanceAction::Delegate {
            scope: scope.clone(),
            to: Some(to),
        }));
        assert_eq!(
            action_summary(&delegate),
            format!(
                "delegate: {author} delegated local:budget votes to {}",
                short_did(&to.to_did())
            )
        );
        let revoke = signed(ActionBody::Governance(GovernanceAction::Delegate {
            scope,
            to: None,
        }));
        assert!(action_summary(&revoke).ends_with("revoked their local:budget delegation"));
        let health = hearth_protocol::governance::Topic::new("health").unwrap();
        let topical = signed(ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::topic(Level::Local, health),
            to: Some(to),
        }));
        assert!(
            action_summary(&topical).contains("delegated local #health votes to"),
            "{}",
            action_summary(&topical)
        );
        let close = json!({ "type": "close", "proposal": "cd".repeat(32), "result": "00" });
        assert_eq!(record_summary(&close), "close: cdcdcdcdcdcd decided");
    }

    #[test]
    fn entries_are_one_line_each() {
        let entry = EntryInfo {
            seq: 3,
            time: 0,
            body: json!({ "type": "actions", "value": [signed(ActionBody::Membership(MembershipAction::Leave)), signed(ActionBody::Membership(MembershipAction::Leave))] }),
        };
        let line = entry_line(&entry);
        assert!(
            line.starts_with("#3     1970-01-01 00:00:00 UTC  leave: "),
            "{line}"
        );
        assert_eq!(line.matches("; ").count(), 1);
        assert!(!line.contains('\n'));
        let genesis = EntryInfo {
            seq: 0,
            time: 0,
            body: json!({ "type": "genesis", "value": { "name": "Riverside" } }),
        };
        assert!(entry_line(&genesis).ends_with("genesis of \"Riverside\""));
    }
}
