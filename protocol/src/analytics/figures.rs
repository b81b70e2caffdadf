//! The figures: exact fractions of the counts, and the one rounding that
//! shows them.

use bincode::{Decode, Encode};
use num_bigint::BigUint;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::economy::income::month_label;
use crate::units::Kc;

use super::MonthCounts;

/// How a figure is shown.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unit {
    /// A share, as a percentage with one decimal: `33.3%`.
    Percent,
    /// A ratio with two decimals: `1.25`.
    Ratio,
    /// A coefficient with three decimals: `0.412`.
    Coefficient,
    /// Hours with one decimal: `12.5 h`.
    Hours,
}

/// An exact, non-negative fraction, reduced, with the text it is shown as.
/// The numerator and denominator are decimal strings (they may exceed
/// 64 bits).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Fraction {
    /// The numerator.
    pub num: String,
    /// The denominator (positive).
    pub den: String,
    /// The figure as shown: rounded half away from zero at its unit's
    /// digits.
    pub shown: String,
}

impl Fraction {
    /// `num / den` shown in `unit`; `None` when `den` is zero.
    pub fn new(num: impl Into<BigUint>, den: impl Into<BigUint>, unit: Unit) -> Option<Fraction> {
        let (num, den): (BigUint, BigUint) = (num.into(), den.into());
        if den.is_zero() {
            return None;
        }
        let gcd = gcd(&num, &den);
        let (num, den) = if gcd.is_zero() {
            (num, den)
        } else {
            (num / &gcd, den / &gcd)
        };
        let shown = show(&num, &den, unit);
        Some(Fraction {
            num: num.to_string(),
            den: den.to_string(),
            shown,
        })
    }

    /// An exact rational (non-negative) shown in `unit`.
    fn of_rational(value: &BigRational, unit: Unit) -> Option<Fraction> {
        Fraction::new(
            value.numer().to_biguint()?,
            value.denom().to_biguint()?,
            unit,
        )
    }

    /// The value as a float, for drawing (never for a figure shown).
    pub fn value(&self) -> f64 {
        let num: f64 = self.num.parse().unwrap_or(0.0);
        let den: f64 = self.den.parse().unwrap_or(1.0);
        num / den
    }
}

fn gcd(a: &BigUint, b: &BigUint) -> BigUint {
    let (mut a, mut b) = (a.clone(), b.clone());
    while !b.is_zero() {
        let r = &a % &b;
        a = b;
        b = r;
    }
    a
}

/// `num / den` rounded half away from zero to `unit`'s digits, as text.
fn show(num: &BigUint, den: &BigUint, unit: Unit) -> String {
    let (scale, digits, suffix): (u32, usize, &str) = match unit {
        Unit::Percent => (1000, 1, "%"),
        Unit::Ratio => (100, 2, ""),
        Unit::Coefficient => (1000, 3, ""),
        Unit::Hours => (10, 1, " h"),
    };
    // round(num × scale / den) = ⌊(2 · num · scale + den) / (2 · den)⌋.
    let two = BigUint::from(2u32);
    let scaled = (&two * num * BigUint::from(scale) + den) / (&two * den);
    let text = scaled.to_string();
    let text = format!("{text:0>width$}", width = digits + 1);
    let (whole, frac) = text.split_at(text.len() - digits);
    format!("{whole}.{frac}{suffix}")
}

fn kc_units(kc: Kc) -> BigUint {
    BigUint::from(kc.0.max(0) as u64)
}

