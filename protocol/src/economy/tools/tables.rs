//! The tool library's records and indexes, and the queries and views
//! members read.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::state::ApplyError;
use crate::state::records::{self, Account, StateRead, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::{Kc, Millis, Timestamp};

use super::*;

/// Who owns an item.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(tag = "type", content = "member", rename_all = "snake_case")]
pub enum Owner {
    /// The community: its stewards look after it.
    Community,
    /// A member lending their own: they look after it.
    Member(PublicKey),
}

/// Where an item stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// On the shelf (for the first holder, if anyone holds it).
    Available,
    /// Lent.
    OnLoan,
    /// Back, waiting for a steward's condition report.
    Returned,
    /// Out of circulation until a steward records the maintenance done.
    Maintenance,
    /// Lost: out of circulation for good.
    Retired,
}

impl std::fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ItemStatus::Available => "available",
            ItemStatus::OnLoan => "on loan",
            ItemStatus::Returned => "returned, awaiting inspection",
            ItemStatus::Maintenance => "in maintenance",
            ItemStatus::Retired => "retired",
        })
    }
}

/// One place in an item's hold queue.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Hold {
    /// Who holds it.
    pub member: PublicKey,
    /// When they joined the queue.
    pub since: Timestamp,
    /// When their pickup window ends, once it is their turn.
    pub pickup_until: Option<Timestamp>,
}

/// One maintenance of an item.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Maintenance {
    /// When the item left circulation.
    pub started: Timestamp,
    /// Why: a steward's note, a damage report or the plan.
    pub reason: String,
    /// When a steward recorded it done.
    pub done: Option<Timestamp>,
    /// Who recorded it done.
    pub by: Option<PublicKey>,
    /// What was done.
    pub note: String,
}

/// An item of the tool library.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct ToolItem {
    /// Its id: the action that added it.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// Who owns it.
    pub owner: Owner,
    /// Who added it.
    pub added_by: PublicKey,
    /// Deposit held per loan.
    pub deposit: Kc,
    /// How long a loan lasts.
    pub loan_period: Millis,
    /// What replacing it costs.
    pub replacement: Kc,
    /// When it goes to maintenance by itself.
    pub plan: MaintenancePlan,
    /// Where it stands.
    pub status: ItemStatus,
    /// The last condition reported.
    pub condition: Option<Condition>,
    /// The last condition report's note.
    pub condition_note: String,
    /// Its current loan (lent or returned and not yet inspected).
    pub loan: Option<Hash>,
    /// Loans so far.
    pub loans: u64,
    /// Loans since it was added or last maintained.
    pub loans_since_maintenance: u32,
    /// When the plan's days next send it to maintenance.
    pub next_maintenance: Option<Timestamp>,
    /// The plan's days fell due while it was lent: maintenance follows
    /// its return.
    pub maintenance_due: bool,
    /// The hold queue, first come first served.
    pub holds: Vec<Hold>,
    /// Its maintenance history, oldest first.
    pub maintenance: Vec<Maintenance>,
    /// When it was added.
    pub created: Timestamp,
}
impl Canonical for ToolItem {}

impl ToolItem {
    /// Whether `member` owns it (lends their own item, and so is its steward).
    pub fn owned_by(&self, member: &PublicKey) -> bool {
        self.owner == Owner::Member(*member)
    }

    /// The hold whose pickup window runs, if any.
    pub fn turn(&self) -> Option<&Hold> {
        self.holds.first().filter(|h| h.pickup_until.is_some())
    }
}

/// Where a loan stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanState {
    /// The borrower has the item.
    Active,
    /// Returned; the deposit waits for the condition report.
    Returned,
    /// Settled: the deposit went back or to the maintenance fund.
    Closed,
}

impl std::fmt::Display for LoanState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LoanState::Active => "active",
            LoanState::Returned => "returned",
            LoanState::Closed => "closed",
        })
    }
}

/// A loan: one checkout of one item.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Loan {
    /// Its id: the checkout action's (and its escrow account's).
    pub id: Hash,
    /// The item.
    pub item: Hash,
    /// The item's name when it was lent.
    pub name: String,
    /// Who borrowed it.
    pub borrower: PublicKey,
    /// The deposit put into escrow.
    pub deposit: Kc,
    /// The fee paid into the maintenance fund.
    pub fee: Kc,
    /// When it was checked out.
    pub started: Timestamp,
    /// When it is due back.
    pub due: Timestamp,
    /// How often it was renewed.
    pub renewals: u32,
    /// Whether it fell overdue (sealed by a `Due` record).
    pub overdue: bool,
    /// Where it stands.
    pub state: LoanState,
    /// When it was returned.
    pub returned: Option<Timestamp>,
    /// The condition reported when it was settled.
    pub condition: Option<Condition>,
    /// Who reported it.
    pub inspected_by: Option<PublicKey>,
    /// What the escrow paid back to the borrower.
    pub refunded: Kc,
    /// What the escrow paid into the maintenance fund.
    pub forfeited: Kc,
    /// When it was settled.
    pub closed: Option<Timestamp>,
}
impl Canonical for Loan {}

