//! The history itself: day by day, at five moments of each day, members
//! start things (payments, hours, listings, loans, bookings, aid,
//! claims, proposals, sessions) at rates proportional to how many are
//! active, and finish what they started earlier (confirmations, returns,
//! inspections, assessments, votes, enrolments), from a queue of tasks
//! keyed by the moment they are due.

use std::collections::{BTreeMap, HashMap, HashSet};

use hearth_protocol::economy::aid::emergency_pool_id;
use hearth_protocol::economy::insurance::{Cover, Terms};
use hearth_protocol::economy::spaces::{SpaceKind, SpaceSpec};
use hearth_protocol::governance::{Ballot, Level, ProposalRef};
use hearth_protocol::log::LogKind;
use hearth_protocol::state::Account;
use hearth_protocol::state::StateRead as _;
use hearth_protocol::{
    ActionBody, AidAction, GovernanceAction, Hash, InsuranceAction, InviteCode, Kc, Keypair,
    LearningAction, MembershipAction, Millis, SpacesAction, TimeBankAction, Timestamp, ToolsAction,
};

use super::driver::Driver;
use super::people::{People, Status};
use super::rng::Rng;
use super::{DAY, Plan, Summary};
use crate::service::Service;
use crate::store::SledStorage;

mod civic;
mod economy;
mod names;

/// The moments of a day at which members act (hours, UTC).
const MOMENTS: [u64; 5] = [8, 11, 14, 17, 20];

/// An hour.
const HOUR: u64 = Millis::hours(1).0;

/// What members do, per active member per 30 days, at 100 % activity.
mod rate {
    pub const TRANSFER: f64 = 1.6;
    pub const HOURS: f64 = 0.6;
    pub const SKILL_POST: f64 = 0.12;
    pub const SKILL_ACCEPT: f64 = 0.1;
    pub const CHECKOUT: f64 = 0.2;
    pub const BOOKING: f64 = 0.25;
    pub const AID_GIVE: f64 = 0.12;
    pub const AID_ASK: f64 = 0.04;
    pub const CLAIM: f64 = 0.1;
    pub const EDUCATION: f64 = 0.03;
    pub const OWN_TOOL: f64 = 0.01;
    pub const SESSION: f64 = 0.03;
}

/// Something to do at a later moment.
#[derive(Debug)]
enum Task {
    /// The founder issues the invites of the members who join today.
    Invites,
    /// A member joins with the invite issued for them.
    Join(usize),
    /// A new member names themselves.
    Name(usize),
    /// A member delegates their local votes.
    Delegate(usize),
    /// The community's first tools, spaces and skills.
    Setup,
    /// A party of a time bank record confirms it (or declines it when
    /// `payer` cannot pay `kc`).
    Confirm {
        who: usize,
        payer: usize,
        record: Hash,
        kc: i64,
    },
    /// A party of a time bank record declines it.
    Decline { who: usize, record: Hash },
    /// A borrower renews a loan.
    Renew { who: usize, tool: usize },
    /// A borrower returns a tool.
    Return {
        who: usize,
        tool: usize,
        steward: usize,
    },
    /// A steward inspects a returned tool.
    Inspect {
        tool: usize,
        borrower: usize,
        steward: usize,
    },
    /// A steward records maintenance done.
    Maintained { tool: usize, steward: usize },
    /// An assessor decides an aid request.
    AssessAid {
        assessor: usize,
        requester: usize,
        request: Hash,
        approve: bool,
    },
    /// An assessor decides a claim.
    AssessClaim {
        assessor: usize,
        claimant: usize,
        claim: Hash,
        approve: bool,
    },
    /// A member enrols in an insurance pool.
    Enrol { who: usize, pool: usize },
    /// A member votes.
    Vote {
        who: usize,
        proposal: Hash,
        ballot: Ballot,
    },
    /// An insurance pool's proposal has closed: see whether it passed.
    PoolClosed { pool: usize },
    /// A member cancels a booking.
    Cancel {
        who: usize,
        booking: Hash,
        space: usize,
        hours: (u64, u64),
    },
    /// A student enrols in a session.
    Attend { who: usize, session: usize },
    /// A student confirms a session they attended.
    Attended { who: usize, session: usize },
    /// A verified member endorses another in a skill.
    Endorse { by: usize, who: usize, skill: usize },
    /// A member leaves (once nothing involves them any more).
    Leave(usize),
}

