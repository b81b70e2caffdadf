//! Liquid delegation at tally time (DESIGN §7.2): who is counted with
//! whose ballot.
//!
//! A member who voted is counted with their own ballot — a direct vote
//! always overrides the member's own delegation. A member who did not vote
//! follows the chain of delegations to the first member who did, and is
//! counted with that ballot. A chain that loops, or ends at a member who
//! neither voted nor delegated, or reaches a key that is not eligible,
//! counts for nobody.
//!
//! This module is generic over scopes: the caller picks, for each member,
//! the one delegation in effect for the proposal ("most specific scope
//! wins") and passes the resulting map.
//!
//! Resolution works on an electorate interned at ingest
//! ([`super::electorate`]): members are dense indices, and
//! [`resolve_indexed`] is a few passes over arrays indexed by member,
//! linear in their number. Every chain is followed iteratively, each member
//! is visited once, and the fate of a finished chain is memoised for every
//! member on it, so a 200 000-long chain needs no recursion and no more
//! than one pass. Its compact result ([`IndexedResolution`]) becomes the
//! keyed [`Resolution`] that reports carry only when asked; [`resolve`]
//! does both steps from keyed maps.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::electorate::{Ballots, Delegations, Electorate, MAX_MEMBERS, NOBODY};
use crate::crypto::PublicKey;

#[cfg(test)]
pub(crate) mod tests;

/// Why a member's voice was not counted.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Uncounted {
    /// The member's chain of delegations loops before reaching a voter.
    Loop,
    /// The member's chain of delegations ends at a member who neither voted
    /// nor delegated, or at a key that is not eligible.
    DeadEnd,
    /// The key voted directly but is not eligible: its ballot is ignored.
    Ineligible,
}

/// Whom each eligible member is counted with.
///
/// Every eligible member is in exactly one place: a key of `weight` (voted
/// directly), a key of `represented_by` (counted with a voter's ballot), a
/// key of `uncounted` (`Loop` or `DeadEnd`), or among the `absent` (neither
/// voted nor delegated). Hence `counted()` (the sum of `weight`) plus the
/// `Loop` and `DeadEnd` entries plus `absent` is exactly `eligible`.
/// `uncounted` also lists the non-eligible keys that voted, as `Ineligible`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
pub struct Resolution {
    /// The number of eligible members.
    pub eligible: u64,
    /// Per eligible direct voter, the weight its ballot carries: 1 (its own)
    /// plus the members it represents.
    pub weight: BTreeMap<PublicKey, u64>,
    /// Per member who did not vote but is counted, the voter whose ballot
    /// counts for them.
    pub represented_by: BTreeMap<PublicKey, PublicKey>,
    /// Members whose delegation leads nowhere, and non-eligible voters.
    pub uncounted: BTreeMap<PublicKey, Uncounted>,
    /// Eligible members who neither voted nor delegated.
    pub absent: u64,
}

impl Resolution {
    /// The total weight counted: eligible direct voters and the members
    /// they represent. This is the turnout quorums are measured with.
    pub fn counted(&self) -> u64 {
        self.weight.values().sum()
    }

    /// The weight the ballot of `voter` carries (0 if it is not counted).
    pub fn weight_of(&self, voter: &PublicKey) -> u64 {
        self.weight.get(voter).copied().unwrap_or(0)
    }
}

/// Resolves delegations: `eligible` members, the keys that cast a ballot
/// (`direct_voters`, eligible or not) and each member's one effective
/// delegate for this proposal (`delegate_of`). This interns the members
/// (see [`Electorate`]) and runs [`resolve_indexed`].
pub fn resolve(
    eligible: &BTreeSet<PublicKey>,
    direct_voters: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
) -> Resolution {
    let electorate = Electorate::from_set(eligible);
    let ballots = electorate.ballots(direct_voters.iter().map(|voter| (*voter, ())));
    let delegations = electorate.delegations(delegate_of);
    resolve_indexed(&ballots, &delegations).to_resolution(&electorate)
}

// The markers of `IndexedResolution::fate`, above every member index (see
// `MAX_MEMBERS`): a value below the number of members is the voter the
// member is counted with (itself, if it voted).

