//! `hearthd devnet` end to end: the real command starts a federation of
//! real nodes, the real `hearth` CLI holds a network referendum on it with
//! the keys the devnet wrote, and stopping the devnet (with SIGTERM, or
//! killing it outright) leaves no node behind. With `--keep-going`, a node
//! killed outright leaves the others running and is restarted on request.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use hearth_tests::{
    CLI_TIMEOUT, Http, Run, converge, hearth_bin, hearthd_bin, run_to_end, tail, wait_timeout,
};
use serde_json::Value;

/// How long the devnet may take to start its nodes and form the network.
const READY: Duration = Duration::from_secs(120);

/// How long a vote of the devnet takes to be certified everywhere.
const CERTIFIED: Duration = Duration::from_secs(60);

/// How long the devnet may take to stop its nodes.
const STOP: Duration = Duration::from_secs(40);

/// A running `hearthd devnet`, killed (SIGKILL) when dropped.
struct Devnet {
    child: Option<Child>,
    /// Its standard input (requests in `--keep-going` mode).
    stdin: Option<ChildStdin>,
    scratch: tempfile::TempDir,
    dir: PathBuf,
}

/// One community as the devnet printed it.
#[derive(Debug, Clone)]
struct Community {
    name: String,
    id: String,
    url: String,
    home: PathBuf,
    pid: u32,
    /// Key name and did.
    keys: Vec<(String, String)>,
}

impl Devnet {
    /// Runs `hearthd devnet --dir <dir> <args>` with its output in files.
    fn start(dir: &Path, args: &[&str]) -> Devnet {
        let scratch = tempfile::Builder::new()
            .prefix("hearth-devnet-out-")
            .tempdir()
            .expect("a temporary directory");
        let out = fs::File::create(scratch.path().join("out")).expect("an output file");
        let err = fs::File::create(scratch.path().join("err")).expect("an output file");
        let mut child = Command::new(hearthd_bin())
            .arg("devnet")
            .args(args)
            .arg("--dir")
            .arg(dir)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start hearthd devnet");
        Devnet {
            stdin: child.stdin.take(),
            child: Some(child),
            scratch,
            dir: dir.to_path_buf(),
        }
    }

    /// What the devnet printed on stderr so far.
    fn stderr(&self) -> String {
        fs::read_to_string(self.scratch.path().join("err")).unwrap_or_default()
    }

    /// Writes `line` to the devnet's standard input.
    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("the devnet's standard input");
        writeln!(stdin, "{line}").expect("write to the devnet's standard input");
        stdin.flush().expect("flush the devnet's standard input");
    }

    /// Whether the devnet process still runs.
    fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    fn output(&self) -> String {
        let read =
            |name: &str| fs::read_to_string(self.scratch.path().join(name)).unwrap_or_default();
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            tail(&read("out"), 60),
            tail(&read("err"), 30)
        )
    }

    /// Waits for the `Ready.` line and parses the communities printed.
    fn ready(&mut self) -> Vec<Community> {
        let out_path = self.scratch.path().join("out");
        let child = self.child.as_mut().expect("the devnet runs");
        let text = converge(READY, "the devnet is ready", || {
            if let Ok(Some(status)) = child.try_wait() {
                let out = fs::read_to_string(&out_path).unwrap_or_default();
                let err = fs::read_to_string(out_path.with_file_name("err")).unwrap_or_default();
                panic!("hearthd devnet exited ({status}) before it was ready:\n{out}\n{err}");
            }
            let text = fs::read_to_string(&out_path).ok()?;
            text.lines()
                .any(|l| l.starts_with("Ready."))
                .then_some(text)
        });
        parse(&text)
    }

    /// Sends SIGTERM and waits for the devnet to exit successfully.
    fn terminate(&mut self) {
        self.stdin = None;
        let mut child = self.child.take().expect("the devnet runs");
        let sent = Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .expect("run kill(1)");
        assert!(sent.success());
        let status = wait_timeout(&mut child, STOP).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the devnet did not stop within {STOP:?}: {}", self.output())
        });
        assert!(
            status.success(),
            "the devnet exited with {status}: {}",
            self.output()
        );
    }

    /// Kills the devnet with SIGKILL: it has no chance to stop its nodes.
    fn kill9(&mut self) {
        let mut child = self.child.take().expect("the devnet runs");
        child.kill().expect("SIGKILL the devnet");
        child.wait().expect("reap the devnet");
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
                "--- hearthd devnet in {} ---\n{}",
                self.dir.display(),
                self.output()
            );
        }
    }
}

