//! A rules file as `hearthd init --rules` reads it: TOML into the
//! protocol's `Rules` (serde, unknown keys refused), then validated. Rules
//! that validate go into a genesis, so they must round-trip through the
//! canonical encoding too.
#![no_main]

use hearth_protocol::{Canonical, Genesis, Rules, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = toml::from_str::<Rules>(text) else {
        return;
    };
    if rules.validate().is_err() {
        return;
    }
    let genesis = Genesis {
        name: "Fuzz".into(),
        node: hearth_fuzz::NODE_KEYS[0],
        founders: Vec::new(),
        founder_invites: Vec::new(),
        rules,
        region: None,
        created: Timestamp(0),
    };
    let bytes = genesis.to_bytes();
    hearth_fuzz::round_trips(
        &Genesis::from_bytes(&bytes).expect("a genesis decodes"),
        &bytes,
    );
});
