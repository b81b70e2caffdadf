//! From what a member types to the [`Ballot`] the proposal's method takes:
//! a position word (`agree`, `yes`, …), a ranking (`--rank "A,B,C"`), a
//! quadratic allocation (`--quadratic "opt=+3,other=-1"`) or approved
//! projects (`--approve p1,p2`). Options, candidates and projects are named
//! by name or by their 1-based number; ballots carry 0-based indices.
//!
//! A form that does not fit the method is a local error naming the form
//! that does, so a wrong ballot never reaches the node.

use anyhow::{Result, anyhow, bail};
use hearth_protocol::PublicKey;
use hearth_protocol::community::Method;
use hearth_protocol::governance::{Ballot, Position, YesNo};

use super::method_name;

/// A vote as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// A position word, with `--reason`.
    Position {
        /// `agree`, `abstain`, `disagree`, `block`, `yes` or `no`.
        word: String,
        /// The reason (blocks need one).
        reason: Option<String>,
    },
    /// `--rank "A,B,C"`: most preferred first.
    Rank(String),
    /// `--quadratic "opt=+3,other=-1"`, or `"+3"` for a yes/no question.
    Quadratic(String),
    /// `--approve p1,p2`.
    Approve(String),
}

/// What a ballot is cast on: the proposal's method and what can be chosen.
#[derive(Debug, Clone, Copy)]
pub struct Choices<'a> {
    /// The method.
    pub method: Method,
    /// The options of a choice (empty: yes/no).
    pub options: &'a [String],
    /// Election candidates.
    pub nominees: &'a [PublicKey],
    /// Budget projects' names.
    pub projects: &'a [String],
}

/// How to vote under `method`, for error messages.
pub fn how_to_vote(method: Method) -> &'static str {
    match method {
        Method::Consensus => "agree, abstain, disagree or block --reason R",
        Method::Majority | Method::Council => "yes, no or abstain",
        Method::Schulze => "--rank \"A,B,C\" (options by name or number)",
        Method::Stv => "--rank \"A,B,C\" (candidates by did, key name or number)",
        Method::Quadratic => "--quadratic \"option=+3,other=-1\" (or \"+3\" on a yes/no question)",
        Method::Budgeting => "--approve p1,p2 (projects by name or number)",
    }
}

/// The ballot `form` stands for on a proposal with `choices`. `key_named`
/// looks up one of the member's local keys by name (election candidates
/// may be named so).
pub fn ballot(
    form: &Form,
    choices: &Choices,
    key_named: impl Fn(&str) -> Result<PublicKey>,
) -> Result<Ballot> {
    let method = choices.method;
    let misfit = || {
        anyhow!(
            "this proposal is decided by {}: vote {}",
            method_name(method),
            how_to_vote(method)
        )
    };
    match (form, method) {
        (Form::Position { word, reason }, Method::Consensus) => consensus(word, reason.as_deref()),
        (Form::Position { word, reason }, Method::Majority | Method::Council) => {
            if reason.is_some() {
                bail!("--reason goes with a consensus block; this vote takes yes, no or abstain");
            }
            match word.as_str() {
                "yes" => Ok(Ballot::YesNo(YesNo::Yes)),
                "no" => Ok(Ballot::YesNo(YesNo::No)),
                "abstain" => Ok(Ballot::YesNo(YesNo::Abstain)),
                _ => Err(misfit()),
            }
        }
        (Form::Rank(text), Method::Schulze) => {
            let ranking = items(text)
                .map(|item| pick(item, choices.options, "option"))
                .collect::<Result<Vec<u32>>>()?;
            distinct_ranking(ranking).map(Ballot::Ranked)
        }
        (Form::Rank(text), Method::Stv) => {
            let ranking = items(text)
                .map(|item| candidate(item, choices.nominees, &key_named))
                .collect::<Result<Vec<u32>>>()?;
            distinct_ranking(ranking).map(Ballot::Ranked)
        }
        (Form::Quadratic(text), Method::Quadratic) => {
            quadratic(text, choices.options).map(Ballot::Quadratic)
        }
        (Form::Approve(text), Method::Budgeting) => {
            let approved = items(text)
                .map(|item| pick(item, choices.projects, "project"))
                .collect::<Result<Vec<u32>>>()?;
            if let Some(twice) = first_repeat(&approved) {
                bail!(
                    "project {:?} is approved twice",
                    choices.projects[twice as usize]
                );
            }
            Ok(Ballot::Approval(approved))
        }
        _ => Err(misfit()),
    }
}

