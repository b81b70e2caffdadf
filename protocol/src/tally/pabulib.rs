//! Reading participatory-budgeting instances in the pabulib `.pb` format
//! (<https://pabulib.org/format>): a `META` section of `key;value` rows, a
//! `PROJECTS` section (`project_id;cost;…`) and a `VOTES` section
//! (`voter_id;vote;points;…`, lists comma-separated), each section line
//! followed by a header row; fields are `;`-separated and may be quoted
//! with `"` (`""` inside quotes is one quote).
//!
//! What is accepted, and what is refused with an error naming the 1-based
//! line:
//!
//! - `vote_type` `approval` (and `choose-1`, an approval ballot of one) and
//!   `cumulative`. `scoring` and `ordinal` are refused: the rules in
//!   [`crate::tally::pb`] are defined for these two only.
//! - Amounts (`budget`, costs) are whole currency units: plain digits,
//!   optionally followed by a decimal point or comma and zeros only
//!   (`2500`, `2500.00`, `2500,0`). Refused: a non-zero fraction
//!   (`2500.50`), anything that reads as thousands separators
//!   (`1,000`, `1.000.000`, `1 000`), signs, and amounts above
//!   [`MAX_AMOUNT`]. Points are plain digits up to [`MAX_POINTS`].
//! - An approval vote naming a project twice counts it once (pabulib files
//!   contain such votes; pabutools reads them as sets); a cumulative vote
//!   naming a project twice is refused (which points would count?).
//! - Unknown projects in votes, duplicate project or voter ids, rows with a
//!   different number of fields than their header, `num_projects` /
//!   `num_votes` that disagree with the file, and cumulative votes whose
//!   points exceed `max_sum_points` are refused.
//! - Sizes are bounded by [`MAX_PROJECTS`] and [`MAX_VOTES`].

use std::collections::{BTreeMap, HashMap, HashSet};

use bincode::{Decode, Encode};
use serde::Serialize;

/// Most projects an instance may have.
pub const MAX_PROJECTS: usize = 10_000;

/// Most votes an instance may have.
pub const MAX_VOTES: usize = 10_000_000;

/// Largest budget or project cost (10¹⁵ currency units): sums of costs and
/// budgets times voter counts stay far inside 128-bit arithmetic.
pub const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

/// Largest number of points one vote may give one project.
pub const MAX_POINTS: u64 = 1_000_000_000;

/// How voters expressed their preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteType {
    /// Each voter approves a set of projects.
    Approval,
    /// Each voter distributes points over projects.
    Cumulative,
}

impl VoteType {
    /// The `vote_type` value of pabulib files.
    pub fn as_str(&self) -> &'static str {
        match self {
            VoteType::Approval => "approval",
            VoteType::Cumulative => "cumulative",
        }
    }
}

/// A project put to the vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The file's `project_id`.
    pub id: String,
    /// Its cost in whole currency units.
    pub cost: u64,
    /// The file's `name` column, if any.
    pub name: Option<String>,
    /// The file's `selected` column, if any and a plain number: whether the
    /// official count funded the project (pabulib: 1 funded, 0 not, other
    /// values explained in the file's comment). Informative only: no rule
    /// reads it.
    pub selected: Option<u64>,
}

/// One voter's ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbVote {
    /// The file's `voter_id`.
    pub voter: String,
    /// Indices into [`PbInstance::projects`], in the order the vote lists them.
    pub projects: Vec<u32>,
    /// For cumulative votes, the points given to each of `projects`.
    pub points: Option<Vec<u64>>,
}

/// A participatory-budgeting instance: budget, projects and votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbInstance {
    /// Every `META` row, as written (keys and values trimmed).
    pub meta: BTreeMap<String, String>,
    /// The budget limit, in whole currency units.
    pub budget: u64,
    /// The projects, in file order.
    pub projects: Vec<Project>,
    /// The votes, in file order.
    pub votes: Vec<PbVote>,
    /// Approval or cumulative.
    pub vote_type: VoteType,
}

