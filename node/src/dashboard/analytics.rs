//! `/analytics`, `/analytics/network`, `/analytics/region/{name}`: the
//! monthly figures as charts, each beside the table of its figures.
//!
//! The pages draw the very report `GET /v1/analytics` serves, read from
//! its JSON form: a fraction is `{num, den, shown}` and its table cell is
//! exactly `shown`; KC amounts (milli-KC) show as KC; counts as they are.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use hearth_protocol::Kc;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::svg::{self, Pair, Series};
use super::{Dash, community_name, error_page, html_page, layout, session_member};
use crate::api::Node;
use crate::api::analytics::{AnalyticsQuery, answer};

/// What a figure is, which says how it is plotted and shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An exact fraction `{num, den, shown}` (or null: no figure).
    Fraction,
    /// A count.
    Count,
    /// An amount of milli-KC.
    Kc,
}

/// A column: label, key in `figures`, kind.
type Column = (&'static str, &'static str, Kind);

/// A chart of monthly figures: id, caption, unit of its vertical axis,
/// the figures it plots and those only its table lists.
struct Chart {
    id: &'static str,
    caption: &'static str,
    unit: &'static str,
    plotted: &'static [Column],
    listed: &'static [Column],
}

const CHARTS: &[Chart] = &[
    Chart {
        id: "participation",
        caption: "Participation",
        unit: "%",
        plotted: &[
            ("Voting turnout", "voting_turnout", Kind::Fraction),
            ("Council attendance", "council_attendance", Kind::Fraction),
            ("Coverage", "coverage", Kind::Fraction),
            ("Retention", "retention", Kind::Fraction),
        ],
        listed: &[
            ("Proposals", "proposals", Kind::Count),
            ("Consensus rate", "consensus_rate", Kind::Fraction),
        ],
    },
    Chart {
        id: "circulation",
        caption: "Circulation: KC moved between members",
        unit: "KC",
        plotted: &[("Circulation", "circulation", Kind::Kc)],
        listed: &[],
    },
    Chart {
        id: "velocity",
        caption: "Velocity: circulation ÷ positive balances",
        unit: "×",
        plotted: &[("Velocity", "velocity", Kind::Fraction)],
        listed: &[("Gini", "gini", Kind::Fraction)],
    },
    Chart {
        id: "aid",
        caption: "Mutual aid",
        unit: "requests",
        plotted: &[("Aid requests", "aid_requests", Kind::Count)],
        listed: &[
            ("Fulfilment rate", "fulfilment_rate", Kind::Fraction),
            ("Response (hours)", "response_hours", Kind::Fraction),
            ("Pool contributions", "pool_contributions", Kind::Kc),
        ],
    },
    Chart {
        id: "insurance",
        caption: "Insurance payout ratio: claims paid ÷ premiums (12 months)",
        unit: "%",
        plotted: &[("Payout ratio", "payout_ratio", Kind::Fraction)],
        listed: &[
            ("Insured members", "insurance_members", Kind::Count),
            ("Claims processed", "claims_processed", Kind::Count),
        ],
    },
    Chart {
        id: "learning",
        caption: "Learning activity",
        unit: "count",
        plotted: &[
            ("Course completions", "course_completions", Kind::Count),
            ("Peer sessions", "peer_sessions", Kind::Count),
            ("Skill verifications", "skill_verifications", Kind::Count),
        ],
        listed: &[],
    },
];

/// A fraction's value (`num ÷ den`), scaled to percent when its display
/// is a percentage.
fn fraction_value(f: &Value) -> Option<f64> {
    let num: f64 = f["num"].as_str()?.parse().ok()?;
    let den: f64 = f["den"].as_str()?.parse().ok()?;
    if den == 0.0 {
        return None;
    }
    let percent = f["shown"].as_str().is_some_and(|s| s.ends_with('%'));
    Some(if percent {
        100.0 * num / den
    } else {
        num / den
    })
}

/// A figure's plotted value and its table text.
fn cell(value: &Value, kind: Kind) -> (Option<f64>, String) {
    match kind {
        Kind::Fraction if value.is_null() => (None, "—".into()),
        Kind::Fraction => (
            fraction_value(value),
            value["shown"].as_str().unwrap_or("—").to_string(),
        ),
        Kind::Count => match value.as_u64() {
            Some(n) => (Some(n as f64), n.to_string()),
            None => (None, "—".into()),
        },
        Kind::Kc => match value.as_i64() {
            Some(n) => (Some(n as f64 / 1000.0), Kc(n).to_string()),
            None => (None, "—".into()),
        },
    }
}

