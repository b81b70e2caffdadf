//! Catch-up benchmark: a node that is N public entries behind another
//! community's public log fetches them by the sync protocol — the node's
//! service asks for ranges of `wire::MAX_RANGE` (512) entries, a source node's service
//! answers each from its sled store, and the catching-up service decodes,
//! verifies (chain, node signature, every action signature) and stores
//! them — compared with the same machine's local durable ingest of signed
//! transfers, measured in the same run as `ingest` measures it.
//!
//! `cargo bench -p hearth-node --bench catchup` (set `HEARTH_BENCH_ENTRIES`,
//! default 1000000; `HEARTH_BENCH_PER_ENTRY`, actions per entry, default 1 —
//! 1024 makes full public entries, as a busy network vote's batches are;
//! `HEARTH_BENCH_MEMBERS`, default 100000, authors of the public log;
//! `HEARTH_BENCH_ACTIONS`, default the number of entries, for the local
//! ingest).
//!
//! Both services run on this thread, one after the other; no network lies
//! between them. The source's answers are timed apart from the catching-up
//! node's work.

use std::time::{Duration, Instant};

use hearth_node::net::peer_id_of;
use hearth_node::service::{Io, Ticket};
use hearth_node::store::{FedRead, FedStorage, SledStorage, Storage};
use hearth_node::test::Harness;
use hearth_protocol::action::invite_claim;
use hearth_protocol::crypto::KeyCache;
use hearth_protocol::federation::wire::MAX_RANGE;
use hearth_protocol::federation::{
    FederationRules, Founding, LogHead, NetworkGenesis, NetworkSignature, SignedNetwork,
    SyncRequest, SyncResponse,
};
use hearth_protocol::governance::{Ballot, Level, ProposalRef, Scope, YesNo};
use hearth_protocol::test::bench::{dir_size, env_usize, par_map};
use hearth_protocol::test::keypair;
use hearth_protocol::{
    Action, ActionBody, Canonical, Entry, EntryBody, Genesis, GovernanceAction, Hash, Head, Kc,
    Keypair, LedgerAction, LogId, LogKind, MembershipAction, Rules, SignedAction, SignedEntry,
    Timestamp,
};

/// Members of the local-ingest community (as in the ingest benchmark).
const LOCAL_MEMBERS: u8 = 64;

/// Entries signed and stored at once while building the source's log.
const CHUNK: usize = 65_536;

fn main() {
    let entries = env_usize("HEARTH_BENCH_ENTRIES", 1_000_000);
    let per_entry = env_usize("HEARTH_BENCH_PER_ENTRY", 1).max(1);
    let members = env_usize("HEARTH_BENCH_MEMBERS", 100_000).min(entries * per_entry);
    let actions = env_usize("HEARTH_BENCH_ACTIONS", entries);
    println!(
        "# Hearth catch-up benchmark: {entries} public entries of {per_entry} action(s) each \
         ({members} authors); local ingest of {actions} transfers"
    );
    let verify = verify_limit();
    let local = local_ingest(actions, verify);
    catch_up(entries, per_entry, members, verify, local);
}

/// (a): strict verifications per second on one core (id hash +
/// `verify_strict`), on transfers of 64 members, as `ingest` measures it.
fn verify_limit() -> f64 {
    let community = Hash([7; 32]);
    let keys: Vec<Keypair> = (1..=LOCAL_MEMBERS).map(keypair).collect();
    let sample: Vec<SignedAction> = (0..50_000u64)
        .map(|i| {
            let key = &keys[i as usize % keys.len()];
            transfer(key, community, i + 1, &keys[0], Timestamp(1_000_000))
        })
        .collect();
    let started = Instant::now();
    for a in &sample {
        a.action
            .author
            .verify(&a.id(), &a.signature)
            .expect("valid signature");
    }
    let rate = sample.len() as f64 / started.elapsed().as_secs_f64();
    println!("(a) strict verify (id hash + verify_strict), 1 core: {rate:.0}/s");
    rate
}

fn transfer(
    from: &Keypair,
    community: Hash,
    nonce: u64,
    to: &Keypair,
    created: Timestamp,
) -> SignedAction {
    Action {
        author: from.public(),
        community,
        nonce,
        created,
        body: ActionBody::Ledger(LedgerAction::Transfer {
            to: to.public(),
            amount: Kc(1),
            memo: String::new(),
        }),
    }
    .sign(from)
}

