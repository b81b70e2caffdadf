//! `hearthd devnet --simulate` end to end: the real command fills two
//! communities with two months of simulated history before their nodes
//! start, forms the network, and the real `hearth` CLI, with the keys the
//! devnet wrote, finds a living community on each node — members with
//! names and balances, closed proposals, time records, tool loans,
//! sessions — that replays clean, and acts in it. A second start restarts
//! the same history without simulating it again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hearth_tests::{
    CLI_TIMEOUT, Run, converge, hearth_bin, hearthd_bin, run_to_end, tail, wait_timeout,
};
use serde_json::Value;

/// How long the devnet may take to simulate, start its nodes and form the network.
const READY: Duration = Duration::from_secs(120);

/// How long it may take to stop.
const STOP: Duration = Duration::from_secs(40);

/// A running `hearthd devnet` with its output in files; killed when dropped.
struct Devnet {
    child: Option<Child>,
    out: tempfile::TempDir,
}

/// A community as the devnet printed it: name, API URL, CLI home.
#[derive(Debug)]
struct Community {
    name: String,
    url: String,
    home: PathBuf,
}

impl Devnet {
    fn start(dir: &Path, args: &[&str]) -> Devnet {
        let out = tempfile::tempdir().expect("a temporary directory");
        let child = Command::new(hearthd_bin())
            .arg("devnet")
            .args(args)
            .arg("--dir")
            .arg(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(fs::File::create(out.path().join("out")).expect("a file"))
            .stderr(fs::File::create(out.path().join("err")).expect("a file"))
            .spawn()
            .expect("start hearthd devnet");
        Devnet {
            child: Some(child),
            out,
        }
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.out.path().join(name)).unwrap_or_default()
    }

    /// Waits for `Ready.` and parses the communities.
    fn ready(&mut self) -> (Vec<Community>, String) {
        let text = converge(READY, "the devnet is ready", || {
            let child = self.child.as_mut().expect("running");
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "hearthd devnet exited ({status}) before it was ready:\n{}\n{}",
                    self.read("out"),
                    self.read("err")
                );
            }
            let text = self.read("out");
            text.lines()
                .any(|l| l.starts_with("Ready."))
                .then_some(text)
        });
        let mut communities: Vec<Community> = Vec::new();
        for line in text.lines() {
            if let Some((name, _)) = line.split_once(" (community ") {
                communities.push(Community {
                    name: name.to_string(),
                    url: String::new(),
                    home: PathBuf::new(),
                });
            }
            let mut words = line.split_whitespace();
            if let (Some(c), true) = (communities.last_mut(), line.starts_with("  ")) {
                match (words.next(), words.next()) {
                    (Some("api"), Some(url)) => c.url = url.to_string(),
                    (Some("home"), Some(home)) => c.home = PathBuf::from(home),
                    _ => {}
                }
            }
        }
        (communities, text)
    }

    /// SIGTERM; the devnet must exit successfully.
    fn terminate(&mut self) {
        let mut child = self.child.take().expect("running");
        let sent = Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .expect("kill(1)");
        assert!(sent.success());
        let status = wait_timeout(&mut child, STOP).expect("the devnet stops");
        assert!(status.success(), "{}", tail(&self.read("err"), 30));
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "--- stdout ---\n{}\n--- stderr ---\n{}",
                tail(&self.read("out"), 60),
                tail(&self.read("err"), 40)
            );
        }
    }
}

/// Runs `hearth --key <key> <args>` as a member of `c`.
fn hearth(c: &Community, key: &str, args: &[&str]) -> Run {
    let mut command = Command::new(hearth_bin());
    command
        .args(["--key", key])
        .args(args)
        .env("HEARTH_HOME", &c.home)
        .env_remove("HEARTH_NODE")
        .env_remove("HEARTH_KEY")
        .env("NO_COLOR", "1");
    run_to_end(command, c.home.parent().expect("a parent"), CLI_TIMEOUT)
}

#[track_caller]
fn json(c: &Community, key: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let run = hearth(c, key, &all);
    assert!(run.success(), "hearth {all:?} in {}: {run}", c.name);
    serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run}"))
}

/// The array in `v`, whether it is one or holds one under `field`.
fn array<'a>(v: &'a Value, field: &str) -> &'a Vec<Value> {
    v.as_array()
        .or_else(|| v[field].as_array())
        .unwrap_or_else(|| panic!("no {field} in {v}"))
}

