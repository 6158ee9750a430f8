//! The checker: decodes documents, runs the schema and the rule catalogue, and produces a
//! [`Report`] of findings.
//!
//! The fast path decodes straight into the typed models (which agree with the published
//! schema); only a document that does not decode is parsed again and run through the full JSON
//! Schema validator, to explain each violation with its JSON Pointer.

mod exchange;
mod history;
pub mod live;
mod source;

use std::fmt;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use exchange::{Exchange, Probe, BODY_KEPT};
pub use history::{History, SeenContainer, SeenStats};
pub use source::{check_path, Options};

use crate::decode::strip_bom;
use crate::model::{Container, Stats, Task, TaskStats};
use crate::profile::Profile;
use crate::rules::{self, Context, Needs, Severity, Sink};
use crate::{Endpoint, Error};

/// Exit status when the target conforms.
pub const EXIT_PASS: u8 = 0;
/// Exit status when there are findings that fail the check.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status when the target could not be checked.
pub const EXIT_ERROR: u8 = 2;

/// Version of the endpoint a document came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// `/v3/` (v2 recordings are checked as v3: the agent serves the same structs).
    #[default]
    V3,
    /// `/v4/`: the v3 documents plus the v4 additions.
    V4,
}

impl ApiVersion {
    /// Both versions, oldest first.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V3, ApiVersion::V4];

    /// `v3` or `v4`: the spelling in URLs, `recording.json` and `schemas/`.
    pub fn name(self) -> &'static str {
        match self {
            ApiVersion::V3 => "v3",
            ApiVersion::V4 => "v4",
        }
    }

    /// Position in [`ApiVersion::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The environment variable the agent sets to this version's endpoint.
    pub fn env_var(self) -> &'static str {
        match self {
            ApiVersion::V3 => crate::client::ENV_VAR,
            ApiVersion::V4 => crate::client::ENV_VAR_V4,
        }
    }

    /// Parses `v2`, `v3` or `v4`.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        match s {
            "v2" | "v3" => Some(ApiVersion::V3),
            "v4" => Some(ApiVersion::V4),
            _ => None,
        }
    }
}

/// One violation found in a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Id of the rule.
    pub rule: &'static str,
    /// Severity of the rule.
    pub severity: Severity,
    /// The endpoint whose document is at fault.
    pub endpoint: Endpoint,
    /// RFC 6901 JSON Pointer into that document.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// Line of a JSON Lines target the document came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// File or URL the document came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Poll of a `--watch` the finding was made in (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<u64>,
    /// For live checks: how long the request for the document took, in microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_us: Option<u64>,
}

/// A rule that did not run, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Id of the rule.
    pub rule: &'static str,
    /// Why it did not run.
    pub reason: String,
}

/// Pass or fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No finding fails the check.
    Pass,
    /// At least one error (or warning, with `--deny-warnings`).
    Fail,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        })
    }
}

/// The outcome of checking one target.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// What was checked (path or URL).
    pub target: String,
    /// Endpoint version the documents were checked as.
    pub version: ApiVersion,
    /// Profile the rules used.
    pub profile: Profile,
    /// Endpoints whose documents were checked.
    pub checked: Vec<Endpoint>,
    /// Number of documents checked (more than the endpoints for JSON Lines).
    pub documents: u64,
    /// Findings, sorted by line, endpoint, pointer and rule.
    pub findings: Vec<Finding>,
    /// Rules that did not run, with the reason.
    pub skipped: Vec<Skipped>,
    /// Things the checker inferred or wants the reader to know.
    pub notes: Vec<String>,
    /// Whether warnings fail the check.
    pub deny_warnings: bool,
    /// Polls of a `--watch` (0 otherwise).
    #[serde(skip_serializing_if = "is_zero")]
    pub polls: u64,
    /// Why a `--watch` ended before it was asked to (the endpoint went away): the report
    /// covers the polls before, and the exit status is 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Report {
    /// The verdict.
    pub fn verdict(&self) -> Verdict {
        let fails = |f: &Finding| {
            f.severity == Severity::Error || (self.deny_warnings && f.severity == Severity::Warning)
        };
        if self.findings.iter().any(fails) {
            Verdict::Fail
        } else {
            Verdict::Pass
        }
    }

    /// Exit status for the verdict (2 when a watch was interrupted).
    pub fn exit_status(&self) -> u8 {
        if self.interrupted.is_some() {
            return EXIT_ERROR;
        }
        match self.verdict() {
            Verdict::Pass => EXIT_PASS,
            Verdict::Fail => EXIT_FINDINGS,
        }
    }

    /// Counts of findings by severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    }

    /// Sorts findings into the stable order reports and snapshots use.
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.poll, a.line, a.endpoint, &a.pointer, a.rule, &a.message)
                .cmp(&(b.poll, b.line, b.endpoint, &b.pointer, b.rule, &b.message))
        });
        self.findings.dedup();
    }
}

