//! Learning's records and indexes, and the queries members read.
//!
//! Tables: `learn_skill` (skills by id), `learn_session` (sessions by id),
//! `learn_skill_session` ((skill, start, session): upcoming sessions of a
//! skill), `learn_verified` ((member, skill) → verification),
//! `learn_skill_verified` ((skill, member): who is verified in a skill),
//! `learn_endorsement` ((member, skill, endorser): endorsements not yet
//! counted), `learn_reward` (rewards by id), `learn_month` (counters per
//! month) and `learn_revocation` ((member, skill, time): every revocation,
//! kept for good).

use std::collections::HashMap;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::economy::income::month_index;
use crate::state::records::{self, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::{Kc, Timestamp};

use super::*;

/// A skill of the graph.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Skill {
    /// Its id: the action that added it.
    pub id: Hash,
    /// Its name, unique.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Skills learned before it.
    pub prerequisites: Vec<Hash>,
    /// Who added it.
    pub created_by: PublicKey,
    /// When it was added.
    pub created: Timestamp,
    /// When it last changed.
    pub updated: Timestamp,
}
impl Canonical for Skill {}

/// One student of a session.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Student {
    /// The member.
    pub member: PublicKey,
    /// When they enrolled.
    pub enrolled: Timestamp,
    /// When they confirmed completion.
    pub confirmed: Option<Timestamp>,
}

/// A peer session.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Session {
    /// Its id: the scheduling action.
    pub id: Hash,
    /// The skill taught.
    pub skill: Hash,
    /// Who teaches.
    pub teacher: PublicKey,
    /// When it starts.
    pub start: Timestamp,
    /// When it ends.
    pub end: Timestamp,
    /// Where.
    pub place: String,
    /// Most students.
    pub capacity: u32,
    /// Its students, in order of enrolment.
    pub students: Vec<Student>,
    /// When the teacher cancelled it.
    pub cancelled: Option<Timestamp>,
    /// When it was scheduled.
    pub created: Timestamp,
}
impl Canonical for Session {}

impl Session {
    /// Students who confirmed completion.
    pub fn confirmations(&self) -> usize {
        self.students
            .iter()
            .filter(|s| s.confirmed.is_some())
            .count()
    }
}

/// A pending endorsement.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Endorsement {
    /// Who is endorsed.
    pub member: PublicKey,
    /// The skill.
    pub skill: Hash,
    /// Who endorses.
    pub endorser: PublicKey,
    /// When.
    pub at: Timestamp,
}
impl Canonical for Endorsement {}

/// A revocation of a verification, by a council moderation decision.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Revocation {
    /// Whose verification.
    pub member: PublicKey,
    /// Of which skill.
    pub skill: Hash,
    /// When the decision took effect.
    pub at: Timestamp,
    /// The moderation proposal that decided it.
    pub proposal: Hash,
    /// Its reason: the proposal's text.
    pub reason: String,
}
impl Canonical for Revocation {}

/// A member's verification in a skill.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Verification {
    /// The member.
    pub member: PublicKey,
    /// The skill.
    pub skill: Hash,
    /// When it was verified.
    pub verified_at: Timestamp,
    /// Who endorsed it (the endorsements that counted).
    pub by: Vec<PublicKey>,
    /// Whether an appointed assessor verified it.
    pub by_assessor: bool,
    /// Whether the member offers to teach the skill.
    pub teaches: bool,
    /// Set when the council revoked it.
    pub revoked: Option<Revocation>,
}
impl Canonical for Verification {}

impl Verification {
    /// Whether it stands (not revoked).
    pub fn valid(&self) -> bool {
        self.revoked.is_none()
    }
}

/// A reward of a peer session.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Reward {
    /// Its id ([`reward_id`] of the session and member).
    pub id: Hash,
    /// The session.
    pub session: Hash,
    /// Who earns it.
    pub member: PublicKey,
    /// Whether it is the teacher's (else a student's).
    pub teacher: bool,
    /// What it is worth.
    pub amount: Kc,
    /// What the education pool paid so far.
    pub paid: Kc,
    /// When it was earned.
    pub created: Timestamp,
}
impl Canonical for Reward {}

