//! Governance commands against a scripted node: how ids and prefixes are
//! resolved, how a vote typed on the command line becomes the ballot the
//! proposal's method takes, what `propose` signs and prints — and the
//! usage errors (exit 2) that never reach a node.

use hearth_protocol::governance::{
    Ballot, Level, Position, Project, ProposalKind, ProposalRef, Scope, Subject, Topic,
};
use hearth_protocol::test::keypair;
use hearth_protocol::{ActionBody, GovernanceAction, Hash, Kc};
use serde_json::{Value, json};

use crate::node::{COMMUNITY, community_json, not_found, signer_of, submitted};
use crate::support::{FakeNode, new_key, run};

/// A proposal's JSON as `GET /v1/proposals/{id}` sends it.
fn proposal(id: Hash, kind: &str, method: &str, extra: Value) -> Value {
    let mut value = json!({
        "id": id, "kind": kind, "level": { "level": "local" }, "title": format!("{kind} {method}"),
        "author": keypair(1).public().to_did(), "created": 0, "stage": "voting",
        "stages": [["voting", 0]], "closes": 86_400_000, "method": method, "withdrawn": null,
        "text": "", "options": [], "subject": { "type": "question" }, "amendments": 0,
        "reviews": [], "vote_opened": null, "nominees": [], "ballots": 0,
        "running": { "hidden": true },
    });
    if let (Value::Object(v), Value::Object(e)) = (&mut value, extra) {
        v.extend(e);
    }
    value
}

/// A node serving `proposals` and answering submissions with `id`.
fn governance_node(proposals: Vec<Value>, receipt_id: Hash) -> FakeNode {
    FakeNode::start(move |r| {
        let path = r.path.as_str();
        match (r.method.as_str(), path) {
            ("GET", "/v1/community") => (200, community_json()),
            ("GET", "/v1/proposals") => (200, json!({ "proposals": proposals }).to_string()),
            ("GET", _) if path.starts_with("/v1/proposals/") => {
                let id = path.trim_start_matches("/v1/proposals/");
                match proposals.iter().find(|p| p["id"] == id) {
                    Some(p) => (200, p.to_string()),
                    None => (
                        404,
                        json!({ "error": "unknown_proposal", "message": format!("no proposal {id}") })
                            .to_string(),
                    ),
                }
            }
            ("POST", "/v1/actions") => (
                201,
                json!({ "id": receipt_id, "log": "local", "seq": 9 }).to_string(),
            ),
            _ => not_found(),
        }
    })
}

fn id(byte: u8) -> Hash {
    Hash([byte; 32])
}

