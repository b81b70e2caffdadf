//! How results reach the user: human text by default, the node's JSON (or
//! a JSON object of the command's result) with `--json`, and the small
//! formatters both need (tables, local and RFC 3339 times, shortened dids).

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result};
use comfy_table::{ContentArrangement, Table, presets};
use jiff::Timestamp;
use jiff::tz::TimeZone;
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

/// Whether anything was printed to stdout (see [`printed`]).
static PRINTED: AtomicBool = AtomicBool::new(false);

/// Writes `text` and a final newline to stdout. Unlike `println!` this
/// returns an error instead of panicking when stdout is closed (for
/// example `hearth log | head`), so `main` can exit quietly.
pub fn print(text: &str) -> Result<()> {
    PRINTED.store(true, Ordering::Relaxed);
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

/// Whether this process printed to stdout already: with `--json`, a
/// command that printed its result and then fails (an audit that found a
/// problem) leaves its result as the one JSON document there.
pub fn printed() -> bool {
    PRINTED.load(Ordering::Relaxed)
}

/// A left-aligned table: a header row, then `rows`, columns separated by
/// two spaces; lines carry no trailing spaces.
///
/// No borders, no colours and no wrapping, on a terminal or not, so
/// scripts can cut columns with `awk` and the text stays the same from
/// run to run; widths count what a terminal shows (wide characters take
/// two cells).
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.to_vec())
        .add_rows(rows.iter().cloned());
    let last = table.column_count().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        column.set_padding((0, if i < last { COLUMN_GAP } else { 0 }));
    }
    let mut out = table.trim_fmt();
    out.push('\n');
    out
}

/// Spaces between two columns of a [`table`].
const COLUMN_GAP: u16 = 2;

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

/// A time in milliseconds since the Unix epoch, for people: the date and
/// time in the local time zone (`TZ`, else the system's) and the zone's
/// abbreviation, `2024-05-01 14:51:30 CEST`.
pub fn datetime(ms: u64) -> String {
    datetime_in(ms, &TimeZone::system())
}

/// [`datetime`] in the time zone `zone`.
pub fn datetime_in(ms: u64, zone: &TimeZone) -> String {
    match timestamp(ms) {
        Some(ts) => ts
            .to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        None => format!("{ms} ms after 1970"),
    }
}

/// A time in milliseconds since the Unix epoch as RFC 3339 in UTC, to the
/// millisecond (`2024-05-01T12:51:30.123Z`, as the protocol writes times):
/// the form `--json` gives times the CLI computes itself; `None` past the
/// year 9999.
pub fn rfc3339(ms: u64) -> Option<String> {
    timestamp(ms).map(|ts| format!("{ts:.3}"))
}

fn timestamp(ms: u64) -> Option<Timestamp> {
    Timestamp::from_millisecond(i64::try_from(ms).ok()?).ok()
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

/// A member in a table: the name they set for themselves (from an
/// answer's `names`, by did) beside their shortened did, or the shortened
/// did alone.
pub fn named(names: &std::collections::BTreeMap<String, String>, did: &str) -> String {
    match names.get(did) {
        Some(name) => format!("{} ({})", printable(name), short_did(did)),
        None => short_did(did),
    }
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
    fn datetimes_are_calendar_dates_in_a_time_zone() {
        let utc = TimeZone::UTC;
        assert_eq!(datetime_in(0, &utc), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            datetime_in(951_782_400_000, &utc),
            "2000-02-29 00:00:00 UTC"
        );
        assert_eq!(
            datetime_in(1_714_567_890_123, &utc),
            "2024-05-01 12:51:30 UTC"
        );
        assert_eq!(
            datetime_in(4_102_444_799_000, &utc),
            "2099-12-31 23:59:59 UTC"
        );
        // Central Europe: summer time in May, winter time in January.
        let cet = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(
            datetime_in(1_714_567_890_123, &cet),
            "2024-05-01 14:51:30 CEST"
        );
        assert_eq!(datetime_in(0, &cet), "1970-01-01 01:00:00 CET");
        assert_eq!(
            datetime_in(u64::MAX, &utc),
            format!("{} ms after 1970", u64::MAX)
        );
    }

    #[test]
    fn json_times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(
            rfc3339(1_714_567_890_120).as_deref(),
            Some("2024-05-01T12:51:30.120Z")
        );
        assert_eq!(
            rfc3339(1_714_567_890_123).as_deref(),
            Some("2024-05-01T12:51:30.123Z")
        );
        assert_eq!(rfc3339(u64::MAX), None);
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
        // Wide characters take two cells; the next column still lines up.
        let wide = vec![
            vec!["\u{732b}\u{732b}".to_string(), "1".to_string()],
            vec!["ab".to_string(), "2".to_string()],
        ];
        assert_eq!(
            table(&["N", "X"], &wide),
            "N     X\n\u{732b}\u{732b}  1\nab    2\n"
        );
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
