//! The deterministic state machine: applies verified log entries to the
//! materialised state. Replaying a community's logs in [`replay_order`]
//! rebuilds the state bit for bit.

pub mod council;
pub mod decide;
pub mod federated;
pub mod governance;
pub mod membership;
pub mod records;
pub mod rejection;
pub mod replay;
pub mod rules;
pub mod schedule;
pub mod seal;
pub mod store;
pub mod table;

use crate::action::{ActionBody, MAX_CLOCK_SKEW, SignedAction};
use crate::community::Rules;
use crate::crypto::Hash;
use crate::economy;
use crate::log::{EntryBody, LogKind, SignedEntry};
use crate::units::Timestamp;
use crate::verified::Verified;

pub use records::{
    Account, CommunityRecord, Invite, Member, MemberStatus, Roster, Seat, StateRead,
};
pub use rejection::Rejection;
pub use store::{MemoryStore, Overlay, Store, StoreError, StoreMut, Writes};

/// How far a nonce may run ahead of the sealing entry's time (as
/// milliseconds): five minutes, the clock skew allowed for `created`. Small
/// on purpose: an accepted nonce far ahead would refuse every later action
/// of its author (`nonce_replayed`) until the clock caught up with it.
pub const MAX_NONCE_LEAD: crate::units::Millis = crate::units::Millis::secs(300);

/// Why an entry or action could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The state machine refused it.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A genesis whose rules or name are invalid.
    #[error("invalid genesis: {0}")]
    InvalidGenesis(String),
    /// An entry that does not fit this state (wrong community, genesis twice,
    /// entries out of order).
    #[error("entry does not fit the state: {0}")]
    Misfit(&'static str),
}

/// What an action is applied against: the community, its rules and the
/// time of the entry that seals it.
#[derive(Clone, Debug)]
pub struct Context {
    /// The community id.
    pub community: Hash,
    /// The rules in force.
    pub rules: Rules,
    /// The sealing entry's time: "now" for the state machine.
    pub time: Timestamp,
}

impl Context {
    /// The context for applying at `time`, read from the state.
    pub fn load<S: Store + ?Sized>(store: &S, time: Timestamp) -> Result<Context, ApplyError> {
        let record = store
            .community()?
            .ok_or(ApplyError::Misfit("no community genesis applied"))?;
        let rules = match rules::current(store)? {
            Some(current) => current.rules,
            None => record.genesis.rules,
        };
        Ok(Context {
            community: record.id,
            rules,
            time,
        })
    }
}

/// Applies one verified action, all or nothing: on a rejection nothing
/// is written to `store`.
pub fn apply_action<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Verified<SignedAction>,
) -> Result<(), ApplyError> {
    let mut overlay = Overlay::new(&*store);
    check_and_write(&mut overlay, ctx, &action.action)?;
    let writes = overlay.into_writes();
    store::apply_writes(store, writes);
    Ok(())
}

fn check_and_write<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &crate::action::Action,
) -> Result<(), ApplyError> {
    if action.community != ctx.community {
        return Err(Rejection::WrongCommunity {
            expected: ctx.community,
            actual: action.community,
        }
        .into());
    }
    if action.created > ctx.time.plus(MAX_CLOCK_SKEW) {
        return Err(Rejection::CreatedInFuture {
            created: action.created,
            now: ctx.time,
        }
        .into());
    }
    // Nonces are millisecond counters: one far ahead of the clock would
    // lock its author out (nothing could follow it), so it is refused.
    let max_nonce = ctx.time.plus(MAX_NONCE_LEAD).0;
    if action.nonce > max_nonce {
        return Err(Rejection::NonceTooFar {
            nonce: action.nonce,
            max: max_nonce,
        }
        .into());
    }
    if let Some(last) = store.last_nonce(&action.author)?
        && action.nonce <= last
    {
        return Err(Rejection::NonceReplayed {
            last,
            nonce: action.nonce,
        }
        .into());
    }
    if let Some(member) = store.member(&action.author)?
        && let Some(until) = member.suspended_until
        && ctx.time < until
    {
        return Err(Rejection::Suspended {
            who: action.author,
            until,
        }
        .into());
    }
    if let Some(level) = crate::federation::view::federated_level(&action.body) {
        federated::check(store, ctx, action, level)?;
        records::write(
            store,
            records::key(records::table::NONCE, &action.author.0),
            &action.nonce,
        );
        return Ok(());
    }
    match &action.body {
        ActionBody::Membership(body) => membership::apply(store, ctx, action, body)?,
        ActionBody::Governance(body) => governance::apply(store, ctx, action, body)?,
        ActionBody::Ledger(body) => economy::ledger::apply(store, ctx, action, body)?,
        ActionBody::Aid(body) => economy::aid::apply(store, ctx, action, body)?,
        ActionBody::Insurance(body) => economy::insurance::apply(store, ctx, action, body)?,
        ActionBody::TimeBank(body) => economy::time_bank::apply(store, ctx, action, body)?,
        ActionBody::Skills(body) => economy::skills::apply(store, ctx, action, body)?,
        ActionBody::Tools(body) => economy::tools::apply(store, ctx, action, body)?,
        ActionBody::Spaces(body) => economy::spaces::apply(store, ctx, action, body)?,
        ActionBody::Learning(body) => economy::learning::apply(store, ctx, action, body)?,
    }
    records::write(
        store,
        records::key(records::table::NONCE, &action.author.0),
        &action.nonce,
    );
    Ok(())
}

