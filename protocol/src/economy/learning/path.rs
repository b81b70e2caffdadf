//! Learning paths: the prerequisite closure of a member's goals minus the
//! skills they are verified in, in topological order with ties broken by
//! name (Kahn's algorithm with a name-ordered heap), so every member who
//! asks gets the same path. Each step lists the upcoming sessions that
//! teach it and the verified members who offer to teach it.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use crate::crypto::{Hash, PublicKey};
use crate::state::{ApplyError, StateRead};
use crate::units::Timestamp;

use super::tables::*;
use super::*;

/// Up to this many skills in a closure, the member's verification of each
/// is read on its own; beyond, all their verifications are read at once.
const SHORT_CLOSURE: usize = 64;

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
    // The closure, read once per skill; skills are numbered in the order
    // read so the ordering below works on indexes.
    let mut index: HashMap<Hash, usize> = HashMap::new();
    let mut nodes: Vec<Option<Skill>> = Vec::new();
    let mut todo: Vec<Hash> = goals.to_vec();
    while let Some(id) = todo.pop() {
        if index.contains_key(&id) {
            continue;
        }
        let skill = load_skill(store, &id)?;
        todo.extend(skill.prerequisites.iter().copied());
        index.insert(id, nodes.len());
        nodes.push(Some(skill));
    }
    // The member's verified skills leave it: for a short closure one read
    // per skill, for a long one a single scan of their verifications.
    let mut keep = vec![true; nodes.len()];
    if nodes.len() <= SHORT_CLOSURE {
        for (i, node) in nodes.iter().enumerate() {
            if let Some(skill) = node {
                keep[i] = !is_verified(store, member, &skill.id)?;
            }
        }
    } else {
        for v in verifications(store, member)? {
            if v.valid()
                && let Some(&i) = index.get(&v.skill)
            {
                keep[i] = false;
            }
        }
    }
    // Kahn: in-degree counts prerequisites still to learn.
    let mut indegree = vec![0usize; nodes.len()];
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let Some(skill) = node else { continue };
        if !keep[i] {
            continue;
        }
        for p in &skill.prerequisites {
            let j = index[p];
            if keep[j] {
                indegree[i] += 1;
                needed_by[j].push(i);
            }
        }
    }
    let key = |i: usize| -> Reverse<(&str, Hash, usize)> {
        let skill = nodes[i].as_ref().expect("every node is read");
        Reverse((skill.name.as_str(), skill.id, i))
    };
    let mut ready: BinaryHeap<Reverse<(&str, Hash, usize)>> = (0..nodes.len())
        .filter(|&i| keep[i] && indegree[i] == 0)
        .map(key)
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        for &next in &needed_by[i] {
            indegree[next] -= 1;
            if indegree[next] == 0 {
                ready.push(key(next));
            }
        }
        order.push(i);
    }
    // The graph is acyclic by construction (`prerequisite_cycle`), so
    // every kept skill was output.
    drop(ready);
    Ok(order.into_iter().filter_map(|i| nodes[i].take()).collect())
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
    // A short path seeks each step's sessions and teachers; a long one
    // reads both indexes once.
    let (mut all_sessions, mut all_teachers) = if skills.len() > SHORT_CLOSURE {
        (
            Some(upcoming_of(store, &on_path, now, PATH_SESSIONS)?),
            Some(verified_in_all(store, &on_path)?),
        )
    } else {
        (None, None)
    };
    let mut steps = Vec::with_capacity(skills.len());
    for skill in skills {
        let sessions = match all_sessions.as_mut() {
            Some(all) => all.remove(&skill.id).unwrap_or_default(),
            None => upcoming(store, &skill.id, now, PATH_SESSIONS)?,
        };
        let teachers = match all_teachers.as_mut() {
            Some(all) => all.remove(&skill.id).unwrap_or_default(),
            None => verified_in(store, &skill.id)?,
        };
        let sessions = sessions
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
        let teachers = teachers
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
