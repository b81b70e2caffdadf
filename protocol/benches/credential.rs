//! Credential benchmark: issuing and verifying Open Badges 3.0
//! credentials with `eddsa-jcs-2022` proofs, per second on one core, next
//! to a bare strict Ed25519 verification (the floor of a verification).
//!
//! `cargo bench -p hearth-protocol --bench credential` (set
//! `HEARTH_BENCH_CREDENTIALS`, default 20000: how many credentials are
//! issued and then verified).
//!
//! Each credential is for another member (another did:key) and skill, so
//! nothing is cached between them; verification parses nothing (the
//! credentials are JSON values already), as a verifier that read the file.

use std::time::Instant;

use hearth_protocol::credential::{self, Achievement};
use hearth_protocol::test::bench::env_usize;
use hearth_protocol::{Hash, Keypair, PublicKey, Timestamp};

fn main() {
    let count = env_usize("HEARTH_BENCH_CREDENTIALS", 20_000);
    println!("# Hearth credential benchmark: {count} Open Badges (eddsa-jcs-2022)");
    let community = Keypair::from_seed(&[1; 32]);
    let members: Vec<PublicKey> = (0..count)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            Keypair::from_seed(&seed).public()
        })
        .collect();
    let achievements: Vec<Achievement> = (0..count)
        .map(|i| Achievement {
            skill: Hash::of("bench skill", &(i as u64).to_le_bytes()),
            name: format!("Skill {i}"),
            description: "Repairs bicycles: brakes, gears, wheels and punctures.".into(),
            criteria: "Endorsed by 2 members verified in this skill, or by one assessor.".into(),
        })
        .collect();

    let started = Instant::now();
    let credentials: Vec<_> = members
        .iter()
        .zip(&achievements)
        .enumerate()
        .map(|(i, (member, achievement))| {
            let at = Timestamp(1_765_119_600_000 + i as u64 * 1000);
            credential::issue(&community, "Riverside", member, achievement, at)
                .expect("a credential is issued")
        })
        .collect();
    let issue = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for doc in &credentials {
        credential::verify(doc).expect("an issued credential verifies");
    }
    let verify = started.elapsed().as_secs_f64();

    // The floor: strict Ed25519 verification of a 64-byte message alone.
    let message = [7u8; 64];
    let signature = community.sign_message(&message);
    let key = community.public();
    let started = Instant::now();
    for _ in 0..count {
        key.verify_message(&message, &signature)
            .expect("the signature verifies");
    }
    let ed25519 = started.elapsed().as_secs_f64();

    let bytes: usize = credentials
        .iter()
        .map(|c| serde_json::to_vec(c).map_or(0, |v| v.len()))
        .sum();
    println!(
        "credential size: {} bytes of JSON on average",
        bytes / count.max(1)
    );
    let rate = |secs: f64| count as f64 / secs.max(f64::EPSILON);
    println!(
        "issue:   {:>9.0} credentials/s ({:.1} µs each)",
        rate(issue),
        issue * 1e6 / count as f64
    );
    println!(
        "verify:  {:>9.0} credentials/s ({:.1} µs each)",
        rate(verify),
        verify * 1e6 / count as f64
    );
    println!(
        "ed25519: {:>9.0} strict verifications/s (verify is {:.2} x of it)",
        rate(ed25519),
        ed25519 / verify
    );
}
