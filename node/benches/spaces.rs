//! Space bookings benchmark:
//!
//! (1) the store entries the overlap check reads for one booking in a
//!     space holding n = 1 000, 10 000 and 100 000 bookings (a counting
//!     wrapper around the store): the check is one range scan of the
//!     space's time index, so the count stays at the few bookings near
//!     the new one (O(log n + k) work in an ordered store), whatever n;
//! (2) the durable ingest of bookings (decode + verify + apply + commit +
//!     flush, through the node's service on sled, as the ingest bench
//!     does) into a space already holding `HEARTH_BENCH_BOOKINGS`
//!     bookings (default 100 000), as a ratio of strict ed25519
//!     verification on one core;
//! (3) what the store alone charges per action (`SledStorage::commit` of
//!     synthetic writes, group commit of 1024, flush per group, 102 400
//!     actions before the measured 20 480): the nonce update and action
//!     index entry every action writes, then new state keys the size of a
//!     booking's (time-ordered, random, per member, two, three) — the cost of a new
//!     key in sled, in microseconds and as the ingest ratio it leaves
//!     room for.
//!
//! `cargo bench -p hearth-node --bench spaces` (`HEARTH_BENCH_BOOKINGS`,
//! default 100000; `HEARTH_BENCH_ACTIONS`, the measured bookings, default
//! 20000).

use std::cell::Cell;
use std::time::Instant;

use hearth_node::store::{Commit, Location, SledStorage, Storage};
use hearth_node::test::Harness;
use hearth_protocol::economy::spaces::{self, Space, SpaceKind, SpaceSpec, SpacesAction, slot_key};
use hearth_protocol::log::LogKind;
use hearth_protocol::state::records;
use hearth_protocol::state::store::{MemoryStore, Pairs, Store, StoreError, StoreMut};
use hearth_protocol::state::table;
use hearth_protocol::test::bench::{env_usize, strict_verify_rate};
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, Canonical, Hash, Millis, Timestamp};

const MEMBERS: u8 = 64;
const MIN: u64 = 60_000;

/// A store that counts the entries it hands out.
struct Counting<'a> {
    inner: &'a MemoryStore,
    read: Cell<usize>,
}

impl Store for Counting<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let v = self.inner.get(key)?;
        self.read.set(self.read.get() + usize::from(v.is_some()));
        Ok(v)
    }
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Pairs, StoreError> {
        let v = self.inner.scan_prefix(prefix)?;
        self.read.set(self.read.get() + v.len());
        Ok(v)
    }
    fn range(&self, from: &[u8], to: &[u8], limit: usize) -> Result<Pairs, StoreError> {
        let v = self.inner.range(from, to, limit)?;
        self.read.set(self.read.get() + v.len());
        Ok(v)
    }
}

fn spec(capacity: u32) -> SpaceSpec {
    SpaceSpec {
        name: "Workshop".into(),
        kind: SpaceKind::Coworking,
        capacity,
        buffer: Millis(MIN),
        min_length: Millis(MIN),
        max_length: Millis(10 * MIN),
        horizon: Millis::days(730),
    }
}

/// (1) Entries read by one overlap check among `n` bookings: 5-minute
/// bookings every 8 minutes (1-minute buffer, 10-minute maximum).
fn reads(n: usize) {
    let mut store = MemoryStore::default();
    let space = Space {
        id: Hash([1; 32]),
        spec: spec(1),
        longest: Millis(10 * MIN),
        created_by: keypair(1).public(),
        created: Timestamp(0),
        updated: Timestamp(0),
    };
    records::write(&mut store, records::key(table::SPACE, &space.id.0), &space);
    // Another space's bookings around it in the same table.
    for (s, count) in [(space.id, n), (Hash([2; 32]), n / 10)] {
        for i in 0..count as u64 {
            let mut id = [0u8; 32];
            id[..8].copy_from_slice(&i.to_be_bytes());
            id[8] = s.0[0];
            let start = Timestamp(i * 8 * MIN);
            let mut value = (start.0 + 5 * MIN).to_be_bytes().to_vec();
            value.extend_from_slice(&1u32.to_be_bytes());
            store.put(slot_key(&s, start, &Hash(id)), value);
        }
    }
    let counting = Counting {
        inner: &store,
        read: Cell::new(0),
    };
    let mid = (n as u64 / 2) * 8 * MIN;
    for (label, start, clash) in [
        ("clashing, mid-history", mid + 2 * MIN, true),
        ("free gap, mid-history", mid + 6 * MIN, false),
        ("after the last", n as u64 * 8 * MIN, false),
    ] {
        counting.read.set(0);
        let end = Timestamp(start + MIN);
        let found = spaces::conflict(&counting, &space, Timestamp(start), end, 1).expect("store");
        assert_eq!(found.is_some(), clash, "{label}");
        println!(
            "(1) n = {n:>6}: overlap check, {label}: {} entries read",
            counting.read.get()
        );
    }
}

