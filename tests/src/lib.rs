//! The end-to-end test harness (tier 4 of STYLE.md "Tests"): real
//! `hearthd` processes on `127.0.0.1:0` with real sled directories in
//! temporary folders, driven over HTTP by [`Member`] and from the command
//! line by the real `hearth` binary through [`Cli`].
//!
//! Every wait has a deadline ([`converge`]), every process a test starts is
//! killed when its handle is dropped, and randomness comes from a seeded
//! [`Rng`] (set `SEED=<n>` to replay a run; the seed is printed).
//!
//! The binaries are found next to the test executable
//! (`target/<profile>/{hearthd,hearth}`), or in `HEARTH_BIN_DIR`; see
//! [`bin_dir`].

use std::collections::BTreeMap;
use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_protocol::request::sign_request;
use hearth_protocol::{
    Action, ActionBody, Canonical, Hash, InviteCode, Keypair, LogKind, MembershipAction, PublicKey,
    SignedAction, SignedEntry, Timestamp,
};
use serde_json::Value;

/// How long a node may take to start and report its API address.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a node may take to shut down after SIGTERM.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// How long one run of the `hearth` CLI may take.
pub const CLI_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one HTTP request may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Set this environment variable to keep every node's temporary directory
/// (data directory and output) after the test, for a post-mortem.
pub const KEEP_ENV: &str = "HEARTH_TESTS_KEEP";

/// How often [`converge`] and the process waits poll.
const POLL: Duration = Duration::from_millis(10);

// ---------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------

/// The directory holding the `hearthd` and `hearth` binaries.
///
/// `HEARTH_BIN_DIR` if set; otherwise the profile directory the running
/// test executable was built into (`target/<profile>/deps/<test>` →
/// `target/<profile>`). `cargo test --workspace` (the suite's command)
/// builds both binaries there itself, once, with the features the suite
/// uses, before any test runs. Only when a binary is missing or older than
/// a source file of the crates it is built from (as after `cargo test -p
/// hearth-tests` alone, which does not build other packages' binaries) are
/// both built once per test process with `cargo build -p hearth-node -p
/// hearth-cli --bins` in the same profile. If that fails the test fails
/// saying so — unless older binaries exist, which are then tested with a
/// warning (a workspace that does not compile fails `cargo test
/// --workspace` anyway).
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("HEARTH_BIN_DIR").filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        let exe = std::env::current_exe().expect("the test executable's path");
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test executable lives in target/<profile>/deps")
            .to_path_buf();
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the tests crate lives in the workspace");
        let stale = BINARIES
            .iter()
            .any(|(bin, crates)| is_stale(&dir.join(bin), newest_source(workspace, crates)));
        if stale {
            build_binaries(workspace, &dir);
        }
        dir
    })
}

/// Each binary and the crates it is built from, relative to the
/// workspace: a binary is stale only when one of its own sources changed
/// (`cargo test` does not relink `hearthd` after an edit of the CLI).
const BINARIES: [(&str, [&str; 2]); 2] = [
    ("hearthd", ["protocol", "node"]),
    ("hearth", ["protocol", "cli"]),
];

/// The newest modification time among the files a binary is built from:
/// the files under `src/` of its `crates` except test-only
/// modules (a `#[cfg(test)] mod name;` is compiled into the test harness,
/// never into a binary, so editing it does not rebuild one), their
/// manifests, the workspace manifest and the lock file.
fn newest_source(workspace: &Path, crates: &[&str]) -> Option<SystemTime> {
    fn modified(path: &Path) -> Option<SystemTime> {
        fs::metadata(path).and_then(|m| m.modified()).ok()
    }
    fn walk(dir: &Path, skip: &mut Vec<PathBuf>, newest: &mut Option<SystemTime>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        // Files before directories, so a module's test-only children are
        // known before its directory is walked.
        entries.sort_by_key(|p| p.is_dir());
        for path in entries {
            if skip.contains(&path) {
                continue;
            }
            if path.is_dir() {
                walk(&path, skip, newest);
            } else if path.extension().is_some_and(|e| e == "rs") {
                skip.extend(test_only_children(&path));
                *newest = (*newest).max(modified(&path));
            }
        }
    }
    let mut newest = None;
    let mut skip = Vec::new();
    for file in ["Cargo.toml", "Cargo.lock"] {
        newest = newest.max(modified(&workspace.join(file)));
    }
    for krate in crates {
        newest = newest.max(modified(&workspace.join(krate).join("Cargo.toml")));
        walk(&workspace.join(krate).join("src"), &mut skip, &mut newest);
    }
    newest
}