/// Local durable ingest rates (actions/s) with group commits of 64 and 1024.
struct Local {
    by64: f64,
    by1024: f64,
}

/// (b) of the ingest benchmark: decode + verify + apply + commit + flush
/// of signed transfers through the service, on one core.
fn local_ingest(n: usize, verify: f64) -> Local {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let mut h = Harness::with_storage(storage, LOCAL_MEMBERS);
    let community = h.service.community();
    let now = h.now;
    let keys: Vec<Keypair> = (1..=LOCAL_MEMBERS).map(keypair).collect();
    let base: Vec<u64> = keys
        .iter()
        .map(|k| h.nonces.get(&k.public()).copied().unwrap_or(0))
        .collect();
    let indices: Vec<usize> = (0..n).collect();
    let m = LOCAL_MEMBERS as usize;
    let actions: Vec<Vec<u8>> = par_map(&indices, |&i| {
        let from = i % m;
        let to = (i * 7 + 3) % m;
        let to = if to == from { (to + 1) % m } else { to };
        let nonce = base[from] + (i / m) as u64 + 1;
        transfer(&keys[from], community, nonce, &keys[to], now).to_bytes()
    });
    let keys = KeyCache::default();
    let mut offset = 0;
    let mut rates = [0.0; 2];
    for (slot, batch, count) in [(0, 64usize, n / 4), (1, 1024usize, n - n / 4)] {
        let part = &actions[offset..offset + count];
        offset += count;
        let started = Instant::now();
        let accepted = h.ingest_in_batches(part, batch, &keys);
        assert_eq!(accepted, part.len());
        rates[slot] = part.len() as f64 / started.elapsed().as_secs_f64();
        println!(
            "(b) local durable ingest, group commit of {batch}: {:.0} actions/s = {:.2} x (a)",
            rates[slot],
            rates[slot] / verify
        );
    }
    Local {
        by64: rates[0],
        by1024: rates[1],
    }
}

/// The community whose public log the node catches up on.
struct Source {
    node: Keypair,
    genesis: Genesis,
}

impl Source {
    fn new() -> Source {
        let node = Keypair::from_seed(&[0xc5; 32]);
        let genesis = Genesis {
            name: "Hillside".into(),
            node: node.public(),
            founders: vec![keypair(250).public()],
            founder_invites: Vec::new(),
            rules: Rules::default(),
            region: None,
            created: Timestamp(1_000_000),
        };
        Source { node, genesis }
    }

    fn id(&self) -> Hash {
        self.genesis.id()
    }

    /// Action `a` of the log: the first `members` are joins, then votes
    /// on network proposals and network delegations, in turn.
    fn action(
        &self,
        a: usize,
        per_entry: usize,
        members: &[Keypair],
        invite: &Keypair,
    ) -> SignedAction {
        let community = self.id();
        let m = a % members.len();
        let key = &members[m];
        let round = (a / members.len()) as u64;
        let body = if round == 0 {
            ActionBody::Membership(MembershipAction::Join {
                invite: invite.public(),
                proof: invite.sign(&invite_claim(&community, &key.public())),
            })
        } else if round % 2 == 1 {
            ActionBody::Governance(GovernanceAction::Vote {
                proposal: ProposalRef {
                    id: Hash::of("hearth bench proposal", &round.to_le_bytes()),
                    level: Level::Network,
                },
                ballot: Ballot::YesNo(if a.is_multiple_of(3) {
                    YesNo::No
                } else {
                    YesNo::Yes
                }),
            })
        } else {
            ActionBody::Governance(GovernanceAction::Delegate {
                scope: Scope::level(Level::Network),
                to: Some(members[(m + 1) % members.len()].public()),
            })
        };
        Action {
            author: key.public(),
            community,
            nonce: round + 1,
            created: entry_time((a / per_entry) as u64 + 1),
            body,
        }
        .sign(key)
    }
}

/// The time of entry `seq` of the source's log.
fn entry_time(seq: u64) -> Timestamp {
    Timestamp(1_000_000 + seq)
}

