//! What a person (or a fault drill's script) can ask a running devnet in
//! `--keep-going` mode, one line on its standard input at a time:
//!
//! ```text
//! restart c1     start node c1 again (after it exited or was killed)
//! restart        start again every node that exited
//! ```

use tokio::sync::mpsc;

use super::form;
use super::nodes::Nodes;

/// A request read from standard input.
#[derive(Debug, PartialEq, Eq)]
pub enum Control {
    /// Restart the named node, or every node that exited.
    Restart(Option<String>),
}

/// What the devnet says about a line it does not understand.
const USAGE: &str = "`restart <node>` (e.g. `restart c1`), or `restart` for every node that exited";

/// Parses one line; `Ok(None)` for an empty line.
pub fn parse(line: &str) -> Result<Option<Control>, String> {
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (None, _, _) => Ok(None),
        (Some("restart"), name, None) => Ok(Some(Control::Restart(name.map(str::to_string)))),
        _ => Err(format!("unknown request {:?}: {USAGE}", line.trim())),
    }
}

/// The lines of standard input, read on a thread of its own (a blocking
/// read: the runtime never waits on it). The channel closes at the end of
/// input.
pub fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Carries out one line, saying on standard error what came of it.
pub fn apply(nodes: &mut Nodes, line: &str) {
    let request = match parse(line) {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(e) => {
            eprintln!("hearthd devnet: {e}");
            return;
        }
    };
    let Control::Restart(name) = request;
    let names = match name {
        Some(name) => vec![name],
        None => {
            let dead = nodes.dead();
            if dead.is_empty() {
                eprintln!("hearthd devnet: every node is running");
            }
            dead
        }
    };
    for name in names {
        match nodes.restart(&name) {
            Ok(node) => {
                let pointed = form::point_home(node);
                eprintln!(
                    "hearthd devnet: node {} restarted: {} (pid {})",
                    node.name, node.url, node.pid
                );
                if let Err(e) = pointed {
                    eprintln!("hearthd devnet: {e:#}");
                }
            }
            Err(e) => eprintln!("hearthd devnet: cannot restart {name}: {e:#}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_parsed_strictly() {
        assert_eq!(
            parse("restart c1\n"),
            Ok(Some(Control::Restart(Some("c1".into()))))
        );
        assert_eq!(parse("  restart "), Ok(Some(Control::Restart(None))));
        assert_eq!(parse("   "), Ok(None));
        for bad in ["restrat c1", "restart c1 c2", "stop"] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains("restart <node>"), "{err}");
        }
    }
}
