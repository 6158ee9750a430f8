//! Lifecycle over time (`check --watch`): what may change between two polls and what may not.

use super::{escape, Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::Endpoint;

const META: &[Endpoint] = &[Endpoint::Container, Endpoint::Task];

/// A status that moved backwards.
pub static KNOWN_STATUS_REGRESSED: Rule = Rule {
    id: "known-status-regressed",
    title: "a KnownStatus moved backwards between polls",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Polls,
    versions: ALL_VERSIONS,
    doc_quote: Some("KnownStatus - The known status for the task from Amazon ECS."),
    agent_basis: Some("The agent only moves known statuses forward: container.SetKnownStatus and task.UpdateStatus ignore transitions to a lower status (agent/api/container, agent/api/task)."),
    follows: Follows::Agent,
    explanation: "Task and container KnownStatus follow NONE → (MANIFEST_PULLED) → PULLED → CREATED → RUNNING → (RESOURCES_PROVISIONED) → STOPPED and never return to an earlier status. A client that waits for RUNNING may otherwise see it twice.",
    check: known_status_regressed,
};

fn known_status_regressed(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(h) = ctx.history else { return };
    if let (Some(t), Some((rank, was))) = (ctx.task, h.task_status) {
        if t.known_status.rank() < rank {
            out.report(
                Endpoint::Task,
                "/KnownStatus",
                format!(
                    "task KnownStatus is {} after an earlier poll saw {was}",
                    t.known_status.as_str()
                ),
            );
        }
    }
    for (e, p, c) in ctx.containers() {
        let Some((rank, was)) = h.containers.get(&c.name).and_then(|s| s.status) else {
            continue;
        };
        if c.known_status.rank() < rank {
            out.report(
                e,
                format!("{p}/KnownStatus"),
                format!(
                    "container {:?} is {} after an earlier poll saw {was}",
                    c.name,
                    c.known_status.as_str()
                ),
            );
        }
    }
}

/// A timestamp that is set once changed.
pub static SET_ONCE_TIME_CHANGED: Rule = Rule {
    id: "set-once-time-changed",
    title: "CreatedAt, StartedAt or PullStartedAt changed after it was set",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Polls,
    versions: ALL_VERSIONS,
    doc_quote: Some("StartedAt - The time stamp for when the container started."),
    agent_basis: Some("SetCreatedAt/setStartedAtOnce and the task's SetPullStartedAt record the first non-zero time only; restarts do not move StartedAt (ground-truth.md §3). FinishedAt and PullStoppedAt may change (last finish, last pull) and are not compared."),
    follows: Follows::Agent,
    explanation: "Once a poll has seen a container's CreatedAt or StartedAt, or the task's PullStartedAt, every later poll shows the same value (or, for a container, the key is absent only if the container vanished).",
    check: set_once_time_changed,
};

fn set_once_time_changed(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(h) = ctx.history else { return };
    if let (Some(t), Some(was)) = (ctx.task, &h.pull_started_at) {
        match &t.pull_started_at {
            Some(now) if now.as_str() != was => out.report(
                Endpoint::Task,
                "/PullStartedAt",
                format!("PullStartedAt is {now} after an earlier poll saw {was}"),
            ),
            None => out.report(
                Endpoint::Task,
                "",
                format!("PullStartedAt is gone after an earlier poll saw {was}"),
            ),
            _ => {}
        }
    }
    for (e, p, c) in ctx.containers() {
        let Some(seen) = h.containers.get(&c.name) else {
            continue;
        };
        for (key, was, now) in [
            ("CreatedAt", &seen.created_at, &c.created_at),
            ("StartedAt", &seen.started_at, &c.started_at),
        ] {
            let Some(was) = was else { continue };
            match now {
                Some(now) if now.as_str() != was => out.report(
                    e,
                    format!("{p}/{key}"),
                    format!(
                        "{key} of container {:?} is {now} after an earlier poll saw {was}",
                        c.name
                    ),
                ),
                None => out.report(
                    e,
                    p.clone(),
                    format!(
                        "{key} of container {:?} is gone after an earlier poll saw {was}",
                        c.name
                    ),
                ),
                _ => {}
            }
        }
    }
}

/// A container's DockerId or ImageID changed.
pub static CONTAINER_IDENTITY_CHANGED: Rule = Rule {
    id: "container-identity-changed",
    title: "a container's DockerId or ImageID changed after it was set",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Polls,
    versions: ALL_VERSIONS,
    doc_quote: Some("DockerId - The Docker ID for the container."),
    agent_basis: Some("A task's container is created once; the agent records its Docker ID and image ID when docker create/inspect return and never replaces them (a restart policy restarts the same container)."),
    follows: Follows::Agent,
    explanation: "The same container name keeps the DockerId and ImageID it first had. A change means the endpoint describes another container under the same name, which breaks every client keyed by DockerId (the task stats map is).",
    check: container_identity_changed,
};

fn container_identity_changed(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(h) = ctx.history else { return };
    for (e, p, c) in ctx.containers() {
        let Some(seen) = h.containers.get(&c.name) else {
            continue;
        };
        for (key, was, now) in [
            ("DockerId", &seen.docker_id, &c.docker_id),
            ("ImageID", &seen.image_id, &c.image_id),
        ] {
            if let Some(was) = was {
                if now != was {
                    out.report(
                        e,
                        format!("{p}/{key}"),
                        format!(
                            "{key} of container {:?} is {now:?} after an earlier poll saw {was:?}",
                            c.name
                        ),
                    );
                }
            }
        }
    }
}

/// An ExitCode disappeared.
pub static EXIT_CODE_DISAPPEARED: Rule = Rule {
    id: "exit-code-disappeared",
    title: "a container's ExitCode disappeared after it was reported",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Polls,
    versions: ALL_VERSIONS,
    doc_quote: Some("ExitCode - The exit code for the container. This parameter is omitted if the container has not exited."),
    agent_basis: Some("The exit code pointer is set when the container exits and never cleared (ground-truth.md §3, ExitCode)."),
    follows: Follows::Both,
    explanation: "Once a poll has seen a container's ExitCode, later polls still carry it.",
    check: exit_code_disappeared,
};

fn exit_code_disappeared(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(h) = ctx.history else { return };
    for (e, p, c) in ctx.containers() {
        let Some(was) = h.containers.get(&c.name).and_then(|s| s.exit_code) else {
            continue;
        };
        if c.exit_code.is_none() {
            out.report(
                e,
                p,
                format!(
                    "container {:?} has no ExitCode after an earlier poll saw {was}",
                    c.name
                ),
            );
        }
    }
}

/// A container vanished from the task.
pub static CONTAINER_VANISHED: Rule = Rule {
    id: "container-vanished",
    title: "a container listed by the task earlier is missing from it",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Polls,
    versions: ALL_VERSIONS,
    doc_quote: Some("Containers - A list of container metadata for each container associated with the task."),
    agent_basis: Some("Containers stay in the task's container map until the task itself is cleaned up (3 hours after it stopped by default); then the endpoint id is unknown altogether."),
    follows: Follows::Agent,
    explanation: "Every container name a `/task` poll listed is listed by every later `/task` poll. Stopped containers stay, with KnownStatus STOPPED.",
    check: container_vanished,
};

fn container_vanished(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let (Some(h), Some(t)) = (ctx.history, ctx.task) else {
        return;
    };
    let listed: Vec<&str> = t
        .containers
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    for (name, seen) in &h.containers {
        if seen.in_task && !listed.contains(&name.as_str()) {
            out.report(
                Endpoint::Task,
                "/Containers",
                format!(
                    "container {name:?} was listed in poll {} and is missing now",
                    seen.poll
                ),
            );
        }
    }
}

/// A stats stream went backwards.
pub static STATS_WENT_BACKWARDS: Rule = Rule {
    id: "stats-went-backwards",
    title: "a container's stats read time or cumulative counters went backwards between polls",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Polls,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("The agent serves the latest sample of Docker's stats stream for the container: `read` only advances, and cpu_usage.total_usage and the network byte counters are cumulative."),
    follows: Follows::Agent,
    explanation: "For the same DockerId, `read`, `cpu_stats.cpu_usage.total_usage` and each interface's rx_bytes/tx_bytes never decrease from one poll to the next. (A container that restarts in place gets a new cgroup; the agent's endpoint then still shows the same DockerId, so a reset is reported: it is what clients computing rates trip over.)",
    check: stats_went_backwards,
};

fn stats_went_backwards(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(h) = ctx.history else { return };
    let mut samples = Vec::new();
    if let (Some(s), Some(c)) = (ctx.stats, ctx.container) {
        samples.push((Endpoint::Stats, String::new(), c.docker_id.as_str(), s));
    }
    if let Some(ts) = ctx.task_stats {
        for (id, entry) in &ts.0 {
            if let Some(s) = entry.stats() {
                samples.push((
                    Endpoint::TaskStats,
                    format!("/{}", escape(id)),
                    id.as_str(),
                    s,
                ));
            }
        }
    }
    for (e, p, id, s) in samples {
        let Some(seen) = h.stats.get(id) else {
            continue;
        };
        if let Some((was, text)) = &seen.read {
            if s.read.unix_nanos() < *was {
                out.report(
                    e,
                    format!("{p}/read"),
                    format!(
                        "read {} of {id} is before {text}, seen in an earlier poll",
                        s.read
                    ),
                );
            }
        }
        let total = s.cpu_stats.cpu_usage.total_usage;
        if total < seen.total_usage {
            out.report(
                e,
                format!("{p}/cpu_stats/cpu_usage/total_usage"),
                format!(
                    "total_usage {total} of {id} is below {}, seen in an earlier poll",
                    seen.total_usage
                ),
            );
        }
        for (name, n) in s.networks.iter().flatten() {
            if let Some((rx, tx)) = seen.networks.get(name) {
                if n.rx_bytes < *rx || n.tx_bytes < *tx {
                    out.report(
                        e,
                        format!("{p}/networks/{}", escape(name)),
                        format!(
                            "{name} rx_bytes/tx_bytes {}/{} of {id} are below {rx}/{tx}, seen in an earlier poll",
                            n.rx_bytes, n.tx_bytes
                        ),
                    );
                }
            }
        }
    }
}