/// One response to check: which endpoint, where it came from, and its bytes.
#[derive(Clone, Debug)]
pub struct Document {
    /// The endpoint it is a response of.
    pub endpoint: Endpoint,
    /// Its name in messages (file path, URL, `file.jsonl:LINE`).
    pub input: String,
    /// The body.
    pub bytes: Vec<u8>,
}

/// Typed documents of one target, as far as they decoded.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The container response.
    pub container: Option<Container>,
    /// The task response.
    pub task: Option<Task>,
    /// The stats response.
    pub stats: Option<Stats>,
    /// The task stats response.
    pub task_stats: Option<TaskStats>,
}

impl Decoded {
    /// Decodes `doc` into its slot. Returns whether it decoded; when it is JSON that does not
    /// match the schema, its schema findings are pushed to `out` and the slot stays empty.
    fn add(
        &mut self,
        doc: &Document,
        version: ApiVersion,
        out: &mut Vec<Finding>,
    ) -> Result<bool, Error> {
        Ok(match doc.endpoint {
            Endpoint::Container => {
                self.container = decode_one(doc, version, out)?;
                self.container.is_some()
            }
            Endpoint::Task => {
                self.task = decode_one(doc, version, out)?;
                self.task.is_some()
            }
            Endpoint::Stats => {
                self.stats = decode_one(doc, version, out)?;
                self.stats.is_some()
            }
            Endpoint::TaskStats => {
                self.task_stats = decode_one(doc, version, out)?;
                self.task_stats.is_some()
            }
        })
    }

    /// The decoded document of `endpoint`, serialised back to JSON (as the agent would write
    /// it, unknown keys kept in place).
    pub fn to_value(&self, endpoint: Endpoint) -> Option<serde_json::Value> {
        let v = match endpoint {
            Endpoint::Container => self.container.as_ref().map(serde_json::to_value),
            Endpoint::Task => self.task.as_ref().map(serde_json::to_value),
            Endpoint::Stats => self.stats.as_ref().map(serde_json::to_value),
            Endpoint::TaskStats => self.task_stats.as_ref().map(serde_json::to_value),
        };
        v.map(|r| r.expect("models serialise"))
    }
}

fn validators() -> &'static [[jsonschema::Validator; 4]; 2] {
    static V: OnceLock<[[jsonschema::Validator; 4]; 2]> = OnceLock::new();
    V.get_or_init(|| ApiVersion::ALL.map(|v| Endpoint::ALL.map(|e| crate::schema::validator(v, e))))
}

fn validator_for(version: ApiVersion, endpoint: Endpoint) -> &'static jsonschema::Validator {
    &validators()[version.index()][endpoint.index()]
}