/// Why a `.pb` file was refused. Every variant names the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PabulibError {
    /// A data row appears before any `META`/`PROJECTS`/`VOTES` line.
    #[error("line {line}: data before any META, PROJECTS or VOTES section")]
    NoSection { line: usize },
    /// Sections out of order or repeated.
    #[error("line {line}: section {section} is repeated or out of order (META, PROJECTS, VOTES)")]
    SectionOrder { line: usize, section: String },
    /// A required section is absent.
    #[error("line {line}: the file has no {section} section")]
    MissingSection { line: usize, section: String },
    /// A section line is not followed by its header row.
    #[error("line {line}: section {section} has no header row")]
    MissingHeader { line: usize, section: String },
    /// A header lacks a required column.
    #[error("line {line}: the {section} header has no `{column}` column")]
    MissingColumn {
        line: usize,
        section: String,
        column: String,
    },
    /// A row has a different number of fields than its header.
    #[error("line {line}: {found} fields where the header has {expected}")]
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    /// A quoted field is not closed on its line, or text follows a closing quote.
    #[error("line {line}: malformed quoting")]
    BadQuoting { line: usize },
    /// A META key appears twice.
    #[error("line {line}: META key `{key}` appears twice")]
    DuplicateMetaKey { line: usize, key: String },
    /// A required META key is absent.
    #[error("line {line}: META has no `{key}`")]
    MissingMeta { line: usize, key: String },
    /// An amount is not a whole number of currency units we accept.
    #[error("line {line}: {field} `{text}` is refused: {reason}")]
    BadAmount {
        line: usize,
        field: String,
        text: String,
        reason: String,
    },
    /// A count or points field is not a plain non-negative integer in range.
    #[error("line {line}: {field} `{text}` is not a whole number in range")]
    BadNumber {
        line: usize,
        field: String,
        text: String,
    },
    /// `scoring` or `ordinal` votes.
    #[error("line {line}: vote_type `{vote_type}` is not supported (only approval and cumulative)")]
    UnsupportedVoteType { line: usize, vote_type: String },
    /// A `vote_type` pabulib does not define.
    #[error("line {line}: unknown vote_type `{vote_type}`")]
    UnknownVoteType { line: usize, vote_type: String },
    /// Two projects share an id.
    #[error("line {line}: project `{id}` is defined twice")]
    DuplicateProject { line: usize, id: String },
    /// An empty project id.
    #[error("line {line}: empty project_id")]
    EmptyProjectId { line: usize },
    /// A vote names a project the file does not define.
    #[error("line {line}: the vote names unknown project `{id}`")]
    UnknownProject { line: usize, id: String },
    /// Two votes share a voter id.
    #[error("line {line}: voter `{voter}` votes twice")]
    DuplicateVoter { line: usize, voter: String },
    /// A cumulative vote names a project twice.
    #[error("line {line}: the cumulative vote names project `{id}` twice")]
    RepeatedProject { line: usize, id: String },
    /// A cumulative vote's project and points lists differ in length.
    #[error("line {line}: {projects} projects but {points} points")]
    PointsMismatch {
        line: usize,
        projects: usize,
        points: usize,
    },
    /// A cumulative vote gives more points than `max_sum_points`.
    #[error("line {line}: the vote gives {sum} points, more than max_sum_points {max}")]
    TooManyPoints { line: usize, sum: u64, max: u64 },
    /// `num_projects` or `num_votes` disagrees with the file.
    #[error("line {line}: {key} is {declared} but the file has {actual}")]
    CountMismatch {
        line: usize,
        key: String,
        declared: u64,
        actual: u64,
    },
    /// More projects or votes than the limits.
    #[error("line {line}: more than {limit} {what}")]
    TooMany {
        line: usize,
        what: String,
        limit: usize,
    },
}