/// Learning figures of one calendar month.
#[derive(Clone, Default, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct LearningMonth {
    /// Months since 1970-01.
    pub month: u32,
    /// Confirmed completions (one per confirming student).
    pub completions: u64,
    /// Sessions held (their first confirmation fell in the month).
    pub sessions: u64,
    /// Skills verified.
    pub verifications: u64,
    /// Money contributed to the education pool.
    pub contributed: Kc,
    /// Rewards the education pool paid.
    pub rewards_paid: Kc,
}
impl Canonical for LearningMonth {}

fn pair(a: &[u8; 32], b: &[u8; 32]) -> Vec<u8> {
    let mut id = Vec::with_capacity(64);
    id.extend_from_slice(a);
    id.extend_from_slice(b);
    id
}

fn skill_key(id: &Hash) -> Vec<u8> {
    records::key(table::LEARN_SKILL, &id.0)
}

fn session_key(id: &Hash) -> Vec<u8> {
    records::key(table::LEARN_SESSION, &id.0)
}

fn verified_key(member: &PublicKey, skill: &Hash) -> Vec<u8> {
    records::key(table::LEARN_VERIFIED, &pair(&member.0, &skill.0))
}

fn skill_verified_key(skill: &Hash, member: &PublicKey) -> Vec<u8> {
    records::key(table::LEARN_SKILL_VERIFIED, &pair(&skill.0, &member.0))
}

fn endorsement_prefix(member: &PublicKey, skill: &Hash) -> Vec<u8> {
    records::key(table::LEARN_ENDORSEMENT, &pair(&member.0, &skill.0))
}

fn endorsement_key(member: &PublicKey, skill: &Hash, endorser: &PublicKey) -> Vec<u8> {
    let mut key = endorsement_prefix(member, skill);
    key.extend_from_slice(&endorser.0);
    key
}

fn reward_key(id: &Hash) -> Vec<u8> {
    records::key(table::LEARN_REWARD, &id.0)
}

fn month_key(month: u32) -> Vec<u8> {
    records::key(table::LEARN_MONTH, &month.to_be_bytes())
}

fn revocation_prefix(member: &PublicKey, skill: &Hash) -> Vec<u8> {
    records::key(table::LEARN_REVOCATION, &pair(&member.0, &skill.0))
}

fn session_index_prefix(skill: &Hash) -> Vec<u8> {
    records::key(table::LEARN_SKILL_SESSION, &skill.0)
}

fn session_index_key(skill: &Hash, start: Timestamp, session: &Hash) -> Vec<u8> {
    let mut key = session_index_prefix(skill);
    key.extend_from_slice(&start.0.to_be_bytes());
    key.extend_from_slice(&session.0);
    key
}

/// A skill by id.
pub fn skill<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Skill>, StoreError> {
    records::read(store, &skill_key(id))
}

/// Every skill, in id order.
pub fn skills<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Skill>, StoreError> {
    records::read_all(store, table::LEARN_SKILL)
}

/// A skill by its exact name.
pub fn skill_named<S: StateRead + ?Sized>(
    store: &S,
    name: &str,
) -> Result<Option<Skill>, StoreError> {
    Ok(skills(store)?.into_iter().find(|s| s.name == name))
}

pub(super) fn load_skill<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Skill, ApplyError> {
    skill(store, id)?.ok_or_else(|| LearningRejection::UnknownSkill { skill: *id }.into())
}

pub(super) fn save_skill<S: StoreMut + ?Sized>(store: &mut S, skill: &Skill) {
    records::write(store, skill_key(&skill.id), skill);
}

/// A session by id.
pub fn session<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Session>, StoreError> {
    records::read(store, &session_key(id))
}

/// Every session, in id order.
pub fn sessions<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Session>, StoreError> {
    records::read_all(store, table::LEARN_SESSION)
}