fn consensus(word: &str, reason: Option<&str>) -> Result<Ballot> {
    let position = match word {
        "block" => match reason.map(str::trim) {
            Some(reason) if !reason.is_empty() => Position::Block(reason.to_string()),
            _ => bail!("a block needs its reason: block --reason \"…\""),
        },
        "agree" | "abstain" | "disagree" if reason.is_some() => {
            bail!("--reason goes with block; agree, abstain and disagree take none")
        }
        "agree" => Position::Agree,
        "abstain" => Position::Abstain,
        "disagree" => Position::Disagree,
        other => bail!(
            "this proposal is decided by consensus: vote agree, abstain, disagree or block --reason R, not {other:?}"
        ),
    };
    Ok(Ballot::Consensus(position))
}

/// The comma-separated, trimmed, non-empty items of `text`.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn first_repeat(indices: &[u32]) -> Option<u32> {
    let mut seen = std::collections::BTreeSet::new();
    indices.iter().copied().find(|i| !seen.insert(*i))
}

fn distinct_ranking(ranking: Vec<u32>) -> Result<Vec<u32>> {
    if ranking.is_empty() {
        bail!("rank at least one choice, most preferred first: --rank \"A,B,C\"");
    }
    if let Some(twice) = first_repeat(&ranking) {
        bail!("choice number {} is ranked twice", twice + 1);
    }
    Ok(ranking)
}

/// The index of the `what` that `item` names among `names`: its exact
/// name, its 1-based number, or a name differing only in case (if just
/// one does).
pub fn pick(item: &str, names: &[String], what: &str) -> Result<u32> {
    let index = names
        .iter()
        .position(|n| n == item)
        .or_else(|| {
            item.parse::<usize>()
                .ok()
                .filter(|n| (1..=names.len()).contains(n))
                .map(|n| n - 1)
        })
        .or_else(|| {
            let mut folded = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.to_lowercase() == item.to_lowercase());
            match (folded.next(), folded.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        });
    match index {
        Some(i) => Ok(i as u32),
        None if names.is_empty() => bail!("this proposal has no {what}s"),
        None => bail!(
            "no {what} {item:?}; the {what}s are {}",
            numbered(names).join(", ")
        ),
    }
}

/// `1. A`, `2. B`, … for messages and listings.
pub fn numbered(names: &[String]) -> Vec<String> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{}. {n}", i + 1))
        .collect()
}

/// The index of the candidate `item` names: a did, a 1-based number, or
/// the name of a local key.
fn candidate(
    item: &str,
    nominees: &[PublicKey],
    key_named: impl Fn(&str) -> Result<PublicKey>,
) -> Result<u32> {
    if nominees.is_empty() {
        bail!("nobody was nominated in this election");
    }
    let key = if item.starts_with("did:") {
        PublicKey::from_did(item).map_err(|e| anyhow!("invalid candidate {item:?}: {e}"))?
    } else if let Some(n) = item
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=nominees.len()).contains(n))
    {
        return Ok((n - 1) as u32);
    } else {
        key_named(item).map_err(|e| {
            anyhow!("{item:?} is neither a candidate's number, a did:key, nor a local key: {e:#}")
        })?
    };
    nominees
        .iter()
        .position(|n| *n == key)
        .map(|i| i as u32)
        .ok_or_else(|| anyhow!("{item} is not a candidate in this election"))
}

/// Parses quadratic votes: `"+3"` on a yes/no question, else
/// `"name=+3,other=-1"` with options by name or number (options left out
/// get 0).
pub fn quadratic(text: &str, options: &[String]) -> Result<Vec<i64>> {
    if options.is_empty() {
        return match votes(text.trim()) {
            Some(n) => Ok(vec![n]),
            None => bail!(
                "this is a yes/no question: give one number of votes, e.g. --quadratic +3 (for) or -2 (against)"
            ),
        };
    }
    let mut out = vec![0i64; options.len()];
    let mut given = vec![false; options.len()];
    let mut any = false;
    for item in items(text) {
        let Some((name, count)) = item.rsplit_once('=') else {
            bail!("invalid quadratic vote {item:?}: use option=+3 or option=-1");
        };
        let index = pick(name.trim(), options, "option")? as usize;
        let count = votes(count.trim())
            .ok_or_else(|| anyhow!("invalid number of votes in {item:?}: use e.g. +3 or -1"))?;
        if std::mem::replace(&mut given[index], true) {
            bail!("option {:?} is given votes twice", options[index]);
        }
        out[index] = count;
        any = true;
    }
    if !any {
        bail!("give votes to at least one option: --quadratic \"option=+3,other=-1\"");
    }
    Ok(out)
}

