//! Regional and network proposals as a node serves them
//! (`GET /v1/federation/proposals[/{id}]`): the cross-community tally's
//! stage, finality, result and attestations, and the same proposal in the
//! shape of a local one ([`ProposalInfo`]) so votes and counts are made
//! and read by the same code.

use anyhow::Result;
use hearth_protocol::community::Method;
use hearth_protocol::federation::FederationRules;
use hearth_protocol::governance::{
    Level, Proposal, ProposalKind, ProposalRef, Schedule, Subject, method_of,
};
use hearth_protocol::{Hash, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api;
use crate::client::Client;
use crate::governance::{ProposalInfo, SubjectInfo, level};

/// A regional or network proposal as `GET /v1/federation/proposals` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FederatedSummary {
    /// The proposal id.
    pub id: Hash,
    /// Where it is decided.
    #[serde(deserialize_with = "level")]
    pub level: Level,
    /// Its kind.
    pub kind: ProposalKind,
    /// Its title.
    pub title: String,
    /// The community whose member proposed it.
    pub community: Hash,
    /// The author's did.
    pub author: String,
    /// When it was recorded (ms): the date of the rosters.
    pub opened: u64,
    /// When its vote closes (ms).
    pub closes: u64,
    /// The stage now.
    pub stage: String,
    /// Whether the tally is final.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Whether it passed (so far).
    pub passed: bool,
    /// What was decided (`no_ballots`, `tied`, …), if the node says.
    #[serde(default)]
    pub verdict: Option<Value>,
    /// The result hash this node computes.
    pub result: Hash,
    /// The result hash two thirds of the level's communities attested.
    #[serde(default)]
    pub certified: Option<Hash>,
}

impl FederatedSummary {
    /// The stage for people: see [`status`].
    pub fn status(&self) -> String {
        status(
            &self.stage,
            self.is_final,
            outcome(self.verdict.as_ref(), self.passed),
            self.certified.is_some(),
        )
    }
}

/// A proposal as its author submitted it (the protocol's `Proposal`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProposalBody {
    /// Its kind.
    pub kind: ProposalKind,
    /// Where it is decided.
    #[serde(deserialize_with = "level")]
    pub level: Level,
    /// The topic it is filed under.
    #[serde(default)]
    pub topic: Option<String>,
    /// Its title.
    pub title: String,
    /// Its text.
    #[serde(default)]
    pub text: String,
    /// The options of a choice (empty: yes/no).
    #[serde(default)]
    pub options: Vec<String>,
    /// What it decides.
    #[serde(default)]
    pub subject: Option<SubjectInfo>,
}

/// The attestations of a proposal's result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct CertificationInfo {
    /// Each attesting community and the result hash it attested.
    #[serde(default)]
    pub attestations: Vec<(Hash, Hash)>,
    /// Attestations of one hash that certify it.
    #[serde(default)]
    pub needed: u64,
    /// The certified hash.
    #[serde(default)]
    pub certified: Option<Hash>,
    /// Communities of the level that have not attested.
    #[serde(default)]
    pub missing: Vec<Hash>,
}

/// A regional or network proposal in full
/// (`GET /v1/federation/proposals/{id}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FederatedProposal {
    /// The proposal as submitted.
    pub proposal: ProposalBody,
    /// Its id.
    pub id: Hash,
    /// The community whose member proposed it.
    pub community: Hash,
    /// The author's did.
    pub author: String,
    /// When it was recorded (ms).
    pub opened: u64,
    /// When its vote closes (ms).
    pub closes: u64,
    /// The stage now.
    pub stage: String,
    /// Whether the tally is final.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Whether it passed (so far).
    pub passed: bool,
    /// The winning option of a choice.
    #[serde(default)]
    pub winner: Option<u32>,
    /// What was decided, as a local decision says it (`no_ballots`,
    /// `tied`, …), if the node says.
    #[serde(default)]
    pub verdict: Option<Value>,
    /// The result hash this node computes.
    pub result: Hash,
    /// The full report (`FederatedReport`).
    #[serde(default)]
    pub report: Value,
    /// The attestations so far.
    #[serde(default)]
    pub certification: CertificationInfo,
    /// How it is decided, if the node says; otherwise it follows from the
    /// network's rules.
    #[serde(default)]
    pub method: Option<Method>,
}

