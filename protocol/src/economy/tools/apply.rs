//! Applying the tool library's actions and its scheduled effects: loans
//! falling overdue, pickup windows lapsing and planned maintenance.

use crate::action::Action;
use crate::community::MAX_NAME_LEN;
use crate::crypto::{Hash, PublicKey};
use crate::economy::Approval;
use crate::economy::aid::{self, AidGuidelines};
use crate::economy::ledger::{self, MoveError};
use crate::state::council::council_member;
use crate::state::membership::active_member;
use crate::state::records::Account;
use crate::state::schedule::{self, DueItem, DueKind};
use crate::state::store::StoreMut;
use crate::state::{ApplyError, Context, Rejection};
use crate::units::{Kc, Millis, Timestamp};

use super::tables::*;
use super::*;

/// Applies a tool library action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &ToolsAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    active_member(store, author)?;
    match body {
        ToolsAction::Add {
            name,
            category,
            own,
            deposit,
            loan_period,
            replacement,
            plan,
        } => {
            let new = NewItem {
                name,
                category,
                own: *own,
                deposit: *deposit,
                loan_period: *loan_period,
                replacement: *replacement,
                plan: *plan,
            };
            add(store, ctx, author, action.id(), new)
        }
        ToolsAction::Checkout { item } => checkout(store, ctx, author, action.id(), item),
        ToolsAction::Hold { item } => hold(store, ctx, author, item),
        ToolsAction::CancelHold { item } => cancel_hold(store, ctx, author, item),
        ToolsAction::Renew { item } => renew(store, ctx, author, item),
        ToolsAction::Return { item } => give_back(store, ctx, author, item),
        ToolsAction::Inspect {
            item,
            condition,
            note,
        } => inspect(store, ctx, author, item, *condition, note),
        ToolsAction::Maintain { item, note } => {
            check_note(note)?;
            let mut item = load_item(store, item)?;
            check_steward(store, ctx, author, &item, "take an item to maintenance")?;
            if item.status != ItemStatus::Available {
                return Err(ToolsRejection::NotAvailable {
                    status: item.status,
                }
                .into());
            }
            to_maintenance(store, &mut item, ctx.time, note.clone());
            save_item(store, &item);
            Ok(())
        }
        ToolsAction::Maintained { item, note } => maintained(store, ctx, author, item, note),
    }
}

/// A new item, as the `Add` action describes it.
struct NewItem<'a> {
    name: &'a str,
    category: &'a str,
    own: bool,
    deposit: Kc,
    loan_period: Millis,
    replacement: Kc,
    plan: MaintenancePlan,
}

fn check_note(note: &str) -> Result<(), ApplyError> {
    if note.len() > MAX_NOTE_LEN {
        return Err(Rejection::TextTooLong {
            field: "note",
            len: note.len(),
            max: MAX_NOTE_LEN,
        }
        .into());
    }
    Ok(())
}

