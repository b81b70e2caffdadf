//! `did:key` identifiers of Ed25519 keys, as credentials name their
//! issuer, subject and signing key.
//!
//! The DID itself (`did:key:z6Mk…`: the multicodec prefix `0xed 0x01` and
//! the 32 key bytes, base58btc, multibase `z`) is
//! [`PublicKey::to_did`]/[`PublicKey::from_did`], the one form Hearth
//! shows members and nodes in. This module adds the key id a proof's
//! `verificationMethod` names: the DID, `#`, and the same multibase key
//! (`did:key:z6Mk…#z6Mk…`), as the did:key method defines it.

use crate::crypto::PublicKey;

use super::CredentialError;

/// The did:key of `key` (`did:key:z6Mk…`).
pub fn did(key: &PublicKey) -> String {
    key.to_did()
}

/// The key named by a did:key, refusing malformed, invalid and weak keys.
pub fn parse(did: &str) -> Result<PublicKey, CredentialError> {
    PublicKey::from_did(did).map_err(|err| CredentialError::MalformedDidKey {
        did: did.to_string(),
        reason: err.to_string(),
    })
}

/// The verification method of `key`: `did:key:z6Mk…#z6Mk…`.
pub fn verification_method(key: &PublicKey) -> String {
    let did = key.to_did();
    let fragment = did.trim_start_matches("did:key:");
    format!("{did}#{fragment}")
}

/// The key a `did:key:z…#z…` verification method names: its fragment
/// must be the DID's own multibase key (the only key a did:key document
/// holds). Returns the DID and the key.
pub fn parse_verification_method(method: &str) -> Result<(String, PublicKey), CredentialError> {
    let malformed = || CredentialError::MalformedVerificationMethod {
        method: method.to_string(),
    };
    let (did, fragment) = method.split_once('#').ok_or_else(malformed)?;
    let key = parse(did)?;
    if did.strip_prefix("did:key:") != Some(fragment) {
        return Err(malformed());
    }
    Ok((did.to_string(), key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keypair;

    #[test]
    fn verification_methods_round_trip() {
        let key = Keypair::from_seed(&[3; 32]).public();
        let method = verification_method(&key);
        assert!(method.starts_with("did:key:z6Mk"), "{method}");
        assert_eq!(parse_verification_method(&method), Ok((did(&key), key)));
    }

    #[test]
    fn a_method_whose_fragment_is_another_key_is_refused() {
        let a = Keypair::from_seed(&[3; 32]).public();
        let b = Keypair::from_seed(&[4; 32]).public();
        let mixed = format!("{}#{}", did(&a), did(&b).trim_start_matches("did:key:"));
        for method in [mixed, did(&a), format!("{}#", did(&a))] {
            assert!(
                matches!(
                    parse_verification_method(&method),
                    Err(CredentialError::MalformedVerificationMethod { .. })
                ),
                "{method}"
            );
        }
        assert!(matches!(
            parse_verification_method("did:web:example.com#key-1"),
            Err(CredentialError::MalformedDidKey { .. })
        ));
    }
}