/// The charts and tables of a report's months (`months`: each with
/// `month` and `figures`).
fn monthly(months: &[Value]) -> Markup {
    let labels: Vec<String> = months
        .iter()
        .map(|m| m["month"].as_str().unwrap_or_default().to_string())
        .collect();
    html! {
        @for chart in CHARTS {
            @let series: Vec<Series> = chart.plotted.iter().map(|(label, key, kind)| Series {
                name: (*label).to_string(),
                values: months.iter().map(|m| cell(&m["figures"][*key], *kind).0).collect(),
            }).collect();
            @let columns: Vec<&Column> = chart.plotted.iter().chain(chart.listed).collect();
            @let head: Vec<(&str, &str)> = std::iter::once(("Month", "month"))
                .chain(columns.iter().map(|(label, key, _)| (*label, *key)))
                .collect();
            @let rows: Vec<Vec<String>> = months.iter().map(|m| {
                std::iter::once(m["month"].as_str().unwrap_or_default().to_string())
                    .chain(columns.iter().map(|(_, key, kind)| cell(&m["figures"][*key], *kind).1))
                    .collect()
            }).collect();
            (svg::figure(chart.id, chart.caption, svg::line_chart(chart.caption, chart.unit, &labels, &series), &head, &rows))
        }
    }
}

/// The Lorenz curve of a report's distribution, with its Gini coefficient.
fn lorenz(distribution: &Value) -> Markup {
    if distribution.is_null() {
        return html! {};
    }
    let points: Vec<&Value> = distribution["lorenz"]
        .as_array()
        .map_or(Vec::new(), |p| p.iter().collect());
    let share = |f: &Value| {
        let num: f64 = f["num"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0);
        let den: f64 = f["den"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .unwrap_or(1.0);
        if den == 0.0 { 0.0 } else { num / den }
    };
    let plotted: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (share(&p[0]), share(&p[1])))
        .collect();
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            vec![
                p[0]["shown"].as_str().unwrap_or_default().to_string(),
                p[1]["shown"].as_str().unwrap_or_default().to_string(),
            ]
        })
        .collect();
    let gini = distribution["gini"]["shown"].as_str().unwrap_or("—");
    let month = distribution["month"].as_str().unwrap_or_default();
    let caption = format!("Distribution of spending capacity, {month}: Gini {gini}");
    html! {
        div data-gini=(gini) data-month=(month) {
            (svg::figure(
                "lorenz",
                &caption,
                svg::lorenz("Lorenz curve", &plotted),
                &[("Share of members", "members"), ("Share held", "held")],
                &rows,
            ))
        }
    }
}

/// Pool balances against what they owe.
fn solvency(pools: &[Value]) -> Markup {
    if pools.is_empty() {
        return html! {};
    }
    let kc = |v: &Value| v.as_i64().unwrap_or(0);
    let pairs: Vec<Pair> = pools
        .iter()
        .map(|p| Pair {
            name: p["name"].as_str().unwrap_or_default().to_string(),
            first: kc(&p["balance"]) as f64 / 1000.0,
            second: kc(&p["owed"]) as f64 / 1000.0,
        })
        .collect();
    let rows: Vec<Vec<String>> = pools
        .iter()
        .map(|p| {
            vec![
                p["name"].as_str().unwrap_or_default().to_string(),
                p["kind"].as_str().unwrap_or_default().to_string(),
                Kc(kc(&p["balance"])).to_string(),
                Kc(kc(&p["owed"])).to_string(),
            ]
        })
        .collect();
    svg::figure(
        "solvency",
        "Solvency: each pool's balance against what it owes",
        svg::bars("Pool solvency", ("balance", "owed"), &pairs),
        &[
            ("Pool", "name"),
            ("Kind", "kind"),
            ("Balance", "balance"),
            ("Owed", "owed"),
        ],
        &rows,
    )
}

/// A community report (`GET /v1/analytics`'s JSON) as a page body.
pub(super) fn community_body(report: &Value) -> Markup {
    let months: &[Value] = report["months"].as_array().map_or(&[], Vec::as_slice);
    let pools: &[Value] = report["pools"].as_array().map_or(&[], Vec::as_slice);
    html! {
        h1 { "Analytics" }
        p class="muted" {
            "Monthly figures from " (report["from"].as_str().unwrap_or_default())
            " to " (report["to"].as_str().unwrap_or_default())
            ", computed from the community's monthly counters. Each chart's figures are in the table beside it."
        }
        @if months.is_empty() { p { "No month to show yet." } }
        (monthly(months))
        (lorenz(&report["distribution"]))
        (solvency(pools))
    }
}

/// A network or regional report (`GET /v1/analytics?level=…`'s JSON) as
/// a page body.
pub(super) fn network_body(title: &str, report: &Value, regions: &[String]) -> Markup {
    let months: &[Value] = report["months"].as_array().map_or(&[], Vec::as_slice);
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    html! {
        h1 { (title) }
        p class="muted" {
            "Figures recomputed from the communities' summed monthly counts (never averages of their rates). "
            "Each chart's figures are in the table beside it."
        }
        @if !regions.is_empty() {
            p class="regions" {
                "Regions: "
                @for (i, r) in regions.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/analytics/region/" (r) } { (r) }
                }
            }
        }
        @if months.is_empty() { p { "No month to show yet." } }
        table class="reporting" data-figure="reporting" {
            thead { tr {
                th scope="col" data-key="month" { "Month" }
                th scope="col" data-key="reporting" { "Communities reporting" }
                th scope="col" data-key="missing" { "Missing" }
            } }
            tbody { @for m in months { tr {
                th scope="row" { (m["month"].as_str().unwrap_or_default()) }
                td { (count(&m["reporting"])) }
                td { (count(&m["missing"])) }
            } } }
        }
        (monthly(months))
    }
}

