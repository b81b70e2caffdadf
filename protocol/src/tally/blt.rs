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
//! Tokens are separated by any whitespace; `#` starts a comment running to
//! the end of the line (outside a quoted string); a leading byte-order mark
//! is ignored. Withdrawn candidates, as the format defines them, are the
//! negative numbers on the first line after the header, and that line holds
//! nothing else: a negative number anywhere else is refused, so that a
//! mistyped ballot (`-1 2 0`) cannot silently withdraw a candidate.
//!
//! Accepted but reported as a [`Warning`] naming its line, by
//! [`read_blt`]: a ballot split across lines or sharing a line with
//! another, a ballot ranking no candidate or only withdrawn ones (not a
//! valid paper: it is not counted), as many seats as standing candidates or
//! more (no contest), two candidates with the same name, and a missing
//! title (read as the empty string).
//!
//! Refused, each with the line it was found on: an empty file, equal
//! rankings (`2=3`), skipped rankings (`-` inside a ballot), ballot ids
//! (`(id) weight …`), fractional or negative weights, numbers too large for
//! what they count (`too large (at most …)`), a candidate ranked twice on
//! one ballot, candidate numbers out of range, more candidates, ballot
//! lines or preferences than the [`Limits`] of the count (by default
//! [`MAX_CANDIDATES`] and [`MAX_BALLOT_LINES`]), and weights whose total
//! overflows.
//!
//! Candidates are 1-based in the file and 0-based in [`Election`].

#[cfg(test)]
mod tests;

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

/// How much a file may hold, checked while it is read so that a file
/// over a limit is refused naming the line where it went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most candidates.
    pub candidates: u32,
    /// The most ballot lines.
    pub ballot_lines: usize,
    /// The most preferences (candidates ranked), over all ballot lines.
    pub preferences: usize,
}

impl Limits {
    /// What the format itself allows: [`MAX_CANDIDATES`] candidates and
    /// [`MAX_BALLOT_LINES`] ballot lines, preferences unbounded beyond that.
    pub const FORMAT: Limits = Limits {
        candidates: MAX_CANDIDATES,
        ballot_lines: MAX_BALLOT_LINES,
        preferences: usize::MAX,
    };
}

/// A file read with [`read_blt`]: the election, and what was odd about
/// the file but accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The election.
    pub election: Election,
    /// Odd but accepted input, in the order met.
    pub warnings: Vec<Warning>,
}

/// Something odd about a `.blt` file that was accepted, naming the first
/// line where it was met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The 1-based line.
    pub line: usize,
    /// What was odd, and what was made of it (with how often it recurred).
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why a `.blt` file was refused, naming its 1-based line (line 0: the
/// file as a whole, e.g. an empty file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The 1-based line on which the problem was found; 0 for the file as
    /// a whole.
    pub line: usize,
    /// What is wrong, as a sentence fragment.
    pub reason: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            f.write_str(&self.reason)
        } else {
            write!(f, "line {}: {}", self.line, self.reason)
        }
    }
}

fn error(line: usize, reason: impl Into<String>) -> ParseError {
    ParseError {
        line,
        reason: reason.into(),
    }
}

/// Parses the text of a `.blt` file within the format's own limits,
/// dropping the warnings (see [`read_blt`]).
pub fn parse_blt(text: &str) -> Result<Election, ParseError> {
    read_blt(text, &Limits::FORMAT).map(|parsed| parsed.election)
}

