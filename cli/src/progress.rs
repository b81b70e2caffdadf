//! A progress bar on stderr for long work (`hearth audit`), drawn by hand:
//! only when stderr is a terminal, only once the work has run for a
//! moment, and at most a few times a second. It never touches stdout, so
//! `--json` output stays clean.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

/// How long work runs before a bar appears (short runs do not flicker).
const SHOW_AFTER: Duration = Duration::from_millis(250);
/// Least time between two redraws.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// Cells of the bar itself.
const WIDTH: usize = 30;

/// A progress bar over `total` units (bytes, entries…).
#[derive(Debug)]
pub struct Progress {
    label: &'static str,
    total: u64,
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    /// A bar labelled `label`, drawn only if stderr is a terminal.
    pub fn new(label: &'static str, total: u64) -> Progress {
        Progress {
            label,
            total,
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            last: None,
        }
    }

    /// Shows `done` of the total, with `detail` after the bar.
    pub fn update(&mut self, done: u64, detail: &str) {
        if !self.enabled || self.started.elapsed() < SHOW_AFTER {
            return;
        }
        if self.last.is_some_and(|t| t.elapsed() < REDRAW_EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let line = bar(self.label, done, self.total, detail);
        let mut err = std::io::stderr().lock();
        // A failed redraw is not worth failing the work for.
        let _ = write!(err, "\r\x1b[2K{line}").and_then(|()| err.flush());
    }

    /// Clears the bar, if one was drawn.
    pub fn finish(&mut self) {
        if self.last.take().is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K").and_then(|()| err.flush());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// One line of a bar: `label [#####-----]  50% detail`.
pub fn bar(label: &str, done: u64, total: u64, detail: &str) -> String {
    let ratio = match total {
        0 => 1.0,
        _ => (done.min(total) as f64) / (total as f64),
    };
    let filled = ((ratio * WIDTH as f64).round() as usize).min(WIDTH);
    format!(
        "{label} [{}{}] {:>3}% {detail}",
        "#".repeat(filled),
        "-".repeat(WIDTH - filled),
        (ratio * 100.0).floor() as u64
    )
    .trim_end()
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_proportion() {
        assert_eq!(
            bar("verifying", 0, 10, ""),
            format!("verifying [{}]   0%", "-".repeat(30))
        );
        assert_eq!(
            bar("verifying", 5, 10, "2048 entries"),
            format!(
                "verifying [{}{}]  50% 2048 entries",
                "#".repeat(15),
                "-".repeat(15)
            )
        );
        assert_eq!(bar("x", 20, 10, ""), format!("x [{}] 100%", "#".repeat(30)));
        assert_eq!(bar("x", 0, 0, ""), format!("x [{}] 100%", "#".repeat(30)));
    }
}
