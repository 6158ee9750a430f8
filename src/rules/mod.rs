//! The rule catalogue: every promise of the endpoint that the checker enforces.
//!
//! Each rule is declared once, as a [`Rule`] constant next to its check function, in the file
//! of its family. [`RULES`] lists them; the registry tests, `conformance/RULES.md`, the report
//! names and the per-rule fixture tests all derive from that list.
//!
//! A rule's *layer* says who enforces it: the published schema alone (`schema`), this engine
//! alone (`engine`), or both (`both`: the schema carries the equivalent keyword so that users
//! of the schema files alone catch it, and the engine reports it with a precise message).

mod availability_zone;
mod clock_drift;
mod cross_endpoint;
mod http;
mod labels;
mod lifecycle;
mod omission;
mod shapes;
mod stats;
mod structure;
mod task_status;
mod timestamps;
mod v4;

use std::fmt;

use serde::Serialize;

use crate::check::{ApiVersion, Exchange, Finding, History};
use crate::model::{Container, Stats, Task, TaskStats};
use crate::profile::Profile;
use crate::Endpoint;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Undocumented fields and the like: worth knowing, never a failure.
    Info,
    /// Breaks the documented contract but real agents are known to do it, or is suspicious.
    /// A failure only with `--deny-warnings`.
    Warning,
    /// No correct endpoint can send this: the documentation and the agent agree.
    Error,
}

impl Severity {
    /// The spelling in reports.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who enforces a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Only the published schema (and the typed decoder that agrees with it).
    Schema,
    /// Only the checker's engine: JSON Schema cannot say it.
    Engine,
    /// The schema carries an equivalent keyword, and the engine reports it precisely.
    Both,
}

impl Layer {
    /// The spelling in docs.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Schema => "schema",
            Layer::Engine => "engine",
            Layer::Both => "both",
        }
    }
}

/// Which source a rule follows where the documentation and the real agent disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Follows {
    /// Documentation and agent agree.
    Both,
    /// The documented contract (real agents are known to deviate; see the basis).
    Documentation,
    /// What real agents send (the documentation says otherwise or nothing).
    Agent,
}

/// What a rule needs from the profile to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Needs {
    /// Runs without a profile.
    Nothing,
    /// Skipped unless `--launch-type` is known.
    LaunchType,
    /// Reads the HTTP exchanges: runs on live endpoints (and recordings that kept them).
    Http,
    /// Reads the answers to `--probe-errors` requests.
    Probes,
    /// Compares a poll with earlier ones: runs under `check --watch`.
    Polls,
}

impl Needs {
    /// Why a rule with this need did not run, or `None` when the need is met.
    pub fn unmet(self, ctx: &Context<'_>) -> Option<&'static str> {
        match self {
            Needs::Nothing => None,
            Needs::LaunchType => ctx
                .profile
                .launch_type
                .is_none()
                .then_some("needs a profile: pass --launch-type (and --platform-version/--os)"),
            Needs::Http => ctx
                .http
                .iter()
                .all(|x| x.probe.is_some())
                .then_some("needs the HTTP exchanges: check a live endpoint (a URL) or a recording made by `ecs-tmde record`"),
            Needs::Probes => ctx
                .http
                .iter()
                .all(|x| x.probe.is_none())
                .then_some("needs --probe-errors on a live endpoint"),
            Needs::Polls => ctx
                .history
                .is_none()
                .then_some("needs several polls: check a live endpoint with --watch"),
        }
    }

    /// The spelling in the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            Needs::Nothing => "nothing",
            Needs::LaunchType => "profile",
            Needs::Http => "HTTP exchanges",
            Needs::Probes => "--probe-errors",
            Needs::Polls => "--watch",
        }
    }
}

