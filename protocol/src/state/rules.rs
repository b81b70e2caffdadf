//! The community's current rules (DESIGN §6.1). The genesis carries the
//! founding rules, hashed and immutable; the rules in force are a
//! versioned state record that only a passed `rules` proposal changes.
//! A change is a list of `key = value` pairs in the words people use
//! (`credit_limit = 1500`, `aid.cooldown = 30d`), checked when proposed —
//! unknown keys and invalid values are refused then — and applied, in
//! order, when the vote passes.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::community::{Admission, Method, PassWhen, Rules, Ties};
use crate::crypto::{Hash, PublicKey};
use crate::economy::Approval;
use crate::governance::ProposalKind;
use crate::units::{Kc, Millis, Ratio, Timestamp};

use super::records::{self, table};
use super::store::{Store, StoreError, StoreMut};

/// Most changes one rules proposal makes.
pub const MAX_CHANGES: usize = 64;
/// Longest key or value of a change, in bytes.
pub const MAX_CHANGE_LEN: usize = 4096;

/// One change: a rule's dotted name and its new value, as text.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct RuleChange {
    /// The rule, e.g. `credit_limit` or `aid.max_request`.
    pub key: String,
    /// Its new value, e.g. `1500`, `30d`, `4/5`, `off`.
    pub value: String,
}

impl RuleChange {
    /// Parses `key=value`.
    pub fn parse(text: &str) -> Option<RuleChange> {
        let (key, value) = text.split_once('=')?;
        Some(RuleChange {
            key: key.trim().to_string(),
            value: value.trim().to_string(),
        })
    }
}

/// Why a rule change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule {key}: {reason}")]
pub struct RuleError {
    /// The rule.
    pub key: String,
    /// What is wrong.
    pub reason: String,
}

/// The rules in force, with where they came from.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct CurrentRules {
    /// How many rules votes have changed them since genesis.
    pub version: u32,
    /// When they last changed (the genesis time at first).
    pub since: Timestamp,
    /// The rules proposal that last changed them.
    pub proposal: Option<Hash>,
    /// The rules.
    pub rules: Rules,
}

/// The stored form of [`CurrentRules`]: a new layout of the rules gets a
/// new variant, and older variants keep decoding (and are converted).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
enum Stored {
    V1(CurrentRules),
}
impl Canonical for Stored {}

/// The rules in force (absent before genesis is applied).
pub fn current<S: Store + ?Sized>(store: &S) -> Result<Option<CurrentRules>, StoreError> {
    Ok(records::read::<Stored, _>(store, &[table::RULES])?.map(|Stored::V1(c)| c))
}

/// The rules in force (the genesis rules until a vote changes them).
pub fn in_force<S: Store + ?Sized>(store: &S) -> Result<Rules, StoreError> {
    if let Some(current) = current(store)? {
        return Ok(current.rules);
    }
    let record: Option<crate::state::CommunityRecord> = records::read(store, &[table::COMMUNITY])?;
    Ok(record.map(|r| r.genesis.rules).unwrap_or_default())
}

/// Records the rules in force.
pub fn store_current<S: StoreMut + ?Sized>(store: &mut S, current: &CurrentRules) {
    records::write(store, vec![table::RULES], &Stored::V1(current.clone()));
}

/// A rules vote passed: the changes apply to the rules in force. A change
/// that no longer fits them (another vote changed them meanwhile) leaves
/// them as they are; the decision records the vote either way.
pub fn change<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &super::Context,
    proposal: Hash,
    changes: &[RuleChange],
) -> Result<(), StoreError> {
    let Ok(rules) = apply_changes(&ctx.rules, changes) else {
        return Ok(());
    };
    let version = current(store)?.map_or(0, |c| c.version) + 1;
    store_current(
        store,
        &CurrentRules {
            version,
            since: ctx.time,
            proposal: Some(proposal),
            rules,
        },
    );
    Ok(())
}

/// Applies `changes` to `rules` in order and validates the result.
pub fn apply_changes(rules: &Rules, changes: &[RuleChange]) -> Result<Rules, RuleError> {
    if changes.is_empty() || changes.len() > MAX_CHANGES {
        return Err(RuleError {
            key: String::new(),
            reason: format!("a rules proposal makes 1 to {MAX_CHANGES} changes"),
        });
    }
    let mut out = rules.clone();
    for change in changes {
        if change.key.len() > MAX_CHANGE_LEN || change.value.len() > MAX_CHANGE_LEN {
            return Err(RuleError {
                key: change.key.chars().take(64).collect(),
                reason: format!("keys and values have at most {MAX_CHANGE_LEN} bytes"),
            });
        }
        set(&mut out, &change.key, &change.value).map_err(|reason| RuleError {
            key: change.key.clone(),
            reason,
        })?;
    }
    out.validate().map_err(|e| RuleError {
        key: e.rule.to_string(),
        reason: e.reason.to_string(),
    })?;
    Ok(out)
}

