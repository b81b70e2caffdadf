//! Membership (DESIGN §2, §6, §8): founders and founder invites, council
//! invites, joining, leaving and removal — and the precise, stable reason
//! for every refusal, which leaves the state and the author's nonce as
//! they were.

use crate::action::{ActionBody, InviteCode, LedgerAction, MembershipAction, SignedAction};
use crate::community::Rules;
use crate::crypto::{Hash, Keypair};
use crate::state::{ApplyError, Member, MemberStatus, Rejection, Roster, StateRead};
use crate::test::{Community, keypair, weak_key};
use crate::units::{Kc, Millis, Timestamp};

/// The time of the next entry `community` seals.
pub(super) fn next_time(community: &Community) -> Timestamp {
    Timestamp(community.time.0 + 1)
}

/// `issuer` issues an invite (key from `seed`) valid for a day.
pub(super) fn issue(
    community: &mut Community,
    issuer: &Keypair,
    nonce: u64,
    seed: u8,
) -> InviteCode {
    let code = InviteCode {
        community: community.id,
        seed: keypair(seed).seed(),
    };
    issue_code(community, issuer, nonce, &code);
    code
}

/// `issuer` issues the invite `code`, valid for a day.
fn issue_code(community: &mut Community, issuer: &Keypair, nonce: u64, code: &InviteCode) {
    let expires = next_time(community).plus(Millis::days(1));
    let body = ActionBody::Membership(MembershipAction::IssueInvite {
        key: code.keypair().public(),
        expires,
    });
    accept(community, issuer, nonce, body);
}

/// `member` joins with `code`, as their action of `nonce`.
pub(super) fn join(community: &mut Community, member: &Keypair, nonce: u64, code: &InviteCode) {
    accept(community, member, nonce, code.join_body(&member.public()));
}

/// `issuer` (a council member, at `issuer_nonce`) invites `member`, who
/// joins with nonce 1.
pub(super) fn admit(
    community: &mut Community,
    issuer: &Keypair,
    issuer_nonce: u64,
    member: &Keypair,
) {
    // An invite key of the member's own, so invites never collide.
    let code = InviteCode {
        community: community.id,
        seed: Hash::of("hearth test invite", &member.public().0).0,
    };
    issue_code(community, issuer, issuer_nonce, &code);
    join(community, member, 1, &code);
}

/// Submits an action of `author` that must be accepted.
pub(super) fn accept(community: &mut Community, author: &Keypair, nonce: u64, body: ActionBody) {
    let action = community.action(author, nonce, body);
    if let Err(e) = community.submit(action) {
        panic!("expected the action to be accepted: {e}");
    }
}

/// Submits an action that must be refused; checks that the state, the
/// logs and the clock did not change, and returns the refusal.
pub(super) fn refuse(
    community: &mut Community,
    author: &Keypair,
    nonce: u64,
    body: ActionBody,
) -> Rejection {
    let action = community.action(author, nonce, body);
    refuse_signed(community, action)
}

/// Like [`refuse`], for an action signed by hand.
pub(super) fn refuse_signed(community: &mut Community, action: SignedAction) -> Rejection {
    let store = community.store.map.clone();
    let entries = community.entries.len();
    let (public, local, time) = (community.public, community.local, community.time);
    let result = community.submit(action);
    let rejection = match result {
        Err(ApplyError::Rejected(rejection)) => rejection,
        other => panic!("expected a rejection, got {other:?}"),
    };
    assert!(
        community.store.map == store,
        "a refused action changed the state"
    );
    assert_eq!(community.entries.len(), entries);
    assert_eq!(
        (community.public, community.local, community.time),
        (public, local, time)
    );
    rejection
}

fn member(community: &Community, who: &Keypair) -> Member {
    community
        .store
        .member(&who.public())
        .expect("store")
        .expect("a member")
}

fn roster(community: &Community) -> Roster {
    community.store.roster().expect("store")
}

fn founded() -> (Community, Keypair) {
    let founder = keypair(1);
    (Community::new(&[&founder], Rules::default()), founder)
}

#[test]
fn founders_are_the_first_council() {
    let (a, b) = (keypair(1), keypair(2));
    let community = Community::new(&[&a, &b], Rules::default());
    for founder in [&a, &b] {
        let m = member(&community, founder);
        assert_eq!(m.key, founder.public());
        assert_eq!(m.status, MemberStatus::Active);
        assert!(m.on_council());
        assert_eq!(m.invited_by, None);
        assert_eq!(m.joined, Timestamp(1001), "the public genesis entry's time");
    }
    assert_eq!(
        roster(&community),
        Roster {
            active: 2,
            council: 2
        }
    );
    assert_eq!(community.store.members().expect("store").len(), 2);
    assert_eq!(community.store.member(&keypair(3).public()), Ok(None));
}

