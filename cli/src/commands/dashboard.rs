//! `hearth dashboard`: open your own view of the node's dashboard in a
//! browser, through a signed login and a short read-only session.

use anyhow::{Context as _, Result};
use hearth_protocol::request::{
    LOGIN_CHALLENGE_PATH, LOGIN_PATH, LoginChallenge, LoginGrant, LoginRequest,
};
use serde_json::json;

use crate::api;
use crate::context::{Context, now};
use crate::error::{Code, fail};

/// Open the node's dashboard in your browser, signed in as you.
///
/// The node's dashboard (served on its API port) shows everyone the
/// council, the network's and regions' votes and the community's
/// analytics; the community's own proposals and your own accounts — your
/// balance, aid and insurance standing, tool loans, space bookings and
/// learning sessions — are shown only to you. This command asks the node
/// for a login challenge, signs it with your key and opens the one-time
/// login URL the node answers (valid for a minute, usable once) with
/// $BROWSER, or xdg-open. The browser then holds a read-only session for
/// 15 minutes (a cookie the page's scripts cannot read); "sign out" ends
/// it sooner. Only an active member gets a session.
///
/// Pages: /  (governance), /analytics, /analytics/network,
/// /analytics/region/NAME, /me (your own accounts).
///
/// Examples:
///   hearth dashboard
///   hearth dashboard --no-open        # print the login URL instead
///   hearth --json dashboard --no-open # {"url": …, "expires": …}
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct DashboardArgs {
    /// Print the login URL instead of opening a browser.
    #[arg(long)]
    no_open: bool,
}

/// Runs `hearth dashboard`.
pub fn run(ctx: &Context, args: DashboardArgs) -> Result<()> {
    let signer = ctx.signer()?;
    let client = ctx.client()?;
    let community = ctx.community(&client)?;
    let challenge: LoginChallenge = api::decode(
        client.post_signed(LOGIN_CHALLENGE_PATH, &json!({}), &signer.keypair, now()?)?,
        "login challenge",
    )?;
    let login = LoginRequest {
        community: community.id,
        challenge: challenge.challenge,
    };
    let body = serde_json::to_value(&login).context("cannot encode the login")?;
    let grant: LoginGrant = api::decode(
        client.post_signed(LOGIN_PATH, &body, &signer.keypair, now()?)?,
        "login grant",
    )?;
    let url = format!("{}{}", client.base(), grant.path);
    let value = json!({ "url": url, "expires": grant.expires, "session_ms": grant.session.0 });
    if !args.no_open {
        open(&url)?;
    }
    ctx.out.show(&value, || {
        Ok(match args.no_open {
            true => url.clone(),
            false => format!(
                "opened the dashboard in your browser (a {}-minute session); if it did not open, visit within a minute:\n{url}",
                grant.session.0 / 60_000
            ),
        })
    })
}

/// Opens `url` with `$BROWSER` (the first of its `:`-separated commands
/// that runs) or `xdg-open`.
fn open(url: &str) -> Result<()> {
    let browsers = std::env::var("BROWSER").unwrap_or_default();
    let candidates = browsers
        .split(':')
        .filter(|b| !b.trim().is_empty())
        .map(str::to_owned)
        .chain(std::iter::once("xdg-open".to_owned()));
    for browser in candidates {
        let mut words = browser.split_whitespace();
        let Some(program) = words.next() else {
            continue;
        };
        let started = std::process::Command::new(program)
            .args(words)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if started.is_ok() {
            return Ok(());
        }
    }
    Err(fail(
        Code::Error,
        format!(
            "no browser could be started (set $BROWSER); open this URL within a minute:\n{url}"
        ),
    ))
}
