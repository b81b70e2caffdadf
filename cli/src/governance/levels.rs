//! Levels and delegation scopes as members type them: `local`, `network`,
//! `region:NAME` (or `regional:<region id>`), each optionally followed by
//! `:KIND` in a scope. A region named on the command line is resolved to
//! its id with the node's `/v1/federation`, so parsing stays pure and the
//! node is asked only when a name needs it.

use anyhow::{Result, anyhow};
use hearth_protocol::Hash;
use hearth_protocol::governance::{Level, ProposalKind, Scope, Topic};

use crate::federation::RegionInfo;

/// A region as given: by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionRef {
    /// `regional:<64 hex digits>`.
    Id(Hash),
    /// `region:NAME`.
    Name(String),
}

/// A level as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LevelArg {
    /// The community itself.
    Local,
    /// The whole network.
    Network,
    /// A region of the network.
    Region(RegionRef),
}

impl LevelArg {
    /// Whether this is the local level.
    pub fn is_local(&self) -> bool {
        *self == LevelArg::Local
    }

    /// Whether resolving it needs the node's list of regions.
    pub fn needs_regions(&self) -> bool {
        matches!(self, LevelArg::Region(RegionRef::Name(_)))
    }

    /// The protocol's level; `regions` lists the network's regions and is
    /// only called for a region given by name.
    pub fn resolve(&self, regions: impl FnOnce() -> Result<Vec<RegionInfo>>) -> Result<Level> {
        Ok(match self {
            LevelArg::Local => Level::Local,
            LevelArg::Network => Level::Network,
            LevelArg::Region(RegionRef::Id(id)) => Level::Regional(*id),
            LevelArg::Region(RegionRef::Name(name)) => {
                Level::Regional(region_named(name, &regions()?)?)
            }
        })
    }
}

/// The id of the region called `name`: its exact name, or the one name
/// that differs from it only in case.
pub fn region_named(name: &str, regions: &[RegionInfo]) -> Result<Hash> {
    if let Some(region) = regions.iter().find(|r| r.name == name) {
        return Ok(region.id);
    }
    let folded: Vec<&RegionInfo> = regions
        .iter()
        .filter(|r| r.name.to_lowercase() == name.to_lowercase())
        .collect();
    if let [region] = folded.as_slice() {
        return Ok(region.id);
    }
    if regions.is_empty() {
        return Err(anyhow!(
            "no region named {name:?}: the node's network has no regions (see `hearth federation`)"
        ));
    }
    let names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
    Err(anyhow!(
        "no region named {name:?}; the network's regions are {}",
        names.join(", ")
    ))
}

/// A delegation scope as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeArg {
    /// The level.
    pub level: LevelArg,
    /// Narrowed to one kind of proposal.
    pub kind: Option<ProposalKind>,
}

impl ScopeArg {
    /// The protocol's scope (see [`LevelArg::resolve`]), narrowed to
    /// `topic` if one is given: a scope names a kind or a topic, not both.
    pub fn resolve(
        &self,
        topic: Option<&Topic>,
        regions: impl FnOnce() -> Result<Vec<RegionInfo>>,
    ) -> Result<Scope> {
        if let (Some(kind), Some(topic)) = (self.kind, topic) {
            return Err(crate::error::fail(
                crate::error::Code::InvalidArgument,
                format!(
                    "a delegation covers one kind of proposal or one topic, not both: drop :{} from --scope or --topic {topic}",
                    kind.as_str()
                ),
            ));
        }
        let level = self.level.resolve(regions)?;
        Ok(match (self.kind, topic) {
            (Some(kind), _) => Scope::kind(level, kind),
            (None, Some(topic)) => Scope::topic(level, topic.clone()),
            (None, None) => Scope::level(level),
        })
    }
}

const LEVELS: &str = "local, network, region:NAME or regional:<region id>";

/// Parses a level: `local`, `network`, `region:NAME` or
/// `regional:<region id>` (`region:` and `regional:` take either; 64 hex
/// digits are an id, anything else a name).
pub fn parse_level_arg(text: &str) -> Result<LevelArg, String> {
    let text = text.trim();
    match text {
        "local" => return Ok(LevelArg::Local),
        "network" => return Ok(LevelArg::Network),
        _ => {}
    }
    let rest = text
        .strip_prefix("regional:")
        .or_else(|| text.strip_prefix("region:"))
        .ok_or_else(|| format!("invalid level {text:?}: use {LEVELS}"))?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Err(format!(
            "invalid level {text:?}: name the region, e.g. region:north"
        ));
    }
    let looks_like_id = rest.len() == 64 && rest.chars().all(|c| c.is_ascii_hexdigit());
    Ok(LevelArg::Region(match looks_like_id {
        true => RegionRef::Id(
            rest.parse()
                .map_err(|e| format!("invalid region id {rest:?}: {e}"))?,
        ),
        false => RegionRef::Name(rest.to_string()),
    }))
}

