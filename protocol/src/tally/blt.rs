//! The `.blt` ranked-ballot file format: the de-facto standard exchange
//! format of STV counting programs (ERS, OpenSTV/OpaVote, Droop, eSTV) and
//! the format in which Scottish councils publish their preference profiles.
//!
//! ```text
//! 4 2            # 4 candidates, 2 seats
//! -4             # optional: withdrawn candidates, as negative numbers
//! 3 1 3 0        # weight, then candidates in preference order, then 0
//! 4 3 1 2 0
//! 2 2 0
//! 0              # end of ballots
//! "Adams"        # one quoted name per candidate, in candidate order
//! "Baker"
//! "Clark"
//! "Davis"
//! "An example"   # the title
//! ```
//!
//! Tokens are separated by any whitespace, so a ballot may be split across
//! lines; `#` starts a comment running to the end of the line (outside a
//! quoted string); a leading byte-order mark is ignored. The title is
//! optional (an absent title reads as the empty string).
//!
//! Refused, each with the line it was found on: equal rankings (`2=3`),
//! skipped rankings (`-` inside a ballot), ballot ids (`(id) weight …`),
//! fractional weights, a candidate ranked twice on one ballot, candidate
//! numbers out of range, more than [`MAX_CANDIDATES`] candidates, more than
//! [`MAX_BALLOT_LINES`] ballots, and weights whose total overflows.
//!
//! Candidates are 1-based in the file and 0-based in [`Election`].

use std::fmt::Write as _;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// The largest number of candidates a file may declare.
pub const MAX_CANDIDATES: u32 = 10_000;

/// The largest number of ballot lines a file may hold.
pub const MAX_BALLOT_LINES: usize = 50_000_000;

/// A ranked-choice election as a `.blt` file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Election {
    /// The election's title (empty when the file has none).
    pub title: String,
    /// Candidate names; a candidate is its index in this list.
    pub candidates: Vec<String>,
    /// The number of seats to fill.
    pub seats: u32,
    /// Candidates withdrawn before the count (0-based, in file order).
    pub withdrawn: Vec<u32>,
    /// The ballots, in file order.
    pub ballots: Vec<RankedBallot>,
}

/// A group of identical ranked ballots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct RankedBallot {
    /// How many voters cast this ballot.
    pub weight: u64,
    /// Candidates (0-based) from most to least preferred; no repeats.
    pub ranking: Vec<u32>,
}

/// Why a `.blt` file was refused, naming its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct ParseError {
    /// The 1-based line on which the problem was found.
    pub line: usize,
    /// What is wrong, as a sentence fragment.
    pub reason: String,
}

fn error(line: usize, reason: impl Into<String>) -> ParseError {
    ParseError {
        line,
        reason: reason.into(),
    }
}

/// Parses the text of a `.blt` file.
pub fn parse_blt(text: &str) -> Result<Election, ParseError> {
    let mut lexer = Lexer::new(text);

    let (candidates, seats) = header(&mut lexer)?;
    let mut withdrawn = Vec::new();
    let ballots = ballots(&mut lexer, candidates, &mut withdrawn)?;

    let mut names = Vec::with_capacity(candidates as usize);
    for k in 1..=candidates {
        match lexer.next()? {
            Some((_, Token::Quoted(name))) => names.push(name.to_owned()),
            Some((line, Token::Word(word))) => {
                return Err(error(
                    line,
                    format!("expected the quoted name of candidate {k}, found `{word}`"),
                ));
            }
            None => {
                return Err(error(
                    lexer.last_line,
                    format!("expected {candidates} candidate names, found {}", k - 1),
                ));
            }
        }
    }

    let title = match lexer.next()? {
        None => String::new(),
        Some((_, Token::Quoted(title))) => title.to_owned(),
        Some((line, Token::Word(word))) => {
            return Err(error(
                line,
                format!("expected the quoted title, found `{word}`"),
            ));
        }
    };
    if let Some((line, _)) = lexer.next()? {
        return Err(error(line, "unexpected text after the title"));
    }

    Ok(Election {
        title,
        candidates: names,
        seats,
        withdrawn,
        ballots,
    })
}

