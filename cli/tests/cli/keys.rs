//! `hearth key …` against a scratch key store.

use std::io::Write;
use std::process::Stdio;

use crate::support::{hearth, new_key, run};

#[test]
fn new_list_show_export_and_import_keys() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = new_key(home, "alice");
    assert!(alice.starts_with("did:key:z6Mk"), "{alice}");
    let bob = run(home, &["key", "new", "bob"]).ok();
    assert!(bob.starts_with("Created key 'bob'."), "{bob}");

    let list = run(home, &["--json", "key", "list"]).json();
    let names: Vec<&str> = list["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    let table = run(home, &["key", "list"]).ok();
    assert!(
        table.starts_with("NAME") && table.contains(&alice),
        "{table}"
    );

    let show = run(home, &["--json", "key", "show", "alice"]).json();
    assert_eq!(show["did"], alice.as_str());
    assert_eq!(show["encrypted"], false);
    assert!(show["file"].as_str().unwrap().ends_with("keys/alice.key"));
    let human = run(home, &["key", "show", "alice"]).ok();
    assert!(human.contains(&format!("did        {alice}")), "{human}");

    // Export, then import into another home: from a file under a new
    // name, and from stdin under the file's own name.
    let exported = run(home, &["key", "export", "alice"]).ok();
    let file: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(file["name"], "alice");
    let other = tempfile::tempdir().unwrap();
    let path = other.path().join("alice.json");
    std::fs::write(&path, &exported).unwrap();
    let path = path.to_str().unwrap();
    let imported = run(
        other.path(),
        &["--json", "key", "import", path, "--name", "laptop"],
    )
    .json();
    assert_eq!(
        (&imported["name"], &imported["did"]),
        (&"laptop".into(), &alice.as_str().into())
    );

    let mut child = hearth(other.path(), &["key", "import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(exported.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let show = run(other.path(), &["--json", "key", "show", "alice"]).json();
    assert_eq!(show["did"], alice.as_str());

    // Importing over an existing key needs --force.
    let err = run(other.path(), &["key", "import", path, "--name", "laptop"]).fails(2);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    run(
        other.path(),
        &["key", "import", path, "--name", "laptop", "--force"],
    )
    .ok();
    let err = run(other.path(), &["key", "import", "/nonexistent/key.json"]).fails(2);
    assert!(
        err.starts_with("hearth: cannot read /nonexistent/key.json"),
        "{err}"
    );
}

#[test]
fn encrypted_keys_need_a_passphrase() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    // No HEARTH_PASSPHRASE and stdin is not a terminal: refuse, don't hang.
    let err = run(home, &["key", "new", "sealed", "--encrypt"]).fails(2);
    assert!(err.contains("HEARTH_PASSPHRASE"), "{err}");
    let out = hearth(home, &["--json", "key", "new", "sealed", "--encrypt"])
        .env("HEARTH_PASSPHRASE", "correct horse")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let show = run(home, &["--json", "key", "show", "sealed"]).json();
    assert_eq!(show["encrypted"], true);
    let exported = run(home, &["key", "export", "sealed"]).ok();
    assert!(exported.contains("\"encrypted\"") && !exported.contains("\"plain\""));
    // Signing needs the secret: the passphrase is asked for before any network.
    let err = run(home, &["--node", "http://127.0.0.1:9", "leave"]).fails(2);
    assert!(err.contains("key 'sealed' is encrypted"), "{err}");
}

#[test]
fn the_key_is_chosen_by_flag_env_config_or_being_the_only_one() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let err = run(home, &["key", "show"]).fails(2);
    assert!(err.contains("hearth key new"), "{err}");
    let alice = new_key(home, "alice");
    let only = run(home, &["--json", "key", "show"]).json();
    assert_eq!(only["did"], alice.as_str());
    let bob = new_key(home, "bob");
    let err = run(home, &["key", "show"]).fails(2);
    assert!(err.contains("alice, bob") && err.contains("--key"), "{err}");

    std::fs::write(home.join("config.toml"), "key = \"bob\"\n").unwrap();
    let shown = |extra: &[&str], env: Option<&str>| {
        let mut args = vec!["--json", "key", "show"];
        args.extend_from_slice(extra);
        let mut cmd = hearth(home, &args);
        if let Some(key) = env {
            cmd.env("HEARTH_KEY", key);
        }
        let out = cmd.output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["did"].as_str().unwrap().to_owned()
    };
    assert_eq!(shown(&[], None), bob);
    assert_eq!(shown(&[], Some("alice")), alice);
    assert_eq!(shown(&["--key", "bob"], Some("alice")), bob);
}