/// Whether `who` is a steward of the community's items: an appointed
/// steward or a council member in power.
fn community_steward<S: StoreMut + ?Sized>(
    store: &S,
    ctx: &Context,
    who: &PublicKey,
) -> Result<bool, ApplyError> {
    if ctx.rules.tools.stewards.contains(who) {
        return Ok(true);
    }
    match council_member(store, who, ctx.time, "look after the community's tools") {
        Ok(_) => Ok(true),
        Err(ApplyError::Rejected(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Refuses `author` unless they look after `item`.
fn check_steward<S: StoreMut + ?Sized>(
    store: &S,
    ctx: &Context,
    author: &PublicKey,
    item: &ToolItem,
    what: &'static str,
) -> Result<(), ApplyError> {
    let steward = match item.owner {
        Owner::Member(owner) => owner == *author,
        Owner::Community => community_steward(store, ctx, author)?,
    };
    if steward {
        Ok(())
    } else {
        Err(ToolsRejection::NotSteward { what }.into())
    }
}

fn add<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    new: NewItem,
) -> Result<(), ApplyError> {
    if !new.own && !community_steward(store, ctx, author)? {
        return Err(ToolsRejection::NotSteward {
            what: "add the community's items",
        }
        .into());
    }
    let bad = |reason| Err(ToolsRejection::InvalidItem { reason }.into());
    let name = new.name.trim();
    if name.is_empty() || new.name.len() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return bad("a name has 1 to 120 bytes of printable text");
    }
    let category = new.category.trim();
    if category.is_empty()
        || new.category.len() > MAX_CATEGORY_LEN
        || category.chars().any(char::is_control)
    {
        return bad("a category has 1 to 64 bytes of printable text");
    }
    if new.plan.every_loans > MAX_PLAN || new.plan.every_days > MAX_PLAN {
        return bad("a maintenance plan counts at most 10000 loans or days");
    }
    for amount in [new.deposit, new.replacement] {
        if amount.0 < 0 || amount > MAX_VALUE {
            return Err(ToolsRejection::InvalidValue { amount }.into());
        }
    }
    if new.loan_period < MIN_LOAN_PERIOD || new.loan_period > MAX_LOAN_PERIOD {
        return Err(ToolsRejection::InvalidLoanPeriod {
            period: new.loan_period,
        }
        .into());
    }
    if items(&*store)?
        .iter()
        .any(|i| i.status != ItemStatus::Retired && i.name == name)
    {
        return bad("an item in circulation already has this name");
    }
    let mut item = ToolItem {
        id,
        name: name.to_string(),
        category: category.to_string(),
        owner: if new.own {
            Owner::Member(*author)
        } else {
            Owner::Community
        },
        added_by: *author,
        deposit: new.deposit,
        loan_period: new.loan_period,
        replacement: new.replacement,
        plan: new.plan,
        status: ItemStatus::Available,
        condition: None,
        condition_note: String::new(),
        loan: None,
        loans: 0,
        loans_since_maintenance: 0,
        next_maintenance: None,
        maintenance_due: false,
        holds: Vec::new(),
        maintenance: Vec::new(),
        created: ctx.time,
    };
    plan_days(store, &mut item, ctx.time);
    save_item(store, &item);
    Ok(())
}

fn overdue_item(loan: &Loan) -> DueItem {
    DueItem {
        at: loan.due,
        kind: DueKind::LoanOverdue,
        id: loan.id,
    }
}

fn pickup_item(item: &Hash, at: Timestamp) -> DueItem {
    DueItem {
        at,
        kind: DueKind::HoldPickup,
        id: *item,
    }
}

fn maintenance_item(item: &Hash, at: Timestamp) -> DueItem {
    DueItem {
        at,
        kind: DueKind::ToolMaintenance,
        id: *item,
    }
}

/// Schedules the plan's next maintenance by days from `now`, replacing
/// any scheduled one.
fn plan_days<S: StoreMut + ?Sized>(store: &mut S, item: &mut ToolItem, now: Timestamp) {
    if let Some(at) = item.next_maintenance.take() {
        schedule::remove(store, maintenance_item(&item.id, at));
    }
    if item.plan.every_days > 0 {
        let at = now.plus(Millis::days(u64::from(item.plan.every_days)));
        item.next_maintenance = Some(at);
        schedule::add(store, maintenance_item(&item.id, at));
    }
}

/// Makes sure the maintenance fund exists as an aid pool (decided by the
/// council), so that it can be asked for repairs like any pool.
fn ensure_fund<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context) -> Result<Hash, ApplyError> {
    let id = maintenance_fund_id(&ctx.community);
    let guidelines = AidGuidelines {
        approval: Approval::Council,
        cooldown: Millis(0),
        ..AidGuidelines::default()
    };
    aid::create_pool(store, ctx, id, FUND_NAME, &guidelines)?;
    Ok(id)
}

fn checkout<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    id: Hash,
    item_id: &Hash,
) -> Result<(), ApplyError> {
    let mut item = load_item(store, item_id)?;
    if item.owned_by(author) {
        return Err(ToolsRejection::OwnItem.into());
    }
    if item.status != ItemStatus::Available {
        return Err(ToolsRejection::NotAvailable {
            status: item.status,
        }
        .into());
    }
    if let Some(turn) = item.turn()
        && turn.member != *author
    {
        return Err(ToolsRejection::HeldForAnother {
            until: turn.pickup_until.unwrap_or(ctx.time),
        }
        .into());
    }
    if let Some(late) = loans_of(&*store, author)?
        .into_iter()
        .find(|l| l.overdue_at(ctx.time))
    {
        return Err(ToolsRejection::OverdueLoan {
            item: late.item,
            due: late.due,
        }
        .into());
    }
    let fee = ctx.rules.tools.loan_fee;
    let mut legs = Vec::new();
    if item.deposit.0 > 0 {
        legs.push((Account::Escrow(id), item.deposit));
    }
    let fund = if fee.0 > 0 {
        let fund = ensure_fund(store, ctx)?;
        legs.push((Account::Pool(fund), fee));
        Some(fund)
    } else {
        None
    };
    let needed = Kc(item.deposit.0.saturating_add(fee.0));
    ledger::move_split(store, ctx, &Account::Member(*author), &legs).map_err(|e| match e {
        MoveError::BelowFloor { balance, .. } => Rejection::InsufficientFunds {
            balance,
            limit: ctx.rules.credit_limit,
            needed,
        }
        .into(),
        other => other.into_apply(needed),
    })?;
    if let Some(turn) = item.turn().cloned() {
        item.holds.remove(0);
        if let Some(at) = turn.pickup_until {
            schedule::remove(store, pickup_item(&item.id, at));
        }
    }
    let loan = Loan {
        id,
        item: item.id,
        name: item.name.clone(),
        borrower: *author,
        deposit: item.deposit,
        fee,
        started: ctx.time,
        due: ctx.time.plus(item.loan_period),
        renewals: 0,
        overdue: false,
        state: LoanState::Active,
        returned: None,
        condition: None,
        inspected_by: None,
        refunded: Kc::ZERO,
        forfeited: Kc::ZERO,
        closed: None,
    };
    schedule::add(store, overdue_item(&loan));
    index_loan(store, &loan);
    save_loan(store, &loan);
    item.status = ItemStatus::OnLoan;
    item.loan = Some(id);
    item.loans += 1;
    item.loans_since_maintenance = item.loans_since_maintenance.saturating_add(1);
    save_item(store, &item);
    if let Some(fund) = fund {
        aid::pay_line(store, ctx, &fund)?;
    }
    Ok(())
}

