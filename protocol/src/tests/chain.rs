//! Signed actions and hash-chained, node-signed log entries (DESIGN §3):
//! what verifies, and the precise reason for everything that does not.

use crate::action::{Action, ActionBody, LedgerAction, MembershipAction, SignedAction};
use crate::community::{Genesis, Rules};
use crate::crypto::{self, Hash, Keypair, PublicKey, Signature};
use crate::log::{ChainError, Entry, EntryBody, Head, LogId, LogKind, MAX_ACTIONS_PER_ENTRY};
use crate::test::{keypair, weak_key};
use crate::units::{Kc, Timestamp};

/// A node, its genesis and the ids of its two logs.
struct Fixture {
    node: Keypair,
    genesis: Genesis,
    public: LogId,
    local: LogId,
    member: Keypair,
}

impl Fixture {
    fn new() -> Fixture {
        let node = keypair(100);
        let member = keypair(1);
        let genesis = Genesis {
            name: "Chain Street".into(),
            node: node.public(),
            founders: vec![member.public()],
            founder_invites: Vec::new(),
            rules: Rules::default(),
            region: None,
            created: Timestamp(1000),
        };
        let community = genesis.id();
        Fixture {
            node,
            genesis,
            public: LogId {
                community,
                kind: LogKind::Public,
            },
            local: LogId {
                community,
                kind: LogKind::Local,
            },
            member,
        }
    }

    fn genesis_entry(&self, log: LogId) -> Entry {
        Entry {
            log,
            seq: 0,
            prev: Hash::ZERO,
            time: Timestamp(1000),
            body: EntryBody::Genesis(Box::new(self.genesis.clone())),
        }
    }

    /// A signed action of the member, in `kind`'s log.
    fn action(&self, nonce: u64, kind: LogKind) -> SignedAction {
        let body = match kind {
            LogKind::Local => ActionBody::Ledger(LedgerAction::Transfer {
                to: keypair(2).public(),
                amount: Kc(500),
                memo: format!("payment {nonce}"),
            }),
            LogKind::Public => ActionBody::Membership(MembershipAction::Leave),
        };
        Action {
            author: self.member.public(),
            community: self.public.community,
            nonce,
            created: Timestamp(1000 + nonce),
            body,
        }
        .sign(&self.member)
    }

    /// The entry that follows `head` in `log` with `actions`.
    fn next(&self, log: LogId, head: &Head, time: u64, actions: Vec<SignedAction>) -> Entry {
        Entry {
            log,
            seq: head.seq + 1,
            prev: head.hash,
            time: Timestamp(time),
            body: EntryBody::Actions(actions),
        }
    }

    /// A verified genesis and two action entries of the local log, as heads.
    fn local_chain(&self) -> Vec<Head> {
        let node = self.node.public();
        let genesis = self.genesis_entry(self.local).sign(&self.node);
        let mut heads = vec![
            genesis
                .verify(&self.local, None, &node)
                .expect("genesis")
                .head(),
        ];
        for i in 1..=2u64 {
            let head = heads.last().copied().expect("a head");
            let entry = self
                .next(
                    self.local,
                    &head,
                    1000 + i,
                    vec![self.action(i, LogKind::Local)],
                )
                .sign(&self.node);
            heads.push(
                entry
                    .verify(&self.local, Some(&head), &node)
                    .expect("entry")
                    .head(),
            );
        }
        heads
    }
}

#[test]
fn a_valid_chain_verifies_and_links_by_hash() {
    let f = Fixture::new();
    let node = f.node.public();
    let mut head: Option<Head> = None;
    for seq in 0..5u64 {
        let entry = match head {
            None => f.genesis_entry(f.public),
            Some(h) => f.next(
                f.public,
                &h,
                1000 + seq / 2, // equal times are allowed
                vec![f.action(seq, LogKind::Public)],
            ),
        };
        let id = entry.id();
        let signed = entry.sign(&f.node);
        let verified = signed
            .clone()
            .verify(&f.public, head.as_ref(), &node)
            .unwrap_or_else(|e| panic!("seq {seq}: {e}"));
        assert_eq!(verified.id(), id);
        assert_eq!(verified.into_inner(), signed);
        let new = signed.head();
        assert_eq!(new.seq, seq);
        assert_eq!(new.hash, id);
        if let Some(h) = head {
            assert_eq!(signed.entry.prev, h.hash);
        }
        head = Some(new);
    }
    // Both logs of a community start from the same genesis.
    let local = f.genesis_entry(f.local).sign(&f.node);
    assert!(local.verify(&f.local, None, &node).is_ok());
}