/// The months a page shows: `?from=YYYY-MM&to=YYYY-MM`, as for
/// `GET /v1/analytics` (by default the last twelve).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Range {
    from: Option<String>,
    to: Option<String>,
}

/// A page of figures at `level`, drawn by `body` from the report
/// `GET /v1/analytics` gives for the same query.
fn figures_page<N: Node>(
    dash: &Dash<N>,
    headers: &HeaderMap,
    range: Range,
    level: Option<String>,
    title: &str,
    body: impl FnOnce(&Value) -> Markup,
) -> Response {
    let (_, name) = match community_name(&dash.node) {
        Ok(c) => c,
        Err(failure) => return failure.into_response(),
    };
    let member = session_member(dash, headers).map(|(m, _)| m);
    let query = AnalyticsQuery {
        from: range.from,
        to: range.to,
        level,
    };
    match answer(&dash.node, &query) {
        Ok(report) => html_page(layout(title, &name, member.as_ref(), body(&report))),
        Err(e) => {
            let heading = match e.status() {
                StatusCode::NOT_FOUND => "Not found",
                StatusCode::BAD_REQUEST => "Not a valid query",
                _ => "Figures not available",
            };
            error_page(e.status(), heading, e.message())
        }
    }
}

/// The names of the network's regions.
fn regions<N: Node>(node: &N) -> Vec<String> {
    let guard = node.federation().read();
    guard.as_ref().map_or_else(Vec::new, |view| {
        view.network
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect()
    })
}

/// `GET /analytics`.
pub(super) async fn community<N: Node>(
    State(dash): State<Dash<N>>,
    Query(range): Query<Range>,
    headers: HeaderMap,
) -> Response {
    figures_page(&dash, &headers, range, None, "Analytics", community_body)
}

/// `GET /analytics/network`.
pub(super) async fn network<N: Node>(
    State(dash): State<Dash<N>>,
    Query(range): Query<Range>,
    headers: HeaderMap,
) -> Response {
    figures_page(
        &dash,
        &headers,
        range,
        Some("network".into()),
        "Network analytics",
        |report| network_body("Network analytics", report, &regions(&dash.node)),
    )
}

/// `GET /analytics/region/{name}`.
pub(super) async fn region<N: Node>(
    State(dash): State<Dash<N>>,
    Path(region): Path<String>,
    Query(range): Query<Range>,
    headers: HeaderMap,
) -> Response {
    let title = format!("Region {region}");
    figures_page(
        &dash,
        &headers,
        range,
        Some(format!("region:{region}")),
        &title,
        |report| network_body(&title, report, &regions(&dash.node)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fraction(num: u64, den: u64, shown: &str) -> Value {
        json!({ "num": num.to_string(), "den": den.to_string(), "shown": shown })
    }

    #[test]
    fn a_report_draws_every_chart_with_its_figures_as_shown() {
        let month = |m: &str, turnout: Value, circulation: i64| {
            json!({ "month": m, "counts": {}, "figures": {
                "voting_turnout": turnout, "proposals": 2, "circulation": circulation,
                "velocity": null, "peer_sessions": 3,
            }})
        };
        let report = json!({
            "from": "2026-01", "to": "2026-02",
            "months": [
                month("2026-01", fraction(1, 3, "33.3%"), 12_500),
                month("2026-02", Value::Null, 0),
            ],
            "distribution": {
                "month": "2026-02",
                "gini": fraction(1, 4, "0.25"),
                "lorenz": [[fraction(0, 1, "0%"), fraction(0, 1, "0%")], [fraction(1, 1, "100%"), fraction(1, 1, "100%")]],
            },
            "pools": [{ "kind": "aid", "id": "00", "name": "Hardship", "balance": 40_000, "owed": 5_000 }],
        });
        let html = community_body(&report).into_string();
        for chart in CHARTS {
            assert!(
                html.contains(&format!("data-figure=\"{}\"", chart.id)),
                "{}",
                chart.id
            );
        }
        assert_eq!(html.matches("<svg").count(), CHARTS.len() + 2);
        assert!(
            html.contains("<th scope=\"row\">2026-01</th><td>33.3%</td>"),
            "{html}"
        );
        assert!(html.contains("<td>12.5 KC</td>"), "{html}");
        assert!(
            html.contains("Gini 0.25") && html.contains("<td>40 KC</td><td>5 KC</td>"),
            "{html}"
        );
        // A missing figure is a dash, not a zero.
        assert!(
            html.contains("<th scope=\"row\">2026-02</th><td>—</td>"),
            "{html}"
        );
    }
}
