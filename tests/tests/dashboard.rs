//! The dashboard in a real browser: a real `hearthd` with some history,
//! headless Chromium loading every page. No page causes a console error;
//! the public pages show public data only; `/me` refuses a visitor and,
//! after `hearth dashboard --no-open`, shows the member's own accounts in
//! a session the page's scripts cannot read. Screenshots of each page are
//! saved under `target/browser-artifacts/`. The last test drives a
//! `hearthd devnet --simulate` history.

use hearth_tests::Node;
use hearth_tests::browser::{Browser, Loaded, artifacts_dir};
use serde_json::Value;

/// Asserts a page loaded with `status` and no errors at all.
#[track_caller]
fn clean(page: &Loaded, status: u16, what: &str) {
    assert_eq!(page.status, status, "{what}: {page:?}");
    assert!(
        page.errors.is_empty(),
        "{what} caused errors: {:#?}",
        page.errors
    );
}

/// The rows of the tables matching `selector`: each row's cells' text.
fn rows(browser: &mut Browser, selector: &str) -> Vec<Vec<String>> {
    let value = browser.evaluate(&format!(
        "[...document.querySelectorAll({selector:?} + ' tbody tr')]\
         .map(r => [...r.children].map(c => c.textContent.trim()))"
    ));
    serde_json::from_value(value).expect("rows of text")
}

fn text(browser: &mut Browser) -> String {
    browser
        .evaluate("document.body.innerText")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_page_loads_clean_and_a_member_sees_their_own_view_only_with_a_session() {
    let node = Node::start();
    let (alice, bob) = node.alice_and_bob();
    let did = |cli: &hearth_tests::Cli| -> String {
        cli.json(&["key", "show"])["did"]
            .as_str()
            .expect("a did")
            .to_string()
    };
    let alice_did = did(&alice);
    alice.ok(&["name", "Alice"]);
    bob.ok(&["pay", &alice_did, "12.5", "--memo", "the ladder"]);
    let proposal = alice.json(&[
        "propose",
        "--kind",
        "policy",
        "--title",
        "Plant the orchard",
    ]);
    assert!(proposal["id"].is_string(), "{proposal}");

    let mut browser = Browser::launch();
    let shots = artifacts_dir();
    let base = node.url().to_string();

    // The governance page, for a visitor: the council, and only how many
    // of the community's own proposals are open.
    let page = browser.goto(&format!("{base}/"));
    clean(&page, 200, "/");
    let council = rows(&mut browser, "table.council");
    assert_eq!(council.len(), 1, "{council:?}");
    assert_eq!(council[0][0], "Alice");
    assert_eq!(council[0][3], "in term");
    let body = text(&mut browser);
    assert!(body.contains("1 open proposal."), "{body}");
    assert!(
        !body.contains("Plant the orchard"),
        "a visitor sees no local proposal: {body}"
    );
    assert_eq!(browser.evaluate("document.scripts.length"), Value::from(0));
    browser.screenshot(&shots.join("governance.png"));

    // The member view refuses a visitor and shows nothing of anyone.
    let page = browser.goto(&format!("{base}/me"));
    assert_eq!(page.status, 401, "{page:?}");
    // (Chromium logs a failed load as an error: so the collection works.)
    assert!(
        !page.errors.is_empty() && page.errors.iter().all(|e| e.contains("401")),
        "only the refusal itself is logged: {:#?}",
        page.errors
    );
    let body = text(&mut browser);
    assert!(
        body.contains("hearth dashboard") && !body.contains(&alice_did),
        "{body}"
    );
    browser.screenshot(&shots.join("me-refused.png"));

    // Alice signs in through the CLI and opens the URL it prints.
    let url = alice.ok(&["dashboard", "--no-open"]).trim().to_string();
    assert!(url.starts_with(&format!("{base}/login?token=")), "{url}");
    let page = browser.goto(&url);
    clean(&page, 200, "the login URL, redirected to /me");
    assert_eq!(browser.evaluate("location.pathname"), Value::from("/me"));
    assert_eq!(
        browser.evaluate("document.cookie"),
        Value::from(""),
        "the session cookie is HttpOnly"
    );
    let body = text(&mut browser);
    assert!(body.contains(&alice_did), "{body}");
    let balance = browser.evaluate("document.querySelector('[data-field=balance]').textContent");
    assert_eq!(balance, Value::from("12.5 KC"));
    browser.screenshot(&shots.join("me.png"));

    // The governance page now shows her the community's own proposals.
    let page = browser.goto(&format!("{base}/"));
    clean(&page, 200, "/ for a member");
    let open = rows(&mut browser, "table.proposals");
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        (open[0][0].as_str(), open[0][1].as_str()),
        ("Plant the orchard", "policy")
    );
    assert!(open[0][4].contains("0 ballots"), "{open:?}");
    browser.screenshot(&shots.join("governance-member.png"));

    // The login URL worked once; signing out ends the session.
    let page = browser.goto(&url);
    assert_eq!(page.status, 401, "{page:?}");
    let page = browser.goto(&format!("{base}/logout"));
    clean(&page, 200, "/logout, redirected to /");
    let page = browser.goto(&format!("{base}/me"));
    assert_eq!(page.status, 401, "{page:?}");
    // Bob's own session shows his balance, not Alice's.
    let url = bob.ok(&["dashboard", "--no-open"]).trim().to_string();
    clean(&browser.goto(&url), 200, "Bob's login");
    let balance = browser.evaluate("document.querySelector('[data-field=balance]').textContent");
    assert_eq!(balance, Value::from("-12.5 KC"));
    assert!(!text(&mut browser).contains(&alice_did));
}

