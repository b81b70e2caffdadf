//! How results reach the user: human text by default, the node's JSON (or
//! a JSON object of the command's result) with `--json`, and the small
//! formatters both need (tables, UTC times, shortened dids).

use std::io::Write as _;

use anyhow::{Context as _, Result};
use serde_json::Value;

/// Where and how a command prints its result.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Print JSON instead of human text.
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON in `--json` mode, else the text `human`
    /// builds (only called in human mode).
    pub fn show(&self, value: &Value, human: impl FnOnce() -> Result<String>) -> Result<()> {
        if self.json {
            let text = serde_json::to_string_pretty(value).context("cannot format JSON")?;
            print(&text)
        } else {
            print(&human()?)
        }
    }
}

/// Writes `text` and a final newline to stdout. Unlike `println!` this
/// returns an error instead of panicking when stdout is closed (for
/// example `hearth log | head`), so `main` can exit quietly.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| {
            if text.ends_with('\n') {
                Ok(())
            } else {
                out.write_all(b"\n")
            }
        })
        .and_then(|()| out.flush())
        .context("cannot write to stdout")
}

/// A left-aligned table: a header row, then `rows`, columns separated by
/// two spaces; the last column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            let width = widths.get(i).copied().unwrap_or(0);
            if i + 1 < row.len() {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Labelled values, one per line, the values aligned after the labels.
pub fn fields(rows: &[(&str, String)]) -> String {
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(label, value)| format!("{label:<width$}  {value}\n"))
        .collect()
}

/// A time in milliseconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn datetime(ms: u64) -> String {
    // The protocol's form is `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    let iso = hearth_protocol::Timestamp(ms).to_string();
    match (iso.get(..10), iso.get(11..19)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => iso,
    }
}

/// A did shortened for one-line summaries: its first 16 and last 6
/// characters (`did:key:z6MkhaXg…Qh7xYz`). Short strings are kept whole.
pub fn short_did(did: &str) -> String {
    let chars: Vec<char> = did.chars().collect();
    if chars.len() <= 24 {
        return did.to_owned();
    }
    let head: String = chars[..16].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail}")
}

/// Text from other members made safe for a terminal: control characters
/// (escape sequences, carriage returns, newlines) are shown escaped
/// (`\u{1b}`) so they cannot move the cursor or fake output.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// `"yes"` or `"no"`.
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_utc_calendar_dates() {
        assert_eq!(datetime(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(datetime(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(datetime(1_714_567_890_123), "2024-05-01 12:51:30 UTC");
        assert_eq!(datetime(4_102_444_799_000), "2099-12-31 23:59:59 UTC");
    }

    #[test]
    fn tables_align_columns_and_trim_lines() {
        let rows = vec![
            vec!["alice".to_string(), "yes".to_string(), "x".to_string()],
            vec!["bo".to_string(), "".to_string(), "".to_string()],
        ];
        assert_eq!(
            table(&["NAME", "COUNCIL", "NOTE"], &rows),
            "NAME   COUNCIL  NOTE\nalice  yes      x\nbo\n"
        );
        assert_eq!(table(&["A"], &[]), "A\n");
    }

    #[test]
    fn fields_align_their_values() {
        let text = fields(&[("name", "a".into()), ("encrypted", "no".into())]);
        assert_eq!(text, "name       a\nencrypted  no\n");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("Oven"), "Oven");
        assert_eq!(printable("a\u{1b}[2Jb\r\n"), "a\\u{1b}[2Jb\\r\\n");
        assert_eq!(printable("caf\u{e9}"), "caf\u{e9}");
    }

    #[test]
    fn dids_are_shortened_on_character_boundaries() {
        let did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
        assert_eq!(short_did(did), "did:key:z6MkhaXg…ta2doK");
        assert_eq!(short_did("did:key:zé"), "did:key:zé");
        assert_eq!(short_did(&"é".repeat(30)).chars().count(), 23);
    }
}