/// Decodes `doc` into its model. Returns `Ok(None)` with schema findings pushed to `out` when
/// the document is JSON but does not match the schema; `Err` when it is not JSON at all, or is
/// evidently another endpoint's response.
///
/// The models describe v4 (a superset of v3), and the v3 schema leaves the v4 additions out.
/// A v3 document whose v4 keys have the wrong type is valid for the v3 schema but does not
/// decode; its v4 schema findings explain why, so it is never rejected silently.
fn decode_one<T: DeserializeOwned>(
    doc: &Document,
    version: ApiVersion,
    out: &mut Vec<Finding>,
) -> Result<Option<T>, Error> {
    let bytes = strip_bom(&doc.bytes);
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(Some(v)),
        Err(decode_error) => {
            // Whether the document is JSON at all is the JSON parser's to say: the typed
            // decoder reports some type errors as syntax errors (a number or an array where a
            // status string is expected is "expected value").
            let value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| Error::json(&doc.input, &e))?;
            if let Some(other) = Endpoint::infer(&value) {
                if other != doc.endpoint {
                    return Err(Error::Input {
                        input: doc.input.clone(),
                        message: format!(
                            "this looks like a {other} response, not a {} response; hint: name the file {} or pass --endpoint {other}",
                            doc.endpoint,
                            other.file_name()
                        ),
                    });
                }
            }
            let before = out.len();
            schema_findings(version, doc.endpoint, &value, out);
            if out.len() == before && version == ApiVersion::V3 {
                schema_findings(ApiVersion::V4, doc.endpoint, &value, out);
                for f in &mut out[before..] {
                    f.message
                        .push_str(" (a v4 field, checked against the v4 schema)");
                }
            }
            if out.len() == before {
                // The schema validator reads numbers as doubles, so an integer just past a
                // 64-bit bound can round onto it and pass; the exact decoder still refuses it,
                // and the document must not pass unexplained.
                let why = bounded(&decode_error, 240);
                let what = why.rfind(" at line ").map_or(why.as_str(), |i| &why[..i]);
                out.push(Finding {
                    rule: "schema-violation",
                    severity: Severity::Error,
                    endpoint: doc.endpoint,
                    pointer: String::new(),
                    message: format!(
                        "line {}, column {}: the document cannot be read as the agent writes it: {what} (a JSON Schema validator accepts it: it does not see duplicate keys, takes 512.0 for an integer, and compares numbers as doubles)",
                        decode_error.line(),
                        decode_error.column()
                    ),
                    line: None,
                    source: None,
                    poll: None,
                    elapsed_us: None,
                });
            }
            Ok(None)
        }
    }
}

/// Validates `value` against the published schema of `endpoint`, reporting each violation
/// under the rule its keyword belongs to.
pub fn schema_findings(
    version: ApiVersion,
    endpoint: Endpoint,
    value: &serde_json::Value,
    out: &mut Vec<Finding>,
) {
    for err in validator_for(version, endpoint).iter_errors(value) {
        let schema_path = err.schema_path().to_string();
        let rule = rules::rule_for_schema_error(&schema_path);
        let message = bounded(&err, 240);
        out.push(Finding {
            rule: rule.id,
            severity: rule.severity,
            endpoint,
            pointer: err.instance_path().to_string(),
            message: format!("{message} (schema: {schema_path})"),
            line: None,
            source: None,
            poll: None,
            elapsed_us: None,
        });
    }
}

/// Formats `message` into at most `max` bytes (cut on a character boundary and marked with
/// `...`), without formatting the rest: messages quote the document's values, which can be
/// 100 MB long.
fn bounded(message: &dyn fmt::Display, max: usize) -> String {
    struct Bounded {
        text: String,
        max: usize,
        cut: bool,
    }
    impl fmt::Write for Bounded {
        fn write_str(&mut self, part: &str) -> fmt::Result {
            let room = self.max - self.text.len();
            if part.len() <= room {
                self.text.push_str(part);
                return Ok(());
            }
            let end = (0..=room)
                .rev()
                .find(|i| part.is_char_boundary(*i))
                .unwrap_or(0);
            self.text.push_str(&part[..end]);
            self.cut = true;
            // Stops the formatting of the rest.
            Err(fmt::Error)
        }
    }
    let mut out = Bounded {
        text: String::new(),
        max,
        cut: false,
    };
    let _ = fmt::write(&mut out, format_args!("{message}"));
    if out.cut {
        out.text.push_str("...");
    }
    out.text
}

/// Checks a set of documents read together (a recording directory, or one poll of a live
/// endpoint), running cross-endpoint rules between them.
pub fn check_documents(
    docs: &[Document],
    profile: Profile,
    version: ApiVersion,
    report: &mut Report,
) -> Result<(), Error> {
    check_poll(
        &Poll {
            docs,
            http: &[],
            poll: None,
        },
        None,
        profile,
        version,
        report,
    )
}

/// One round of documents read together, with the HTTP exchanges that fetched them.
#[derive(Clone, Copy, Debug)]
pub struct Poll<'a> {
    /// The documents.
    pub docs: &'a [Document],
    /// The HTTP exchanges (empty for files).
    pub http: &'a [Exchange],
    /// Number of the poll under `--watch` (1-based).
    pub poll: Option<u64>,
}

