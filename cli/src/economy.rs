//! What the economy's command groups share: reading the node's answers as
//! the protocol's own view types, finding a pool by name or id, and
//! finding a request or claim by an id prefix.

use anyhow::{Result, bail};
use hearth_protocol::governance::{Level, Proposal, ProposalKind, Subject};
use hearth_protocol::{ActionBody, GovernanceAction, Hash};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api;
use crate::client::Refusal;
use crate::commands::receipt_json;
use crate::context::{Context, now};
use crate::governance::{MIN_PREFIX, SHORT_ID};
use crate::output::printable;

/// Reads a member-only path, returning the node's JSON and its typed
/// reading.
pub fn read<T: DeserializeOwned>(ctx: &Context, path: &str, what: &str) -> Result<(Value, T)> {
    let signer = ctx.signer()?;
    let value = ctx.client()?.get_signed(path, &signer.keypair, now()?)?;
    let typed = api::decode(value.clone(), what)?;
    Ok((value, typed))
}

/// The first digits of an id, as lists show it.
pub fn short(id: &Hash) -> String {
    id.to_hex().chars().take(SHORT_ID).collect()
}

/// The one of `items` a person means by `text`: an exact name, or the
/// start of an id (at least [`MIN_PREFIX`] hex digits).
pub fn find<'a, T>(
    items: &'a [T],
    text: &str,
    what: &str,
    code: &str,
    name: impl Fn(&T) -> Option<&str>,
    id: impl Fn(&T) -> Hash,
) -> Result<&'a T> {
    let text = text.trim();
    if let Some(found) = items.iter().find(|i| name(i) == Some(text)) {
        return Ok(found);
    }
    let prefix = text.to_ascii_lowercase();
    let matches: Vec<&T> = if prefix.len() >= MIN_PREFIX
        && prefix.len() <= 64
        && prefix.chars().all(|c| c.is_ascii_hexdigit())
    {
        items
            .iter()
            .filter(|i| id(i).to_hex().starts_with(&prefix))
            .collect()
    } else {
        Vec::new()
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(Refusal {
            status: 404,
            code: code.into(),
            message: format!(
                "no {what} is named or has an id starting with {text:?} (ids need at least {MIN_PREFIX} hex digits)"
            ),
        }
        .into()),
        many => bail!(
            "{text:?} is ambiguous: {} {what}s match; give more digits",
            many.len()
        ),
    }
}

/// Proposes a new `kind` pool (a local policy proposal whose subject
/// creates it) and prints the proposal's id and how to follow it.
pub fn propose_pool(
    ctx: &Context,
    kind: &str,
    name: &str,
    text: String,
    subject: Subject,
) -> Result<()> {
    let proposal = Proposal {
        kind: ProposalKind::Policy,
        level: Level::Local,
        topic: None,
        title: format!("A new {kind} pool: {name}"),
        text,
        options: Vec::new(),
        subject,
    };
    let receipt = ctx
        .session()?
        .submit(ActionBody::Governance(GovernanceAction::Propose(Box::new(
            proposal,
        ))))?;
    let value = receipt_json(&receipt, json!({ "pool": name }));
    ctx.out.show(&value, || {
        Ok(format!(
            "{}\nProposed the {} pool: it exists once the vote passes (`hearth show {}`)",
            receipt.id,
            printable(name),
            receipt.id.chars().take(SHORT_ID).collect::<String>()
        ))
    })
}

/// Parses an assessor's verdict: `approve` or `refuse`.
pub fn parse_verdict(text: &str) -> Result<bool, String> {
    match text {
        "approve" | "yes" => Ok(true),
        "refuse" | "reject" | "no" => Ok(false),
        _ => Err(format!("{text:?}: say approve or refuse")),
    }
}

/// A share as a percentage with one decimal, or "—" when there is none.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".into();
    }
    let tenths = (u128::from(part) * 1000 + u128::from(whole) / 2) / u128::from(whole);
    format!("{}.{} %", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_found_by_name_or_id_prefix() {
        fn name<'a>(i: &'a (&'static str, Hash)) -> Option<&'a str> {
            Some(i.0)
        }
        fn id(i: &(&'static str, Hash)) -> Hash {
            i.1
        }
        let items = vec![("emergency", Hash([0xab; 32])), ("tools", Hash([0xac; 32]))];
        let find = |text: &str| find(&items, text, "pool", "unknown_pool", name, id);
        assert_eq!(find("tools").unwrap().0, "tools");
        assert_eq!(find("abababab").unwrap().0, "emergency");
        assert!(find("acacacacac").is_ok());
        assert!(find("nothing").is_err());
        assert!(find("abab").is_err(), "too short a prefix");
    }

    #[test]
    fn percentages_round_to_a_tenth() {
        assert_eq!(percent(1, 3), "33.3 %");
        assert_eq!(percent(2, 3), "66.7 %");
        assert_eq!(percent(0, 0), "—");
        assert_eq!(percent(5, 5), "100.0 %");
    }
}
