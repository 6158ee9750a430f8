//! Timestamps: they appear once the thing happened, in order, in UTC, never as the zero time.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::model::{Container, ContainerStatus, Timestamp};
use crate::Endpoint;

const META: &[Endpoint] = &[Endpoint::Container, Endpoint::Task];

macro_rules! container_rule {
    ($name:ident, $id:literal, $title:literal, $quote:expr, $agent:expr, $expl:literal, $check:ident) => {
        #[doc = $title]
        pub static $name: Rule = Rule {
            id: $id,
            title: $title,
            severity: Severity::Error,
            layer: Layer::Engine,
            schema_keywords: &[],
            schema_transform: None,
            endpoints: META,
            needs: Needs::Nothing,
            versions: ALL_VERSIONS,
            doc_quote: $quote,
            agent_basis: $agent,
            follows: Follows::Both,
            explanation: $expl,
            check: $check,
        };
    };
}

container_rule!(
    STARTED_WITHOUT_CREATED,
    "started-without-created",
    "StartedAt is present without CreatedAt",
    Some("CreatedAt - The time stamp for when the container was created. This parameter is omitted if the container has not been created yet."),
    Some("Both come from docker inspect of the same container; a container that started was created first."),
    "A container that has started has been created, so StartedAt implies CreatedAt.",
    started_without_created
);

fn started_without_created(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        if c.started_at.is_some() && c.created_at.is_none() {
            out.report(
                e,
                format!("{p}/StartedAt"),
                format!("container {:?} has StartedAt but no CreatedAt", c.name),
            );
        }
    }
}

container_rule!(
    FINISHED_WITHOUT_STARTED,
    "finished-without-started",
    "FinishedAt is present without StartedAt",
    Some("StartedAt - The time stamp for when the container started. This parameter is omitted if the container has not started yet."),
    Some("Docker sets FinishedAt when a started container exits; the agent omits zero times."),
    "A container that has stopped had started, so FinishedAt implies StartedAt.",
    finished_without_started
);

fn finished_without_started(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        if c.finished_at.is_some() && c.started_at.is_none() {
            out.report(
                e,
                format!("{p}/FinishedAt"),
                format!("container {:?} has FinishedAt but no StartedAt", c.name),
            );
        }
    }
}

container_rule!(
    RUNNING_WITHOUT_STARTED_AT,
    "running-without-started-at",
    "a RUNNING container has no StartedAt",
    Some("StartedAt - The time stamp for when the container started. This parameter is omitted if the container has not started yet."),
    Some("The agent records StartedAt from docker inspect when the container starts (setStartedAtOnce), before it reports RUNNING."),
    "A container whose KnownStatus is RUNNING has started, so StartedAt must be present.",
    running_without_started_at
);

fn running_without_started_at(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        if c.known_status == ContainerStatus::Running && c.started_at.is_none() {
            out.report(
                e,
                format!("{p}/KnownStatus"),
                format!("container {:?} is RUNNING but has no StartedAt", c.name),
            );
        }
    }
}

container_rule!(
    UNCREATED_CONTAINER_HAS_TIMES,
    "uncreated-container-has-times",
    "a container not yet created has container timestamps or an ExitCode",
    Some("CreatedAt - The time stamp for when the container was created. This parameter is omitted if the container has not been created yet."),
    Some("Containers in NONE, MANIFEST_PULLED or PULLED have no Docker container yet, so docker inspect has nothing to report (ground-truth.md §3, pulled containers)."),
    "A container whose KnownStatus is NONE, MANIFEST_PULLED or PULLED has not been created: it has no CreatedAt, StartedAt, FinishedAt or ExitCode.",
    uncreated_container_has_times
);

fn uncreated_container_has_times(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        if c.known_status.is_created() {
            continue;
        }
        let present = [
            ("CreatedAt", c.created_at.is_some()),
            ("StartedAt", c.started_at.is_some()),
            ("FinishedAt", c.finished_at.is_some()),
            ("ExitCode", c.exit_code.is_some()),
        ];
        for (key, is) in present {
            if is {
                out.report(
                    e,
                    format!("{p}/{key}"),
                    format!(
                        "container {:?} is {} (not created yet) but has {key}",
                        c.name,
                        c.known_status.as_str()
                    ),
                );
            }
        }
    }
}

