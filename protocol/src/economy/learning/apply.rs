//! Applying learning's actions and the council's revocations.

use crate::action::Action;
use crate::crypto::{Hash, PublicKey};
use crate::economy::ledger;
use crate::economy::payout::{self, Payout};
use crate::state::council::council_member;
use crate::state::membership::active_member;
use crate::state::records::Account;
use crate::state::store::StoreMut;
use crate::state::{ApplyError, Context, Rejection, StateRead};
use crate::units::{Kc, Timestamp};

use super::tables::*;
use super::*;

/// Applies a learning action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &LearningAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    active_member(store, author)?;
    match body {
        LearningAction::AddSkill {
            name,
            description,
            prerequisites,
        } => {
            check_steward(store, ctx, author, "add skills")?;
            let name = check_skill(store, None, name, description, prerequisites)?;
            let skill = Skill {
                id: action.id(),
                name,
                description: description.clone(),
                prerequisites: prerequisites.clone(),
                created_by: *author,
                created: ctx.time,
                updated: ctx.time,
            };
            save_skill(store, &skill);
            Ok(())
        }
        LearningAction::EditSkill {
            skill,
            name,
            description,
            prerequisites,
        } => {
            check_steward(store, ctx, author, "edit skills")?;
            let mut record = load_skill(store, skill)?;
            let name = check_skill(store, Some(&record), name, description, prerequisites)?;
            if let Some(path) = cycle(store, &record, prerequisites)? {
                return Err(LearningRejection::PrerequisiteCycle { path }.into());
            }
            record.name = name;
            record.description = description.clone();
            record.prerequisites = prerequisites.clone();
            record.updated = ctx.time;
            save_skill(store, &record);
            Ok(())
        }
        LearningAction::Schedule {
            skill,
            start,
            end,
            place,
            capacity,
        } => schedule(
            store,
            ctx,
            author,
            action.id(),
            skill,
            *start,
            *end,
            place,
            *capacity,
        ),
        LearningAction::Enrol { session } => enrol(store, ctx, author, session),
        LearningAction::Cancel { session } => {
            let mut s = load_session(store, session)?;
            if s.teacher != *author {
                return Err(LearningRejection::NotTeacher.into());
            }
            if s.cancelled.is_some() {
                return Err(LearningRejection::SessionCancelled.into());
            }
            if ctx.time >= s.start {
                return Err(LearningRejection::SessionStarted { start: s.start }.into());
            }
            s.cancelled = Some(ctx.time);
            unindex_session(store, &s);
            save_session(store, &s);
            Ok(())
        }
        LearningAction::Confirm { session } => confirm(store, ctx, author, session),
        LearningAction::Endorse { member, skill } => endorse(store, ctx, author, member, skill),
        LearningAction::Unendorse { member, skill } => {
            load_skill(store, skill)?;
            if !endorsement_exists(store, member, skill, author)? {
                return Err(LearningRejection::NoEndorsement.into());
            }
            delete_endorsement(store, member, skill, author);
            Ok(())
        }
        LearningAction::Teach { skill, offer } => {
            load_skill(store, skill)?;
            match verification(store, author, skill)? {
                Some(mut v) if v.valid() => {
                    v.teaches = *offer;
                    save_verification(store, &v);
                    Ok(())
                }
                _ => Err(LearningRejection::NotVerified.into()),
            }
        }
        LearningAction::Contribute { amount } => contribute(store, ctx, author, *amount),
    }
}

