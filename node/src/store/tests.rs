//! Store tests on a real sled directory: what is committed and flushed
//! survives reopening, and the start-up check repairs heads and state
//! that disagree with the logs.

use hearth_protocol::LogKind;
use hearth_protocol::state::{self, StateRead, StoreMut};
use hearth_protocol::test::keypair;

use super::{SledStorage, StorageRead};
use crate::recover::{self, StartupReport};
use crate::test::Harness;

fn community_on_disk(
    dir: &std::path::Path,
) -> (
    Vec<hearth_protocol::Hash>,
    [Option<hearth_protocol::Head>; 2],
) {
    let storage = SledStorage::open(&dir.join("db")).expect("open");
    let mut h = Harness::with_storage(storage, 3);
    let mut ids = Vec::new();
    for (from, to, kc) in [(1, 2, 5), (2, 3, 7), (3, 1, 1)] {
        let receipt = {
            let a = h.pay(from, to, kc);
            h.run(&[a]).remove(0).expect("accepted")
        };
        ids.push(receipt.id);
    }
    let heads = [
        h.service.head(LogKind::Public),
        h.service.head(LogKind::Local),
    ];
    (ids, heads)
}

#[test]
fn flushed_commits_survive_reopening_and_the_check_finds_nothing_to_repair() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ids, heads) = community_on_disk(dir.path());
    let storage = SledStorage::open(&dir.path().join("db")).expect("reopen");
    assert_eq!(
        [
            storage.head(LogKind::Public).expect("h"),
            storage.head(LogKind::Local).expect("h")
        ],
        heads
    );
    for id in &ids {
        let loc = storage
            .locate(id)
            .expect("index")
            .expect("every action is indexed");
        assert_eq!(loc.log, LogKind::Local);
    }
    let balance = |who| {
        storage
            .balance(&state::Account::Member(keypair(who).public()))
            .expect("balance")
            .0
    };
    assert_eq!(
        (balance(1), balance(2), balance(3)),
        (-4_000, -2_000, 6_000)
    );
    assert_eq!(
        recover::check_on_start(&storage).expect("check"),
        StartupReport::default()
    );
    let (rebuilt, rebuilt_heads) = recover::rebuild(&storage, |_| {}).expect("rebuild");
    assert_eq!(rebuilt, storage.state_snapshot().expect("snapshot"));
    assert_eq!(rebuilt_heads, heads);
    let page = storage.entries(LogKind::Local, 1, 2).expect("page");
    assert_eq!(page.len(), 2);
}

#[test]
fn a_state_that_disagrees_with_the_logs_is_rebuilt_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    community_on_disk(dir.path());
    let storage = SledStorage::open(&dir.path().join("db")).expect("reopen");
    let good = storage.state_snapshot().expect("snapshot");

    // A balance changed behind the logs' back (money from nowhere).
    let mut tampered = good.clone();
    let key = tampered
        .map
        .keys()
        .find(|k| k.first() == Some(&b'a'))
        .cloned()
        .expect("an account record");
    tampered.put(
        key,
        hearth_protocol::Canonical::to_bytes(&hearth_protocol::Kc(123_456)),
    );
    storage.replace_state(&tampered).expect("tamper");
    let report = recover::check_on_start(&storage).expect("check");
    assert!(report.state_rebuilt);
    assert_eq!(storage.state_snapshot().expect("snapshot"), good);

    // The state lost its record of what it applied.
    let mut behind = good.clone();
    behind.map.retain(|k, _| k.first() != Some(&b'h'));
    storage.replace_state(&behind).expect("tamper");
    assert!(
        recover::check_on_start(&storage)
            .expect("check")
            .state_rebuilt
    );
    assert_eq!(storage.state_snapshot().expect("snapshot"), good);
}

#[test]
fn a_head_that_disagrees_with_the_entries_is_reset_from_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, heads) = community_on_disk(dir.path());
    let storage = SledStorage::open(&dir.path().join("db")).expect("reopen");
    let genesis_head = storage
        .entry(LogKind::Local, 0)
        .expect("read")
        .expect("genesis")
        .head();
    storage
        .set_head(LogKind::Local, &genesis_head)
        .expect("set");
    let report = recover::check_on_start(&storage).expect("check");
    assert_eq!(report.heads_repaired, 1);
    assert_eq!(storage.head(LogKind::Local).expect("head"), heads[1]);
}

#[test]
fn a_corrupt_entry_in_the_tail_is_reported_not_ignored() {
    let dir = tempfile::tempdir().expect("tempdir");
    community_on_disk(dir.path());
    let storage = SledStorage::open(&dir.path().join("db")).expect("reopen");
    let head = storage.head(LogKind::Local).expect("head").expect("some");
    let mut entry = storage
        .entry(LogKind::Local, head.seq)
        .expect("read")
        .expect("entry");
    entry.signature.0[0] ^= 1;
    storage.put_entry_for_test(&entry);
    let err = recover::check_on_start(&storage).expect_err("a bad signature is found");
    assert!(err.to_string().contains("local entry"), "{err}");
}

#[test]
fn opening_waits_for_a_lock_released_a_moment_later_and_refuses_one_held_on() {
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let held = SledStorage::open(&path).unwrap();

    // Held for the whole wait: refused, naming the lock, once the wait is over.
    let started = Instant::now();
    let refused = super::open_waiting_for_lock(|| sled::open(&path), Duration::from_millis(150))
        .map(|_| ())
        .unwrap_err();
    assert!(super::is_lock_held(&refused), "{refused}");
    assert!(started.elapsed() >= Duration::from_millis(150));

    // Released while opening waits (as sled's own shutdown does): opened.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        drop(held);
    });
    let reopened = SledStorage::open(&path).unwrap();
    release.join().unwrap();
    assert_eq!(reopened.head(LogKind::Public).unwrap(), None);

    // Any other failure is reported at once, not waited on.
    let file = dir.path().join("a file");
    std::fs::write(&file, b"not a database").unwrap();
    let started = Instant::now();
    let other =
        super::open_waiting_for_lock(|| sled::open(file.join("db")), Duration::from_secs(60))
            .map(|_| ())
            .unwrap_err();
    assert!(!super::is_lock_held(&other), "{other}");
    assert!(started.elapsed() < Duration::from_secs(30));
}