impl PabulibError {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            PabulibError::NoSection { .. } => "no_section",
            PabulibError::SectionOrder { .. } => "section_order",
            PabulibError::MissingSection { .. } => "missing_section",
            PabulibError::MissingHeader { .. } => "missing_header",
            PabulibError::MissingColumn { .. } => "missing_column",
            PabulibError::FieldCount { .. } => "field_count",
            PabulibError::BadQuoting { .. } => "bad_quoting",
            PabulibError::DuplicateMetaKey { .. } => "duplicate_meta_key",
            PabulibError::MissingMeta { .. } => "missing_meta",
            PabulibError::BadAmount { .. } => "bad_amount",
            PabulibError::BadNumber { .. } => "bad_number",
            PabulibError::UnsupportedVoteType { .. } => "unsupported_vote_type",
            PabulibError::UnknownVoteType { .. } => "unknown_vote_type",
            PabulibError::DuplicateProject { .. } => "duplicate_project",
            PabulibError::EmptyProjectId { .. } => "empty_project_id",
            PabulibError::UnknownProject { .. } => "unknown_project",
            PabulibError::DuplicateVoter { .. } => "duplicate_voter",
            PabulibError::RepeatedProject { .. } => "repeated_project",
            PabulibError::PointsMismatch { .. } => "points_mismatch",
            PabulibError::TooManyPoints { .. } => "too_many_points",
            PabulibError::CountMismatch { .. } => "count_mismatch",
            PabulibError::TooMany { .. } => "too_many",
        }
    }

    /// The 1-based line the error is about.
    pub fn line(&self) -> usize {
        match self {
            PabulibError::NoSection { line }
            | PabulibError::SectionOrder { line, .. }
            | PabulibError::MissingSection { line, .. }
            | PabulibError::MissingHeader { line, .. }
            | PabulibError::MissingColumn { line, .. }
            | PabulibError::FieldCount { line, .. }
            | PabulibError::BadQuoting { line }
            | PabulibError::DuplicateMetaKey { line, .. }
            | PabulibError::MissingMeta { line, .. }
            | PabulibError::BadAmount { line, .. }
            | PabulibError::BadNumber { line, .. }
            | PabulibError::UnsupportedVoteType { line, .. }
            | PabulibError::UnknownVoteType { line, .. }
            | PabulibError::DuplicateProject { line, .. }
            | PabulibError::EmptyProjectId { line }
            | PabulibError::UnknownProject { line, .. }
            | PabulibError::DuplicateVoter { line, .. }
            | PabulibError::RepeatedProject { line, .. }
            | PabulibError::PointsMismatch { line, .. }
            | PabulibError::TooManyPoints { line, .. }
            | PabulibError::CountMismatch { line, .. }
            | PabulibError::TooMany { line, .. } => *line,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Meta,
    Projects,
    Votes,
}

impl Section {
    fn parse(field: &str) -> Option<Section> {
        match field.trim().to_ascii_lowercase().as_str() {
            "meta" => Some(Section::Meta),
            "projects" => Some(Section::Projects),
            "votes" => Some(Section::Votes),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Section::Meta => "META",
            Section::Projects => "PROJECTS",
            Section::Votes => "VOTES",
        }
    }
}

/// A section's header: column name → field index.
struct Header {
    line: usize,
    len: usize,
    columns: HashMap<String, usize>,
}

impl Header {
    fn new(line: usize, fields: &[String]) -> Header {
        let mut columns = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            columns.entry(f.trim().to_string()).or_insert(i);
        }
        Header {
            line,
            len: fields.len(),
            columns,
        }
    }

    fn column(&self, section: Section, name: &str) -> Result<usize, PabulibError> {
        self.columns
            .get(name)
            .copied()
            .ok_or_else(|| PabulibError::MissingColumn {
                line: self.line,
                section: section.name().to_string(),
                column: name.to_string(),
            })
    }
}

/// The parser's state between lines.
#[derive(Default)]
struct Reader {
    meta: BTreeMap<String, String>,
    meta_lines: HashMap<String, usize>,
    meta_line: usize,
    vote_type: Option<VoteType>,
    projects: Vec<Project>,
    project_index: HashMap<String, u32>,
    votes: Vec<PbVote>,
    voters: HashSet<String>,
    max_sum_points: Option<u64>,
}

