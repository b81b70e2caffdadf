//! A pabulib `.pb` file as `hearth tally pb` reads it: parsed, and — when
//! small enough to allocate quickly — allocated by every rule.
#![no_main]

use hearth_protocol::Hash;
use hearth_protocol::tally::pabulib::parse_pb;
use hearth_protocol::tally::pb::{PbRule, allocate};
use libfuzzer_sys::fuzz_target;

/// Allocation is tried on instances up to this many projects and votes.
const ALLOCATE_LIMIT: usize = 12;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(instance) = parse_pb(text) else {
        return;
    };
    if instance.projects.len() <= ALLOCATE_LIMIT && instance.votes.len() <= ALLOCATE_LIMIT {
        let seed = Hash::of("hearth fuzz", data);
        for rule in PbRule::ALL {
            if let Ok(report) = allocate(&instance, rule, &seed) {
                assert!(report.spent <= report.budget, "{rule:?} overspends");
            }
        }
    }
});
