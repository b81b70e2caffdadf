//! Economy benchmark, on sled through the node's service — the path the
//! node runs:
//!
//! (a) strict verification on one core (the physical limit);
//! (b) durable ingest of a mix of economy actions (transfers, aid
//!     contributions, requests and their assessment with payouts,
//!     insurance enrolments, claims and their assessment) in group
//!     commits, as a ratio of (a);
//! (c) sealing the `Due` that pays a month of basic income to
//!     `HEARTH_BENCH_MEMBERS` members (default 50 000): the tick that
//!     computes, applies, commits and flushes it;
//! (d) replaying the logs as `hearth audit --local` and `reindex` do
//!     (verify every entry, recompute every `Close` and `Due`, check the
//!     ledger entry by entry), as a ratio of (a);
//! (e) durable ingest of time bank confirmations (each pays the provider
//!     through the ledger and updates the record and three totals), the
//!     logged records they confirm ingested first, as a ratio of (a).
//!
//! `cargo bench -p hearth-node --bench economy` (`HEARTH_BENCH_ACTIONS`,
//! default 200000; `HEARTH_BENCH_ONLY=ingest|income|hours` runs one part).

use std::time::Instant;

use hearth_node::recover;
use hearth_node::service::Io;
use hearth_node::store::{SledStorage, Storage};
use hearth_node::test::Harness;
use hearth_protocol::economy::Approval;
use hearth_protocol::economy::aid::emergency_pool_id;
use hearth_protocol::economy::income::{month_index, month_start};
use hearth_protocol::economy::insurance::{Cover, Terms};
use hearth_protocol::governance::{
    Ballot, Level, Position, Proposal, ProposalKind, ProposalRef, Subject,
};
use hearth_protocol::state::Account;
use hearth_protocol::state::StateRead;
use hearth_protocol::test::bench::{dir_size, env_usize};
use hearth_protocol::test::keypair;
use hearth_protocol::{
    ActionBody, AidAction, Canonical, GovernanceAction, Hash, InsuranceAction, InviteCode, Kc,
    Keypair, LedgerAction, MembershipAction, Millis, Rules, TimeBankAction, Timestamp,
};

const MEMBERS: u8 = 64;

fn main() {
    let only = std::env::var("HEARTH_BENCH_ONLY").unwrap_or_default();
    let verify_rate = strict_verify_rate();
    println!("(a) strict verify (id hash + verify_strict), 1 core: {verify_rate:.0}/s");
    if only.is_empty() || only == "ingest" {
        ingest(verify_rate);
    }
    if only.is_empty() || only == "income" {
        income();
    }
    if only.is_empty() || only == "hours" {
        hours(verify_rate);
    }
}

fn strict_verify_rate() -> f64 {
    let key = keypair(1);
    let actions: Vec<Vec<u8>> = (0..20_000u64)
        .map(|i| {
            hearth_protocol::Action {
                author: key.public(),
                community: Hash([0; 32]),
                nonce: i + 1,
                created: Timestamp(0),
                body: ActionBody::Ledger(LedgerAction::Transfer {
                    to: keypair(2).public(),
                    amount: Kc(1),
                    memo: String::new(),
                }),
            }
            .sign(&key)
            .to_bytes()
        })
        .collect();
    hearth_protocol::test::bench::strict_verify_rate(&actions)
}

fn rules() -> Rules {
    let mut rules = Rules::default();
    let assessor = keypair(1).public();
    rules.aid.approval = Approval::Assessors;
    rules.aid.assessors = vec![assessor];
    rules.aid.assessors_needed = 1;
    rules.aid.cooldown = Millis(0);
    let d = &mut rules.durations;
    d.policy_discussion = Millis(1);
    d.policy_deliberation = Millis(1);
    d.policy_voting = Millis(5);
    rules
}

