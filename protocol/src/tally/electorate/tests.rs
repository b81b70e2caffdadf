//! Interning: indices follow key order whatever the input order, every
//! member is found at its index and no other key is found, however the
//! keys share their leading bits.

use std::collections::BTreeSet;

use proptest::collection::vec;
use proptest::prelude::*;

use super::{Ballots, Delegate, Delegations, Electorate};
use crate::crypto::PublicKey;
use crate::tally::delegation::tests::config;

/// Keys whose leading bytes are drawn from a handful of values half of the
/// time, so that some runs of the look-up table are long and others empty.
fn some_key() -> impl Strategy<Value = PublicKey> {
    (0u8..8, any::<[u8; 32]>()).prop_map(|(class, mut bytes)| {
        if class < 4 {
            bytes[..4].copy_from_slice(&[class, 0, 0, 0]);
        }
        PublicKey(bytes)
    })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn every_member_is_found_at_its_place_in_key_order(
        keys in vec(some_key(), 0..600),
        probes in vec(some_key(), 0..50),
    ) {
        let electorate = Electorate::new(keys.iter().rev().copied());
        let set: BTreeSet<PublicKey> = keys.iter().copied().collect();
        let sorted: Vec<PublicKey> = set.iter().copied().collect();
        prop_assert_eq!(electorate.keys(), sorted.as_slice());
        prop_assert_eq!(&electorate, &Electorate::from_set(&set));
        for (i, key) in (0u32..).zip(electorate.keys()) {
            prop_assert_eq!(electorate.index_of(key), Some(i));
            prop_assert_eq!(electorate.key(i), Some(key));
            // Its neighbours in key space are members only if listed.
            for delta in [1u8, 255] {
                let mut near = *key;
                near.0[31] = near.0[31].wrapping_add(delta);
                prop_assert_eq!(electorate.index_of(&near).is_some(), set.contains(&near));
            }
        }
        for probe in &probes {
            prop_assert_eq!(electorate.index_of(probe).is_some(), set.contains(probe));
        }
        prop_assert_eq!(electorate.key(electorate.len() as u32), None);
    }

    #[test]
    fn delegations_in_key_order_are_found_as_by_look_up(
        keys in vec(some_key(), 0..300),
        pairs in vec((0usize..400, 0usize..400, some_key()), 0..200),
        shuffle in any::<bool>(),
    ) {
        let electorate = Electorate::new(keys.iter().copied());
        // Delegators and delegates: members (by position) or other keys.
        let pick = |i: usize, other: PublicKey| keys.get(i).copied().unwrap_or(other);
        let mut delegate_of: Vec<(PublicKey, PublicKey)> = pairs
            .iter()
            .map(|&(from, to, other)| (pick(from, other), pick(to, other)))
            .collect();
        delegate_of.sort_by_key(|(from, _)| *from);
        delegate_of.dedup_by_key(|(from, _)| *from);
        if shuffle {
            delegate_of.reverse();
        }
        let by_look_up = electorate.delegations(delegate_of.iter().map(|(f, t)| (f, t)));
        prop_assert_eq!(electorate.delegations_sorted(&delegate_of), by_look_up);
    }
}

#[test]
fn keys_sharing_every_leading_bit_are_still_found() {
    let keys: Vec<PublicKey> = (0..5000u32)
        .map(|i| {
            let mut bytes = [7u8; 32];
            bytes[28..].copy_from_slice(&i.to_be_bytes());
            PublicKey(bytes)
        })
        .collect();
    let electorate = Electorate::new(keys.iter().copied());
    for (i, key) in (0u32..).zip(&keys) {
        assert_eq!(electorate.index_of(key), Some(i));
    }
    assert_eq!(electorate.index_of(&PublicKey([7; 32])), None);
    assert_eq!(electorate.index_of(&PublicKey([0; 32])), None);
    assert_eq!(electorate.index_of(&PublicKey([255; 32])), None);
}

#[test]
fn ballots_keep_the_last_per_key_and_set_aside_non_members() {
    let k = |b: u8| PublicKey([b; 32]);
    let electorate = Electorate::new([k(3), k(1), k(2)]);
    let ballots = electorate.ballots([(k(2), "a"), (k(9), "x"), (k(2), "b"), (k(1), "c")]);
    assert_eq!(ballots.by_member(), [Some("c"), Some("b"), None]);
    assert_eq!(ballots.get(1), Some(&"b"));
    assert_eq!(ballots.get(3), None);
    assert_eq!(ballots.ineligible().get(&k(9)), Some(&"x"));
    let kept = ballots.filter(|b| *b != "b");
    assert_eq!(kept.by_member(), [Some(&"c"), None, None]);
    assert_eq!(kept.ineligible().len(), 1);

    let mut by_index = Ballots::new(3);
    by_index.cast(1, "a");
    by_index.cast(1, "b");
    by_index.cast(0, "c");
    by_index.cast_ineligible(k(9), "x");
    assert_eq!(by_index, ballots);
}

#[test]
fn delegations_keep_members_outsiders_and_revocations_apart() {
    let k = |b: u8| PublicKey([b; 32]);
    let electorate = Electorate::new([k(1), k(2), k(3)]);
    // 9 is not a member: its own delegation carries nothing.
    let delegate_of = [(k(1), k(3)), (k(2), k(9)), (k(9), k(1))];
    let delegations = electorate.delegations(delegate_of.iter().map(|(a, b)| (a, b)));
    let got: Vec<Delegate> = (0..4).map(|m| delegations.get(m)).collect();
    assert_eq!(
        got,
        [
            Delegate::Member(2),
            Delegate::Outside,
            Delegate::Nobody,
            Delegate::Nobody
        ]
    );
    let mut by_index = Delegations::new(3);
    by_index.set(0, Delegate::Member(2));
    by_index.set(1, Delegate::Member(0));
    by_index.set(1, Delegate::Outside);
    assert_eq!(by_index, delegations);
    assert_eq!(by_index.members(), 3);
}

#[test]
#[should_panic(expected = "delegate 3 of 3 members")]
fn a_delegate_index_beyond_the_electorate_is_refused() {
    Delegations::new(3).set(0, Delegate::Member(3));
}