/// The files and directories of the modules `file` declares under
/// `#[cfg(test)]` (`mod tests;` → `tests.rs` and `tests/` beside it, or
/// in its own directory for `lib.rs`, `main.rs` and `mod.rs`).
fn test_only_children(file: &Path) -> Vec<PathBuf> {
    let Ok(text) = fs::read_to_string(file) else {
        return Vec::new();
    };
    let dir = match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") => file.parent().map(Path::to_path_buf),
        _ => Some(file.with_extension("")),
    };
    let Some(dir) = dir else {
        return Vec::new();
    };
    let mut children = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line != "#[cfg(test)]" {
            continue;
        }
        let Some(next) = lines.next() else { break };
        let declared = next
            .trim_start_matches("pub(crate) ")
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(name) = declared {
            children.push(dir.join(format!("{name}.rs")));
            children.push(dir.join(name));
        }
    }
    children
}

/// Whether the binary at `path` is missing or older than `sources`.
fn is_stale(path: &Path, sources: Option<SystemTime>) -> bool {
    match fs::metadata(path).and_then(|m| m.modified()) {
        Ok(built) => sources.is_some_and(|newest| newest > built),
        Err(_) => true,
    }
}

/// Builds both binaries into the profile directory `dir`.
fn build_binaries(workspace: &Path, dir: &Path) {
    let profile = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug")
        .to_string();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace).args([
        "build",
        "-p",
        "hearth-node",
        "-p",
        "hearth-cli",
        "--bins",
    ]);
    match profile.as_str() {
        "debug" => {}
        "release" => {
            command.arg("--release");
        }
        other => {
            command.args(["--profile", other]);
        }
    }
    if let Some(target) = dir.parent() {
        command.env("CARGO_TARGET_DIR", target);
    }
    eprintln!("hearth-tests: building the binaries: {command:?}");
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build hearthd and hearth: {e}"));
    let present = ["hearthd", "hearth"].iter().all(|b| dir.join(b).exists());
    if !status.success() && present {
        // `cargo test --workspace` builds the binaries itself, so this only
        // happens with `-p hearth-tests` while another crate is mid-edit.
        eprintln!(
            "hearth-tests: WARNING: rebuilding the binaries failed ({status}); \
             testing the older ones in {}",
            dir.display()
        );
        return;
    }
    assert!(
        status.success(),
        "`cargo build -p hearth-node -p hearth-cli --bins` ({profile}) failed: {status}; \
         build them yourself or point HEARTH_BIN_DIR at a directory holding them"
    );
    for bin in ["hearthd", "hearth"] {
        assert!(
            dir.join(bin).exists(),
            "{} is still missing after building",
            dir.join(bin).display()
        );
    }
}

/// The path of the `hearthd` binary.
pub fn hearthd_bin() -> PathBuf {
    bin_dir().join("hearthd")
}

/// The path of the `hearth` binary.
pub fn hearth_bin() -> PathBuf {
    bin_dir().join("hearth")
}

// ---------------------------------------------------------------------------
// Time, waiting, randomness
// ---------------------------------------------------------------------------

/// The wall clock in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_millis() as u64
}

/// Polls `check` until it returns `Some`, at most for `timeout`; panics
/// naming `what` if it never does.
#[track_caller]
pub fn converge<T>(timeout: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("{what}: did not happen within {timeout:?}");
        }
        thread::sleep(POLL);
    }
}

/// A small deterministic RNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

/// The seed used when `SEED` is not set.
pub const DEFAULT_SEED: u64 = 0x4845_4152_5448;

