//! Skill listings, their indexes, and the queries members read: one
//! listing with where it stands, the listings of a category, and matches.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::economy::time_bank::{self, ShareState};
use crate::state::ApplyError;
use crate::state::records::{self, StateRead, ids_under, table};
use crate::state::store::{StoreError, StoreMut};
use crate::units::Timestamp;

use super::*;

/// Most fitting listings `matches` gives for each of a member's listings.
pub const MAX_MATCHES_PER_LISTING: usize = 20;

/// An offer or request of a skill.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct Listing {
    /// Its id: the action that posted it.
    pub id: Hash,
    /// Who posted it.
    pub author: PublicKey,
    /// An offer or a request.
    pub kind: ListingKind,
    /// Its category.
    pub category: String,
    /// The skill.
    pub skill: String,
    /// What is offered or needed.
    pub description: String,
    /// When the author is available.
    pub availability: String,
    /// When it was posted.
    pub created: Timestamp,
    /// When its author withdrew it, if they did.
    pub withdrawn: Option<Timestamp>,
}
impl Canonical for Listing {}

/// Where a listing stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingState {
    /// Open to be accepted.
    Open,
    /// A request with an exchange awaiting confirmation.
    Taken,
    /// A request with a confirmed exchange.
    Fulfilled,
    /// Withdrawn by its author.
    Withdrawn,
}

impl std::fmt::Display for ListingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ListingState::Open => "open",
            ListingState::Taken => "taken",
            ListingState::Fulfilled => "fulfilled",
            ListingState::Withdrawn => "withdrawn",
        })
    }
}

/// A listing as members read it: where it stands and its exchanges.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ListingView {
    /// The listing.
    #[serde(flatten)]
    pub listing: Listing,
    /// Where it stands.
    pub state: ListingState,
    /// The time bank records of its exchanges, oldest first.
    pub exchanges: Vec<Hash>,
}

/// A listing of someone else's that fits one of a member's.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Match {
    /// The member's own listing.
    pub mine: Hash,
    /// The fitting listing.
    pub theirs: ListingView,
    /// Whether both name the same skill (the same words).
    pub same_skill: bool,
    /// How many words their skills share.
    pub common_words: u32,
}

fn listing_key(id: &Hash) -> Vec<u8> {
    records::key(table::SKILL_LISTING, &id.0)
}

/// The index of open listings by kind and category:
/// `kind ‖ category ‖ 0 ‖ id`.
fn category_prefix(kind: ListingKind, category: &str) -> Vec<u8> {
    let mut id = vec![kind.byte()];
    id.extend_from_slice(category.as_bytes());
    id.push(0);
    records::key(table::SKILL_INDEX, &id)
}

/// The index of each author's listings: `2 ‖ author ‖ id`.
fn author_prefix(author: &PublicKey) -> Vec<u8> {
    let mut id = vec![2];
    id.extend_from_slice(&author.0);
    records::key(table::SKILL_INDEX, &id)
}

fn exchange_prefix(listing: &Hash) -> Vec<u8> {
    records::key(table::SKILL_EXCHANGE, &listing.0)
}

fn with_id(mut prefix: Vec<u8>, id: &Hash) -> Vec<u8> {
    prefix.extend_from_slice(&id.0);
    prefix
}

/// A listing.
pub fn listing<S: StateRead + ?Sized>(store: &S, id: &Hash) -> Result<Option<Listing>, StoreError> {
    records::read(store, &listing_key(id))
}

/// A listing with where it stands and its exchanges.
pub fn view<S: StateRead + ?Sized>(store: &S, listing: Listing) -> Result<ListingView, StoreError> {
    let exchanges = ids_under(store, &exchange_prefix(&listing.id))?;
    // A request's confirmed exchange fulfils it, even when its author
    // withdrew it while the exchange waited for confirmation.
    let mut state = ListingState::Open;
    if listing.kind == ListingKind::Request {
        for id in &exchanges {
            let Some(record) = time_bank::record(store, id)? else {
                continue;
            };
            match record.shares.first().map(|s| s.state) {
                Some(ShareState::Confirmed) => state = ListingState::Fulfilled,
                Some(ShareState::Pending) if state == ListingState::Open => {
                    state = ListingState::Taken
                }
                _ => {}
            }
        }
    }
    if listing.withdrawn.is_some() && state != ListingState::Fulfilled {
        state = ListingState::Withdrawn;
    }
    let mut exchanges_in_order = Vec::with_capacity(exchanges.len());
    for id in exchanges {
        if let Some(record) = time_bank::record(store, &id)? {
            exchanges_in_order.push((record.created, id));
        }
    }
    exchanges_in_order.sort();
    Ok(ListingView {
        listing,
        state,
        exchanges: exchanges_in_order.into_iter().map(|(_, id)| id).collect(),
    })
}

/// A listing as members read it.
pub fn listing_view<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Option<ListingView>, StoreError> {
    listing(store, id)?.map(|l| view(store, l)).transpose()
}