/// Passes a policy proposal creating the health pool; returns its id.
fn health_pool(h: &mut Harness<SledStorage>) -> Hash {
    let propose = ActionBody::Governance(GovernanceAction::Propose(Box::new(Proposal {
        kind: ProposalKind::Policy,
        level: Level::Local,
        topic: None,
        title: "Health".into(),
        text: String::new(),
        options: vec![],
        subject: Subject::InsurancePool {
            name: "health".into(),
            cover: Cover::Health,
            terms: Terms {
                premium: Kc(1_000),
                waiting: Millis(0),
                cap_per_claim: Kc::whole(100),
                cap_per_year: Kc::whole(1_000_000),
                assessors: vec![keypair(1).public()],
                assessors_needed: 1,
                ..Terms::default()
            },
        },
    })));
    let a = h.action(&keypair(1), propose);
    let id = a.id();
    h.run(&[a]).remove(0).expect("proposed");
    let votes: Vec<_> = (1..=MEMBERS)
        .map(|m| {
            let ballot = ActionBody::Governance(GovernanceAction::Vote {
                proposal: ProposalRef {
                    id,
                    level: Level::Local,
                },
                ballot: Ballot::Consensus(Position::Agree),
            });
            h.action(&keypair(m), ballot)
        })
        .collect();
    for r in h.run(&votes) {
        r.expect("voted");
    }
    h.now = Timestamp(h.now.0 + 10);
    h.run(&[]);
    id
}

