//! Credential times: RFC 3339 date-times in UTC (`2026-12-07T15:00:00Z`),
//! which are also XML Schema `dateTimeStamp`s as the Verifiable
//! Credentials data model requires.

use crate::units::{Timestamp, civil_from_days, days_from_civil};

/// `at` as RFC 3339 in UTC, to the second when it falls on one and to
/// the millisecond otherwise.
pub fn format(at: Timestamp) -> String {
    let text = at.to_string();
    match at.0 % 1000 {
        0 => text.replace(".000Z", "Z"),
        _ => text,
    }
}

/// Parses an RFC 3339 date-time with its offset (`Z` or `±hh:mm`) into
/// milliseconds since the Unix epoch (fractions beyond the millisecond
/// are dropped). `None` when it is malformed or before 1970.
pub fn parse(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let digits = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then_some(())?;
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(at(4, b'-')
        && at(7, b'-')
        && (at(10, b'T') || at(10, b't'))
        && at(13, b':')
        && at(16, b':'))
    {
        return None;
    }
    let (year, month, day) = (digits(0, 4)?, digits(5, 2)?, digits(8, 2)?);
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month as u32, day as u32);
    // A day that does not exist (Feb 30) does not survive the round trip.
    if day < 1 || civil_from_days(days) != (year, month as u32, day as u32) {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &text[start..i.min(start + 3)];
        millis = frac.parse::<i64>().ok()? * 10_i64.pow(3 - frac.len() as u32);
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && at(i + 3, b':') => {
            let (h, m) = (digits(i + 1, 2)?, digits(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset * 60;
    let ms = secs.checked_mul(1000)?.checked_add(millis)?;
    u64::try_from(ms).ok().map(Timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        for ms in [0, 1_000, 1_765_119_600_000, 1_765_119_600_123] {
            let text = format(Timestamp(ms));
            assert_eq!(parse(&text), Some(Timestamp(ms)), "{text}");
        }
        assert_eq!(format(Timestamp(1_765_119_600_000)), "2025-12-07T15:00:00Z");
        assert_eq!(
            format(Timestamp(1_765_119_600_120)),
            "2025-12-07T15:00:00.120Z"
        );
    }

    #[test]
    fn offsets_and_fractions_are_understood() {
        let utc = parse("2023-01-01T00:00:00Z").expect("valid");
        assert_eq!(parse("2023-01-01T01:30:00+01:30"), Some(utc));
        assert_eq!(parse("2022-12-31T23:00:00-01:00"), Some(utc));
        assert_eq!(
            parse("2023-01-01T00:00:00.123456Z"),
            Some(Timestamp(utc.0 + 123))
        );
        assert_eq!(
            parse("2023-01-01T00:00:00.5Z"),
            Some(Timestamp(utc.0 + 500))
        );
    }

    #[test]
    fn malformed_times_are_refused() {
        for text in [
            "",
            "2023-01-01",
            "2023-01-01T00:00:00",
            "2023-01-01 00:00:00Z",
            "2023-02-30T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T00:00:00.Z",
            "2023-01-01T00:00:00+0100",
            "1969-12-31T23:59:59Z",
            "2023-01-01T00:00:00Zjunk",
            "+2023-01-01T00:00:00Z",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