#[test]
fn the_founder_invite_admits_one_council_member() {
    let community_founder = keypair(1);
    let mut community = Community::new(&[&community_founder], Rules::default());
    let first = keypair(2);
    let code = community.founder_invite();
    join(&mut community, &first, 1, &code);
    let m = member(&community, &first);
    assert!(
        m.on_council(),
        "a founder invite seats its claimant on the council"
    );
    assert_eq!(m.invited_by, None);
    assert_eq!(m.joined, community.time);
    assert_eq!(
        roster(&community),
        Roster {
            active: 2,
            council: 2
        }
    );
    let invite = community
        .store
        .invite(&code.keypair().public())
        .expect("store")
        .expect("the invite");
    assert_eq!(invite.claimed_by, Some(first.public()));

    let second = keypair(3);
    let r = refuse(&mut community, &second, 1, code.join_body(&second.public()));
    assert_eq!(r, Rejection::InviteUsed);
    assert_eq!(r.code(), "invite_used");
}

#[test]
fn a_council_invite_admits_a_member() {
    let (mut community, founder) = founded();
    let newcomer = keypair(2);
    let code = issue(&mut community, &founder, 1, 50);
    let invite = community
        .store
        .invite(&code.keypair().public())
        .expect("store")
        .expect("the invite");
    assert_eq!(invite.issuer, Some(founder.public()));
    assert_eq!(invite.claimed_by, None);
    assert!(!invite.founder);

    join(&mut community, &newcomer, 1, &code);
    let m = member(&community, &newcomer);
    assert_eq!(m.status, MemberStatus::Active);
    assert!(!m.on_council());
    assert_eq!(m.invited_by, Some(founder.public()));
    assert_eq!(
        roster(&community),
        Roster {
            active: 2,
            council: 1
        }
    );
    assert_eq!(community.store.last_nonce(&newcomer.public()), Ok(Some(1)));
}

#[test]
fn only_the_council_issues_invites() {
    let (mut community, founder) = founded();
    let plain = keypair(2);
    admit(&mut community, &founder, 1, &plain);
    let body = ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(60).public(),
        expires: next_time(&community).plus(Millis::days(1)),
    });
    let r = refuse(&mut community, &plain, 2, body.clone());
    assert_eq!(
        r,
        Rejection::NotCouncil {
            what: "issue invites"
        }
    );
    assert_eq!(r.code(), "not_council");

    let outsider = keypair(9);
    let r = refuse(&mut community, &outsider, 1, body);
    assert_eq!(
        r,
        Rejection::NotAMember {
            who: outsider.public()
        }
    );
    assert_eq!(r.code(), "not_a_member");
}

#[test]
fn an_invite_can_be_claimed_until_its_expiry_and_not_after() {
    let (mut community, founder) = founded();
    let expires = Timestamp(5_000);
    let codes: Vec<InviteCode> = [50, 51]
        .into_iter()
        .map(|seed| InviteCode {
            community: community.id,
            seed: keypair(seed).seed(),
        })
        .collect();
    for (nonce, code) in (1..).zip(&codes) {
        let body = ActionBody::Membership(MembershipAction::IssueInvite {
            key: code.keypair().public(),
            expires,
        });
        accept(&mut community, &founder, nonce, body);
    }

    // Claimed at the last instant (the sealing entry's time is `expires`).
    community.time = Timestamp(expires.0 - 1);
    let early = keypair(2);
    join(&mut community, &early, 1, &codes[0]);
    assert_eq!(member(&community, &early).joined, expires);

    // One millisecond too late.
    community.time = expires;
    let late = keypair(3);
    let r = refuse(&mut community, &late, 1, codes[1].join_body(&late.public()));
    assert_eq!(r, Rejection::InviteExpired { expired: expires });
    assert_eq!(r.code(), "invite_expired");
}