/// Every rule a rules proposal may change, with the form of its value.
pub const SETTABLE: &[(&str, &str)] = &[
    ("credit_limit", "an amount in KC"),
    ("treasury_credit", "an amount in KC"),
    ("levy", "basis points per month (100 = 1 %)"),
    (
        "basic_income",
        "an amount in KC per member and month, or off",
    ),
    ("invite_max_ttl", "a duration (30d, 12h, 90m, 45s, 500ms)"),
    ("max_memo_len", "a number of bytes"),
    ("admission", "invite or vote"),
    ("aid.max_request", "an amount in KC"),
    ("aid.cooldown", "a duration"),
    ("aid.approval", "vote, council or assessors"),
    ("aid.assessors", "did:key,… (comma-separated)"),
    ("aid.assessors_needed", "a number"),
    ("aid.min_membership", "a duration"),
    ("aid.vote_duration", "a duration"),
    ("insurance.grace", "a duration"),
    ("local.method", "consensus, majority or quadratic"),
    ("local.threshold", "a fraction (4/5) or percentage (80%)"),
    ("local.quorum", "a fraction or percentage"),
    ("local.blocks_to_fail", "a number"),
    ("local.voice_credits", "a number"),
    ("local.delegation", "true or false"),
    (
        "local.pass_when",
        "auto (more than a threshold of 1/2, at least any other), at_least or more_than",
    ),
    (
        "local.ties",
        "fail (a tied choice adopts nothing) or lot (draw the tied options)",
    ),
    ("council.seats", "a number"),
    ("council.term", "a duration"),
    ("council.quorum", "a fraction or percentage"),
    ("council.majority", "a fraction or percentage"),
    ("council.pass_when", "auto, at_least or more_than"),
    (
        "durations.<stage>",
        "a duration (policy_voting, membership, …)",
    ),
    ("durations.technical_reviews", "a number"),
    ("hidden_tally", "proposal kinds, comma-separated (or none)"),
    ("technical_reviewers", "did:key,… (or none)"),
    ("time_bank_kc_per_hour", "an amount in KC"),
    ("time_log_expiry", "a duration"),
    (
        "time_bank_categories",
        "categories added to the built-in ones, comma-separated (or none)",
    ),
    (
        "skills.categories",
        "categories added to the built-in ones, comma-separated (or none)",
    ),
    ("tools.loan_fee", "an amount in KC"),
    ("tools.pickup_window", "a duration"),
    ("tools.stewards", "did:key,… (or none)"),
    (
        "spaces.stewards",
        "did:key,… (or none: the council in power)",
    ),
    ("learning.teacher_reward", "an amount in KC"),
    ("learning.student_reward", "an amount in KC"),
    ("learning.skill_endorsements", "a number (1 to 100)"),
    ("learning.confirmation_window", "a duration"),
    ("learning.assessors", "did:key,… (or none)"),
    (
        "learning.review_skill",
        "a skill id (hex) reviewers must be verified in, or none",
    ),
    (
        "topics",
        "topic names (health, bike-lanes, …), comma-separated (or none)",
    ),
];