#[test]
fn an_entry_of_another_log_is_refused() {
    let f = Fixture::new();
    let entry = f.genesis_entry(f.public).sign(&f.node);
    let err = entry
        .verify(&f.local, None, &f.node.public())
        .expect_err("public entry verified as local");
    assert_eq!(err, ChainError::WrongLog);
    assert_eq!(err.code(), "wrong_log");
}

#[test]
fn a_seq_gap_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let mut entry = f.next(f.local, &head, 2000, vec![f.action(9, LogKind::Local)]);
    entry.seq = 4;
    let err = entry
        .sign(&f.node)
        .verify(&f.local, Some(&head), &f.node.public())
        .expect_err("gap");
    assert_eq!(
        err,
        ChainError::SeqGap {
            expected: 3,
            actual: 4
        }
    );
    assert_eq!(err.code(), "seq_gap");

    // A replayed seq is a gap too (backwards).
    let mut entry = f.next(f.local, &head, 2000, vec![f.action(9, LogKind::Local)]);
    entry.seq = 2;
    assert_eq!(
        entry
            .sign(&f.node)
            .verify(&f.local, Some(&head), &f.node.public()),
        Err(ChainError::SeqGap {
            expected: 3,
            actual: 2
        })
    );

    // An empty log starts at seq 0.
    let mut entry = f.genesis_entry(f.local);
    entry.seq = 1;
    assert_eq!(
        entry.sign(&f.node).verify(&f.local, None, &f.node.public()),
        Err(ChainError::SeqGap {
            expected: 0,
            actual: 1
        })
    );
}

#[test]
fn a_head_at_the_last_seq_is_not_extended() {
    // Found by the `sync_response` fuzz target: the next seq after
    // u64::MAX overflowed (a panic with overflow checks, seq 0 without).
    let f = Fixture::new();
    let heads = f.local_chain();
    let last = Head {
        seq: u64::MAX,
        ..heads[2]
    };
    for seq in [0, u64::MAX] {
        let mut entry = f.next(f.local, &heads[2], 2000, vec![f.action(9, LogKind::Local)]);
        entry.seq = seq;
        let err = entry
            .sign(&f.node)
            .verify(&f.local, Some(&last), &f.node.public())
            .expect_err("nothing extends the last seq");
        assert_eq!(err, ChainError::LogFull);
        assert_eq!(err.code(), "log_full");
    }
}

#[test]
fn a_wrong_prev_hash_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    // Linking to the entry before the head instead of the head.
    let mut entry = f.next(f.local, &heads[2], 2000, vec![f.action(9, LogKind::Local)]);
    entry.prev = heads[1].hash;
    let err = entry
        .sign(&f.node)
        .verify(&f.local, Some(&heads[2]), &f.node.public())
        .expect_err("wrong prev");
    assert_eq!(err, ChainError::PrevMismatch { seq: 2 });
    assert_eq!(err.code(), "prev_mismatch");

    // A genesis must link to the zero hash.
    let mut entry = f.genesis_entry(f.local);
    entry.prev = heads[0].hash;
    assert_eq!(
        entry.sign(&f.node).verify(&f.local, None, &f.node.public()),
        Err(ChainError::PrevMismatch { seq: 0 })
    );
}

#[test]
fn time_going_back_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let entry = f.next(
        f.local,
        &head,
        head.time.0 - 1,
        vec![f.action(9, LogKind::Local)],
    );
    let err = entry
        .sign(&f.node)
        .verify(&f.local, Some(&head), &f.node.public())
        .expect_err("time went back");
    assert_eq!(
        err,
        ChainError::TimeWentBack {
            time: head.time.0 - 1,
            prev: head.time.0
        }
    );
    assert_eq!(err.code(), "time_went_back");

    // The same time is fine.
    let entry = f.next(
        f.local,
        &head,
        head.time.0,
        vec![f.action(9, LogKind::Local)],
    );
    assert!(
        entry
            .sign(&f.node)
            .verify(&f.local, Some(&head), &f.node.public())
            .is_ok()
    );
}