fn newest_first(views: &mut [ListingView]) {
    views.sort_by(|a, b| (b.listing.created, a.listing.id).cmp(&(a.listing.created, b.listing.id)));
}

/// Listings, newest first: of one category and kind (through the index)
/// if given; only the open ones unless `all`.
pub fn listings<S: StateRead + ?Sized>(
    store: &S,
    category: Option<&str>,
    kind: Option<ListingKind>,
    all: bool,
) -> Result<Vec<ListingView>, StoreError> {
    let found: Vec<Listing> = match category.filter(|_| !all) {
        Some(category) => {
            let kinds = match kind {
                Some(k) => vec![k],
                None => vec![ListingKind::Offer, ListingKind::Request],
            };
            let mut found = Vec::new();
            for k in kinds {
                for id in ids_under(store, &category_prefix(k, category))? {
                    found.extend(listing(store, &id)?);
                }
            }
            found
        }
        None => records::read_all(store, table::SKILL_LISTING)?,
    };
    let mut views = Vec::new();
    for l in found {
        if category.is_some_and(|c| l.category != c) || kind.is_some_and(|k| l.kind != k) {
            continue;
        }
        let v = view(store, l)?;
        if all || v.state == ListingState::Open {
            views.push(v);
        }
    }
    newest_first(&mut views);
    Ok(views)
}

/// A member's listings (withdrawn ones excluded), newest first.
pub fn member_listings<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<ListingView>, StoreError> {
    let mut views = Vec::new();
    for id in ids_under(store, &author_prefix(member))? {
        if let Some(l) = listing(store, &id)? {
            views.push(view(store, l)?);
        }
    }
    newest_first(&mut views);
    Ok(views)
}

/// The listings of others that fit `member`'s open listings: for each of
/// the member's open listings, newest first, the open listings of the
/// other kind in its category whose skill shares a word with it — the
/// same skill first, then the most words in common, then the most
/// recent, then by id; at most [`MAX_MATCHES_PER_LISTING`] each.
pub fn matches<S: StateRead + ?Sized>(
    store: &S,
    member: &PublicKey,
) -> Result<Vec<Match>, StoreError> {
    let mut out = Vec::new();
    for mine in member_listings(store, member)? {
        if mine.state != ListingState::Open {
            continue;
        }
        let words = skill_words(&mine.listing.skill);
        let prefix = category_prefix(mine.listing.kind.other(), &mine.listing.category);
        let mut fits = Vec::new();
        for id in ids_under(store, &prefix)? {
            let Some(theirs) = listing(store, &id)? else {
                continue;
            };
            if theirs.author == *member {
                continue;
            }
            let their_words = skill_words(&theirs.skill);
            let common = their_words.iter().filter(|w| words.contains(w)).count();
            if common == 0 {
                continue;
            }
            let theirs = view(store, theirs)?;
            if theirs.state != ListingState::Open {
                continue;
            }
            fits.push(Match {
                mine: mine.listing.id,
                same_skill: their_words == words,
                common_words: u32::try_from(common).unwrap_or(u32::MAX),
                theirs,
            });
        }
        fits.sort_by(|a, b| {
            let key = |m: &Match| (m.same_skill, m.common_words, m.theirs.listing.created);
            key(b)
                .cmp(&key(a))
                .then(a.theirs.listing.id.cmp(&b.theirs.listing.id))
        });
        fits.truncate(MAX_MATCHES_PER_LISTING);
        out.extend(fits);
    }
    Ok(out)
}

pub(super) fn load_listing<S: StateRead + ?Sized>(
    store: &S,
    id: &Hash,
) -> Result<Listing, ApplyError> {
    listing(store, id)?.ok_or_else(|| SkillsRejection::UnknownListing { listing: *id }.into())
}

/// Saves a new listing and indexes it by category and author.
pub(super) fn insert_listing<S: StoreMut + ?Sized>(store: &mut S, listing: &Listing) {
    records::write(store, listing_key(&listing.id), listing);
    let by_category = with_id(
        category_prefix(listing.kind, &listing.category),
        &listing.id,
    );
    store.put(by_category, Vec::new());
    store.put(
        with_id(author_prefix(&listing.author), &listing.id),
        Vec::new(),
    );
}

/// Marks a listing withdrawn and takes it out of both indexes.
pub(super) fn withdraw_listing<S: StoreMut + ?Sized>(
    store: &mut S,
    listing: &mut Listing,
    time: Timestamp,
) {
    listing.withdrawn = Some(time);
    records::write(store, listing_key(&listing.id), &*listing);
    store.delete(with_id(
        category_prefix(listing.kind, &listing.category),
        &listing.id,
    ));
    store.delete(with_id(author_prefix(&listing.author), &listing.id));
}

/// Records that time bank record `record` is an exchange of `listing`.
pub(super) fn add_exchange<S: StoreMut + ?Sized>(store: &mut S, listing: &Hash, record: &Hash) {
    store.put(with_id(exchange_prefix(listing), record), Vec::new());
}