/// Every figure of the page: its id, its columns' keys, its rows' cells,
/// and whether it has a drawing.
type Figure = (String, Vec<String>, Vec<Vec<String>>, bool);

fn figures(browser: &mut Browser) -> Vec<Figure> {
    let value = browser.evaluate(
        "[...document.querySelectorAll('figure[data-figure]')].map(f => [\
            f.dataset.figure,\
            [...f.querySelectorAll('thead th')].map(h => h.dataset.key),\
            [...f.querySelectorAll('tbody tr')].map(r => [...r.children].map(c => c.textContent.trim())),\
            f.querySelector('svg') !== null])",
    );
    serde_json::from_value(value).expect("figures")
}

/// The figures given in KC (milli-KC in the JSON).
const KC_FIGURES: [&str; 2] = ["circulation", "pool_contributions"];

/// What a table cell shows for a figure of `/v1/analytics`: a fraction's
/// `shown`, a count as it is, an amount in KC, a dash for no figure.
fn shown(key: &str, value: &Value) -> String {
    match value {
        Value::Null => "—".to_string(),
        Value::Object(fraction) => fraction["shown"].as_str().expect("shown").to_string(),
        Value::Number(n) if KC_FIGURES.contains(&key) => {
            hearth_protocol::Kc(n.as_i64().expect("milli-KC")).to_string()
        }
        Value::Number(n) => n.to_string(),
        other => panic!("unexpected figure {key}: {other}"),
    }
}

/// Checks that every monthly table of the page shows exactly the figures
/// of `report` (its `months`), that every figure has its drawing, and
/// returns how many cells were compared.
#[track_caller]
fn monthly_tables_match(figures: &[Figure], report: &Value) -> usize {
    let months = report["months"].as_array().expect("months");
    let mut compared = 0;
    for (id, keys, rows, drawn) in figures {
        assert!(drawn, "figure {id} has its chart");
        if keys.first().map(String::as_str) != Some("month") {
            continue;
        }
        assert_eq!(rows.len(), months.len(), "{id}: one row a month");
        for (row, month) in rows.iter().zip(months) {
            assert_eq!(row[0], month["month"].as_str().expect("a month"), "{id}");
            for (key, cell) in keys.iter().zip(row).skip(1) {
                assert_eq!(
                    *cell,
                    shown(key, &month["figures"][key]),
                    "{id}, {key}, {}",
                    row[0]
                );
                compared += 1;
            }
        }
    }
    compared
}

