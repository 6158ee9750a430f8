//! The closed vocabularies of the endpoint: statuses, container types, protocols.
//!
//! Each enum lists exactly the strings the agent's `String()` methods can print
//! (ground-truth.md §3); anything else is a schema violation.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Status of a container, as printed by the agent's `ContainerStatus.String()`.
///
/// Internal states the agent does not name (such as its zombie state) print as `NONE`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(title = "ContainerStatus")]
pub enum ContainerStatus {
    /// Not yet acted upon, or an internal state without a public name.
    None,
    /// The image manifest was resolved (agent 1.82.3 and later).
    ManifestPulled,
    /// The image is pulled; no Docker container exists yet.
    Pulled,
    /// `docker create` returned.
    Created,
    /// The container is running.
    Running,
    /// Steady state of the `~internal~ecs~pause` container once the task network is ready.
    ResourcesProvisioned,
    /// The container has stopped (or never started and will not).
    Stopped,
}

impl ContainerStatus {
    /// Position in the agent's lifecycle, for "never moves backwards" comparisons.
    pub fn rank(self) -> u8 {
        match self {
            ContainerStatus::None => 0,
            ContainerStatus::ManifestPulled => 1,
            ContainerStatus::Pulled => 2,
            ContainerStatus::Created => 3,
            ContainerStatus::Running => 4,
            ContainerStatus::ResourcesProvisioned => 5,
            ContainerStatus::Stopped => 6,
        }
    }

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerStatus::None => "NONE",
            ContainerStatus::ManifestPulled => "MANIFEST_PULLED",
            ContainerStatus::Pulled => "PULLED",
            ContainerStatus::Created => "CREATED",
            ContainerStatus::Running => "RUNNING",
            ContainerStatus::ResourcesProvisioned => "RESOURCES_PROVISIONED",
            ContainerStatus::Stopped => "STOPPED",
        }
    }

    /// Whether a Docker container exists in this state (it has been created).
    pub fn is_created(self) -> bool {
        self.rank() >= ContainerStatus::Created.rank()
    }
}

/// Status of a task, as printed by the agent's `TaskStatus.String()`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(title = "TaskStatus")]
pub enum TaskStatus {
    /// Not yet acted upon, or an internal state without a public name (pulled, zombie).
    None,
    /// Image manifests resolved (agent 1.82.3 and later).
    ManifestPulled,
    /// All containers are created.
    Created,
    /// The task is running.
    Running,
    /// The task has stopped.
    Stopped,
}

impl TaskStatus {
    /// Position in the lifecycle.
    pub fn rank(self) -> u8 {
        match self {
            TaskStatus::None => 0,
            TaskStatus::ManifestPulled => 1,
            TaskStatus::Created => 2,
            TaskStatus::Running => 3,
            TaskStatus::Stopped => 4,
        }
    }

    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::None => "NONE",
            TaskStatus::ManifestPulled => "MANIFEST_PULLED",
            TaskStatus::Created => "CREATED",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Stopped => "STOPPED",
        }
    }
}

/// Kind of container, as printed by the agent's `ContainerType.String()`.
///
/// Containers from the task definition are `NORMAL`; the others are created by the agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(title = "ContainerType")]
pub enum ContainerType {
    /// A container of the task definition (also how Service Connect relays print).
    Normal,
    /// Agent-internal container that provides an empty host volume (Windows).
    EmptyHostVolume,
    /// The `~internal~ecs~pause` container that holds an awsvpc task's network namespace.
    CniPause,
    /// Per-container pause container of Service Connect bridge tasks.
    NamespacePause,
    /// A managed daemon container.
    ManagedDaemon,
}

/// Transport protocol of a port binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(title = "Protocol")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// Health check status. `UNKNOWN` is never sent: the agent blanks it and omits the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(title = "HealthStatusValue")]
pub enum HealthStatusValue {
    /// The last health check passed.
    Healthy,
    /// The last health check failed.
    Unhealthy,
}

/// Result of the last clock synchronisation attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(title = "ClockSynchronizationStatus")]
pub enum ClockSynchronizationStatus {
    /// The last synchronisation with the reference time succeeded.
    Synchronized,
    /// The last synchronisation attempt failed.
    NotSynchronized,
}