#[test]
fn an_invite_may_not_outlive_the_rules() {
    let (mut community, founder) = founded();
    let max = Rules::default().invite_max_ttl;
    let at = |community: &Community, ttl: u64| {
        ActionBody::Membership(MembershipAction::IssueInvite {
            key: keypair(50).public(),
            expires: Timestamp(next_time(community).0 + ttl),
        })
    };

    let too_long = at(&community, max.0 + 1);
    let r = refuse(&mut community, &founder, 1, too_long);
    assert_eq!(r, Rejection::InviteTtlTooLong { max });
    assert_eq!(r.code(), "invite_ttl_too_long");

    let past = at(&community, 0);
    let r = refuse(&mut community, &founder, 1, past);
    assert_eq!(r, Rejection::InviteExpiryPast);
    assert_eq!(r.code(), "invite_expiry_past");

    // Exactly the longest lifetime is allowed.
    let body = at(&community, max.0);
    accept(&mut community, &founder, 1, body);
}

#[test]
fn an_invite_is_issued_once_and_only_for_a_valid_key() {
    let (mut community, founder) = founded();
    issue(&mut community, &founder, 1, 50);
    let again = ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(50).public(),
        expires: next_time(&community).plus(Millis::days(1)),
    });
    let r = refuse(&mut community, &founder, 2, again);
    assert_eq!(r, Rejection::InviteExists);
    assert_eq!(r.code(), "invite_exists");

    let weak = ActionBody::Membership(MembershipAction::IssueInvite {
        key: weak_key(),
        expires: next_time(&community).plus(Millis::days(1)),
    });
    let r = refuse(&mut community, &founder, 2, weak);
    assert_eq!(r, Rejection::InvalidKey { key: weak_key() });
    assert_eq!(r.code(), "invalid_key");
}

#[test]
fn an_invite_proof_binds_the_invite_to_one_member_and_community() {
    let (mut community, founder) = founded();
    let code = issue(&mut community, &founder, 1, 50);
    let (alice, mallory) = (keypair(2), keypair(3));

    // Mallory replays the proof made for Alice.
    let r = refuse(&mut community, &mallory, 1, code.join_body(&alice.public()));
    assert_eq!(r, Rejection::InvalidInviteProof);
    assert_eq!(r.code(), "invalid_invite_proof");

    // A proof made for another community.
    let foreign = InviteCode {
        community: Hash([7; 32]),
        seed: code.seed,
    };
    let r = refuse(
        &mut community,
        &alice,
        1,
        foreign.join_body(&alice.public()),
    );
    assert_eq!(r, Rejection::InvalidInviteProof);

    // The invite is still unclaimed, and Alice can use it.
    join(&mut community, &alice, 1, &code);
    assert_eq!(member(&community, &alice).status, MemberStatus::Active);
}

#[test]
fn an_unknown_invite_is_refused() {
    let (mut community, _founder) = founded();
    let stranger = keypair(2);
    let code = InviteCode {
        community: community.id,
        seed: keypair(77).seed(),
    };
    let r = refuse(
        &mut community,
        &stranger,
        1,
        code.join_body(&stranger.public()),
    );
    assert_eq!(
        r,
        Rejection::InviteUnknown {
            invite: code.keypair().public()
        }
    );
    assert_eq!(r.code(), "invite_unknown");
}

#[test]
fn a_member_cannot_join_twice() {
    let (mut community, founder) = founded();
    let code = issue(&mut community, &founder, 1, 50);
    let r = refuse(
        &mut community,
        &founder,
        2,
        code.join_body(&founder.public()),
    );
    assert_eq!(
        r,
        Rejection::AlreadyMember {
            who: founder.public()
        }
    );
    assert_eq!(r.code(), "already_member");
}

#[test]
fn a_member_who_left_can_no_longer_act() {
    let (mut community, founder) = founded();
    let leaver = keypair(2);
    admit(&mut community, &founder, 1, &leaver);
    accept(&mut community, &founder, 3, transfer(&leaver, 5_000));
    accept(
        &mut community,
        &leaver,
        2,
        ActionBody::Membership(MembershipAction::Leave),
    );
    let m = member(&community, &leaver);
    assert_eq!(m.status, MemberStatus::Left);
    assert_eq!(
        roster(&community),
        Roster {
            active: 1,
            council: 1
        }
    );

    let left = Rejection::MemberInactive {
        who: leaver.public(),
        status: MemberStatus::Left,
    };
    for (nonce, body) in [
        (3, transfer(&founder, 1)),
        (3, ActionBody::Membership(MembershipAction::Leave)),
        (
            3,
            ActionBody::Membership(MembershipAction::IssueInvite {
                key: keypair(60).public(),
                expires: next_time(&community).plus(Millis::days(1)),
            }),
        ),
    ] {
        let r = refuse(&mut community, &leaver, nonce, body);
        assert_eq!(r, left);
        assert_eq!(r.code(), "member_inactive");
    }
    // Their balance stays in the ledger.
    assert_eq!(
        community
            .store
            .balance(&crate::state::Account::Member(leaver.public())),
        Ok(Kc(5_000))
    );
}

