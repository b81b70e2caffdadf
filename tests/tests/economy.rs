//! The community economy end to end, with the real `hearthd` and the real
//! `hearth` (the README's economy walk-through is run by `readme.rs`): a
//! month of basic income and levy paid once across a restart, and a burst of
//! contributions and payouts through `kill -9` that loses nothing
//! acknowledged and pays nothing twice; a payment signed after another
//! device left the key's nonce ahead of the CLI's clock.

use std::collections::HashSet;

use std::time::{Duration, Instant};

use hearth_protocol::economy::aid;
use hearth_protocol::economy::income::{month_index, month_start};
use hearth_protocol::test::keypair;
use hearth_protocol::{
    Action, ActionBody, AidAction, Canonical, Hash, Kc, Keypair, LedgerAction, PublicKey, Timestamp,
};
use hearth_tests::{Cli, Http, Member, Node, Rng, converge, now_ms};
use serde_json::{Value, json};

fn balance(cli: &Cli, who: &str) -> i64 {
    cli.json(&["balance", who])["balance"]
        .as_i64()
        .expect("a balance")
}

//   alice, bob, carol (hearth) ──HTTP──▶ hearthd (basic income 50 KC,
//   levy 10 %, treasury credit 100 KC); the test clock jumps to the next
//   month, the node restarts, the month is not paid again
#[test]
fn a_month_of_basic_income_and_levy_is_paid_once() {
    let mut node =
        Node::start_with_rules("basic_income = 50000\ntreasury_credit = 100000\nlevy = 1000\n");
    let alice = Cli::new(node.url());
    alice.ok(&["key", "new", "alice"]);
    alice.ok(&["join", &node.founder_invite()]);
    let mut others = Vec::new();
    for name in ["bob", "carol"] {
        let code = alice.ok(&["invite", "--ttl", "1d"]);
        let cli = Cli::new(node.url());
        cli.ok(&["key", "new", name]);
        cli.ok(&["join", code.trim()]);
        others.push(cli);
    }
    let bob_did = others[0].json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();
    alice.ok(&["pay", &bob_did, "200"]);
    let next = month_start(month_index(Timestamp(now_ms())) + 1).0;
    // The node's clock jumps into next month for a moment, long enough to
    // seal the month's `Due`; signed requests are read on the real clock.
    node.set_clock(next + 1000);
    std::thread::sleep(Duration::from_millis(1500));
    node.set_clock(now_ms());
    // The levy: 10 % of Bob's 200 KC to the treasury. Then 3 × 50 KC
    // asked of a treasury holding 20 KC and 100 KC of credit: 40 KC each.
    let paid = converge(Duration::from_secs(30), "the month is settled", || {
        let income = alice.json(&["income"]);
        income["months"]
            .as_array()
            .filter(|m| !m.is_empty())
            .map(|m| m[0].clone())
    });
    assert_eq!(paid["levy"], json!(20_000), "{paid}");
    assert_eq!(paid["members"], json!(3), "{paid}");
    assert_eq!(paid["share"], json!(40_000), "{paid}");
    assert_eq!(paid["shortfall"], json!(30_000), "{paid}");
    assert_eq!(balance(&alice, &bob_did), 200_000 - 20_000 + 40_000);
    // After a restart and more ticks, the month is not paid again.
    node.restart();
    let alice = {
        let mut a = alice;
        a.set_node(node.url());
        a
    };
    node.set_clock(next + 60_000);
    std::thread::sleep(Duration::from_millis(1500));
    node.set_clock(now_ms());
    let income = alice.json(&["income"]);
    assert_eq!(
        income["months"].as_array().map(Vec::len),
        Some(1),
        "{income}"
    );
    assert_eq!(balance(&alice, &bob_did), 220_000);
    let audit = alice.run(&["audit", "--local"]);
    assert!(audit.success(), "{audit}");
}

