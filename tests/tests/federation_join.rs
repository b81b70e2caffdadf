//! A community joins a running network by the network's vote, with real
//! `hearthd` processes on loopback.

use hearth_protocol::governance::{Ballot, Level, Proposal, ProposalKind, ProposalRef, Subject};
use hearth_protocol::{ActionBody, GovernanceAction, Hash, Millis, PublicKey};
use hearth_tests::federation::{CONVERGE, Federation, quick_rules};
use hearth_tests::{Cli, Member, Node, Rng, converge};

fn vote(member: &mut Member, id: Hash, votes: i64) {
    member
        .submit(ActionBody::Governance(GovernanceAction::Vote {
            proposal: ProposalRef {
                id,
                level: Level::Network,
            },
            ballot: Ballot::Quadratic(vec![votes]),
        }))
        .expect_status(201);
}

/// ```text
///   A ─ B ─ C   (the network)      D ── dials A
///   the network votes to admit D; D's council records the network with
///   `hearth network join`; D's members then vote in the next referendum
/// ```
#[test]
fn a_community_joins_by_the_networks_vote_and_then_votes() {
    let mut rng = Rng::from_env();
    let rules = quick_rules(Millis::secs(8), Millis::secs(2), 1);
    let mut fed = Federation::start(3, &[], rules, &mut rng);
    let d = Node::start_with_args(&["--bootstrap".into(), fed.nodes[0].p2p_addr()]);
    // D's first member, with the real CLI's own key store.
    let cli = Cli::new(d.url());
    let made = cli.run(&["key", "new", "dana"]);
    assert_eq!(made.code, Some(0), "{made}");
    let joined = cli.run(&["join", &d.founder_invite()]);
    assert_eq!(joined.code, Some(0), "{joined}");
    let info = fed.http_get(d.url(), "/v1/node");
    let d_id: Hash = info["community"]
        .as_str()
        .expect("id")
        .parse()
        .expect("hex");
    let d_node = PublicKey::from_did(info["node_key"].as_str().expect("key")).expect("did");

    let proposal = Proposal {
        kind: ProposalKind::Membership,
        level: Level::Network,
        topic: None,
        title: "Admit the Dale".into(),
        text: "The Dale asks to join.".into(),
        options: Vec::new(),
        subject: Subject::Community {
            community: d_id,
            node: d_node,
            name: "Dale".into(),
        },
    };
    let signed = fed.councils[0].sign(ActionBody::Governance(GovernanceAction::Propose(Box::new(
        proposal,
    ))));
    fed.councils[0].submit_signed(&signed).expect_status(201);
    let admit = signed.id();
    fed.converge_proposal(&admit);
    for i in 0..3 {
        vote(&mut fed.councils[i], admit, 5);
    }
    let views = fed.certified(&admit);
    assert_eq!(views[0]["passed"], true, "{}", views[0]["report"]);

    // D's council records the network on D's node with the real CLI.
    let join = cli.run(&[
        "--key",
        "dana",
        "network",
        "join",
        "--from",
        fed.nodes[0].url(),
        "--proposal",
        &admit.to_hex(),
    ]);
    assert_eq!(join.code, Some(0), "{join}");

    // Everyone holds everyone's log, D included.
    converge(CONVERGE, "the four nodes hold four logs", || {
        let all = (0..3)
            .map(|i| fed.get(i, "/v1/federation"))
            .chain(std::iter::once(fed.http_get(d.url(), "/v1/federation")))
            .all(|f| {
                f["communities"].as_array().is_some_and(|cs| {
                    cs.len() == 4
                        && cs
                            .iter()
                            .all(|c| !c["head"].is_null() && c["member"] == true)
                })
            });
        all.then_some(())
    });

    // D proposes a referendum; D's council and A's vote; all four certify.
    let proposed = cli.run(&[
        "--json",
        "propose",
        "--level",
        "network",
        "--kind",
        "policy",
        "--title",
        "Dale's first referendum",
        "--text",
        "Shall we share the mill?",
    ]);
    assert_eq!(proposed.code, Some(0), "{proposed}");
    let proposed: serde_json::Value = serde_json::from_str(&proposed.stdout).expect("json");
    let id: Hash = proposed["id"].as_str().expect("id").parse().expect("hex");
    fed.converge_proposal(&id);
    converge(CONVERGE, "D knows its proposal", || {
        (!fed
            .http_get(d.url(), &format!("/v1/federation/proposals/{id}"))
            .is_null())
        .then_some(())
    });
    let voted = cli.run(&["vote", &id.to_hex(), "--quadratic", "+4"]);
    assert_eq!(voted.code, Some(0), "{voted}");
    vote(&mut fed.councils[0], id, 3);
    let views = fed.certified(&id);
    let d_view = converge(
        CONVERGE,
        "D certifies it and holds all four attestations",
        || {
            let v = fed.http_get(d.url(), &format!("/v1/federation/proposals/{id}"));
            let all = v["certification"]["attestations"].as_array().map(Vec::len) == Some(4);
            (!v["certification"]["certified"].is_null() && all).then_some(v)
        },
    );
    assert_eq!(d_view["result"], views[0]["result"]);
    let report = &views[0]["report"];
    assert_eq!(report["communities"].as_array().map(Vec::len), Some(4));
    assert_eq!(report["ballots"], 2);
    assert_eq!(report["eligible"], 4);
}
