//! hearth CLI library.
pub mod keystore;
