//! `hearth audit` over exports of three communities sealed in memory,
//! the way protocol/src/federation/tests.rs builds them: an honest export
//! passes (exit 0), a tampered entry or a dissenting attestation fails
//! (exit 1), and what is no export is a usage error (exit 2).

use hearth_protocol::community::{Method, ProposalDurations, Rules};
use hearth_protocol::federation::export::{ExportRecord, MAGIC, write_record};
use hearth_protocol::federation::genesis::level;
use hearth_protocol::federation::tally::Tallier;
use hearth_protocol::federation::{
    Attestation, Checkpoint, CommunityLog, FederationRules, FederationView, Founding, LogHead,
    NetworkGenesis, NetworkSignature, RegionSpec, SignedNetwork,
};
use hearth_protocol::governance::{Ballot, Level, Proposal, ProposalKind, ProposalRef, Subject};
use hearth_protocol::log::NodeRecord;
use hearth_protocol::test::{Community, keypair};
use hearth_protocol::units::{Millis, Ratio};
use hearth_protocol::{ActionBody, EntryBody, Hash, Keypair, LogKind, Timestamp};

use crate::support::{FakeNode, new_key, run};

const OPEN: u64 = 2_000;
const CLOSE: u64 = 2_100;
const GRACE: u64 = 50;

/// What to break in an export.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Break {
    Nothing,
    /// An entry's time, so its node signature no longer verifies.
    Entry,
    /// One community attests another result than the tally's.
    Attestation,
}

struct Fed {
    communities: Vec<Community>,
    members: Vec<Vec<Keypair>>,
    network: SignedNetwork,
}

impl Fed {
    fn new() -> Fed {
        let rules = FederationRules {
            regional: level(Method::Majority, Ratio::new(3, 5), Ratio::new(1, 5), 0),
            network: level(Method::Quadratic, Ratio::new(2, 3), Ratio::new(1, 10), 100),
            durations: ProposalDurations {
                policy_discussion: Millis(0),
                policy_deliberation: Millis(0),
                policy_voting: Millis(CLOSE - OPEN),
                ..ProposalDurations::default()
            },
            witnesses: 1,
            grace: Millis(GRACE),
            finality: Millis(1_000),
            checkpoint_interval: Millis(10),
        };
        let mut communities = Vec::new();
        let mut members = Vec::new();
        for i in 0..3u8 {
            let keys: Vec<Keypair> = (0..3).map(|j| keypair(10 + 3 * i + j)).collect();
            let refs: Vec<&Keypair> = keys.iter().collect();
            communities.push(Community::named(
                keypair(100 + i),
                &format!("Community {i}"),
                &refs,
                Rules::default(),
            ));
            members.push(keys);
        }
        let mut founding: Vec<Founding> = communities
            .iter()
            .map(|c| Founding {
                id: c.id,
                node: c.node.public(),
                name: c.genesis.name.clone(),
            })
            .collect();
        founding.sort_by_key(|f| f.id);
        let mut north: Vec<Hash> = communities[..2].iter().map(|c| c.id).collect();
        north.sort();
        let genesis = NetworkGenesis {
            name: "Valley".into(),
            communities: founding,
            regions: vec![RegionSpec {
                name: "north".into(),
                communities: north,
            }],
            rules,
            created: Timestamp(1_500),
        };
        let mut network = SignedNetwork {
            genesis: genesis.clone(),
            signatures: Vec::new(),
        };
        for c in &communities {
            network.add(NetworkSignature::sign(&genesis, c.id, &c.node));
        }
        for c in &mut communities {
            c.append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Network(Box::new(network.clone()))]),
                Timestamp(1_600),
            )
            .expect("the network record applies");
        }
        Fed {
            communities,
            members,
            network,
        }
    }

    fn act(&mut self, i: usize, j: usize, nonce: u64, time: u64, body: ActionBody) {
        let key = &self.members[i][j];
        let c = &mut self.communities[i];
        let mut action = c.action(key, nonce, body);
        action.action.created = Timestamp(time);
        let action = action.action.sign(key);
        c.append_at(
            LogKind::Public,
            EntryBody::Actions(vec![action]),
            Timestamp(time),
        )
        .expect("the action applies");
    }

    fn checkpoint_all(&mut self, time: u64) {
        let heads: Vec<LogHead> = self
            .communities
            .iter()
            .map(|c| LogHead {
                community: c.id,
                head: c.public.expect("a public head"),
            })
            .collect();
        let network = self.network.genesis.id();
        for c in &mut self.communities {
            let mut listed: Vec<LogHead> = heads
                .iter()
                .filter(|h| h.community != c.id)
                .copied()
                .collect();
            listed.sort_by_key(|h| h.community);
            c.append_at(
                LogKind::Public,
                EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
                    network,
                    heads: listed,
                })]),
                Timestamp(time),
            )
            .expect("the checkpoint applies");
        }
    }

    fn logs(&self) -> Vec<CommunityLog> {
        self.communities
            .iter()
            .map(|c| CommunityLog {
                community: c.id,
                node: c.node.public(),
                entries: c
                    .entries
                    .iter()
                    .filter(|e| e.entry.log.kind == LogKind::Public)
                    .cloned()
                    .collect(),
                fork: None,
            })
            .collect()
    }
}

