//! `hearth node status`: the node's peers, networks, log heads, sync and
//! pending votes (`GET /v1/node/status`), read like `rad node status`.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::api::{self, HeadStatus, NodeStatus};
use crate::client::Refusal;
use crate::context::Context;
use crate::error::{Code, fail};
use crate::output::{datetime, fields, printable, table, yes_no};

/// Where the node serves its status.
const PATH: &str = "/v1/node/status";

/// How many hex digits of an id a table shows.
const SHORT_HEX: usize = 12;

/// Show the node's peers, networks, log heads, sync state and pending votes.
///
/// Sections:
///   Peers          the peers connected now, their address and community
///   Networks       the networks the node's community belongs to
///   Heads          every public log the node holds: the last entry it has,
///                  the last one it has heard of, and how far behind it is
///   Sync           whether the node is catching up, and by how many entries
///   Pending votes  votes that are not final: open, in their grace period
///                  (waiting for witnesses) or waiting for finality
///
/// Public: no key needed. With --json, prints the node's answer unchanged.
///
/// Examples:
///   hearth node status
///   hearth --node http://a:7700 node status
///   hearth --json node status | jq '.heads[] | select(.seen > .seq)'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct StatusArgs {}

/// Runs `hearth node status`.
pub fn run(ctx: &Context, _args: StatusArgs) -> Result<()> {
    let client = ctx.client()?;
    let value = client.get(PATH).map_err(|e| older_node(e, client.base()))?;
    ctx.out.show(&value, || {
        let status: NodeStatus = api::decode(value.clone(), "node status")?;
        Ok(describe(&status))
    })
}

/// A node that answers 404 `not_found` predates the status endpoint: an
/// error (exit 2) saying so, not a refusal.
fn older_node(err: anyhow::Error, node: &str) -> anyhow::Error {
    match err.downcast_ref::<Refusal>() {
        Some(r) if r.status == 404 && r.code == "not_found" => fail(
            Code::NodeError,
            format!("the node at {node} serves no status ({PATH}): it runs an older hearthd"),
        ),
        _ => err,
    }
}

