//! A credential file as `hearth credential verify` reads it: strict JSON
//! (`credential::json::parse`), then `credential::verify` (structure,
//! did:keys, the eddsa-jcs-2022 proof, the issuer). A credential that
//! verifies must verify again after being written out and read back, and
//! its status query must read back as what it says.
#![no_main]

use hearth_protocol::credential::{self, StatusQuery};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(doc) = credential::json::parse(text) else {
        return;
    };
    let _ = credential::jcs::canonicalize(&doc);
    let Ok(verified) = credential::verify(&doc) else {
        return;
    };
    let written = serde_json::to_string(&doc).expect("a JSON value writes");
    let again = credential::json::parse(&written).expect("written JSON reads back");
    assert_eq!(credential::verify(&again).as_ref(), Ok(&verified));
    let query = StatusQuery::of(&verified);
    if let Ok(parsed) = query.parse() {
        assert_eq!(parsed.issuer, verified.issuer);
        assert_eq!(parsed.subject, verified.subject);
        assert_eq!(parsed.valid_from, verified.valid_from);
    }
});