impl FederatedProposal {
    /// The reference ballots name it by.
    pub fn reference(&self) -> ProposalRef {
        ProposalRef {
            id: self.id,
            level: self.proposal.level,
        }
    }

    /// How it is decided under the network's `rules`.
    pub fn method(&self, rules: &FederationRules) -> Method {
        if let Some(method) = self.method {
            return method;
        }
        // The method follows from the kind, the level and whether there
        // are options; the rest of the proposal does not matter to it.
        let shape = Proposal {
            kind: self.proposal.kind,
            level: self.proposal.level,
            topic: None,
            title: String::new(),
            text: String::new(),
            options: self.proposal.options.clone(),
            subject: Subject::Question,
        };
        method_of(&shape, &rules.as_rules())
    }

    /// The stage for people: see [`status`].
    pub fn status(&self) -> String {
        status(
            &self.stage,
            self.is_final,
            outcome(self.verdict.as_ref(), self.passed),
            self.certification.certified.is_some(),
        )
    }

    /// The verdict in the form a local decision has it, for
    /// [`crate::governance::words`].
    fn verdict(&self) -> Value {
        if let Some(verdict) = &self.verdict {
            return verdict.clone();
        }
        match (self.winner, self.passed) {
            (Some(winner), _) => json!({ "outcome": "winner", "value": winner }),
            (None, true) => json!({ "outcome": "passed" }),
            (None, false) => json!({ "outcome": "failed" }),
        }
    }

    /// The proposal in the shape of a local one: its stages under the
    /// network's `rules`, and its count as a decision once final (else as
    /// the count so far).
    pub fn to_info(&self, rules: &FederationRules) -> ProposalInfo {
        let schedule = Schedule::of(
            self.proposal.kind,
            Timestamp(self.opened),
            &rules.as_rules(),
        );
        let stages = schedule
            .stages
            .iter()
            .map(|(stage, at)| {
                let name = serde_json::to_value(stage)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (name, at.0)
            })
            .collect();
        let count = json!({ "verdict": self.verdict(), "report": self.report["count"] });
        let (decision, running) = match self.is_final {
            true => (Some(count), None),
            false => (None, Some(count)),
        };
        ProposalInfo {
            id: self.id,
            kind: self.proposal.kind,
            level: self.proposal.level,
            topic: self.proposal.topic.clone(),
            title: self.proposal.title.clone(),
            author: self.author.clone(),
            author_name: None,
            comments: 0,
            names: Default::default(),
            created: self.opened,
            stage: self.stage.clone(),
            stages,
            closes: self.closes,
            method: self.method(rules),
            withdrawn: None,
            text: self.proposal.text.clone(),
            options: self.proposal.options.clone(),
            subject: self.proposal.subject.clone(),
            amendments: 0,
            reviews: Vec::new(),
            vote_opened: None,
            nominees: Vec::new(),
            ballots: self.report["ballots"].as_u64(),
            decision,
            running,
        }
    }
}

/// A federated result in words: `no ballots` or `tied` when the node's
/// verdict says so, else `passed` or `failed`.
pub fn outcome(verdict: Option<&Value>, passed: bool) -> &'static str {
    match verdict.and_then(|v| v["outcome"].as_str()) {
        Some("no_ballots") => "no ballots",
        Some("tied") => "tied",
        _ if passed => "passed",
        _ => "failed",
    }
}

/// A federated proposal's stage for people: the stage while the tally is
/// not final (`voting`, `closed (not final)`), then its [`outcome`], with
/// `, certified` once two thirds of its communities attest it.
pub fn status(stage: &str, is_final: bool, outcome: &str, certified: bool) -> String {
    if !is_final {
        return match stage {
            "closed" => "closed (not final)".into(),
            other => other.into(),
        };
    }
    match certified {
        true => format!("{outcome}, certified"),
        false => outcome.into(),
    }
}