/// A signed whole number of votes: `3`, `+3`, `-1`.
fn votes(text: &str) -> Option<i64> {
    let (sign, digits) = match text.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => match text.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, text),
        },
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<i64>().ok().map(|n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::test::keypair;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn choices<'a>(
        method: Method,
        options: &'a [String],
        nominees: &'a [PublicKey],
        projects: &'a [String],
    ) -> Choices<'a> {
        Choices {
            method,
            options,
            nominees,
            projects,
        }
    }

    fn no_keys(name: &str) -> Result<PublicKey> {
        bail!("no key named '{name}'")
    }

    fn position(word: &str, reason: Option<&str>) -> Form {
        Form::Position {
            word: word.into(),
            reason: reason.map(Into::into),
        }
    }

    #[test]
    fn consensus_positions_and_blocks_with_reasons() {
        let c = choices(Method::Consensus, &[], &[], &[]);
        let cast = |f: &Form| ballot(f, &c, no_keys);
        assert_eq!(
            cast(&position("agree", None)).unwrap(),
            Ballot::Consensus(Position::Agree)
        );
        assert_eq!(
            cast(&position("disagree", None)).unwrap(),
            Ballot::Consensus(Position::Disagree)
        );
        assert_eq!(
            cast(&position("block", Some(" unsafe "))).unwrap(),
            Ballot::Consensus(Position::Block("unsafe".into()))
        );
        let no_reason = format!("{:#}", cast(&position("block", None)).unwrap_err());
        assert!(no_reason.contains("--reason"), "{no_reason}");
        let blank = format!("{:#}", cast(&position("block", Some("  "))).unwrap_err());
        assert!(blank.contains("--reason"), "{blank}");
        assert!(cast(&position("agree", Some("why"))).is_err());
        let yes = format!("{:#}", cast(&position("yes", None)).unwrap_err());
        assert!(yes.contains("agree, abstain, disagree or block"), "{yes}");
        let ranked = format!("{:#}", cast(&Form::Rank("A".into())).unwrap_err());
        assert!(ranked.contains("decided by consensus"), "{ranked}");
    }

    #[test]
    fn majority_and_council_take_yes_no_abstain() {
        for method in [Method::Majority, Method::Council] {
            let c = choices(method, &[], &[], &[]);
            let cast = |f: &Form| ballot(f, &c, no_keys);
            assert_eq!(
                cast(&position("yes", None)).unwrap(),
                Ballot::YesNo(YesNo::Yes)
            );
            assert_eq!(
                cast(&position("no", None)).unwrap(),
                Ballot::YesNo(YesNo::No)
            );
            assert_eq!(
                cast(&position("abstain", None)).unwrap(),
                Ballot::YesNo(YesNo::Abstain)
            );
            let agree = format!("{:#}", cast(&position("agree", None)).unwrap_err());
            assert!(agree.contains("yes, no or abstain"), "{agree}");
            assert!(cast(&position("yes", Some("r"))).is_err());
            assert!(cast(&Form::Approve("1".into())).is_err());
        }
    }

    #[test]
    fn rankings_name_options_by_name_or_number() {
        let options = names(&["Oak", "Birch", "Ash"]);
        let c = choices(Method::Schulze, &options, &[], &[]);
        let rank = |t: &str| ballot(&Form::Rank(t.into()), &c, no_keys);
        assert_eq!(
            rank("Ash, Oak ,Birch").unwrap(),
            Ballot::Ranked(vec![2, 0, 1])
        );
        assert_eq!(rank("2,3").unwrap(), Ballot::Ranked(vec![1, 2]));
        assert_eq!(rank("birch,1").unwrap(), Ballot::Ranked(vec![1, 0]));
        let twice = format!("{:#}", rank("Oak,1").unwrap_err());
        assert!(twice.contains("twice"), "{twice}");
        let unknown = format!("{:#}", rank("Elm").unwrap_err());
        assert!(unknown.contains("1. Oak, 2. Birch, 3. Ash"), "{unknown}");
        assert!(rank("4").is_err(), "numbers stay in range");
        assert!(rank(" , ").is_err(), "an empty ranking");
        let yes = format!(
            "{:#}",
            ballot(&position("yes", None), &c, no_keys).unwrap_err()
        );
        assert!(yes.contains("--rank"), "{yes}");
    }

    #[test]
    fn an_option_named_like_a_number_wins_over_the_number() {
        let options = names(&["2", "1"]);
        assert_eq!(pick("2", &options, "option").unwrap(), 0);
        assert_eq!(pick("1", &options, "option").unwrap(), 1);
        let folded = names(&["oak", "OAK"]);
        assert!(pick("Oak", &folded, "option").is_err(), "ambiguous case");
    }

    #[test]
    fn election_rankings_name_candidates_by_did_key_name_or_number() {
        let nominees = [
            keypair(1).public(),
            keypair(2).public(),
            keypair(3).public(),
        ];
        let c = choices(Method::Stv, &[], &nominees, &[]);
        let keys = |name: &str| -> Result<PublicKey> {
            match name {
                "bob" => Ok(keypair(2).public()),
                "mallory" => Ok(keypair(9).public()),
                _ => bail!("no key named '{name}'"),
            }
        };
        let text = format!("bob,{},1", nominees[2].to_did());
        assert_eq!(
            ballot(&Form::Rank(text), &c, keys).unwrap(),
            Ballot::Ranked(vec![1, 2, 0])
        );
        let stranger = ballot(&Form::Rank("mallory".into()), &c, keys).unwrap_err();
        assert!(format!("{stranger:#}").contains("not a candidate"));
        let unknown = ballot(&Form::Rank("zed".into()), &c, keys).unwrap_err();
        assert!(format!("{unknown:#}").contains("neither a candidate's number"));
        let bad = ballot(&Form::Rank("did:key:zzz".into()), &c, keys).unwrap_err();
        assert!(format!("{bad:#}").contains("invalid candidate"));
        let nobody = choices(Method::Stv, &[], &[], &[]);
        assert!(ballot(&Form::Rank("1".into()), &nobody, keys).is_err());
    }

    #[test]
    fn quadratic_votes_parse_per_option_or_as_one_number() {
        let options = names(&["Park", "Pool", "Library"]);
        assert_eq!(
            quadratic("Park=+3, Library=-1", &options).unwrap(),
            vec![3, 0, -1]
        );
        assert_eq!(quadratic("2=4,1=-2", &options).unwrap(), vec![-2, 4, 0]);
        assert_eq!(quadratic("+3", &[]).unwrap(), vec![3]);
        assert_eq!(quadratic(" -2 ", &[]).unwrap(), vec![-2]);
        assert_eq!(quadratic("5", &[]).unwrap(), vec![5]);
        for bad in ["", "++3", "+-3", "3x", "Park=+3"] {
            assert!(quadratic(bad, &[]).is_err(), "{bad:?} on yes/no");
        }
        for bad in [
            "Park",
            "Park=",
            "Park=+x",
            "Park=1,Park=2",
            "Gym=1",
            ",",
            "Park=+ 3",
        ] {
            assert!(quadratic(bad, &options).is_err(), "{bad:?}");
        }
        let c = choices(Method::Quadratic, &options, &[], &[]);
        assert_eq!(
            ballot(&Form::Quadratic("Pool=+2".into()), &c, no_keys).unwrap(),
            Ballot::Quadratic(vec![0, 2, 0])
        );
        let misfit = ballot(&position("yes", None), &c, no_keys).unwrap_err();
        assert!(format!("{misfit:#}").contains("--quadratic"));
    }

    #[test]
    fn budgets_approve_projects_by_name_or_number() {
        let projects = names(&["Oven", "Paint", "Bench"]);
        let c = choices(Method::Budgeting, &[], &[], &projects);
        let approve = |t: &str| ballot(&Form::Approve(t.into()), &c, no_keys);
        assert_eq!(approve("Oven,3").unwrap(), Ballot::Approval(vec![0, 2]));
        assert_eq!(approve("paint").unwrap(), Ballot::Approval(vec![1]));
        assert_eq!(
            approve("").unwrap(),
            Ballot::Approval(vec![]),
            "approve none"
        );
        assert!(format!("{:#}", approve("Oven,1").unwrap_err()).contains("twice"));
        assert!(format!("{:#}", approve("Roof").unwrap_err()).contains("1. Oven"));
        let rank = ballot(&Form::Rank("Oven".into()), &c, no_keys).unwrap_err();
        assert!(format!("{rank:#}").contains("--approve"));
    }
}