/// A network referendum voted across three communities, witnessed,
/// final and attested by all three; then written as an export.
fn export(broken: Break) -> Vec<u8> {
    let mut fed = Fed::new();
    let proposal = Proposal {
        kind: ProposalKind::Policy,
        level: Level::Network,
        title: "Shared seed bank".into(),
        text: String::new(),
        options: Vec::new(),
        subject: Subject::Question,
    };
    fed.act(0, 0, 1, OPEN, ActionBody::Propose(Box::new(proposal)));
    let id = match &fed.communities[0].entries.last().expect("entry").entry.body {
        EntryBody::Actions(actions) => actions[0].id(),
        _ => unreachable!(),
    };
    for (i, votes) in [(0, 5), (1, 4), (2, -1)] {
        let ballot = ActionBody::Vote {
            proposal: ProposalRef {
                id,
                level: Level::Network,
            },
            ballot: Ballot::Quadratic(vec![votes]),
        };
        fed.act(i, 1, 2, OPEN + 10 + i as u64, ballot);
    }
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 1);
    let view = FederationView::new(fed.network.genesis.clone(), &fed.logs());
    let result = Tallier::new(&view)
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert!(result.is_final && result.passed);
    let network = fed.network.genesis.id();
    for (i, c) in fed.communities.iter_mut().enumerate() {
        let attested = match (broken, i) {
            (Break::Attestation, 2) => Hash([5; 32]),
            _ => result.result,
        };
        c.append_at(
            LogKind::Public,
            EntryBody::Records(vec![NodeRecord::Attest(Attestation {
                network,
                proposal: id,
                result: attested,
            })]),
            Timestamp(CLOSE + GRACE + 3),
        )
        .expect("the attestation applies");
    }
    let mut out = MAGIC.to_vec();
    write_record(
        &mut out,
        &ExportRecord::Network(Box::new(fed.network.clone())),
    );
    for (i, log) in fed.logs().into_iter().enumerate() {
        write_record(
            &mut out,
            &ExportRecord::Log {
                community: log.community,
                node: log.node,
            },
        );
        for (seq, mut entry) in log.entries.into_iter().enumerate() {
            if broken == Break::Entry && i == 1 && seq == 2 {
                entry.entry.time = Timestamp(entry.entry.time.0 + 1);
            }
            write_record(&mut out, &ExportRecord::Entry(entry));
        }
    }
    out
}

#[test]
fn an_honest_export_passes_and_a_broken_one_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let file = home.join("valley.export");
    let file = file.to_str().unwrap();

    std::fs::write(file, export(Break::Nothing)).unwrap();
    let out = run(home, &["audit", "--file", file]).ok();
    for needle in [
        "Network \"Valley\"",
        "in 3 public logs",
        "Community 0 (",
        "network  yes    yes     3/3       yes        ok      Shared seed bank",
        "Audit passed",
    ] {
        assert!(out.contains(needle), "{needle:?} in:\n{out}");
    }
    let json = run(home, &["--json", "audit", "--file", file]).json();
    assert_eq!(json["ok"], true);
    assert_eq!(
        json["proposals"][0]["attestations"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    std::fs::write(file, export(Break::Entry)).unwrap();
    let failed = run(home, &["audit", "--file", file]);
    assert!(failed.stdout.contains("FAILED: entry 2"), "{failed:?}");
    let err = failed.fails(1);
    assert!(
        err.contains("the audit failed: 1 public log(s) do not verify"),
        "{err}"
    );

    std::fs::write(file, export(Break::Attestation)).unwrap();
    let failed = run(home, &["audit", "--file", file]);
    assert!(failed.stdout.contains("MISMATCH"), "{failed:?}");
    let err = failed.fails(1);
    assert!(err.contains("disagree with their attestations"), "{err}");

    // A corrupt record is a failed verification; a file that is no
    // export at all, or none, is a usage error.
    let mut cut = export(Break::Nothing);
    cut.truncate(cut.len() - 3);
    std::fs::write(file, cut).unwrap();
    let err = run(home, &["audit", "--file", file]).fails(1);
    assert!(err.contains("truncated"), "{err}");
    std::fs::write(file, b"nonsense").unwrap();
    let err = run(home, &["audit", "--file", file]).fails(2);
    assert!(err.contains("not a Hearth export"), "{err}");
    let err = run(home, &["audit", "--file", "/nonexistent/x"]).fails(2);
    assert!(err.contains("cannot read the export"), "{err}");
}

#[test]
fn an_export_is_downloaded_audited_and_saved() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let bytes = export(Break::Nothing);
    let served = bytes.clone();
    let node = FakeNode::start_raw(move |r| match r.path.as_str() {
        "/v1/federation/export" => (200, "application/octet-stream", served.clone()),
        _ => (
            404,
            "application/json",
            br#"{"error":"not_found","message":"no"}"#.to_vec(),
        ),
    });
    let saved = home.join("saved.export");
    let saved = saved.to_str().unwrap();
    let out = run(home, &["--node", &node.url, "audit", "--save", saved]).ok();
    assert!(out.contains("Audit passed"), "{out}");
    assert_eq!(std::fs::read(saved).unwrap(), bytes);
    assert_eq!(node.requests_to("GET")[0].path, "/v1/federation/export");
    // A node that serves no export is not a failed audit: exit 2.
    let empty = FakeNode::start(|_| (404, r#"{"error":"not_found","message":"no"}"#.into()));
    let err = run(home, &["--node", &empty.url, "audit"]).fails(2);
    assert!(
        err.contains("cannot download the federation export"),
        "{err}"
    );
}
