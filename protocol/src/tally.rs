//! Counting votes: every method is a pure, exact (integer, fixed-point or
//! rational) and deterministic function of its ballots, returning a
//! serialisable report that explains the count and a result hash, so that
//! every node — and anyone with `hearth audit` — gets the same bits.

pub mod blt;
pub mod choice;
pub mod delegation;
pub mod electorate;
pub mod pabulib;
pub mod pb;
pub mod schulze;
pub mod stv;

use bincode::Encode;

use crate::crypto::Hash;

/// Domain-separation context of tally result hashes.
pub const TALLY_CONTEXT: &str = "hearth v1 tally";

/// The hash of a report's canonical encoding: what nodes attest to.
pub fn result_hash<R: Encode>(report: &R) -> Hash {
    crate::codec::hash_encoding(TALLY_CONTEXT, report)
}

/// A deterministic pseudo-random draw for breaking ties that the rules
/// leave to lot: the candidates' order by `blake3(seed ‖ "tie" ‖ round ‖
/// index)`. Everyone with the same seed (a proposal id) draws the same.
pub fn draw_order(seed: &Hash, round: u32, candidates: &[u32]) -> Vec<u32> {
    let mut keyed: Vec<(Hash, u32)> = candidates
        .iter()
        .map(|&c| {
            let mut bytes = Vec::with_capacity(44);
            bytes.extend_from_slice(&seed.0);
            bytes.extend_from_slice(&round.to_le_bytes());
            bytes.extend_from_slice(&c.to_le_bytes());
            (Hash::of("hearth v1 tie draw", &bytes), c)
        })
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, c)| c).collect()
}
