//! Charts as inline SVG, drawn on the server: a line chart with axes and
//! labels, a Lorenz curve with its line of equality, and paired bars.
//! Every chart is a `<figure>` with a `<figcaption>` and, beside the
//! drawing, a `<table>` of the very figures it plots (the table is what a
//! screen reader reads and what tests compare).

use maud::{Markup, html};

/// Width of a chart's drawing, in SVG units.
const WIDTH: f64 = 640.0;
/// Height of a chart's drawing.
const HEIGHT: f64 = 280.0;
/// Room for the axes' labels: left, right, top, bottom.
const PAD: (f64, f64, f64, f64) = (56.0, 32.0, 16.0, 40.0);
/// Room for a legend above the plot.
const LEGEND: f64 = 18.0;

/// The colours of series, in order (readable on white, distinct in grey).
const COLOURS: [&str; 4] = ["#1f5f8b", "#c2562b", "#3c8d2f", "#7a4f9a"];

/// One plotted series: its name and a value per label (`None`: no figure
/// that month, drawn as a gap).
#[derive(Debug, Clone)]
pub struct Series {
    /// What it measures.
    pub name: String,
    /// The values, one per label of the chart.
    pub values: Vec<Option<f64>>,
}

/// A number for SVG attributes: two decimals at most.
fn n(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A round step for about five ticks up to `max`.
fn step(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let unit = raw / magnitude;
    let nice = if unit <= 1.0 {
        1.0
    } else if unit <= 2.0 {
        2.0
    } else if unit <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A tick's label: whole numbers plainly, others with what decimals they need.
fn tick_label(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        n(x)
    }
}

/// A line chart of `series` over `labels` (months, say), `y_unit` naming
/// the vertical axis. Gaps (`None`) break the line.
pub fn line_chart(title: &str, y_unit: &str, labels: &[String], series: &[Series]) -> Markup {
    let (left, right, top, bottom) = PAD;
    // A legend takes a line above the plot.
    let top = if series.len() > 1 { top + LEGEND } else { top };
    let plot_w = WIDTH - left - right;
    let plot_h = HEIGHT - top - bottom;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0f64, |m, v| m.max(*v));
    // Percentages keep their whole scale, so months and charts compare.
    let max = if y_unit == "%" { max.max(100.0) } else { max };
    let step = step(max);
    let top_value = (max / step).ceil().max(1.0) * step;
    let ticks: Vec<f64> = (0..=((top_value / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    let x = |i: usize| -> f64 {
        match labels.len() {
            0 | 1 => left + plot_w / 2.0,
            len => left + plot_w * i as f64 / (len - 1) as f64,
        }
    };
    let y = |v: f64| top + plot_h - plot_h * (v / top_value);
    // Label at most about eight months along the axis, evenly.
    let every = labels.len().div_ceil(8).max(1);
    html! {
        svg class="chart" role="img" viewBox={ "0 0 " (n(WIDTH)) " " (n(HEIGHT)) }
            xmlns="http://www.w3.org/2000/svg" aria-label=(title) {
            title { (title) }
            @for t in &ticks {
                line class="grid" x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(y(*t))) y2=(n(y(*t))) {}
                text class="tick" x=(n(left - 6.0)) y=(n(y(*t) + 4.0)) text-anchor="end" { (tick_label(*t)) }
            }
            line class="axis" x1=(n(left)) x2=(n(left)) y1=(n(top)) y2=(n(top + plot_h)) {}
            line class="axis" x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(top + plot_h)) y2=(n(top + plot_h)) {}
            @for (i, label) in labels.iter().enumerate() {
                @if i % every == 0 || i + 1 == labels.len() {
                    text class="tick" x=(n(x(i))) y=(n(top + plot_h + 18.0)) text-anchor="middle" { (label) }
                }
            }
            text class="unit" x="12" y=(n(top + plot_h / 2.0)) text-anchor="middle"
                transform={ "rotate(-90 12 " (n(top + plot_h / 2.0)) ")" } { (y_unit) }
            @for (k, s) in series.iter().enumerate() {
                @let colour = COLOURS[k % COLOURS.len()];
                @for run in runs(&s.values) {
                    @if run.len() > 1 {
                        polyline class="line" fill="none" stroke=(colour) stroke-width="2"
                            points=(run.iter().map(|(i, v)| format!("{},{}", n(x(*i)), n(y(*v)))).collect::<Vec<_>>().join(" ")) {}
                    }
                }
                @for (i, v) in s.values.iter().enumerate() {
                    @if let Some(v) = v {
                        circle cx=(n(x(i))) cy=(n(y(*v))) r="3" fill=(colour) {
                            title { (s.name) ", " (labels.get(i).map_or("", String::as_str)) ": " (n(*v)) }
                        }
                    }
                }
            }
            @if series.len() > 1 {
                @for (k, s) in series.iter().enumerate() {
                    rect x=(n(left + 8.0 + 150.0 * k as f64)) y="6" width="10" height="10"
                        fill=(COLOURS[k % COLOURS.len()]) {}
                    text class="legend" x=(n(left + 22.0 + 150.0 * k as f64)) y="15" { (s.name) }
                }
            }
        }
    }
}

/// The unbroken runs of a series: (index, value) of consecutive figures.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => out.last_mut().map_or((), |r| r.push((i, *v))),
            None => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// A Lorenz curve through `points` (cumulative share of members, of what
/// they hold; both 0..=1), with the diagonal of perfect equality.
pub fn lorenz(title: &str, points: &[(f64, f64)]) -> Markup {
    let size = 260.0;
    let (left, top) = (48.0, 12.0);
    let x = |v: f64| left + size * v.clamp(0.0, 1.0);
    let y = |v: f64| top + size - size * v.clamp(0.0, 1.0);
    let curve = points
        .iter()
        .map(|(a, b)| format!("{},{}", n(x(*a)), n(y(*b))))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        svg class="chart lorenz" role="img" viewBox={ "0 0 " (n(left + size + 16.0)) " " (n(top + size + 40.0)) }
            xmlns="http://www.w3.org/2000/svg" aria-label=(title) {
            title { (title) }
            @for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
                line class="grid" x1=(n(x(0.0))) x2=(n(x(1.0))) y1=(n(y(t))) y2=(n(y(t))) {}
                text class="tick" x=(n(left - 6.0)) y=(n(y(t) + 4.0)) text-anchor="end" { (n(t * 100.0)) "%" }
                text class="tick" x=(n(x(t))) y=(n(top + size + 18.0)) text-anchor="middle" { (n(t * 100.0)) "%" }
            }
            line class="axis" x1=(n(x(0.0))) x2=(n(x(0.0))) y1=(n(y(0.0))) y2=(n(y(1.0))) {}
            line class="axis" x1=(n(x(0.0))) x2=(n(x(1.0))) y1=(n(y(0.0))) y2=(n(y(0.0))) {}
            line class="equality" x1=(n(x(0.0))) y1=(n(y(0.0))) x2=(n(x(1.0))) y2=(n(y(1.0)))
                stroke="#888" stroke-dasharray="4 4" {}
            @if points.len() > 1 {
                polyline class="line" fill="none" stroke=(COLOURS[0]) stroke-width="2" points=(curve) {}
            }
            text class="unit" x=(n(x(0.5))) y=(n(top + size + 36.0)) text-anchor="middle" { "share of members" }
        }
    }
}

