//! A network genesis and a signed network, as the node's federation API
//! and `hearth network join` receive them (the same bytes are tried as
//! both: a signed network begins with its genesis).
#![no_main]

use hearth_protocol::Canonical;
use hearth_protocol::federation::{NetworkGenesis, NetworkSignature, SignedNetwork};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(genesis) = NetworkGenesis::from_bytes(data) {
        hearth_fuzz::round_trips(&genesis, data);
        if genesis.validate().is_ok() {
            for founding in &genesis.communities {
                assert!(genesis.founding(&founding.id).is_some());
            }
        }
        let _ = genesis.id();
    }
    if let Ok(signature) = NetworkSignature::from_bytes(data) {
        hearth_fuzz::round_trips(&signature, data);
    }
    if let Ok(network) = SignedNetwork::from_bytes(data) {
        hearth_fuzz::round_trips(&network, data);
        let missing = network.missing();
        let checked = network.check_signatures();
        match network.verify() {
            Ok(_) => assert!(missing.is_empty() && checked.is_ok()),
            Err(_) => assert!(!missing.is_empty() || checked.is_err()),
        }
    }
});
