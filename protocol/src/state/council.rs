//! The council (DESIGN §8): seats, their terms, and who holds council
//! power at a given time.
//!
//! A seat's term runs for `rules.council.term` from when its member was
//! seated. Once it has ended the member no longer acts as council (invites,
//! removals, emergency proposals and their votes, reviews) while anyone
//! else on the council is still in term. When every seat's term has ended
//! and no election has seated successors, the whole council serves on as a
//! caretaker — "until successors are elected" — so that a community never
//! locks itself out of the powers only a council has; any member may
//! propose the election that ends it. An election replaces the council
//! whole. Standing depends only on the time of the entry being applied,
//! so a replay of the logs agrees with the node that sealed them.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::community::Rules;
use crate::crypto::PublicKey;
use crate::units::Timestamp;

use super::membership::active_member;
use super::records::{self, Member, MemberStatus, Seat, StateRead, table};
use super::store::{StoreError, StoreMut};
use super::{ApplyError, Context, Rejection};

/// Where a council seat stands at some time.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Within its term: the member acts as council.
    InTerm,
    /// Its term has ended and so has every other seat's: the member acts
    /// as council until an election seats successors.
    Caretaker,
    /// Its term has ended while other seats are in term: the member no
    /// longer acts as council.
    Expired,
}

impl Standing {
    /// Whether the seat carries council power.
    pub fn holds_power(self) -> bool {
        self != Standing::Expired
    }
}

/// A seat's standing at `now`, given whether any seat is in term then.
pub fn standing(seat: &Seat, now: Timestamp, any_in_term: bool) -> Standing {
    if now < seat.term_ends {
        Standing::InTerm
    } else if any_in_term {
        Standing::Expired
    } else {
        Standing::Caretaker
    }
}

/// A seat taken at `now`, for a term of the rules.
pub fn new_seat(rules: &Rules, now: Timestamp) -> Seat {
    Seat {
        since: now,
        term_ends: now.plus(rules.council.term),
    }
}

/// Whether any active member's seat is in term at `now`.
fn any_in_term(members: &[Member], now: Timestamp) -> bool {
    members.iter().any(|m| {
        m.status == MemberStatus::Active && m.seat.is_some_and(|seat| now < seat.term_ends)
    })
}

/// Every seated active member and their seat's standing at `now`, in key order.
pub fn seats(members: &[Member], now: Timestamp) -> Vec<(&Member, Seat, Standing)> {
    let in_term = any_in_term(members, now);
    members
        .iter()
        .filter(|m| m.status == MemberStatus::Active)
        .filter_map(|m| m.seat.map(|seat| (m, seat, standing(&seat, now, in_term))))
        .collect()
}

/// Notes whether an active member holds a seat (the index [`seated`]
/// reads; every write of a member's seat or departure keeps it).
pub fn index_seat<S: StoreMut + ?Sized>(store: &mut S, key: &PublicKey, seated: bool) {
    let index = records::key(table::COUNCIL, &key.0);
    if seated {
        store.put(index, Vec::new());
    } else {
        store.delete(index);
    }
}

/// The active members who hold a seat, in key order, read from the
/// council index rather than the whole roster.
pub fn seated<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Member>, StoreError> {
    let mut out = Vec::new();
    for (key, _) in store.scan_prefix(&[table::COUNCIL])? {
        let who = PublicKey(key[1..].try_into().map_err(|_| {
            StoreError(format!(
                "corrupt council index {}",
                crate::crypto::hex(&key)
            ))
        })?);
        if let Some(member) = store.member(&who)? {
            out.push(member);
        }
    }
    Ok(out)
}

/// The members who hold council power at `now`.
pub fn holders(members: &[Member], now: Timestamp) -> BTreeSet<PublicKey> {
    seats(members, now)
        .into_iter()
        .filter(|(_, _, standing)| standing.holds_power())
        .map(|(m, _, _)| m.key)
        .collect()
}

/// Checks that `member` holds council power at `now`; `what` names the
/// power for the refusal.
pub fn check_power<S: StateRead + ?Sized>(
    store: &S,
    member: &Member,
    now: Timestamp,
    what: &'static str,
) -> Result<(), ApplyError> {
    let Some(seat) = member.seat else {
        return Err(Rejection::NotCouncil { what }.into());
    };
    // Only an ended term needs the rest of the council to be looked at.
    if now < seat.term_ends || !any_in_term(&seated(store)?, now) {
        return Ok(());
    }
    Err(Rejection::TermExpired {
        who: member.key,
        ended: seat.term_ends,
        what,
    }
    .into())
}

/// The active member `who`, who must hold council power at `now`.
pub fn council_member<S: StateRead + ?Sized>(
    store: &S,
    who: &PublicKey,
    now: Timestamp,
    what: &'static str,
) -> Result<Member, ApplyError> {
    let member = active_member(store, who)?;
    check_power(store, &member, now, what)?;
    Ok(member)
}

/// An election's result seats the council: the elected members sit on it
/// for a new term from `ctx.time` (a re-elected member's term starts
/// again), and everyone else leaves it.
pub fn seat_council<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    elected: &[PublicKey],
) -> Result<(), StoreError> {
    let mut roster = store.roster()?;
    roster.council = 0;
    for mut member in store.members()? {
        let seated = member.status == MemberStatus::Active && elected.contains(&member.key);
        let seat = seated.then(|| new_seat(&ctx.rules, ctx.time));
        if seated {
            roster.council += 1;
        }
        if member.seat != seat {
            member.seat = seat;
            records::write(store, records::key(table::MEMBER, &member.key.0), &member);
            index_seat(store, &member.key, seat.is_some());
        }
    }
    records::write(store, vec![table::ROSTER], &roster);
    Ok(())
}
