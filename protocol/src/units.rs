//! Integer units: money in milli-KC, time in milliseconds, exact ratios.

use std::fmt;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// An amount of community currency in milli-KC (1 KC = 1000).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Kc(pub i64);

impl Kc {
    /// Zero KC.
    pub const ZERO: Kc = Kc(0);

    /// `n` whole KC.
    pub const fn whole(n: i64) -> Kc {
        Kc(n * 1000)
    }

    /// Parses a human amount such as `12`, `12.5` or `0.001` (KC, at most
    /// three decimals) into milli-KC.
    pub fn parse(text: &str) -> Option<Kc> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && frac.is_empty() || frac.len() > 3 {
            return None;
        }
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || !all_digits(frac) {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut milli: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        for _ in frac.len()..3 {
            milli *= 10;
        }
        let value = whole.checked_mul(1000)?.checked_add(milli)?;
        Some(Kc(if negative { -value } else { value }))
    }
}

impl fmt::Display for Kc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, milli) = (abs / 1000, abs % 1000);
        if milli == 0 {
            write!(f, "{sign}{whole} KC")
        } else {
            let frac = format!("{milli:03}");
            write!(f, "{sign}{whole}.{} KC", frac.trim_end_matches('0'))
        }
    }
}

impl fmt::Debug for Kc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kc({})", self.0)
    }
}

/// Milliseconds since the Unix epoch.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Debug,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// This instant plus a duration (saturating).
    pub fn plus(self, d: Millis) -> Timestamp {
        Timestamp(self.0.saturating_add(d.0))
    }
}

impl fmt::Display for Timestamp {
    /// UTC, ISO 8601, to the millisecond: `2026-11-24T07:01:28.874Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0 % 1000;
        let secs = self.0 / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        let (year, month, day) = civil_from_days(days as i64);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

/// The proleptic Gregorian (year, month, day) of a day count since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day count since 1970-01-01 of a proleptic Gregorian date (Howard
/// Hinnant's `days_from_civil`, the inverse of [`civil_from_days`]).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A duration in milliseconds.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Debug,
    Encode,
    Decode,
    Serialize,
    Deserialize,
)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Millis {
    /// `n` seconds.
    pub const fn secs(n: u64) -> Millis {
        Millis(n * 1000)
    }
    /// `n` hours.
    pub const fn hours(n: u64) -> Millis {
        Millis(n * 3_600_000)
    }
    /// `n` days.
    pub const fn days(n: u64) -> Millis {
        Millis(n * 86_400_000)
    }
}

impl fmt::Display for Millis {
    /// The largest whole unit that fits: `30 days`, `5 h`, `90 s`, `250 ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        if ms >= 86_400_000 && ms.is_multiple_of(86_400_000) {
            write!(f, "{} days", ms / 86_400_000)
        } else if ms >= 3_600_000 && ms.is_multiple_of(3_600_000) {
            write!(f, "{} h", ms / 3_600_000)
        } else if ms >= 60_000 && ms.is_multiple_of(60_000) {
            write!(f, "{} min", ms / 60_000)
        } else if ms >= 1000 && ms.is_multiple_of(1000) {
            write!(f, "{} s", ms / 1000)
        } else {
            write!(f, "{ms} ms")
        }
    }
}

/// An exact fraction `num / den`, used for thresholds and quorums.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Ratio {
    /// Numerator.
    pub num: u32,
    /// Denominator (never zero in valid rules).
    pub den: u32,
}

impl Ratio {
    /// `num / den`.
    pub const fn new(num: u32, den: u32) -> Ratio {
        Ratio { num, den }
    }

    /// Whether `part / whole >= self`, exactly.
    pub fn reached(&self, part: u128, whole: u128) -> bool {
        part * u128::from(self.den) >= whole * u128::from(self.num)
    }

    /// Whether `part / whole > self`, exactly.
    pub fn exceeded(&self, part: u128, whole: u128) -> bool {
        part * u128::from(self.den) > whole * u128::from(self.num)
    }

    /// Whether this is exactly one half (`1/2`, `2/4`, `50/100`, …): a
    /// simple majority.
    pub fn is_half(&self) -> bool {
        self.den != 0 && u64::from(self.num) * 2 == u64::from(self.den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_display() {
        assert_eq!(Kc::parse("12"), Some(Kc(12_000)));
        assert_eq!(Kc::parse("12.5"), Some(Kc(12_500)));
        assert_eq!(Kc::parse("0.001"), Some(Kc(1)));
        assert_eq!(Kc::parse("-3.25"), Some(Kc(-3_250)));
        for bad in [
            "",
            ".",
            "1.2345",
            "1e3",
            "abc",
            "1.-2",
            "99999999999999999999",
        ] {
            assert_eq!(Kc::parse(bad), None, "{bad}");
        }
        assert_eq!(Kc(12_500).to_string(), "12.5 KC");
        assert_eq!(Kc(-1).to_string(), "-0.001 KC");
        assert_eq!(Kc::whole(7).to_string(), "7 KC");
    }

    #[test]
    fn times_and_durations_display_for_people() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_795_503_688_874).to_string(),
            "2026-11-24T07:01:28.874Z"
        );
        assert_eq!(
            Timestamp(951_782_400_000).to_string(),
            "2000-02-29T00:00:00.000Z"
        );
        assert_eq!(Millis::days(30).to_string(), "30 days");
        assert_eq!(Millis::secs(90).to_string(), "90 s");
        assert_eq!(Millis(250).to_string(), "250 ms");
    }

    #[test]
    fn ratios_compare_exactly() {
        let r = Ratio::new(4, 5);
        assert!(r.reached(80, 100));
        assert!(!r.reached(79, 100));
        assert!(Ratio::new(2, 3).reached(2, 3));
        assert!(!Ratio::new(1, 2).exceeded(2, 4));
        assert!(Ratio::new(1, 2).exceeded(3, 5));
        assert!(Ratio::new(50, 100).is_half() && Ratio::new(2, 4).is_half());
        assert!(!Ratio::new(3, 5).is_half() && !Ratio::new(0, 0).is_half());
    }
}
