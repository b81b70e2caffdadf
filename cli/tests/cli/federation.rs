//! Federation commands against scripted nodes: founding a network (draft,
//! sign, start) with nodes that sign like real ones, and regional and
//! network proposals, ballots and delegations.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hearth_cli::federation::draft::Draft;
use hearth_protocol::codec::encode;
use hearth_protocol::federation::{
    FederationRules, NetworkGenesis, NetworkSignature, SignedNetwork,
};
use hearth_protocol::governance::{
    Ballot, Level, ProposalKind, ProposalRef, Scope, Subject, YesNo,
};
use hearth_protocol::request::verify_request;
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, Canonical, GovernanceAction, Hash, PublicKey, Timestamp};
use serde_json::{Value, json};

use crate::node::{COMMUNITY, community_json, not_found, submitted};
use crate::support::{FakeNode, Request, new_key, run};

/// Checks a signed POST's headers as the node would; returns the signer.
fn post_signer(request: &Request) -> PublicKey {
    let header = |n| request.header(n).unwrap_or_else(|| panic!("no {n} header"));
    let time: u64 = header("hearth-time").parse().unwrap();
    let (key, _) = verify_request(
        header("hearth-did"),
        header("hearth-time"),
        header("hearth-signature"),
        "POST",
        &request.path,
        &request.body,
        Timestamp(time),
    )
    .expect("a request signature over the body");
    key
}

fn refusal(status: u16, code: &str, message: &str) -> (u16, String) {
    (
        status,
        json!({ "error": code, "message": message }).to_string(),
    )
}

/// A founding community's node: community `Hash([i; 32])` named `C{i}`,
/// node key `keypair(100 + i)` (or `signing_seed` when it signs with a
/// wrong key), accepting council requests from `council` only.
fn founder(i: u8, council: PublicKey, signing_seed: u8) -> (FakeNode, Arc<Mutex<Vec<Hash>>>) {
    let networks: Arc<Mutex<Vec<Hash>>> = Arc::new(Mutex::new(Vec::new()));
    let started = Arc::clone(&networks);
    let node = FakeNode::start(move |r| {
        let community = Hash([i; 32]);
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/v1/node") => (
                200,
                json!({
                    "community": community, "name": format!("C{i}"),
                    "node_key": keypair(100 + i).public().to_did(),
                    "peer_id": "12D3KooWfake", "listen": ["/ip4/127.0.0.1/tcp/4001"],
                    "peers": [{ "peer_id": "12D3KooWother", "addrs": [], "score": 0.5 }],
                    "networks": *started.lock().unwrap(),
                })
                .to_string(),
            ),
            ("POST", "/v1/network/sign") => {
                if post_signer(r) != council {
                    return refusal(403, "not_council", "only council members sign networks");
                }
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                let bytes = B64.decode(body["genesis"].as_str().unwrap()).unwrap();
                let genesis = NetworkGenesis::from_bytes(&bytes).unwrap();
                let signature = NetworkSignature::sign(&genesis, community, &keypair(signing_seed));
                (
                    200,
                    json!({ "signature": B64.encode(encode(&signature)) }).to_string(),
                )
            }
            ("POST", "/v1/network") => {
                assert_eq!(post_signer(r), council);
                let body: Value = serde_json::from_slice(&r.body).unwrap();
                let bytes = B64.decode(body["network"].as_str().unwrap()).unwrap();
                let signed = SignedNetwork::from_bytes(&bytes).unwrap();
                match signed.verify() {
                    Ok(network) => {
                        let id = network.genesis.id();
                        started.lock().unwrap().push(id);
                        (200, json!({ "network": id, "seq": 4 }).to_string())
                    }
                    Err(e) => refusal(422, e.code(), &e.to_string()),
                }
            }
            _ => not_found(),
        }
    });
    (node, networks)
}

