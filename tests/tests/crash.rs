//! Crash safety (DESIGN §1 sled facts, §5 "an action is acknowledged only
//! after the entry holding it is durable", §11 "an acknowledged action is
//! lost, even after kill -9").
//!
//! Clients stream signed transfers (and, now and then, an invite and a
//! join) at one node while the test kills it with SIGKILL at random
//! moments and starts it again. Afterwards both logs must verify as
//! chains, every acknowledged action must be in its log exactly once at
//! the seq it was acknowledged with, the ledger must sum to zero and equal
//! the sum of the logged transfers, no error may have been logged, and
//! `hearthd reindex` must find the stored state equal to the rebuilt one.
//!
//! A node killed during its first start, while it founds its community,
//! must come up on the next start every time, with a community founded
//! whole (`a_first_start_killed_at_any_moment_starts_again`).
//!
//! The default test kills the node 25 times. For the long run (100 kills,
//! optimised binaries):
//!
//! ```text
//! cargo test -p hearth-tests --release -- --ignored
//! ```
//!
//! Set `SEED=<n>` to replay a run's kill timing and traffic.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use hearth_protocol::test::keypair;
use hearth_protocol::{
    ActionBody, Canonical, EntryBody, Hash, Head, InviteCode, Kc, LedgerAction, LogId, LogKind,
    MembershipAction, PublicKey, SignedAction, SignedEntry, Timestamp,
};
use hearth_tests::{Http, Member, Node, Rng, community_id, now_ms};

/// Members besides the founder: with the founder, two payers per client,
/// so every member pays as often as it is paid and no balance drifts.
const MEMBERS: u8 = 7;

/// Client threads streaming transfers.
const CLIENTS: usize = 4;

/// Shortest and longest pause between two kills, in milliseconds.
const KILL_GAP_MS: (u64, u64) = (30, 400);

/// Largest transfer, in milli-KC: small against the 1000 KC credit limit,
/// so balances wander far from it and almost every transfer is valid.
const MAX_AMOUNT: u64 = 2_000;

/// The founder's client invites a new member once in this many actions.
const INVITE_EVERY: usize = 40;

/// How long one action may take to get an answer across restarts.
const ACTION_DEADLINE: Duration = Duration::from_secs(60);

//                  SIGKILL at random moments (seeded), restart:
//                  the port changes; the URL is shared with the clients
//          main ─────────────────────────────┐
//                                            ▼
//   client 0 ─┐                     ┌──────────────────┐
//   client 1 ─┼── pre-signed ──────▶│ hearthd          │──▶ temp sled dir
//   client 2 ─┤   transfers,        │ 127.0.0.1:0      │    (survives kills)
//   client 3 ─┘   retried verbatim  └──────────────────┘
//     (client 0 also invites newcomers, who join, get paid and pay back)
//        │
//        └─▶ ids acknowledged with 201/200 ──▶ all in the logs after a
//                                               last kill and restart
#[test]
fn acknowledged_actions_survive_kill_9() {
    run(25);
}

//   as above, with 100 kills (run with --release -- --ignored)
#[test]
#[ignore = "long run: cargo test -p hearth-tests --release -- --ignored"]
fn crash_100_kills() {
    run(100);
}

/// Kills of a first start, each at a random moment of it.
const FIRST_START_TRIALS: usize = 20;

//   for each trial, a new empty data directory:
//
//   hearthd run ──(seeded delay in 0 ..= 1.2 × a measured first start)──▶ SIGKILL
//        │  founds: marker, db + genesis, founder-invite, hearth.toml, node.key, marker removed
//        ▼
//   hearthd run (same directory) ──▶ /healthz 200, /v1/community, the founder
//        invite names that community; a founding that had finished is kept
#[test]
fn a_first_start_killed_at_any_moment_starts_again() {
    let started = Instant::now();
    let mut rng = Rng::from_env();
    // How long a first start takes on this machine: the kills are spread
    // over it (and a little past it).
    let mut probe = Node::fresh();
    let t = Instant::now();
    probe.launch();
    probe.wait_ready();
    let first_start = t.elapsed();
    drop(probe);
    let longest = (first_start.as_millis() as u64 * 6 / 5).max(20);
    let (mut before, mut during, mut after) = (0, 0, 0);
    for trial in 0..FIRST_START_TRIALS {
        let delay = rng.range(0, longest);
        let mut node = Node::fresh();
        let data = node.data_dir();
        node.launch();
        // Not a wait for anything: the moment of the kill is the point.
        thread::sleep(Duration::from_millis(delay));
        node.kill9();
        let marker = data.join("founding").exists();
        let finished = !marker && data.join("node.key").exists();
        let kept = finished.then(|| invite_community(&data));
        match (data.join("db").exists() || marker, finished) {
            (false, _) => before += 1,
            (true, false) => during += 1,
            (true, true) => after += 1,
        }

        node.restart();
        let health = Http::new()
            .get(node.url(), "/healthz", &[])
            .unwrap_or_else(|e| panic!("trial {trial} (kill at {delay} ms): /healthz: {e}"));
        assert_eq!(health.status, 200, "trial {trial}: {}", health.text);
        let community = community_id(node.url());
        assert_eq!(
            invite_community(&data),
            community,
            "trial {trial} (kill at {delay} ms): the founder invite is for the community served"
        );
        if let Some(kept) = kept {
            assert_eq!(
                kept, community,
                "trial {trial} (kill at {delay} ms): a finished founding is kept"
            );
        }
        assert!(
            !data.join("founding").exists(),
            "trial {trial}: the founding is finished"
        );
        let status = node.stop();
        assert!(
            status.success(),
            "trial {trial}: hearthd exited with {status}"
        );
    }
    eprintln!(
        "{FIRST_START_TRIALS} first starts killed within {longest} ms (a first start took {} ms): \
         {before} before founding began, {during} while founding, {after} after; \
         every one started again, in {:.1} s",
        first_start.as_millis(),
        started.elapsed().as_secs_f64()
    );
}

