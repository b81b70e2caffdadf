//! The federation as one community's state machine sees it: the networks
//! the community belongs to (from `Network` and `Joined` records in its
//! public log), and the checks on its members' regional and network
//! actions that need no other community's records. Whether such an action
//! counts — the proposal exists, the vote is open, the ballot fits — is
//! decided by the cross-community tally ([`crate::federation::tally`]),
//! from every community's public log.

use std::collections::BTreeSet;

use crate::action::{Action, ActionBody, GovernanceAction};
use crate::codec::Canonical;
use crate::crypto::{Hash, PublicKey};
use crate::federation::SignedNetwork;
use crate::governance::{
    Ballot, Level, MAX_OPTIONS, MAX_TEXT_LEN, MAX_TITLE_LEN, ProposalKind, Subject,
};
use crate::log::NodeRecord;
use crate::tally::choice::quadratic;

use super::membership::active_member;
use super::records::{self, StateRead};
use super::store::{StoreError, StoreMut};
use super::{ApplyError, Context, Rejection};

pub use super::table::{MIRRORED, NETWORK, TO_MIRROR};

/// Whether the roster change decided by local proposal `proposal` has been
/// mirrored into the public log.
pub fn mirrored<S: StateRead + ?Sized>(store: &S, proposal: &Hash) -> Result<bool, StoreError> {
    Ok(store.get(&records::key(MIRRORED, &proposal.0))?.is_some())
}

/// Roster changes decided in the local log (membership votes that passed)
/// that the public log does not mirror yet: read from their own small
/// table, so the cost follows what waits, not the history.
pub fn unmirrored<S: StateRead + ?Sized>(
    store: &S,
) -> Result<Vec<crate::federation::RosterChange>, StoreError> {
    let mut out = Vec::new();
    for (key, value) in store.scan_prefix(&[TO_MIRROR])? {
        let corrupt = || StoreError(format!("corrupt record {}", crate::crypto::hex(&key)));
        let proposal = Hash(
            key.get(1..)
                .and_then(|k| k.try_into().ok())
                .ok_or_else(corrupt)?,
        );
        let member = PublicKey(value.as_slice().try_into().map_err(|_| corrupt())?);
        out.push(crate::federation::RosterChange {
            proposal,
            admitted: vec![member],
        });
    }
    Ok(out)
}

/// Notes that local proposal `proposal`, which admitted `member`, passed:
/// its roster change waits for its mirror in the public log.
pub fn to_mirror<S: StoreMut + ?Sized>(store: &mut S, proposal: &Hash, member: &PublicKey) {
    store.put(records::key(TO_MIRROR, &proposal.0), member.0.to_vec());
}

/// Revocations of verified skills (council decisions in the local log)
/// that the public log does not mirror yet.
pub fn unmirrored_revocations<S: StateRead + ?Sized>(
    store: &S,
) -> Result<Vec<crate::economy::learning::Revocation>, StoreError> {
    let mut out = Vec::new();
    for r in crate::economy::learning::all_revocations(store)? {
        if !mirrored(store, &r.proposal)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// The networks this community belongs to.
pub fn networks<S: StateRead + ?Sized>(store: &S) -> Result<Vec<SignedNetwork>, StoreError> {
    store
        .scan_prefix(&[NETWORK])?
        .into_iter()
        .map(|(k, v)| {
            SignedNetwork::from_bytes(&v)
                .map_err(|e| StoreError(format!("corrupt record {}: {e}", crate::crypto::hex(&k))))
        })
        .collect()
}

/// Applies a node record other than a close: records the community's
/// networks; checkpoints, attestations, proofs and roster mirrors change
/// nothing in the community's own state (the federation reads them).
pub fn apply_record<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    record: &NodeRecord,
) -> Result<(), ApplyError> {
    match record {
        NodeRecord::Network(signed) => {
            let verified = (**signed)
                .clone()
                .verify()
                .map_err(|_| ApplyError::Misfit("a network genesis not signed by every founder"))?;
            if verified.genesis.founding(&ctx.community).is_none() {
                return Err(ApplyError::Misfit(
                    "a network this community does not found",
                ));
            }
            remember(store, &verified);
        }
        NodeRecord::Joined { network, .. } => {
            let verified = (**network)
                .clone()
                .verify()
                .map_err(|_| ApplyError::Misfit("a network genesis not signed by every founder"))?;
            remember(store, &verified);
        }
        NodeRecord::Checkpoint(checkpoint) => {
            if !checkpoint.well_formed() {
                return Err(ApplyError::Misfit("a checkpoint lists heads out of order"));
            }
        }
        NodeRecord::Close { .. }
        | NodeRecord::Due { .. }
        | NodeRecord::Attest(_)
        | NodeRecord::Fork { .. } => {}
        NodeRecord::Roster(change) => {
            records::write(store, records::key(MIRRORED, &change.proposal.0), &0u64);
            store.delete(records::key(TO_MIRROR, &change.proposal.0));
        }
        NodeRecord::Revoked(revocation) => {
            records::write(store, records::key(MIRRORED, &revocation.proposal.0), &0u64);
        }
        NodeRecord::Stats(stats) => {
            if crate::analytics::month_record(&*store, stats.month)?
                .closed
                .is_none()
            {
                return Err(ApplyError::Misfit("stats of a month that has not closed"));
            }
            crate::analytics::set_published(store, stats.month);
        }
    }
    Ok(())
}

fn remember<S: StoreMut + ?Sized>(store: &mut S, network: &SignedNetwork) {
    records::write(
        store,
        records::key(NETWORK, &network.genesis.id().0),
        network,
    );
}

/// Whether the community takes part in governance at `level`.
fn at_level<S: StateRead + ?Sized>(
    store: &S,
    ctx: &Context,
    level: Level,
) -> Result<Option<SignedNetwork>, StoreError> {
    for network in networks(store)? {
        let genesis = &network.genesis;
        let ok = match level {
            Level::Local => false,
            Level::Network => true,
            Level::Regional(region) => genesis.regions.iter().any(|r| {
                genesis.region_id(&r.name) == region && r.communities.contains(&ctx.community)
            }),
        };
        if ok {
            return Ok(Some(network));
        }
    }
    Ok(None)
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Local => "local",
        Level::Regional(_) => "regional",
        Level::Network => "network",
    }
}

