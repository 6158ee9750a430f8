//! The task metadata response (`${ECS_CONTAINER_METADATA_URI}/task` and `/taskWithTags`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de;
use super::{ClockSynchronizationStatus, Container, Extra, Float, TaskStatus, Timestamp};

/// Metadata of the task the container belongs to, as served at
/// `${ECS_CONTAINER_METADATA_URI}/task` and (with the two tag maps) `/taskWithTags`.
///
/// Keys are those of the agent's v2/v3 `TaskResponse`; `omitempty` keys are left out (never
/// `null`, never empty) when they have no value. Unknown keys are allowed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Task")]
pub struct Task {
    /// Cluster: the short name on EC2, the full ARN on Fargate.
    #[serde(rename = "Cluster")]
    pub cluster: String,
    /// Full ARN of the task: `arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`, or the
    /// older `.../task/<uuid>` form.
    #[serde(rename = "TaskARN")]
    pub task_arn: String,
    /// Task definition family.
    #[serde(rename = "Family")]
    pub family: String,
    /// Task definition revision, as a string (`"5"`).
    #[serde(rename = "Revision")]
    pub revision: String,
    /// Status ECS wants the task in (normally `RUNNING` or `STOPPED`).
    #[serde(rename = "DesiredStatus")]
    pub desired_status: TaskStatus,
    /// Status the agent last observed.
    #[serde(rename = "KnownStatus")]
    pub known_status: TaskStatus,
    /// The task's containers, including agent-internal ones such as `~internal~ecs~pause`.
    /// Omitted only if the agent has no container list for the task.
    #[serde(
        rename = "Containers",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub containers: Option<Vec<Container>>,
    /// Task-level resource limits. Omitted when the task definition sets neither task CPU nor
    /// task memory; each member is omitted when zero.
    #[serde(
        rename = "Limits",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minProperties" = 1))]
    pub limits: Option<TaskLimits>,
    /// When the first image pull of the task began. Omitted when no image had to be pulled.
    #[serde(
        rename = "PullStartedAt",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub pull_started_at: Option<Timestamp>,
    /// When the last image pull finished. Omitted until a pull finished.
    #[serde(
        rename = "PullStoppedAt",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub pull_stopped_at: Option<Timestamp>,
    /// When the task's execution stopped: set once, when the first essential container
    /// stopped. Omitted until then.
    #[serde(
        rename = "ExecutionStoppedAt",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub execution_stopped_at: Option<Timestamp>,
    /// Availability Zone of the task. The documentation promises it only on Fargate
    /// (platform 1.4.0 or later on Linux, 1.0.0 or later on Windows); EC2 agents since 1.23.0
    /// send it too. Omitted when unknown.
    #[serde(
        rename = "AvailabilityZone",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub availability_zone: Option<String>,
    /// Tags of the task (`/taskWithTags` only). Omitted when the task has no tags.
    #[serde(
        rename = "TaskTags",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minProperties" = 1))]
    pub task_tags: Option<BTreeMap<String, String>>,
    /// Tags of the container instance (`/taskWithTags` on EC2 only). Omitted when none.
    #[serde(
        rename = "ContainerInstanceTags",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minProperties" = 1))]
    pub container_instance_tags: Option<BTreeMap<String, String>>,
    /// Clock accuracy of the host (Linux). Documented for v3; the EC2 agent has no such field
    /// in v3 and never sends it, Fargate does.
    #[serde(
        rename = "ClockDrift",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub clock_drift: Option<ClockDrift>,
    /// Keys this model does not describe (v4 additions such as `LaunchType`, future fields).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Task-level resource limits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "TaskLimits")]
pub struct TaskLimits {
    /// Task CPU in vCPU (`0.25`, `0.5`, `1`...), a float. Omitted when zero.
    #[serde(
        rename = "CPU",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub cpu: Option<Float>,
    /// Task memory in MiB. Omitted when zero.
    #[serde(
        rename = "Memory",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub memory: Option<u64>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Difference between the host clock and the reference time (NTP/UTC).
///
/// The documentation names the timestamp `ReferenceTime`; every agent and recording uses
/// `ReferenceTimestamp`, which is what this model and the schema follow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ClockDrift")]
pub struct ClockDrift {
    /// Clock error bound in milliseconds (offset to UTC). Omitted when exactly zero.
    #[serde(
        rename = "ClockErrorBound",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub clock_error_bound: Option<Float>,
    /// The reference time of the last measurement (seconds precision in practice).
    #[serde(
        rename = "ReferenceTimestamp",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub reference_timestamp: Option<Timestamp>,
    /// Whether the last synchronisation attempt succeeded.
    #[serde(
        rename = "ClockSynchronizationStatus",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub clock_synchronization_status: Option<ClockSynchronizationStatus>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}
