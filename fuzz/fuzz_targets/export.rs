//! A federation export as `hearth audit` reads it: length-prefixed
//! canonical records, then the whole audit (every signature, the view and
//! every tally it implies).
#![no_main]

use hearth_protocol::Timestamp;
use hearth_protocol::federation::audit::audit;
use hearth_protocol::federation::export::Reader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(reader) = Reader::new(data) else {
        return;
    };
    let _ = audit(reader, Timestamp(10_000), &mut |_| {});
});
