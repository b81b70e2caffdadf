//! Analytics (public: aggregates only). `GET /v1/analytics` gives the
//! community's figures month by month from the counters the state keeps;
//! `level=network` or `level=region:NAME` gives the same across
//! communities, summed from the `Stats` records their nodes published.
//! No member's data is in either.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use hearth_protocol::analytics::{self, MAX_MONTHS, network};
use hearth_protocol::economy::income::{month_index, month_label};
use hearth_protocol::state::StateRead;
use serde::Deserialize;
use serde_json::Value;

use super::{Api, ApiError, Node, not_found};

/// The analytics routes.
pub(super) fn routes<N: Node>() -> Router<Arc<Api<N>>> {
    Router::new().route("/v1/analytics", get(analytics::<N>))
}

/// `?from=YYYY-MM&to=YYYY-MM&level=community|network|region:NAME`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// First month (default: eleven months before `to`, not before the
    /// community or network began).
    pub from: Option<String>,
    /// Last month (default: this month).
    pub to: Option<String>,
    /// Whose figures (default: this community).
    pub level: Option<String>,
}

/// Which figures a query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnalyticsLevel {
    /// This community's.
    Community,
    /// Its network's.
    Network,
    /// A region of its network.
    Region(String),
}

fn invalid(message: impl ToString) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", message)
}

impl AnalyticsQuery {
    /// The level asked for.
    pub fn level(&self) -> Result<AnalyticsLevel, ApiError> {
        match self.level.as_deref() {
            None | Some("community") => Ok(AnalyticsLevel::Community),
            Some("network") => Ok(AnalyticsLevel::Network),
            Some(other) => match other.strip_prefix("region:") {
                Some(name) if !name.is_empty() => Ok(AnalyticsLevel::Region(name.to_string())),
                _ => Err(invalid(format!(
                    "level {other:?}: use community, network or region:NAME"
                ))),
            },
        }
    }

    /// The months asked for (months since 1970-01): `to` defaults to the
    /// month of `now`, `from` to eleven months before it but not before
    /// `start`.
    pub fn months(
        &self,
        now: hearth_protocol::Timestamp,
        start: u32,
    ) -> Result<(u32, u32), ApiError> {
        let parse = |text: &str| {
            analytics::parse_month(text)
                .ok_or_else(|| invalid(format!("month {text:?}: expected YYYY-MM")))
        };
        let to = match &self.to {
            Some(text) => parse(text)?,
            None => month_index(now),
        };
        let from = match &self.from {
            Some(text) => parse(text)?,
            None => to.saturating_sub(11).max(start.min(to)),
        };
        if from > to {
            return Err(invalid(format!(
                "from {} is after to {}",
                month_label(from),
                month_label(to)
            )));
        }
        if to - from >= MAX_MONTHS {
            return Err(invalid(format!("at most {MAX_MONTHS} months at a time")));
        }
        Ok((from, to))
    }
}

/// The figures a query asks for, as JSON: what the route serves and what
/// the dashboard draws.
pub fn answer<N: Node>(node: &N, q: &AnalyticsQuery) -> Result<Value, ApiError> {
    let now = crate::runtime::now();
    match q.level()? {
        AnalyticsLevel::Community => {
            let storage = node.storage();
            let start = storage
                .community()?
                .map_or(0, |c| month_index(c.genesis.created));
            let (from, to) = q.months(now, start)?;
            let report = analytics::report(storage, from, to)?;
            Ok(serde_json::to_value(report).unwrap_or_default())
        }
        level => {
            let guard = node.federation().read();
            let Some(view) = guard.as_ref() else {
                return Err(not_found(
                    "no_network",
                    "this community belongs to no network (see `hearth network`)",
                ));
            };
            let start = month_index(view.network.created);
            let (from, to) = q.months(now, start)?;
            let region = match &level {
                AnalyticsLevel::Region(name) => Some(name.as_str()),
                _ => None,
            };
            let report = network::of_view(view, region, from, to)
                .map_err(|e| not_found("unknown_region", e))?;
            Ok(serde_json::to_value(report).unwrap_or_default())
        }
    }
}

async fn analytics<N: Node>(
    State(api): State<Arc<Api<N>>>,
    q: Result<Query<AnalyticsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| {
        invalid(format!(
            "{} (the query takes from, to and level)",
            e.body_text()
        ))
    })?;
    answer(&api.node, &q).map(Json)
}
