//! Numbers the agent marshals from Go `float64`.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Go `float64` as the agent marshals it: integral values print without a fraction
/// (`512`, not `512.0`), others in shortest form (`0.25`).
///
/// Used for `Limits.CPU` (vCPU at task level, CPU units at container level), `ClockErrorBound`
/// and the v4 network rates. Keeping Go's formatting is what lets the mock serve bytes a real
/// agent would serve.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default)]
pub struct Float(pub f64);

impl Float {
    /// The value.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Float {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<f64> for Float {
    fn from(v: f64) -> Self {
        Float(v)
    }
}

/// Largest magnitude below which every integer is exactly representable in an `f64`.
const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

impl Serialize for Float {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0;
        if v.fract() == 0.0 && v.abs() < EXACT_INTEGER_LIMIT {
            // Exact: |v| < 2^53 and integral.
            #[allow(clippy::cast_possible_truncation)]
            s.serialize_i64(v as i64)
        } else {
            s.serialize_f64(v)
        }
    }
}

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(Float)
    }
}

impl JsonSchema for Float {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Float".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "number" })
    }
}

#[cfg(test)]
mod tests {
    use super::Float;

    #[test]
    fn prints_like_go() {
        assert_eq!(serde_json::to_string(&Float(512.0)).unwrap(), "512");
        assert_eq!(serde_json::to_string(&Float(0.25)).unwrap(), "0.25");
        assert_eq!(serde_json::to_string(&Float(-1.0)).unwrap(), "-1");
        let v: Float = serde_json::from_str("0.14120749999999999").unwrap();
        assert!((v.get() - 0.141_207_5).abs() < 1e-12);
    }
}
