//! Space sharing (DESIGN §6): rooms, halls, storage and garden plots that
//! members book by the hour, as in a room-booking system, every booking a
//! signed action on the local log.
//!
//! Stewards — the members the rules appoint (`spaces.stewards`), or the
//! council in power when the rules appoint none — add spaces and change
//! them. A space has a capacity (places usable at once), a buffer kept
//! free after each booking, a minimum and maximum booking length and a
//! horizon: how far ahead a booking may end.
//!
//! **Occupancy.** A booking of `places` from `start` to `end` occupies
//! those places over the half-open interval `[start, end + buffer)`, with
//! the space's buffer in force when a new booking is checked. A booking
//! is accepted only if, at every instant, the places of the bookings
//! occupying it plus its own stay within the capacity; otherwise it is
//! refused with `overlap`, naming a booking that occupies the instant
//! where the capacity would be exceeded. A booking ending at 10:00 in a
//! space with a 15-minute buffer and capacity 1 thus leaves the room free
//! from 10:15, and a new one may start at 10:15 but not at 10:14 — nor
//! end after 09:45 if the first starts at 10:00.
//!
//! **Bounded reads.** Bookings are indexed by (space, start, id); the
//! check reads only starts in `[start − longest − buffer, end + buffer)`,
//! where `longest` is the longest maximum length the space ever had (so
//! every booking it holds is at most that long): a range scan of the
//! bookings that can overlap, never the space's whole history.
//!
//! **Series.** `weekly: n` books `n` occurrences a week apart in one
//! signed action: each that fits is booked (with its own id) and each
//! that does not is reported in the series record with its refusal code;
//! with `all_or_nothing`, the first that does not fit refuses the whole
//! action. A series none of whose occurrences fit is refused.
//!
//! The booker or a steward cancels a booking that has not ended yet; its
//! places are free again at once. Nothing here moves money and nothing
//! falls due by time (a booking simply passes), so the domain has no
//! scheduled items.

mod apply;
pub mod calendar;
mod tables;

pub use apply::*;
pub use tables::*;

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use crate::community::InvalidRules;
use crate::crypto::{Hash, PublicKey};
use crate::log::LogKind;
use crate::state::{ApplyError, Rejection};
use crate::units::{Millis, Timestamp};

/// Longest space name, in bytes.
pub const MAX_NAME_LEN: usize = 100;

/// Longest booking note, in bytes.
pub const MAX_NOTE_LEN: usize = 500;

/// Most occurrences of one weekly series: a year.
pub const MAX_WEEKLY: u32 = 52;

/// Longest booking a space may allow: 90 days.
pub const MAX_LENGTH: Millis = Millis::days(90);

/// Longest buffer a space may keep after a booking: a day.
pub const MAX_BUFFER: Millis = Millis::days(1);

/// Farthest horizon a space may have: two years.
pub const MAX_HORIZON: Millis = Millis::days(730);

/// Most places a space may have.
pub const MAX_CAPACITY: u32 = 100_000;

/// A week, between the occurrences of a series.
pub const WEEK: Millis = Millis::days(7);

/// What a space is for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKind {
    /// Desks and rooms to work in.
    Coworking,
    /// Halls and rooms for events.
    Events,
    /// Storage room.
    Storage,
    /// Plots and beds of the community gardens.
    CommunityGardens,
}

impl SpaceKind {
    /// Every kind, in order.
    pub const ALL: [SpaceKind; 4] = [
        SpaceKind::Coworking,
        SpaceKind::Events,
        SpaceKind::Storage,
        SpaceKind::CommunityGardens,
    ];

    /// Its name, as the API and CLI spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceKind::Coworking => "coworking",
            SpaceKind::Events => "events",
            SpaceKind::Storage => "storage",
            SpaceKind::CommunityGardens => "community_gardens",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<SpaceKind> {
        SpaceKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for SpaceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a steward says a space is: its name and booking terms.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize, Deserialize)]
pub struct SpaceSpec {
    /// Its name, unique in the community (1 to 100 bytes).
    pub name: String,
    /// What it is for.
    pub kind: SpaceKind,
    /// Places usable at once (1 to 100 000): 1 for a room booked whole.
    pub capacity: u32,
    /// Kept free after each booking (at most a day).
    pub buffer: Millis,
    /// Shortest booking (at least 1 ms, at most the maximum).
    pub min_length: Millis,
    /// Longest booking (at most 90 days).
    pub max_length: Millis,
    /// How far ahead of now a booking may end (at most two years).
    pub horizon: Millis,
}

/// Space sharing actions (local log). A space's id, and the first
/// booking of a `Book`, are the action's id.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SpacesAction {
    /// A steward adds a space.
    Create(SpaceSpec),
    /// A steward changes a space's name or terms; existing bookings stay.
    Update {
        /// The space.
        space: Hash,
        /// Its new name and terms.
        spec: SpaceSpec,
    },
    /// The author books a space: once, or every week `weekly` times.
    Book {
        /// The space.
        space: Hash,
        /// The first occurrence's start.
        start: Timestamp,
        /// The first occurrence's end (after its start).
        end: Timestamp,
        /// Places taken (1 to the capacity).
        places: u32,
        /// Occurrences, a week apart (1 to 52; 1 is a single booking).
        weekly: u32,
        /// Refuse the whole series if any occurrence does not fit.
        all_or_nothing: bool,
        /// What it is for (at most 500 bytes), shown in calendars.
        note: String,
    },
    /// The booker or a steward cancels a booking that has not ended.
    Cancel {
        /// The booking.
        booking: Hash,
    },
}