/// One pair of bars: a name, what is held and what is owed.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The name under the bars.
    pub name: String,
    /// The first bar (a balance).
    pub first: f64,
    /// The second bar (what is owed).
    pub second: f64,
}

/// Paired bars (held, owed) per name, with `names` saying what each bar is.
pub fn bars(title: &str, names: (&str, &str), pairs: &[Pair]) -> Markup {
    let (left, right, top, bottom) = PAD;
    let top = top + LEGEND;
    let plot_w = WIDTH - left - right;
    let plot_h = HEIGHT - top - bottom;
    let max = pairs
        .iter()
        .fold(0.0f64, |m, p| m.max(p.first).max(p.second));
    let step = step(max);
    let top_value = (max / step).ceil().max(1.0) * step;
    let y = |v: f64| top + plot_h - plot_h * (v.max(0.0) / top_value);
    let slot = plot_w / pairs.len().max(1) as f64;
    let bar = (slot * 0.35).min(40.0);
    let ticks: Vec<f64> = (0..=((top_value / step).round() as usize))
        .map(|i| i as f64 * step)
        .collect();
    html! {
        svg class="chart bars" role="img" viewBox={ "0 0 " (n(WIDTH)) " " (n(HEIGHT)) }
            xmlns="http://www.w3.org/2000/svg" aria-label=(title) {
            title { (title) }
            @for t in &ticks {
                line class="grid" x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(y(*t))) y2=(n(y(*t))) {}
                text class="tick" x=(n(left - 6.0)) y=(n(y(*t) + 4.0)) text-anchor="end" { (tick_label(*t)) }
            }
            line class="axis" x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(top + plot_h)) y2=(n(top + plot_h)) {}
            @for (i, p) in pairs.iter().enumerate() {
                @let centre = left + slot * (i as f64 + 0.5);
                rect class="bar" x=(n(centre - bar)) y=(n(y(p.first))) width=(n(bar))
                    height=(n(top + plot_h - y(p.first))) fill=(COLOURS[0]) {
                    title { (p.name) ", " (names.0) ": " (n(p.first)) }
                }
                rect class="bar" x=(n(centre)) y=(n(y(p.second))) width=(n(bar))
                    height=(n(top + plot_h - y(p.second))) fill=(COLOURS[1]) {
                    title { (p.name) ", " (names.1) ": " (n(p.second)) }
                }
                text class="tick" x=(n(centre)) y=(n(top + plot_h + 18.0)) text-anchor="middle" { (p.name) }
            }
            rect x=(n(left + 8.0)) y="6" width="10" height="10" fill=(COLOURS[0]) {}
            text class="legend" x=(n(left + 22.0)) y="15" { (names.0) }
            rect x=(n(left + 158.0)) y="6" width="10" height="10" fill=(COLOURS[1]) {}
            text class="legend" x=(n(left + 172.0)) y="15" { (names.1) }
        }
    }
}