/// Parses the text of a `.blt` file, refusing more than `limits` allow,
/// and reports what was odd but accepted.
pub fn read_blt(text: &str, limits: &Limits) -> Result<Parsed, ParseError> {
    let mut lexer = Lexer::new(text);
    let mut warnings = Warnings::default();

    let (candidates, seats, header_line) = header(&mut lexer, limits)?;
    let mut withdrawn = Vec::new();
    let ballots = ballots(
        &mut lexer,
        candidates,
        header_line,
        limits,
        &mut withdrawn,
        &mut warnings,
    )?;
    let standing = candidates as usize - withdrawn.len();
    if seats as usize >= standing {
        warnings.add(
            header_line,
            Odd::NoContest,
            format!(
                "{seats} seats for {standing} standing candidates: all are elected without a contest"
            ),
        );
    }

    let mut names: Vec<String> = Vec::with_capacity(candidates as usize);
    let mut first_named: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for k in 1..=candidates {
        match lexer.next()? {
            Some((line, Token::Quoted(name))) => {
                if let Some(other) = first_named.insert(name.to_owned(), k) {
                    warnings.add(
                        line,
                        Odd::SameName,
                        format!("candidates {other} and {k} are both named \"{name}\""),
                    );
                }
                names.push(name.to_owned());
            }
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
        None => {
            warnings.add(
                lexer.last_line,
                Odd::NoTitle,
                "the file has no title after the candidates' names".to_owned(),
            );
            String::new()
        }
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

    Ok(Parsed {
        election: Election {
            title,
            candidates: names,
            seats,
            withdrawn,
            ballots,
        },
        warnings: warnings.into_list(),
    })
}

/// The kinds of odd input, each reported once with how often it recurred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Odd {
    SplitBallot,
    SharedLine,
    EmptyBallot,
    OnlyWithdrawn,
    NoContest,
    SameName,
    NoTitle,
}

/// Warnings being gathered: the first of each kind keeps its line and
/// message, later ones are counted, so that a file with a million odd
/// ballots yields one warning, not a million.
#[derive(Debug, Default)]
struct Warnings {
    first: Vec<(Odd, Warning, usize)>,
}

impl Warnings {
    fn add(&mut self, line: usize, kind: Odd, message: String) {
        match self.first.iter_mut().find(|(k, _, _)| *k == kind) {
            Some((_, _, more)) => *more += 1,
            None => self.first.push((kind, Warning { line, message }, 0)),
        }
    }

    fn into_list(self) -> Vec<Warning> {
        self.first
            .into_iter()
            .map(|(_, mut warning, more)| {
                if more > 0 {
                    let times = if more == 1 { "time" } else { "times" };
                    warning.message = format!("{} (and {more} more {times})", warning.message);
                }
                warning
            })
            .collect()
    }
}

/// A whole number in the file, no larger than `max`: the reason it is not
/// one names what is wrong (negative, too large, not a number at all).
fn whole(word: &str, what: &str, max: u64) -> Result<u64, String> {
    if let Some(rest) = word.strip_prefix('-')
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("the {what} `{word}` is negative"));
    }
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the {what} `{word}` is not a whole number"));
    }
    match word.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("the {what} `{word}` is too large (at most {max})")),
    }
}

/// The header: the number of candidates and of seats, and its line.
fn header(lexer: &mut Lexer<'_>, limits: &Limits) -> Result<(u32, u32, usize), ParseError> {
    let mut number = |what: &str, max: u64| -> Result<(usize, u64), ParseError> {
        match lexer.next()? {
            Some((line, Token::Word(word))) => whole(word, what, max)
                .map(|n| (line, n))
                .map_err(|reason| error(line, reason)),
            Some((line, Token::Quoted(_))) => Err(error(
                line,
                format!("expected the {what}, found a quoted string"),
            )),
            None if lexer.tokens == 0 => Err(error(
                0,
                "the file is empty: a .blt file starts with the number of candidates and of seats",
            )),
            None => Err(error(
                lexer.last_line,
                format!("the file ends before the {what}"),
            )),
        }
    };
    let (line, candidates) = number("number of candidates", u64::from(limits.candidates))?;
    if candidates == 0 {
        return Err(error(line, "the election has no candidates"));
    }
    let (seats_line, seats) = number("number of seats", u64::from(u32::MAX))?;
    if seats == 0 {
        return Err(error(seats_line, "the election has no seats to fill"));
    }
    // Both fit in u32: `whole` bounded them.
    Ok((candidates as u32, seats as u32, seats_line))
}

