//! `/`: the governance dashboard. Everyone sees the council and its
//! terms and the network's and regions' votes (public-log data) with how
//! many of the community's own proposals are open; a member logged in
//! also sees those proposals — stage, deadline and the running count
//! unless the rules hide it — and the recent decisions.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use hearth_protocol::governance::{Level, Stage};
use hearth_protocol::state::decide::{self, Verdict};
use hearth_protocol::state::governance::{self, ProposalRecord};
use hearth_protocol::state::membership::display_name;
use hearth_protocol::state::{Context, StateRead, StoreError, council};
use hearth_protocol::{PublicKey, Timestamp};
use maud::{Markup, html};

use super::{
    Dash, community_name, datetime, html_page, layout, session_member, short_did, storage_failure,
};
use crate::api::Node;
use crate::runtime;

/// How many decisions the page lists, most recent first.
const RECENT_DECISIONS: usize = 20;

/// A stage's stable name.
fn stage_name(stage: Stage) -> String {
    serde_json::to_value(stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{stage:?}").to_lowercase())
}

/// A verdict in words.
fn verdict_text(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Passed => "passed".into(),
        Verdict::Failed => "failed".into(),
        Verdict::Withdrawn => "withdrawn".into(),
        Verdict::Winner(Some(i)) => format!("option {} won", i + 1),
        Verdict::Winner(None) => "no winner".into(),
        Verdict::Tied(options) => {
            let options: Vec<String> = options.iter().map(|i| (i + 1).to_string()).collect();
            format!("tied: options {}", options.join(", "))
        }
        Verdict::NoBallots => "no ballots".into(),
        Verdict::Elected(keys) => format!("{} elected", keys.len()),
        Verdict::Selected(projects) => format!("{} projects funded", projects.len()),
    }
}

/// A member's display name, or the start of their did.
fn who(storage: &(impl StateRead + ?Sized), key: &PublicKey) -> Result<String, StoreError> {
    Ok(display_name(storage, key)?.map_or_else(|| short_did(key), |n| n.name))
}

/// `GET /`.
pub(super) async fn page<N: Node>(State(dash): State<Dash<N>>, headers: HeaderMap) -> Response {
    let (_, name) = match community_name(&dash.node) {
        Ok(c) => c,
        Err(failure) => return failure.into_response(),
    };
    let member = session_member(&dash, &headers).map(|(m, _)| m);
    let now = runtime::now();
    match body(&dash.node, member.is_some(), now) {
        Ok(body) => html_page(layout("Governance", &name, member.as_ref(), body)),
        Err(e) => storage_failure(e),
    }
}

fn body<N: Node>(node: &N, member: bool, now: Timestamp) -> Result<Markup, StoreError> {
    let storage = node.storage();
    let proposals = governance::proposals(storage)?;
    let (open, closed): (Vec<&ProposalRecord>, Vec<&ProposalRecord>) = proposals
        .iter()
        .partition(|p| p.stage_at(now) != Stage::Closed);
    Ok(html! {
        h1 { "Governance" }
        section id="proposals" {
            h2 { "Open proposals" }
            @if member {
                (open_table(storage, &open, now)?)
            } @else {
                p data-count="open-proposals" { (open.len()) " open proposal" @if open.len() != 1 { "s" } "." }
                p class="note" {
                    "The community's own proposals and decisions are for its members: run "
                    code { "hearth dashboard" } " to sign in."
                }
            }
        }
        @if member {
            section id="decisions" {
                h2 { "Recent decisions" }
                (decisions_table(storage, &closed)?)
            }
        }
        section id="council" {
            h2 { "Council" }
            (council_table(storage, now)?)
        }
        section id="federation" {
            h2 { "Network and regional votes" }
            (federation_table(node, now))
        }
    })
}

