//! The README's walk-throughs, run word for word, so they cannot rot.
//!
//! Every ```` ```sh ```` block of `README.md` belongs to one walk-through
//! below and is run, as written, by `bash` with `errexit` and `pipefail`
//! (blocks that only illustrate — other people's hosts, a second terminal
//! typed into by hand — are fenced ```` ```console ```` instead, and are
//! not run). A test fails when a command fails, and when a command's
//! output lacks what its comment promises: a trailing `# → text` is the
//! output the reader should see (stdout and stderr together; `…` stands
//! for anything).
//!
//! What a reader does by hand, the harness does around the text: it runs
//! each walk-through in a fresh directory (with `examples/` and
//! `protocol/` of the repository linked into it), with `HOME` there, the
//! built binaries first on `PATH` and `cargo` a shell function that runs
//! them (`cargo run --release --bin hearthd` runs `hearthd`; `cargo build`
//! and `cargo test` are already done — this is that test). A block the
//! reader leaves running in one terminal ("keep the node running", the
//! devnet) runs in the background while the next blocks run in another
//! shell; every process a walk-through starts is stopped at its end.
//! Fixed ports are the one thing changed, through the environment, never
//! the text: the quick-start node listens on `HEARTH_API=127.0.0.1:0` and
//! `hearth` finds it through `HEARTH_NODE`; the devnet's votes last
//! `HEARTH_DEVNET_VOTING` seconds instead of two minutes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a whole walk-through may take.
const WALK_TIMEOUT: Duration = Duration::from_secs(300);

/// One ```` ```sh ```` block: the section it is in and its text.
#[derive(Debug)]
struct Block {
    section: String,
    line: usize,
    code: String,
}

fn readme() -> String {
    let path = workspace().join("README.md");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives in the workspace")
        .to_path_buf()
}

/// Every `sh` block of the README, with the heading above it.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            Some((start, code)) => {
                if line.trim_start().starts_with("```") {
                    blocks.push(Block {
                        section: section.clone(),
                        line: *start,
                        code: std::mem::take(code),
                    });
                    open = None;
                } else {
                    code.push_str(line);
                    code.push('\n');
                }
            }
            None => {
                if line.starts_with('#') {
                    section = line.trim_start_matches('#').trim().to_string();
                } else if line.trim() == "```sh" {
                    open = Some((i + 1, String::new()));
                }
            }
        }
    }
    assert!(open.is_none(), "README.md ends inside a code block");
    blocks
}

/// The blocks of `sections`, in README order; every section must hold one.
fn scripts_of(all: &[Block], sections: &[&str]) -> Vec<String> {
    for section in sections {
        assert!(
            all.iter().any(|b| b.section == *section),
            "README.md has no sh block under the heading {section:?}"
        );
    }
    all.iter()
        .filter(|b| sections.contains(&b.section.as_str()))
        .map(script)
        .collect()
}

/// A block as bash runs it: lines with a `# → expected` comment have
/// their output shown and checked; everything else is left as written.
fn script(block: &Block) -> String {
    let mut out = format!("# README.md line {}\n", block.line);
    let mut logical = String::new();
    let mut heredoc: Option<String> = None;
    for line in block.code.lines() {
        if let Some(end) = &heredoc {
            out.push_str(line);
            out.push('\n');
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        if let Some((_, rest)) = line.split_once("<<'") {
            heredoc = rest.split_once('\'').map(|(end, _)| end.to_string());
        }
        logical.push_str(line);
        if line.ends_with('\\') {
            logical.push('\n');
            continue;
        }
        let full = std::mem::take(&mut logical);
        match full.split_once("# → ") {
            Some((command, expected)) if heredoc.is_none() => {
                let quoted = expected.trim().replace('\'', r"'\''");
                out.push_str(&format!(
                    "__out=$({{ {}\n}} 2>&1); printf '%s\\n' \"$__out\"; __expect \"$__out\" '{quoted}'\n",
                    command.trim_end()
                ));
            }
            _ => {
                out.push_str(&full);
                out.push('\n');
            }
        }
    }
    out
}

/// What every walk-through's shell starts with.
fn prelude(bin: &Path) -> String {
    let bin = bin.display();
    format!(
        r#"set -e -o pipefail
export PATH="{bin}:$PATH"
cargo() {{
  case "$1" in
    run) shift; while [ "${{1#-}}" != "$1" ] && [ "$1" != --bin ]; do shift; done
         [ "$1" = --bin ] && shift; local exe=$1; shift; [ "$1" = -- ] && shift
         "{bin}/$exe" "$@" ;;
    build|test) echo "(cargo $*: built by the test suite)" ;;
    *) echo "cargo $* is not part of a walk-through" >&2; return 2 ;;
  esac
}}
__expect() {{
  local rest=$1 pattern=$2 piece
  while [ -n "$pattern" ]; do
    piece=${{pattern%%…*}}
    if [ "$piece" != "$pattern" ]; then pattern=${{pattern#*…}}; else pattern=; fi
    [ -z "$piece" ] && continue
    case $rest in
      *"$piece"*) rest=${{rest#*"$piece"}} ;;
      *) printf 'README: expected output with %s\n' "'$2'" >&2; return 1 ;;
    esac
  done
}}
"#
    )
}

