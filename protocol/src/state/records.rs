//! The typed records of the materialised state and the keys they live
//! under. Keys start with one byte naming the table.

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::codec::{self, Canonical};
use crate::community::Genesis;
use crate::crypto::{Hash, PublicKey};
use crate::log::{Head, LogKind};
use crate::units::{Kc, Timestamp};

use super::store::{Store, StoreError, StoreMut};

pub use super::table;

/// The community this state belongs to.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct CommunityRecord {
    /// Its id.
    pub id: Hash,
    /// Its genesis.
    pub genesis: Genesis,
}
impl Canonical for CommunityRecord {}

/// Whether a member is active.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// A member in good standing.
    Active,
    /// Left of their own accord.
    Left,
    /// Removed by the council.
    Removed,
}

impl std::fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MemberStatus::Active => "active",
            MemberStatus::Left => "left the community",
            MemberStatus::Removed => "removed by the council",
        })
    }
}

/// A member of the community.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Member {
    /// Their key.
    pub key: PublicKey,
    /// When they (last) joined.
    pub joined: Timestamp,
    /// Active, left or removed.
    pub status: MemberStatus,
    /// Their council seat, if they hold one.
    pub seat: Option<Seat>,
    /// Who invited them (`None` for founders).
    pub invited_by: Option<PublicKey>,
    /// When they left or were removed (`None` while active).
    pub left: Option<Timestamp>,
    /// Suspended by a council decision until this time.
    pub suspended_until: Option<Timestamp>,
}
impl Canonical for Member {}

impl Member {
    /// Whether they hold a council seat (in term or not).
    pub fn on_council(&self) -> bool {
        self.seat.is_some()
    }

    /// Whether the member was in the community throughout `[from, until)`:
    /// joined by `from` and had not left before `until`. This is who may
    /// vote on a proposal created at `from` that closes at `until`.
    pub fn member_during(&self, from: Timestamp, until: Timestamp) -> bool {
        self.joined <= from && self.left.is_none_or(|left| left >= until)
    }
}

/// A council seat and its term (DESIGN §8): a member is seated at genesis
/// (founders), when they claim a founder invite, or when an election that
/// elects them closes; the term runs for `rules.council.term` from then.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Seat {
    /// When the member was seated.
    pub since: Timestamp,
    /// When the term ends: from then on the member holds the seat only as
    /// a caretaker, while no council member is in term.
    pub term_ends: Timestamp,
}

/// Counts of the roster, kept so rules about them need no scan.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize)]
pub struct Roster {
    /// Active members.
    pub active: u64,
    /// Active council members (seated, in term or not).
    pub council: u64,
}
impl Canonical for Roster {}

/// An issued invite.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct Invite {
    /// The council member who issued it (`None`: a founder invite).
    pub issuer: Option<PublicKey>,
    /// Last instant it may be claimed (`None`: never expires).
    pub expires: Option<Timestamp>,
    /// Whether its claimant joins the council.
    pub founder: bool,
    /// Who claimed it.
    pub claimed_by: Option<PublicKey>,
}
impl Canonical for Invite {}

/// A ledger account.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Account {
    /// A member's account.
    Member(PublicKey),
    /// The community treasury.
    Treasury,
    /// A pool's account (aid, insurance, education, maintenance fund).
    Pool(Hash),
    /// A deposit held for a loan, by the loan's id.
    Escrow(Hash),
}
impl Canonical for Account {}

/// Key of a record in a table.
pub fn key(table: u8, id: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + id.len());
    key.push(table);
    key.extend_from_slice(id);
    key
}

/// Key of a log kind's applied head.
pub fn applied_key(kind: LogKind) -> Vec<u8> {
    key(table::APPLIED, &[kind as u8])
}

/// Reads a typed record.
pub fn read<T: Canonical, S: Store + ?Sized>(
    store: &S,
    key: &[u8],
) -> Result<Option<T>, StoreError> {
    match store.get(key)? {
        None => Ok(None),
        Some(bytes) => T::from_bytes(&bytes)
            .map(Some)
            .map_err(|e| corrupt(key, &e)),
    }
}

