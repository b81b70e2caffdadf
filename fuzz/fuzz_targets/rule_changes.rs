//! A rules proposal's changes as `hearth propose --kind rules` parses them
//! (`key = value`, one a line here) and as the state machine applies them
//! to the rules in force: refused with a reason, or rules that validate.
#![no_main]

use hearth_protocol::Rules;
use hearth_protocol::state::rules::{RuleChange, apply_changes, duration};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let changes: Vec<RuleChange> = text.lines().filter_map(RuleChange::parse).collect();
    for change in &changes {
        let _ = duration(&change.value);
    }
    match apply_changes(&Rules::default(), &changes) {
        Ok(rules) => assert_eq!(rules.validate(), Ok(())),
        Err(e) => assert!(!e.reason.is_empty()),
    }
});
