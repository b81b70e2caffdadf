//! What the fuzz targets share: the round-trip check every canonical
//! record must pass, and the checks a node runs on a decoded entry.
//!
//! The fuzz targets call the same public entry points of
//! `hearth-protocol` that `hearthd` and `hearth` call on bytes from peers,
//! members and files; a panic, an overflow or a failed property is a bug.

use std::fmt::Debug;
use std::sync::LazyLock;

use hearth_protocol::crypto::KeyCache;
use hearth_protocol::log::{EntryBody, Head, SignedEntry};
use hearth_protocol::{Canonical, PublicKey};

/// The node keys the seed corpus is signed with (`hearth_protocol::test`'s
/// federation and community helpers), so that entries mutated from the
/// seeds reach the signature checks and past them.
pub static NODE_KEYS: LazyLock<Vec<PublicKey>> = LazyLock::new(|| {
    [100, 101, 102, 200]
        .into_iter()
        .map(|seed| hearth_protocol::test::keypair(seed).public())
        .collect()
});

/// A decoded record is the one canonical encoding of its value: encoding
/// it gives back the input, and decoding that gives back the value.
pub fn round_trips<T: Canonical + PartialEq + Debug>(value: &T, input: &[u8]) {
    let bytes = value.to_bytes();
    assert_eq!(bytes, input, "a decoded record re-encodes differently");
    let again = T::from_bytes(&bytes).expect("a canonical encoding decodes");
    assert_eq!(&again, value, "decoding the encoding changes the value");
}

/// Checks an entry as a node does when a peer sends it: against its own
/// log with the head it claims to follow, under each known node key. The
/// plain and the cached verification must agree, and an entry that
/// verifies must make the head it names.
pub fn check_entry(entry: &SignedEntry) {
    let e = &entry.entry;
    let prev = e.seq.checked_sub(1).map(|seq| Head {
        seq,
        hash: e.prev,
        time: e.time,
    });
    let genesis_node = match &e.body {
        EntryBody::Genesis(genesis) => Some(genesis.node),
        _ => None,
    };
    let keys = KeyCache::default();
    for node in genesis_node.iter().chain(NODE_KEYS.iter()) {
        let plain = entry.clone().verify(&e.log, prev.as_ref(), node);
        let cached = entry
            .clone()
            .verify_cached(&e.log, prev.as_ref(), node, &keys);
        match (plain, cached) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.id(), b.id());
                assert_eq!(a.id(), e.id(), "a verified entry's id is its hash");
                assert_eq!(entry.head().hash, a.id());
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "cached and plain verification disagree"),
            (a, b) => panic!("cached and plain verification disagree: {a:?} / {b:?}"),
        }
    }
}

/// A chain of entries as a sync response carries it: each must extend the
/// one before (the first is taken at its word, as [`check_entry`] does).
pub fn check_chain(entries: &[SignedEntry]) {
    let Some(first) = entries.first() else {
        return;
    };
    check_entry(first);
    for pair in entries.windows(2) {
        let head = pair[0].head();
        for node in NODE_KEYS.iter() {
            let _ = pair[1]
                .clone()
                .verify(&pair[1].entry.log, Some(&head), node);
        }
    }
}