//   alice's key on two devices ──HTTP──▶ hearthd
//     · hearth (the CLI, this clock)
//     · this test, signing as a device whose clock runs 2 minutes ahead
#[test]
fn the_cli_pays_after_another_device_left_the_nonce_ahead_of_its_clock() {
    let node = Node::start();
    let alice = Cli::new(node.url());
    alice.ok(&["key", "new", "alice"]);
    alice.ok(&["join", &node.founder_invite()]);
    let code = alice.ok(&["invite", "--ttl", "1d"]);
    let bob = Cli::new(node.url());
    bob.ok(&["key", "new", "bob"]);
    bob.ok(&["join", code.trim()]);
    let bob_did = bob.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();

    // The other device holds the same key (exported from the CLI).
    let file: Value = serde_json::from_str(&alice.ok(&["key", "export", "alice"])).expect("JSON");
    let seed: Hash = file["secret"]["plain"]
        .as_str()
        .expect("a plain seed")
        .parse()
        .expect("64 hex digits");
    let community = hearth_tests::community_id(node.url());
    let device = Member::new(Keypair::from_seed(&seed.0), community, node.url());
    let ahead = now_ms() + 120_000;
    let action = Action {
        author: device.public(),
        community,
        nonce: ahead,
        created: Timestamp(now_ms()),
        body: ActionBody::Ledger(LedgerAction::Transfer {
            to: PublicKey::from_did(&bob_did).expect("bob's did"),
            amount: Kc(1_000),
            memo: "from the tablet".into(),
        }),
    }
    .sign(&device.key);
    device.submit_signed(&action).expect_status(201);
    let nonce_path = format!("/v1/members/{}/nonce", device.did());
    let last = device.signed_get(&nonce_path).expect_status(200).json["last_nonce"].clone();
    assert_eq!(last, json!(ahead));

    // The CLI's own counter runs on this clock, two minutes behind: its
    // first signature is refused as replayed, and it signs again above
    // the node's nonce.
    let paid = alice.run(&["pay", &bob_did, "2", "--memo", "from the laptop"]);
    assert!(paid.success(), "{paid}");
    assert!(paid.stdout.starts_with("Paid 2 KC"), "{paid}");
    assert_eq!(balance(&alice, &bob_did), 3_000);
    let last = device
        .signed_get(&format!("{nonce_path}?after=pay"))
        .expect_status(200)
        .json["last_nonce"]
        .as_u64()
        .expect("a nonce");
    assert_eq!(last, ahead + 1);
}

/// Sends `action` until the node answers (it may be down between kills);
/// returns the answer.
fn send(http: &Http, url: &std::sync::RwLock<String>, bytes: &[u8], deadline: Instant) -> Value {
    loop {
        let base = url.read().expect("the url").clone();
        match http.submit_bytes(&base, bytes) {
            Ok(r) if r.status < 500 => {
                let mut json = r.json;
                json["status"] = json!(r.status);
                return json;
            }
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            other => panic!("no answer in time: {other:?}"),
        }
    }
}