impl SpacesAction {
    /// A short name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            SpacesAction::Create(_) => "space_create",
            SpacesAction::Update { .. } => "space_update",
            SpacesAction::Book { .. } => "space_book",
            SpacesAction::Cancel { .. } => "space_cancel",
        }
    }

    /// The log space sharing actions are recorded in.
    pub fn log_kind(&self) -> LogKind {
        LogKind::Local
    }
}

/// Space sharing's rules.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpaceRules {
    /// The members who add and change spaces and may cancel any booking.
    /// Empty (the default): the council in power.
    pub stewards: Vec<PublicKey>,
}

impl SpaceRules {
    /// Checks the stewards are valid, distinct keys.
    pub fn validate(&self) -> Result<(), InvalidRules> {
        let mut seen = std::collections::BTreeSet::new();
        for key in &self.stewards {
            if key.verifying_key().is_err() {
                return Err(InvalidRules {
                    rule: "spaces.stewards",
                    reason: "every key must be a valid, strong key",
                });
            }
            if !seen.insert(key) {
                return Err(InvalidRules {
                    rule: "spaces.stewards",
                    reason: "a key is named twice",
                });
            }
        }
        Ok(())
    }
}

/// Why a space sharing action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpacesRejection {
    /// No space with this id.
    #[error("no space {space}")]
    UnknownSpace {
        /// The id.
        space: Hash,
    },
    /// No booking with this id.
    #[error("no booking {booking}")]
    UnknownBooking {
        /// The id.
        booking: Hash,
    },
    /// Only stewards add and change spaces.
    #[error(
        "only the space stewards (the council in power, unless the rules appoint stewards) {what}"
    )]
    NotSteward {
        /// What was attempted.
        what: &'static str,
    },
    /// A space's name or terms are not acceptable.
    #[error("invalid space: {reason}")]
    InvalidSpace {
        /// What is wrong.
        reason: &'static str,
    },
    /// Another space has this name.
    #[error("a space named {name:?} exists already")]
    NameTaken {
        /// The name.
        name: String,
    },
    /// The end is not after the start.
    #[error("a booking ends after it starts ({start} to {end})")]
    InvalidTimes {
        /// The start given.
        start: Timestamp,
        /// The end given.
        end: Timestamp,
    },
    /// Shorter than the space's minimum.
    #[error("a booking of this space lasts at least {min}, not {length}")]
    TooShort {
        /// The booking's length.
        length: Millis,
        /// The minimum.
        min: Millis,
    },
    /// Longer than the space's maximum.
    #[error("a booking of this space lasts at most {max}, not {length}")]
    TooLong {
        /// The booking's length.
        length: Millis,
        /// The maximum.
        max: Millis,
    },
    /// Starts before the log's time.
    #[error("a booking cannot start in the past ({start}, before {now})")]
    InPast {
        /// The start.
        start: Timestamp,
        /// The log's time.
        now: Timestamp,
    },
    /// Ends beyond the space's horizon.
    #[error("this space is booked at most until {latest}; the booking ends {end}")]
    BeyondHorizon {
        /// The booking's end.
        end: Timestamp,
        /// The latest end allowed now.
        latest: Timestamp,
    },
    /// No places, or more than the space has.
    #[error("a booking takes 1 to {capacity} places, not {places}")]
    InvalidPlaces {
        /// The places asked for.
        places: u32,
        /// The space's capacity.
        capacity: u32,
    },
    /// A weekly series of 0 or more than 52 occurrences.
    #[error("a series has 1 to 52 weekly occurrences, not {weekly}")]
    InvalidSeries {
        /// The occurrences asked for.
        weekly: u32,
    },
    /// The places would exceed the capacity at some instant.
    #[error(
        "the space is taken: it would be over capacity alongside booking {booking} ({start} to {end})"
    )]
    Overlap {
        /// A booking occupying the instant where the capacity is exceeded.
        booking: Hash,
        /// Its start.
        start: Timestamp,
        /// Its end.
        end: Timestamp,
    },
    /// Neither the booker nor a steward.
    #[error("only the booker or a space steward cancels a booking")]
    NotBooker,
    /// Cancelled already.
    #[error("the booking was cancelled already")]
    AlreadyCancelled,
    /// Over already.
    #[error("the booking ended at {end}: only bookings not yet over are cancelled")]
    BookingEnded {
        /// Its end.
        end: Timestamp,
    },
}

impl SpacesRejection {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SpacesRejection::UnknownSpace { .. } => "unknown_space",
            SpacesRejection::UnknownBooking { .. } => "unknown_booking",
            SpacesRejection::NotSteward { .. } => "not_steward",
            SpacesRejection::InvalidSpace { .. } => "invalid_space",
            SpacesRejection::NameTaken { .. } => "space_name_taken",
            SpacesRejection::InvalidTimes { .. } => "invalid_times",
            SpacesRejection::TooShort { .. } => "booking_too_short",
            SpacesRejection::TooLong { .. } => "booking_too_long",
            SpacesRejection::InPast { .. } => "booking_in_past",
            SpacesRejection::BeyondHorizon { .. } => "beyond_horizon",
            SpacesRejection::InvalidPlaces { .. } => "invalid_places",
            SpacesRejection::InvalidSeries { .. } => "invalid_series",
            SpacesRejection::Overlap { .. } => "overlap",
            SpacesRejection::NotBooker => "not_booker",
            SpacesRejection::AlreadyCancelled => "already_cancelled",
            SpacesRejection::BookingEnded { .. } => "booking_ended",
        }
    }
}

impl From<SpacesRejection> for ApplyError {
    fn from(r: SpacesRejection) -> Self {
        ApplyError::Rejected(Rejection::Spaces(r))
    }
}
