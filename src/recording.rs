//! `recording.json`: what a recording directory says about itself.
//!
//! Written by `ecs-tmde record` and by hand for the corpus in `conformance/recorded/`. The
//! checker reads `version` and `profile` from it; the corpus tests also read `expected` and
//! `origin`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::Exchange;
use crate::profile::Profile;
use crate::Error;

/// Name of the metadata file in a recording directory.
pub const FILE_NAME: &str = "recording.json";

/// The verdict a recording is expected to get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedVerdict {
    /// A correct endpoint could have sent it: no error findings.
    Pass,
    /// It breaks a promise a real agent keeps: at least one error finding.
    Fail,
    /// It cannot be checked at all (exit status 2).
    Error,
}

/// What the project expects of a recording, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// The verdict.
    pub verdict: ExpectedVerdict,
    /// Why.
    pub why: String,
}

/// Contents of `recording.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RecordingMeta {
    /// Format tag, `ecs-tmde-recording/1`.
    #[serde(default)]
    pub format: Option<String>,
    /// Endpoint version the responses came from: `v2`, `v3` or `v4`.
    #[serde(default)]
    pub version: Option<String>,
    /// What the endpoint is.
    #[serde(default)]
    pub profile: Profile,
    /// The expected verdict (corpus recordings).
    #[serde(default)]
    pub expected: Option<Expected>,
    /// Where the responses came from.
    #[serde(default)]
    pub origin: Option<serde_json::Value>,
    /// How `ecs-tmde record` made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Recorded>,
    /// The HTTP exchanges of the recording (`ecs-tmde record`): the checker runs the HTTP
    /// rules on them, so a recording gets the verdict its live endpoint got.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<Exchange>,
    /// Everything else (`record` adds URL, time, status, headers, latency, tool version).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// How a recording was made by `ecs-tmde record`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The endpoint URL (`ECS_CONTAINER_METADATA_URI`).
    pub url: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The tool and its version.
    pub tool: String,
    /// Whether `/taskWithTags` was fetched instead of `/task`.
    #[serde(default)]
    pub with_tags: bool,
    /// Whether the error probes were made.
    #[serde(default)]
    pub probe_errors: bool,
    /// Whether account ids, resource ids, addresses and cluster names were replaced.
    #[serde(default)]
    pub redacted: bool,
}

impl RecordingMeta {
    /// Reads `dir/recording.json`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<RecordingMeta>, Error> {
        let path = dir.join(FILE_NAME);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Io { path, source }),
        };
        crate::decode::from_slice(&path.display().to_string(), &bytes).map(Some)
    }
}
