//! `hearth audit` over exports of three communities sealed in memory,
//! built with `hearth_protocol::test::federation`: an honest export
//! passes (exit 0), a tampered entry or a dissenting attestation fails
//! (exit 1), and what is no export is a usage error (exit 2).

use hearth_protocol::federation::tally::Tallier;
use hearth_protocol::governance::{Ballot, Level};
use hearth_protocol::test::federation::{CLOSE, Fed, GRACE, export as write_export, vote};
use hearth_protocol::{Hash, Timestamp};

use crate::support::{FakeNode, new_key, run};

/// What to break in an export.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Break {
    Nothing,
    /// An entry's time, so its node signature no longer verifies.
    Entry,
    /// One community attests another result than the tally's.
    Attestation,
}

/// A network referendum voted across three communities, witnessed,
/// final and attested by all three; then written as an export.
fn export(broken: Break) -> Vec<u8> {
    let mut fed = Fed::new(3);
    let id = fed.propose(Level::Network);
    for (i, votes) in [(0, 5), (1, 4), (2, -1)] {
        let ballot = vote(id, Level::Network, Ballot::Quadratic(vec![votes]));
        fed.act(i, 1, 2, fed_time(i), ballot);
    }
    fed.checkpoint_all(CLOSE + 10);
    fed.checkpoint_all(CLOSE + GRACE + 1);
    let result = Tallier::new(&fed.view())
        .tally(&id, Timestamp(CLOSE + GRACE + 2))
        .expect("known");
    assert!(result.is_final && result.passed);
    for i in 0..3 {
        let attested = match (broken, i) {
            (Break::Attestation, 2) => Hash([5; 32]),
            _ => result.result,
        };
        fed.attest(i, id, attested, CLOSE + GRACE + 3);
    }
    write_export(&fed, broken == Break::Entry)
}

fn fed_time(i: usize) -> u64 {
    hearth_protocol::test::federation::OPEN + 10 + i as u64
}

#[test]
fn an_honest_export_passes_and_a_broken_one_exits_1() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let file = home.join("valley.export");
    let file = file.to_str().unwrap();

    std::fs::write(file, export(Break::Nothing)).unwrap();
    let out = run(home, &["audit", "--file", file]).ok();
    for needle in [
        "Network \"Test Network\"",
        "in 3 public logs",
        "Community 0 (",
        "network  yes    yes     3/3       yes        ok      Shared seed bank",
        "Audit passed",
    ] {
        assert!(out.contains(needle), "{needle:?} in:\n{out}");
    }
    let json = run(home, &["--json", "audit", "--file", file]).json();
    assert_eq!(json["ok"], true);
    assert_eq!(
        json["proposals"][0]["attestations"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    std::fs::write(file, export(Break::Entry)).unwrap();
    let failed = run(home, &["audit", "--file", file]);
    assert!(failed.stdout.contains("FAILED: entry 2"), "{failed:?}");
    let err = failed.fails(1);
    assert!(
        err.contains("the audit failed: 1 public log(s) do not verify"),
        "{err}"
    );

    std::fs::write(file, export(Break::Attestation)).unwrap();
    let failed = run(home, &["audit", "--file", file]);
    assert!(failed.stdout.contains("MISMATCH"), "{failed:?}");
    let err = failed.fails(1);
    assert!(err.contains("disagree with their attestations"), "{err}");
    // With --json, stdout holds the report alone: it says what failed.
    let failed = run(home, &["--json", "audit", "--file", file]);
    let report: serde_json::Value = serde_json::from_str(&failed.stdout)
        .unwrap_or_else(|e| panic!("one JSON document ({e}): {failed:?}"));
    assert_eq!(report["ok"], false, "{report}");
    failed.fails(1);

    // A corrupt record is a failed verification; a file that is no
    // export at all, or none, is a usage error.
    let mut cut = export(Break::Nothing);
    cut.truncate(cut.len() - 3);
    std::fs::write(file, cut).unwrap();
    let err = run(home, &["audit", "--file", file]).fails(1);
    assert!(err.contains("truncated"), "{err}");
    let cut_json = run(home, &["--json", "audit", "--file", file]);
    let error: serde_json::Value = serde_json::from_str(&cut_json.stdout).unwrap();
    assert_eq!(error["error"], "audit_failed", "{cut_json:?}");
    std::fs::write(file, b"nonsense").unwrap();
    let err = run(home, &["audit", "--file", file]).fails(2);
    assert!(err.contains("not a Hearth export"), "{err}");
    let err = run(home, &["audit", "--file", "/nonexistent/x"]).fails(2);
    assert!(err.contains("cannot read the export"), "{err}");
}

#[test]
fn an_export_is_downloaded_audited_and_saved() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    new_key(home, "alice");
    let bytes = export(Break::Nothing);
    let served = bytes.clone();
    let node = FakeNode::start_raw(move |r| match r.path.as_str() {
        "/v1/federation/export" => (200, "application/octet-stream", served.clone()),
        _ => (
            404,
            "application/json",
            br#"{"error":"not_found","message":"no"}"#.to_vec(),
        ),
    });
    let saved = home.join("saved.export");
    let saved = saved.to_str().unwrap();
    let out = run(home, &["--node", &node.url, "audit", "--save", saved]).ok();
    assert!(out.contains("Audit passed"), "{out}");
    assert_eq!(std::fs::read(saved).unwrap(), bytes);
    assert_eq!(node.requests_to("GET")[0].path, "/v1/federation/export");
    // A node that serves no export is not a failed audit: exit 2.
    let empty = FakeNode::start(|_| (404, r#"{"error":"not_found","message":"no"}"#.into()));
    let err = run(home, &["--node", &empty.url, "audit"]).fails(2);
    assert!(
        err.contains("cannot download the federation export"),
        "{err}"
    );
}
