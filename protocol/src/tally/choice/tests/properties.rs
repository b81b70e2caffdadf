//! Properties over random electorates: every eligible member is counted
//! exactly once, with the ballot at the end of their chain (checked member
//! by member, independently of the weights); outcomes agree with an
//! independent rational comparison; relabelling the voters — which changes
//! the order in which ballots are met — changes nothing but the names;
//! quadratic ballots never exceed the budget.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use num_rational::Ratio as Q;
use proptest::collection::vec;
use proptest::prelude::*;

use super::{config, key};
use crate::community::Ties;
use crate::crypto::{Hash, PublicKey};
use crate::tally::choice::consensus::{self, ConsensusBallot, ConsensusRules};
use crate::tally::choice::majority::{self, MajorityBallot, MajorityRules};
use crate::tally::choice::quadratic::{self, QvBallot, QvQuestion, QvRules, check_ballot, cost};
use crate::tally::choice::{FailReason, Outcome};
use crate::tally::delegation::Resolution;
use crate::tally::draw_order;
use crate::units::Ratio;

/// A random electorate over keys `0..universe`: ~90 % eligible, about
/// half cast a ballot, about half delegate (to anyone, themselves and
/// non-members included), plus a permutation of the keys.
#[derive(Clone, Debug)]
pub(super) struct Case<B> {
    pub(super) eligible: BTreeSet<PublicKey>,
    pub(super) ballots: BTreeMap<PublicKey, B>,
    pub(super) delegate_of: BTreeMap<PublicKey, PublicKey>,
    relabel: Vec<u32>,
}

pub(super) fn case<B: Clone + Debug>(
    ballot: impl Strategy<Value = B> + Clone,
) -> impl Strategy<Value = Case<B>> {
    (1u32..40).prop_flat_map(move |universe| {
        let member = (
            0u8..10,
            proptest::option::of(ballot.clone()),
            proptest::option::of(0..universe),
        );
        (
            vec(member, universe as usize),
            Just((0..universe).collect::<Vec<u32>>()).prop_shuffle(),
        )
            .prop_map(|(members, relabel)| {
                let mut case = Case {
                    eligible: BTreeSet::new(),
                    ballots: BTreeMap::new(),
                    delegate_of: BTreeMap::new(),
                    relabel,
                };
                for (i, (eligible, ballot, delegate)) in members.into_iter().enumerate() {
                    let k = key(i as u32);
                    if eligible < 9 {
                        case.eligible.insert(k);
                    }
                    if let Some(ballot) = ballot {
                        case.ballots.insert(k, ballot);
                    }
                    if let Some(to) = delegate {
                        case.delegate_of.insert(k, key(to));
                    }
                }
                case
            })
    })
}

fn index(k: &PublicKey) -> usize {
    u32::from_be_bytes([k.0[0], k.0[1], k.0[2], k.0[3]]) as usize
}

impl<B: Clone> Case<B> {
    fn rename(&self, k: &PublicKey) -> PublicKey {
        key(self.relabel[index(k)])
    }

    fn rename_map<V: Clone>(&self, map: &BTreeMap<PublicKey, V>) -> BTreeMap<PublicKey, V> {
        map.iter()
            .map(|(k, v)| (self.rename(k), v.clone()))
            .collect()
    }

    /// The same electorate under other names.
    fn relabelled(&self) -> Case<B> {
        Case {
            eligible: self.eligible.iter().map(|k| self.rename(k)).collect(),
            ballots: self.rename_map(&self.ballots),
            delegate_of: self
                .delegate_of
                .iter()
                .map(|(a, b)| (self.rename(a), self.rename(b)))
                .collect(),
            relabel: self.relabel.clone(),
        }
    }

    fn rename_resolution(&self, r: &Resolution) -> Resolution {
        Resolution {
            eligible: r.eligible,
            weight: self.rename_map(&r.weight),
            represented_by: r
                .represented_by
                .iter()
                .map(|(a, b)| (self.rename(a), self.rename(b)))
                .collect(),
            uncounted: self.rename_map(&r.uncounted),
            absent: r.absent,
        }
    }