/// The communities of the devnet's summary: a line `cN (community <id>…`
/// and then `  <field>  <value>` lines.
fn parse(text: &str) -> Vec<Community> {
    let mut communities: Vec<Community> = Vec::new();
    for line in text.lines() {
        if let Some((name, rest)) = line.split_once(" (community ")
            && name.starts_with('c')
            && !name.contains(' ')
        {
            communities.push(Community {
                name: name.to_string(),
                id: rest.chars().take(64).collect(),
                url: String::new(),
                home: PathBuf::new(),
                pid: 0,
                keys: Vec::new(),
            });
            continue;
        }
        let Some(c) = communities.last_mut() else {
            continue;
        };
        let mut words = line.split_whitespace();
        match (line.starts_with("  "), words.next(), words.next()) {
            (true, Some("api"), Some(url)) => c.url = url.to_string(),
            (true, Some("home"), Some(home)) => c.home = PathBuf::from(home),
            (true, Some("pid"), Some(pid)) => c.pid = pid.parse().expect("a pid"),
            (true, Some("key"), Some(name)) => c.keys.push((
                name.to_string(),
                words.next().expect("a key's did").to_string(),
            )),
            _ => {}
        }
    }
    for c in &communities {
        assert!(
            c.url.starts_with("http://127.0.0.1:") && c.home.is_absolute() && c.pid > 0,
            "an incomplete community in the devnet's output: {c:?}\n{text}"
        );
    }
    communities
}

/// Runs `hearth` as the members of `community` (its `HEARTH_HOME`; the
/// node comes from the home's config.toml unless `args` say `--node`).
fn hearth(community: &Community, args: &[&str]) -> Run {
    let mut command = Command::new(hearth_bin());
    command
        .args(args)
        .env("HEARTH_HOME", &community.home)
        .env_remove("HEARTH_NODE")
        .env_remove("HEARTH_KEY")
        .env_remove("HEARTH_PASSPHRASE")
        .env("NO_COLOR", "1");
    let scratch = community.home.parent().expect("the community's directory");
    run_to_end(command, scratch, CLI_TIMEOUT)
}

#[track_caller]
fn ok(community: &Community, args: &[&str]) -> String {
    let run = hearth(community, args);
    assert!(
        run.success(),
        "hearth {args:?} as {} failed: {run}",
        community.name
    );
    run.stdout
}

/// Whether process `pid` still runs (a zombie does not).
fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // `pid (comm) state …`: the state follows the last parenthesis.
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        !state.is_some_and(|s| s.starts_with('Z') || s.starts_with('X'))
    })
}

