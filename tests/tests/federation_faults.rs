//! Federation under faults, with real `hearthd` processes and real libp2p
//! on loopback: a partition during a vote, a node offline for a whole
//! vote, a node that equivocates, a node that backdates a ballot, and a
//! peer that gossips invalid data.

use std::time::Duration;

use hearth_protocol::federation::{Checkpoint, Gossip};
use hearth_protocol::governance::{Ballot, Level, ProposalRef};
use hearth_protocol::log::{Entry, EntryBody, LogId, LogKind, NodeRecord};
use hearth_protocol::{
    Action, ActionBody, Canonical, GovernanceAction, Hash, Millis, SignedEntry, Timestamp,
};
use hearth_tests::federation::{CONVERGE, Federation, quick_rules};
use hearth_tests::{Member, Rng, converge, now_ms};
use serde_json::{Value, json};

fn vote(member: &mut Member, id: Hash, ballot: Ballot) -> u64 {
    let r = member.submit(ActionBody::Governance(GovernanceAction::Vote {
        proposal: ProposalRef {
            id,
            level: Level::Network,
        },
        ballot,
    }));
    r.expect_status(201);
    r.json["seq"].as_u64().expect("seq")
}

/// Waits until the wall clock passes `ms`.
fn wait_until(ms: u64, what: &str) {
    let left = ms.saturating_sub(now_ms());
    converge(Duration::from_millis(left) + CONVERGE, what, || {
        (now_ms() > ms).then_some(())
    });
}

fn proposal(fed: &Federation, i: usize, id: &Hash) -> Value {
    fed.get(i, &format!("/v1/federation/proposals/{id}"))
}

/// The public head seq of community `c` as node `i` holds it.
fn head_at(fed: &Federation, i: usize, c: usize) -> Option<u64> {
    let communities = fed.get(i, "/v1/federation")["communities"].clone();
    communities
        .as_array()?
        .iter()
        .find(|x| x["id"] == json!(fed.communities[c]))?["head"]["seq"]
        .as_u64()
}

fn entry_of(fed: &Federation, holder: usize, community: usize, seq: u64) -> SignedEntry {
    let bytes = fed.export(holder);
    let reader = hearth_protocol::federation::export::Reader::new(&bytes).expect("an export");
    let mut current = None;
    for record in reader {
        match record.expect("a record") {
            hearth_protocol::federation::export::ExportRecord::Log { community: c, .. } => {
                current = Some(c)
            }
            hearth_protocol::federation::export::ExportRecord::Entry(e)
                if current == Some(fed.communities[community]) && e.entry.seq == seq =>
            {
                return e;
            }
            _ => {}
        }
    }
    panic!("node {holder} holds no entry {seq} of community {community}");
}