container_rule!(
    CONTAINER_TIMES_OUT_OF_ORDER,
    "container-times-out-of-order",
    "CreatedAt, StartedAt and FinishedAt are not in order",
    None,
    Some("Docker creates, then starts, then a container exits; StartedAt is the first start and FinishedAt the last exit, so CreatedAt <= StartedAt <= FinishedAt even across restarts."),
    "CreatedAt <= StartedAt <= FinishedAt.",
    container_times_out_of_order
);

fn container_times_out_of_order(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        order(
            out,
            e,
            &p,
            c,
            ("CreatedAt", &c.created_at),
            ("StartedAt", &c.started_at),
        );
        order(
            out,
            e,
            &p,
            c,
            ("StartedAt", &c.started_at),
            ("FinishedAt", &c.finished_at),
        );
        if c.started_at.is_none() {
            order(
                out,
                e,
                &p,
                c,
                ("CreatedAt", &c.created_at),
                ("FinishedAt", &c.finished_at),
            );
        }
    }
}

fn order(
    out: &mut Sink<'_>,
    e: Endpoint,
    p: &str,
    c: &Container,
    (a_key, a): (&str, &Option<Timestamp>),
    (b_key, b): (&str, &Option<Timestamp>),
) {
    if let (Some(a), Some(b)) = (a, b) {
        if b < a {
            out.report(
                e,
                format!("{p}/{b_key}"),
                format!("container {:?}: {b_key} {b} is before {a_key} {a}", c.name),
            );
        }
    }
}

/// PullStoppedAt without PullStartedAt.
pub static PULL_STOPPED_WITHOUT_STARTED: Rule = Rule {
    id: "pull-stopped-without-started",
    title: "PullStoppedAt is present without PullStartedAt",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("PullStartedAt - The timestamp for when the first container image pull began. PullStoppedAt - The timestamp for when the last container image pull finished."),
    agent_basis: Some("SetPullStartedAt is called when the first pull starts and SetPullStoppedAt after each pull (agent/engine/docker_task_engine.go pullContainer)."),
    follows: Follows::Both,
    explanation: "A pull that finished had started: PullStoppedAt implies PullStartedAt.",
    check: pull_stopped_without_started,
};

fn pull_stopped_without_started(ctx: &Context<'_>, out: &mut Sink<'_>) {
    if let Some(t) = ctx.task {
        if t.pull_stopped_at.is_some() && t.pull_started_at.is_none() {
            out.report(
                Endpoint::Task,
                "/PullStoppedAt",
                "PullStoppedAt is present but PullStartedAt is not",
            );
        }
    }
}

/// PullStoppedAt before PullStartedAt.
pub static PULL_TIMES_OUT_OF_ORDER: Rule = Rule {
    id: "pull-times-out-of-order",
    title: "PullStoppedAt is before PullStartedAt",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("PullStartedAt - The timestamp for when the first container image pull began. PullStoppedAt - The timestamp for when the last container image pull finished."),
    agent_basis: Some("PullStartedAt is the start of the first pull, PullStoppedAt the end of the last one."),
    follows: Follows::Both,
    explanation: "PullStartedAt <= PullStoppedAt.",
    check: pull_times_out_of_order,
};

fn pull_times_out_of_order(ctx: &Context<'_>, out: &mut Sink<'_>) {
    if let Some(t) = ctx.task {
        if let (Some(a), Some(b)) = (&t.pull_started_at, &t.pull_stopped_at) {
            if b < a {
                out.report(
                    Endpoint::Task,
                    "/PullStoppedAt",
                    format!("PullStoppedAt {b} is before PullStartedAt {a}"),
                );
            }
        }
    }
}

