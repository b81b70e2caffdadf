//! Participatory budgeting (DESIGN §7.2): which projects a budget funds,
//! from approval or cumulative (points) votes.
//!
//! Rules ([`PbRule`]), by their `--rule` names:
//!
//! - `greedy`: projects by votes (approvals, or total points), most first;
//!   each is funded if it still fits in the budget, else passed over (and
//!   later, cheaper ones may still be funded). pabutools'
//!   `greedy_utilitarian_welfare` with `Cost_Sat` (points: satisfaction
//!   points × cost); pabulib's `greedy`.
//! - `greedy-cost`: the same by votes per unit of cost (compared exactly,
//!   by cross-multiplication). pabutools' `greedy_utilitarian_welfare`
//!   with `Cardinality_Sat` (points: `Additive_Cardinal_Sat`).
//! - `mes`: the Method of Equal Shares without completion (Peters &
//!   Skowron, "Proportional participatory budgeting with additive
//!   utilities", NeurIPS 2021; <https://equalshares.net>; pabulib's
//!   `equalshares`) with cost utilities, as pabutools'
//!   `method_of_equal_shares(sat_class=Cost_Sat)`: a voter's utility for an
//!   approved project is its cost (for cumulative votes, the points given,
//!   pabutools' `Additive_Cardinal_Sat`). Every voter starts with an equal
//!   share `B/n` of the budget; repeatedly, among the projects whose
//!   supporters can still pay for them, the one with the smallest `ρ` is
//!   funded, where `ρ` is the least price per unit of utility such that
//!   `Σ min(budget_i, ρ·u_i) = cost` over its supporters; each supporter
//!   pays `min(budget_i, ρ·u_i)`. For approvals this is equalshares.net's
//!   rule: supporters split the cost equally, as far as their money goes,
//!   and the project with the lowest payment per unit of cost (the highest
//!   "effective vote count") goes first. All arithmetic is exact
//!   (rationals).
//! - `mes-add1`: MES with equalshares.net's "Add1" completion, the rule
//!   pabulib records as `equalshares/add1`; it selects exactly the official
//!   results of Wieliczka 2023, Świecie 2023 and Assen 2024 (tested on
//!   their pabulib files in `pb/data`). MES is counted with every voter's
//!   share at `B/n`, `B/n + 1`, `B/n + 2`, … currency units (the virtual
//!   total grows by `n` each time); each next count is taken as long as
//!   the projects it funds cost at most the real budget, and the first one
//!   that costs more ends the completion: the last count within the budget
//!   is the outcome. An exhaustive outcome (no further project fits) does
//!   not end it — a higher share can fund a different, dearer set that
//!   still fits, and on Wieliczka's votes the official result is only
//!   reached that way. It ends early only once every project with a
//!   supporter is funded (no higher share could then overspend, and the
//!   official loop would not end). This is not pabutools'
//!   `method_of_equal_shares(…, voter_budget_increment=1)`, which also
//!   stops at the first exhaustive outcome. The shares start at `B/n`
//!   exactly, as in pabutools, not at equalshares.net's optional
//!   "integral" `⌊B/n⌋`.
//! - `mes-add1-greedy`: `mes-add1`, then the budget left is filled by
//!   `greedy` (equalshares.net's "Add1u", a utilitarian completion).
//!
//! Not implemented: equalshares.net's "comparison step" (Wieliczka's
//! `equalshares/add1-comparison`: the greedy outcome replaces the MES one
//! if more voters prefer it; in Wieliczka it did not), Świecie's
//! eligibility threshold, and equalshares.net's variant for score
//! ballots, whose utilities are points × cost (Hearth's cumulative MES
//! uses the points alone, as pabutools' `Additive_Cardinal_Sat` does).
//!
//! How the counting is made fast without giving up exactness: identical
//! ballots are counted as one group (`pb/profile.rs`); each MES count keeps
//! every group's money both exactly (as the share minus the exact prices
//! it paid) and as a rigorous fixed-point interval, deciding on the
//! intervals and falling back to exact comparisons only when they cannot
//! decide (`pb/engine.rs`); and `mes-add1`, on small instances, works out how
//! far the share can rise before the count could come out differently and
//! skips the raises in between (`pb/parametric.rs`) — the share of the
//! 12-voter Toulouse excerpt is raised 119 799 times before the next raise
//! would overspend; Hearth counts 9 times and returns the same outcome.
//!
//! Ties are broken by one documented rule ([`TIE_RULE`]): more votes first,
//! then the lower cost, then by lot — one [`draw_order`] of all projects
//! seeded with the count's seed — and every tie that was broken is
//! reported.
//!
//! Departures from pabutools, both deliberate: a project nobody voted for
//! is never funded (pabutools' greedy funds it when money is left), and a
//! project that costs nothing but has a supporter is funded first by MES
//! (with cost utilities its utility is zero, and pabutools leaves it out).
//!
//! No rule ever spends more than the budget.