/// `GET /v1/federation/proposals`, as the node's JSON and decoded. A node
/// that serves no federation (HTTP 404) lists none.
pub fn list(client: &Client) -> Result<(Value, Vec<FederatedSummary>)> {
    let value = match client.get("/v1/federation/proposals") {
        Ok(value) => value,
        Err(e) if crate::governance::is_not_found(&e) => return Ok((json!([]), Vec::new())),
        Err(e) => return Err(e),
    };
    // A bare list, or one under "proposals".
    let items = match &value {
        Value::Object(o) => o.get("proposals").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let list = api::decode(items, "federated proposal list")?;
    Ok((value, list))
}

/// `GET /v1/federation/proposals/{id}`, as the node's JSON and decoded.
pub fn detail(client: &Client, id: &Hash) -> Result<(Value, FederatedProposal)> {
    let value = client.get(&format!("/v1/federation/proposals/{id}"))?;
    let proposal = api::decode(value.clone(), "federated proposal")?;
    Ok((value, proposal))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::state::decide::Verdict;
    use hearth_protocol::test::keypair;

    /// A network proposal as the node's detail answer has it.
    fn network_detail(options: &[&str], is_final: bool) -> Value {
        let author = keypair(1).public().to_did();
        json!({
            "proposal": { "kind": "policy", "level": { "level": "network" }, "title": "Seeds",
                          "text": "A seed bank", "options": options, "subject": { "type": "question" } },
            "id": Hash([0xaa; 32]), "community": Hash([1; 32]), "author": author,
            "opened": 1_000, "closes": 2_000, "stage": "closed", "final": is_final,
            "passed": true, "winner": null, "result": Hash([2; 32]),
            "report": { "ballots": 3, "eligible": 9, "count": { "method": "quadratic", "report": {
                "options": [{ "for_votes": 9, "against_votes": 1 }], "turnout": 3,
                "delegation": { "eligible": 9 } } } },
            "certification": { "attestations": [[Hash([1; 32]), Hash([2; 32])]],
                               "needed": 2, "certified": null, "missing": [Hash([3; 32])] },
        })
    }

    #[test]
    fn a_federated_proposal_reads_as_a_local_one_with_the_networks_method() {
        let detail: FederatedProposal = serde_json::from_value(network_detail(&[], true)).unwrap();
        let rules = FederationRules::default();
        assert_eq!(detail.method(&rules), Method::Quadratic);
        assert_eq!(detail.reference().level, Level::Network);
        let info = detail.to_info(&rules);
        assert_eq!(info.method, Method::Quadratic);
        assert_eq!(info.ballots, Some(3));
        assert_eq!(info.stages[0].0, "discussion");
        assert_eq!(info.stages[0].1, 1_000);
        assert!(info.decision.is_some() && info.running.is_none());
        assert_eq!(
            crate::governance::words::result_line(&info).unwrap(),
            "passed: 9 for, 1 against, turnout 3/9"
        );
        assert_eq!(detail.status(), "passed");

        // A regional policy with options is a ranked choice.
        let mut regional = network_detail(&["Oak", "Ash"], false);
        regional["proposal"]["level"] = json!({ "level": "regional", "id": Hash([7; 32]) });
        let regional: FederatedProposal = serde_json::from_value(regional).unwrap();
        assert_eq!(regional.method(&rules), Method::Schulze);
        assert_eq!(regional.status(), "closed (not final)");
        assert!(regional.to_info(&rules).running.is_some());
        // The node's own word on the method wins.
        let mut said = network_detail(&[], true);
        said["method"] = json!("majority");
        let said: FederatedProposal = serde_json::from_value(said).unwrap();
        assert_eq!(said.method(&rules), Method::Majority);
    }

    #[test]
    fn statuses_say_final_and_certified() {
        assert_eq!(status("voting", false, "failed", false), "voting");
        assert_eq!(status("closed", true, "failed", false), "failed");
        assert_eq!(status("closed", true, "passed", true), "passed, certified");
        // The node's verdict names what passed or failed cannot.
        let verdict = |v: Verdict| serde_json::to_value(v).unwrap();
        assert_eq!(
            outcome(Some(&verdict(Verdict::NoBallots)), false),
            "no ballots"
        );
        assert_eq!(
            outcome(Some(&verdict(Verdict::Tied(vec![0, 1]))), false),
            "tied"
        );
        assert_eq!(outcome(Some(&verdict(Verdict::Failed)), false), "failed");
        assert_eq!(outcome(None, true), "passed");
        assert_eq!(
            status(
                "closed",
                true,
                outcome(Some(&verdict(Verdict::NoBallots)), false),
                true
            ),
            "no ballots, certified"
        );
    }
}
