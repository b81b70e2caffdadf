//! The specification's own eddsa-jcs-2022 example, step by step, and the
//! proof's refusals.

use serde_json::{Value, json};

use super::*;
use crate::crypto::hex;

macro_rules! vector {
    ($file:literal) => {
        include_str!(concat!("../vectors/", $file)).trim()
    };
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("the vector is JSON")
}

/// The vector's key pair: `publicKeyMultibase` is a did:key's key part,
/// `secretKeyMultibase` is the multicodec ed25519-priv (0x1300, varint
/// `0x80 0x26`) and the 32-byte seed, base58btc.
fn vector_keypair() -> Keypair {
    let pair = json(vector!("keyPair.json"));
    let secret = pair["privateKeyMultibase"].as_str().expect("secret key");
    let bytes = bs58::decode(&secret[1..]).into_vec().expect("base58btc");
    let seed: [u8; 32] = bytes
        .strip_prefix(&[0x80, 0x26])
        .expect("ed25519-priv multicodec")
        .try_into()
        .expect("32 bytes");
    let keypair = Keypair::from_seed(&seed);
    let public = pair["publicKeyMultibase"].as_str().expect("public key");
    assert_eq!(keypair.public().to_did(), format!("did:key:{public}"));
    keypair
}

fn vector_options() -> Map<String, Value> {
    let mut options = json(vector!("proofConfigJCS.json"))
        .as_object()
        .expect("object")
        .clone();
    // The published proof configuration already carries the document's
    // `@context`; the options a signer starts from do not.
    options.remove("@context");
    options
}

#[test]
fn the_specification_example_reproduces_bit_for_bit() {
    let keypair = vector_keypair();
    let unsigned = json(vector!("unsigned.json"));
    let options = vector_options();
    assert_eq!(
        options,
        super::options(&keypair.public(), "2023-02-24T23:36:38Z")
    );

    // Transformation: the canonical credential and its hash.
    let transformed = transformation(&unsigned, &options).expect("transforms");
    assert_eq!(
        std::str::from_utf8(&transformed),
        Ok(vector!("canonDocJCS.txt"))
    );
    assert_eq!(
        hex(&Sha256::digest(&transformed)),
        vector!("docHashJCS.txt")
    );

    // Proof configuration: the options with the document's @context.
    let mut config = options.clone();
    config.insert("@context".into(), unsigned["@context"].clone());
    assert_eq!(
        Value::Object(config.clone()),
        json(vector!("proofConfigJCS.json"))
    );
    let canonical_config = proof_configuration(&config).expect("configures");
    assert_eq!(
        std::str::from_utf8(&canonical_config),
        Ok(vector!("proofCanonJCS.txt"))
    );
    assert_eq!(
        hex(&Sha256::digest(&canonical_config)),
        vector!("proofHashJCS.txt")
    );

    // Hashing and the signature.
    let hash_data = hashing(&transformed, &canonical_config);
    assert_eq!(hex(&hash_data), vector!("combinedHashJCS.txt"));
    let signature = keypair.sign_message(&hash_data);
    assert_eq!(hex(&signature.0), vector!("sigHexJCS.txt"));

    // The whole signed credential.
    let signed = sign(&unsigned, &keypair, options).expect("signs");
    assert_eq!(signed["proof"]["proofValue"], vector!("sigBTC58JCS.txt"));
    assert_eq!(signed, json(vector!("signedJCS.json")));
}

#[test]
fn the_specification_example_verifies() {
    let signed = json(vector!("signedJCS.json"));
    let verified = verify(&signed).expect("verifies");
    assert_eq!(verified.key, vector_keypair().public());
    assert_eq!(verified.created.as_deref(), Some("2023-02-24T23:36:38Z"));
}

fn signed_example() -> Value {
    json(vector!("signedJCS.json"))
}

fn refusal(change: impl FnOnce(&mut Value)) -> CredentialError {
    let mut doc = signed_example();
    change(&mut doc);
    verify(&doc).expect_err("refused")
}