/// Checks one poll. With `history`, lifecycle rules compare it with earlier polls, and the
/// poll is then folded into the history.
pub fn check_poll(
    input: &Poll<'_>,
    history: Option<&mut History>,
    profile: Profile,
    version: ApiVersion,
    report: &mut Report,
) -> Result<(), Error> {
    let docs = input.docs;
    let mut findings = Vec::new();
    let mut decoded = Decoded::default();
    let mut invalid = Vec::new();
    for doc in docs {
        if !decoded.add(doc, version, &mut findings)? {
            invalid.push(doc.endpoint);
        }
        if !report.checked.contains(&doc.endpoint) {
            report.checked.push(doc.endpoint);
        }
        report.documents += 1;
    }
    for e in &invalid {
        let note = format!("engine rules did not read the {e} document: it does not match the schema (see schema findings)");
        if !report.notes.contains(&note) {
            report.notes.push(note);
        }
    }
    let rules_history = history.as_deref().filter(|h| h.polls > 0);
    let ctx = Context {
        container: decoded.container.as_ref(),
        task: decoded.task.as_ref(),
        stats: decoded.stats.as_ref(),
        task_stats: decoded.task_stats.as_ref(),
        profile,
        version,
        http: input.http,
        history: if history.is_some() {
            Some(rules_history.unwrap_or(&EMPTY_HISTORY))
        } else {
            None
        },
        poll: input.poll.unwrap_or(1),
    };
    run_context(&ctx, &mut findings, &mut report.skipped);
    for f in &mut findings {
        if f.source.is_none() {
            f.source = docs
                .iter()
                .find(|d| d.endpoint == f.endpoint)
                .map(|d| d.input.clone())
                .or_else(|| {
                    input
                        .http
                        .iter()
                        .find(|x| x.probe.is_none() && x.endpoint == f.endpoint)
                        .map(|x| x.url.clone())
                });
        }
        if f.elapsed_us.is_none() {
            f.elapsed_us = input
                .http
                .iter()
                .find(|x| x.probe.is_none() && x.endpoint == f.endpoint)
                .map(|x| x.elapsed_us);
        }
        f.poll = input.poll;
    }
    if let Some(h) = history {
        h.record(
            decoded.container.as_ref(),
            decoded.task.as_ref(),
            decoded.stats.as_ref(),
            decoded.task_stats.as_ref(),
        );
    }
    report.findings.extend(findings);
    Ok(())
}

static EMPTY_HISTORY: History = History {
    polls: 0,
    task_status: None,
    pull_started_at: None,
    containers: std::collections::BTreeMap::new(),
    stats: std::collections::BTreeMap::new(),
};

/// Runs every rule of the catalogue on typed documents.
pub fn run_rules(
    decoded: &Decoded,
    profile: Profile,
    version: ApiVersion,
    out: &mut Vec<Finding>,
    skipped: &mut Vec<Skipped>,
) {
    let ctx = Context {
        container: decoded.container.as_ref(),
        task: decoded.task.as_ref(),
        stats: decoded.stats.as_ref(),
        task_stats: decoded.task_stats.as_ref(),
        profile,
        version,
        http: &[],
        history: None,
        poll: 1,
    };
    run_context(&ctx, out, skipped);
}

/// Runs every rule whose needs `ctx` meets; the others are listed in `skipped` with the reason.
pub fn run_context(ctx: &Context<'_>, out: &mut Vec<Finding>, skipped: &mut Vec<Skipped>) {
    for rule in rules::RULES {
        if !rule.versions.contains(&ctx.version) {
            continue;
        }
        if let Some(reason) = rule.needs.unmet(ctx) {
            // HTTP, probe and lifecycle rules cannot apply to documents read from files, so
            // they are listed as skipped only for live endpoints, where a flag would run them.
            let worth_saying = rule.needs == Needs::LaunchType || !ctx.http.is_empty();
            if worth_saying && !skipped.iter().any(|s| s.rule == rule.id) {
                skipped.push(Skipped {
                    rule: rule.id,
                    reason: reason.into(),
                });
            }
            continue;
        }
        (rule.check)(ctx, &mut Sink::new(rule, out));
    }
}

/// Decodes a single document of a known endpoint for library users, returning the schema
/// findings when it does not match.
pub fn decode_document(
    doc: &Document,
    version: ApiVersion,
) -> Result<(Decoded, Vec<Finding>), Error> {
    let mut findings = Vec::new();
    let mut decoded = Decoded::default();
    decoded.add(doc, version, &mut findings)?;
    Ok((decoded, findings))
}

