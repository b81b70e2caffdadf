//! The devnet's nodes: `hearthd run` children on loopback, started one
//! after the other (each dialling the first), watched, restarted on
//! request, and stopped with SIGTERM.
//!
//! No node outlives the devnet: each runs in its own process group (so a
//! Ctrl-C in the terminal reaches only the devnet, which stops the nodes in
//! order) with `--until-stdin-closes` and its standard input a pipe from
//! the devnet, which the kernel closes however the devnet ends — even
//! killed with SIGKILL.

use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use super::manifest::{community_dir, community_name};

/// How long a node may take to start and report its addresses.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the nodes may take to stop after SIGTERM.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// How often process and file waits poll.
const POLL: Duration = Duration::from_millis(50);

/// The line a node prints when its p2p layer listens.
const P2P_LINE: &str = "p2p listening on ";

/// A running node of the devnet.
#[derive(Debug)]
pub struct Node {
    /// The community's name (`c0`, …), also its directory's.
    pub name: String,
    /// The community's directory.
    pub dir: PathBuf,
    /// The API's base URL.
    pub url: String,
    /// The p2p multiaddr, with `/p2p/<peer id>`.
    pub p2p: String,
    /// The process id.
    pub pid: u32,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
}

impl Node {
    /// The node's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The file its output goes to.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("node.log")
    }

    /// The CLI home of its members (`HEARTH_HOME`).
    pub fn home(&self) -> PathBuf {
        self.dir.join("home")
    }

    /// Starts node `i` of the devnet in `root` (founding its community on
    /// first start), dialling `bootstrap`, and waits until it reports its
    /// API and p2p addresses.
    fn spawn(exe: &Path, root: &Path, i: usize, bootstrap: Option<&str>) -> anyhow::Result<Node> {
        let name = community_name(i);
        let dir = community_dir(root, i);
        let data = dir.join("data");
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let log_path = dir.join("node.log");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("cannot open {}", log_path.display()))?;
        // Only what this start prints counts (the log is appended to).
        let offset = log.metadata().map(|m| m.len()).unwrap_or(0);
        let addr_file = data.join("api.addr");
        // A node killed with SIGKILL leaves its address file behind.
        let _ = fs::remove_file(&addr_file);
        let mut command = Command::new(exe);
        command
            .arg("--data-dir")
            .arg(&data)
            .args(["run", "--name", &name, "--api", "127.0.0.1:0"])
            .args(["--p2p-listen", "/ip4/127.0.0.1/tcp/0"])
            .arg("--until-stdin-closes");
        if let Some(peer) = bootstrap {
            command.args(["--bootstrap", peer]);
        }
        // The flags say everything: settings meant for another node must
        // not leak in from the environment.
        // Its output goes to a file: no colour codes.
        command.env("NO_COLOR", "1");
        for var in [
            "HEARTH_DATA_DIR",
            "HEARTH_API",
            "HEARTH_NAME",
            "HEARTH_P2P_LISTEN",
            "HEARTH_BOOTSTRAP",
            "HEARTH_NODE_KEY_PASSPHRASE",
            "HEARTH_NODE_KEY_PASSPHRASE_FILE",
        ] {
            command.env_remove(var);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        let stdin = child.stdin.take();
        let pid = child.id();
        let deadline = Instant::now() + START_TIMEOUT;
        let (url, p2p) = loop {
            let api = fs::read_to_string(&addr_file)
                .ok()
                .and_then(|text| text.trim().parse::<std::net::SocketAddr>().ok());
            let p2p = read_from(&log_path, offset).and_then(|text| {
                // Whole lines only: the node may be halfway through one.
                let whole = &text[..text.rfind('\n').map_or(0, |end| end + 1)];
                whole
                    .lines()
                    .find_map(|l| l.strip_prefix(P2P_LINE))
                    .map(|a| a.trim().to_string())
            });
            if let (Some(api), Some(p2p)) = (api, p2p) {
                break (format!("http://{api}"), p2p);
            }
            let failure = match child.try_wait() {
                Ok(Some(status)) => Some(format!("exited ({status})")),
                Ok(None) if Instant::now() >= deadline => Some(format!(
                    "did not report its API and p2p addresses within {START_TIMEOUT:?}"
                )),
                Ok(None) => None,
                Err(e) => Some(format!("cannot be watched: {e}")),
            };
            if let Some(failure) = failure {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "node {name} {failure}; the end of {}:\n{}",
                    log_path.display(),
                    tail(&read_from(&log_path, offset).unwrap_or_default(), 20)
                );
            }
            thread::sleep(POLL);
        };
        Ok(Node {
            name,
            dir,
            url,
            p2p,
            pid,
            child: Some(child),
            stdin,
        })
    }

    /// Asks the node to stop: SIGTERM, and its standard input closed
    /// (either is enough).
    fn terminate(&mut self) {
        if self.child.is_some() {
            // The workspace forbids `unsafe` (so no `libc::kill`): kill(1)
            // sends the signal.
            let _ = Command::new("kill")
                .args(["-s", "TERM", &self.pid.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        self.stdin = None;
    }
}

/// How a node stopped.
#[derive(Debug)]
pub struct Stopped {
    /// The community's name.
    pub name: String,
    /// Its exit status; `None` if it had to be killed.
    pub status: Option<ExitStatus>,
}

/// The devnet's nodes; dropping them stops them.
#[derive(Debug)]
pub struct Nodes {
    exe: PathBuf,
    root: PathBuf,
    nodes: Vec<Node>,
}

impl Nodes {
    /// Starts `count` nodes in `root` with the `hearthd` at `exe`: the
    /// first, then the others dialling it (kademlia and identify do the
    /// rest). On failure the nodes already started are stopped.
    pub fn start(exe: &Path, root: &Path, count: usize) -> anyhow::Result<Nodes> {
        let mut nodes = Nodes {
            exe: exe.to_path_buf(),
            root: root.to_path_buf(),
            nodes: Vec::new(),
        };
        for i in 0..count {
            let bootstrap = nodes.nodes.first().map(|n| n.p2p.clone());
            let node = Node::spawn(exe, root, i, bootstrap.as_deref())?;
            eprintln!("  node {} started: {}", node.name, node.url);
            nodes.nodes.push(node);
        }
        Ok(nodes)
    }

    /// The nodes, in community order.
    pub fn iter(&self) -> std::slice::Iter<'_, Node> {
        self.nodes.iter()
    }

    /// The file node `name`'s output goes to.
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.root.join(name).join("node.log")
    }

    /// The names of the nodes that have exited (and were not restarted).
    pub fn dead(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|n| n.child.is_none())
            .map(|n| n.name.clone())
            .collect()
    }

    /// Starts node `name` again, after it exited, on its data directory,
    /// dialling a node that runs (its API and p2p ports change).
    pub fn restart(&mut self, name: &str) -> anyhow::Result<&Node> {
        let Some(i) = self.nodes.iter().position(|n| n.name == name) else {
            let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
            bail!("no node {name:?} (the nodes are {})", names.join(", "));
        };
        if self.nodes[i].child.is_some() {
            bail!("node {name} is running");
        }
        let bootstrap = self
            .nodes
            .iter()
            .find(|n| n.child.is_some())
            .map(|n| n.p2p.clone());
        let node = Node::spawn(&self.exe, &self.root, i, bootstrap.as_deref())?;
        self.nodes[i] = node;
        Ok(&self.nodes[i])
    }

    /// A node that has exited since the last call, with its status.
    pub fn exited(&mut self) -> Option<(String, ExitStatus)> {
        for node in &mut self.nodes {
            let Some(child) = node.child.as_mut() else {
                continue;
            };
            if let Ok(Some(status)) = child.try_wait() {
                node.child = None;
                node.stdin = None;
                return Some((node.name.clone(), status));
            }
        }
        None
    }

    /// Stops every running node: SIGTERM to all, then waits for each
    /// (together at most [`STOP_TIMEOUT`]), killing those still running.
    pub fn stop(&mut self) -> Vec<Stopped> {
        for node in &mut self.nodes {
            node.terminate();
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        let mut stopped = Vec::new();
        for node in &mut self.nodes {
            let Some(mut child) = node.child.take() else {
                continue;
            };
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break None;
                    }
                }
            };
            stopped.push(Stopped {
                name: node.name.clone(),
                status,
            });
        }
        stopped
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The text of `path` from byte `offset` on.
fn read_from(path: &Path, offset: u64) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    let start = usize::try_from(offset).ok()?.min(bytes.len());
    Some(String::from_utf8_lossy(&bytes[start..]).into_owned())
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
