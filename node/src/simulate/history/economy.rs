//! What members do with money and things: payments, hours, skill
//! exchanges, tool loans, space bookings, aid and insurance.

use hearth_protocol::economy::Approval;
use hearth_protocol::economy::aid;
use hearth_protocol::economy::insurance::{self, Cover, EnrolmentStatus, Terms};
use hearth_protocol::economy::skills::ListingKind;
use hearth_protocol::economy::tools::{Condition, MaintenancePlan};
use hearth_protocol::governance::{Level, Proposal, ProposalKind, Subject};
use hearth_protocol::state::Account;
use hearth_protocol::state::StateRead as _;
use hearth_protocol::{
    ActionBody, AidAction, Hash, InsuranceAction, Kc, LedgerAction, Millis, SkillsAction,
    SpacesAction, TimeBankAction, Timestamp, ToolsAction,
};

use super::{DAY, HOUR, History, Listing, Outcome, Pool, Task, Tool, ToolState, names};

impl History<'_> {
    pub(super) fn add_tool(&mut self, steward: usize, name: String, category: &str, own: bool) {
        let deposit = Kc::whole(self.rng.range(1, 8) as i64 * 5);
        let replacement = Kc::whole(self.rng.range(4, 40) as i64 * 10);
        let id = self.act(
            steward,
            ActionBody::Tools(ToolsAction::Add {
                name,
                category: category.into(),
                own,
                deposit,
                loan_period: Millis::days(7),
                replacement,
                plan: MaintenancePlan {
                    every_loans: 0,
                    every_days: 0,
                },
            }),
        );
        self.tools.push(Tool {
            id,
            steward,
            deposit: deposit.0,
            state: ToolState::Free,
        });
    }

    pub(super) fn own_tool(&mut self) {
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        if i == 0 || self.tools.len() >= 400 {
            return;
        }
        let (name, category) = *self.rng.pick(names::TOOLS);
        // Names are unique among the items in circulation.
        let name = format!("{name} no. {} ({}'s)", self.tools.len() + 1, names::name(i));
        self.add_tool(i, name, category, true);
    }

    pub(super) fn transfer(&mut self) {
        let Some(from) = self.people.pick(&mut self.rng) else {
            return;
        };
        let Some(to) = self.people.pick_other(&mut self.rng, from) else {
            return;
        };
        let u = self.rng.unit();
        let amount = Kc::whole((2.0 + 78.0 * u * u) as i64);
        if !self.can_spend(from, amount.0) {
            return;
        }
        let memo = self.rng.pick(names::MEMOS).to_string();
        let to = self.people.all[to].public;
        self.act(
            from,
            ActionBody::Ledger(LedgerAction::Transfer { to, amount, memo }),
        );
    }

    /// Time given: logged by the provider (or recorded as received by
    /// the recipient), then confirmed, declined or left to expire.
    pub(super) fn hours(&mut self) {
        let Some(a) = self.people.pick(&mut self.rng) else {
            return;
        };
        let Some(b) = self.people.pick_other(&mut self.rng, a) else {
            return;
        };
        let minutes = *self.rng.pick(&[30u32, 45, 60, 60, 90, 120, 180]);
        let category = self.rng.pick(names::HOUR_CATEGORIES).to_string();
        let note = self.rng.pick(names::HOUR_NOTES).to_string();
        let given = self.rng.chance(80);
        let (provider, recipient) = if given { (a, b) } else { (b, a) };
        let body = if given {
            TimeBankAction::Log {
                recipients: vec![self.people.all[recipient].public],
                minutes,
                category,
                note,
            }
        } else {
            TimeBankAction::Received {
                provider: self.people.all[provider].public,
                minutes,
                category,
                note,
            }
        };
        let record = self.act(a, ActionBody::TimeBank(body));
        let kc = i64::from(minutes) * Kc::whole(1).0 / 60;
        self.settle_record(b, recipient, record, kc, 85, 8);
    }

    /// The other party of a record confirms it (`confirm` %), declines it
    /// (`decline` %) or lets it expire.
    pub(super) fn settle_record(
        &mut self,
        who: usize,
        payer: usize,
        record: Hash,
        kc: i64,
        confirm: u64,
        decline: u64,
    ) {
        let roll = self.rng.range(0, 99);
        if roll < confirm {
            self.later(
                0.5,
                5.0,
                Task::Confirm {
                    who,
                    payer,
                    record,
                    kc,
                },
            );
        } else if roll < confirm + decline {
            self.later(0.5, 5.0, Task::Decline { who, record });
        }
    }

    pub(super) fn post_listing(&mut self) {
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        if self.people.all[i].listings >= 3 {
            // Tidy up instead: withdraw their oldest listing.
            if let Some(k) = self.listings.iter().position(|l| l.author == i) {
                let listing = self.listings.remove(k).id;
                self.act(i, ActionBody::Skills(SkillsAction::Withdraw { listing }));
                self.people.all[i].listings -= 1;
            }
            return;
        }
        let (category, skill) = *self.rng.pick(names::LISTINGS);
        let offer = self.rng.chance(60);
        let kind = if offer {
            ListingKind::Offer
        } else {
            ListingKind::Request
        };
        let (description, availability) = if offer {
            (
                format!("Happy to help with {}.", skill.to_lowercase()),
                self.rng.pick(names::AVAILABILITY).to_string(),
            )
        } else {
            (
                format!("Looking for someone for {}.", skill.to_lowercase()),
                self.rng.pick(names::AVAILABILITY).to_string(),
            )
        };
        let id = self.act(
            i,
            ActionBody::Skills(SkillsAction::Post {
                kind,
                category: category.into(),
                skill: skill.into(),
                description,
                availability,
            }),
        );
        self.people.all[i].listings += 1;
        self.listings.push(Listing {
            id,
            author: i,
            offer,
        });
    }

    /// A member takes up a listing: the exchange is a time bank record
    /// its author confirms.
    pub(super) fn accept_listing(&mut self) {
        if self.listings.is_empty() {
            return;
        }
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        let k = self.rng.below(self.listings.len());
        let (id, author, offer) = {
            let l = &self.listings[k];
            (l.id, l.author, l.offer)
        };
        if author == i || !self.people.active(author) {
            return;
        }
        let minutes = *self.rng.pick(&[45u32, 60, 90, 120]);
        let note = "arranged through the skills board".to_string();
        let record = self.act(
            i,
            ActionBody::Skills(SkillsAction::Accept {
                listing: id,
                minutes,
                note,
            }),
        );
        if !offer {
            // A taken request waits for its exchange: off the board.
            self.listings.remove(k);
            self.people.all[author].listings -= 1;
        }
        let payer = if offer { i } else { author };
        let kc = i64::from(minutes) * Kc::whole(1).0 / 60;
        self.settle_record(author, payer, record, kc, 88, 8);
    }

    pub(super) fn checkout(&mut self) {
        if self.tools.is_empty() {
            return;
        }
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        if self.people.all[i].borrowing {
            return;
        }
        let t = self.rng.below(self.tools.len());
        let (steward, deposit, state) = {
            let tool = &self.tools[t];
            (tool.steward, tool.deposit, tool.state)
        };
        if state != ToolState::Free || steward == i || !self.people.active(steward) {
            return;
        }
        if !self.can_spend(i, deposit) {
            return;
        }
        let item = self.tools[t].id;
        self.act(i, ActionBody::Tools(ToolsAction::Checkout { item }));
        self.tools[t].state = ToolState::Busy;
        self.people.all[i].borrowing = true;
        let roll = self.rng.range(0, 99);
        if roll < 10 {
            self.later(4.0, 6.0, Task::Renew { who: i, tool: t });
            self.later(
                8.0,
                12.0,
                Task::Return {
                    who: i,
                    tool: t,
                    steward,
                },
            );
        } else if roll < 20 {
            // Late: the loan falls overdue first.
            self.later(
                7.5,
                11.0,
                Task::Return {
                    who: i,
                    tool: t,
                    steward,
                },
            );
        } else {
            self.later(
                0.5,
                6.5,
                Task::Return {
                    who: i,
                    tool: t,
                    steward,
                },
            );
        }
    }

    pub(super) fn inspect(&mut self, tool: usize, borrower: usize) {
        let roll = self.rng.range(0, 99);
        let condition = match roll {
            0 => Condition::Lost,
            1..=5 => Condition::Damaged,
            _ => Condition::Good,
        };
        let note = match condition {
            Condition::Good => "returned clean",
            Condition::Damaged => "came back with a bent part",
            Condition::Lost => "never came back",
        }
        .to_string();
        let (steward, item) = (self.tools[tool].steward, self.tools[tool].id);
        self.act(
            steward,
            ActionBody::Tools(ToolsAction::Inspect {
                item,
                condition,
                note,
            }),
        );
        self.people.all[borrower].borrowing = false;
        match condition {
            Condition::Good => self.tools[tool].state = ToolState::Free,
            Condition::Damaged => self.later(2.0, 6.0, Task::Maintained { tool, steward }),
            Condition::Lost => self.tools[tool].state = ToolState::Retired,
        }
    }

    /// A booking of one place for one to a few hours, in the next days,
    /// where the space has room.
    pub(super) fn book(&mut self) {
        if self.spaces.is_empty() {
            return;
        }
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        let s = self.rng.below(self.spaces.len());
        let (space, capacity, buffer, max_hours, horizon) = {
            let sp = &self.spaces[s];
            (
                sp.id,
                sp.capacity,
                sp.buffer_hours,
                sp.max_hours,
                sp.horizon_days,
            )
        };
        let days_ahead = self.rng.range(1, horizon.min(14));
        let day_start = (self.d.now.0 / DAY + days_ahead) * DAY;
        let hour = self.rng.range(8, 18);
        let length = self.rng.range(1, max_hours.min(3));
        let start = Timestamp(day_start + hour * HOUR);
        let end = Timestamp(start.0 + length * HOUR);
        let first = start.0 / HOUR;
        let hours = (first, first + length + buffer);
        let free =
            (hours.0..hours.1).all(|h| self.booked.get(&(h, s)).copied().unwrap_or(0) < capacity);
        if !free {
            return;
        }
        for h in hours.0..hours.1 {
            *self.booked.entry((h, s)).or_default() += 1;
        }
        let note = self.rng.pick(names::BOOKING_NOTES).to_string();
        let booking = self.act(
            i,
            ActionBody::Spaces(SpacesAction::Book {
                space,
                start,
                end,
                places: 1,
                weekly: 1,
                all_or_nothing: false,
                note,
            }),
        );
        // Plans change, but not on the day.
        if days_ahead >= 2 && self.rng.chance(6) {
            self.later(
                0.2,
                0.9,
                Task::Cancel {
                    who: i,
                    booking,
                    space: s,
                    hours,
                },
            );
        }
    }

    pub(super) fn give_aid(&mut self) {
        let Some(i) = self.people.pick(&mut self.rng) else {
            return;
        };
        let amount = Kc::whole(self.rng.range(1, 8) as i64 * 5);
        if !self.can_spend(i, amount.0) {
            return;
        }
        let pool = self.emergency;
        self.act(i, ActionBody::Aid(AidAction::Contribute { pool, amount }));
    }

    /// A member in need asks the emergency pool; an assessor decides.
    pub(super) fn ask_aid(&mut self) {
        let Some(i) = self.people.pick_any(&mut self.rng) else {
            return;
        };
        let now = self.d.now;
        let person = &self.people.all[i];
        let cooling = person
            .aid_granted
            .is_some_and(|at| now < at.plus(Millis::days(31)));
        if person.aid_open || cooling {
            return;
        }
        // An approved request stays open until the pool has paid it.
        let public = person.public;
        let standing = aid::standing(self.d.storage(), &self.emergency, &public);
        let cooldown = Millis::days(31);
        if !standing.is_ok_and(|s| {
            s.open.is_none() && s.last_granted.is_none_or(|at| now >= at.plus(cooldown))
        }) {
            return;
        }
        let Some(assessor) = self.assessor(i) else {
            return;
        };
        let pool = self.emergency;
        let Ok(balance) = self.d.storage().balance(&Account::Pool(pool)) else {
            return;
        };
        let most = (balance.0 / 3).min(Kc::whole(500).0) / Kc::whole(1).0;
        if most < 20 {
            return;
        }
        let amount = Kc::whole(self.rng.range(20, most as u64) as i64);
        let reason = self.rng.pick(names::AID_REASONS).to_string();
        let request = self.act(
            i,
            ActionBody::Aid(AidAction::Request {
                pool,
                amount,
                reason,
            }),
        );
        self.people.all[i].aid_open = true;
        let approve = self.rng.chance(80);
        // Within the guidelines' decision time (two days by default).
        self.later(
            0.2,
            1.5,
            Task::AssessAid {
                assessor,
                requester: i,
                request,
                approve,
            },
        );
    }

    /// An active assessor (members 1 to 3) other than `not`.
    pub(super) fn assessor(&mut self, not: usize) -> Option<usize> {
        let candidates: Vec<usize> = (1..=3)
            .filter(|&a| a < self.people.len() && a != not && self.people.active(a))
            .collect();
        (!candidates.is_empty()).then(|| *self.rng.pick(&candidates))
    }

    pub(super) fn propose_pool(&mut self, name: &str, cover: Cover, text: &str) {
        let assessors: Vec<_> = (1..=3)
            .filter(|&a| a < self.people.len())
            .map(|a| self.people.all[a].public)
            .collect();
        if assessors.is_empty() {
            return;
        }
        let terms = Terms {
            premium: Kc::whole(5),
            period: Millis::days(30),
            waiting: Millis::days(14),
            cap_per_claim: Kc::whole(150),
            cap_per_year: Kc::whole(300),
            approval: Approval::Assessors,
            assessors,
            assessors_needed: 1,
            decision_time: Millis::days(7),
        };
        let proposal = Proposal {
            kind: ProposalKind::Policy,
            level: Level::Local,
            topic: None,
            title: format!("Start the {name} pool"),
            text: text.into(),
            options: Vec::new(),
            subject: Subject::InsurancePool {
                name: name.into(),
                cover,
                terms: terms.clone(),
            },
        };
        let id = self.propose(0, proposal, 65, Outcome::Pass);
        let pool = self.pools.len();
        self.pools.push(Pool {
            id,
            open: false,
            terms,
        });
        let closes = self.closes(ProposalKind::Policy);
        let m = self.moment_at(closes) + 1;
        self.at(m, Task::PoolClosed { pool });
    }

    pub(super) fn pool_closed(&mut self, pool: usize) {
        let id = self.pools[pool].id;
        if !matches!(insurance::pool(self.d.storage(), &id), Ok(Some(_))) {
            return;
        }
        self.pools[pool].open = true;
        for i in 0..self.people.len() {
            if self.people.active(i) && self.rng.chance(45) {
                self.later(0.2, 20.0, Task::Enrol { who: i, pool });
            }
        }
    }

    pub(super) fn enrol(&mut self, who: usize, pool: usize) {
        let premium = self.pools[pool].terms.premium.0;
        if !self.people.active(who) || !self.can_spend(who, premium) {
            return;
        }
        let id = self.pools[pool].id;
        self.act(
            who,
            ActionBody::Insurance(InsuranceAction::Enrol { pool: id }),
        );
        self.people.all[who].enrolled |= 1 << pool;
    }

    /// An enrolled member claims, when their cover allows it.
    pub(super) fn claim(&mut self) {
        let Some(i) = self.people.pick_any(&mut self.rng) else {
            return;
        };
        let person = &self.people.all[i];
        if person.enrolled == 0 || person.claim_open {
            return;
        }
        let p = person.enrolled.trailing_zeros() as usize;
        let (id, terms) = (self.pools[p].id, self.pools[p].terms.clone());
        let public = person.public;
        let Ok(Some(e)) = insurance::enrolment(self.d.storage(), &id, &public) else {
            return;
        };
        let now = self.d.now;
        let granted: i64 = e.granted.iter().map(|(_, kc)| kc.0).sum();
        if e.status != EnrolmentStatus::Active
            || e.owed_since.is_some()
            || e.open_claim.is_some()
            || now < e.since.plus(terms.waiting).plus(Millis::days(1))
        {
            return;
        }
        let Ok(balance) = self.d.storage().balance(&Account::Pool(id)) else {
            return;
        };
        let room = (terms.cap_per_year.0 - granted)
            .min(terms.cap_per_claim.0)
            .min(balance.0 / 2)
            / Kc::whole(1).0;
        if room < 10 {
            return;
        }
        let Some(assessor) = self.assessor(i) else {
            return;
        };
        let amount = Kc::whole(self.rng.range(10, room as u64) as i64);
        let reason = self.rng.pick(names::CLAIM_REASONS).to_string();
        let claim = self.act(
            i,
            ActionBody::Insurance(InsuranceAction::Claim {
                pool: id,
                amount,
                reason,
                evidence: None,
            }),
        );
        self.people.all[i].claim_open = true;
        let approve = self.rng.chance(85);
        self.later(
            0.5,
            4.0,
            Task::AssessClaim {
                assessor,
                claimant: i,
                claim,
                approve,
            },
        );
    }
}
