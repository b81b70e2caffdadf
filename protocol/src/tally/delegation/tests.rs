//! Delegation resolution against a brute-force oracle, its conservation
//! law, hand-made graphs, and chains far longer than any stack.

mod indexed;

use std::collections::{BTreeMap, BTreeSet};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::{Resolution, Uncounted, resolve};
use crate::crypto::PublicKey;

/// A distinct key per index (big-endian, so keys sort like their indices).
fn key(i: u32) -> PublicKey {
    let mut bytes = [0u8; 32];
    bytes[..4].copy_from_slice(&i.to_be_bytes());
    PublicKey(bytes)
}

fn keys(indices: impl IntoIterator<Item = u32>) -> BTreeSet<PublicKey> {
    indices.into_iter().map(key).collect()
}

fn edges(pairs: &[(u32, u32)]) -> BTreeMap<PublicKey, PublicKey> {
    pairs.iter().map(|&(a, b)| (key(a), key(b))).collect()
}

/// Proptest settings: `cases` cases, no regression files, and a fixed seed
/// when `SEED` holds one (STYLE "Tests").
pub(crate) fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if let Some(seed) = std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        config.rng_seed = RngSeed::Fixed(seed);
    }
    config
}

/// The specification, followed literally: every member's chain one step at
/// a time with a set of the members already seen.
fn oracle(
    eligible: &BTreeSet<PublicKey>,
    voters: &BTreeSet<PublicKey>,
    delegate_of: &BTreeMap<PublicKey, PublicKey>,
) -> Resolution {
    let mut out = Resolution {
        eligible: eligible.len() as u64,
        ..Resolution::default()
    };
    for voter in voters {
        if eligible.contains(voter) {
            *out.weight.entry(*voter).or_insert(0) += 1;
        } else {
            out.uncounted.insert(*voter, Uncounted::Ineligible);
        }
    }
    for member in eligible.iter().filter(|m| !voters.contains(m)) {
        if !delegate_of.contains_key(member) {
            out.absent += 1;
            continue;
        }
        let mut seen = BTreeSet::from([*member]);
        let mut at = *member;
        let fate = loop {
            let Some(next) = delegate_of.get(&at) else {
                break Err(Uncounted::DeadEnd);
            };
            if !eligible.contains(next) {
                break Err(Uncounted::DeadEnd);
            }
            if voters.contains(next) {
                break Ok(*next);
            }
            if !seen.insert(*next) {
                break Err(Uncounted::Loop);
            }
            at = *next;
        };
        match fate {
            Ok(voter) => {
                *out.weight.entry(voter).or_insert(0) += 1;
                out.represented_by.insert(*member, voter);
            }
            Err(reason) => {
                out.uncounted.insert(*member, reason);
            }
        }
    }
    out
}

/// Eligible set, voters and delegations over keys `0..universe`: self
/// delegations, delegations to non-members, loops and chains all occur.
fn graph(
    max_universe: u32,
) -> impl Strategy<
    Value = (
        BTreeSet<PublicKey>,
        BTreeSet<PublicKey>,
        BTreeMap<PublicKey, PublicKey>,
    ),
> {
    (1..=max_universe)
        .prop_flat_map(|n| {
            (
                vec(0u8..10, n as usize),
                vec(0u8..10, n as usize),
                vec((0u8..10, 0..n), n as usize),
            )
        })
        .prop_map(|(elig, vote, dele)| {
            let mut eligible = BTreeSet::new();
            let mut voters = BTreeSet::new();
            let mut delegate_of = BTreeMap::new();
            for (i, ((elig, vote), (dele, to))) in elig.iter().zip(&vote).zip(&dele).enumerate() {
                let member = key(i as u32);
                // Mostly eligible; a few voters; most members delegate.
                if *elig < 8 {
                    eligible.insert(member);
                }
                if *vote < 2 {
                    voters.insert(member);
                }
                if *dele < 7 {
                    delegate_of.insert(member, key(*to));
                }
            }
            (eligible, voters, delegate_of)
        })
}

