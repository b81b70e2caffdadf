//! Membership: genesis founders and founder invites, council-issued
//! invites, joining, leaving and removal. Where the rules admit members by
//! vote, invites are neither issued nor claimed (founder invites aside):
//! a passed membership proposal is the way in.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::action::{Action, MAX_REASON_LEN, invite_claim};
use crate::community::{Admission, Genesis};
use crate::crypto::{Hash, PublicKey, Signature};
use crate::units::Timestamp;

use super::council::{council_member, new_seat};
use super::records::{self, CommunityRecord, Invite, Member, MemberStatus, Seat, StateRead, table};
use super::store::{StoreError, StoreMut};
use super::{ApplyError, Context, Rejection};

/// Membership actions. Recorded in the public log: the federation needs
/// every community's roster.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MembershipAction {
    /// A council member creates a single-use invite, valid until `expires`.
    /// `key` is the public half of a key pair the invitee receives.
    IssueInvite {
        /// The invite's public key.
        key: PublicKey,
        /// Last instant the invite may be claimed.
        expires: Timestamp,
    },
    /// A non-member joins with an invite. `proof` is the invite key's
    /// signature over [`invite_claim`] of (community, author), so a claim
    /// cannot be redirected to another key.
    Join {
        /// The invite's public key.
        invite: PublicKey,
        /// The invite key's signature binding the invite to the author.
        proof: Signature,
    },
    /// A member leaves the community. Their balance stays in the ledger.
    Leave,
    /// A council member removes a member.
    RemoveMember {
        /// The member removed.
        member: PublicKey,
        /// Why (recorded publicly).
        reason: String,
    },
    /// A member sets the name shown beside their key (an empty name
    /// clears it). Names are not unique: the key is the identity.
    SetName {
        /// The display name: 1 to [`MAX_DISPLAY_NAME_LEN`] bytes, no
        /// control characters, no leading or trailing space.
        name: String,
    },
}

/// The longest display name, in bytes.
pub const MAX_DISPLAY_NAME_LEN: usize = 64;

/// A member's display name, as they set it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct DisplayName {
    /// The name.
    pub name: String,
    /// When it was set.
    pub since: Timestamp,
}

impl crate::Canonical for DisplayName {}

impl MembershipAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            MembershipAction::IssueInvite { .. } => "issue_invite",
            MembershipAction::Join { .. } => "join",
            MembershipAction::Leave => "leave",
            MembershipAction::RemoveMember { .. } => "remove_member",
            MembershipAction::SetName { .. } => "set_name",
        }
    }
}

/// Applies a membership action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &MembershipAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    match body {
        MembershipAction::IssueInvite { key, expires } => {
            issue_invite(store, ctx, author, key, *expires)
        }
        MembershipAction::Join { invite, proof } => join(store, ctx, author, invite, proof),
        MembershipAction::Leave => leave(store, ctx, author),
        MembershipAction::RemoveMember { member, reason } => {
            remove(store, ctx, author, member, reason)
        }
        MembershipAction::SetName { name } => set_name(store, ctx, author, name),
    }
}

/// Writes the community record, the founders (as council, their terms
/// starting now) and founder invites.
pub fn apply_genesis<S: StoreMut + ?Sized>(
    store: &mut S,
    id: Hash,
    genesis: &Genesis,
    time: Timestamp,
) -> Result<(), ApplyError> {
    genesis
        .rules
        .validate()
        .map_err(|e| ApplyError::InvalidGenesis(e.to_string()))?;
    let name_len = genesis.name.trim().len();
    if name_len == 0 || genesis.name.len() > crate::community::MAX_NAME_LEN {
        return Err(ApplyError::InvalidGenesis(format!(
            "a community name has 1 to {} bytes",
            crate::community::MAX_NAME_LEN
        )));
    }
    let record = CommunityRecord {
        id,
        genesis: genesis.clone(),
    };
    records::write(store, vec![table::COMMUNITY], &record);
    super::rules::store_current(
        store,
        &super::rules::CurrentRules {
            version: 0,
            since: time,
            proposal: None,
            rules: genesis.rules.clone(),
        },
    );
    let ctx = Context {
        community: id,
        rules: genesis.rules.clone(),
        time,
    };
    crate::economy::found(store, &ctx)?;
    let mut roster = store.roster()?;
    for founder in &genesis.founders {
        if store.member(founder)?.is_none() {
            put_member(
                store,
                founder,
                time,
                Some(new_seat(&genesis.rules, time)),
                None,
            );
            roster.active += 1;
            roster.council += 1;
        }
    }
    records::write(store, vec![table::ROSTER], &roster);
    for invite in &genesis.founder_invites {
        let record = Invite {
            issuer: None,
            expires: None,
            founder: true,
            claimed_by: None,
        };
        records::write(store, records::key(table::INVITE, &invite.0), &record);
    }
    Ok(())
}