#[test]
fn a_network_is_drafted_signed_by_every_founder_and_started() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = PublicKey::from_did(&new_key(home, "alice")).unwrap();
    let (a, a_started) = founder(1, alice, 101);
    let (b, _) = founder(2, alice, 102);
    let (c, _) = founder(3, alice, 103);
    let file = home.join("valley.json");
    let file = file.to_str().unwrap();

    // C is named only in its region: it is a founder too.
    let region = format!("north={},{}", a.url, c.url);
    let out = run(
        home,
        &[
            "--node", &a.url, "--node", &b.url, "network", "draft", "--name", "Valley", "--region",
            &region, "-o", file,
        ],
    )
    .ok();
    let draft = Draft::load(file.as_ref()).unwrap();
    let id = draft.id();
    assert_eq!(out.lines().next(), Some(id.to_hex().as_str()), "{out}");
    assert!(out.contains("network sign"), "{out}");
    let genesis = draft.genesis();
    let ids: Vec<Hash> = genesis.communities.iter().map(|f| f.id).collect();
    assert_eq!(ids, [Hash([1; 32]), Hash([2; 32]), Hash([3; 32])]);
    assert_eq!(genesis.communities[2].node, keypair(103).public());
    assert_eq!(genesis.regions[0].name, "north");
    assert_eq!(
        genesis.regions[0].communities,
        [Hash([1; 32]), Hash([3; 32])]
    );
    assert_eq!(genesis.rules, FederationRules::default());
    assert_eq!(draft.url_of(&Hash([2; 32])), Some(b.url.as_str()));
    // Drafting again would lose signatures: refused without --force.
    let again = run(
        home,
        &[
            "--node", &a.url, "--node", &b.url, "network", "draft", "--name", "V", "-o", file,
        ],
    )
    .fails(2);
    assert!(again.contains("already exists"), "{again}");

    // Not every founder has signed: nothing is sent.
    let err = run(home, &["--node", &a.url, "network", "start", file]).fails(2);
    assert!(err.contains("not every founder has signed"), "{err}");
    assert!(
        err.contains(&format!("C2: hearth --node {}", b.url)),
        "{err}"
    );
    assert!(a.requests_to("POST").is_empty());

    let sign = |node: &FakeNode| {
        run(
            home,
            &[
                "--node", &node.url, "--key", "alice", "network", "sign", file,
            ],
        )
    };
    let out = sign(&a).ok();
    assert!(out.contains("C1 signed network \"Valley\""), "{out}");
    assert!(out.contains("Still to sign (2 of 3)"), "{out}");
    assert_eq!(post_signer(&a.requests_to("POST")[0]), alice);

    // A node that signs with another key than the draft names is refused,
    // and the file keeps what it had.
    let (impostor, _) = founder(2, alice, 109);
    let err = sign(&impostor).fails(2);
    assert!(
        err.contains("bad signature") && err.contains("does not verify"),
        "{err}"
    );
    assert_eq!(Draft::load(file.as_ref()).unwrap().missing().len(), 2);
    // A refusal by the node exits 1.
    new_key(home, "mallory");
    let err = run(
        home,
        &[
            "--node", &b.url, "--key", "mallory", "network", "sign", file,
        ],
    )
    .fails(1);
    assert!(err.contains("not_council"), "{err}");

    sign(&b).ok();
    let json = run(
        home,
        &[
            "--node", &c.url, "--key", "alice", "--json", "network", "sign", file,
        ],
    )
    .json();
    assert_eq!(json["network"], json!(id));
    assert_eq!(json["missing"], json!([]));
    assert!(Draft::load(file.as_ref()).unwrap().missing().is_empty());

    let out = run(
        home,
        &["--node", &a.url, "--key", "alice", "network", "start", file],
    )
    .ok();
    assert!(out.contains("recorded network \"Valley\""), "{out}");
    assert!(out.contains("at public #4"), "{out}");
    let started: Vec<&str> = out.lines().filter(|l| l.ends_with("started")).collect();
    assert_eq!(started.len(), 1, "{out}");
    assert!(started[0].starts_with("010101010101  C1"), "{out}");
    assert!(out.contains("not yet"), "{out}");
    assert_eq!(*a_started.lock().unwrap(), [id]);
    let posted = a.requests_to("POST");
    let start = posted.iter().find(|r| r.path == "/v1/network").unwrap();
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    let signed =
        SignedNetwork::from_bytes(&B64.decode(body["network"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(signed.signatures.len(), 3);
    assert!(signed.verify().is_ok());
}

#[test]
fn network_usage_errors_exit_2_before_any_request() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let dead = "http://127.0.0.1:9";
    for (args, needle) in [
        (
            vec!["--node", dead, "network", "draft", "--name", "V"],
            "at least two founding",
        ),
        (
            vec!["network", "draft", "--name", "V", "--region", "north"],
            "NAME=URL",
        ),
        (
            vec!["--node", dead, "--node", dead, "federation"],
            "--node is given 2 times",
        ),
        (
            vec!["network", "sign", "/nonexistent/net.json"],
            "cannot read the draft",
        ),
        (
            vec![
                "--node",
                dead,
                "--node",
                "http://127.0.0.1:10",
                "network",
                "draft",
                "--name",
                "V",
                "--rules",
                "/nonexistent/rules.toml",
            ],
            "cannot read the rules",
        ),
        (
            vec!["audit", "--file", "a", "--save", "b"],
            "cannot be used with",
        ),
    ] {
        let err = run(home, &args).fails(2);
        assert!(
            err.contains(needle) && !err.contains("cannot reach"),
            "{args:?}: expected {needle:?} in:\n{err}"
        );
    }
    let toml = run(home, &["network", "rules"]).ok();
    assert!(toml.contains("witnesses = 2"), "{toml}");
}

const NORTH: Hash = Hash([0x40; 32]);
const REGIONAL: Hash = Hash([0xa1; 32]);
const REFERENDUM: Hash = Hash([0xb2; 32]);
const CHOICE: Hash = Hash([0xc3; 32]);

fn level_json(level: Level) -> Value {
    serde_json::to_value(level).unwrap()
}

/// A federated proposal as `GET /v1/federation/proposals/{id}` has it.
fn detail(id: Hash, level: Level, options: &[&str]) -> Value {
    let author = keypair(1).public().to_did();
    json!({
        "proposal": { "kind": "policy", "level": level_json(level), "title": format!("P {}", &id.to_hex()[..4]),
                      "text": "", "options": options, "subject": { "type": "question" } },
        "id": id, "community": COMMUNITY, "author": author,
        "opened": 1_000, "closes": 9_000_000_000_000u64, "stage": "voting", "final": false,
        "passed": false, "winner": null, "result": Hash([0; 32]),
        "report": { "communities": [COMMUNITY, Hash([8; 32])], "frozen": [], "missing": [],
            "eligible": 6, "ballots": 1,
            "excluded": [{ "community": Hash([8; 32]), "seq": 9, "action": Hash([5; 32]),
                "author": keypair(2).public().to_did(), "kind": "ballot",
                "reason": { "reason": "not_on_roster" } }],
            "count": { "method": "majority", "report": { "yes": 1, "no": 0, "abstain": 0,
                "turnout": 1, "delegation": { "eligible": 6 } } } },
        "certification": { "attestations": [], "needed": 2, "certified": null,
                           "missing": [COMMUNITY, Hash([8; 32])] },
    })
}

fn summary(detail: &Value) -> Value {
    json!({
        "id": detail["id"], "level": detail["proposal"]["level"], "kind": "policy",
        "title": detail["proposal"]["title"], "community": COMMUNITY,
        "author": detail["author"], "opened": 1_000, "closes": 9_000_000_000_000u64,
        "stage": "voting", "final": false, "passed": false, "result": Hash([0; 32]),
        "certified": null,
    })
}

/// COMMUNITY's node, in a network with region "north", serving three
/// federated proposals and no local one.
fn federated_node() -> FakeNode {
    let details = [
        detail(REGIONAL, Level::Regional(NORTH), &[]),
        detail(REFERENDUM, Level::Network, &[]),
        detail(CHOICE, Level::Network, &["Oak", "Ash", "Birch"]),
    ];
    FakeNode::start(move |r| {
        let path = r.path.as_str();
        match (r.method.as_str(), path) {
            ("GET", "/v1/community") => (200, community_json()),
            ("GET", "/v1/proposals") => (200, json!({ "proposals": [] }).to_string()),
            ("GET", "/v1/federation") => (
                200,
                json!({
                    "network": { "id": Hash([9; 32]), "name": "Valley",
                        "regions": [{ "name": "north", "id": NORTH, "communities": [COMMUNITY] }],
                        "rules": FederationRules::default() },
                    "communities": [{ "id": COMMUNITY, "name": "Riverside", "node": "did:key:z6MkN",
                        "head": { "seq": 3, "hash": Hash([0; 32]), "time": 0 },
                        "frozen_at": null, "region": "north" }],
                })
                .to_string(),
            ),
            ("GET", "/v1/federation/proposals") => (
                200,
                Value::Array(details.iter().map(summary).collect()).to_string(),
            ),
            ("GET", _) if path.starts_with("/v1/proposals/") => {
                refusal(404, "unknown_proposal", "no such proposal")
            }
            ("GET", _) if path.starts_with("/v1/federation/proposals/") => {
                let id = path.trim_start_matches("/v1/federation/proposals/");
                match details.iter().find(|d| d["id"] == id) {
                    Some(d) => (200, d.to_string()),
                    None => refusal(404, "unknown_proposal", "no such proposal"),
                }
            }
            ("POST", "/v1/actions") => (
                201,
                json!({ "id": REGIONAL, "log": "public", "seq": 5 }).to_string(),
            ),
            _ => not_found(),
        }
    })
}

#[test]
fn federated_proposals_take_the_ballots_of_their_level() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let node = federated_node();
    let hearth = |args: &[&str]| {
        let mut all = vec!["--node", node.url.as_str(), "--key", "alice"];
        all.extend_from_slice(args);
        run(home, &all)
    };
    let out = hearth(&["vote", "a1a1a1a1", "yes"]).ok();
    assert!(out.starts_with("Voted yes on a1a1a1a1a1a1"), "{out}");
    hearth(&["vote", "b2b2b2b2b2", "--quadratic", "+3"]).ok();
    hearth(&["vote", &CHOICE.to_hex(), "--quadratic", "Oak=+2,birch=-1"]).ok();

    // Ballots that do not fit never reach the node.
    let err = hearth(&["vote", "a1a1a1a1", "agree"]).fails(2);
    assert!(err.contains("decided by majority"), "{err}");
    let err = hearth(&["vote", "b2b2b2b2", "--quadratic", "+11"]).fails(2);
    assert!(err.contains("costs 121 voice credits"), "{err}");
    let err = hearth(&["vote", "d4d4d4d4", "yes"]).fails(1);
    assert!(err.contains("unknown_proposal"), "{err}");

    let network = |id| ProposalRef {
        id,
        level: Level::Network,
    };
    let votes: Vec<(ProposalRef, Ballot)> = submitted(&node)
        .into_iter()
        .map(|a| match a.action.body {
            ActionBody::Governance(GovernanceAction::Vote { proposal, ballot }) => {
                (proposal, ballot)
            }
            other => panic!("not a vote: {other:?}"),
        })
        .collect();
    assert_eq!(
        votes,
        [
            (
                ProposalRef {
                    id: REGIONAL,
                    level: Level::Regional(NORTH)
                },
                Ballot::YesNo(YesNo::Yes)
            ),
            (network(REFERENDUM), Ballot::Quadratic(vec![3])),
            (network(CHOICE), Ballot::Quadratic(vec![2, 0, -1])),
        ]
    );

    let shown = hearth(&["show", "b2b2b2b2"]).ok();
    for needle in [
        "network policy, decided by quadratic voting",
        "Riverside (070707070707)",
        "1 counted, 6 members eligible",
        "not yet (0 attestations, 2 of one result needed)",
        "its author was not on the community's roster at the opening",
    ] {
        assert!(shown.contains(needle), "{needle:?} in:\n{shown}");
    }
    let raw = hearth(&["--json", "show", "b2b2b2b2"]).json();
    assert_eq!(raw, detail(REFERENDUM, Level::Network, &[]));
    let listed = hearth(&["proposals"]).ok();
    assert!(
        listed.contains("a1a1a1a1a1a1  region:north  policy"),
        "{listed}"
    );
    assert!(
        listed.contains("b2b2b2b2b2b2  network       policy"),
        "{listed}"
    );
    let listed = run(
        home,
        &["--node", &node.url, "--json", "proposals", "--federation"],
    )
    .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
    let table = run(home, &["--node", &node.url, "federation"]).ok();
    assert!(table.contains("regions  north: Riverside"), "{table}");
}