/// Parses a delegation scope: a level, optionally followed by `:KIND`
/// (`local:budget`, `network:policy`, `region:north:policy`).
pub fn parse_scope_arg(text: &str) -> Result<ScopeArg, String> {
    let text = text.trim();
    if let Some((level, kind)) = text.rsplit_once(':')
        && let Some(kind) = ProposalKind::parse(kind.trim())
        && let Ok(level) = parse_level_arg(level)
    {
        return Ok(ScopeArg {
            level,
            kind: Some(kind),
        });
    }
    match parse_level_arg(text) {
        Ok(level) => Ok(ScopeArg { level, kind: None }),
        Err(_) => match text.rsplit_once(':') {
            Some((level, kind)) if parse_level_arg(level).is_ok() => Err(format!(
                "invalid scope {text:?}: unknown proposal kind {kind:?} (kinds: {})",
                ProposalKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => Err(format!(
                "invalid scope {text:?}: use a level ({LEVELS}), optionally with :KIND"
            )),
        },
    }
}

/// A level for people, naming a region when `regions` knows it:
/// `local`, `network`, `region:north`, `regional:<12 hex digits>`.
pub fn level_name(level: &Level, regions: &[RegionInfo]) -> String {
    match level {
        Level::Regional(id) => match regions.iter().find(|r| r.id == *id) {
            Some(region) => format!("region:{}", crate::output::printable(&region.name)),
            None => super::level_text(level),
        },
        other => super::level_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions() -> Vec<RegionInfo> {
        vec![
            RegionInfo {
                name: "north".into(),
                id: Hash([1; 32]),
                communities: vec![],
            },
            RegionInfo {
                name: "South Bank".into(),
                id: Hash([2; 32]),
                communities: vec![],
            },
        ]
    }

    #[test]
    fn levels_are_local_network_or_a_region_by_name_or_id() {
        assert_eq!(parse_level_arg("local"), Ok(LevelArg::Local));
        assert_eq!(parse_level_arg(" network "), Ok(LevelArg::Network));
        let named = parse_level_arg("region:north").unwrap();
        assert_eq!(named, LevelArg::Region(RegionRef::Name("north".into())));
        assert!(named.needs_regions());
        let id = Hash([3; 32]);
        for text in [format!("regional:{id}"), format!("region:{id}")] {
            assert_eq!(
                parse_level_arg(&text),
                Ok(LevelArg::Region(RegionRef::Id(id)))
            );
        }
        // A name that is not an id is a name, even after `regional:`.
        assert_eq!(
            parse_level_arg("regional:South Bank"),
            Ok(LevelArg::Region(RegionRef::Name("South Bank".into())))
        );
        assert!(
            parse_level_arg("region:")
                .unwrap_err()
                .contains("name the region")
        );
        assert!(
            parse_level_arg("galaxy")
                .unwrap_err()
                .contains("region:NAME")
        );
    }

    #[test]
    fn region_names_resolve_through_the_federation() {
        let level = parse_level_arg("region:north").unwrap();
        assert_eq!(
            level.resolve(|| Ok(regions())).unwrap(),
            Level::Regional(Hash([1; 32]))
        );
        let folded = parse_level_arg("region:south bank").unwrap();
        assert_eq!(
            folded.resolve(|| Ok(regions())).unwrap(),
            Level::Regional(Hash([2; 32]))
        );
        let unknown = parse_level_arg("region:west").unwrap();
        let err = format!("{:#}", unknown.resolve(|| Ok(regions())).unwrap_err());
        assert!(err.contains("north, South Bank"), "{err}");
        let none = format!("{:#}", unknown.resolve(|| Ok(vec![])).unwrap_err());
        assert!(none.contains("no regions"), "{none}");
        // Levels that need no names never ask the node.
        let network = LevelArg::Network.resolve(|| panic!("not asked"));
        assert_eq!(network.unwrap(), Level::Network);
        assert_eq!(
            level_name(&Level::Regional(Hash([1; 32])), &regions()),
            "region:north"
        );
        assert_eq!(
            level_name(&Level::Regional(Hash([9; 32])), &regions()),
            format!("regional:{}", "09".repeat(6))
        );
    }

    #[test]
    fn scopes_are_a_level_and_an_optional_kind() {
        fn scope(text: &str) -> ScopeArg {
            parse_scope_arg(text).unwrap()
        }
        assert_eq!(
            scope("local"),
            ScopeArg {
                level: LevelArg::Local,
                kind: None
            }
        );
        assert_eq!(scope("network:policy").kind, Some(ProposalKind::Policy));
        assert_eq!(scope("network:policy").level, LevelArg::Network);
        let north = scope("region:north:membership");
        assert_eq!(
            north.level,
            LevelArg::Region(RegionRef::Name("north".into()))
        );
        assert_eq!(north.kind, Some(ProposalKind::Membership));
        assert_eq!(scope("region:north").kind, None);
        // A region may be named like a kind.
        assert_eq!(
            scope("region:policy").level,
            LevelArg::Region(RegionRef::Name("policy".into()))
        );
        let id = Hash([4; 32]);
        let by_id = scope(&format!("regional:{id}:budget"));
        assert_eq!(
            (by_id.level, by_id.kind),
            (
                LevelArg::Region(RegionRef::Id(id)),
                Some(ProposalKind::Budget)
            )
        );
        let resolved = scope("region:north:policy")
            .resolve(None, || Ok(regions()))
            .unwrap();
        assert_eq!(resolved.level, Level::Regional(Hash([1; 32])));
        assert_eq!(resolved.kind_of(), Some(ProposalKind::Policy));
        let health = Topic::new("health").unwrap();
        let topical = scope("local").resolve(Some(&health), || Ok(regions()));
        assert_eq!(topical.unwrap(), Scope::topic(Level::Local, health.clone()));
        let both = scope("local:policy").resolve(Some(&health), || Ok(regions()));
        assert!(format!("{:#}", both.unwrap_err()).contains("not both"));
        assert!(
            parse_scope_arg("local:picnic")
                .unwrap_err()
                .contains("picnic")
        );
        assert!(
            parse_scope_arg("town:policy")
                .unwrap_err()
                .contains("invalid scope")
        );
        assert!(
            parse_scope_arg("town")
                .unwrap_err()
                .contains("invalid scope")
        );
    }
}
