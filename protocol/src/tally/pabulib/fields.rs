//! One line's fields: splitting a row on `;` outside quotes, and reading
//! amounts and numbers, each refusal naming the line and the real cause.

use super::{Header, MAX_AMOUNT, PabulibError};

pub(super) fn check_width(
    line: usize,
    header: &Header,
    fields: &[String],
) -> Result<(), PabulibError> {
    if fields.len() != header.len {
        return Err(PabulibError::FieldCount {
            line,
            expected: header.len,
            found: fields.len(),
        });
    }
    Ok(())
}

/// Splits one line into `;`-separated fields, honouring `"` quoting.
pub(super) fn split_row(raw: &str, line: usize) -> Result<Vec<String>, PabulibError> {
    let raw = raw.strip_suffix('\r').unwrap_or(raw);
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = raw.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start && field.trim().is_empty() => {
                field.clear();
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(other) => field.push(other),
                        None => return Err(PabulibError::BadQuoting { line }),
                    }
                }
                // Only spaces may follow a closing quote before the separator.
                while let Some(&next) = chars.peek() {
                    if next == ';' {
                        break;
                    }
                    if !next.is_whitespace() {
                        return Err(PabulibError::BadQuoting { line });
                    }
                    chars.next();
                }
                at_start = false;
            }
            ';' => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
            }
            other => {
                field.push(other);
                if !other.is_whitespace() {
                    at_start = false;
                }
            }
        }
    }
    fields.push(field);
    Ok(fields)
}

/// Parses a whole number of currency units (see the module docs for what
/// is refused and why).
pub(super) fn parse_amount(text: &str, line: usize, field: &str) -> Result<u64, PabulibError> {
    let text = text.trim();
    let refuse = |reason: &str| PabulibError::BadAmount {
        line,
        field: field.to_string(),
        text: text.to_string(),
        reason: reason.to_string(),
    };
    let (whole, fraction) = match text.find(['.', ',']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) {
        return Err(refuse("not a whole number of currency units"));
    }
    if let Some(fraction) = fraction {
        if !digits(fraction) {
            return Err(refuse(
                "thousands separators are ambiguous; write plain digits",
            ));
        }
        // `1,000` or `12.500` read as a decimal by some tools and as a
        // thousand by others: refuse rather than guess.
        if whole.len() <= 3 && fraction.len() == 3 {
            return Err(refuse(
                "reads both as a decimal and with a thousands separator",
            ));
        }
        if fraction.bytes().any(|b| b != b'0') {
            return Err(refuse(
                "amounts must be whole currency units (no fractional part)",
            ));
        }
    }
    // `whole` is all digits: a failed parse is a number past 64 bits.
    match whole.parse::<u64>() {
        Ok(value) if value <= MAX_AMOUNT => Ok(value),
        _ => Err(refuse(&format!("too large (at most {MAX_AMOUNT})"))),
    }
}

/// Parses a plain non-negative integer no larger than `max`.
pub(super) fn parse_number(
    text: &str,
    line: usize,
    field: &str,
    max: u64,
) -> Result<u64, PabulibError> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PabulibError::BadNumber {
            line,
            field: field.to_string(),
            text: text.to_string(),
        });
    }
    // All digits: a failed parse is a number past 64 bits, too large too.
    match text.parse::<u64>() {
        Ok(value) if value <= max => Ok(value),
        _ => Err(PabulibError::NumberTooLarge {
            line,
            field: field.to_string(),
            text: text.to_string(),
            max,
        }),
    }
}