/// Parses a pabulib `.pb` file.
pub fn parse_pb(text: &str) -> Result<PbInstance, PabulibError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::default();
    let mut section: Option<Section> = None;
    let mut header: Option<Header> = None;
    let mut last_line = 0;
    let mut seen: Vec<Section> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        last_line = line;
        let fields = split_row(raw, line)?;
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if let Some(next) = Section::parse(&fields[0]) {
            if seen.last().is_some_and(|&last| last >= next) {
                return Err(PabulibError::SectionOrder {
                    line,
                    section: next.name().to_string(),
                });
            }
            if section.is_some() && header.is_none() {
                return Err(missing_header(line, section));
            }
            if next == Section::Meta {
                reader.meta_line = line;
            }
            if next >= Section::Projects && !seen.contains(&Section::Meta) {
                return Err(PabulibError::MissingSection {
                    line,
                    section: "META".to_string(),
                });
            }
            if next == Section::Votes && !seen.contains(&Section::Projects) {
                return Err(PabulibError::MissingSection {
                    line,
                    section: "PROJECTS".to_string(),
                });
            }
            if next == Section::Projects {
                reader.check_meta()?;
            }
            seen.push(next);
            section = Some(next);
            header = None;
            continue;
        }
        let Some(current) = section else {
            return Err(PabulibError::NoSection { line });
        };
        let Some(head) = &header else {
            header = Some(Header::new(line, &fields));
            if current == Section::Votes {
                reader.check_votes_header(header.as_ref())?;
            }
            continue;
        };
        match current {
            Section::Meta => reader.meta_row(line, &fields)?,
            Section::Projects => reader.project_row(line, head, &fields)?,
            Section::Votes => reader.vote_row(line, head, &fields)?,
        }
    }
    if section.is_some() && header.is_none() {
        return Err(missing_header(last_line, section));
    }
    for required in [Section::Meta, Section::Projects, Section::Votes] {
        if !seen.contains(&required) {
            return Err(PabulibError::MissingSection {
                line: last_line,
                section: required.name().to_string(),
            });
        }
    }
    reader.finish()
}

fn missing_header(line: usize, section: Option<Section>) -> PabulibError {
    PabulibError::MissingHeader {
        line,
        section: section.map_or("", Section::name).to_string(),
    }
}

impl Reader {
    fn meta_row(&mut self, line: usize, fields: &[String]) -> Result<(), PabulibError> {
        let key = fields[0].trim().to_string();
        let value = fields.get(1).map_or("", |v| v.trim()).to_string();
        if fields.len() > 2 && fields[2..].iter().any(|f| !f.trim().is_empty()) {
            return Err(PabulibError::FieldCount {
                line,
                expected: 2,
                found: fields.len(),
            });
        }
        if self.meta.contains_key(&key) {
            return Err(PabulibError::DuplicateMetaKey { line, key });
        }
        self.meta_lines.insert(key.clone(), line);
        self.meta.insert(key, value);
        Ok(())
    }

    fn meta_value(&self, key: &str) -> Result<(usize, &str), PabulibError> {
        match (self.meta_lines.get(key), self.meta.get(key)) {
            (Some(&line), Some(value)) => Ok((line, value.as_str())),
            _ => Err(PabulibError::MissingMeta {
                line: self.meta_line,
                key: key.to_string(),
            }),
        }
    }

    /// Validates the META keys the rules depend on, once META is complete.
    fn check_meta(&mut self) -> Result<(), PabulibError> {
        let (line, vote_type) = self.meta_value("vote_type")?;
        self.vote_type = Some(match vote_type.to_ascii_lowercase().as_str() {
            "approval" | "choose-1" => VoteType::Approval,
            "cumulative" => VoteType::Cumulative,
            "scoring" | "ordinal" => {
                return Err(PabulibError::UnsupportedVoteType {
                    line,
                    vote_type: vote_type.to_string(),
                });
            }
            _ => {
                return Err(PabulibError::UnknownVoteType {
                    line,
                    vote_type: vote_type.to_string(),
                });
            }
        });
        let (line, budget) = self.meta_value("budget")?;
        parse_amount(budget, line, "budget")?;
        if let Ok((line, max)) = self.meta_value("max_sum_points") {
            self.max_sum_points = Some(parse_number(max, line, "max_sum_points", u64::MAX)?);
        }
        Ok(())
    }

    fn check_votes_header(&self, header: Option<&Header>) -> Result<(), PabulibError> {
        let Some(header) = header else {
            return Ok(());
        };
        header.column(Section::Votes, "voter_id")?;
        header.column(Section::Votes, "vote")?;
        if self.vote_type == Some(VoteType::Cumulative) {
            header.column(Section::Votes, "points")?;
        }
        Ok(())
    }

