//! Federation benchmark in the protocol: a network referendum over the
//! public logs of several communities — building the [`FederationView`]
//! ("ingest"), the cross-community tally, and `hearth audit` of the
//! network's export as a ratio of strict ed25519 verification on one core.
//!
//! `cargo bench -p hearth-protocol --bench federation` (set
//! `HEARTH_BENCH_BALLOTS`, default 1000000, `HEARTH_BENCH_DELEGATIONS`,
//! default 200000, `HEARTH_BENCH_COMMUNITIES`, default 10, and
//! `HEARTH_BENCH_METHOD`, `majority` (the default) or `quadratic`: the
//! network's method, the network default, with ballots of +3 for yes, -2
//! for no and 0 to abstain).
//!
//! The logs are built here, signed and chained as a node seals them: each
//! community's genesis, the network record, its members' `Join` actions,
//! the network proposal (in the first community), the members' ballots and
//! delegations during the vote (one member in a hundred then changes its
//! ballot or adds a policy-only delegation, and one ballot in a thousand
//! comes from a key that never joined), a checkpoint of every other log after the
//! close, a heartbeat checkpoint after the grace, and attestations of the
//! result. Actions are sealed 1024 to an entry, as a node's group commit
//! seals a busy vote. They are not replayed through each community's state
//! machine (the federation tally and the audit do not replay them either).

use std::time::{Duration, Instant};

use hearth_protocol::action::invite_claim;
use hearth_protocol::community::Method;
use hearth_protocol::crypto::KeyCache;
use hearth_protocol::federation::audit::audit;
use hearth_protocol::federation::export::{ExportRecord, MAGIC, Reader, write_record};
use hearth_protocol::federation::genesis::level;
use hearth_protocol::federation::tally::Tallier;
use hearth_protocol::federation::{
    Attestation, Checkpoint, CommunityLog, FederationRules, FederationView, Founding, LogHead,
    NetworkGenesis, NetworkSignature, SignedNetwork,
};
use hearth_protocol::governance::{
    Ballot, Level, Proposal, ProposalKind, ProposalRef, Schedule, Scope, Stage, Subject, YesNo,
};
use hearth_protocol::log::NodeRecord;
use hearth_protocol::test::bench::{env_usize, par_map};
use hearth_protocol::units::Ratio;
use hearth_protocol::{
    Action, ActionBody, Entry, EntryBody, Genesis, GovernanceAction, Hash, Head, Keypair, LogId,
    LogKind, MembershipAction, PublicKey, Rules, SignedAction, SignedEntry, Timestamp,
};

/// Actions sealed into one public entry.
const ACTIONS_PER_ENTRY: usize = 1024;

/// When the communities are founded.
const FOUNDED: Timestamp = Timestamp(1_000_000);

/// When the network proposal is made.
const OPENED: Timestamp = Timestamp(2_000_000);

