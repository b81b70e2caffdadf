//! What the service knows of its federation as `GET /v1/node/status`
//! shows it — the networks, the heads held and seen, the votes not yet
//! final — and the catch-up progress the node logs while it fetches logs
//! peers hold further than it does. Everything here reads the service's
//! state in memory: no log is read or replayed.

use std::collections::BTreeMap;

use hearth_protocol::Timestamp;
use hearth_protocol::crypto::Hash;
use hearth_protocol::governance::Level;
use serde::Serialize;

use super::super::Service;
use crate::store::FedStorage;

/// How often, at most, catch-up progress is logged.
pub const PROGRESS_INTERVAL: hearth_protocol::Millis = hearth_protocol::Millis::secs(5);

/// A network the community belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkStatus {
    /// The network id.
    pub id: Hash,
    /// Its name.
    pub name: String,
    /// How many communities it has (founders and those admitted since).
    pub communities: usize,
}

/// A public log the node holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeadStatus {
    /// Whose log it is.
    pub community: Hash,
    /// The seq of the head the node holds.
    pub seq: u64,
    /// The highest head peers reported (at least `seq`).
    pub seen: u64,
}

/// Where a vote not yet final stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VoteState {
    /// Ballots are still taken (or the discussion before them goes on).
    Open,
    /// Closed; witnesses still checkpoint the ballots cast.
    Grace,
    /// Past the grace; the count waits for every community's checkpoint.
    Finality,
}

/// A regional or network vote not yet final.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingVote {
    /// The proposal id.
    pub id: Hash,
    /// `network` or `regional`.
    pub level: &'static str,
    /// The proposal's title.
    pub title: String,
    /// When its vote closes (ms since the epoch).
    pub closes_at: u64,
    /// Where it stands.
    pub state: VoteState,
}

/// The federation part of the node's status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FedStatus {
    /// The networks the community belongs to.
    pub networks: Vec<NetworkStatus>,
    /// Every public log held, this community's first.
    pub heads: Vec<HeadStatus>,
    /// Regional and network votes not yet final.
    pub pending_votes: Vec<PendingVote>,
}

impl FedStatus {
    /// How many entries the node lacks of what peers reported.
    pub fn behind(&self) -> u64 {
        self.heads.iter().map(|h| h.seen - h.seq).sum()
    }
}

/// A catch-up in progress: since when, and what was fetched per log.
#[derive(Debug, Clone)]
pub(crate) struct CatchUp {
    since: Timestamp,
    last_report: Timestamp,
    fetched: BTreeMap<Hash, u64>,
}

/// The first eight hex digits of an id, for log lines.
fn short(id: &Hash) -> String {
    id.to_string().chars().take(8).collect()
}

impl<S: FedStorage> Service<S> {
    /// The highest head peers reported of each log they reported.
    fn seen(&self) -> BTreeMap<Hash, u64> {
        let mut seen: BTreeMap<Hash, u64> = BTreeMap::new();
        for ((_, community), seq) in &self.fed.peer_heads {
            let top = seen.entry(*community).or_default();
            *top = (*top).max(*seq);
        }
        seen
    }

    /// How many entries of each log peers reported are still missing
    /// (logs of which nothing is held yet included).
    fn missing(&self) -> Vec<(Hash, u64)> {
        self.seen()
            .into_iter()
            .filter_map(|(community, seen)| {
                let held = if community == self.community {
                    self.heads[0].map(|h| h.seq)
                } else {
                    self.fed.heads.get(&community).map(|h| h.seq)
                };
                let missing = held.map_or(seen + 1, |held| seen.saturating_sub(held));
                (missing > 0).then_some((community, missing))
            })
            .collect()
    }

    /// The heads held of every public log, with the highest heads peers
    /// reported of each (this community's own log first).
    fn held_and_seen(&self) -> Vec<HeadStatus> {
        let seen = self.seen();
        let own = self.heads[0].map(|h| (self.community, h.seq));
        let others = self.fed.heads.iter().map(|(c, h)| (*c, h.seq));
        own.into_iter()
            .chain(others)
            .map(|(community, seq)| HeadStatus {
                community,
                seq,
                seen: seen.get(&community).copied().unwrap_or(0).max(seq),
            })
            .collect()
    }