/// Every metadata timestamp with its endpoint and pointer.
fn metadata_timestamps<'a>(ctx: &Context<'a>) -> Vec<(Endpoint, String, &'a Timestamp)> {
    let mut out = Vec::new();
    for (e, p, c) in ctx.containers() {
        for (key, t) in [
            ("CreatedAt", &c.created_at),
            ("StartedAt", &c.started_at),
            ("FinishedAt", &c.finished_at),
        ] {
            if let Some(t) = t {
                out.push((e, format!("{p}/{key}"), t));
            }
        }
        if let Some(t) = c.health.as_ref().and_then(|h| h.status_since.as_ref()) {
            out.push((e, format!("{p}/Health/statusSince"), t));
        }
    }
    if let Some(task) = ctx.task {
        for (key, t) in [
            ("PullStartedAt", &task.pull_started_at),
            ("PullStoppedAt", &task.pull_stopped_at),
            ("ExecutionStoppedAt", &task.execution_stopped_at),
        ] {
            if let Some(t) = t {
                out.push((Endpoint::Task, format!("/{key}"), t));
            }
        }
        if let Some(t) = task
            .clock_drift
            .as_ref()
            .and_then(|c| c.reference_timestamp.as_ref())
        {
            out.push((
                Endpoint::Task,
                "/ClockDrift/ReferenceTimestamp".to_owned(),
                t,
            ));
        }
    }
    out
}

/// A metadata timestamp with an offset other than `Z`.
pub static TIMESTAMP_NOT_UTC: Rule = Rule {
    id: "timestamp-not-utc",
    title: "a metadata timestamp is not in UTC",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("ReferenceTime - The basis of clock accuracy. Amazon ECS uses the Coordinated Universal Time (UTC) global standard through NTP, for example 2021-09-07T16:57:44Z."),
    agent_basis: Some("The agent converts every metadata time to UTC before marshalling, so Go writes a trailing Z (ground-truth.md §3)."),
    follows: Follows::Both,
    explanation: "Metadata timestamps end in `Z`. An offset such as `+02:00` is valid RFC 3339 but no agent sends it, and naive parsers mishandle it.",
    check: timestamp_not_utc,
};

fn timestamp_not_utc(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, t) in metadata_timestamps(ctx) {
        if !t.is_utc() {
            out.report(
                e,
                p,
                format!("timestamp {t} does not end in Z; the agent writes UTC times with Z"),
            );
        }
    }
}

/// Go's zero time in a metadata timestamp.
pub static ZERO_TIMESTAMP: Rule = Rule {
    id: "zero-timestamp",
    title: "a metadata timestamp is the zero time 0001-01-01T00:00:00Z",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("CreatedAt - The time stamp for when the container was created. This parameter is omitted if the container has not been created yet."),
    agent_basis: Some("Zero times are never stored (SetCreatedAt and friends ignore them) and the handler omits a nil time, so 0001-01-01T00:00:00Z never appears in metadata (ground-truth.md §3)."),
    follows: Follows::Both,
    explanation: "A time that has not happened is omitted, not sent as Go's zero time. (Stats `read`/`preread` are different: Docker sends the zero time there before the first sample.)",
    check: zero_timestamp,
};

fn zero_timestamp(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, t) in metadata_timestamps(ctx) {
        if t.is_zero_time() {
            out.report(
                e,
                p,
                "zero time sent; the agent omits a time that has not happened",
            );
        }
    }
}

/// ExecutionStoppedAt on a task that is not stopping.
pub static EXECUTION_STOPPED_WHILE_RUNNING: Rule = Rule {
    id: "execution-stopped-while-running",
    title: "ExecutionStoppedAt is present while the task is not stopping",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("ExecutionStoppedAt - The time stamp for when the tasks DesiredStatus moved to STOPPED. This occurs when an essential container moves to STOPPED."),
    agent_basis: Some("RecordExecutionStoppedAt is called once, when the first essential container reaches STOPPED, which also sets the task's desired status to STOPPED (agent/api/task/task.go)."),
    follows: Follows::Both,
    explanation: "ExecutionStoppedAt requires the task's DesiredStatus to be STOPPED and at least one container to be STOPPED.",
    check: execution_stopped_while_running,
};

fn execution_stopped_while_running(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if t.execution_stopped_at.is_none() {
        return;
    }
    if t.desired_status != crate::model::TaskStatus::Stopped {
        out.report(
            Endpoint::Task,
            "/ExecutionStoppedAt",
            format!(
                "ExecutionStoppedAt is set but the task's DesiredStatus is {}",
                t.desired_status.as_str()
            ),
        );
    } else if let Some(cs) = &t.containers {
        if !cs
            .iter()
            .any(|c| c.known_status == ContainerStatus::Stopped)
        {
            out.report(
                Endpoint::Task,
                "/ExecutionStoppedAt",
                "ExecutionStoppedAt is set but no container is STOPPED",
            );
        }
    }
}