/// ```text
///   A ─ B   ║   C ─ D ─ E        witnesses: 2
///   during the vote the federation splits {A,B} | {C,D,E}; healed after
///   the close and the grace period
/// ```
/// A's ballot cast before the split was witnessed by C, D and E and counts;
/// A's ballot cast during the split is witnessed only by B and is excluded;
/// C's ballot during the split is witnessed by D and E and counts. After
/// healing, all five nodes certify the same result.
#[test]
fn a_partition_during_a_vote_heals_to_one_certified_result() {
    let mut rng = Rng::from_env();
    let rules = quick_rules(Millis::secs(20), Millis::secs(3), 2);
    let mut fed = Federation::start(5, &[], rules, &mut rng);
    let mut a = fed.members(0, 2, &mut rng);
    let mut c = fed.members(2, 1, &mut rng);
    let id = Federation::propose(&mut c[0], Level::Network, "Shared seed bank");
    fed.converge_proposal(&id);
    let before = vote(&mut a[0], id, Ballot::Quadratic(vec![4]));
    // Every node holds A's ballot; a checkpoint round later it is witnessed.
    converge(CONVERGE, "A's first ballot reaches everyone", || {
        fed.running()
            .all(|i| head_at(&fed, i, 0).is_some_and(|s| s >= before))
            .then_some(())
    });
    // Witnessed: A's own node counts it, which takes checkpoints of it by
    // two other communities — they stand whatever the split does next.
    converge(CONVERGE, "A's first ballot is witnessed", || {
        (proposal(&fed, 0, &id)["report"]["ballots"].as_u64() == Some(1)).then_some(())
    });

    let ids: Vec<String> = (0..5).map(|i| fed.peer_id(i)).collect();
    let (left, right) = ([0usize, 1], [2usize, 3, 4]);
    for &i in &left {
        fed.control(
            i,
            "/v1/test/block",
            json!({ "peers": right.map(|j| ids[j].clone()) }),
        );
    }
    for &i in &right {
        fed.control(
            i,
            "/v1/test/block",
            json!({ "peers": left.map(|j| ids[j].clone()) }),
        );
    }
    vote(&mut a[1], id, Ballot::Quadratic(vec![-5]));
    vote(&mut c[0], id, Ballot::Quadratic(vec![3]));

    let closes = proposal(&fed, 0, &id)["closes"].as_u64().expect("closes");
    wait_until(closes + 3_000 + 1_500, "the grace period ends");
    let addrs: Vec<String> = (0..5).map(|i| fed.nodes[i].p2p_addr()).collect();
    for &i in &left {
        fed.control(
            i,
            "/v1/test/unblock",
            json!({ "peers": right.map(|j| ids[j].clone()), "dial": right.map(|j| addrs[j].clone()) }),
        );
    }
    for &i in &right {
        fed.control(
            i,
            "/v1/test/unblock",
            json!({ "peers": left.map(|j| ids[j].clone()), "dial": left.map(|j| addrs[j].clone()) }),
        );
    }
    let views = fed.certified(&id);
    for v in &views {
        assert_eq!(v["result"], views[0]["result"], "one result everywhere");
    }
    let report = &views[0]["report"];
    assert_eq!(report["ballots"], 2, "{report}");
    let excluded = report["excluded"].as_array().expect("excluded");
    assert_eq!(excluded.len(), 1, "{report}");
    assert_eq!(excluded[0]["author"], json!(a[1].did()));
    assert_eq!(excluded[0]["reason"]["reason"], "unwitnessed");
    assert_eq!(excluded[0]["reason"]["witnesses"], 1);
    assert_eq!(excluded[0]["reason"]["needed"], 2);
}

/// ```text
///   A ─ B ─ C        C is down for the whole vote
/// ```
/// A and B certify (final by deadline, C listed missing); C restarts,
/// catches up and attests the same hash.
#[test]
fn a_node_offline_for_the_whole_vote_catches_up_and_attests_the_same_result() {
    let mut rng = Rng::from_env();
    let mut rules = quick_rules(Millis::secs(6), Millis::secs(2), 1);
    rules.finality = Millis::secs(4);
    let mut fed = Federation::start(3, &[], rules, &mut rng);
    let mut a = fed.members(0, 1, &mut rng);
    let mut b = fed.members(1, 1, &mut rng);
    fed.nodes[2].stop();
    let id = Federation::propose(&mut a[0], Level::Network, "Offline vote");
    fed.converge_proposal(&id);
    vote(&mut a[0], id, Ballot::Quadratic(vec![5]));
    vote(&mut b[0], id, Ballot::Quadratic(vec![2]));
    let views = fed.certified(&id);
    assert_eq!(views.len(), 2);
    assert_eq!(views[0]["result"], views[1]["result"]);
    assert_eq!(views[0]["missing"], json!([fed.communities[2]]));
    let result = views[0]["result"].clone();

    fed.nodes[2].restart();
    converge(CONVERGE, "C attests the certified result", || {
        let v = fed.try_get(2, &format!("/v1/federation/proposals/{id}"))?;
        let attested = v["certification"]["attestations"]
            .as_array()?
            .iter()
            .any(|pair| pair[0] == json!(fed.communities[2]) && pair[1] == result);
        (attested && v["result"] == result).then_some(())
    });
    // Every node ends with all three attestations of one hash.
    converge(CONVERGE, "every node holds three attestations", || {
        (0..3)
            .all(|i| {
                let v = proposal(&fed, i, &id);
                v["certification"]["attestations"].as_array().map(Vec::len) == Some(3)
                    && v["certification"]["certified"] == result
            })
            .then_some(())
    });
}

