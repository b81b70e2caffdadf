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
//! Resolution is linear in the number of members (plus a logarithmic
//! lookup per delegation): every chain is followed iteratively, each member
//! is visited once, and the fate of a finished chain is memoised for every
//! member on it, so a 200 000-long chain needs no recursion and no more
//! than one pass.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;

#[cfg(test)]
mod tests;

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
/// delegate for this proposal (`delegate_of`).
pub fn resolve(
    eligible: &BTreeSet<PublicKey>,
    direct_voters: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
) -> Resolution {
    resolve_sorted(eligible, direct_voters.iter(), delegate_of)
}

/// What is known about a member while chains are followed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Not reached yet.
    Unvisited,
    /// On the chain being followed right now: reaching it again is a loop.
    OnPath,
    /// Counted with the ballot of the voter at this index.
    Voter(usize),
    /// Not counted.
    Lost(Uncounted),
}

/// Where a non-voter's delegation points.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    /// No delegation: the member is absent (or a dead end, if reached).
    Nobody,
    /// A key that is not eligible: a dead end.
    Outside,
    /// The eligible member at this index.
    Member(usize),
}

/// [`resolve`] over the voters' keys given in strictly increasing order
/// (the keys of a `BTreeMap` of ballots), so a tally need not copy them.
pub(crate) fn resolve_sorted<'a>(
    eligible: &BTreeSet<PublicKey>,
    direct_voters: impl IntoIterator<Item = &'a PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
) -> Resolution {
    let keys: Vec<&PublicKey> = eligible.iter().collect();
    let n = keys.len();

    // Merge the sorted voters into the sorted members.
    let mut voted = vec![false; n];
    let mut uncounted: Vec<(PublicKey, Uncounted)> = Vec::new();
    let mut i = 0;
    for voter in direct_voters {
        while i < n && keys[i] < voter {
            i += 1;
        }
        if i < n && keys[i] == voter {
            voted[i] = true;
        } else {
            uncounted.push((*voter, Uncounted::Ineligible));
        }
    }

    // Merge the sorted delegators into the sorted members; only eligible
    // non-voters' delegations matter.
    let mut next = vec![Next::Nobody; n];
    let mut i = 0;
    for (delegator, delegate) in delegate_of {
        while i < n && keys[i] < delegator {
            i += 1;
        }
        if i < n && keys[i] == delegator && !voted[i] {
            next[i] = match keys.binary_search(&delegate) {
                Ok(j) => Next::Member(j),
                Err(_) => Next::Outside,
            };
        }
    }

    let fate = follow_chains(&voted, &next);

    let mut carried = vec![0u64; n];
    let mut represented_by = Vec::new();
    let mut absent = 0;
    for (i, fate) in fate.iter().enumerate() {
        match *fate {
            _ if voted[i] => {}
            Fate::Voter(v) => {
                carried[v] += 1;
                represented_by.push((*keys[i], *keys[v]));
            }
            Fate::Lost(reason) => uncounted.push((*keys[i], reason)),
            // Only members who did not delegate are never put on a path.
            Fate::Unvisited | Fate::OnPath => absent += 1,
        }
    }
    let weight = (0..n)
        .filter(|&i| voted[i])
        .map(|i| (*keys[i], 1 + carried[i]))
        .collect();

    Resolution {
        eligible: n as u64,
        weight,
        represented_by: represented_by.into_iter().collect(),
        uncounted: uncounted.into_iter().collect(),
        absent,
    }
}

/// The fate of every member who did not vote but delegated (members who
/// did not delegate stay `Unvisited`): each chain is walked iteratively
/// until it reaches a voter, a member whose fate is known, a dead end or a
/// member on the walk itself (a loop); then every member on the walk gets
/// that fate. Each member is walked over at most once.
fn follow_chains(voted: &[bool], next: &[Next]) -> Vec<Fate> {
    let mut fate = vec![Fate::Unvisited; voted.len()];
    let mut path = Vec::new();
    for start in 0..voted.len() {
        if voted[start] || fate[start] != Fate::Unvisited || next[start] == Next::Nobody {
            continue;
        }
        path.clear();
        let mut at = start;
        let end = loop {
            if voted[at] {
                break Fate::Voter(at);
            }
            match fate[at] {
                Fate::OnPath => break Fate::Lost(Uncounted::Loop),
                Fate::Voter(_) | Fate::Lost(_) => break fate[at],
                Fate::Unvisited => {}
            }
            match next[at] {
                // `at` did not delegate (it is not `start`, which did): the
                // chain ends at an absent member, who stays absent.
                Next::Nobody => break Fate::Lost(Uncounted::DeadEnd),
                Next::Outside => {
                    fate[at] = Fate::OnPath;
                    path.push(at);
                    break Fate::Lost(Uncounted::DeadEnd);
                }
                Next::Member(j) => {
                    fate[at] = Fate::OnPath;
                    path.push(at);
                    at = j;
                }
            }
        };
        for &member in &path {
            fate[member] = end;
        }
    }
    fate
}
