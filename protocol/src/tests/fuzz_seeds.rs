//! The fuzz targets' seed corpus (`fuzz/corpus/<target>/`), written from
//! records these tests build: a federation that votes, checkpoints and
//! attests, a community whose members pay each other, the ballot files of
//! the tally tests and the rules files of the node's tests. Each seed is
//! checked to decode (or parse) before it is written.
//!
//! `cargo test -p hearth-protocol write_fuzz_seeds -- --ignored` rewrites
//! the corpus (`HEARTH_FUZZ_CORPUS` names another directory).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use super::codec::{signed_action, signed_entry};
use crate::action::{ActionBody, GovernanceAction, LedgerAction, SignedAction};
use crate::codec::Canonical;
use crate::crypto::Hash;
use crate::federation::export::Reader;
use crate::federation::wire::{Gossip, MAX_RANGE, SyncRequest, SyncResponse};
use crate::federation::{EquivocationProof, LogHead, NetworkSignature};
use crate::governance::{Ballot, Level, Scope};
use crate::log::{EntryBody, LogKind, SignedEntry};
use crate::request::sign_request;
use crate::state::rules::{RuleChange, SETTABLE};
use crate::tally::blt::{Election, RankedBallot, parse_blt, to_blt};
use crate::tally::pabulib::parse_pb;
use crate::test::federation::{CLOSE, Fed, GRACE, OPEN, export, vote};
use crate::test::keypair;
use crate::units::{Kc, Timestamp};

/// The node clock of the `signed_request` target.
const REQUEST_NOW: Timestamp = Timestamp(1_750_000_000_000);

/// Random records per strategy, beside the built ones.
const SAMPLED: usize = 12;

/// The files of one target's corpus.
struct Corpus {
    dir: PathBuf,
    seen: BTreeSet<Vec<u8>>,
}

impl Corpus {
    fn new(root: &Path, target: &str) -> Corpus {
        let dir = root.join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("clear the old seeds");
        }
        std::fs::create_dir_all(&dir).expect("create the corpus directory");
        Corpus {
            dir,
            seen: BTreeSet::new(),
        }
    }

    /// Writes `bytes` under a name that is their hash (as libFuzzer names
    /// corpus files), once.
    fn add(&mut self, bytes: Vec<u8>) {
        let name = Hash::of("hearth fuzz seed", &bytes).to_hex();
        std::fs::write(self.dir.join(&name[..16]), &bytes).expect("write a seed");
        self.seen.insert(bytes);
    }

    fn canonical<T: Canonical + PartialEq + std::fmt::Debug>(&mut self, value: &T) {
        let bytes = value.to_bytes();
        assert_eq!(T::from_bytes(&bytes).as_ref(), Ok(value), "a seed decodes");
        self.add(bytes);
    }

    fn len(&self) -> usize {
        self.seen.len()
    }
}

/// A federation of three communities that votes on a network referendum
/// (as `a_network_referendum_counts_witnessed_ballots_across_communities`
/// does), checkpoints and attests; its members also pay each other, and
/// one delegates a topic.
fn federation() -> Fed {
    let topics = vec![
        crate::governance::Topic::new("health").expect("a topic"),
        crate::governance::Topic::new("transport").expect("a topic"),
    ];
    let mut fed = Fed::with_rules(
        3,
        crate::community::Rules {
            topics: topics.clone(),
            ..Default::default()
        },
    );
    let id = fed.propose(Level::Network);
    let net = Level::Network;
    fed.act(
        0,
        0,
        2,
        OPEN + 10,
        vote(id, net, Ballot::Quadratic(vec![5])),
    );
    fed.act(
        0,
        1,
        2,
        OPEN + 11,
        vote(id, net, Ballot::Quadratic(vec![-2])),
    );
    fed.act(
        1,
        0,
        2,
        OPEN + 13,
        vote(id, net, Ballot::Quadratic(vec![4])),
    );
    let to = fed.members[0][0].public();
    fed.act(
        2,
        0,
        2,
        OPEN + 15,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::level(net),
            to: Some(to),
        }),
    );
    fed.act(
        1,
        1,
        2,
        OPEN + 16,
        ActionBody::Governance(GovernanceAction::Delegate {
            scope: Scope::topic(net, topics[0].clone()),
            to: Some(to),
        }),
    );
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 1);
    fed.attest(0, id, Hash([9; 32]), CLOSE + GRACE + 5);
    for (i, community) in fed.communities.iter_mut().enumerate() {
        let [a, b, _] = &fed.members[i][..] else {
            unreachable!("three members each")
        };
        for (nonce, amount) in [(10, 1_500), (11, 250_000)] {
            let pay = ActionBody::Ledger(LedgerAction::Transfer {
                to: b.public(),
                amount: Kc(amount),
                memo: "seed bank".into(),
            });
            let action = community.action(a, nonce, pay);
            community.submit(action).expect("the payment applies");
        }
    }
    fed
}