#[test]
fn an_entry_signed_by_another_node_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let entry = f.next(f.local, &head, 2000, vec![f.action(9, LogKind::Local)]);

    let impostor = keypair(101);
    let err = entry
        .clone()
        .sign(&impostor)
        .verify(&f.local, Some(&head), &f.node.public())
        .expect_err("impostor's signature");
    assert_eq!(err, ChainError::Signature(crypto::Error::BadSignature));
    assert_eq!(err.code(), "bad_signature");

    // Verified against the wrong node key, the true signature fails too.
    assert_eq!(
        entry
            .clone()
            .sign(&f.node)
            .verify(&f.local, Some(&head), &impostor.public()),
        Err(ChainError::Signature(crypto::Error::BadSignature))
    );

    // A weak node key is refused outright.
    assert_eq!(
        entry
            .sign(&f.node)
            .verify(&f.local, Some(&head), &weak_key()),
        Err(ChainError::Signature(crypto::Error::WeakKey))
    );
}

#[test]
fn an_entry_tampered_after_signing_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let signed = f
        .next(f.local, &head, 2000, vec![f.action(9, LogKind::Local)])
        .sign(&f.node);
    let node = f.node.public();

    // The node's fields.
    let mut later = signed.clone();
    later.entry.time = Timestamp(2001);
    assert_eq!(
        later.verify(&f.local, Some(&head), &node),
        Err(ChainError::Signature(crypto::Error::BadSignature))
    );

    // An extra (validly signed) action slipped into the batch.
    let mut extended = signed.clone();
    let EntryBody::Actions(actions) = &mut extended.entry.body else {
        unreachable!()
    };
    actions.push(f.action(10, LogKind::Local));
    assert_eq!(
        extended.verify(&f.local, Some(&head), &node),
        Err(ChainError::Signature(crypto::Error::BadSignature))
    );

    // A bit of the node signature.
    let mut flipped = signed.clone();
    flipped.signature.0[10] ^= 1;
    assert_eq!(
        flipped.verify(&f.local, Some(&head), &node),
        Err(ChainError::Signature(crypto::Error::BadSignature))
    );

    // An action's amount changed: its author's signature no longer holds.
    let mut richer = signed;
    let EntryBody::Actions(actions) = &mut richer.entry.body else {
        unreachable!()
    };
    let ActionBody::Ledger(LedgerAction::Transfer { amount, .. }) = &mut actions[0].action.body
    else {
        unreachable!()
    };
    *amount = Kc(500_000);
    assert_eq!(
        richer.verify(&f.local, Some(&head), &node),
        Err(ChainError::Signature(crypto::Error::BadSignature))
    );
}

#[test]
fn genesis_only_at_seq_zero() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let node = f.node.public();

    // A second genesis later in the log.
    let entry = Entry {
        log: f.local,
        seq: head.seq + 1,
        prev: head.hash,
        time: Timestamp(2000),
        body: EntryBody::Genesis(Box::new(f.genesis.clone())),
    };
    let err = entry
        .sign(&f.node)
        .verify(&f.local, Some(&head), &node)
        .expect_err("late genesis");
    assert_eq!(err, ChainError::MisplacedGenesis);
    assert_eq!(err.code(), "misplaced_genesis");

    // Actions where the genesis belongs.
    let entry = Entry {
        log: f.local,
        seq: 0,
        prev: Hash::ZERO,
        time: Timestamp(1000),
        body: EntryBody::Actions(vec![f.action(1, LogKind::Local)]),
    };
    assert_eq!(
        entry.sign(&f.node).verify(&f.local, None, &node),
        Err(ChainError::MisplacedGenesis)
    );
}

#[test]
fn a_foreign_genesis_is_refused() {
    let f = Fixture::new();
    let node = f.node.public();

    // Another community's genesis (another name, so another id) in this log.
    let mut other = f.genesis.clone();
    other.name = "Elsewhere".into();
    assert_ne!(other.id(), f.local.community);
    let entry = Entry {
        body: EntryBody::Genesis(Box::new(other)),
        ..f.genesis_entry(f.local)
    };
    let err = entry
        .sign(&f.node)
        .verify(&f.local, None, &node)
        .expect_err("foreign genesis");
    assert_eq!(err, ChainError::ForeignGenesis);
    assert_eq!(err.code(), "foreign_genesis");

    // The right genesis, but verified as the log of a node it does not name.
    let impostor = keypair(101);
    assert_eq!(
        f.genesis_entry(f.local)
            .sign(&impostor)
            .verify(&f.local, None, &impostor.public()),
        Err(ChainError::ForeignGenesis)
    );
}