pub(super) fn load_session<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Session, ApplyError> {
    session(store, id)?.ok_or_else(|| LearningRejection::UnknownSession { session: *id }.into())
}

pub(super) fn save_session<S: StoreMut + ?Sized>(store: &mut S, session: &Session) {
    records::write(store, session_key(&session.id), session);
}

pub(super) fn index_session<S: StoreMut + ?Sized>(store: &mut S, session: &Session) {
    store.put(
        session_index_key(&session.skill, session.start, &session.id),
        Vec::new(),
    );
}

pub(super) fn unindex_session<S: StoreMut + ?Sized>(store: &mut S, session: &Session) {
    store.delete(session_index_key(
        &session.skill,
        session.start,
        &session.id,
    ));
}

/// Up to `limit` sessions teaching `skill` that start at or after `now`
/// and were not cancelled, soonest first: a range read of the skill's
/// time index.
pub fn upcoming<S: StateRead + ?Sized>(
    store: &S,
    skill: &Hash,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<Session>, StoreError> {
    let prefix = session_index_prefix(skill);
    let mut from = prefix.clone();
    from.extend_from_slice(&now.0.to_be_bytes());
    let mut to = prefix;
    to.extend_from_slice(&[0xff; 40]);
    let mut out = Vec::new();
    for (key, _) in store.range(&from, &to, limit)? {
        let id: [u8; 32] = key[key.len() - 32..]
            .try_into()
            .map_err(|_| StoreError("corrupt session index".into()))?;
        if let Some(s) = session(store, &Hash(id))? {
            out.push(s);
        }
    }
    Ok(out)
}

/// [`upcoming`] for many skills at once, in one scan of the session
/// index (for long paths, where one seek per skill costs more): the
/// sessions of each of `skills` starting at or after `now`, soonest first,
/// at most `limit` each.
pub fn upcoming_of<S: StateRead + ?Sized>(
    store: &S,
    skills: &std::collections::BTreeSet<Hash>,
    now: Timestamp,
    limit: usize,
) -> Result<HashMap<Hash, Vec<Session>>, StoreError> {
    let mut out: HashMap<Hash, Vec<Session>> = HashMap::new();
    let corrupt = || StoreError("corrupt session index".into());
    for (key, _) in store.scan_prefix(&[table::LEARN_SKILL_SESSION])? {
        if key.len() != 1 + 32 + 8 + 32 {
            return Err(corrupt());
        }
        let skill = Hash(key[1..33].try_into().map_err(|_| corrupt())?);
        let start = u64::from_be_bytes(key[33..41].try_into().map_err(|_| corrupt())?);
        if start < now.0 || !skills.contains(&skill) {
            continue;
        }
        let found = out.entry(skill).or_default();
        if found.len() < limit
            && let Some(s) = session(store, &Hash(key[41..].try_into().map_err(|_| corrupt())?))?
        {
            found.push(s);
        }
    }
    Ok(out)
}

/// [`verified_in`] for many skills at once, in one scan of the index of
/// verified members.
pub fn verified_in_all<S: StateRead + ?Sized>(
    store: &S,
    skills: &std::collections::BTreeSet<Hash>,
) -> Result<HashMap<Hash, Vec<Verification>>, StoreError> {
    let mut out: HashMap<Hash, Vec<Verification>> = HashMap::new();
    let corrupt = || StoreError("corrupt verified index".into());
    for (key, _) in store.scan_prefix(&[table::LEARN_SKILL_VERIFIED])? {
        if key.len() != 1 + 32 + 32 {
            return Err(corrupt());
        }
        let skill = Hash(key[1..33].try_into().map_err(|_| corrupt())?);
        if !skills.contains(&skill) {
            continue;
        }
        let member = PublicKey(key[33..].try_into().map_err(|_| corrupt())?);
        if let Some(v) = verification(store, &member, &skill)?
            && v.valid()
        {
            out.entry(skill).or_default().push(v);
        }
    }
    Ok(out)
}

/// The member's verification in a skill (revoked or not), if any: when,
/// by whom, and whether it was revoked.
pub fn verification<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
) -> Result<Option<Verification>, StoreError> {
    records::read(store, &verified_key(member, skill))
}