/// Whether `who` keeps the skill graph: an appointed assessor or a
/// council member in power.
pub fn steward<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    who: &PublicKey,
) -> Result<bool, ApplyError> {
    if ctx.rules.learning.assessors.contains(who) {
        return Ok(true);
    }
    match council_member(store, who, ctx.time, "keep the skill graph") {
        Ok(_) => Ok(true),
        Err(ApplyError::Rejected(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether `who` is an assessor: one the rules appoint
/// (`learning.assessors`), or, when they appoint none, a council member
/// in power.
pub fn assessor<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    who: &PublicKey,
) -> Result<bool, ApplyError> {
    let appointed = &ctx.rules.learning.assessors;
    if !appointed.is_empty() {
        return Ok(appointed.contains(who));
    }
    match council_member(store, who, ctx.time, "assess skills") {
        Ok(_) => Ok(true),
        Err(ApplyError::Rejected(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

fn check_steward<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    who: &PublicKey,
    what: &'static str,
) -> Result<(), ApplyError> {
    if steward(store, ctx, who)? {
        Ok(())
    } else {
        Err(LearningRejection::NotSteward { what }.into())
    }
}

/// Checks a skill's name, description and prerequisites; returns the
/// trimmed name. `editing` is the skill being edited (its own name is free).
fn check_skill<S: StateRead + ?Sized>(
    store: &S,
    editing: Option<&Skill>,
    name: &str,
    description: &str,
    prerequisites: &[Hash],
) -> Result<String, ApplyError> {
    let bad = |reason| Err(LearningRejection::InvalidSkill { reason }.into());
    let trimmed = name.trim();
    if trimmed.is_empty()
        || name.len() > MAX_SKILL_NAME_LEN
        || trimmed.chars().any(char::is_control)
    {
        return bad("a name has 1 to 120 bytes of printable text");
    }
    if description.len() > MAX_DESCRIPTION_LEN {
        return Err(Rejection::TextTooLong {
            field: "description",
            len: description.len(),
            max: MAX_DESCRIPTION_LEN,
        }
        .into());
    }
    if prerequisites.len() > MAX_PREREQUISITES {
        return bad("a skill names at most 32 prerequisites");
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in prerequisites {
        if !seen.insert(p) {
            return bad("a prerequisite is named twice");
        }
        if editing.is_some_and(|s| s.id == *p) {
            return Err(LearningRejection::PrerequisiteCycle {
                path: vec![trimmed.to_string(), trimmed.to_string()],
            }
            .into());
        }
        load_skill(store, p)?;
    }
    if let Some(other) = skill_named(store, trimmed)?
        && editing.is_none_or(|s| s.id != other.id)
    {
        return bad("another skill has this name");
    }
    Ok(trimmed.to_string())
}

/// The cycle that giving `skill` the prerequisites `new` would close, as
/// skill names from `skill` through its prerequisites back to it: a
/// depth-first search from each new prerequisite for `skill`.
fn cycle<S: StateRead + ?Sized>(
    store: &S,
    skill: &Skill,
    new: &[Hash],
) -> Result<Option<Vec<String>>, ApplyError> {
    let mut visited = std::collections::BTreeSet::new();
    for start in new {
        // Iterative DFS keeping the path of ids from `start`.
        let mut stack: Vec<(Hash, usize)> = vec![(*start, 0)];
        let mut path: Vec<Hash> = Vec::new();
        while let Some((id, depth)) = stack.pop() {
            path.truncate(depth);
            path.push(id);
            if id == skill.id {
                let mut names = vec![skill.name.clone()];
                for step in &path {
                    names.push(load_skill(store, step)?.name);
                }
                return Ok(Some(names));
            }
            if !visited.insert(id) {
                continue;
            }
            for p in load_skill(store, &id)?.prerequisites {
                stack.push((p, depth + 1));
            }
        }
    }
    Ok(None)
}

#[allow(clippy::too_many_arguments)]
fn schedule<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    skill: &Hash,
    start: Timestamp,
    end: Timestamp,
    place: &str,
    capacity: u32,
) -> Result<(), ApplyError> {
    load_skill(store, skill)?;
    let bad = |reason| Err(LearningRejection::InvalidSession { reason }.into());
    if start <= ctx.time {
        return bad("a session starts in the future");
    }
    if end <= start || end.0 - start.0 > MAX_SESSION.0 {
        return bad("a session ends after it starts, at most a week later");
    }
    if place.trim().is_empty() || place.len() > MAX_DESCRIPTION_LEN {
        return bad("a place has 1 to 2000 bytes");
    }
    if capacity == 0 || capacity > MAX_CAPACITY {
        return bad("a session takes 1 to 200 students");
    }
    let session = Session {
        id,
        skill: *skill,
        teacher: *author,
        start,
        end,
        place: place.trim().to_string(),
        capacity,
        students: Vec::new(),
        cancelled: None,
        created: ctx.time,
    };
    index_session(store, &session);
    save_session(store, &session);
    Ok(())
}

fn enrol<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    session: &Hash,
) -> Result<(), ApplyError> {
    let mut s = load_session(store, session)?;
    if s.cancelled.is_some() {
        return Err(LearningRejection::SessionCancelled.into());
    }
    if s.teacher == *author {
        return Err(LearningRejection::OwnSession.into());
    }
    if ctx.time >= s.start {
        return Err(LearningRejection::SessionStarted { start: s.start }.into());
    }
    if s.students.iter().any(|st| st.member == *author) {
        return Err(LearningRejection::AlreadyEnrolled.into());
    }
    if s.students.len() >= s.capacity as usize {
        return Err(LearningRejection::SessionFull {
            capacity: s.capacity,
        }
        .into());
    }
    s.students.push(Student {
        member: *author,
        enrolled: ctx.time,
        confirmed: None,
    });
    save_session(store, &s);
    Ok(())
}

fn confirm<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    session: &Hash,
) -> Result<(), ApplyError> {
    let mut s = load_session(store, session)?;
    let Some(index) = s.students.iter().position(|st| st.member == *author) else {
        return Err(LearningRejection::NotEnrolled.into());
    };
    if s.cancelled.is_some() {
        return Err(LearningRejection::SessionCancelled.into());
    }
    if ctx.time < s.end {
        return Err(LearningRejection::SessionNotOver { end: s.end }.into());
    }
    let closed = s.end.plus(ctx.rules.learning.confirmation_window);
    if ctx.time >= closed {
        return Err(LearningRejection::ConfirmationClosed { closed }.into());
    }
    if s.students[index].confirmed.is_some() {
        return Err(LearningRejection::AlreadyConfirmed.into());
    }
    let first = s.confirmations() == 0;
    s.students[index].confirmed = Some(ctx.time);
    save_session(store, &s);
    count(store, ctx.time, |m| {
        m.completions += 1;
        if first {
            m.sessions += 1;
        }
    })?;
    if first {
        earn(
            store,
            ctx,
            &s.id,
            &s.teacher,
            true,
            ctx.rules.learning.teacher_reward,
        )?;
    }
    earn(
        store,
        ctx,
        &s.id,
        author,
        false,
        ctx.rules.learning.student_reward,
    )?;
    pay_line(store, ctx)
}

/// Records `member`'s reward for `session` and puts it in the education
/// pool's line — once: a reward that exists is never created again.
fn earn<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    session: &Hash,
    member: &PublicKey,
    teacher: bool,
    amount: Kc,
) -> Result<(), ApplyError> {
    let id = reward_id(session, member);
    if amount.0 <= 0 || reward(store, &id)?.is_some() {
        return Ok(());
    }
    save_reward(
        store,
        &Reward {
            id,
            session: *session,
            member: *member,
            teacher,
            amount,
            paid: Kc::ZERO,
            created: ctx.time,
        },
    );
    payout::enqueue(
        store,
        &education_pool_id(&ctx.community),
        &Payout {
            id,
            member: *member,
            owed: amount,
            approved: ctx.time,
        },
    )?;
    Ok(())
}

/// Pays the education pool's line as far as its money goes, and records
/// what each reward received.
pub fn pay_line<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context) -> Result<(), ApplyError> {
    let pool = education_pool_id(&ctx.community);
    let settled = payout::settle(store, ctx, &pool)?;
    let mut total = 0i64;
    for s in settled {
        let Some(mut r) = reward(store, &s.id)? else {
            return Err(ApplyError::Misfit(
                "a payout of the education pool is no reward",
            ));
        };
        r.paid = Kc(r.paid.0 + s.paid.0);
        total += s.paid.0;
        save_reward(store, &r);
    }
    if total > 0 {
        count(store, ctx.time, |m| {
            m.rewards_paid = Kc(m.rewards_paid.0.saturating_add(total))
        })?;
    }
    Ok(())
}

fn contribute<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    amount: Kc,
) -> Result<(), ApplyError> {
    if amount.0 <= 0 {
        return Err(Rejection::InvalidAmount { amount }.into());
    }
    let pool = Account::Pool(education_pool_id(&ctx.community));
    ledger::pay_from_member(store, ctx, author, &pool, amount)?;
    count(store, ctx.time, |m| {
        m.contributed = Kc(m.contributed.0.saturating_add(amount.0))
    })?;
    pay_line(store, ctx)
}

fn endorse<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    member: &PublicKey,
    skill: &Hash,
) -> Result<(), ApplyError> {
    if author == member {
        return Err(LearningRejection::SelfEndorsement.into());
    }
    active_member(store, member)?;
    load_skill(store, skill)?;
    if is_verified(store, member, skill)? {
        return Err(LearningRejection::AlreadyVerified.into());
    }
    let by_assessor = assessor(store, ctx, author)?;
    if !by_assessor && !is_verified(store, author, skill)? {
        return Err(LearningRejection::NotQualified.into());
    }
    if endorsement_exists(store, member, skill, author)? {
        return Err(LearningRejection::AlreadyEndorsed.into());
    }
    save_endorsement(
        store,
        &Endorsement {
            member: *member,
            skill: *skill,
            endorser: *author,
            at: ctx.time,
        },
    );
    // Only endorsements of members still verified (or still assessors)
    // count: a revoked endorser's earlier endorsement no longer does.
    let mut by = Vec::new();
    for e in endorsements(store, member, skill)? {
        if assessor(store, ctx, &e.endorser)? || is_verified(store, &e.endorser, skill)? {
            by.push(e.endorser);
        }
    }
    if !by_assessor && by.len() < ctx.rules.learning.skill_endorsements as usize {
        return Ok(());
    }
    for e in endorsements(store, member, skill)? {
        delete_endorsement(store, member, skill, &e.endorser);
    }
    let by = if by_assessor { vec![*author] } else { by };
    save_verification(
        store,
        &Verification {
            member: *member,
            skill: *skill,
            verified_at: ctx.time,
            by,
            by_assessor,
            teaches: false,
            revoked: None,
        },
    );
    count(store, ctx.time, |m| m.verifications += 1)?;
    Ok(())
}

/// Checks a proposed revocation: the skill exists and the member is
/// verified in it.
pub fn check_revocation<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
) -> Result<(), ApplyError> {
    load_skill(store, skill)?;
    if !is_verified(store, member, skill)? {
        return Err(LearningRejection::NotVerified.into());
    }
    Ok(())
}

/// The council's moderation decision `proposal` (its text the reason)
/// revokes `member`'s verification in `skill`. A verification already
/// gone changes nothing.
pub fn revoke<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    proposal: &Hash,
    reason: &str,
    member: &PublicKey,
    skill: &Hash,
) -> Result<(), ApplyError> {
    let Some(mut v) = verification(store, member, skill)? else {
        return Ok(());
    };
    if !v.valid() {
        return Ok(());
    }
    let revocation = Revocation {
        member: *member,
        skill: *skill,
        at: ctx.time,
        proposal: *proposal,
        reason: reason.to_string(),
    };
    save_revocation(store, &revocation);
    v.revoked = Some(revocation);
    v.teaches = false;
    save_verification(store, &v);
    Ok(())
}