#[test]
fn an_action_of_the_other_log_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    // A membership action (public) inside a local entry.
    let entry = f.next(
        f.local,
        &head,
        2000,
        vec![f.action(9, LogKind::Local), f.action(10, LogKind::Public)],
    );
    let err = entry
        .sign(&f.node)
        .verify(&f.local, Some(&head), &f.node.public())
        .expect_err("public action in the local log");
    assert!(matches!(err, ChainError::InvalidBatch { .. }), "{err:?}");
    assert_eq!(err.code(), "invalid_batch");

    // And a transfer (local) in the public log.
    let genesis = f.genesis_entry(f.public).sign(&f.node);
    let head = genesis.head();
    let entry = f.next(f.public, &head, 2000, vec![f.action(9, LogKind::Local)]);
    assert!(matches!(
        entry
            .sign(&f.node)
            .verify(&f.public, Some(&head), &f.node.public()),
        Err(ChainError::InvalidBatch { .. })
    ));
}

#[test]
fn an_empty_or_oversized_batch_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let node = f.node.public();

    let empty = f.next(f.local, &head, 2000, Vec::new());
    let err = empty
        .sign(&f.node)
        .verify(&f.local, Some(&head), &node)
        .expect_err("empty batch");
    assert!(matches!(err, ChainError::InvalidBatch { .. }), "{err:?}");
    assert_eq!(err.code(), "invalid_batch");

    let action = f.action(9, LogKind::Local);
    let full = f.next(
        f.local,
        &head,
        2000,
        vec![action.clone(); MAX_ACTIONS_PER_ENTRY + 1],
    );
    assert!(matches!(
        full.sign(&f.node).verify(&f.local, Some(&head), &node),
        Err(ChainError::InvalidBatch { .. })
    ));
}

#[test]
fn a_forged_action_inside_a_batch_is_refused() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let node = f.node.public();

    // An action claiming another member as author, signed by the node key:
    // the node cannot speak for members.
    let mut forged = f.action(9, LogKind::Local);
    forged.action.author = keypair(2).public();
    forged.signature = f.node.sign(&forged.action.id());
    let entry = f.next(
        f.local,
        &head,
        2000,
        vec![f.action(8, LogKind::Local), forged],
    );
    let err = entry
        .sign(&f.node)
        .verify(&f.local, Some(&head), &node)
        .expect_err("forged action");
    assert_eq!(err, ChainError::Signature(crypto::Error::BadSignature));

    // An action by a weak (small-order) author key.
    let weak = Action {
        author: weak_key(),
        ..f.action(9, LogKind::Local).action
    }
    .sign(&f.member);
    let entry = f.next(f.local, &head, 2000, vec![weak]);
    assert_eq!(
        entry.sign(&f.node).verify(&f.local, Some(&head), &node),
        Err(ChainError::Signature(crypto::Error::WeakKey))
    );
}

// ---------------------------------------------------------------------------
// Signed actions.

fn transfer(author: &Keypair) -> Action {
    Action {
        author: author.public(),
        community: Hash([3; 32]),
        nonce: 42,
        created: Timestamp(1_700_000_000_000),
        body: ActionBody::Ledger(LedgerAction::Transfer {
            to: keypair(2).public(),
            amount: Kc(2_500),
            memo: "soup".into(),
        }),
    }
}

#[test]
fn a_signed_action_verifies_with_its_id() {
    let author = keypair(1);
    let action = transfer(&author);
    let id = action.id();
    let signed = action.clone().sign(&author);
    assert_eq!(signed.id(), id);
    let verified = signed.clone().verify().expect("verifies");
    assert_eq!(verified.id(), id);
    assert_eq!(verified.into_inner(), signed);
    // Two different actions have different ids.
    let mut other = action;
    other.nonce += 1;
    assert_ne!(other.id(), id);
}

