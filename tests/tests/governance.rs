//! Governance end to end, with the real `hearth` binary against a real
//! `hearthd` whose community runs on stage durations of seconds: a policy
//! passes by consensus (one member's vote delegated), the council decides
//! an emergency, an election reseats the council, a participatory budget
//! funds what fits — and the refusals a member meets on the way (voting
//! before the vote opens, levels nodes do not decide yet, acting outside
//! one's role) exit 1 with the node's reason. A community that admits by
//! vote refuses invites, admits by a membership proposal, and keeps its
//! council on as a caretaker once every term has ended.
//!
//! Stages are driven by the node's clock, so the test waits for them by
//! polling `hearth show --json` with a deadline, never by sleeping.

use std::collections::BTreeSet;
use std::time::Duration;

use hearth_tests::{Cli, Node, Run, converge};
use serde_json::Value;

/// Stage durations in milliseconds (DESIGN §7.1 in miniature).
const RULES: &str = r#"
[durations]
policy_discussion = 2000
policy_deliberation = 1000
policy_voting = 3000
emergency = 3000
election_nominations = 2000
election_campaign = 1000
election_voting = 3000
budget = 6000
"#;

/// How long a stage or a decision may take to arrive: the longest
/// proposal here runs 6 s, and the node closes votes on a 1 s tick.
const STAGE_TIMEOUT: Duration = Duration::from_secs(15);

/// Asserts the run exited `code` and its stderr mentions `needle`.
#[track_caller]
fn exits(run: &Run, code: i32, needle: &str) {
    assert_eq!(run.code, Some(code), "expected exit {code}: {run}");
    assert!(
        run.stderr.contains(needle),
        "expected {needle:?} in stderr: {run}"
    );
}

/// A member with a key named `name`, admitted with an invite from `council`.
fn member(node: &Node, council: &Cli, name: &str) -> (Cli, String) {
    let cli = Cli::new(node.url());
    cli.ok(&["key", "new", name]);
    let code = council.ok(&["invite"]);
    cli.ok(&["join", code.trim()]);
    let did = cli.json(&["key", "show"])["did"]
        .as_str()
        .expect("key show --json has a did")
        .to_string();
    (cli, did)
}

/// `hearth --json propose …`: the new proposal's id.
#[track_caller]
fn propose(cli: &Cli, args: &[&str]) -> String {
    let mut all = vec!["propose"];
    all.extend_from_slice(args);
    let json = cli.json(&all);
    json["id"]
        .as_str()
        .unwrap_or_else(|| panic!("propose --json has an id: {json}"))
        .to_string()
}

/// Waits until `hearth show --json <id>` satisfies `ready`; returns it.
#[track_caller]
fn wait_for(cli: &Cli, id: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
    converge(STAGE_TIMEOUT, &format!("{what} ({id})"), || {
        let shown = cli.json(&["show", id]);
        ready(&shown).then_some(shown)
    })
}

/// Waits for proposal `id` to reach `stage`.
#[track_caller]
fn wait_stage(cli: &Cli, id: &str, stage: &str) -> Value {
    wait_for(cli, id, &format!("stage {stage}"), |p| p["stage"] == stage)
}

/// Waits for the node to record the decision on `id`; returns
/// `hearth show` (text) then.
#[track_caller]
fn wait_decided(cli: &Cli, id: &str) -> String {
    wait_for(cli, id, "the decision", |p| p["decision"].is_object());
    cli.ok(&["show", id])
}

/// The line of `hearth show` text labelled `label`.
fn line<'a>(shown: &'a str, label: &str) -> &'a str {
    shown
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in:\n{shown}"))
}

/// The dids on the council, from `hearth --json council`.
fn council(cli: &Cli) -> BTreeSet<String> {
    let json = cli.json(&["council"]);
    json["members"]
        .as_array()
        .expect("council --json has members")
        .iter()
        .map(|m| m["did"].as_str().expect("a did").to_string())
        .collect()
}

