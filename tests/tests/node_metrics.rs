//! `/metrics` after real traffic: it parses as OpenMetrics text, counts
//! requests by route template and status, and its head gauges equal the
//! node's heads. The Grafana dashboard in `ops/grafana/hearth.json`
//! queries only series the node exports, and every series exported is on
//! one of its panels.
//!
//! ```text
//!   test (Member over HTTP) ──HTTP──▶ hearthd (127.0.0.1:0)
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use hearth_protocol::{ActionBody, Kc, LedgerAction};
use hearth_tests::{Http, Member, Node, Rng, heads};
use serde_json::Value;

/// One sample of the exposition.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Whether `name` is a valid metric or label name.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// The `{k="v",…}` labels of a sample.
fn labels(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"").expect("label=\"value\"");
        assert!(is_name(key), "label name {key:?}");
        let end = after.find('"').expect("a closing quote");
        out.insert(key.to_string(), after[..end].to_string());
        rest = after[end + 1..].trim_start_matches(',');
    }
    out
}

/// Parses an OpenMetrics text exposition strictly enough for a test:
/// every sample belongs to a family declared by `# TYPE` before it, names
/// and labels are well formed, values are numbers, and `# EOF` ends it.
fn parse(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "ends with # EOF");
    for line in &lines[..lines.len() - 1] {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            match (words.next(), words.next(), words.next()) {
                (Some("TYPE"), Some(name), Some(kind)) => {
                    assert!(is_name(name), "{line}");
                    assert!(
                        ["counter", "gauge", "histogram", "info", "unknown"].contains(&kind),
                        "{line}"
                    );
                    assert!(
                        types.insert(name.to_string(), kind.to_string()).is_none(),
                        "family {name} declared twice"
                    );
                }
                (Some("HELP" | "UNIT"), Some(name), _) => assert!(is_name(name), "{line}"),
                _ => panic!("unexpected comment: {line}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, labels(rest.strip_suffix('}').expect("}"))),
            None => (series, BTreeMap::new()),
        };
        assert!(is_name(name), "{line}");
        let family = ["_total", "_bucket", "_sum", "_count", "_created"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| types.contains_key(*f)))
            .unwrap_or(name);
        assert!(types.contains_key(family), "no # TYPE for {name}");
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    (types, samples)
}

/// The value of the one sample `name` with `labels` among them.
fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    assert_eq!(found.len(), 1, "one {name} {with:?}: {found:?}");
    found[0].value
}

fn scrape(url: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let response = Http::new().get(url, "/metrics", &[]).expect("GET /metrics");
    assert_eq!(response.status, 200, "{}", response.text);
    parse(&response.text)
}

