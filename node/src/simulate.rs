//! A seeded history for a community: members joining over the first weeks
//! and some leaving, paying each other, logging hours, exchanging skills,
//! borrowing tools, booking spaces, asking for aid, claiming insurance,
//! proposing and voting, teaching and learning — months of it, generated
//! in a minute.
//!
//! [`simulate`] founds the community in a data directory exactly as
//! `hearthd run` does (with genesis at `end − span`), then drives the
//! node's own [`Service`](crate::service::Service) with a simulated clock
//! that moves from one moment of the day to the next: every action is
//! signed by its member, verified and submitted as the HTTP API submits
//! it, and sealed and stored as a running node seals it; before each
//! moment the clock stops at every scheduled item that falls due (votes
//! closing, time logs expiring, loans falling overdue, premiums, months of
//! basic income), so the `Due` and `Close` records are the ones a live
//! node would seal. The same plan and seed give the same logs.
//!
//! People differ: each member has an activity weight drawn from a
//! heavy-tailed distribution, so a few do much of the trading and the
//! balances spread. Decisions that depend on the state (whether a member
//! can afford a payment, how much an aid pool holds) read it from the
//! store, so every action is one the state machine accepts: a refusal is
//! counted in the [`Summary`] and means the generator is wrong.
//!
//! Memory stays bounded by the number of members and the things open at
//! once (loans, sessions, bookings, votes to cast), never by the length of
//! the history.

pub mod command;
mod driver;
mod history;
mod people;
mod rng;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use hearth_protocol::community::Method;
use hearth_protocol::economy::Approval;
use hearth_protocol::{Hash, Kc, Keypair, Millis, Rules, Timestamp};

use crate::data_dir::DataDir;

/// Most members a simulated community may have.
pub const MAX_MEMBERS: usize = 1_000_000;

/// The shortest history a simulation makes.
pub const MIN_SPAN: Millis = Millis::days(7);

/// The longest history a simulation makes.
pub const MAX_SPAN: Millis = Millis::days(10 * 365);

/// A day.
const DAY: u64 = Millis::days(1).0;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The seed: the same plan and seed make the same history.
    pub seed: u64,
    /// How many members the community grows to (the founder included).
    pub members: usize,
    /// How long the history is.
    pub span: Millis,
    /// When it ends (the community is founded at `end − span`).
    pub end: Timestamp,
    /// How active members are, in percent of the built-in rates (100: a
    /// lively community; lower for very large benchmarks).
    pub activity: u32,
    /// The community's name.
    pub name: String,
    /// The seed of the node key (and founder invite), for a history that
    /// must be the same, entry for entry, on every run; `None` (the
    /// default) makes a fresh secret node key.
    pub node_seed: Option<[u8; 32]>,
}

impl Plan {
    /// A plan with the default activity and name.
    pub fn new(seed: u64, members: usize, span: Millis, end: Timestamp) -> Plan {
        Plan {
            seed,
            members,
            span,
            end,
            activity: 100,
            name: "Riverside".into(),
            node_seed: None,
        }
    }

    /// When the community is founded.
    pub fn start(&self) -> Timestamp {
        Timestamp(self.end.0.saturating_sub(self.span.0))
    }

    /// The key of member `i` (0 is the founder, who sits on the council).
    pub fn member_key(&self, i: usize) -> Keypair {
        people::member_key(self.seed, i)
    }

    /// The founding rules: the defaults, with the emergency aid pool and
    /// the insurance pools decided by three appointed assessors (members
    /// 1 to 3), and a monthly basic income of 10 KC paid from treasury
    /// credit.
    pub fn rules(&self) -> Rules {
        let mut rules = Rules::default();
        let assessors: Vec<_> = (1..=3.min(self.members.saturating_sub(1)))
            .map(|i| self.member_key(i).public())
            .collect();
        if !assessors.is_empty() {
            rules.aid.approval = Approval::Assessors;
            rules.aid.assessors_needed = 1;
            rules.aid.assessors = assessors;
        }
        rules.basic_income = Some(Kc::whole(BASIC_INCOME));
        let months = self.span.0 / (30 * DAY) + 2;
        rules.treasury_credit = Kc::whole(BASIC_INCOME * (self.members as i64 + 1) * months as i64);
        debug_assert_eq!(rules.local.method, Method::Consensus);
        rules
    }

    /// Checks the plan's numbers.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=MAX_MEMBERS).contains(&self.members) {
            bail!(
                "a simulated community has 1 to {MAX_MEMBERS} members, not {}",
                self.members
            );
        }
        if self.span < MIN_SPAN || self.span > MAX_SPAN {
            bail!(
                "a simulated history lasts {} to {} days, not {}",
                MIN_SPAN.0 / DAY,
                MAX_SPAN.0 / DAY,
                format_span(self.span)
            );
        }
        if self.end.0 < self.span.0 {
            bail!("the history would start before 1970");
        }
        if !(1..=1000).contains(&self.activity) {
            bail!("activity is 1 to 1000 percent, not {}", self.activity);
        }
        Ok(())
    }
}