#[test]
fn the_analytics_pages_show_exactly_the_figures_of_v1_analytics() {
    let node = Node::start();
    let (alice, bob) = node.alice_and_bob();
    let alice_did = alice.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();
    let bob_did = bob.json(&["key", "show"])["did"]
        .as_str()
        .expect("a did")
        .to_string();
    bob.ok(&["pay", &alice_did, "12.5", "--memo", "the ladder"]);
    alice.ok(&["pay", &bob_did, "3", "--memo", "seeds"]);
    let hour = alice.json(&["hours", "log", &bob_did, "1h", "--category", "gardening"]);
    bob.ok(&["hours", "confirm", hour["id"].as_str().expect("an id")]);
    alice.json(&[
        "propose",
        "--kind",
        "policy",
        "--title",
        "Plant the orchard",
    ]);

    let http = hearth_tests::Http::new();
    let base = node.url().to_string();
    let report = http.get(&base, "/v1/analytics", &[]).expect("analytics");
    assert_eq!(report.status, 200, "{}", report.text);
    let report = report.json;

    let mut browser = Browser::launch();
    let shots = artifacts_dir();
    let page = browser.goto(&format!("{base}/analytics"));
    clean(&page, 200, "/analytics");
    let found = figures(&mut browser);
    let ids: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    for id in [
        "participation",
        "circulation",
        "velocity",
        "insurance",
        "learning",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    assert!(monthly_tables_match(&found, &report) > 0);
    // This month's circulation: 12.5 + 3 KC of transfers and the hour's 1 KC.
    let last = report["months"]
        .as_array()
        .and_then(|m| m.last())
        .expect("a month");
    assert_eq!(
        shown("circulation", &last["figures"]["circulation"]),
        "16.5 KC",
        "{last}"
    );
    if !report["distribution"].is_null() {
        let lorenz = found
            .iter()
            .find(|f| f.0 == "lorenz")
            .expect("the Lorenz curve");
        let points = report["distribution"]["lorenz"].as_array().expect("points");
        assert_eq!(lorenz.2.len(), points.len());
        for (row, point) in lorenz.2.iter().zip(points) {
            assert_eq!(row[0], point[0]["shown"].as_str().expect("shown"));
            assert_eq!(row[1], point[1]["shown"].as_str().expect("shown"));
        }
    }
    browser.screenshot(&shots.join("analytics.png"));
}

#[test]
fn network_and_regional_votes_and_figures_show_across_communities() {
    use hearth_protocol::economy::income::{month_index, month_label, month_start};
    use hearth_protocol::governance::Level;
    use hearth_protocol::{ActionBody, Kc, LedgerAction, Millis, Timestamp};
    use hearth_tests::federation::{CONVERGE, Federation, quick_rules};
    use hearth_tests::{Rng, converge, now_ms};

    let mut rng = Rng::from_env();
    let rules = quick_rules(Millis::secs(3600), Millis::secs(60), 1);
    let mut fed = Federation::start(2, &[("north", &[0, 1])], rules, &mut rng);
    let network = Federation::propose(
        &mut fed.councils[1],
        Level::Network,
        "Shared tool insurance",
    );
    let region = fed.network.genesis.clone();
    let north = hearth_protocol::federation::genesis::region_id(&fed.id(), "north");
    assert_eq!(region.regions[0].name, "north");
    let regional = Federation::propose(
        &mut fed.councils[0],
        Level::Regional(north),
        "A northern orchard",
    );
    fed.converge_proposal(&network);
    fed.converge_proposal(&regional);

    let mut browser = Browser::launch();
    let shots = artifacts_dir();
    let base = fed.nodes[0].url().to_string();
    let page = browser.goto(&format!("{base}/"));
    clean(&page, 200, "/ in a network");
    let votes = rows(&mut browser, "table.federation");
    let find = |title: &str| {
        votes
            .iter()
            .find(|r| r[0] == title)
            .unwrap_or_else(|| panic!("{title} in {votes:?}"))
            .clone()
    };
    assert_eq!(find("Shared tool insurance")[1], "network");
    assert_eq!(find("A northern orchard")[1], "region north");
    browser.screenshot(&shots.join("governance-network.png"));

    // Each community moves money; then the month ends on both nodes'
    // clocks, each publishes its month, and the network sums them.
    let http = hearth_tests::Http::new();
    for i in 0..2 {
        let member = fed.councils[i].admit(rng.keypair());
        let pay = ActionBody::Ledger(LedgerAction::Transfer {
            to: member.public(),
            amount: Kc::whole(10 * (i as i64 + 1)),
            memo: "seeds".into(),
        });
        fed.councils[i].submit(pay).expect_status(201);
    }
    let this = month_index(Timestamp(now_ms()));
    let month = month_label(this);
    let next = month_start(this + 1).0 + 1_000;
    for node in &fed.nodes {
        node.set_clock(next);
    }
    let query = format!("/v1/analytics?level=network&from={month}&to={month}");
    converge(CONVERGE, "both communities' month is in", || {
        let r = http.get(&base, &query, &[]).ok()?;
        let missing = r.json["months"][0]["missing"].as_array()?;
        missing.is_empty().then_some(())
    });

    for (page_path, api_path, shot) in [
        (
            "/analytics/network",
            "/v1/analytics?level=network",
            "analytics-network.png",
        ),
        (
            "/analytics/region/north",
            "/v1/analytics?level=region:north",
            "analytics-region.png",
        ),
    ] {
        let report = http.get(&base, api_path, &[]).expect("analytics");
        assert_eq!(report.status, 200, "{api_path}: {}", report.text);
        let page = browser.goto(&format!("{base}{page_path}"));
        clean(&page, 200, page_path);
        let found = figures(&mut browser);
        assert!(
            found.iter().any(|f| f.0 == "participation"),
            "{page_path}: {found:?}"
        );
        assert!(monthly_tables_match(&found, &report.json) > 0);
        // The month both communities published: reporting, none missing.
        let reporting = rows(&mut browser, "table.reporting");
        let row = reporting
            .iter()
            .find(|r| r[0] == month)
            .unwrap_or_else(|| panic!("{month} in {reporting:?}"));
        assert_eq!(
            (row[1].as_str(), row[2].as_str()),
            ("2", "0"),
            "{page_path}"
        );
        browser.screenshot(&shots.join(shot));
    }

    // The closed month gives the community its distribution: the Lorenz
    // curve, its points exactly as the API shows them.
    let report = http
        .get(&base, "/v1/analytics", &[])
        .expect("analytics")
        .json;
    let points = report["distribution"]["lorenz"]
        .as_array()
        .expect("a distribution");
    clean(
        &browser.goto(&format!("{base}/analytics")),
        200,
        "/analytics",
    );
    let found = figures(&mut browser);
    let lorenz = found
        .iter()
        .find(|f| f.0 == "lorenz")
        .expect("the Lorenz curve");
    assert!(lorenz.3, "the Lorenz curve is drawn");
    assert_eq!(lorenz.2.len(), points.len());
    for (row, point) in lorenz.2.iter().zip(points) {
        assert_eq!(row[0], point[0]["shown"].as_str().expect("shown"));
        assert_eq!(row[1], point[1]["shown"].as_str().expect("shown"));
    }
    let gini = report["distribution"]["gini"]["shown"]
        .as_str()
        .expect("a Gini");
    let caption = browser.evaluate("document.querySelector('#lorenz figcaption').textContent");
    assert!(
        caption
            .as_str()
            .is_some_and(|c| c.ends_with(&format!("Gini {gini}"))),
        "{caption}"
    );
    browser.screenshot(&shots.join("analytics-closed-month.png"));
    // A region the network does not have is a clean 404 page.
    let page = browser.goto(&format!("{base}/analytics/region/atlantis"));
    assert_eq!(page.status, 404, "{page:?}");
}

/// `hearthd devnet --simulate`: two communities with two months of
/// simulated history, every page clean and equal to the API, the member
/// view of a simulated member.
#[test]
fn a_simulated_history_shows_on_every_page() {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    use hearth_tests::{CLI_TIMEOUT, converge, hearth_bin, hearthd_bin, run_to_end};

    let root = tempfile::Builder::new()
        .prefix("hearth-dash-sim-")
        .tempdir()
        .expect("a temporary directory");
    let out = root.path().join("out");
    let mut child = Command::new(hearthd_bin())
        .args(["devnet", "--communities", "2", "--members", "30"])
        .args(["--simulate", "2mo", "--seed", "5", "--dir"])
        .arg(root.path().join("devnet"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out).expect("a file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start hearthd devnet");
    /// Kills the devnet when the test ends, however it ends.
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let devnet = Kill(&mut child);
    let text = converge(Duration::from_secs(120), "the devnet is ready", || {
        if let Ok(Some(status)) = devnet.0.try_wait() {
            panic!("hearthd devnet exited ({status}) before it was ready");
        }
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        text.lines()
            .any(|l| l.starts_with("Ready."))
            .then_some(text)
    });
    // The first community's API and CLI home, as the devnet printed them.
    let field = |name: &str| {
        text.lines()
            .find_map(|l| {
                let mut words = l.split_whitespace();
                (l.starts_with("  ") && words.next() == Some(name)).then(|| words.next())
            })
            .flatten()
            .unwrap_or_else(|| panic!("no {name} in:\n{text}"))
            .to_string()
    };
    let (base, home) = (field("api"), field("home"));
    let hearth = |args: &[&str]| {
        let mut command = Command::new(hearth_bin());
        command
            .args(["--node", &base, "--key", "member1"])
            .args(args)
            .env("HEARTH_HOME", &home)
            .env_remove("HEARTH_NODE")
            .env_remove("HEARTH_KEY")
            .env("NO_COLOR", "1");
        let run = run_to_end(command, root.path(), CLI_TIMEOUT);
        assert!(run.success(), "hearth {args:?}: {run}");
        run.stdout
    };

    let http = hearth_tests::Http::new();
    let mut browser = Browser::launch();
    let shots = artifacts_dir();
    for (page_path, api_path, shot) in [
        ("/analytics", "/v1/analytics", "sim-analytics.png"),
        (
            "/analytics/network",
            "/v1/analytics?level=network",
            "sim-analytics-network.png",
        ),
    ] {
        let report = http.get(&base, api_path, &[]).expect("analytics");
        assert_eq!(report.status, 200, "{api_path}: {}", report.text);
        clean(&browser.goto(&format!("{base}{page_path}")), 200, page_path);
        let found = figures(&mut browser);
        assert!(
            monthly_tables_match(&found, &report.json) > 0,
            "{page_path}"
        );
        browser.screenshot(&shots.join(shot));
    }

    let url = hearth(&["dashboard", "--no-open"]).trim().to_string();
    clean(&browser.goto(&url), 200, "a simulated member's login");
    let balance: Value = serde_json::from_str(&hearth(&["--json", "balance"])).expect("json");
    let shown = browser.evaluate("document.querySelector('[data-field=balance]').textContent");
    let kc = hearth_protocol::Kc(balance["balance"].as_i64().expect("a balance"));
    assert_eq!(shown, Value::from(kc.to_string()));
    browser.screenshot(&shots.join("sim-me.png"));
    clean(
        &browser.goto(&format!("{base}/")),
        200,
        "/ with a simulated history",
    );
    let decisions = rows(&mut browser, "table.decisions");
    assert!(
        !decisions.is_empty(),
        "the simulated proposals were decided"
    );
    assert!(!rows(&mut browser, "table.council").is_empty());
    browser.screenshot(&shots.join("sim-governance.png"));
}
