//! Learning paths: the prerequisite closure of a member's goals minus the
//! skills they are verified in, in topological order with ties broken by
//! name (Kahn's algorithm with a name-ordered heap), so every member who
//! asks gets the same path. Each step lists the upcoming sessions that
//! teach it and the verified members who offer to teach it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::state::{ApplyError, StateRead};
use crate::units::Timestamp;

use super::tables::*;
use super::*;

/// One step of a learning path.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PathStep {
    /// The skill to learn.
    pub skill: Hash,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its prerequisites that are steps of this path (all listed earlier).
    pub needs: Vec<Hash>,
    /// Upcoming sessions teaching it (at most [`PATH_SESSIONS`], soonest first).
    pub sessions: Vec<PathSession>,
    /// Members verified in it who offer to teach it.
    pub teachers: Vec<PublicKey>,
}

/// An upcoming session as a path step lists it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PathSession {
    /// The session.
    pub id: Hash,
    /// Who teaches.
    pub teacher: PublicKey,
    /// When it starts.
    pub start: Timestamp,
    /// When it ends.
    pub end: Timestamp,
    /// Where.
    pub place: String,
    /// Places left.
    pub places_left: u32,
}

/// The skills of `member`'s path to `goals`, in order, without
/// annotations: the prerequisite closure of the goals minus the skills
/// the member is verified in, each after its prerequisites, ties by name
/// (then id). Unknown goals are refused (`unknown_skill`).
pub fn path_skills<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    goals: &[Hash],
) -> Result<Vec<Skill>, ApplyError> {
    // The closure, read once per skill.
    let mut closure: BTreeMap<Hash, Skill> = BTreeMap::new();
    let mut todo: Vec<Hash> = goals.to_vec();
    while let Some(id) = todo.pop() {
        if closure.contains_key(&id) {
            continue;
        }
        let skill = load_skill(store, &id)?;
        todo.extend(skill.prerequisites.iter().copied());
        closure.insert(id, skill);
    }
    let mut keep: BTreeSet<Hash> = BTreeSet::new();
    for id in closure.keys() {
        if !is_verified(store, member, id)? {
            keep.insert(*id);
        }
    }
    // Kahn: in-degree counts prerequisites still to learn.
    let mut indegree: BTreeMap<Hash, usize> = BTreeMap::new();
    let mut needed_by: BTreeMap<Hash, Vec<Hash>> = BTreeMap::new();
    for id in &keep {
        let skill = &closure[id];
        let mut n = 0;
        for p in &skill.prerequisites {
            if keep.contains(p) {
                n += 1;
                needed_by.entry(*p).or_default().push(*id);
            }
        }
        indegree.insert(*id, n);
    }
    let mut ready: BinaryHeap<Reverse<(&str, Hash)>> = indegree
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| Reverse((closure[id].name.as_str(), *id)))
        .collect();
    let mut out = Vec::with_capacity(keep.len());
    while let Some(Reverse((_, id))) = ready.pop() {
        for next in needed_by.get(&id).into_iter().flatten() {
            if let Some(n) = indegree.get_mut(next) {
                *n -= 1;
                if *n == 0 {
                    ready.push(Reverse((closure[next].name.as_str(), *next)));
                }
            }
        }
        out.push(id);
    }
    // The graph is acyclic by construction (`prerequisite_cycle`), so
    // every kept skill was output.
    Ok(out
        .into_iter()
        .filter_map(|id| closure.remove(&id))
        .collect())
}

/// `member`'s learning path to `goals` at `now`, each step annotated with
/// its upcoming sessions and the members who offer to teach it.
pub fn path<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
    goals: &[Hash],
    now: Timestamp,
) -> Result<Vec<PathStep>, ApplyError> {
    let skills = path_skills(store, member, goals)?;
    let on_path: BTreeSet<Hash> = skills.iter().map(|s| s.id).collect();
    let mut steps = Vec::with_capacity(skills.len());
    for skill in skills {
        let sessions = upcoming(store, &skill.id, now, PATH_SESSIONS)?
            .into_iter()
            .map(|s| PathSession {
                id: s.id,
                teacher: s.teacher,
                start: s.start,
                end: s.end,
                place: s.place.clone(),
                places_left: s.capacity.saturating_sub(s.students.len() as u32),
            })
            .collect();
        let teachers = verified_in(store, &skill.id)?
            .into_iter()
            .filter(|v| v.teaches && v.member != *member)
            .map(|v| v.member)
            .collect();
        steps.push(PathStep {
            needs: skill
                .prerequisites
                .iter()
                .filter(|p| on_path.contains(p))
                .copied()
                .collect(),
            skill: skill.id,
            name: skill.name,
            description: skill.description,
            sessions,
            teachers,
        });
    }
    Ok(steps)
}
