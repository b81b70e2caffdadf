//! Founding a data directory (whole, redone after a crash, never over what
//! it did not make) and the node key file (in the clear and sealed).

use std::fs;
use std::os::unix::fs::PermissionsExt as _;

use hearth_protocol::crypto::hex;
use hearth_protocol::{Rules, Timestamp};

use super::*;

const NOW: Timestamp = Timestamp(1_700_000_000_000);

fn fresh() -> (tempfile::TempDir, DataDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = DataDir::new(tmp.path().join("data"));
    (tmp, dir)
}

fn found(dir: &DataDir, passphrase: Option<&str>) -> Founded {
    dir.init("Riverside", Rules::default(), NOW, passphrase)
        .expect("init")
}

/// The names in the directory, sorted.
fn listing(dir: &DataDir) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.root())
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn founding_writes_a_whole_directory_and_leaves_no_marker() {
    let (_tmp, dir) = fresh();
    assert_eq!(dir.state().expect("state"), State::Empty);
    let founded = found(&dir, None);
    assert_eq!(dir.state().expect("state"), State::Founded);
    assert_eq!(
        listing(&dir),
        ["db", "founder-invite", "hearth.toml", "node.key"]
    );
    assert_eq!(
        dir.load_node_key(None).expect("key").public(),
        founded.node.public()
    );
    assert_eq!(
        dir.load_founder_invite().expect("invite").community,
        founded.id
    );
    let mode = fs::metadata(dir.node_key())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    drop(founded);
    let again = dir.init("Riverside", Rules::default(), NOW, None);
    assert!(
        again.is_err_and(|e| e.to_string().contains("already holds a community")),
        "a founded directory is never founded again"
    );
}

/// The failure this guards against: a first start killed after the
/// database had its genesis but before the node key was written left a
/// directory that never started again ("entry does not fit the state").
#[test]
fn an_unfinished_founding_is_discarded_and_done_again() {
    let (_tmp, dir) = fresh();
    let first = found(&dir, None);
    let old_id = first.id;
    drop(first);
    // As a crash after the genesis and before the key leaves it.
    fs::write(dir.founding_marker(), b"").expect("marker");
    fs::remove_file(dir.node_key()).expect("remove key");
    fs::write(dir.root().join("node.key.tmp"), b"half").expect("tmp");
    fs::write(dir.root().join(CONFIG_FILE), "api = \"127.0.0.1:9\"\n").expect("config");
    assert_eq!(dir.state().expect("state"), State::Unfinished);
    assert!(!dir.is_initialised());

    let second = found(&dir, None);
    assert_ne!(second.id, old_id, "a new community, founded whole");
    assert_eq!(dir.state().expect("state"), State::Founded);
    assert_eq!(
        listing(&dir),
        ["db", "founder-invite", "hearth.toml", "node.key"]
    );
    assert_eq!(
        fs::read_to_string(dir.root().join(CONFIG_FILE)).expect("config"),
        "api = \"127.0.0.1:9\"\n",
        "the operator's configuration is kept"
    );
    let storage = second.storage.clone();
    let service = Service::open(storage, dir.load_node_key(None).expect("key")).expect("opens");
    assert_eq!(service.community(), second.id);
}

#[test]
fn a_marker_left_after_the_key_still_means_unfinished() {
    let (_tmp, dir) = fresh();
    drop(found(&dir, None));
    fs::write(dir.founding_marker(), b"").expect("marker");
    assert_eq!(dir.state().expect("state"), State::Unfinished);
    let again = found(&dir, None);
    assert_eq!(dir.state().expect("state"), State::Founded);
    assert_eq!(
        dir.load_founder_invite().expect("invite").community,
        again.id
    );
}

#[test]
fn part_of_a_community_without_the_marker_is_left_alone() {
    let (_tmp, dir) = fresh();
    drop(found(&dir, None));
    // A database whose key is gone (as older versions could leave it, or
    // an operator's mistake): not this founding's to remove.
    fs::remove_file(dir.node_key()).expect("remove key");
    let before = listing(&dir);
    let state = dir.state().expect("state");
    assert_eq!(
        state,
        State::Incomplete {
            present: vec!["db", "founder-invite"],
            missing: vec!["node.key"],
        }
    );
    let refused = dir
        .init("Riverside", Rules::default(), NOW, None)
        .expect_err("refused");
    assert!(
        refused.to_string().contains("holds part of a community"),
        "{refused:#}"
    );
    assert_eq!(listing(&dir), before, "nothing was touched");
}

