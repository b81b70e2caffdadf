//! One exact MES count, computed fast.
//!
//! Exact rational arithmetic on every voter's money is what makes a naive
//! MES slow (thousands of big-number operations per round). Here a voter
//! group's money is known two ways:
//!
//! - exactly but implicitly: the share, minus the prices of the rounds in
//!   which it paid as a "rich" supporter (`hist`), or zero once it paid all
//!   it had (`zero`); each round's price is one exact rational;
//! - approximately but rigorously: an interval `[lo, hi]` of 128-bit
//!   fixed-point numbers (units of 2⁻ᶠ) rounded outwards, which always
//!   contains the exact value.
//!
//! Prices are found by Newton's iteration on the intervals' bounds (the
//! supporters' payment is a concave function of the price), which brackets
//! the exact price; voters whose interval lies clearly on one side of the
//! bracket are poor (pay all) or rich (pay the price) for certain, and only
//! the few that straddle it are compared exactly. The exact price then
//! follows from one formula over the exact prices of earlier rounds. Which
//! project is cheapest is decided on the brackets when they are disjoint,
//! and exactly when they overlap (a tie, or a near one). Every decision is
//! therefore the exact one; the intervals only save work.
//!
//! As in pabutools' `mes_inner_algo`, a project's ρ can only grow from
//! round to round (money only shrinks), so the bracket last computed for a
//! project bounds it from below, and a round evaluates projects in order of
//! their bounds, stopping once a bound exceeds the best price found.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};

use super::profile::Profile;

/// A fixed-point amount: value × 2^f.
type Fixed = u128;

/// What a round charged.
#[derive(Debug)]
pub(super) struct Charge {
    /// The exact price per unit of utility (per supporter, for approvals).
    pub price: BigRational,
    /// Voters who paid something.
    pub payers: u64,
    /// Voters who paid all they had.
    pub paid_all: u64,
    /// The largest single payment (exact), when asked for.
    pub max_payment: Option<BigRational>,
}

/// An exact price `num / (E·units)`, `E` the engine's current common
/// denominator.
#[derive(Debug, Clone)]
pub(super) struct Price {
    num: BigInt,
    units: u128,
}

/// A round as [`super::parametric`] needs it: the project funded and its
/// payers as (group, rich?).
type TracedRound = (u32, Vec<(u32, bool)>);

/// The state of one MES count.
#[derive(Debug)]
pub(super) struct Engine<'a> {
    profile: &'a Profile,
    share: BigRational,
    /// Fraction bits of the fixed-point intervals.
    f: u32,
    /// Per group: `[lo, hi]`, bounds on what each of its voters has left.
    money: Vec<[Fixed; 2]>,
    /// Per group: how many voters cast it.
    weight: Vec<u64>,
    /// Whether every utility is 1 (approvals): thresholds are then plain
    /// comparisons.
    uniform: bool,
    zero: Vec<bool>,
    /// Per group: `(round, utility)` of the rounds it paid the price in.
    hist: Vec<Vec<(u32, u64)>>,
    /// The exact price of each round so far, reduced.
    prices: Vec<BigRational>,
    /// The same prices as `num / (E_i)`, `E_i = n·U_0·…·U_i`: `(num, U_i)`.
    /// Sums of money over many voters are then integer arithmetic over the
    /// common denominator `E` (no reductions).
    chain: Vec<(BigInt, u128)>,
    /// `E`: the common denominator of every amount so far.
    denom: BigInt,
    /// The share as a numerator over `E`.
    share_num: BigInt,
    /// A lower bound on each project's price (fixed point, per utility).
    bound: Vec<Fixed>,
    /// Whether to work out exact maximum payments (for reports).
    detailed: bool,
    /// When kept: per round, the project funded and which of its
    /// supporters (group, rich?) paid.
    trace: Option<Vec<TracedRound>>,
}

/// Index of the lower bounds in [`Engine::money`].
const LO: usize = 0;
/// Index of the upper bounds in [`Engine::money`].
const HI: usize = 1;

