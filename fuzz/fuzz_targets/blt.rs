//! A `.blt` ballot file as `hearth tally stv` / `schulze` read it: parsed,
//! written back and parsed again (the same election, as `to_blt`
//! documents), and — when small enough to count quickly — counted by both
//! STV rules and by Schulze.
#![no_main]

use hearth_protocol::Hash;
use hearth_protocol::tally::blt::{Election, parse_blt, to_blt};
use hearth_protocol::tally::schulze::schulze;
use hearth_protocol::tally::stv::{StvRule, count};
use libfuzzer_sys::fuzz_target;

/// Counting is tried on elections up to this many candidates and ballots.
const COUNT_LIMIT: usize = 12;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(election) = parse_blt(text) else {
        return;
    };
    let written = to_blt(&election);
    let again = parse_blt(&written).expect("to_blt writes a file parse_blt reads");
    assert_eq!(again, expressible(&election), "{written}");
    if election.candidates.len() <= COUNT_LIMIT && election.ballots.len() <= COUNT_LIMIT {
        let seed = Hash::of("hearth fuzz", data);
        for rule in [StvRule::Scottish, StvRule::Meek] {
            let _ = count(&election, rule, None, &seed);
        }
        let _ = schulze(
            election.candidates.len(),
            &election.ballots,
            &election.withdrawn,
            &seed,
        );
    }
});

/// The election as a `.blt` file can express it (what `to_blt` says it
/// drops or replaces).
fn expressible(election: &Election) -> Election {
    let quotable = |text: &str| text.replace('"', "'").replace(['\n', '\r'], " ");
    Election {
        title: quotable(&election.title),
        candidates: election.candidates.iter().map(|c| quotable(c)).collect(),
        seats: election.seats,
        withdrawn: election.withdrawn.clone(),
        ballots: election
            .ballots
            .iter()
            .filter(|b| b.weight > 0)
            .cloned()
            .collect(),
    }
}