fn ingest(verify_rate: f64) {
    let n: usize = env_usize("HEARTH_BENCH_ACTIONS", 200_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let seeds: Vec<u8> = (1..=MEMBERS).collect();
    let mut h = Harness::founded_with(storage, keypair(100), "Riverside", &seeds, rules());
    let health = health_pool(&mut h);
    let emergency = emergency_pool_id(&h.service.community());
    let enrol: Vec<_> = (1..=MEMBERS)
        .map(|m| {
            h.action(
                &keypair(m),
                ActionBody::Insurance(InsuranceAction::Enrol { pool: health }),
            )
        })
        .collect();
    for r in h.run(&enrol) {
        r.expect("enrolled");
    }
    // The mix, signed in order: each member's request (or claim) is
    // followed at once by the assessor's approval, so one is open at a
    // time; every amount is small against the credit limit.
    let started = Instant::now();
    let mut actions: Vec<Vec<u8>> = Vec::with_capacity(n);
    let mut kinds = [0usize; 5];
    let mut i = 0usize;
    while actions.len() < n {
        let m = (i % MEMBERS as usize) as u8 + 1;
        let other = ((i * 7 + 3) % MEMBERS as usize) as u8 + 1;
        let other = if other == m {
            other % MEMBERS + 1
        } else {
            other
        };
        let key = keypair(m);
        let push =
            |actions: &mut Vec<Vec<u8>>, h: &mut Harness<SledStorage>, who: &Keypair, body| {
                actions.push(h.action(who, body).into_inner().to_bytes());
            };
        match i % 10 {
            0..=3 => {
                kinds[0] += 1;
                push(
                    &mut actions,
                    &mut h,
                    &key,
                    ActionBody::Ledger(LedgerAction::Transfer {
                        to: keypair(other).public(),
                        amount: Kc(10),
                        memo: String::new(),
                    }),
                );
            }
            4 | 5 => {
                kinds[1] += 1;
                push(
                    &mut actions,
                    &mut h,
                    &key,
                    ActionBody::Aid(AidAction::Contribute {
                        pool: emergency,
                        amount: Kc(20),
                    }),
                );
            }
            6 | 7 if m != 1 => {
                kinds[2] += 2;
                let ask = h.action(
                    &key,
                    ActionBody::Aid(AidAction::Request {
                        pool: emergency,
                        amount: Kc(15),
                        reason: String::new(),
                    }),
                );
                let request = ask.id();
                actions.push(ask.into_inner().to_bytes());
                push(
                    &mut actions,
                    &mut h,
                    &keypair(1),
                    ActionBody::Aid(AidAction::Assess {
                        request,
                        approve: true,
                    }),
                );
            }
            8 | 9 if m != 1 => {
                kinds[3] += 2;
                let claim = h.action(
                    &key,
                    ActionBody::Insurance(InsuranceAction::Claim {
                        pool: health,
                        amount: Kc(5),
                        reason: String::new(),
                        evidence: None,
                    }),
                );
                let id = claim.id();
                actions.push(claim.into_inner().to_bytes());
                push(
                    &mut actions,
                    &mut h,
                    &keypair(1),
                    ActionBody::Insurance(InsuranceAction::Assess {
                        claim: id,
                        approve: true,
                    }),
                );
            }
            _ => {
                kinds[4] += 1;
                push(
                    &mut actions,
                    &mut h,
                    &key,
                    ActionBody::Ledger(LedgerAction::Transfer {
                        to: keypair(other).public(),
                        amount: Kc(1),
                        memo: String::new(),
                    }),
                );
            }
        }
        i += 1;
    }
    println!(
        "# economy mix of {} actions: {} transfers, {} contributions, {} aid requests and assessments, {} claims and assessments ({:.1} s to sign)",
        actions.len(),
        kinds[0] + kinds[4],
        kinds[1],
        kinds[2],
        kinds[3],
        started.elapsed().as_secs_f64()
    );
    let keys = hearth_protocol::crypto::KeyCache::default();
    let started = Instant::now();
    let accepted = h.ingest_in_batches(&actions, 1024, &keys);
    assert_eq!(accepted, actions.len(), "every action of the mix is valid");
    let rate = accepted as f64 / started.elapsed().as_secs_f64();
    println!(
        "(b) durable ingest of the mix, group commit of 1024: {rate:.0} actions/s = {:.2} x (a)",
        rate / verify_rate
    );
    let storage = h.service.storage().clone();
    let paid = storage.balance(&Account::Pool(emergency)).expect("balance");
    println!("    the emergency pool holds {paid} after paying every request");
    storage.flush().expect("flush");
    println!("    disk: {:.1} MB", dir_size(dir.path()) as f64 / 1e6);
    let started = Instant::now();
    let (rebuilt, _) = recover::rebuild(&storage, |_| {}).expect("replay");
    let replay_rate = accepted as f64 / started.elapsed().as_secs_f64();
    assert_eq!(rebuilt, storage.state_snapshot().expect("snapshot"));
    println!(
        "(d) replay (hearth audit --local's check, reindex): {replay_rate:.0} actions/s = {:.2} x (a)",
        replay_rate / verify_rate
    );
}

fn income() {
    let members: usize = env_usize("HEARTH_BENCH_MEMBERS", 50_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let rules = Rules {
        basic_income: Some(Kc::whole(10)),
        treasury_credit: Kc::whole(10 * (members as i64 + 1)),
        ..Rules::default()
    };
    let mut h = Harness::founded_with(storage, keypair(100), "Riverside", &[1], rules);
    let keys = hearth_protocol::crypto::KeyCache::default();
    let community = h.service.community();
    let started = Instant::now();
    let founder = keypair(1);
    let seed_of = |i: usize, tag: u8| {
        let mut seed = [tag; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        seed
    };
    let invites: Vec<Vec<u8>> = (0..members)
        .map(|i| {
            let key = Keypair::from_seed(&seed_of(i, 0xa1)).public();
            let body = ActionBody::Membership(MembershipAction::IssueInvite {
                key,
                expires: Timestamp(h.now.0 + 86_400_000),
            });
            h.action(&founder, body).into_inner().to_bytes()
        })
        .collect();
    assert_eq!(h.ingest_in_batches(&invites, 1024, &keys), members);
    let joins: Vec<Vec<u8>> = (0..members)
        .map(|i| {
            let code = InviteCode {
                community,
                seed: seed_of(i, 0xa1),
            };
            let member = Keypair::from_seed(&seed_of(i, 0xb2));
            let body = code.join_body(&member.public());
            h.action(&member, body).into_inner().to_bytes()
        })
        .collect();
    assert_eq!(h.ingest_in_batches(&joins, 1024, &keys), members);
    println!(
        "# basic income: {} members joined in {:.1} s",
        members + 1,
        started.elapsed().as_secs_f64()
    );
    // The month turns: one tick seals the `Due` that pays everyone.
    let month = month_start(month_index(h.now) + 1);
    let before = h.service.head(hearth_protocol::LogKind::Local);
    let started = Instant::now();
    h.service.tick(Timestamp(month.0 + 1));
    while let Some(io) = h.service.next_io() {
        if let Io::Flush = io {
            h.service.storage().flush().expect("flush");
        }
    }
    let elapsed = started.elapsed();
    assert_ne!(
        h.service.head(hearth_protocol::LogKind::Local),
        before,
        "sealed"
    );
    let paid = h
        .service
        .storage()
        .balance(&Account::Member(
            Keypair::from_seed(&seed_of(7, 0xb2)).public(),
        ))
        .expect("balance");
    assert_eq!(paid, Kc::whole(10));
    println!(
        "(c) sealing the Due that pays {} members their basic income (compute, apply, commit, flush): {:.0} ms",
        members + 1,
        elapsed.as_secs_f64() * 1000.0
    );
}

fn hours(verify_rate: f64) {
    let n: usize = env_usize("HEARTH_BENCH_ACTIONS", 200_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = SledStorage::open(&dir.path().join("db")).expect("open sled");
    let seeds: Vec<u8> = (1..=MEMBERS).collect();
    let mut h = Harness::founded_with(storage, keypair(100), "Riverside", &seeds, Rules::default());
    let keys = hearth_protocol::crypto::KeyCache::default();
    // Member m gives 30 minutes of gardening to the next member in a
    // ring, who confirms: every balance stays within half a KC of zero.
    let next = |m: u8| m % MEMBERS + 1;
    let mut ids = Vec::with_capacity(n);
    let logs: Vec<Vec<u8>> = (0..n)
        .map(|i| {
            let m = (i % MEMBERS as usize) as u8 + 1;
            let body = ActionBody::TimeBank(TimeBankAction::Log {
                recipients: vec![keypair(next(m)).public()],
                minutes: 30,
                category: "gardening".into(),
                note: String::new(),
            });
            let action = h.action(&keypair(m), body);
            ids.push((next(m), action.id()));
            action.into_inner().to_bytes()
        })
        .collect();
    let started = Instant::now();
    assert_eq!(h.ingest_in_batches(&logs, 1024, &keys), n);
    let log_rate = n as f64 / started.elapsed().as_secs_f64();
    let confirms: Vec<Vec<u8>> = ids
        .iter()
        .map(|(recipient, record)| {
            let body = ActionBody::TimeBank(TimeBankAction::Confirm { record: *record });
            h.action(&keypair(*recipient), body).into_inner().to_bytes()
        })
        .collect();
    let started = Instant::now();
    assert_eq!(
        h.ingest_in_batches(&confirms, 1024, &keys),
        n,
        "every confirmation is valid"
    );
    let rate = n as f64 / started.elapsed().as_secs_f64();
    let storage = h.service.storage();
    let paid = storage
        .balance(&Account::Member(keypair(1).public()))
        .expect("balance");
    assert!(paid.0.abs() <= 500, "member 1 holds {paid}");
    println!(
        "(e) time bank: {n} logs ingested at {log_rate:.0}/s = {:.2} x (a); {n} confirmations, each paying the provider, at {rate:.0}/s = {:.2} x (a)",
        log_rate / verify_rate,
        rate / verify_rate
    );
}
