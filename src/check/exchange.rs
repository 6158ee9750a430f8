//! HTTP facts of a live check: one [`Exchange`] per request, kept small so that a long
//! `--watch` does not grow, and serialisable so that `record` can store them with a recording.

use serde::{Deserialize, Serialize};

use crate::Endpoint;

/// Bytes of a body kept for messages and probe rules.
pub const BODY_KEPT: usize = 512;

/// A request made on purpose to see the endpoint's error behaviour (`--probe-errors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probe {
    /// The endpoint's path with an endpoint id nobody was given.
    UnknownId,
    /// The endpoint's path with a trailing slash.
    TrailingSlash,
    /// A path under the endpoint id that the agent does not route.
    UnmatchedPath,
}

impl Probe {
    /// Every probe.
    pub const ALL: [Probe; 3] = [Probe::UnknownId, Probe::TrailingSlash, Probe::UnmatchedPath];

    /// The spelling in reports.
    pub fn name(self) -> &'static str {
        match self {
            Probe::UnknownId => "unknown-id",
            Probe::TrailingSlash => "trailing-slash",
            Probe::UnmatchedPath => "unmatched-path",
        }
    }
}

/// One HTTP request and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// The endpoint whose path was requested (for probes: the route probed).
    pub endpoint: Endpoint,
    /// Set for `--probe-errors` requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<Probe>,
    /// The URL requested.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` header, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The first [`BODY_KEPT`] bytes of the body (lossy UTF-8).
    #[serde(default)]
    pub body: String,
    /// Length of the whole body.
    #[serde(default)]
    pub body_len: u64,
    /// Why the body is not JSON (`line L column C: ...`), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_error: Option<String>,
    /// Time from sending the request to reading the last byte, in microseconds.
    #[serde(default)]
    pub elapsed_us: u64,
    /// Requests made (more than 1 after 429 or stats-not-ready retries).
    #[serde(default = "one")]
    pub attempts: u32,
    /// Response headers (lower-case names), kept by `record`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

fn one() -> u32 {
    1
}

impl Exchange {
    /// Builds an exchange from a response, keeping a bounded excerpt of the body and whether
    /// it parses as JSON.
    pub fn from_response(
        endpoint: Endpoint,
        probe: Option<Probe>,
        r: &crate::client::Response,
    ) -> Exchange {
        let body = &r.body;
        let body_error =
            match serde_json::from_slice::<serde::de::IgnoredAny>(crate::decode::strip_bom(body)) {
                Ok(_) => None,
                Err(e) => Some(e.to_string()),
            };
        let mut cut = body.len().min(BODY_KEPT);
        // Do not split a UTF-8 sequence at the cut: step back over at most 3 continuation
        // bytes (0b10xx_xxxx) to the start of the character.
        while cut < body.len() && cut > 0 && BODY_KEPT - cut < 4 && body[cut] & 0xC0 == 0x80 {
            cut -= 1;
        }
        Exchange {
            endpoint,
            probe,
            url: r.url.clone(),
            status: r.status,
            content_type: r.content_type.clone(),
            body: String::from_utf8_lossy(&body[..cut]).into_owned(),
            body_len: body.len() as u64,
            body_error,
            elapsed_us: u64::try_from(r.latency.as_micros()).unwrap_or(u64::MAX),
            attempts: r.attempts,
            headers: r.headers.clone(),
        }
    }

    /// `GET URL answered 404` for messages. The time it took is not part of it (it is in the
    /// finding's `elapsed_us`): a watch recognises a repeated finding by its message.
    pub fn summary(&self) -> String {
        format!("GET {} answered {}", self.url, self.status)
    }

    /// The media type of the Content-Type, lower-cased, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.content_type.as_deref().map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The body excerpt on one line, shortened for messages.
    pub fn body_excerpt(&self) -> String {
        let one_line: String = self
            .body
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(120)
            .collect();
        if self.body.chars().count() > 120 || self.body_len as usize > self.body.len() {
            format!("{}...", one_line.trim_end())
        } else {
            one_line.trim_end().to_owned()
        }
    }
}
