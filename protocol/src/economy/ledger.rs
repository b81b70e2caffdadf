//! The community ledger: one conserving set of integer balances (DESIGN
//! §6.2). Every movement debits one account and credits another — or one
//! debit splits into several credits, all or nothing — so the sum of all
//! balances is always zero; every account has a floor. [`move_money`] and
//! [`move_split`] are the only writers of balances.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::action::Action;
use crate::analytics;
use crate::codec::Canonical;
use crate::community::Rules;
use crate::crypto::PublicKey;
use crate::log::LogKind;
use crate::state::membership::active_member;
use crate::state::records::{self, Account, StateRead, table};
use crate::state::store::StoreMut;
use crate::state::{ApplyError, Context, Rejection, StoreError};
use crate::units::Kc;

/// Ledger actions (local log).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerAction {
    /// A member pays another member.
    Transfer {
        /// The recipient.
        to: PublicKey,
        /// How much, positive.
        amount: Kc,
        /// A note for the recipient.
        memo: String,
    },
}

impl LedgerAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            LedgerAction::Transfer { .. } => "transfer",
        }
    }

    /// The log ledger actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// Applies a ledger action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &LedgerAction,
) -> Result<(), ApplyError> {
    match body {
        LedgerAction::Transfer { to, amount, memo } => {
            transfer(store, ctx, &action.author, to, *amount, memo)
        }
    }
}

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
    pay_from_member(store, ctx, from, &Account::Member(*to), amount)
}

/// Moves `amount` from a member's account, mapping a floor to the
/// member's `insufficient_funds` rejection.
pub fn pay_from_member<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    from: &PublicKey,
    to: &Account,
    amount: Kc,
) -> Result<(), ApplyError> {
    move_money(store, ctx, &Account::Member(*from), to, amount).map_err(|e| match e {
        MoveError::BelowFloor { balance, .. } => Rejection::InsufficientFunds {
            balance,
            limit: ctx.rules.credit_limit,
            needed: amount,
        }
        .into(),
        other => other.into_apply(amount),
    })
}

/// An account's floor: how low its balance may go.
pub fn floor(account: &Account, rules: &Rules) -> Kc {
    // Valid rules have non-negative limits; a negation that overflows can
    // only come from rules that were never validated, and allows nothing.
    let neg = |k: Kc| Kc(k.0.checked_neg().unwrap_or(0));
    match account {
        Account::Member(_) => neg(rules.credit_limit),
        Account::Treasury => neg(rules.treasury_credit),
        Account::Pool(_) | Account::Escrow(_) => Kc::ZERO,
    }
}

/// How much an account can pay before reaching its floor (never negative).
pub fn available<S: StateRead + ?Sized>(
    store: &S,
    rules: &Rules,
    account: &Account,
) -> Result<Kc, StoreError> {
    let balance = store.balance(account)?;
    let room = i128::from(balance.0) - i128::from(floor(account, rules).0);
    Ok(Kc(room.clamp(0, i128::from(i64::MAX)) as i64))
}

/// Why money could not move.
#[derive(Debug)]
pub enum MoveError {
    /// The debit would take the account below its floor.
    BelowFloor {
        /// The debited account's balance.
        balance: Kc,
        /// Its floor.
        floor: Kc,
    },
    /// An amount is not positive, or a leg pays the debited account itself.
    Invalid,
    /// A balance would overflow.
    Overflow,
    /// The storage failed.
    Store(StoreError),
}

impl MoveError {
    /// The rejection for a move that cannot be made, or the storage error.
    pub fn into_apply(self, amount: Kc) -> ApplyError {
        match self {
            MoveError::Store(e) => e.into(),
            MoveError::BelowFloor { balance, floor } => Rejection::BelowFloor {
                balance,
                floor,
                needed: amount,
            }
            .into(),
            MoveError::Invalid | MoveError::Overflow => Rejection::InvalidAmount { amount }.into(),
        }
    }
}

/// Moves `amount` (positive) from `from` to `to`, keeping `from` at or
/// above its floor.
pub fn move_money<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    from: &Account,
    to: &Account,
    amount: Kc,
) -> Result<(), MoveError> {
    move_split(store, ctx, from, &[(*to, amount)])
}

/// Moves one debit from `from` into several credits, all or nothing:
/// every amount positive, no leg to `from` itself, and `from` stays at or
/// above its floor after the whole debit. The month's analytics count
/// the movement (circulation, who was active, Σ positive balances).
pub fn move_split<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    from: &Account,
    legs: &[(Account, Kc)],
) -> Result<(), MoveError> {
    let mut total: i64 = 0;
    for (to, amount) in legs {
        if amount.0 <= 0 || to == from {
            return Err(MoveError::Invalid);
        }
        total = total.checked_add(amount.0).ok_or(MoveError::Overflow)?;
    }
    if legs.is_empty() {
        return Ok(());
    }
    let from_balance = store.balance(from).map_err(MoveError::Store)?;
    let floor = floor(from, &ctx.rules);
    // A debit that overflows i64 is far below every floor.
    let debited = match from_balance.0.checked_sub(total) {
        Some(debited) if debited >= floor.0 => debited,
        _ => {
            return Err(MoveError::BelowFloor {
                balance: from_balance,
                floor,
            });
        }
    };
    // Credits are computed before anything is written, so an overflow
    // leaves every balance as it was. A leg may name an account twice.
    // Each credited account: (balance before, balance after).
    let mut credited: std::collections::BTreeMap<Account, (i64, i64)> =
        std::collections::BTreeMap::new();
    for (to, amount) in legs {
        let (before, current) = match credited.get(to) {
            Some(c) => *c,
            None => {
                let b = store.balance(to).map_err(MoveError::Store)?.0;
                (b, b)
            }
        };
        credited.insert(
            *to,
            (
                before,
                current.checked_add(amount.0).ok_or(MoveError::Overflow)?,
            ),
        );
    }
    write_balance(store, from, from_balance, Kc(debited)).map_err(MoveError::Store)?;
    for (to, (before, after)) in credited {
        write_balance(store, &to, Kc(before), Kc(after)).map_err(MoveError::Store)?;
    }
    analytics::moved(store, ctx.time, from, legs).map_err(MoveError::Store)
}

fn write_balance<S: StoreMut + ?Sized>(
    store: &mut S,
    account: &Account,
    before: Kc,
    balance: Kc,
) -> Result<(), StoreError> {
    records::write(
        store,
        records::key(table::ACCOUNT, &account.to_bytes()),
        &balance,
    );
    analytics::balance_written(store, account, before, balance)
}
