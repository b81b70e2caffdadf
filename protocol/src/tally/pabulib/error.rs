//! What the `.pb` reader refuses (errors) and what it accepts but reports
//! (warnings), each with the line it is about and a stable code.

use serde::Serialize;

/// Why a `.pb` file was refused. Every variant but [`PabulibError::Empty`]
/// names the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PabulibError {
    /// The file has no text but blank lines.
    #[error("the file is empty (a .pb file has META, PROJECTS and VOTES sections)")]
    Empty,
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
    /// A header names a column twice: which of the two would count?
    #[error("line {line}: the header names column `{column}` twice")]
    DuplicateColumn { line: usize, column: String },
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
    /// An amount is not a whole number of currency units we accept, or is
    /// too large.
    #[error("line {line}: {field} `{text}` is refused: {reason}")]
    BadAmount {
        line: usize,
        field: String,
        text: String,
        reason: String,
    },
    /// A count or points field is not a plain non-negative integer.
    #[error("line {line}: {field} `{text}` is not a whole number")]
    BadNumber {
        line: usize,
        field: String,
        text: String,
    },
    /// A count or points field is a whole number above its limit.
    #[error("line {line}: {field} `{text}` is too large (at most {max})")]
    NumberTooLarge {
        line: usize,
        field: String,
        text: String,
        max: u64,
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
    /// An empty voter id.
    #[error("line {line}: empty voter_id")]
    EmptyVoterId { line: usize },
    /// A vote names a project the file does not define.
    #[error("line {line}: the vote names unknown project `{id}`")]
    UnknownProject { line: usize, id: String },
    /// Two votes share a voter id.
    #[error("line {line}: voter `{voter}` votes twice")]
    DuplicateVoter { line: usize, voter: String },
    /// A cumulative vote names a project twice.
    #[error("line {line}: the cumulative vote names project `{id}` twice")]
    RepeatedProject { line: usize, id: String },
    /// A `choose-1` vote names more than one project.
    #[error("line {line}: the vote names {projects} projects, but vote_type is choose-1")]
    TooManyChoices { line: usize, projects: usize },
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
    /// More projects, votes or approvals than the limits.
    #[error("line {line}: more than {limit} {what} (the limit of a .pb file)")]
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
            PabulibError::Empty => "empty",
            PabulibError::NoSection { .. } => "no_section",
            PabulibError::SectionOrder { .. } => "section_order",
            PabulibError::MissingSection { .. } => "missing_section",
            PabulibError::MissingHeader { .. } => "missing_header",
            PabulibError::MissingColumn { .. } => "missing_column",
            PabulibError::DuplicateColumn { .. } => "duplicate_column",
            PabulibError::FieldCount { .. } => "field_count",
            PabulibError::BadQuoting { .. } => "bad_quoting",
            PabulibError::DuplicateMetaKey { .. } => "duplicate_meta_key",
            PabulibError::MissingMeta { .. } => "missing_meta",
            PabulibError::BadAmount { .. } => "bad_amount",
            PabulibError::BadNumber { .. } => "bad_number",
            PabulibError::NumberTooLarge { .. } => "number_too_large",
            PabulibError::UnsupportedVoteType { .. } => "unsupported_vote_type",
            PabulibError::UnknownVoteType { .. } => "unknown_vote_type",
            PabulibError::DuplicateProject { .. } => "duplicate_project",
            PabulibError::EmptyProjectId { .. } => "empty_project_id",
            PabulibError::EmptyVoterId { .. } => "empty_voter_id",
            PabulibError::UnknownProject { .. } => "unknown_project",
            PabulibError::DuplicateVoter { .. } => "duplicate_voter",
            PabulibError::RepeatedProject { .. } => "repeated_project",
            PabulibError::TooManyChoices { .. } => "too_many_choices",
            PabulibError::PointsMismatch { .. } => "points_mismatch",
            PabulibError::TooManyPoints { .. } => "too_many_points",
            PabulibError::CountMismatch { .. } => "count_mismatch",
            PabulibError::TooMany { .. } => "too_many",
        }
    }

    /// The 1-based line the error is about (`None` for an empty file).
    pub fn line(&self) -> Option<usize> {
        match self {
            PabulibError::Empty => None,
            PabulibError::NoSection { line }
            | PabulibError::SectionOrder { line, .. }
            | PabulibError::MissingSection { line, .. }
            | PabulibError::MissingHeader { line, .. }
            | PabulibError::MissingColumn { line, .. }
            | PabulibError::DuplicateColumn { line, .. }
            | PabulibError::FieldCount { line, .. }
            | PabulibError::BadQuoting { line }
            | PabulibError::DuplicateMetaKey { line, .. }
            | PabulibError::MissingMeta { line, .. }
            | PabulibError::BadAmount { line, .. }
            | PabulibError::BadNumber { line, .. }
            | PabulibError::NumberTooLarge { line, .. }
            | PabulibError::UnsupportedVoteType { line, .. }
            | PabulibError::UnknownVoteType { line, .. }
            | PabulibError::DuplicateProject { line, .. }
            | PabulibError::EmptyProjectId { line }
            | PabulibError::EmptyVoterId { line }
            | PabulibError::UnknownProject { line, .. }
            | PabulibError::DuplicateVoter { line, .. }
            | PabulibError::RepeatedProject { line, .. }
            | PabulibError::TooManyChoices { line, .. }
            | PabulibError::PointsMismatch { line, .. }
            | PabulibError::TooManyPoints { line, .. }
            | PabulibError::CountMismatch { line, .. }
            | PabulibError::TooMany { line, .. } => Some(*line),
        }
    }
}

/// Something odd in a `.pb` file that is read one documented way rather
/// than refused, reported so that nobody is surprised by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PbWarning {
    /// The 1-based line.
    pub line: usize,
    /// A stable code: `repeated_approval` or `selected_not_a_number`.
    pub code: &'static str,
    /// The sentence for people, saying how the line was read.
    pub message: String,
}

impl std::fmt::Display for PbWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}
