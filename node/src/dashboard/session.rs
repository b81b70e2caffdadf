//! Member logins to the dashboard, in memory: login challenges (one use,
//! a minute), one-time login tokens (one use, a minute) and read-only
//! sessions (a quarter of an hour). Each kind is bounded; expired entries
//! are dropped as new ones come. A restart ends every session.

use std::collections::HashMap;
use std::sync::Mutex;

use hearth_protocol::{Millis, PublicKey, Timestamp};

/// How long a login challenge may be answered.
pub const CHALLENGE_TTL: Millis = Millis::secs(60);
/// How long a login URL may be opened (once).
pub const TOKEN_TTL: Millis = Millis::secs(60);
/// How long a session lasts.
pub const SESSION_TTL: Millis = Millis::secs(15 * 60);
/// Most entries of each kind held at once.
pub const MAX_ENTRIES: usize = 4096;

/// A random secret: a challenge, a login token or a session id.
pub type Secret = [u8; 32];

/// Why a secret could not be issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// As many unexpired entries of that kind as are held are outstanding.
    Full,
    /// The system's random source failed.
    Random,
}

#[derive(Debug, Default)]
struct Inner {
    /// Challenge → when it expires.
    challenges: HashMap<Secret, Timestamp>,
    /// Login token → the member and when it expires.
    tokens: HashMap<Secret, (PublicKey, Timestamp)>,
    /// Session id → the member and when it expires.
    sessions: HashMap<Secret, (PublicKey, Timestamp)>,
}

/// The dashboard's challenges, login tokens and sessions.
#[derive(Debug, Default)]
pub struct Sessions {
    inner: Mutex<Inner>,
}

fn random() -> Result<Secret, Full> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|_| Full::Random)?;
    Ok(secret)
}

/// Inserts `value` under a fresh secret, first dropping expired entries
/// when the map is full.
fn insert<V>(
    map: &mut HashMap<Secret, V>,
    value: V,
    expires: impl Fn(&V) -> Timestamp,
    now: Timestamp,
) -> Result<Secret, Full> {
    if map.len() >= MAX_ENTRIES {
        map.retain(|_, v| expires(v) > now);
        if map.len() >= MAX_ENTRIES {
            return Err(Full::Full);
        }
    }
    let secret = random()?;
    map.insert(secret, value);
    Ok(secret)
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves maps that are still whole.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh challenge, valid until the returned time.
    pub fn challenge(&self, now: Timestamp) -> Result<(Secret, Timestamp), Full> {
        let expires = Timestamp(now.0.saturating_add(CHALLENGE_TTL.0));
        let secret = insert(&mut self.lock().challenges, expires, |e| *e, now)?;
        Ok((secret, expires))
    }

    /// Uses up `challenge`: true when it was issued and has not expired
    /// or been used.
    pub fn take_challenge(&self, challenge: &Secret, now: Timestamp) -> bool {
        self.lock()
            .challenges
            .remove(challenge)
            .is_some_and(|expires| expires > now)
    }

    /// A one-time login token for `member`, valid until the returned time.
    pub fn token(&self, member: PublicKey, now: Timestamp) -> Result<(Secret, Timestamp), Full> {
        let expires = Timestamp(now.0.saturating_add(TOKEN_TTL.0));
        let secret = insert(&mut self.lock().tokens, (member, expires), |v| v.1, now)?;
        Ok((secret, expires))
    }

    /// Redeems a login token (once) for a new session: its id, member and
    /// when it expires.
    pub fn redeem(
        &self,
        token: &Secret,
        now: Timestamp,
    ) -> Result<Option<(Secret, PublicKey, Timestamp)>, Full> {
        let mut inner = self.lock();
        let Some((member, expires)) = inner.tokens.remove(token) else {
            return Ok(None);
        };
        if expires <= now {
            return Ok(None);
        }
        let until = Timestamp(now.0.saturating_add(SESSION_TTL.0));
        let id = insert(&mut inner.sessions, (member, until), |v| v.1, now)?;
        Ok(Some((id, member, until)))
    }

    /// The member of an unexpired session (an expired one is dropped).
    pub fn member(&self, session: &Secret, now: Timestamp) -> Option<(PublicKey, Timestamp)> {
        let mut inner = self.lock();
        match inner.sessions.get(session) {
            Some((member, until)) if *until > now => Some((*member, *until)),
            Some(_) => {
                inner.sessions.remove(session);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn end(&self, session: &Secret) {
        self.lock().sessions.remove(session);
    }
}

/// A secret as 64 hex digits.
pub fn to_hex(secret: &Secret) -> String {
    hearth_protocol::crypto::hex(secret)
}

/// 64 hex digits as a secret.
pub fn from_hex(text: &str) -> Option<Secret> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_protocol::test::keypair;

    const T0: Timestamp = Timestamp(1_000_000);

    fn at(ms: u64) -> Timestamp {
        Timestamp(T0.0 + ms)
    }

    #[test]
    fn a_challenge_is_taken_once_and_only_before_it_expires() {
        let s = Sessions::default();
        let (c, expires) = s.challenge(T0).expect("challenge");
        assert_eq!(expires, at(CHALLENGE_TTL.0));
        assert!(s.take_challenge(&c, at(1)));
        assert!(!s.take_challenge(&c, at(2)), "a challenge is used once");
        let (late, _) = s.challenge(T0).expect("challenge");
        assert!(!s.take_challenge(&late, at(CHALLENGE_TTL.0)));
        assert!(!s.take_challenge(&[7; 32], T0), "unknown challenges fail");
    }

    #[test]
    fn a_token_opens_one_session_which_expires() {
        let s = Sessions::default();
        let member = keypair(1).public();
        let (token, _) = s.token(member, T0).expect("token");
        let (id, who, until) = s.redeem(&token, at(10)).expect("store").expect("session");
        assert_eq!((who, until), (member, at(10 + SESSION_TTL.0)));
        assert_eq!(
            s.redeem(&token, at(11)).expect("store"),
            None,
            "tokens are used once"
        );
        assert_eq!(s.member(&id, at(20)), Some((member, until)));
        assert_eq!(s.member(&id, until), None, "a session ends at its expiry");
        assert_eq!(s.member(&id, at(20)), None, "and is dropped");
    }

    #[test]
    fn an_expired_token_opens_nothing() {
        let s = Sessions::default();
        let (token, expires) = s.token(keypair(1).public(), T0).expect("token");
        assert_eq!(s.redeem(&token, expires).expect("store"), None);
    }

    #[test]
    fn a_session_ended_is_gone() {
        let s = Sessions::default();
        let (token, _) = s.token(keypair(1).public(), T0).expect("token");
        let (id, _, _) = s.redeem(&token, T0).expect("store").expect("session");
        s.end(&id);
        assert_eq!(s.member(&id, T0), None);
    }

    #[test]
    fn the_store_is_bounded_and_makes_room_from_expired_entries() {
        let s = Sessions::default();
        for _ in 0..MAX_ENTRIES {
            s.challenge(T0).expect("challenge");
        }
        assert_eq!(s.challenge(at(1)), Err(Full::Full));
        // Once they have expired, new ones fit.
        assert!(s.challenge(at(CHALLENGE_TTL.0)).is_ok());
        assert_eq!(s.lock().challenges.len(), 1);
    }

    #[test]
    fn secrets_round_trip_through_hex() {
        let secret = [0xab; 32];
        assert_eq!(from_hex(&to_hex(&secret)), Some(secret));
        assert_eq!(from_hex("+b"), None);
        assert_eq!(from_hex(&"g".repeat(64)), None);
    }
}