mod engine;
mod greedy;
mod mes;
mod parametric;
mod profile;

use std::fmt;
use std::str::FromStr;

use bincode::{Decode, Encode};
use num_rational::BigRational;
use serde::Serialize;

use crate::crypto::Hash;
use crate::tally::draw_order;
use crate::tally::pabulib::{
    MAX_AMOUNT, MAX_APPROVALS, MAX_POINTS, MAX_PROJECTS, MAX_VOTES, PbInstance, VoteType,
};

use profile::Profile;

/// How ties between projects are broken, in every rule.
pub const TIE_RULE: &str = "more votes first, then the lower cost, then by lot: \
     draw_order(seed, 0, all project indices)";

/// Largest instance the MES rules count, as projects × approvals (the
/// approvals of all votes): a MES count weighs the unfunded projects'
/// supporters round after round, so its work grows with both. At the
/// `.pb` limits (1 000 projects × 10⁷ approvals, 50 times this) one count
/// took 93 s; at this size it takes about 2 s (BENCHMARKS.md, "Schulze and
/// participatory budgeting at their limits"). The greedy rules take the
/// `.pb` limits in a few seconds and are not bound by it.
pub const MAX_MES_SIZE: u64 = 200_000_000;

/// Most work `mes-add1` may do, as the sum of projects × approvals over its
/// MES counts: an instance of size `s` gets `MAX_MES_WORK / s` counts (50
/// at [`MAX_MES_SIZE`], about 1 800 for 100 projects and 10 000 voters).
/// Each one-unit raise of the share is a count unless `pb/parametric.rs`
/// can skip it, and nothing else bounds how many raises an instance needs:
/// a budget of 10¹⁵ shared by a few hundred voters, one of whom alone wants
/// a project of half of it, would take 10¹² counts. Real instances need a
/// few hundred at most (Wieliczka 2023: 164 raises; the 100-project
/// benchmark: 174 counts).
pub const MAX_MES_WORK: u64 = 10_000_000_000;

/// A participatory-budgeting rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Encode, Decode, Serialize)]
pub enum PbRule {
    /// By votes, most first, funding what fits.
    #[serde(rename = "greedy")]
    Greedy,
    /// By votes per unit of cost, funding what fits.
    #[serde(rename = "greedy-cost")]
    GreedyCost,
    /// The Method of Equal Shares with cost utilities.
    #[serde(rename = "mes")]
    Mes,
    /// MES with equalshares.net's Add1 completion: the per-voter share
    /// raised one unit at a time while the outcome fits in the budget.
    #[serde(rename = "mes-add1")]
    MesAdd1,
    /// `mes-add1`, then a greedy fill of what is left.
    #[serde(rename = "mes-add1-greedy")]
    MesAdd1Greedy,
}

impl PbRule {
    /// Every rule, in the order of the docs.
    pub const ALL: [PbRule; 5] = [
        PbRule::Greedy,
        PbRule::GreedyCost,
        PbRule::Mes,
        PbRule::MesAdd1,
        PbRule::MesAdd1Greedy,
    ];

    /// The rule's name on the command line and in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            PbRule::Greedy => "greedy",
            PbRule::GreedyCost => "greedy-cost",
            PbRule::Mes => "mes",
            PbRule::MesAdd1 => "mes-add1",
            PbRule::MesAdd1Greedy => "mes-add1-greedy",
        }
    }
}

impl fmt::Display for PbRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PbRule {
    type Err = PbError;

    fn from_str(s: &str) -> Result<PbRule, PbError> {
        PbRule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| PbError::UnknownRule {
                rule: s.to_string(),
            })
    }
}