impl Loan {
    /// Its escrow account.
    pub fn escrow(&self) -> Account {
        Account::Escrow(self.id)
    }

    /// Whether it is active and overdue at `now` (sealed or not yet).
    pub fn overdue_at(&self, now: Timestamp) -> bool {
        self.state == LoanState::Active && (self.overdue || now >= self.due)
    }
}

pub(super) fn item_key(id: &Hash) -> Vec<u8> {
    records::key(table::TOOL_ITEM, &id.0)
}

pub(super) fn loan_key(id: &Hash) -> Vec<u8> {
    records::key(table::TOOL_LOAN, &id.0)
}

fn pair_key(t: u8, a: &[u8; 32], b: &Hash) -> Vec<u8> {
    let mut id = a.to_vec();
    id.extend_from_slice(&b.0);
    records::key(t, &id)
}

/// An item.
pub fn item<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<ToolItem>, StoreError> {
    records::read(store, &item_key(id))
}

/// Every item, oldest first (ties in id order).
pub fn items<S: StateRead + ?Sized>(store: &S) -> Result<Vec<ToolItem>, StoreError> {
    let mut all: Vec<ToolItem> = records::read_all(store, table::TOOL_ITEM)?;
    all.sort_by_key(|i| (i.created, i.id));
    Ok(all)
}

/// A loan.
pub fn loan<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Loan>, StoreError> {
    records::read(store, &loan_key(id))
}

/// Every loan, oldest first.
pub fn all_loans<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Loan>, StoreError> {
    let mut all: Vec<Loan> = records::read_all(store, table::TOOL_LOAN)?;
    all.sort_by_key(|l| (l.started, l.id));
    Ok(all)
}

/// The loans an index lists under `prefix`, in index order.
fn loans_under<S: StateRead + ?Sized>(store: &S, prefix: &[u8]) -> Result<Vec<Loan>, StoreError> {
    let mut found = Vec::new();
    for id in records::ids_under(store, prefix)? {
        if let Some(l) = loan(store, &id)? {
            found.push(l);
        }
    }
    Ok(found)
}

/// The loans an index lists under `owner`, oldest first.
fn indexed<S: StateRead + ?Sized>(
    store: &S,
    t: u8,
    owner: &[u8; 32],
) -> Result<Vec<Loan>, StoreError> {
    let mut found = loans_under(store, &records::key(t, owner))?;
    found.sort_by_key(|l| (l.started, l.id));
    Ok(found)
}

/// Every loan of `member`, oldest first, read through their index.
pub fn member_loans<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<Loan>, StoreError> {
    indexed(store, table::TOOL_BORROWER, &member.0)
}

/// `member`'s loans not yet returned, with their due times, oldest first.
pub fn loans_of<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<Loan>, StoreError> {
    Ok(member_loans(store, member)?
        .into_iter()
        .filter(|l| l.state == LoanState::Active)
        .collect())
}

/// Every loan of an item, oldest first.
pub fn item_loans<S: StateRead + ?Sized>(store: &S, item: &Hash) -> Result<Vec<Loan>, StoreError> {
    indexed(store, table::TOOL_ITEM_LOAN, &item.0)
}

/// Every loan not yet returned, oldest first, read through the index of
/// active loans.
pub fn active_loans<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Loan>, StoreError> {
    let mut found = loans_under(store, &[table::TOOL_ACTIVE])?;
    found.sort_by_key(|l| (l.due, l.id));
    Ok(found)
}

/// Every loan overdue at `now`, the longest overdue first.
pub fn overdue_loans<S: StateRead + ?Sized>(
    store: &S,
    now: Timestamp,
) -> Result<Vec<Loan>, StoreError> {
    Ok(active_loans(store)?
        .into_iter()
        .filter(|l| l.overdue_at(now))
        .collect())
}

/// An item with its loans, as `hearth tool show` reads it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ItemView {
    /// The item.
    pub item: ToolItem,
    /// Its loans, oldest first.
    pub loans: Vec<Loan>,
}

/// The items, as `hearth tool list` reads them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ItemsView {
    /// The items, oldest first.
    pub items: Vec<ToolItem>,
}

/// A member's loans and everyone's overdue ones.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LoansView {
    /// The member's loans not yet settled, oldest first.
    pub mine: Vec<Loan>,
    /// Every overdue loan, the longest overdue first.
    pub overdue: Vec<Loan>,
}

/// One of a member's holds.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct HoldView {
    /// The item.
    pub item: Hash,
    /// Its name.
    pub name: String,
    /// Place in the queue, 1 first.
    pub position: u32,
    /// When the pickup window ends, if it is the member's turn.
    pub pickup_until: Option<Timestamp>,
    /// Where the item stands.
    pub status: ItemStatus,
}

/// A member's holds.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct HoldsView {
    /// Their holds, in item order.
    pub holds: Vec<HoldView>,
}

/// The maintenance fund.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FundView {
    /// Its id (an aid pool's).
    pub pool: Hash,
    /// Its name as an aid pool.
    pub name: String,
    /// What it holds.
    pub balance: Kc,
    /// Deposits forfeited into it so far.
    pub forfeited: Kc,
    /// Loan fees paid into it so far.
    pub fees: Kc,
}

