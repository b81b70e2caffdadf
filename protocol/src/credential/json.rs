//! Reading a credential's JSON text strictly: a member name given twice
//! in one object is refused (RFC 8785 works on I-JSON, which forbids
//! them), since two verifiers could otherwise read two different values
//! for the same field of one signed credential.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::CredentialError;

/// Parses `text` as JSON, refusing duplicate member names.
pub fn parse(text: &str) -> Result<Value, CredentialError> {
    serde_json::from_str::<Strict>(text)
        .map(|strict| strict.0)
        .map_err(|err| CredentialError::InvalidJson {
            reason: err.to_string(),
        })
}

/// A JSON value read with no duplicate member names.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.contains_key(&name) {
                return Err(de::Error::custom(format!(
                    "the member name {name:?} appears twice in one object"
                )));
            }
            let Strict(value) = map.next_value()?;
            out.insert(name, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_reads_as_serde_json_reads_it() {
        let text = r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": "\u00e9"}"#;
        assert_eq!(
            parse(text),
            Ok(serde_json::from_str::<Value>(text).expect("JSON"))
        );
    }

    #[test]
    fn duplicate_names_and_broken_text_are_refused() {
        for text in [
            r#"{"name": "Baking", "name": "Surgery"}"#,
            r#"{"outer": {"id": 1, "id": 1}}"#,
            r#"[{"x": 1, "x": 2}]"#,
            "{ not json",
            r#"{"a": 1} trailing"#,
        ] {
            assert!(
                matches!(parse(text), Err(CredentialError::InvalidJson { .. })),
                "{text}"
            );
        }
    }
}