/// A walk-through's directory and the shells it runs.
struct Walk {
    dir: tempfile::TempDir,
    env: BTreeMap<String, String>,
    background: Vec<(Child, PathBuf)>,
}

impl Walk {
    fn new() -> Walk {
        let dir = tempfile::tempdir().expect("tempdir");
        for linked in ["examples", "protocol"] {
            std::os::unix::fs::symlink(workspace().join(linked), dir.path().join(linked))
                .expect("link into the walk-through's directory");
        }
        let mut env = BTreeMap::new();
        env.insert("HOME".into(), dir.path().display().to_string());
        env.insert("NO_COLOR".into(), "1".into());
        Walk {
            dir,
            env,
            background: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, script: &str) -> Command {
        let mut command = Command::new("bash");
        command
            .arg("-c")
            .arg(format!("{}{script}", prelude(hearth_tests::bin_dir())))
            .current_dir(self.path())
            .env_remove("HEARTH_NODE")
            .env_remove("HEARTH_HOME")
            .env_remove("HEARTH_DATA_DIR")
            .envs(&self.env)
            .stdin(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command
    }

    /// Runs `scripts` in a shell left running, its output in `name.out`.
    fn leave_running(&mut self, name: &str, scripts: &[String]) {
        let out = self.path().join(format!("{name}.out"));
        let file = fs::File::create(&out).expect("output file");
        let child = self
            .command(&scripts.join(""))
            .stdout(file.try_clone().expect("dup"))
            .stderr(file)
            .spawn()
            .expect("bash");
        self.background.push((child, out));
    }

    /// Waits until `ready` holds, or fails with what the background shells said.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&Walk) -> bool) {
        let deadline = Instant::now() + hearth_tests::START_TIMEOUT;
        while !ready(self) {
            for (child, out) in &mut self.background {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!(
                        "waiting for {what}, a walk-through's shell ended ({status}):\n{}",
                        fs::read_to_string(out).unwrap_or_default()
                    );
                }
            }
            assert!(
                Instant::now() < deadline,
                "{what} did not happen in time; the background shells said:\n{}",
                self.background_output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn background_output(&self) -> String {
        self.background
            .iter()
            .map(|(_, out)| fs::read_to_string(out).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n----\n")
    }

    /// Runs `scripts` in one shell to the end; fails the test when it fails.
    fn run(&self, scripts: &[String]) -> String {
        let out = self.path().join("walk.out");
        let file = fs::File::create(&out).expect("output file");
        let mut child = self
            .command(&format!(
                "{}\nkill $(jobs -p) 2>/dev/null || true\nwait\n",
                scripts.join("")
            ))
            .stdout(file.try_clone().expect("dup"))
            .stderr(file)
            .spawn()
            .expect("bash");
        let deadline = Instant::now() + WALK_TIMEOUT;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                stop_group(&mut child);
                panic!(
                    "the walk-through did not finish within {WALK_TIMEOUT:?}:\n{}",
                    fs::read_to_string(&out).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let output = fs::read_to_string(&out).unwrap_or_default();
        assert!(
            status.success(),
            "the walk-through failed ({status}):\n{output}\n---- left running:\n{}\n---- script:\n{}",
            self.background_output(),
            scripts.join("")
        );
        output
    }
}

impl Drop for Walk {
    fn drop(&mut self) {
        for (child, _) in &mut self.background {
            stop_group(child);
        }
    }
}

/// Stops a shell and everything it started: SIGTERM to its process
/// group (nodes stop cleanly), SIGKILL if it lingers.
fn stop_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    let signal = |name: &str| {
        let _ = Command::new("kill")
            .args([name, "--", &group])
            .stderr(Stdio::null())
            .status();
    };
    signal("-TERM");
    let deadline = Instant::now() + hearth_tests::STOP_TIMEOUT;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            // The shell is gone; its children may not be.
            signal("-KILL");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    signal("-KILL");
    let _ = child.wait();
}

#[test]
fn every_sh_block_belongs_to_a_walk_through() {
    let known = [
        "Quick start",
        "Five minutes with `hearth`",
        "A trial community",
        "A community economy",
        "A federation on one machine",
        "A network referendum in five minutes",
        "Counting standard files",
    ];
    for block in blocks(&readme()) {
        assert!(
            known.contains(&block.section.as_str()),
            "README.md line {}: a sh block under {:?}, which no walk-through runs \
             (fence it as console if it only illustrates)",
            block.line,
            block.section
        );
    }
}

#[test]
fn the_expected_output_convention_is_what_the_harness_checks() {
    let block = Block {
        section: String::new(),
        line: 1,
        code: "hearth balance   # → -12.5 KC\nx=1 # a comment\nlong \\\n  line # → a…b\n".into(),
    };
    let script = script(&block);
    assert!(
        script.contains("__out=$({ hearth balance\n} 2>&1)"),
        "{script}"
    );
    assert!(
        script.contains("__expect \"$__out\" '-12.5 KC'"),
        "{script}"
    );
    assert!(script.contains("x=1 # a comment\n"), "{script}");
    assert!(
        script.contains("__out=$({ long \\\n  line\n} 2>&1)"),
        "{script}"
    );
    // The check itself, in bash.
    let run = |out: &str, pattern: &str| {
        Command::new("bash")
            .arg("-c")
            .arg(format!(
                "{}__expect \"$0\" \"$1\"",
                prelude(Path::new("/nonexistent"))
            ))
            .args([out, pattern])
            .output()
            .expect("bash")
            .status
            .success()
    };
    assert!(run(
        "Paid 12.5 KC to did:key:z6MkX (entry local #1)",
        "Paid 12.5 KC to did:key:z6Mk… (entry local #…)"
    ));
    assert!(!run("Paid 12 KC", "Paid 12.5 KC"));
    assert!(!run("b then a", "a…b"));
}

//   terminal 1: cargo run --release --bin hearthd   (the quick start)
//   terminal 2: hearth key new alice; hearth join …; hearth pay …
#[test]
fn quick_start_and_five_minutes_with_hearth() {
    let all = blocks(&readme());
    let mut walk = Walk::new();
    walk.env.insert("HEARTH_API".into(), "127.0.0.1:0".into());
    let node = scripts_of(&all, &["Quick start"]);
    walk.leave_running("node", &node);
    let addr = walk.path().join("hearth-data/api.addr");
    walk.wait_for("the quick-start node", |_| {
        fs::read_to_string(&addr).is_ok_and(|a| !a.trim().is_empty())
    });
    let url = format!(
        "http://{}",
        fs::read_to_string(&addr).expect("api.addr").trim()
    );
    walk.env.insert("HEARTH_NODE".into(), url);
    walk.run(&scripts_of(&all, &["Five minutes with `hearth`"]));
}

//   hearthd (trial rules, in the background) ◀── alice's and bob's hearth
#[test]
fn a_trial_community_decides_and_runs_its_economy() {
    let all = blocks(&readme());
    let walk = Walk::new();
    let out = walk.run(&scripts_of(
        &all,
        &["A trial community", "A community economy"],
    ));
    // Bob was paid 60 KC from the emergency pool, once.
    assert!(out.contains("1 of 1 paid in full"), "the fulfilment: {out}");
    // The claim was approved and paid in full; two premiums were collected.
    let claims = out
        .lines()
        .find(|l| l.contains("Dentist"))
        .unwrap_or_else(|| panic!("the claims list: {out}"));
    assert!(
        claims.contains("8 KC") && claims.contains("paid"),
        "{claims}"
    );
    assert!(out.contains("10 KC"), "two premiums collected: {out}");
    // The rules vote turned basic income on, and the logs replay to the
    // state the node serves.
    assert!(
        out.contains("20 KC per member and month"),
        "hearth income: {out}"
    );
    assert!(
        out.contains("OK: the node's state is the one its logs make"),
        "hearth audit --local: {out}"
    );
    // The stopped node's stored state is the one its logs make.
    let reindex = walk.run(&["hearthd --data-dir trial reindex\n".to_string()]);
    assert!(
        reindex.contains("the stored state equals the state rebuilt from the logs"),
        "reindex: {reindex}"
    );
}

//   terminal 1: hearthd devnet --communities 4 --regions 2
//   terminal 2: the referendum, member by member, then hearth audit
#[test]
fn a_federation_on_one_machine_holds_a_referendum() {
    let all = blocks(&readme());
    let mut walk = Walk::new();
    walk.env.insert("HEARTH_DEVNET_VOTING".into(), "20".into());
    walk.leave_running(
        "devnet",
        &scripts_of(&all, &["A federation on one machine"]),
    );
    let out = walk.path().join("devnet.out");
    walk.wait_for("the devnet", |_| {
        fs::read_to_string(&out).is_ok_and(|o| o.contains("hearth audit\n"))
    });
    walk.run(&scripts_of(&all, &["A network referendum in five minutes"]));
}

#[test]
fn counting_standard_files() {
    let all = blocks(&readme());
    let walk = Walk::new();
    walk.run(&scripts_of(&all, &["Counting standard files"]));
}