/// A change made to the signed example.
type Change = Box<dyn FnOnce(&mut Value)>;

#[test]
fn each_broken_proof_has_its_reason() {
    use CredentialError as E;
    let cases: Vec<(E, Change)> = vec![
        (
            E::MissingField {
                field: "proof".into(),
            },
            Box::new(|d| {
                d.as_object_mut().expect("object").remove("proof");
            }),
        ),
        (
            E::WrongType {
                field: "proof".into(),
                expected: "one proof object".into(),
            },
            Box::new(|d| d["proof"] = json!([d["proof"].clone()])),
        ),
        (
            E::WrongProofType {
                found: "Ed25519Signature2020".into(),
            },
            Box::new(|d| d["proof"]["type"] = "Ed25519Signature2020".into()),
        ),
        (
            E::WrongCryptosuite {
                found: "eddsa-rdfc-2022".into(),
            },
            Box::new(|d| d["proof"]["cryptosuite"] = "eddsa-rdfc-2022".into()),
        ),
        (
            E::WrongProofPurpose {
                found: "authentication".into(),
            },
            Box::new(|d| d["proof"]["proofPurpose"] = "authentication".into()),
        ),
        (
            E::MissingField {
                field: "proof.proofValue".into(),
            },
            Box::new(|d| {
                d["proof"]
                    .as_object_mut()
                    .expect("object")
                    .remove("proofValue");
            }),
        ),
        (
            E::MalformedProofValue {
                reason: "expected multibase base58btc (a leading z)".into(),
            },
            Box::new(|d| d["proof"]["proofValue"] = "u2HnFSSPPBzR36zd".into()),
        ),
        (
            E::MalformedProofValue {
                reason: "an Ed25519 signature has 64 bytes".into(),
            },
            Box::new(|d| d["proof"]["proofValue"] = "z2HnFSSPPBzR36zd".into()),
        ),
        (
            E::InvalidDate {
                field: "proof.created".into(),
                value: "yesterday".into(),
            },
            Box::new(|d| d["proof"]["created"] = "yesterday".into()),
        ),
        (
            E::ContextMismatch,
            Box::new(|d| d["@context"] = json!(["https://www.w3.org/ns/credentials/v2"])),
        ),
        (
            E::MalformedVerificationMethod {
                method: "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".into(),
            },
            Box::new(|d| {
                d["proof"]["verificationMethod"] =
                    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2".into()
            }),
        ),
        (
            E::BadSignature,
            Box::new(|d| d["name"] = "Alumnus Credential".into()),
        ),
    ];
    for (expected, change) in cases {
        assert_eq!(refusal(change), expected);
    }
}

#[test]
fn a_verification_method_that_is_not_a_did_key_is_refused() {
    for method in [
        "did:web:vc.example#key-1",
        "https://vc.example/issuers/5678#key-1",
    ] {
        let error = refusal(|d| d["proof"]["verificationMethod"] = method.into());
        assert!(
            matches!(&error, CredentialError::MalformedDidKey { did, .. } if method.starts_with(did.as_str())),
            "{error:?}"
        );
    }
}

#[test]
fn a_proof_by_another_key_fails() {
    let other = Keypair::from_seed(&[9; 32]);
    let mut unsigned = signed_example();
    unsigned.as_object_mut().expect("object").remove("proof");
    let signed = sign(
        &unsigned,
        &other,
        super::options(&other.public(), "2023-02-24T23:36:38Z"),
    )
    .expect("signs");
    // Its own verification method verifies; claiming the vector's key does not.
    assert_eq!(verify(&signed).expect("verifies").key, other.public());
    let mut forged = signed;
    forged["proof"]["verificationMethod"] = signed_example()["proof"]["verificationMethod"].clone();
    assert_eq!(verify(&forged), Err(CredentialError::BadSignature));
}
