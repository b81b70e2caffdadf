//! What a node seals in its own name when time passes: the closes of
//! votes that ended and one `Due` record of what else fell due. The node
//! and the test communities both use this, so what they seal is what
//! replay checks.

use crate::crypto::Hash;
use crate::log::{LogKind, NodeRecord};

use super::store::{Overlay, StoreError, StoreMut};
use super::{ApplyError, Context, decide, schedule};

/// Node records sealed at `ctx.time` in log `kind`, and the items that
/// could not be settled (left for the next tick, with why).
#[derive(Debug, Default)]
pub struct Sealed {
    /// The records to seal, in order.
    pub records: Vec<NodeRecord>,
    /// What could not be closed or settled.
    pub failed: Vec<(Hash, ApplyError)>,
}

/// Applies to `store`, and returns, what falls due at `ctx.time` in log
/// `kind`: votes that ended are closed first (their ballots were all
/// sealed before), then the rest of the schedule settles in one `Due`
/// record (local log only). A close or a `Due` that cannot be applied is
/// left out and reported; storage errors abort.
pub fn due_records<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    kind: LogKind,
) -> Result<Sealed, StoreError> {
    let mut out = Sealed::default();
    for record in decide::due(&*store, ctx.time)? {
        if record.proposal.level.log() != kind {
            continue;
        }
        let mut nested = Overlay::new(&*store);
        let closed = decide::close_result(&nested, ctx, &record).and_then(|result| {
            decide::close(&mut nested, ctx, kind, &record.id, &result).map(|()| result)
        });
        match closed {
            Ok(result) => {
                let writes = nested.into_writes();
                super::store::apply_writes(store, writes);
                out.records.push(NodeRecord::Close {
                    proposal: record.id,
                    result,
                });
            }
            Err(ApplyError::Store(e)) => return Err(e),
            Err(e) => out.failed.push((record.id, e)),
        }
    }
    if kind != LogKind::Local {
        return Ok(out);
    }
    let items = schedule::due_record(&*store, ctx)?;
    if let Some(first) = items.first() {
        let mut nested = Overlay::new(&*store);
        match schedule::apply_due(&mut nested, ctx, &items) {
            Ok(()) => {
                let writes = nested.into_writes();
                super::store::apply_writes(store, writes);
                out.records.push(NodeRecord::Due { items });
            }
            Err(ApplyError::Store(e)) => return Err(e),
            Err(e) => out.failed.push((first.id, e)),
        }
    }
    Ok(out)
}