#[test]
fn federated_proposals_and_delegations_name_regions() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let node = federated_node();
    let hilltop = FakeNode::start(|r| match r.path.as_str() {
        "/v1/node" => (
            200,
            json!({ "community": Hash([0x33; 32]), "name": "Hilltop",
                    "node_key": keypair(133).public().to_did(), "peer_id": "p",
                    "listen": [], "peers": [], "networks": [] })
            .to_string(),
        ),
        _ => not_found(),
    });
    let hearth = |args: &[&str]| {
        let mut all = vec!["--node", node.url.as_str(), "--key", "alice"];
        all.extend_from_slice(args);
        run(home, &all)
    };
    let out = hearth(&[
        "propose",
        "--level",
        "region:north",
        "--kind",
        "policy",
        "--title",
        "Bus",
        "--option",
        "A",
        "--option",
        "B",
    ])
    .ok();
    assert!(out.starts_with(&REGIONAL.to_hex()), "{out}");
    assert!(out.contains("region:north policy proposal"), "{out}");
    assert!(out.contains("voting"), "{out}");
    hearth(&[
        "propose",
        "--level",
        "network",
        "--kind",
        "membership",
        "--title",
        "Welcome Hilltop",
        "--admit-community",
        &hilltop.url,
    ])
    .ok();
    // Another community's member, across community lines.
    let far = keypair(50).public();
    hearth(&["delegate", &far.to_did(), "--scope", "region:north:policy"]).ok();
    hearth(&["delegate", &far.to_did(), "--scope", "network"]).ok();
    hearth(&["undelegate", "--scope", "network"]).ok();

    for (args, needle) in [
        (
            vec![
                "propose", "--level", "network", "--kind", "budget", "--title", "B", "--budget",
                "5",
            ],
            "policies or community admissions",
        ),
        (
            vec![
                "propose",
                "--level",
                "network",
                "--kind",
                "membership",
                "--title",
                "M",
            ],
            "--admit-community URL",
        ),
        (
            vec![
                "propose",
                "--kind",
                "membership",
                "--title",
                "M",
                "--admit-community",
                "http://x",
            ],
            "--level network",
        ),
        (
            vec!["delegate", &far.to_did(), "--scope", "region:west"],
            "no region named \"west\"; the network's regions are north",
        ),
    ] {
        let err = hearth(&args).fails(2);
        assert!(err.contains(needle), "{args:?}: {needle:?} in:\n{err}");
    }

    let actions: Vec<ActionBody> = submitted(&node)
        .into_iter()
        .map(|a| a.action.body)
        .collect();
    let ActionBody::Governance(GovernanceAction::Propose(bus)) = &actions[0] else {
        panic!("{actions:?}")
    };
    assert_eq!(bus.level, Level::Regional(NORTH));
    assert_eq!(bus.options, ["A", "B"]);
    let ActionBody::Governance(GovernanceAction::Propose(welcome)) = &actions[1] else {
        panic!("{actions:?}")
    };
    assert_eq!(
        (welcome.kind, welcome.level),
        (ProposalKind::Membership, Level::Network)
    );
    assert_eq!(
        welcome.subject,
        Subject::Community {
            community: Hash([0x33; 32]),
            node: keypair(133).public(),
            name: "Hilltop".into()
        }
    );
    let scope = |level, kind: Option<ProposalKind>| match kind {
        Some(kind) => Scope::kind(level, kind),
        None => Scope::level(level),
    };
    assert_eq!(
        actions[2..],
        [
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: scope(Level::Regional(NORTH), Some(ProposalKind::Policy)),
                to: Some(far)
            }),
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: scope(Level::Network, None),
                to: Some(far)
            }),
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: scope(Level::Network, None),
                to: None
            }),
        ]
    );
}