/// ```text
///                    hearthd devnet (parent; SIGTERM stops it)
///              ┌────────────┼────────────┐
///   region-1:  c0 ◄──────── c1 ───────── c2      (c1, c2 dial c0)
///              ▲            ▲            ▲
///   hearth:  member1      member1      council
///           proposes,    votes -2     delegates to
///           votes +4                  c0's member1
/// ```
/// A network referendum with the real CLI and the devnet's keys: every
/// node certifies the same result, `hearth audit` verifies it, and SIGTERM
/// stops the devnet and all its nodes.
#[test]
fn a_devnet_holds_a_network_referendum_with_the_cli() {
    let root = tempfile::Builder::new()
        .prefix("hearth-devnet-")
        .tempdir()
        .expect("a temporary directory");
    let dir = root.path().join("net");
    let args = [
        "--communities",
        "3",
        "--regions",
        "1",
        "--members",
        "2",
        "--voting",
        "10",
        "--grace",
        "3",
    ];
    let mut devnet = Devnet::start(&dir, &args);
    let communities = devnet.ready();
    assert_eq!(communities.len(), 3, "{}", devnet.output());
    for c in &communities {
        let names: Vec<&str> = c.keys.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["council", "member1"], "{c:?}");
        let keys = ok(c, &["key", "list"]);
        assert!(
            keys.contains("council") && keys.contains("member1"),
            "{keys}"
        );
    }
    let (a, b, c) = (&communities[0], &communities[1], &communities[2]);

    // Proposed by a member of c0 through its node (from config.toml).
    let proposed = ok(
        a,
        &[
            "--key",
            "member1",
            "propose",
            "--level",
            "network",
            "--kind",
            "policy",
            "--title",
            "Shared tool library",
            "--text",
            "Every community lends its tools.",
        ],
    );
    let id = proposed
        .lines()
        .next()
        .expect("the id first")
        .trim()
        .to_string();
    assert_eq!(id.len(), 64, "{proposed}");
    converge(CERTIFIED, "c1 and c2 know the proposal", || {
        [b, c]
            .iter()
            .all(|x| hearth(x, &["--key", "member1", "show", &id]).success())
            .then_some(())
    });
    ok(a, &["--key", "member1", "vote", &id, "--quadratic", "+4"]);
    ok(
        b,
        &[
            "--node",
            &b.url,
            "--key",
            "member1",
            "vote",
            &id,
            "--quadratic",
            "-2",
        ],
    );
    let a_member = &a.keys[1].1;
    ok(
        c,
        &[
            "--key", "council", "delegate", a_member, "--scope", "network",
        ],
    );

    let views: Vec<Value> = converge(CERTIFIED, "every node certifies the referendum", || {
        let views: Vec<Value> = communities
            .iter()
            .map(|x| {
                let run = hearth(x, &["--key", "member1", "--json", "show", &id]);
                serde_json::from_str(run.stdout.trim()).unwrap_or(Value::Null)
            })
            .collect();
        views
            .iter()
            .all(|v| v["final"] == true && !v["certification"]["certified"].is_null())
            .then_some(views)
    });
    let first = &views[0];
    for v in &views {
        assert_eq!(v["result"], first["result"], "every node counts the same");
        assert_eq!(v["certification"]["certified"], first["result"]);
    }
    let report = &first["report"];
    assert_eq!(report["eligible"], 6, "{report}");
    assert_eq!(report["ballots"], 2, "{report}");
    assert_eq!(first["passed"], true, "4 × 2 for, 2 against: {report}");
    assert_eq!(
        report["count"]["report"]["delegation"]["weight"][a_member], 2,
        "c0's member carries c2's council's delegated vote: {report}"
    );

    let audit = hearth(b, &["--node", &a.url, "audit"]);
    assert_eq!(audit.code, Some(0), "hearth audit: {audit}");

    devnet.terminate();
    for x in &communities {
        assert!(
            !alive(x.pid),
            "node {} ({}) outlived the devnet",
            x.name,
            x.pid
        );
        // A node stopped cleanly removes its address file.
        assert!(
            !x.home.with_file_name("data").join("api.addr").exists(),
            "node {} did not stop cleanly",
            x.name
        );
    }
}

/// ```text
///   hearthd devnet ──SIGKILL──╳      c0, c1: standard input closes → stop
///   hearthd devnet (again)  ──► restarts c0, c1 on the same directory
/// ```
/// A devnet killed outright takes its nodes with it; started again on its
/// directory it restarts the same federation, and refuses flags that
/// would reshape it; bad flags are refused before anything starts.
#[test]
fn a_killed_devnet_takes_its_nodes_along_and_starts_again() {
    let root = tempfile::Builder::new()
        .prefix("hearth-devnet-")
        .tempdir()
        .expect("a temporary directory");
    let dir = root.path().join("net");

    let refused = run_to_end(
        {
            let mut command = Command::new(hearthd_bin());
            command
                .args(["devnet", "--communities", "1", "--dir"])
                .arg(&dir);
            command
        },
        root.path(),
        CLI_TIMEOUT,
    );
    assert_eq!(refused.code, Some(2), "{refused}");
    assert!(refused.stderr.contains("--communities"), "{refused}");
    assert!(!dir.exists(), "nothing is created for bad flags");

    let args = ["--communities", "2", "--members", "1", "--regions", "0"];
    let mut devnet = Devnet::start(&dir, &args);
    let first = devnet.ready();
    assert_eq!(first.len(), 2);
    devnet.kill9();
    converge(STOP, "the nodes stop when the devnet dies", || {
        first.iter().all(|c| !alive(c.pid)).then_some(())
    });

    let reshaped = run_to_end(
        {
            let mut command = Command::new(hearthd_bin());
            command
                .args(["devnet", "--communities", "3", "--dir"])
                .arg(&dir);
            command
        },
        root.path(),
        CLI_TIMEOUT,
    );
    assert_eq!(reshaped.code, Some(2), "{reshaped}");
    assert!(
        reshaped.stderr.contains("formed with --communities 2"),
        "{reshaped}"
    );

    let mut again = Devnet::start(&dir, &[]);
    let second = again.ready();
    let ids = |list: &[Community]| list.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&second), ids(&first), "the same communities");
    let members = ok(&second[1], &["--key", "council", "members"]);
    assert!(members.contains(&second[1].keys[0].1), "{members}");
    again.terminate();
    assert!(second.iter().all(|c| !alive(c.pid)));
}