/// A second entry at the seq of `entry`, signed by the same node.
fn equivocation(fed: &Fed, entry: &SignedEntry) -> EquivocationProof {
    let mut other = entry.entry.clone();
    other.time = Timestamp(other.time.0 + 1);
    let node = &fed
        .communities
        .iter()
        .find(|c| c.id == entry.entry.log.community)
        .expect("its community")
        .node;
    EquivocationProof::new(entry.clone(), other.sign(node))
}

fn sampled<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..SAMPLED)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

#[test]
#[ignore = "writes the fuzz corpus; run when the records change"]
fn write_fuzz_seeds() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = std::env::var_os("HEARTH_FUZZ_CORPUS")
        .map_or_else(|| manifest.join("../fuzz/corpus"), PathBuf::from);
    let fed = federation();
    let entries: Vec<&SignedEntry> = fed.communities.iter().flat_map(|c| &c.entries).collect();
    let public: Vec<&SignedEntry> = entries
        .iter()
        .copied()
        .filter(|e| e.entry.log.kind == LogKind::Public)
        .collect();
    let actions: Vec<&SignedAction> = entries
        .iter()
        .filter_map(|e| match &e.entry.body {
            EntryBody::Actions(actions) => Some(actions),
            _ => None,
        })
        .flatten()
        .collect();
    let proof = equivocation(&fed, public.last().expect("a public entry"));
    let mut written = Vec::new();

    let mut corpus = Corpus::new(&root, "signed_action");
    actions.iter().for_each(|a| corpus.canonical(*a));
    sampled(signed_action())
        .iter()
        .for_each(|a| corpus.canonical(a));
    written.push(("signed_action", corpus.len()));

    let mut corpus = Corpus::new(&root, "signed_entry");
    entries.iter().for_each(|e| corpus.canonical(*e));
    sampled(signed_entry())
        .iter()
        .for_each(|e| corpus.canonical(e));
    corpus.canonical(&entries[0].head());
    written.push(("signed_entry", corpus.len()));

    let mut corpus = Corpus::new(&root, "gossip");
    for entry in &public {
        corpus.canonical(&Gossip::Entry((*entry).clone()));
    }
    corpus.canonical(&Gossip::Proof(Box::new(proof.clone())));
    written.push(("gossip", corpus.len()));

    let community = fed.communities[1].id;
    let mut corpus = Corpus::new(&root, "sync_request");
    for request in [
        SyncRequest::Heads,
        SyncRequest::Networks,
        SyncRequest::Proof { community },
        SyncRequest::Range {
            community,
            from: 0,
            limit: MAX_RANGE,
        },
        SyncRequest::Range {
            community,
            from: 3,
            limit: 2,
        },
    ] {
        corpus.canonical(&request);
    }
    written.push(("sync_request", corpus.len()));

    let mut corpus = Corpus::new(&root, "sync_response");
    let mut heads: Vec<LogHead> = fed
        .communities
        .iter()
        .map(|c| LogHead {
            community: c.id,
            head: c.public.expect("a public head"),
        })
        .collect();
    heads.sort_by_key(|h| h.community);
    corpus.canonical(&SyncResponse::Heads {
        heads,
        forked: vec![community],
    });
    let log: Vec<SignedEntry> = public
        .iter()
        .filter(|e| e.entry.log.community == community)
        .map(|e| (*e).clone())
        .collect();
    corpus.canonical(&SyncResponse::Entries(log.clone()));
    corpus.canonical(&SyncResponse::Entries(log[..2].to_vec()));
    corpus.canonical(&SyncResponse::Networks(vec![fed.network.clone()]));
    corpus.canonical(&SyncResponse::Proof(Some(Box::new(proof))));
    corpus.canonical(&SyncResponse::Proof(None));
    corpus.canonical(&SyncResponse::Refused("malformed request".into()));
    written.push(("sync_response", corpus.len()));

    let mut corpus = Corpus::new(&root, "network");
    corpus.canonical(&fed.network);
    corpus.canonical(&fed.network.genesis);
    let c = &fed.communities[0];
    corpus.canonical(&NetworkSignature::sign(&fed.network.genesis, c.id, &c.node));
    written.push(("network", corpus.len()));

    let mut corpus = Corpus::new(&root, "export");
    for tamper in [false, true] {
        let bytes = export(&fed, tamper);
        assert!(Reader::new(&bytes).expect("magic").all(|r| r.is_ok()));
        corpus.add(bytes);
    }
    written.push(("export", corpus.len()));

    let mut corpus = Corpus::new(&root, "signed_request");
    for (seed, method, path, body) in [
        (1, "GET", "/v1/accounts/me", &b""[..]),
        (2, "GET", "/v1/ledger?limit=50&after=7", b""),
        (
            3,
            "POST",
            "/v1/federation/network",
            b"{\"network\":\"AAEC\"}",
        ),
        (4, "DELETE", "/v1/x", b"\n\n"),
    ] {
        let key = keypair(seed);
        let [(_, did), (_, time), (_, signature)] =
            sign_request(&key, method, path, REQUEST_NOW, body);
        let mut bytes = format!("{did}\n{time}\n{signature}\n{method}\n{path}\n").into_bytes();
        bytes.extend_from_slice(body);
        corpus.add(bytes);
    }
    written.push(("signed_request", corpus.len()));

    let mut corpus = Corpus::new(&root, "credential");
    corpus.add(include_bytes!("../credential/vectors/signedJCS.json").to_vec());
    let achievement = crate::credential::Achievement {
        skill: Hash::of("hearth fuzz skill", b"weaving"),
        name: "Weaving".into(),
        description: "Warps a loom and weaves a plain cloth.".into(),
        criteria: "Endorsed by 2 members verified in Weaving.".into(),
    };
    let issued = crate::credential::issue(
        &keypair(5),
        "Riverside",
        &keypair(6).public(),
        &achievement,
        REQUEST_NOW,
    )
    .expect("a credential is issued");
    corpus.add(serde_json::to_vec_pretty(&issued).expect("JSON"));
    written.push(("credential", corpus.len()));

    let mut corpus = Corpus::new(&root, "blt");
    let stv = manifest.join("tests/data/stv");
    for file in ["droop-42.blt", "droop-513.blt", "gpus-2005.blt"] {
        let text = std::fs::read_to_string(stv.join(file)).expect("a test ballot file");
        parse_blt(&text).expect("a test ballot file parses");
        corpus.add(text.into_bytes());
    }
    let example = "4 2 # candidates, seats\n-4\n3 1 3 0\n4 3 1 2 0\n2 2 0\n0\n\
                   \"Adams\"\n\"Baker\"\n\"Clark\"\n\"Davis\"\n\"An example\"\n";
    let small = Election {
        title: "Ties".into(),
        candidates: vec!["A".into(), "B".into(), "C".into()],
        seats: 2,
        withdrawn: vec![],
        ballots: vec![
            RankedBallot {
                weight: 2,
                ranking: vec![0, 1, 2],
            },
            RankedBallot {
                weight: 2,
                ranking: vec![1, 0],
            },
            RankedBallot {
                weight: 1,
                ranking: vec![2],
            },
        ],
    };
    for text in [example.to_owned(), to_blt(&small)] {
        parse_blt(&text).expect("a seed parses");
        corpus.add(text.into_bytes());
    }
    written.push(("blt", corpus.len()));

    let mut corpus = Corpus::new(&root, "pabulib");
    let pb = manifest.join("src/tally/pb/data");
    let mut files: Vec<PathBuf> = ["", "crosscheck"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(pb.join(dir)).expect("the pb test data"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "pb"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a test .pb file");
        parse_pb(&text).expect("a test .pb file parses");
        corpus.add(text.into_bytes());
    }
    written.push(("pabulib", corpus.len()));

    let mut corpus = Corpus::new(&root, "rules_toml");
    let reviewers = format!(
        "technical_reviewers = [\"{}\", \"{}\"]\n",
        keypair(1).public().to_did(),
        keypair(2).public().to_did()
    );
    for text in [
        // The README's example and the node's and end-to-end tests' files.
        format!(
            "credit_limit = 250000\ninvite_max_ttl = 604800000\nadmission = \"vote\"\n\
             {reviewers}[council]\nseats = 7\nterm = 15552000000\n\
             [durations]\ntechnical_reviews = 2\n"
        ),
        "[aid]\nvote_duration = 6000\n[durations]\npolicy_discussion = 1000\n\
         policy_deliberation = 1000\npolicy_voting = 6000\n"
            .to_owned(),
        "admission = \"vote\"\n[council]\nterm = 2000\n[durations]\nmembership = 2000\n".to_owned(),
        // Topics, as the README's governance section lists them.
        "topics = [\"health\", \"transport\", \"bike-lanes\"]\n".to_owned(),
        "[durations]\npolicy_discussion = 2000\npolicy_deliberation = 1000\n\
         policy_voting = 3000\nemergency = 3000\nelection_nominations = 2000\n\
         election_campaign = 1000\nelection_voting = 3000\nbudget = 6000\n"
            .to_owned(),
        String::new(),
    ] {
        corpus.add(text.into_bytes());
    }
    written.push(("rules_toml", corpus.len()));

    let mut corpus = Corpus::new(&root, "rule_changes");
    let did = keypair(1).public().to_did();
    let value = |key: &str| -> String {
        match key {
            "credit_limit" | "treasury_credit" | "aid.max_request" => "1500".into(),
            "basic_income" => "20.5".into(),
            "admission" => "vote".into(),
            "aid.approval" => "assessors".into(),
            "aid.assessors" | "technical_reviewers" => did.clone(),
            "local.method" => "majority".into(),
            "local.threshold" | "council.majority" => "2/3".into(),
            "local.quorum" | "council.quorum" => "60%".into(),
            "local.delegation" => "false".into(),
            "local.pass_when" | "council.pass_when" => "more_than".into(),
            "local.ties" => "lot".into(),
            "hidden_tally" => "election, budget".into(),
            "topics" => "health, transport, food".into(),
            "durations.<stage>" => "12h".into(),
            k if k.ends_with("ttl") || k.ends_with("cooldown") || k.ends_with("duration") => {
                "30d".into()
            }
            k if k.ends_with("membership") || k.ends_with("grace") || k.ends_with("term") => {
                "90m".into()
            }
            _ => "3".into(),
        }
    };
    let lines: Vec<String> = SETTABLE
        .iter()
        .map(|(key, _)| {
            let key = key.replace("<stage>", "policy_voting");
            format!("{key} = {}", value(&key))
        })
        .collect();
    for chunk in lines.chunks(4) {
        corpus.add(chunk.join("\n").into_bytes());
    }
    let changes: Vec<RuleChange> = lines.iter().filter_map(|l| RuleChange::parse(l)).collect();
    assert_eq!(changes.len(), SETTABLE.len());
    written.push(("rule_changes", corpus.len()));

    for (target, seeds) in written {
        assert!(seeds > 0, "{target} has seeds");
        eprintln!("{target}: {seeds} seeds");
    }
}
