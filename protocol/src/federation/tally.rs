//! The cross-community tally of a regional or network proposal (DESIGN
//! §7.3), a pure function of a [`FederationView`] (and of `now`, only to
//! decide whether the tally is final yet):
//!
//! - the level's communities are those at the proposal's opening (founding
//!   ones, and those admitted by a passed membership vote whose close plus
//!   grace came before);
//! - eligible voters are the members of those communities' rosters, as
//!   their public logs record them at the opening;
//! - a ballot or delegation counts if it is in its community's public log
//!   in an entry with `time ≤ close`, was created at or before the close,
//!   and that entry is witnessed by the checkpoints of enough other
//!   communities with `time ≤ close + grace` (logs frozen by an
//!   equivocation proof contribute nothing after the fork);
//! - per member key, the ballot with the highest nonce counts (one key,
//!   one budget, whatever communities it belongs to);
//! - the tally is final once every community of the level has an entry
//!   later than close + grace, or once `finality` has passed after that
//!   (the missing communities are then listed).
//!
//! Every record the tally does not count is listed with its reason.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};
use serde::Serialize;

use crate::community::{LevelRules, Method, Ties};
use crate::crypto::{Hash, PublicKey};
use crate::governance::{Ballot, Level, Schedule, Stage, Subject, Tier, Tiers, YesNo, method_of};
use crate::state::decide::{Report, Verdict};
use crate::tally::blt::RankedBallot;
use crate::tally::choice::{
    FailReason, MajorityBallot, MajorityRules, Outcome, QvBallot, QvQuestion, QvRules, majority,
    quadratic,
};
use crate::tally::electorate::{Ballots, Electorate};
use crate::tally::{lot_seed, result_hash, schulze};
use crate::units::Timestamp;

use super::view::{Cast, FederationView, Place, ProposalEntry};

/// Why a ballot or delegation was not counted.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ExclusionReason {
    /// Recorded by a community that is not part of the proposal's level.
    OutsideLevel,
    /// Sealed after the close, or signed after it.
    Late,
    /// Sealed before the vote opened.
    Early,
    /// Not witnessed by enough other communities' checkpoints in time.
    Unwitnessed {
        /// Communities whose checkpoints witnessed it in time.
        witnesses: u32,
        /// How many were needed.
        needed: u32,
    },
    /// The author was not on the roster of the community whose log holds it
    /// at the opening.
    NotOnRoster,
    /// The ballot does not fit the proposal's method.
    InvalidBallot,
}

/// What a record not counted was.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A ballot.
    Ballot,
    /// A delegation.
    Delegation,
}

/// A ballot or delegation that was not counted, and why.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode, Serialize)]
pub struct Excluded {
    /// The community whose log holds it.
    pub community: Hash,
    /// The entry.
    pub seq: u64,
    /// The action id.
    pub action: Hash,
    /// Its author.
    pub author: PublicKey,
    /// A ballot or a delegation.
    pub kind: Kind,
    /// Why it was not counted.
    pub reason: ExclusionReason,
}

/// The full, hashed report of a cross-community tally.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, Serialize)]
pub struct FederatedReport {
    /// The network.
    pub network: Hash,
    /// The proposal.
    pub proposal: Hash,
    /// Its level.
    pub level: Level,
    /// When it was proposed (the roster date).
    pub opened: Timestamp,
    /// When its vote closed.
    pub closes: Timestamp,
    /// The communities of the level at the opening.
    pub communities: Vec<Hash>,
    /// Communities frozen by an equivocation proof, with the fork's seq.
    pub frozen: Vec<(Hash, u64)>,
    /// Members eligible to vote.
    pub eligible: u64,
    /// Ballots counted (one per voter: the latest).
    pub ballots: u64,
    /// Records not counted, with reasons.
    pub excluded: Vec<Excluded>,
    /// The count by the proposal's method.
    pub count: Report,
}

/// Attestations of a proposal's result by the level's communities.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Certification {
    /// Each attesting community and the result hash it attested (its first).
    pub attestations: Vec<(Hash, Hash)>,
    /// Attestations of one hash that certify it: two thirds of the level.
    pub needed: u64,
    /// The certified result hash, if any.
    pub certified: Option<Hash>,
    /// Communities of the level that have not attested.
    pub missing: Vec<Hash>,
}

