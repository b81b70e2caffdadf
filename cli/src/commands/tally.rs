//! `hearth tally`: count a standard election file offline — STV and
//! Schulze over `.blt` ranked ballots, participatory budgeting over pabulib
//! `.pb` files — with the protocol's own counting code, so the figures are
//! the ones a node would attest to.
//!
//! This module reads the file and the seed and holds what the three
//! methods share; each method parses, counts and explains in its own file.

mod pb;
mod schulze;
mod stv;

use std::io::Read as _;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use hearth_protocol::Hash;
use serde_json::{Value, json};

use crate::context::Context;
use crate::output;
use crate::progress::Progress;

/// Domain-separation context of the default seed: the hash of the file's
/// bytes under it seeds the draw of lots when no `--seed` is given.
pub const SEED_CONTEXT: &str = "hearth v1 tally seed";

/// The file formats, for `hearth tally --help`.
const FORMATS: &str = r#"The .blt format (ranked ballots, as ERS, OpenSTV and Scottish councils
publish them); tokens are separated by spaces or newlines, `#` starts a
comment:

  4 2            number of candidates, number of seats
  -4             optional: withdrawn candidates, negated, alone on
                 the line after the header (nowhere else)
  3 1 3 0        a weight (voters), candidates in order of preference, 0
  4 3 1 2 0
  2 2 0
  0              end of the ballots
  "Adams"        the candidates' names, quoted, in number order
  "Baker"
  "Clark"
  "Davis"
  "An example"   the title, quoted (optional)

The .pb format (pabulib, https://pabulib.org/format): `;`-separated
sections, each line naming a section followed by a header row:

  META       key;value rows: budget, vote_type (approval or cumulative),
             num_projects, num_votes, description, …
  PROJECTS   project_id;cost;name;… one project per row
  VOTES      voter_id;vote;points;… vote lists project ids, comma-separated

Examples:
  hearth tally stv --rule scottish ward9.blt
  hearth tally schulze --seed <proposal id> choice.blt
  hearth --json tally pb --rule mes-add1 warszawa.pb"#;

/// Count an election file offline: STV, Schulze or participatory budgeting.
///
/// Nothing is sent anywhere and no key is needed: the file is counted by
/// the same code a node counts with. Ties the rules leave to lot are drawn
/// from a seed: 64 hex digits given with --seed (a proposal id, to repeat
/// a node's count), else the BLAKE3 hash of the file's bytes (derive-key
/// mode, context "hearth v1 tally seed"), so the same file always gives
/// the same result. The seed used is printed ("seed" and "seed_from" in
/// --json). With --json the output holds the method's result (stv:
/// "winners"; schulze: "winner", "tied", "drawn"; pb: "selected",
/// "warnings"), the full "report" and its "result_hash".
///
/// FILE may be `-` to read standard input. A file that cannot be read, is
/// malformed or is over a method's limits exits with status 2, the error
/// naming the line. A file nobody voted in has no result: it exits with
/// status 1 and the code no_ballots.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
#[command(after_long_help = FORMATS)]
pub struct TallyArgs {
    #[command(subcommand)]
    method: Method,
}

#[derive(Debug, clap::Subcommand)]
enum Method {
    Stv(stv::StvArgs),
    Schulze(schulze::SchulzeArgs),
    Pb(pb::PbArgs),
}

/// Runs `hearth tally …`.
pub fn run(ctx: &Context, args: TallyArgs) -> Result<()> {
    match args.method {
        Method::Stv(args) => stv::run(ctx, args),
        Method::Schulze(args) => schulze::run(ctx, args),
        Method::Pb(args) => pb::run(ctx, args),
    }
}

/// Runs `count` with a spinner on stderr (see [`Progress`]): a large
/// budget or election can take a while to count.
fn counting<T>(ctx: &Context, count: impl FnOnce() -> T) -> T {
    let mut spinner = Progress::spinner(&ctx.out, "counting");
    let result = count();
    spinner.finish();
    result
}

/// The file to count and the seed of its lots.
#[derive(Debug, clap::Args)]
struct Source {
    /// The file to count, or `-` for standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Seed of the draw of lots: 64 hex digits (32 bytes), e.g. the proposal id of a node's count [default: the BLAKE3 hash of the file's bytes, context "hearth v1 tally seed"]
    #[arg(long, value_name = "HEX", value_parser = parse_seed)]
    seed: Option<Hash>,
}

/// Parses `--seed`.
fn parse_seed(text: &str) -> Result<Hash, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("invalid seed {text:?}: expected 64 hex digits (a proposal id)"))
}

/// A file read into memory, with the seed its count will use.
#[derive(Debug)]
struct Input {
    /// How errors name the file: its path, or `stdin`.
    name: String,
    /// Its text.
    text: String,
    /// The seed of the draw of lots.
    seed: Hash,
    /// Whether the seed came from `--seed` (else from the file's bytes).
    seed_given: bool,
}