/// Not reached yet.
const UNVISITED: u32 = u32::MAX;
/// On the chain being followed: reaching it again is a loop.
const ON_PATH: u32 = u32::MAX - 1;
/// Neither voted nor delegated.
const ABSENT: u32 = u32::MAX - 2;
/// Its chain loops.
const LOOP: u32 = u32::MAX - 3;
/// Its chain ends at a member who neither voted nor delegated, or outside.
const DEAD_END: u32 = u32::MAX - 4;

/// Whom each member is counted with, by member index: the compact form of
/// a [`Resolution`], made by [`resolve_indexed`] without a key in sight.
/// [`IndexedResolution::to_resolution`] gives the keyed form that reports
/// carry.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IndexedResolution {
    /// Per member, the voter whose ballot counts for it (itself if it
    /// voted), or one of the markers `ABSENT`, `LOOP`, `DEAD_END`.
    fate: Vec<u32>,
    /// Per member, the weight its ballot carries: 1 plus the members it
    /// represents if it voted, 0 otherwise.
    weight: Vec<u32>,
    /// Keys that voted but are not eligible, in increasing order.
    ineligible: Vec<PublicKey>,
    /// The sum of the weights.
    counted: u64,
    /// Members who neither voted nor delegated.
    absent: u64,
}

/// What happened to one member's voice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MemberFate {
    /// The member voted: its ballot carries this weight.
    Voted {
        /// 1 plus the members it represents.
        weight: u64,
    },
    /// The member is counted with the ballot of the member at this index.
    Represented {
        /// The voter at the end of the member's chain.
        by: u32,
    },
    /// The member's delegation leads nowhere (`Loop` or `DeadEnd`).
    Uncounted(Uncounted),
    /// The member neither voted nor delegated.
    Absent,
}

impl IndexedResolution {
    /// The number of eligible members.
    pub fn eligible(&self) -> u64 {
        self.fate.len() as u64
    }

    /// The total weight counted: what quorums measure.
    pub fn counted(&self) -> u64 {
        self.counted
    }

    /// Eligible members who neither voted nor delegated.
    pub fn absent(&self) -> u64 {
        self.absent
    }

    /// Keys that voted but are not eligible, in increasing order.
    pub fn ineligible(&self) -> &[PublicKey] {
        &self.ineligible
    }

    /// The weight the ballot of `member` carries (0 if it did not vote).
    pub fn weight(&self, member: u32) -> u64 {
        self.weight
            .get(member as usize)
            .map_or(0, |w| u64::from(*w))
    }

    /// The weight of every member's ballot, in index order (0 for members
    /// who did not vote).
    pub fn weights(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.weight.iter().map(|w| u64::from(*w))
    }

    /// What happened to `member`'s voice (`None` for an index beyond the
    /// electorate).
    pub fn fate(&self, member: u32) -> Option<MemberFate> {
        Some(match *self.fate.get(member as usize)? {
            ABSENT => MemberFate::Absent,
            LOOP => MemberFate::Uncounted(Uncounted::Loop),
            DEAD_END => MemberFate::Uncounted(Uncounted::DeadEnd),
            voter if voter == member => MemberFate::Voted {
                weight: self.weight(member),
            },
            voter => MemberFate::Represented { by: voter },
        })
    }

    /// The keyed form, as reports carry it; `electorate` is the one the
    /// resolution was made over.
    ///
    /// # Panics
    ///
    /// If `electorate` has another number of members.
    pub fn to_resolution(&self, electorate: &Electorate) -> Resolution {
        let keys = electorate.keys();
        let n = keys.len();
        assert_eq!(n, self.fate.len(), "the resolution's electorate");
        let members = || (0..n).zip(keys).zip(&self.fate);
        let weight = members()
            .filter(|((i, _), fate)| **fate as usize == *i)
            .map(|((i, key), _)| (*key, u64::from(self.weight[i])))
            .collect();
        let represented_by = members()
            .filter(|((i, _), fate)| **fate as usize != *i && (**fate as usize) < n)
            .map(|((_, key), fate)| (*key, keys[*fate as usize]))
            .collect();
        // Two sorted runs, which `collect` merges.
        let lost = members().filter_map(|((_, key), fate)| match *fate {
            LOOP => Some((*key, Uncounted::Loop)),
            DEAD_END => Some((*key, Uncounted::DeadEnd)),
            _ => None,
        });
        let uncounted = self
            .ineligible
            .iter()
            .map(|key| (*key, Uncounted::Ineligible))
            .chain(lost)
            .collect();
        Resolution {
            eligible: self.eligible(),
            weight,
            represented_by,
            uncounted,
            absent: self.absent,
        }
    }
}