/// Whether the member is verified in the skill and not revoked.
pub fn is_verified<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
) -> Result<bool, StoreError> {
    Ok(verification(store, member, skill)?.is_some_and(|v| v.valid()))
}

/// Every verification of a member (revoked ones too), in skill id order.
pub fn verifications<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<Verification>, StoreError> {
    store
        .scan_prefix(&records::key(table::LEARN_VERIFIED, &member.0))?
        .into_iter()
        .map(|(k, v)| {
            Verification::from_bytes(&v).map_err(|e| {
                StoreError(format!(
                    "corrupt verification {}: {e}",
                    crate::crypto::hex(&k)
                ))
            })
        })
        .collect()
}

/// The members currently verified in a skill, in key order.
pub fn verified_in<S: StateRead + ?Sized>(
    store: &S,
    skill: &Hash,
) -> Result<Vec<Verification>, StoreError> {
    let prefix = records::key(table::LEARN_SKILL_VERIFIED, &skill.0);
    let mut out = Vec::new();
    for (key, _) in store.scan_prefix(&prefix)? {
        let member: [u8; 32] = key[prefix.len()..]
            .try_into()
            .map_err(|_| StoreError("corrupt verified index".into()))?;
        if let Some(v) = verification(store, &PublicKey(member), skill)?
            && v.valid()
        {
            out.push(v);
        }
    }
    Ok(out)
}

pub(super) fn save_verification<S: StoreMut + ?Sized>(store: &mut S, v: &Verification) {
    records::write(store, verified_key(&v.member, &v.skill), v);
    if v.valid() {
        store.put(skill_verified_key(&v.skill, &v.member), Vec::new());
    } else {
        store.delete(skill_verified_key(&v.skill, &v.member));
    }
}

/// The endorsements of `member` in `skill` that have not counted yet.
pub fn endorsements<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
) -> Result<Vec<Endorsement>, StoreError> {
    store
        .scan_prefix(&endorsement_prefix(member, skill))?
        .into_iter()
        .map(|(_, v)| {
            Endorsement::from_bytes(&v).map_err(|e| StoreError(format!("corrupt endorsement: {e}")))
        })
        .collect()
}

/// Every pending endorsement, in key order.
pub fn all_endorsements<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Endorsement>, StoreError> {
    records::read_all(store, table::LEARN_ENDORSEMENT)
}

pub(super) fn endorsement_exists<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
    endorser: &PublicKey,
) -> Result<bool, StoreError> {
    Ok(store
        .get(&endorsement_key(member, skill, endorser))?
        .is_some())
}

pub(super) fn save_endorsement<S: StoreMut + ?Sized>(store: &mut S, e: &Endorsement) {
    records::write(store, endorsement_key(&e.member, &e.skill, &e.endorser), e);
}

pub(super) fn delete_endorsement<S: StoreMut + ?Sized>(
    store: &mut S,
    member: &PublicKey,
    skill: &Hash,
    endorser: &PublicKey,
) {
    store.delete(endorsement_key(member, skill, endorser));
}

/// A reward by id.
pub fn reward<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Reward>, StoreError> {
    records::read(store, &reward_key(id))
}

/// Every reward, in id order.
pub fn rewards<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Reward>, StoreError> {
    records::read_all(store, table::LEARN_REWARD)
}

pub(super) fn save_reward<S: StoreMut + ?Sized>(store: &mut S, reward: &Reward) {
    records::write(store, reward_key(&reward.id), reward);
}

/// The learning figures of the month `time` falls in (zero if none yet).
pub fn month<S: StateRead + ?Sized>(store: &S, index: u32) -> Result<LearningMonth, StoreError> {
    Ok(
        records::read(store, &month_key(index))?.unwrap_or(LearningMonth {
            month: index,
            ..LearningMonth::default()
        }),
    )
}