/// Sets one rule from its text.
fn set(rules: &mut Rules, key: &str, value: &str) -> Result<(), String> {
    match key {
        "credit_limit" => rules.credit_limit = amount(value)?,
        "treasury_credit" => rules.treasury_credit = amount(value)?,
        "levy" => rules.levy = number(value)?,
        "basic_income" => {
            rules.basic_income = match value {
                "off" | "none" | "0" => None,
                _ => Some(amount(value)?),
            }
        }
        "invite_max_ttl" => rules.invite_max_ttl = duration(value)?,
        "max_memo_len" => rules.max_memo_len = number(value)?,
        "admission" => {
            rules.admission = match value {
                "invite" => Admission::Invite,
                "vote" => Admission::Vote,
                _ => return Err("is invite or vote".into()),
            }
        }
        "aid.max_request" => rules.aid.max_request = amount(value)?,
        "aid.cooldown" => rules.aid.cooldown = duration(value)?,
        "aid.approval" => rules.aid.approval = approval(value)?,
        "aid.assessors" => rules.aid.assessors = keys(value)?,
        "aid.assessors_needed" => rules.aid.assessors_needed = number(value)?,
        "aid.min_membership" => rules.aid.min_membership = duration(value)?,
        "aid.vote_duration" => rules.aid.vote_duration = duration(value)?,
        "insurance.grace" => rules.insurance.grace = duration(value)?,
        "local.method" => {
            rules.local.method = match value {
                "consensus" => Method::Consensus,
                "majority" => Method::Majority,
                "quadratic" => Method::Quadratic,
                _ => return Err("is consensus, majority or quadratic".into()),
            }
        }
        "local.threshold" => rules.local.threshold = ratio(value)?,
        "local.quorum" => rules.local.quorum = ratio(value)?,
        "local.blocks_to_fail" => rules.local.blocks_to_fail = number(value)?,
        "local.voice_credits" => rules.local.voice_credits = number(value)?,
        "local.delegation" => rules.local.delegation = boolean(value)?,
        "local.pass_when" => rules.local.pass_when = pass_when(value)?,
        "local.ties" => {
            rules.local.ties = match value {
                "fail" => Ties::Fail,
                "lot" => Ties::Lot,
                _ => return Err("is fail or lot".into()),
            }
        }
        "council.seats" => rules.council.seats = number(value)?,
        "council.term" => rules.council.term = duration(value)?,
        "council.quorum" => rules.council.quorum = ratio(value)?,
        "council.majority" => rules.council.majority = ratio(value)?,
        "council.pass_when" => rules.council.pass_when = pass_when(value)?,
        "durations.technical_reviews" => rules.durations.technical_reviews = number(value)?,
        "hidden_tally" => {
            rules.hidden_tally = list(value)
                .map(|k| ProposalKind::parse(k).ok_or(format!("{k} is not a proposal kind")))
                .collect::<Result<_, _>>()?
        }
        "technical_reviewers" => rules.technical_reviewers = keys(value)?,
        "time_bank_kc_per_hour" => rules.time_bank_kc_per_hour = amount(value)?,
        "time_log_expiry" => rules.time_log_expiry = duration(value)?,
        "time_bank_categories" => rules.time_bank_categories = names(value),
        "skills.categories" => rules.skills.categories = names(value),
        "tools.loan_fee" => rules.tools.loan_fee = amount(value)?,
        "tools.pickup_window" => rules.tools.pickup_window = duration(value)?,
        "tools.stewards" => rules.tools.stewards = keys(value)?,
        "spaces.stewards" => rules.spaces.stewards = keys(value)?,
        "learning.teacher_reward" => rules.learning.teacher_reward = amount(value)?,
        "learning.student_reward" => rules.learning.student_reward = amount(value)?,
        "learning.skill_endorsements" => rules.learning.skill_endorsements = number(value)?,
        "learning.confirmation_window" => rules.learning.confirmation_window = duration(value)?,
        "learning.assessors" => rules.learning.assessors = keys(value)?,
        "learning.review_skill" => {
            rules.learning.review_skill = match value {
                "none" | "off" | "" => None,
                _ => Some(
                    value
                        .parse::<crate::crypto::Hash>()
                        .map_err(|_| format!("{value:?} is not a skill id (64 hex digits)"))?,
                ),
            }
        }
        "topics" => {
            rules.topics = list(value)
                .map(|name| crate::governance::Topic::new(name).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?
        }
        other => {
            let Some(stage) = other.strip_prefix("durations.") else {
                return Err("is not a rule a vote can change".into());
            };
            let d = &mut rules.durations;
            let slot = match stage {
                "policy_discussion" => &mut d.policy_discussion,
                "policy_deliberation" => &mut d.policy_deliberation,
                "policy_voting" => &mut d.policy_voting,
                "policy_implementation" => &mut d.policy_implementation,
                "budget" => &mut d.budget,
                "technical" => &mut d.technical,
                "emergency" => &mut d.emergency,
                "election_nominations" => &mut d.election_nominations,
                "election_campaign" => &mut d.election_campaign,
                "election_voting" => &mut d.election_voting,
                "membership" => &mut d.membership,
                _ => return Err("is not a rule a vote can change".into()),
            };
            *slot = duration(value)?;
        }
    }
    Ok(())
}

fn amount(value: &str) -> Result<Kc, String> {
    Kc::parse(value).ok_or_else(|| format!("{value:?} is not an amount in KC (like 12.5)"))
}

fn number<T: std::str::FromStr>(value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{value:?} is not a whole number in range"))
}

fn boolean(value: &str) -> Result<bool, String> {
    match value {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{value:?} is not true or false")),
    }
}

/// Parses a duration: a whole number with a unit (d, h, m, s, ms).
pub fn duration(value: &str) -> Result<Millis, String> {
    let bad = || format!("{value:?} is not a duration (like 30d, 12h, 90m, 45s, 500ms)");
    let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => value.split_at(i),
        None => return Err(bad()),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let scale = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        "s" => 1000,
        "ms" => 1,
        _ => return Err(bad()),
    };
    n.checked_mul(scale).map(Millis).ok_or_else(bad)
}

