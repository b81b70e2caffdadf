//! The `hearth` CLI as a library: a member's key store, the node client,
//! configuration, output formatting and one module per subcommand.
//!
//! `main.rs` only parses arguments, dispatches to [`commands`] and maps
//! errors to exit codes; everything else lives here so it can be tested.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod api;
pub mod cli;
pub mod client;
pub mod commands;
pub mod config;
pub mod context;
pub mod duration;
pub mod economy;
pub mod error;
pub mod federation;
pub mod governance;
pub mod keystore;
pub mod output;
pub mod passphrase;
pub mod progress;

pub use client::{Client, Refusal};
pub use commands::audit::AuditFailed;
pub use context::{Context, GlobalArgs, Session, Signer};