#[test]
fn the_last_council_member_cannot_leave() {
    let (mut community, founder) = founded();
    let r = refuse(
        &mut community,
        &founder,
        1,
        ActionBody::Membership(MembershipAction::Leave),
    );
    assert_eq!(r, Rejection::LastCouncilMember);
    assert_eq!(r.code(), "last_council_member");

    // With a second council member, one may leave; then the other may not.
    let second = keypair(2);
    let code = community.founder_invite();
    join(&mut community, &second, 1, &code);
    accept(
        &mut community,
        &founder,
        1,
        ActionBody::Membership(MembershipAction::Leave),
    );
    assert_eq!(
        roster(&community),
        Roster {
            active: 1,
            council: 1
        }
    );
    let r = refuse(
        &mut community,
        &second,
        2,
        ActionBody::Membership(MembershipAction::Leave),
    );
    assert_eq!(r, Rejection::LastCouncilMember);
}

fn remove(member: &Keypair, reason: &str) -> ActionBody {
    ActionBody::Membership(MembershipAction::RemoveMember {
        member: member.public(),
        reason: reason.into(),
    })
}

fn transfer(to: &Keypair, amount: i64) -> ActionBody {
    ActionBody::Ledger(LedgerAction::Transfer {
        to: to.public(),
        amount: Kc(amount),
        memo: String::new(),
    })
}

#[test]
fn the_council_removes_members_and_others_cannot() {
    let (mut community, founder) = founded();
    let (alice, bob) = (keypair(2), keypair(3));
    admit(&mut community, &founder, 1, &alice);
    admit(&mut community, &founder, 2, &bob);

    let r = refuse(&mut community, &alice, 2, remove(&bob, "spam"));
    assert_eq!(
        r,
        Rejection::NotCouncil {
            what: "remove members"
        }
    );
    assert_eq!(r.code(), "not_council");
    assert_eq!(member(&community, &bob).status, MemberStatus::Active);

    accept(&mut community, &founder, 3, remove(&bob, "spam"));
    assert_eq!(member(&community, &bob).status, MemberStatus::Removed);
    assert_eq!(
        roster(&community),
        Roster {
            active: 2,
            council: 1
        }
    );

    // Bob's actions are refused, and no one can pay him.
    let r = refuse(&mut community, &bob, 2, transfer(&alice, 1));
    assert_eq!(
        r,
        Rejection::MemberInactive {
            who: bob.public(),
            status: MemberStatus::Removed
        }
    );
    let r = refuse(&mut community, &alice, 2, transfer(&bob, 1));
    assert_eq!(r, Rejection::UnknownRecipient { who: bob.public() });

    // Removing him again: he is no longer an active member.
    let r = refuse(&mut community, &founder, 4, remove(&bob, "again"));
    assert_eq!(
        r,
        Rejection::MemberInactive {
            who: bob.public(),
            status: MemberStatus::Removed
        }
    );
    // Nor can a stranger be removed.
    let stranger = keypair(9);
    let r = refuse(&mut community, &founder, 4, remove(&stranger, "who?"));
    assert_eq!(
        r,
        Rejection::NotAMember {
            who: stranger.public()
        }
    );
}

#[test]
fn a_council_member_removed_leaves_the_council() {
    let (mut community, founder) = founded();
    let second = keypair(2);
    let code = community.founder_invite();
    join(&mut community, &second, 1, &code);
    accept(&mut community, &founder, 1, remove(&second, "absent"));
    let m = member(&community, &second);
    assert_eq!(m.status, MemberStatus::Removed);
    assert!(!m.on_council());
    assert_eq!(
        roster(&community),
        Roster {
            active: 1,
            council: 1
        }
    );
}

#[test]
fn a_council_member_cannot_remove_themselves() {
    let (mut community, founder) = founded();
    let r = refuse(&mut community, &founder, 1, remove(&founder, "bye"));
    assert_eq!(r, Rejection::CannotRemoveSelf);
    assert_eq!(r.code(), "cannot_remove_self");
}

#[test]
fn a_removal_reason_is_bounded() {
    let (mut community, founder) = founded();
    let alice = keypair(2);
    admit(&mut community, &founder, 1, &alice);
    let long = "x".repeat(crate::action::MAX_REASON_LEN + 1);
    let r = refuse(&mut community, &founder, 2, remove(&alice, &long));
    assert_eq!(
        r,
        Rejection::TextTooLong {
            field: "reason",
            len: crate::action::MAX_REASON_LEN + 1,
            max: crate::action::MAX_REASON_LEN
        }
    );
    assert_eq!(r.code(), "text_too_long");
    let longest = "x".repeat(crate::action::MAX_REASON_LEN);
    accept(&mut community, &founder, 2, remove(&alice, &longest));
}

