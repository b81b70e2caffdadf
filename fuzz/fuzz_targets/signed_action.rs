//! A signed action as `POST /v1/actions` receives it: decoded canonically,
//! then verified (plainly and with the node's key cache, which must agree).
#![no_main]

use hearth_protocol::SignedAction;
use hearth_protocol::crypto::KeyCache;
use hearth_protocol::{Canonical, Verified};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(action) = SignedAction::from_bytes(data) else {
        return;
    };
    hearth_fuzz::round_trips(&action, data);
    let _ = (action.action.body.kind(), action.action.body.log_kind());
    let id = action.id();
    let plain = action.clone().verify();
    let cached = action.verify_cached(&KeyCache::default());
    match (plain, cached) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.id(), id);
            assert_eq!(b.id(), id);
            let _: SignedAction = Verified::into_inner(a);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("cached and plain verification disagree: {a:?} / {b:?}"),
    }
});