    fn project_row(
        &mut self,
        line: usize,
        header: &Header,
        fields: &[String],
    ) -> Result<(), PabulibError> {
        check_width(line, header, fields)?;
        let id = fields[header.column(Section::Projects, "project_id")?]
            .trim()
            .to_string();
        let cost_text = &fields[header.column(Section::Projects, "cost")?];
        if id.is_empty() {
            return Err(PabulibError::EmptyProjectId { line });
        }
        let cost = parse_amount(cost_text, line, "cost")?;
        let name = header
            .columns
            .get("name")
            .map(|&i| fields[i].trim().to_string())
            .filter(|n| !n.is_empty());
        let selected = header
            .columns
            .get("selected")
            .and_then(|&i| parse_number(&fields[i], line, "selected", u64::MAX).ok());
        if self.projects.len() >= MAX_PROJECTS {
            return Err(PabulibError::TooMany {
                line,
                what: "projects".to_string(),
                limit: MAX_PROJECTS,
            });
        }
        if self.project_index.contains_key(&id) {
            return Err(PabulibError::DuplicateProject { line, id });
        }
        self.project_index
            .insert(id.clone(), self.projects.len() as u32);
        self.projects.push(Project {
            id,
            cost,
            name,
            selected,
        });
        Ok(())
    }

    fn vote_row(
        &mut self,
        line: usize,
        header: &Header,
        fields: &[String],
    ) -> Result<(), PabulibError> {
        check_width(line, header, fields)?;
        let voter = fields[header.column(Section::Votes, "voter_id")?]
            .trim()
            .to_string();
        let vote = fields[header.column(Section::Votes, "vote")?].trim();
        let names: Vec<&str> = if vote.is_empty() {
            Vec::new()
        } else {
            vote.split(',').map(str::trim).collect()
        };
        let mut projects = Vec::with_capacity(names.len());
        for name in &names {
            let index =
                self.project_index
                    .get(*name)
                    .ok_or_else(|| PabulibError::UnknownProject {
                        line,
                        id: name.to_string(),
                    })?;
            projects.push(*index);
        }
        let points = match self.vote_type {
            Some(VoteType::Cumulative) => {
                let text = fields[header.column(Section::Votes, "points")?].trim();
                Some(self.points(line, text, &names, &projects)?)
            }
            _ => {
                // A set: repeated approvals count once.
                let mut seen = HashSet::new();
                projects.retain(|p| seen.insert(*p));
                None
            }
        };
        if self.votes.len() >= MAX_VOTES {
            return Err(PabulibError::TooMany {
                line,
                what: "votes".to_string(),
                limit: MAX_VOTES,
            });
        }
        if !self.voters.insert(voter.clone()) {
            return Err(PabulibError::DuplicateVoter { line, voter });
        }
        self.votes.push(PbVote {
            voter,
            projects,
            points,
        });
        Ok(())
    }

    fn points(
        &self,
        line: usize,
        text: &str,
        names: &[&str],
        projects: &[u32],
    ) -> Result<Vec<u64>, PabulibError> {
        let points: Vec<u64> = if text.is_empty() {
            Vec::new()
        } else {
            text.split(',')
                .map(|p| parse_number(p, line, "points", MAX_POINTS))
                .collect::<Result<_, _>>()?
        };
        if points.len() != projects.len() {
            return Err(PabulibError::PointsMismatch {
                line,
                projects: projects.len(),
                points: points.len(),
            });
        }
        let mut seen = HashSet::new();
        for (name, p) in names.iter().zip(projects) {
            if !seen.insert(*p) {
                return Err(PabulibError::RepeatedProject {
                    line,
                    id: name.to_string(),
                });
            }
        }
        let sum: u64 = points.iter().sum();
        if let Some(max) = self.max_sum_points
            && sum > max
        {
            return Err(PabulibError::TooManyPoints { line, sum, max });
        }
        Ok(points)
    }

    fn finish(self) -> Result<PbInstance, PabulibError> {
        for (key, actual) in [
            ("num_projects", self.projects.len()),
            ("num_votes", self.votes.len()),
        ] {
            if let Ok((line, text)) = self.meta_value(key) {
                let declared = parse_number(text, line, key, u64::MAX)?;
                if declared != actual as u64 {
                    return Err(PabulibError::CountMismatch {
                        line,
                        key: key.to_string(),
                        declared,
                        actual: actual as u64,
                    });
                }
            }
        }
        let (line, budget) = self.meta_value("budget")?;
        let budget = parse_amount(budget, line, "budget")?;
        let vote_type = match self.vote_type {
            Some(v) => v,
            None => {
                return Err(PabulibError::MissingMeta {
                    line: self.meta_line,
                    key: "vote_type".to_string(),
                });
            }
        };
        Ok(PbInstance {
            meta: self.meta,
            budget,
            projects: self.projects,
            votes: self.votes,
            vote_type,
        })
    }
}