#[test]
fn a_refused_action_does_not_consume_its_nonce() {
    let (mut community, founder) = founded();
    let alice = keypair(2);
    admit(&mut community, &founder, 1, &alice);
    let before = community.store.last_nonce(&founder.public());
    assert_eq!(before, Ok(Some(1)));

    // Nonce 7 refused (alice cannot be paid a negative amount)…
    let r = refuse(&mut community, &founder, 7, transfer(&alice, -5));
    assert_eq!(r.code(), "invalid_amount");
    assert_eq!(community.store.last_nonce(&founder.public()), before);
    // …so nonce 7 is still free,
    accept(&mut community, &founder, 7, transfer(&alice, 5));
    assert_eq!(community.store.last_nonce(&founder.public()), Ok(Some(7)));
    // and now it is spent.
    let r = refuse(&mut community, &founder, 7, transfer(&alice, 5));
    assert_eq!(r, Rejection::NonceReplayed { last: 7, nonce: 7 });

    // The same for a refused membership action.
    let invite = ActionBody::Membership(MembershipAction::IssueInvite {
        key: keypair(60).public(),
        expires: next_time(&community).plus(Millis::days(1)),
    });
    let r = refuse(&mut community, &alice, 2, invite);
    assert_eq!(r.code(), "not_council");
    assert_eq!(community.store.last_nonce(&alice.public()), Ok(Some(1)));
    accept(
        &mut community,
        &alice,
        2,
        ActionBody::Membership(MembershipAction::Leave),
    );
    assert_eq!(community.store.last_nonce(&alice.public()), Ok(Some(2)));
}

#[test]
fn replaying_the_public_log_rebuilds_the_roster() {
    let (mut community, founder) = founded();
    let (alice, bob, carol) = (keypair(2), keypair(3), keypair(4));
    let code = community.founder_invite();
    join(&mut community, &alice, 1, &code);
    admit(&mut community, &founder, 1, &bob);
    admit(&mut community, &alice, 2, &carol);
    let _ = refuse(&mut community, &bob, 2, remove(&carol, "not council"));
    accept(&mut community, &founder, 2, remove(&bob, "inactive"));
    accept(
        &mut community,
        &carol,
        2,
        ActionBody::Membership(MembershipAction::Leave),
    );
    assert_eq!(
        roster(&community),
        Roster {
            active: 2,
            council: 2
        }
    );
    let replayed = super::ledger::replay(&community.entries, &community.node.public());
    assert!(replayed.map == community.store.map);
    assert_eq!(
        replayed
            .member(&bob.public())
            .expect("store")
            .map(|m| m.status),
        Some(MemberStatus::Removed)
    );
}

fn set_name(name: &str) -> ActionBody {
    ActionBody::Membership(MembershipAction::SetName { name: name.into() })
}

#[test]
fn members_name_themselves_and_only_with_a_showable_name() {
    let (mut community, founder) = founded();
    let shown = |c: &Community| {
        crate::state::membership::display_name(&c.store, &founder.public())
            .expect("read")
            .map(|n| n.name)
    };
    assert_eq!(shown(&community), None);
    accept(&mut community, &founder, 1, set_name("Alice Æbelø"));
    assert_eq!(shown(&community).as_deref(), Some("Alice Æbelø"));
    let long = "a".repeat(crate::state::membership::MAX_DISPLAY_NAME_LEN + 1);
    for (name, code) in [
        (" Alice", "invalid_name"),
        ("Alice ", "invalid_name"),
        ("   ", "invalid_name"),
        ("Al\nice", "invalid_name"),
        ("Al\u{7}ice", "invalid_name"),
        (long.as_str(), "text_too_long"),
    ] {
        assert_eq!(
            refuse(&mut community, &founder, 2, set_name(name)).code(),
            code,
            "{name:?}"
        );
    }
    let stranger = keypair(99);
    assert_eq!(
        refuse(&mut community, &stranger, 1, set_name("Mallory")).code(),
        "not_a_member"
    );
    accept(&mut community, &founder, 2, set_name("Alice"));
    assert_eq!(shown(&community).as_deref(), Some("Alice"));
    // An empty name clears it.
    accept(&mut community, &founder, 3, set_name(""));
    assert_eq!(shown(&community), None);
}