    /// The federation part of the node's status at `now`.
    pub fn fed_status(&self, now: Timestamp) -> FedStatus {
        let networks = self
            .fed
            .network
            .iter()
            .map(|n| NetworkStatus {
                id: n.genesis.id(),
                name: n.genesis.name.clone(),
                communities: self.fed.nodes.len() + 1,
            })
            .collect();
        FedStatus {
            networks,
            heads: self.held_and_seen(),
            pending_votes: self.pending_votes(now),
        }
    }

    /// How many regional and network votes are not yet final.
    pub fn pending_vote_count(&self) -> usize {
        self.fed
            .closes
            .keys()
            .filter(|id| !self.fed.attested.contains(*id))
            .count()
    }

    /// The regional and network votes not yet final, by when they close.
    fn pending_votes(&self, now: Timestamp) -> Vec<PendingVote> {
        let Some(network) = &self.fed.network else {
            return Vec::new();
        };
        let grace = network.genesis.rules.grace;
        let view = self.fed.view.shared.read();
        let mut votes: Vec<PendingVote> = self
            .fed
            .closes
            .iter()
            .filter(|(id, _)| !self.fed.attested.contains(*id))
            .map(|(id, closes)| {
                let proposal = view.as_ref().and_then(|v| v.proposals.get(id));
                let level = match proposal.map(|p| p.proposal.level) {
                    Some(Level::Regional(_)) => "regional",
                    _ => "network",
                };
                let state = if now < *closes {
                    VoteState::Open
                } else if now <= closes.plus(grace) {
                    VoteState::Grace
                } else {
                    VoteState::Finality
                };
                PendingVote {
                    id: *id,
                    level,
                    title: proposal
                        .map(|p| p.proposal.title.clone())
                        .unwrap_or_default(),
                    closes_at: closes.0,
                    state,
                }
            })
            .collect();
        votes.sort_by_key(|v| (v.closes_at, v.id));
        votes
    }

    /// Entries of `community` were stored: counted in a catch-up under way.
    pub(super) fn note_fetched(&mut self, community: Hash, entries: u64) {
        if let Some(catch_up) = &mut self.fed.catch_up {
            *catch_up.fetched.entry(community).or_default() += entries;
        }
    }

    /// A range is fetched: a catch-up starts, if none is under way.
    pub(super) fn catching_up(&mut self, now: Timestamp) {
        if self.fed.catch_up.is_none() {
            self.fed.catch_up = Some(CatchUp {
                since: now,
                // The first report comes one interval in: a gap filled at
                // once is no catch-up worth a line.
                last_report: now,
                fetched: BTreeMap::new(),
            });
        }
    }

    /// Logs the catch-up's progress (at most every [`PROGRESS_INTERVAL`])
    /// and its end, once nothing any peer reported is missing.
    pub(super) fn report_catch_up(&mut self, now: Timestamp) {
        if let Some(line) = self.catch_up_report(now) {
            tracing::info!("{line}");
        }
    }

    /// The catch-up line due at `now`, if one is: its progress per log at
    /// most every [`PROGRESS_INTERVAL`], and one line when it is over (a
    /// catch-up over before its first progress line ends silently: each
    /// range received has its own line already).
    pub fn catch_up_report(&mut self, now: Timestamp) -> Option<String> {
        let catch_up = self.fed.catch_up.as_ref()?;
        let missing = self.missing();
        if missing.is_empty() {
            let line = (catch_up.last_report > catch_up.since).then(|| {
                let fetched: u64 = catch_up.fetched.values().sum();
                let logs = catch_up.fetched.len();
                format!(
                    "caught up with peers: fetched {fetched} entries of {logs} log{} in {} s",
                    if logs == 1 { "" } else { "s" },
                    now.0.saturating_sub(catch_up.since.0) / 1000
                )
            });
            self.fed.catch_up = None;
            return line;
        }
        if now < catch_up.last_report.plus(PROGRESS_INTERVAL) {
            return None;
        }
        let progress: Vec<String> = missing
            .iter()
            .map(|(community, missing)| {
                let fetched = catch_up.fetched.get(community).copied().unwrap_or(0);
                format!("{} {fetched} fetched, {missing} to go", short(community))
            })
            .collect();
        if let Some(catch_up) = &mut self.fed.catch_up {
            catch_up.last_report = now;
        }
        Some(format!("catching up: {}", progress.join("; ")))
    }
}