/// The first line: the number of candidates and of seats.
fn header(lexer: &mut Lexer<'_>) -> Result<(u32, u32), ParseError> {
    let mut number = |what: &str| -> Result<(usize, u32), ParseError> {
        match lexer.next()? {
            Some((line, Token::Word(word))) => word
                .parse::<u32>()
                .map(|n| (line, n))
                .map_err(|_| error(line, format!("the {what} `{word}` is not a whole number"))),
            Some((line, Token::Quoted(_))) => Err(error(
                line,
                format!("expected the {what}, found a quoted string"),
            )),
            None => Err(error(
                lexer.last_line,
                format!("the file ends before the {what}"),
            )),
        }
    };
    let (line, candidates) = number("number of candidates")?;
    if candidates == 0 {
        return Err(error(line, "the election has no candidates"));
    }
    if candidates > MAX_CANDIDATES {
        return Err(error(
            line,
            format!("{candidates} candidates exceed the limit of {MAX_CANDIDATES}"),
        ));
    }
    let (line, seats) = number("number of seats")?;
    if seats == 0 {
        return Err(error(line, "the election has no seats to fill"));
    }
    Ok((candidates, seats))
}

/// The optional withdrawn line, then ballots up to the terminating `0`.
fn ballots(
    lexer: &mut Lexer<'_>,
    candidates: u32,
    withdrawn: &mut Vec<u32>,
) -> Result<Vec<RankedBallot>, ParseError> {
    let mut ballots: Vec<RankedBallot> = Vec::new();
    let mut total: u64 = 0;
    // `seen[c] == stamp` marks candidate c as already ranked on the current
    // ballot, without clearing a set per ballot.
    let mut seen = vec![0u32; candidates as usize + 1];
    let mut stamp: u32 = 0;
    loop {
        let (line, word) = match lexer.next()? {
            Some((line, Token::Word(word))) => (line, word),
            Some((line, Token::Quoted(_))) => {
                return Err(error(
                    line,
                    "expected a ballot or the `0` that ends the ballots, found a quoted string",
                ));
            }
            None => {
                return Err(error(
                    lexer.last_line,
                    "the ballots are not ended by a `0` line",
                ));
            }
        };
        if word == "0" {
            return Ok(ballots);
        }
        if let Some(number) = word.strip_prefix('-').filter(|n| !n.is_empty()) {
            if !ballots.is_empty() {
                return Err(error(
                    line,
                    "withdrawn candidates must be listed before the first ballot",
                ));
            }
            let candidate = candidate_number(line, number, candidates)?;
            if withdrawn.contains(&candidate) {
                return Err(error(
                    line,
                    format!("candidate {number} is withdrawn twice"),
                ));
            }
            withdrawn.push(candidate);
            continue;
        }
        if word.starts_with('(') {
            return Err(error(
                line,
                "ballot ids (`(id) weight …`) are not supported",
            ));
        }
        let weight = word.parse::<u64>().map_err(|_| {
            error(
                line,
                format!("the ballot weight `{word}` is not a whole number"),
            )
        })?;
        total = total
            .checked_add(weight)
            .ok_or_else(|| error(line, "the total ballot weight overflows"))?;
        if ballots.len() >= MAX_BALLOT_LINES {
            return Err(error(
                line,
                format!("more than {MAX_BALLOT_LINES} ballot lines"),
            ));
        }
        stamp += 1;
        let mut ranking = Vec::new();
        loop {
            let (line, word) = match lexer.next()? {
                Some((line, Token::Word(word))) => (line, word),
                Some((line, Token::Quoted(_))) => {
                    return Err(error(
                        line,
                        "a ballot is not ended by `0` before a quoted string",
                    ));
                }
                None => {
                    return Err(error(
                        lexer.last_line,
                        "the last ballot is not ended by `0`",
                    ));
                }
            };
            if word == "0" {
                break;
            }
            if word.contains('=') {
                return Err(error(line, "equal rankings (`=`) are not supported"));
            }
            if word.starts_with('-') {
                return Err(error(line, "skipped rankings (`-`) are not supported"));
            }
            let candidate = candidate_number(line, word, candidates)?;
            let mark = &mut seen[candidate as usize];
            if *mark == stamp {
                return Err(error(
                    line,
                    format!("candidate {word} is ranked twice on one ballot"),
                ));
            }
            *mark = stamp;
            ranking.push(candidate);
        }
        ballots.push(RankedBallot { weight, ranking });
    }
}

/// A 1-based candidate number in the file, as a 0-based index.
fn candidate_number(line: usize, word: &str, candidates: u32) -> Result<u32, ParseError> {
    match word.parse::<u32>() {
        Ok(n) if (1..=candidates).contains(&n) => Ok(n - 1),
        Ok(n) => Err(error(
            line,
            format!("candidate {n} is out of range (1 to {candidates})"),
        )),
        Err(_) => Err(error(line, format!("`{word}` is not a candidate number"))),
    }
}

