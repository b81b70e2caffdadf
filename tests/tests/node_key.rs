//! The node key encrypted at rest: a node founded with a passphrase writes
//! its key sealed, starts again only with that passphrase (exit status 3
//! and a sentence without it, or with a wrong one, and nothing changed),
//! and a key kept in the clear is encrypted by `hearthd key encrypt`.

use std::fs;
use std::path::Path;
use std::process::Command;

use hearth_protocol::PublicKey;
use hearth_protocol::crypto::hex;
use hearth_tests::{CLI_TIMEOUT, Http, Node, Run, community_id, hearthd_bin, run_to_end};

/// Runs `hearthd --data-dir <node's> <args>` to the end with `env` set
/// (the node must be stopped).
fn hearthd(node: &Node, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(hearthd_bin());
    command
        .arg("--data-dir")
        .arg(node.data_dir())
        .args(args)
        .env_remove("HEARTH_NODE_KEY_PASSPHRASE")
        .env_remove("HEARTH_NODE_KEY_PASSPHRASE_FILE")
        .env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    let scratch = node.data_dir();
    let scratch = scratch.parent().expect("the node's directory");
    run_to_end(command, scratch, CLI_TIMEOUT)
}

/// `hearthd run` on the node's directory (API on an ephemeral port, no p2p).
fn run(node: &Node, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut args = vec!["run", "--api", "127.0.0.1:0", "--no-p2p"];
    args.extend_from_slice(extra);
    hearthd(node, &args, env)
}

fn write_passphrase(dir: &Path, name: &str, passphrase: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, format!("{passphrase}\n")).expect("write a passphrase file");
    path.to_str().expect("a UTF-8 temporary path").to_string()
}

#[track_caller]
fn assert_locked(run: &Run, says: &str) {
    assert_eq!(run.code, Some(3), "{run}");
    assert!(run.stderr.contains(says), "{run}");
}

//   hearthd run --key-passphrase-file P (first start) ──▶ node.key sealed
//   hearthd run                          ──▶ exit 3 "encrypted … HEARTH_NODE_KEY_PASSPHRASE"
//   hearthd run --key-passphrase-file W  ──▶ exit 3 "wrong passphrase"
//   HEARTH_NODE_KEY_PASSPHRASE=P hearthd run ──▶ starts
//   hearthd run --key-passphrase-file P  ──▶ serves the same community
#[test]
fn an_encrypted_node_key_starts_with_its_passphrase_and_refuses_without() {
    let secrets = tempfile::tempdir().expect("a temporary directory");
    let good = write_passphrase(secrets.path(), "good", "correct horse battery");
    let wrong = write_passphrase(secrets.path(), "wrong", "incorrect horse");
    let mut node = Node::start_with_args(&["--key-passphrase-file".into(), good.clone()]);
    let community = community_id(node.url());
    let key_path = node.data_dir().join("node.key");
    let sealed = fs::read_to_string(&key_path).expect("node.key");
    let file: serde_json::Value = serde_json::from_str(&sealed).expect("a key file");
    assert_eq!(file["secret"]["encrypted"]["kdf"], "argon2id", "{sealed}");
    assert!(file["secret"]["plain"].is_null(), "{sealed}");
    let served = Http::new()
        .get(node.url(), "/v1/community", &[])
        .expect("GET /v1/community");
    let node_key = served.json["node"]
        .as_str()
        .and_then(|did| PublicKey::from_did(did).ok())
        .unwrap_or_else(|| panic!("/v1/community names the node key: {}", served.text));
    assert_eq!(
        file["public"].as_str(),
        Some(hex(&node_key.0).as_str()),
        "the sealed key is the node's"
    );
    let stopped = node.stop();
    assert!(stopped.success(), "hearthd exited with {stopped}");

    assert_locked(&run(&node, &[], &[]), "HEARTH_NODE_KEY_PASSPHRASE");
    assert_locked(
        &run(&node, &["--key-passphrase-file", &wrong], &[]),
        "wrong passphrase",
    );
    assert_locked(
        &run(&node, &[], &[("HEARTH_NODE_KEY_PASSPHRASE", "nope")]),
        "wrong passphrase",
    );
    let both = run(
        &node,
        &["--key-passphrase-file", &good],
        &[("HEARTH_NODE_KEY_PASSPHRASE", "correct horse battery")],
    );
    assert_eq!(both.code, Some(2), "{both}");
    assert!(both.stderr.contains("given twice"), "{both}");
    assert_eq!(
        fs::read_to_string(&key_path).expect("node.key"),
        sealed,
        "a refused start changes nothing"
    );
    assert!(!node.data_dir().join("api.addr").exists());

    // The passphrase from the environment: the node starts (and stops at
    // once, as its standard input is empty).
    let by_env = run(
        &node,
        &["--until-stdin-closes"],
        &[("HEARTH_NODE_KEY_PASSPHRASE", "correct horse battery")],
    );
    assert!(by_env.success(), "{by_env}");
    assert!(by_env.stdout.contains(&community.to_hex()), "{by_env}");

    node.restart();
    assert_eq!(community_id(node.url()), community, "the same community");
}

//   hearthd run (plain key) ── stop ──▶ HEARTH_NODE_KEY_PASSPHRASE=P hearthd key encrypt
//   hearthd run ──▶ exit 3;  hearthd run --key-passphrase-file P ──▶ the same community
#[test]
fn a_plain_node_key_keeps_working_and_can_be_encrypted() {
    let secrets = tempfile::tempdir().expect("a temporary directory");
    let good = write_passphrase(secrets.path(), "good", "tea and biscuits");
    let mut node = Node::start();
    let community = community_id(node.url());
    // A passphrase given for a key in the clear does not stop the node.
    node.stop();
    node.set_args(&["--key-passphrase-file".into(), good]);
    node.restart();
    assert_eq!(community_id(node.url()), community);
    node.stop();

    let missing = hearthd(&node, &["key", "encrypt"], &[]);
    assert_eq!(missing.code, Some(2), "{missing}");
    assert!(missing.stderr.contains("passphrase"), "{missing}");
    let encrypted = hearthd(
        &node,
        &["key", "encrypt"],
        &[("HEARTH_NODE_KEY_PASSPHRASE", "tea and biscuits")],
    );
    assert!(encrypted.success(), "{encrypted}");
    assert!(
        fs::read_to_string(node.data_dir().join("node.key"))
            .expect("node.key")
            .contains("\"encrypted\""),
        "the key is sealed"
    );
    assert_locked(&run(&node, &[], &[]), "is encrypted");
    node.restart();
    assert_eq!(
        community_id(node.url()),
        community,
        "the same key signs the same community"
    );
}