/// Starts the first holder's pickup window if the item is free and it
/// has not started yet.
fn next_turn<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context, item: &mut ToolItem) {
    if item.status != ItemStatus::Available {
        return;
    }
    if let Some(first) = item.holds.first_mut()
        && first.pickup_until.is_none()
    {
        let at = ctx.time.plus(ctx.rules.tools.pickup_window);
        first.pickup_until = Some(at);
        schedule::add(store, pickup_item(&item.id, at));
    }
}

/// The item is free again: it goes to the first holder, if any.
fn release<S: StoreMut + ?Sized>(store: &mut S, ctx: &Context, item: &mut ToolItem) {
    item.status = ItemStatus::Available;
    next_turn(store, ctx, item);
}

/// Takes the item out of circulation; a running pickup window stops
/// (the holder keeps their place and gets a new window afterwards).
fn to_maintenance<S: StoreMut + ?Sized>(
    store: &mut S,
    item: &mut ToolItem,
    now: Timestamp,
    reason: String,
) {
    if let Some(first) = item.holds.first_mut()
        && let Some(at) = first.pickup_until.take()
    {
        schedule::remove(store, pickup_item(&item.id, at));
    }
    item.status = ItemStatus::Maintenance;
    item.maintenance_due = false;
    item.maintenance.push(Maintenance {
        started: now,
        reason,
        done: None,
        by: None,
        note: String::new(),
    });
}