//   alice (founder, council) ──┐
//   bob ───────────────────────┤
//   carol ─────────────────────┼──HTTP──▶ hearthd (rules: stages of seconds)
//   dave (delegates to carol) ─┘
#[test]
fn proposals_are_decided_by_their_methods() {
    let node = Node::start_with_rules(RULES);
    let alice = Cli::new(node.url());
    alice.ok(&["key", "new", "alice"]);
    alice.ok(&["join", &node.founder_invite()]);
    let alice_did = alice.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();
    let (bob, bob_did) = member(&node, &alice, "bob");
    let (carol, carol_did) = member(&node, &alice, "carol");
    let (dave, dave_did) = member(&node, &alice, "dave");
    assert_eq!(council(&bob), BTreeSet::from([alice_did.clone()]));

    // A policy: discussion 2 s → deliberation 1 s → voting 3 s.
    let policy = propose(
        &alice,
        &[
            "--kind",
            "policy",
            "--title",
            "Quiet hours",
            "--text",
            "No drums after 22:00",
        ],
    );
    let shown = bob.json(&["show", &policy]);
    assert_eq!(shown["stage"], "discussion", "{shown}");
    let starts: Vec<u64> = shown["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s[1].as_u64().expect("a start time"))
        .collect();
    let closes = shown["closes"].as_u64().expect("closes");
    assert_eq!(
        [
            starts[1] - starts[0],
            starts[2] - starts[1],
            closes - starts[2]
        ],
        [2000, 1000, 3000],
        "the rules' durations: {shown}"
    );
    // Too early to vote; the author (only) may amend; 8 hex digits name it.
    let prefix = &policy[..8];
    exits(&bob.run(&["vote", prefix, "agree"]), 1, "wrong_stage");
    exits(
        &bob.run(&["amend", prefix, "--text", "Drums welcome"]),
        1,
        "not_author",
    );
    alice.ok(&["amend", prefix, "--text", "No drums after 21:00"]);
    // A vote in the wrong form never reaches the node.
    exits(
        &bob.run(&["vote", prefix, "yes"]),
        2,
        "decided by consensus",
    );
    // Dave lets carol vote for him on policies.
    dave.ok(&["delegate", &carol_did, "--scope", "local:policy"]);
    let to_carol = carol.ok(&["delegations"]);
    assert!(
        to_carol.contains("Delegating to you") && to_carol.contains(&dave_did),
        "{to_carol}"
    );

    // Levels above the community are not decided by nodes yet.
    exits(
        &bob.run(&[
            "propose",
            "--kind",
            "policy",
            "--title",
            "World peace",
            "--level",
            "network",
        ]),
        1,
        "level_not_available",
    );
    exits(
        &bob.run(&["delegate", &carol_did, "--scope", "network"]),
        1,
        "level_not_available",
    );

    // A proposal withdrawn before its vote closes as withdrawn.
    let pink = propose(
        &bob,
        &["--kind", "policy", "--title", "Paint the hall pink"],
    );
    exits(&alice.run(&["withdraw", &pink]), 1, "not_author");
    bob.ok(&["withdraw", &pink]);

    // An emergency: only the council (alice) decides, at once.
    exits(
        &bob.run(&["propose", "--kind", "emergency", "--title", "Pipe"]),
        1,
        "not_council",
    );
    let pipe = propose(
        &alice,
        &[
            "--kind",
            "emergency",
            "--title",
            "Burst pipe: close the hall",
        ],
    );
    exits(&bob.run(&["vote", &pipe, "yes"]), 1, "not_eligible");
    alice.ok(&["vote", &pipe, "yes"]);

    // An election of two seats: nominations 2 s → campaign 1 s → voting 3 s.
    let election = propose(
        &alice,
        &["--kind", "election", "--title", "Council", "--seats", "2"],
    );
    alice.ok(&["nominate", &election, &bob_did]);
    bob.ok(&["nominate", &election, &carol_did]);
    dave.ok(&["nominate", &election, "dave"]);
    exits(
        &carol.run(&["nominate", &election, &bob_did]),
        1,
        "already_nominated",
    );

    // A participatory budget: submission 2 s → review 2 s → voting 2 s.
    let budget = propose(
        &carol,
        &[
            "--kind",
            "budget",
            "--title",
            "Bakery",
            "--budget",
            "1000",
            "--project",
            "Oven=500",
        ],
    );
    carol.ok(&["project", &budget, "Paint", "400"]);
    dave.ok(&["project", &budget, "Roof", "700"]);

    // A council member reviews the budget (the stages of the three
    // proposals interleave: each step waits for its own).
    wait_stage(&alice, &budget, "review");
    alice.ok(&["review", &budget, "approve", "--comment", "costs checked"]);
    exits(
        &carol.run(&["review", &budget, "approve"]),
        1,
        "not_council",
    );

    // The policy's vote: bob changes his mind; carol's ballot carries dave's.
    wait_stage(&bob, &policy, "voting");
    alice.ok(&["vote", &policy, "agree"]);
    bob.ok(&["vote", &policy, "disagree"]);
    bob.ok(&["vote", &policy, "agree"]);
    carol.ok(&["vote", &policy, "agree"]);
    let running = bob.ok(&["show", prefix]);
    assert!(
        line(&running, "count").contains("so far: would pass: 4 agree, 0 disagree"),
        "{running}"
    );

    // The election's vote: candidates by number, key name or did; the
    // count stays hidden until the close (the default rule for elections).
    wait_stage(&alice, &election, "voting");
    alice.ok(&["vote", &election, "--rank", "1,2"]);
    bob.ok(&["vote", &election, "--rank", &format!("bob,{carol_did}")]);
    carol.ok(&["vote", &election, "--rank", &format!("carol,{bob_did}")]);
    dave.ok(&["vote", &election, "--rank", &format!("{carol_did},dave")]);
    let hidden = alice.ok(&["show", &election]);
    assert!(
        line(&hidden, "count").contains("hidden until the vote closes"),
        "{hidden}"
    );

    // The budget's members approve projects.
    wait_stage(&alice, &budget, "voting");
    alice.ok(&["vote", &budget, "--approve", "Oven,Paint"]);
    bob.ok(&["vote", &budget, "--approve", "1,2"]);
    carol.ok(&["vote", &budget, "--approve", "oven,paint"]);
    dave.ok(&["vote", &budget, "--approve", "Roof,Oven,Paint"]);

    // The decisions, in words.
    let shown = wait_decided(&alice, &policy);
    assert!(
        line(&shown, "decision").contains("passed: 4 agree, 0 disagree, 0 block, turnout 4/4"),
        "{shown}"
    );
    assert!(
        shown.contains("No drums after 21:00"),
        "the amended text: {shown}"
    );
    assert!(
        shown.contains(&format!("{carol_did} carried 2 votes")),
        "{shown}"
    );
    let shown = wait_decided(&alice, &pipe);
    assert!(
        line(&shown, "decision").contains("passed: 1 yes, 0 no, 0 abstain, turnout 1/1"),
        "{shown}"
    );
    let shown = wait_decided(&bob, &pink);
    assert!(line(&shown, "decision").ends_with("withdrawn"), "{shown}");
    let shown = wait_decided(&carol, &election);
    let elected = line(&shown, "decision");
    assert!(
        elected.contains("elected: ") && elected.contains(&bob_did) && elected.contains(&carol_did),
        "{shown}"
    );
    assert!(!elected.contains(&dave_did), "{shown}");
    let shown = wait_decided(&dave, &budget);
    let funded = line(&shown, "decision");
    assert!(
        funded.contains("funded: ")
            && funded.contains("Oven")
            && funded.contains("Paint")
            && !funded.contains("Roof")
            && funded.ends_with("(900 of 1000 KC)"),
        "{shown}"
    );
    assert!(shown.contains(&format!("{alice_did} approves")), "{shown}");

    // The election reseated the council: bob and carol decide emergencies now.
    assert_eq!(
        council(&dave),
        BTreeSet::from([bob_did.clone(), carol_did.clone()])
    );
    let seats = dave.ok(&["council"]);
    assert!(seats.starts_with("2 of 5 seats filled"), "{seats}");
    assert_eq!(seats.matches("in term").count(), 2, "{seats}");
    exits(
        &alice.run(&["propose", "--kind", "emergency", "--title", "Leak"]),
        1,
        "not_council",
    );
    let leak = propose(&carol, &["--kind", "emergency", "--title", "Leak"]);
    bob.ok(&["vote", &leak, "yes"]);
    exits(&alice.run(&["vote", &leak, "yes"]), 1, "not_eligible");

    // The proposals, listed; dave takes his delegation back.
    let table = dave.ok(&["proposals"]);
    for (id, title) in [(&policy, "Quiet hours"), (&pink, "Paint the hall pink")] {
        let row = line(&table, &id[..12]);
        assert!(row.ends_with(title), "{table}");
    }
    assert!(line(&table, &pink[..12]).contains("withdrawn"), "{table}");
    dave.ok(&["undelegate", "--scope", "local:policy"]);
    let history = dave.ok(&["delegations", "--all"]);
    assert!(
        history.contains("You delegate to nobody") && history.contains("(revoked)"),
        "{history}"
    );
}

/// Members join only by vote; council terms of two seconds.
const BY_VOTE: &str = r#"
admission = "vote"
[council]
term = 2000
[durations]
membership = 2000
"#;

//   alice (claims the founder invite) ──┐
//   bob (no member yet) ────────────────┴──HTTP──▶ hearthd (rules: BY_VOTE)
#[test]
fn where_members_join_by_vote_invites_are_refused_and_the_council_serves_on_as_caretaker() {
    let node = Node::start_with_rules(BY_VOTE);
    let alice = Cli::new(node.url());
    alice.ok(&["key", "new", "alice"]);
    alice.ok(&["join", &node.founder_invite()]);
    let bob = Cli::new(node.url());
    bob.ok(&["key", "new", "bob"]);
    let bob_did = bob.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();

    exits(&alice.run(&["invite"]), 1, "admission_by_vote");
    exits(&alice.run(&["invite"]), 1, "admits members by vote only");
    let admit = propose(
        &alice,
        &[
            "--kind",
            "membership",
            "--title",
            "Admit Bob",
            "--member",
            &bob_did,
        ],
    );
    alice.ok(&["vote", &admit, "agree"]);
    let shown = wait_decided(&alice, &admit);
    assert!(line(&shown, "decision").contains("passed"), "{shown}");
    let members = alice.json(&["members"]);
    assert!(
        members["members"]
            .as_array()
            .expect("members")
            .iter()
            .any(|m| m["did"] == bob_did.as_str() && m["status"] == "active"),
        "{members}"
    );

    // Alice's two-second term has ended (the vote alone took two): with
    // no successor elected she serves on as a caretaker.
    let json = alice.json(&["council"]);
    assert_eq!(json["caretaker"], true, "{json}");
    assert_eq!(json["members"][0]["standing"], "caretaker", "{json}");
    let seats = bob.ok(&["council"]);
    assert!(seats.contains("serves as a caretaker"), "{seats}");
}
