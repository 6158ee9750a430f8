//! RFC 3339 timestamps exactly as the ECS agent writes them.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The regular expression published in the schemas for every timestamp.
///
/// Go's `time.Time` marshals as RFC 3339 with 0 to 9 fractional digits (trailing zeros are
/// trimmed), an upper-case `T`, and `Z` for UTC. Offsets other than `Z` are accepted here so
/// that the checker can report them with a precise rule (`timestamp-not-utc`) instead of a
/// generic pattern failure.
pub const TIMESTAMP_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";

/// An RFC 3339 date-time as sent by the endpoint.
///
/// The original text is kept so that a document round-trips byte for byte; the parsed instant
/// (nanoseconds since the Unix epoch, in UTC) is what comparisons use.
#[derive(Clone, Debug)]
pub struct Timestamp {
    text: String,
    unix_nanos: i128,
    utc: bool,
}

/// Why a string is not a timestamp the endpoint could have sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampError(&'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// Parses `text`, which must match [`TIMESTAMP_PATTERN`] and name a real calendar instant.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let (unix_nanos, utc) = parse_rfc3339(text)?;
        Ok(Timestamp {
            text: text.to_owned(),
            unix_nanos,
            utc,
        })
    }

    /// Builds a UTC timestamp from nanoseconds since the Unix epoch, formatted the way Go
    /// formats `time.RFC3339Nano` (trailing zeros of the fraction trimmed).
    pub fn from_unix_nanos(unix_nanos: i128) -> Self {
        let secs = unix_nanos.div_euclid(1_000_000_000);
        let nanos = unix_nanos.rem_euclid(1_000_000_000) as u32;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days as i64);
        let mut text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            (sod / 60) % 60,
            sod % 60
        );
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            text.push('.');
            text.push_str(frac.trim_end_matches('0'));
        }
        text.push('Z');
        Timestamp {
            text,
            unix_nanos,
            utc: true,
        }
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub fn unix_nanos(&self) -> i128 {
        self.unix_nanos
    }

    /// Whether the offset is `Z` (the agent always converts to UTC).
    pub fn is_utc(&self) -> bool {
        self.utc
    }

    /// Whether this is Go's zero time, `0001-01-01T00:00:00Z`, which the agent never sends
    /// for metadata timestamps (it omits the key instead).
    pub fn is_zero_time(&self) -> bool {
        self.unix_nanos == ZERO_TIME_UNIX_NANOS
    }
}

/// `0001-01-01T00:00:00Z` in nanoseconds since the Unix epoch.
pub const ZERO_TIME_UNIX_NANOS: i128 = -62_135_596_800 * 1_000_000_000;

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.unix_nanos == other.unix_nanos
    }
}
impl Eq for Timestamp {}
impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.unix_nanos.cmp(&other.unix_nanos)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp such as 2020-10-02T00:43:06.31288465Z")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v)
                    .map_err(|e| E::custom(format_args!("invalid timestamp {v:?}: {e}")))
            }
        }
        d.deserialize_str(Visitor)
    }
}

impl JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "pattern": TIMESTAMP_PATTERN,
        })
    }
}

fn digits(b: &[u8]) -> Result<u32, TimestampError> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return Err(TimestampError("expected a digit"));
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Ok(v)
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Parses the subset of RFC 3339 described by [`TIMESTAMP_PATTERN`], with the calendar and
/// leap-second checks of the `date-time` format of JSON Schema (so that the typed decoder and a
/// format-checking validator agree on every string).
fn parse_rfc3339(s: &str) -> Result<(i128, bool), TimestampError> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return Err(TimestampError("too short for YYYY-MM-DDTHH:MM:SSZ"));
    }
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return Err(TimestampError("expected the form YYYY-MM-DDTHH:MM:SS"));
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    if !(1..=12).contains(&month) {
        return Err(TimestampError("month out of range"));
    }
    let days_in_month = match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 31,
    };
    if day == 0 || day > days_in_month {
        return Err(TimestampError("day out of range for the month"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(TimestampError("time of day out of range"));
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let n = i - start;
        if n == 0 || n > 9 {
            return Err(TimestampError("fractional seconds must have 1 to 9 digits"));
        }
        nanos = digits(&b[start..i])? * 10u32.pow(9 - n as u32);
    }
    let (offset_minutes, utc) = match &b[i..] {
        [b'Z'] => (0i64, true),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let oh = digits(&[*h1, *h2])?;
            let om = digits(&[*m1, *m2])?;
            if oh > 23 || om > 59 {
                return Err(TimestampError("offset out of range"));
            }
            let off = i64::from(oh * 60 + om);
            (if *sign == b'-' { -off } else { off }, false)
        }
        _ => {
            return Err(TimestampError(
                "expected Z or an offset such as +02:00 at the end",
            ))
        }
    };
    let local_minutes = i64::from(hour * 60 + minute);
    let utc_minutes = (local_minutes - offset_minutes).rem_euclid(24 * 60);
    if second == 60 && utc_minutes != 23 * 60 + 59 {
        return Err(TimestampError(
            "a leap second is only valid at 23:59:60 UTC",
        ));
    }
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + local_minutes * 60 + i64::from(second) - offset_minutes * 60;
    Ok((i128::from(secs) * 1_000_000_000 + i128::from(nanos), utc))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_agent_sends() {
        for s in [
            "2018-02-01T20:55:08.366329616Z",
            "2020-10-02T00:43:06.31288465Z",
            "2021-09-07T16:57:44Z",
            "2016-12-31T23:59:60Z",
            "0001-01-01T00:00:00Z",
            "2020-01-01T01:00:00+01:00",
        ] {
            let t = Timestamp::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(t.as_str(), s);
        }
        assert!(Timestamp::parse("0001-01-01T00:00:00Z")
            .unwrap()
            .is_zero_time());
        assert_eq!(
            Timestamp::parse("2020-01-01T01:00:00+01:00").unwrap(),
            Timestamp::parse("2020-01-01T00:00:00Z").unwrap()
        );
    }

    #[test]
    fn rejects_what_no_agent_sends() {
        for s in [
            "",
            "2018-02-01 20:55:08Z",
            "2018-02-30T20:55:08Z",
            "2018-13-01T20:55:08Z",
            "2018-02-01T24:00:00Z",
            "2018-02-01T20:55:08",
            "2018-02-01T20:55:08.Z",
            "2018-02-01T20:55:08.1234567890Z",
            "2018-02-01T20:55:60Z",
            "2018-02-01t20:55:08z",
        ] {
            assert!(Timestamp::parse(s).is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn formats_like_go() {
        let t = Timestamp::parse("2020-10-02T00:43:06.31288465Z").unwrap();
        assert_eq!(
            Timestamp::from_unix_nanos(t.unix_nanos()).as_str(),
            t.as_str()
        );
        assert_eq!(
            Timestamp::from_unix_nanos(0).as_str(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix_nanos(ZERO_TIME_UNIX_NANOS).as_str(),
            "0001-01-01T00:00:00Z"
        );
    }
}
