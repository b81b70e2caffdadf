//! Helpers shared by the node's tests and benchmarks: a founded
//! community on any storage, driven the way the node task drives it.

pub mod federation;

use std::collections::HashMap;

use hearth_protocol::action::{Action, ActionBody, InviteCode, LedgerAction, MembershipAction};
use hearth_protocol::crypto::KeyCache;
use hearth_protocol::state::{Account, StateRead};
use hearth_protocol::test::keypair;
use hearth_protocol::{
    Canonical, Genesis, Kc, Keypair, PublicKey, Rules, SignedAction, Timestamp, Verified,
};

use crate::service::{Io, Receipt, Service, SubmitError, Ticket};
use crate::store::MemoryStorage;

const FOUNDER_INVITE_SEED: [u8; 32] = [0xf0; 32];

/// A service over some storage, with members and a clock, driven the way
/// the node task drives it.
#[derive(Debug)]
pub struct Harness<S> {
    /// The service.
    pub service: Service<S>,
    /// Last nonce used per author.
    pub nonces: HashMap<PublicKey, u64>,
    /// Next ticket number.
    pub next_ticket: u64,
    /// The clock.
    pub now: Timestamp,
}

impl Harness<MemoryStorage> {
    /// A community in memory with `members` members.
    pub fn new(members: u8) -> Self {
        Harness::with_storage(MemoryStorage::default(), members)
    }
}

impl<S: crate::store::FedStorage> Harness<S> {
    /// A founded community whose founder (keypair 1) has claimed the
    /// founder invite, with members 2..=n joined by the founder's invites.
    pub fn with_storage(storage: S, members: u8) -> Self {
        let seeds: Vec<u8> = (1..=members.max(1)).collect();
        Harness::founded(storage, keypair(100), "Riverside", &seeds)
    }

    /// A community named `name` whose logs `node` signs: the member of
    /// the first seed in `members` claims the founder invite, the others
    /// join by the founder's invites (members are `keypair(seed)`).
    pub fn founded(storage: S, node: Keypair, name: &str, members: &[u8]) -> Self {
        Harness::founded_with(storage, node, name, members, Rules::default())
    }

    /// [`Harness::founded`] with the community's founding `rules`.
    pub fn founded_with(
        storage: S,
        node: Keypair,
        name: &str,
        members: &[u8],
        rules: Rules,
    ) -> Self {
        let genesis = Genesis {
            name: name.into(),
            node: node.public(),
            founders: vec![],
            founder_invites: vec![Keypair::from_seed(&FOUNDER_INVITE_SEED).public()],
            rules,
            region: None,
            created: Timestamp(1_000_000),
        };
        let service = Service::create(storage, node, genesis).expect("create");
        let mut h = Harness {
            service,
            nonces: Default::default(),
            next_ticket: 0,
            now: Timestamp(1_000_000),
        };
        assert!(
            matches!(h.service.next_io(), Some(Io::Flush)),
            "genesis is flushed"
        );
        let founder = keypair(members.first().copied().unwrap_or(1));
        let code = InviteCode {
            community: h.service.community(),
            seed: FOUNDER_INVITE_SEED,
        };
        let join = code.join_body(&founder.public());
        {
            let a = h.action(&founder, join);
            h.run(&[a])
        }
        .remove(0)
        .expect("founder joins");
        for &i in members.iter().skip(1) {
            let mut seed = [i; 32];
            seed[1] = 0xa5;
            let invite = Keypair::from_seed(&seed).public();
            let issue = ActionBody::Membership(MembershipAction::IssueInvite {
                key: invite,
                expires: Timestamp(h.now.0 + 60_000),
            });
            {
                let a = h.action(&founder, issue);
                h.run(&[a])
            }
            .remove(0)
            .expect("invite");
            let member = keypair(i);
            let code = InviteCode {
                community: h.service.community(),
                seed,
            };
            let join = code.join_body(&member.public());
            {
                let a = h.action(&member, join);
                h.run(&[a])
            }
            .remove(0)
            .expect("join");
        }
        h
    }