#[test]
fn a_weak_author_key_is_refused() {
    let signer = keypair(1);
    let action = Action {
        author: weak_key(),
        ..transfer(&signer)
    };
    let err = action.sign(&signer).verify().expect_err("weak key");
    assert_eq!(err, crypto::Error::WeakKey);
    assert_eq!(err.code(), "weak_key");
}

#[test]
fn an_author_key_off_the_curve_is_refused() {
    let signer = keypair(1);
    // y = 2 is not the y-coordinate of any point on edwards25519.
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    let action = Action {
        author: PublicKey(bytes),
        ..transfer(&signer)
    };
    assert_eq!(
        action.sign(&signer).verify(),
        Err(crypto::Error::InvalidKey)
    );
}

#[test]
fn a_tampered_action_is_refused() {
    let author = keypair(1);
    let signed = transfer(&author).sign(&author);

    let mut richer = signed.clone();
    if let ActionBody::Ledger(LedgerAction::Transfer { amount, .. }) = &mut richer.action.body {
        *amount = Kc(2_500_000);
    }
    let err = richer.verify().expect_err("tampered amount");
    assert_eq!(err, crypto::Error::BadSignature);
    assert_eq!(err.code(), "bad_signature");

    let mut replayed = signed.clone();
    replayed.action.nonce += 1;
    assert_eq!(replayed.verify(), Err(crypto::Error::BadSignature));

    let mut elsewhere = signed.clone();
    elsewhere.action.community = Hash([4; 32]);
    assert_eq!(elsewhere.verify(), Err(crypto::Error::BadSignature));

    // Someone else's signature over the same action.
    let mut stolen = signed;
    stolen.signature = keypair(2).sign(&stolen.id());
    assert_eq!(stolen.verify(), Err(crypto::Error::BadSignature));
}

/// The order of the ed25519 group, little-endian.
const GROUP_ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

#[test]
fn a_malleated_signature_is_refused() {
    // (R, S + L) satisfies the verification equation too; strict
    // verification refuses the non-canonical scalar, so one action has one
    // valid signature per key.
    let author = keypair(1);
    let signed = transfer(&author).sign(&author);
    let mut malleated = signed.clone();
    let mut carry = 0u16;
    for (out, l) in malleated.signature.0[32..].iter_mut().zip(GROUP_ORDER) {
        let sum = u16::from(*out) + u16::from(l) + carry;
        *out = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    assert_ne!(malleated.signature, signed.signature);
    assert_eq!(malleated.verify(), Err(crypto::Error::BadSignature));
    assert!(signed.verify().is_ok());
}

#[test]
fn an_all_zero_signature_is_refused() {
    let author = keypair(1);
    let mut signed = transfer(&author).sign(&author);
    signed.signature = Signature([0; 64]);
    assert_eq!(signed.verify(), Err(crypto::Error::BadSignature));
}

/// An entry the node did not sign is refused on its one node signature:
/// none of the action signatures it carries is checked (each would cost a
/// key decompression and a verification).
#[test]
fn a_forged_entry_is_refused_after_one_verification() {
    let f = Fixture::new();
    let heads = f.local_chain();
    let head = heads[2];
    let actions: Vec<SignedAction> = (0..2_000u64)
        .map(|i| {
            let mut seed = [7u8; 32];
            seed[..8].copy_from_slice(&i.to_le_bytes());
            let author = Keypair::from_seed(&seed);
            Action {
                author: author.public(),
                community: f.public.community,
                nonce: 1,
                created: Timestamp(1500),
                body: ActionBody::Ledger(LedgerAction::Transfer {
                    to: keypair(2).public(),
                    amount: Kc(1),
                    memo: String::new(),
                }),
            }
            .sign(&author)
        })
        .collect();
    let entry = f.next(f.local, &head, 2000, actions);
    let node = f.node.public();

    let keys = crypto::KeyCache::default();
    let forged = entry.clone().sign(&keypair(101));
    assert_eq!(
        forged.verify_cached(&f.local, Some(&head), &node, &keys),
        Err(ChainError::Signature(crypto::Error::BadSignature))
    );
    assert_eq!(keys.len(), 1, "only the node key was checked");

    // Signed by the node, every action signature is checked.
    let keys = crypto::KeyCache::default();
    let honest = entry.sign(&f.node);
    assert!(
        honest
            .verify_cached(&f.local, Some(&head), &node, &keys)
            .is_ok()
    );
    assert_eq!(keys.len(), 2_001);
}