/// The documents of one poll in a fixture.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureDocs {
    /// The container response.
    #[serde(default)]
    pub container: Option<Box<serde_json::value::RawValue>>,
    /// The task response.
    #[serde(default)]
    pub task: Option<Box<serde_json::value::RawValue>>,
    /// The stats response.
    #[serde(default)]
    pub stats: Option<Box<serde_json::value::RawValue>>,
    /// The task stats response.
    #[serde(rename = "task-stats", default)]
    pub task_stats: Option<Box<serde_json::value::RawValue>>,
    /// HTTP exchanges of the poll (for HTTP and probe rules).
    #[serde(default)]
    pub http: Vec<Exchange>,
}

impl FixtureDocs {
    fn documents(&self, input: &str) -> Vec<Document> {
        let mut docs = Vec::new();
        for (endpoint, raw) in [
            (Endpoint::Container, &self.container),
            (Endpoint::Task, &self.task),
            (Endpoint::Stats, &self.stats),
            (Endpoint::TaskStats, &self.task_stats),
        ] {
            if let Some(raw) = raw {
                docs.push(Document {
                    endpoint,
                    input: format!("{input}#{endpoint}"),
                    bytes: raw.get().as_bytes().to_vec(),
                });
            }
        }
        docs
    }
}

/// A rule fixture: the format of the files in `conformance/rules/<rule-id>/{pass,fail}/`.
/// Either one set of documents (`container`, `task`, `stats`, `task-stats`, and `http`
/// exchanges) read together, or `polls`: several such sets checked in order as `--watch`
/// checks them, for lifecycle rules.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Why this fixture passes or fails.
    pub about: String,
    /// Endpoint version (default v3).
    #[serde(default)]
    pub version: Option<String>,
    /// Profile to check under.
    #[serde(default)]
    pub profile: Profile,
    /// The container response (single poll).
    #[serde(default)]
    pub container: Option<Box<serde_json::value::RawValue>>,
    /// The task response (single poll).
    #[serde(default)]
    pub task: Option<Box<serde_json::value::RawValue>>,
    /// The stats response (single poll).
    #[serde(default)]
    pub stats: Option<Box<serde_json::value::RawValue>>,
    /// The task stats response (single poll).
    #[serde(rename = "task-stats", default)]
    pub task_stats: Option<Box<serde_json::value::RawValue>>,
    /// HTTP exchanges (single poll).
    #[serde(default)]
    pub http: Vec<Exchange>,
    /// Several polls, checked in order with the lifecycle rules.
    #[serde(default)]
    pub polls: Vec<FixtureDocs>,
}

/// Checks a rule fixture file.
pub fn check_fixture(path: &std::path::Path) -> Result<Report, Error> {
    let input = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let fx: Fixture = crate::decode::from_slice(&input, &bytes)?;
    let version = match fx.version.as_deref() {
        None => ApiVersion::V3,
        Some(v) => ApiVersion::parse(v).ok_or_else(|| Error::Input {
            input: input.clone(),
            message: format!("unknown version {v:?}"),
        })?,
    };
    let mut report = Report {
        target: input.clone(),
        version,
        profile: fx.profile,
        ..Report::default()
    };
    let top = FixtureDocs {
        container: fx.container,
        task: fx.task,
        stats: fx.stats,
        task_stats: fx.task_stats,
        http: fx.http,
    };
    let single = top.documents(&input);
    if fx.polls.is_empty() {
        if single.is_empty() && top.http.is_empty() {
            return Err(Error::Input {
                input,
                message: "a fixture needs at least one of container, task, stats, task-stats, http or polls".into(),
            });
        }
        let poll = Poll {
            docs: &single,
            http: &top.http,
            poll: None,
        };
        check_poll(&poll, None, fx.profile, version, &mut report)?;
    } else {
        if !single.is_empty() || !top.http.is_empty() {
            return Err(Error::Input {
                input,
                message: "a fixture has either polls or top-level documents, not both".into(),
            });
        }
        let mut history = History::default();
        for (i, p) in fx.polls.iter().enumerate() {
            let docs = p.documents(&format!("{input}#poll{}", i + 1));
            let poll = Poll {
                docs: &docs,
                http: &p.http,
                poll: Some(i as u64 + 1),
            };
            check_poll(&poll, Some(&mut history), fx.profile, version, &mut report)?;
        }
    }
    report.sort();
    Ok(report)
}