impl Rng {
    /// An RNG seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// An RNG seeded from the `SEED` environment variable (decimal or
    /// `0x` hex), else [`DEFAULT_SEED`]. Prints the seed, so a failing
    /// run's output says how to replay it.
    pub fn from_env() -> Rng {
        let seed = std::env::var("SEED")
            .ok()
            .map(|s| {
                let s = s.trim();
                match s.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => s.parse(),
                }
                .unwrap_or_else(|e| panic!("SEED={s:?} is not a number: {e}"))
            })
            .unwrap_or(DEFAULT_SEED);
        eprintln!("hearth-tests: SEED={seed} (set SEED to replay this run)");
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// An index below `n` (which must be positive).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "no index below 0");
        (self.next_u64() % n as u64) as usize
    }

    /// 32 random bytes, e.g. a key seed.
    pub fn seed32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        out
    }

    /// A fresh key pair.
    pub fn keypair(&mut self) -> Keypair {
        Keypair::from_seed(&self.seed32())
    }
}

/// Waits for `child` to exit, at most `timeout`.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => return None,
            Ok(None) => thread::sleep(POLL),
            Err(e) => panic!("cannot wait for process {}: {e}", child.id()),
        }
    }
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

// ---------------------------------------------------------------------------
// Node
// ---------------------------------------------------------------------------

/// A running (or stopped) `hearthd` with its own temporary data directory.
///
/// The process is killed when the handle is dropped; if the test is
/// panicking, the tail of the node's output is printed first.
#[derive(Debug)]
pub struct Node {
    root: tempfile::TempDir,
    child: Option<Child>,
    url: String,
    starts: u32,
    extra: Vec<String>,
}

impl Node {
    /// Starts a node in a new data directory: it founds a community there.
    pub fn start() -> Node {
        Node::start_with_args(&[])
    }

    /// [`Node::start`] with extra `hearthd run` arguments (kept for restarts).
    pub fn start_with_args(args: &[String]) -> Node {
        let mut node = Node::fresh();
        node.extra = args.to_vec();
        node.spawn();
        node
    }

    /// A node with a new, empty data directory, not started yet:
    /// [`Node::restart`] starts it, or [`Node::launch`] without waiting.
    pub fn fresh() -> Node {
        let root = tempfile::Builder::new()
            .prefix("hearth-node-")
            .tempdir()
            .expect("a temporary directory");
        Node {
            root,
            child: None,
            url: String::new(),
            starts: 0,
            extra: Vec::new(),
        }
    }

    /// Extra `hearthd run` arguments for the next starts (e.g. `--bootstrap`).
    pub fn set_args(&mut self, args: &[String]) {
        self.extra = args.to_vec();
    }

