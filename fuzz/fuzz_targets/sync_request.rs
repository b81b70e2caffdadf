//! A sync request from a peer (the node answers whatever decodes).
#![no_main]

use hearth_protocol::Canonical;
use hearth_protocol::federation::wire::{MAX_RANGE, SyncRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = SyncRequest::from_bytes(data) else {
        return;
    };
    hearth_fuzz::round_trips(&request, data);
    if let SyncRequest::Range { from, limit, .. } = request {
        // The range a node serves: clamped, and never past u64::MAX.
        let _ = from.saturating_add(u64::from(limit.min(MAX_RANGE)));
    }
});