/// A figure: caption, drawing and the table of its figures (`head`: each
/// column's name and the key of what it shows, as `data-key`; `rows`: the
/// cells, exactly as shown). `id` names the figure (`data-figure`), for
/// links and tests.
pub fn figure(
    id: &str,
    caption: &str,
    chart: Markup,
    head: &[(&str, &str)],
    rows: &[Vec<String>],
) -> Markup {
    html! {
        figure class="figure" id=(id) data-figure=(id) {
            figcaption { (caption) }
            div class="pair" {
                div class="drawing" { (chart) }
                table class="figures" {
                    thead { tr { @for (label, key) in head { th scope="col" data-key=(key) { (label) } } } }
                    tbody {
                        @for row in rows {
                            tr {
                                @for (i, cell) in row.iter().enumerate() {
                                    @if i == 0 { th scope="row" { (cell) } } @else { td { (cell) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(step(10.0), 2.0);
        assert_eq!(step(0.9), 0.2);
        assert_eq!(step(730.0), 200.0);
        assert_eq!(step(0.0), 1.0);
    }

    #[test]
    fn a_line_chart_draws_each_run_and_point() {
        let labels: Vec<String> = ["2026-01", "2026-02", "2026-03", "2026-04"]
            .map(String::from)
            .to_vec();
        let s = Series {
            name: "turnout".into(),
            values: vec![Some(0.5), None, Some(0.25), Some(1.0)],
        };
        let svg = line_chart("Turnout", "share", &labels, &[s]).into_string();
        // Only the run of two consecutive figures is a line; every figure is a point.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("2026-01") && svg.contains("2026-04"));
        assert!(svg.contains("<title>Turnout</title>"));
    }

    #[test]
    fn labels_are_escaped() {
        let svg = line_chart("<b>", "x", &["<m>".to_string()], &[]).into_string();
        assert!(!svg.contains("<b>") && svg.contains("&lt;b&gt;") && svg.contains("&lt;m&gt;"));
    }

    #[test]
    fn a_lorenz_curve_has_its_diagonal() {
        let svg = lorenz("Lorenz", &[(0.0, 0.0), (0.5, 0.2), (1.0, 1.0)]).into_string();
        assert!(svg.contains("class=\"equality\""));
        assert!(svg.contains("points=\"48,272 178,220 308,12\""), "{svg}");
    }

    #[test]
    fn bars_come_in_pairs() {
        let pairs = [
            Pair {
                name: "aid".into(),
                first: 10.0,
                second: 4.0,
            },
            Pair {
                name: "ins".into(),
                first: 0.0,
                second: 0.0,
            },
        ];
        let svg = bars("Solvency", ("balance", "owed"), &pairs).into_string();
        assert_eq!(svg.matches("class=\"bar\"").count(), 4);
    }

    #[test]
    fn a_figure_tables_its_cells_as_given() {
        let f = figure(
            "t",
            "Turnout",
            html! {},
            &[("Month", "month"), ("Turnout", "voting_turnout")],
            &[vec!["2026-01".into(), "33.3%".into()]],
        )
        .into_string();
        assert!(
            f.contains("<th scope=\"row\">2026-01</th><td>33.3%</td>"),
            "{f}"
        );
        assert!(
            f.contains("<th scope=\"col\" data-key=\"voting_turnout\">Turnout</th>"),
            "{f}"
        );
        assert!(f.contains("<figcaption>Turnout</figcaption>"));
    }
}
