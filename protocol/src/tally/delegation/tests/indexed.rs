//! The indexed resolution against the oracle, member by member, whatever
//! order the electorate, the ballots and the delegations arrive in, and
//! whether they are interned from keys or set by index.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::{check_conservation, config, graph, key, keys, oracle};
use crate::crypto::PublicKey;
use crate::tally::choice::bench::SplitMix;
use crate::tally::delegation::{
    IndexedResolution, MemberFate, Uncounted, resolve, resolve_indexed,
};
use crate::tally::electorate::{Ballots, Delegate, Delegations, Electorate};

/// `items` in a seeded random order.
fn shuffled<T: Clone>(items: impl IntoIterator<Item = T>, seed: u64) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    let mut rng = SplitMix(seed);
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as u64 + 1) as usize);
    }
    items
}

/// The electorate, ballots and delegations interned from keys given in a
/// seeded random order.
fn intern(
    eligible: &BTreeSet<PublicKey>,
    voters: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
    seed: u64,
) -> (Electorate, Ballots<()>, Delegations) {
    let electorate = Electorate::new(shuffled(eligible.iter().copied(), seed));
    let ballots = electorate.ballots(shuffled(voters.iter().map(|v| (*v, ())), seed + 1));
    let edges = shuffled(delegate_of.iter(), seed + 2);
    let delegations = electorate.delegations(edges);
    (electorate, ballots, delegations)
}

/// The same, set index by index (as an ingest that interns as it goes).
fn set_by_index(
    electorate: &Electorate,
    voters: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
) -> (Ballots<()>, Delegations) {
    let mut ballots = Ballots::new(electorate.len());
    for voter in voters {
        match electorate.index_of(voter) {
            Some(member) => ballots.cast(member, ()),
            None => ballots.cast_ineligible(*voter, ()),
        }
    }
    let mut delegations = Delegations::new(electorate.len());
    for (from, to) in delegate_of {
        if let Some(member) = electorate.index_of(from) {
            let to = electorate
                .index_of(to)
                .map_or(Delegate::Outside, Delegate::Member);
            delegations.set(member, to);
        }
    }
    (ballots, delegations)
}

/// Every member's compact fate, read back through the keys, is what the
/// oracle says about that key.
fn check_members(
    r: &IndexedResolution,
    electorate: &Electorate,
    want: &super::Resolution,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.eligible(), want.eligible);
    prop_assert_eq!(r.counted(), want.counted());
    prop_assert_eq!(r.absent(), want.absent);
    let ineligible: Vec<PublicKey> = want
        .uncounted
        .iter()
        .filter(|(_, u)| **u == Uncounted::Ineligible)
        .map(|(k, _)| *k)
        .collect();
    prop_assert_eq!(r.ineligible(), ineligible.as_slice());
    for (member, key) in (0u32..).zip(electorate.keys()) {
        let expected = if let Some(weight) = want.weight.get(key) {
            MemberFate::Voted { weight: *weight }
        } else if let Some(voter) = want.represented_by.get(key) {
            let by = electorate.index_of(voter);
            prop_assert!(by.is_some());
            MemberFate::Represented {
                by: by.unwrap_or(u32::MAX),
            }
        } else if let Some(reason) = want.uncounted.get(key) {
            MemberFate::Uncounted(*reason)
        } else {
            MemberFate::Absent
        };
        prop_assert_eq!(r.fate(member), Some(expected));
        prop_assert_eq!(r.weight(member), want.weight_of(key));
    }
    prop_assert_eq!(r.fate(electorate.len() as u32), None);
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    /// Self-delegations, loops, chains into loops, dead ends, delegates and
    /// delegators outside the electorate and ineligible voters all occur in
    /// `graph`.
    #[test]
    fn indexed_resolution_matches_the_oracle_member_by_member(
        (eligible, voters, delegate_of) in graph(40),
        seed in any::<u64>(),
    ) {
        let want = oracle(&eligible, &voters, &delegate_of);
        let (electorate, ballots, delegations) = intern(&eligible, &voters, &delegate_of, seed);
        let r = resolve_indexed(&ballots, &delegations);
        check_members(&r, &electorate, &want)?;
        let keyed = r.to_resolution(&electorate);
        prop_assert_eq!(&keyed, &want);
        prop_assert_eq!(&keyed, &resolve(&eligible, &voters, &delegate_of));
        check_conservation(&keyed, &eligible, &voters)?;
    }

    /// Interning order never matters, and setting ballots and delegations
    /// by index gives what interning them from keys gives.
    #[test]
    fn interning_order_and_ingest_path_never_matter(
        (eligible, voters, delegate_of) in graph(60),
        seeds in (any::<u64>(), any::<u64>()),
    ) {
        let (e1, b1, d1) = intern(&eligible, &voters, &delegate_of, seeds.0);
        let (e2, b2, d2) = intern(&eligible, &voters, &delegate_of, seeds.1);
        prop_assert_eq!(&e1, &e2);
        prop_assert_eq!(&e1, &Electorate::from_set(&eligible));
        prop_assert_eq!(&b1, &b2);
        prop_assert_eq!(&d1, &d2);
        let (b3, d3) = set_by_index(&e1, &voters, &delegate_of);
        prop_assert_eq!(&b1, &b3);
        prop_assert_eq!(&d1, &d3);
        prop_assert_eq!(resolve_indexed(&b1, &d1), resolve_indexed(&b2, &d2));
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn large_sparse_graphs_resolve_as_the_oracle_says(
        (eligible, voters, delegate_of) in graph(400),
        seed in any::<u64>(),
    ) {
        let want = oracle(&eligible, &voters, &delegate_of);
        let (electorate, ballots, delegations) = intern(&eligible, &voters, &delegate_of, seed);
        let r = resolve_indexed(&ballots, &delegations);
        check_members(&r, &electorate, &want)?;
        prop_assert_eq!(&r.to_resolution(&electorate), &want);
    }
}

