//! A signed HTTP request as the node's API checks it: the three
//! `hearth-*` headers, the method, the path with query and the body.
//!
//! Input: `did \n time \n signature \n method \n path \n body…` (the body
//! is every byte after the fifth line break). The node's clock is fixed at
//! [`NOW`], the time the seed corpus is signed at.
#![no_main]

use hearth_protocol::Timestamp;
use hearth_protocol::crypto::hex;
use hearth_protocol::request::{parse_signature, verify_request};
use libfuzzer_sys::fuzz_target;

/// The node's clock.
const NOW: Timestamp = Timestamp(1_750_000_000_000);

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(6, |&b| b == b'\n');
    let mut field = || std::str::from_utf8(parts.next().unwrap_or_default()).ok();
    let (Some(did), Some(time), Some(signature), Some(method), Some(path)) =
        (field(), field(), field(), field(), field())
    else {
        return;
    };
    let body = parts.next().unwrap_or_default();
    if let Some(parsed) = parse_signature(signature) {
        assert_eq!(hex(&parsed.0), signature.to_ascii_lowercase());
    }
    let Ok((key, sig)) = verify_request(did, time, signature, method, path, body, NOW) else {
        return;
    };
    // What verified once verifies again under the key's own did.
    assert_eq!(parse_signature(signature), Some(sig));
    let again = verify_request(&key.to_did(), time, signature, method, path, body, NOW);
    assert_eq!(again, Ok((key, sig)));
});