    /// The ballot each eligible member is counted with, found member by
    /// member by walking their chain: DESIGN §7.2 read literally.
    fn followed<'a>(&'a self, valid: &'a BTreeMap<PublicKey, &'a B>) -> Vec<&'a B> {
        let mut out = Vec::new();
        for member in &self.eligible {
            let mut seen = BTreeSet::new();
            let mut at = member;
            let ballot = loop {
                if let Some(ballot) = valid.get(at) {
                    break Some(*ballot);
                }
                if !seen.insert(at) {
                    break None;
                }
                match self.delegate_of.get(at) {
                    Some(next) if self.eligible.contains(next) => at = next,
                    _ => break None,
                }
            };
            out.extend(ballot);
        }
        out
    }

    fn all_valid(&self) -> BTreeMap<PublicKey, &B> {
        self.ballots.iter().map(|(k, b)| (*k, b)).collect()
    }
}

/// The outcome as the rules state it, in arbitrary-precision rationals:
/// the support reaches the threshold, or passes it when `strict`.
fn expected(
    turnout: u64,
    eligible: u64,
    quorum: Ratio,
    support: u128,
    sided: u128,
    (threshold, strict): (Ratio, bool),
) -> Outcome {
    let q = |r: Ratio| Q::new(u128::from(r.num), u128::from(r.den));
    let enough = |share: Q<u128>| match strict {
        true => share > q(threshold),
        false => share >= q(threshold),
    };
    if eligible == 0 || Q::new(u128::from(turnout), u128::from(eligible)) < q(quorum) {
        Outcome::Failed(FailReason::QuorumNotMet { turnout, eligible })
    } else if sided > 0 && enough(Q::new(support, sided)) {
        Outcome::Passed
    } else {
        Outcome::Failed(FailReason::Threshold)
    }
}

pub(super) fn ratio() -> impl Strategy<Value = Ratio> {
    (1u32..6).prop_flat_map(|den| (0..=den).prop_map(move |num| Ratio::new(num, den)))
}

pub(super) fn majority_ballot() -> impl Strategy<Value = MajorityBallot> + Clone {
    prop_oneof![
        Just(MajorityBallot::Yes),
        Just(MajorityBallot::No),
        Just(MajorityBallot::Abstain)
    ]
}

fn consensus_ballot() -> impl Strategy<Value = ConsensusBallot> + Clone {
    prop_oneof![
        3 => Just(ConsensusBallot::Agree),
        1 => Just(ConsensusBallot::Abstain),
        1 => Just(ConsensusBallot::Disagree),
        1 => "[a-z]{0,6}".prop_map(|reason| ConsensusBallot::Block { reason }),
    ]
}

