//! Durations on the command line (`--ttl 2d`, `--for 7d`, `--waiting 1s`,
//! `--cooldown 90m`), read by `humantime`: a number and a unit, units
//! combined as in `1h30m`, spaces allowed (`2 days`).

use std::time::Duration;

use hearth_protocol::Millis;

/// The forms a duration takes, for error messages and `--help`.
pub const FORMS: &str = "a number and a unit: 500ms, 30s, 90m, 2h, 7d, 2w, or combined as in 1h30m";

/// Parses a duration longer than zero (clap `value_parser`).
pub fn parse(text: &str) -> Result<Millis, String> {
    match parse_or_zero(text)? {
        Millis(0) => Err(format!("{text:?} is no time at all: use {FORMS}")),
        ms => Ok(ms),
    }
}

/// Parses a duration, zero included (clap `value_parser`).
pub fn parse_or_zero(text: &str) -> Result<Millis, String> {
    let duration: Duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("invalid duration {text:?} ({e}): use {FORMS}"))?;
    u64::try_from(duration.as_millis())
        .map(Millis)
        .map_err(|_| format!("the duration {text:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_unit() {
        // Every form the README uses.
        assert_eq!(parse("2d"), Ok(Millis::days(2)));
        assert_eq!(parse("1d"), Ok(Millis::days(1)));
        assert_eq!(parse("7d"), Ok(Millis::days(7)));
        assert_eq!(parse("1s"), Ok(Millis::secs(1)));
        assert_eq!(parse("90m"), Ok(Millis(90 * 60_000)));
        // And more.
        assert_eq!(parse("2h"), Ok(Millis::hours(2)));
        assert_eq!(parse("250ms"), Ok(Millis(250)));
        assert_eq!(parse("1h30m"), Ok(Millis(90 * 60_000)));
        assert_eq!(parse(" 2 days "), Ok(Millis::days(2)));
        assert_eq!(parse("2w"), Ok(Millis::days(14)));
        assert_eq!(parse("1.5h"), Ok(Millis(90 * 60_000)));
    }

    #[test]
    fn bad_durations_say_what_is_accepted() {
        for bad in ["", "d", "7x", "-1s", "h7", "soon", "1500"] {
            let err = parse(bad).unwrap_err();
            assert!(
                err.contains("invalid duration") && err.contains(FORMS),
                "{bad}: {err}"
            );
        }
        assert!(parse("0s").unwrap_err().contains("no time at all"));
        assert_eq!(parse_or_zero("0s"), Ok(Millis(0)));
        assert!(parse("99999999999999999d").is_err());
    }
}