/// ```text
///   A ─ B ─ C        C's key signs a second entry for a seq it used
/// ```
/// Pushed to A, the conflicting entry becomes a proof; every node holds it
/// within a sync round and freezes C's log at the fork.
#[test]
fn an_equivocating_node_is_caught_and_its_log_frozen_everywhere() {
    let mut rng = Rng::from_env();
    let fed = Federation::start(
        3,
        &[],
        quick_rules(Millis::secs(30), Millis::secs(5), 1),
        &mut rng,
    );
    let seq = head_at(&fed, 0, 2).expect("C's head at A");
    let held = entry_of(&fed, 0, 2, seq);
    let key = fed.node_key(2);
    let forged = Entry {
        log: LogId {
            community: fed.communities[2],
            kind: LogKind::Public,
        },
        seq,
        prev: held.entry.prev,
        time: Timestamp(held.entry.time.0 + 1),
        body: EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
            network: fed.id(),
            heads: Vec::new(),
        })]),
    }
    .sign(&key);
    let r = fed.push(0, &Gossip::Entry(forged).to_bytes());
    r.expect_status(200);
    assert_eq!(r.json["outcome"], "fork", "{}", r.text);
    converge(
        Duration::from_secs(15),
        "every node freezes C's log",
        || {
            (0..3)
                .all(|i| {
                    fed.get(i, "/v1/federation")["communities"]
                        .as_array()
                        .is_some_and(|cs| {
                            cs.iter().any(|c| {
                                c["id"] == json!(fed.communities[2]) && c["frozen_at"] == json!(seq)
                            })
                        })
                })
                .then_some(())
        },
    );
}

/// ```text
///   A ─ B ─ C        C goes quiet before the close, then appends a ballot
///                    dated before the close after the grace period
/// ```
/// The ballot was witnessed by no checkpoint in time: excluded and reported.
#[test]
fn a_ballot_backdated_after_the_close_is_excluded_and_reported() {
    let mut rng = Rng::from_env();
    let mut rules = quick_rules(Millis::secs(8), Millis::secs(2), 2);
    rules.finality = Millis::secs(3);
    let mut fed = Federation::start(3, &[], rules, &mut rng);
    let mut a = fed.members(0, 1, &mut rng);
    let c = fed.members(2, 1, &mut rng);
    let id = Federation::propose(&mut a[0], Level::Network, "Backdating");
    fed.converge_proposal(&id);
    vote(&mut a[0], id, Ballot::Quadratic(vec![5]));
    let closes = proposal(&fed, 0, &id)["closes"].as_u64().expect("closes");
    // C goes quiet before the close.
    wait_until(closes - 3_000, "shortly before the close");
    fed.nodes[2].stop();
    let head = converge(CONVERGE, "A holds C's last entry", || {
        let seq = head_at(&fed, 0, 2)?;
        let entry = entry_of(&fed, 0, 2, seq);
        (entry.entry.time.0 < closes).then_some(entry)
    });
    wait_until(closes + 2_000 + 500, "the grace period ends");
    // C's operator signs a ballot of C's member, and an entry holding it,
    // both dated before the close.
    let ballot = Action {
        author: c[0].public(),
        community: fed.communities[2],
        nonce: now_ms(),
        created: Timestamp(closes - 1_000),
        body: ActionBody::Governance(GovernanceAction::Vote {
            proposal: ProposalRef {
                id,
                level: Level::Network,
            },
            ballot: Ballot::Quadratic(vec![-10]),
        }),
    }
    .sign(&c[0].key);
    let entry = Entry {
        log: head.entry.log,
        seq: head.entry.seq + 1,
        prev: head.entry.id(),
        time: Timestamp(closes - 500).max(head.entry.time),
        body: EntryBody::Actions(vec![ballot.clone()]),
    }
    .sign(&fed.node_key(2));
    let r = fed.push(0, &Gossip::Entry(entry).to_bytes());
    r.expect_status(200);
    assert_eq!(r.json["outcome"], "stored", "{}", r.text);
    let views = fed.certified(&id);
    for v in &views {
        assert_eq!(v["result"], views[0]["result"]);
        let excluded = v["report"]["excluded"]
            .as_array()
            .expect("excluded")
            .clone();
        assert_eq!(excluded.len(), 1, "{}", v["report"]);
        assert_eq!(excluded[0]["action"], json!(ballot.id()));
        assert_eq!(excluded[0]["reason"]["reason"], "unwitnessed");
        assert_eq!(v["passed"], true);
    }
}

