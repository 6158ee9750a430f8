//! Task status consistent with the statuses of its containers.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::model::{ContainerStatus, TaskStatus};
use crate::Endpoint;

/// A stopped task with a container that is not stopped.
pub static TASK_STOPPED_WITH_LIVE_CONTAINER: Rule = Rule {
    id: "task-stopped-with-live-container",
    title: "the task is STOPPED but one of its containers is not",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("KnownStatus - The known status for the task from Amazon ECS."),
    agent_basis: Some("The agent moves a task's known status to STOPPED only after every container has stopped (agent/api/task/task.go updateTaskKnownStatus)."),
    follows: Follows::Agent,
    explanation: "A task whose KnownStatus is STOPPED has only STOPPED containers.",
    check: task_stopped_with_live_container,
};

fn task_stopped_with_live_container(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if t.known_status != TaskStatus::Stopped {
        return;
    }
    for (i, c) in t.containers.iter().flatten().enumerate() {
        if c.known_status != ContainerStatus::Stopped {
            out.report(
                Endpoint::Task,
                format!("/Containers/{i}/KnownStatus"),
                format!(
                    "task is STOPPED but container {:?} is {}",
                    c.name,
                    c.known_status.as_str()
                ),
            );
        }
    }
}

/// A running task with a container that has not started.
pub static TASK_RUNNING_WITH_UNSTARTED_CONTAINER: Rule = Rule {
    id: "task-running-with-unstarted-container",
    title: "the task is RUNNING but one of its containers has not started",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("KnownStatus - The known status for the task from Amazon ECS."),
    agent_basis: Some("The task's known status follows the earliest status among its containers, ignoring non-essential containers that already stopped, so a RUNNING task has no container still in NONE, PULLED or CREATED. A warning: container dependency conditions can delay a container while the task is reported RUNNING on some platforms."),
    follows: Follows::Agent,
    explanation: "A task whose KnownStatus is RUNNING has every container RUNNING, RESOURCES_PROVISIONED or STOPPED.",
    check: task_running_with_unstarted_container,
};

fn task_running_with_unstarted_container(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if t.known_status != TaskStatus::Running {
        return;
    }
    for (i, c) in t.containers.iter().flatten().enumerate() {
        if c.known_status.rank() < ContainerStatus::Running.rank() {
            out.report(
                Endpoint::Task,
                format!("/Containers/{i}/KnownStatus"),
                format!(
                    "task is RUNNING but container {:?} is {}",
                    c.name,
                    c.known_status.as_str()
                ),
            );
        }
    }
}
