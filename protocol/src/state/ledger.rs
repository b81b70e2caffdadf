//! The community ledger: one conserving set of integer balances. Every
//! movement debits one account and credits another, so the sum of all
//! balances is always zero; every account has a floor.

use crate::crypto::PublicKey;
use crate::units::Kc;

use super::membership::active_member;
use super::records::{self, Account, StateRead, table};
use super::store::StoreMut;
use super::{ApplyError, Context, Rejection};
use crate::codec::Canonical;

/// A member pays another member.
pub fn transfer<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    from: &PublicKey,
    to: &PublicKey,
    amount: Kc,
    memo: &str,
) -> Result<(), ApplyError> {
    active_member(store, from)?;
    let max = ctx.rules.max_memo_len as usize;
    if memo.len() > max {
        return Err(Rejection::TextTooLong {
            field: "memo",
            len: memo.len(),
            max,
        }
        .into());
    }
    if amount.0 <= 0 {
        return Err(Rejection::InvalidAmount { amount }.into());
    }
    if from == to {
        return Err(Rejection::SelfTransfer.into());
    }
    if active_member(store, to).is_err() {
        return Err(Rejection::UnknownRecipient { who: *to }.into());
    }
    // Valid rules have a non-negative limit; a negation that overflows can
    // only come from rules that were never validated, and allows nothing.
    let floor = Kc(ctx.rules.credit_limit.0.checked_neg().unwrap_or(0));
    move_money(
        store,
        &Account::Member(*from),
        floor,
        &Account::Member(*to),
        amount,
    )
    .map_err(|e| match e {
        MoveError::BelowFloor { balance } => Rejection::InsufficientFunds {
            balance,
            limit: ctx.rules.credit_limit,
            needed: amount,
        }
        .into(),
        MoveError::Overflow => ApplyError::from(Rejection::InvalidAmount { amount }),
        MoveError::Store(e) => e.into(),
    })
}

/// Why money could not move.
#[derive(Debug)]
pub enum MoveError {
    /// The debit would take the account below its floor.
    BelowFloor {
        /// The debited account's balance.
        balance: Kc,
    },
    /// A balance would overflow.
    Overflow,
    /// The storage failed.
    Store(super::StoreError),
}

/// Moves `amount` (positive) from `from` to `to`, keeping `from` at or
/// above `floor`. The single place balances change.
pub fn move_money<S: StoreMut + ?Sized>(
    store: &mut S,
    from: &Account,
    floor: Kc,
    to: &Account,
    amount: Kc,
) -> Result<(), MoveError> {
    let from_balance = store.balance(from).map_err(MoveError::Store)?;
    let to_balance = store.balance(to).map_err(MoveError::Store)?;
    // A debit that overflows i64 is far below every floor.
    let debited = match from_balance.0.checked_sub(amount.0) {
        Some(debited) if debited >= floor.0 => debited,
        _ => {
            return Err(MoveError::BelowFloor {
                balance: from_balance,
            });
        }
    };
    let credited = to_balance
        .0
        .checked_add(amount.0)
        .ok_or(MoveError::Overflow)?;
    records::write(
        store,
        records::key(table::ACCOUNT, &from.to_bytes()),
        &Kc(debited),
    );
    records::write(
        store,
        records::key(table::ACCOUNT, &to.to_bytes()),
        &Kc(credited),
    );
    Ok(())
}