/// Checks a member's regional or network action against what this
/// community knows: the author is an active member, the community belongs
/// to the level, and the action is well formed.
pub fn check<S: StoreMut + ?Sized>(
    store: &mut S,
    ctx: &Context,
    action: &Action,
    level: Level,
) -> Result<(), ApplyError> {
    active_member(store, &action.author)?;
    let unavailable = || Rejection::LevelNotAvailable {
        level: level_name(level),
    };
    let Some(network) = at_level(store, ctx, level)? else {
        if let Level::Regional(region) = level
            && !networks(store)?.is_empty()
        {
            return Err(Rejection::OutsideRegion { region }.into());
        }
        return Err(unavailable().into());
    };
    let rules = &network.genesis.rules;
    let invalid = |reason| ApplyError::from(Rejection::InvalidProposal { reason });
    match &action.body {
        ActionBody::Governance(GovernanceAction::Propose(p)) => {
            if p.title.trim().is_empty() || p.title.len() > MAX_TITLE_LEN {
                return Err(invalid("a proposal has a title of 1 to 200 bytes"));
            }
            if p.text.len() > MAX_TEXT_LEN {
                return Err(Rejection::TextTooLong {
                    field: "text",
                    len: p.text.len(),
                    max: MAX_TEXT_LEN,
                }
                .into());
            }
            let distinct: BTreeSet<&str> = p.options.iter().map(String::as_str).collect();
            if p.options.len() == 1
                || p.options.len() > MAX_OPTIONS
                || distinct.len() != p.options.len()
                || p.options
                    .iter()
                    .any(|o| o.trim().is_empty() || o.len() > MAX_TITLE_LEN)
            {
                return Err(invalid(
                    "a choice has 2 to 256 distinct options (none: yes/no)",
                ));
            }
            match (p.kind, &p.subject) {
                (ProposalKind::Policy, Subject::Question) => {}
                (ProposalKind::Membership, Subject::Community { node, name, .. }) => {
                    if node.verifying_key().is_err() || name.len() > MAX_TITLE_LEN {
                        return Err(invalid(
                            "a community to admit has a valid node key and a name",
                        ));
                    }
                    if !p.options.is_empty() {
                        return Err(invalid("an admission is a yes/no question"));
                    }
                }
                _ => {
                    return Err(invalid(
                        "regional and network proposals are policies or community admissions",
                    ));
                }
            }
            // Filed under one of the proposer's community's topics; other
            // communities' delegations follow it by the topic's name.
            if let Some(topic) = &p.topic {
                super::governance::check_topic(ctx, topic)?;
            }
        }
        ActionBody::Governance(GovernanceAction::Vote { ballot, .. }) => match ballot {
            Ballot::YesNo(_) => {}
            Ballot::Quadratic(votes) => {
                if votes.is_empty() || votes.len() > MAX_OPTIONS {
                    return Err(Rejection::InvalidBallot {
                        reason: "a quadratic ballot gives 1 to 256 vote counts",
                    }
                    .into());
                }
                // The proposal may live on another node, so its options are
                // checked by the tally; the budget is checked here, as the
                // tally will (`LevelRules` → `QvRules`).
                let budget = match level {
                    Level::Regional(_) => rules.regional.voice_credits,
                    _ => rules.network.voice_credits,
                };
                quadratic::check(votes, budget).map_err(Rejection::from)?;
            }
            Ballot::Ranked(ranking) => {
                if ranking.is_empty() || ranking.len() > MAX_OPTIONS {
                    return Err(Rejection::InvalidBallot {
                        reason: "rank 1 to 256 options",
                    }
                    .into());
                }
            }
            Ballot::Consensus(_) | Ballot::Approval(_) => {
                return Err(Rejection::InvalidBallot {
                    reason: "regional and network votes take yes/no, quadratic or ranked ballots",
                }
                .into());
            }
        },
        ActionBody::Governance(GovernanceAction::Delegate { scope, to }) => {
            let allowed = match level {
                Level::Regional(_) => rules.regional.delegation,
                _ => rules.network.delegation,
            };
            if !allowed {
                return Err(Rejection::DelegationNotAllowed.into());
            }
            if let Some(to) = to {
                if *to == action.author {
                    return Err(Rejection::SelfDelegation.into());
                }
                if to.verifying_key().is_err() {
                    return Err(Rejection::InvalidKey { key: *to }.into());
                }
                if let Some(topic) = scope.topic_of() {
                    super::governance::check_topic(ctx, topic)?;
                }
            }
        }
        _ => return Err(unavailable().into()),
    }
    Ok(())
}

/// The network ids this community belongs to.
pub fn network_ids<S: StateRead + ?Sized>(store: &S) -> Result<Vec<Hash>, StoreError> {
    Ok(networks(store)?.iter().map(|n| n.genesis.id()).collect())
}