/// One bound of `p`'s supporters' money, classified at a price.
#[derive(Debug, Default, Clone, Copy)]
struct Scan {
    /// Σ w·money.
    available: u128,
    /// Σ w·money over the poor.
    poor_money: u128,
    /// Σ w·u over the rich.
    rich_utility: u128,
    /// The rich voter with the least money per utility.
    poorest_rich: Option<(Fixed, u64)>,
    /// The poor voter with the most money per utility.
    richest_poor: Option<(Fixed, u64)>,
}

/// What evaluating a project found.
enum Bracket {
    /// Its supporters cannot pay for it (exactly decided).
    Unaffordable,
    /// Its exact price lies in `[lo, hi]` (fixed point, per utility).
    Price(Fixed, Fixed),
}

impl<'a> Engine<'a> {
    /// Every voter starts with `numer / voters` (`voters > 0`).
    pub fn new(profile: &'a Profile, numer: u64, detailed: bool) -> Engine<'a> {
        let voters = u128::from(profile.voters.max(1));
        // Every sum of money, and every cost, stays below 2^126 in fixed point.
        let largest = profile.cost.iter().copied().fold(numer.max(1), u64::max);
        let bits = 128 - u128::from(largest).leading_zeros();
        let f = 126u32.saturating_sub(bits);
        let total = u128::from(numer) << f;
        let share_lo = total / voters;
        let share_hi = share_lo + u128::from(total % voters != 0);
        let groups = profile.groups.len();
        // With everyone rich, the price is cost / Σ w·u: a lower bound.
        let bound = profile
            .total_utility
            .iter()
            .zip(&profile.cost)
            .map(|(&utility, &cost)| (u128::from(cost) << f).checked_div(utility).unwrap_or(0))
            .collect();
        Engine {
            profile,
            share: BigRational::new(BigInt::from(numer), BigInt::from(profile.voters.max(1))),
            f,
            money: vec![[share_lo, share_hi]; groups],
            weight: profile.groups.iter().map(|g| g.weight).collect(),
            uniform: profile
                .supporters
                .iter()
                .all(|s| s.iter().all(|&(_, u)| u == 1)),
            zero: vec![false; groups],
            hist: vec![Vec::new(); groups],
            prices: Vec::new(),
            chain: Vec::new(),
            denom: BigInt::from(profile.voters.max(1)),
            share_num: BigInt::from(numer),
            bound,
            detailed,
            trace: None,
        }
    }

    /// Among `remaining`, the projects with the least exact ρ (ties
    /// included) and their exact prices; the unaffordable ones are removed
    /// from `remaining`. Empty when nothing is affordable.
    pub fn cheapest(&mut self, remaining: &mut Vec<u32>) -> Vec<(u32, Price)> {
        let scale = &self.profile.scale;
        let bound = &self.bound;
        remaining.sort_by(|&a, &b| {
            cmp_ratio(
                bound[a as usize],
                scale[a as usize],
                bound[b as usize],
                scale[b as usize],
            )
        });
        let mut upper: Option<(Fixed, u64)> = None;
        let mut evaluated: Vec<(u32, Fixed, Option<Fixed>)> = Vec::new();
        let mut unaffordable: Vec<u32> = Vec::new();
        for &p in remaining.iter() {
            let d = self.profile.scale[p as usize];
            if let Some((u_hi, u_d)) = upper
                && cmp_ratio(self.bound[p as usize], d, u_hi, u_d) == Ordering::Greater
            {
                break;
            }
            match self.bracket(p as usize) {
                Some(Bracket::Unaffordable) => unaffordable.push(p),
                Some(Bracket::Price(lo, hi)) => {
                    self.bound[p as usize] = lo;
                    if upper.is_none_or(|(u_hi, u_d)| cmp_ratio(hi, d, u_hi, u_d) == Ordering::Less)
                    {
                        upper = Some((hi, d));
                    }
                    evaluated.push((p, lo, Some(hi)));
                }
                // Affordability too close to call on the intervals.
                None => {
                    if self.exactly_affordable(p as usize) {
                        evaluated.push((p, self.bound[p as usize], None));
                    } else {
                        unaffordable.push(p);
                    }
                }
            }
        }
        remaining.retain(|p| !unaffordable.contains(p));
        // Contenders: every project whose bracket reaches below the best
        // upper bound. One alone is the cheapest; several are compared exactly.
        let contenders: Vec<&(u32, Fixed, Option<Fixed>)> = evaluated
            .iter()
            .filter(|(p, lo, _)| {
                upper.is_none_or(|(u_hi, u_d)| {
                    cmp_ratio(*lo, self.profile.scale[*p as usize], u_hi, u_d) != Ordering::Greater
                })
            })
            .collect();
        let mut exact: Vec<(u32, Price, BigRational)> = Vec::new();
        for &&(p, lo, hi) in &contenders {
            if let Some(price) = self.exact_price(p as usize, lo, hi) {
                let rho = self.rational(&price) / BigInt::from(self.profile.scale[p as usize]);
                exact.push((p, price, rho));
            }
        }
        let Some(least) = exact.iter().map(|(_, _, rho)| rho).min().cloned() else {
            return Vec::new();
        };
        exact
            .into_iter()
            .filter(|(_, _, rho)| *rho == least)
            .map(|(p, price, _)| (p, price))
            .collect()
    }

    /// Brackets `p`'s price by Newton on the intervals' bounds; `None` if
    /// the intervals cannot tell whether it is affordable.
    ///
    /// More money (the upper bounds) means a lower price, less money the
    /// opposite: the exact price lies between the two roots. Both start
    /// from the project's lower bound, in one pass over its supporters;
    /// usually that pass already proves both roots.
    fn bracket(&self, p: usize) -> Option<Bracket> {
        let c = u128::from(self.profile.cost[p]) << self.f;
        let start = (self.bound[p], 1);
        let [low, high] = self.pass(p, [start, start], [true, true]);
        if high.available < c {
            return Some(Bracket::Unaffordable);
        }
        let (num, den) = self.root(p, HI, high, c);
        let lo = num / den;
        if low.available < c {
            return None;
        }
        let (num, den) = self.root(p, LO, low, c);
        Some(Bracket::Price(lo, num.div_ceil(den).max(lo)))
    }

    /// Newton's iteration for `Σ w·min(money, ρ·u) = c` on one bound of the
    /// money, from the scan of a price at or below the root. Returns the
    /// root `num / den` (affordability already checked).
    fn root(&self, p: usize, side: usize, mut scan: Scan, c: Fixed) -> (u128, u128) {
        loop {
            if scan.rich_utility == 0 {
                // Everyone pays all: the money is exactly c, and the price
                // is the one at which the last of them runs out.
                return scan
                    .richest_poor
                    .map_or((0, 1), |(have, u)| (have, u128::from(u)));
            }
            let num = c - scan.poor_money;
            let den = scan.rich_utility;
            // Converged if no rich voter would be poor at num/den.
            let holds = scan
                .poorest_rich
                .is_none_or(|(have, u)| mul_wide(have, den as u64) >= mul_wide(num, u));
            if holds {
                return (num, den);
            }
            let mut at = [(0, 1); 2];
            at[side] = (num, den);
            let mut sides = [false; 2];
            sides[side] = true;
            scan = self.pass(p, at, sides)[side];
        }
    }

    /// Classifies `p`'s supporters at a price per bound of their money:
    /// poor if money < price·u, rich otherwise.
    fn pass(&self, p: usize, at: [(u128, u128); 2], sides: [bool; 2]) -> [Scan; 2] {
        let mut scans = [Scan::default(), Scan::default()];
        let supporters = &self.profile.supporters[p];
        if self.uniform {
            // Utility 1: poor iff money < ⌈num/den⌉. The hot loop of the
            // count, kept to plain integer operations.
            let t = [at[0].0.div_ceil(at[0].1), at[1].0.div_ceil(at[1].1)];
            let weights = &self.profile.supporter_weights[p];
            let mut available = [0u128; 2];
            let mut poor_money = [0u128; 2];
            let mut rich_weight = [0u128; 2];
            let mut poorest_rich = [Fixed::MAX; 2];
            let mut richest_poor = [0 as Fixed; 2];
            let mut any_poor = [false; 2];
            for (&(g, _), &w) in supporters.iter().zip(weights) {
                let money = self.money[g as usize];
                let w = u128::from(w);
                for side in [LO, HI] {
                    if !sides[side] {
                        continue;
                    }
                    let have = money[side];
                    let amount = have * w;
                    available[side] += amount;
                    if have < t[side] {
                        poor_money[side] += amount;
                        richest_poor[side] = richest_poor[side].max(have);
                        any_poor[side] = true;
                    } else {
                        rich_weight[side] += w;
                        poorest_rich[side] = poorest_rich[side].min(have);
                    }
                }
            }
            for side in [LO, HI] {
                scans[side] = Scan {
                    available: available[side],
                    poor_money: poor_money[side],
                    rich_utility: rich_weight[side],
                    poorest_rich: (rich_weight[side] > 0).then_some((poorest_rich[side], 1)),
                    richest_poor: any_poor[side].then_some((richest_poor[side], 1)),
                };
            }
        } else {
            for &(g, u) in supporters {
                let gi = g as usize;
                let w = u128::from(self.weight[gi]);
                let money = self.money[gi];
                for side in [LO, HI] {
                    if !sides[side] {
                        continue;
                    }
                    let have = money[side];
                    let (num, den) = at[side];
                    let scan = &mut scans[side];
                    scan.available += have * w;
                    if mul_wide(have, den as u64) < mul_wide(num, u) {
                        scan.poor_money += have * w;
                        if scan
                            .richest_poor
                            .is_none_or(|(h, hu)| cmp_ratio(have, u, h, hu) == Ordering::Greater)
                        {
                            scan.richest_poor = Some((have, u));
                        }
                    } else {
                        scan.rich_utility += w * u128::from(u);
                        if scan
                            .poorest_rich
                            .is_none_or(|(h, hu)| cmp_ratio(have, u, h, hu) == Ordering::Less)
                        {
                            scan.poorest_rich = Some((have, u));
                        }
                    }
                }
            }
        }
        scans
    }

    /// A price as a reduced rational.
    pub fn rational(&self, price: &Price) -> BigRational {
        BigRational::new(price.num.clone(), &self.denom * BigInt::from(price.units))
    }

    /// Whether `p`'s supporters can pay its cost, exactly.
    fn exactly_affordable(&self, p: usize) -> bool {
        let all: Vec<(u32, u64)> = self.profile.supporters[p]
            .iter()
            .copied()
            .filter(|&(g, _)| !self.zero[g as usize])
            .collect();
        self.exact_sum(&all) >= self.cost_num(p)
    }

    /// `p`'s cost as a numerator over `E`.
    fn cost_num(&self, p: usize) -> BigInt {
        &self.denom * BigInt::from(self.profile.cost[p])
    }

    /// Σ w·money over `members` (none of them zero), exactly, as a
    /// numerator over `E`: `share·W − Σ_i coef_i·price_i`, the sum over
    /// rounds evaluated Horner-fashion along the chain of denominators.
    fn exact_sum(&self, members: &[(u32, u64)]) -> BigInt {
        let mut weight: u128 = 0;
        let mut coef: Vec<u128> = vec![0; self.chain.len()];
        for &(g, _) in members {
            let w = u128::from(self.weight[g as usize]);
            weight += w;
            for &(round, u) in &self.hist[g as usize] {
                coef[round as usize] += w * u128::from(u);
            }
        }
        let mut paid = BigInt::zero();
        for ((num, units), c) in self.chain.iter().zip(coef) {
            paid *= BigInt::from(*units);
            if c != 0 {
                paid += num * BigInt::from(c);
            }
        }
        &self.share_num * BigInt::from(weight) - paid
    }

    /// A group's money, exactly.
    fn exact_money(&self, g: usize) -> BigRational {
        if self.zero[g] {
            return BigRational::zero();
        }
        let mut money = self.share.clone();
        for &(round, u) in &self.hist[g] {
            money -= &self.prices[round as usize] * BigInt::from(u);
        }
        money
    }

    /// `p`'s exact price given a bracket `[lo, hi]` (`hi = None`: unknown),
    /// or `None` if it is unaffordable.
    fn exact_price(&self, p: usize, lo: Fixed, hi: Option<Fixed>) -> Option<Price> {
        let mut poor: Vec<(u32, u64)> = Vec::new();
        let mut rich_utility: u128 = 0;
        let mut straddling: Vec<(u32, u64, u64, BigRational)> = Vec::new();
        for &(g, u) in &self.profile.supporters[p] {
            let gi = g as usize;
            if self.zero[gi] {
                continue;
            }
            let w = self.weight[gi];
            if mul_wide(self.money[gi][HI], 1) < mul_wide(lo, u) {
                poor.push((g, u));
            } else if hi.is_some_and(|hi| mul_wide(self.money[gi][LO], 1) >= mul_wide(hi, u)) {
                rich_utility += u128::from(w) * u128::from(u);
            } else {
                straddling.push((g, u, w, self.exact_money(gi)));
            }
        }
        let mut utility: u128 = rich_utility
            + straddling
                .iter()
                .map(|&(_, u, w, _)| u128::from(w) * u128::from(u))
                .sum::<u128>();
        let mut richest_poor: Option<(u32, u64)> = None;
        if !straddling.is_empty() {
            // Settle who among them is poor, poorest per unit of utility first.
            straddling.sort_by(|(_, ua, _, ma), (_, ub, _, mb)| {
                (ma * BigInt::from(*ub)).cmp(&(mb * BigInt::from(*ua)))
            });
            let cost = BigRational::from_integer(BigInt::from(self.profile.cost[p]));
            let mut due = cost - BigRational::new(self.exact_sum(&poor), self.denom.clone());
            for (g, u, w, money) in straddling {
                if utility == 0 {
                    break;
                }
                let price = &due / BigInt::from(utility);
                if &price * BigInt::from(u) <= money {
                    break;
                }
                due -= &money * BigInt::from(w);
                utility -= u128::from(w) * u128::from(u);
                poor.push((g, u));
                richest_poor = Some((g, u));
            }
        }
        let due = self.cost_num(p) - self.exact_sum(&poor);
        if utility > 0 {
            if due < BigInt::zero() {
                return None;
            }
            return Some(Price {
                num: due,
                units: utility,
            });
        }
        // Everyone pays all they have: affordable only if that is the cost,
        // and the price is the one at which the last of them runs out.
        if !due.is_zero() {
            return None;
        }
        let last = richest_poor.or_else(|| {
            poor.iter().copied().max_by(|&(ga, ua), &(gb, ub)| {
                (self.exact_money(ga as usize) * BigInt::from(ub))
                    .cmp(&(self.exact_money(gb as usize) * BigInt::from(ua)))
            })
        })?;
        let money = self.exact_money(last.0 as usize) * &self.denom;
        Some(Price {
            num: money.to_integer(),
            units: u128::from(last.1),
        })
    }

    /// Charges `p`'s supporters at `price` per unit of utility.
    pub fn pay(&mut self, p: usize, exact: &Price) -> Charge {
        let round = self.prices.len() as u32;
        let price = &self.rational(exact);
        let q_lo = self.to_fixed(price, false);
        let q_hi = self.to_fixed(price, true);
        // First decide who is rich (pays the price) and who poor (pays all).
        let mut decisions: Vec<(usize, u64, bool, Option<BigRational>)> = Vec::new();
        for &(g, u) in &self.profile.supporters[p] {
            let gi = g as usize;
            if self.zero[gi] {
                continue;
            }
            let due_lo = q_lo.saturating_mul(u128::from(u));
            let due_hi = q_hi.saturating_mul(u128::from(u));
            if self.money[gi][HI] < due_lo {
                decisions.push((gi, u, false, None));
            } else if self.money[gi][LO] >= due_hi {
                decisions.push((gi, u, true, None));
            } else {
                let money = self.exact_money(gi);
                let owed = price * BigInt::from(u);
                if money > owed {
                    decisions.push((gi, u, true, Some(money - owed)));
                } else {
                    decisions.push((gi, u, false, None));
                }
            }
        }
        let mut charge = Charge {
            price: price.clone(),
            payers: 0,
            paid_all: 0,
            max_payment: None,
        };
        if self.detailed {
            let rich = decisions
                .iter()
                .filter(|d| d.2)
                .map(|d| d.1)
                .max()
                .map(|u| price * BigInt::from(u));
            // A poor voter pays less than the price per unit of its own
            // utility, so with equal utilities the price is the maximum.
            let uniform = self.profile.supporters[p].iter().all(|&(_, u)| u == 1);
            let poor = if rich.is_some() && uniform {
                None
            } else {
                decisions
                    .iter()
                    .filter(|d| !d.2)
                    .map(|d| self.exact_money(d.0))
                    .max()
            };
            charge.max_payment = match (rich, poor) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        if let Some(trace) = &mut self.trace {
            let payers = decisions.iter().map(|d| (d.0 as u32, d.2)).collect();
            trace.push((p as u32, payers));
        }
        for (gi, u, rich, rest) in decisions {
            let w = self.weight[gi];
            charge.payers += w;
            if rich {
                match rest {
                    Some(rest) => {
                        self.money[gi] = [self.to_fixed(&rest, false), self.to_fixed(&rest, true)];
                    }
                    None => {
                        let [lo, hi] = self.money[gi];
                        self.money[gi] = [
                            lo - q_hi.saturating_mul(u128::from(u)),
                            hi.saturating_sub(q_lo.saturating_mul(u128::from(u))),
                        ];
                    }
                }
                self.hist[gi].push((round, u));
            } else {
                charge.paid_all += w;
                self.zero[gi] = true;
                self.money[gi] = [0, 0];
            }
        }
        self.prices.push(price.clone());
        self.chain.push((exact.num.clone(), exact.units));
        let units = BigInt::from(exact.units);
        self.denom *= &units;
        self.share_num *= &units;
        charge
    }

    /// Keeps a trace of the rounds (for [`super::parametric`]).
    pub fn keep_trace(&mut self) {
        self.trace = Some(Vec::new());
    }

    /// The rounds so far: project, payers and exact price.
    pub fn rounds(&self) -> impl Iterator<Item = (u32, &[(u32, bool)], &BigRational)> {
        self.trace
            .iter()
            .flatten()
            .zip(&self.prices)
            .map(|((p, payers), price)| (*p, payers.as_slice(), price))
    }

    /// What each voter of each group has left, exactly.
    pub fn money_left(&self) -> Vec<BigRational> {
        // E / E_i for every round i, to bring each price over E.
        let mut suffix = vec![BigInt::from(1); self.chain.len()];
        for i in (0..self.chain.len().saturating_sub(1)).rev() {
            suffix[i] = &suffix[i + 1] * BigInt::from(self.chain[i + 1].1);
        }
        (0..self.profile.groups.len())
            .map(|g| {
                if self.zero[g] {
                    return BigRational::zero();
                }
                let mut num = self.share_num.clone();
                for &(round, u) in &self.hist[g] {
                    let (price, _) = &self.chain[round as usize];
                    num -= price * &suffix[round as usize] * BigInt::from(u);
                }
                BigRational::new(num, self.denom.clone())
            })
            .collect()
    }

    /// `r · 2^f` rounded down or up (r ≥ 0 and small enough to fit).
    fn to_fixed(&self, r: &BigRational, up: bool) -> Fixed {
        let scaled: BigInt = r.numer() << self.f as usize;
        let (quotient, remainder) = (&scaled / r.denom(), &scaled % r.denom());
        let rounded = if up && !remainder.is_zero() {
            quotient + 1
        } else {
            quotient
        };
        rounded.to_u128().unwrap_or(Fixed::MAX)
    }
}

/// Compares `a / ca` with `b / cb` exactly.
fn cmp_ratio(a: u128, ca: u64, b: u128, cb: u64) -> Ordering {
    mul_wide(a, cb).cmp(&mul_wide(b, ca))
}

/// `a · b` as (high, low) 128-bit halves.
fn mul_wide(a: u128, b: u64) -> (u128, u128) {
    let b = u128::from(b);
    let low = (a & u128::from(u64::MAX)) * b;
    let high = (a >> 64) * b;
    let (sum, carry) = low.overflowing_add(high << 64);
    ((high >> 64) + u128::from(carry), sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_products_compare_exactly() {
        let big = u128::MAX >> 2;
        assert_eq!(cmp_ratio(big, 3, big, 3), Ordering::Equal);
        assert_eq!(cmp_ratio(big, 3, big - 1, 3), Ordering::Greater);
        assert_eq!(cmp_ratio(2, 4, 1, 2), Ordering::Equal);
        assert_eq!(mul_wide(u128::MAX, u64::MAX).0, u128::from(u64::MAX) - 1);
        assert_eq!(mul_wide(u128::MAX, 1), (0, u128::MAX));
    }
}