/// ```text
///   A ─ B ─ C        C gossips garbage, a forged signature and a broken
///                    chain
/// ```
/// Each is dropped, nothing is stored, and C's score at A and B falls.
#[test]
fn invalid_gossip_is_dropped_and_costs_the_sender_its_standing() {
    let mut rng = Rng::from_env();
    let fed = Federation::start(
        3,
        &[],
        quick_rules(Millis::secs(30), Millis::secs(5), 1),
        &mut rng,
    );
    let c_peer = fed.peer_id(2);
    let a_seq = head_at(&fed, 1, 0).expect("A's head at B");
    let a_head = entry_of(&fed, 1, 0, a_seq);
    let c_seq = head_at(&fed, 1, 2).expect("C's head at B");
    let c_head = entry_of(&fed, 1, 2, c_seq);
    let checkpoint = EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
        network: fed.id(),
        heads: Vec::new(),
    })]);
    // An entry of A's log signed by C's key: a forged signature.
    let forged = Entry {
        log: a_head.entry.log,
        seq: a_seq + 1,
        prev: a_head.entry.id(),
        time: Timestamp(a_head.entry.time.0 + 1),
        body: checkpoint.clone(),
    }
    .sign(&fed.node_key(2));
    // An entry of C's own log that does not link to its predecessor.
    let broken = Entry {
        log: c_head.entry.log,
        seq: c_seq + 1,
        prev: Hash([7; 32]),
        time: Timestamp(c_head.entry.time.0 + 1),
        body: checkpoint,
    }
    .sign(&fed.node_key(2));
    let garbage = b"\x00\x01 not a hearth message".to_vec();
    for data in [
        garbage.clone(),
        Gossip::Entry(forged.clone()).to_bytes(),
        Gossip::Entry(broken.clone()).to_bytes(),
    ] {
        fed.control(
            2,
            "/v1/test/publish",
            json!({ "data": base64_encode(&data) }),
        );
    }
    converge(CONVERGE, "C's standing falls at A and B", || {
        [0usize, 1]
            .iter()
            .all(|&i| {
                let peers = fed.get(i, "/v1/node")["peers"].clone();
                let c = peers
                    .as_array()
                    .and_then(|ps| ps.iter().find(|p| p["peer_id"] == json!(c_peer)).cloned());
                // Disconnected (banned), or still connected with a negative score.
                c.is_none_or(|c| c["score"].as_f64().is_some_and(|s| s < 0.0))
            })
            .then_some(())
    });
    // Nothing was stored: neither A's nor C's log at B holds them.
    for (c, entry) in [(0, &forged), (2, &broken)] {
        let seq = entry.entry.seq;
        if head_at(&fed, 1, c).is_some_and(|h| h >= seq) {
            assert_ne!(entry_of(&fed, 1, c, seq).entry.id(), entry.entry.id());
        }
    }
    // Pushed over HTTP, each is refused with its reason.
    assert_eq!(fed.push(1, &garbage).status, 422);
    let r = fed.push(1, &Gossip::Entry(forged).to_bytes());
    assert_eq!(r.status, 422, "{}", r.text);
    // An oversized message is refused: here one whose `{"gossip": base64}`
    // body is one byte over the node's 1 MiB limit (the node stops reading
    // there, so a larger body would leave the client writing to a closed
    // connection instead of reading the answer).
    let wrapped = |n: usize| r#"{"gossip":""#.len() + n.div_ceil(3) * 4 + r#""}"#.len();
    let n = (0..).find(|&n| wrapped(n) > 1024 * 1024).expect("a size");
    assert_eq!(wrapped(n), 1024 * 1024 + 1);
    assert_eq!(fed.push(1, &vec![0u8; n]).status, 413);
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
