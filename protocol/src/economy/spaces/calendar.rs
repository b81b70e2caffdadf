//! iCalendar feeds (RFC 5545) of bookings, written as plain text so the
//! node, the CLI and the tests share one writer.
//!
//! A feed is built from [`CalendarEvent`]s, a small type any domain can
//! fill: [`member_events`] gathers a member's own events (their space
//! bookings and the tool loans they must return). The writer
//! follows RFC 5545: CRLF line endings, content lines folded at 75
//! octets (never inside a UTF-8 character), TEXT values escaped, times
//! in UTC (`DTSTART:20261208T100000Z`), and a UID stable across feeds.

use crate::crypto::PublicKey;
use crate::economy::tools::Loan;
use crate::state::records::StateRead;
use crate::state::store::StoreError;
use crate::units::{Millis, Timestamp, civil_from_days};

use super::tables::{Booking, Space, member_bookings, space};

/// The product identifier feeds carry.
pub const PRODID: &str = "-//Hearth//Hearth community node//EN";

/// Longest content line, in octets, before folding (CRLF excluded).
pub const FOLD_AT: usize = 75;

/// One event of a feed.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CalendarEvent {
    /// Globally unique and stable: the same event keeps it in every feed.
    pub uid: String,
    /// When the event's record was made (DTSTAMP).
    pub stamp: Timestamp,
    /// Its start.
    pub start: Timestamp,
    /// Its end.
    pub end: Timestamp,
    /// Its title.
    pub summary: String,
    /// More about it (empty: none).
    pub description: String,
    /// Where (empty: none).
    pub location: String,
}

/// The event of a booking of `space`: UID `<booking id>@hearth`.
pub fn booking_event(space: &Space, booking: &Booking) -> CalendarEvent {
    let summary = if booking.note.is_empty() {
        format!("{} booked", space.spec.name)
    } else {
        format!("{}: {}", space.spec.name, booking.note)
    };
    CalendarEvent {
        uid: format!("{}@hearth", booking.id),
        stamp: booking.created,
        start: booking.start,
        end: booking.end,
        summary,
        description: format!(
            "{} place(s) of {} ({}), booked by {}",
            booking.places,
            space.spec.name,
            space.spec.kind,
            booking.booker.to_did()
        ),
        location: space.spec.name.clone(),
    }
}

/// How long the event of a loan falling due lasts in a calendar.
pub const LOAN_DUE_EVENT: Millis = Millis::secs(30 * 60);

/// The event of a tool loan falling due: UID `<loan id>-due@hearth`, from
/// the due time for [`LOAN_DUE_EVENT`].
pub fn loan_due_event(loan: &Loan) -> CalendarEvent {
    CalendarEvent {
        uid: format!("{}-due@hearth", loan.id),
        stamp: loan.started,
        start: loan.due,
        end: loan.due.plus(LOAN_DUE_EVENT),
        summary: format!("Return {}", loan.name),
        description: format!(
            "The tool library's {} is due back; {} deposit in escrow",
            loan.name, loan.deposit
        ),
        location: String::new(),
    }
}

/// A member's own events, in start order: their space bookings not
/// cancelled and the tool loans they have not returned, at their due
/// time. Other domains' dates are added here, each as a
/// [`CalendarEvent`].
pub fn member_events<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<CalendarEvent>, StoreError> {
    let mut events = Vec::new();
    for b in member_bookings(store, member)? {
        if b.cancelled.is_some() {
            continue;
        }
        if let Some(s) = space(store, &b.space)? {
            events.push(booking_event(&s, &b));
        }
    }
    for loan in crate::economy::tools::loans_of(store, member)? {
        events.push(loan_due_event(&loan));
    }
    events.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    Ok(events)
}

/// A whole feed named `name`: a VCALENDAR with one VEVENT per event.
pub fn write(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |text: String| fold_into(&mut out, &text);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line(format!("PRODID:{PRODID}"));
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape(&e.uid)));
        line(format!("DTSTAMP:{}", utc(e.stamp)));
        line(format!("DTSTART:{}", utc(e.start)));
        line(format!("DTEND:{}", utc(e.end)));
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.location.is_empty() {
            line(format!("LOCATION:{}", escape(&e.location)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// A UTC DATE-TIME: `20261208T100000Z` (whole seconds; milliseconds are
/// dropped, as iCalendar has none).
pub fn utc(t: Timestamp) -> String {
    let secs = t.0 / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded: at most 75 octets a line, each
/// continuation starting with a space, breaks only between characters.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_date_times() {
        assert_eq!(utc(Timestamp(0)), "19700101T000000Z");
        // 2026-12-08T10:30:15.999Z
        assert_eq!(utc(Timestamp(1_796_725_815_999)), "20261208T103015Z");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let text = format!("SUMMARY:{}", "é".repeat(60));
        fold_into(&mut out, &text);
        assert!(out.ends_with("\r\n"));
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.len() <= FOLD_AT, "{} octets", l.len());
        }
        assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
        let unfolded: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| if i == 0 { *l } else { &l[1..] })
            .collect();
        assert_eq!(unfolded, text);
    }
}