/// (3) Microseconds of `SledStorage::commit` + flush per action writing
/// the nonce (an update of one of 64 keys), the action index entry and
/// the new state keys `kinds` names, sized as a booking's: "record"
/// (keyed by a random id, 170 bytes), "slot" (keyed by time, in order, 12
/// bytes), "member" (keyed by member, then id, empty).
fn store_cost(kinds: &[&str]) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let id = |i: u64| *blake3::hash(&i.to_le_bytes()).as_bytes();
    let (warm, measured, group) = (100 * 1024u64, 20 * 1024u64, 1024u64);
    let mut started = Instant::now();
    let mut i = 0;
    while i < warm + measured {
        if i == warm {
            started = Instant::now();
        }
        let mut commit = Commit::default();
        for n in i..(i + group).min(warm + measured) {
            let action = id(n);
            let member = [(n % u64::from(MEMBERS)) as u8; 32];
            let mut nonce = vec![table::NONCE];
            nonce.extend_from_slice(&member);
            commit.writes.insert(nonce, Some(n.to_be_bytes().to_vec()));
            commit.index.push((
                Hash(action),
                Location {
                    log: LogKind::Local,
                    seq: n / group,
                },
            ));
            let mut record = vec![table::SPACE_BOOKING];
            record.extend_from_slice(&action);
            let mut slot = vec![table::SPACE_SLOT];
            slot.extend_from_slice(&[1; 32]);
            slot.extend_from_slice(&(n * 7 * MIN).to_be_bytes());
            slot.extend_from_slice(&action);
            let mut mine = vec![table::SPACE_MEMBER];
            mine.extend_from_slice(&member);
            mine.extend_from_slice(&action);
            // The sizes of a booking's: its record, its slot (end and
            // places), its member index entry (empty).
            for (kind, key, len) in [
                ("record", record, 170),
                ("slot", slot, 12),
                ("member", mine, 0),
            ] {
                if kinds.contains(&kind) {
                    commit.writes.insert(key, Some(vec![7; len]));
                }
            }
        }
        storage.commit(commit).expect("commit");
        storage.flush().expect("flush");
        i += group;
    }
    started.elapsed().as_secs_f64() * 1e6 / measured as f64
}

fn main() {
    println!("# Hearth space bookings benchmark");
    for n in [1_000, 10_000, 100_000] {
        reads(n);
    }

    let existing = env_usize("HEARTH_BENCH_BOOKINGS", 100_000);
    let measured = env_usize("HEARTH_BENCH_ACTIONS", 20_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let mut h = Harness::with_storage(storage, MEMBERS);
    let create = h.action(
        &keypair(1),
        ActionBody::Spaces(SpacesAction::Create(spec(1))),
    );
    let room = create.id();
    assert!(h.run(&[create])[0].is_ok(), "the space is added");

    let base = h.now.0 + 86_400_000;
    let started = Instant::now();
    let actions: Vec<Vec<u8>> = (0..existing + measured)
        .map(|i| {
            let who = (i % MEMBERS as usize) as u8 + 1;
            let start = Timestamp(base + i as u64 * 7 * MIN);
            let body = ActionBody::Spaces(SpacesAction::Book {
                space: room,
                start,
                end: start.plus(Millis(5 * MIN)),
                places: 1,
                weekly: 1,
                all_or_nothing: false,
                note: String::new(),
            });
            h.action(&keypair(who), body).into_inner().to_bytes()
        })
        .collect();
    println!(
        "signing {} bookings: {:.1} s",
        actions.len(),
        started.elapsed().as_secs_f64()
    );

    // The physical limit: strict verification on one core.
    let verify_rate = strict_verify_rate(&actions);
    println!("(a) strict verify (id hash + verify_strict), 1 core: {verify_rate:.0}/s");

    let keys = hearth_protocol::crypto::KeyCache::default();
    let started = Instant::now();
    let accepted = h.ingest_in_batches(&actions[..existing], 1024, &keys);
    assert_eq!(accepted, existing);
    let fill_rate = existing as f64 / started.elapsed().as_secs_f64();
    println!(
        "filling the space with {existing} bookings: {fill_rate:.0}/s = {:.2} x (a)",
        fill_rate / verify_rate
    );
    for (label, batch) in [("64", 64usize), ("1024", 1024usize)] {
        let part = &actions[existing..];
        let half = part.len() / 2;
        let part = if batch == 64 {
            &part[..half]
        } else {
            &part[half..]
        };
        let started = Instant::now();
        let accepted = h.ingest_in_batches(part, batch, &keys);
        assert_eq!(accepted, part.len());
        let rate = part.len() as f64 / started.elapsed().as_secs_f64();
        println!(
            "(2) durable ingest of bookings into a space holding {existing}+, group commit of {label}: {rate:.0}/s = {:.2} x (a)",
            rate / verify_rate
        );
    }

    let verify_us = 1e6 / verify_rate;
    let cases: [&[&str]; 6] = [
        &[],
        &["slot"],
        &["record"],
        &["member"],
        &["record", "slot"],
        &["record", "slot", "member"],
    ];
    for kinds in cases {
        let us = store_cost(kinds);
        println!(
            "(3) store alone, nonce + action index + new keys {kinds:?}: {us:.1} us per action; with (a)'s verification beside it, ingest could reach at most {:.2} x (a)",
            verify_us / (verify_us + us)
        );
    }
}