fn main() {
    let ballots = env_usize("HEARTH_BENCH_BALLOTS", 1_000_000);
    let delegations = env_usize("HEARTH_BENCH_DELEGATIONS", 200_000);
    let communities = env_usize("HEARTH_BENCH_COMMUNITIES", 10);
    println!(
        "# Hearth federation benchmark: a network referendum ({}), {ballots} ballots and \
         {delegations} delegations in {communities} communities",
        if quadratic() { "quadratic" } else { "majority" }
    );
    let started = Instant::now();
    let mut fixture = Fixture::build(communities, ballots, delegations);
    let entries: usize = fixture.logs.iter().map(|l| l.entries.len()).sum();
    println!(
        "built and signed {entries} public entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let limit = verify_limit(&fixture);

    // The referendum tally: ingest (the view) and the tally, timed apart.
    let logs = fixture.community_logs();
    let genesis = fixture.network.genesis.clone();
    let view_times = repeat(3, || {
        let view = FederationView::new(genesis.clone(), &logs);
        std::hint::black_box(&view);
    });
    let view = FederationView::new(genesis.clone(), &logs);
    let mut result = None;
    let tally_times = repeat(env_usize("HEARTH_BENCH_TALLY_RUNS", 5), || {
        let tallier = Tallier::new(&view);
        result = tallier.tally(&fixture.proposal, fixture.now);
    });
    let result = result.expect("the proposal is in the view");
    let report = &result.report;
    println!(
        "view (ingest of {} public entries): median {:.0} ms (runs: {})",
        entries,
        ms(median(&view_times)),
        list(&view_times)
    );
    println!(
        "tally: median {:.0} ms (runs: {}) — target < 1000 ms after ingest",
        ms(median(&tally_times)),
        list(&tally_times)
    );
    println!(
        "  eligible {}, ballots counted {}, excluded {}, passed {}, final {}, result {}",
        report.eligible,
        report.ballots,
        report.excluded.len(),
        result.passed,
        result.is_final,
        result.result
    );
    match &report.count {
        hearth_protocol::state::decide::Report::Majority(m) => {
            println!("  count: {:?}", m.outcome);
        }
        hearth_protocol::state::decide::Report::Quadratic(q) => {
            println!("  count: {:?}, options {:?}", q.outcome, q.options);
        }
        other => println!("  count: {other:?}"),
    }
    drop(view);

    let runs = env_usize("HEARTH_BENCH_AUDIT_RUNS", 1);
    if runs == 0 {
        return;
    }
    // Attestations of the result, then the export `hearth audit` reads.
    fixture.attest(result.result);
    let export = fixture.export();
    drop(logs);
    println!("export: {:.0} MB", export.len() as f64 / 1e6);
    let mut audited = None;
    let audit_times = repeat(runs, || {
        let reader = Reader::new(&export).expect("an export");
        audited = Some(audit(reader, fixture.now, &mut |_| {}).expect("the audit runs"));
    });
    let audited = audited.expect("an audit");
    let audit_time = median(&audit_times);
    let rate = audited.signatures as f64 / audit_time.as_secs_f64();
    println!(
        "audit: {} entries, {} signatures in median {:.1} s (runs: {}) = {:.0} signatures/s",
        audited.entries,
        audited.signatures,
        audit_time.as_secs_f64(),
        list(&audit_times),
        rate
    );
    println!(
        "  = {:.2} x (a), {:.2} x (a') — target >= 0.7",
        rate / limit.strict,
        rate / limit.cached
    );
    let certified = audited
        .proposals
        .iter()
        .all(|p| p.certified == Some(p.result) && !p.mismatch);
    println!(
        "  ok {}, {} proposal(s), every one certified with the recomputed hash: {}",
        audited.ok,
        audited.proposals.len(),
        certified
    );
    assert!(
        audited.ok && certified,
        "the audit agrees with the attestations"
    );
}

/// Strict verification rates on one core.
struct Limit {
    /// (a): id hash + `verify_strict`, the key decompressed every time.
    strict: f64,
    /// (a'): the same with decompressed keys cached (`KeyCache`), 64 authors.
    cached: f64,
}

fn verify_limit(fixture: &Fixture) -> Limit {
    // (a) on the referendum's own ballots (distinct authors).
    let sample: Vec<&SignedAction> = fixture
        .logs
        .iter()
        .flat_map(|l| &l.entries)
        .filter_map(|e| match &e.entry.body {
            EntryBody::Actions(a) => Some(a),
            _ => None,
        })
        .flatten()
        .filter(|a| {
            matches!(
                a.action.body,
                ActionBody::Governance(GovernanceAction::Vote { .. })
            )
        })
        .take(50_000)
        .collect();
    let started = Instant::now();
    for a in &sample {
        a.action
            .author
            .verify(&a.id(), &a.signature)
            .expect("valid signature");
    }
    let strict = sample.len() as f64 / started.elapsed().as_secs_f64();
    // (a') as the ingest benchmark measures it: 64 authors, keys cached.
    let keys: Vec<Keypair> = (0..64u64).map(member_key).collect();
    let repeated: Vec<SignedAction> = (0..sample.len())
        .map(|i| {
            let key = &keys[i % keys.len()];
            Action {
                author: key.public(),
                community: fixture.logs[0].community,
                nonce: i as u64 + 10,
                created: OPENED,
                body: vote(fixture.proposal, YesNo::Yes),
            }
            .sign(key)
        })
        .collect();
    let cache = KeyCache::default();
    let started = Instant::now();
    for a in &repeated {
        cache
            .verify(&a.action.author, &a.id(), &a.signature)
            .expect("valid signature");
    }
    let cached = repeated.len() as f64 / started.elapsed().as_secs_f64();
    println!("(a) strict verify (id hash + verify_strict), 1 core: {strict:.0}/s");
    println!(
        "(a') the same with decompressed keys cached, 64 authors: {cached:.0}/s = {:.2} x (a)",
        cached / strict
    );
    Limit { strict, cached }
}

/// The public logs of a network referendum.
struct Fixture {
    network: SignedNetwork,
    logs: Vec<Log>,
    proposal: Hash,
    /// After the heartbeats that make the tally final.
    now: Timestamp,
    /// When attestations are sealed.
    attest_at: Timestamp,
}

/// One community's public log as its node seals it.
struct Log {
    node: Keypair,
    community: Hash,
    entries: Vec<SignedEntry>,
}

impl Log {
    fn found(index: usize, founder: PublicKey) -> Log {
        let node = Keypair::from_seed(&seed(b"node", index as u64));
        let genesis = Genesis {
            name: format!("Community {index}"),
            node: node.public(),
            founders: vec![founder],
            founder_invites: Vec::new(),
            rules: Rules::default(),
            region: None,
            created: FOUNDED,
        };
        let mut log = Log {
            node,
            community: genesis.id(),
            entries: Vec::new(),
        };
        log.append(FOUNDED, EntryBody::Genesis(Box::new(genesis)));
        log
    }

    fn head(&self) -> Option<Head> {
        self.entries.last().map(SignedEntry::head)
    }

    fn append(&mut self, time: Timestamp, body: EntryBody) {
        let head = self.head();
        let entry = Entry {
            log: LogId {
                community: self.community,
                kind: LogKind::Public,
            },
            seq: head.map_or(0, |h| h.seq + 1),
            prev: head.map_or(Hash::ZERO, |h| h.hash),
            time,
            body,
        }
        .sign(&self.node);
        self.entries.push(entry);
    }

    /// Seals `actions` in entries of [`ACTIONS_PER_ENTRY`], their times
    /// spread evenly over `from..to`.
    fn seal(&mut self, actions: Vec<SignedAction>, from: Timestamp, to: Timestamp) {
        let count = actions.len().div_ceil(ACTIONS_PER_ENTRY).max(1) as u64;
        let step = (to.0 - from.0) / count;
        let mut actions = actions.into_iter().peekable();
        let mut i = 0;
        while actions.peek().is_some() {
            let batch: Vec<SignedAction> = actions.by_ref().take(ACTIONS_PER_ENTRY).collect();
            let time = Timestamp(from.0 + i * step);
            assert!(batch.iter().all(|a| a.action.created <= time));
            self.append(time, EntryBody::Actions(batch));
            i += 1;
        }
    }
}

/// A deterministic 32-byte seed.
fn seed(domain: &[u8], i: u64) -> [u8; 32] {
    Hash::of(
        "hearth bench federation",
        &[domain, &i.to_le_bytes()].concat(),
    )
    .0
}

fn member_key(m: u64) -> Keypair {
    Keypair::from_seed(&seed(b"member", m))
}

/// SplitMix64 of `x`.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether the referendum is counted by quadratic voting
/// (`HEARTH_BENCH_METHOD=quadratic`) rather than by majority.
fn quadratic() -> bool {
    static QUADRATIC: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *QUADRATIC.get_or_init(|| match std::env::var("HEARTH_BENCH_METHOD").as_deref() {
        Err(_) | Ok("majority") => false,
        Ok("quadratic") => true,
        Ok(other) => panic!("HEARTH_BENCH_METHOD is majority or quadratic, not {other}"),
    })
}

fn vote(proposal: Hash, v: YesNo) -> ActionBody {
    let ballot = match (quadratic(), v) {
        (false, v) => Ballot::YesNo(v),
        (true, YesNo::Yes) => Ballot::Quadratic(vec![3]),
        (true, YesNo::No) => Ballot::Quadratic(vec![-2]),
        (true, YesNo::Abstain) => Ballot::Quadratic(vec![0]),
    };
    ActionBody::Governance(GovernanceAction::Vote {
        proposal: ProposalRef {
            id: proposal,
            level: Level::Network,
        },
        ballot,
    })
}

impl Fixture {
    fn build(communities: usize, ballots: usize, delegations: usize) -> Fixture {
        let total = (ballots + delegations) as u64;
        let n = communities as u64;
        let community_of = |m: u64| (m as u128 * n as u128 / total as u128) as usize;
        let delegates = |m: u64| {
            let d = delegations as u128;
            (m as u128 * d / total as u128) != ((m as u128 + 1) * d / total as u128)
        };

        let founders: Vec<Keypair> = (0..n)
            .map(|c| Keypair::from_seed(&seed(b"founder", c)))
            .collect();
        let mut logs: Vec<Log> = (0..communities)
            .map(|c| Log::found(c, founders[c].public()))
            .collect();
        let rules = FederationRules {
            network: if quadratic() {
                level(Method::Quadratic, Ratio::new(2, 3), Ratio::new(1, 10), 100)
            } else {
                level(Method::Majority, Ratio::new(1, 2), Ratio::new(1, 10), 0)
            },
            ..FederationRules::default()
        };
        let mut founding: Vec<Founding> = logs
            .iter()
            .enumerate()
            .map(|(i, l)| Founding {
                id: l.community,
                node: l.node.public(),
                name: format!("Community {i}"),
            })
            .collect();
        founding.sort_by_key(|f| f.id);
        let genesis = NetworkGenesis {
            name: "Benchmark Federation".into(),
            communities: founding,
            regions: Vec::new(),
            rules,
            created: Timestamp(FOUNDED.0 + 1),
        };
        let mut network = SignedNetwork {
            genesis: genesis.clone(),
            signatures: Vec::new(),
        };
        for l in &logs {
            network.add(NetworkSignature::sign(&genesis, l.community, &l.node));
        }
        for l in &mut logs {
            l.append(
                Timestamp(FOUNDED.0 + 1),
                EntryBody::Records(vec![NodeRecord::Network(Box::new(network.clone()))]),
            );
        }

        // The proposal, in the first community, by its founder.
        let proposal = Proposal {
            kind: ProposalKind::Policy,
            level: Level::Network,
            topic: None,
            title: "One seed bank for the network".into(),
            text: "Fund a shared seed bank, decided by every member of the network.".into(),
            options: Vec::new(),
            subject: Subject::Question,
        };
        let propose = Action {
            author: founders[0].public(),
            community: logs[0].community,
            nonce: 1,
            created: OPENED,
            body: ActionBody::Governance(GovernanceAction::Propose(Box::new(proposal))),
        }
        .sign(&founders[0]);
        let proposal_id = propose.id();
        let schedule = Schedule::of(ProposalKind::Policy, OPENED, &genesis.rules.as_rules());
        let voting = schedule
            .stages
            .iter()
            .find(|(s, _)| *s == Stage::Voting)
            .map_or(OPENED, |(_, at)| *at);
        let closes = schedule.closes;
        let grace = genesis.rules.grace;

        // Members: keys, then each one's join and ballot or delegation.
        let members: Vec<u64> = (0..total).collect();
        let keys: Vec<Keypair> = par_map(&members, |&m| member_key(m));
        let ids: Vec<Hash> = logs.iter().map(|l| l.community).collect();
        let invites: Vec<Keypair> = (0..n)
            .map(|c| Keypair::from_seed(&seed(b"invite", c)))
            .collect();
        let joined = Timestamp(FOUNDED.0 + 1_000);
        let acts: Vec<(SignedAction, SignedAction, Option<SignedAction>)> =
            par_map(&members, |&m| {
                let key = &keys[m as usize];
                let c = community_of(m);
                let community = ids[c];
                let join = Action {
                    author: key.public(),
                    community,
                    nonce: 1,
                    created: joined,
                    body: ActionBody::Membership(MembershipAction::Join {
                        invite: invites[c].public(),
                        proof: invites[c].sign(&invite_claim(&community, &key.public())),
                    }),
                }
                .sign(key);
                let r = mix(m ^ 0x5eed);
                let body = if delegates(m) {
                    let mut to = r % total;
                    if to == m {
                        to = (to + 1) % total;
                    }
                    ActionBody::Governance(GovernanceAction::Delegate {
                        scope: Scope::level(Level::Network),
                        to: Some(keys[to as usize].public()),
                    })
                } else {
                    let v = match r % 10 {
                        0..=5 => YesNo::Yes,
                        6..=8 => YesNo::No,
                        _ => YesNo::Abstain,
                    };
                    vote(proposal_id, v)
                };
                let delegator = matches!(
                    body,
                    ActionBody::Governance(GovernanceAction::Delegate { .. })
                );
                let cast = Action {
                    author: key.public(),
                    community,
                    nonce: 2,
                    created: voting,
                    body,
                }
                .sign(key);
                // One member in a hundred changes its ballot, or adds (or
                // revokes) a delegation for policy proposals only.
                let second = mix(m ^ 0xc4a9).is_multiple_of(100).then(|| {
                    let body = if delegator {
                        let to = mix(m ^ 0x2) % total;
                        ActionBody::Governance(GovernanceAction::Delegate {
                            scope: Scope::kind(Level::Network, ProposalKind::Policy),
                            to: (!to.is_multiple_of(4) && to != m)
                                .then(|| keys[to as usize].public()),
                        })
                    } else {
                        vote(
                            proposal_id,
                            if r.is_multiple_of(2) {
                                YesNo::No
                            } else {
                                YesNo::Yes
                            },
                        )
                    };
                    Action {
                        author: key.public(),
                        community,
                        nonce: 3,
                        created: voting,
                        body,
                    }
                    .sign(key)
                });
                (join, cast, second)
            });
        // Ballots of keys that never joined: not counted.
        let outsiders: Vec<u64> = (total..total + (ballots as u64 / 1000)).collect();
        let outsiders: Vec<(usize, SignedAction)> = par_map(&outsiders, |&m| {
            let key = member_key(m);
            let c = (m % n) as usize;
            let ballot = Action {
                author: key.public(),
                community: ids[c],
                nonce: 1,
                created: voting,
                body: vote(proposal_id, YesNo::No),
            }
            .sign(&key);
            (c, ballot)
        });
        drop(keys);
        let mut joins: Vec<Vec<SignedAction>> = vec![Vec::new(); communities];
        let mut casts: Vec<Vec<SignedAction>> = vec![Vec::new(); communities];
        let mut later: Vec<Vec<SignedAction>> = vec![Vec::new(); communities];
        for (m, (join, cast, second)) in acts.into_iter().enumerate() {
            let c = community_of(m as u64);
            joins[c].push(join);
            casts[c].push(cast);
            later[c].extend(second);
        }
        for (c, ballot) in outsiders {
            later[c].push(ballot);
        }
        for (c, l) in casts.iter_mut().zip(later) {
            c.extend(l);
        }
        for (l, j) in logs.iter_mut().zip(joins) {
            l.seal(j, joined, Timestamp(OPENED.0 - 1_000));
        }
        logs[0].append(OPENED, EntryBody::Actions(vec![propose]));
        for (l, c) in logs.iter_mut().zip(casts) {
            l.seal(c, voting, Timestamp(closes.0 - 1));
        }

        // Checkpoints after the close, and heartbeats after the grace.
        let network_id = genesis.id();
        for at in [Timestamp(closes.0 + 1), Timestamp(closes.0 + grace.0 + 1)] {
            let heads: Vec<LogHead> = logs
                .iter()
                .map(|l| LogHead {
                    community: l.community,
                    head: l.head().expect("a head"),
                })
                .collect();
            for l in &mut logs {
                let mut listed: Vec<LogHead> = heads
                    .iter()
                    .filter(|h| h.community != l.community)
                    .copied()
                    .collect();
                listed.sort_by_key(|h| h.community);
                l.append(
                    at,
                    EntryBody::Records(vec![NodeRecord::Checkpoint(Checkpoint {
                        network: network_id,
                        heads: listed,
                    })]),
                );
            }
        }
        Fixture {
            network,
            logs,
            proposal: proposal_id,
            now: Timestamp(closes.0 + grace.0 + 10),
            attest_at: Timestamp(closes.0 + grace.0 + 2),
        }
    }

    fn community_logs(&self) -> Vec<CommunityLog> {
        self.logs
            .iter()
            .map(|l| CommunityLog {
                community: l.community,
                node: l.node.public(),
                entries: l.entries.clone(),
                fork: None,
            })
            .collect()
    }

    /// Every community attests `result`.
    fn attest(&mut self, result: Hash) {
        let network = self.network.genesis.id();
        let proposal = self.proposal;
        let at = self.attest_at;
        for l in &mut self.logs {
            l.append(
                at,
                EntryBody::Records(vec![NodeRecord::Attest(Attestation {
                    network,
                    proposal,
                    result,
                })]),
            );
        }
    }

    /// The export, as `GET /v1/federation/export` writes it.
    fn export(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        write_record(
            &mut out,
            &ExportRecord::Network(Box::new(self.network.clone())),
        );
        for l in &self.logs {
            write_record(
                &mut out,
                &ExportRecord::Log {
                    community: l.community,
                    node: l.node.public(),
                },
            );
            for e in &l.entries {
                write_record(&mut out, &ExportRecord::Entry(e.clone()));
            }
        }
        out
    }
}

/// Runs `f` `n` times; the time of each run.
fn repeat(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..n.max(1))
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect()
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let n = sorted.len();
    if n.is_multiple_of(2) {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    } else {
        sorted[n / 2]
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn list(times: &[Duration]) -> String {
    times
        .iter()
        .map(|t| format!("{:.0} ms", ms(*t)))
        .collect::<Vec<_>>()
        .join(", ")
}
