//! Topics: the names a community files its proposals under ("health",
//! "transport") so that members can delegate one subject to one member
//! and another subject to another (DESIGN §7.2).
//!
//! A topic is only a name. Each community lists its own in its rules; a
//! proposal carries at most one, from its proposer's community's list, and
//! a delegation scope may name one from its delegator's community's list.
//! Across communities topics match by name, so the names are kept to one
//! spelling: lowercase letters, digits, `-` and `_`.

use std::fmt;
use std::str::FromStr;

use bincode::de::Decoder;
use bincode::enc::Encoder;
use bincode::error::{DecodeError, EncodeError};
use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// Longest topic name, in bytes: a word or two, short enough for a table
/// column and cheap to carry in every proposal and delegation that names it.
pub const MAX_TOPIC_LEN: usize = 32;

/// Most topics a community lists. A topic is a subject people delegate
/// by; a few dozen cover a community's concerns, and the bound keeps the
/// rules record (hashed into the genesis, shown by the CLI) small.
pub const MAX_TOPICS: usize = 64;

/// Why a topic name or a list of topics is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    /// The name is empty, too long, or has characters topics do not use.
    #[error(
        "{name:?} is not a topic name: 1 to 32 characters of a-z, 0-9, - and _, starting with a letter or a digit"
    )]
    InvalidName {
        /// The name given (cut to 64 characters).
        name: String,
    },
    /// The list is longer than [`MAX_TOPICS`].
    #[error("a community lists at most {max} topics, not {count}")]
    TooMany {
        /// Topics listed.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A name is listed twice.
    #[error("topic {name} is listed twice")]
    Duplicate {
        /// The name.
        name: String,
    },
}

impl TopicError {
    /// A stable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            TopicError::InvalidName { .. } => "invalid_topic",
            TopicError::TooMany { .. } => "too_many_topics",
            TopicError::Duplicate { .. } => "duplicate_topic",
        }
    }
}

/// A topic name, valid by construction: 1 to [`MAX_TOPIC_LEN`] bytes of
/// `a-z`, `0-9`, `-` and `_`, beginning with a letter or a digit. Decoding
/// and deserialising check the name too, so a `Topic` in hand is always
/// one a community could list.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Topic(String);

impl Topic {
    /// The topic called `name`, if it is a valid name.
    pub fn new(name: &str) -> Result<Topic, TopicError> {
        let bytes = name.as_bytes();
        let valid = !bytes.is_empty()
            && bytes.len() <= MAX_TOPIC_LEN
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_');
        if !valid {
            return Err(TopicError::InvalidName {
                name: name.chars().take(64).collect(),
            });
        }
        Ok(Topic(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a community's list of topics: at most [`MAX_TOPICS`], each
/// named once (each name is valid by construction).
pub fn check_list(topics: &[Topic]) -> Result<(), TopicError> {
    if topics.len() > MAX_TOPICS {
        return Err(TopicError::TooMany {
            count: topics.len(),
            max: MAX_TOPICS,
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for topic in topics {
        if !seen.insert(topic) {
            return Err(TopicError::Duplicate {
                name: topic.0.clone(),
            });
        }
    }
    Ok(())
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Topic {
    type Err = TopicError;

    fn from_str(s: &str) -> Result<Topic, TopicError> {
        Topic::new(s)
    }
}

impl TryFrom<String> for Topic {
    type Error = TopicError;

    fn try_from(name: String) -> Result<Topic, TopicError> {
        Topic::new(&name)
    }
}

impl From<Topic> for String {
    fn from(topic: Topic) -> String {
        topic.0
    }
}

/// Encoded as its name (a string).
impl Encode for Topic {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        self.0.encode(encoder)
    }
}

/// A name that is not a valid topic is malformed.
impl<C> Decode<C> for Topic {
    fn decode<D: Decoder<Context = C>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let name = String::decode(decoder)?;
        Topic::new(&name).map_err(|e| DecodeError::OtherString(e.to_string()))
    }
}

bincode::impl_borrow_decode!(Topic);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_lowercase_words() {
        for ok in [
            "health",
            "transport",
            "a",
            "0",
            "bike-lanes",
            "s_2",
            &"x".repeat(32),
        ] {
            assert_eq!(Topic::new(ok).map(|t| t.to_string()), Ok(ok.to_string()));
        }
        for bad in [
            "",
            "Health",
            "-health",
            "_x",
            "bike lanes",
            "café",
            "a/b",
            &"x".repeat(33),
        ] {
            let err = Topic::new(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_topic", "{bad:?}");
        }
    }

    #[test]
    fn a_list_is_bounded_and_names_each_topic_once() {
        let topic = |n: usize| Topic::new(&format!("t{n}")).unwrap();
        let full: Vec<Topic> = (0..MAX_TOPICS).map(topic).collect();
        assert_eq!(check_list(&full), Ok(()));
        let over: Vec<Topic> = (0..=MAX_TOPICS).map(topic).collect();
        assert_eq!(check_list(&over).unwrap_err().code(), "too_many_topics");
        let twice = vec![topic(1), topic(2), topic(1)];
        assert_eq!(
            check_list(&twice),
            Err(TopicError::Duplicate { name: "t1".into() })
        );
    }

    #[test]
    fn decoding_and_deserialising_check_the_name() {
        let limit = crate::codec::MAX_RECORD_BYTES;
        let bytes = crate::codec::encode(&"Not ok".to_string());
        let refused = crate::codec::decode_canonical::<Topic>(&bytes, limit);
        assert!(matches!(
            refused,
            Err(crate::codec::Error::Malformed { .. })
        ));
        let bytes = crate::codec::encode(&"health".to_string());
        let topic = crate::codec::decode_canonical::<Topic>(&bytes, limit);
        assert_eq!(topic.map(String::from), Ok("health".to_string()));
        let good = Topic::new("health").unwrap();
        let json = serde_json::to_string(&good).unwrap();
        assert_eq!(json, "\"health\"");
        assert_eq!(serde_json::from_str::<Topic>(&json).unwrap(), good);
        assert!(serde_json::from_str::<Topic>("\"Health\"").is_err());
    }
}