/// Writes an election as a `.blt` file that [`parse_blt`] reads back as
/// the same election. Ballots of weight 0 carry no vote and are omitted
/// (the format cannot express them); a `"` or line break in a name, which
/// the format cannot express either, is written as `'` or a space.
pub fn to_blt(election: &Election) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{} {}", election.candidates.len(), election.seats);
    if !election.withdrawn.is_empty() {
        let line: Vec<String> = election
            .withdrawn
            .iter()
            .map(|c| format!("-{}", u64::from(*c) + 1))
            .collect();
        let _ = writeln!(out, "{}", line.join(" "));
    }
    for ballot in election.ballots.iter().filter(|b| b.weight > 0) {
        let _ = write!(out, "{}", ballot.weight);
        for c in &ballot.ranking {
            let _ = write!(out, " {}", u64::from(*c) + 1);
        }
        out.push_str(" 0\n");
    }
    out.push_str("0\n");
    for name in &election.candidates {
        let _ = writeln!(out, "\"{}\"", quotable(name));
    }
    let _ = writeln!(out, "\"{}\"", quotable(&election.title));
    out
}

fn quotable(text: &str) -> String {
    text.replace('"', "'").replace(['\n', '\r'], " ")
}

/// A token of a `.blt` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// A run of non-space characters (a number, or something malformed).
    Word(&'a str),
    /// The text between a pair of double quotes on one line.
    Quoted(&'a str),
}

/// Splits a `.blt` file into tokens, tracking line numbers and skipping
/// comments; it allocates nothing, so 50 M ballot lines stream through.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// The 1-based line the lexer is on.
    line: usize,
    /// The line of the last token read (1 before any): where an error
    /// about a file that ends too early is reported.
    last_line: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Lexer {
            text,
            pos: 0,
            line: 1,
            last_line: 1,
        }
    }

    fn next(&mut self) -> Result<Option<(usize, Token<'a>)>, ParseError> {
        let bytes = self.text.as_bytes();
        // Skip whitespace and comments.
        while let Some(&b) = bytes.get(self.pos) {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b'#' => {
                    while bytes.get(self.pos).is_some_and(|&b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                b if b.is_ascii_whitespace() => self.pos += 1,
                _ => break,
            }
        }
        let Some(&first) = bytes.get(self.pos) else {
            return Ok(None);
        };
        let start = self.pos;
        self.last_line = self.line;
        if first == b'"' {
            let body = start + 1;
            let end = bytes[body..]
                .iter()
                .position(|&b| b == b'"' || b == b'\n')
                .map(|i| body + i);
            return match end {
                Some(end) if bytes[end] == b'"' => {
                    self.pos = end + 1;
                    Ok(Some((self.line, Token::Quoted(&self.text[body..end]))))
                }
                _ => Err(error(
                    self.line,
                    "a quoted string is not closed on its line",
                )),
            };
        }
        while bytes
            .get(self.pos)
            .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'#' && b != b'"')
        {
            self.pos += 1;
        }
        Ok(Some((self.line, Token::Word(&self.text[start..self.pos]))))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const EXAMPLE: &str = "4 2\n-4\n3 1 3 0\n4 3 1 2 0\n2 2 0\n0\n\"Adams\"\n\"Baker\"\n\"Clark\"\n\"Davis\"\n\"An example\"\n";

    fn example() -> Election {
        Election {
            title: "An example".into(),
            candidates: vec![
                "Adams".into(),
                "Baker".into(),
                "Clark".into(),
                "Davis".into(),
            ],
            seats: 2,
            withdrawn: vec![3],
            ballots: vec![
                RankedBallot {
                    weight: 3,
                    ranking: vec![0, 2],
                },
                RankedBallot {
                    weight: 4,
                    ranking: vec![2, 0, 1],
                },
                RankedBallot {
                    weight: 2,
                    ranking: vec![1],
                },
            ],
        }
    }

    fn line_of(text: &str) -> usize {
        match parse_blt(text) {
            Ok(_) => panic!("accepted: {text:?}"),
            Err(e) => e.line,
        }
    }

    #[test]
    fn parses_the_example() {
        assert_eq!(parse_blt(EXAMPLE), Ok(example()));
        assert_eq!(to_blt(&example()), EXAMPLE);
    }

    #[test]
    fn tolerates_comments_blank_lines_split_ballots_and_a_bom() {
        let text = "\u{feff}# a comment\n\n4 2 # header\n-4\n3 1\n 3 0\n4 3 1 2 0 2 2 0\n0\n\"Adams\" \"Baker\"\n# names\n\"Clark\"\n\"Davis\"\n\n\"An example\"\n\n";
        assert_eq!(parse_blt(text), Ok(example()));
    }

    #[test]
    fn names_may_hold_spaces_and_hashes_and_the_title_is_optional() {
        let election =
            parse_blt("2 1\n1 1 0\n0\n\"Ann # Lee\"\n\"Bo\"\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(election.candidates, vec!["Ann # Lee", "Bo"]);
        assert_eq!(election.title, "");
    }

    #[test]
    fn malformed_files_name_their_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "ends before"),
            ("x 2\n", 1, "not a whole number"),
            ("0 2\n", 1, "no candidates"),
            ("10001 2\n", 1, "exceed the limit"),
            ("3 0\n", 1, "no seats"),
            ("3 1\n2 1 2=3 0\n0\n", 2, "equal rankings"),
            ("3 1\n2 1\n- 3 0\n0\n", 3, "skipped rankings"),
            ("3 1\n(7) 2 1 0\n0\n", 2, "ballot ids"),
            ("3 1\n1.5 1 0\n0\n", 2, "not a whole number"),
            ("3 1\n2 1 4 0\n0\n", 2, "out of range"),
            ("3 1\n2 1 0\n\n2 3 1 3 0\n0\n", 4, "ranked twice"),
            ("3 1\n2 1 0\n-2\n0\n", 3, "before the first ballot"),
            ("3 1\n-4\n0\n", 2, "out of range"),
            ("3 1\n2 1 0\n2 2 0\n", 3, "not ended"),
            ("3 1\n2 1 0\n2 2\n\"A\"\n", 4, "not ended by `0`"),
            (
                "3 1\n2 1 0\n0\n\"A\"\n\"B\"\n",
                5,
                "expected 3 candidate names",
            ),
            ("3 1\n2 1 0\n0\n\"A\"\nB\n", 5, "quoted name of candidate 2"),
            (
                "2 1\n2 1 0\n0\n\"A\"\n\"B\"\n\"T\"\n\"extra\"\n",
                7,
                "after the title",
            ),
            ("2 1\n2 1 0\n0\n\"A\n\"B\"\n", 4, "not closed"),
            (
                "2 1\n18446744073709551615 1 0\n1 2 0\n0\n\"A\"\n\"B\"\n",
                3,
                "overflows",
            ),
        ];
        for (text, line, reason) in cases {
            let err = parse_blt(text)
                .err()
                .unwrap_or_else(|| panic!("accepted {text:?}"));
            assert_eq!(err.line, *line, "{text:?}: {err}");
            assert!(err.reason.contains(reason), "{text:?}: {err}");
        }
    }

    #[test]
    fn names_and_titles_that_cannot_be_quoted_are_sanitised() {
        let mut election = example();
        election.candidates[0] = "Ann \"the\"\nLee".into();
        let back = parse_blt(&to_blt(&election)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.candidates[0], "Ann 'the' Lee");
    }

    fn election() -> impl Strategy<Value = Election> {
        (1u32..8, 1u32..5).prop_flat_map(|(n, seats)| {
            let names = proptest::collection::vec("[A-Za-z #'.-]{0,12}", n as usize);
            let ballot = (
                1u64..1_000_000,
                Just((0..n).collect::<Vec<u32>>()).prop_shuffle(),
                0..=n as usize,
            )
                .prop_map(|(weight, order, len)| RankedBallot {
                    weight,
                    ranking: order[..len].to_vec(),
                });
            let withdrawn = Just((0..n).collect::<Vec<u32>>())
                .prop_shuffle()
                .prop_flat_map(move |order| {
                    (0..=n as usize).prop_map(move |k| order[..k].to_vec())
                });
            (
                names,
                "[A-Za-z0-9 #]{0,20}",
                withdrawn,
                proptest::collection::vec(ballot, 0..20),
            )
                .prop_map(move |(candidates, title, withdrawn, ballots)| Election {
                    title,
                    candidates,
                    seats,
                    withdrawn,
                    ballots,
                })
        })
    }

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 128,
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn round_trips(election in election()) {
            let text = to_blt(&election);
            prop_assert_eq!(parse_blt(&text), Ok(election));
        }

        /// Corrupting one ballot line (by ranking a candidate past the
        /// last one) is reported on exactly that line.
        #[test]
        fn a_bad_ballot_is_reported_on_its_line(election in election(), pick in any::<prop::sample::Index>()) {
            prop_assume!(!election.ballots.is_empty());
            let text = to_blt(&election);
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let first_ballot = 1 + usize::from(!election.withdrawn.is_empty());
            let index = first_ballot + pick.index(election.ballots.len());
            let bad = election.candidates.len() + 1;
            lines[index] = format!("1 {bad} 0");
            prop_assert_eq!(line_of(&lines.join("\n")), index + 1);
        }
    }
}
