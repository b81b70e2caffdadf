//! The Method of Equal Shares and its "add1" completion, on top of the
//! exact count of [`super::engine`].

use num_bigint::BigInt;
use num_rational::BigRational;

use num_traits::ToPrimitive;

use super::engine::Engine;
use super::parametric;
use super::profile::Profile;
use super::{PbError, PbReport, PbTie, Phase, Ratio, Round, TieOrder, VoterSpending};
use crate::tally::pabulib::VoteType;

/// One complete MES count.
#[derive(Debug)]
struct Outcome {
    selected: Vec<u32>,
    spent: u64,
    rounds: Vec<Round>,
    ties: Vec<PbTie>,
    /// What each voter of each group has left (detailed counts only).
    left: Vec<BigRational>,
    /// When asked for: how far the share may rise with the same outcome
    /// (`None`: indefinitely).
    slack: Option<Option<BigRational>>,
}

/// Largest instance (projects × supporter entries) for which `add1` works
/// out how far it may skip ahead; larger ones raise the share one unit at a
/// time (their many voters make the skips short anyway).
const SKIP_WORK_LIMIT: usize = 20_000;

/// `mes`: one count with the share `budget / n`.
pub(super) fn plain(profile: &Profile, budget: u64, ties: &TieOrder, report: &mut PbReport) {
    if profile.voters == 0 {
        return;
    }
    let outcome = run(profile, budget, ties, true, false);
    record(profile, budget, outcome, report);
}

/// `mes-add1`: the Method of Equal Shares with equalshares.net's "Add1"
/// completion, as pabulib's `rule;equalshares/add1` records it: counts with
/// the share `budget / n + k` for k = 0, 1, …, taking each next count as
/// long as it costs at most the budget; the first count that costs more
/// ends the completion, and the last one within the budget is returned.
///
/// An exhaustive outcome (no further project fits) does not end it: a
/// higher share can still fund a different, dearer set within the budget,
/// and the official count goes on to it. Wieliczka 2023: after 150 raises
/// (a share of 301.84 zł) the outcome is exhaustive, 984 579 spent; the
/// count goes on to 164 raises (315.84 zł), the last within the budget,
/// and its outcome, 995 079 spent, is the official one. pabutools'
/// `voter_budget_increment=1` stops at the first exhaustive outcome.
///
/// More than `max_counts` counts are refused ([`PbError::TooMuchWork`]):
/// nothing else bounds the raises an instance may need.
///
/// The one other stop: an outcome that funds every project MES can fund
/// (every project with a supporter) is returned, since no higher share
/// could ever cost more than it; the official loop would raise the share
/// for ever there.
pub(super) fn add1(
    profile: &Profile,
    budget: u64,
    ties: &TieOrder,
    max_counts: u64,
    report: &mut PbReport,
) -> Result<(), PbError> {
    if profile.voters == 0 {
        report.effective_budget = Some(budget);
        report.increments = Some(0);
        report.mes_runs = Some(0);
        return Ok(());
    }
    // n·share = budget + k·n: the raised total, an integer.
    let raised = |k: u64| -> Result<u64, PbError> {
        k.checked_mul(profile.voters)
            .and_then(|r| r.checked_add(budget))
            .ok_or(PbError::Overflow)
    };
    let entries: usize = profile.supporters.iter().map(Vec::len).sum();
    let skip = entries.saturating_mul(profile.cost.len()) <= SKIP_WORK_LIMIT;
    // Working out the slack costs a few counts' worth; where it keeps
    // finding no room (many voters), try again only after 1, 2, 4, … runs.
    let mut backoff: u64 = 1;
    let mut wait: u64 = 0;
    let mut previous: Option<u64> = None;
    let mut runs: u64 = 0;
    let mut k: u64 = 0;
    let chosen = loop {
        if runs >= max_counts {
            return Err(PbError::TooMuchWork {
                counts: runs,
                share_total: raised(k)?,
            });
        }
        let try_skip = skip && wait == 0;
        wait = wait.saturating_sub(1);
        let outcome = run(profile, raised(k)?, ties, false, try_skip);
        runs += 1;
        if outcome.spent > budget {
            // k = 0 never overspends (voters hold exactly the budget), so
            // there is a previous outcome.
            break previous.unwrap_or(k);
        }
        if funds_everything(profile, &outcome.selected) {
            break k;
        }
        // Shares below the next point where the count could change give
        // this same outcome, within the budget: all of them are taken.
        let step = match outcome.slack {
            None => 1,
            Some(Some(slack)) => {
                let whole = slack.ceil().to_integer();
                whole.to_u64().unwrap_or(u64::MAX).max(1)
            }
            // The outcome would never change: no raise ends the loop.
            Some(None) => break k,
        };
        if try_skip {
            if step > 1 {
                backoff = 1;
            } else {
                wait = backoff;
                backoff = backoff.saturating_mul(2);
            }
        }
        match k.checked_add(step).filter(|&next| raised(next).is_ok()) {
            Some(next) => {
                previous = Some(next - 1);
                k = next;
            }
            // No larger share is representable: keep this outcome.
            None => break k,
        }
    };
    let total = raised(chosen)?;
    let outcome = run(profile, total, ties, true, false);
    report.effective_budget = Some(total);
    report.increments = Some(chosen);
    report.mes_runs = Some(runs);
    record(profile, total, outcome, report);
    Ok(())
}

