//! An electorate interned at ingest: each eligible member key becomes a
//! dense `u32` index, and ballots and delegations are held in arrays
//! indexed by member, so that a tally over a million members compares
//! integers instead of 32-byte keys (DESIGN §7.2–7.3).
//!
//! Indices follow key order — the keys are sorted when the electorate is
//! built — so the same members get the same indices whatever order they
//! arrive in, and anything listed by index is listed in key order, which
//! is the order of the reports' maps.

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crate::crypto::PublicKey;

/// The most members an electorate holds: indices are `u32`, and resolution
/// reserves the highest few values as markers.
pub const MAX_MEMBERS: usize = (u32::MAX - 8) as usize;

/// The eligible members of one vote, interned: member `i` is the `i`-th
/// key in increasing order.
///
/// Looking a key up reads a table of where each run of keys with the same
/// leading bits starts (about four keys a run), then searches that run: a
/// couple of cache misses rather than the twenty-odd of a binary search
/// over a million keys. Keys are public-key bytes, spread evenly; keys that
/// share their leading bits only make the runs longer, never a look-up
/// wrong.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Electorate {
    keys: Vec<PublicKey>,
    /// How many leading bits of a key select its run.
    bits: u32,
    /// `first[p]`: the index of the first key whose leading `bits` bits
    /// are at least `p`; the last entry is the number of keys.
    first: Vec<u32>,
}

impl Default for Electorate {
    fn default() -> Electorate {
        Electorate::from_sorted(Vec::new())
    }
}

impl Electorate {
    /// Interns `keys` (in any order; duplicates count once).
    ///
    /// # Panics
    ///
    /// With more than [`MAX_MEMBERS`] distinct keys (128 GiB of them).
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Electorate {
        let mut keys: Vec<PublicKey> = keys.into_iter().collect();
        keys.sort_unstable();
        keys.dedup();
        Electorate::from_sorted(keys)
    }

    /// Interns a set, whose keys are already in order.
    ///
    /// # Panics
    ///
    /// With more than [`MAX_MEMBERS`] keys.
    pub fn from_set(keys: &BTreeSet<PublicKey>) -> Electorate {
        Electorate::from_sorted(keys.iter().copied().collect())
    }

    fn from_sorted(keys: Vec<PublicKey>) -> Electorate {
        assert!(
            keys.len() <= MAX_MEMBERS,
            "an electorate holds at most {MAX_MEMBERS} members"
        );
        let bits = keys.len().max(1).ilog2().saturating_sub(2).min(24);
        let runs = 1usize << bits;
        let mut first = Vec::with_capacity(runs + 1);
        let mut i = 0;
        for run in 0..=runs {
            while i < keys.len() && run_of(&keys[i], bits) < run {
                i += 1;
            }
            first.push(i as u32);
        }
        Electorate { keys, bits, first }
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether nobody is eligible.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The members' keys, in index order (increasing).
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// The key of member `member`, if there is such a member.
    pub fn key(&self, member: u32) -> Option<&PublicKey> {
        self.keys.get(member as usize)
    }

    /// The index of `key`, if it is a member.
    pub fn index_of(&self, key: &PublicKey) -> Option<u32> {
        let run = run_of(key, self.bits);
        let start = self.first[run] as usize;
        let end = self.first[run + 1] as usize;
        let offset = self.keys[start..end].binary_search(key).ok()?;
        Some((start + offset) as u32)
    }

    /// Ballots by member index, one per key (a later ballot from the same
    /// key replaces an earlier one); ballots from keys that are not members
    /// are kept aside, by key.
    pub fn ballots<B>(&self, ballots: impl IntoIterator<Item = (PublicKey, B)>) -> Ballots<B> {
        let mut out = Ballots::new(self.len());
        for (key, ballot) in ballots {
            match self.index_of(&key) {
                Some(member) => out.by_member[member as usize] = Some(ballot),
                None => {
                    out.ineligible.insert(key, ballot);
                }
            }
        }
        out
    }

    /// The delegation of each member: `delegate_of` maps a delegator to its
    /// one effective delegate for the proposal. Delegations from keys that
    /// are not members carry no weight and are left out; a delegate that is
    /// not a member is [`Delegate::Outside`].
    pub fn delegations<'a>(
        &self,
        delegate_of: impl IntoIterator<Item = (&'a PublicKey, &'a PublicKey)>,
    ) -> Delegations {
        let mut out = Delegations::new(self.len());
        for (from, to) in delegate_of {
            if let Some(member) = self.index_of(from) {
                out.next[member as usize] = self.index_of(to).unwrap_or(OUTSIDE);
            }
        }
        out
    }

