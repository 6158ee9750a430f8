//! Agreement between endpoints read at the same time.

use super::{escape, Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::model::Container;
use crate::Endpoint;

fn find_in_task<'a>(ctx: &Context<'a>, c: &Container) -> Option<(usize, &'a Container)> {
    let cs = ctx.task?.containers.as_ref()?;
    cs.iter().enumerate().find(|(_, t)| {
        if c.docker_id.is_empty() {
            t.name == c.name
        } else {
            t.docker_id == c.docker_id
        }
    })
}

/// The container is not listed in its task.
pub static CONTAINER_MISSING_FROM_TASK: Rule = Rule {
    id: "container-missing-from-task",
    title: "the container response has no entry in the task's Containers",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("Containers - A list of container metadata for each container associated with the task."),
    agent_basis: Some("Both handlers read the same task from the agent's state; the calling container is one of its containers."),
    follows: Follows::Both,
    explanation: "The calling container appears in `/task` `Containers` (matched by DockerId).",
    check: container_missing_from_task,
};

fn container_missing_from_task(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let (Some(c), Some(t)) = (ctx.container, ctx.task) else {
        return;
    };
    if t.containers.is_some() && find_in_task(ctx, c).is_none() {
        out.report(
            Endpoint::Container,
            "/DockerId",
            format!(
                "container {:?} ({}) is not in the task's Containers",
                c.name, c.docker_id
            ),
        );
    }
}

/// The container response disagrees with its entry in the task.
pub static CONTAINER_TASK_MISMATCH: Rule = Rule {
    id: "container-task-mismatch",
    title: "the container response disagrees with its entry in the task",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("Containers - A list of container metadata for each container associated with the task."),
    agent_basis: Some("Both responses are built by the same function from the same container state (agent/handlers/v2/response.go NewContainerResponse)."),
    follows: Follows::Both,
    explanation: "On every field that cannot change between two reads (DockerId, Name, DockerName, Image, ImageID, Type, Labels, Limits, CreatedAt, StartedAt) the container response equals its entry in `/task`. Statuses, FinishedAt, ExitCode, Networks and Health may legitimately change in between.",
    check: container_task_mismatch,
};

fn container_task_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(c) = ctx.container else { return };
    let Some((i, t)) = find_in_task(ctx, c) else {
        return;
    };
    let mut differ = |field: &str, same: bool| {
        if !same {
            out.report(
                Endpoint::Container,
                format!("/{field}"),
                format!("{field} differs from /Containers/{i}/{field} in the task response"),
            );
        }
    };
    differ("DockerId", c.docker_id == t.docker_id);
    differ("Name", c.name == t.name);
    differ("DockerName", c.docker_name == t.docker_name);
    differ("Image", c.image == t.image);
    differ("ImageID", c.image_id == t.image_id);
    differ("Type", c.container_type == t.container_type);
    differ("Labels", c.labels == t.labels);
    differ("Limits", c.limits == t.limits);
    differ("CreatedAt", c.created_at == t.created_at);
    differ("StartedAt", c.started_at == t.started_at);
}

/// Task stats keyed by something other than the task's DockerIds.
pub static TASK_STATS_KEYS_MISMATCH: Rule = Rule {
    id: "task-stats-keys-mismatch",
    title: "the task stats keys are not the DockerIds of the task's containers",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task, Endpoint::TaskStats],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("${ECS_CONTAINER_METADATA_URI}/task/stats - This path returns Docker stats JSON for all of the containers associated with the task."),
    agent_basis: Some("The handler keys the map by the DockerId of every container in the task's container map, pause containers included; a container without stats maps to null (v3) or {} (v4) (agent/handlers/v2/stats_response.go)."),
    follows: Follows::Agent,
    explanation: "Every created container of `/task` has a key in `/task/stats`, and every key is the DockerId of a container of the task.",
    check: task_stats_keys_mismatch,
};

fn task_stats_keys_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let (Some(t), Some(ts)) = (ctx.task, ctx.task_stats) else {
        return;
    };
    let Some(cs) = &t.containers else { return };
    for (i, c) in cs.iter().enumerate() {
        if !c.docker_id.is_empty() && !ts.0.contains_key(&c.docker_id) {
            out.report(
                Endpoint::TaskStats,
                "",
                format!(
                    "no entry for container {:?} (DockerId {}, /Containers/{i} of the task)",
                    c.name, c.docker_id
                ),
            );
        }
    }
    for key in ts.0.keys() {
        if !cs.iter().any(|c| &c.docker_id == key) {
            out.report(
                Endpoint::TaskStats,
                format!("/{}", escape(key)),
                format!("key {key:?} is not the DockerId of any container of the task"),
            );
        }
    }
}

/// Stats that name another container.
pub static STATS_ID_MISMATCH: Rule = Rule {
    id: "stats-id-mismatch",
    title: "a stats object's id or name does not match its container",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("${ECS_CONTAINER_METADATA_URI}/stats - This path returns Docker stats JSON for the specific Docker container."),
    agent_basis: Some("The agent serves Docker's own stats for the container: `id` is its DockerId and `name` its Docker name ('/' + DockerName on EC2, the container name on Fargate)."),
    follows: Follows::Agent,
    explanation: "In `/stats`, `id` equals the container's DockerId and `name` its DockerName (with or without Docker's leading '/'); in `/task/stats`, each object's `id` equals its key.",
    check: stats_id_mismatch,
};

fn stats_id_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    if let (Some(s), Some(c)) = (ctx.stats, ctx.container) {
        if let Some(id) = super::omitempty(&s.id) {
            if id != c.docker_id {
                out.report(
                    Endpoint::Stats,
                    "/id",
                    format!(
                        "id {id:?} is not the container's DockerId {:?}",
                        c.docker_id
                    ),
                );
            }
        }
        if let Some(name) = super::omitempty(&s.name) {
            if name.trim_start_matches('/') != c.docker_name {
                out.report(
                    Endpoint::Stats,
                    "/name",
                    format!(
                        "name {name:?} is not the container's DockerName {:?}",
                        c.docker_name
                    ),
                );
            }
        }
    }
    if let Some(ts) = ctx.task_stats {
        for (key, entry) in &ts.0 {
            if let Some(id) = entry.stats().and_then(|s| super::omitempty(&s.id)) {
                if id != key {
                    out.report(
                        Endpoint::TaskStats,
                        format!("/{}/id", escape(key)),
                        format!("id {id:?} differs from its key {key:?}"),
                    );
                }
            }
        }
    }
}