/// Whether `selected` holds every project MES could fund: every project
/// with a supporter (a free one included).
fn funds_everything(profile: &Profile, selected: &[u32]) -> bool {
    let mut taken = vec![false; profile.cost.len()];
    for &p in selected {
        taken[p as usize] = true;
    }
    (0..profile.cost.len()).all(|p| taken[p] || profile.votes[p] == 0)
}

fn record(profile: &Profile, total: u64, outcome: Outcome, report: &mut PbReport) {
    let share = BigRational::new(BigInt::from(total), BigInt::from(profile.voters));
    report.share = Some(Ratio::from(&share));
    report.selected = outcome.selected;
    report.spent = outcome.spent;
    report.rounds = outcome.rounds;
    report.ties.extend(outcome.ties);
    report.spending = profile
        .groups
        .iter()
        .zip(&outcome.left)
        .map(|(group, left)| VoterSpending {
            projects: group.items.iter().map(|&(p, _)| p).collect(),
            points: match profile.vote_type {
                VoteType::Cumulative => {
                    Some(group.items.iter().map(|&(_, points)| points).collect())
                }
                VoteType::Approval => None,
            },
            voters: group.weight,
            first_voter: group.first_voter.clone(),
            paid: Ratio::from(&(&share - left)),
            left: Ratio::from(left),
        })
        .collect();
}

/// One MES count in which every voter starts with `total / n`; `detailed`
/// also works out what a report shows, `slack` how far the share may rise
/// with the same outcome.
fn run(profile: &Profile, total: u64, ties: &TieOrder, detailed: bool, slack: bool) -> Outcome {
    let m = profile.cost.len();
    let mut engine = Engine::new(profile, total, detailed);
    if slack {
        engine.keep_trace();
    }
    let mut outcome = Outcome {
        selected: Vec::new(),
        spent: 0,
        rounds: Vec::new(),
        ties: Vec::new(),
        left: Vec::new(),
        slack: None,
    };
    // A free project someone wants costs nobody anything.
    for p in 0..m {
        if profile.cost[p] == 0 && profile.votes[p] > 0 {
            outcome.selected.push(p as u32);
            if detailed {
                outcome.rounds.push(Round {
                    project: p as u32,
                    phase: Phase::Mes,
                    cost: 0,
                    votes: profile.votes[p],
                    rho: Some(Ratio {
                        num: "0".to_string(),
                        den: "1".to_string(),
                    }),
                    payers: 0,
                    paid_all: 0,
                    max_payment: None,
                    spent_after: 0,
                });
            }
        }
    }
    let mut remaining: Vec<u32> = (0..m as u32)
        .filter(|&p| profile.cost[p as usize] > 0 && !profile.supporters[p as usize].is_empty())
        .collect();
    let mut round: u32 = 0;
    loop {
        let cheapest = engine.cheapest(&mut remaining);
        let (chosen, price) = match cheapest.len() {
            0 => break,
            1 => cheapest[0].clone(),
            _ => {
                let tied: Vec<u32> = cheapest.iter().map(|(p, _)| *p).collect();
                let tie = ties.resolve(profile, round, &tied);
                let first = tie.order[0];
                outcome.ties.push(tie);
                match cheapest.into_iter().find(|(p, _)| *p == first) {
                    Some(found) => found,
                    None => break,
                }
            }
        };
        remaining.retain(|&p| p != chosen);
        let charge = engine.pay(chosen as usize, &price);
        outcome.spent += profile.cost[chosen as usize];
        outcome.selected.push(chosen);
        if detailed {
            let rho = &charge.price / BigInt::from(profile.scale[chosen as usize]);
            outcome.rounds.push(Round {
                project: chosen,
                phase: Phase::Mes,
                cost: profile.cost[chosen as usize],
                votes: profile.votes[chosen as usize],
                rho: Some(Ratio::from(&rho)),
                payers: charge.payers,
                paid_all: charge.paid_all,
                max_payment: charge.max_payment.as_ref().map(Ratio::from),
                spent_after: outcome.spent,
            });
        }
        round += 1;
    }
    if detailed {
        outcome.left = engine.money_left();
    }
    if slack {
        let share = BigRational::new(BigInt::from(total), BigInt::from(profile.voters));
        outcome.slack = Some(parametric::slack(profile, &engine, &share, ties));
    }
    outcome
}

/// The projects MES funds when every voter starts with `total / n` (tests).
#[cfg(test)]
pub(super) fn selection_at(profile: &Profile, total: u64, ties: &TieOrder) -> Vec<u32> {
    run(profile, total, ties, false, false).selected
}
