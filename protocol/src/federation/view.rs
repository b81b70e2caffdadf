//! A node's view of the federation: the network genesis and every public
//! log it holds, verified and indexed for the cross-community tally.
//! Building a view is "ingest"; tallies read it.

use std::collections::BTreeMap;

use crate::action::{ActionBody, GovernanceAction, MembershipAction, SignedAction};
use crate::crypto::{Hash, PublicKey};
use crate::governance::{Ballot, Level, Proposal, ProposalKind, Scope, Subject};
use crate::log::{EntryBody, NodeRecord, SignedEntry};
use crate::units::Timestamp;

use super::genesis::NetworkGenesis;
use super::records::{Attestation, Checkpoint};

/// A community's public log as a node holds it: entries verified as a
/// chain from seq 0, and the seq at which it is frozen if the node holds an
/// equivocation proof against it.
#[derive(Clone, Debug)]
pub struct CommunityLog {
    /// The community.
    pub community: Hash,
    /// The key of its node.
    pub node: PublicKey,
    /// Its public log from seq 0, without gaps, as verified.
    pub entries: Vec<SignedEntry>,
    /// Frozen at this seq: entries from it on are excluded.
    pub fork: Option<u64>,
}

impl CommunityLog {
    /// The entries before the fork.
    pub fn usable(&self) -> &[SignedEntry] {
        let end = self
            .fork
            .map_or(self.entries.len(), |f| (f as usize).min(self.entries.len()));
        &self.entries[..end]
    }
}

/// Where a record sits: a community's public log, an entry and its time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Place {
    /// The community whose log holds it.
    pub community: Hash,
    /// The entry's seq.
    pub seq: u64,
    /// The entry's time.
    pub time: Timestamp,
}

/// A regional or network proposal found in a public log.
#[derive(Clone, Debug)]
pub struct ProposalEntry {
    /// The proposal id (its action id).
    pub id: Hash,
    /// Where it was recorded; its time is the proposal's creation.
    pub place: Place,
    /// Its author.
    pub author: PublicKey,
    /// The proposal.
    pub proposal: Proposal,
}

/// A member action relevant to a tally (a ballot or a delegation).
#[derive(Clone, Debug)]
pub struct Cast<T> {
    /// Where it was recorded.
    pub place: Place,
    /// The action id.
    pub id: Hash,
    /// The author.
    pub author: PublicKey,
    /// The author's nonce.
    pub nonce: u64,
    /// When the author signed it.
    pub created: Timestamp,
    /// What it says.
    pub value: T,
}

/// One change of a community's roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RosterEvent {
    /// When (the entry's time).
    pub time: Timestamp,
    /// The member.
    pub key: PublicKey,
    /// Admitted (`true`) or gone (`false`).
    pub admitted: bool,
}

/// A checkpoint and its place.
#[derive(Clone, Debug)]
pub struct CheckpointAt {
    /// Where it was recorded.
    pub place: Place,
    /// The checkpoint.
    pub checkpoint: Checkpoint,
}

/// What the view knows of one community.
#[derive(Clone, Debug, Default)]
pub struct CommunityIndex {
    /// The node key.
    pub node: Option<PublicKey>,
    /// Seq of the last usable entry and its time, if any.
    pub last: Option<(u64, Timestamp, Hash)>,
    /// Entry ids by seq (usable entries only), to check witnessed hashes.
    pub ids: Vec<Hash>,
    /// Entry times by seq (usable entries only; they never decrease).
    pub times: Vec<Timestamp>,
    /// Roster changes ordered by key, and in log order for one key (each
    /// member's changes side by side, so that a roster is read in one
    /// pass; sorted once the log is ingested).
    pub roster: Vec<RosterEvent>,
    /// Checkpoints, in log order.
    pub checkpoints: Vec<CheckpointAt>,
    /// Revocations of verified skills the community mirrored, in log order.
    pub revocations: Vec<crate::economy::learning::Revocation>,
    /// The analytics counts the community published, in log order.
    pub stats: Vec<crate::analytics::Stats>,
    /// Frozen at this seq.
    pub fork: Option<u64>,
}

/// Every public log of a network a node holds, indexed.
#[derive(Clone, Debug)]
pub struct FederationView {
    /// The network.
    pub network: NetworkGenesis,
    /// Its id.
    pub network_id: Hash,
    /// What is known of each community, by id.
    pub communities: BTreeMap<Hash, CommunityIndex>,
    /// Regional and network proposals, by id.
    pub proposals: BTreeMap<Hash, ProposalEntry>,
    /// Ballots by proposal.
    pub ballots: BTreeMap<Hash, Vec<Cast<Ballot>>>,
    /// Delegations at regional and network levels.
    pub delegations: Vec<Cast<(Scope, Option<PublicKey>)>>,
    /// Attestations by proposal: (place, result).
    pub attestations: BTreeMap<Hash, Vec<(Place, Hash)>>,
}