#[test]
fn fates_by_index() {
    // Members 0..=7 (indices follow key order). 0 votes; 1 → 0; 2 → 1 → 0;
    // 3 → 4 → 3 loops; 5 → 6, who did not delegate; 7 → a key outside;
    // 6 is absent; 99 is not eligible but votes.
    let electorate = Electorate::new(keys(0..8));
    let voters = keys([0, 99]);
    let delegate_of = [(1, 0), (2, 1), (3, 4), (4, 3), (5, 6), (7, 50)]
        .into_iter()
        .map(|(a, b)| (key(a), key(b)))
        .collect();
    let (ballots, delegations) = set_by_index(&electorate, &voters, &delegate_of);
    assert_eq!(delegations.get(7), Delegate::Outside);
    assert_eq!(delegations.get(6), Delegate::Nobody);
    assert_eq!(delegations.get(2), Delegate::Member(1));
    let r = resolve_indexed(&ballots, &delegations);
    use MemberFate::{Absent, Represented, Voted};
    let (lost, dead_end) = (
        MemberFate::Uncounted(Uncounted::Loop),
        MemberFate::Uncounted(Uncounted::DeadEnd),
    );
    let fates: Vec<MemberFate> = (0..8).filter_map(|i| r.fate(i)).collect();
    assert_eq!(
        fates,
        [
            Voted { weight: 3 },
            Represented { by: 0 },
            Represented { by: 0 },
            lost,
            lost,
            dead_end,
            Absent,
            dead_end,
        ]
    );
    assert_eq!((r.counted(), r.absent(), r.eligible()), (3, 1, 8));
    assert_eq!(r.ineligible(), [key(99)]);
    assert_eq!(r.weights().collect::<Vec<_>>(), [3, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn a_direct_vote_overrides_a_delegation_by_index() {
    // 0 → 1 → 2, and all three voted: each carries only itself.
    let mut ballots = Ballots::new(3);
    let mut delegations = Delegations::new(3);
    for member in 0..3 {
        ballots.cast(member, ());
    }
    delegations.set(0, Delegate::Member(1));
    delegations.set(1, Delegate::Member(2));
    let r = resolve_indexed(&ballots, &delegations);
    assert_eq!(r.weights().collect::<Vec<_>>(), [1, 1, 1]);
    // Revoking with `Nobody` and voting no more: 1 is absent.
    let mut ballots = Ballots::new(3);
    ballots.cast(2, ());
    delegations.set(1, Delegate::Nobody);
    let r = resolve_indexed(&ballots, &delegations);
    assert_eq!(r.fate(1), Some(MemberFate::Absent));
    assert_eq!(r.fate(0), Some(MemberFate::Uncounted(Uncounted::DeadEnd)));
}

#[test]
fn an_empty_electorate_resolves_to_nothing() {
    let electorate = Electorate::new([]);
    let ballots = electorate.ballots([(key(1), ())]);
    let delegations = electorate.delegations(&BTreeMap::from([(key(2), key(3))]));
    let r = resolve_indexed(&ballots, &delegations);
    assert_eq!((r.eligible(), r.counted(), r.absent()), (0, 0, 0));
    let keyed = r.to_resolution(&electorate);
    assert_eq!(
        keyed.uncounted,
        BTreeMap::from([(key(1), Uncounted::Ineligible)])
    );
}

#[test]
fn a_200_000_long_chain_resolves_by_index_in_any_order() {
    const LEN: u32 = 200_000;
    // Member i delegates to member order[i + 1]; the last one votes.
    let order = shuffled(0..LEN, 7);
    let mut ballots = Ballots::new(LEN as usize);
    let mut delegations = Delegations::new(LEN as usize);
    for pair in order.windows(2) {
        delegations.set(pair[0], Delegate::Member(pair[1]));
    }
    let last = order[order.len() - 1];
    ballots.cast(last, ());
    let r = resolve_indexed(&ballots, &delegations);
    assert_eq!(r.weight(last), u64::from(LEN));
    assert_eq!(r.counted(), u64::from(LEN));
    // Closed into a loop, with nobody voting.
    delegations.set(last, Delegate::Member(order[0]));
    let r = resolve_indexed(&Ballots::<()>::new(LEN as usize), &delegations);
    assert!((0..LEN).all(|m| r.fate(m) == Some(MemberFate::Uncounted(Uncounted::Loop))));
}
