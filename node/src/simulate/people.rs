//! The simulated members: their keys (derived from the seed, so a plan
//! names its members before they exist), when they join and leave, how
//! active they are, and their action nonces.

use hearth_protocol::{
    Action, ActionBody, Hash, Keypair, PublicKey, SignedAction, Timestamp, Verified,
};

use hearth_protocol::crypto::KeyCache;

use super::rng::Rng;

/// The key of member `i` of a simulation seeded with `seed`.
pub fn member_key(seed: u64, i: usize) -> Keypair {
    let mut input = Vec::with_capacity(16);
    input.extend_from_slice(&seed.to_le_bytes());
    input.extend_from_slice(&(i as u64).to_le_bytes());
    Keypair::from_seed(&Hash::of("hearth v1 simulated member", &input).0)
}

/// Where a member is in their membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Not yet joined.
    Waiting,
    /// Invited, about to join.
    Invited,
    /// A member.
    Active,
    /// About to leave: starts nothing new.
    Leaving,
    /// Gone.
    Left,
}

/// A simulated member.
#[derive(Debug)]
pub struct Person {
    /// Their key.
    pub key: Keypair,
    /// Their public key.
    pub public: PublicKey,
    /// The last nonce they used.
    pub nonce: u64,
    /// Where they are.
    pub status: Status,
    /// When they joined.
    pub joined: Timestamp,
    /// The day they join.
    pub join_day: u32,
    /// The day they decide to leave, if they do.
    pub leave_day: Option<u32>,
    /// Things waiting that involve them (they leave only once none do).
    pub busy: u32,
    /// Whether they hold a tool on loan.
    pub borrowing: bool,
    /// Their open aid request, if any, and when they were last granted aid.
    pub aid_open: bool,
    /// When aid was last granted to them.
    pub aid_granted: Option<Timestamp>,
    /// Insurance pools they are enrolled in (by index), as a bit set.
    pub enrolled: u8,
    /// Their open claim (one pool at a time).
    pub claim_open: bool,
    /// Their open skill listings.
    pub listings: u8,
}

/// The community's members and their activity weights.
#[derive(Debug)]
pub struct People {
    /// Everyone, by index (0 is the founder).
    pub all: Vec<Person>,
    /// Cumulative activity weights, for picking an actor.
    cumulative: Vec<f64>,
    /// Decompressed member keys, as the API keeps them for verifying.
    keys: KeyCache,
}

impl People {
    /// `n` members seeded with `seed`: the founder and the three
    /// assessors join on the first day, the others over `join_days`, more
    /// of them early; in histories of 45 days or more, about 4 % of the
    /// others leave between 40 % and 90 % of the way through.
    pub fn new(seed: u64, n: usize, join_days: u32, span_days: u32, rng: &mut Rng) -> People {
        let mut all = Vec::with_capacity(n);
        let mut cumulative = Vec::with_capacity(n);
        let mut total = 0.0;
        for i in 0..n {
            let key = member_key(seed, i);
            let join_day = if i <= 3 {
                0
            } else {
                // Front-loaded: the square of a uniform number.
                let u = rng.unit();
                (u * u * f64::from(join_days)) as u32
            };
            let leave_day = (i > 3 && span_days >= 45 && rng.chance(4)).then(|| {
                let from = span_days * 2 / 5;
                rng.range(u64::from(from), u64::from(span_days * 9 / 10)) as u32
            });
            // Heavy-tailed: most members do little, a few do a lot.
            let weight = (1.0 - rng.unit()).powf(-0.8).min(100.0);
            total += weight;
            cumulative.push(total);
            all.push(Person {
                public: key.public(),
                key,
                nonce: 0,
                status: Status::Waiting,
                joined: Timestamp(0),
                join_day,
                leave_day,
                busy: 0,
                borrowing: false,
                aid_open: false,
                aid_granted: None,
                enrolled: 0,
                claim_open: false,
                listings: 0,
            });
        }
        People {
            all,
            cumulative,
            keys: KeyCache::default(),
        }
    }

    /// How many there are (joined or not).
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether member `i` is active and may start something.
    pub fn active(&self, i: usize) -> bool {
        self.all[i].status == Status::Active
    }

    /// An active member, more likely the more active they are; `None`
    /// after a few tries (few members yet).
    pub fn pick(&self, rng: &mut Rng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        for _ in 0..8 {
            let x = rng.unit() * total;
            let i = self
                .cumulative
                .partition_point(|c| *c <= x)
                .min(self.len() - 1);
            if self.active(i) {
                return Some(i);
            }
        }
        None
    }

    /// Any active member, whatever their weight.
    pub fn pick_any(&self, rng: &mut Rng) -> Option<usize> {
        for _ in 0..8 {
            let i = rng.below(self.len());
            if self.active(i) {
                return Some(i);
            }
        }
        None
    }

    /// An active member other than `not`.
    pub fn pick_other(&self, rng: &mut Rng, not: usize) -> Option<usize> {
        for _ in 0..4 {
            let i = if rng.chance(50) {
                self.pick(rng)
            } else {
                self.pick_any(rng)
            };
            if let Some(i) = i.filter(|i| *i != not) {
                return Some(i);
            }
        }
        None
    }

    /// Member `i` signs `body` at `now`, with their next nonce (a
    /// millisecond counter, as the CLI's), and the signature is verified
    /// as the API verifies it (with its cache of decompressed keys).
    pub fn sign(
        &mut self,
        i: usize,
        community: Hash,
        now: Timestamp,
        body: ActionBody,
    ) -> Verified<SignedAction> {
        let person = &mut self.all[i];
        person.nonce = now.0.max(person.nonce + 1);
        let signed = Action {
            author: person.public,
            community,
            nonce: person.nonce,
            created: now,
            body,
        }
        .sign(&person.key);
        match signed.verify_cached(&self.keys) {
            Ok(verified) => verified,
            // A signature made with the right key always verifies.
            Err(e) => unreachable!("a fresh signature does not verify: {e}"),
        }
    }
}
