//! Delegation scopes (DESIGN §7.2): a level, narrowed to nothing, to one
//! proposal kind or to one topic, and how a member's delegations in the
//! scopes that apply to a proposal resolve to one delegate: the most
//! specific scope wins (topic, then kind, then the level), and revoking a
//! more specific scope falls back to the next one.

use bincode::{Decode, Encode};
use serde::Serialize;
use serde::ser::SerializeStruct;

use crate::crypto::PublicKey;

use super::topic::Topic;
use super::{Level, ProposalKind};

/// What a delegation covers within its level. One of three, never two:
/// a scope names a kind or a topic, not both.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode)]
pub enum Within {
    /// Every proposal of the level.
    All,
    /// The level's proposals of one kind.
    Kind(ProposalKind),
    /// The level's proposals filed under one topic.
    Topic(Topic),
}

impl Within {
    /// How specific this is.
    pub fn tier(&self) -> Tier {
        match self {
            Within::All => Tier::Level,
            Within::Kind(_) => Tier::Kind,
            Within::Topic(_) => Tier::Topic,
        }
    }
}

/// How specific a scope is, least specific first: a delegation in a more
/// specific scope that applies wins over a less specific one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Tier {
    /// The whole level.
    Level,
    /// One kind of proposal.
    Kind,
    /// One topic.
    Topic,
}

impl Tier {
    /// Every tier, least specific first.
    pub const ALL: [Tier; 3] = [Tier::Level, Tier::Kind, Tier::Topic];
}

/// What a delegation applies to: a level, and optionally one kind or one
/// topic. The most specific scope that applies to a proposal wins.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Encode, Decode)]
pub struct Scope {
    /// The level.
    pub level: Level,
    /// Which of the level's proposals.
    pub within: Within,
}

impl Scope {
    /// Every proposal of `level`.
    pub fn level(level: Level) -> Scope {
        Scope {
            level,
            within: Within::All,
        }
    }

    /// The proposals of `kind` at `level`.
    pub fn kind(level: Level, kind: ProposalKind) -> Scope {
        Scope {
            level,
            within: Within::Kind(kind),
        }
    }

    /// The proposals filed under `topic` at `level`.
    pub fn topic(level: Level, topic: Topic) -> Scope {
        Scope {
            level,
            within: Within::Topic(topic),
        }
    }

    /// The kind it is narrowed to, if any.
    pub fn kind_of(&self) -> Option<ProposalKind> {
        match &self.within {
            Within::Kind(kind) => Some(*kind),
            _ => None,
        }
    }

    /// The topic it is narrowed to, if any.
    pub fn topic_of(&self) -> Option<&Topic> {
        match &self.within {
            Within::Topic(topic) => Some(topic),
            _ => None,
        }
    }

    /// The tier of the scope if it applies to a proposal of `kind` at
    /// `level` filed under `topic` (topics match by name).
    pub fn applies_to(
        &self,
        level: Level,
        kind: ProposalKind,
        topic: Option<&Topic>,
    ) -> Option<Tier> {
        if self.level != level {
            return None;
        }
        let applies = match &self.within {
            Within::All => true,
            Within::Kind(k) => *k == kind,
            Within::Topic(t) => topic == Some(t),
        };
        applies.then(|| self.within.tier())
    }
}

/// Written as `{"level": …, "kind": null | "budget", "topic": null |
/// "health"}`: readers that know only levels and kinds keep working.
impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Scope", 3)?;
        s.serialize_field("level", &self.level)?;
        s.serialize_field("kind", &self.kind_of())?;
        s.serialize_field("topic", &self.topic_of())?;
        s.end()
    }
}

/// One member's latest delegation in each tier of scope that applies to a
/// proposal, and the delegate they resolve to. Local and federated counts
/// both resolve through it, so they agree by construction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tiers {
    /// By tier: no delegation (`None`), revoked (`Some(None)`) or a delegate.
    latest: [Option<Option<PublicKey>>; 3],
}

impl Tiers {
    /// Records the member's latest delegation (`None`: revocation) in a
    /// scope of `tier`, replacing any earlier one of that tier.
    pub fn set(&mut self, tier: Tier, to: Option<PublicKey>) {
        self.latest[tier as usize] = Some(to);
    }

    /// The delegate: the most specific tier's, skipping tiers with no
    /// delegation or a revoked one (a revoked topic delegation falls back
    /// to the kind's, then to the level's).
    pub fn delegate(&self) -> Option<PublicKey> {
        self.latest.iter().rev().find_map(|slot| slot.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::keypair;

    #[test]
    fn the_most_specific_live_delegation_wins() {
        let (a, b, c) = (
            keypair(1).public(),
            keypair(2).public(),
            keypair(3).public(),
        );
        let mut t = Tiers::default();
        assert_eq!(t.delegate(), None);
        t.set(Tier::Level, Some(a));
        assert_eq!(t.delegate(), Some(a));
        t.set(Tier::Topic, Some(c));
        t.set(Tier::Kind, Some(b));
        assert_eq!(t.delegate(), Some(c), "topic beats kind and level");
        t.set(Tier::Topic, None);
        assert_eq!(
            t.delegate(),
            Some(b),
            "a revoked topic falls back to the kind"
        );
        t.set(Tier::Kind, None);
        assert_eq!(t.delegate(), Some(a));
        t.set(Tier::Level, None);
        assert_eq!(t.delegate(), None);
    }

    #[test]
    fn a_scope_applies_at_its_level_to_its_kind_or_topic() {
        let health = Topic::new("health").unwrap();
        let roads = Topic::new("roads").unwrap();
        let policy = ProposalKind::Policy;
        let local = Level::Local;
        assert_eq!(
            Scope::level(local).applies_to(local, policy, None),
            Some(Tier::Level)
        );
        assert_eq!(
            Scope::level(local).applies_to(Level::Network, policy, None),
            None
        );
        assert_eq!(
            Scope::kind(local, policy).applies_to(local, policy, Some(&health)),
            Some(Tier::Kind)
        );
        assert_eq!(
            Scope::kind(local, ProposalKind::Budget).applies_to(local, policy, None),
            None
        );
        let scope = Scope::topic(local, health.clone());
        assert_eq!(
            scope.applies_to(local, policy, Some(&health)),
            Some(Tier::Topic)
        );
        assert_eq!(scope.applies_to(local, policy, Some(&roads)), None);
        assert_eq!(scope.applies_to(local, policy, None), None);
    }

    #[test]
    fn a_scope_is_written_with_its_kind_and_topic() {
        let health = Topic::new("health").unwrap();
        let json = serde_json::to_value(Scope::topic(Level::Local, health)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"level": {"level": "local"}, "kind": null, "topic": "health"})
        );
        let json = serde_json::to_value(Scope::kind(Level::Network, ProposalKind::Budget)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"level": {"level": "network"}, "kind": "budget", "topic": null})
        );
    }
}
