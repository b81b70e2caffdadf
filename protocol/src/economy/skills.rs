//! Skill sharing (DESIGN §6): members post offers of a skill they can
//! share and requests for one they need — tutoring, mentorship, crafts,
//! digital, or a category the community adds by rule — with a
//! description and their availability.
//!
//! Matching is a query: the requests that fit a member's open offers and
//! the offers that fit their open requests. A listing fits another of the
//! other kind when both name the same category and their skills share a
//! word; the fits are ranked by the same skill first, then the most words
//! in common, then the most recent, then by id — deterministic, so every
//! node lists the same matches.
//!
//! Accepting a listing records the exchange in the time bank: accepting
//! an offer is time received from its author, who confirms it; accepting
//! a request is time given to its author, who confirms it. The time bank
//! record (its id is the accept's id) is then confirmed, declined or
//! expires as any other, and the confirmation pays — once. A request is
//! fulfilled by its first confirmed exchange and taken while an exchange
//! for it waits; an offer stays open for more exchanges until withdrawn.

mod apply;
mod tables;

pub use apply::*;
pub use tables::*;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::community::Rules;
use crate::crypto::Hash;
use crate::log::LogKind;
use crate::state::{ApplyError, Rejection};

/// The built-in skill categories.
pub const CATEGORIES: [&str; 4] = ["tutoring", "mentorship", "crafts", "digital"];

/// Longest skill name, in bytes.
pub const MAX_SKILL_LEN: usize = 80;

/// Longest description, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 1000;

/// Longest availability, in bytes.
pub const MAX_AVAILABILITY_LEN: usize = 200;

/// Most open (not withdrawn) listings one member has at once.
pub const MAX_OPEN_LISTINGS: usize = 50;

/// Most categories a community adds to a domain's built-in ones.
pub const MAX_EXTRA_CATEGORIES: usize = 32;

/// Longest name of a community-defined category, in bytes.
pub const MAX_CATEGORY_LEN: usize = 32;

/// Skill sharing's rules.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SkillRules {
    /// Categories the community adds to the built-in ones.
    pub categories: Vec<String>,
}

impl SkillRules {
    /// Checks the community's categories.
    pub fn validate(&self) -> Result<(), &'static str> {
        check_extra_categories(&self.categories, &CATEGORIES)
    }
}

/// Checks community-defined categories: at most 32, each 1 to 32 bytes
/// of `a-z`, `0-9` and `_`, distinct, none a built-in one.
pub fn check_extra_categories(extra: &[String], built_in: &[&str]) -> Result<(), &'static str> {
    if extra.len() > MAX_EXTRA_CATEGORIES {
        return Err("at most 32 categories are added");
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in extra {
        let valid = !c.is_empty()
            && c.len() <= MAX_CATEGORY_LEN
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid {
            return Err("a category is 1 to 32 characters of a-z, 0-9 and _");
        }
        if built_in.contains(&c.as_str()) || !seen.insert(c) {
            return Err("a category is named twice (or is a built-in one)");
        }
    }
    Ok(())
}

/// The categories listings may name: the built-in ones, then the
/// community's.
pub fn categories(rules: &Rules) -> Vec<String> {
    CATEGORIES
        .iter()
        .map(|c| (*c).to_string())
        .chain(rules.skills.categories.iter().cloned())
        .collect()
}

/// Whether `category` is one listings may name.
pub fn is_category(rules: &Rules, category: &str) -> bool {
    CATEGORIES.contains(&category) || rules.skills.categories.iter().any(|c| c == category)
}

/// An offer or a request.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingKind {
    /// The author can share the skill.
    Offer,
    /// The author needs the skill.
    Request,
}

impl ListingKind {
    /// The other kind: the one a listing of this kind fits.
    pub fn other(self) -> ListingKind {
        match self {
            ListingKind::Offer => ListingKind::Request,
            ListingKind::Request => ListingKind::Offer,
        }
    }

    /// `offer` or `request`.
    pub fn as_str(self) -> &'static str {
        match self {
            ListingKind::Offer => "offer",
            ListingKind::Request => "request",
        }
    }

    fn byte(self) -> u8 {
        match self {
            ListingKind::Offer => 0,
            ListingKind::Request => 1,
        }
    }
}

/// Skill sharing actions (local log). A listing's id is its action's id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SkillsAction {
    /// The author offers or requests a skill.
    Post {
        /// An offer or a request.
        kind: ListingKind,
        /// One of the community's skill categories.
        category: String,
        /// The skill, in a few words (1 to 80 bytes).
        skill: String,
        /// What is offered or needed (at most 1000 bytes).
        description: String,
        /// When the author is available (at most 200 bytes).
        availability: String,
    },
    /// The author withdraws their listing, for good.
    Withdraw {
        /// The listing.
        listing: Hash,
    },
    /// The author accepts another member's listing and records the
    /// exchange in the time bank, for the listing's author to confirm.
    Accept {
        /// The listing.
        listing: Hash,
        /// How long the exchange took, 1 to 1440 minutes.
        minutes: u32,
        /// What was done (at most 1000 bytes).
        note: String,
    },
}

impl SkillsAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            SkillsAction::Post {
                kind: ListingKind::Offer,
                ..
            } => "skill_offer",
            SkillsAction::Post {
                kind: ListingKind::Request,
                ..
            } => "skill_request",
            SkillsAction::Withdraw { .. } => "skill_withdraw",
            SkillsAction::Accept { .. } => "skill_accept",
        }
    }

    /// The log skill sharing actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// The words of a skill, for matching: lower-cased runs of letters and
/// digits, sorted and distinct.
pub fn skill_words(skill: &str) -> Vec<String> {
    let mut words: Vec<String> = skill
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Why a skill sharing action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkillsRejection {
    /// No listing with this id.
    #[error("no skill listing {listing}")]
    UnknownListing {
        /// The id.
        listing: Hash,
    },
    /// Not one of the community's skill categories.
    #[error("unknown skill category {category:?}: see `hearth skills categories`")]
    UnknownCategory {
        /// The category given.
        category: String,
    },
    /// The skill is empty or too long.
    #[error("a skill is named in 1 to 80 bytes")]
    InvalidSkill,
    /// The author already has the most open listings allowed.
    #[error("you have 50 open listings already: withdraw one first")]
    TooManyListings,
    /// Only a listing's author withdraws it.
    #[error("only its author withdraws a listing")]
    NotListingAuthor,
    /// Nobody accepts their own listing.
    #[error("you cannot accept your own listing")]
    OwnListing,
    /// The listing is withdrawn, or a request already fulfilled or taken.
    #[error("the listing is {state}")]
    ListingClosed {
        /// Where it stands.
        state: ListingState,
    },
}

impl SkillsRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SkillsRejection::UnknownListing { .. } => "unknown_listing",
            SkillsRejection::UnknownCategory { .. } => "unknown_category",
            SkillsRejection::InvalidSkill => "invalid_skill",
            SkillsRejection::TooManyListings => "too_many_listings",
            SkillsRejection::NotListingAuthor => "not_listing_author",
            SkillsRejection::OwnListing => "own_listing",
            SkillsRejection::ListingClosed { .. } => "listing_closed",
        }
    }
}

impl From<SkillsRejection> for ApplyError {
    fn from(r: SkillsRejection) -> Self {
        ApplyError::Rejected(Rejection::Skills(r))
    }
}
