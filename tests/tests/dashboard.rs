//! The dashboard in a real browser: a real `hearthd` with some history,
//! headless Chromium loading every page. No page causes a console error;
//! the public pages show public data only; `/me` refuses a visitor and,
//! after `hearth dashboard --no-open`, shows the member's own accounts in
//! a session the page's scripts cannot read. Screenshots of each page are
//! saved under `target/browser-artifacts/`.

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
