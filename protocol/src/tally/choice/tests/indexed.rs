//! The indexed tallies give the keyed ones' reports — and result hashes —
//! whatever order the electorate, the ballots and the delegations are
//! interned in.

use proptest::prelude::*;

use super::config;
use super::properties::{case, majority_ballot, qv_ballot, ratio};
use crate::crypto::{Hash, PublicKey};
use crate::tally::choice::bench::SplitMix;
use crate::tally::choice::majority::{self, MajorityRules};
use crate::tally::choice::quadratic::{self, QvQuestion, QvRules};
use crate::tally::electorate::Electorate;
use crate::tally::result_hash;

/// `items` in a seeded random order.
fn shuffled<T>(items: impl IntoIterator<Item = T>, seed: u64) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    let mut rng = SplitMix(seed);
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as u64 + 1) as usize);
    }
    items
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_indexed_majority_tally_reports_as_the_keyed_one(
        case in case(majority_ballot()),
        threshold in ratio(),
        quorum in ratio(),
        strict in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let rules = MajorityRules { threshold, quorum, strict };
        let want = majority::tally(&case.ballots, &case.eligible, &case.delegate_of, &rules);

        let electorate = Electorate::new(shuffled(case.eligible.iter().copied(), seed));
        let ballots = electorate.ballots(shuffled(case.ballots.iter().map(|(k, b)| (*k, *b)), seed + 1));
        let delegations = electorate.delegations(shuffled(&case.delegate_of, seed + 2));
        let count = majority::tally_indexed(&ballots, &delegations, &rules);
        prop_assert_eq!(
            (count.yes, count.no, count.abstain, count.turnout),
            (want.yes, want.no, want.abstain, want.turnout)
        );
        prop_assert_eq!(&count.outcome, &want.outcome);
        prop_assert_eq!(count.delegation.counted(), want.delegation.counted());
        let report = count.into_report(&electorate);
        prop_assert_eq!(result_hash(&report), result_hash(&want));
        prop_assert_eq!(&report, &want);
    }

    #[test]
    fn the_indexed_quadratic_tally_reports_as_the_keyed_one(
        case in case(qv_ballot()),
        budget in 0u32..200,
        allow_negative in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let question = QvQuestion { options: 3, allow_negative, seed: Hash::ZERO };
        let rules = QvRules { budget, ..QvRules::default() };
        let want = quadratic::tally(&question, &case.ballots, &case.eligible, &case.delegate_of, &rules);

        let electorate = Electorate::new(shuffled(case.eligible.iter().copied(), seed));
        let owned = shuffled(case.ballots.iter().map(|(k, b)| (*k, b.clone())), seed + 1);
        let ballots = electorate.ballots(owned);
        let delegations = electorate.delegations(shuffled(&case.delegate_of, seed + 2));
        let count = quadratic::tally_indexed(&question, &ballots, &delegations, &rules);
        prop_assert_eq!(&count.options, &want.options);
        prop_assert_eq!((count.leader, &count.draw, &count.outcome), (want.leader, &want.draw, &want.outcome));
        prop_assert_eq!(count.rejected.len() + count.ineligible.values().filter(|c| c.is_err()).count(), want.rejected.len());
        for (member, error) in &count.rejected {
            let key: Option<&PublicKey> = electorate.key(*member);
            prop_assert_eq!(key.and_then(|k| want.rejected.get(k)), Some(error));
        }
        let report = count.into_report(&electorate);
        prop_assert_eq!(result_hash(&report), result_hash(&want));
        prop_assert_eq!(&report, &want);
    }
}
