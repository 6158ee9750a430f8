//! Typed models of the v3 responses, one module per response.
//!
//! The models are the single source of truth of the project: the published JSON Schemas are
//! generated from them (`schema`), the mock serves them, and the checker decodes into them.
//! Field doc comments become the schemas' `description`s, so they say what a field is and
//! when the agent omits it.
//!
//! Decoding is as strict as the schema's structural keywords (types, required keys, closed
//! vocabularies, timestamp syntax, no `null` for an omitted key). The few schema keywords that
//! serde cannot express (`minItems` on omitted-when-empty collections, the `ExitCode`
//! condition, ranges of limits) are also rules of the catalogue with layer "both", and a
//! property test proves that decoding plus those rules accepts exactly what the schema accepts.

mod container;
pub mod de;
mod number;
mod stats;
mod status;
mod task;
mod timestamp;

pub use container::{Container, ContainerLimits, Health, Network, Port, Volume};
pub use number::Float;
pub use stats::{
    BlkioEntry, BlkioStats, CpuStats, CpuUsage, MemoryStats, NetworkRateStats, NetworkStats,
    PidsStats, Stats, StorageStats, TaskStats, TaskStatsEntry, ThrottlingData,
};
pub use status::{
    ClockSynchronizationStatus, ContainerStatus, ContainerType, HealthStatusValue, Protocol,
    TaskStatus,
};
pub use task::{
    ClockDrift, EphemeralStorageMetrics, ErrorResponse, LaunchTypeValue, Task, TaskLimits,
};
pub use timestamp::{Timestamp, TimestampError, TIMESTAMP_PATTERN, ZERO_TIME_UNIX_NANOS};

/// Keys of a JSON object that a model does not describe, in the order they were sent.
pub type Extra = serde_json::Map<String, serde_json::Value>;