/// The level of an action at regional or network level, if it has one.
pub fn federated_level(body: &ActionBody) -> Option<Level> {
    let level = match body {
        ActionBody::Governance(GovernanceAction::Propose(p)) => p.level,
        ActionBody::Governance(GovernanceAction::Amend { proposal, .. })
        | ActionBody::Governance(GovernanceAction::Withdraw { proposal })
        | ActionBody::Governance(GovernanceAction::Review { proposal, .. })
        | ActionBody::Governance(GovernanceAction::SubmitProject { proposal, .. })
        | ActionBody::Governance(GovernanceAction::Nominate { proposal, .. })
        | ActionBody::Governance(GovernanceAction::Vote { proposal, .. })
        | ActionBody::Governance(GovernanceAction::Comment { proposal, .. }) => proposal.level,
        ActionBody::Governance(GovernanceAction::Delegate { scope, .. }) => scope.level,
        _ => return None,
    };
    (level != Level::Local).then_some(level)
}

impl FederationView {
    /// Indexes `logs` (each verified as a chain by the caller) for the
    /// network `network`.
    pub fn new(network: NetworkGenesis, logs: &[CommunityLog]) -> FederationView {
        let network_id = network.id();
        let mut view = FederationView {
            network,
            network_id,
            communities: BTreeMap::new(),
            proposals: BTreeMap::new(),
            ballots: BTreeMap::new(),
            delegations: Vec::new(),
            attestations: BTreeMap::new(),
        };
        for log in logs {
            view.ingest(log);
        }
        view
    }

    fn ingest(&mut self, log: &CommunityLog) {
        self.communities.remove(&log.community);
        self.append(&log.community, log.node, log.fork, log.usable());
    }

    /// Whether `community`'s log holds an entry dated after `after` and
    /// no later than `until`.
    pub fn has_entry_between(&self, community: &Hash, after: Timestamp, until: Timestamp) -> bool {
        self.communities.get(community).is_some_and(|index| {
            let first = index.times.partition_point(|t| *t <= after);
            index.times.get(first).is_some_and(|t| *t <= until)
        })
    }

    /// The seq of the last entry of `community` the view holds.
    pub fn last_seq(&self, community: &Hash) -> Option<u64> {
        self.communities
            .get(community)
            .and_then(|i| i.last)
            .map(|(seq, _, _)| seq)
    }

