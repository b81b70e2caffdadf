//! Federation end to end: real `hearthd` processes on loopback, real libp2p
//! (TCP + noise + yamux, gossipsub, sync), the network formed through the
//! API, regional and network votes cast by members of every community,
//! tallied by every node to the same certified result.

use hearth_protocol::governance::{Ballot, Level, ProposalRef, Scope, YesNo};
use hearth_protocol::{ActionBody, GovernanceAction, Millis};
use hearth_tests::federation::{Federation, quick_rules};
use hearth_tests::{Cli, Member, Rng};

fn vote(member: &mut Member, id: hearth_protocol::Hash, level: Level, ballot: Ballot) {
    member
        .submit(ActionBody::Governance(GovernanceAction::Vote {
            proposal: ProposalRef { id, level },
            ballot,
        }))
        .expect_status(201);
}

/// ```text
///        region north        region south
///        A ─── B             C ─── D ─── E
///        └──────── all dial A ────────┘
/// ```
/// A network referendum (quadratic voting) with members in every community,
/// a cross-community delegation and a changed ballot; then a regional
/// majority vote in the north. Every node certifies the same results.
#[test]
fn five_communities_hold_a_referendum_and_a_regional_vote() {
    let mut rng = Rng::from_env();
    let rules = quick_rules(Millis::secs(12), Millis::secs(4), 2);
    let mut fed = Federation::start(
        5,
        &[("north", &[0, 1]), ("south", &[2, 3, 4])],
        rules,
        &mut rng,
    );
    let mut members: Vec<Vec<Member>> = (0..5).map(|i| fed.members(i, 2, &mut rng)).collect();

    // A network referendum proposed in C.
    let id = Federation::propose(&mut members[2][0], Level::Network, "Shared tool insurance");
    let net = Level::Network;
    fed.converge_proposal(&id);
    vote(&mut members[0][0], id, net, Ballot::Quadratic(vec![6]));
    vote(&mut members[1][0], id, net, Ballot::Quadratic(vec![-3]));
    vote(&mut members[1][0], id, net, Ballot::Quadratic(vec![4])); // changed
    vote(&mut members[2][0], id, net, Ballot::Quadratic(vec![5]));
    vote(&mut members[3][0], id, net, Ballot::Quadratic(vec![-2]));
    vote(&mut members[4][0], id, net, Ballot::Quadratic(vec![7]));
    // E's second member delegates to A's first: across community lines.
    let delegate = members[0][0].public();
    members[4][1]
        .submit(ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(net),
            to: Some(delegate),
        }))
        .expect_status(201);

    let views = fed.certified(&id);
    let first = &views[0];
    for v in &views {
        assert_eq!(
            v["result"], first["result"],
            "every node computes the same result"
        );
        assert_eq!(v["certification"]["certified"], first["result"]);
    }
    let report = &first["report"];
    assert_eq!(report["communities"].as_array().map(Vec::len), Some(5));
    // 5 councils + 10 members.
    assert_eq!(report["eligible"], 15);
    assert_eq!(report["ballots"], 5);
    assert!(
        report["excluded"].as_array().is_some_and(Vec::is_empty),
        "{report}"
    );
    assert_eq!(first["passed"], true, "{report}");
    let weights = &report["count"]["report"]["delegation"]["weight"];
    assert_eq!(
        weights[members[0][0].did()],
        2,
        "A's member carries E's delegated vote: {weights}"
    );

    // A regional majority vote in the north.
    let north = Level::Regional(fed.region("north"));
    let rid = Federation::propose(&mut members[0][1], north, "Northern seed library");
    fed.converge_proposal(&rid);
    vote(&mut members[0][0], rid, north, Ballot::YesNo(YesNo::Yes));
    vote(&mut members[0][1], rid, north, Ballot::YesNo(YesNo::Yes));
    vote(&mut members[1][0], rid, north, Ballot::YesNo(YesNo::No));
    // A member of the south cannot vote in the north: their node refuses.
    let refused = members[3][1].submit(ActionBody::Governance(GovernanceAction::Vote {
        proposal: ProposalRef {
            id: rid,
            level: north,
        },
        ballot: Ballot::YesNo(YesNo::No),
    }));
    assert_eq!(refused.code(), Some("outside_region"), "{}", refused.text);
    let views = fed.certified(&rid);
    let first = &views[0];
    for v in &views {
        assert_eq!(v["result"], first["result"]);
    }
    let report = &first["report"];
    assert_eq!(report["communities"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["eligible"], 6);
    assert_eq!(report["count"]["report"]["yes"], 2);
    assert_eq!(report["count"]["report"]["no"], 1);
    assert_eq!(first["passed"], true);

    // Anyone can recompute both results from any node's public records.
    for i in [0, 3] {
        let cli = Cli::new(fed.nodes[i].url());
        let audit = cli.run(&["audit", "--json"]);
        assert_eq!(
            audit.code,
            Some(0),
            "hearth audit against node {i}: {audit}"
        );
        let report: serde_json::Value = serde_json::from_str(&audit.stdout).expect("audit JSON");
        assert_eq!(report["ok"], true);
        let proposals = report["proposals"].as_array().expect("proposals");
        assert_eq!(proposals.len(), 2);
        for p in proposals {
            assert_eq!(p["mismatch"], false, "{p}");
            assert_eq!(p["certified"], p["result"], "{p}");
        }
        assert_eq!(report["logs"].as_array().map(Vec::len), Some(5));
    }
}