/// Every figure of DESIGN §9 for one month.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Figures {
    /// Ballots counted (with delegated weight) ÷ eligible voters: for a
    /// community the mean over the month's closed votes, across
    /// communities Σ counted ÷ Σ eligible.
    pub voting_turnout: Option<Fraction>,
    /// Proposals opened.
    pub proposals: u64,
    /// Council ballots cast ÷ (council decisions × seats in power).
    pub council_attendance: Option<Fraction>,
    /// Consensus proposals passed ÷ consensus proposals closed.
    pub consensus_rate: Option<Fraction>,
    /// KC contributed to aid pools.
    pub pool_contributions: Kc,
    /// Aid requests opened.
    pub aid_requests: u64,
    /// Requests paid in full ÷ requests approved, in the month (a month
    /// that clears an earlier backlog can exceed 100%).
    pub fulfilment_rate: Option<Fraction>,
    /// Mean hours from request to full payment.
    pub response_hours: Option<Fraction>,
    /// Confirmed completions.
    pub course_completions: u64,
    /// Sessions held.
    pub peer_sessions: u64,
    /// Skills verified.
    pub skill_verifications: u64,
    /// Enrolled members (month end).
    pub insurance_members: u64,
    /// Claims decided.
    pub claims_processed: u64,
    /// Claims paid ÷ premiums collected over the twelve months ending with
    /// this one.
    pub payout_ratio: Option<Fraction>,
    /// KC moved between members.
    pub circulation: Kc,
    /// Circulation ÷ Σ positive member balances at the month's end.
    pub velocity: Option<Fraction>,
    /// Members active ÷ members.
    pub coverage: Option<Fraction>,
    /// Members active this month and last ÷ members active last month.
    pub retention: Option<Fraction>,
    /// The Gini coefficient of spending capacity at the month's end (one
    /// community, closed months only).
    pub gini: Option<Fraction>,
}

impl Figures {
    /// The figures of `counts`; `year` is the twelve months ending with it
    /// (fewer at the start), for the payout ratio. Turnout is Σ counted ÷
    /// Σ eligible here; a community's report replaces it with the mean.
    pub fn of(counts: &MonthCounts, year: &[&MonthCounts]) -> Figures {
        let c = counts;
        let (paid, premiums) = year.iter().fold((0u64, 0u64), |(p, q), m| {
            (
                p.saturating_add(m.claims_paid.0.max(0) as u64),
                q.saturating_add(m.premiums.0.max(0) as u64),
            )
        });
        Figures {
            voting_turnout: Fraction::new(c.ballots_counted, c.eligible_voters, Unit::Percent),
            proposals: c.proposals,
            council_attendance: Fraction::new(c.council_ballots, c.council_seats, Unit::Percent),
            consensus_rate: Fraction::new(c.consensus_passed, c.consensus_closed, Unit::Percent),
            pool_contributions: c.aid_contributed,
            aid_requests: c.aid_requests,
            fulfilment_rate: Fraction::new(c.aid_paid_in_full, c.aid_approved, Unit::Percent),
            response_hours: Fraction::new(
                c.aid_response_ms,
                u128::from(c.aid_paid_in_full) * 3_600_000,
                Unit::Hours,
            ),
            course_completions: c.completions,
            peer_sessions: c.peer_sessions,
            skill_verifications: c.verifications,
            insurance_members: c.insurance_members,
            claims_processed: c.claims_processed,
            payout_ratio: Fraction::new(paid, premiums, Unit::Percent),
            circulation: c.circulation,
            velocity: Fraction::new(
                kc_units(c.circulation),
                kc_units(c.positive_balances),
                Unit::Ratio,
            ),
            coverage: Fraction::new(c.active, c.members, Unit::Percent),
            retention: Fraction::new(c.retained, c.previously_active, Unit::Percent),
            gini: None,
        }
    }
}

/// The first month a report of months `from..` reads: the payout ratio
/// looks back twelve months.
pub fn window_start(from: u32) -> u32 {
    from.saturating_sub(11)
}

/// The figures of each month of `counts` from place `skip` on, each with
/// the twelve months ending with it (`counts` begins at
/// [`window_start`]).
pub fn each_month(counts: &[&MonthCounts], skip: usize) -> Vec<Figures> {
    (skip..counts.len())
        .map(|at| Figures::of(counts[at], &counts[at.saturating_sub(11)..=at]))
        .collect()
}