/// An item with its loans.
pub fn view<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<ItemView>, StoreError> {
    let Some(item) = item(store, id)? else {
        return Ok(None);
    };
    let loans = item_loans(store, id)?;
    Ok(Some(ItemView { item, loans }))
}

/// `member`'s holds.
pub fn holds_of<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<HoldsView, StoreError> {
    let mut holds = Vec::new();
    for item in items(store)? {
        if let Some(i) = item.holds.iter().position(|h| h.member == *member) {
            holds.push(HoldView {
                item: item.id,
                name: item.name.clone(),
                position: i as u32 + 1,
                pickup_until: item.holds[i].pickup_until,
                status: item.status,
            });
        }
    }
    Ok(HoldsView { holds })
}

/// The maintenance fund of `community`.
pub fn fund<S: StateRead + ?Sized>(store: &S, community: &Hash) -> Result<FundView, StoreError> {
    let pool = maintenance_fund_id(community);
    let (mut forfeited, mut fees) = (0i64, 0i64);
    for l in all_loans(store)? {
        forfeited = forfeited.saturating_add(l.forfeited.0);
        fees = fees.saturating_add(l.fee.0);
    }
    Ok(FundView {
        pool,
        name: FUND_NAME.to_string(),
        balance: store.balance(&Account::Pool(pool))?,
        forfeited: Kc(forfeited),
        fees: Kc(fees),
    })
}

pub(super) fn load_item<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<ToolItem, ApplyError> {
    item(store, id)?.ok_or_else(|| ToolsRejection::UnknownItem { item: *id }.into())
}

pub(super) fn load_loan<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Loan, ApplyError> {
    loan(store, id)?.ok_or(ApplyError::Misfit(
        "an item names a loan that does not exist",
    ))
}

pub(super) fn save_item<S: StoreMut + ?Sized>(store: &mut S, item: &ToolItem) {
    records::write(store, item_key(&item.id), item);
}

/// Writes a loan and keeps the indexes of active loans in step.
pub(super) fn save_loan<S: StoreMut + ?Sized>(store: &mut S, loan: &Loan) {
    let active = records::key(table::TOOL_ACTIVE, &loan.id.0);
    if loan.state == LoanState::Active {
        store.put(active, Vec::new());
    } else {
        store.delete(active);
    }
    records::write(store, loan_key(&loan.id), loan);
}

/// Indexes a new loan under its borrower and its item.
pub(super) fn index_loan<S: StoreMut + ?Sized>(store: &mut S, loan: &Loan) {
    store.put(
        pair_key(table::TOOL_BORROWER, &loan.borrower.0, &loan.id),
        Vec::new(),
    );
    store.put(
        pair_key(table::TOOL_ITEM_LOAN, &loan.item.0, &loan.id),
        Vec::new(),
    );
}

/// What a replayed state must show about the tool library: every open
/// loan's escrow holds exactly its deposit and every closed loan's holds
/// nothing, its deposit having gone whole to the borrower or whole to the
/// maintenance fund (never both, never neither); every item's current
/// loan is open and every open loan is its item's current one. Adds what
/// is wrong to `problems`.
pub fn audit<S: StateRead + ?Sized>(
    store: &S,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let items: std::collections::BTreeMap<Hash, ToolItem> =
        items(store)?.into_iter().map(|i| (i.id, i)).collect();
    for l in all_loans(store)? {
        let escrow = store.balance(&l.escrow())?;
        match l.state {
            LoanState::Active | LoanState::Returned => {
                if escrow != l.deposit {
                    problems.push(format!(
                        "open loan {} holds {escrow} in escrow, not its deposit {}",
                        l.id, l.deposit
                    ));
                }
                if (l.refunded, l.forfeited) != (Kc::ZERO, Kc::ZERO) {
                    problems.push(format!("open loan {} paid out its deposit", l.id));
                }
                if items.get(&l.item).and_then(|i| i.loan) != Some(l.id) {
                    problems.push(format!("open loan {} is not its item's loan", l.id));
                }
            }
            LoanState::Closed => {
                if escrow != Kc::ZERO {
                    problems.push(format!("closed loan {} holds {escrow} in escrow", l.id));
                }
                let settled = match (l.refunded.0, l.forfeited.0) {
                    (0, 0) => l.deposit == Kc::ZERO,
                    (r, 0) => Kc(r) == l.deposit,
                    (0, f) => Kc(f) == l.deposit,
                    _ => false,
                };
                if !settled {
                    problems.push(format!(
                        "closed loan {} paid {} back and {} to the fund of a {} deposit",
                        l.id, l.refunded, l.forfeited, l.deposit
                    ));
                }
            }
        }
    }
    for item in items.values() {
        if let Some(id) = item.loan
            && loan(store, &id)?.is_none_or(|l| l.state == LoanState::Closed)
        {
            problems.push(format!("item {} names a settled loan {id}", item.name));
        }
    }
    Ok(())
}