impl Task {
    /// The members a task involves (besides the founder).
    fn involves(&self) -> [Option<usize>; 2] {
        match *self {
            Task::Invites | Task::Setup | Task::PoolClosed { .. } => [None, None],
            Task::Maintained { steward, .. } => [Some(steward), None],
            Task::Join(i) | Task::Name(i) | Task::Delegate(i) | Task::Leave(i) => [Some(i), None],
            Task::Confirm { who, payer, .. } => [Some(who), Some(payer)],
            Task::Decline { who, .. }
            | Task::Renew { who, .. }
            | Task::Enrol { who, .. }
            | Task::Vote { who, .. }
            | Task::Cancel { who, .. }
            | Task::Attend { who, .. }
            | Task::Attended { who, .. } => [Some(who), None],
            Task::Inspect {
                borrower, steward, ..
            }
            | Task::Return {
                who: borrower,
                steward,
                ..
            } => [Some(borrower), Some(steward)],
            Task::AssessAid {
                assessor,
                requester,
                ..
            } => [Some(assessor), Some(requester)],
            Task::AssessClaim {
                assessor, claimant, ..
            } => [Some(assessor), Some(claimant)],
            Task::Endorse { by, who, .. } => [Some(by), Some(who)],
        }
    }
}

/// A tool of the library.
#[derive(Debug)]
struct Tool {
    id: Hash,
    steward: usize,
    deposit: i64,
    state: ToolState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ToolState {
    Free,
    Busy,
    Retired,
}

/// A space and its booked places per hour.
#[derive(Debug)]
struct Space {
    id: Hash,
    capacity: u32,
    /// Whole hours a booking's buffer adds.
    buffer_hours: u64,
    max_hours: u64,
    horizon_days: u64,
}

/// An open skill listing.
#[derive(Debug)]
struct Listing {
    id: Hash,
    author: usize,
    offer: bool,
}

/// A learning session.
#[derive(Debug)]
struct Session {
    id: Hash,
    skill: usize,
    teacher: usize,
    start: Timestamp,
    end: Timestamp,
}

/// An insurance pool, once proposed.
#[derive(Debug)]
struct Pool {
    id: Hash,
    /// Whether its proposal passed and the pool exists.
    open: bool,
    terms: Terms,
}

/// The simulation's state besides the store.
struct History<'a> {
    plan: &'a Plan,
    d: Driver,
    rng: Rng,
    people: People,
    community: Hash,
    founder_invite: InviteCode,
    /// Midnight of the first day.
    day0: Timestamp,
    days: u32,
    join_days: u32,
    tasks: BTreeMap<u64, Vec<Task>>,
    moment: u64,
    spent: HashMap<usize, i64>,
    /// The log of each author's actions waiting for the next seal.
    batch: HashMap<usize, LogKind>,
    /// Members who joined at this moment (active from the next).
    joining: Vec<usize>,
    credit_limit: i64,
    active: usize,
    tools: Vec<Tool>,
    spaces: Vec<Space>,
    booked: BTreeMap<(u64, usize), u32>,
    listings: Vec<Listing>,
    skills: Vec<Hash>,
    verified: HashSet<(usize, usize)>,
    verified_in: Vec<Vec<usize>>,
    endorsements: HashSet<(usize, usize, usize)>,
    endorsed: HashMap<(usize, usize), u32>,
    sessions: HashMap<usize, Session>,
    next_session: usize,
    pools: Vec<Pool>,
    emergency: Hash,
}

/// Runs the plan's history on a freshly founded community.
pub fn run(
    service: Service<SledStorage>,
    plan: &Plan,
    founder_invite: InviteCode,
) -> anyhow::Result<Summary> {
    let start = plan.start();
    let community = service.community();
    let mut rng = Rng::new(plan.seed ^ 0x4845_4152_5448);
    let days = (plan.span.0 / DAY) as u32;
    let join_days = (days / 4).clamp(1, 28);
    let people = People::new(plan.seed, plan.members, join_days, days, &mut rng);
    let rules = plan.rules();
    let mut h = History {
        plan,
        d: Driver::new(service, start),
        rng,
        people,
        community,
        founder_invite,
        day0: Timestamp(start.0 / DAY * DAY),
        days,
        join_days,
        tasks: BTreeMap::new(),
        moment: 0,
        spent: HashMap::new(),
        batch: HashMap::new(),
        joining: Vec::new(),
        credit_limit: rules.credit_limit.0,
        active: 0,
        tools: Vec::new(),
        spaces: Vec::new(),
        booked: BTreeMap::new(),
        listings: Vec::new(),
        skills: Vec::new(),
        verified: HashSet::new(),
        verified_in: Vec::new(),
        endorsements: HashSet::new(),
        endorsed: HashMap::new(),
        sessions: HashMap::new(),
        next_session: 0,
        pools: Vec::new(),
        emergency: emergency_pool_id(&community),
    };
    h.run()?;
    Ok(h.summary())
}