fn hold<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    item_id: &Hash,
) -> Result<(), ApplyError> {
    let mut item = load_item(store, item_id)?;
    if item.owned_by(author) {
        return Err(ToolsRejection::OwnItem.into());
    }
    if item.status == ItemStatus::Retired {
        return Err(ToolsRejection::NotAvailable {
            status: item.status,
        }
        .into());
    }
    if let Some(id) = item.loan
        && load_loan(store, &id)?.borrower == *author
        && item.status == ItemStatus::OnLoan
    {
        return Err(ToolsRejection::AlreadyBorrowing.into());
    }
    if item.holds.iter().any(|h| h.member == *author) {
        return Err(ToolsRejection::AlreadyHolding.into());
    }
    if item.holds.len() >= MAX_HOLDS {
        return Err(ToolsRejection::HoldQueueFull.into());
    }
    item.holds.push(Hold {
        member: *author,
        since: ctx.time,
        pickup_until: None,
    });
    next_turn(store, ctx, &mut item);
    save_item(store, &item);
    Ok(())
}

fn cancel_hold<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    item_id: &Hash,
) -> Result<(), ApplyError> {
    let mut item = load_item(store, item_id)?;
    let i = item
        .holds
        .iter()
        .position(|h| h.member == *author)
        .ok_or(ToolsRejection::NoHold)?;
    let gone = item.holds.remove(i);
    if let Some(at) = gone.pickup_until {
        schedule::remove(store, pickup_item(&item.id, at));
    }
    next_turn(store, ctx, &mut item);
    save_item(store, &item);
    Ok(())
}

/// The author's active loan of `item`, or `not_borrower`.
fn borrowed<S: StoreMut + ?Sized>(
    store: &S,
    author: &PublicKey,
    item: &ToolItem,
) -> Result<Loan, ApplyError> {
    match item.loan {
        Some(id) => {
            let loan = load_loan(store, &id)?;
            if loan.borrower != *author || loan.state != LoanState::Active {
                return Err(ToolsRejection::NotBorrower.into());
            }
            Ok(loan)
        }
        None => Err(ToolsRejection::NotBorrower.into()),
    }
}

fn renew<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    item_id: &Hash,
) -> Result<(), ApplyError> {
    let item = load_item(store, item_id)?;
    let mut loan = borrowed(store, author, &item)?;
    if !item.holds.is_empty() {
        return Err(ToolsRejection::ItemHeld { due: loan.due }.into());
    }
    if loan.overdue_at(ctx.time) {
        return Err(ToolsRejection::OverdueLoan {
            item: item.id,
            due: loan.due,
        }
        .into());
    }
    schedule::remove(store, overdue_item(&loan));
    loan.due = loan.due.plus(item.loan_period);
    loan.renewals += 1;
    schedule::add(store, overdue_item(&loan));
    save_loan(store, &loan);
    Ok(())
}

fn give_back<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    item_id: &Hash,
) -> Result<(), ApplyError> {
    let mut item = load_item(store, item_id)?;
    let mut loan = borrowed(store, author, &item)?;
    schedule::remove(store, overdue_item(&loan));
    loan.state = LoanState::Returned;
    loan.returned = Some(ctx.time);
    save_loan(store, &loan);
    item.status = ItemStatus::Returned;
    save_item(store, &item);
    Ok(())
}

