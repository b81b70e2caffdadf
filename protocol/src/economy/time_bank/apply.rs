//! Applying the time bank's actions and its expiry.

use crate::action::{Action, MAX_REASON_LEN};
use crate::community::Rules;
use crate::crypto::{Hash, PublicKey};
use crate::economy::ledger;
use crate::state::membership::active_member;
use crate::state::records::Account;
use crate::state::schedule::{self, DueItem, DueKind};
use crate::state::store::StoreMut;
use crate::state::{ApplyError, Context, Rejection};

use super::tables::*;
use super::*;

/// Applies a time bank action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &TimeBankAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    match body {
        TimeBankAction::Log {
            recipients,
            minutes,
            category,
            note,
        } => {
            let entry = Entry {
                minutes: *minutes,
                category,
                note,
            };
            open(
                store,
                ctx,
                action.id(),
                RecordKind::Logged,
                author,
                recipients,
                entry,
            )
        }
        TimeBankAction::Received {
            provider,
            minutes,
            category,
            note,
        } => {
            let entry = Entry {
                minutes: *minutes,
                category,
                note,
            };
            let recipients = std::slice::from_ref(author);
            open(
                store,
                ctx,
                action.id(),
                RecordKind::Received,
                provider,
                recipients,
                entry,
            )
        }
        TimeBankAction::Confirm { record } => settle(store, ctx, author, record, None),
        TimeBankAction::Decline { record, reason } => {
            if reason.len() > MAX_REASON_LEN {
                return Err(Rejection::TextTooLong {
                    field: "reason",
                    len: reason.len(),
                    max: MAX_REASON_LEN,
                }
                .into());
            }
            settle(store, ctx, author, record, Some(reason))
        }
    }
}

/// What a new record says, checked by [`check_entry`].
pub(crate) struct Entry<'a> {
    /// How long, 1 to 1440 minutes.
    pub minutes: u32,
    /// One of the community's categories.
    pub category: &'a str,
    /// What was done.
    pub note: &'a str,
}

fn check_entry(rules: &Rules, entry: &Entry) -> Result<(), ApplyError> {
    if entry.minutes == 0 || entry.minutes > MAX_MINUTES {
        return Err(TimeBankRejection::InvalidMinutes {
            minutes: entry.minutes,
        }
        .into());
    }
    if !is_category(rules, entry.category) {
        return Err(TimeBankRejection::UnknownCategory {
            category: entry.category.to_string(),
        }
        .into());
    }
    if entry.note.len() > MAX_NOTE_LEN {
        return Err(Rejection::TextTooLong {
            field: "note",
            len: entry.note.len(),
            max: MAX_NOTE_LEN,
        }
        .into());
    }
    Ok(())
}

/// Checks the parties: the provider and 1 to [`MAX_RECIPIENTS`] distinct
/// recipients, all active members, the provider not among the recipients.
fn check_parties<S: StoreMut + ?Sized>(
    store: &S,
    provider: &PublicKey,
    recipients: &[PublicKey],
) -> Result<(), ApplyError> {
    let bad = |reason| Err(TimeBankRejection::InvalidRecipients { reason }.into());
    if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
        return bad("a record names 1 to 50 recipients");
    }
    let mut seen = std::collections::BTreeSet::new();
    for r in recipients {
        if r == provider {
            return bad("the provider is never one of the recipients");
        }
        if !seen.insert(r) {
            return bad("a recipient is named twice");
        }
        if active_member(store, r).is_err() {
            return bad("every recipient is an active member");
        }
    }
    if active_member(store, provider).is_err() {
        return bad("the provider is an active member");
    }
    Ok(())
}

/// Opens record `id` of `minutes` given by `provider` to `recipients`,
/// written by the provider (`Logged`) or the one recipient (`Received`):
/// the time bank's own actions and skill exchanges open records here.
pub(crate) fn open<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: Hash,
    kind: RecordKind,
    provider: &PublicKey,
    recipients: &[PublicKey],
    entry: Entry,
) -> Result<(), ApplyError> {
    let author = match kind {
        RecordKind::Logged => provider,
        RecordKind::Received => &recipients[0],
    };
    active_member(store, author)?;
    check_entry(&ctx.rules, &entry)?;
    check_parties(store, provider, recipients)?;
    let record = TimeRecord {
        id,
        kind,
        provider: *provider,
        shares: recipients
            .iter()
            .map(|member| Share {
                member: *member,
                state: ShareState::Pending,
                paid: Kc::ZERO,
                settled: None,
                reason: String::new(),
            })
            .collect(),
        minutes: entry.minutes,
        category: entry.category.to_string(),
        note: entry.note.to_string(),
        created: ctx.time,
        expires: ctx.time.plus(ctx.rules.time_log_expiry),
    };
    index_party(store, provider, &id);
    for r in recipients {
        index_party(store, r, &id);
    }
    schedule::add(store, expiry_item(&record));
    save_record(store, &record);
    Ok(())
}

fn expiry_item(record: &TimeRecord) -> DueItem {
    DueItem {
        at: record.expires,
        kind: DueKind::TimeLogExpiry,
        id: record.id,
    }
}

/// Confirms (`decline` is `None`) or declines the author's share of a
/// record. A confirmation pays the provider [`share_value`] from the
/// recipient's account, refused as the ledger refuses it.
fn settle<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: &Hash,
    decline: Option<&str>,
) -> Result<(), ApplyError> {
    active_member(store, author)?;
    let mut record = load_record(store, id)?;
    if record.author() == *author {
        return Err(TimeBankRejection::OwnRecord.into());
    }
    let index = record
        .shares
        .iter()
        .position(|s| record.confirmer(s) == *author)
        .ok_or(TimeBankRejection::NotAParty)?;
    match record.shares[index].state {
        ShareState::Confirmed => return Err(TimeBankRejection::AlreadyConfirmed.into()),
        ShareState::Declined => return Err(TimeBankRejection::AlreadyDeclined.into()),
        ShareState::Expired => return Err(TimeBankRejection::Expired.into()),
        ShareState::Pending if ctx.time >= record.expires => {
            return Err(TimeBankRejection::Expired.into());
        }
        ShareState::Pending => {}
    }
    let provider = record.provider;
    let share = &mut record.shares[index];
    share.settled = Some(ctx.time);
    match decline {
        Some(reason) => {
            share.state = ShareState::Declined;
            share.reason = reason.to_string();
        }
        None => {
            let value = share_value(record.minutes, ctx.rules.time_bank_kc_per_hour);
            if value.0 > 0 {
                ledger::pay_from_member(
                    store,
                    ctx,
                    &share.member,
                    &Account::Member(provider),
                    value,
                )?;
            }
            share.state = ShareState::Confirmed;
            share.paid = value;
            let recipient = share.member;
            count_confirmed(
                store,
                &provider,
                &recipient,
                &record.category,
                record.minutes,
                value,
            )?;
        }
    }
    if !record.has_pending() {
        schedule::remove(store, expiry_item(&record));
    }
    save_record(store, &record);
    Ok(())
}

/// A record's time ran out: its pending shares expire.
pub fn expiry_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    id: &Hash,
) -> Result<(), ApplyError> {
    let Some(mut record) = super::record(store, id)? else {
        return Ok(());
    };
    for share in &mut record.shares {
        if share.state == ShareState::Pending {
            share.state = ShareState::Expired;
            share.settled = Some(ctx.time);
        }
    }
    save_record(store, &record);
    Ok(())
}