/// Resolves delegations over an interned electorate: the members who cast
/// one of `ballots` voted (ballots from non-eligible keys are reported as
/// `Ineligible`), and `delegations` says where each member's delegation
/// points.
///
/// A delegation is first followed one step, for every delegator at once:
/// most reach a voter, or a member this pass has already settled. The
/// chains still open are then walked iteratively until they reach a voter,
/// a member whose fate is known, a member who did not delegate or a key
/// outside (dead ends), or a member on the walk itself (a loop); then every
/// member on the walk gets that fate. Each member is walked over at most
/// once.
///
/// # Panics
///
/// If `ballots` and `delegations` are not for the same number of members,
/// or for more than [`MAX_MEMBERS`].
pub fn resolve_indexed<B>(ballots: &Ballots<B>, delegations: &Delegations) -> IndexedResolution {
    let next = delegations.next();
    let n = next.len();
    assert_eq!(
        ballots.members(),
        n,
        "ballots and delegations of one electorate"
    );
    assert!(
        n <= MAX_MEMBERS,
        "an electorate holds at most {MAX_MEMBERS} members"
    );

    // A voter is counted with itself, whatever its own delegation says.
    let mut fate = Vec::with_capacity(n);
    let mut weight = Vec::with_capacity(n);
    let mut delegators = Vec::new();
    let (mut voters, mut absent) = (0, 0);
    for ((i, ballot), &to) in (0..n as u32).zip(ballots.by_member()).zip(next) {
        let (f, w) = match (ballot, to) {
            (Some(_), _) => (i, 1),
            (None, NOBODY) => (ABSENT, 0),
            (None, _) => {
                delegators.push(i);
                (UNVISITED, 0)
            }
        };
        fate.push(f);
        weight.push(w);
        voters += u64::from(w);
        absent += u64::from(f == ABSENT);
    }

    // One step for every delegator. The look-ups of one delegator do not
    // wait for another's, so their cache misses overlap.
    for &member in &delegators {
        let reached = match fate.get(next[member as usize] as usize) {
            // `OUTSIDE` (a delegator's delegate is never `NOBODY`).
            None | Some(&ABSENT) => DEAD_END,
            Some(&(UNVISITED | ON_PATH)) => UNVISITED,
            Some(&known) => known,
        };
        fate[member as usize] = reached;
    }

    // Then the chains still open, walked whole.
    let mut path = Vec::new();
    for &start in &delegators {
        if fate[start as usize] != UNVISITED {
            continue;
        }
        let mut at = start as usize;
        let end = loop {
            match fate[at] {
                UNVISITED => {
                    fate[at] = ON_PATH;
                    path.push(at);
                    match next[at] {
                        // `OUTSIDE` (`NOBODY` is never `UNVISITED`).
                        to if to as usize >= n => break DEAD_END,
                        to => at = to as usize,
                    }
                }
                ON_PATH => break LOOP,
                // The chain ends at a member who stays absent.
                ABSENT => break DEAD_END,
                known => break known,
            }
        };
        for &member in &path {
            fate[member] = end;
        }
        path.clear();
    }

    // Each delegator who reached a voter adds to that voter's weight (in a
    // pass of its own: these increments, too, overlap their misses).
    let mut represented = 0;
    for &member in &delegators {
        if let Some(w) = weight.get_mut(fate[member as usize] as usize) {
            *w += 1;
            represented += 1;
        }
    }

    IndexedResolution {
        fate,
        weight,
        ineligible: ballots.ineligible().keys().copied().collect(),
        counted: voters + represented,
        absent,
    }
}
