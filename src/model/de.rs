//! Serde helpers that make the typed decoder as strict as the published schema.
//!
//! Go's `encoding/json` omits an `omitempty` field instead of writing `null`, so an optional
//! key that is present must hold a value. `#[serde(default, deserialize_with = "de::some")]`
//! turns the key's absence into `None` and a `null` into an error, exactly like the schema,
//! whose optional properties do not allow `null` (see `schema::forbid_null_in_optional`).

use serde::{Deserialize, Deserializer};

/// Deserializes a present optional key: the value must not be `null`.
pub fn some<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Deserializes a key that must be present but may be `null` (a Go slice without
/// `omitempty`): unlike a plain `Option`, a missing key is an error.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// Deserializes a present optional number that must not be negative (container CPU units),
/// matching the schema's `minimum: 0`.
pub fn some_non_negative<'de, D>(d: D) -> Result<Option<super::Float>, D::Error>
where
    D: Deserializer<'de>,
{
    let v = super::Float::deserialize(d)?;
    if v.get() < 0.0 {
        return Err(serde::de::Error::custom(format_args!(
            "{v} is negative; CPU units are never negative"
        )));
    }
    Ok(Some(v))
}