/// Why an allocation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PbError {
    /// A rule name that is not one of [`PbRule::ALL`].
    #[error("unknown rule `{rule}` (greedy, greedy-cost, mes, mes-add1, mes-add1-greedy)")]
    UnknownRule { rule: String },
    /// More projects or votes than the pabulib limits.
    #[error("{count} {what} exceed the limit of {limit}")]
    TooMany {
        what: &'static str,
        count: usize,
        limit: usize,
    },
    /// The budget or a cost above [`MAX_AMOUNT`].
    #[error("amount {amount} exceeds the limit of {MAX_AMOUNT}")]
    AmountTooLarge { amount: u64 },
    /// A vote names a project index that does not exist.
    #[error("vote {vote} names project {project}, but there are only {projects}")]
    UnknownProject {
        vote: usize,
        project: u32,
        projects: usize,
    },
    /// A vote names a project twice.
    #[error("vote {vote} names project {project} twice")]
    RepeatedProject { vote: usize, project: u32 },
    /// Points missing on a cumulative vote, present on an approval vote, of
    /// the wrong length, or above [`MAX_POINTS`].
    #[error("vote {vote} has invalid points for a {vote_type} instance")]
    InvalidPoints {
        vote: usize,
        vote_type: &'static str,
    },
    /// The raised MES budget no longer fits in 64 bits.
    #[error("the raised MES budget overflows 64 bits")]
    Overflow,
    /// Nobody voted: a budget no one voted on has no result.
    #[error("no ballots: nobody voted, so no project is chosen by a vote")]
    NoBallots,
    /// A MES rule on an instance larger than [`MAX_MES_SIZE`].
    #[error(
        "{projects} projects × {approvals} approvals exceed the {MAX_MES_SIZE} a MES count takes; \
         greedy and greedy-cost can count it"
    )]
    TooLargeForMes { projects: usize, approvals: usize },
    /// `mes-add1` would need more counts than [`MAX_MES_WORK`] allows.
    #[error(
        "mes-add1 gave up after {counts} MES counts (the voters' shares adding up to {share_total}) \
         without reaching the budget: all that MAX_MES_WORK allows at this size; try mes or greedy"
    )]
    TooMuchWork { counts: u64, share_total: u64 },
}

impl PbError {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            PbError::UnknownRule { .. } => "unknown_rule",
            PbError::TooMany { .. } => "too_many",
            PbError::AmountTooLarge { .. } => "amount_too_large",
            PbError::UnknownProject { .. } => "unknown_project",
            PbError::RepeatedProject { .. } => "repeated_project",
            PbError::InvalidPoints { .. } => "invalid_points",
            PbError::Overflow => "overflow",
            PbError::NoBallots => "no_ballots",
            PbError::TooMuchWork { .. } => "too_much_work",
            PbError::TooLargeForMes { .. } => "too_large_for_mes",
        }
    }
}

/// An exact rational, as decimal strings (`num/den`, lowest terms, `den > 0`).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct Ratio {
    /// The numerator.
    pub num: String,
    /// The denominator.
    pub den: String,
}

impl From<&BigRational> for Ratio {
    fn from(r: &BigRational) -> Ratio {
        Ratio {
            num: r.numer().to_string(),
            den: r.denom().to_string(),
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == "1" {
            f.write_str(&self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// Which step of a rule funded a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// A round of the Method of Equal Shares.
    Mes,
    /// A greedy pick (the greedy rules, or the fill after MES).
    Greedy,
}

/// One funded project and how it was paid for.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct Round {
    /// The project (index into the instance's projects).
    pub project: u32,
    /// The step that funded it.
    pub phase: Phase,
    /// Its cost.
    pub cost: u64,
    /// Its votes (approvals, or total points).
    pub votes: u64,
    /// MES: the price per unit of utility.
    pub rho: Option<Ratio>,
    /// MES: how many voters paid towards it.
    pub payers: u64,
    /// MES: how many of them paid all they had left.
    pub paid_all: u64,
    /// MES: the largest payment of one voter.
    pub max_payment: Option<Ratio>,
    /// Total cost of the projects funded so far, this one included.
    pub spent_after: u64,
}

/// What the voters who cast one ballot paid under MES (identical ballots
/// pay identically, so they are reported together).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct VoterSpending {
    /// The projects on the ballot, ascending.
    pub projects: Vec<u32>,
    /// Their points, for cumulative ballots.
    pub points: Option<Vec<u64>>,
    /// How many voters cast it.
    pub voters: u64,
    /// The smallest voter id among them (to find the group).
    pub first_voter: String,
    /// What each of them paid.
    pub paid: Ratio,
    /// What each of them had left.
    pub left: Ratio,
}

/// The criterion that separated tied projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// More votes first.
    Votes,
    /// Then the lower cost.
    Cost,
    /// Then by lot.
    Lot,
}

/// Projects the rule could not tell apart, and the order [`TIE_RULE`] gave them.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct PbTie {
    /// MES: the round (0-based) in which the tie arose; greedy: the
    /// position in the greedy order where the tied group starts.
    pub round: u32,
    /// The tied projects, ascending.
    pub between: Vec<u32>,
    /// The order the tie rule put them in (the first is preferred).
    pub order: Vec<u32>,
    /// The deepest criterion needed to order them.
    pub by: TieBreak,
}

