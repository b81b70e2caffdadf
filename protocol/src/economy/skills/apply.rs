//! Applying skill sharing's actions.

use crate::action::Action;
use crate::economy::time_bank::{self, RecordKind};
use crate::state::membership::active_member;
use crate::state::store::StoreMut;
use crate::state::{ApplyError, Context, Rejection};

use super::tables::*;
use super::*;

/// Applies a skill sharing action.
pub fn apply<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    body: &SkillsAction,
) -> Result<(), ApplyError> {
    let author = &action.author;
    active_member(store, author)?;
    match body {
        SkillsAction::Post {
            kind,
            category,
            skill,
            description,
            availability,
        } => {
            if !is_category(&ctx.rules, category) {
                return Err(SkillsRejection::UnknownCategory {
                    category: category.clone(),
                }
                .into());
            }
            if skill.trim().is_empty() || skill.len() > MAX_SKILL_LEN {
                return Err(SkillsRejection::InvalidSkill.into());
            }
            for (field, text, max) in [
                ("description", description, MAX_DESCRIPTION_LEN),
                ("availability", availability, MAX_AVAILABILITY_LEN),
            ] {
                if text.len() > max {
                    return Err(Rejection::TextTooLong {
                        field,
                        len: text.len(),
                        max,
                    }
                    .into());
                }
            }
            let open = member_listings(&*store, author)?
                .iter()
                .filter(|l| l.state != ListingState::Fulfilled)
                .count();
            if open >= MAX_OPEN_LISTINGS {
                return Err(SkillsRejection::TooManyListings.into());
            }
            insert_listing(
                store,
                &Listing {
                    id: action.id(),
                    author: *author,
                    kind: *kind,
                    category: category.clone(),
                    skill: skill.clone(),
                    description: description.clone(),
                    availability: availability.clone(),
                    created: ctx.time,
                    withdrawn: None,
                },
            );
            Ok(())
        }
        SkillsAction::Withdraw { listing } => {
            let mut listing = load_listing(&*store, listing)?;
            if listing.author != *author {
                return Err(SkillsRejection::NotListingAuthor.into());
            }
            let state = view(&*store, listing.clone())?.state;
            if matches!(state, ListingState::Withdrawn | ListingState::Fulfilled) {
                return Err(SkillsRejection::ListingClosed { state }.into());
            }
            withdraw_listing(store, &mut listing, ctx.time);
            Ok(())
        }
        SkillsAction::Accept {
            listing,
            minutes,
            note,
        } => {
            let listing = load_listing(&*store, listing)?;
            if listing.author == *author {
                return Err(SkillsRejection::OwnListing.into());
            }
            let state = view(&*store, listing.clone())?.state;
            if state != ListingState::Open {
                return Err(SkillsRejection::ListingClosed { state }.into());
            }
            // Accepting an offer is time received from its author, who
            // confirms; accepting a request is time given to its author,
            // who confirms.
            let (kind, provider, recipient) = match listing.kind {
                ListingKind::Offer => (RecordKind::Received, listing.author, *author),
                ListingKind::Request => (RecordKind::Logged, *author, listing.author),
            };
            let note = if note.is_empty() {
                &listing.skill
            } else {
                note
            };
            let entry = time_bank::Entry {
                minutes: *minutes,
                category: &listing.category,
                note,
            };
            let id = action.id();
            time_bank::open(store, ctx, id, kind, &provider, &[recipient], entry)?;
            add_exchange(store, &listing.id, &id);
            Ok(())
        }
    }
}