/// Builds the source's public log of `entries` entries (genesis, then
/// `per_entry` actions per entry) straight into `store`'s federation trees;
/// returns its head.
fn build_log(
    source: &Source,
    entries: usize,
    per_entry: usize,
    members: usize,
    store: &mut SledStorage,
) -> Head {
    let started = Instant::now();
    let seeds: Vec<u64> = (0..members as u64).collect();
    let keys: Vec<Keypair> = par_map(&seeds, |&m| {
        let mut seed = [0x6d; 32];
        seed[..8].copy_from_slice(&m.to_le_bytes());
        Keypair::from_seed(&seed)
    });
    let invite = Keypair::from_seed(&[0x1e; 32]);
    let log = LogId {
        community: source.id(),
        kind: LogKind::Public,
    };
    let genesis = Entry {
        log,
        seq: 0,
        prev: Hash::ZERO,
        time: source.genesis.created,
        body: EntryBody::Genesis(Box::new(source.genesis.clone())),
    }
    .sign(&source.node);
    let mut head = genesis.head();
    store
        .fed_append(&log.community, &[genesis])
        .expect("store genesis");
    let mut seq = 1usize;
    while seq < entries {
        let end = (seq + (CHUNK / per_entry).max(1)).min(entries);
        let indices: Vec<usize> = (seq..end).collect();
        let numbers: Vec<usize> = ((seq - 1) * per_entry..(end - 1) * per_entry).collect();
        let mut actions =
            par_map(&numbers, |&a| source.action(a, per_entry, &keys, &invite)).into_iter();
        let mut unsigned = Vec::with_capacity(indices.len());
        for s in &indices {
            let entry = Entry {
                log,
                seq: *s as u64,
                prev: head.hash,
                time: entry_time(*s as u64),
                body: EntryBody::Actions(actions.by_ref().take(per_entry).collect()),
            };
            let id = entry.id();
            head = Head {
                seq: entry.seq,
                hash: id,
                time: entry.time,
            };
            unsigned.push((entry, id));
        }
        let signatures = par_map(&unsigned, |(_, id)| source.node.sign(id));
        let signed: Vec<SignedEntry> = unsigned
            .into_iter()
            .zip(signatures)
            .map(|((entry, _), signature)| SignedEntry { entry, signature })
            .collect();
        store
            .fed_append(&log.community, &signed)
            .expect("store entries");
        seq = end;
    }
    store.flush().expect("flush");
    println!(
        "built, signed and stored the source's log in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    head
}

fn catch_up(entries: usize, per_entry: usize, members: usize, verify: f64, local: Local) {
    let source = Source::new();
    // The node serving the log holds it as another community's public log.
    let source_dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&source_dir.path().join("db")).expect("open sled");
    let server = Harness::with_storage(storage, 1);
    let mut store = server.service.storage().clone();
    let head = build_log(&source, entries, per_entry, members, &mut store);

    // The node catching up: a member of a network with the source.
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let mut node = Harness::with_storage(storage, 1);
    let mut founding = vec![
        Founding {
            id: node.service.community(),
            node: keypair(100).public(),
            name: "Riverside".into(),
        },
        Founding {
            id: source.id(),
            node: source.node.public(),
            name: source.genesis.name.clone(),
        },
    ];
    founding.sort_by_key(|f| f.id);
    let genesis = NetworkGenesis {
        name: "Catch-up".into(),
        communities: founding,
        regions: Vec::new(),
        rules: FederationRules::default(),
        created: Timestamp(1_000_000),
    };
    let mut network = SignedNetwork {
        genesis: genesis.clone(),
        signatures: Vec::new(),
    };
    network.add(NetworkSignature::sign(
        &genesis,
        node.service.community(),
        &keypair(100),
    ));
    network.add(NetworkSignature::sign(&genesis, source.id(), &source.node));
    node.service.submit_network(Ticket(u64::MAX), network, None);
    node.now = Timestamp(node.now.0 + 5);
    node.service.tick(node.now);
    while let Some(io) = node.service.next_io() {
        match io {
            Io::Flush => node.service.storage().flush().expect("flush"),
            Io::Reply { result, .. } => {
                result.expect("the network is recorded");
            }
            _ => {}
        }
    }
    let peer = peer_id_of(&source.node.public()).expect("a peer id");
    let heads = SyncResponse::Heads {
        heads: vec![LogHead {
            community: source.id(),
            head,
        }],
        forked: Vec::new(),
    }
    .to_bytes();

    // The sync: heads, then ranges until the node holds the whole log, at
    // a time after the log's last entry (entries dated ahead of the
    // node's clock wait until they are due).
    let now = Timestamp(node.now.0.max(head.time.0));
    let (mut serving, mut ingesting) = (Duration::ZERO, Duration::ZERO);
    let (mut requests, mut bytes) = (0usize, 0usize);
    let started = Instant::now();
    let t = Instant::now();
    node.service.peer_connected(peer);
    ingesting += t.elapsed();
    loop {
        let mut out = Vec::new();
        let t = Instant::now();
        while let Some(io) = node.service.next_io() {
            match io {
                Io::Request { peer, data } => out.push((peer, data)),
                Io::Flush => node.service.storage().flush().expect("flush"),
                other => panic!("unexpected output {other:?}"),
            }
        }
        ingesting += t.elapsed();
        if out.is_empty() {
            break;
        }
        for (to, data) in out {
            assert_eq!(to, peer);
            let t = Instant::now();
            let response = match SyncRequest::from_bytes(&data).expect("a request") {
                SyncRequest::Heads => heads.clone(),
                _ => server.service.answer(&data),
            };
            serving += t.elapsed();
            requests += 1;
            bytes += response.len();
            let t = Instant::now();
            node.service.on_response(peer, &response, now);
            ingesting += t.elapsed();
        }
    }
    let t = Instant::now();
    node.service.storage().flush().expect("flush");
    ingesting += t.elapsed();
    let total = started.elapsed();
    let held = node
        .service
        .storage()
        .fed_heads()
        .expect("heads")
        .get(&source.id())
        .copied();
    assert_eq!(held, Some(head), "the node holds the whole log");

    let rate = entries as f64 / ingesting.as_secs_f64();
    let actions = rate * per_entry as f64;
    let end_to_end = entries as f64 / total.as_secs_f64();
    println!(
        "catch-up: {requests} requests, {:.0} MB of responses; \
         source answering {:.1} s, catching-up node {:.1} s, both {:.1} s",
        bytes as f64 / 1e6,
        serving.as_secs_f64(),
        ingesting.as_secs_f64(),
        total.as_secs_f64()
    );
    println!(
        "(c) catch-up, catching-up node: {rate:.0} entries/s = {actions:.0} actions/s \
         ({:.0} signatures/s = {:.2} x (a))",
        actions + rate,
        (actions + rate) / verify
    );
    println!(
        "    = {:.2} x local ingest by 1024, {:.2} x local ingest by 64 (in actions) — target >= 0.5",
        actions / local.by1024,
        actions / local.by64
    );
    println!(
        "(c) catch-up, both nodes on this core: {end_to_end:.0} entries/s = {:.2} x local ingest by 1024 (in actions)",
        end_to_end * per_entry as f64 / local.by1024
    );
    println!(
        "(e) the catching-up node's store: {:.0} MB for {entries} entries",
        dir_size(dir.path()) as f64 / 1e6
    );
    drop(node);
    drop(dir);
    if per_entry == 1 {
        breakdown(&source, &store, entries.min(100_000));
    }
}