#[test]
fn metrics_after_traffic_parse_and_agree_with_the_node() {
    let mut rng = Rng::from_env();
    let node = Node::start();
    let mut council = Member::found(&node, rng.keypair());
    let bob = council.admit(rng.keypair());
    council
        .submit(ActionBody::Ledger(LedgerAction::Transfer {
            to: bob.public(),
            amount: Kc::whole(3),
            memo: String::new(),
        }))
        .expect_status(201);
    // A refusal: paying oneself.
    council
        .submit(ActionBody::Ledger(LedgerAction::Transfer {
            to: council.public(),
            amount: Kc::whole(1),
            memo: String::new(),
        }))
        .expect_error(422, "self_transfer");
    let http = Http::new();
    for _ in 0..5 {
        assert_eq!(
            http.get(node.url(), "/v1/logs/heads", &[])
                .expect("heads")
                .status,
            200
        );
    }
    let unknown = "/v1/federation/proposals/".to_string() + &"ab".repeat(32);
    for _ in 0..3 {
        assert_eq!(
            http.get(node.url(), &unknown, &[])
                .expect("proposal")
                .status,
            404
        );
    }

    let (types, samples) = scrape(node.url());
    assert_eq!(
        types.get("hearth_flush_seconds").map(String::as_str),
        Some("histogram")
    );
    assert!(!types.keys().any(|t| t.contains("micros")), "{types:?}");
    let requests = |route: &str, status: &str| {
        value(
            &samples,
            "hearth_http_requests_total",
            &[("route", route), ("method", "GET"), ("status", status)],
        )
    };
    assert!(requests("/v1/logs/heads", "200") >= 5.0);
    assert!(requests("/v1/federation/proposals/{id}", "404") >= 3.0);
    assert!(
        !samples
            .iter()
            .any(|s| s.labels.values().any(|v| v.contains("abab"))),
        "routes are templates, not raw paths"
    );
    let latency = value(
        &samples,
        "hearth_http_request_seconds_count",
        &[("route", "/v1/logs/heads"), ("method", "GET")],
    );
    assert!(latency >= 5.0);
    // Founder join, invite, join, transfer.
    assert!(value(&samples, "hearth_actions_accepted_total", &[]) >= 4.0);
    assert!(value(&samples, "hearth_actions_rejected_total", &[]) >= 1.0);
    assert_eq!(value(&samples, "hearth_members_active", &[]), 2.0);

    let heads = heads(node.url());
    let community = hearth_tests::community_id(node.url()).to_string();
    let public = heads["public"]["seq"].as_u64().expect("public head") as f64;
    let local = heads["local"]["seq"].as_u64().expect("local head") as f64;
    assert_eq!(
        value(
            &samples,
            "hearth_public_head_seq",
            &[("community", &community)]
        ),
        public
    );
    assert_eq!(
        value(&samples, "hearth_log_head_seq", &[("log", "public")]),
        public
    );
    assert_eq!(
        value(&samples, "hearth_log_head_seq", &[("log", "local")]),
        local
    );
    assert!(local >= 1.0, "the transfer is in the local log");

    // A histogram's buckets grow to +Inf, which equals its count.
    let flushes = value(&samples, "hearth_flush_seconds_count", &[]);
    assert!(flushes >= 4.0, "a flush per acknowledged action");
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == "hearth_flush_seconds_bucket")
        .map(|s| s.value)
        .collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    assert_eq!(buckets.last(), Some(&flushes));
    assert!(value(&samples, "hearth_seal_seconds_count", &[]) >= 4.0);
}

/// Every `hearth_*` name in a PromQL expression.
fn names_in(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = expr;
    while let Some(at) = rest.find("hearth_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        names.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    names
}

#[test]
fn the_grafana_dashboard_queries_what_the_node_exports_and_all_of_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/grafana/hearth.json");
    let text = std::fs::read_to_string(&path).expect("the dashboard");
    let dashboard: Value = serde_json::from_str(&text).expect("the dashboard is JSON");
    assert!(dashboard["schemaVersion"].as_u64().is_some_and(|v| v >= 36));
    assert!(dashboard["title"].is_string() && dashboard["uid"].is_string());
    let variables = dashboard["templating"]["list"]
        .as_array()
        .expect("variables");
    assert!(
        variables.iter().any(|v| v["type"] == "datasource"
            && v["query"] == "prometheus"
            && v["name"] == "datasource"),
        "a Prometheus data source variable"
    );
    let panels = dashboard["panels"].as_array().expect("panels");
    let mut queried = BTreeSet::new();
    for panel in panels {
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{panel}");
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{}", panel["title"]);
        for target in targets {
            queried.extend(names_in(target["expr"].as_str().expect("an expression")));
        }
    }

    // What a node exports once it has served a request or two.
    let node = Node::start();
    let mut rng = Rng::from_env();
    Member::found(&node, rng.keypair());
    let (types, samples) = scrape(node.url());
    let exported: BTreeSet<String> = samples.iter().map(|s| s.name.clone()).collect();
    let unknown: Vec<&String> = queried.difference(&exported).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard queries what the node does not export: {unknown:?}"
    );
    for family in types.keys() {
        assert!(
            queried.iter().any(|q| q.starts_with(family.as_str())),
            "no panel shows {family}"
        );
    }
}