/// The community the founder invite in data directory `data` is for.
fn invite_community(data: &std::path::Path) -> Hash {
    let text = std::fs::read_to_string(data.join("founder-invite"))
        .unwrap_or_else(|e| panic!("no founder invite in {}: {e}", data.display()));
    InviteCode::parse(&text)
        .unwrap_or_else(|| panic!("not a founder invite: {text}"))
        .community
}

/// What one client did.
#[derive(Debug, Default)]
struct ClientReport {
    /// Acknowledged actions: id → (log, seq) the node answered.
    acked: HashMap<Hash, (String, u64)>,
    /// Every action the client signed and sent at least once.
    sent: HashSet<Hash>,
    /// Acknowledgements that said `duplicate` (a retry of an action the
    /// node had already made durable).
    duplicates: usize,
    /// Connection errors and 5xx answers that led to a retry.
    retries: usize,
    /// Transfers refused for insufficient funds (legitimate, if rare).
    insufficient: usize,
    /// Other refusals (none are expected): the action and the answer.
    refused: Vec<String>,
}

fn run(kills: usize) {
    let started = Instant::now();
    let mut rng = Rng::from_env();
    let mut node = Node::start();
    let mut founder = Member::found(&node, keypair(1));
    let mut members: Vec<Member> = (2..2 + MEMBERS)
        .map(|s| founder.admit(keypair(s)))
        .collect();
    // The founder's clone carries on its nonce counter (the invites used some).
    members.insert(0, founder.clone());
    let dids: Vec<PublicKey> = members.iter().map(Member::public).collect();
    let url = Arc::new(RwLock::new(node.url().to_string()));
    let stop = Arc::new(AtomicBool::new(false));

    // Each member pays from exactly one client, so its nonces arrive in order.
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let payers: Vec<Member> = members
            .iter()
            .enumerate()
            .filter(|(i, _)| i % CLIENTS == c)
            .map(|(_, m)| m.clone())
            .collect();
        let (url, stop, dids) = (url.clone(), stop.clone(), dids.clone());
        let rng = Rng::new(rng.next_u64());
        clients.push(thread::spawn(move || client(payers, dids, url, stop, rng)));
    }

    for _ in 0..kills {
        thread::sleep(Duration::from_millis(
            rng.range(KILL_GAP_MS.0, KILL_GAP_MS.1),
        ));
        node.kill9();
        node.restart();
        *url.write().expect("the URL lock") = node.url().to_string();
    }
    stop.store(true, Ordering::SeqCst);
    let reports: Vec<ClientReport> = clients
        .into_iter()
        .map(|c| c.join().expect("a client thread panicked"))
        .collect();
    // One last crash right after the traffic ends.
    node.kill9();
    node.restart();
    founder.set_url(node.url());

    let acked: HashMap<Hash, (String, u64)> = reports
        .iter()
        .flat_map(|r| r.acked.iter().map(|(id, at)| (*id, at.clone())))
        .collect();
    let sent: HashSet<Hash> = reports
        .iter()
        .flat_map(|r| r.sent.iter().copied())
        .collect();
    let refused: Vec<&String> = reports.iter().flat_map(|r| &r.refused).collect();
    let duplicates: usize = reports.iter().map(|r| r.duplicates).sum();
    let retries: usize = reports.iter().map(|r| r.retries).sum();
    let insufficient: usize = reports.iter().map(|r| r.insufficient).sum();
    eprintln!(
        "{kills} kills: {} actions acknowledged ({duplicates} as duplicates after a crash), \
         {} sent, {insufficient} refused for insufficient funds, {retries} retries, in {:.1} s",
        acked.len(),
        sent.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        refused.is_empty(),
        "valid transfers were refused: {refused:#?}"
    );
    assert!(
        acked.len() >= 10 * kills,
        "too little traffic to mean anything: {} acknowledged over {kills} kills",
        acked.len()
    );

    // The logs: verified chains, every acknowledged action in the local
    // log exactly once, at the seq its acknowledgement named.
    let community = community_id(node.url());
    let node_key: PublicKey = founder.get("/v1/community").json["node"]
        .as_str()
        .and_then(|did| did.parse().ok())
        .expect("/v1/community names the node key");
    let public = founder.log_entries(LogKind::Public);
    verify_chain(&public, community, LogKind::Public, &node_key);
    let local = founder.log_entries(LogKind::Local);
    verify_chain(&local, community, LogKind::Local, &node_key);
    // Where each logged action is: (log, seq). No action is logged twice.
    let mut logged: HashMap<Hash, (&str, u64)> = HashMap::new();
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    let mut joins = 0;
    for (kind, entries) in [("public", &public), ("local", &local)] {
        for signed in entries.iter() {
            let EntryBody::Actions(actions) = &signed.entry.body else {
                continue;
            };
            for action in actions {
                let id = action.id();
                let earlier = logged.insert(id, (kind, signed.entry.seq));
                assert!(earlier.is_none(), "action {id} is logged twice");
                match &action.action.body {
                    ActionBody::Ledger(LedgerAction::Transfer { to, amount, .. }) => {
                        assert!(sent.contains(&id), "transfer {id} was never sent");
                        *expected.entry(action.action.author.to_did()).or_default() -= amount.0;
                        *expected.entry(to.to_did()).or_default() += amount.0;
                    }
                    ActionBody::Membership(MembershipAction::Join { .. }) => joins += 1,
                    _ => {}
                }
            }
        }
    }
    let mut lost = Vec::new();
    for (id, (log, seq)) in &acked {
        match logged.get(id) {
            None => lost.push(*id),
            Some(at) => assert_eq!(
                *at,
                (log.as_str(), *seq),
                "action {id} was acknowledged elsewhere than it is logged"
            ),
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged actions are missing after the crashes: {lost:?}",
        lost.len(),
        acked.len()
    );
    let members = founder.get("/v1/members");
    assert_eq!(
        members.json["members"].as_array().map(Vec::len),
        Some(joins),
        "every logged join is a member: {}",
        members.text
    );

    // The ledger conserves money and is exactly what the log says.
    let ledger = founder.ledger();
    assert_eq!(ledger.sum, 0, "the ledger does not sum to zero: {ledger:?}");
    let total: i64 = ledger.balances.values().sum();
    assert_eq!(total, 0, "the balances do not sum to zero: {ledger:?}");
    assert_eq!(
        ledger.balances, expected,
        "the balances differ from the sum of the logged transfers"
    );

    // What the node said about its restarts: repairs are allowed (and
    // shown), errors are not.
    let output = node.log();
    let warnings: Vec<&str> = output.lines().filter(|l| l.contains(" WARN ")).collect();
    let errors: Vec<&str> = output.lines().filter(|l| l.contains(" ERROR ")).collect();
    eprintln!(
        "{joins} members in the end; the node logged {} warnings over {} starts{}",
        warnings.len(),
        kills + 2,
        warnings
            .first()
            .map(|w| format!(", e.g. {w}"))
            .unwrap_or_default()
    );
    assert!(errors.is_empty(), "the node logged errors: {errors:#?}");

    // A clean stop, and the stored state equals the state rebuilt from the logs.
    let status = node.stop();
    assert!(status.success(), "hearthd exited with {status} on SIGTERM");
    let reindex = node.hearthd(&["reindex"]);
    assert!(
        reindex.success(),
        "reindex found the stored state differing from the logs: {reindex}"
    );
    eprintln!(
        "verified in {:.1} s total; reindex: {}",
        started.elapsed().as_secs_f64(),
        reindex.stdout.lines().next().unwrap_or_default()
    );
}

