//! Analytics end to end, with real `hearthd` processes and the real
//! `hearth`: three communities of a network (two of them a region) pay
//! within themselves; `hearth stats` shows each community's month; when
//! the month ends each node publishes its `Stats` in its public log, and
//! `hearth stats --level network` and `--level region:north` on any node
//! sum the communities that published, naming those that did not.

use hearth_protocol::economy::income::{month_index, month_label, month_start};
use hearth_protocol::{ActionBody, Kc, LedgerAction, Timestamp};
use hearth_tests::federation::{CONVERGE, Federation, quick_rules};
use hearth_tests::{Cli, Rng, converge, now_ms};
use serde_json::Value;

fn kc(v: &Value) -> i64 {
    v.as_i64().expect("an amount")
}

//   c0 ─┐ region north      c2
//   c1 ─┘                    │
//   each council pays a new member (10, 20, 30 KC); the month ends on
//   every node's clock → Stats in each public log → network and region sums
#[test]
fn communities_publish_their_months_and_the_network_sums_them() {
    let mut rng = Rng::from_env();
    let rules = quick_rules(
        hearth_protocol::Millis::secs(5),
        hearth_protocol::Millis::secs(2),
        1,
    );
    let mut fed = Federation::start(3, &[("north", &[0, 1])], rules, &mut rng);
    for i in 0..3 {
        let member = fed.councils[i].admit(rng.keypair());
        let pay = ActionBody::Ledger(LedgerAction::Transfer {
            to: member.public(),
            amount: Kc::whole(10 * (i as i64 + 1)),
            memo: "seeds".into(),
        });
        fed.councils[i].submit(pay).expect_status(201);
    }
    let month = month_label(month_index(Timestamp(now_ms())));
    let cli = Cli::new(fed.nodes[0].url());

    // This month, as the community sees it.
    let own = cli.json(&["stats", "--month", &month]);
    let m = &own["months"][0];
    assert_eq!(m["month"], month);
    assert_eq!(kc(&m["counts"]["circulation"]), 10_000, "{own}");
    assert_eq!(m["counts"]["active"], 2, "{own}");
    assert_eq!(m["figures"]["coverage"]["shown"], "100.0%", "{own}");
    let text = cli.ok(&["stats", "--month", &month]);
    assert!(
        text.contains("circulation") && text.contains("10 KC"),
        "{text}"
    );

    // Nobody has published this month yet: every community is missing.
    let network = cli.json(&["stats", "--level", "network", "--month", &month]);
    assert_eq!(
        network["months"][0]["missing"].as_array().map(Vec::len),
        Some(3)
    );

    // The month ends on every node's clock (and stays ended: their public
    // entries are sealed at that time from now on).
    let next = month_start(month_index(Timestamp(now_ms())) + 1).0 + 1_000;
    for node in &fed.nodes {
        node.set_clock(next);
    }
    let summed = converge(CONVERGE, "every community's month is in", || {
        let v = cli.json(&["stats", "--level", "network", "--month", &month]);
        let done = v["months"][0]["missing"]
            .as_array()
            .is_some_and(Vec::is_empty);
        done.then_some(v)
    });
    let m = &summed["months"][0];
    assert_eq!(summed["level"], "network");
    assert_eq!(m["reporting"].as_array().map(Vec::len), Some(3));
    assert_eq!(kc(&m["counts"]["circulation"]), 60_000, "{summed}");
    assert_eq!(m["counts"]["members"], 6, "{summed}");
    // Rates are recomputed from the sums: 6 active of 6 members.
    assert_eq!(m["figures"]["coverage"]["shown"], "100.0%", "{summed}");
    assert!(m["figures"]["gini"].is_null(), "no Gini across communities");

    // The region: communities 0 and 1 only, as any node sees it.
    let other = Cli::new(fed.nodes[2].url());
    let north = converge(CONVERGE, "the region's months are in", || {
        let v = other.json(&["stats", "--level", "region:north", "--month", &month]);
        let done = v["months"][0]["missing"]
            .as_array()
            .is_some_and(Vec::is_empty);
        done.then_some(v)
    });
    let m = &north["months"][0];
    assert_eq!(north["level"], "region:north");
    assert_eq!(m["reporting"].as_array().map(Vec::len), Some(2));
    assert_eq!(kc(&m["counts"]["circulation"]), 30_000, "{north}");

    // The month has closed on community 0: its stocks and its Gini.
    let own = cli.json(&["stats", "--month", &month]);
    assert_eq!(own["months"][0]["closed"], true, "{own}");
    assert!(own["distribution"]["gini"]["shown"].is_string(), "{own}");

    // Bad levels and months are refused with their codes.
    let r = cli.run(&["stats", "--level", "region:south", "--month", &month]);
    r.assert_refused("unknown_region");
    let r = cli.run(&["stats", "--month", "2026-13"]);
    assert!(!r.success(), "a bad month is refused");
    for node in &mut fed.nodes {
        node.stop();
    }
}
