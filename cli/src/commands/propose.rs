//! `hearth propose`: put a proposal to the community, its region or its
//! network.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use hearth_protocol::governance::{Level, Project, Proposal, ProposalKind, Subject, Topic};
use hearth_protocol::state::rules::RuleChange;
use hearth_protocol::{ActionBody, GovernanceAction, Hash, Kc, PublicKey};
use serde_json::json;

use super::pay::parse_amount;
use super::receipt_json;
use crate::api::Submitted;
use crate::context::Context;
use crate::error::{Code, with_code};
use crate::federation::{self, FederationInfo, NodeInfo};
use crate::governance::{LevelArg, ProposalInfo, Reader, level_name, method_name, parse_level_arg};
use crate::output::{datetime, printable, table};

/// Propose something for the community, its region or its network to decide.
///
/// The kind fixes the process and the voting method: policy (discussion,
/// deliberation, then a consensus vote), budget (projects, review, then
/// approval voting), technical (expert review opens the vote), emergency
/// (council members only; the council decides), election (council seats:
/// nominations, campaign, ranked voting; any member may call one) and
/// membership (admit a member; where the rules admit by vote, the only way in)
/// and rules (change the community's rules with --set KEY=VALUE; decided like a policy).
/// Prints the proposal's id and its stages.
///
/// --topic files the proposal under one of your community's topics (its
/// rules list them: `topics = ["health", "transport"]`); members who
/// delegated that topic are counted with their delegate's ballot. A
/// regional or network proposal takes a topic of your community's list
/// too, and every community's delegations follow it by the topic's name.
///
/// With --level network or --level region:NAME the proposal is decided by
/// every community of the network or region, by the network's rules
/// (by default: regions by majority with delegation, the network by
/// quadratic voting). Such proposals are policies, or membership
/// proposals that admit a community (--admit-community with the URL of
/// its node). They are recorded in your community's public log and
/// tallied by every node; `hearth show <id>` follows the count.
///
/// Examples:
///   hearth propose --kind policy --title "Quiet hours" --text "No noise after 22:00"
///   hearth propose --kind policy --title "Tree" --option Oak --option Ash
///   hearth propose --kind policy --title "Clinic hours" --topic health
///   hearth propose --kind budget --title "Spring" --budget 1000 --project Oven=400
///   hearth propose --kind election --title "Council 2025" --seats 3
///   hearth propose --kind rules --title "Basic income" --set basic_income=50 --set treasury_credit=5000
///   hearth propose --level network --kind policy --title "Seed bank" --text "…"
///   hearth propose --level region:north --kind policy --title "Bus line" --option A --option B
///   hearth propose --level network --kind membership --title "Welcome Hilltop" \
///       --admit-community http://hilltop.example:7700
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ProposeArgs {
    /// policy, budget, technical, emergency, election, membership or rules.
    #[arg(long, value_parser = parse_kind)]
    kind: ProposalKind,
    /// A one-line title.
    #[arg(long)]
    title: String,
    /// The text of the proposal.
    #[arg(long, conflicts_with = "text_file")]
    text: Option<String>,
    /// Read the text from a file (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    text_file: Option<PathBuf>,
    /// An option of a choice (give two or more; without options it is a yes/no question).
    #[arg(long = "option", value_name = "OPTION")]
    options: Vec<String>,
    /// Budget: the money to allocate, in KC.
    #[arg(long, value_parser = parse_amount, value_name = "KC")]
    budget: Option<Kc>,
    /// Budget: a project and its cost, NAME=KC (repeatable; more can be added with `hearth project`).
    #[arg(long = "project", value_parser = parse_project, value_name = "NAME=KC")]
    projects: Vec<Project>,
    /// Election: the council seats to fill.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    seats: Option<u32>,
    /// Membership: the key to admit (a did:key:…, or the name of one of your keys).
    #[arg(long)]
    member: Option<String>,
    /// Emergency (moderation): suspend this member (a did:key:…) for `--for`.
    #[arg(long, value_name = "DID", value_parser = parse_did, conflicts_with_all = ["reinstate", "hide"])]
    suspend: Option<PublicKey>,
    /// How long a suspension lasts (30s, 10m, 2h, 7d, 2w…).
    #[arg(long = "for", value_name = "DURATION", value_parser = crate::duration::parse, requires = "suspend")]
    suspend_for: Option<hearth_protocol::Millis>,
    /// Emergency (moderation): lift this member's suspension.
    #[arg(long, value_name = "DID", value_parser = parse_did, conflicts_with = "hide")]
    reinstate: Option<PublicKey>,
    /// Emergency (moderation): hide content by its id (64 hex digits).
    #[arg(long, value_name = "ID")]
    hide: Option<hearth_protocol::Hash>,
    /// Membership at network or region level: the node URL of the community to admit.
    #[arg(long, value_name = "URL", conflicts_with = "member")]
    admit_community: Option<String>,
    /// Rules: a rule and its new value, KEY=VALUE (repeatable), e.g.
    /// credit_limit=1500, aid.max_request=400, basic_income=50, levy=100,
    /// treasury_credit=5000, aid.cooldown=30d, local.threshold=2/3.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = parse_change)]
    set: Vec<RuleChange>,
    /// Where it is decided: local, network, or region:NAME (or regional:<region id>).
    #[arg(long, default_value = "local", value_parser = parse_level_arg)]
    level: LevelArg,
    /// The topic it is filed under, one of your community's topics (e.g. health).
    #[arg(long, value_name = "NAME", value_parser = parse_topic)]
    topic: Option<Topic>,
}

