//! `hearth delegations`: who votes for whom.

use anyhow::Result;
use hearth_protocol::governance::{Level, ProposalKind, Scope, Topic};
use serde::Deserialize;
use serde_json::Value;

use crate::api;
use crate::context::Context;
use crate::governance::{Reader, parse_level, scope_text};
use crate::output::{datetime, table};

/// Show your delegations and the members who delegate to you.
///
/// With --all, also the whole history of delegations in the community
/// (the delegation graph is public to members, changes included). With
/// --json, prints the node's answer unchanged.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DelegationsArgs {
    /// Also print every delegation change in the community.
    #[arg(long)]
    all: bool,
}

/// A scope as the node writes it:
/// `{"level": {"level": "local"}, "kind": null, "topic": "health"}`.
#[derive(Debug, Clone, Deserialize)]
struct ScopeJson {
    level: Value,
    kind: Option<ProposalKind>,
    #[serde(default)]
    topic: Option<String>,
}

impl ScopeJson {
    fn scope(&self) -> Option<Scope> {
        let level = match self.level["level"].as_str()? {
            "regional" => format!("regional:{}", self.level["id"].as_str()?),
            other => other.to_string(),
        };
        let level: Level = parse_level(&level).ok()?;
        Some(match (self.kind, &self.topic) {
            (Some(kind), None) => Scope::kind(level, kind),
            (None, Some(topic)) => Scope::topic(level, Topic::new(topic).ok()?),
            (None, None) => Scope::level(level),
            (Some(_), Some(_)) => return None,
        })
    }

    fn text(&self) -> String {
        self.scope()
            .map_or_else(|| "unknown scope".into(), |s| scope_text(&s))
    }
}

#[derive(Debug, Clone, Deserialize)]
struct DelegationJson {
    from: String,
    scope: ScopeJson,
    to: String,
    since: u64,
}

#[derive(Debug, Clone, Deserialize)]
struct EventJson {
    from: String,
    scope: ScopeJson,
    to: Option<String>,
    time: u64,
}

/// `GET /v1/delegations`.
#[derive(Debug, Clone, Deserialize)]
pub struct Delegations {
    delegations: Vec<DelegationJson>,
    #[serde(default)]
    history: Vec<EventJson>,
}

/// Runs `hearth delegations`.
pub fn run(ctx: &Context, args: DelegationsArgs) -> Result<()> {
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let reader = Reader {
        client: &client,
        key: &signer.keypair,
    };
    let value = reader.get("/v1/delegations")?;
    ctx.out.show(&value, || {
        let all: Delegations = api::decode(value.clone(), "delegation list")?;
        Ok(delegations_text(&all, &signer.public().to_did(), args.all))
    })
}

/// The delegations of `me` and to `me`, and with `history` every change.
pub fn delegations_text(all: &Delegations, me: &str, history: bool) -> String {
    let mut out = String::new();
    let mine: Vec<Vec<String>> = all
        .delegations
        .iter()
        .filter(|d| d.from == me)
        .map(|d| vec![d.scope.text(), d.to.clone(), datetime(d.since)])
        .collect();
    if mine.is_empty() {
        out.push_str("You delegate to nobody: only your own votes count for you.\n");
    } else {
        out.push_str("You delegate:\n");
        out.push_str(&table(&["SCOPE", "TO", "SINCE"], &mine));
    }
    let to_me: Vec<Vec<String>> = all
        .delegations
        .iter()
        .filter(|d| d.to == me)
        .map(|d| vec![d.scope.text(), d.from.clone(), datetime(d.since)])
        .collect();
    if to_me.is_empty() {
        out.push_str("\nNobody delegates to you.\n");
    } else {
        out.push_str("\nDelegating to you:\n");
        out.push_str(&table(&["SCOPE", "FROM", "SINCE"], &to_me));
    }
    if history {
        let mut events: Vec<&EventJson> = all.history.iter().collect();
        events.sort_by_key(|e| e.time);
        let rows: Vec<Vec<String>> = events
            .iter()
            .map(|e| {
                vec![
                    datetime(e.time),
                    e.from.clone(),
                    e.scope.text(),
                    e.to.clone().unwrap_or_else(|| "(revoked)".into()),
                ]
            })
            .collect();
        if rows.is_empty() {
            out.push_str("\nNo delegation has been made yet.\n");
        } else {
            out.push_str("\nHistory:\n");
            out.push_str(&table(&["TIME", "FROM", "SCOPE", "TO"], &rows));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn delegations_split_into_mine_and_to_me() {
        let local = json!({ "level": { "level": "local" }, "kind": null });
        let budget = json!({ "level": { "level": "local" }, "kind": "budget" });
        let health = json!({ "level": { "level": "local" }, "kind": null, "topic": "health" });
        let all: Delegations = serde_json::from_value(json!({
            "delegations": [
                { "from": "did:A", "scope": local, "to": "did:B", "since": 0 },
                { "from": "did:C", "scope": budget, "to": "did:A", "since": 1000 },
                { "from": "did:D", "scope": health, "to": "did:A", "since": 2000 },
            ],
            "history": [
                { "from": "did:A", "scope": local, "to": null, "time": 2000 },
                { "from": "did:A", "scope": local, "to": "did:B", "time": 0 },
            ],
        }))
        .unwrap();
        let text = delegations_text(&all, "did:A", true);
        assert!(
            text.contains("local  did:B  1970-01-01 00:00:00 UTC"),
            "{text}"
        );
        assert!(
            text.contains("local:budget   did:C  1970-01-01 00:00:01 UTC"),
            "{text}"
        );
        assert!(
            text.contains("local #health  did:D  1970-01-01 00:00:02 UTC"),
            "{text}"
        );
        let history = text.split("History:").nth(1).unwrap();
        let first = history.find("did:B").unwrap();
        let revoked = history.find("(revoked)").unwrap();
        assert!(first < revoked, "oldest first: {history}");
        let none = delegations_text(&all, "did:Z", false);
        assert!(none.contains("delegate to nobody") && none.contains("Nobody delegates"));
        assert!(!none.contains("History"));
    }
}