    /// The multiaddr (with `/p2p/`) the running node's p2p layer reported
    /// last; waits for it.
    pub fn p2p_addr(&self) -> String {
        converge(START_TIMEOUT, "the node's p2p address", || {
            self.log()
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("p2p listening on "))
                .map(|a| a.trim().to_string())
        })
    }

    /// The node's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// The file the node's stdout and stderr go to (all starts appended).
    pub fn log_path(&self) -> PathBuf {
        self.root.path().join("hearthd.log")
    }

    /// Everything the node printed so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The API's base URL, e.g. `http://127.0.0.1:41234` (changes on every start).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the process is running.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// The running process's id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The founder invite code the node wrote on founding.
    pub fn founder_invite(&self) -> String {
        let path = self.data_dir().join("founder-invite");
        fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
            .trim()
            .to_string()
    }

    /// Two members with their own CLIs: Alice claims the founder invite
    /// (so she is the council) and invites Bob, who joins.
    pub fn alice_and_bob(&self) -> (Cli, Cli) {
        let alice = Cli::new(self.url());
        let bob = Cli::new(self.url());
        alice.ok(&["key", "new", "alice"]);
        bob.ok(&["key", "new", "bob"]);
        alice.ok(&["join", &self.founder_invite()]);
        let code = alice.ok(&["invite", "--ttl", "1d"]);
        bob.ok(&["join", code.trim()]);
        (alice, bob)
    }

    fn spawn(&mut self) {
        self.launch();
        self.wait_ready();
    }

    /// Starts the process and returns at once, without waiting for it to
    /// come up (e.g. to kill it while it starts); [`Node::wait_ready`]
    /// waits.
    pub fn launch(&mut self) {
        assert!(self.child.is_none(), "the node is already running");
        let data = self.data_dir();
        // A node killed with SIGKILL leaves its address file behind.
        let _ = fs::remove_file(data.join("api.addr"));
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("the node's log file");
        self.starts += 1;
        let child = Command::new(hearthd_bin())
            .arg("--data-dir")
            .arg(&data)
            .args(["run", "--api", "127.0.0.1:0"])
            // Loopback only, no LAN discovery: test networks never meet.
            .args([
                "--no-mdns",
                "--p2p-listen",
                "/ip4/127.0.0.1/tcp/0",
                "--test-controls",
            ])
            .args(&self.extra)
            .env_remove("HEARTH_API")
            .env_remove("HEARTH_NAME")
            .env_remove("HEARTH_DATA_DIR")
            .env_remove("HEARTH_NODE_KEY_PASSPHRASE")
            .env_remove("HEARTH_NODE_KEY_PASSPHRASE_FILE")
            .env("RUST_LOG", "info,sled=warn")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file handle"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", hearthd_bin().display()));
        self.child = Some(child);
    }

    /// Waits until the launched node has written its API address (its API
    /// is then up); panics if it exits first or takes longer than
    /// [`START_TIMEOUT`].
    pub fn wait_ready(&mut self) {
        let addr_file = self.data_dir().join("api.addr");
        let mut child = self.child.take().expect("the node was launched");
        let deadline = Instant::now() + START_TIMEOUT;
        let addr: SocketAddr = loop {
            if let Some(addr) = fs::read_to_string(&addr_file)
                .ok()
                .and_then(|text| text.trim().parse().ok())
            {
                break addr;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "hearthd exited ({status}) before reporting its address; its output:\n{}",
                    tail(&self.log(), 40)
                );
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hearthd did not write {} within {START_TIMEOUT:?}; its output:\n{}",
                    addr_file.display(),
                    tail(&self.log(), 40)
                );
            }
            thread::sleep(POLL);
        };
        self.child = Some(child);
        assert!(
            addr.ip().is_loopback(),
            "the node bound {addr}, not 127.0.0.1"
        );
        self.url = format!("http://{addr}");
    }

    /// Kills the node with SIGKILL (no chance to flush) and reaps it.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("the node is running");
        // `Child::kill` sends SIGKILL on Unix.
        child.kill().expect("SIGKILL the node");
        child.wait().expect("reap the killed node");
    }

    /// Stops the node with SIGTERM and waits for it to exit; returns its
    /// exit status. Panics if it does not exit within [`STOP_TIMEOUT`].
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the node is running");
        // std has no SIGTERM and the workspace forbids `unsafe` (so no
        // `libc::kill`): the kill(1) utility sends it.
        let sent = Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .expect("run kill(1)");
        assert!(sent.success(), "kill -s TERM {} failed", child.id());
        match wait_timeout(&mut child, STOP_TIMEOUT) {
            Some(status) => status,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hearthd did not stop within {STOP_TIMEOUT:?} of SIGTERM; its output:\n{}",
                    tail(&self.log(), 40)
                );
            }
        }
    }

    /// Starts the node again on its data directory (stopping it with
    /// SIGTERM first if it runs). The URL changes.
    pub fn restart(&mut self) {
        if self.is_running() {
            let status = self.stop();
            assert!(status.success(), "hearthd exited with {status} on SIGTERM");
        }
        self.spawn();
    }

    /// Moves the node's clock to `at` (ms; its test controls): what falls
    /// due by then is sealed, and its entries carry that time from now on.
    #[track_caller]
    pub fn set_clock(&self, at: u64) {
        let offset = at as i64 - now_ms() as i64;
        let r = Http::new()
            .post(
                self.url(),
                "/v1/test/clock",
                "application/json",
                serde_json::json!({ "offset_ms": offset })
                    .to_string()
                    .as_bytes(),
            )
            .expect("the test clock");
        assert_eq!(r.status, 200, "{}", r.text);
    }

    /// Runs `hearthd --data-dir <dir> <args>` (e.g. `reindex`) to the end;
    /// the node must be stopped.
    pub fn hearthd(&self, args: &[&str]) -> Run {
        assert!(
            !self.is_running(),
            "stop the node before running hearthd {args:?}"
        );
        let mut command = Command::new(hearthd_bin());
        command
            .arg("--data-dir")
            .arg(self.data_dir())
            .args(args)
            .env("RUST_LOG", "warn");
        run_to_end(command, self.root.path(), CLI_TIMEOUT)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let keep = std::env::var_os(KEEP_ENV).is_some_and(|v| !v.is_empty());
        if keep {
            self.root.disable_cleanup(true);
            eprintln!("hearth-tests: kept {}", self.root.path().display());
        }
        if thread::panicking() {
            eprintln!(
                "--- last lines of hearthd's output ({} starts, {}) ---\n{}",
                self.starts,
                self.log_path().display(),
                tail(&self.log(), 60)
            );
            if !keep {
                eprintln!("(set {KEEP_ENV}=1 to keep the node's data directory and output)");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Running a process to the end
// ---------------------------------------------------------------------------

/// What a finished command printed and how it exited.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl Run {
    /// Whether it exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Asserts the command exited 1 (the node refused) with `code` in its
    /// standard error.
    #[track_caller]
    pub fn assert_refused(&self, code: &str) {
        assert_eq!(self.code, Some(1), "expected a refusal: {self}");
        assert!(self.stderr.contains(code), "expected {code:?}: {self}");
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `command` with no stdin, its output captured in files under
/// `scratch`, killing it after `timeout`.
pub fn run_to_end(mut command: Command, scratch: &Path, timeout: Duration) -> Run {
    let out = tempfile::NamedTempFile::new_in(scratch).expect("a temporary file");
    let err = tempfile::NamedTempFile::new_in(scratch).expect("a temporary file");
    command
        .stdin(Stdio::null())
        .stdout(out.reopen().expect("reopen a temporary file"))
        .stderr(err.reopen().expect("reopen a temporary file"));
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let status = match wait_timeout(&mut child, timeout) {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {timeout:?}");
        }
    };
    Run {
        code: status.code(),
        stdout: fs::read_to_string(out.path()).unwrap_or_default(),
        stderr: fs::read_to_string(err.path()).unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------
// The hearth CLI
// ---------------------------------------------------------------------------

/// One person's `hearth` CLI: its own key store (`HEARTH_HOME`, `HOME` and
/// `XDG_CONFIG_HOME` all in a temporary directory) and a node URL passed
/// as `--node`.
#[derive(Debug)]
pub struct Cli {
    home: tempfile::TempDir,
    node: String,
}

impl Cli {
    /// A CLI with an empty key store, talking to the node at `url`.
    pub fn new(url: &str) -> Cli {
        let home = tempfile::Builder::new()
            .prefix("hearth-cli-")
            .tempdir()
            .expect("a temporary directory");
        Cli {
            home,
            node: url.to_string(),
        }
    }

    /// The key store directory (`HEARTH_HOME`).
    pub fn home(&self) -> PathBuf {
        self.home.path().join("hearth")
    }

    /// Points the CLI at another node URL.
    pub fn set_node(&mut self, url: &str) {
        self.node = url.to_string();
    }

    /// Runs `hearth --node <url> <args>` to the end.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::new(hearth_bin());
        command
            .arg("--node")
            .arg(&self.node)
            .args(args)
            .env("HEARTH_HOME", self.home())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join("config"))
            .env_remove("HEARTH_NODE")
            .env_remove("HEARTH_KEY")
            .env_remove("HEARTH_PASSPHRASE")
            .env("NO_COLOR", "1");
        run_to_end(command, self.home.path(), CLI_TIMEOUT)
    }

    /// Runs `hearth <args>` and asserts it exits 0; returns its stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.success(), "hearth {args:?} failed: {run}");
        run.stdout
    }

    /// Runs `hearth --json <args>`, asserts it exits 0, parses its stdout.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert!(run.success(), "hearth {all:?} failed: {run}");
        serde_json::from_str(run.stdout.trim())
            .unwrap_or_else(|e| panic!("hearth {all:?} printed no JSON ({e}): {run}"))
    }

    /// The signer's balance in milli-KC (`hearth --json balance`).
    #[track_caller]
    pub fn balance(&self) -> i64 {
        let json = self.json(&["balance"]);
        json["balance"]
            .as_i64()
            .unwrap_or_else(|| panic!("balance --json has an integer balance: {json}"))
    }
}

// ---------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------

/// An HTTP response: the status and the body (parsed as JSON when it is).
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The body parsed as JSON (`Null` if it is not JSON).
    pub json: Value,
    /// The body as text.
    pub text: String,
}

