//! `hearth network rules`: the default rules of a network's levels, as the
//! TOML file `hearth network draft --rules` reads.

use std::path::Path;

use anyhow::{Context as _, Result};
use hearth_protocol::federation::FederationRules;
use serde_json::json;

use crate::context::Context;
use crate::governance::method_name;

/// Print the default network rules as TOML, to edit for `network draft --rules`.
///
/// Every field may be left out (it keeps its default), except that a
/// level's table ([regional] or [network]) gives all of its fields but
/// these two:
///   pass_when = "auto"   a threshold of exactly 1/2 must be passed (a tie
///                        fails), any other reached; or "at_least",
///                        "more_than" for every threshold
///   ties = "fail"        a tied choice adopts nothing; "lot" draws the
///                        tied options, seeded by the ballots counted
/// Durations are in milliseconds; thresholds and quorums are fractions;
/// voice_credits is at most 1000000.
///
/// Example:
///   hearth network rules > rules.toml   # edit, then:
///   hearth network draft --name Valley --node URL --node URL --rules rules.toml
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct RulesArgs {}

/// Runs `hearth network rules`.
pub fn run(ctx: &Context, _args: RulesArgs) -> Result<()> {
    let rules = FederationRules::default();
    let toml = toml::to_string(&rules).context("cannot format the rules")?;
    ctx.out.show(&json!(rules), || Ok(toml.clone()))
}

/// Reads network rules from a TOML file: fields left out keep their
/// defaults; unknown fields are refused.
pub fn load(path: &Path) -> Result<FederationRules> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the rules {}", path.display()))?;
    parse(&text).with_context(|| format!("invalid rules in {}", path.display()))
}

/// Parses network rules from TOML text.
pub fn parse(text: &str) -> Result<FederationRules> {
    Ok(toml::from_str(text)?)
}

/// The rules in one paragraph for people.
pub fn describe(rules: &FederationRules) -> Vec<String> {
    let level = |name: &str, l: &hearth_protocol::community::LevelRules| {
        let above = if l.strict() { "more than " } else { "" };
        let mut parts = vec![
            method_name(l.method).to_string(),
            format!("threshold {above}{}/{}", l.threshold.num, l.threshold.den),
            format!("quorum {}/{}", l.quorum.num, l.quorum.den),
        ];
        if l.method == hearth_protocol::community::Method::Quadratic {
            parts.push(format!("{} voice credits", l.voice_credits));
        }
        parts.push(
            match l.ties {
                hearth_protocol::community::Ties::Fail => "ties fail",
                hearth_protocol::community::Ties::Lot => "ties drawn by lot",
            }
            .into(),
        );
        parts.push(
            match l.delegation {
                true => "delegation allowed",
                false => "no delegation",
            }
            .into(),
        );
        format!("{name}: {}", parts.join(", "))
    };
    vec![
        level("regions", &rules.regional),
        level("network", &rules.network),
        format!(
            "tally: {} witnesses, grace {}, final after {}, checkpoints every {}",
            rules.witnesses, rules.grace, rules.finality, rules.checkpoint_interval
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::Millis;
    use hearth_protocol::community::{Method, PassWhen, Ties};

    #[test]
    fn rules_toml_keeps_defaults_and_refuses_unknown_fields() {
        let defaults = FederationRules::default();
        assert_eq!(parse("").unwrap(), defaults);
        let rules = parse("witnesses = 3\ngrace = 120000\n").unwrap();
        assert_eq!(rules.witnesses, 3);
        assert_eq!(rules.grace, Millis(120_000));
        assert_eq!(rules.network, defaults.network);
        let network = parse(
            "[network]\nmethod = \"majority\"\nthreshold = { num = 1, den = 2 }\n\
             quorum = { num = 0, den = 1 }\nblocks_to_fail = 0\nvoice_credits = 0\ndelegation = false\n",
        )
        .unwrap();
        assert_eq!(network.network.method, Method::Majority);
        let err = format!("{:#}", parse("witnesess = 3").unwrap_err());
        assert!(err.contains("witnesess"), "{err}");
        // Rules written before `pass_when` and `ties` still read, with
        // their defaults.
        assert_eq!(network.network.pass_when, PassWhen::Auto);
        assert_eq!(network.network.ties, Ties::Fail);
        assert!(network.network.strict(), "1/2 is a simple majority");
        let lot = parse(
            "[network]\nmethod = \"quadratic\"\nthreshold = { num = 2, den = 3 }\n\
             quorum = { num = 0, den = 1 }\nblocks_to_fail = 0\nvoice_credits = 100\n\
             delegation = true\npass_when = \"more_than\"\nties = \"lot\"\n",
        )
        .unwrap();
        assert_eq!(lot.network.pass_when, PassWhen::MoreThan);
        assert_eq!(lot.network.ties, Ties::Lot);
        let err = format!("{:#}", parse("[network]\nvoice_credits = 5").unwrap_err());
        assert!(err.contains("missing field"), "{err}");
        // What `hearth network rules` prints reads back as the defaults.
        let printed = toml::to_string(&defaults).unwrap();
        assert_eq!(parse(&printed).unwrap(), defaults);
        let lines = describe(&defaults);
        assert!(
            lines[1].starts_with("network: quadratic voting, threshold 2/3"),
            "{lines:?}"
        );
        assert!(lines[2].contains("2 witnesses, grace 10 min"), "{lines:?}");
    }
}