/// Reads every record of a table, in key order.
pub fn read_all<T: Canonical, S: Store + ?Sized>(
    store: &S,
    table: u8,
) -> Result<Vec<T>, StoreError> {
    store
        .scan_prefix(&[table])?
        .into_iter()
        .map(|(k, v)| T::from_bytes(&v).map_err(|e| corrupt(&k, &e)))
        .collect()
}

/// The ids an index lists under `prefix` (keys `prefix ‖ 32-byte id`), in
/// key order; a key of another length is a corrupt index.
pub fn ids_under<S: Store + ?Sized>(store: &S, prefix: &[u8]) -> Result<Vec<Hash>, StoreError> {
    store
        .scan_prefix(prefix)?
        .into_iter()
        .map(|(key, _)| {
            key[prefix.len()..]
                .try_into()
                .map(Hash)
                .map_err(|_| StoreError(format!("corrupt index key {}", crate::crypto::hex(&key))))
        })
        .collect()
}

/// Writes a typed record.
pub fn write<T: Canonical, S: StoreMut + ?Sized>(store: &mut S, key: Vec<u8>, value: &T) {
    store.put(key, value.to_bytes());
}

fn corrupt(key: &[u8], e: &codec::Error) -> StoreError {
    StoreError(format!(
        "corrupt state record {}: {e}",
        crate::crypto::hex(key)
    ))
}

/// Typed reads of the state, shared by the state machine and queries.
pub trait StateRead: Store {
    /// The community record (absent before genesis is applied).
    fn community(&self) -> Result<Option<CommunityRecord>, StoreError> {
        read(self, &[table::COMMUNITY])
    }
    /// A member.
    fn member(&self, who: &PublicKey) -> Result<Option<Member>, StoreError> {
        read(self, &key(table::MEMBER, &who.0))
    }
    /// Every member, in key order.
    fn members(&self) -> Result<Vec<Member>, StoreError> {
        self.scan_prefix(&[table::MEMBER])?
            .into_iter()
            .map(|(k, v)| Member::from_bytes(&v).map_err(|e| corrupt(&k, &e)))
            .collect()
    }
    /// Roster counts.
    fn roster(&self) -> Result<Roster, StoreError> {
        Ok(read(self, &[table::ROSTER])?.unwrap_or_default())
    }
    /// An author's last accepted nonce.
    fn last_nonce(&self, who: &PublicKey) -> Result<Option<u64>, StoreError> {
        read(self, &key(table::NONCE, &who.0))
    }
    /// An invite.
    fn invite(&self, key_: &PublicKey) -> Result<Option<Invite>, StoreError> {
        read(self, &key(table::INVITE, &key_.0))
    }
    /// An account's balance (zero if it never moved).
    fn balance(&self, account: &Account) -> Result<Kc, StoreError> {
        Ok(read(self, &key(table::ACCOUNT, &account.to_bytes()))?.unwrap_or(Kc::ZERO))
    }
    /// Every account that ever moved, with its balance.
    fn accounts(&self) -> Result<Vec<(Account, Kc)>, StoreError> {
        self.scan_prefix(&[table::ACCOUNT])?
            .into_iter()
            .map(|(k, v)| {
                let account = Account::from_bytes(&k[1..]).map_err(|e| corrupt(&k, &e))?;
                let balance = Kc::from_bytes(&v).map_err(|e| corrupt(&k, &e))?;
                Ok((account, balance))
            })
            .collect()
    }
    /// The head of a log kind that the state has applied.
    fn applied(&self, kind: LogKind) -> Result<Option<Head>, StoreError> {
        read(self, &applied_key(kind))
    }
}

impl<S: Store + ?Sized> StateRead for S {}

impl Canonical for Kc {}
impl Canonical for u64 {}
impl Canonical for Head {}