/// One client: signs a transfer from one of its payers to a random other
/// member and delivers exactly those bytes. The client that pays for the
/// founder also, now and then, invites a new member, who joins, is paid
/// and pays back: membership goes to the public log, so the crashes hit
/// both logs and the order they are replayed in.
fn client(
    mut payers: Vec<Member>,
    dids: Vec<PublicKey>,
    url: Arc<RwLock<String>>,
    stop: Arc<AtomicBool>,
    mut rng: Rng,
) -> ClientReport {
    let http = Http::new();
    let mut report = ClientReport::default();
    let council = payers
        .iter()
        .position(|p| p.public() == keypair(1).public());
    while !stop.load(Ordering::SeqCst) {
        if let Some(founder) = council
            && rng.below(INVITE_EVERY) == 0
        {
            let newcomer = rng.keypair();
            let invite = rng.keypair();
            let issue =
                payers[founder].sign(ActionBody::Membership(MembershipAction::IssueInvite {
                    key: invite.public(),
                    expires: Timestamp(now_ms() + 3_600_000),
                }));
            if deliver(&http, &url, &issue, &mut report) {
                let code = InviteCode {
                    community: payers[founder].community,
                    seed: invite.seed(),
                };
                let mut member = Member::new(newcomer, code.community, "");
                let join = member.sign(code.join_body(&member.public()));
                // Welcome money, paid straight back: the newcomer's first
                // actions, and no balance drifts.
                let amount = Kc(rng.range(1, MAX_AMOUNT) as i64);
                if deliver(&http, &url, &join, &mut report) {
                    let welcome =
                        payers[founder].sign(ActionBody::Ledger(LedgerAction::Transfer {
                            to: member.public(),
                            amount,
                            memo: "welcome".into(),
                        }));
                    if deliver(&http, &url, &welcome, &mut report) {
                        let back = member.sign(ActionBody::Ledger(LedgerAction::Transfer {
                            to: payers[founder].public(),
                            amount,
                            memo: "thanks".into(),
                        }));
                        deliver(&http, &url, &back, &mut report);
                    }
                }
            }
            continue;
        }
        let pick = rng.below(payers.len());
        let payer = &mut payers[pick];
        let to = loop {
            let to = dids[rng.below(dids.len())];
            if to != payer.public() {
                break to;
            }
        };
        let amount = Kc(rng.range(1, MAX_AMOUNT) as i64);
        let action = payer.sign(ActionBody::Ledger(LedgerAction::Transfer {
            to,
            amount,
            memo: format!("crash test {}", rng.next_u64() % 1000),
        }));
        deliver(&http, &url, &action, &mut report);
    }
    report
}