impl History<'_> {
    /// The time of moment `m` (counted from the first day's first).
    fn time_of(&self, m: u64) -> Timestamp {
        let day = m / MOMENTS.len() as u64;
        let hour = MOMENTS[(m % MOMENTS.len() as u64) as usize];
        Timestamp(self.day0.0 + day * DAY + hour * HOUR)
    }

    /// The first moment at or after `t`.
    fn moment_at(&self, t: Timestamp) -> u64 {
        let mut m = t.0.saturating_sub(self.day0.0) / DAY * MOMENTS.len() as u64;
        while self.time_of(m) < t {
            m += 1;
        }
        m
    }

    fn run(&mut self) -> anyhow::Result<()> {
        let start = self.plan.start();
        let end = self.plan.end;
        let mut m = self.moment_at(Timestamp(start.0 + 1));
        let mut first = true;
        loop {
            let now = self.time_of(m);
            if now > end {
                break;
            }
            self.moment = m;
            self.d.advance(now)?;
            self.spent.clear();
            for i in std::mem::take(&mut self.joining) {
                self.people.all[i].status = Status::Active;
                self.active += 1;
            }
            if first {
                self.found();
                first = false;
            } else {
                if m.is_multiple_of(MOMENTS.len() as u64) {
                    self.new_day();
                }
                let due = self.tasks.remove(&m).unwrap_or_default();
                for task in due {
                    for i in task.involves().into_iter().flatten() {
                        self.people.all[i].busy -= 1;
                    }
                    self.perform(task);
                }
                self.start_things();
            }
            self.seal();
            m += 1;
        }
        for i in std::mem::take(&mut self.joining) {
            self.people.all[i].status = Status::Active;
            self.active += 1;
        }
        self.d.advance(end)?;
        self.d.flush()?;
        Ok(())
    }

    /// The day of moment `self.moment`.
    fn day(&self) -> u32 {
        (self.moment / MOMENTS.len() as u64) as u32
    }

    /// Queues `task` for moment `m` (at least the next one).
    fn at(&mut self, m: u64, task: Task) {
        let m = m.max(self.moment + 1);
        for i in task.involves().into_iter().flatten() {
            self.people.all[i].busy += 1;
        }
        self.tasks.entry(m).or_default().push(task);
    }

    /// Queues `task` between `lo` and `hi` days from now.
    fn later(&mut self, lo_days: f64, hi_days: f64, task: Task) {
        let per_day = MOMENTS.len() as f64;
        let lo = (lo_days * per_day).ceil().max(1.0) as u64;
        let hi = ((hi_days * per_day).floor() as u64).max(lo);
        let m = self.moment + self.rng.range(lo, hi);
        self.at(m, task);
    }

    /// Member `i` acts.
    fn act(&mut self, i: usize, body: ActionBody) -> Hash {
        // A batch applies its public-log actions before its local ones, and
        // an author's nonces must rise in that order: an author who switches
        // logs within a moment waits for the next seal.
        let log = body.log_kind();
        if self.batch.insert(i, log).is_some_and(|was| was != log) {
            self.seal();
            self.batch.insert(i, log);
        }
        let action = self.people.sign(i, self.community, self.d.now, body);
        let id = action.id();
        let what = format!("member {i} at day {}", self.day());
        self.d.submit(action, what);
        id
    }

    /// Seals what was submitted.
    fn seal(&mut self) {
        self.d.seal();
        self.batch.clear();
    }

    /// Whether member `i` can pay `milli` milli-KC now, keeping a margin
    /// above their floor for what falls due meanwhile; if so it is counted
    /// as spent for this moment.
    fn can_spend(&mut self, i: usize, milli: i64) -> bool {
        let account = Account::Member(self.people.all[i].public);
        let Ok(balance) = self.d.storage().balance(&account) else {
            return false;
        };
        let spent = self.spent.entry(i).or_default();
        let margin = Kc::whole(100).0;
        if balance.0 - *spent - milli < -self.credit_limit + margin {
            return false;
        }
        *spent += milli;
        true
    }

    /// The first moment: the founder claims the founder invite.
    fn found(&mut self) {
        let founder = self.people.all[0].public;
        let body = self.founder_invite.join_body(&founder);
        self.act(0, body);
        self.people.all[0].status = Status::Active;
        self.people.all[0].joined = self.d.now;
        self.active = 1;
        let m = self.moment + 1;
        self.at(m, Task::Invites);
        self.at(m, Task::Setup);
        self.at(m + 1, Task::Name(0));
    }

    /// What starts each day: invites, departures, proposals, pools.
    fn new_day(&mut self) {
        let day = self.day();
        self.at(self.moment, Task::Invites);
        let leaving: Vec<usize> = (0..self.people.len())
            .filter(|&i| self.people.all[i].leave_day == Some(day) && self.people.active(i))
            .collect();
        for i in leaving {
            self.people.all[i].status = Status::Leaving;
            self.listings.retain(|l| l.author != i);
            for teachers in &mut self.verified_in {
                teachers.retain(|t| *t != i);
            }
            self.later(1.0, 2.0, Task::Leave(i));
        }
        // Trimming what is past keeps memory bounded.
        let hour = self.d.now.0 / HOUR;
        self.booked = self.booked.split_off(&(hour, 0));
        // Sessions are forgotten ten days after they started (their
        // confirmations are over by then).
        let stale = self.d.now.0.saturating_sub(Millis::days(10).0);
        self.sessions.retain(|_, s| s.start.0 >= stale);
        if self.listings.len() > 4096 {
            self.listings.drain(..2048);
        }
        let j = self.join_days;
        if day == j + 1 {
            self.propose_pool(
                "Health mutual",
                Cover::Health,
                "Shared cover for medical costs: 5 KC a month.",
            );
        }
        if day == j + 16 && self.days > j + 60 {
            self.propose_pool(
                "Home and property",
                Cover::Property,
                "Cover for damage to homes and belongings.",
            );
        }
        if day > j && (day - j).is_multiple_of(9) {
            self.propose_policy();
        }
        if day > j && (day - j) % 23 == 5 {
            self.propose_choice();
        }
        if day > 2 && day % 30 == 10 {
            self.emergency_decision();
        }
        if day >= 1 {
            self.bootstrap_teachers();
        }
    }

    /// Starts this moment's share of everything members do.
    fn start_things(&mut self) {
        let scale = self.active as f64 * f64::from(self.plan.activity)
            / 100.0
            / 30.0
            / MOMENTS.len() as f64;
        let day = self.day();
        let n = self.rng.count(rate::TRANSFER * scale);
        for _ in 0..n {
            self.transfer();
        }
        let n = self.rng.count(rate::HOURS * scale);
        for _ in 0..n {
            self.hours();
        }
        if day < 1 {
            return;
        }
        let n = self.rng.count(rate::SKILL_POST * scale);
        for _ in 0..n {
            self.post_listing();
        }
        let n = self.rng.count(rate::SKILL_ACCEPT * scale);
        for _ in 0..n {
            self.accept_listing();
        }
        let n = self.rng.count(rate::CHECKOUT * scale);
        for _ in 0..n {
            self.checkout();
        }
        let n = self.rng.count(rate::OWN_TOOL * scale);
        for _ in 0..n {
            self.own_tool();
        }
        let n = self.rng.count(rate::BOOKING * scale);
        for _ in 0..n {
            self.book();
        }
        let n = self.rng.count(rate::AID_GIVE * scale);
        for _ in 0..n {
            self.give_aid();
        }
        let n = self.rng.count(rate::AID_ASK * scale);
        for _ in 0..n {
            self.ask_aid();
        }
        let n = self.rng.count(rate::CLAIM * scale);
        for _ in 0..n {
            self.claim();
        }
        let n = self.rng.count(rate::EDUCATION * scale);
        for _ in 0..n {
            self.give_education();
        }
        // At least one session a week however small the community.
        let sessions = rate::SESSION * scale + 1.0 / 7.0 / MOMENTS.len() as f64;
        let n = self.rng.count(sessions);
        for _ in 0..n {
            self.schedule_session();
        }
    }

    /// Does what was queued.
    fn perform(&mut self, task: Task) {
        match task {
            Task::Invites => self.invites(),
            Task::Join(i) => self.join(i),
            Task::Name(i) => {
                let name = names::name(i);
                self.act(
                    i,
                    ActionBody::Membership(MembershipAction::SetName { name }),
                );
            }
            Task::Delegate(i) => self.delegate(i),
            Task::Setup => self.setup(),
            Task::Confirm {
                who,
                payer,
                record,
                kc,
            } => {
                let body = if self.can_spend(payer, kc) {
                    TimeBankAction::Confirm { record }
                } else {
                    TimeBankAction::Decline {
                        record,
                        reason: "cannot pay for it this month".into(),
                    }
                };
                self.act(who, ActionBody::TimeBank(body));
            }
            Task::Decline { who, record } => {
                let reason = self.rng.pick(names::DECLINES).to_string();
                self.act(
                    who,
                    ActionBody::TimeBank(TimeBankAction::Decline { record, reason }),
                );
            }
            Task::Renew { who, tool } => {
                let item = self.tools[tool].id;
                self.act(who, ActionBody::Tools(ToolsAction::Renew { item }));
            }
            Task::Return { who, tool, steward } => {
                let item = self.tools[tool].id;
                self.act(who, ActionBody::Tools(ToolsAction::Return { item }));
                self.later(
                    0.2,
                    1.0,
                    Task::Inspect {
                        tool,
                        borrower: who,
                        steward,
                    },
                );
            }
            Task::Inspect { tool, borrower, .. } => self.inspect(tool, borrower),
            Task::Maintained { tool, steward } => {
                let item = self.tools[tool].id;
                let note = "sharpened, oiled and tested".to_string();
                self.act(
                    steward,
                    ActionBody::Tools(ToolsAction::Maintained { item, note }),
                );
                self.tools[tool].state = ToolState::Free;
            }
            Task::AssessAid {
                assessor,
                requester,
                request,
                approve,
            } => {
                self.act(
                    assessor,
                    ActionBody::Aid(AidAction::Assess { request, approve }),
                );
                let person = &mut self.people.all[requester];
                person.aid_open = false;
                if approve {
                    person.aid_granted = Some(self.d.now);
                }
            }
            Task::AssessClaim {
                assessor,
                claimant,
                claim,
                approve,
            } => {
                self.act(
                    assessor,
                    ActionBody::Insurance(InsuranceAction::Assess { claim, approve }),
                );
                self.people.all[claimant].claim_open = false;
            }
            Task::Enrol { who, pool } => self.enrol(who, pool),
            Task::Vote {
                who,
                proposal,
                ballot,
            } => {
                let proposal = ProposalRef {
                    id: proposal,
                    level: Level::Local,
                };
                self.act(
                    who,
                    ActionBody::Governance(GovernanceAction::Vote { proposal, ballot }),
                );
            }
            Task::PoolClosed { pool } => self.pool_closed(pool),
            Task::Cancel {
                who,
                booking,
                space,
                hours,
            } => {
                self.act(who, ActionBody::Spaces(SpacesAction::Cancel { booking }));
                for hour in hours.0..hours.1 {
                    if let Some(n) = self.booked.get_mut(&(hour, space)) {
                        *n = n.saturating_sub(1);
                    }
                }
            }
            Task::Attend { who, session } => {
                if let Some((id, end)) = self.sessions.get(&session).map(|s| (s.id, s.end)) {
                    self.act(
                        who,
                        ActionBody::Learning(LearningAction::Enrol { session: id }),
                    );
                    if self.rng.chance(85) {
                        let m = self.moment_at(end);
                        let m = m + self.rng.range(1, 2 * MOMENTS.len() as u64);
                        self.at(m, Task::Attended { who, session });
                    }
                }
            }
            Task::Attended { who, session } => self.attended(who, session),
            Task::Endorse { by, who, skill } => self.endorse(by, who, skill),
            Task::Leave(i) => {
                if self.people.all[i].busy > 0 {
                    self.later(1.0, 1.0, Task::Leave(i));
                } else {
                    self.act(i, ActionBody::Membership(MembershipAction::Leave));
                    self.people.all[i].status = Status::Left;
                    self.active -= 1;
                }
            }
        }
    }

    /// The founder invites today's newcomers; each joins later today.
    fn invites(&mut self) {
        let day = self.day();
        let expires = self.d.now.plus(Millis::days(7));
        let today: Vec<usize> = (1..self.people.len())
            .filter(|&i| {
                self.people.all[i].join_day <= day && self.people.all[i].status == Status::Waiting
            })
            .collect();
        for i in today {
            let key = invite_key(self.plan.seed, i).public();
            self.act(
                0,
                ActionBody::Membership(MembershipAction::IssueInvite { key, expires }),
            );
            self.people.all[i].status = Status::Invited;
            self.later(0.2, 0.8, Task::Join(i));
        }
    }

    fn join(&mut self, i: usize) {
        let code = InviteCode {
            community: self.community,
            seed: invite_key(self.plan.seed, i).seed(),
        };
        let body = code.join_body(&self.people.all[i].public);
        self.act(i, body);
        // Active from the next moment: a day of many joins fills more than
        // one public entry, and nobody pays a member before they are one.
        self.people.all[i].joined = self.d.now;
        self.joining.push(i);
        if self.rng.chance(70) {
            self.later(0.2, 3.0, Task::Name(i));
        }
        if self.rng.chance(10) {
            self.later(1.0, 10.0, Task::Delegate(i));
        }
    }

    /// The founder sets up the commons: tools, spaces, skills, and seeds
    /// the education pool.
    fn setup(&mut self) {
        let tools = (self.plan.members / 12).clamp(3, 60);
        for k in 0..tools {
            let (name, category) = names::TOOLS[k % names::TOOLS.len()];
            let name = if k < names::TOOLS.len() {
                name.to_string()
            } else {
                format!("{name} #{}", k / names::TOOLS.len() + 1)
            };
            self.add_tool(0, name, category, false);
        }
        let specs = [
            ("Coworking room", SpaceKind::Coworking, 6, 0, 1, 4, 30),
            ("Community hall", SpaceKind::Events, 1, 1, 1, 6, 60),
            ("Garden beds", SpaceKind::CommunityGardens, 12, 0, 1, 8, 30),
        ];
        for (name, kind, capacity, buffer_hours, min_h, max_h, horizon) in specs {
            let spec = SpaceSpec {
                name: name.into(),
                kind,
                capacity,
                buffer: Millis::hours(buffer_hours),
                min_length: Millis::hours(min_h),
                max_length: Millis::hours(max_h),
                horizon: Millis::days(horizon),
            };
            let id = self.act(0, ActionBody::Spaces(SpacesAction::Create(spec)));
            self.spaces.push(Space {
                id,
                capacity,
                buffer_hours,
                max_hours: max_h,
                horizon_days: horizon,
            });
        }
        for (k, (name, description, prerequisite)) in names::SKILLS.iter().enumerate() {
            let prerequisites = prerequisite
                .map(|p| vec![self.skills[p]])
                .unwrap_or_default();
            let id = self.act(
                0,
                ActionBody::Learning(LearningAction::AddSkill {
                    name: name.to_string(),
                    description: description.to_string(),
                    prerequisites,
                }),
            );
            debug_assert_eq!(self.skills.len(), k);
            self.skills.push(id);
            self.verified_in.push(Vec::new());
        }
        let amount = Kc::whole(300);
        if self.can_spend(0, amount.0) {
            self.act(
                0,
                ActionBody::Learning(LearningAction::Contribute { amount }),
            );
        }
    }

    fn summary(self) -> Summary {
        let members = self
            .people
            .all
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.status, Status::Active | Status::Leaving))
            .map(|(i, p)| (i, p.nonce))
            .collect();
        let left = self
            .people
            .all
            .iter()
            .filter(|p| p.status == Status::Left)
            .count();
        let entries = [LogKind::Public, LogKind::Local]
            .iter()
            .filter_map(|k| self.d.service.head(*k))
            .map(|h| h.seq)
            .sum();
        Summary {
            community: self.community,
            members,
            left,
            accepted: self.d.accepted,
            refused: self.d.refused,
            refusal_samples: self.d.samples,
            entries,
            stuck: self.d.stuck,
            elapsed: Default::default(),
        }
    }
}

/// How the votes on a proposal go.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// Nearly everyone agrees.
    Pass,
    /// Too many disagree.
    Reject,
    /// One member blocks.
    Block,
    /// Ranked ballots over this many options.
    Choice(u32),
}

/// The one-time invite the founder issues for member `i`.
fn invite_key(seed: u64, i: usize) -> Keypair {
    let mut input = Vec::with_capacity(16);
    input.extend_from_slice(&seed.to_le_bytes());
    input.extend_from_slice(&(i as u64).to_le_bytes());
    Keypair::from_seed(&Hash::of("hearth v1 simulated invite", &input).0)
}
