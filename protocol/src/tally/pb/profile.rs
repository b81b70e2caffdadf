//! The votes as the rules use them: identical ballots grouped (they are
//! treated identically by every rule), supporters per project, and vote
//! counts — all independent of the order of the votes.

use std::collections::BTreeMap;

use crate::tally::pabulib::{PbInstance, VoteType};

/// Voters who cast the same ballot.
#[derive(Debug)]
pub(super) struct Group {
    /// How many voters cast it.
    pub weight: u64,
    /// `(project, points)` ascending by project; points are 1 for approvals.
    /// Projects given zero points are left out: they are not supported.
    pub items: Vec<(u32, u64)>,
    /// The smallest voter id among them.
    pub first_voter: String,
}

/// A validated instance, reshaped for counting.
#[derive(Debug)]
pub(super) struct Profile {
    /// Number of votes, empty ones included.
    pub voters: u64,
    /// Approval or cumulative.
    pub vote_type: VoteType,
    /// Cost per project.
    pub cost: Vec<u64>,
    /// Approvals, or total points, per project.
    pub votes: Vec<u64>,
    /// Distinct ballots, ascending by content.
    pub groups: Vec<Group>,
    /// Per project: `(group, utility)` of its supporters, by group. For an
    /// approval the utility is 1 here and the project's cost is its
    /// [`Profile::scale`]: MES with cost utilities (utility = cost) compares
    /// prices per unit of cost, `q / cost` for a payment `q` per supporter.
    /// For a cumulative vote the utility is the points given, scale 1.
    pub supporters: Vec<Vec<(u32, u64)>>,
    /// Per project: the weight (voter count) of each supporter group, in
    /// the order of `supporters`.
    pub supporter_weights: Vec<Vec<u64>>,
    /// Per project: Σ weight·utility over its supporters.
    pub total_utility: Vec<u128>,
    /// Per project: what a price per unit of `supporters` utility is
    /// divided by to give MES's ρ (the cost for approvals, else 1).
    pub scale: Vec<u64>,
}

impl Profile {
    /// Reshapes an instance that [`super::validate`] accepted.
    pub fn new(instance: &PbInstance) -> Profile {
        let m = instance.projects.len();
        let mut grouped: BTreeMap<Vec<(u32, u64)>, (u64, &str)> = BTreeMap::new();
        for vote in &instance.votes {
            let mut items: Vec<(u32, u64)> = match &vote.points {
                Some(points) => vote
                    .projects
                    .iter()
                    .copied()
                    .zip(points.iter().copied())
                    .filter(|&(_, points)| points > 0)
                    .collect(),
                None => vote.projects.iter().map(|&p| (p, 1)).collect(),
            };
            items.sort_unstable();
            let entry = grouped.entry(items).or_insert((0, vote.voter.as_str()));
            entry.0 += 1;
            if vote.voter.as_str() < entry.1 {
                entry.1 = vote.voter.as_str();
            }
        }
        let cost: Vec<u64> = instance.projects.iter().map(|p| p.cost).collect();
        let mut votes = vec![0u64; m];
        let mut supporters: Vec<Vec<(u32, u64)>> = vec![Vec::new(); m];
        let mut groups = Vec::with_capacity(grouped.len());
        for (g, (items, (weight, first))) in grouped.into_iter().enumerate() {
            for &(p, points) in &items {
                let p = p as usize;
                // Bounded by MAX_VOTES × MAX_POINTS < 2^64.
                votes[p] += weight * points;
                // A free project gives no cost utility: MES leaves it to
                // the free-project rule (see `mes`).
                if points > 0 && cost[p] > 0 {
                    supporters[p].push((g as u32, points));
                }
            }
            groups.push(Group {
                weight,
                items,
                first_voter: first.to_string(),
            });
        }
        let supporter_weights: Vec<Vec<u64>> = supporters
            .iter()
            .map(|s| s.iter().map(|&(g, _)| groups[g as usize].weight).collect())
            .collect();
        let total_utility = supporters
            .iter()
            .zip(&supporter_weights)
            .map(|(s, w)| {
                s.iter()
                    .zip(w)
                    .map(|(&(_, u), &w)| u128::from(u) * u128::from(w))
                    .sum()
            })
            .collect();
        let scale = match instance.vote_type {
            VoteType::Approval => cost.clone(),
            VoteType::Cumulative => vec![1; m],
        };
        Profile {
            voters: instance.votes.len() as u64,
            vote_type: instance.vote_type,
            cost,
            votes,
            groups,
            supporters,
            supporter_weights,
            total_utility,
            scale,
        }
    }
}
