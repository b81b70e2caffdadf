//! Learning path benchmark: `learning::path` (the annotated path) and
//! `learning::path_skills` (the ordering alone) over a graph of
//! `HEARTH_BENCH_SKILLS` skills (default 10 000) held in the in-memory
//! store. Skill i names 1 to 3 prerequisites among the 200 skills before
//! it (a seeded SplitMix64), so a late goal's closure reaches back through
//! most of the graph. The member is verified in every 10th skill, and
//! every 50th skill has an upcoming session, so the annotations are read
//! too. Each figure is the median of `HEARTH_BENCH_RUNS` runs (default 51).
//!
//! `cargo bench -p hearth-protocol --bench learning`

use std::time::{Duration, Instant};

use hearth_protocol::economy::learning::{self, Session, Skill, Verification};
use hearth_protocol::state::records;
use hearth_protocol::state::store::{MemoryStore, StoreMut};
use hearth_protocol::state::table;
use hearth_protocol::test::bench::env_usize;
use hearth_protocol::test::keypair;
use hearth_protocol::{Hash, Timestamp};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn id(i: usize) -> Hash {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&(i as u64 + 1).to_be_bytes());
    Hash(bytes)
}

fn key(table: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![table];
    for p in parts {
        key.extend_from_slice(p);
    }
    key
}

fn graph(n: usize) -> MemoryStore {
    let mut store = MemoryStore::default();
    let mut rng = Rng(0x4845_4152_5448);
    let member = keypair(2).public();
    let teacher = keypair(3).public();
    for i in 0..n {
        let mut prerequisites = Vec::new();
        if i > 0 {
            let count = 1 + rng.next() % 3;
            for _ in 0..count {
                let back = 1 + (rng.next() as usize) % i.min(200);
                let p = id(i - back);
                if !prerequisites.contains(&p) {
                    prerequisites.push(p);
                }
            }
        }
        let skill = Skill {
            id: id(i),
            name: format!("skill {:05}", (i * 7919) % n),
            description: String::new(),
            prerequisites,
            created_by: teacher,
            created: Timestamp(0),
            updated: Timestamp(0),
        };
        records::write(&mut store, key(table::LEARN_SKILL, &[&skill.id.0]), &skill);
        if i % 10 == 5 {
            let v = Verification {
                member,
                skill: skill.id,
                verified_at: Timestamp(0),
                by: vec![teacher],
                by_assessor: true,
                teaches: false,
                revoked: None,
            };
            records::write(
                &mut store,
                key(table::LEARN_VERIFIED, &[&member.0, &skill.id.0]),
                &v,
            );
            store.put(
                key(table::LEARN_SKILL_VERIFIED, &[&skill.id.0, &member.0]),
                Vec::new(),
            );
        }
        if i % 50 == 7 {
            let session = Session {
                id: id(n + i),
                skill: skill.id,
                teacher,
                start: Timestamp(2_000),
                end: Timestamp(3_000),
                place: "the hall".into(),
                capacity: 10,
                students: Vec::new(),
                cancelled: None,
                created: Timestamp(0),
            };
            records::write(
                &mut store,
                key(table::LEARN_SESSION, &[&session.id.0]),
                &session,
            );
            store.put(
                key(
                    table::LEARN_SKILL_SESSION,
                    &[&skill.id.0, &session.start.0.to_be_bytes(), &session.id.0],
                ),
                Vec::new(),
            );
        }
    }
    store
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let n = env_usize("HEARTH_BENCH_SKILLS", 10_000);
    let runs = env_usize("HEARTH_BENCH_RUNS", 51);
    let started = Instant::now();
    let store = graph(n);
    println!("graph of {n} skills built in {:?}", started.elapsed());
    let member = keypair(2).public();
    for (label, goals) in [
        ("one late goal", vec![id(n - 1)]),
        ("three goals", vec![id(n - 1), id(n / 2), id(n / 3)]),
        ("one early goal", vec![id(n / 100)]),
    ] {
        let steps = learning::path(&store, &member, &goals, Timestamp(1_000))
            .expect("a path")
            .len();
        let ordering = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    let p = learning::path_skills(&store, &member, &goals).expect("a path");
                    std::hint::black_box(p);
                    t.elapsed()
                })
                .collect(),
        );
        let annotated = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    let p =
                        learning::path(&store, &member, &goals, Timestamp(1_000)).expect("a path");
                    std::hint::black_box(p);
                    t.elapsed()
                })
                .collect(),
        );
        let ids: Vec<Hash> = learning::path_skills(&store, &member, &goals)
            .expect("a path")
            .iter()
            .map(|s| s.id)
            .collect();
        let reading = median(
            (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    for id in &ids {
                        std::hint::black_box(learning::skill(&store, id).expect("store"));
                    }
                    t.elapsed()
                })
                .collect(),
        );
        println!(
            "{label}: reading its {} skills alone {:.2} ms",
            ids.len(),
            reading.as_secs_f64() * 1e3
        );
        println!(
            "{label}: {steps} steps; ordering {:.2} ms, annotated path {:.2} ms (median of {runs})",
            ordering.as_secs_f64() * 1e3,
            annotated.as_secs_f64() * 1e3
        );
    }
}