fn put_member<S: StoreMut + ?Sized>(
    store: &mut S,
    key: &PublicKey,
    joined: Timestamp,
    seat: Option<Seat>,
    invited_by: Option<PublicKey>,
) {
    let member = Member {
        key: *key,
        joined,
        status: MemberStatus::Active,
        seat,
        invited_by,
        left: None,
        suspended_until: None,
    };
    records::write(store, records::key(table::MEMBER, &key.0), &member);
    super::council::index_seat(store, key, seat.is_some());
}

/// The active member `who`, or the rejection that explains why not.
pub fn active_member<S: StateRead + ?Sized>(
    store: &S,
    who: &PublicKey,
) -> Result<Member, ApplyError> {
    let member = store
        .member(who)?
        .ok_or(Rejection::NotAMember { who: *who })?;
    if member.status != MemberStatus::Active {
        return Err(Rejection::MemberInactive {
            who: *who,
            status: member.status,
        }
        .into());
    }
    Ok(member)
}

/// A council member issues an invite (unless the rules admit by vote).
pub fn issue_invite<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    key: &PublicKey,
    expires: Timestamp,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    if ctx.rules.admission == Admission::Vote {
        return Err(Rejection::AdmissionByVote.into());
    }
    council_member(store, author, ctx.time, "issue invites")?;
    if key.verifying_key().is_err() {
        return Err(Rejection::InvalidKey { key: *key }.into());
    }
    if expires <= ctx.time {
        return Err(Rejection::InviteExpiryPast.into());
    }
    if expires > ctx.time.plus(ctx.rules.invite_max_ttl) {
        return Err(Rejection::InviteTtlTooLong {
            max: ctx.rules.invite_max_ttl,
        }
        .into());
    }
    if store.invite(key)?.is_some() {
        return Err(Rejection::InviteExists.into());
    }
    let invite = Invite {
        issuer: Some(*author),
        expires: Some(expires),
        founder: false,
        claimed_by: None,
    };
    records::write(store, records::key(table::INVITE, &key.0), &invite);
    Ok(())
}

/// A non-member claims an invite and becomes a member.
pub fn join<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    invite_key: &PublicKey,
    proof: &Signature,
) -> Result<(), ApplyError> {
    if let Some(member) = store.member(author)?
        && member.status == MemberStatus::Active
    {
        return Err(Rejection::AlreadyMember { who: *author }.into());
    }
    let mut invite = store.invite(invite_key)?.ok_or(Rejection::InviteUnknown {
        invite: *invite_key,
    })?;
    // A founder invite is how a new community gets its first member,
    // whatever the rules say about admission. (Under admission by vote no
    // other invite can be issued; refusing its claim keeps the rule whole
    // on its own.)
    if ctx.rules.admission == Admission::Vote && !invite.founder {
        return Err(Rejection::AdmissionByVote.into());
    }
    if invite.claimed_by.is_some() {
        return Err(Rejection::InviteUsed.into());
    }
    if let Some(expires) = invite.expires
        && ctx.time > expires
    {
        return Err(Rejection::InviteExpired { expired: expires }.into());
    }
    if invite_key
        .verify(&invite_claim(&ctx.community, author), proof)
        .is_err()
    {
        return Err(Rejection::InvalidInviteProof.into());
    }
    invite.claimed_by = Some(*author);
    records::write(store, records::key(table::INVITE, &invite_key.0), &invite);
    // A founder invite's claimant is seated as they claim it.
    let seat = invite.founder.then(|| new_seat(&ctx.rules, ctx.time));
    put_member(store, author, ctx.time, seat, invite.issuer);
    let mut roster = store.roster()?;
    roster.active += 1;
    if invite.founder {
        roster.council += 1;
    }
    records::write(store, vec![table::ROSTER], &roster);
    Ok(())
}

