//! Tallies of the three choice methods: hand-computed cases at the exact
//! threshold and quorum boundaries, and properties over random electorates
//! (ballot order and voter names never matter, quadratic ballots never
//! exceed a budget, every member is counted at most once).

mod consensus;
mod hashes;
mod indexed;
mod majority;
mod properties;
mod quadratic;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

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

fn edges(pairs: impl IntoIterator<Item = (u32, u32)>) -> BTreeMap<PublicKey, PublicKey> {
    pairs.into_iter().map(|(a, b)| (key(a), key(b))).collect()
}

/// Ballots for consecutive keys from `first`: `count` copies of each
/// `(count, ballot)` in turn. Returns the ballots and the next free index.
fn ballots<B: Clone>(first: u32, groups: &[(u32, B)]) -> (BTreeMap<PublicKey, B>, u32) {
    let mut out = BTreeMap::new();
    let mut next = first;
    for (count, ballot) in groups {
        for _ in 0..*count {
            out.insert(key(next), ballot.clone());
            next += 1;
        }
    }
    (out, next)
}

/// Proptest settings: `cases` cases, no regression files, and a fixed seed
/// when `SEED` holds one (STYLE "Tests").
fn config(cases: u32) -> ProptestConfig {
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