/// Parses a topic name (a community's rules list its topics).
pub fn parse_topic(text: &str) -> Result<Topic, String> {
    Topic::new(text.trim()).map_err(|e| e.to_string())
}

fn parse_change(text: &str) -> Result<RuleChange, String> {
    RuleChange::parse(text).ok_or_else(|| format!("{text:?} is not KEY=VALUE"))
}

fn parse_did(text: &str) -> Result<PublicKey, String> {
    PublicKey::from_did(text).map_err(|e| e.to_string())
}

/// The moderation action the flags ask for, if any. The proposal's text
/// is its recorded reason.
fn moderation(args: &ProposeArgs) -> Result<Option<hearth_protocol::governance::Moderation>> {
    use hearth_protocol::governance::Moderation;
    if let Some(member) = args.suspend {
        let length = args
            .suspend_for
            .context("a suspension needs --for DURATION (e.g. 7d)")?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default();
        let until = hearth_protocol::Timestamp(now).plus(length);
        return Ok(Some(Moderation::Suspend { member, until }));
    }
    if let Some(member) = args.reinstate {
        return Ok(Some(Moderation::Reinstate { member }));
    }
    Ok(args.hide.map(|content| Moderation::Hide { content }))
}

/// Parses a proposal kind.
pub fn parse_kind(text: &str) -> Result<ProposalKind, String> {
    ProposalKind::parse(text.trim()).ok_or_else(|| {
        format!(
            "unknown kind {text:?}: use policy, budget, technical, emergency, election, membership or rules"
        )
    })
}