/// The full, serialisable explanation of an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize)]
pub struct PbReport {
    /// The rule applied.
    pub rule: PbRule,
    /// The kind of votes.
    pub vote_type: VoteType,
    /// The seed of the lot.
    pub seed: Hash,
    /// The budget limit.
    pub budget: u64,
    /// Number of votes (empty ones included: they hold a share under MES).
    pub voters: u64,
    /// Per project: approvals, or total points.
    pub project_votes: Vec<u64>,
    /// Funded projects, in the order they were funded.
    pub selected: Vec<u32>,
    /// Their ids, in the same order.
    pub selected_ids: Vec<String>,
    /// Total cost of the funded projects (never above `budget`).
    pub spent: u64,
    /// One entry per funded project, in order.
    pub rounds: Vec<Round>,
    /// Greedy: projects passed over because they no longer fit, in order.
    pub skipped: Vec<u32>,
    /// MES: each voter's initial share of the budget (raised, for add1).
    pub share: Option<Ratio>,
    /// add1: the virtual total budget of the outcome returned (`n` × share).
    pub effective_budget: Option<u64>,
    /// add1: how many one-unit raises of the share that took.
    pub increments: Option<u64>,
    /// add1: how many MES counts were run to find it.
    pub mes_runs: Option<u64>,
    /// MES: what voters paid, per distinct ballot.
    pub spending: Vec<VoterSpending>,
    /// Ties broken, in the order they arose.
    pub ties: Vec<PbTie>,
    /// The tie-breaking rule ([`TIE_RULE`]).
    pub tie_rule: String,
}

/// Allocates the budget of `instance` by `rule`, breaking ties by lot
/// drawn from `seed` (a proposal id).
///
/// Refused: instances over the limits of [`crate::tally::pabulib`],
/// malformed votes, an instance without votes ([`PbError::NoBallots`]: a
/// vote that approves nothing is still a vote, and holds its share under
/// MES), MES rules on instances over [`MAX_MES_SIZE`], and a `mes-add1`
/// count that needs more than its share of [`MAX_MES_WORK`].
pub fn allocate(instance: &PbInstance, rule: PbRule, seed: &Hash) -> Result<PbReport, PbError> {
    let approvals: usize = instance.votes.iter().map(|v| v.projects.len()).sum();
    let size = (instance.projects.len() as u64).saturating_mul(approvals as u64);
    if rule != PbRule::Greedy && rule != PbRule::GreedyCost && size > MAX_MES_SIZE {
        // The other limits first: they say more precisely what is wrong.
        validate(instance)?;
        return Err(PbError::TooLargeForMes {
            projects: instance.projects.len(),
            approvals,
        });
    }
    allocate_within(instance, rule, seed, MAX_MES_WORK / size.max(1))
}

/// [`allocate`] with `max_counts` MES counts allowed to `mes-add1`.
fn allocate_within(
    instance: &PbInstance,
    rule: PbRule,
    seed: &Hash,
    max_counts: u64,
) -> Result<PbReport, PbError> {
    validate(instance)?;
    let profile = Profile::new(instance);
    let ties = TieOrder::new(&profile, seed);
    let mut report = PbReport {
        rule,
        vote_type: instance.vote_type,
        seed: *seed,
        budget: instance.budget,
        voters: profile.voters,
        project_votes: profile.votes.clone(),
        selected: Vec::new(),
        selected_ids: Vec::new(),
        spent: 0,
        rounds: Vec::new(),
        skipped: Vec::new(),
        share: None,
        effective_budget: None,
        increments: None,
        mes_runs: None,
        spending: Vec::new(),
        ties: Vec::new(),
        tie_rule: TIE_RULE.to_string(),
    };
    match rule {
        PbRule::Greedy | PbRule::GreedyCost => {
            greedy::fill(&profile, instance.budget, rule, &ties, &mut report);
        }
        PbRule::Mes => mes::plain(&profile, instance.budget, &ties, &mut report),
        PbRule::MesAdd1 | PbRule::MesAdd1Greedy => {
            mes::add1(&profile, instance.budget, &ties, max_counts, &mut report)?;
            if rule == PbRule::MesAdd1Greedy {
                greedy::fill(
                    &profile,
                    instance.budget,
                    PbRule::Greedy,
                    &ties,
                    &mut report,
                );
            }
        }
    }
    report.selected_ids = report
        .selected
        .iter()
        .map(|&p| instance.projects[p as usize].id.clone())
        .collect();
    Ok(report)
}

