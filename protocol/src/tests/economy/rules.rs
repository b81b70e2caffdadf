//! Rules by vote: a change is checked when proposed, applies when the
//! vote passes, and every domain reads the rules in force.

use super::*;
use crate::governance::{Proposal, ProposalKind, Subject};
use crate::state::rules::{self, RuleChange};

/// A rules proposal making `changes`.
pub(super) fn propose_rules(changes: &[(&str, &str)]) -> ActionBody {
    ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
        kind: ProposalKind::Rules,
        level: Level::Local,
        topic: None,
        title: "New rules".into(),
        text: String::new(),
        options: vec![],
        subject: Subject::Rules {
            changes: changes
                .iter()
                .map(|(key, value)| RuleChange {
                    key: (*key).into(),
                    value: (*value).into(),
                })
                .collect(),
        },
    })))
}

#[test]
fn a_passed_rules_vote_changes_the_rules_in_force() {
    let mut e = Econ::new(2, quick_rules());
    let before = rules::current(&e.c.store).expect("store").expect("rules");
    assert_eq!(before.version, 0);
    let id = e.ok(
        1,
        propose_rules(&[("credit_limit", "1500"), ("aid.max_request", "400")]),
    );
    e.wait(2 * 3_600_000 + 1);
    e.ok(1, agree(id));
    e.ok(2, agree(id));
    e.wait(3_600_000);
    let after = rules::current(&e.c.store).expect("store").expect("rules");
    assert_eq!(after.version, 1);
    assert_eq!(after.proposal, Some(id));
    assert_eq!(after.rules.credit_limit, kc(1500));
    assert_eq!(after.rules.aid.max_request, kc(400));
    // The genesis is untouched; the ledger reads the rules in force.
    assert_eq!(e.c.genesis.rules.credit_limit, kc(1000));
    e.ok(
        2,
        ActionBody::Ledger(crate::action::LedgerAction::Transfer {
            to: keypair(1).public(),
            amount: kc(1400),
            memo: String::new(),
        }),
    );
    assert_eq!(e.member(2), kc(-1400));
    e.replays();
}

#[test]
fn a_failed_rules_vote_changes_nothing() {
    let mut e = Econ::new(2, quick_rules());
    let id = e.ok(1, propose_rules(&[("credit_limit", "1500")]));
    e.wait(2 * 3_600_000 + 1);
    e.ok(1, agree(id));
    e.ok(2, disagree(id));
    e.wait(3_600_000);
    let current = rules::current(&e.c.store).expect("store").expect("rules");
    assert_eq!(current.version, 0);
    assert_eq!(current.rules.credit_limit, kc(1000));
}

#[test]
fn invalid_changes_are_refused_when_proposed() {
    let mut e = Econ::new(1, quick_rules());
    for changes in [
        vec![("no_such_rule", "1")],
        vec![("credit_limit", "plenty")],
        vec![("local.quorum", "5/4")],
        vec![("levy", "20000")],
        vec![],
    ] {
        let r = e.no(1, propose_rules(&changes));
        assert_eq!(r.code(), "invalid_rule", "{changes:?}");
    }
}