#[test]
fn a_simulated_devnet_is_a_living_federation() {
    let root = tempfile::Builder::new()
        .prefix("hearth-simulate-")
        .tempdir()
        .expect("a temporary directory");
    let dir = root.path().join("devnet");
    let args = [
        "--communities",
        "2",
        "--members",
        "30",
        "--simulate",
        "2mo",
        "--seed",
        "5",
    ];
    let mut devnet = Devnet::start(&dir, &args);
    let (communities, text) = devnet.ready();
    assert_eq!(communities.len(), 2, "{text}");
    for c in &communities {
        assert!(
            text.contains(&format!("  web   {}/", c.url)),
            "the summary names {}'s dashboard:\n{text}",
            c.name
        );
    }
    let err = devnet.read("err");
    assert!(
        err.contains("c0: ") && err.contains(" actions in "),
        "{err}"
    );
    assert!(
        !err.contains("refused"),
        "no simulated action was refused:\n{err}"
    );

    for c in &communities {
        // The members joined over the weeks and named themselves; keys
        // for them are in the home.
        let members = json(c, "member1", &["members"]);
        let members = array(&members, "members");
        assert!(
            members.len() >= 28,
            "{} has {} members",
            c.name,
            members.len()
        );
        assert!(members.iter().filter(|m| m["name"].is_string()).count() >= 10);
        assert!(
            c.home.join("keys/member29.key").exists() || c.home.join("keys/member28.key").exists()
        );

        // Money moved: balances differ, and the ledger sums to zero.
        let balance = json(c, "member1", &["balance"]);
        assert!(balance["balance"].is_i64(), "{balance}");
        let replay = hearth(c, "member2", &["audit", "--local"]);
        assert!(replay.success() && replay.stdout.contains("OK"), "{replay}");

        // Proposals were decided by the schedule, of several methods.
        let proposals = json(c, "member1", &["proposals"]);
        let local = array(&proposals, "proposals");
        assert!(local.len() >= 4, "{proposals}");
        let methods: Vec<&str> = local.iter().filter_map(|p| p["method"].as_str()).collect();
        for method in ["consensus", "council", "schulze"] {
            assert!(
                methods.contains(&method),
                "no {method} proposal: {methods:?}"
            );
        }
        let decided: Vec<String> = local
            .iter()
            .filter(|p| p["stage"] == "closed")
            .map(|p| {
                let id = p["id"].as_str().expect("an id");
                json(c, "member1", &["show", id]).to_string()
            })
            .collect();
        assert!(decided.len() >= 3, "{proposals}");
        assert!(
            decided.iter().any(|d| d.contains("passed")),
            "a proposal passed: {decided:?}"
        );

        // Time was given and confirmed; tools lent; sessions held.
        let totals = hearth(c, "member1", &["hours", "totals"]);
        assert!(
            totals.success() && totals.stdout.lines().count() > 3,
            "{totals}"
        );
        let tools = hearth(c, "member1", &["tool", "list"]);
        assert!(tools.success(), "{tools}");
        let sessions = hearth(c, "member1", &["learn", "session", "list"]);
        assert!(sessions.success(), "{sessions}");
        let rewards = json(c, "member1", &["learn", "rewards"]).to_string();
        assert!(
            rewards.contains("paid"),
            "sessions were held and confirmed: {rewards}"
        );

        // And the community goes on: a member pays another now.
        let me = json(c, "member1", &["balance"]);
        let did = members
            .iter()
            .filter_map(|m| m["member"].as_str().or_else(|| m["did"].as_str()))
            .find(|did| !me.to_string().contains(did))
            .expect("another member's did");
        let paid = hearth(c, "member1", &["pay", did, "2", "--memo", "thanks"]);
        assert!(paid.success() && paid.stdout.contains("Paid"), "{paid}");
    }

    // The nodes formed their network: each holds both communities' logs.
    let federation = json(&communities[0], "member1", &["federation"]);
    let held = federation.to_string();
    assert!(held.contains("Hearth Devnet"), "{held}");
    devnet.terminate();

    // A second start with the same flags restarts the same history.
    let mut again = Devnet::start(&dir, &args);
    let (restarted, _) = again.ready();
    assert_eq!(restarted.len(), 2);
    assert!(
        !again.read("err").contains("Simulating"),
        "a formed devnet is not simulated again: {}",
        again.read("err")
    );
    let members = json(&restarted[0], "member1", &["members"]);
    assert!(array(&members, "members").len() >= 28);
    again.terminate();

    // Another history on a formed devnet is refused, saying why.
    let other = Command::new(hearthd_bin())
        .args(["devnet", "--simulate", "6mo", "--dir"])
        .arg(&dir)
        .output()
        .expect("run hearthd devnet");
    assert!(!other.status.success());
    let said = String::from_utf8_lossy(&other.stderr);
    assert!(said.contains("never simulated again"), "{said}");
}

#[test]
fn nonsense_spans_are_refused_with_a_clear_error() {
    let root = tempfile::tempdir().expect("a temporary directory");
    for span in ["6 months", "0d", "12x", "mo"] {
        let run = Command::new(hearthd_bin())
            .args(["devnet", "--simulate", span, "--dir"])
            .arg(root.path().join("devnet"))
            .output()
            .expect("run hearthd devnet");
        assert!(!run.status.success(), "{span:?} is refused");
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(said.contains("span"), "{span:?}: {said}");
        assert!(
            !root.path().join("devnet").exists(),
            "nothing is made for {span:?}"
        );
    }
}
