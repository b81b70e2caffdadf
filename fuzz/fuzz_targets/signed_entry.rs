//! A log entry as a peer sends it (sync, gossip, export files): decoded
//! canonically, then checked against the log it names.
#![no_main]

use hearth_protocol::{Canonical, Head, SignedEntry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(head) = Head::from_bytes(data) {
        hearth_fuzz::round_trips(&head, data);
    }
    let Ok(entry) = SignedEntry::from_bytes(data) else {
        return;
    };
    hearth_fuzz::round_trips(&entry, data);
    hearth_fuzz::check_entry(&entry);
});