#[test]
fn votes_become_the_ballot_of_the_proposals_method() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let alice = new_key(home, "alice");
    let carol = new_key(home, "carol");
    let election = proposal(
        id(0xe1),
        "election",
        "stv",
        json!({ "nominees": [keypair(2).public().to_did(), carol],
                "subject": { "type": "election", "seats": 1 } }),
    );
    let policy = proposal(id(0xa1), "policy", "consensus", json!({}));
    let budget = proposal(
        id(0xb0),
        "budget",
        "budgeting",
        json!({ "subject": { "type": "budget", "budget": 1_000_000,
                "projects": [{ "name": "Oven", "cost": 400_000 }, { "name": "Paint", "cost": 500_000 }] } }),
    );
    let choice = proposal(
        id(0xc4),
        "policy",
        "schulze",
        json!({ "options": ["Oak", "Ash", "Birch"] }),
    );
    let mut twin = id(0xa1);
    twin.0[31] = 0;
    let twin = proposal(twin, "policy", "consensus", json!({}));
    let node = governance_node(vec![election, policy, budget, choice, twin], id(0x99));
    let vote = |args: &[&str]| {
        let mut all = vec!["--node", node.url.as_str(), "--key", "alice", "vote"];
        all.extend_from_slice(args);
        run(home, &all)
    };

    let out = vote(&["e1e1e1e1", "--rank", "carol, 1"]).ok();
    assert!(out.starts_with(&format!("Voted {carol} > ")), "{out}");
    vote(&["b0b0b0b0b0", "--approve", "Paint,1"]).ok();
    vote(&["C4C4C4C4", "--rank", "birch,Oak"]).ok();
    vote(&[&id(0xa1).to_hex(), "block", "--reason", "too loud"]).ok();

    let ballots: Vec<(ProposalRef, Ballot)> = submitted(&node)
        .into_iter()
        .map(|a| match a.action.body {
            ActionBody::Governance(GovernanceAction::Vote { proposal, ballot }) => {
                (proposal, ballot)
            }
            other => panic!("not a vote: {other:?}"),
        })
        .collect();
    let local = |byte| ProposalRef {
        id: id(byte),
        level: Level::Local,
    };
    assert_eq!(
        ballots,
        [
            (local(0xe1), Ballot::Ranked(vec![1, 0])),
            (local(0xb0), Ballot::Approval(vec![1, 0])),
            (local(0xc4), Ballot::Ranked(vec![2, 0])),
            (
                local(0xa1),
                Ballot::Consensus(Position::Block("too loud".into()))
            ),
        ]
    );

    // A form that does not fit the method, and prefixes that do not name
    // one proposal, never reach the node.
    let err = vote(&[&id(0xa1).to_hex(), "yes"]).fails(2);
    assert!(err.contains("decided by consensus"), "{err}");
    let err = vote(&["e1e1e1e1", "--rank", "alice"]).fails(2);
    assert!(err.contains("not a candidate"), "{err}");
    let err = vote(&["b0b0b0b0", "--approve", "Roof"]).fails(2);
    assert!(err.contains("1. Oven, 2. Paint"), "{err}");
    let err = vote(&["a1a1a1a1", "agree"]).fails(2);
    assert!(err.contains("ambiguous"), "{err}");
    let err = vote(&["e1e1e1e1", "block"]).fails(2);
    assert!(err.contains("decided by single transferable vote"), "{err}");
    let err = vote(&["99999999", "agree"]).fails(1);
    assert!(err.contains("unknown_proposal"), "{err}");
    assert_eq!(submitted(&node).len(), 4, "no other vote was sent");

    // Local governance reads are signed; the federation's are public.
    for get in node.requests_to("GET") {
        if get.path != "/v1/community" && !get.path.starts_with("/v1/federation") {
            assert_eq!(signer_of(&get).to_did(), alice, "{} is signed", get.path);
        }
    }
}

#[test]
fn proposals_and_show_read_the_nodes_json() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let decided = proposal(
        id(0xd1),
        "policy",
        "consensus",
        json!({ "stage": "closed", "text": "No drums after 22:00", "running": null,
            "decision": { "proposal": id(0xd1), "closed": 1, "result": id(0),
              "verdict": { "outcome": "passed" },
              "report": { "method": "consensus", "report": {
                "counts": { "agree": 3, "abstain": 0, "disagree": 1, "block": 0 },
                "blocks": {}, "turnout": 4,
                "delegation": { "eligible": 5, "weight": {}, "represented_by": {},
                                "uncounted": {}, "absent": 1 },
                "outcome": "passed" } } } }),
    );
    let node = governance_node(vec![decided.clone()], id(0x99));
    let table = run(home, &["--node", &node.url, "proposals"]).ok();
    assert!(
        table.starts_with("ID ") && table.contains("d1d1d1d1d1d1  local  policy  closed"),
        "{table}"
    );
    let shown = run(home, &["--node", &node.url, "show", "d1d1d1d1"]).ok();
    for needle in [
        "decision  passed: 3 agree, 1 disagree, 0 block, turnout 4/5",
        "No drums after 22:00",
        &id(0xd1).to_hex(),
    ] {
        assert!(shown.contains(needle), "{needle:?} in:\n{shown}");
    }
    let json = run(home, &["--node", &node.url, "--json", "show", "d1d1d1d1"]).json();
    assert_eq!(json, decided, "--json is the node's answer");
}

