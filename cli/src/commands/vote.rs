//! `hearth vote`: cast (or change) a ballot.

use anyhow::{Result, bail};
use hearth_protocol::community::Method;
use hearth_protocol::federation::FederationRules;
use hearth_protocol::governance::{Ballot, Level};
use hearth_protocol::tally::choice::{QvError, quadratic};
use hearth_protocol::{ActionBody, GovernanceAction};
use serde_json::json;

use super::{receipt_json, receipt_text};
use crate::context::Context;
use crate::error::{Code, with_code};
use crate::federation::FederationInfo;
use crate::governance::ballot::{self, Choices, Form};
use crate::governance::{Found, ProposalInfo, Reader, nominee_keys, parse_id};
use crate::output::printable;

/// Vote on a proposal, in the form its method takes.
///
/// A later vote replaces your earlier one until the vote closes.
///
/// Consensus (local policies):  hearth vote <id> agree|abstain|disagree|block [--reason R]
/// Majority, council decisions: hearth vote <id> yes|no|abstain
/// A choice among options:      hearth vote <id> --rank "Oak,Ash,Birch" (names or numbers)
/// Elections:                   hearth vote <id> --rank "did:key:…,bob,3" (did, key name or number)
/// Quadratic voting:            hearth vote <id> --quadratic "Park=+3,Pool=-1" (or "+3" on yes/no)
/// Participatory budgets:       hearth vote <id> --approve "Oven,Paint" (names or numbers)
///
/// Regional and network proposals (see `hearth proposals`) are voted on the
/// same way, through your own community's node: a regional majority takes
/// yes|no|abstain, a network referendum --quadratic "+3" (for; "-2"
/// against), a network choice --quadratic "Oak=+2,Ash=-1". A quadratic
/// ballot costs the sum of the squares of its votes, within the voice
/// credits of the level (100 by default).
///
/// `hearth show <id>` lists the options, candidates and projects with their numbers.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment, override_usage = USAGE)]
#[command(group(
    clap::ArgGroup::new("form")
        .required(true)
        .args(["position", "rank", "quadratic", "approve"])
))]
pub struct VoteArgs {
    /// The proposal id, or a prefix of at least 8 hex digits.
    #[arg(value_parser = parse_id)]
    id: String,
    /// agree, abstain, disagree or block (consensus); yes, no or abstain (majority, council).
    #[arg(value_name = "CHOICE", value_parser = ["agree", "abstain", "disagree", "block", "yes", "no"])]
    position: Option<String>,
    /// Why you block (required with block).
    #[arg(long)]
    reason: Option<String>,
    /// Options or candidates, most preferred first, comma-separated.
    #[arg(long, value_name = "A,B,C")]
    rank: Option<String>,
    /// Votes per option, e.g. "Park=+3,Pool=-1"; a single number on a yes/no question.
    #[arg(long, value_name = "OPTION=VOTES,…", allow_hyphen_values = true)]
    quadratic: Option<String>,
    /// The budget projects you approve, comma-separated ("" approves none).
    #[arg(long, value_name = "P1,P2")]
    approve: Option<String>,
}

/// The usage as it is typed: the proposal first, then the vote in one of
/// its forms (clap would list the required group of forms first).
const USAGE: &str = "hearth vote [OPTIONS] <ID> <CHOICE>
       hearth vote [OPTIONS] <ID> --rank <A,B,C>
       hearth vote [OPTIONS] <ID> --quadratic <OPTION=VOTES,…>
       hearth vote [OPTIONS] <ID> --approve <P1,P2>";

impl VoteArgs {
    /// The vote as given; `--reason` goes only with a position word.
    fn form(&self) -> Result<Form> {
        if self.position.is_none() && self.reason.is_some() {
            bail!("--reason goes with a position: hearth vote <id> block --reason \"…\"");
        }
        Ok(
            match (&self.position, &self.rank, &self.quadratic, &self.approve) {
                (Some(word), ..) => Form::Position {
                    word: word.clone(),
                    reason: self.reason.clone(),
                },
                (_, Some(rank), ..) => Form::Rank(rank.clone()),
                (_, _, Some(votes), _) => Form::Quadratic(votes.clone()),
                (_, _, _, approve) => Form::Approve(approve.clone().unwrap_or_default()),
            },
        )
    }
}