    /// Signs and verifies an action with the author's next nonce.
    pub fn action(&mut self, author: &Keypair, body: ActionBody) -> Verified<SignedAction> {
        let nonce = self.nonces.entry(author.public()).or_insert(0);
        *nonce += 1;
        Action {
            author: author.public(),
            community: self.service.community(),
            nonce: *nonce,
            created: self.now,
            body,
        }
        .sign(author)
        .verify()
        .expect("valid signature")
    }

    /// A signed transfer of `kc` whole KC between fixed keys.
    pub fn pay(&mut self, from: u8, to: u8, kc: i64) -> Verified<SignedAction> {
        let body = ActionBody::Ledger(LedgerAction::Transfer {
            to: keypair(to).public(),
            amount: Kc::whole(kc),
            memo: String::new(),
        });
        self.action(&keypair(from), body)
    }

    /// Submits one action without ticking.
    pub fn submit(&mut self, action: Verified<SignedAction>) -> Ticket {
        let ticket = Ticket(self.next_ticket);
        self.next_ticket += 1;
        self.service.submit(ticket, action);
        ticket
    }

    /// Submits `actions`, ticks once, and returns the replies in ticket
    /// order, checking that every acceptance comes after a flush.
    pub fn run(&mut self, actions: &[Verified<SignedAction>]) -> Vec<Result<Receipt, SubmitError>> {
        let tickets: Vec<Ticket> = actions.iter().map(|a| self.submit(a.clone())).collect();
        self.now = Timestamp(self.now.0 + 5);
        self.service.tick(self.now);
        let mut flushed = false;
        let mut replies = HashMap::new();
        while let Some(io) = self.service.next_io() {
            match io {
                Io::Flush => {
                    self.service.storage().flush().expect("flush");
                    flushed = true;
                }
                Io::Publish(_) | Io::Request { .. } | Io::Penalise(_) | Io::Wakeup(_) => {}
                Io::Reply { ticket, result } => {
                    if matches!(
                        result,
                        Ok(Receipt {
                            duplicate: false,
                            ..
                        })
                    ) {
                        assert!(flushed, "an acceptance was replied before the flush");
                    }
                    replies.insert(ticket, result);
                }
            }
        }
        tickets
            .iter()
            .map(|t| replies.remove(t).expect("every ticket gets a reply"))
            .collect()
    }

    /// Decodes, verifies (with `keys`) and submits the signed actions in
    /// `actions`, ticking once per `batch` of them as the node's group
    /// commit does and flushing before each acknowledgement: the node's
    /// durable ingest path without HTTP. Returns how many were accepted.
    pub fn ingest_in_batches(
        &mut self,
        actions: &[Vec<u8>],
        batch: usize,
        keys: &KeyCache,
    ) -> usize {
        let mut accepted = 0;
        for chunk in actions.chunks(batch) {
            for bytes in chunk {
                let action = SignedAction::from_bytes(bytes)
                    .expect("decode")
                    .verify_cached(keys)
                    .expect("verify");
                self.submit(action);
            }
            self.now = Timestamp(self.now.0 + 1);
            self.service.tick(self.now);
            while let Some(io) = self.service.next_io() {
                match io {
                    Io::Flush => self.service.storage().flush().expect("flush"),
                    Io::Reply { result, .. } => {
                        result.expect("accepted");
                        accepted += 1;
                    }
                    Io::Publish(_) | Io::Request { .. } | Io::Penalise(_) | Io::Wakeup(_) => {}
                }
            }
        }
        accepted
    }

    /// A member's balance.
    pub fn balance(&self, who: u8) -> Kc {
        self.service
            .storage()
            .balance(&Account::Member(keypair(who).public()))
            .expect("balance")
    }
}