    /// As [`Electorate::delegations`], for delegators listed in increasing
    /// key order (as a tally gathers them): delegators, then delegates in
    /// their own order, are found by walks over the keys rather than a
    /// look-up each (a look-up is a cache miss or two in a large
    /// electorate). A delegator out of order is still found, by look-up.
    pub fn delegations_sorted(&self, delegate_of: &[(PublicKey, PublicKey)]) -> Delegations {
        let mut out = Delegations::new(self.len());
        let mut targets: Vec<(PublicKey, u32)> = Vec::with_capacity(delegate_of.len());
        let mut at = 0;
        for (from, to) in delegate_of {
            while self.keys.get(at).is_some_and(|k| k < from) {
                at += 1;
            }
            let member = if self.keys.get(at) == Some(from) {
                Some(at as u32)
            } else if at > 0 && self.keys[at - 1] >= *from {
                self.index_of(from)
            } else {
                None
            };
            if let Some(member) = member {
                targets.push((*to, member));
            }
        }
        targets.sort_unstable();
        let mut at = 0;
        for (to, member) in targets {
            while self.keys.get(at).is_some_and(|k| *k < to) {
                at += 1;
            }
            out.next[member as usize] = match self.keys.get(at) {
                Some(k) if *k == to => at as u32,
                _ => OUTSIDE,
            };
        }
        out
    }
}

/// The run of `key`: its leading `bits` bits (`bits` ≤ 24).
fn run_of(key: &PublicKey, bits: u32) -> usize {
    let lead = u32::from_be_bytes([key.0[0], key.0[1], key.0[2], key.0[3]]);
    (u64::from(lead) >> (32 - bits)) as usize
}

/// The ballots of a vote, by member index.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ballots<B> {
    by_member: Vec<Option<B>>,
    ineligible: BTreeMap<PublicKey, B>,
}

impl<B> Ballots<B> {
    /// No ballots yet, for an electorate of `members`.
    pub fn new(members: usize) -> Ballots<B> {
        let mut by_member = Vec::with_capacity(members);
        by_member.resize_with(members, || None);
        Ballots {
            by_member,
            ineligible: BTreeMap::new(),
        }
    }

    /// Records the ballot of `member`, replacing any earlier one.
    ///
    /// # Panics
    ///
    /// If `member` is not an index of the electorate.
    pub fn cast(&mut self, member: u32, ballot: B) {
        self.by_member[member as usize] = Some(ballot);
    }

    /// Records the ballot of a key that is not eligible: it will be
    /// reported as such, and counted for nobody.
    pub fn cast_ineligible(&mut self, key: PublicKey, ballot: B) {
        self.ineligible.insert(key, ballot);
    }

    /// The number of members (cast or not).
    pub fn members(&self) -> usize {
        self.by_member.len()
    }

    /// The ballot of `member`, if it cast one.
    pub fn get(&self, member: u32) -> Option<&B> {
        self.by_member.get(member as usize)?.as_ref()
    }

    /// Each member's ballot, in index order.
    pub fn by_member(&self) -> &[Option<B>] {
        &self.by_member
    }

    /// Ballots from keys that are not eligible.
    pub fn ineligible(&self) -> &BTreeMap<PublicKey, B> {
        &self.ineligible
    }

    /// The ballots that `keep` accepts, by reference (the others are
    /// treated as not cast).
    pub fn filter(&self, mut keep: impl FnMut(&B) -> bool) -> Ballots<&B> {
        Ballots {
            by_member: self
                .by_member
                .iter()
                .map(|b| b.as_ref().filter(|b| keep(b)))
                .collect(),
            ineligible: self
                .ineligible
                .iter()
                .filter(|(_, b)| keep(b))
                .map(|(k, b)| (*k, b))
                .collect(),
        }
    }
}

/// Where a member's delegation points.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Delegate {
    /// The member did not delegate.
    Nobody,
    /// A key that is not a member of this electorate: a dead end.
    Outside,
    /// The member at this index.
    Member(u32),
}

/// No delegation, in [`Delegations::next`].
pub(crate) const NOBODY: u32 = u32::MAX;
/// A delegate outside the electorate, in [`Delegations::next`].
pub(crate) const OUTSIDE: u32 = u32::MAX - 1;

/// Each member's one effective delegation for a proposal, by member index.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Delegations {
    /// The delegate's index, or `NOBODY` or `OUTSIDE` (which no index
    /// reaches: see [`MAX_MEMBERS`]).
    next: Vec<u32>,
}

impl Delegations {
    /// No delegations, for an electorate of `members`.
    pub fn new(members: usize) -> Delegations {
        Delegations {
            next: vec![NOBODY; members],
        }
    }

    /// Sets the delegation of `member` (`Nobody` revokes it).
    ///
    /// # Panics
    ///
    /// If `member`, or the delegate's index, is not an index of the
    /// electorate.
    pub fn set(&mut self, member: u32, to: Delegate) {
        let n = self.next.len();
        self.next[member as usize] = match to {
            Delegate::Nobody => NOBODY,
            Delegate::Outside => OUTSIDE,
            Delegate::Member(to) => {
                assert!((to as usize) < n, "delegate {to} of {n} members");
                to
            }
        };
    }

    /// The delegation of `member` (`Nobody` for an index beyond the
    /// electorate).
    pub fn get(&self, member: u32) -> Delegate {
        match self.next.get(member as usize).copied() {
            None | Some(NOBODY) => Delegate::Nobody,
            Some(OUTSIDE) => Delegate::Outside,
            Some(to) => Delegate::Member(to),
        }
    }

    /// The number of members.
    pub fn members(&self) -> usize {
        self.next.len()
    }

    /// The packed delegations: for resolution.
    pub(crate) fn next(&self) -> &[u32] {
        &self.next
    }
}
