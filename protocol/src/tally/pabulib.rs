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
//! - Unknown projects in votes, duplicate or empty project or voter ids, a
//!   header naming a column twice, rows with a different number of fields
//!   than their header, `num_projects` / `num_votes` that disagree with the
//!   file, cumulative votes whose points exceed `max_sum_points`, a
//!   cumulative vote naming a project twice (which points would count?),
//!   a `choose-1` vote naming more than one project, and an empty file are
//!   refused.
//! - Sizes are bounded by [`MAX_PROJECTS`], [`MAX_VOTES`] and
//!   [`MAX_APPROVALS`] (see each for why).
//!
//! Read one documented way and reported as a [`PbWarning`] naming the line
//! ([`read_pb`]; [`parse_pb`] drops the warnings):
//!
//! - an approval vote naming a project twice counts it once
//!   (`repeated_approval`): pabulib files contain such votes and pabutools
//!   reads them as sets, so refusing them would refuse real files;
//! - a `selected` value that is not a plain number is left out
//!   (`selected_not_a_number`): no rule reads it, it is informative only.
//!
//! Not reported, because they change nothing a count reads: a leading
//! byte-order mark, blank lines, spaces around fields, `\r\n` line ends,
//! and zeros after the decimal point of an amount.

mod error;
mod fields;

use std::collections::{BTreeMap, HashMap, HashSet};

use bincode::{Decode, Encode};
use serde::Serialize;

pub use error::{PabulibError, PbWarning};
use fields::{check_width, parse_amount, parse_number, split_row};

/// Most projects an instance may have. With [`MAX_VOTES`] and
/// [`MAX_APPROVALS`] this bounds what a file can make a count hold in
/// memory and what the greedy rules do (4 s at all three limits,
/// BENCHMARKS.md, "Schulze and participatory budgeting at their limits");
/// the MES rules, whose work grows with projects × approvals, take less
/// (`pb::MAX_MES_SIZE`).
pub const MAX_PROJECTS: usize = 1_000;

/// Most votes an instance may have (see [`MAX_PROJECTS`]).
pub const MAX_VOTES: usize = 1_000_000;

/// Most approvals (project entries over all votes) an instance may have:
/// ten per vote at [`MAX_VOTES`]. Memory and the work of a count grow with
/// them, not with the votes alone.
pub const MAX_APPROVALS: usize = 10_000_000;

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

/// A `.pb` file as read: the instance, and what was read one documented
/// way rather than refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PbFile {
    /// The instance to count.
    pub instance: PbInstance,
    /// Odd lines and how they were read, in file order.
    pub warnings: Vec<PbWarning>,
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
    fn new(line: usize, fields: &[String]) -> Result<Header, PabulibError> {
        let mut columns = HashMap::new();
        for (i, f) in fields.iter().enumerate() {
            let name = f.trim();
            if name.is_empty() {
                continue;
            }
            if columns.insert(name.to_string(), i).is_some() {
                return Err(PabulibError::DuplicateColumn {
                    line,
                    column: name.to_string(),
                });
            }
        }
        Ok(Header {
            line,
            len: fields.len(),
            columns,
        })
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
    /// `vote_type` is `choose-1`: approval votes of at most one project.
    choose_one: bool,
    projects: Vec<Project>,
    project_index: HashMap<String, u32>,
    votes: Vec<PbVote>,
    voters: HashSet<String>,
    approvals: usize,
    max_sum_points: Option<u64>,
    warnings: Vec<PbWarning>,
}

/// Parses a pabulib `.pb` file, dropping the warnings (see [`read_pb`]).
pub fn parse_pb(text: &str) -> Result<PbInstance, PabulibError> {
    read_pb(text).map(|file| file.instance)
}

/// Reads a pabulib `.pb` file: the instance and the warnings about lines
/// read one documented way (module docs).
pub fn read_pb(text: &str) -> Result<PbFile, PabulibError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(PabulibError::Empty);
    }
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
            header = Some(Header::new(line, &fields)?);
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
        let lower = vote_type.to_ascii_lowercase();
        let choose_one = lower == "choose-1";
        let kind = match lower.as_str() {
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
        };
        self.vote_type = Some(kind);
        self.choose_one = choose_one;
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
        let selected = match header.columns.get("selected") {
            None => None,
            Some(&i) => {
                let text = fields[i].trim();
                match parse_number(text, line, "selected", u64::MAX) {
                    Ok(value) => Some(value),
                    Err(_) if text.is_empty() => None,
                    Err(_) => {
                        self.warnings.push(PbWarning {
                            line,
                            code: "selected_not_a_number",
                            message: format!(
                                "selected `{text}` is not a plain number: left out (no rule reads it)"
                            ),
                        });
                        None
                    }
                }
            }
        };
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
        if voter.is_empty() {
            return Err(PabulibError::EmptyVoterId { line });
        }
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
                // A set: repeated approvals count once, and the file is
                // told so.
                let mut seen = HashSet::new();
                let mut repeated = Vec::new();
                for (name, p) in names.iter().zip(&projects) {
                    if !seen.insert(*p) && !repeated.contains(name) {
                        repeated.push(*name);
                    }
                }
                if !repeated.is_empty() {
                    projects.retain({
                        let mut kept = HashSet::new();
                        move |p| kept.insert(*p)
                    });
                    self.warnings.push(PbWarning {
                        line,
                        code: "repeated_approval",
                        message: format!(
                            "the approval vote names {} more than once: counted once",
                            repeated
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
                if self.choose_one && projects.len() > 1 {
                    return Err(PabulibError::TooManyChoices {
                        line,
                        projects: projects.len(),
                    });
                }
                None
            }
        };
        if self.approvals + projects.len() > MAX_APPROVALS {
            return Err(PabulibError::TooMany {
                line,
                what: "approvals".to_string(),
                limit: MAX_APPROVALS,
            });
        }
        self.approvals += projects.len();
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

    fn finish(self) -> Result<PbFile, PabulibError> {
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
        Ok(PbFile {
            instance: PbInstance {
                meta: self.meta,
                budget,
                projects: self.projects,
                votes: self.votes,
                vote_type,
            },
            warnings: self.warnings,
        })
    }
}

#[cfg(test)]
mod tests;