#[test]
fn a_claimed_founder_invite_may_be_deleted() {
    let (_tmp, dir) = fresh();
    drop(found(&dir, None));
    fs::remove_file(dir.founder_invite()).expect("remove invite");
    assert_eq!(dir.state().expect("state"), State::Founded);
}

#[test]
fn a_sealed_node_key_opens_only_with_its_passphrase() {
    let (_tmp, dir) = fresh();
    let founded = found(&dir, Some("correct horse"));
    let text = fs::read_to_string(dir.node_key()).expect("key file");
    assert!(
        !text.contains(&hex(&founded.node.seed())),
        "the seed is not in the clear"
    );
    assert!(dir.node_key_is_encrypted().expect("readable"));
    assert_eq!(
        dir.load_node_key(Some("correct horse"))
            .expect("opens")
            .public(),
        founded.node.public()
    );
    let wrong = dir.load_node_key(Some("wrong horse")).expect_err("refused");
    assert!(
        matches!(
            wrong.downcast_ref::<KeyLocked>(),
            Some(KeyLocked::WrongPassphrase(_))
        ),
        "{wrong:#}"
    );
    let none = dir.load_node_key(None).expect_err("refused");
    assert!(
        matches!(
            none.downcast_ref::<KeyLocked>(),
            Some(KeyLocked::PassphraseNeeded(_))
        ),
        "{none:#}"
    );
    assert!(none.to_string().contains(NODE_KEY_PASSPHRASE_ENV), "{none}");
}

#[test]
fn a_plain_key_keeps_working_and_can_be_encrypted() {
    let (_tmp, dir) = fresh();
    let founded = found(&dir, None);
    let text = fs::read_to_string(dir.node_key()).expect("key file");
    assert_eq!(
        text,
        format!("{}\n", hex(&founded.node.seed())),
        "hex, as ever"
    );
    assert!(!dir.node_key_is_encrypted().expect("readable"));
    // A passphrase given for a plain key does not matter.
    assert_eq!(
        dir.load_node_key(Some("unused")).expect("opens").public(),
        founded.node.public()
    );

    dir.encrypt_node_key("s3cret").expect("encrypt");
    assert!(dir.node_key_is_encrypted().expect("readable"));
    assert_eq!(
        dir.load_node_key(Some("s3cret")).expect("opens").public(),
        founded.node.public(),
        "the same key"
    );
    assert!(dir.load_node_key(None).is_err());
    let before = fs::read(dir.node_key()).expect("key file");
    let twice = dir.encrypt_node_key("other").expect_err("refused");
    assert!(twice.to_string().contains("already encrypted"), "{twice}");
    assert_eq!(fs::read(dir.node_key()).expect("key file"), before);
    let mode = fs::metadata(dir.node_key())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_damaged_key_file_is_reported_not_guessed_at() {
    let (_tmp, dir) = fresh();
    drop(found(&dir, Some("pw")));
    let mut file: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.node_key()).expect("key")).expect("json");
    file["secret"]["encrypted"]["kdf"] = "scrypt".into();
    fs::write(dir.node_key(), file.to_string()).expect("write");
    let err = dir.load_node_key(Some("pw")).expect_err("refused");
    assert!(err.downcast_ref::<KeyLocked>().is_none());
    assert!(
        format!("{err:#}").contains("not a valid key file"),
        "{err:#}"
    );
    fs::write(dir.node_key(), "zz\n").expect("write");
    let err = dir.load_node_key(None).expect_err("refused");
    assert!(err.to_string().contains("neither"), "{err:#}");
}

#[test]
fn the_passphrase_file_is_read_without_its_line_break() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("pass");
    fs::write(&file, "two words \r\n").expect("write");
    // The environment variable is not set in this test process.
    assert!(std::env::var_os(NODE_KEY_PASSPHRASE_ENV).is_none());
    let read = read_passphrase(Some(&file)).expect("read").expect("some");
    assert_eq!(read.as_str(), "two words ");
    fs::write(&file, "\n").expect("write");
    let empty = read_passphrase(Some(&file)).expect_err("empty");
    assert!(empty.to_string().contains("is empty"), "{empty}");
    let missing = read_passphrase(Some(&tmp.path().join("nope"))).expect_err("missing");
    assert!(missing.to_string().contains("cannot read"), "{missing}");
    assert!(read_passphrase(None).expect("none").is_none());
}