fn check_width(line: usize, header: &Header, fields: &[String]) -> Result<(), PabulibError> {
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
fn split_row(raw: &str, line: usize) -> Result<Vec<String>, PabulibError> {
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
fn parse_amount(text: &str, line: usize, field: &str) -> Result<u64, PabulibError> {
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
    match whole.parse::<u64>() {
        Ok(value) if value <= MAX_AMOUNT => Ok(value),
        _ => Err(refuse("above the largest accepted amount (10^15)")),
    }
}

/// Parses a plain non-negative integer no larger than `max`.
fn parse_number(text: &str, line: usize, field: &str, max: u64) -> Result<u64, PabulibError> {
    let text = text.trim();
    let bad = || PabulibError::BadNumber {
        line,
        field: field.to_string(),
        text: text.to_string(),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match text.parse::<u64>() {
        Ok(value) if value <= max => Ok(value),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "META
key;value
description;A small instance
num_projects;3
num_votes;3
budget;1000.00
vote_type;approval
PROJECTS
project_id;cost;name
a;600;\"Park; with a \"\"bench\"\"\"
b;400;Library
c;250,0;
VOTES
voter_id;vote
1;a,b
2;b,b,c
3;
";

    #[test]
    fn parses_a_small_approval_instance() {
        let instance = parse_pb(SMALL).expect("parse");
        assert_eq!(instance.budget, 1000);
        assert_eq!(instance.vote_type, VoteType::Approval);
        assert_eq!(
            instance.meta.get("description").map(String::as_str),
            Some("A small instance")
        );
        let ids: Vec<&str> = instance.projects.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(
            instance.projects[0].name.as_deref(),
            Some("Park; with a \"bench\"")
        );
        assert_eq!(instance.projects[2].cost, 250);
        assert_eq!(instance.projects[2].name, None);
        assert_eq!(instance.projects[0].selected, None, "no `selected` column");
        // A repeated approval counts once; an empty vote is a vote.
        assert_eq!(instance.votes[1].projects, vec![1, 2]);
        assert!(instance.votes[2].projects.is_empty());
        assert_eq!(instance.votes.len(), 3);
    }

    #[test]
    fn parses_cumulative_votes_and_real_files() {
        let toulouse =
            parse_pb(include_str!("pb/data/france_toulouse_2019_excerpt.pb")).expect("Toulouse");
        assert_eq!(toulouse.vote_type, VoteType::Cumulative);
        assert_eq!(toulouse.projects.len(), 30);
        assert_eq!(toulouse.votes[0].projects, vec![9, 10, 12, 8]);
        assert_eq!(toulouse.votes[0].points, Some(vec![2, 2, 2, 1]));
        let warsaw = parse_pb(include_str!(
            "pb/data/poland_warszawa_2017_plac-wojska-polskiego.pb"
        ))
        .expect("Warsaw");
        assert_eq!(warsaw.projects[3].cost, 2900);
        // The official outcome, where the file records it; anything but a
        // plain number there is left out rather than refused.
        let selected: Vec<Option<u64>> = warsaw.projects.iter().map(|p| p.selected).collect();
        assert_eq!(selected, [Some(1); 4]);
        let odd = parse_pb(
            &SMALL
                .replace("project_id;cost;name", "project_id;cost;selected")
                .replace("Library", "2")
                .replace("\"Park; with a \"\"bench\"\"\"", "yes"),
        )
        .expect("selected column");
        let odd: Vec<Option<u64>> = odd.projects.iter().map(|p| p.selected).collect();
        assert_eq!(odd, [None, Some(2), None]);
        assert_eq!(
            warsaw.meta.get("district").map(String::as_str),
            Some("Wesoła")
        );
    }

    fn error(text: &str) -> (String, usize) {
        let e = parse_pb(text).expect_err("refused");
        (e.code().to_string(), e.line())
    }

    fn with(replace: &str, by: &str) -> String {
        assert!(SMALL.contains(replace), "{replace}");
        SMALL.replacen(replace, by, 1)
    }

    #[test]
    fn errors_name_the_line() {
        let cases: &[(&str, &str, &str, usize)] = &[
            (
                "vote_type;approval",
                "vote_type;ordinal",
                "unsupported_vote_type",
                7,
            ),
            (
                "vote_type;approval",
                "vote_type;scoring",
                "unsupported_vote_type",
                7,
            ),
            (
                "vote_type;approval",
                "vote_type;ranked",
                "unknown_vote_type",
                7,
            ),
            ("budget;1000.00", "budget;1000.50", "bad_amount", 6),
            ("budget;1000.00", "budget;1,000", "bad_amount", 6),
            ("budget;1000.00", "budget;1 000", "bad_amount", 6),
            ("budget;1000.00", "budget;-5", "bad_amount", 6),
            ("b;400;Library", "b;400.5;Library", "bad_amount", 11),
            ("b;400;Library", "a;400;Library", "duplicate_project", 11),
            ("b;400;Library", "b;400", "field_count", 11),
            ("2;b,b,c", "2;b,d", "unknown_project", 16),
            ("2;b,b,c", "1;b", "duplicate_voter", 16),
            ("num_votes;3", "num_votes;4", "count_mismatch", 5),
            ("num_projects;3", "num_projects;x", "bad_number", 4),
            ("budget;1000.00\n", "", "missing_meta", 1),
            ("a;600;\"Park", "a;600;\"Park\"x", "bad_quoting", 10),
            (
                "description;A small instance",
                "description;A small instance\ndescription;again",
                "duplicate_meta_key",
                4,
            ),
        ];
        for &(replace, by, code, line) in cases {
            assert_eq!(error(&with(replace, by)), (code.to_string(), line), "{by}");
        }
        assert_eq!(error("budget;1\n"), ("no_section".to_string(), 1));
        assert_eq!(
            error("META\nkey;value\nbudget;1\nvote_type;approval\nVOTES\nvoter_id;vote\n"),
            ("missing_section".to_string(), 5)
        );
        let no_votes = SMALL.split("VOTES").next().expect("head").to_string();
        assert_eq!(error(&no_votes).0, "missing_section");
        assert_eq!(
            error(&with("budget;1000.00", "budget;1000000000000000001")).0,
            "bad_amount"
        );
    }

    #[test]
    fn cumulative_points_are_checked() {
        let text = "META\nkey;value\nbudget;10\nvote_type;cumulative\nmax_sum_points;5\n\
                    PROJECTS\nproject_id;cost\nx;4\ny;6\nVOTES\nvoter_id;vote;points\n";
        let ok = format!("{text}v1;x,y;2,3\n");
        assert_eq!(
            parse_pb(&ok).expect("parse").votes[0].points,
            Some(vec![2, 3])
        );
        let cases = [
            ("v1;x,y;3,3\n", "too_many_points"),
            ("v1;x,y;3\n", "points_mismatch"),
            ("v1;x,x;1,1\n", "repeated_project"),
            ("v1;x;a\n", "bad_number"),
        ];
        for (row, code) in cases {
            assert_eq!(
                error(&format!("{text}{row}")),
                (code.to_string(), 12),
                "{row}"
            );
        }
        let no_points = text.replace("voter_id;vote;points", "voter_id;vote");
        assert_eq!(error(&no_points), ("missing_column".to_string(), 11));
    }

    #[test]
    fn amounts() {
        for (text, value) in [
            ("0", 0),
            ("2500", 2500),
            ("2500.00", 2500),
            ("2500,0", 2500),
        ] {
            assert_eq!(parse_amount(text, 1, "cost"), Ok(value), "{text}");
        }
        for text in [
            "",
            "1.5",
            "1,000",
            "12.500",
            "1.000.000",
            "1 000",
            "+5",
            "0x10",
            "1e6",
        ] {
            assert!(parse_amount(text, 1, "cost").is_err(), "{text}");
        }
    }

    #[test]
    fn fields_split_on_semicolons_outside_quotes() {
        assert_eq!(
            split_row("a; \"b;c\" ;\"d\"\"e\"", 1),
            Ok(vec!["a".to_string(), "b;c".to_string(), "d\"e".to_string()])
        );
        assert!(split_row("\"open", 3).is_err());
    }
}