/// The mean over closed votes of ballots counted ÷ eligible voters (votes
/// nobody was eligible for are left out).
pub fn mean_turnout(turnouts: &[(u64, u64)]) -> Option<Fraction> {
    let mut sum = BigRational::zero();
    let mut n = 0u64;
    for &(counted, eligible) in turnouts {
        if eligible == 0 {
            continue;
        }
        sum += BigRational::new(counted.into(), eligible.into());
        n += 1;
    }
    if n == 0 {
        return None;
    }
    Fraction::of_rational(&(sum / BigRational::from_integer(n.into())), Unit::Percent)
}

/// Members' spending capacity at a month's end, as the state keeps it:
/// enough for the Gini coefficient and the Lorenz curve, nothing about
/// any one member.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Capacity {
    /// Months since 1970-01.
    pub month: u32,
    /// Active members measured.
    pub members: u64,
    /// Σ capacity (milli-KC).
    pub total: u128,
    /// Σᵢ (2i − n − 1) · xᵢ over capacities sorted ascending (i from 1):
    /// the Gini coefficient is this ÷ (n · Σ x).
    pub gini_sum: u128,
    /// Σ of the smallest ⌊k·n/10⌋ capacities, for k = 0..=10.
    pub lorenz: Vec<u128>,
}
impl Canonical for Capacity {}

/// The spending capacity distribution of a month, as reported.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Distribution {
    /// `YYYY-MM`.
    pub month: String,
    /// Active members measured.
    pub members: u64,
    /// The Gini coefficient.
    pub gini: Fraction,
    /// The Lorenz curve at each decile: (share of members, share of
    /// capacity), from (0, 0) to (1, 1).
    pub lorenz: Vec<(Fraction, Fraction)>,
}

/// Measures capacities (any order); `None` when there are none or they
/// sum to zero (the coefficient is undefined).
pub fn capacity(month: u32, mut capacities: Vec<u128>) -> Option<Capacity> {
    capacities.sort_unstable();
    let n = capacities.len() as u128;
    let total: u128 = capacities.iter().sum();
    if n == 0 || total == 0 {
        return None;
    }
    // Σ (2i − n − 1) xᵢ is ≥ 0 for ascending x: the positive terms (the
    // larger half) outweigh the negative ones.
    let (mut plus, mut minus) = (0u128, 0u128);
    for (i, x) in capacities.iter().enumerate() {
        let i = i as u128 + 1;
        if 2 * i > n {
            plus += (2 * i - n - 1) * x;
        } else {
            minus += (n + 1 - 2 * i) * x;
        }
    }
    let mut lorenz = Vec::with_capacity(11);
    let mut prefix = 0u128;
    let mut taken = 0usize;
    for k in 0..=10u128 {
        let upto = (k * n / 10) as usize;
        while taken < upto {
            prefix += capacities[taken];
            taken += 1;
        }
        lorenz.push(prefix);
    }
    Some(Capacity {
        month,
        members: n as u64,
        total,
        gini_sum: plus - minus,
        lorenz,
    })
}

impl Capacity {
    /// The reported distribution.
    pub fn distribution(&self) -> Option<Distribution> {
        let n = u128::from(self.members);
        let gini = Fraction::new(self.gini_sum, n * self.total, Unit::Coefficient)?;
        let lorenz = self
            .lorenz
            .iter()
            .enumerate()
            .map(|(k, cum)| {
                Some((
                    Fraction::new(k as u64, 10u64, Unit::Percent)?,
                    Fraction::new(*cum, self.total, Unit::Percent)?,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Distribution {
            month: month_label(self.month),
            members: self.members,
            gini,
            lorenz,
        })
    }
}

/// The Gini coefficient as a float, for comparing with a brute force.
pub fn gini_value(capacity: &Capacity) -> Option<f64> {
    let num = capacity.gini_sum.to_f64()?;
    let den = (u128::from(capacity.members) * capacity.total).to_f64()?;
    Some(num / den)
}
