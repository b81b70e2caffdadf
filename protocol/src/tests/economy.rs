//! The community economy (DESIGN §6): aid pools, insurance, basic
//! income and rules votes, driven through signed actions and the `Close`
//! and `Due` records a node seals, with the clock injected. Every test
//! checks that money is conserved and that replaying the logs rebuilds
//! the state bit for bit.

mod aid;
mod analytics;
mod income;
mod insurance;
mod learning;
mod properties;
mod rules;
mod skills;
mod spaces;
mod time_bank;
mod tools;

use std::collections::BTreeMap;

use super::ledger::replay;
use super::membership::{admit, refuse_signed};
use crate::action::{ActionBody, GovernanceAction};
use crate::community::Rules;
use crate::crypto::Hash;
use crate::governance::{Ballot, Level, Position, ProposalRef};
use crate::state::{self, Account, ApplyError, Rejection, StateRead, Store as _};
use crate::test::{Community, keypair};
use crate::units::{Kc, Millis, Timestamp};

/// One day.
const DAY: u64 = 86_400_000;

/// A community of members `1..=n` (member 1 founded it and is its
/// council), with each member's nonce kept for them.
struct Econ {
    c: Community,
    nonces: BTreeMap<u8, u64>,
}

impl Econ {
    fn new(n: u8, rules: Rules) -> Econ {
        let founder = keypair(1);
        let mut c = Community::new(&[&founder], rules);
        let mut nonces = BTreeMap::from([(1, 0)]);
        for seed in 2..=n {
            let next = nonces[&1] + 1;
            admit(&mut c, &founder, next, &keypair(seed));
            nonces.insert(1, next);
            nonces.insert(seed, 1);
        }
        Econ { c, nonces }
    }

    fn sign(&mut self, who: u8, body: ActionBody) -> crate::action::SignedAction {
        let nonce = self.nonces.entry(who).or_default();
        *nonce += 1;
        self.c.action(&keypair(who), *nonce, body)
    }

    /// `who` acts; the action must be accepted.
    fn ok(&mut self, who: u8, body: ActionBody) -> Hash {
        let action = self.sign(who, body);
        let id = action.id();
        if let Err(e) = self.c.submit(action) {
            panic!("expected member {who}'s action to be accepted: {e}");
        }
        self.check();
        id
    }

    /// `who` acts; the action must be refused and change nothing.
    fn no(&mut self, who: u8, body: ActionBody) -> Rejection {
        let action = self.sign(who, body);
        let rejection = refuse_signed(&mut self.c, action);
        // The refused nonce was not used.
        *self.nonces.get_mut(&who).expect("a member") -= 1;
        rejection
    }

    /// `who` tries an action: its id if accepted; refused, nothing changed.
    fn attempt(&mut self, who: u8, body: ActionBody) -> Option<Hash> {
        let action = self.sign(who, body);
        let id = action.id();
        let before = self.c.store.map.clone();
        match self.c.submit(action) {
            Ok(()) => {
                self.check();
                Some(id)
            }
            Err(ApplyError::Rejected(_)) => {
                assert!(
                    self.c.store.map == before,
                    "a refused action changed the state"
                );
                *self.nonces.get_mut(&who).expect("a member") -= 1;
                None
            }
            Err(e) => panic!("not a rejection: {e}"),
        }
    }

    /// Time passes to `time`: the node seals what fell due.
    fn at(&mut self, time: Timestamp) -> usize {
        let sealed = self.c.tick(time);
        self.c.time = self.c.time.max(time);
        self.check();
        sealed
    }

    /// Time passes by `ms`.
    fn wait(&mut self, ms: u64) -> usize {
        let to = Timestamp(self.c.time.0 + ms);
        self.at(to)
    }

    fn now(&self) -> Timestamp {
        self.c.time
    }

    fn balance(&self, account: Account) -> Kc {
        self.c.store.balance(&account).expect("store")
    }

    fn member(&self, who: u8) -> Kc {
        self.balance(Account::Member(keypair(who).public()))
    }

    /// Σ = 0 and every account at or above its floor.
    fn check(&self) {
        assert_eq!(state::ledger_sum(&self.c.store), Ok(0), "Σ balances");
        let ctx = state::Context::load(&self.c.store, self.c.time).expect("context");
        for (account, balance) in self.c.store.accounts().expect("store") {
            let floor = crate::economy::ledger::floor(&account, &ctx.rules);
            assert!(balance >= floor, "{account:?} at {balance} below {floor}");
        }
        // The indexes kept beside the records agree with them: the council
        // index with the members' seats, each pool's total owed with its
        // line of payouts.
        let seated: Vec<_> = state::council::seated(&self.c.store)
            .expect("store")
            .into_iter()
            .map(|m| m.key)
            .collect();
        let with_seats: Vec<_> = self
            .c
            .store
            .members()
            .expect("store")
            .into_iter()
            .filter(|m| m.status == state::MemberStatus::Active && m.seat.is_some())
            .map(|m| m.key)
            .collect();
        assert_eq!(seated, with_seats, "the council index");
        for (key, _) in self
            .c
            .store
            .scan_prefix(&[state::records::table::PAYOUT_OWED])
            .expect("store")
        {
            let pool = Hash(key[1..].try_into().expect("a pool id"));
            let waiting: i64 = crate::economy::payout::waiting(&self.c.store, &pool)
                .expect("store")
                .iter()
                .map(|p| p.owed.0)
                .sum();
            let owed = crate::economy::payout::owed(&self.c.store, &pool).expect("store");
            assert_eq!(owed, Kc(waiting), "what the line of {pool:?} owes");
        }
    }

    /// Replaying the logs rebuilds the state bit for bit.
    fn replays(&self) {
        let replayed = replay(&self.c.entries, &self.c.node.public());
        assert!(replayed == self.c.store, "replay differs from the state");
    }
}

fn local(id: Hash) -> ProposalRef {
    ProposalRef {
        id,
        level: Level::Local,
    }
}

fn agree(id: Hash) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Vote {
        proposal: local(id),
        ballot: Ballot::Consensus(Position::Agree),
    })
}

fn disagree(id: Hash) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Vote {
        proposal: local(id),
        ballot: Ballot::Consensus(Position::Disagree),
    })
}

/// Rules whose votes are short: every stage an hour.
fn quick_rules() -> Rules {
    let mut rules = Rules::default();
    let d = &mut rules.durations;
    for stage in [
        &mut d.policy_discussion,
        &mut d.policy_deliberation,
        &mut d.policy_voting,
    ] {
        *stage = Millis::hours(1);
    }
    rules
}

fn kc(n: i64) -> Kc {
    Kc::whole(n)
}
