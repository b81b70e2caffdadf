//! How far the voters' share can rise before an MES count could change.
//!
//! `mes-add1` counts again for every one-unit raise of the share. With few
//! voters and a large budget that is tens of thousands of counts that all
//! come out the same. Along a fixed course of the count — the same project
//! funded in each round, by the same rich and poor supporters — every
//! voter's money is an affine function of the initial share `σ`, and so is
//! each round's price. The course stays the same as long as, round by
//! round, the poor remain poor, the rich remain rich, and every project
//! not funded in that round stays dearer than the one funded (its
//! supporters, charged at the funded project's ρ, raise less than its
//! cost — a concave piecewise-linear function of `σ`), and, after the last
//! round, every unfunded project stays unaffordable. [`slack`] finds the
//! first `σ` above the current share where one of these could fail; every
//! share below it has the same outcome, so `add1` skips straight there.
//! This only saves counts: a count is still run wherever the course may
//! change.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::TieOrder;
use super::engine::Engine;
use super::profile::Profile;

/// Money of a group as `value + slope·Δ`, `Δ` the rise of the share.
#[derive(Debug, Clone)]
struct Affine {
    value: BigRational,
    slope: BigRational,
}

/// The smallest rise `Δ ≥ 0` of the share at which the course of the count
/// `engine` ran (at `share`, with its trace kept) could change; `None` if
/// it never does.
pub(super) fn slack(
    profile: &Profile,
    engine: &Engine<'_>,
    share: &BigRational,
    ties: &TieOrder,
) -> Option<BigRational> {
    let m = profile.cost.len();
    let one = BigRational::from_integer(BigInt::from(1));
    let mut money: Vec<Affine> = vec![
        Affine {
            value: share.clone(),
            slope: one,
        };
        profile.groups.len()
    ];
    let mut funded = vec![false; m];
    for (p, &cost) in profile.cost.iter().enumerate() {
        if cost == 0 || profile.supporters[p].is_empty() {
            funded[p] = true;
        }
    }
    let mut limit: Option<BigRational> = None;
    let lower = |found: Option<BigRational>, limit: &mut Option<BigRational>| {
        if let Some(found) = found
            && limit.as_ref().is_none_or(|l| found < *l)
        {
            *limit = Some(found);
        }
    };
    for (p, payers, price) in engine.rounds() {
        let p = p as usize;
        // Supporters are listed by group, so a binary search finds one.
        let supporters = &profile.supporters[p];
        let utility = |g: u32| -> u64 {
            supporters
                .binary_search_by_key(&g, |&(h, _)| h)
                .map_or(0, |i| supporters[i].1)
        };
        // The price moves as the poor's money does: q = (c − Σ_poor w·m)/U.
        let mut poor_slope = BigRational::zero();
        let mut rich_utility = BigInt::zero();
        for &(g, rich) in payers {
            let w = BigInt::from(profile.groups[g as usize].weight);
            if rich {
                rich_utility += &w * BigInt::from(utility(g));
            } else {
                poor_slope += &money[g as usize].slope * &w;
            }
        }
        let price_slope = if rich_utility.is_zero() {
            // Everyone paid all: the course changes as soon as money grows.
            lower(Some(BigRational::zero()), &mut limit);
            BigRational::zero()
        } else {
            -poor_slope / rich_utility
        };
        let price_now = Affine {
            value: price.clone(),
            slope: price_slope,
        };
        // The poor stay poor (m ≤ q·u) and the rich rich (m ≥ q·u).
        for &(g, rich) in payers {
            let u = BigInt::from(utility(g));
            let gap = Affine {
                value: &money[g as usize].value - &price_now.value * &u,
                slope: &money[g as usize].slope - &price_now.slope * &u,
            };
            let crossing = if rich {
                first_zero_from_above(&gap)
            } else {
                first_zero_from_below(&gap)
            };
            lower(crossing, &mut limit);
        }
        // Every other unfunded project stays dearer than p.
        let scale_p = BigRational::from_integer(BigInt::from(profile.scale[p]));
        for (r, &done) in funded.iter().enumerate() {
            if done || r == p {
                continue;
            }
            let ratio = BigRational::from_integer(BigInt::from(profile.scale[r])) / &scale_p;
            let at = Affine {
                value: &price_now.value * &ratio,
                slope: &price_now.slope * &ratio,
            };
            // At equal ρ the tie rule decides: p keeps winning a tie it
            // is preferred in, so only a strictly cheaper r changes the course.
            let strict = ties.rank[r] < ties.rank[p];
            lower(
                first_reach(profile, r, &money, Some(&at), strict),
                &mut limit,
            );
        }
        // Pay.
        for &(g, rich) in payers {
            let entry = &mut money[g as usize];
            if rich {
                let u = BigInt::from(utility(g));
                entry.value -= &price_now.value * &u;
                entry.slope -= &price_now.slope * &u;
            } else {
                entry.value = BigRational::zero();
                entry.slope = BigRational::zero();
            }
        }
        funded[p] = true;
    }
    // Every project left unfunded stays out of reach.
    for (r, &done) in funded.iter().enumerate() {
        if !done {
            lower(first_reach(profile, r, &money, None, true), &mut limit);
        }
    }
    limit
}