fn ratio(value: &str) -> Result<Ratio, String> {
    let bad = || format!("{value:?} is not a fraction (4/5) or a percentage (80%)");
    if let Some(percent) = value.strip_suffix('%') {
        let n: u32 = percent.trim().parse().map_err(|_| bad())?;
        return Ok(Ratio::new(n, 100));
    }
    let (num, den) = value.split_once('/').ok_or_else(bad)?;
    Ok(Ratio::new(
        num.trim().parse().map_err(|_| bad())?,
        den.trim().parse().map_err(|_| bad())?,
    ))
}

fn pass_when(value: &str) -> Result<PassWhen, String> {
    match value {
        "auto" => Ok(PassWhen::Auto),
        "at_least" => Ok(PassWhen::AtLeast),
        "more_than" => Ok(PassWhen::MoreThan),
        _ => Err(format!("{value:?} is auto, at_least or more_than")),
    }
}

fn approval(value: &str) -> Result<Approval, String> {
    Approval::parse(value).ok_or_else(|| format!("{value:?} is not vote, council or assessors"))
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "none")
}

fn names(value: &str) -> Vec<String> {
    list(value).map(str::to_string).collect()
}

fn keys(value: &str) -> Result<Vec<PublicKey>, String> {
    list(value)
        .map(|did| PublicKey::from_did(did).map_err(|e| format!("{did}: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(key: &str, value: &str) -> RuleChange {
        RuleChange {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn changes_apply_in_words_people_use() {
        let rules = Rules::default();
        let new = apply_changes(
            &rules,
            &[
                change("credit_limit", "1500"),
                change("aid.max_request", "400"),
                change("aid.cooldown", "7d"),
                change("basic_income", "50"),
                change("levy", "100"),
                change("local.threshold", "2/3"),
                change("council.quorum", "60%"),
                change("durations.policy_voting", "2h"),
                change("local.pass_when", "more_than"),
                change("local.ties", "lot"),
                change("council.pass_when", "at_least"),
            ],
        )
        .unwrap();
        assert_eq!(new.local.pass_when, PassWhen::MoreThan);
        assert_eq!(new.local.ties, Ties::Lot);
        assert_eq!(new.council.pass_when, PassWhen::AtLeast);
        assert_eq!(new.credit_limit, Kc::whole(1500));
        assert_eq!(new.aid.max_request, Kc::whole(400));
        assert_eq!(new.aid.cooldown, Millis::days(7));
        assert_eq!(new.basic_income, Some(Kc::whole(50)));
        assert_eq!(new.levy, 100);
        assert_eq!(new.local.threshold, Ratio::new(2, 3));
        assert_eq!(new.council.quorum, Ratio::new(60, 100));
        assert_eq!(new.durations.policy_voting, Millis::hours(2));
        let topics = apply_changes(&rules, &[change("topics", "health, bike-lanes")]).unwrap();
        let names: Vec<&str> = topics.topics.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, ["health", "bike-lanes"]);
        let none = apply_changes(&topics, &[change("topics", "none")]).unwrap();
        assert!(none.topics.is_empty());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let rules = Rules::default();
        for (key, value) in [
            ("no_such_rule", "1"),
            ("durations.nothing", "1d"),
            ("credit_limit", "lots"),
            ("credit_limit", "-5"),
            ("aid.cooldown", "30"),
            ("local.threshold", "3/2"),
            ("council.seats", "0"),
            ("levy", "-1"),
            ("aid.approval", "dice"),
            ("local.pass_when", "sometimes"),
            ("local.ties", "coin"),
            ("local.voice_credits", "1000001"),
            ("topics", "Health"),
            ("topics", "health,health"),
        ] {
            let err = apply_changes(&rules, &[change(key, value)]).unwrap_err();
            assert!(!err.reason.is_empty(), "{key}={value}");
        }
        assert!(apply_changes(&rules, &[]).is_err());
    }

    #[test]
    fn parses_key_value_pairs() {
        assert_eq!(
            RuleChange::parse("aid.max_request = 400"),
            Some(change("aid.max_request", "400"))
        );
        assert_eq!(RuleChange::parse("nothing"), None);
    }
}