/// Sends the bytes of `action` until the node answers (retrying the same
/// bytes across restarts); records the answer. Returns whether the action
/// was acknowledged.
fn deliver(
    http: &Http,
    url: &RwLock<String>,
    action: &SignedAction,
    report: &mut ClientReport,
) -> bool {
    let id = action.id();
    let bytes = action.to_bytes();
    report.sent.insert(id);
    let deadline = Instant::now() + ACTION_DEADLINE;
    loop {
        let base = url.read().expect("the URL lock").clone();
        match http.submit_bytes(&base, &bytes) {
            Ok(response) if response.status == 201 || response.status == 200 => {
                assert_eq!(
                    response.json["id"].as_str(),
                    Some(id.to_hex().as_str()),
                    "the acknowledgement names the action: {}",
                    response.text
                );
                assert_eq!(
                    response.json["duplicate"].as_bool(),
                    Some(response.status == 200),
                    "201 is new, 200 a duplicate: {}",
                    response.text
                );
                if response.status == 200 {
                    report.duplicates += 1;
                }
                let log = response.json["log"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let seq = response.json["seq"].as_u64().expect("a seq");
                report.acked.insert(id, (log, seq));
                return true;
            }
            Ok(response) if response.code() == Some("insufficient_funds") => {
                report.insufficient += 1;
                return false;
            }
            Ok(response) if response.status < 500 => {
                report
                    .refused
                    .push(format!("{action:?}: {}", response.text));
                return false;
            }
            // 5xx (e.g. shutting down) or no connection: the node is
            // restarting; the same bytes go again.
            Ok(_) | Err(_) => {
                report.retries += 1;
                assert!(
                    Instant::now() < deadline,
                    "no answer for action {id} within {ACTION_DEADLINE:?}"
                );
                thread::sleep(Duration::from_millis(2 + id.0[0] as u64 % 13));
            }
        }
    }
}

/// Checks a log end to end: seqs from 0 without gaps, each entry chained
/// to and not older than its predecessor, signed by the node, with valid
/// action signatures.
fn verify_chain(entries: &[SignedEntry], community: Hash, kind: LogKind, node: &PublicKey) {
    let log = LogId { community, kind };
    let mut head: Option<Head> = None;
    for entry in entries {
        let verified = entry
            .clone()
            .verify(&log, head.as_ref(), node)
            .unwrap_or_else(|e| panic!("{kind:?} entry {} does not verify: {e}", entry.entry.seq));
        head = Some(verified.head());
    }
    assert!(head.is_some(), "the {kind:?} log has at least its genesis");
}
