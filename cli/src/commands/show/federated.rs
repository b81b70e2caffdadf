//! `hearth show` for a regional or network proposal: the cross-community
//! count as the node computes it (DESIGN §7.3), from the node's
//! `FederatedReport` JSON. Fields it cannot find read as empty, so a newer
//! node's reports still print.

use anyhow::Result;
use hearth_protocol::Hash;
use serde_json::Value;

use super::{body_sections, section, stages};
use crate::federation::FederationInfo;
use crate::federation::proposal::FederatedProposal;
use crate::governance::words::{self, result_line};
use crate::governance::{SubjectInfo, level_name, method_name, short_id};
use crate::output::{datetime, fields, printable, short_did, table};

/// A regional or network proposal for people.
pub fn describe(proposal: &FederatedProposal, federation: &FederationInfo) -> Result<String> {
    let rules = federation.rules()?;
    let info = proposal.to_info(&rules);
    let regions = federation.regions();
    let report = &proposal.report;
    let certification = &proposal.certification;
    let name = |id: &Hash| federation.community_name(id);

    let mut rows = vec![
        ("proposal", proposal.id.to_hex()),
        ("title", printable(&info.title)),
        (
            "kind",
            format!(
                "{} {}, decided by {}",
                level_name(&info.level, &regions),
                info.kind.as_str(),
                method_name(info.method)
            ),
        ),
        (
            "author",
            format!("{} of {}", info.author, name(&proposal.community)),
        ),
        ("opened", datetime(proposal.opened)),
    ];
    let stage = match proposal.stage.as_str() {
        "closed" => format!("closed {}", datetime(proposal.closes)),
        other => format!("{other} (the vote closes {})", datetime(proposal.closes)),
    };
    rows.push(("stage", stage));
    rows.push((
        "final",
        match proposal.is_final {
            true => "yes".into(),
            false => {
                "not yet: until every community checkpoints past the close and grace period, or the deadline passes".into()
            }
        },
    ));
    if let Some(SubjectInfo::Community {
        community,
        node,
        name,
    }) = &proposal.proposal.subject
    {
        rows.push((
            "admits",
            format!("community {} ({community}, node {node})", printable(name)),
        ));
    }
    let count = |field: &str| report[field].as_u64().unwrap_or(0);
    rows.push((
        "ballots",
        format!(
            "{} counted, {} members eligible",
            count("ballots"),
            count("eligible")
        ),
    ));
    if let Some(result) = result_line(&info) {
        let label = if proposal.is_final {
            "decision"
        } else {
            "count"
        };
        rows.push((label, result));
    }
    rows.push(("result", format!("{} (this node's count)", proposal.result)));
    let attested = certification.attestations.len();
    let certified = match certification.certified {
        Some(hash) if hash == proposal.result => format!(
            "yes, this result ({attested} attestations, {} needed)",
            certification.needed
        ),
        Some(hash) => format!(
            "a DIFFERENT result {hash} ({} needed); this node's count disagrees",
            certification.needed
        ),
        None => format!(
            "not yet ({attested} attestations, {} of one result needed)",
            certification.needed
        ),
    };
    rows.push(("certified", certified));
    let mut out = fields(&rows);
    out.push('\n');
    out.push_str(&stages(&info));
    body_sections(&mut out, &info);

    out.push_str("\nCommunities:\n");
    let lines = communities_table(proposal, &name);
    for line in lines.lines() {
        out.push_str(&format!("  {line}\n"));
    }
    let excluded = excluded_lines(report, &name);
    if !excluded.is_empty() {
        section(&mut out, "Not counted", &excluded);
    }
    let carried: Vec<String> = words::carried(&report["count"])
        .into_iter()
        .map(|(did, weight)| format!("{did} carried {weight} votes"))
        .collect();
    if !carried.is_empty() {
        section(&mut out, "Delegated votes", &carried);
    }
    Ok(out)
}