/// Parses a budget project: `NAME=KC`.
pub fn parse_project(text: &str) -> Result<Project, String> {
    let Some((name, cost)) = text.rsplit_once('=') else {
        return Err(format!(
            "invalid project {text:?}: use NAME=KC, e.g. Oven=400"
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("invalid project {text:?}: it needs a name"));
    }
    Ok(Project {
        name: name.to_string(),
        cost: parse_amount(cost)?,
    })
}

/// The text from `--text`, `--text-file` (or stdin for `-`), or empty.
pub fn read_text(text: Option<String>, file: Option<&Path>) -> Result<String> {
    match (text, file) {
        (Some(text), _) => Ok(text),
        (None, Some(path)) if path == Path::new("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the text from stdin")?;
            Ok(text)
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the text from {}", path.display())),
        (None, None) => Ok(String::new()),
    }
}

/// Checks that the kind and flags fit the level: regional and network
/// proposals are policies, or membership proposals admitting a community.
fn check_level(args: &ProposeArgs) -> Result<()> {
    let local = args.level.is_local();
    if local && args.admit_community.is_some() {
        bail!(
            "--admit-community admits a community into a region or the network: add --level network or --level region:NAME"
        );
    }
    if local {
        return Ok(());
    }
    match args.kind {
        ProposalKind::Policy => Ok(()),
        ProposalKind::Membership if args.member.is_some() => bail!(
            "members join a community, not a region or the network: a membership proposal at this level admits a community with --admit-community URL"
        ),
        ProposalKind::Membership if args.admit_community.is_none() => bail!(
            "a membership proposal at this level admits a community: --admit-community URL (its node)"
        ),
        ProposalKind::Membership => Ok(()),
        other => bail!(
            "regional and network proposals are policies or community admissions (membership), not {}",
            other.as_str()
        ),
    }
}

/// The subject the kind needs from the flags given, refusing flags that
/// belong to another kind. `admit` is the node of the community a
/// regional or network membership proposal admits.
fn subject(
    kind: ProposalKind,
    args: &ProposeArgs,
    member: Option<PublicKey>,
    admit: Option<&NodeInfo>,
) -> Result<Subject> {
    let stray = |flag: &str, owner: &str| -> Result<Subject> {
        bail!("{flag} is for {owner} proposals, not {}", kind.as_str())
    };
    if kind != ProposalKind::Budget {
        if args.budget.is_some() {
            return stray("--budget", "budget");
        }
        if !args.projects.is_empty() {
            return stray("--project", "budget");
        }
    }
    if kind != ProposalKind::Election && args.seats.is_some() {
        return stray("--seats", "election");
    }
    if kind != ProposalKind::Membership && member.is_some() {
        return stray("--member", "membership");
    }
    if kind != ProposalKind::Membership && args.admit_community.is_some() {
        return stray("--admit-community", "membership");
    }
    let moderation = moderation(args)?;
    if let Some(action) = moderation {
        if kind != ProposalKind::Emergency {
            return stray("--suspend, --reinstate and --hide", "emergency");
        }
        if !args.options.is_empty() {
            bail!("a moderation proposal is a yes/no council decision: no --option");
        }
        return Ok(Subject::Moderation { action });
    }
    let question = matches!(
        kind,
        ProposalKind::Policy | ProposalKind::Technical | ProposalKind::Emergency
    );
    if !question && !args.options.is_empty() {
        bail!(
            "--option is for policy, technical and emergency proposals, not {}",
            kind.as_str()
        );
    }
    if args.options.len() == 1 {
        bail!("a choice needs at least two --option (none makes it a yes/no question)");
    }
    Ok(match kind {
        ProposalKind::Budget => Subject::Budget {
            budget: args.budget.context("a budget proposal needs --budget KC")?,
            projects: args.projects.clone(),
        },
        ProposalKind::Election => Subject::Election {
            seats: args
                .seats
                .context("an election needs --seats N (the seats to fill)")?,
        },
        ProposalKind::Membership => match admit {
            Some(node) => Subject::Community {
                community: node.community,
                node: node.node_key,
                name: node.name.clone(),
            },
            None => Subject::Membership {
                member: member.context("a membership proposal needs --member DID")?,
            },
        },
        ProposalKind::Policy | ProposalKind::Technical | ProposalKind::Emergency => {
            Subject::Question
        }
        ProposalKind::Rules => {
            if args.set.is_empty() {
                bail!(
                    "a rules proposal needs at least one --set KEY=VALUE (e.g. --set credit_limit=1500)"
                );
            }
            Subject::Rules {
                changes: args.set.clone(),
            }
        }
        ProposalKind::Aid | ProposalKind::Claim => bail!(
            "aid and claim votes are opened by `hearth aid request` and `hearth insurance claim`"
        ),
    })
}

/// Runs `hearth propose`.
pub fn run(ctx: &Context, args: ProposeArgs) -> Result<()> {
    check_level(&args).map_err(|e| with_code(Code::InvalidArgument, e))?;
    let member = args.member.as_deref().map(|m| ctx.member(m)).transpose()?;
    let admit = args
        .admit_community
        .as_deref()
        .map(|url| federation::node_info(&ctx.client_for(url)?))
        .transpose()?;
    let subject = subject(args.kind, &args, member, admit.as_ref())
        .map_err(|e| with_code(Code::InvalidArgument, e))?;
    let text = read_text(args.text.clone(), args.text_file.as_deref())?;
    let session = ctx.session()?;
    // A regional or network proposal needs the federation: its regions'
    // names, and its rules (the stages follow from them).
    let federation = match args.level.is_local() {
        true => None,
        false => Some(FederationInfo::fetch(&session.client)?.1),
    };
    let regions = federation
        .as_ref()
        .map(FederationInfo::regions)
        .unwrap_or_default();
    let level = args.level.resolve(|| Ok(regions.clone()))?;
    let proposal = Proposal {
        kind: args.kind,
        level,
        topic: args.topic.clone(),
        title: args.title.clone(),
        text,
        options: args.options.clone(),
        subject,
    };
    let receipt = session.submit(ActionBody::Governance(GovernanceAction::Propose(Box::new(
        proposal,
    ))))?;
    // The stages start from the time the node sealed the proposal, so
    // they are read back rather than computed here. The proposal stands
    // either way: failing to read it back is only a warning.
    let read_back = receipt
        .id
        .parse::<Hash>()
        .map_err(anyhow::Error::from)
        .and_then(|id| match level {
            Level::Local => {
                let reader = Reader {
                    client: &session.client,
                    key: &session.signer.keypair,
                };
                Ok(reader.detail(&id)?.1)
            }
            _ => {
                let rules = federation
                    .as_ref()
                    .context("the node's federation is unknown")?
                    .rules()?;
                let (_, detail) = federation::proposal::detail(&session.client, &id)?;
                Ok(detail.to_info(&rules))
            }
        });
    let info = match read_back {
        Ok(info) => Some(info),
        Err(e) => {
            eprintln!(
                "hearth: proposal {} was accepted, but cannot be read back: {e:#}",
                receipt.id
            );
            None
        }
    };
    let extra = match &info {
        Some(info) => json!({
            "kind": info.kind,
            "level": info.level,
            "topic": info.topic,
            "title": info.title,
            "method": info.method,
            "stage": info.stage,
            "stages": info.stages,
            "closes": info.closes,
        }),
        None => json!({ "kind": args.kind, "level": level, "topic": args.topic }),
    };
    let value = receipt_json(&receipt, extra);
    ctx.out.show(&value, || {
        Ok(proposed_text(&receipt, info.as_ref(), &regions))
    })
}

/// What `hearth propose` prints: the id alone on the first line, so
/// `hearth propose … | head -1` works, then the proposal and its stages.
fn proposed_text(
    receipt: &Submitted,
    info: Option<&ProposalInfo>,
    regions: &[crate::federation::RegionInfo],
) -> String {
    let mut out = format!("{}\n", receipt.id);
    if let Some(info) = info {
        let topic = match &info.topic {
            Some(topic) => format!(" on {}", printable(topic)),
            None => String::new(),
        };
        out.push_str(&format!(
            "{} {} proposal \"{}\"{topic}, decided by {} (entry {} #{}):\n",
            level_name(&info.level, regions),
            info.kind.as_str(),
            printable(&info.title),
            method_name(info.method),
            receipt.log,
            receipt.seq
        ));
        out.push_str(&stages_table(info));
    }
    out
}

/// A proposal's stages and when each starts, then when it closes.
pub fn stages_table(info: &ProposalInfo) -> String {
    let mut rows: Vec<Vec<String>> = info
        .stages
        .iter()
        .map(|(stage, start)| vec![stage.clone(), datetime(*start)])
        .collect();
    rows.push(vec!["closes".into(), datetime(info.closes)]);
    table(&["STAGE", "FROM"], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrap {
        #[command(flatten)]
        args: ProposeArgs,
    }

    fn parse(args: &[&str]) -> ProposeArgs {
        let mut all = vec!["propose"];
        all.extend_from_slice(args);
        Wrap::try_parse_from(all).expect("valid arguments").args
    }

    #[test]
    fn projects_are_name_equals_kc() {
        assert_eq!(
            parse_project("Bread oven=400.5"),
            Ok(Project {
                name: "Bread oven".into(),
                cost: Kc(400_500)
            })
        );
        assert_eq!(parse_project("a=b=3").unwrap().name, "a=b");
        assert!(parse_project("Oven").is_err());
        assert!(parse_project("=3").is_err());
        assert!(parse_project("Oven=0").is_err());
        assert!(parse_project("Oven=lots").is_err());
    }

    #[test]
    fn each_kind_takes_its_own_flags() {
        let budget = parse(&[
            "--kind",
            "budget",
            "--title",
            "B",
            "--budget",
            "1000",
            "--project",
            "Oven=400",
        ]);
        assert_eq!(
            subject(budget.kind, &budget, None, None).unwrap(),
            Subject::Budget {
                budget: Kc::whole(1000),
                projects: vec![Project {
                    name: "Oven".into(),
                    cost: Kc::whole(400)
                }],
            }
        );
        let election = parse(&["--kind", "election", "--title", "E", "--seats", "3"]);
        assert_eq!(
            subject(election.kind, &election, None, None).unwrap(),
            Subject::Election { seats: 3 }
        );
        let policy = parse(&[
            "--kind", "policy", "--title", "P", "--option", "A", "--option", "B",
        ]);
        assert_eq!(
            subject(policy.kind, &policy, None, None).unwrap(),
            Subject::Question
        );
        assert_eq!(policy.level, LevelArg::Local, "local by default");

        let missing = parse(&["--kind", "budget", "--title", "B"]);
        let err = format!(
            "{:#}",
            subject(missing.kind, &missing, None, None).unwrap_err()
        );
        assert!(err.contains("--budget"), "{err}");
        let missing = parse(&["--kind", "election", "--title", "E"]);
        assert!(
            format!(
                "{:#}",
                subject(missing.kind, &missing, None, None).unwrap_err()
            )
            .contains("--seats")
        );
        let missing = parse(&["--kind", "membership", "--title", "M"]);
        assert!(
            format!(
                "{:#}",
                subject(missing.kind, &missing, None, None).unwrap_err()
            )
            .contains("--member")
        );
        let stray = parse(&["--kind", "policy", "--title", "P", "--seats", "2"]);
        let err = format!("{:#}", subject(stray.kind, &stray, None, None).unwrap_err());
        assert!(err.contains("--seats is for election"), "{err}");
        let stray = parse(&[
            "--kind", "election", "--title", "E", "--seats", "2", "--option", "A", "--option", "B",
        ]);
        assert!(subject(stray.kind, &stray, None, None).is_err());
        let one = parse(&["--kind", "policy", "--title", "P", "--option", "A"]);
        assert!(format!("{:#}", subject(one.kind, &one, None, None).unwrap_err()).contains("two"));
    }

    #[test]
    fn federated_proposals_are_policies_or_community_admissions() {
        use hearth_protocol::test::keypair;
        let args = |extra: &[&str]| {
            let mut all = vec!["--title", "T"];
            all.extend_from_slice(extra);
            parse(&all)
        };
        let err = |a: &ProposeArgs| format!("{:#}", check_level(a).unwrap_err());
        assert!(check_level(&args(&["--kind", "policy", "--level", "region:north"])).is_ok());
        let budget = args(&["--kind", "budget", "--level", "network", "--budget", "5"]);
        assert!(err(&budget).contains("policies or community admissions"));
        let bare = args(&["--kind", "membership", "--level", "network"]);
        assert!(err(&bare).contains("--admit-community URL"));
        let member = args(&[
            "--kind",
            "membership",
            "--level",
            "network",
            "--member",
            "bob",
        ]);
        assert!(err(&member).contains("members join a community"));
        let local = args(&["--kind", "membership", "--admit-community", "http://h"]);
        assert!(err(&local).contains("--level network"));
        let admit = args(&[
            "--kind",
            "membership",
            "--level",
            "network",
            "--admit-community",
            "http://h",
        ]);
        assert!(check_level(&admit).is_ok());
        let node = NodeInfo {
            community: Hash([3; 32]),
            name: "Hilltop".into(),
            node_key: keypair(3).public(),
            peer_id: String::new(),
            listen: vec![],
            peers: vec![],
            networks: vec![],
        };
        assert_eq!(
            subject(admit.kind, &admit, None, Some(&node)).unwrap(),
            Subject::Community {
                community: Hash([3; 32]),
                node: keypair(3).public(),
                name: "Hilltop".into(),
            }
        );
        let stray = args(&[
            "--kind",
            "policy",
            "--level",
            "network",
            "--admit-community",
            "x",
        ]);
        assert!(subject(stray.kind, &stray, None, None).is_err());
    }

    #[test]
    fn kinds_levels_and_texts_parse() {
        assert_eq!(parse_kind("emergency"), Ok(ProposalKind::Emergency));
        let filed = parse(&["--kind", "policy", "--title", "P", "--topic", "health"]);
        assert_eq!(filed.topic.map(String::from), Some("health".to_string()));
        let bad =
            Wrap::try_parse_from(["p", "--kind", "policy", "--title", "P", "--topic", "Health"]);
        assert!(bad.unwrap_err().to_string().contains("not a topic name"));
        assert!(parse_kind("party").unwrap_err().contains("policy, budget"));
        let network = parse(&["--kind", "policy", "--title", "P", "--level", "network"]);
        assert_eq!(network.level, LevelArg::Network);
        let wrap = Wrap::try_parse_from([
            "p",
            "--kind",
            "policy",
            "--title",
            "P",
            "--text",
            "a",
            "--text-file",
            "f",
        ]);
        assert!(wrap.is_err(), "--text and --text-file conflict");
        assert_eq!(read_text(Some("hi".into()), None).unwrap(), "hi");
        assert_eq!(read_text(None, None).unwrap(), "");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.md");
        std::fs::write(&file, "from a file").unwrap();
        assert_eq!(read_text(None, Some(&file)).unwrap(), "from a file");
        assert!(read_text(None, Some(&dir.path().join("none"))).is_err());
    }

    #[test]
    fn stages_print_with_their_start_times() {
        let value = json!({
            "id": "01".repeat(32), "kind": "policy", "level": {"level": "local"},
            "title": "P", "author": "did:key:z6MkA", "created": 0, "stage": "discussion",
            "stages": [["discussion", 0], ["voting", 2000]],
            "closes": 5000, "method": "consensus", "withdrawn": null,
        });
        let info: ProposalInfo = serde_json::from_value(value).unwrap();
        assert_eq!(
            stages_table(&info),
            "STAGE       FROM\n\
             discussion  1970-01-01 00:00:00 UTC\n\
             voting      1970-01-01 00:00:02 UTC\n\
             closes      1970-01-01 00:00:05 UTC\n"
        );
    }

    #[test]
    fn moderation_flags_make_a_council_decision() {
        use hearth_protocol::governance::Moderation;
        let did = hearth_protocol::Keypair::from_seed(&[4; 32]).public();
        let d = did.to_did();
        let suspend = parse(&[
            "--kind",
            "emergency",
            "--title",
            "S",
            "--text",
            "why",
            "--suspend",
            &d,
            "--for",
            "7d",
        ]);
        match subject(suspend.kind, &suspend, None, None).unwrap() {
            Subject::Moderation {
                action: Moderation::Suspend { member, until },
            } => {
                assert_eq!(member, did);
                assert!(until.0 > 7 * 86_400_000);
            }
            other => panic!("expected a suspension, got {other:?}"),
        }
        let reinstate = parse(&["--kind", "emergency", "--title", "R", "--reinstate", &d]);
        assert_eq!(
            subject(reinstate.kind, &reinstate, None, None).unwrap(),
            Subject::Moderation {
                action: Moderation::Reinstate { member: did }
            }
        );
        let policy = parse(&["--kind", "policy", "--title", "P", "--reinstate", &d]);
        assert!(
            subject(policy.kind, &policy, None, None).is_err(),
            "only emergencies moderate"
        );
        let no_length = parse(&["--kind", "emergency", "--title", "S", "--suspend", &d]);
        assert!(subject(no_length.kind, &no_length, None, None).is_err());
    }
}