fn inspect<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    item_id: &Hash,
    condition: Condition,
    note: &str,
) -> Result<(), ApplyError> {
    check_note(note)?;
    let mut item = load_item(store, item_id)?;
    check_steward(store, ctx, author, &item, "report an item's condition")?;
    let reportable = item.status == ItemStatus::Returned
        || (item.status == ItemStatus::OnLoan && condition == Condition::Lost);
    let Some(loan_id) = item.loan.filter(|_| reportable) else {
        return Err(ToolsRejection::NotAvailable {
            status: item.status,
        }
        .into());
    };
    let mut loan = load_loan(store, &loan_id)?;
    if loan.borrower == *author {
        return Err(ToolsRejection::OwnLoan.into());
    }
    if loan.state == LoanState::Active {
        schedule::remove(store, overdue_item(&loan));
        loan.returned = None;
    }
    // The escrow holds exactly the deposit; it goes whole to one side.
    let fund = if condition == Condition::Good {
        None
    } else {
        Some(ensure_fund(store, ctx)?)
    };
    if loan.deposit.0 > 0 {
        let to = match fund {
            None => Account::Member(loan.borrower),
            Some(fund) => Account::Pool(fund),
        };
        ledger::move_money(store, ctx, &loan.escrow(), &to, loan.deposit)
            .map_err(|e| e.into_apply(loan.deposit))?;
        match fund {
            None => loan.refunded = loan.deposit,
            Some(_) => loan.forfeited = loan.deposit,
        }
    }
    loan.state = LoanState::Closed;
    loan.condition = Some(condition);
    loan.inspected_by = Some(*author);
    loan.closed = Some(ctx.time);
    save_loan(store, &loan);
    item.loan = None;
    item.condition = Some(condition);
    item.condition_note = note.to_string();
    match condition {
        Condition::Good => {
            let every = item.plan.every_loans;
            if every > 0 && item.loans_since_maintenance >= every {
                let reason = format!("the plan: every {every} loans");
                to_maintenance(store, &mut item, ctx.time, reason);
            } else if item.maintenance_due {
                let reason = format!("the plan: every {} days", item.plan.every_days);
                to_maintenance(store, &mut item, ctx.time, reason);
            } else {
                release(store, ctx, &mut item);
            }
        }
        Condition::Damaged => {
            to_maintenance(store, &mut item, ctx.time, format!("damaged: {note}"));
        }
        Condition::Lost => {
            item.status = ItemStatus::Retired;
            item.maintenance_due = false;
            item.holds.clear();
            if let Some(at) = item.next_maintenance.take() {
                schedule::remove(store, maintenance_item(&item.id, at));
            }
        }
    }
    save_item(store, &item);
    if let Some(fund) = fund {
        aid::pay_line(store, ctx, &fund)?;
    }
    Ok(())
}

fn maintained<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    author: &PublicKey,
    item_id: &Hash,
    note: &str,
) -> Result<(), ApplyError> {
    check_note(note)?;
    let mut item = load_item(store, item_id)?;
    check_steward(store, ctx, author, &item, "record maintenance")?;
    if item.status != ItemStatus::Maintenance {
        return Err(ToolsRejection::NotAvailable {
            status: item.status,
        }
        .into());
    }
    if let Some(last) = item.maintenance.last_mut() {
        last.done = Some(ctx.time);
        last.by = Some(*author);
        last.note = note.to_string();
    }
    item.loans_since_maintenance = 0;
    item.maintenance_due = false;
    plan_days(store, &mut item, ctx.time);
    release(store, ctx, &mut item);
    save_item(store, &item);
    Ok(())
}

/// A loan's due time passed while it was out: it is overdue.
pub fn overdue_due<S: StoreMut + ?Sized>(store: &mut S, id: &Hash) -> Result<(), ApplyError> {
    if let Some(mut loan) = loan(store, id)?
        && loan.state == LoanState::Active
    {
        loan.overdue = true;
        save_loan(store, &loan);
    }
    Ok(())
}

/// A holder's pickup window ended uncollected: their hold lapses and the
/// next holder's window starts.
pub fn pickup_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    item_due: &DueItem,
) -> Result<(), ApplyError> {
    let Some(mut item) = item(store, &item_due.id)? else {
        return Ok(());
    };
    if item.status == ItemStatus::Available
        && item.holds.first().and_then(|h| h.pickup_until) == Some(item_due.at)
    {
        item.holds.remove(0);
        next_turn(store, ctx, &mut item);
        save_item(store, &item);
    }
    Ok(())
}

/// The plan's days ran out: an item on the shelf goes to maintenance; a
/// lent one goes after its return.
pub fn maintenance_due<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    item_due: &DueItem,
) -> Result<(), ApplyError> {
    let Some(mut item) = item(store, &item_due.id)? else {
        return Ok(());
    };
    if item.next_maintenance != Some(item_due.at) {
        return Ok(());
    }
    item.next_maintenance = None;
    match item.status {
        ItemStatus::Available => {
            let reason = format!("the plan: every {} days", item.plan.every_days);
            to_maintenance(store, &mut item, ctx.time, reason);
        }
        ItemStatus::OnLoan | ItemStatus::Returned => item.maintenance_due = true,
        ItemStatus::Maintenance | ItemStatus::Retired => {}
    }
    save_item(store, &item);
    Ok(())
}
