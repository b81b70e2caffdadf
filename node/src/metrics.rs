//! The node's Prometheus metrics: one registry, built once when the node
//! task starts, holding every series `/metrics` serves. The node task and
//! the HTTP layer update them as things happen; what is read from storage
//! (log heads, the roster) is set when `/metrics` is scraped. Encoding is
//! the crate's OpenMetrics text encoder.

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of what [`Metrics::encode`] writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of an HTTP request counted by route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The matched route template (`/v1/proposals/{id}`), or `unmatched`.
    pub route: String,
    /// The HTTP method.
    pub method: String,
    /// The response status code.
    pub status: u16,
}

/// Labels of an HTTP request's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The matched route template, or `unmatched`.
    pub route: String,
    /// The HTTP method.
    pub method: String,
}

/// Which way something moved.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DirectionLabels {
    /// `in` or `out` for gossip, `served` or `received` for sync.
    pub direction: &'static str,
}

/// A community, by its id in hex.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommunityLabels {
    /// The community id.
    pub community: String,
}

/// One of the node's own two logs.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LogLabels {
    /// `public` or `local`.
    pub log: &'static str,
}

/// A histogram of seconds from 0.5 ms to about 16 s.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Every series the node exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Actions accepted into the logs.
    pub accepted: Counter,
    /// Actions refused.
    pub rejected: Counter,
    /// Log entries sealed.
    pub entries: Counter,
    /// Seals (group commits).
    pub seals: Counter,
    /// Storage flushes.
    pub flushes: Counter,
    /// How long each flush took.
    pub flush_seconds: Histogram,
    /// How long each seal took (applying its actions and committing them).
    pub seal_seconds: Histogram,
    /// HTTP requests by route, method and status.
    pub http_requests: Family<RequestLabels, Counter>,
    /// HTTP request latency by route and method.
    pub http_seconds: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// Peers connected over p2p.
    pub peers: Gauge,
    /// Gossip messages received (`in`) and published (`out`).
    pub gossip: Family<DirectionLabels, Counter>,
    /// Gossip messages judged invalid.
    pub gossip_rejected: Counter,
    /// Sync ranges served to peers and received from them.
    pub sync_ranges: Family<DirectionLabels, Counter>,
    /// Bytes of sync ranges served and received.
    pub sync_bytes: Family<DirectionLabels, Counter>,
    /// The head seq of each public log the node holds.
    pub public_head: Family<CommunityLabels, Gauge>,
    /// The head seq of the node's own logs.
    pub log_head: Family<LogLabels, Gauge>,
    /// Regional and network votes not yet final.
    pub pending_votes: Gauge,
    /// Signatures of signed requests the API remembers.
    pub replay_cache: Gauge,
    /// Active members.
    pub members_active: Gauge,
    /// When the service next wants to be ticked (ms since the epoch; 0:
    /// nothing is scheduled). The node task's own note, not exported.
    pub(crate) wakeup: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Builds the registry with every series at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let m = Metrics {
            registry: Registry::default(),
            accepted: Counter::default(),
            rejected: Counter::default(),
            entries: Counter::default(),
            seals: Counter::default(),
            flushes: Counter::default(),
            flush_seconds: seconds(),
            seal_seconds: seconds(),
            http_requests: Family::default(),
            http_seconds: Family::new_with_constructor(seconds as fn() -> Histogram),
            peers: Gauge::default(),
            gossip: Family::default(),
            gossip_rejected: Counter::default(),
            sync_ranges: Family::default(),
            sync_bytes: Family::default(),
            public_head: Family::default(),
            log_head: Family::default(),
            pending_votes: Gauge::default(),
            replay_cache: Gauge::default(),
            members_active: Gauge::default(),
            wakeup: AtomicU64::new(0),
        };
        let r = &mut registry;
        // Counters are named without `_total`: the encoder appends it.
        r.register(
            "hearth_actions_accepted",
            "Actions accepted into the logs",
            m.accepted.clone(),
        );
        r.register(
            "hearth_actions_rejected",
            "Actions refused by the state machine",
            m.rejected.clone(),
        );
        r.register(
            "hearth_entries_sealed",
            "Log entries sealed",
            m.entries.clone(),
        );
        r.register("hearth_seals", "Group commits", m.seals.clone());
        r.register("hearth_flushes", "Storage flushes", m.flushes.clone());
        r.register(
            "hearth_flush_seconds",
            "How long storage flushes took",
            m.flush_seconds.clone(),
        );
        r.register(
            "hearth_seal_seconds",
            "How long seals took (applying a batch of actions and committing it)",
            m.seal_seconds.clone(),
        );
        r.register(
            "hearth_http_requests",
            "HTTP requests by matched route, method and status",
            m.http_requests.clone(),
        );
        r.register(
            "hearth_http_request_seconds",
            "HTTP request latency by matched route and method",
            m.http_seconds.clone(),
        );
        r.register(
            "hearth_peers_connected",
            "Peers connected over p2p",
            m.peers.clone(),
        );
        r.register(
            "hearth_gossip_messages",
            "Gossip messages received (in) and published (out)",
            m.gossip.clone(),
        );
        r.register(
            "hearth_gossip_rejected",
            "Gossip messages judged invalid",
            m.gossip_rejected.clone(),
        );
        r.register(
            "hearth_sync_ranges",
            "Sync ranges of public logs served to peers and received from them",
            m.sync_ranges.clone(),
        );
        r.register(
            "hearth_sync_bytes",
            "Bytes of sync ranges served and received",
            m.sync_bytes.clone(),
        );
        r.register(
            "hearth_public_head_seq",
            "Head seq of each public log the node holds",
            m.public_head.clone(),
        );
        r.register(
            "hearth_log_head_seq",
            "Head seq of the node's own logs",
            m.log_head.clone(),
        );
        r.register(
            "hearth_pending_votes",
            "Regional and network votes not yet final",
            m.pending_votes.clone(),
        );
        r.register(
            "hearth_replay_cache_entries",
            "Signatures of signed requests the node remembers",
            m.replay_cache.clone(),
        );
        r.register(
            "hearth_members_active",
            "Active members",
            m.members_active.clone(),
        );
        // Series with labels known in advance exist from the start, at
        // zero: a rate over a series that appears later misses its first
        // increase.
        for direction in ["in", "out"] {
            let _ = m.gossip.get_or_create(&DirectionLabels { direction });
        }
        for direction in ["served", "received"] {
            let _ = m.sync_ranges.get_or_create(&DirectionLabels { direction });
            let _ = m.sync_bytes.get_or_create(&DirectionLabels { direction });
        }
        for log in ["public", "local"] {
            let _ = m.log_head.get_or_create(&LogLabels { log });
        }
        Metrics { registry, ..m }
    }

    /// Every series in the OpenMetrics text format ([`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Counts an HTTP request answered with `status` after `elapsed`.
    pub fn request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.http_requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.http_seconds
            .get_or_create(&RouteLabels {
                route: route.to_string(),
                method: method.to_string(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a sync range of `bytes` bytes `served` or `received`.
    pub fn sync(&self, direction: &'static str, bytes: u64) {
        let labels = DirectionLabels { direction };
        self.sync_ranges.get_or_create(&labels).inc();
        self.sync_bytes.get_or_create(&labels).inc_by(bytes);
    }

    /// Counts a gossip message moving `direction` (`in` or `out`).
    pub fn gossip(&self, direction: &'static str) {
        self.gossip
            .get_or_create(&DirectionLabels { direction })
            .inc();
    }

    /// Brings a counter up to `total` (the service keeps the totals; one
    /// writer, so the difference is what happened since the last call).
    pub fn catch_up(counter: &Counter, total: u64) {
        let have = counter.get();
        if total > have {
            counter.inc_by(total - have);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_series_is_named_once_and_counters_end_in_total() {
        let m = Metrics::new();
        m.request("/v1/proposals/{id}", "GET", 200, Duration::from_millis(3));
        m.sync("served", 100);
        m.gossip("in");
        m.flush_seconds.observe(0.002);
        Metrics::catch_up(&m.accepted, 5);
        Metrics::catch_up(&m.accepted, 3);
        let text = m.encode();
        assert!(text.ends_with("# EOF\n"), "{text}");
        assert!(text.contains("hearth_actions_accepted_total 5\n"), "{text}");
        assert!(
            text.contains(
                "hearth_http_requests_total{route=\"/v1/proposals/{id}\",method=\"GET\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("hearth_flush_seconds_count 1"), "{text}");
        assert!(text.contains("hearth_sync_bytes_total{direction=\"served\"} 100"));
        assert!(!text.contains("micros"), "no unit-mangled names: {text}");
        let mut types: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .filter_map(|l| l.split(' ').next())
            .collect();
        let before = types.len();
        types.sort_unstable();
        types.dedup();
        assert_eq!(types.len(), before, "each family once: {types:?}");
    }
}
