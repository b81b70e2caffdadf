//! A sync response from a peer: heads, a run of entries, signed network
//! geneses or an equivocation proof.
#![no_main]

use hearth_protocol::Canonical;
use hearth_protocol::federation::wire::SyncResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(response) = SyncResponse::from_bytes(data) else {
        return;
    };
    hearth_fuzz::round_trips(&response, data);
    match response {
        SyncResponse::Heads { heads, forked } => {
            let _ = (heads.len(), forked.len());
        }
        SyncResponse::Entries(entries) => hearth_fuzz::check_chain(&entries),
        SyncResponse::Networks(networks) => {
            for network in networks {
                let _ = network.missing();
                let _ = network.verify();
            }
        }
        SyncResponse::Proof(Some(proof)) => {
            for node in hearth_fuzz::NODE_KEYS.iter() {
                let _ = proof.verify(node);
            }
        }
        SyncResponse::Proof(None) | SyncResponse::Refused(_) => {}
    }
});