/// The monthly basic income of a simulated community, in KC.
const BASIC_INCOME: i64 = 10;

/// What a simulation did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The community's id.
    pub community: Hash,
    /// The members who are members at the end, by index, with the last
    /// nonce each used (a key store continues from it).
    pub members: Vec<(usize, u64)>,
    /// How many members left.
    pub left: usize,
    /// Actions accepted, by kind.
    pub accepted: BTreeMap<&'static str, u64>,
    /// Actions refused, by `kind code` (there should be none).
    pub refused: BTreeMap<String, u64>,
    /// A few refusals in full, for debugging the generator.
    pub refusal_samples: Vec<String>,
    /// Entries sealed in both logs (genesis excluded).
    pub entries: u64,
    /// Scheduled items that could not be settled when due.
    pub stuck: u64,
    /// How long the simulation took.
    pub elapsed: Duration,
}

impl Summary {
    /// Actions accepted in all.
    pub fn actions(&self) -> u64 {
        self.accepted.values().sum()
    }

    /// Actions refused in all.
    pub fn refusals(&self) -> u64 {
        self.refused.values().sum()
    }

    /// A few lines for a person: what was made, and any refusal.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{} actions in {} entries by {} members ({} left) in {:.1} s",
            self.actions(),
            self.entries,
            self.members.len(),
            self.left,
            self.elapsed.as_secs_f64()
        );
        let kinds: Vec<String> = self
            .accepted
            .iter()
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        out.push_str(&format!("\n  {}", kinds.join(", ")));
        if self.refusals() > 0 {
            let refused: Vec<String> = self
                .refused
                .iter()
                .map(|(code, n)| format!("{code} {n}"))
                .collect();
            out.push_str(&format!(
                "\n  refused (a fault of the generator): {}",
                refused.join(", ")
            ));
            for sample in &self.refusal_samples {
                out.push_str(&format!("\n    {sample}"));
            }
        }
        if self.stuck > 0 {
            out.push_str(&format!(
                "\n  {} scheduled items could not be settled when due",
                self.stuck
            ));
        }
        out
    }
}

/// Founds a community in the data directory `dir` (which must hold none)
/// and fills it with `plan`'s history. The database is flushed and closed
/// when this returns.
pub fn simulate(dir: &Path, plan: &Plan) -> anyhow::Result<Summary> {
    plan.validate()?;
    let data = DataDir::new(dir);
    let founded = match plan.node_seed {
        Some(seed) => {
            let invite = Hash::of("hearth v1 simulated founder invite", &seed).0;
            data.init_with_seeds(&plan.name, plan.rules(), plan.start(), None, seed, invite)
        }
        None => data.init(&plan.name, plan.rules(), plan.start(), None),
    }
    .with_context(|| format!("cannot found a community in {}", dir.display()))?;
    let invite = data
        .load_founder_invite()
        .context("the founder invite was not written")?;
    let started = std::time::Instant::now();
    let service = crate::service::Service::open(founded.storage, founded.node)
        .context("cannot open the founded community")?;
    let mut summary = history::run(service, plan, invite)?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Reads a span such as `6mo`, `90d`, `2w`, `1y` or `36h` (a month is 30
/// days, a year 365).
pub fn parse_span(text: &str) -> anyhow::Result<Millis> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let hint = "a span is a whole number and a unit: h, d, w, mo or y (e.g. 6mo, 90d, 1y)";
    let Ok(n) = number.parse::<u64>() else {
        bail!("{text:?} is not a span: {hint}");
    };
    let day = match unit {
        "h" => {
            let span = Millis::hours(n);
            return check_span(text, span);
        }
        "d" => 1,
        "w" => 7,
        "mo" => 30,
        "y" => 365,
        _ => bail!("{text:?} is not a span: {hint}"),
    };
    let span = n
        .checked_mul(day)
        .and_then(|days| days.checked_mul(DAY))
        .map(Millis)
        .with_context(|| format!("{text:?} is far too long"))?;
    check_span(text, span)
}

fn check_span(text: &str, span: Millis) -> anyhow::Result<Millis> {
    if span < MIN_SPAN || span > MAX_SPAN {
        bail!(
            "{text:?}: the span of a simulated history is {} to {} days",
            MIN_SPAN.0 / DAY,
            MAX_SPAN.0 / DAY
        );
    }
    Ok(span)
}

/// A span in days, for messages.
fn format_span(span: Millis) -> String {
    format!("{} days", span.0 / DAY)
}

#[cfg(test)]
mod tests;
