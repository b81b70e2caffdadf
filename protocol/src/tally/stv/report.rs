//! The report of an STV count: every stage with its action, quota, each
//! candidate's votes, what each candidate gained or gave, the parcels of
//! papers moved (Scottish), the exhausted (non-transferable) value and what
//! was lost to truncation, who was elected and why, and every tie and how
//! it was broken. Vote values are integers in units of 1/`scale` of a vote.
//!
//! A stage's figures are those *after* its transfer, as on a Scottish
//! result sheet: stage 1 shows first preferences; a later stage shows the
//! votes once its surplus or exclusion (or Meek round) has moved them, and
//! lists who was elected at its end. A candidate excluded at stage k shows
//! 0 from stage k on.

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

    /// A signed value of this report as a decimal number of votes with its
    /// sign (`+1.50000`, `-0.25000`; `0.00000` unsigned).
    pub fn signed_decimal(&self, units: i64) -> String {
        let sign = match units.signum() {
            1 => "+",
            -1 => "-",
            _ => "",
        };
        format!("{sign}{}", self.decimal(units.unsigned_abs()))
    }
}

/// The changes from `before` to `after`, one per candidate whose votes
/// changed, in candidate order.
pub(crate) fn transfers(before: &[u64], after: &[u64]) -> Vec<Transfer> {
    before
        .iter()
        .zip(after)
        .enumerate()
        .filter(|(_, (b, a))| b != a)
        .map(|(c, (&b, &a))| Transfer {
            candidate: c as u32,
            // Votes are at most MAX_TOTAL_WEIGHT × 10⁹ < 2⁶³.
            change: i64::try_from(i128::from(a) - i128::from(b)).unwrap_or(i64::MAX),
        })
        .collect()
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
    /// Each candidate's votes at the end of this stage, after its transfer.
    pub votes: Vec<u64>,
    /// Every candidate whose votes this stage changed, by how much, in
    /// candidate order: negative for the candidate whose surplus or papers
    /// moved (and, under Meek, for elected candidates whose keep factors
    /// fell). Empty at the first stage, which transfers nothing.
    pub transfers: Vec<Transfer>,
    /// The papers moved at this stage (Scottish), by the value each carried
    /// to its next preference or to the non-transferable pile; the lowest
    /// value first. Empty at the first stage and for Meek, which moves
    /// fractions of every ballot rather than papers.
    pub parcels: Vec<Parcel>,
    /// Value on non-transferable papers at the end of this stage.
    pub exhausted: u64,
    /// Value lost to truncation up to the end of this stage.
    pub lost: u64,
    /// Candidates deemed elected at the end of this stage, in order.
    pub elected: Vec<Elected>,
    /// Meek's iteration figures for this round.
    pub meek: Option<MeekRound>,
}

/// A change in one candidate's votes at one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Transfer {
    /// The candidate.
    pub candidate: u32,
    /// Votes gained (positive) or given (negative), in units.
    pub change: i64,
}

/// Papers moved together at one transfer value (Scottish rules 48–50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
pub struct Parcel {
    /// The value each paper carried on, in units: the transfer value of a
    /// surplus, or the value an excluded candidate's paper had.
    pub value: u64,
    /// How many papers.
    pub papers: u64,
    /// Of those, how many had no next available preference and were set
    /// aside as non-transferable.
    pub non_transferable: u64,
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
    /// A Meek round after candidates were elected: their surpluses pass on
    /// as their keep factors fall.
    Surpluses,
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
    /// The candidates with equal votes at that stage (for Meek B.3, within
    /// the surplus of the lowest).
    pub tied: Vec<u32>,
    /// Those of `tied` still level at every earlier stage, between whom the
    /// lot was drawn; empty when earlier stages decided.
    pub lot: Vec<u32>,
    /// The candidate the lot chose; `None` when earlier stages decided.
    pub drawn: Option<u32>,
    /// The candidate chosen, by either means (to transfer first, to
    /// exclude, or to be listed first among those elected together).
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
