//! Portable credentials end to end with the real `hearth` binary: a
//! credential issued by the protocol library verifies offline and says
//! what it attests; the same file with one field changed, or re-signed by
//! another key, is refused with its reason. (Asking a node whether the
//! credential was revoked is tested with the learning domain's node.)

use std::path::Path;
use std::process::Command;

use hearth_protocol::credential::{self, Achievement, proof};
use hearth_protocol::{Hash, Keypair, Timestamp};
use hearth_tests::{CLI_TIMEOUT, Run, hearth_bin, run_to_end};
use serde_json::Value;

/// `hearth <args>` with an empty home and no node configured.
fn hearth(home: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(hearth_bin());
    command
        .args(args)
        .env("HEARTH_HOME", home.join("hearth"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("HEARTH_NODE")
        .env_remove("HEARTH_KEY")
        .env("NO_COLOR", "1");
    run_to_end(command, home, CLI_TIMEOUT)
}

fn write(home: &Path, name: &str, doc: &Value) -> String {
    let path = home.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).expect("JSON")).expect("write");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_credential_verifies_offline_and_a_changed_or_forged_one_is_refused() {
    let home = tempfile::tempdir().expect("a temporary directory");
    let community = Keypair::from_seed(&[11; 32]);
    let member = Keypair::from_seed(&[12; 32]).public();
    let achievement = Achievement {
        skill: Hash::of("hearth v1 skill", b"bicycle repair"),
        name: "Bicycle repair".into(),
        description: "Brakes, gears, wheels and punctures.".into(),
        criteria: "Endorsed by 2 members verified in Bicycle repair.".into(),
    };
    let valid_from = Timestamp(1_765_119_600_000);
    let doc = credential::issue(&community, "Riverside", &member, &achievement, valid_from)
        .expect("a credential is issued");
    let file = write(home.path(), "bicycle.json", &doc);

    let run = hearth(home.path(), &["credential", "verify", &file]);
    assert!(run.success(), "{run}");
    assert!(run.stdout.starts_with("credential valid\n"), "{run}");
    for expected in [
        format!("Riverside ({})", community.public().to_did()),
        member.to_did(),
        format!("Bicycle repair ({})", achievement.id()),
        "2025-12-07T15:00:00Z".to_string(),
        "checked offline".to_string(),
    ] {
        assert!(run.stdout.contains(&expected), "{expected:?} in {run}");
    }

    let run = hearth(home.path(), &["--json", "credential", "verify", &file]);
    assert!(run.success(), "{run}");
    let value: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(value["valid"], true);
    assert_eq!(value["issuer"], community.public().to_did());
    assert_eq!(value["subject"], member.to_did());
    assert_eq!(value["achievement"], achievement.id());
    assert_eq!(value["valid_from"], "2025-12-07T15:00:00Z");

    // One field changed after signing.
    let mut tampered = doc.clone();
    tampered["validFrom"] = "2020-12-07T15:00:00Z".into();
    let tampered = write(home.path(), "tampered.json", &tampered);
    let run = hearth(home.path(), &["credential", "verify", &tampered]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        run.stderr.contains("the signature does not verify"),
        "{run}"
    );
    let run = hearth(home.path(), &["--json", "credential", "verify", &tampered]);
    assert_eq!(run.code, Some(1), "{run}");
    let error: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(error["error"], "bad_signature", "{run}");

    // The same credential re-signed by another key, still naming the
    // community as its issuer.
    let impostor = Keypair::from_seed(&[13; 32]);
    let mut unsigned = doc.clone();
    unsigned.as_object_mut().expect("an object").remove("proof");
    let forged = proof::sign(
        &unsigned,
        &impostor,
        proof::options(&impostor.public(), "2025-12-07T15:00:00Z"),
    )
    .expect("signs");
    let forged = write(home.path(), "forged.json", &forged);
    let run = hearth(home.path(), &["--json", "credential", "verify", &forged]);
    assert_eq!(run.code, Some(1), "{run}");
    let error: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(error["error"], "issuer_mismatch", "{run}");

    // Not a credential at all, and no file.
    let junk = home.path().join("junk.json");
    std::fs::write(&junk, "{ not json").expect("write");
    let run = hearth(
        home.path(),
        &["credential", "verify", &junk.to_string_lossy()],
    );
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("is not valid JSON"), "{run}");
    // A member name given twice: two readers could see two different
    // skills in one signed credential.
    let text = serde_json::to_string(&doc).expect("JSON");
    let doubled = text.replacen(
        "\"name\":\"Bicycle repair\"",
        "\"name\":\"Bicycle repair\",\"name\":\"Brain surgery\"",
        1,
    );
    assert_ne!(doubled, text);
    std::fs::write(&junk, doubled).expect("write");
    let run = hearth(
        home.path(),
        &["--json", "credential", "verify", &junk.to_string_lossy()],
    );
    assert_eq!(run.code, Some(1), "{run}");
    let error: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(error["error"], "invalid_json", "{run}");
    let run = hearth(
        home.path(),
        &["credential", "verify", "/nonexistent/credential.json"],
    );
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("cannot read"), "{run}");
}
