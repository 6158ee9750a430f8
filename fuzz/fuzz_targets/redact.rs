//! Redaction of arbitrary bytes: `redact_bytes` refuses what is not JSON (like the checker),
//! otherwise returns JSON; it agrees with `redact_value` (on documents without duplicate keys,
//! see `NoDuplicateKeys`); and the redacted document gets the verdict the original gets, as
//! each endpoint's response.

#![no_main]

use std::collections::HashSet;
use std::fmt;

use ecs_tmde::check::{check_documents, Document, Report, Verdict};
use ecs_tmde::redact::Redactor;
use ecs_tmde::Endpoint;
use libfuzzer_sys::fuzz_target;
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

#[path = "common.rs"]
mod common;

fn verdict(endpoint: Endpoint, bytes: &[u8]) -> Option<Verdict> {
    let docs = [Document {
        endpoint,
        input: "fuzz".into(),
        bytes: bytes.to_vec(),
    }];
    let mut report = Report::default();
    check_documents(&docs, common::PROFILES[0], Default::default(), &mut report).ok()?;
    Some(report.verdict())
}

/// Parses only if no object of the document has a key twice. The bytes interface sees (and
/// numbers) the secrets of both values of a duplicate key, the value interface only the last,
/// so their placeholders are compared only for documents without duplicates.
struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NoDuplicateKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut seen = HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key) {
                        return Err(A::Error::custom("duplicate key"));
                    }
                    map.next_value::<NoDuplicateKeys>()?;
                }
                Ok(NoDuplicateKeys)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
                Ok(NoDuplicateKeys)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(NoDuplicateKeys)
            }
        }
        d.deserialize_any(V)
    }
}

fuzz_target!(|data: &[u8]| {
    let parsed = serde_json::from_slice::<serde_json::Value>(ecs_tmde::decode::strip_bom(data));
    let redacted = Redactor::new().redact_bytes("fuzz", data);
    let (value, out) = match (parsed, redacted) {
        (Ok(v), Ok(out)) => (v, out),
        (Err(_), Err(e)) => {
            assert!(e.to_string().starts_with("fuzz:"), "names the input: {e}");
            return;
        }
        (p, r) => panic!(
            "redact_bytes and the JSON parser disagree: parser ok={}, redact ok={}",
            p.is_ok(),
            r.is_ok()
        ),
    };
    let from_bytes: serde_json::Value =
        serde_json::from_slice(ecs_tmde::decode::strip_bom(&out)).expect("redacted bytes are JSON");
    let unique = serde_json::from_slice::<NoDuplicateKeys>(ecs_tmde::decode::strip_bom(data));
    if unique.is_ok() {
        let mut from_value = value;
        Redactor::new().redact_value(&mut from_value);
        assert_eq!(
            from_bytes, from_value,
            "the bytes and value interfaces agree"
        );
    }
    for endpoint in Endpoint::ALL {
        assert_eq!(
            verdict(endpoint, data),
            verdict(endpoint, &out),
            "redaction changes no verdict ({endpoint})"
        );
    }
});