/// The optional withdrawn line, then ballots up to the terminating `0`.
fn ballots(
    lexer: &mut Lexer<'_>,
    candidates: u32,
    header_line: usize,
    limits: &Limits,
    withdrawn: &mut Vec<u32>,
    warnings: &mut Warnings,
) -> Result<Vec<RankedBallot>, ParseError> {
    let mut ballots: Vec<RankedBallot> = Vec::new();
    let mut total: u64 = 0;
    let mut preferences: usize = 0;
    // `seen[c] == stamp` marks candidate c as already ranked on the current
    // ballot, without clearing a set per ballot.
    let mut seen = vec![0u32; candidates as usize + 1];
    let mut stamp: u32 = 0;
    let mut is_withdrawn = vec![false; candidates as usize];
    // The line the last ballot ended on, to spot two ballots on one line.
    let mut last_end: Option<usize> = None;
    let mut first = true;
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
        let starts_withdrawn = first && word.starts_with('-') && word.len() > 1;
        first = false;
        if starts_withdrawn {
            if line == header_line {
                return Err(error(
                    line,
                    format!("`{word}`: withdrawn candidates go on their own line after the header"),
                ));
            }
            withdrawn_line(lexer, line, word, candidates, withdrawn)?;
            for &c in withdrawn.iter() {
                is_withdrawn[c as usize] = true;
            }
            continue;
        }
        if word == "0" {
            return Ok(ballots);
        }
        if word.starts_with('(') {
            return Err(error(
                line,
                "ballot ids (`(id) weight …`) are not supported",
            ));
        }
        if word.starts_with('-') {
            return Err(error(
                line,
                format!(
                    "the ballot weight `{word}` is negative (withdrawn candidates are listed only on the line after the header)"
                ),
            ));
        }
        let weight =
            whole(word, "ballot weight", u64::MAX).map_err(|reason| error(line, reason))?;
        total = total
            .checked_add(weight)
            .ok_or_else(|| error(line, "the total ballot weight overflows"))?;
        if ballots.len() >= limits.ballot_lines {
            return Err(error(
                line,
                format!("more than {} ballot lines", limits.ballot_lines),
            ));
        }
        if last_end == Some(line) {
            warnings.add(
                line,
                Odd::SharedLine,
                "two ballots share this line".to_owned(),
            );
        }
        stamp += 1;
        let mut ranking = Vec::new();
        let end_line = loop {
            let (rank_line, word) = match lexer.next()? {
                Some((l, Token::Word(word))) => (l, word),
                Some((l, Token::Quoted(_))) => {
                    return Err(error(
                        l,
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
                break rank_line;
            }
            if word.contains('=') {
                return Err(error(rank_line, "equal rankings (`=`) are not supported"));
            }
            if word == "-" {
                return Err(error(rank_line, "skipped rankings (`-`) are not supported"));
            }
            if word.starts_with('-') {
                return Err(error(
                    rank_line,
                    format!(
                        "`{word}` is not a candidate number (withdrawn candidates are listed only on the line after the header)"
                    ),
                ));
            }
            let candidate = candidate_number(rank_line, word, candidates)?;
            let mark = &mut seen[candidate as usize];
            if *mark == stamp {
                return Err(error(
                    rank_line,
                    format!("candidate {word} is ranked twice on one ballot"),
                ));
            }
            *mark = stamp;
            ranking.push(candidate);
            preferences += 1;
            if preferences > limits.preferences {
                return Err(error(
                    rank_line,
                    format!(
                        "the ballots rank more than {} candidates in all",
                        limits.preferences
                    ),
                ));
            }
        };
        if end_line != line {
            warnings.add(
                line,
                Odd::SplitBallot,
                format!("a ballot continues onto line {end_line}"),
            );
        }
        last_end = Some(end_line);
        if ranking.is_empty() {
            warnings.add(
                line,
                Odd::EmptyBallot,
                "a ballot ranks no candidate: it is not a valid paper and is not counted"
                    .to_owned(),
            );
        } else if ranking.iter().all(|&c| is_withdrawn[c as usize]) {
            warnings.add(
                line,
                Odd::OnlyWithdrawn,
                "a ballot ranks only withdrawn candidates: it is not counted".to_owned(),
            );
        }
        ballots.push(RankedBallot { weight, ranking });
    }
}

/// The withdrawn line, whose first token `word` is on `line`: negative
/// candidate numbers and nothing else.
fn withdrawn_line(
    lexer: &mut Lexer<'_>,
    line: usize,
    word: &str,
    candidates: u32,
    withdrawn: &mut Vec<u32>,
) -> Result<(), ParseError> {
    let mut word = word;
    loop {
        let number = word.strip_prefix('-').filter(|n| !n.is_empty()).ok_or_else(|| {
            error(
                line,
                format!(
                    "the withdrawn candidates' line holds only negative candidate numbers, found `{word}`"
                ),
            )
        })?;
        let candidate = candidate_number(line, number, candidates)?;
        if withdrawn.contains(&candidate) {
            return Err(error(
                line,
                format!("candidate {number} is withdrawn twice"),
            ));
        }
        withdrawn.push(candidate);
        match lexer.peek_line()? {
            Some(next) if next == line => {}
            _ => return Ok(()),
        }
        word = match lexer.next()? {
            Some((_, Token::Word(w))) => w,
            Some((_, Token::Quoted(_))) => {
                return Err(error(
                    line,
                    "the withdrawn candidates' line holds only negative candidate numbers, found a quoted string",
                ));
            }
            None => return Ok(()),
        };
    }
}

/// A 1-based candidate number in the file, as a 0-based index.
fn candidate_number(line: usize, word: &str, candidates: u32) -> Result<u32, ParseError> {
    if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
        return match word.parse::<u32>() {
            Ok(n) if (1..=candidates).contains(&n) => Ok(n - 1),
            _ => Err(error(
                line,
                format!("candidate {word} is out of range (1 to {candidates})"),
            )),
        };
    }
    Err(error(line, format!("`{word}` is not a candidate number")))
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
    /// How many tokens have been read (0: the file is empty so far).
    tokens: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Lexer {
            text,
            pos: 0,
            line: 1,
            last_line: 1,
            tokens: 0,
        }
    }

    /// The line the next token starts on, without reading it.
    fn peek_line(&mut self) -> Result<Option<usize>, ParseError> {
        let (pos, line, last_line, tokens) = (self.pos, self.line, self.last_line, self.tokens);
        let next = self.next()?.map(|(line, _)| line);
        (self.pos, self.line, self.last_line, self.tokens) = (pos, line, last_line, tokens);
        Ok(next)
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
        self.tokens += 1;
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