/// One rule of the catalogue.
#[derive(Debug)]
pub struct Rule {
    /// Stable kebab-case id, named after the violation.
    pub id: &'static str,
    /// One line saying what is wrong when the rule fires.
    pub title: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Who enforces it.
    pub layer: Layer,
    /// Schema keywords that express it (for `schema` and `both` rules): a schema error raised
    /// by one of these keywords is reported under this rule.
    pub schema_keywords: &'static [&'static str],
    /// For `schema` and `both` rules whose keyword is not a property attribute of the models:
    /// the transform that adds it to the generated schemas (applied to every subschema).
    pub schema_transform: Option<fn(&mut schemars::Schema)>,
    /// Which endpoints' documents it reads.
    pub endpoints: &'static [Endpoint],
    /// What it needs from the profile.
    pub needs: Needs,
    /// Endpoint versions it applies to.
    pub versions: &'static [ApiVersion],
    /// The documentation sentence it enforces, quoted verbatim, if any.
    pub doc_quote: Option<&'static str>,
    /// The agent behaviour it relies on (ground-truth.md), if any.
    pub agent_basis: Option<&'static str>,
    /// Which source it follows where they disagree.
    pub follows: Follows,
    /// Longer explanation: what it checks and why it matters.
    pub explanation: &'static str,
    /// The check.
    pub check: fn(&Context<'_>, &mut Sink<'_>),
}

/// Everything the engine knows about one target: the typed documents that decoded, and the
/// profile.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// The container response.
    pub container: Option<&'a Container>,
    /// The task response.
    pub task: Option<&'a Task>,
    /// The container stats response.
    pub stats: Option<&'a Stats>,
    /// The task stats response.
    pub task_stats: Option<&'a TaskStats>,
    /// What the endpoint claims to be.
    pub profile: Profile,
    /// Version of the endpoint the documents came from.
    pub version: ApiVersion,
    /// The HTTP exchanges of a live check (empty for documents read from files).
    pub http: &'a [Exchange],
    /// What earlier polls saw (`check --watch`), if this is a later poll.
    pub history: Option<&'a History>,
    /// Number of this poll (1-based) under `--watch`.
    pub poll: u64,
}

impl<'a> Context<'a> {
    /// The container documents present, each with its endpoint and JSON Pointer prefix: the
    /// container response itself and every entry of the task's `Containers`.
    pub fn containers(&self) -> Vec<(Endpoint, String, &'a Container)> {
        let mut out = Vec::new();
        if let Some(c) = self.container {
            out.push((Endpoint::Container, String::new(), c));
        }
        if let Some(t) = self.task {
            for (i, c) in t.containers.iter().flatten().enumerate() {
                out.push((Endpoint::Task, format!("/Containers/{i}"), c));
            }
        }
        out
    }

    /// The stats samples present, with endpoint and pointer prefix.
    pub fn stats_samples(&self) -> Vec<(Endpoint, String, &'a Stats)> {
        let mut out = Vec::new();
        if let Some(s) = self.stats {
            out.push((Endpoint::Stats, String::new(), s));
        }
        if let Some(ts) = self.task_stats {
            for (key, entry) in &ts.0 {
                if let Some(s) = entry.stats() {
                    out.push((Endpoint::TaskStats, format!("/{}", escape(key)), s));
                }
            }
        }
        out
    }
}

/// The value of an `omitempty` string for rules that read the value (shapes, regions): an
/// empty string is `empty-string-sent`'s finding, so such rules skip it and one defect is
/// reported once. Rules about presence still see the key as present.
pub fn omitempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|v| !v.is_empty())
}

/// Escapes one reference token of an RFC 6901 JSON Pointer.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Collects the findings of one rule.
pub struct Sink<'a> {
    rule: &'static Rule,
    out: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    /// A sink that appends `rule`'s findings to `out`.
    pub fn new(rule: &'static Rule, out: &'a mut Vec<Finding>) -> Self {
        Sink { rule, out }
    }

    /// Reports a violation at `pointer` in `endpoint`'s document.
    pub fn report(
        &mut self,
        endpoint: Endpoint,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.out.push(Finding {
            rule: self.rule.id,
            severity: self.rule.severity,
            endpoint,
            pointer: pointer.into(),
            message: message.into(),
            line: None,
            source: None,
            poll: None,
            elapsed_us: None,
        });
    }
}

/// Both endpoint versions: what most rules apply to.
pub const ALL_VERSIONS: &[ApiVersion] = &[ApiVersion::V3, ApiVersion::V4];
/// Version 3 only.
pub const V3_ONLY: &[ApiVersion] = &[ApiVersion::V3];
/// Version 4 only.
pub const V4_ONLY: &[ApiVersion] = &[ApiVersion::V4];