fn open_table(
    storage: &(impl StateRead + ?Sized),
    open: &[&ProposalRecord],
    now: Timestamp,
) -> Result<Markup, StoreError> {
    if open.is_empty() {
        return Ok(html! { p class="muted" { "No proposal is open." } });
    }
    let ctx = Context::load(storage, now).ok();
    let mut rows = Vec::new();
    for p in open {
        let ballots = governance::ballots(storage, &p.id)?.len();
        let hidden = ctx
            .as_ref()
            .is_none_or(|c| c.rules.hidden_tally.contains(&p.proposal.kind));
        let running = match (&ctx, hidden) {
            (_, true) => "hidden until the close".to_string(),
            (Some(ctx), false) => match decide::count(storage, ctx, p) {
                Ok((_, verdict)) => format!(
                    "{ballots} ballot{} · {}",
                    plural(ballots),
                    leaning(&verdict)
                ),
                Err(_) => format!("{ballots} ballot{}", plural(ballots)),
            },
            (None, false) => String::new(),
        };
        rows.push((p, running));
    }
    Ok(html! {
        table class="proposals" {
            thead { tr { th { "Title" } th { "Kind" } th { "Stage" } th { "Closes" } th { "Running count" } } }
            tbody {
                @for (p, running) in &rows {
                    tr data-proposal=(p.id) {
                        td { (p.proposal.title) }
                        td { (p.proposal.kind.as_str()) }
                        td { (stage_name(p.stage_at(now))) }
                        td { (datetime(p.schedule.closes)) }
                        td { (running) }
                    }
                }
            }
        }
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A running verdict, as a lean.
fn leaning(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Passed => "passing now".into(),
        Verdict::Failed => "failing now".into(),
        other => format!("now: {}", verdict_text(other)),
    }
}

fn decisions_table(
    storage: &(impl StateRead + ?Sized),
    closed: &[&ProposalRecord],
) -> Result<Markup, StoreError> {
    let mut decided = Vec::new();
    for p in closed {
        if let Some(d) = decide::decision(storage, &p.id)? {
            decided.push((*p, d));
        }
    }
    decided.sort_by_key(|d| std::cmp::Reverse(d.1.closed));
    decided.truncate(RECENT_DECISIONS);
    if decided.is_empty() {
        return Ok(html! { p class="muted" { "Nothing has been decided yet." } });
    }
    Ok(html! {
        table class="decisions" {
            thead { tr { th { "Title" } th { "Kind" } th { "Closed" } th { "Result" } } }
            tbody {
                @for (p, d) in &decided {
                    tr data-proposal=(p.id) {
                        td { (p.proposal.title) }
                        td { (p.proposal.kind.as_str()) }
                        td { (datetime(d.closed)) }
                        td { (verdict_text(&d.verdict)) }
                    }
                }
            }
        }
    })
}

fn council_table(
    storage: &(impl StateRead + ?Sized),
    now: Timestamp,
) -> Result<Markup, StoreError> {
    let members = council::seated(storage)?;
    let seats = council::seats(&members, now);
    if seats.is_empty() {
        return Ok(html! { p class="muted" { "No council is seated." } });
    }
    let mut rows = Vec::new();
    for (m, seat, standing) in &seats {
        let standing = match standing {
            council::Standing::InTerm => "in term",
            council::Standing::Caretaker => "caretaker",
            council::Standing::Expired => "term ended",
        };
        rows.push((
            who(storage, &m.key)?,
            m.key.to_did(),
            seat.since,
            seat.term_ends,
            standing,
        ));
    }
    Ok(html! {
        table class="council" {
            thead { tr { th { "Member" } th { "Seated" } th { "Term ends" } th { "Standing" } } }
            tbody {
                @for (name, did, since, ends, standing) in &rows {
                    tr data-did=(did) {
                        td { (name) }
                        td { (datetime(*since)) }
                        td { (datetime(*ends)) }
                        td { (standing) }
                    }
                }
            }
        }
    })
}

fn federation_table<N: Node>(node: &N, now: Timestamp) -> Markup {
    let shared = node.federation();
    let guard = shared.read();
    let Some(view) = guard.as_ref() else {
        return html! { p class="muted" { "This community is not in a network." } };
    };
    let region_name = |id: &hearth_protocol::Hash| {
        view.network
            .regions
            .iter()
            .find(|r| {
                hearth_protocol::federation::genesis::region_id(&view.network_id, &r.name) == *id
            })
            .map_or_else(|| id.to_string()[..12].to_string(), |r| r.name.clone())
    };
    let mut rows = Vec::new();
    for (id, p) in &view.proposals {
        let Some(tallied) = shared.tally(view, id, now) else {
            continue;
        };
        let level = match p.proposal.level {
            Level::Network => "network".to_string(),
            Level::Regional(region) => format!("region {}", region_name(&region)),
            Level::Local => continue,
        };
        let result = &tallied.result;
        let outcome = match (result.is_final, result.passed) {
            (true, true) => "passed",
            (true, false) => "failed",
            (false, true) => "passing now",
            (false, false) => "failing now",
        };
        let open = tallied.stage != Stage::Closed;
        rows.push((
            open,
            result.report.closes,
            *id,
            p.proposal.title.clone(),
            level,
            stage_name(tallied.stage),
            outcome,
        ));
    }
    // Open votes first, soonest to close first; then the closed, latest first.
    rows.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(if a.0 { a.1.cmp(&b.1) } else { b.1.cmp(&a.1) })
    });
    if rows.is_empty() {
        return html! { p class="muted" { "No network or regional vote yet." } };
    }
    html! {
        table class="federation" {
            thead { tr { th { "Title" } th { "Level" } th { "Stage" } th { "Closes" } th { "Result" } } }
            tbody {
                @for (_, closes, id, title, level, stage, outcome) in &rows {
                    tr data-proposal=(id) {
                        td { (title) }
                        td { (level) }
                        td { (stage) }
                        td { (datetime(*closes)) }
                        td { (outcome) }
                    }
                }
            }
        }
    }
}
