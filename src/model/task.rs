//! The task metadata response (`${ECS_CONTAINER_METADATA_URI}/task` and `/taskWithTags`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de;
use super::{ClockSynchronizationStatus, Container, Extra, Float, TaskStatus, Timestamp};

/// Metadata of the task the container belongs to, as served at
/// `${ECS_CONTAINER_METADATA_URI}/task` and (with the two tag maps) `/taskWithTags`.
///
/// Keys are those of the agent's v2/v3 `TaskResponse`, and the additions of its v4
/// `TaskResponse` (marked v4; the v3 schema leaves them out); `omitempty` keys are left out
/// (never `null`, never empty) when they have no value. Unknown keys are allowed.
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
    /// v4: the launch type of the task (agent 1.45.0 and later).
    #[serde(
        rename = "LaunchType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    pub launch_type: Option<LaunchTypeValue>,
    /// v4, `/taskWithTags`: why tags could not be listed (agent 1.50.0 and later). Omitted when listing them worked.
    #[serde(
        rename = "Errors",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minItems" = 1))]
    pub errors: Option<Vec<ErrorResponse>>,
    /// v4: the VPC of the container instance (agent 1.63.1 and later). Documented for EC2 only; Fargate sends it too.
    #[serde(
        rename = "VPCID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub vpc_id: Option<String>,
    /// v4: the service the task belongs to. Omitted for a task started outside a service.
    #[serde(
        rename = "ServiceName",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub service_name: Option<String>,
    /// v4: the task group. The agent's struct has the field but nothing fills it.
    #[serde(
        rename = "Group",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub group: Option<String>,
    /// v4, Fargate Linux platform 1.4.0 and later: use of the task's ephemeral storage, in MiB.
    #[serde(
        rename = "EphemeralStorageMetrics",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    pub ephemeral_storage_metrics: Option<EphemeralStorageMetrics>,
    /// v4: whether fault injection is enabled for the task. Always sent by agents since 1.88.0 (1.87.x sent it only when true).
    #[serde(
        rename = "FaultInjectionEnabled",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    pub fault_injection_enabled: Option<bool>,
    /// v4: the id of the Availability Zone (`use1-az4`), from the instance metadata (agent 1.102.0 and later).
    #[serde(
        rename = "AvailabilityZoneID",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub availability_zone_id: Option<String>,
    /// Keys this model does not describe (future fields).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Launch type of a task, as v4 sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
// `LaunchType` in the schemas, `$defs` key and title alike, so that every code generator names
// the type the same way (the Rust name avoids a clash with `profile::LaunchType`).
#[schemars(rename = "LaunchType", title = "LaunchType")]
pub enum LaunchTypeValue {
    /// EC2 container instances.
    Ec2,
    /// AWS Fargate.
    Fargate,
    /// ECS Anywhere.
    External,
    /// ECS Managed Instances.
    ManagedInstances,
}

impl LaunchTypeValue {
    /// The spelling in responses (`EC2`, `FARGATE`...).
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchTypeValue::Ec2 => "EC2",
            LaunchTypeValue::Fargate => "FARGATE",
            LaunchTypeValue::External => "EXTERNAL",
            LaunchTypeValue::ManagedInstances => "MANAGED_INSTANCES",
        }
    }
}

/// Why `/taskWithTags` could not list some tags (v4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ErrorResponse")]
pub struct ErrorResponse {
    /// Which tags: `TaskTags` or `ContainerInstanceTags`.
    #[serde(
        rename = "ErrorField",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub error_field: Option<String>,
    /// The AWS API error code (`AccessDeniedException`).
    #[serde(
        rename = "ErrorCode",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub error_code: Option<String>,
    /// The AWS API error message.
    #[serde(
        rename = "ErrorMessage",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub error_message: Option<String>,
    /// The HTTP status of the failed call.
    #[serde(
        rename = "StatusCode",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub status_code: Option<u16>,
    /// The AWS request id of the failed call.
    #[serde(
        rename = "RequestId",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub request_id: Option<String>,
    /// The resource whose tags could not be listed.
    #[serde(
        rename = "ResourceARN",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub resource_arn: Option<String>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Use of the task's ephemeral storage (v4, Fargate Linux 1.4.0 and later).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "EphemeralStorageMetrics")]
pub struct EphemeralStorageMetrics {
    /// MiB in use.
    #[serde(rename = "Utilized")]
    pub utilized: i64,
    /// MiB reserved for the task.
    #[serde(rename = "Reserved")]
    pub reserved: i64,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Task-level resource limits.
// `minProperties` is on the type rather than on `Task::limits` so that the property is a plain
// `$ref`: code generators then reuse `TaskLimits` instead of declaring a second, anonymous type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "TaskLimits", extend("minProperties" = 1))]
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
