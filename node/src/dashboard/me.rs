//! `/me`: a member's own view, for a session opened by `hearth
//! dashboard` — balance and credit limit, their standing in the aid and
//! insurance pools, their tool loans, space bookings and learning
//! sessions. Without a valid session: a 401 page and no data.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use hearth_protocol::economy::{aid, insurance, learning, spaces, tools};
use hearth_protocol::state::records::Account;
use hearth_protocol::state::{StateRead, StoreError};
use hearth_protocol::{PublicKey, Timestamp};
use maud::{Markup, html};
use serde::Serialize;

use super::{
    Dash, community_name, datetime, error_page, html_page, layout, session_member, storage_failure,
};
use crate::api::Node;

/// A value's stable (snake_case) name, as the JSON API writes it.
fn word(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(o)) => o.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// `GET /me`.
pub(super) async fn page<N: Node>(State(dash): State<Dash<N>>, headers: HeaderMap) -> Response {
    let (_, name) = match community_name(&dash.node) {
        Ok(c) => c,
        Err(failure) => return failure.into_response(),
    };
    let Some((member, until)) = session_member(&dash, &headers) else {
        return error_page(
            StatusCode::UNAUTHORIZED,
            "Members only",
            "This page shows a member's own accounts. Run `hearth dashboard` to sign in: it opens a short read-only session in this browser.",
        );
    };
    match body(dash.node.storage(), &member, until) {
        Ok(body) => html_page(layout("My accounts", &name, Some(&member), body)),
        Err(e) => storage_failure(e),
    }
}

fn body(
    storage: &(impl StateRead + ?Sized),
    member: &PublicKey,
    until: Timestamp,
) -> Result<Markup, StoreError> {
    let balance = storage.balance(&Account::Member(*member))?;
    let credit_limit = hearth_protocol::state::rules::in_force(storage)
        .map(|r| r.credit_limit)
        .ok();
    let requests: Vec<aid::AidRequest> = aid::requests(storage)?
        .into_iter()
        .filter(|r| r.member == *member)
        .collect();
    let aid_pools = aid::pools(storage)?;
    let pool_name = |id| {
        aid_pools
            .iter()
            .find(|p| p.id == id)
            .map_or_else(String::new, |p| p.name.clone())
    };
    let mut enrolled = Vec::new();
    for pool in insurance::pools(storage)? {
        if let Some(e) = insurance::enrolment(storage, &pool.id, member)? {
            enrolled.push((pool.name.clone(), e));
        }
    }
    let claims: Vec<insurance::Claim> = insurance::claims(storage)?
        .into_iter()
        .filter(|c| c.member == *member)
        .collect();
    let loans = tools::member_loans(storage, member)?;
    let mut bookings = Vec::new();
    for b in spaces::member_bookings(storage, member)? {
        let space = spaces::space(storage, &b.space)?.map_or_else(String::new, |s| s.spec.name);
        bookings.push((space, b));
    }
    let mut sessions = Vec::new();
    for s in learning::sessions(storage)? {
        let role = if s.teacher == *member {
            "teaching"
        } else if s.students.iter().any(|st| st.member == *member) {
            "enrolled"
        } else {
            continue;
        };
        let skill = learning::skill(storage, &s.skill)?.map_or_else(String::new, |k| k.name);
        sessions.push((role, skill, s));
    }
    sessions.sort_by_key(|(_, _, s)| std::cmp::Reverse(s.start));
    Ok(html! {
        h1 { "My accounts" }
        p class="muted" { "Signed in as " code { (member.to_did()) } ", read-only, until " (datetime(until)) "." }
        section id="balance" {
            h2 { "Balance" }
            table class="balance" {
                tbody {
                    tr { th scope="row" { "Balance" } td data-field="balance" { (balance.to_string()) } }
                    @if let Some(limit) = credit_limit {
                        tr { th scope="row" { "Credit limit" } td data-field="credit_limit" { (limit.to_string()) } }
                    }
                }
            }
        }
        section id="pools" {
            h2 { "Pools" }
            h3 { "Aid requests" }
            @if requests.is_empty() { p class="muted" { "No aid request." } } @else {
                table class="aid" {
                    thead { tr { th { "Pool" } th { "Amount" } th { "Opened" } th { "Status" } } }
                    tbody { @for r in &requests { tr data-id=(r.id) {
                        td { (pool_name(r.pool)) } td { (r.amount.to_string()) } td { (datetime(r.created)) } td { (word(&r.status)) }
                    } } }
                }
            }
            h3 { "Insurance" }
            @if enrolled.is_empty() { p class="muted" { "Not enrolled in an insurance pool." } } @else {
                table class="insurance" {
                    thead { tr { th { "Pool" } th { "Since" } th { "Paid through" } th { "Status" } } }
                    tbody { @for (pool, e) in &enrolled { tr {
                        td { (pool) } td { (datetime(e.since)) } td { (datetime(e.paid_through)) } td { (word(&e.status)) }
                    } } }
                }
            }
            @if !claims.is_empty() {
                table class="claims" {
                    thead { tr { th { "Claim" } th { "Amount" } th { "Opened" } th { "Status" } } }
                    tbody { @for c in &claims { tr data-id=(c.id) {
                        td { (c.reason) } td { (c.amount.to_string()) } td { (datetime(c.created)) } td { (word(&c.status)) }
                    } } }
                }
            }
        }
        section id="loans" {
            h2 { "Tool loans" }
            @if loans.is_empty() { p class="muted" { "No loan." } } @else {
                table class="loans" {
                    thead { tr { th { "Item" } th { "Since" } th { "Due" } th { "Deposit" } th { "State" } } }
                    tbody { @for l in &loans { tr data-id=(l.id) {
                        td { (l.name) } td { (datetime(l.started)) } td { (datetime(l.due)) } td { (l.deposit.to_string()) }
                        td { (word(&l.state)) @if l.overdue { " (overdue)" } }
                    } } }
                }
            }
        }
        section id="bookings" {
            h2 { "Space bookings" }
            @if bookings.is_empty() { p class="muted" { "No booking." } } @else {
                table class="bookings" {
                    thead { tr { th { "Space" } th { "From" } th { "To" } th { "Note" } th { "" } } }
                    tbody { @for (space, b) in &bookings { tr data-id=(b.id) {
                        td { (space) } td { (datetime(b.start)) } td { (datetime(b.end)) } td { (b.note) }
                        td { @if b.cancelled.is_some() { "cancelled" } }
                    } } }
                }
            }
        }
        section id="sessions" {
            h2 { "Learning sessions" }
            @if sessions.is_empty() { p class="muted" { "No session." } } @else {
                table class="sessions" {
                    thead { tr { th { "Skill" } th { "Role" } th { "Starts" } th { "Place" } th { "" } } }
                    tbody { @for (role, skill, s) in &sessions { tr data-id=(s.id) {
                        td { (skill) } td { (role) } td { (datetime(s.start)) } td { (s.place) }
                        td { @if s.cancelled.is_some() { "cancelled" } }
                    } } }
                }
            }
        }
    })
}
