//! The report of an STV count: every stage with its action, quota, each
//! candidate's votes, the exhausted (non-transferable) value and what was
//! lost to truncation, who was elected and why, and every tie and how it was
//! broken. Vote values are integers in units of 1/`scale` of a vote.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::StvRule;

/// The full, hashable account of an STV count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct StvReport {
    /// The rule counted under.
    pub rule: StvRule,
    /// Seats filled (or to fill, if too few candidates stood).
    pub seats: u32,
    /// Units per vote of every value in this report (10⁵ or 10⁹).
    pub scale: u64,
    /// Candidate names, indexed by candidate.
    pub candidates: Vec<String>,
    /// Candidates withdrawn before the count.
    pub withdrawn: Vec<u32>,
    /// Total weight of valid ballots (whole votes).
    pub valid_ballots: u64,
    /// The quota at the end of the count (the Scottish quota never changes).
    pub quota: u64,
    /// Elected candidates, in the order they were elected.
    pub elected: Vec<u32>,
    /// The stages of the count, in order; the first counts first preferences.
    pub stages: Vec<Stage>,
    /// Value on non-transferable (exhausted) papers at the end.
    pub exhausted: u64,
    /// Value lost to truncation at the end (Scottish rule 48(3)); always 0
    /// for Meek, whose rounding never loses value.
    pub lost: u64,
    /// Every tie met, and how it was broken.
    pub ties: Vec<TieBreak>,
}

impl StvReport {
    /// The elected candidates' names, in the order elected.
    pub fn winners(&self) -> Vec<&str> {
        self.elected
            .iter()
            .filter_map(|&c| self.candidates.get(c as usize).map(String::as_str))
            .collect()
    }

    /// A value of this report as a decimal number of votes
    /// (`12.34500` at scale 10⁵).
    pub fn decimal(&self, units: u64) -> String {
        let digits = self.scale.max(1).ilog10() as usize;
        let whole = units / self.scale.max(1);
        let fraction = units % self.scale.max(1);
        if digits == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{fraction:0digits$}")
        }
    }
}

/// One stage of the count (Scottish) or one round (Meek).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Stage {
    /// 1-based stage number.
    pub number: u32,
    /// What this stage did.
    pub action: StageAction,
    /// The quota in force at the end of this stage.
    pub quota: u64,
    /// Each candidate's votes at the end of this stage (before the
    /// exclusion a Meek round ends with).
    pub votes: Vec<u64>,
    /// Value on non-transferable papers at the end of this stage.
    pub exhausted: u64,
    /// Value lost to truncation up to the end of this stage.
    pub lost: u64,
    /// Candidates deemed elected at the end of this stage, in order.
    pub elected: Vec<Elected>,
    /// Meek's iteration figures for this round.
    pub meek: Option<MeekRound>,
}

/// What a stage did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub enum StageAction {
    /// First preferences counted (Scottish rule 45; Meek's initial count).
    FirstPreferences,
    /// A surplus transferred (Scottish rules 48–49). `value` is the
    /// transfer value of a paper received at full value: surplus ÷ total
    /// votes, truncated; a paper received at a lower value transfers at
    /// that fraction of its value, truncated.
    SurplusTransfer {
        /// The elected candidate whose papers were transferred.
        from: u32,
        /// The surplus transferred.
        surplus: u64,
        /// The transfer value of a full-value paper.
        value: u64,
    },
    /// A candidate excluded (Scottish rules 50–51, Meek B.3); under the
    /// Scottish rules their papers move on at their current values.
    Exclusion {
        /// The excluded candidate.
        who: u32,
    },
    /// A Meek round that ended because candidates reached the quota.
    Election,
}

/// A candidate deemed elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Elected {
    /// The candidate.
    pub candidate: u32,
    /// Why.
    pub by: ElectedBy,
}

/// Why a candidate was deemed elected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub enum ElectedBy {
    /// Reached the quota (Scottish rule 47, Meek B.2.c).
    Quota,
    /// As many continuing candidates as vacancies remained (Scottish rule
    /// 52, Meek C.1).
    LastVacancies,
}

/// The iteration of one Meek round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct MeekRound {
    /// Iterations of B.2 in this round.
    pub iterations: u32,
    /// The total surplus after the last iteration.
    pub surplus: u64,
    /// Whether the round ended because the surplus stopped falling
    /// (rather than falling below omega or electing someone).
    pub stable: bool,
    /// Each candidate's keep factor during the last iteration.
    pub keep_factors: Vec<u64>,
}

/// A tie, and how it was broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct TieBreak {
    /// The stage at whose end the tie was met.
    pub stage: u32,
    /// What the tie decided.
    pub purpose: TiePurpose,
    /// The tied candidates.
    pub between: Vec<u32>,
    /// The candidate chosen (to transfer first, to exclude, or to be
    /// listed first among those elected together).
    pub chosen: u32,
    /// How it was decided.
    pub by: TieBy,
}

/// What a tie decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub enum TiePurpose {
    /// Which equal surplus to transfer first (Scottish rule 49(2)–(3)).
    Surplus,
    /// Whom to exclude (Scottish rule 51, Meek B.3 with procedure T).
    Exclusion,
    /// The order among candidates elected at the same stage with equal votes.
    ElectionOrder,
}

/// How a tie was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub enum TieBy {
    /// By the votes at the most recent earlier stage where they differed.
    EarlierStages,
    /// By lot: the deterministic draw seeded by the proposal id.
    Lot,
}

/// What a rule's count produces; [`super::count`] adds the election's
/// particulars to make the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub quota: u64,
    pub elected: Vec<u32>,
    pub stages: Vec<Stage>,
    pub exhausted: u64,
    pub lost: u64,
    pub ties: Vec<TieBreak>,
}