/// ```text
///   hearthd devnet --keep-going:   c0 ◄──── c1 ──── c2
///   kill -9 c1  ──▶ "node c1 exited (… SIGKILL)"; c0 and c2 still answer,
///                   c0's member1 proposes a network policy, c2 gets it
///   "restart c1" on the devnet's stdin ──▶ c1 answers again (new port,
///                   new pid) and fetches the proposal it missed
/// ```
#[test]
fn a_keep_going_devnet_outlives_a_killed_node_and_restarts_it() {
    let root = tempfile::Builder::new()
        .prefix("hearth-devnet-")
        .tempdir()
        .expect("a temporary directory");
    let dir = root.path().join("net");
    let args = [
        "--communities",
        "3",
        "--members",
        "2",
        "--regions",
        "0",
        "--keep-going",
    ];
    let mut devnet = Devnet::start(&dir, &args);
    let communities = devnet.ready();
    let (a, b, c) = (&communities[0], &communities[1], &communities[2]);
    let http = Http::new();
    let healthy = |url: &str| {
        http.get(url, "/healthz", &[])
            .is_ok_and(|response| response.status == 200)
    };

    let killed = Command::new("kill")
        .args(["-s", "KILL", &b.pid.to_string()])
        .status()
        .expect("run kill(1)");
    assert!(killed.success());
    converge(STOP, "the devnet reports c1's exit", || {
        devnet
            .stderr()
            .lines()
            .any(|l| l.contains("node c1 exited") && l.contains("SIGKILL"))
            .then_some(())
    });
    assert!(
        devnet.running(),
        "the devnet keeps going: {}",
        devnet.output()
    );
    assert!(!healthy(&b.url), "c1 is down");
    for x in [a, c] {
        assert!(alive(x.pid), "{} still runs", x.name);
        assert!(healthy(&x.url), "{} still answers", x.name);
    }

    // What c1 misses while it is down.
    let proposed = ok(
        a,
        &[
            "--key",
            "member1",
            "propose",
            "--level",
            "network",
            "--kind",
            "policy",
            "--title",
            "Fault drill",
            "--text",
            "Proposed while c1 was down.",
        ],
    );
    let id = proposed
        .lines()
        .next()
        .expect("the id first")
        .trim()
        .to_string();
    converge(CERTIFIED, "c2 knows the proposal", || {
        hearth(c, &["--key", "member1", "show", &id])
            .success()
            .then_some(())
    });

    devnet.send("restart c1");
    let (url, pid) = converge(READY, "the devnet restarts c1", || {
        devnet.stderr().lines().find_map(|l| {
            let rest = l.split_once("node c1 restarted: ")?.1;
            let (url, pid) = rest.split_once(" (pid ")?;
            Some((
                url.to_string(),
                pid.trim_end_matches(')').parse::<u32>().ok()?,
            ))
        })
    });
    assert_ne!(pid, b.pid, "a new process");
    assert!(alive(pid), "c1 runs again");
    assert!(healthy(&url), "c1 answers again at {url}");
    // Its members' CLI home now points at its new address, and it has
    // caught up on what it missed.
    converge(CERTIFIED, "c1 catches up on the proposal", || {
        hearth(b, &["--key", "member1", "show", &id])
            .success()
            .then_some(())
    });
    let restarted = hearth(b, &["--key", "member1", "--json", "show", &id]);
    assert!(restarted.stdout.contains("Fault drill"), "{restarted}");

    devnet.send("restart c1");
    converge(STOP, "a running node is not restarted twice", || {
        devnet
            .stderr()
            .contains("cannot restart c1: node c1 is running")
            .then_some(())
    });
    devnet.terminate();
    for p in [a.pid, pid, c.pid] {
        assert!(!alive(p), "node {p} outlived the devnet");
    }
}