/// Checks what the parser guarantees, for instances built in code.
fn validate(instance: &PbInstance) -> Result<(), PbError> {
    let projects = instance.projects.len();
    if projects > MAX_PROJECTS {
        return Err(PbError::TooMany {
            what: "projects",
            count: projects,
            limit: MAX_PROJECTS,
        });
    }
    if instance.votes.len() > MAX_VOTES {
        return Err(PbError::TooMany {
            what: "votes",
            count: instance.votes.len(),
            limit: MAX_VOTES,
        });
    }
    let approvals: usize = instance.votes.iter().map(|v| v.projects.len()).sum();
    if approvals > MAX_APPROVALS {
        return Err(PbError::TooMany {
            what: "approvals",
            count: approvals,
            limit: MAX_APPROVALS,
        });
    }
    let amounts = std::iter::once(instance.budget).chain(instance.projects.iter().map(|p| p.cost));
    for amount in amounts {
        if amount > MAX_AMOUNT {
            return Err(PbError::AmountTooLarge { amount });
        }
    }
    let mut seen = vec![usize::MAX; projects];
    for (index, vote) in instance.votes.iter().enumerate() {
        for &project in &vote.projects {
            let slot = seen
                .get_mut(project as usize)
                .ok_or(PbError::UnknownProject {
                    vote: index,
                    project,
                    projects,
                })?;
            if *slot == index {
                return Err(PbError::RepeatedProject {
                    vote: index,
                    project,
                });
            }
            *slot = index;
        }
        let points_ok = match (&vote.points, instance.vote_type) {
            (None, VoteType::Approval) => true,
            (Some(points), VoteType::Cumulative) => {
                points.len() == vote.projects.len() && points.iter().all(|&p| p <= MAX_POINTS)
            }
            _ => false,
        };
        if !points_ok {
            return Err(PbError::InvalidPoints {
                vote: index,
                vote_type: instance.vote_type.as_str(),
            });
        }
    }
    if instance.votes.is_empty() {
        return Err(PbError::NoBallots);
    }
    Ok(())
}

/// The total order [`TIE_RULE`] puts on projects.
#[derive(Debug)]
pub(crate) struct TieOrder {
    /// Position of each project in the order (0 = preferred).
    rank: Vec<u32>,
}

impl TieOrder {
    fn new(profile: &Profile, seed: &Hash) -> TieOrder {
        let m = profile.cost.len();
        let all: Vec<u32> = (0..m as u32).collect();
        let mut lot = vec![0u32; m];
        for (position, p) in draw_order(seed, 0, &all).into_iter().enumerate() {
            lot[p as usize] = position as u32;
        }
        let mut order = all;
        order.sort_by_key(|&p| {
            let p = p as usize;
            (std::cmp::Reverse(profile.votes[p]), profile.cost[p], lot[p])
        });
        let mut rank = vec![0u32; m];
        for (position, p) in order.into_iter().enumerate() {
            rank[p as usize] = position as u32;
        }
        TieOrder { rank }
    }

    /// Orders tied projects by the rule and says which criterion was needed.
    fn resolve(&self, profile: &Profile, round: u32, tied: &[u32]) -> PbTie {
        let mut order = tied.to_vec();
        order.sort_by_key(|&p| self.rank[p as usize]);
        let mut by = TieBreak::Votes;
        for pair in order.windows(2) {
            let (a, b) = (pair[0] as usize, pair[1] as usize);
            let needed = if profile.votes[a] != profile.votes[b] {
                TieBreak::Votes
            } else if profile.cost[a] != profile.cost[b] {
                TieBreak::Cost
            } else {
                TieBreak::Lot
            };
            by = by.max(needed);
        }
        let mut between = tied.to_vec();
        between.sort_unstable();
        PbTie {
            round,
            between,
            order,
            by,
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_edges;
