//! Unit and property tests of the protocol: codec, signatures, chains and
//! the state machine.

mod chain;
pub(crate) mod codec;
mod council;
mod economy;
mod fuzz_seeds;
mod governance;
mod ledger;
mod membership;
mod outcomes;
pub(crate) mod topics;
