//! What members do together: delegating, proposing and voting, teaching,
//! learning and endorsing.

use hearth_protocol::governance::{
    Ballot, Level, Position, Proposal, ProposalKind, Scope, Subject, YesNo,
};
use hearth_protocol::{ActionBody, GovernanceAction, Hash, Kc, LearningAction, Millis, Timestamp};

use super::{DAY, HOUR, History, Outcome, Session, Task, names};
use crate::simulate::people::Status;

impl History<'_> {
    /// A member follows an earlier, active member on local votes.
    pub(super) fn delegate(&mut self, i: usize) {
        if !self.people.active(i) {
            return;
        }
        let Some(to) = self
            .people
            .pick(&mut self.rng)
            .filter(|&t| t != i && t != 0)
        else {
            return;
        };
        let scope = Scope::level(Level::Local);
        let to = Some(self.people.all[to].public);
        self.act(
            i,
            ActionBody::Governance(GovernanceAction::Delegate { scope, to }),
        );
    }

    /// When a proposal of `kind` made now closes.
    pub(super) fn closes(&self, kind: ProposalKind) -> Timestamp {
        let rules = self.plan.rules();
        hearth_protocol::governance::Schedule::of(kind, self.d.now, &rules).closes
    }

    pub(super) fn give_education(&mut self) {
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        let amount = Kc::whole(self.rng.range(1, 4) as i64 * 5);
        if self.can_spend(i, amount.0) {
            self.act(
                i,
                ActionBody::Learning(LearningAction::Contribute { amount }),
            );
        }
    }

    /// A member verified in a skill schedules a session of it in the
    /// coming days; students enrol before it starts. While nobody is
    /// verified in a skill, the founder (the council, the community's
    /// assessor) verifies a first teacher.
    pub(super) fn schedule_session(&mut self) {
        if self.skills.is_empty() {
            return;
        }
        let skill = self.rng.below(self.skills.len());
        if self.verified_in[skill].is_empty() {
            return;
        }
        let teacher = *self.rng.pick(&self.verified_in[skill]);
        if !self.people.active(teacher) {
            return;
        }
        let day = (self.d.now.0 / DAY + self.rng.range(2, 6)) * DAY;
        let start = Timestamp(day + 18 * HOUR);
        let end = start.plus(Millis::hours(2));
        let places = self.rng.range(5, 15) as u32;
        let place = self.rng.pick(names::PLACES).to_string();
        let id = self.act(
            teacher,
            ActionBody::Learning(LearningAction::Schedule {
                skill: self.skills[skill],
                start,
                end,
                place,
                capacity: places,
            }),
        );
        let session = self.next_session;
        self.next_session += 1;
        self.sessions.insert(
            session,
            Session {
                id,
                skill,
                teacher,
                start,
                end,
            },
        );
        let students = self.rng.range(2, u64::from(places.min(8))) as usize;
        let mut chosen = Vec::with_capacity(students);
        for _ in 0..students * 2 {
            if chosen.len() >= students {
                break;
            }
            if let Some(s) = self.people.pick_any(&mut self.rng)
                && s != teacher
                && !chosen.contains(&s)
            {
                chosen.push(s);
            }
        }
        let last = self.moment_at(start).saturating_sub(2);
        for who in chosen {
            let m = self.rng.range(self.moment + 1, last.max(self.moment + 1));
            self.at(m, Task::Attend { who, session });
        }
    }

    /// The founder (the council, the community's assessor while none is
    /// appointed) verifies two members in every skill that has fewer
    /// verified active members: nobody else can verify a first one.
    pub(super) fn bootstrap_teachers(&mut self) {
        for skill in 0..self.skills.len() {
            for _ in 0..4 {
                if self.verified_in[skill].len() >= 2 {
                    break;
                }
                if let Some(who) = self.people.pick(&mut self.rng).filter(|&w| w != 0) {
                    self.endorse(0, who, skill);
                }
            }
        }
    }

    /// A student confirms a session: the teacher and they are rewarded;
    /// the teacher may endorse them.
    pub(super) fn attended(&mut self, who: usize, session: usize) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let (id, teacher, skill) = (s.id, s.teacher, s.skill);
        self.act(
            who,
            ActionBody::Learning(LearningAction::Confirm { session: id }),
        );
        if self.rng.chance(45) && self.people.active(teacher) {
            self.later(
                0.5,
                3.0,
                Task::Endorse {
                    by: teacher,
                    who,
                    skill,
                },
            );
        }
    }

    pub(super) fn endorse(&mut self, by: usize, who: usize, skill: usize) {
        let assessor = by == 0;
        let qualified = assessor || self.verified.contains(&(by, skill));
        if !qualified
            || by == who
            || !self.people.active(by)
            || !self.people.active(who)
            || self.verified.contains(&(who, skill))
            || self.endorsements.contains(&(by, who, skill))
        {
            return;
        }
        let member = self.people.all[who].public;
        let id = self.skills[skill];
        self.act(
            by,
            ActionBody::Learning(LearningAction::Endorse { member, skill: id }),
        );
        self.endorsements.insert((by, who, skill));
        let count = self.endorsed.entry((who, skill)).or_default();
        *count += 1;
        if assessor || *count >= 2 {
            self.endorsed.remove(&(who, skill));
            self.verified.insert((who, skill));
            self.verified_in[skill].push(who);
            if self.rng.chance(50) {
                let body = LearningAction::Teach {
                    skill: id,
                    offer: true,
                };
                self.act(who, ActionBody::Learning(body));
            }
        }
    }

    /// A policy question: most pass, some are voted down, a few blocked.
    pub(super) fn propose_policy(&mut self) {
        let Some(author) = self.people.pick(&mut self.rng) else {
            return;
        };
        let (title, text) = *self.rng.pick(names::POLICIES);
        let outcome = match self.rng.range(0, 9) {
            0..=5 => Outcome::Pass,
            6..=8 => Outcome::Reject,
            _ => Outcome::Block,
        };
        let proposal = Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: None,
            title: title.into(),
            text: text.into(),
            options: Vec::new(),
            subject: Subject::Question,
        };
        let turnout = self.rng.range(35, 60);
        self.propose(author, proposal, turnout, outcome);
    }

    /// A choice between options, decided by ranked ballots (Schulze).
    pub(super) fn propose_choice(&mut self) {
        let Some(author) = self.people.pick(&mut self.rng) else {
            return;
        };
        let (title, options) = *self.rng.pick(names::CHOICES);
        let proposal = Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: None,
            title: title.into(),
            text: "Rank the options; the Condorcet winner is chosen.".into(),
            options: options.iter().map(|o| o.to_string()).collect(),
            subject: Subject::Question,
        };
        self.propose(author, proposal, 40, Outcome::Choice(options.len() as u32));
    }

    /// An emergency decision by the council (the founder's seat).
    pub(super) fn emergency_decision(&mut self) {
        let (title, text) = *self.rng.pick(names::EMERGENCIES);
        let proposal = Proposal {
            kind: ProposalKind::Emergency,
            level: Level::Local,
            topic: None,
            title: title.into(),
            text: text.into(),
            options: Vec::new(),
            subject: Subject::Question,
        };
        let id = self.act(
            0,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
        );
        let ballot = Ballot::YesNo(if self.rng.chance(80) {
            YesNo::Yes
        } else {
            YesNo::No
        });
        self.later(
            0.2,
            0.6,
            Task::Vote {
                who: 0,
                proposal: id,
                ballot,
            },
        );
    }

    /// Member `author` proposes; members who joined before vote during the
    /// voting stage (`turnout` %), in the way `outcome` asks.
    pub(super) fn propose(
        &mut self,
        author: usize,
        proposal: Proposal,
        turnout: u64,
        outcome: Outcome,
    ) -> Hash {
        let kind = proposal.kind;
        let id = self.act(
            author,
            ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
        );
        let rules = self.plan.rules();
        let schedule = hearth_protocol::governance::Schedule::of(kind, self.d.now, &rules);
        let opens = schedule
            .stages
            .iter()
            .find(|(stage, _)| *stage == hearth_protocol::governance::Stage::Voting)
            .map_or(self.d.now, |(_, at)| *at);
        let first = self.moment_at(opens.plus(Millis::secs(60)));
        let last = self.moment_at(schedule.closes).saturating_sub(2).max(first);
        let now = self.d.now;
        let mut blocked = false;
        for i in 0..self.people.len() {
            let p = &self.people.all[i];
            if p.status != Status::Active || p.joined >= now || !self.rng.chance(turnout) {
                continue;
            }
            let ballot = match outcome {
                Outcome::Pass => Ballot::Consensus(if self.rng.chance(94) {
                    Position::Agree
                } else {
                    Position::Abstain
                }),
                Outcome::Reject => Ballot::Consensus(match self.rng.range(0, 9) {
                    0..=3 => Position::Agree,
                    4 => Position::Abstain,
                    _ => Position::Disagree,
                }),
                Outcome::Block if !blocked => {
                    blocked = true;
                    Ballot::Consensus(Position::Block(
                        "this would exclude members who work weekends".into(),
                    ))
                }
                Outcome::Block => Ballot::Consensus(Position::Agree),
                Outcome::Choice(n) => {
                    let mut order: Vec<u32> = (0..n).collect();
                    for k in (1..order.len()).rev() {
                        let j = self.rng.below(k + 1);
                        order.swap(k, j);
                    }
                    Ballot::Ranked(order)
                }
            };
            let m = self.rng.range(first, last);
            self.at(
                m,
                Task::Vote {
                    who: i,
                    proposal: id,
                    ballot,
                },
            );
        }
        id
    }
}
