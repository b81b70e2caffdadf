//! Space sharing reads (member-only: bookings are local-log data): the
//! spaces, one space with its bookings, a booking, what a booking action
//! (a weekly series) booked and skipped, and the iCalendar feeds — a
//! space's bookings and the signer's own.
//!
//! Calendar applications cannot sign requests, so a member does not
//! subscribe to a feed by URL: `hearth space calendar` fetches it with a
//! signed request and writes an `.ics` file to import.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::economy::spaces::{self, calendar};
use serde_json::{Value, json};

use super::{Api, ApiError, Member, Node, not_found, path_id};

/// The media type of iCalendar feeds.
pub const CALENDAR_TYPE: &str = "text/calendar; charset=utf-8";

/// The space sharing routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new()
        .route("/v1/spaces", get(list::<N>))
        .route("/v1/spaces/bookings/{id}", get(booking::<N>))
        .route("/v1/spaces/series/{id}", get(series::<N>))
        .route("/v1/spaces/{id}", get(space::<N>))
        .route("/v1/spaces/{id}/calendar.ics", get(space_calendar::<N>))
        .route("/v1/calendar.ics", get(member_calendar::<N>))
}

async fn list<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "spaces": spaces::spaces(api.node.storage())? }),
    ))
}

fn load_space(
    storage: &(impl hearth_protocol::state::StateRead + ?Sized),
    id: &str,
) -> Result<spaces::Space, ApiError> {
    let id = path_id(id)?;
    spaces::space(storage, &id)?.ok_or_else(|| not_found("unknown_space", format!("no space {id}")))
}

async fn space<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let storage = api.node.storage();
    let space = load_space(storage, &id)?;
    let bookings = spaces::space_bookings(storage, &space.id)?;
    Ok(Json(json!({ "space": space, "bookings": bookings })))
}

async fn booking<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    let booking = spaces::booking(api.node.storage(), &id)?
        .ok_or_else(|| not_found("unknown_booking", format!("no booking {id}")))?;
    Ok(Json(json!(booking)))
}

async fn series<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_id(&id)?;
    let series = spaces::series(api.node.storage(), &id)?
        .ok_or_else(|| not_found("unknown_booking", format!("no booking action {id}")))?;
    Ok(Json(json!(series)))
}

async fn space_calendar<N: Node>(
    State(api): State<Arc<Api<N>>>,
    _member: Member,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let storage = api.node.storage();
    let space = load_space(storage, &id)?;
    let events: Vec<calendar::CalendarEvent> = spaces::space_bookings(storage, &space.id)?
        .iter()
        .map(|b| calendar::booking_event(&space, b))
        .collect();
    let text = calendar::write(&space.spec.name, &events);
    Ok(([(header::CONTENT_TYPE, CALENDAR_TYPE)], text))
}

async fn member_calendar<N: Node>(
    State(api): State<Arc<Api<N>>>,
    Member(member): Member,
) -> Result<impl IntoResponse, ApiError> {
    let events = calendar::member_events(api.node.storage(), &member)?;
    let text = calendar::write("My bookings", &events);
    Ok(([(header::CONTENT_TYPE, CALENDAR_TYPE)], text))
}