/// Applies a verified entry of this community's logs, all or nothing.
///
/// Entries must come in [`replay_order`] and each log in seq order; every
/// action inside must apply, or the entry is refused whole.
pub fn apply_entry<S: StoreMut + ?Sized>(
    store: &mut S,
    entry: &Verified<SignedEntry>,
) -> Result<(), ApplyError> {
    let mut overlay = Overlay::new(&*store);
    apply_entry_inner(&mut overlay, entry)?;
    let writes = overlay.into_writes();
    store::apply_writes(store, writes);
    Ok(())
}

fn apply_entry_inner<S: StoreMut + ?Sized>(
    store: &mut S,
    signed: &Verified<SignedEntry>,
) -> Result<(), ApplyError> {
    let entry = &signed.entry;
    let kind = entry.log.kind;
    let expected_seq = store.applied(kind)?.map_or(0, |h| h.seq + 1);
    if entry.seq != expected_seq {
        return Err(ApplyError::Misfit("entry seq is not the next of its log"));
    }
    match &entry.body {
        EntryBody::Genesis(genesis) => match store.community()? {
            None if kind == LogKind::Public => {
                membership::apply_genesis(store, entry.log.community, genesis, entry.time)?;
            }
            Some(record) if record.id == entry.log.community => {}
            _ => return Err(ApplyError::Misfit("local genesis before public genesis")),
        },
        EntryBody::Records(node_records) => {
            let ctx = Context::load(store, entry.time)?;
            if entry.log.community != ctx.community {
                return Err(ApplyError::Misfit("entry of another community"));
            }
            for record in node_records {
                match record {
                    crate::log::NodeRecord::Close { proposal, result } => {
                        decide::close(store, &ctx, kind, proposal, result)?
                    }
                    crate::log::NodeRecord::Due { items } => {
                        if kind != LogKind::Local {
                            return Err(ApplyError::Misfit("a due record in the public log"));
                        }
                        schedule::apply_due(store, &ctx, items)?
                    }
                    other => {
                        if kind != LogKind::Public {
                            return Err(ApplyError::Misfit("a federation record in the local log"));
                        }
                        federated::apply_record(store, &ctx, other)?
                    }
                }
            }
        }
        EntryBody::Actions(actions) => {
            let ctx = Context::load(store, entry.time)?;
            if entry.log.community != ctx.community {
                return Err(ApplyError::Misfit("entry of another community"));
            }
            for action in actions {
                // The entry's verification checked every action signature.
                check_and_write(store, &ctx, &action.action)?;
            }
        }
    }
    record_applied(store, kind, &signed.head());
    Ok(())
}

/// Records that the state includes a log up to `head`. The node's sealing
/// path calls this after applying a new entry's actions one by one.
pub fn record_applied<S: StoreMut + ?Sized>(store: &mut S, kind: LogKind, head: &crate::log::Head) {
    records::write(store, records::applied_key(kind), head);
}

/// The order in which a community's two logs are applied: by entry time,
/// the public entry first when times are equal (the node seals a tick's
/// public entry, then its local one, and gives each tick a later time than
/// the last). Returns `true` if the public entry goes before the local one.
pub fn public_first(public_time: Timestamp, local_time: Timestamp) -> bool {
    public_time <= local_time
}

/// Sums every balance; the ledger conserves money, so this is always zero.
pub fn ledger_sum<S: Store + ?Sized>(store: &S) -> Result<i128, StoreError> {
    Ok(store
        .accounts()?
        .iter()
        .map(|(_, balance)| i128::from(balance.0))
        .sum())
}