    /// Extends the view with `entries`, the next entries of `community`'s
    /// public log (verified as a chain by the caller; the first is seq 0
    /// for a community the view does not know yet). Entries the view holds
    /// already, or at or past the community's fork, are skipped. The view
    /// then equals one built from scratch over the longer logs: what
    /// depends on arrival order is kept in an order that does not (roster
    /// changes by key, proposals by the first place that records them).
    pub fn append(
        &mut self,
        community: &Hash,
        node: PublicKey,
        fork: Option<u64>,
        entries: &[SignedEntry],
    ) {
        let mut index = self
            .communities
            .remove(community)
            .unwrap_or_else(|| CommunityIndex {
                node: Some(node),
                fork,
                ..CommunityIndex::default()
            });
        let mut next = index.last.map_or(0, |(seq, _, _)| seq + 1);
        let end = index.fork.unwrap_or(u64::MAX);
        let mut roster = Vec::new();
        for signed in entries {
            let entry = &signed.entry;
            if entry.seq < next {
                continue;
            }
            if entry.seq != next || entry.seq >= end {
                break;
            }
            next += 1;
            let id = entry.id();
            let place = Place {
                community: *community,
                seq: entry.seq,
                time: entry.time,
            };
            index.ids.push(id);
            index.times.push(entry.time);
            index.last = Some((entry.seq, entry.time, id));
            match &entry.body {
                EntryBody::Genesis(genesis) => {
                    for founder in &genesis.founders {
                        roster.push(RosterEvent {
                            time: entry.time,
                            key: *founder,
                            admitted: true,
                        });
                    }
                }
                EntryBody::Actions(actions) => {
                    for action in actions {
                        self.ingest_action(&mut roster, place, action);
                    }
                }
                EntryBody::Records(records) => {
                    for record in records {
                        match record {
                            NodeRecord::Checkpoint(checkpoint)
                                if checkpoint.network == self.network_id =>
                            {
                                index.checkpoints.push(CheckpointAt {
                                    place,
                                    checkpoint: checkpoint.clone(),
                                });
                            }
                            NodeRecord::Attest(Attestation {
                                network,
                                proposal,
                                result,
                            }) if *network == self.network_id => {
                                self.attestations
                                    .entry(*proposal)
                                    .or_default()
                                    .push((place, *result));
                            }
                            NodeRecord::Revoked(revocation) => {
                                index.revocations.push(revocation.clone());
                            }
                            NodeRecord::Stats(stats) => {
                                index.stats.push(stats.clone());
                            }
                            NodeRecord::Roster(change) => {
                                for key in &change.admitted {
                                    roster.push(RosterEvent {
                                        time: entry.time,
                                        key: *key,
                                        admitted: true,
                                    });
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        // Roster changes by key, each key's in log order: the new ones
        // (stably sorted) merge after the held ones of the same key.
        if !roster.is_empty() {
            roster.sort_by_key(|event| event.key);
            let held = std::mem::take(&mut index.roster);
            let mut merged = Vec::with_capacity(held.len() + roster.len());
            let (mut a, mut b) = (held.into_iter().peekable(), roster.into_iter().peekable());
            loop {
                let take_held = match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) => x.key <= y.key,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                merged.extend(if take_held { a.next() } else { b.next() });
            }
            index.roster = merged;
        }
        self.communities.insert(*community, index);
    }

    fn ingest_action(
        &mut self,
        roster: &mut Vec<RosterEvent>,
        place: Place,
        signed: &SignedAction,
    ) {
        let action = &signed.action;
        let event = |admitted| RosterEvent {
            time: place.time,
            key: action.author,
            admitted,
        };
        match &action.body {
            ActionBody::Membership(MembershipAction::Join { .. }) => roster.push(event(true)),
            ActionBody::Membership(MembershipAction::Leave) => roster.push(event(false)),
            ActionBody::Membership(MembershipAction::RemoveMember { member, .. }) => {
                roster.push(RosterEvent {
                    time: place.time,
                    key: *member,
                    admitted: false,
                })
            }
            body => {
                if federated_level(body).is_none() {
                    return;
                }
                fn cast<T>(place: Place, signed: &SignedAction, value: T) -> Cast<T> {
                    Cast {
                        place,
                        id: signed.id(),
                        author: signed.action.author,
                        nonce: signed.action.nonce,
                        created: signed.action.created,
                        value,
                    }
                }
                match body {
                    ActionBody::Governance(GovernanceAction::Propose(proposal)) => {
                        // One proposal in two logs (a node may copy an
                        // action): the first place recording it stands,
                        // whatever order the logs arrived in.
                        let id = signed.id();
                        let entry = ProposalEntry {
                            id,
                            place,
                            author: action.author,
                            proposal: (**proposal).clone(),
                        };
                        match self.proposals.entry(id) {
                            std::collections::btree_map::Entry::Vacant(v) => {
                                v.insert(entry);
                            }
                            std::collections::btree_map::Entry::Occupied(mut o) => {
                                if place < o.get().place {
                                    o.insert(entry);
                                }
                            }
                        }
                    }
                    ActionBody::Governance(GovernanceAction::Vote { proposal, ballot }) => self
                        .ballots
                        .entry(proposal.id)
                        .or_default()
                        .push(cast(place, signed, ballot.clone())),
                    ActionBody::Governance(GovernanceAction::Delegate { scope, to }) => self
                        .delegations
                        .push(cast(place, signed, (scope.clone(), *to))),
                    _ => {}
                }
            }
        }
    }

    /// The members of `community`'s roster after every change up to and
    /// including `at`, in key order: each key's last change in log order
    /// among those at or before `at` says whether it is a member.
    pub fn roster_at(&self, community: &Hash, at: Timestamp) -> Vec<PublicKey> {
        let Some(index) = self.communities.get(community) else {
            return Vec::new();
        };
        let mut members = Vec::new();
        let mut last: Option<&RosterEvent> = None;
        for event in &index.roster {
            if last.is_some_and(|l| l.key != event.key) {
                members.extend(last.filter(|l| l.admitted).map(|l| l.key));
                last = None;
            }
            if event.time <= at {
                last = Some(event);
            }
        }
        members.extend(last.filter(|l| l.admitted).map(|l| l.key));
        members
    }

    /// The node key of a community the view knows (founding, or admitted
    /// by a proposal naming its key).
    pub fn node_of(&self, community: &Hash) -> Option<PublicKey> {
        if let Some(f) = self.network.founding(community) {
            return Some(f.node);
        }
        self.proposals
            .values()
            .find_map(|p| match &p.proposal.subject {
                Subject::Community {
                    community: c, node, ..
                } if c == community => Some(*node),
                _ => None,
            })
    }

    /// Proposals that would admit a community (membership proposals at
    /// regional or network level), in order of creation.
    pub fn admission_proposals(&self) -> Vec<&ProposalEntry> {
        let mut out: Vec<&ProposalEntry> = self
            .proposals
            .values()
            .filter(|p| {
                p.proposal.kind == ProposalKind::Membership
                    && matches!(p.proposal.subject, Subject::Community { .. })
            })
            .collect();
        out.sort_by_key(|p| (p.place.time, p.id));
        out
    }
}