#[test]
fn propose_signs_the_subject_and_prints_the_id_and_stages() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let created = proposal(
        id(0x5b),
        "budget",
        "budgeting",
        json!({ "stage": "submission",
                "stages": [["submission", 0], ["review", 2000], ["voting", 4000]],
                "closes": 6000 }),
    );
    let node = governance_node(vec![created], id(0x5b));
    let out = run(
        home,
        &[
            "--node",
            &node.url,
            "propose",
            "--kind",
            "budget",
            "--title",
            "Spring",
            "--text",
            "Fix the bakery",
            "--budget",
            "1000",
            "--project",
            "Oven=400",
        ],
    )
    .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], id(0x5b).to_hex(), "the id comes first: {out}");
    assert!(out.contains("review      1970-01-01 00:00:02 UTC"), "{out}");
    assert!(out.contains("closes      1970-01-01 00:00:06 UTC"), "{out}");
    let actions = submitted(&node);
    let ActionBody::Governance(GovernanceAction::Propose(p)) = &actions[0].action.body else {
        panic!("not a proposal: {actions:?}");
    };
    assert_eq!(p.kind, ProposalKind::Budget);
    assert_eq!(p.level, Level::Local);
    assert_eq!(
        (p.title.as_str(), p.text.as_str()),
        ("Spring", "Fix the bakery")
    );
    assert_eq!(
        p.subject,
        Subject::Budget {
            budget: Kc::whole(1000),
            projects: vec![Project {
                name: "Oven".into(),
                cost: Kc::whole(400)
            }]
        }
    );
    assert_eq!(actions[0].action.community, COMMUNITY);
    let json = run(
        home,
        &[
            "--node", &node.url, "--json", "propose", "--kind", "budget", "--title", "S",
            "--budget", "5",
        ],
    )
    .json();
    assert_eq!(json["id"], id(0x5b).to_hex());
    assert_eq!(json["stages"][2], json!(["voting", 4000]));
}

/// `--topic` goes into what is signed: the proposal's topic and the
/// delegation's scope; a scope with both a kind and a topic is refused
/// before anything is signed.
#[test]
fn topics_are_signed_into_proposals_and_delegation_scopes() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let created = proposal(
        id(0x6c),
        "policy",
        "consensus",
        json!({ "topic": "health" }),
    );
    let node = governance_node(vec![created], id(0x6c));
    let out = run(
        home,
        &[
            "--node",
            &node.url,
            "propose",
            "--kind",
            "policy",
            "--title",
            "Clinic hours",
            "--topic",
            "health",
        ],
    )
    .ok();
    assert!(out.contains("\"policy consensus\" on health"), "{out}");
    let ada = keypair(2).public();
    let ada_did = ada.to_did();
    run(
        home,
        &[
            "--node",
            &node.url,
            "delegate",
            &ada_did,
            "--topic",
            "transport",
        ],
    )
    .ok();
    let json = run(
        home,
        &[
            "--node",
            &node.url,
            "--json",
            "undelegate",
            "--topic",
            "transport",
        ],
    )
    .json();
    assert_eq!(json["scope"]["topic"], "transport", "{json}");
    assert_eq!(json["scope"]["kind"], Value::Null, "{json}");
    let both = run(
        home,
        &[
            "--node",
            &node.url,
            "delegate",
            &ada_did,
            "--scope",
            "local:policy",
            "--topic",
            "health",
        ],
    )
    .fails(2);
    assert!(both.contains("not both"), "{both}");
    let actions = submitted(&node);
    assert_eq!(
        actions.len(),
        3,
        "the refused scope is never signed: {actions:?}"
    );
    let ActionBody::Governance(GovernanceAction::Propose(p)) = &actions[0].action.body else {
        panic!("not a proposal: {actions:?}");
    };
    assert_eq!(p.topic, Some(Topic::new("health").unwrap()));
    let transport = Scope::topic(Level::Local, Topic::new("transport").unwrap());
    assert_eq!(
        actions[1].action.body,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: transport.clone(),
            to: Some(ada)
        })
    );
    assert_eq!(
        actions[2].action.body,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: transport,
            to: None
        })
    );
}