/// The conservation law of [`Resolution`].
fn check_conservation(
    r: &Resolution,
    eligible: &BTreeSet<PublicKey>,
    voters: &BTreeSet<PublicKey>,
) -> Result<(), TestCaseError> {
    let lost = r
        .uncounted
        .values()
        .filter(|u| **u != Uncounted::Ineligible)
        .count() as u64;
    prop_assert_eq!(r.counted() + lost + r.absent, eligible.len() as u64);
    let ineligible: BTreeSet<PublicKey> = r
        .uncounted
        .iter()
        .filter(|(_, u)| **u == Uncounted::Ineligible)
        .map(|(k, _)| *k)
        .collect();
    prop_assert_eq!(&ineligible, &voters.difference(eligible).copied().collect());
    // Each direct voter's ballot counts once for itself, once per member it
    // represents, and for nobody else.
    prop_assert_eq!(
        r.counted(),
        r.weight.len() as u64 + r.represented_by.len() as u64
    );
    for (member, voter) in &r.represented_by {
        prop_assert!(r.weight.contains_key(voter));
        prop_assert!(!voters.contains(member));
        prop_assert!(!r.weight.contains_key(member) && !r.uncounted.contains_key(member));
    }
    let direct: BTreeSet<PublicKey> = voters.intersection(eligible).copied().collect();
    prop_assert_eq!(r.weight.keys().copied().collect::<BTreeSet<_>>(), direct);
    Ok(())
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn resolution_matches_the_oracle((eligible, voters, delegate_of) in graph(40)) {
        let r = resolve(&eligible, &voters, &delegate_of);
        prop_assert_eq!(&r, &oracle(&eligible, &voters, &delegate_of));
        check_conservation(&r, &eligible, &voters)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn large_sparse_graphs_match_the_oracle((eligible, voters, delegate_of) in graph(400)) {
        let r = resolve(&eligible, &voters, &delegate_of);
        prop_assert_eq!(&r, &oracle(&eligible, &voters, &delegate_of));
        check_conservation(&r, &eligible, &voters)?;
    }
}

#[test]
fn a_direct_vote_overrides_the_voters_own_delegation() {
    // 1 voted and delegated to 2, who also voted: both count once.
    let r = resolve(&keys(1..=2), &keys([1, 2]), &edges(&[(1, 2)]));
    assert_eq!(r.weight, BTreeMap::from([(key(1), 1), (key(2), 1)]));
    assert!(r.represented_by.is_empty() && r.uncounted.is_empty());

    // 3 delegated to 1 who delegated to 2: 3 stops at 1, who voted.
    let r = resolve(&keys(1..=3), &keys([1, 2]), &edges(&[(1, 2), (3, 1)]));
    assert_eq!(r.weight, BTreeMap::from([(key(1), 2), (key(2), 1)]));
    assert_eq!(r.represented_by, BTreeMap::from([(key(3), key(1))]));
}

#[test]
fn transitive_chains_reach_the_first_voter() {
    // 1 → 2 → 3 → 4 (voted) → 5 (voted): 1, 2 and 3 count with 4.
    let r = resolve(
        &keys(1..=5),
        &keys([4, 5]),
        &edges(&[(1, 2), (2, 3), (3, 4), (4, 5)]),
    );
    assert_eq!(r.weight, BTreeMap::from([(key(4), 4), (key(5), 1)]));
    assert_eq!(r.represented_by.len(), 3);
    assert_eq!(r.counted(), 5);
}

#[test]
fn loops_dead_ends_and_outsiders_count_for_nobody() {
    let eligible = keys(1..=8);
    // 9 is not eligible but voted; 10 is not eligible and delegated.
    let voters = keys([8, 9]);
    let delegate_of = edges(&[
        (1, 1), // self-delegation: a loop
        (2, 3), // 2 → 3 → 2: a loop
        (3, 2),
        (4, 2), // leads into a loop
        (5, 6), // 6 neither voted nor delegated: a dead end; 6 is absent
        (7, 9), // 9 voted but is not eligible: a dead end
        (10, 8),
    ]);
    let r = resolve(&eligible, &voters, &delegate_of);
    use Uncounted::*;
    assert_eq!(
        r.uncounted,
        BTreeMap::from([
            (key(1), Loop),
            (key(2), Loop),
            (key(3), Loop),
            (key(4), Loop),
            (key(5), DeadEnd),
            (key(7), DeadEnd),
            (key(9), Ineligible),
        ])
    );
    // 10 is not eligible: its delegation carries no weight.
    assert_eq!(r.weight, BTreeMap::from([(key(8), 1)]));
    assert_eq!(r.absent, 1);
    assert_eq!(r.eligible, 8);
}

#[test]
fn a_chain_through_a_non_eligible_key_stops_there() {
    // 1 → 10 (not eligible) → 2 (voted): the chain ends at 10.
    let r = resolve(&keys([1, 2]), &keys([2]), &edges(&[(1, 10), (10, 2)]));
    assert_eq!(r.uncounted, BTreeMap::from([(key(1), Uncounted::DeadEnd)]));
    assert_eq!(r.weight_of(&key(2)), 1);
}

/// A chain of `len` members through `order` (a permutation of indices):
/// each delegates to the next, the last votes.
fn long_chain(order: &[u32]) -> Resolution {
    let eligible = keys(order.iter().copied());
    let last = order[order.len() - 1];
    let delegate_of = order.windows(2).map(|w| (key(w[0]), key(w[1]))).collect();
    resolve(&eligible, &keys([last]), &delegate_of)
}

#[test]
fn a_200_000_long_chain_resolves_without_recursion() {
    const LEN: u32 = 200_000;
    let forward: Vec<u32> = (0..LEN).collect();
    let r = long_chain(&forward);
    assert_eq!(r.weight, BTreeMap::from([(key(LEN - 1), u64::from(LEN))]));

    let backward: Vec<u32> = (0..LEN).rev().collect();
    let r = long_chain(&backward);
    assert_eq!(r.weight, BTreeMap::from([(key(0), u64::from(LEN))]));

    // Interleaved, so chains are entered at many points.
    let shuffled: Vec<u32> = (0..LEN).map(|i| (i * 7919) % LEN).collect();
    let r = long_chain(&shuffled);
    assert_eq!(r.counted(), u64::from(LEN));
    assert_eq!(r.represented_by.len(), LEN as usize - 1);

    // The same chain closed into a loop, with nobody voting.
    let mut delegate_of: BTreeMap<_, _> =
        forward.windows(2).map(|w| (key(w[0]), key(w[1]))).collect();
    delegate_of.insert(key(LEN - 1), key(0));
    let r = resolve(&keys(0..LEN), &BTreeSet::new(), &delegate_of);
    assert_eq!(r.uncounted.len(), LEN as usize);
    assert!(r.uncounted.values().all(|u| *u == Uncounted::Loop));
}