/// The level's communities with their attestation and any freeze or
/// missing checkpoint.
fn communities_table(proposal: &FederatedProposal, name: &dyn Fn(&Hash) -> String) -> String {
    let report = &proposal.report;
    let hashes = |field: &str| -> Vec<Hash> {
        report[field]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| serde_json::from_value(v.clone()).ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let frozen: Vec<(Hash, u64)> = report["frozen"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| serde_json::from_value(v.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    let missing = hashes("missing");
    let mut communities = hashes("communities");
    // Attesting communities are listed even if the report left them out.
    for (c, _) in &proposal.certification.attestations {
        if !communities.contains(c) {
            communities.push(*c);
        }
    }
    let rows: Vec<Vec<String>> = communities
        .iter()
        .map(|c| {
            let attested = proposal
                .certification
                .attestations
                .iter()
                .find(|(a, _)| a == c)
                .map(|(_, h)| h);
            let attestation = match attested {
                Some(h) if *h == proposal.result => "same result".to_string(),
                Some(h) => format!("OTHER result {}", short_id(h)),
                None => "-".to_string(),
            };
            let mut notes = Vec::new();
            if let Some((_, seq)) = frozen.iter().find(|(f, _)| f == c) {
                notes.push(format!("frozen at #{seq} (equivocation)"));
            }
            if missing.contains(c) {
                notes.push("missing: no checkpoint after the grace period".to_string());
            }
            vec![name(c), attestation, notes.join("; ")]
        })
        .collect();
    table(&["COMMUNITY", "ATTESTED", "NOTE"], &rows)
}

/// Each record not counted, in words.
fn excluded_lines(report: &Value, name: &dyn Fn(&Hash) -> String) -> Vec<String> {
    let Some(items) = report["excluded"].as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| {
            let kind = item["kind"].as_str().unwrap_or("record");
            let author = short_did(item["author"].as_str().unwrap_or("?"));
            let place = match serde_json::from_value::<Hash>(item["community"].clone()) {
                Ok(c) => format!("{} #{}", name(&c), item["seq"].as_u64().unwrap_or(0)),
                Err(_) => "an unknown log".to_string(),
            };
            format!(
                "{kind} by {author} in {place}: {}",
                reason_text(&item["reason"])
            )
        })
        .collect()
}

/// Why a record was not counted, from its `ExclusionReason` JSON.
pub fn reason_text(reason: &Value) -> String {
    let n = |f: &str| reason[f].as_u64().unwrap_or(0);
    match reason["reason"].as_str().unwrap_or("") {
        "outside_level" => "recorded by a community outside the proposal's level".into(),
        "late" => "sealed or signed after the vote closed".into(),
        "early" => "sealed before the vote opened".into(),
        "unwitnessed" => format!(
            "witnessed in time by {} other communities' checkpoints, {} needed",
            n("witnesses"),
            n("needed")
        ),
        "not_on_roster" => "its author was not on the community's roster at the opening".into(),
        "invalid_ballot" => "the ballot does not fit the proposal's method".into(),
        other => printable(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::test::keypair;
    use serde_json::json;

    #[test]
    fn a_network_referendum_reads_in_words() {
        let author = keypair(1).public().to_did();
        let (a, b, c) = (Hash([1; 32]), Hash([2; 32]), Hash([3; 32]));
        let result = Hash([0xee; 32]);
        let proposal: FederatedProposal = serde_json::from_value(json!({
            "proposal": { "kind": "policy", "level": { "level": "network" }, "title": "Seeds",
                          "text": "A seed bank", "options": [], "subject": { "type": "question" } },
            "id": Hash([0xaa; 32]), "community": a, "author": author,
            "opened": 1_000, "closes": 2_000, "stage": "closed", "final": true,
            "passed": true, "winner": null, "result": result,
            "report": { "communities": [a, b, c], "frozen": [[c, 7]], "missing": [c],
                "eligible": 9, "ballots": 4,
                "excluded": [{ "community": b, "seq": 12, "action": Hash([5; 32]),
                    "author": keypair(2).public().to_did(), "kind": "ballot",
                    "reason": { "reason": "unwitnessed", "witnesses": 0, "needed": 1 } },
                  { "community": a, "seq": 13, "action": Hash([6; 32]),
                    "author": author, "kind": "delegation", "reason": { "reason": "late" } }],
                "count": { "method": "quadratic", "report": {
                    "options": [{ "for_votes": 12, "against_votes": 1 }], "turnout": 4,
                    "delegation": { "eligible": 9, "weight": { "did:key:z6MkW": 2 } } } } },
            "certification": { "attestations": [[a, result], [b, Hash([9; 32])]],
                               "needed": 2, "certified": null, "missing": [c] },
        }))
        .unwrap();
        let federation: FederationInfo = serde_json::from_value(json!({
            "network": { "id": Hash([8; 32]), "name": "Valley", "regions": [],
                         "rules": hearth_protocol::federation::FederationRules::default() },
            "communities": [
                { "id": a, "name": "Riverside", "node": "did:key:z6MkA", "head": null,
                  "frozen_at": null, "region": null },
            ],
        }))
        .unwrap();
        let text = describe(&proposal, &federation).unwrap();
        for needle in [
            "kind       network policy, decided by quadratic voting",
            "author     did:key:",
            " of Riverside (010101010101)",
            "final      yes",
            "ballots    4 counted, 9 members eligible",
            "decision   passed: 12 for, 1 against, turnout 4/9",
            "certified  not yet (2 attestations, 2 of one result needed)",
            "Riverside (010101010101)  same result",
            "020202020202              OTHER result 090909090909",
            "frozen at #7 (equivocation); missing: no checkpoint after the grace period",
            "ballot by did:key:z6Mk",
            "in 020202020202 #12: witnessed in time by 0 other communities' checkpoints, 1 needed",
            "delegation by",
            "sealed or signed after the vote closed",
            "did:key:z6MkW carried 2 votes",
            "Text:\n  A seed bank\n",
        ] {
            assert!(text.contains(needle), "{needle:?} in:\n{text}");
        }
    }
}
