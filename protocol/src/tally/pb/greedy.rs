//! The greedy rules: fund projects in order of votes (or of votes per unit
//! of cost), passing over those that no longer fit. Also the fill that
//! completes `mes-add1-greedy`.

use std::cmp::Ordering;

use super::profile::Profile;
use super::{PbReport, PbRule, Phase, Round, TieOrder};

/// Funds, in `rule`'s order, every project not yet in `report.selected`
/// that has votes and still fits in `budget`.
pub(super) fn fill(
    profile: &Profile,
    budget: u64,
    rule: PbRule,
    ties: &TieOrder,
    report: &mut PbReport,
) {
    let mut taken = vec![false; profile.cost.len()];
    for &p in &report.selected {
        taken[p as usize] = true;
    }
    let mut order: Vec<u32> = (0..profile.cost.len() as u32)
        .filter(|&p| !taken[p as usize] && profile.votes[p as usize] > 0)
        .collect();
    let primary = |a: u32, b: u32| primary(profile, rule, a, b);
    order.sort_by(|&a, &b| primary(a, b).then(ties.rank[a as usize].cmp(&ties.rank[b as usize])));
    // Groups the rule itself cannot order are ties, decided by TIE_RULE.
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && primary(order[start], order[end]) == Ordering::Equal {
            end += 1;
        }
        if end - start > 1 {
            let tie = ties.resolve(profile, start as u32, &order[start..end]);
            report.ties.push(tie);
        }
        start = end;
    }
    for p in order {
        let cost = profile.cost[p as usize];
        // `spent ≤ budget` always holds, so this cannot underflow.
        if cost <= budget - report.spent {
            report.spent += cost;
            report.selected.push(p);
            report.rounds.push(Round {
                project: p,
                phase: Phase::Greedy,
                cost,
                votes: profile.votes[p as usize],
                rho: None,
                payers: 0,
                paid_all: 0,
                max_payment: None,
                spent_after: report.spent,
            });
        } else {
            report.skipped.push(p);
        }
    }
}

/// The rule's own order: `Less` when `a` comes first.
fn primary(profile: &Profile, rule: PbRule, a: u32, b: u32) -> Ordering {
    let (a, b) = (a as usize, b as usize);
    let (va, vb) = (profile.votes[a], profile.votes[b]);
    match rule {
        PbRule::GreedyCost => {
            // va/ca > vb/cb ⇔ va·cb > vb·ca (a free project with votes first).
            let left = u128::from(va) * u128::from(profile.cost[b]);
            let right = u128::from(vb) * u128::from(profile.cost[a]);
            right.cmp(&left)
        }
        _ => vb.cmp(&va),
    }
}