/// Every rule, in catalogue order.
pub static RULES: &[&Rule] = &[
    &structure::SCHEMA_VIOLATION,
    &structure::UNDOCUMENTED_FIELD,
    &omission::EMPTY_COLLECTION_SENT,
    &omission::EMPTY_STRING_SENT,
    &omission::EXIT_CODE_BEFORE_EXIT,
    &omission::LIMIT_OUT_OF_RANGE,
    &timestamps::STARTED_WITHOUT_CREATED,
    &timestamps::FINISHED_WITHOUT_STARTED,
    &timestamps::RUNNING_WITHOUT_STARTED_AT,
    &timestamps::UNCREATED_CONTAINER_HAS_TIMES,
    &timestamps::CONTAINER_TIMES_OUT_OF_ORDER,
    &timestamps::PULL_STOPPED_WITHOUT_STARTED,
    &timestamps::PULL_TIMES_OUT_OF_ORDER,
    &timestamps::TIMESTAMP_NOT_UTC,
    &timestamps::ZERO_TIMESTAMP,
    &timestamps::EXECUTION_STOPPED_WHILE_RUNNING,
    &availability_zone::AVAILABILITY_ZONE_MISSING,
    &availability_zone::AVAILABILITY_ZONE_MISSING_ON_EC2,
    &availability_zone::AVAILABILITY_ZONE_UNEXPECTED,
    &availability_zone::AVAILABILITY_ZONE_REGION_MISMATCH,
    &labels::ECS_LABEL_MISMATCH,
    &shapes::DOCKER_ID_SHAPE,
    &shapes::DOCKER_NAME_SHAPE,
    &shapes::IMAGE_ID_SHAPE,
    &shapes::ARN_SHAPE,
    &shapes::CLUSTER_TASK_ARN_MISMATCH,
    &clock_drift::CLOCK_DRIFT_INCOMPLETE,
    &clock_drift::CLOCK_DRIFT_UNEXPECTED,
    &task_status::TASK_STOPPED_WITH_LIVE_CONTAINER,
    &task_status::TASK_RUNNING_WITH_UNSTARTED_CONTAINER,
    &cross_endpoint::CONTAINER_MISSING_FROM_TASK,
    &cross_endpoint::CONTAINER_TASK_MISMATCH,
    &cross_endpoint::TASK_STATS_KEYS_MISMATCH,
    &cross_endpoint::STATS_ID_MISMATCH,
    &stats::STATS_COUNTER_DECREASED,
    &stats::STATS_READ_BEFORE_PREREAD,
    &stats::STATS_EMPTY_OBJECT_ON_V3,
    &stats::MEMORY_USAGE_ABOVE_LIMIT,
    &lifecycle::KNOWN_STATUS_REGRESSED,
    &lifecycle::SET_ONCE_TIME_CHANGED,
    &lifecycle::CONTAINER_IDENTITY_CHANGED,
    &lifecycle::EXIT_CODE_DISAPPEARED,
    &lifecycle::CONTAINER_VANISHED,
    &lifecycle::STATS_WENT_BACKWARDS,
    &http::HTTP_STATUS_NOT_OK,
    &http::HTTP_CONTENT_TYPE,
    &http::HTTP_BODY_NOT_JSON,
    &http::PROBE_UNKNOWN_ID,
    &http::PROBE_TRAILING_SLASH,
    &http::PROBE_UNMATCHED_PATH,
    &v4::LAUNCH_TYPE_MISMATCH,
    &v4::VPC_ID_UNEXPECTED,
    &v4::EPHEMERAL_STORAGE_UNEXPECTED,
    &v4::NETWORK_RATE_STATS_UNEXPECTED,
    &v4::CONTAINER_ARN_MISMATCH,
    &v4::NETWORK_INTERFACE_SHAPE,
];

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// The rule a schema error belongs to: the rule that declares a keyword found in the error's
/// schema path (so an error under an `if`/`then` is reported by the rule that owns `then`),
/// or `schema-violation`.
pub fn rule_for_schema_error(schema_path: &str) -> &'static Rule {
    schema_path
        .split('/')
        .find_map(|seg| {
            RULES
                .iter()
                .copied()
                .find(|r| r.schema_keywords.contains(&seg))
        })
        .unwrap_or(&structure::SCHEMA_VIOLATION)
}
