//! A count in words, for `hearth show`: "passed: 4 agree, 0 disagree,
//! 0 block, turnout 4/4", "elected: did…, did…", "funded: Oven, Paint
//! (900 of 1000 KC)". Reads the node's JSON of a decision (`verdict` and
//! `report`, as `hearth_protocol::state::decide` serialises them) or of a
//! running count; a field it cannot find reads as 0 rather than failing,
//! so a newer node's reports still print.

use hearth_protocol::Kc;
use serde_json::Value;

use super::ProposalInfo;
use crate::output::printable;

/// Whether a count is final or the count so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tense {
    /// The vote has closed.
    Final,
    /// The vote is still open: what would happen if it closed now.
    Running,
}

/// The result of a proposal in one line: its decision once closed, else
/// its count so far (`None` if the node sent neither).
pub fn result_line(info: &ProposalInfo) -> Option<String> {
    if let Some(decision) = &info.decision {
        return Some(describe(
            &decision["verdict"],
            &decision["report"],
            info,
            Tense::Final,
        ));
    }
    let running = info.running.as_ref()?;
    if running["hidden"] == Value::Bool(true) {
        return Some("hidden until the vote closes".into());
    }
    if let Some(error) = running["error"].as_str() {
        return Some(format!("cannot be counted yet: {}", printable(error)));
    }
    Some(format!(
        "so far: {}",
        describe(
            &running["verdict"],
            &running["report"],
            info,
            Tense::Running
        )
    ))
}

fn n(value: &Value) -> u64 {
    value.as_u64().unwrap_or(0)
}

/// A verdict's word in a tense.
fn word(outcome: &str, tense: Tense) -> &'static str {
    match (outcome, tense) {
        ("passed", Tense::Final) => "passed",
        ("passed", Tense::Running) => "would pass",
        ("failed", Tense::Final) => "failed",
        ("failed", Tense::Running) => "would fail",
        ("winner", Tense::Final) => "winner",
        ("winner", Tense::Running) => "leading",
        ("elected", Tense::Final) => "elected",
        ("elected", Tense::Running) => "would elect",
        ("selected", Tense::Final) => "funded",
        ("selected", Tense::Running) => "would fund",
        ("withdrawn", _) => "withdrawn",
        ("tied", Tense::Final) => "tied",
        ("tied", Tense::Running) => "tied",
        ("no_ballots", Tense::Final) => "no ballots",
        ("no_ballots", Tense::Running) => "no ballots yet",
        _ => "undecided",
    }
}

/// Why a pass/fail count failed, from its `outcome` (`"passed"`,
/// `{"failed": "threshold"}`, `{"failed": {"blocked": …}}`, …).
fn fail_reason(outcome: &Value) -> Option<&'static str> {
    let failed = outcome.get("failed")?;
    Some(match failed {
        Value::String(s) if s == "threshold" => "below the threshold",
        Value::Object(o) if o.contains_key("blocked") => "blocked",
        Value::Object(o) if o.contains_key("quorum_not_met") => "quorum not met",
        Value::Object(o) if o.contains_key("tied") => "tied",
        _ => "",
    })
}

/// "passed" or "failed (quorum not met)".
fn head(verdict: &Value, body: &Value, tense: Tense) -> String {
    let outcome = verdict["outcome"].as_str().unwrap_or("");
    let word = word(outcome, tense);
    match fail_reason(&body["outcome"]) {
        Some(reason) if !reason.is_empty() && outcome == "failed" => format!("{word} ({reason})"),
        _ => word.to_string(),
    }
}

fn turnout(body: &Value) -> String {
    format!(
        "turnout {}/{}",
        n(&body["turnout"]),
        n(&body["delegation"]["eligible"])
    )
}

