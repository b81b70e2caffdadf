//! Bookkeeping of who is refused and why: application penalties (from
//! [`Net::penalise`](super::Net::penalise)), which decay over time; bans,
//! which last a cooldown; and manual blocks (test partitions), which last
//! until lifted. Pure: time is an argument, and every table is bounded.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use libp2p::PeerId;

/// Penalty added by each `penalise()`; it counts against the gossipsub score
/// one for one (application-specific weight 1).
pub const PENALTY_STEP: f64 = 40.0;

/// Time for an application penalty to halve.
pub const PENALTY_HALF_LIFE: Duration = Duration::from_secs(10 * 60);

/// How long a banned peer is refused.
pub const BAN_COOLDOWN: Duration = Duration::from_secs(10 * 60);

/// Most peers with a pending penalty, and most banned peers, remembered.
pub const MAX_TRACKED: usize = 4096;

/// Penalties below this are forgotten.
const NEGLIGIBLE_PENALTY: f64 = 0.01;

#[derive(Debug, Clone, Copy)]
struct Penalty {
    value: f64,
    at: Instant,
}

impl Penalty {
    fn at(&self, now: Instant) -> f64 {
        let halvings =
            now.saturating_duration_since(self.at).as_secs_f64() / PENALTY_HALF_LIFE.as_secs_f64();
        self.value * 0.5f64.powf(halvings)
    }
}

/// Penalties, bans and blocks.
#[derive(Debug, Default)]
pub struct Standing {
    penalties: HashMap<PeerId, Penalty>,
    bans: HashMap<PeerId, Instant>,
    blocked: HashSet<PeerId>,
}

impl Standing {
    /// Adds [`PENALTY_STEP`] to `peer`'s penalty; returns the new penalty.
    pub fn penalise(&mut self, peer: PeerId, now: Instant) -> f64 {
        if !self.penalties.contains_key(&peer) && self.penalties.len() >= MAX_TRACKED {
            self.forget_penalties(now);
            if self.penalties.len() >= MAX_TRACKED {
                // Make room by forgetting the mildest penalty.
                let mildest = self
                    .penalties
                    .iter()
                    .min_by(|a, b| a.1.at(now).total_cmp(&b.1.at(now)))
                    .map(|(peer, _)| *peer);
                if let Some(mildest) = mildest {
                    self.penalties.remove(&mildest);
                }
            }
        }
        let value = self.penalty(&peer, now) + PENALTY_STEP;
        self.penalties.insert(peer, Penalty { value, at: now });
        value
    }

    /// `peer`'s current (decayed) penalty; 0 when it has none.
    pub fn penalty(&self, peer: &PeerId, now: Instant) -> f64 {
        self.penalties.get(peer).map_or(0.0, |p| p.at(now))
    }

    /// Forgets penalties that have decayed to nothing.
    pub fn forget_penalties(&mut self, now: Instant) {
        self.penalties
            .retain(|_, penalty| penalty.at(now) >= NEGLIGIBLE_PENALTY);
    }

    /// Bans `peer` until `now + BAN_COOLDOWN` and forgets its penalty (it
    /// starts afresh when the ban ends). When the ban table is full the ban
    /// ending soonest is lifted early and returned, so that the caller can
    /// stop refusing that peer.
    pub fn ban(&mut self, peer: PeerId, now: Instant) -> Option<PeerId> {
        self.penalties.remove(&peer);
        let mut lifted = None;
        if !self.bans.contains_key(&peer) && self.bans.len() >= MAX_TRACKED {
            lifted = self
                .bans
                .iter()
                .min_by_key(|(_, until)| **until)
                .map(|(peer, _)| *peer);
            if let Some(lifted) = &lifted {
                self.bans.remove(lifted);
            }
        }
        self.bans.insert(peer, now + BAN_COOLDOWN);
        lifted.filter(|peer| !self.is_refused(peer))
    }

    /// Ends the bans whose cooldown has passed; returns the peers that are
    /// no longer refused.
    pub fn expire_bans(&mut self, now: Instant) -> Vec<PeerId> {
        let mut ended = Vec::new();
        self.bans.retain(|peer, until| {
            let keep = *until > now;
            if !keep {
                ended.push(*peer);
            }
            keep
        });
        ended.retain(|peer| !self.blocked.contains(peer));
        ended
    }

    /// Whether `peer` is serving a ban.
    pub fn is_banned(&self, peer: &PeerId) -> bool {
        self.bans.contains_key(peer)
    }

    /// Blocks `peer` until [`Self::unblock`].
    pub fn block(&mut self, peer: PeerId) {
        self.blocked.insert(peer);
    }

    /// Lifts a block; returns whether `peer` is now no longer refused.
    pub fn unblock(&mut self, peer: &PeerId) -> bool {
        self.blocked.remove(peer);
        !self.is_refused(peer)
    }

    /// Whether connections to and from `peer` are refused.
    pub fn is_refused(&self, peer: &PeerId) -> bool {
        self.blocked.contains(peer) || self.bans.contains_key(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalties_add_up_and_halve_over_their_half_life() {
        let mut standing = Standing::default();
        let peer = PeerId::random();
        let t0 = Instant::now();
        assert_eq!(standing.penalise(peer, t0), PENALTY_STEP);
        assert_eq!(standing.penalise(peer, t0), 2.0 * PENALTY_STEP);
        let later = standing.penalty(&peer, t0 + PENALTY_HALF_LIFE);
        assert!((later - PENALTY_STEP).abs() < 1e-9, "{later}");
        standing.forget_penalties(t0 + 20 * PENALTY_HALF_LIFE);
        assert_eq!(standing.penalty(&peer, t0), 0.0);
    }

    #[test]
    fn a_ban_lasts_its_cooldown_and_a_block_outlasts_it() {
        let mut standing = Standing::default();
        let (banned, both) = (PeerId::random(), PeerId::random());
        let t0 = Instant::now();
        standing.penalise(banned, t0);
        assert_eq!(standing.ban(banned, t0), None);
        assert_eq!(
            standing.penalty(&banned, t0),
            0.0,
            "a ban clears the penalty"
        );
        standing.block(both);
        standing.ban(both, t0);
        assert!(standing.is_refused(&banned) && standing.is_refused(&both));
        assert!(standing.expire_bans(t0 + BAN_COOLDOWN / 2).is_empty());
        assert_eq!(standing.expire_bans(t0 + BAN_COOLDOWN), vec![banned]);
        assert!(!standing.is_refused(&banned));
        assert!(standing.is_refused(&both), "still blocked");
        assert!(standing.unblock(&both));
    }

    #[test]
    fn tables_are_bounded() {
        let mut standing = Standing::default();
        let t0 = Instant::now();
        let first = PeerId::random();
        standing.ban(first, t0);
        for i in 1..MAX_TRACKED {
            standing.ban(PeerId::random(), t0 + Duration::from_millis(i as u64));
            standing.penalise(PeerId::random(), t0);
        }
        standing.penalise(PeerId::random(), t0);
        assert_eq!(standing.penalties.len(), MAX_TRACKED);
        assert_eq!(standing.ban(PeerId::random(), t0), Some(first));
        assert_eq!(standing.bans.len(), MAX_TRACKED);
    }
}
