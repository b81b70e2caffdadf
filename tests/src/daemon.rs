//! A `hearthd` started with exactly the arguments a test gives — none of
//! [`Node`](crate::Node)'s defaults (`run`, loopback p2p, test controls) —
//! with its standard output and its log (stderr) kept apart, for tests of
//! what a person starting the node sees.

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Instant;

use crate::{START_TIMEOUT, STOP_TIMEOUT, hearthd_bin, tail, wait_timeout};

/// A running `hearthd` in a temporary data directory; killed when dropped.
#[derive(Debug)]
pub struct Daemon {
    root: tempfile::TempDir,
    child: Option<Child>,
    url: String,
}

impl Daemon {
    /// Runs `hearthd --data-dir <new dir> <args>` with `env` set (and no
    /// `HEARTH_*` or `RUST_LOG` from the test's environment) and waits
    /// until its API is up.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Daemon {
        let root = tempfile::Builder::new()
            .prefix("hearth-daemon-")
            .tempdir()
            .expect("a temporary directory");
        let mut command = Command::new(hearthd_bin());
        command
            .arg("--data-dir")
            .arg(root.path().join("data"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(fs::File::create(root.path().join("stdout")).expect("a file"))
            .stderr(fs::File::create(root.path().join("stderr")).expect("a file"));
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(|n| n.starts_with("HEARTH_")) || name == "RUST_LOG" {
                command.env_remove(name);
            }
        }
        command.env_remove("NO_COLOR");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", hearthd_bin().display()));
        let mut daemon = Daemon {
            root,
            child: Some(child),
            url: String::new(),
        };
        daemon.wait_ready();
        daemon
    }

    fn wait_ready(&mut self) {
        let addr_file = self.data_dir().join("api.addr");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(addr) = fs::read_to_string(&addr_file)
                .ok()
                .and_then(|t| t.trim().parse::<std::net::SocketAddr>().ok())
            {
                self.url = format!("http://{addr}");
                return;
            }
            let child = self.child.as_mut().expect("started");
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "hearthd exited ({status}) before its API was up:\n{}\n{}",
                    self.stdout(),
                    tail(&self.stderr(), 40)
                );
            }
            assert!(
                Instant::now() < deadline,
                "hearthd did not start within {START_TIMEOUT:?}:\n{}",
                tail(&self.stderr(), 40)
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// The API's base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// Everything the node printed on its standard output so far.
    pub fn stdout(&self) -> String {
        fs::read_to_string(self.root.path().join("stdout")).unwrap_or_default()
    }

    /// Everything the node logged (its standard error) so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(self.root.path().join("stderr")).unwrap_or_default()
    }

    /// Stops the node with SIGTERM and waits for it to exit.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the node is running");
        let sent = Command::new("kill")
            .args(["-s", "TERM", &child.id().to_string()])
            .status()
            .expect("run kill(1)");
        assert!(sent.success(), "kill -s TERM {} failed", child.id());
        wait_timeout(&mut child, STOP_TIMEOUT).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("hearthd did not stop within {STOP_TIMEOUT:?} of SIGTERM")
        })
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            eprintln!(
                "--- hearthd's output ---\n{}\n--- its log ---\n{}",
                self.stdout(),
                tail(&self.stderr(), 60)
            );
        }
    }
}