//                 SIGKILL at seeded moments, restart (the port changes)
//          main ───────────────────────────┐
//                                          ▼
//   one client: members contribute to the      hearthd ──▶ temp sled dir
//   emergency pool, ask it, the founder (its
//   appointed assessor) approves: payouts
//        └─▶ acknowledged ids all in the logs afterwards; every request
//            paid at most once and in full at most; audit --local passes
#[test]
fn kill_9_during_contributions_and_payouts_loses_nothing_and_pays_nothing_twice() {
    let mut rng = Rng::from_env();
    let founder_key = keypair(1);
    let assessor = founder_key.public().to_did();
    let mut node = Node::start_with_rules(&format!(
        "[aid]\napproval = \"assessors\"\nassessors = [\"{assessor}\"]\nassessors_needed = 1\ncooldown = 0\n"
    ));
    let mut founder = Member::found(&node, founder_key);
    let mut members: Vec<Member> = (2..6).map(|s| founder.admit(keypair(s))).collect();
    let community = hearth_tests::community_id(node.url());
    let pool = aid::emergency_pool_id(&community);
    let url = std::sync::Arc::new(std::sync::RwLock::new(node.url().to_string()));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = {
        let (url, stop) = (url.clone(), stop.clone());
        std::thread::spawn(move || {
            let http = Http::new();
            let mut acked: Vec<Vec<u8>> = Vec::new();
            let mut requests = Vec::new();
            let mut round = 0usize;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let m = round % members.len();
                round += 1;
                let deadline = Instant::now() + Duration::from_secs(60);
                let contribute = members[m].sign(ActionBody::Aid(AidAction::Contribute {
                    pool,
                    amount: Kc(7_000 + (round as i64 % 5) * 1000),
                }));
                let ask = members[m].sign(ActionBody::Aid(AidAction::Request {
                    pool,
                    amount: Kc(5_000 + (round as i64 % 3) * 4000),
                    reason: format!("round {round}"),
                }));
                let assess = founder.sign(ActionBody::Aid(AidAction::Assess {
                    request: ask.id(),
                    approve: true,
                }));
                for action in [&contribute, &ask, &assess] {
                    let answer = send(&http, &url, &action.to_bytes(), deadline);
                    let status = answer["status"].as_u64().unwrap_or(0);
                    assert!(
                        status == 200 || status == 201,
                        "every action of the burst is valid: {answer}"
                    );
                    acked.push(action.to_bytes());
                }
                requests.push(ask.id());
                // Now and then a transfer too, so members' balances move.
                let pay = founder.sign(ActionBody::Ledger(LedgerAction::Transfer {
                    to: members[m].public(),
                    amount: Kc(1_000),
                    memo: String::new(),
                }));
                let answer = send(&http, &url, &pay.to_bytes(), deadline);
                assert!(
                    matches!(answer["status"].as_u64(), Some(200 | 201)),
                    "{answer}"
                );
                acked.push(pay.to_bytes());
            }
            (acked, requests, founder)
        })
    };
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(rng.range(150, 700)));
        node.kill9();
        node.restart();
        *url.write().expect("the url") = node.url().to_string();
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (acked, requests, founder) = client.join().expect("the client");
    assert!(
        requests.len() >= 6,
        "the burst made {} requests",
        requests.len()
    );
    node.kill9();
    node.restart();
    // Every acknowledged action is in the logs: sent again, it is a duplicate.
    let http = Http::new();
    for bytes in &acked {
        let r = http
            .submit_bytes(node.url(), bytes)
            .expect("the node answers");
        assert_eq!(
            (r.status, &r.json["duplicate"]),
            (200, &json!(true)),
            "an acknowledged action was lost: {}",
            r.text
        );
    }
    let mut founder = founder;
    founder.set_url(node.url());
    let view = founder.signed_get(&format!("/v1/aid/pools/{pool}"));
    let detail: Value = view.json.clone();
    let listed: HashSet<String> = detail["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    for id in &requests {
        assert!(
            listed.contains(&id.to_hex()),
            "request {id} was acknowledged and lost"
        );
    }
    let mut paid_total = 0i64;
    for r in detail["requests"].as_array().expect("requests") {
        let (paid, amount) = (r["paid"].as_i64().unwrap(), r["amount"].as_i64().unwrap());
        assert!(paid <= amount, "paid more than approved: {r}");
        paid_total += paid;
    }
    assert_eq!(
        detail["pool"]["stats"]["paid"],
        json!(paid_total),
        "{detail}"
    );
    // Σ balances is zero and the node's state is the one its logs make.
    let ledger = founder.signed_get("/v1/ledger");
    assert_eq!(ledger.json["sum"], json!(0), "{}", ledger.text);
    node.stop();
    let reindex = node.hearthd(&["reindex"]);
    assert!(reindex.success(), "{reindex}");
}