/// The first Δ > 0 at which `a` (≥ 0 at Δ = 0) reaches zero going down;
/// `Some(0)` if it is zero and falling, `None` if never.
fn first_zero_from_above(a: &Affine) -> Option<BigRational> {
    if !a.slope.is_negative() {
        return None;
    }
    Some((&a.value / -&a.slope).max(BigRational::zero()))
}

/// The first Δ > 0 at which `a` (≤ 0 at Δ = 0) rises past zero.
fn first_zero_from_below(a: &Affine) -> Option<BigRational> {
    if !a.slope.is_positive() {
        return None;
    }
    Some((-&a.value / &a.slope).max(BigRational::zero()))
}

/// The first Δ ≥ 0 at which `r`'s supporters, charged `at` per unit of
/// utility (`None`: all they have), raise `r`'s cost (`strict`), or more
/// than it; `None` if never. `Σ w·min(m, x·u)` is concave and piecewise
/// linear in Δ: walk its pieces.
fn first_reach(
    profile: &Profile,
    r: usize,
    money: &[Affine],
    at: Option<&Affine>,
    strict: bool,
) -> Option<BigRational> {
    let cost = BigRational::from_integer(BigInt::from(profile.cost[r]));
    // Each supporter contributes min(m, x·u): its own money, or the charge.
    let mut value = BigRational::zero();
    let mut slope = BigRational::zero();
    // (Δ where the supporter switches, slope change at that point)
    let mut switches: Vec<(BigRational, BigRational)> = Vec::new();
    for &(g, u) in &profile.supporters[r] {
        let w = BigRational::from_integer(BigInt::from(profile.groups[g as usize].weight));
        let mine = &money[g as usize];
        let Some(at) = at else {
            value += &mine.value * &w;
            slope += &mine.slope * &w;
            continue;
        };
        let u = BigInt::from(u);
        let charge = Affine {
            value: &at.value * &u,
            slope: &at.slope * &u,
        };
        let gap = Affine {
            value: &mine.value - &charge.value,
            slope: &mine.slope - &charge.slope,
        };
        // Which is the minimum just after Δ = 0?
        let money_below =
            gap.value.is_negative() || (gap.value.is_zero() && !gap.slope.is_positive());
        let (now, later) = if money_below {
            (mine, &charge)
        } else {
            (&charge, mine)
        };
        value += &now.value * &w;
        slope += &now.slope * &w;
        // It switches where the gap changes sign, if ahead.
        if !gap.slope.is_zero() {
            let cross = -&gap.value / &gap.slope;
            if cross.is_positive() {
                switches.push((cross, (&later.slope - &now.slope) * &w));
            }
        }
    }
    if value > cost || (strict && value == cost) {
        return Some(BigRational::zero());
    }
    if value == cost {
        // Exactly at the cost, allowed: concave, so it exceeds the cost
        // only if it rises right away.
        return slope.is_positive().then(BigRational::zero);
    }
    switches.sort_by(|a, b| a.0.cmp(&b.0));
    let mut from = BigRational::zero();
    for (cross, change) in switches {
        if slope.is_positive() {
            let reach = &from + (&cost - &value) / &slope;
            if reach <= cross {
                return Some(reach);
            }
        }
        value += &slope * (&cross - &from);
        slope += change;
        from = cross;
    }
    if slope.is_positive() {
        return Some(&from + (&cost - &value) / &slope);
    }
    None
}