impl Response {
    /// The stable error code of an error response (`{"error": code}`).
    pub fn code(&self) -> Option<&str> {
        self.json.get("error").and_then(Value::as_str)
    }

    /// Asserts the status is `status`, showing the body otherwise.
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Response {
        assert_eq!(self.status, status, "unexpected response: {}", self.text);
        self
    }

    /// Asserts this is an error with `status` and `code`.
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, Some(code)),
            "unexpected response: {}",
            self.text
        );
        assert!(
            self.json.get("message").and_then(Value::as_str).is_some(),
            "an error carries a message: {}",
            self.text
        );
    }
}

/// A plain HTTP client for the node API (4xx and 5xx are responses, not
/// errors; connection failures are errors).
#[derive(Debug, Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Default for Http {
    fn default() -> Self {
        Http::new()
    }
}

impl Http {
    /// A client with [`HTTP_TIMEOUT`] per request.
    pub fn new() -> Http {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(HTTP_TIMEOUT))
            .build()
            .new_agent();
        Http { agent }
    }

    fn read(response: ureq::http::Response<ureq::Body>) -> Result<Response, ureq::Error> {
        let status = response.status().as_u16();
        let text = response
            .into_body()
            .into_with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Response { status, json, text })
    }

    /// `GET base + path` with extra `headers`.
    pub fn get(
        &self,
        base: &str,
        path: &str,
        headers: &[(&str, String)],
    ) -> Result<Response, ureq::Error> {
        let mut request = self.agent.get(format!("{base}{path}"));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        Http::read(request.call()?)
    }

    /// `POST base + path` with `body` of `content_type`.
    pub fn post(
        &self,
        base: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<Response, ureq::Error> {
        let response = self
            .agent
            .post(format!("{base}{path}"))
            .header("content-type", content_type)
            .send(body)?;
        Http::read(response)
    }

    /// Submits the bytes of a signed action (`application/octet-stream`).
    pub fn submit_bytes(&self, base: &str, bytes: &[u8]) -> Result<Response, ureq::Error> {
        self.post(base, "/v1/actions", "application/octet-stream", bytes)
    }

    /// `POST base + path` with a JSON body, signed by `key` (the signature
    /// covers the body).
    pub fn signed_post(
        &self,
        base: &str,
        key: &Keypair,
        path: &str,
        body: &[u8],
    ) -> Result<Response, ureq::Error> {
        let headers = sign_request(key, "POST", path, request_time(), body);
        let mut request = self
            .agent
            .post(format!("{base}{path}"))
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        Http::read(request.send(body)?)
    }

    /// `GET base + path` signed by `key` (a fresh signature each call).
    pub fn signed_get(
        &self,
        base: &str,
        key: &Keypair,
        path: &str,
    ) -> Result<Response, ureq::Error> {
        let headers = sign_request(key, "GET", path, request_time(), b"");
        let headers: Vec<(&str, String)> = headers.into_iter().collect();
        self.get(base, path, &headers)
    }
}