/// Runs `hearth vote`.
pub fn run(ctx: &Context, args: VoteArgs) -> Result<()> {
    let form = args
        .form()
        .map_err(|e| with_code(Code::InvalidArgument, e))?;
    let session = ctx.session()?;
    let reader = Reader {
        client: &session.client,
        key: &session.signer.keypair,
    };
    let (info, rules) = match reader.find_any(&args.id)? {
        Found::Local(_, info) => (*info, None),
        Found::Federated(_, proposal) => {
            let (_, federation) = FederationInfo::fetch(&session.client)?;
            let rules = federation.rules()?;
            (proposal.to_info(&rules), Some(rules))
        }
    };
    let nominees = nominee_keys(&info)?;
    let projects: Vec<String> = info.projects().iter().map(|p| p.name.clone()).collect();
    let choices = Choices {
        method: info.method,
        options: &info.options,
        nominees: &nominees,
        projects: &projects,
    };
    let ballot = ballot::ballot(&form, &choices, |name| ctx.member(name))
        .map_err(|e| with_code(Code::InvalidArgument, e))?;
    if let Some(rules) = &rules {
        check_credits(&ballot, &info, rules).map_err(|e| with_code(Code::InvalidArgument, e))?;
    }
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Vote {
        proposal: info.reference(),
        ballot: ballot.clone(),
    }))?;
    let value = receipt_json(&receipt, json!({ "proposal": info.id, "ballot": ballot }));
    ctx.out.show(&value, || {
        Ok(format!(
            "Voted {} on {} \"{}\" ({})",
            ballot_text(&ballot, &choices, &info.options),
            info.short_id(),
            printable(&info.title),
            receipt_text(&receipt)
        ))
    })
}

/// Refuses a quadratic ballot on a regional or network proposal that costs
/// more voice credits than the level's rules give.
fn check_credits(ballot: &Ballot, info: &ProposalInfo, rules: &FederationRules) -> Result<()> {
    let Ballot::Quadratic(votes) = ballot else {
        return Ok(());
    };
    if info.method != Method::Quadratic {
        return Ok(());
    }
    let budget = match info.level {
        Level::Regional(_) => rules.regional.voice_credits,
        _ => rules.network.voice_credits,
    };
    match quadratic::check(votes, budget) {
        Ok(_) => Ok(()),
        Err(QvError::OverBudget { cost, budget }) => bail!(
            "this ballot costs {cost} voice credits (the sum of the squares of its votes); each member has {budget}"
        ),
        Err(other) => bail!("{other}"),
    }
}

