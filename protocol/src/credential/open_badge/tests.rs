//! Issuing and verifying Open Badges: the round trip, tampering with
//! every field, other keys, and each structural refusal.

use proptest::prelude::*;

use super::*;

const VALID_FROM: Timestamp = Timestamp(1_765_119_600_000);

fn community() -> Keypair {
    Keypair::from_seed(&[1; 32])
}

fn member() -> PublicKey {
    Keypair::from_seed(&[2; 32]).public()
}

fn bread() -> Achievement {
    Achievement {
        skill: Hash::of("test skill", b"sourdough"),
        name: "Sourdough baking".into(),
        description: "Keeps a starter and bakes an open-crumb loaf.".into(),
        criteria: "Endorsed by 2 members verified in Sourdough baking.".into(),
    }
}

fn credential() -> Value {
    issue(&community(), "Riverside", &member(), &bread(), VALID_FROM).expect("issues")
}

#[test]
fn an_issued_credential_verifies_and_says_what_it_attests() {
    let doc = credential();
    let verified = verify(&doc).expect("verifies");
    assert_eq!(verified.issuer, community().public());
    assert_eq!(verified.issuer_did, community().public().to_did());
    assert_eq!(verified.issuer_name.as_deref(), Some("Riverside"));
    assert_eq!(verified.subject, member());
    assert_eq!(verified.subject_did, member().to_did());
    assert_eq!(verified.achievement_id, bread().id());
    assert_eq!(verified.skill, Some(bread().skill));
    assert_eq!(verified.achievement_name, "Sourdough baking");
    assert_eq!(verified.valid_from, VALID_FROM);
    assert_eq!(
        verified.id,
        credential_id(&community().public(), &member(), &bread().skill, VALID_FROM)
    );
    assert_eq!(doc["validFrom"], "2025-12-07T15:00:00Z");
    assert_eq!(doc["proof"]["created"], "2025-12-07T15:00:00Z");
    assert_eq!(doc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(
        doc["credentialSubject"]["achievement"]["criteria"]["narrative"],
        bread().criteria
    );
    assert_eq!(doc["@context"], json!([VC_CONTEXT, OB_CONTEXT]));
}

#[test]
fn a_credential_survives_being_written_and_read_back() {
    let doc = credential();
    let text = serde_json::to_string_pretty(&doc).expect("writes");
    let read: Value = serde_json::from_str(&text).expect("reads");
    assert_eq!(verify(&read), verify(&doc));
    assert!(verify(&read).is_ok());
}

/// Every leaf of `value` with its JSON pointer.
fn leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map {
                leaves(inner, format!("{at}/{name}"), out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                leaves(inner, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

/// Every member of every object (leaves and inner objects alike).
fn members(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map {
                out.push(format!("{at}/{name}"));
                members(inner, format!("{at}/{name}"), out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                members(inner, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A different value of the same kind.
fn changed(value: &Value, salt: u8) -> Value {
    match value {
        Value::String(text) if text.is_empty() => Value::String("x".into()),
        Value::String(text) => {
            // Change one character, keeping the string's shape (a did:key
            // stays base58, a date stays a date) where the salt allows.
            let mut chars: Vec<char> = text.chars().collect();
            let i = salt as usize % chars.len();
            chars[i] = match chars[i] {
                '0'..='8' => char::from(chars[i] as u8 + 1),
                '9' => '0',
                'a'..='y' | 'A'..='Y' => char::from(chars[i] as u8 + 1),
                'z' => 'a',
                'Z' => 'A',
                _ => 'q',
            };
            Value::String(chars.into_iter().collect())
        }
        Value::Number(n) => json!(n.as_i64().unwrap_or(0) + 1),
        Value::Bool(b) => Value::Bool(!b),
        _ => json!("x"),
    }
}

#[test]
fn changing_any_leaf_fails() {
    let doc = credential();
    let mut pointers = Vec::new();
    leaves(&doc, String::new(), &mut pointers);
    assert!(pointers.len() >= 25, "{pointers:?}");
    for pointer in pointers {
        for salt in [0, 7, 13] {
            let mut tampered = doc.clone();
            let leaf = tampered.pointer_mut(&pointer).expect("present");
            *leaf = changed(leaf, salt);
            assert!(
                verify(&tampered).is_err(),
                "changed {pointer} (salt {salt})"
            );
        }
    }
}

#[test]
fn removing_or_adding_any_member_fails() {
    let doc = credential();
    let mut pointers = Vec::new();
    members(&doc, String::new(), &mut pointers);
    for pointer in &pointers {
        let (parent, name) = pointer.rsplit_once('/').expect("a member");
        let mut tampered = doc.clone();
        let object = tampered
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .expect("an object");
        object.remove(name);
        assert!(verify(&tampered).is_err(), "removed {pointer}");
    }
    let mut objects = vec![String::new()];
    objects.extend(
        pointers
            .iter()
            .filter(|p| doc.pointer(p).is_some_and(Value::is_object))
            .cloned(),
    );
    for pointer in objects {
        let mut tampered = doc.clone();
        let object = tampered
            .pointer_mut(&pointer)
            .and_then(Value::as_object_mut)
            .expect("an object");
        object.insert("note".into(), json!("added later"));
        assert_eq!(
            verify(&tampered),
            Err(CredentialError::BadSignature),
            "added to {pointer:?}"
        );
    }
}

proptest! {
    /// Any text put in place of the skill's name, description, criteria or
    /// the issuer's name after signing fails.
    #[test]
    fn replacing_a_text_field_fails(field in 0..4usize, text in ".{0,40}") {
        let doc = credential();
        let pointer = [
            "/credentialSubject/achievement/name",
            "/credentialSubject/achievement/description",
            "/credentialSubject/achievement/criteria/narrative",
            "/issuer/name",
        ][field];
        prop_assume!(doc.pointer(pointer) != Some(&json!(text)));
        let mut tampered = doc.clone();
        *tampered.pointer_mut(pointer).expect("present") = json!(text);
        prop_assert_eq!(verify(&tampered), Err(CredentialError::BadSignature));
    }

    /// Whatever is issued verifies and reads back what was issued.
    #[test]
    fn any_issued_credential_verifies(
        seed in any::<[u8; 32]>(),
        name in ".{1,40}",
        description in ".{0,80}",
        at in 0u64..4_102_444_800_000,
    ) {
        let issuer = Keypair::from_seed(&seed);
        let achievement = Achievement { name: name.clone(), description, ..bread() };
        let doc = issue(&issuer, "Commons", &member(), &achievement, Timestamp(at)).expect("issues");
        let verified = verify(&doc).expect("verifies");
        prop_assert_eq!(verified.issuer, issuer.public());
        prop_assert_eq!(verified.achievement_name, name);
        prop_assert_eq!(verified.valid_from, Timestamp(at));
    }
}

#[test]
fn a_credential_signed_by_another_key_fails() {
    let impostor = Keypair::from_seed(&[66; 32]);
    // Signed by the impostor with its own verification method, but naming
    // the community as its issuer.
    let mut unsigned = credential();
    unsigned.as_object_mut().expect("object").remove("proof");
    let forged = proof::sign(
        &unsigned,
        &impostor,
        proof::options(&impostor.public(), "2025-12-07T15:00:00Z"),
    )
    .expect("signs");
    assert_eq!(
        verify(&forged),
        Err(CredentialError::IssuerMismatch {
            issuer: community().public().to_did(),
            signer: impostor.public().to_did(),
        })
    );
    // Signed by the impostor while claiming the community's key.
    let forged = proof::sign(
        &unsigned,
        &impostor,
        proof::options(&community().public(), "2025-12-07T15:00:00Z"),
    )
    .expect("signs");
    assert_eq!(verify(&forged), Err(CredentialError::BadSignature));
}

fn refused(change: impl FnOnce(&mut Value)) -> CredentialError {
    let mut doc = credential();
    change(&mut doc);
    verify(&doc).expect_err("refused")
}

fn remove(doc: &mut Value, parent: &str, name: &str) {
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("object")
        .remove(name);
}

#[test]
fn each_structural_error_has_its_reason() {
    use CredentialError as E;
    let missing = |field: &str| E::MissingField {
        field: field.into(),
    };
    let wrong = |field: &str, expected: &str| E::WrongType {
        field: field.into(),
        expected: expected.into(),
    };
    assert_eq!(refused(|d| remove(d, "", "@context")), missing("@context"));
    assert_eq!(
        refused(|d| d["@context"] = json!([OB_CONTEXT, VC_CONTEXT])),
        E::WrongContext {
            reason: format!("should start with {VC_CONTEXT}")
        }
    );
    assert_eq!(
        refused(|d| d["@context"] = json!([VC_CONTEXT])),
        E::WrongContext {
            reason: format!("should include {OB_CONTEXT}")
        }
    );
    assert_eq!(
        refused(|d| d["@context"] = json!(VC_CONTEXT)),
        E::WrongContext {
            reason: "should be a list of contexts".into()
        }
    );
    assert_eq!(
        refused(|d| d["type"] = json!(["VerifiableCredential"])),
        wrong(
            "type",
            "a list holding VerifiableCredential and OpenBadgeCredential"
        )
    );
    assert_eq!(refused(|d| remove(d, "", "id")), missing("id"));
    assert_eq!(refused(|d| remove(d, "", "issuer")), missing("issuer"));
    assert_eq!(
        refused(|d| d["issuer"] = json!(member().to_did())),
        wrong("issuer", "an object")
    );
    assert_eq!(
        refused(|d| remove(d, "/issuer", "id")),
        missing("issuer.id")
    );
    assert!(matches!(
        refused(|d| d["issuer"]["id"] = "did:web:riverside.example".into()),
        E::MalformedDidKey { did, .. } if did == "did:web:riverside.example"
    ));
    assert_eq!(
        refused(|d| d["issuer"]["type"] = json!(["Organization"])),
        wrong("issuer.type", "a list holding Profile")
    );
    assert_eq!(
        refused(|d| d["issuer"]["name"] = json!(7)),
        wrong("issuer.name", "a string")
    );
    assert_eq!(
        refused(|d| remove(d, "", "validFrom")),
        missing("validFrom")
    );
    assert_eq!(
        refused(|d| d["validFrom"] = "7 December 2025".into()),
        E::InvalidDate {
            field: "validFrom".into(),
            value: "7 December 2025".into()
        }
    );
    assert_eq!(refused(|d| remove(d, "", "name")), missing("name"));
    assert_eq!(
        refused(|d| remove(d, "", "credentialSubject")),
        missing("credentialSubject")
    );
    assert_eq!(
        refused(|d| remove(d, "/credentialSubject", "id")),
        missing("credentialSubject.id")
    );
    assert!(matches!(
        refused(|d| d["credentialSubject"]["id"] = "did:key:z6Mk".into()),
        E::MalformedDidKey { .. }
    ));
    assert_eq!(
        refused(|d| d["credentialSubject"]["type"] = json!("AchievementSubject")),
        wrong(
            "credentialSubject.type",
            "a list holding AchievementSubject"
        )
    );
    assert_eq!(
        refused(|d| remove(d, "/credentialSubject", "achievement")),
        missing("credentialSubject.achievement")
    );
    assert_eq!(
        refused(|d| remove(d, "/credentialSubject/achievement", "name")),
        missing("credentialSubject.achievement.name")
    );
    assert_eq!(
        refused(|d| d["credentialSubject"]["achievement"]["id"] = "urn:hearth:skill:beef".into()),
        wrong(
            "credentialSubject.achievement.id",
            "urn:hearth:skill:<64 hex digits>"
        )
    );
    assert_eq!(
        refused(|d| d["credentialSubject"]["achievement"]["type"] = json!(["Badge"])),
        wrong(
            "credentialSubject.achievement.type",
            "a list holding Achievement"
        )
    );
    assert_eq!(refused(|d| remove(d, "", "proof")), missing("proof"));
    assert_eq!(
        refused(|d| d["proof"]["cryptosuite"] = "ecdsa-jcs-2019".into()),
        E::WrongCryptosuite {
            found: "ecdsa-jcs-2019".into()
        }
    );
    assert_eq!(
        verify(&json!(["not", "a", "credential"])),
        Err(wrong("the credential", "a JSON object"))
    );
}

#[test]
fn a_validity_end_is_read_and_checked_but_signed_like_any_field() {
    assert_eq!(verify(&credential()).expect("verifies").valid_until, None);
    let mut unsigned = credential();
    unsigned.as_object_mut().expect("object").remove("proof");
    unsigned["validUntil"] = "2026-12-07T15:00:00Z".into();
    let doc = proof::sign(
        &unsigned,
        &community(),
        proof::options(&community().public(), "2025-12-07T15:00:00Z"),
    )
    .expect("signs");
    let verified = verify(&doc).expect("verifies");
    let until = time::parse("2026-12-07T15:00:00Z").expect("a time");
    assert_eq!(verified.valid_until, Some(until));
    assert!(!verified.expired(until));
    assert!(verified.expired(Timestamp(until.0 + 1)));
    let mut extended = doc.clone();
    extended["validUntil"] = "2099-12-07T15:00:00Z".into();
    assert_eq!(verify(&extended), Err(CredentialError::BadSignature));
    extended["validUntil"] = "forever".into();
    assert_eq!(
        verify(&extended),
        Err(CredentialError::InvalidDate {
            field: "validUntil".into(),
            value: "forever".into()
        })
    );
}

#[test]
fn every_refusal_has_a_distinct_stable_code() {
    use CredentialError as E;
    let all = [
        E::InvalidJson {
            reason: String::new(),
        },
        E::MissingField {
            field: String::new(),
        },
        E::WrongType {
            field: String::new(),
            expected: String::new(),
        },
        E::WrongContext {
            reason: String::new(),
        },
        E::WrongProofType {
            found: String::new(),
        },
        E::WrongCryptosuite {
            found: String::new(),
        },
        E::WrongProofPurpose {
            found: String::new(),
        },
        E::ContextMismatch,
        E::MalformedDidKey {
            did: String::new(),
            reason: String::new(),
        },
        E::MalformedVerificationMethod {
            method: String::new(),
        },
        E::MalformedProofValue {
            reason: String::new(),
        },
        E::InvalidDate {
            field: String::new(),
            value: String::new(),
        },
        E::IssuerMismatch {
            issuer: String::new(),
            signer: String::new(),
        },
        E::BadSignature,
        E::Canonicalization {
            reason: String::new(),
        },
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(E::code).collect();
    assert_eq!(codes.len(), all.len());
}