#[test]
fn governance_usage_errors_exit_2_without_a_node() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    // An unreachable node: a command that tried to talk to it would say so.
    let with = |args: &[&'static str]| [&["--node", "http://127.0.0.1:9"][..], args].concat();
    for (args, needle) in [
        (&["propose", "--title", "T"][..], "--kind"),
        (
            &["propose", "--kind", "party", "--title", "T"],
            "unknown kind",
        ),
        (&["propose", "--kind", "budget", "--title", "T"], "--budget"),
        (
            &["propose", "--kind", "election", "--title", "T"],
            "--seats",
        ),
        (
            &[
                "propose", "--kind", "election", "--title", "T", "--seats", "0",
            ],
            "0",
        ),
        (
            &[
                "propose", "--kind", "policy", "--title", "T", "--seats", "2",
            ],
            "--seats is for election",
        ),
        (
            &[
                "propose", "--kind", "policy", "--title", "T", "--option", "A",
            ],
            "two",
        ),
        (
            &[
                "propose",
                "--kind",
                "budget",
                "--title",
                "T",
                "--budget",
                "9",
                "--project",
                "Oven",
            ],
            "NAME=KC",
        ),
        (
            &[
                "propose", "--kind", "policy", "--title", "T", "--level", "galaxy",
            ],
            "invalid level",
        ),
        (
            &[
                "propose",
                "--kind",
                "policy",
                "--title",
                "T",
                "--text",
                "a",
                "--text-file",
                "b",
            ],
            "--text",
        ),
        (
            &[
                "propose",
                "--kind",
                "policy",
                "--title",
                "T",
                "--text-file",
                "/nonexistent/x",
            ],
            "cannot read",
        ),
        (
            &[
                "propose",
                "--kind",
                "membership",
                "--title",
                "T",
                "--member",
                "zed",
            ],
            "neither a did:key",
        ),
        (&["vote", "abcdef0123"], "<CHOICE|--rank"),
        (
            &["vote", "abcdef0123", "yes", "--rank", "A"],
            "cannot be used with",
        ),
        (&["vote", "abcdef0123", "maybe"], "maybe"),
        (&["vote", "abc", "yes"], "at least 8"),
        (&["vote", "not-hex!!", "yes"], "invalid proposal id"),
        (
            &["vote", "abcdef0123", "--rank", "A", "--reason", "r"],
            "--reason goes with a position",
        ),
        (&["show", "1234"], "at least 8"),
        (&["delegate", "alice", "--scope", "local:picnic"], "picnic"),
        (
            &["delegate", "alice", "--topic", "Health"],
            "not a topic name",
        ),
        (
            &[
                "propose",
                "--kind",
                "policy",
                "--title",
                "T",
                "--topic",
                "bike lanes",
            ],
            "not a topic name",
        ),
        (&["delegate", "zed"], "neither a did:key"),
        (&["undelegate", "--scope", "town"], "invalid scope"),
        (&["review", "abcdef0123", "maybe"], "maybe"),
        (&["project", "abcdef0123", "Oven", "0"], "more than zero"),
        (&["project", "abcdef0123", "Oven"], "<COST>"),
        (&["amend", "abcdef0123"], "--text"),
        (&["nominate", "abcdef0123", "did:key:zzz"], "invalid member"),
        (&["withdraw"], "<ID>"),
    ] {
        let err = run(home, &with(args)).fails(2);
        assert!(
            err.contains(needle) && !err.contains("cannot reach"),
            "{args:?}: expected {needle:?} in:\n{err}"
        );
    }
}
