//! The `hearthd` binary's offline commands: init, reindex, export (of a
//! community in no network: refused), and their refusals.

use std::process::Command;

fn hearthd(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hearthd"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("hearthd runs")
}

#[test]
fn init_with_a_rules_file_then_reindex_and_no_export_outside_a_network() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let rules = tmp.path().join("rules.toml");
    let reviewers = [
        hearth_protocol::test::keypair(1).public(),
        hearth_protocol::test::keypair(2).public(),
    ];
    std::fs::write(
        &rules,
        format!(
            "credit_limit = 250000\nadmission = \"vote\"\n\
             technical_reviewers = [\"{}\", \"{}\"]\n\
             [council]\nseats = 7\nterm = 86400000\n",
            reviewers[0], reviewers[1]
        ),
    )
    .expect("write");
    let out = hearthd(
        &dir,
        &[
            "init",
            "--name",
            "Riverside",
            "--rules",
            rules.to_str().expect("utf8"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Riverside") && stdout.contains("hearth-invite:"),
        "{stdout}"
    );
    assert!(dir.join("node.key").exists());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.join("node.key"))
            .expect("meta")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the node key is private");

    let again = hearthd(&dir, &["init"]);
    assert_eq!(again.status.code(), Some(2), "a second init is refused");

    let reindex = hearthd(&dir, &["reindex"]);
    assert_eq!(
        reindex.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&reindex.stderr)
    );
    assert!(String::from_utf8_lossy(&reindex.stdout).contains("equals"));

    // The export is the federation's: a community in no network has none,
    // and nothing is written.
    let export = tmp.path().join("federation.export");
    let out = hearthd(&dir, &["export", "--out", export.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("belongs to no network"),
        "{out:?}"
    );
    assert!(!export.exists() && !tmp.path().join("federation.export.partial").exists());

    // The genesis carries the rules.
    use hearth_node::store::StorageRead as _;
    let storage = hearth_node::data_dir::DataDir::new(&dir)
        .open_storage()
        .expect("the store");
    assert_eq!(
        storage
            .head(hearth_protocol::LogKind::Public)
            .expect("head")
            .map(|h| h.seq),
        Some(0)
    );
    let genesis = storage
        .entry(hearth_protocol::LogKind::Public, 0)
        .expect("read")
        .expect("a genesis entry");
    match &genesis.entry.body {
        hearth_protocol::EntryBody::Genesis(g) => {
            assert_eq!(g.name, "Riverside");
            assert_eq!(g.rules.credit_limit, hearth_protocol::Kc(250_000));
            assert_eq!(g.rules.council.seats, 7);
            assert_eq!(g.rules.council.term, hearth_protocol::Millis::days(1));
            assert_eq!(
                g.rules.admission,
                hearth_protocol::community::Admission::Vote
            );
            assert_eq!(g.rules.technical_reviewers, reviewers);
        }
        other => panic!("expected genesis, got {other:?}"),
    }
}

#[test]
fn invalid_rules_and_missing_communities_are_refused_clearly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let rules = tmp.path().join("rules.toml");
    std::fs::write(&rules, "credit_limit = -5\n").expect("write");
    let out = hearthd(&dir, &["init", "--rules", rules.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("credit_limit"));
    let twice = hearth_protocol::test::keypair(1).public();
    std::fs::write(
        &rules,
        format!("technical_reviewers = [\"{twice}\", \"{twice}\"]\n"),
    )
    .expect("write");
    let out = hearthd(&dir, &["init", "--rules", rules.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2), "a reviewer named twice");
    assert!(String::from_utf8_lossy(&out.stderr).contains("technical_reviewers"));
    std::fs::write(&rules, "admission = \"lottery\"\n").expect("write");
    let out = hearthd(&dir, &["init", "--rules", rules.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2), "an unknown admission");
    std::fs::write(&rules, "no_such_rule = 1\n").expect("write");
    let out = hearthd(&dir, &["init", "--rules", rules.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2), "unknown rules are refused");
    let out = hearthd(&dir, &["reindex"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no community"));
}

#[test]
fn an_encrypted_community_is_founded_and_read_offline_and_bad_passphrases_change_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("data");
    let missing = tmp.path().join("no-such-file");
    let missing = missing.to_str().expect("utf8");
    let out = hearthd(&dir, &["init", "--key-passphrase-file", missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the passphrase file"));
    assert!(!dir.exists(), "nothing is created");
    let out = hearthd(&dir, &["key", "encrypt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give the new passphrase"));

    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "hearth and home\n").expect("write");
    let pass = pass.to_str().expect("utf8");
    let out = hearthd(&dir, &["init", "--key-passphrase-file", pass]);
    assert!(out.status.success(), "{out:?}");
    let key = std::fs::read_to_string(dir.join("node.key")).expect("node.key");
    assert!(key.contains("\"encrypted\""), "{key}");
    // The logs need no key: reindex works without the passphrase, and
    // export asks for none (it stops only because there is no network).
    assert!(hearthd(&dir, &["reindex"]).status.success());
    let export = tmp.path().join("export");
    let out = hearthd(&dir, &["export", "--out", export.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("belongs to no network") && !stderr.contains("passphrase"),
        "{stderr}"
    );
    let out = hearthd(&dir, &["key", "encrypt", "--key-passphrase-file", pass]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already encrypted"));
    assert_eq!(
        std::fs::read_to_string(dir.join("node.key")).expect("node.key"),
        key,
        "a refused command changes nothing"
    );
}

#[test]
fn help_names_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_hearthd"))
        .arg("--help")
        .output()
        .expect("hearthd runs");
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "run",
        "init",
        "reindex",
        "export",
        "key",
        "--data-dir",
        "HEARTH_NODE_KEY_PASSPHRASE",
    ] {
        assert!(help.contains(word), "--help mentions {word}: {help}");
    }
}

#[test]
fn devnet_refuses_a_data_dir_it_would_ignore() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let devnet = tmp.path().join("devnet");
    let devnet_dir = devnet.to_str().expect("utf8");
    let out = hearthd(
        &tmp.path().join("data"),
        &["devnet", "--communities", "2", "--dir", devnet_dir],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--data-dir does not apply to devnet"),
        "{stderr}"
    );
    assert!(
        !tmp.path().join("data").exists() && !devnet.exists(),
        "nothing was created"
    );
}