/// A time for a signed request, later than every one handed out before.
///
/// The node accepts each request signature once, and ed25519 signatures
/// are deterministic: two reads of the same path signed in the same
/// millisecond would be one signature, and the second refused as a replay.
/// Times stay within a few milliseconds of the clock (well inside the
/// node's window).
pub fn request_time() -> Timestamp {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = now_ms();
    let previous = LAST
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
            Some(now.max(last + 1))
        })
        .expect("the update always succeeds");
    Timestamp(now.max(previous + 1))
}

/// Unwraps an HTTP result, panicking with the request on a transport error.
#[track_caller]
fn must(result: Result<Response, ureq::Error>, what: &str) -> Response {
    result.unwrap_or_else(|e| panic!("{what}: the request failed: {e}"))
}

/// The community id the node at `url` serves.
pub fn community_id(url: &str) -> Hash {
    let response = must(
        Http::new().get(url, "/v1/community", &[]),
        "GET /v1/community",
    );
    response.expect_status(200);
    response.json["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("/v1/community has no hex id: {}", response.text))
}

/// The heads of both logs of the node at `url` (`/v1/logs/heads`).
pub fn heads(url: &str) -> Value {
    let response = must(Http::new().get(url, "/v1/logs/heads", &[]), "GET heads");
    response.expect_status(200);
    response.json
}

/// A deterministic invite key pair derived from the member it is for.
fn invite_keypair(for_member: &PublicKey) -> Keypair {
    Keypair::from_seed(&Hash::of("hearth-tests invite", &for_member.0).0)
}

/// A member acting over HTTP: its key, its nonce counter and a node URL.
#[derive(Debug, Clone)]
pub struct Member {
    /// The member's key pair.
    pub key: Keypair,
    /// The community the member's actions are for.
    pub community: Hash,
    nonce: u64,
    url: String,
    http: Http,
}

impl Member {
    /// A member (or would-be member) with `key` of `community`, talking to `url`.
    pub fn new(key: Keypair, community: Hash, url: &str) -> Member {
        Member {
            key,
            community,
            nonce: 0,
            url: url.to_string(),
            http: Http::new(),
        }
    }

    /// Claims the node's founder invite with `key`: the new member is on
    /// the council.
    #[track_caller]
    pub fn found(node: &Node, key: Keypair) -> Member {
        let invite = InviteCode::parse(&node.founder_invite()).expect("a valid founder invite");
        let mut member = Member::new(key, invite.community, node.url());
        let body = invite.join_body(&member.public());
        member.submit(body).expect_status(201);
        member
    }

    /// Issues an invite for `key` (this member must be on the council) and
    /// joins with it; returns the new member.
    #[track_caller]
    pub fn admit(&mut self, key: Keypair) -> Member {
        let invite = invite_keypair(&key.public());
        let expires = Timestamp(now_ms() + 24 * 3600 * 1000);
        self.submit(ActionBody::Membership(MembershipAction::IssueInvite {
            key: invite.public(),
            expires,
        }))
        .expect_status(201);
        let code = InviteCode {
            community: self.community,
            seed: invite.seed(),
        };
        let mut member = Member::new(key, self.community, &self.url);
        let body = code.join_body(&member.public());
        member.submit(body).expect_status(201);
        member
    }

    /// The member's public key.
    pub fn public(&self) -> PublicKey {
        self.key.public()
    }

    /// The member's `did:key`.
    pub fn did(&self) -> String {
        self.public().to_did()
    }

    /// The node URL this member talks to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Talks to another node URL from now on (a restarted node has a new port).
    pub fn set_url(&mut self, url: &str) {
        self.url = url.to_string();
    }

    /// The next nonce (the counter only goes up).
    pub fn next_nonce(&mut self) -> u64 {
        self.nonce += 1;
        self.nonce
    }

    /// An unsigned action with the next nonce, created now.
    pub fn action(&mut self, body: ActionBody) -> Action {
        Action {
            author: self.public(),
            community: self.community,
            nonce: self.next_nonce(),
            created: Timestamp(now_ms()),
            body,
        }
    }

    /// Signs `body` with the next nonce.
    pub fn sign(&mut self, body: ActionBody) -> SignedAction {
        self.action(body).sign(&self.key)
    }

    /// Signs and submits `body`.
    #[track_caller]
    pub fn submit(&mut self, body: ActionBody) -> Response {
        let signed = self.sign(body);
        self.submit_bytes(&signed.to_bytes())
    }

    /// Submits a signed action's canonical bytes.
    #[track_caller]
    pub fn submit_signed(&self, action: &SignedAction) -> Response {
        self.submit_bytes(&action.to_bytes())
    }

    /// Submits raw bytes as an action.
    #[track_caller]
    pub fn submit_bytes(&self, bytes: &[u8]) -> Response {
        must(self.http.submit_bytes(&self.url, bytes), "POST /v1/actions")
    }

    /// An unsigned `GET`.
    #[track_caller]
    pub fn get(&self, path: &str) -> Response {
        must(self.http.get(&self.url, path, &[]), path)
    }

    /// A `GET` signed with this member's key.
    #[track_caller]
    pub fn signed_get(&self, path: &str) -> Response {
        must(self.http.signed_get(&self.url, &self.key, path), path)
    }

    /// The ledger (`/v1/ledger`): every account's balance in milli-KC by
    /// its JSON form (a member account by did) and the sum the node reports.
    #[track_caller]
    pub fn ledger(&self) -> Ledger {
        let response = self.signed_get("/v1/ledger");
        response.expect_status(200);
        let mut balances = BTreeMap::new();
        for account in response.json["accounts"].as_array().expect("accounts") {
            let name = match (&account["account"]["type"], &account["account"]["id"]) {
                (Value::String(t), Value::String(id)) if t == "member" => id.clone(),
                (other, _) => format!("{other}:{}", account["account"]),
            };
            let balance = account["balance"].as_i64().expect("an integer balance");
            balances.insert(name, balance);
        }
        Ledger {
            balances,
            sum: response.json["sum"].as_i64().expect("an integer sum"),
        }
    }

    /// Every entry of a log, paging through
    /// `/v1/logs/{kind}/entries` (signed), decoded from their canonical bytes.
    #[track_caller]
    pub fn log_entries(&self, kind: LogKind) -> Vec<SignedEntry> {
        let mut entries = Vec::new();
        let mut from = 0u64;
        loop {
            let path = format!("/v1/logs/{}/entries?from={from}&limit=256", kind.as_str());
            let response = self.signed_get(&path);
            response.expect_status(200);
            let page = response.json["entries"].as_array().expect("entries");
            for item in page {
                let bytes = B64
                    .decode(item["bytes"].as_str().expect("entry bytes"))
                    .expect("base64 entry bytes");
                let entry = SignedEntry::from_bytes(&bytes).expect("canonical entry bytes");
                assert_eq!(
                    Some(entry.entry.seq),
                    item["seq"].as_u64(),
                    "the JSON seq is the entry's"
                );
                assert_eq!(entry.entry.seq, entries.len() as u64, "no gaps");
                entries.push(entry);
            }
            match response.json["next"].as_u64() {
                Some(next) => {
                    assert!(next > from, "paging makes progress ({from} → {next})");
                    from = next;
                }
                None => break,
            }
        }
        entries
    }
}

/// Balances as `/v1/ledger` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    /// Balance in milli-KC per account (member accounts by did).
    pub balances: BTreeMap<String, i64>,
    /// The sum the node reports.
    pub sum: i64,
}

