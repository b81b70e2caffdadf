//! Federation (DESIGN §2–§4, §7.3): networks and regions of communities,
//! the public-log records nodes make for one another (checkpoints,
//! attestations, equivocation proofs, roster mirrors), the messages they
//! exchange, and the cross-community tally every node computes from the
//! public logs alone.
//!
//! Everything here is a pure function of signed records: two nodes holding
//! the same public logs compute the same eligible voters, the same counted
//! ballots and the same result hash.

pub mod audit;
pub mod export;
pub mod genesis;
pub mod records;
pub mod tally;
pub mod view;
pub mod wire;

#[cfg(test)]
mod tests;

pub use genesis::{
    FederationRules, Founding, InvalidNetwork, NetworkGenesis, NetworkSignature, RegionSpec,
    SignedNetwork,
};
pub use records::{Attestation, Checkpoint, EquivocationProof, LogHead, ProofError, RosterChange};
pub use tally::{Certification, Excluded, ExclusionReason, FederatedReport, FederatedResult};
pub use view::{CommunityLog, FederationView};
pub use wire::{Gossip, SyncRequest, SyncResponse};