/// A verdict and its report in words.
pub fn describe(verdict: &Value, report: &Value, info: &ProposalInfo, tense: Tense) -> String {
    let outcome = verdict["outcome"].as_str().unwrap_or("");
    let body = &report["report"];
    match report["method"].as_str().unwrap_or("") {
        "withdrawn" => "withdrawn".into(),
        "no_ballots" => match tense {
            Tense::Final => "no ballots: nothing was decided".into(),
            Tense::Running => word("no_ballots", tense).into(),
        },
        "consensus" => {
            let c = &body["counts"];
            let mut parts = vec![format!("{} agree", n(&c["agree"]))];
            if n(&c["abstain"]) > 0 {
                parts.push(format!("{} abstain", n(&c["abstain"])));
            }
            parts.push(format!("{} disagree", n(&c["disagree"])));
            parts.push(format!("{} block", n(&c["block"])));
            format!(
                "{}: {}, {}",
                head(verdict, body, tense),
                parts.join(", "),
                turnout(body)
            )
        }
        "majority" => format!(
            "{}: {} yes, {} no, {} abstain, {}",
            head(verdict, body, tense),
            n(&body["yes"]),
            n(&body["no"]),
            n(&body["abstain"]),
            turnout(body)
        ),
        "quadratic" => quadratic(verdict, body, info, tense),
        "schulze" => schulze(verdict, body, info, tense),
        "stv" => {
            let elected: Vec<String> = verdict["value"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_str)
                        .map(|d| info.named(d))
                        .collect()
                })
                .unwrap_or_default();
            let who = if elected.is_empty() {
                "nobody".to_string()
            } else {
                elected.join(", ")
            };
            format!("{}: {who}", word("elected", tense))
        }
        "budget" => {
            let projects = info.projects();
            let funded: Vec<String> = verdict["value"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(Value::as_u64)
                        .map(|i| match projects.get(i as usize) {
                            Some(p) => printable(&p.name),
                            None => format!("project {}", i + 1),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let what = if funded.is_empty() {
                "nothing".to_string()
            } else {
                funded.join(", ")
            };
            let spent = Kc(n(&body["spent"]) as i64).to_string();
            let spent = spent.trim_end_matches(" KC");
            let budget = Kc(n(&body["budget"]) as i64);
            format!("{}: {what} ({spent} of {budget})", word("selected", tense))
        }
        "uncountable" => format!(
            "{}: the ballots could not be counted ({})",
            word("failed", tense),
            printable(body["reason"].as_str().unwrap_or("no reason given"))
        ),
        _ => word(outcome, tense).to_string(),
    }
}

/// The name of option `index` (or its number if the node sent no options).
fn option_name(info: &ProposalInfo, index: u64) -> String {
    match info.options.get(index as usize) {
        Some(name) => printable(name),
        None => format!("option {}", index + 1),
    }
}

fn quadratic(verdict: &Value, body: &Value, info: &ProposalInfo, tense: Tense) -> String {
    let totals = body["options"].as_array().cloned().unwrap_or_default();
    if info.options.is_empty() {
        let first = totals.first().cloned().unwrap_or(Value::Null);
        return format!(
            "{}: {} for, {} against, {}",
            head(verdict, body, tense),
            n(&first["for_votes"]),
            n(&first["against_votes"]),
            turnout(body)
        );
    }
    let net = |i: u64| {
        totals
            .get(i as usize)
            .and_then(|t| t["net"].as_i64())
            .unwrap_or(0)
    };
    if verdict["outcome"] == "tied" {
        let tied = indices(&verdict["value"]);
        let each = tied.first().map_or(0, |&i| net(i));
        return format!(
            "{}: {} (net {each:+} votes each; no lot is drawn), {}",
            word("tied", tense),
            names(info, &tied),
            turnout(body)
        );
    }
    match verdict["value"].as_u64() {
        Some(i) => format!(
            "{}: {} (net {:+} votes{}), {}",
            word("winner", tense),
            option_name(info, i),
            net(i),
            drawn(info, &indices(&body["tied"]), i),
            turnout(body)
        ),
        None => format!(
            "{}: no winner, {}",
            head(verdict, body, tense),
            turnout(body)
        ),
    }
}

/// Indices in a JSON array.
fn indices(value: &Value) -> Vec<u64> {
    value
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

/// Options by name, joined: "Oven, Paint".
fn names(info: &ProposalInfo, options: &[u64]) -> String {
    let names: Vec<String> = options.iter().map(|&i| option_name(info, i)).collect();
    names.join(", ")
}

/// "; tied with B, drawn by lot" when `winner` was drawn among `tied`.
fn drawn(info: &ProposalInfo, tied: &[u64], winner: u64) -> String {
    if tied.len() < 2 {
        return String::new();
    }
    let others: Vec<u64> = tied.iter().copied().filter(|&i| i != winner).collect();
    format!("; tied with {}, drawn by lot", names(info, &others))
}

fn schulze(verdict: &Value, body: &Value, info: &ProposalInfo, tense: Tense) -> String {
    let ballots = n(&body["ballots"]);
    if verdict["outcome"] == "tied" {
        return format!(
            "{}: {} (no lot is drawn; {ballots} ballots)",
            word("tied", tense),
            names(info, &indices(&verdict["value"]))
        );
    }
    let Some(winner) = verdict["value"].as_u64() else {
        return format!("no winner ({ballots} ballots)");
    };
    let ranking: Vec<String> = body["ranking"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Value::as_u64)
                .map(|i| option_name(info, i))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{}: {} (ranking {}; {ballots} ballots{})",
        word("winner", tense),
        option_name(info, winner),
        ranking.join(" > "),
        drawn(info, &indices(&body["unbeaten"]), winner)
    )
}

/// Blocks of a consensus count, as `(did, reason)`.
pub fn blocks(report: &Value) -> Vec<(String, String)> {
    report["report"]["blocks"]
        .as_object()
        .map(|blocks| {
            blocks
                .iter()
                .map(|(did, reason)| (did.clone(), printable(reason.as_str().unwrap_or(""))))
                .collect()
        })
        .unwrap_or_default()
}

/// Direct voters whose ballot carried delegated votes, as `(did, weight)`.
pub fn carried(report: &Value) -> Vec<(String, u64)> {
    report["report"]["delegation"]["weight"]
        .as_object()
        .map(|weights| {
            weights
                .iter()
                .map(|(did, w)| (did.clone(), n(w)))
                .filter(|(_, w)| *w > 1)
                .collect()
        })
        .unwrap_or_default()
}

/// The report a proposal's result comes from (decision, else running).
pub fn report(info: &ProposalInfo) -> Option<&Value> {
    match (&info.decision, &info.running) {
        (Some(decision), _) => Some(&decision["report"]),
        (None, Some(running)) => running.get("report"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    use hearth_protocol::Hash;
    use hearth_protocol::community::{Method, Ties};
    use hearth_protocol::crypto::PublicKey;
    use hearth_protocol::governance::{Level, ProposalKind};
    use hearth_protocol::state::decide::{Report, Verdict};
    use hearth_protocol::tally::choice::{QvBallot, QvQuestion, QvRules, quadratic};
    use hearth_protocol::test::keypair;
    use hearth_protocol::units::Ratio;
    use serde_json::json;

    use crate::governance::{ProjectInfo, SubjectInfo};

    fn info(kind: ProposalKind, method: Method) -> ProposalInfo {
        ProposalInfo {
            id: Hash([1; 32]),
            kind,
            level: Level::Local,
            topic: None,
            title: "t".into(),
            author: "did:key:z6MkA".into(),
            author_name: None,
            comments: 0,
            names: Default::default(),
            created: 0,
            stage: "closed".into(),
            stages: vec![],
            closes: 0,
            method,
            withdrawn: None,
            text: String::new(),
            options: vec![],
            subject: None,
            amendments: 0,
            reviews: vec![],
            vote_opened: None,
            nominees: vec![],
            ballots: Some(0),
            decision: None,
            running: None,
        }
    }

    fn delegation(eligible: u64, weights: Value) -> Value {
        json!({ "eligible": eligible, "weight": weights, "represented_by": {},
                "uncounted": {}, "absent": 0 })
    }

    #[test]
    fn consensus_decisions_count_positions_and_turnout() {
        let mut p = info(ProposalKind::Policy, Method::Consensus);
        p.decision = Some(json!({
            "verdict": { "outcome": "passed" },
            "report": { "method": "consensus", "report": {
                "counts": { "agree": 4, "abstain": 0, "disagree": 0, "block": 0 },
                "blocks": {}, "turnout": 4,
                "delegation": delegation(4, json!({ "did:key:z6MkC": 2 })),
                "outcome": "passed" } },
        }));
        assert_eq!(
            result_line(&p).unwrap(),
            "passed: 4 agree, 0 disagree, 0 block, turnout 4/4"
        );
        let report = report(&p).unwrap();
        assert_eq!(carried(report), vec![("did:key:z6MkC".to_string(), 2)]);
        p.decision = Some(json!({
            "verdict": { "outcome": "failed" },
            "report": { "method": "consensus", "report": {
                "counts": { "agree": 2, "abstain": 1, "disagree": 0, "block": 1 },
                "blocks": { "did:key:z6MkB": "too loud\u{1b}[2J" }, "turnout": 4,
                "delegation": delegation(5, json!({})),
                "outcome": { "failed": { "blocked": { "blocks": 1 } } } } },
        }));
        assert_eq!(
            result_line(&p).unwrap(),
            "failed (blocked): 2 agree, 1 abstain, 0 disagree, 1 block, turnout 4/5"
        );
        let blocks = blocks(&p.decision.as_ref().unwrap()["report"]);
        assert_eq!(blocks[0].0, "did:key:z6MkB");
        assert!(!blocks[0].1.contains('\u{1b}'), "escapes are escaped");
    }

    #[test]
    fn running_counts_say_what_would_happen() {
        let mut p = info(ProposalKind::Emergency, Method::Council);
        p.running = Some(json!({
            "verdict": { "outcome": "failed" },
            "report": { "method": "majority", "report": {
                "yes": 0, "no": 0, "abstain": 0, "turnout": 0,
                "delegation": delegation(2, json!({})),
                "outcome": { "failed": { "quorum_not_met": { "turnout": 0, "eligible": 2 } } } } },
        }));
        assert_eq!(
            result_line(&p).unwrap(),
            "so far: would fail (quorum not met): 0 yes, 0 no, 0 abstain, turnout 0/2"
        );
        p.running = Some(json!({ "hidden": true }));
        assert_eq!(result_line(&p).unwrap(), "hidden until the vote closes");
        p.running = None;
        assert_eq!(result_line(&p), None);
    }

    #[test]
    fn elections_budgets_and_choices_name_their_results() {
        let mut e = info(ProposalKind::Election, Method::Stv);
        e.decision = Some(json!({
            "verdict": { "outcome": "elected", "value": ["did:key:z6MkB", "did:key:z6MkC"] },
            "report": { "method": "stv", "report": {} },
        }));
        assert_eq!(
            result_line(&e).unwrap(),
            "elected: did:key:z6MkB, did:key:z6MkC"
        );

        let mut b = info(ProposalKind::Budget, Method::Budgeting);
        b.subject = Some(SubjectInfo::Budget {
            budget: 1_000_000,
            projects: vec![
                ProjectInfo {
                    name: "Oven".into(),
                    cost: 500_000,
                },
                ProjectInfo {
                    name: "Roof".into(),
                    cost: 700_000,
                },
                ProjectInfo {
                    name: "Paint".into(),
                    cost: 400_000,
                },
            ],
        });
        b.decision = Some(json!({
            "verdict": { "outcome": "selected", "value": [0, 2] },
            "report": { "method": "budget", "report": { "spent": 900_000, "budget": 1_000_000 } },
        }));
        assert_eq!(
            result_line(&b).unwrap(),
            "funded: Oven, Paint (900 of 1000 KC)"
        );

        let mut s = info(ProposalKind::Policy, Method::Schulze);
        s.options = vec!["Oak".into(), "Ash".into()];
        s.decision = Some(json!({
            "verdict": { "outcome": "winner", "value": 1 },
            "report": { "method": "schulze", "report": { "ballots": 3, "ranking": [1, 0] } },
        }));
        assert_eq!(
            result_line(&s).unwrap(),
            "winner: Ash (ranking Ash > Oak; 3 ballots)"
        );

        let mut q = info(ProposalKind::Policy, Method::Quadratic);
        q.running = Some(json!({
            "verdict": { "outcome": "passed" },
            "report": { "method": "quadratic", "report": {
                "options": [{ "for_votes": 7, "against_votes": 2, "net": 5 }],
                "turnout": 3, "delegation": delegation(3, json!({})), "outcome": "passed" } },
        }));
        assert_eq!(
            result_line(&q).unwrap(),
            "so far: would pass: 7 for, 2 against, turnout 3/3"
        );

        let mut w = info(ProposalKind::Policy, Method::Consensus);
        w.decision = Some(json!({
            "verdict": { "outcome": "withdrawn" }, "report": { "method": "withdrawn" },
        }));
        assert_eq!(result_line(&w).unwrap(), "withdrawn");
        w.decision = Some(json!({
            "verdict": { "outcome": "failed" },
            "report": { "method": "uncountable", "report": { "reason": "no candidates" } },
        }));
        assert_eq!(
            result_line(&w).unwrap(),
            "failed: the ballots could not be counted (no candidates)"
        );
    }

    /// The JSON the node writes for a decision: `verdict` and `report` as
    /// the protocol serialises them.
    fn decision(verdict: Verdict, report: Report) -> Value {
        json!({ "verdict": verdict, "report": report })
    }

    #[test]
    fn no_ballots_and_tied_leads_are_said_plainly() {
        let mut p = info(ProposalKind::Election, Method::Stv);
        p.decision = Some(decision(Verdict::NoBallots, Report::NoBallots));
        assert_eq!(result_line(&p).unwrap(), "no ballots: nothing was decided");
        p.decision = None;
        p.running = Some(decision(Verdict::NoBallots, Report::NoBallots));
        assert_eq!(result_line(&p).unwrap(), "so far: no ballots yet");

        // A quadratic choice of three gardens whose lead is tied.
        let voters: BTreeSet<PublicKey> = (1..=3).map(|i| keypair(i).public()).collect();
        let keys: Vec<PublicKey> = voters.iter().copied().collect();
        let ballots = BTreeMap::from([
            (
                keys[0],
                QvBallot {
                    votes: vec![3, 0, 0],
                },
            ),
            (
                keys[1],
                QvBallot {
                    votes: vec![0, 3, 0],
                },
            ),
            (
                keys[2],
                QvBallot {
                    votes: vec![0, 0, 1],
                },
            ),
        ]);
        let count = |ties| {
            let question = QvQuestion {
                options: 3,
                allow_negative: true,
                seed: Hash([7; 32]),
            };
            let rules = QvRules {
                quorum: Ratio::new(0, 1),
                ties,
                ..QvRules::default()
            };
            quadratic::tally(&question, &ballots, &voters, &BTreeMap::new(), &rules)
        };
        let mut q = info(ProposalKind::Policy, Method::Quadratic);
        q.options = vec!["North".into(), "South".into(), "East".into()];
        let tied = count(Ties::Fail);
        q.decision = Some(decision(
            Verdict::Tied(tied.tied.clone()),
            Report::Quadratic(tied),
        ));
        assert_eq!(
            result_line(&q).unwrap(),
            "tied: North, South (net +3 votes each; no lot is drawn), turnout 3/3"
        );
        let drawn = count(Ties::Lot);
        let winner = drawn.leader.expect("drawn");
        let (won, other) = match winner {
            0 => ("North", "South"),
            _ => ("South", "North"),
        };
        q.decision = Some(decision(
            Verdict::Winner(Some(winner)),
            Report::Quadratic(drawn),
        ));
        assert_eq!(
            result_line(&q).unwrap(),
            format!("winner: {won} (net +3 votes; tied with {other}, drawn by lot), turnout 3/3")
        );

        // A Schulze choice whose lead is tied.
        let mut s = info(ProposalKind::Policy, Method::Schulze);
        s.options = vec!["Oak".into(), "Ash".into()];
        s.decision = Some(json!({
            "verdict": Verdict::Tied(vec![0, 1]),
            "report": { "method": "schulze", "report": {
                "ballots": 2, "unbeaten": [0, 1], "winner": 1, "drawn": true, "ranking": [1, 0] } },
        }));
        assert_eq!(
            result_line(&s).unwrap(),
            "tied: Oak, Ash (no lot is drawn; 2 ballots)"
        );
        s.decision = Some(json!({
            "verdict": Verdict::Winner(Some(1)),
            "report": { "method": "schulze", "report": {
                "ballots": 2, "unbeaten": [0, 1], "winner": 1, "drawn": true, "ranking": [1, 0] } },
        }));
        assert_eq!(
            result_line(&s).unwrap(),
            "winner: Ash (ranking Ash > Oak; 2 ballots; tied with Oak, drawn by lot)"
        );
    }
}
