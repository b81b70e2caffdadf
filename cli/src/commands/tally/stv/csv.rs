//! `--format csv`: the stage table as a returning officer publishes it, a
//! row per candidate and a column per stage (the votes after that stage's
//! transfer, as decimals), then rows for the non-transferable value, what
//! truncation lost (Scottish) and the total. The header names each stage
//! and what happened at it.

use hearth_protocol::tally::stv::{StvReport, StvRule};

use super::{action_text, elected_text, name, standing, total};

/// The CSV text (RFC 4180: fields quoted where they hold `,`, `"` or a
/// line break; lines end with CRLF).
pub(super) fn stages(report: &StvReport) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["candidate".to_owned()];
    header.extend(report.stages.iter().map(|stage| {
        let elected = elected_text(report, stage);
        let mut text = format!("stage {}: {}", stage.number, action_text(report, stage));
        if !elected.is_empty() {
            text.push_str(&format!("; {elected}"));
        }
        text
    }));
    rows.push(header);
    for c in standing(report) {
        let mut row = vec![name(report, c)];
        row.extend(
            report
                .stages
                .iter()
                .map(|s| report.decimal(s.votes.get(c as usize).copied().unwrap_or(0))),
        );
        rows.push(row);
    }
    let mut extra = |label: &str, value: &dyn Fn(&hearth_protocol::tally::stv::Stage) -> u64| {
        let mut row = vec![label.to_owned()];
        row.extend(report.stages.iter().map(|s| report.decimal(value(s))));
        rows.push(row);
    };
    extra("non-transferable", &|s| s.exhausted);
    if report.rule == StvRule::Scottish {
        extra("lost to fractions", &|s| s.lost);
    }
    extra("total", &total);
    let mut out = String::new();
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