/// The node status for people.
pub fn describe(s: &NodeStatus) -> String {
    let names: BTreeMap<&str, &str> = s
        .heads
        .iter()
        .map(|h| (h.community.as_str(), h.name.as_str()))
        .chain([(s.community.as_str(), s.community_name.as_str())])
        .collect();
    let community = |hex: &str| match names.get(hex).filter(|n| !n.is_empty()) {
        Some(name) => format!("{} ({})", printable(name), short(hex)),
        None => short(hex),
    };
    let p2p = if s.p2p.enabled {
        format!("on, mDNS {}", if s.p2p.mdns { "on" } else { "off" })
    } else {
        "off (hearthd run --no-p2p)".to_string()
    };
    let mut rows = vec![
        ("community", community(&s.community)),
        ("peer id", s.peer_id.clone()),
        ("version", s.version.clone()),
        ("p2p", p2p),
    ];
    for (i, addr) in s.p2p.listen.iter().enumerate() {
        rows.push((if i == 0 { "listening" } else { "" }, addr.clone()));
    }
    let mut out = fields(&rows);

    out.push_str(&heading("Peers", s.peers.len()));
    if s.peers.is_empty() {
        out.push_str("No peers connected.\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .peers
            .iter()
            .map(|p| {
                vec![
                    p.peer_id.clone(),
                    p.address.clone(),
                    p.community.as_deref().map_or("-".into(), community),
                ]
            })
            .collect();
        out.push_str(&table(&["PEER", "ADDRESS", "COMMUNITY"], &rows));
    }

    out.push_str(&heading("Networks", s.networks.len()));
    if s.networks.is_empty() {
        out.push_str("The community belongs to no network.\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .networks
            .iter()
            .map(|n| vec![short(&n.id), printable(&n.name), n.communities.to_string()])
            .collect();
        out.push_str(&table(&["NETWORK", "NAME", "COMMUNITIES"], &rows));
    }

    out.push_str(&heading("Heads", s.heads.len()));
    if s.heads.is_empty() {
        out.push_str("No public logs held.\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .heads
            .iter()
            .map(|h| {
                vec![
                    community(&h.community),
                    format!("#{}", h.seq),
                    format!("#{}", h.seen),
                    head_state(h),
                ]
            })
            .collect();
        out.push_str(&table(&["COMMUNITY", "HEAD", "SEEN", "STATE"], &rows));
    }

    out.push_str("\nSync\n");
    out.push_str(&fields(&[
        ("catching up", yes_no(s.sync.catching_up).to_string()),
        ("behind", entries(s.sync.behind)),
    ]));

    out.push_str(&heading("Pending votes", s.pending_votes.len()));
    if s.pending_votes.is_empty() {
        out.push_str("No votes waiting to be final.\n");
    } else {
        let rows: Vec<Vec<String>> = s
            .pending_votes
            .iter()
            .map(|v| {
                vec![
                    short(&v.id),
                    printable(&v.level),
                    printable(&v.state),
                    datetime(v.closes_at),
                    printable(&v.title),
                ]
            })
            .collect();
        out.push_str(&table(
            &["PROPOSAL", "LEVEL", "STATE", "CLOSES", "TITLE"],
            &rows,
        ));
    }
    out
}

/// A section's heading with its count, after a blank line.
fn heading(title: &str, count: usize) -> String {
    format!("\n{title} ({count})\n")
}

/// Whether a log is up to date or how far behind it is.
fn head_state(h: &HeadStatus) -> String {
    match h.seen.checked_sub(h.seq) {
        Some(0) | None => "up to date".into(),
        Some(n) => format!("behind by {}", entries(n)),
    }
}

/// `1 entry`, `3 entries`.
fn entries(n: u64) -> String {
    match n {
        1 => "1 entry".into(),
        n => format!("{n} entries"),
    }
}

/// The first hex digits of an id (shown whole if shorter, made printable:
/// it comes from the node).
fn short(hex: &str) -> String {
    printable(&hex.chars().take(SHORT_HEX).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> serde_json::Value {
        let own = "ab".repeat(32);
        let other = "cd".repeat(32);
        json!({
            "peer_id": "12D3KooWOwn",
            "community": own,
            "community_name": "Riverside",
            "version": "0.1.0",
            "p2p": { "enabled": true, "listen": ["/ip4/127.0.0.1/tcp/4100", "/ip4/10.0.0.2/tcp/4100"], "mdns": false },
            "peers": [
                { "peer_id": "12D3KooWPeer", "address": "/ip4/127.0.0.1/tcp/4101", "community": other },
                { "peer_id": "12D3KooWNew", "address": "/ip4/127.0.0.1/tcp/4102", "community": null }
            ],
            "networks": [{ "id": "ef".repeat(32), "name": "Valley", "communities": 4 }],
            "heads": [
                { "community": own, "name": "Riverside", "seq": 42, "seen": 42 },
                { "community": other, "name": "Hilltop", "seq": 40, "seen": 43 }
            ],
            "sync": { "catching_up": true, "behind": 3 },
            "pending_votes": [{ "id": "aa".repeat(32), "level": "network", "title": "Seeds",
                                "closes_at": 0, "state": "grace" }]
        })
    }

    #[test]
    fn the_status_reads_section_by_section() {
        let status: NodeStatus = api::decode(sample(), "node status").unwrap();
        let text = describe(&status);
        for needle in [
            "community  Riverside (abababababab)",
            "peer id    12D3KooWOwn",
            "p2p        on, mDNS off",
            "listening  /ip4/127.0.0.1/tcp/4100",
            "           /ip4/10.0.0.2/tcp/4100",
            "\nPeers (2)\nPEER          ADDRESS                  COMMUNITY\n",
            "12D3KooWPeer  /ip4/127.0.0.1/tcp/4101  Hilltop (cdcdcdcdcdcd)",
            "12D3KooWNew   /ip4/127.0.0.1/tcp/4102  -",
            "\nNetworks (1)\n",
            "efefefefefef  Valley  4",
            "\nHeads (2)\n",
            "Riverside (abababababab)  #42   #42   up to date",
            "Hilltop (cdcdcdcdcdcd)    #40   #43   behind by 3 entries",
            "\nSync\ncatching up  yes\nbehind       3 entries\n",
            "\nPending votes (1)\n",
            "aaaaaaaaaaaa  network  grace  1970-01-01",
            "  Seeds",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
    }

    #[test]
    fn an_idle_node_says_so() {
        let status: NodeStatus = api::decode(
            json!({ "peer_id": "p", "p2p": { "enabled": false } }),
            "node status",
        )
        .unwrap();
        let text = describe(&status);
        for needle in [
            "off (hearthd run --no-p2p)",
            "No peers connected.",
            "The community belongs to no network.",
            "No public logs held.",
            "behind       0 entries",
            "No votes waiting to be final.",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
    }

    #[test]
    fn a_head_is_behind_by_what_was_seen_past_it() {
        let head = |seq, seen| HeadStatus {
            seq,
            seen,
            ..HeadStatus::default()
        };
        assert_eq!(head_state(&head(5, 5)), "up to date");
        assert_eq!(head_state(&head(5, 6)), "behind by 1 entry");
        assert_eq!(head_state(&head(6, 5)), "up to date");
    }

    #[test]
    fn a_node_without_the_endpoint_is_an_older_node() {
        let missing = anyhow::Error::new(Refusal {
            status: 404,
            code: "not_found".into(),
            message: "no such endpoint".into(),
        });
        let report = crate::error::report(&older_node(missing, "http://a:1"));
        assert_eq!((report.status, report.code.as_str()), (2, "node_error"));
        assert!(
            report.message.contains("older hearthd"),
            "{}",
            report.message
        );
        let other = anyhow::Error::new(Refusal {
            status: 403,
            code: "forbidden".into(),
            message: "no".into(),
        });
        assert_eq!(crate::error::report(&older_node(other, "x")).status, 1);
    }

    #[test]
    fn a_malformed_status_is_the_nodes_error() {
        let err = api::decode::<NodeStatus>(json!({ "peers": 3 }), "node status").unwrap_err();
        assert_eq!(crate::error::report(&err).code, "node_error");
    }
}
