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

use crate::crypto::{Hash, PublicKey};
use crate::governance::Ballot;

/// Domain-separation context of tally result hashes.
pub const TALLY_CONTEXT: &str = "hearth v1 tally";

/// The hash of a report's canonical encoding: what nodes attest to.
pub fn result_hash<R: Encode>(report: &R) -> Hash {
    crate::codec::hash_encoding(TALLY_CONTEXT, report)
}

/// Domain-separation context of lot seeds.
pub const LOT_CONTEXT: &str = "hearth v1 lot";

/// The seed of every lot drawn in counting a proposal (a tie in Schulze,
/// STV or a budget, a tied quadratic lead when the rules draw lots):
/// `blake3` of the proposal id and of the counted ballots — each voter's
/// key and ballot, in key order.
///
/// Every node derives it from what it counts, so a replayed log and every
/// node of a federated count draw the same lots, and the seed is fixed
/// when the vote closes. Nobody chooses it alone: the proposal's author
/// fixes the id before any ballot exists, every voter adds their own
/// signed ballot, and the node that seals can leave ballots out only as it
/// could refuse them anyway (it cannot write one). A ballot's nonce and
/// time are left out, so casting the same ballot again does not re-draw.
///
/// Limits: it is not a commit-reveal beacon. The last voter, seeing the
/// other ballots (a running tally is public unless hidden), can try
/// variants of their own ballot — and each variant is a different vote —
/// to steer a lot; a voter who casts every ballot controls it.
pub fn lot_seed<'a>(
    proposal: &Hash,
    ballots: impl IntoIterator<Item = (&'a PublicKey, &'a Ballot)>,
) -> Hash {
    let mut ballots: Vec<(&PublicKey, &Ballot)> = ballots.into_iter().collect();
    ballots.sort_by_key(|(voter, _)| **voter);
    crate::codec::hash_encoding(LOT_CONTEXT, &(proposal, ballots))
}

/// A deterministic pseudo-random draw for breaking ties that the rules
/// leave to lot: the candidates' order by `blake3(seed ‖ "tie" ‖ round ‖
/// index)`. Everyone with the same seed (a [`lot_seed`]) draws the same.
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