/// A ballot for people: `agree`, `block`, `yes`, `Oak > Ash`, `Park +3`.
pub fn ballot_text(ballot: &Ballot, choices: &Choices, options: &[String]) -> String {
    use hearth_protocol::governance::{Position, YesNo};
    let name = |names: &[String], i: u32| {
        names
            .get(i as usize)
            .map_or_else(|| format!("#{}", i + 1), |n| printable(n))
    };
    match ballot {
        Ballot::Consensus(Position::Agree) => "agree".into(),
        Ballot::Consensus(Position::Abstain) => "abstain".into(),
        Ballot::Consensus(Position::Disagree) => "disagree".into(),
        Ballot::Consensus(Position::Block(_)) => "block".into(),
        Ballot::YesNo(YesNo::Yes) => "yes".into(),
        Ballot::YesNo(YesNo::No) => "no".into(),
        Ballot::YesNo(YesNo::Abstain) => "abstain".into(),
        Ballot::Ranked(ranking) if !choices.nominees.is_empty() => {
            let dids: Vec<String> = choices.nominees.iter().map(|k| k.to_did()).collect();
            ranking
                .iter()
                .map(|&i| name(&dids, i))
                .collect::<Vec<_>>()
                .join(" > ")
        }
        Ballot::Ranked(ranking) => ranking
            .iter()
            .map(|&i| name(options, i))
            .collect::<Vec<_>>()
            .join(" > "),
        Ballot::Quadratic(votes) if options.is_empty() => {
            format!("{:+}", votes.first().copied().unwrap_or(0))
        }
        Ballot::Quadratic(votes) => votes
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0)
            .map(|(i, v)| format!("{} {v:+}", name(options, i as u32)))
            .collect::<Vec<_>>()
            .join(", "),
        Ballot::Approval(projects) if projects.is_empty() => "for no project".into(),
        Ballot::Approval(projects) => {
            let names: Vec<String> = projects
                .iter()
                .map(|&i| name(choices.projects, i))
                .collect();
            format!("for {}", names.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use hearth_protocol::governance::YesNo;
    use serde_json::json;

    #[derive(Debug, Parser)]
    struct Wrap {
        #[command(flatten)]
        args: VoteArgs,
    }

    fn parse(args: &[&str]) -> Result<VoteArgs, clap::Error> {
        let mut all = vec!["vote", "abcdef0123"];
        all.extend_from_slice(args);
        Wrap::try_parse_from(all).map(|w| w.args)
    }

    #[test]
    fn exactly_one_form_of_vote() {
        let form = |args: &[&str]| parse(args).unwrap().form().unwrap();
        assert_eq!(
            form(&["block", "--reason", "noise"]),
            Form::Position {
                word: "block".into(),
                reason: Some("noise".into())
            }
        );
        assert_eq!(form(&["--rank", "A,B"]), Form::Rank("A,B".into()));
        assert_eq!(form(&["--quadratic", "-2"]), Form::Quadratic("-2".into()));
        assert_eq!(form(&["--approve", ""]), Form::Approve(String::new()));
        assert!(parse(&[]).is_err(), "a vote needs a form");
        assert!(parse(&["yes", "--rank", "A"]).is_err(), "only one form");
        assert!(parse(&["maybe"]).is_err(), "unknown position");
        let stray = parse(&["--rank", "A", "--reason", "r"]).unwrap().form();
        assert!(stray.is_err(), "--reason goes with a position");
    }

    #[test]
    fn quadratic_ballots_must_fit_the_levels_credits() {
        let info: ProposalInfo = serde_json::from_value(json!({
            "id": "ab".repeat(32), "kind": "policy", "level": {"level": "network"},
            "title": "P", "author": "did:key:z6MkA", "created": 0, "stage": "voting",
            "stages": [], "closes": 0, "method": "quadratic", "withdrawn": null,
        }))
        .unwrap();
        let rules = FederationRules::default();
        let credits = rules.network.voice_credits as i64;
        assert_eq!(credits, 100);
        assert!(check_credits(&Ballot::Quadratic(vec![10]), &info, &rules).is_ok());
        assert!(check_credits(&Ballot::Quadratic(vec![6, -8]), &info, &rules).is_ok());
        let err = check_credits(&Ballot::Quadratic(vec![8, -7]), &info, &rules).unwrap_err();
        assert!(err.to_string().contains("costs 113 voice credits"), "{err}");
        let err = check_credits(&Ballot::Quadratic(vec![i64::MIN; 4]), &info, &rules).unwrap_err();
        assert!(err.to_string().contains("too large to price"), "{err}");
        assert!(check_credits(&Ballot::YesNo(YesNo::Yes), &info, &rules).is_ok());
    }

    #[test]
    fn ballots_read_back_in_words() {
        let options = vec!["Oak".to_string(), "Ash".to_string()];
        let projects = vec!["Oven".to_string(), "Paint".to_string()];
        let choices = Choices {
            method: Method::Schulze,
            options: &options,
            nominees: &[],
            projects: &projects,
        };
        let text = |b: Ballot| ballot_text(&b, &choices, &options);
        assert_eq!(text(Ballot::Ranked(vec![1, 0])), "Ash > Oak");
        assert_eq!(text(Ballot::Quadratic(vec![3, 0])), "Oak +3");
        assert_eq!(text(Ballot::Approval(vec![1])), "for Paint");
        assert_eq!(
            ballot_text(&Ballot::Quadratic(vec![-2]), &choices, &[]),
            "-2"
        );
    }
}