pub(super) fn qv_ballot() -> impl Strategy<Value = QvBallot> + Clone {
    // Lengths 2..=4 against 3-option questions: some ballots are malformed.
    vec(-12i64..=12, 2..=4).prop_map(|votes| QvBallot { votes })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn majority_counts_each_member_once_with_the_ballot_they_follow(
        case in case(majority_ballot()),
        threshold in ratio(),
        quorum in ratio(),
        strict in any::<bool>(),
    ) {
        let rules = MajorityRules { threshold, quorum, strict };
        let r = majority::tally(&case.ballots, &case.eligible, &case.delegate_of, &rules);
        let valid = case.all_valid();
        let followed = case.followed(&valid);
        let count = |b| followed.iter().filter(|x| ***x == b).count() as u64;
        prop_assert_eq!(
            (r.yes, r.no, r.abstain),
            (count(MajorityBallot::Yes), count(MajorityBallot::No), count(MajorityBallot::Abstain))
        );
        prop_assert_eq!(r.turnout, followed.len() as u64);
        let eligible = case.eligible.len() as u64;
        prop_assert_eq!(
            &r.outcome,
            &expected(r.turnout, eligible, quorum, r.yes.into(), (r.yes + r.no).into(), (threshold, strict))
        );
    }

    #[test]
    fn consensus_counts_each_member_once_and_each_blocker_once(
        case in case(consensus_ballot()),
        blocks_to_fail in 0u32..4,
        quorum in ratio(),
        strict in any::<bool>(),
    ) {
        let rules = ConsensusRules { threshold: Ratio::new(4, 5), quorum, blocks_to_fail, strict };
        let r = consensus::tally(&case.ballots, &case.eligible, &case.delegate_of, &rules);
        let valid = case.all_valid();
        let followed = case.followed(&valid);
        let count = |f: fn(&ConsensusBallot) -> bool| {
            followed.iter().filter(|b| f(b)).count() as u64
        };
        prop_assert_eq!(r.counts.agree, count(|b| *b == ConsensusBallot::Agree));
        prop_assert_eq!(r.counts.abstain, count(|b| *b == ConsensusBallot::Abstain));
        prop_assert_eq!(r.counts.disagree, count(|b| *b == ConsensusBallot::Disagree));
        prop_assert_eq!(r.counts.block, count(|b| matches!(b, ConsensusBallot::Block { .. })));
        let blockers: BTreeMap<PublicKey, String> = case
            .ballots
            .iter()
            .filter(|(k, _)| case.eligible.contains(k))
            .filter_map(|(k, b)| match b {
                ConsensusBallot::Block { reason } => Some((*k, reason.clone())),
                _ => None,
            })
            .collect();
        prop_assert_eq!(&r.blocks, &blockers);
        let plain = expected(
            r.turnout,
            case.eligible.len() as u64,
            quorum,
            r.counts.agree.into(),
            r.counts.non_abstaining().into(),
            (rules.threshold, strict),
        );
        let blocked = blocks_to_fail > 0 && blockers.len() as u64 >= u64::from(blocks_to_fail);
        let want = match plain {
            Outcome::Failed(FailReason::QuorumNotMet { .. }) => plain,
            _ if blocked => Outcome::Failed(FailReason::Blocked { blocks: blockers.len() as u64 }),
            _ => plain,
        };
        prop_assert_eq!(&r.outcome, &want);
    }

    #[test]
    fn quadratic_never_accepts_a_ballot_over_budget(
        case in case(qv_ballot()),
        budget in 0u32..200,
        allow_negative in any::<bool>(),
    ) {
        let question = QvQuestion { options: 3, allow_negative, seed: Hash::ZERO };
        let rules = QvRules { budget, ..QvRules::default() };
        let r = quadratic::tally(&question, &case.ballots, &case.eligible, &case.delegate_of, &rules);
        // Every ballot is priced or refused, never both, as `check_ballot` says.
        for (voter, ballot) in &case.ballots {
            let check = check_ballot(&ballot.votes, &question, budget);
            prop_assert_eq!(r.rejected.get(voter).copied(), check.err());
            prop_assert_eq!(r.costs.get(voter).copied(), check.ok());
            if let Ok(price) = check {
                prop_assert_eq!(Some(price), cost(&ballot.votes));
            }
        }
        prop_assert!(r.costs.values().all(|c| *c <= u128::from(budget)));
        // Each member is counted with one valid ballot's allocation.
        let valid: BTreeMap<PublicKey, &QvBallot> = case
            .ballots
            .iter()
            .filter(|(k, _)| r.costs.contains_key(k))
            .map(|(k, b)| (*k, b))
            .collect();
        let followed = case.followed(&valid);
        let mut sums = [(0u128, 0u128); 3];
        for ballot in &followed {
            prop_assert!(cost(&ballot.votes).is_some_and(|c| c <= u128::from(budget)));
            for (sum, v) in sums.iter_mut().zip(&ballot.votes) {
                if *v > 0 { sum.0 += v.unsigned_abs() as u128 } else { sum.1 += v.unsigned_abs() as u128 }
            }
        }
        let totals: Vec<(u128, u128)> = r.options.iter().map(|t| (t.for_votes, t.against_votes)).collect();
        prop_assert_eq!(totals, sums.to_vec());
        prop_assert_eq!(r.turnout, followed.len() as u64);
        // The lead: one option with the highest net total, or — by
        // default, no lot — no leader and the options tied for it.
        let best = r.options.iter().map(|t| t.net).max();
        let tied: Vec<u32> = (0u32..).zip(&r.options).filter(|(_, t)| Some(t.net) == best).map(|(i, _)| i).collect();
        if tied.len() == 1 {
            prop_assert_eq!(r.leader, Some(tied[0]));
            prop_assert!(r.tied.is_empty());
        } else {
            prop_assert_eq!(r.leader, None);
            prop_assert_eq!(&r.tied, &tied);
            let quorum_failed = matches!(r.outcome, Outcome::Failed(FailReason::QuorumNotMet { .. }));
            if !quorum_failed {
                prop_assert_eq!(&r.outcome, &Outcome::Failed(FailReason::Tied { options: tied }));
            }
        }
        prop_assert!(r.draw.is_empty());
    }

    /// With lots, a tied lead is drawn among exactly the tied options, in
    /// the order the seed gives, and the leader is the first drawn.
    #[test]
    fn a_lot_draws_among_exactly_the_tied_options(
        case in case(qv_ballot()),
        seed in any::<[u8; 32]>(),
    ) {
        let question = QvQuestion { options: 3, allow_negative: true, seed: Hash(seed) };
        let rules = QvRules { ties: Ties::Lot, quorum: Ratio::new(0, 1), ..QvRules::default() };
        let r = quadratic::tally(&question, &case.ballots, &case.eligible, &case.delegate_of, &rules);
        let best = r.options.iter().map(|t| t.net).max();
        let tied: Vec<u32> = (0u32..).zip(&r.options).filter(|(_, t)| Some(t.net) == best).map(|(i, _)| i).collect();
        if tied.len() == 1 {
            prop_assert!(r.draw.is_empty() && r.tied.is_empty());
            prop_assert_eq!(r.leader, Some(tied[0]));
        } else {
            prop_assert_eq!(&r.draw, &draw_order(&question.seed, 0, &tied));
            prop_assert_eq!(&r.tied, &tied);
            prop_assert_eq!(r.leader, r.draw.first().copied());
        }
        let tied_outcome = matches!(r.outcome, Outcome::Failed(FailReason::Tied { .. }));
        prop_assert!(!tied_outcome, "a lot never leaves the lead tied");
    }

    /// The edges, over any electorate and rules: with no ballots nobody is
    /// counted and nothing passes, whatever the method; a one-option
    /// question never ties; ballots that give every option the same net
    /// total tie them all (without lots), and nothing is adopted.
    #[test]
    fn edges_no_ballots_one_option_all_tied(
        case in case(qv_ballot()),
        options in 1u32..5,
        threshold in ratio(),
        quorum in ratio(),
        strict in any::<bool>(),
        votes in -3i64..=3,
    ) {
        let rules = MajorityRules { threshold, quorum, strict };
        let none = BTreeMap::<PublicKey, MajorityBallot>::new();
        let r = majority::tally(&none, &case.eligible, &case.delegate_of, &rules);
        prop_assert_eq!((r.turnout, r.yes, r.no), (0, 0, 0));
        prop_assert!(!r.outcome.passed());
        let rules = ConsensusRules { threshold, quorum, blocks_to_fail: 1, strict };
        let none = BTreeMap::<PublicKey, ConsensusBallot>::new();
        let r = consensus::tally(&none, &case.eligible, &case.delegate_of, &rules);
        prop_assert_eq!(r.turnout, 0);
        prop_assert!(!r.outcome.passed());

        let question = QvQuestion { options, allow_negative: true, seed: Hash::ZERO };
        let rules = QvRules { threshold, quorum, strict, ..QvRules::default() };
        let none = BTreeMap::<PublicKey, QvBallot>::new();
        let r = quadratic::tally(&question, &none, &case.eligible, &case.delegate_of, &rules);
        prop_assert_eq!(r.turnout, 0);
        prop_assert!(!r.outcome.passed());
        match options {
            1 => prop_assert_eq!((r.leader, r.tied.len()), (Some(0), 0)),
            n => prop_assert_eq!((r.leader, r.tied.len()), (None, n as usize)),
        }

        // Everyone who votes gives every option the same votes.
        let same: BTreeMap<PublicKey, QvBallot> = case
            .ballots
            .keys()
            .map(|k| (*k, QvBallot { votes: vec![votes; options as usize] }))
            .collect();
        let r = quadratic::tally(&question, &same, &case.eligible, &case.delegate_of, &rules);
        let quorum_failed = matches!(r.outcome, Outcome::Failed(FailReason::QuorumNotMet { .. }));
        if options > 1 {
            prop_assert_eq!(&r.tied, &(0..options).collect::<Vec<u32>>());
            prop_assert_eq!(r.leader, None);
            prop_assert!(!r.outcome.passed());
            if !quorum_failed {
                prop_assert_eq!(&r.outcome, &Outcome::Failed(FailReason::Tied { options: r.tied.clone() }));
            }
        } else {
            prop_assert!(r.tied.is_empty());
            prop_assert_eq!(r.leader, Some(0));
        }
    }

    /// Strict and inclusive thresholds differ exactly at the threshold: a
    /// share equal to it passes one and fails the other.
    #[test]
    fn strict_thresholds_differ_only_at_the_threshold(
        yes in 0u32..20,
        no in 0u32..20,
        threshold in ratio(),
    ) {
        let eligible: BTreeSet<PublicKey> = (0..yes + no).map(key).collect();
        let ballots: BTreeMap<PublicKey, MajorityBallot> = (0..yes + no)
            .map(|i| (key(i), if i < yes { MajorityBallot::Yes } else { MajorityBallot::No }))
            .collect();
        let count = |strict| {
            let rules = MajorityRules { threshold, quorum: Ratio::new(0, 1), strict };
            majority::tally(&ballots, &eligible, &BTreeMap::new(), &rules).outcome.passed()
        };
        let (inclusive, strict) = (count(false), count(true));
        let at_threshold = yes + no > 0
            && u64::from(yes) * u64::from(threshold.den) == u64::from(yes + no) * u64::from(threshold.num);
        prop_assert_eq!(inclusive && !strict, at_threshold);
        prop_assert!(inclusive || !strict);
    }

    /// Relabelling the voters reorders the ballots the tally meets (keys
    /// sort differently) and must change nothing but the names.
    #[test]
    fn ballot_order_and_voter_names_never_matter(
        m in case(majority_ballot()),
        c in case(consensus_ballot()),
        q in case(qv_ballot()),
    ) {
        let rules = MajorityRules::default();
        let (a, b) = (m.clone(), m.relabelled());
        let ra = majority::tally(&a.ballots, &a.eligible, &a.delegate_of, &rules);
        let rb = majority::tally(&b.ballots, &b.eligible, &b.delegate_of, &rules);
        prop_assert_eq!((ra.yes, ra.no, ra.abstain, ra.turnout), (rb.yes, rb.no, rb.abstain, rb.turnout));
        prop_assert_eq!(&ra.outcome, &rb.outcome);
        prop_assert_eq!(&m.rename_resolution(&ra.delegation), &rb.delegation);

        let rules = ConsensusRules { blocks_to_fail: 2, ..ConsensusRules::default() };
        let (a, b) = (c.clone(), c.relabelled());
        let ra = consensus::tally(&a.ballots, &a.eligible, &a.delegate_of, &rules);
        let rb = consensus::tally(&b.ballots, &b.eligible, &b.delegate_of, &rules);
        prop_assert_eq!(ra.counts, rb.counts);
        prop_assert_eq!(&ra.outcome, &rb.outcome);
        prop_assert_eq!(&c.rename_map(&ra.blocks), &rb.blocks);
        prop_assert_eq!(&c.rename_resolution(&ra.delegation), &rb.delegation);

        let question = QvQuestion { options: 3, allow_negative: true, seed: Hash::ZERO };
        let rules = QvRules::default();
        let (a, b) = (q.clone(), q.relabelled());
        let ra = quadratic::tally(&question, &a.ballots, &a.eligible, &a.delegate_of, &rules);
        let rb = quadratic::tally(&question, &b.ballots, &b.eligible, &b.delegate_of, &rules);
        prop_assert_eq!(&ra.options, &rb.options);
        prop_assert_eq!((ra.leader, &ra.draw, &ra.outcome), (rb.leader, &rb.draw, &rb.outcome));
        prop_assert_eq!(&q.rename_map(&ra.costs), &rb.costs);
        prop_assert_eq!(&q.rename_map(&ra.rejected), &rb.rejected);
        prop_assert_eq!(&q.rename_resolution(&ra.delegation), &rb.delegation);
    }
}