/// The outcome of a cross-community tally.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct FederatedResult {
    /// The report.
    pub report: FederatedReport,
    /// Its hash: what nodes attest.
    pub result: Hash,
    /// Whether the proposal passed (or, for a choice, whether a winner was
    /// adopted).
    pub passed: bool,
    /// The winning option of a choice.
    pub winner: Option<u32>,
    /// What was decided, in the words of a local decision (`no_ballots`,
    /// `tied`, `winner`, `passed`, `failed`).
    pub verdict: Verdict,
    /// Whether the tally is final (nodes attest only final tallies).
    pub is_final: bool,
    /// Once final: communities with no entry dated after close + grace
    /// and within the finality window after it (from the logs' dates, so
    /// the same on every node). Not part of the hashed report: a node that
    /// was offline and catches up later counts the same records and must
    /// reach the same hash.
    pub missing: Vec<Hash>,
    /// The attestations so far.
    pub certification: Certification,
    /// The stage at `now`.
    pub stage: Stage,
}

/// Two thirds of `n`, rounded up: attestations that certify a result.
pub fn two_thirds(n: usize) -> u64 {
    (2 * n as u64).div_ceil(3)
}

/// Tallies regional and network proposals over a view.
#[derive(Debug)]
pub struct Tallier<'a> {
    view: &'a FederationView,
    admitted: RefCell<BTreeMap<Hash, bool>>,
}