/// Where the catching-up node's time goes: the same checks and writes as
/// `ingest`, apart, on the first `k` entries of the log.
fn breakdown(source: &Source, store: &SledStorage, k: usize) {
    let community = source.id();
    let bytes = store.fed_range(&community, 0, k).expect("the log");
    let log = LogId {
        community,
        kind: LogKind::Public,
    };
    let keys = KeyCache::default();
    let node = source.node.public();
    let started = Instant::now();
    let mut head: Option<Head> = None;
    let mut verified = Vec::with_capacity(k);
    for b in &bytes {
        let entry = SignedEntry::from_bytes(b)
            .expect("decode")
            .verify_cached(&log, head.as_ref(), &node, &keys)
            .expect("verify")
            .into_inner();
        head = Some(entry.head());
        verified.push(entry);
    }
    let verify = started.elapsed().as_secs_f64() / k as f64;
    let store_rate = |batch: usize| {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut fresh = SledStorage::open(&dir.path().join("db")).expect("open sled");
        let started = Instant::now();
        for chunk in verified.chunks(batch) {
            fresh.fed_append(&community, chunk).expect("store");
        }
        fresh.flush().expect("flush");
        started.elapsed().as_secs_f64() / k as f64
    };
    let one = store_rate(1);
    let range = store_rate(MAX_RANGE as usize);
    println!(
        "breakdown on the first {k} entries: decode + verify {:.0} µs/entry; \
         store one entry per transaction {:.0} µs/entry, a range of {MAX_RANGE} per transaction {:.0} µs/entry",
        verify * 1e6,
        one * 1e6,
        range * 1e6
    );
}