impl Source {
    /// Reads the file (or stdin) as UTF-8 text and settles the seed.
    fn read(&self) -> Result<Input> {
        let stdin = self.file.as_os_str() == "-";
        let name = if stdin {
            "stdin".to_owned()
        } else {
            self.file.display().to_string()
        };
        let mut bytes = Vec::new();
        let read = if stdin {
            std::io::stdin().lock().read_to_end(&mut bytes)
        } else {
            std::fs::File::open(&self.file).and_then(|mut f| f.read_to_end(&mut bytes))
        };
        read.with_context(|| name.clone())?;
        let seed = self.seed.unwrap_or_else(|| Hash::of(SEED_CONTEXT, &bytes));
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
                bail!("{name}: line {line}: the file is not UTF-8 text");
            }
        };
        Ok(Input {
            name,
            text,
            seed,
            seed_given: self.seed.is_some(),
        })
    }
}

impl Input {
    /// Where the seed came from, as `--json` says it: `flag` or `file`.
    fn seed_from(&self) -> &'static str {
        if self.seed_given { "flag" } else { "file" }
    }

    /// The seed for people: its hex and where it came from.
    fn seed_text(&self) -> String {
        let from = if self.seed_given {
            "given with --seed"
        } else {
            "a hash of the file; --seed sets it"
        };
        format!("{} ({from})", self.seed)
    }
}

/// The `--json` object every method prints: the method's own `fields`
/// (its winners or selected projects, rule, …), the seed, the report and
/// its result hash.
fn result_json(
    method: &str,
    fields: Value,
    input: &Input,
    report: &impl serde::Serialize,
    hash: &Hash,
) -> Result<Value> {
    let report = serde_json::to_value(report).context("cannot format the report as JSON")?;
    let mut value = json!({
        "method": method,
        "seed": input.seed.to_hex(),
        "seed_from": input.seed_from(),
        "report": report,
        "result_hash": hash.to_hex(),
    });
    if let (Value::Object(out), Value::Object(extra)) = (&mut value, fields) {
        out.extend(extra);
    }
    Ok(value)
}

/// A count that has no result, or is refused: its stable code (from the
/// protocol's error) and the sentence. `no_ballots` exits 1 — the file is
/// well formed, nobody voted — and everything else exits 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncounted {
    /// The protocol's code (`no_ballots`, `too_many_candidates`, …).
    pub code: &'static str,
    /// The sentence for people.
    pub message: String,
}

impl Uncounted {
    /// The exit status: 1 for a count without result, 2 for a refusal.
    pub fn status(&self) -> u8 {
        if self.code == "no_ballots" { 1 } else { 2 }
    }
}

impl std::fmt::Display for Uncounted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for Uncounted {}

/// Text from a file, made safe to print: control characters (which could
/// drive the terminal) are shown escaped.
fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A table whose columns for which `numeric` holds are right-aligned (the
/// header too), so that decimal points line up.
fn table(
    headers: &[String],
    mut rows: Vec<Vec<String>>,
    numeric: impl Fn(usize) -> bool,
) -> String {
    let mut headers: Vec<String> = headers.to_vec();
    for (i, header) in headers.iter_mut().enumerate() {
        if !numeric(i) {
            continue;
        }
        let width = rows
            .iter()
            .filter_map(|row| row.get(i))
            .chain(std::iter::once(&*header))
            .map(|cell| cell.chars().count())
            .max()
            .unwrap_or(0);
        let pad = |cell: &mut String| {
            let fill = width - cell.chars().count();
            cell.insert_str(0, &" ".repeat(fill));
        };
        pad(header);
        for row in &mut rows {
            if let Some(cell) = row.get_mut(i) {
                pad(cell);
            }
        }
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    output::table(&headers, &rows)
}

/// Names joined by commas, made safe to print.
fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(shown).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_64_hex_digits() {
        let hash = Hash::of("x", b"y");
        assert_eq!(parse_seed(&hash.to_hex()), Ok(hash));
        assert!(parse_seed("abc").unwrap_err().contains("64 hex digits"));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(shown("Zoë\x1b[2J\n"), "Zoë\\u{1b}[2J\\n");
    }

    #[test]
    fn numeric_columns_are_right_aligned() {
        let headers = ["NAME".to_string(), "VOTES".to_string()];
        let rows = vec![
            vec!["a".to_string(), "1.5".to_string()],
            vec!["bb".to_string(), "12.25".to_string()],
        ];
        assert_eq!(
            table(&headers, rows, |i| i == 1),
            "NAME  VOTES\na       1.5\nbb    12.25\n"
        );
    }
}
