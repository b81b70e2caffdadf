//! The Hearth community node: sled storage of the community's signed logs
//! and state, the sans-IO service that seals member actions into them, the
//! tokio task that drives it, the HTTP API with its metrics, the
//! federation export, `hearthd devnet`, and the seeded history generator
//! behind `hearthd simulate` and `hearthd devnet --simulate`.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod api;
pub mod config;
pub mod dashboard;
pub mod data_dir;
pub mod devnet;
pub mod export;
pub mod metrics;
pub mod net;
pub mod prose;
pub mod recover;
pub mod runtime;
pub mod service;
pub mod simulate;
pub mod store;
#[cfg(any(test, feature = "test"))]
pub mod test;