// ---------------------------------------------------------------------------
// Communities with their own rules
// ---------------------------------------------------------------------------

impl Node {
    /// Founds a community in a new data directory with `rules` (TOML, as
    /// `hearthd init --rules` reads it: unset rules keep their defaults),
    /// then starts the node on it.
    pub fn start_with_rules(rules: &str) -> Node {
        let mut node = Node::fresh();
        let file = node.root.path().join("rules.toml");
        fs::write(&file, rules).expect("write the rules file");
        let file = file.to_str().expect("a UTF-8 temporary path");
        let init = node.hearthd(&["init", "--rules", file]);
        assert!(init.success(), "hearthd init --rules failed: {init}");
        node.spawn();
        node
    }
}

pub mod federation;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rng_is_determined_by_its_seed_and_stays_in_range() {
        let a: Vec<u64> = (0..8)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..8)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..8)
            .scan(Rng::new(8), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut rng = Rng::new(1);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let x = rng.range(30, 34);
            assert!((30..=34).contains(&x));
            seen[(x - 30) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s), "every value comes up: {seen:?}");
    }

    #[test]
    fn request_times_never_repeat() {
        let times: Vec<u64> = (0..1000).map(|_| request_time().0).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        assert!(times[999] <= now_ms() + 1000, "they stay near the clock");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc\n", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
        assert_eq!(tail("", 5), "");
    }
}

pub mod browser;
pub mod daemon;