impl<'a> Tallier<'a> {
    /// A tallier over `view`.
    pub fn new(view: &'a FederationView) -> Tallier<'a> {
        Tallier {
            view,
            admitted: RefCell::new(BTreeMap::new()),
        }
    }

    fn level_rules(&self, level: Level) -> &LevelRules {
        match level {
            Level::Network | Level::Local => &self.view.network.rules.network,
            Level::Regional(_) => &self.view.network.rules.regional,
        }
    }

    fn schedule(&self, p: &ProposalEntry) -> Schedule {
        Schedule::of(
            p.proposal.kind,
            p.place.time,
            &self.view.network.rules.as_rules(),
        )
    }

    /// The communities of `level` at time `at`.
    pub fn communities_at(&self, level: Level, at: Timestamp) -> BTreeSet<Hash> {
        let network = &self.view.network;
        let mut set: BTreeSet<Hash> = match level {
            Level::Network | Level::Local => network.communities.iter().map(|f| f.id).collect(),
            Level::Regional(region) => network
                .regions
                .iter()
                .find(|r| network.region_id(&r.name) == region)
                .map(|r| r.communities.iter().copied().collect())
                .unwrap_or_default(),
        };
        let grace = network.rules.grace;
        for p in self.view.admission_proposals() {
            if p.proposal.level != level {
                continue;
            }
            let Subject::Community { community, .. } = &p.proposal.subject else {
                continue;
            };
            if self.schedule(p).closes.plus(grace) > at {
                continue;
            }
            if self.admits(p) {
                set.insert(*community);
            }
        }
        set
    }

    fn admits(&self, p: &ProposalEntry) -> bool {
        if let Some(&known) = self.admitted.borrow().get(&p.id) {
            return known;
        }
        // Only admissions that took effect before this proposal opened are
        // consulted, so the recursion ends.
        let passed = self.count(p, Timestamp(u64::MAX)).is_some_and(|r| r.passed);
        self.admitted.borrow_mut().insert(p.id, passed);
        passed
    }

    /// The tally of `proposal` as the view stands at `now`.
    pub fn tally(&self, proposal: &Hash, now: Timestamp) -> Option<FederatedResult> {
        let p = self.view.proposals.get(proposal)?;
        self.count(p, now)
    }

    fn count(&self, p: &ProposalEntry, now: Timestamp) -> Option<FederatedResult> {
        let view = self.view;
        let rules = &view.network.rules;
        let schedule = self.schedule(p);
        let closes = schedule.closes;
        let opened = p.place.time;
        let voting_from = schedule
            .stages
            .iter()
            .find(|(stage, _)| *stage == Stage::Voting)
            .map_or(opened, |(_, at)| *at);
        let level = p.proposal.level;
        let communities = self.communities_at(level, opened);
        let witness_deadline = closes.plus(rules.grace);

        // The level's communities in order (a cast names its community by
        // its index here) and their rosters at the opening, in key order.
        let level_communities: Vec<Hash> = communities.iter().copied().collect();
        let rosters: Vec<Vec<PublicKey>> = level_communities
            .iter()
            .map(|c| view.roster_at(c, opened))
            .collect();
        let electorate = {
            // A key on several rosters counts once.
            let mut all: Vec<PublicKey> = rosters.iter().flatten().copied().collect();
            // Sorted runs, merged (a stable sort finds the runs).
            all.sort_by(key_order);
            all.dedup();
            // Already in order: interning only checks it.
            Electorate::new(all)
        };

        // Witnesses: every community of the network at the close may witness.
        let network_now = self.communities_at(Level::Network, closes);
        let needed = rules
            .witnesses
            .min(network_now.len().saturating_sub(1) as u32);
        let witnessed = |community: &Hash| -> Vec<u64> {
            let Some(index) = view.communities.get(community) else {
                return Vec::new();
            };
            let mut seqs: Vec<u64> = network_now
                .iter()
                .filter(|w| *w != community)
                .filter_map(|w| view.communities.get(w))
                .filter_map(|w| {
                    w.checkpoints
                        .iter()
                        .filter(|c| c.place.time <= witness_deadline)
                        .filter_map(|c| c.checkpoint.head_of(community))
                        .filter(|h| index.ids.get(h.seq as usize) == Some(&h.hash))
                        .map(|h| h.seq)
                        .max()
                })
                .collect();
            seqs.sort_unstable_by(|a, b| b.cmp(a));
            seqs
        };
        let mut witness_cache: BTreeMap<Hash, Vec<u64>> = BTreeMap::new();
        let mut witnesses_of = |place: &Place| -> u32 {
            let seqs = witness_cache
                .entry(place.community)
                .or_insert_with(|| witnessed(&place.community));
            seqs.iter().filter(|&&s| s >= place.seq).count() as u32
        };

        let mut excluded = Vec::new();
        // Every check but the roster's, which is made in key order below;
        // what passes comes back with its community's index.
        let mut check = |cast_place: &Place,
                         created: Timestamp,
                         from_voting: Option<Timestamp>|
         -> Result<u32, ExclusionReason> {
            let Ok(community) = level_communities.binary_search(&cast_place.community) else {
                return Err(ExclusionReason::OutsideLevel);
            };
            if cast_place.time > closes || created > closes {
                return Err(ExclusionReason::Late);
            }
            if from_voting.is_some_and(|from| cast_place.time < from) {
                return Err(ExclusionReason::Early);
            }
            let w = witnesses_of(cast_place);
            if w < needed {
                return Err(ExclusionReason::Unwitnessed {
                    witnesses: w,
                    needed,
                });
            }
            Ok(community as u32)
        };
        let exclude =
            |excluded: &mut Vec<Excluded>, cast_place: &Place, id, author, kind, reason| {
                excluded.push(Excluded {
                    community: cast_place.community,
                    seq: cast_place.seq,
                    action: id,
                    author,
                    kind,
                    reason,
                })
            };

        // Ballots: the latest per key among those that count. Candidates
        // are taken in key order (and log order for one key), so each
        // roster is read once alongside them; they carry what that needs,
        // so the casts themselves are read in log order.
        let casts = view.ballots.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
        let mut candidates: Vec<Candidate> = Vec::with_capacity(casts.len());
        for (i, cast) in casts.iter().enumerate() {
            match check(&cast.place, cast.created, Some(voting_from)) {
                Err(reason) => exclude(
                    &mut excluded,
                    &cast.place,
                    cast.id,
                    cast.author,
                    Kind::Ballot,
                    reason,
                ),
                Ok(community) => candidates.push(Candidate {
                    author: cast.author,
                    nonce: cast.nonce,
                    cast: i as u32,
                    community,
                    yes_no: match cast.value {
                        Ballot::YesNo(v) => Some(v),
                        _ => None,
                    },
                }),
            }
        }
        candidates
            .sort_unstable_by(|a, b| key_order(&a.author, &b.author).then(a.cast.cmp(&b.cast)));
        let mut on_roster = RosterReader::new(&rosters);
        // Kept in place: the first `kept` candidates are the latest ballot
        // of each key so far.
        let mut kept: usize = 0;
        for next in 0..candidates.len() {
            let candidate = candidates[next];
            if !on_roster.contains(candidate.community, &candidate.author) {
                let cast = &casts[candidate.cast as usize];
                exclude(
                    &mut excluded,
                    &cast.place,
                    cast.id,
                    cast.author,
                    Kind::Ballot,
                    ExclusionReason::NotOnRoster,
                );
                continue;
            }
            match kept.checked_sub(1).map(|last| &mut candidates[last]) {
                Some(old) if old.author == candidate.author => {
                    let later = candidate.nonce > old.nonce
                        || (candidate.nonce == old.nonce
                            && casts[candidate.cast as usize].id > casts[old.cast as usize].id);
                    if later {
                        *old = candidate;
                    }
                }
                _ => {
                    candidates[kept] = candidate;
                    kept += 1;
                }
            }
        }
        candidates.truncate(kept);
        let latest = candidates;
        let cast_of = |c: &Candidate| &casts[c.cast as usize];

        // Delegations in the scopes that apply to this proposal (its
        // level; its kind; its topic, by name), as they stood at the close:
        // the latest per key and tier, in key order.
        let delegations = &view.delegations;
        let topic = p.proposal.topic.as_ref();
        let mut candidates: Vec<(u64, Tier, usize, u32)> = Vec::new();
        for (i, cast) in delegations.iter().enumerate() {
            let (scope, _) = &cast.value;
            let Some(tier) = scope.applies_to(level, p.proposal.kind, topic) else {
                continue;
            };
            if cast.place.time > closes {
                continue;
            }
            match check(&cast.place, cast.created, None) {
                Err(reason) => exclude(
                    &mut excluded,
                    &cast.place,
                    cast.id,
                    cast.author,
                    Kind::Delegation,
                    reason,
                ),
                Ok(community) => candidates.push((key_head(&cast.author), tier, i, community)),
            }
        }
        candidates.sort_unstable_by(|(ha, ta, a, _), (hb, tb, b, _)| {
            ha.cmp(hb)
                .then_with(|| delegations[*a].author.cmp(&delegations[*b].author))
                .then(ta.cmp(tb))
                .then(a.cmp(b))
        });
        let mut on_roster = RosterReader::new(&rosters);
        let mut scoped: Vec<((PublicKey, Tier), &Cast<_>)> = Vec::new();
        for (_, tier, i, community) in candidates {
            let cast = &delegations[i];
            let key = (cast.author, tier);
            if !on_roster.contains(community, &key.0) {
                exclude(
                    &mut excluded,
                    &cast.place,
                    cast.id,
                    cast.author,
                    Kind::Delegation,
                    ExclusionReason::NotOnRoster,
                );
                continue;
            }
            match scoped.last_mut() {
                Some((k, old)) if *k == key => {
                    if (cast.nonce, cast.id) > (old.nonce, old.id) {
                        *old = cast;
                    }
                }
                _ => scoped.push((key, cast)),
            }
        }
        // Each member's latest delegation per tier resolves as the local
        // count resolves it (`Tiers`): the most specific one not revoked
        // wins. A member's tiers are side by side in key order.
        let mut delegates: Vec<(PublicKey, PublicKey)> = Vec::new();
        for group in scoped.chunk_by(|((a, _), _), ((b, _), _)| a == b) {
            let mut tiers = Tiers::default();
            for ((_, tier), cast) in group {
                tiers.set(*tier, cast.value.1);
            }
            if let (Some(((from, _), _)), Some(to)) = (group.first(), tiers.delegate()) {
                delegates.push((*from, to));
            }
        }

        // The count.
        let rules_level = self.level_rules(level);
        let rules_all = rules.as_rules();
        let method = method_of(&p.proposal, &rules_all);
        let invalid = |cast: &Cast<Ballot>, excluded: &mut Vec<Excluded>| {
            exclude(
                excluded,
                &cast.place,
                cast.id,
                cast.author,
                Kind::Ballot,
                ExclusionReason::InvalidBallot,
            )
        };
        let origin_ok = communities.contains(&p.place.community);
        let fitting = |c: &Candidate| crate::state::decide::fits(method, &cast_of(c).value);
        // Lots are drawn from the proposal and the ballots counted, which
        // every node reads the same from the logs (see `lot_seed`).
        // Only the methods that may draw a lot hash the ballots for it.
        let seed = || lot_seed(&p.id, latest.iter().map(|c| (&c.author, &cast_of(c).value)));
        let (count, passed, winner) = if !origin_ok {
            (
                Report::Uncountable {
                    reason: "proposed by a community outside the proposal's level".into(),
                },
                false,
                None,
            )
        } else if !latest.iter().any(fitting) {
            // No ballot of the method's form: nothing to count. Any other
            // ballot is listed as not fitting.
            for candidate in &latest {
                invalid(cast_of(candidate), &mut excluded);
            }
            (Report::NoBallots, false, None)
        } else {
            match method {
                // Majority and quadratic votes are counted over the
                // interned electorate, as `majority::tally` and
                // `quadratic::tally` count (the same reports and hashes).
                Method::Majority => {
                    let ballots = by_member(&electorate, &latest, |candidate| {
                        let ballot = match candidate.yes_no {
                            Some(YesNo::Yes) => MajorityBallot::Yes,
                            Some(YesNo::No) => MajorityBallot::No,
                            Some(YesNo::Abstain) => MajorityBallot::Abstain,
                            None => {
                                invalid(cast_of(candidate), &mut excluded);
                                return None;
                            }
                        };
                        Some(ballot)
                    });
                    let delegations = electorate.delegations_sorted(&delegates);
                    let report = majority::tally_indexed(
                        &ballots,
                        &delegations,
                        &MajorityRules::from(rules_level),
                    )
                    .to_report(&electorate);
                    let passed = report.outcome.passed();
                    (Report::Majority(report), passed, None)
                }
                Method::Quadratic => {
                    let ballots = by_member(&electorate, &latest, |candidate| {
                        let cast = cast_of(candidate);
                        match &cast.value {
                            Ballot::Quadratic(votes) => Some(QvBallot {
                                votes: votes.clone(),
                            }),
                            _ => {
                                invalid(cast, &mut excluded);
                                None
                            }
                        }
                    });
                    let question = QvQuestion {
                        options: p.proposal.options.len().max(1) as u32,
                        allow_negative: true,
                        seed: match rules_level.ties {
                            Ties::Lot => seed(),
                            Ties::Fail => p.id,
                        },
                    };
                    let delegations = electorate.delegations_sorted(&delegates);
                    let report = quadratic::tally_indexed(
                        &question,
                        &ballots,
                        &delegations,
                        &QvRules::from(rules_level),
                    )
                    .into_report(&electorate);
                    let passed = report.outcome.passed();
                    let winner = if p.proposal.options.is_empty() {
                        None
                    } else {
                        report.leader.filter(|_| passed)
                    };
                    (Report::Quadratic(report), passed, winner)
                }
                Method::Schulze => {
                    let options = p.proposal.options.len();
                    let mut ranked = Vec::new();
                    for candidate in &latest {
                        let cast = cast_of(candidate);
                        match &cast.value {
                            Ballot::Ranked(r)
                                if !r.is_empty()
                                    && r.iter().all(|&i| (i as usize) < options)
                                    && r.iter().collect::<BTreeSet<_>>().len() == r.len() =>
                            {
                                ranked.push(RankedBallot {
                                    weight: 1,
                                    ranking: r.clone(),
                                })
                            }
                            _ => invalid(cast, &mut excluded),
                        }
                    }
                    match schulze::schulze(options, &ranked, &[], &seed()) {
                        Ok(report) => {
                            // A tied lead adopts nothing unless the rules
                            // draw lots.
                            let tied = report.unbeaten.len() > 1 && rules_level.ties == Ties::Fail;
                            let winner = report.winner.filter(|_| !tied);
                            (Report::Schulze(report), winner.is_some(), winner)
                        }
                        Err(e) => (
                            Report::Uncountable {
                                reason: e.to_string(),
                            },
                            false,
                            None,
                        ),
                    }
                }
                other => (
                    Report::Uncountable {
                        reason: format!("{other:?} is not a method of regional or network votes"),
                    },
                    false,
                    None,
                ),
            }
        };

        let verdict = verdict_of(&count, passed, winner);
        let (is_final, missing) = self.finality(&communities, closes, now);
        let frozen: Vec<(Hash, u64)> = communities
            .iter()
            .filter_map(|c| {
                view.communities
                    .get(c)
                    .and_then(|i| i.fork)
                    .map(|f| (*c, f))
            })
            .collect();

        excluded.sort();
        let report = FederatedReport {
            network: view.network_id,
            proposal: p.id,
            level,
            opened,
            closes,
            communities: communities.iter().copied().collect(),
            frozen,
            eligible: electorate.len() as u64,
            ballots: latest.len() as u64,
            excluded,
            count,
        };
        let result = result_hash(&report);
        let certification = self.certification(p, &communities);
        Some(FederatedResult {
            report,
            result,
            passed,
            winner,
            verdict,
            is_final,
            missing,
            certification,
            stage: schedule.stage_at(now, None),
        })
    }

    /// Whether the tally of `proposal` is final at `now` — without counting
    /// it (what a node asks on every tick while a vote waits for finality).
    pub fn is_final(&self, proposal: &Hash, now: Timestamp) -> Option<bool> {
        let p = self.view.proposals.get(proposal)?;
        let communities = self.communities_at(p.proposal.level, p.place.time);
        Some(self.finality(&communities, self.schedule(p).closes, now).0)
    }

    /// Whether a tally of the level's `communities` closing at `closes` is
    /// final at `now`, and the communities missing once it is: final once
    /// the vote closed and every community has an entry after close +
    /// grace, or once `finality` has passed after that. Missing are the
    /// communities with no entry dated within that finality window — read
    /// from the logs' dates, not from when entries arrived, so every node
    /// holding the logs lists the same ones, however late it caught up.
    fn finality(
        &self,
        communities: &BTreeSet<Hash>,
        closes: Timestamp,
        now: Timestamp,
    ) -> (bool, Vec<Hash>) {
        let view = self.view;
        let witness_deadline = closes.plus(view.network.rules.grace);
        let final_deadline = witness_deadline.plus(view.network.rules.finality);
        let after_grace = |c: &Hash| {
            view.communities
                .get(c)
                .and_then(|i| i.last)
                .is_some_and(|(_, time, _)| time > witness_deadline)
        };
        let closed = now >= closes;
        let by_deadline = now >= final_deadline;
        let is_final = closed && (by_deadline || communities.iter().all(after_grace));
        let missing = if is_final {
            communities
                .iter()
                .filter(|c| !view.has_entry_between(c, witness_deadline, final_deadline))
                .copied()
                .collect()
        } else {
            Vec::new()
        };
        (is_final, missing)
    }

    /// What changes of a result counted earlier: the certification (from
    /// the attestations seen since) and the stage at `now`. A final count
    /// never changes (what it counts is fixed by the logs' dates), so a
    /// node counts it once and keeps it.
    pub fn refreshed(&self, result: &FederatedResult, now: Timestamp) -> (Certification, Stage) {
        let Some(p) = self.view.proposals.get(&result.report.proposal) else {
            return (result.certification.clone(), result.stage);
        };
        let communities: BTreeSet<Hash> = result.report.communities.iter().copied().collect();
        (
            self.certification(p, &communities),
            self.schedule(p).stage_at(now, None),
        )
    }

    fn certification(&self, p: &ProposalEntry, communities: &BTreeSet<Hash>) -> Certification {
        let mut first: BTreeMap<Hash, Hash> = BTreeMap::new();
        if let Some(list) = self.view.attestations.get(&p.id) {
            let mut sorted: Vec<_> = list.iter().collect();
            sorted.sort_by_key(|(place, _)| (place.community, place.seq));
            for (place, result) in sorted {
                if communities.contains(&place.community) {
                    first.entry(place.community).or_insert(*result);
                }
            }
        }
        let needed = two_thirds(communities.len());
        let mut votes: BTreeMap<Hash, u64> = BTreeMap::new();
        for result in first.values() {
            *votes.entry(*result).or_default() += 1;
        }
        let certified = votes
            .iter()
            .find(|(_, n)| **n >= needed && needed > 0)
            .map(|(h, _)| *h);
        Certification {
            missing: communities
                .iter()
                .filter(|c| !first.contains_key(c))
                .copied()
                .collect(),
            attestations: first.into_iter().collect(),
            needed,
            certified,
        }
    }
}

/// What a federated count decides, as a local decision says it.
fn verdict_of(count: &Report, passed: bool, winner: Option<u32>) -> Verdict {
    match count {
        Report::NoBallots => Verdict::NoBallots,
        Report::Quadratic(r) => match &r.outcome {
            Outcome::Failed(FailReason::Tied { options }) => Verdict::Tied(options.clone()),
            _ if winner.is_some() => Verdict::Winner(winner),
            _ if passed => Verdict::Passed,
            _ => Verdict::Failed,
        },
        Report::Schulze(r) if winner.is_none() && r.unbeaten.len() > 1 => {
            Verdict::Tied(r.unbeaten.clone())
        }
        Report::Schulze(_) => Verdict::Winner(winner),
        _ if passed => Verdict::Passed,
        _ => Verdict::Failed,
    }
}

/// The latest ballots (in key order) by member index of `electorate`,
/// found by one walk over its keys; `ballot` gives a candidate's ballot,
/// or `None` to leave it out.
fn by_member<B>(
    electorate: &Electorate,
    latest: &[Candidate],
    mut ballot: impl FnMut(&Candidate) -> Option<B>,
) -> Ballots<B> {
    let mut ballots = Ballots::new(electorate.len());
    let keys = electorate.keys();
    let mut member = 0;
    for candidate in latest {
        let Some(b) = ballot(candidate) else {
            continue;
        };
        let key = &candidate.author;
        while keys.get(member).is_some_and(|k| key_order(k, key).is_lt()) {
            member += 1;
        }
        match keys.get(member) {
            Some(k) if k == key => ballots.cast(member as u32, b),
            _ => ballots.cast_ineligible(*key, b),
        }
    }
    ballots
}

/// A ballot that passed every check but the roster's, with what that
/// check and the choice of the latest ballot per key read.
#[derive(Clone, Copy)]
struct Candidate {
    author: PublicKey,
    nonce: u64,
    /// Its index among the proposal's casts.
    cast: u32,
    /// Its community's index among the level's.
    community: u32,
    /// The ballot, if it is yes / no / abstain.
    yes_no: Option<YesNo>,
}

/// Reads the rosters of a tally alongside casts taken in key order: one
/// cursor per roster (by community index) that only moves forward.
struct RosterReader<'r> {
    cursors: Vec<(&'r [PublicKey], usize)>,
}

impl<'r> RosterReader<'r> {
    fn new(rosters: &'r [Vec<PublicKey>]) -> RosterReader<'r> {
        RosterReader {
            cursors: rosters.iter().map(|r| (r.as_slice(), 0)).collect(),
        }
    }

    /// Whether `key` is on the roster of the community with index
    /// `community`; the keys asked of one community must not decrease.
    fn contains(&mut self, community: u32, key: &PublicKey) -> bool {
        let Some((roster, at)) = self.cursors.get_mut(community as usize) else {
            return false;
        };
        while roster.get(*at).is_some_and(|k| k < key) {
            *at += 1;
        }
        roster.get(*at) == Some(key)
    }
}

/// The first eight bytes of a key as a big-endian integer: comparing them
/// first orders keys as their bytes do, with one integer comparison for
/// almost every pair of distinct keys.
fn key_head(key: &PublicKey) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&key.0[..8]);
    u64::from_be_bytes(head)
}

/// Byte order of keys, faster (see [`key_head`]).
fn key_order(a: &PublicKey, b: &PublicKey) -> std::cmp::Ordering {
    key_head(a).cmp(&key_head(b)).then_with(|| a.cmp(b))
}
