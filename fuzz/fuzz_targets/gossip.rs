//! A message on the federation's gossip topic: a new public-log entry or
//! an equivocation proof.
#![no_main]

use hearth_protocol::Canonical;
use hearth_protocol::federation::wire::Gossip;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(gossip) = Gossip::from_bytes(data) else {
        return;
    };
    hearth_fuzz::round_trips(&gossip, data);
    match &gossip {
        Gossip::Entry(entry) => hearth_fuzz::check_entry(entry),
        Gossip::Proof(proof) => {
            for node in hearth_fuzz::NODE_KEYS.iter() {
                if let Ok(at) = proof.verify(node) {
                    assert_eq!(at, proof.at());
                    assert_ne!(proof.first.entry.id(), proof.second.entry.id());
                }
            }
        }
    }
});
