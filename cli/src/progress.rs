//! Progress on stderr for long work (downloading and verifying an export,
//! replaying logs, counting a large election), drawn by `indicatif`.
//!
//! Nothing is drawn unless stderr is a terminal, nor with `--json`: a
//! script sees only the command's output. A bar appears only once the
//! work has run for a moment (short runs do not flicker) and is cleared
//! when the work is done. It never touches stdout.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::output::Output;

/// How long work runs before a bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(250);
/// How often a spinner turns.
const TICK: Duration = Duration::from_millis(100);

/// What a bar counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Bytes, shown as `1.2 MiB/4.0 MiB`.
    Bytes,
    /// Things counted one by one (entries), shown as `120/4096`.
    Items,
}

/// A progress bar (or, with no known total, a spinner) on stderr.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    /// Whether the bar may be drawn at all (terminal, not `--json`).
    visible: bool,
    /// Whether it is drawn already.
    shown: bool,
    started: Instant,
}

impl Progress {
    /// A bar labelled `label` over `total` units; a spinner counting the
    /// units when the total is not known.
    pub fn bar(out: &Output, label: &'static str, total: Option<u64>, unit: Unit) -> Progress {
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        bar.set_style(style(total.is_some(), unit));
        bar.set_prefix(label);
        Progress {
            bar,
            visible: visible(out.json, std::io::stderr().is_terminal()),
            shown: false,
            started: Instant::now(),
        }
    }

    /// A spinner labelled `label` for work that reports no progress: it
    /// turns on its own until [`Progress::finish`].
    pub fn spinner(out: &Output, label: &'static str) -> Progress {
        let mut progress = Progress::bar(out, label, None, Unit::Items);
        progress.bar.set_style(spinner_style());
        progress.show();
        if progress.shown {
            progress.bar.enable_steady_tick(TICK);
        }
        progress
    }

    /// Sets how much is done.
    pub fn set(&mut self, done: u64) {
        self.bar.set_position(done);
        if !self.shown && self.started.elapsed() >= SHOW_AFTER {
            self.show();
        }
    }

    /// Sets how much is done and the detail shown after the bar.
    pub fn set_with(&mut self, done: u64, detail: String) {
        self.bar.set_message(detail);
        self.set(done);
    }

    /// Clears the bar, if one was drawn.
    pub fn finish(&mut self) {
        self.bar.finish_and_clear();
    }

    fn show(&mut self) {
        if self.visible {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Whether progress may be drawn: on a terminal, and never with `--json`.
fn visible(json: bool, terminal: bool) -> bool {
    terminal && !json
}

/// The look of a bar (with a total) or of a counting spinner (without).
fn style(known_total: bool, unit: Unit) -> ProgressStyle {
    ProgressStyle::with_template(template(known_total, unit))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#>-")
}

/// The indicatif template of [`style`].
fn template(known_total: bool, unit: Unit) -> &'static str {
    match (known_total, unit) {
        (true, Unit::Bytes) => {
            "{prefix} [{bar:30}] {percent:>3}% {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}"
        }
        (true, Unit::Items) => "{prefix} [{bar:30}] {percent:>3}% {msg}",
        (false, Unit::Bytes) => "{spinner} {prefix} {bytes} {binary_bytes_per_sec} {msg}",
        (false, Unit::Items) => "{spinner} {prefix} {pos} {msg}",
    }
}

/// The look of a spinner that counts nothing.
fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template(SPINNER).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// The indicatif template of [`spinner_style`].
const SPINNER: &str = "{spinner} {prefix} {elapsed}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_drawn_only_on_a_terminal_and_never_with_json() {
        assert!(visible(false, true));
        assert!(!visible(true, true));
        assert!(!visible(false, false));
        assert!(!visible(true, false));
    }

    #[test]
    fn every_template_parses() {
        // `style` falls back to a default look on a bad template: check
        // that none does.
        for known in [true, false] {
            for unit in [Unit::Bytes, Unit::Items] {
                let template = template(known, unit);
                assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
            }
        }
        assert!(ProgressStyle::with_template(SPINNER).is_ok());
    }

    #[test]
    fn a_bar_off_a_terminal_stays_hidden() {
        // Tests run with stderr captured, not on a terminal.
        let mut progress = Progress::bar(&Output { json: true }, "x", Some(10), Unit::Items);
        progress.started -= SHOW_AFTER;
        progress.set(5);
        assert!(!progress.shown);
        assert!(progress.bar.is_hidden());
        assert_eq!(progress.bar.position(), 5);
    }
}