/// A member leaves. The last council member may not.
pub fn leave<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
) -> Result<(), ApplyError> {
    let member = active_member(store, author)?;
    let mut roster = store.roster()?;
    if member.on_council() && roster.council <= 1 {
        return Err(Rejection::LastCouncilMember.into());
    }
    set_inactive(store, ctx.time, member, MemberStatus::Left, &mut roster);
    records::write(store, vec![table::ROSTER], &roster);
    Ok(())
}

/// A council member removes another member.
pub fn remove<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    member: &PublicKey,
    reason: &str,
) -> Result<(), ApplyError> {
    council_member(store, author, ctx.time, "remove members")?;
    if reason.len() > MAX_REASON_LEN {
        return Err(Rejection::TextTooLong {
            field: "reason",
            len: reason.len(),
            max: MAX_REASON_LEN,
        }
        .into());
    }
    if author == member {
        return Err(Rejection::CannotRemoveSelf.into());
    }
    let target = active_member(store, member)?;
    let mut roster = store.roster()?;
    set_inactive(store, ctx.time, target, MemberStatus::Removed, &mut roster);
    records::write(store, vec![table::ROSTER], &roster);
    Ok(())
}

fn set_inactive<S: StoreMut + ?Sized>(
    store: &mut S,
    time: Timestamp,
    mut member: Member,
    status: MemberStatus,
    roster: &mut records::Roster,
) {
    roster.active = roster.active.saturating_sub(1);
    if member.on_council() {
        roster.council = roster.council.saturating_sub(1);
    }
    member.status = status;
    member.left = Some(time);
    member.seat = None;
    records::write(store, records::key(table::MEMBER, &member.key.0), &member);
    super::council::index_seat(store, &member.key, false);
}

/// A member sets (or, with an empty name, clears) their display name.
pub fn set_name<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    name: &str,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let key = records::key(table::NAME, &author.0);
    if name.is_empty() {
        store.delete(key);
        return Ok(());
    }
    check_display_name(name)?;
    let record = DisplayName {
        name: name.to_string(),
        since: ctx.time,
    };
    records::write(store, key, &record);
    Ok(())
}

/// Whether `name` can be shown as a display name (the CLI checks it
/// before signing, the state machine when applying).
pub fn check_display_name(name: &str) -> Result<(), Rejection> {
    let invalid = |reason| Err(Rejection::InvalidName { reason });
    if name.len() > MAX_DISPLAY_NAME_LEN {
        return Err(Rejection::TextTooLong {
            field: "name",
            len: name.len(),
            max: MAX_DISPLAY_NAME_LEN,
        });
    }
    if name.trim().is_empty() {
        return invalid("a name has at least one visible character");
    }
    if name.trim() != name {
        return invalid("a name does not begin or end with a space");
    }
    if name.chars().any(char::is_control) {
        return invalid("a name has no control characters (such as line breaks)");
    }
    Ok(())
}

/// The display name `who` set, if any.
pub fn display_name<S: StateRead + ?Sized>(
    store: &S,
    who: &PublicKey,
) -> Result<Option<DisplayName>, StoreError> {
    records::read(store, &records::key(table::NAME, &who.0))
}

/// A membership vote passed: the key joins (unless it already has).
pub fn admit_by_vote<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    member: &PublicKey,
) -> Result<(), ApplyError> {
    if active_member(store, member).is_ok() {
        return Ok(());
    }
    put_member(store, member, ctx.time, None, None);
    let mut roster = store.roster()?;
    roster.active += 1;
    records::write(store, vec![table::ROSTER], &roster);
    Ok(())
}