/// Every month with learning figures, oldest first.
pub fn months<S: StateRead + ?Sized>(store: &S) -> Result<Vec<LearningMonth>, StoreError> {
    records::read_all(store, table::LEARN_MONTH)
}

/// Adds to the counters of the month `time` falls in.
pub(super) fn count<S: StoreMut + ?Sized>(
    store: &mut S,
    time: Timestamp,
    change: impl FnOnce(&mut LearningMonth),
) -> Result<(), StoreError> {
    let index = month_index(time);
    let mut figures = month(&*store, index)?;
    change(&mut figures);
    records::write(store, month_key(index), &figures);
    Ok(())
}

/// Every revocation of `member`'s verification in `skill`, oldest first.
pub fn revocations<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
) -> Result<Vec<Revocation>, StoreError> {
    store
        .scan_prefix(&revocation_prefix(member, skill))?
        .into_iter()
        .map(|(_, v)| {
            Revocation::from_bytes(&v).map_err(|e| StoreError(format!("corrupt revocation: {e}")))
        })
        .collect()
}

/// Every revocation the community decided, in (member, skill, time) order.
pub fn all_revocations<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Revocation>, StoreError> {
    records::read_all(store, table::LEARN_REVOCATION)
}

pub(super) fn save_revocation<S: StoreMut + ?Sized>(store: &mut S, r: &Revocation) {
    let mut key = revocation_prefix(&r.member, &r.skill);
    key.extend_from_slice(&r.at.0.to_be_bytes());
    key.extend_from_slice(&r.proposal.0);
    records::write(store, key, r);
}

/// The first revocation of `member`'s verification in `skill` at or
/// after `since`: what makes a credential issued at `since` revoked.
pub fn revoked_since<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    skill: &Hash,
    since: Timestamp,
) -> Result<Option<Revocation>, StoreError> {
    Ok(revocations(store, member, skill)?
        .into_iter()
        .find(|r| r.at >= since))
}

/// The education pool as members see it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct EducationPool {
    /// Its id (`Account::Pool` of it holds the money).
    pub id: Hash,
    /// What it holds.
    pub balance: Kc,
    /// What rewards still wait for.
    pub owed: Kc,
}

/// The education pool's balance and what it owes.
pub fn education_pool<S: StateRead + ?Sized>(
    store: &S,
    community: &Hash,
) -> Result<EducationPool, StoreError> {
    let id = education_pool_id(community);
    let owed = crate::economy::payout::waiting(store, &id)?
        .iter()
        .map(|p| p.owed.0)
        .sum();
    Ok(EducationPool {
        id,
        balance: store.balance(&crate::state::records::Account::Pool(id))?,
        owed: Kc(owed),
    })
}

/// What the audit checks of learning: every reward paid at most its
/// amount, and the education pool holds exactly what was contributed
/// minus what rewards were paid.
pub fn audit<S: StateRead + ?Sized>(
    store: &S,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut paid = 0i64;
    for r in rewards(store)? {
        if r.paid.0 < 0 || r.paid > r.amount {
            problems.push(format!(
                "learning reward {} was paid {} of {}",
                r.id, r.paid, r.amount
            ));
        }
        paid = paid.saturating_add(r.paid.0);
    }
    let months = months(store)?;
    let contributed: i64 = months.iter().map(|m| m.contributed.0).sum();
    let recorded: i64 = months.iter().map(|m| m.rewards_paid.0).sum();
    if recorded != paid {
        problems.push(format!(
            "learning months record {} of rewards paid, the rewards {}",
            Kc(recorded),
            Kc(paid)
        ));
    }
    let Some(community) = store.community()? else {
        return Ok(());
    };
    let pool = education_pool_id(&community.id);
    let balance = store.balance(&crate::state::records::Account::Pool(pool))?;
    if balance.0 != contributed - paid {
        problems.push(format!(
            "the education pool holds {balance}, not {} contributed minus {} paid",
            Kc(contributed),
            Kc(paid)
        ));
    }
    Ok(())
}
