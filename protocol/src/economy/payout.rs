//! Payouts waiting for a pool's money (DESIGN §6.2): an approved aid
//! request or insurance claim is paid at once as far as the pool's balance
//! goes; what cannot be paid waits in line, first approved first paid, and
//! is paid from the next money in. Each payout is in the line once and
//! leaves it when paid in full, so nothing is paid twice or beyond a
//! balance.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::state::records::{self, Account, table};
use crate::state::store::{Store, StoreError, StoreMut};
use crate::state::{ApplyError, Context};
use crate::units::{Kc, Timestamp};

use super::ledger;

/// A payout waiting in a pool's line.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Payout {
    /// The request or claim paid.
    pub id: Hash,
    /// Who is paid.
    pub member: PublicKey,
    /// What is still owed.
    pub owed: Kc,
    /// When it was approved.
    pub approved: Timestamp,
}
impl Canonical for Payout {}

/// Money paid out of a line by [`settle`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Settled {
    /// The request or claim.
    pub id: Hash,
    /// How much was paid now.
    pub paid: Kc,
    /// Whether it is now paid in full.
    pub complete: bool,
}

fn line_prefix(pool: &Hash) -> Vec<u8> {
    records::key(table::PAYOUT, &pool.0)
}

fn seq_key(pool: &Hash) -> Vec<u8> {
    records::key(table::PAYOUT_SEQ, &pool.0)
}

fn owed_key(pool: &Hash) -> Vec<u8> {
    records::key(table::PAYOUT_OWED, &pool.0)
}

/// What `pool`'s line owes in all, kept as payouts join it and are paid
/// (read without walking the line).
pub fn owed<S: Store + ?Sized>(store: &S, pool: &Hash) -> Result<Kc, StoreError> {
    Ok(records::read(store, &owed_key(pool))?.unwrap_or(Kc::ZERO))
}

fn add_owed<S: StoreMut + ?Sized>(
    store: &mut S,
    pool: &Hash,
    change: i64,
) -> Result<(), StoreError> {
    let owed = owed(&*store, pool)?;
    records::write(store, owed_key(pool), &Kc(owed.0.saturating_add(change)));
    Ok(())
}

/// Puts an approved payout at the end of `pool`'s line.
pub fn enqueue<S: StoreMut + ?Sized>(
    store: &mut S,
    pool: &Hash,
    payout: &Payout,
) -> Result<(), StoreError> {
    let seq: u64 = records::read(store, &seq_key(pool))?.unwrap_or(0);
    let mut key = line_prefix(pool);
    key.extend_from_slice(&seq.to_be_bytes());
    records::write(store, key, payout);
    records::write(store, seq_key(pool), &(seq + 1));
    add_owed(store, pool, payout.owed.0)
}

/// The payouts waiting in `pool`'s line, first first.
pub fn waiting<S: Store + ?Sized>(store: &S, pool: &Hash) -> Result<Vec<Payout>, StoreError> {
    store
        .scan_prefix(&line_prefix(pool))?
        .iter()
        .map(|(k, v)| {
            Payout::from_bytes(v).map_err(|e| StoreError(format!("corrupt payout {k:?}: {e}")))
        })
        .collect()
}

/// Pays the line of `pool` from the pool's account, first first, as far
/// as its balance goes. The work is bounded by the payouts completed.
pub fn settle<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    pool: &Hash,
) -> Result<Vec<Settled>, ApplyError> {
    let account = Account::Pool(*pool);
    let prefix = line_prefix(pool);
    let mut end = prefix.clone();
    end.extend_from_slice(&[0xff; 9]);
    let mut out = Vec::new();
    loop {
        let balance = ledger::available(&*store, &ctx.rules, &account)?;
        if balance.0 <= 0 {
            return Ok(out);
        }
        let Some((key, value)) = store.range(&prefix, &end, 1)?.into_iter().next() else {
            return Ok(out);
        };
        let mut payout =
            Payout::from_bytes(&value).map_err(|e| StoreError(format!("corrupt payout: {e}")))?;
        let paid = Kc(payout.owed.0.min(balance.0));
        ledger::move_money(store, ctx, &account, &Account::Member(payout.member), paid)
            .map_err(|e| e.into_apply(paid))?;
        payout.owed = Kc(payout.owed.0 - paid.0);
        add_owed(store, pool, -paid.0)?;
        let complete = payout.owed.0 == 0;
        if complete {
            store.delete(key);
        } else {
            records::write(store, key, &payout);
        }
        out.push(Settled {
            id: payout.id,
            paid,
            complete,
        });
        if !complete {
            return Ok(out);
        }
    }
}
