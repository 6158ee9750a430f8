//! The stats responses (`/stats` and `/task/stats`): Docker's `StatsJSON` as the agent
//! re-serializes it.
//!
//! The agent decodes each sample of the Docker stats stream into the Docker Go types and
//! marshals it again, so the output has exactly those types' keys: unknown Docker fields are
//! dropped, struct-valued keys are always present, and nil slices become `null`. One model
//! covers Linux cgroup v1 (`max_usage`, `percpu_usage`, cache/rss memory keys), cgroup v2
//! (anon/file memory keys, no `max_usage`, no `percpu_usage`) and Windows (`commitbytes`,
//! `storage_stats`, no `system_cpu_usage`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::num::{NonZeroU32, NonZeroU64};

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::de;
use super::Float;
use super::{Extra, Timestamp};

/// Docker stats of one container, as served at `${ECS_CONTAINER_METADATA_URI}/stats`.
// Named `ContainerStats` in the schemas, `$defs` key and title alike, so that code generators
// that name types by key (datamodel-code-generator) and by title (json-schema-to-typescript)
// agree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "ContainerStats", title = "ContainerStats")]
pub struct Stats {
    /// When this sample was read. Can be the zero time `0001-01-01T00:00:00Z` before Docker
    /// delivered a sample.
    pub read: Timestamp,
    /// When the previous sample was read; the zero time on the first sample.
    pub preread: Timestamp,
    /// Process counts of the container's cgroup (Linux).
    pub pids_stats: PidsStats,
    /// Block I/O counters (Linux); on cgroup v2 and Windows most arrays are `null`.
    pub blkio_stats: BlkioStats,
    /// Number of processes (Windows); `0` on Linux.
    pub num_procs: u32,
    /// Storage counters (Windows); `{}` on Linux.
    pub storage_stats: StorageStats,
    /// CPU counters of this sample.
    pub cpu_stats: CpuStats,
    /// CPU counters of the previous sample (all zero on the first sample).
    pub precpu_stats: CpuStats,
    /// Memory counters. Every member is omitted when zero.
    pub memory_stats: MemoryStats,
    /// Container name as Docker knows it: `/ecs-...` on EC2, the container name on Fargate.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub name: Option<String>,
    /// Docker container ID (the container's `DockerId`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub id: Option<String>,
    /// Network counters by interface name (`eth0`, `eth1`, `Ethernet 3` on Windows). Omitted
    /// in host mode and where Docker reports no networks (EC2 awsvpc on old agents, Managed
    /// Instances).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minProperties" = 1))]
    pub networks: Option<BTreeMap<String, NetworkStats>>,
    /// v4: bytes per second over the last two samples, summed over the interfaces. Documented
    /// for awsvpc and bridge tasks on EC2 Linux (agent 1.43.0 and later); Fargate sends it
    /// too. Omitted before the second sample.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    pub network_rate_stats: Option<NetworkRateStats>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Network throughput over the last two samples (v4).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "NetworkRateStats")]
pub struct NetworkRateStats {
    /// Received bytes per second.
    pub rx_bytes_per_sec: Float,
    /// Sent bytes per second.
    pub tx_bytes_per_sec: Float,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Process counts. Both members are omitted when zero, so `{}` is common.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "PidsStats")]
pub struct PidsStats {
    /// Number of processes in the cgroup.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub current: Option<NonZeroU64>,
    /// Process limit of the cgroup.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub limit: Option<NonZeroU64>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Block I/O counters. Each array is always present (the Go slices have no `omitempty`) and is
/// `null` when Docker has no data.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "BlkioStats")]
pub struct BlkioStats {
    /// Bytes transferred, by device and operation.
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_service_bytes_recursive: Option<Vec<BlkioEntry>>,
    /// I/O operations, by device and operation.
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_serviced_recursive: Option<Vec<BlkioEntry>>,
    /// Queued operations (cgroup v1).
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_queue_recursive: Option<Vec<BlkioEntry>>,
    /// Service time (cgroup v1).
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_service_time_recursive: Option<Vec<BlkioEntry>>,
    /// Wait time (cgroup v1).
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_wait_time_recursive: Option<Vec<BlkioEntry>>,
    /// Merged operations (cgroup v1).
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_merged_recursive: Option<Vec<BlkioEntry>>,
    /// Time with I/O in flight (cgroup v1).
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub io_time_recursive: Option<Vec<BlkioEntry>>,
    /// Sectors transferred (cgroup v1).
    #[serde(deserialize_with = "de::nullable")]
    #[schemars(required, extend("type" = ["array", "null"]))]
    pub sectors_recursive: Option<Vec<BlkioEntry>>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One block I/O counter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "BlkioEntry")]
pub struct BlkioEntry {
    /// Device major number.
    pub major: u64,
    /// Device minor number.
    pub minor: u64,
    /// Operation: `Read`, `Write`, `Sync`, `Async`, `Discard`, `Total` (cgroup v1) or
    /// lower-case `read`, `write` (cgroup v2).
    pub op: String,
    /// Counter value.
    pub value: u64,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Storage counters (Windows). Every member is omitted when zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "StorageStats")]
pub struct StorageStats {
    /// Read operations, normalised.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub read_count_normalized: Option<NonZeroU64>,
    /// Bytes read.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub read_size_bytes: Option<NonZeroU64>,
    /// Write operations, normalised.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub write_count_normalized: Option<NonZeroU64>,
    /// Bytes written.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub write_size_bytes: Option<NonZeroU64>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CPU counters of one sample.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "CpuStats")]
pub struct CpuStats {
    /// CPU time used by the container.
    pub cpu_usage: CpuUsage,
    /// Host CPU time in nanoseconds (Linux). Omitted when zero, and on Windows and some
    /// Fargate platform versions.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub system_cpu_usage: Option<NonZeroU64>,
    /// Number of CPUs online (Linux). Omitted when zero, on Windows and in old recordings.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub online_cpus: Option<NonZeroU32>,
    /// CFS throttling counters; always present, often all zero.
    pub throttling_data: ThrottlingData,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CPU time used by the container, in nanoseconds on Linux (100 ns units on Windows).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "CpuUsage")]
pub struct CpuUsage {
    /// Total CPU time consumed.
    pub total_usage: u64,
    /// CPU time per CPU (cgroup v1 Linux). Omitted on cgroup v2 and Windows. Can list more
    /// CPUs than `online_cpus`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub percpu_usage: Option<Vec<u64>>,
    /// Time spent in kernel mode.
    pub usage_in_kernelmode: u64,
    /// Time spent in user mode.
    pub usage_in_usermode: u64,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// CFS throttling counters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ThrottlingData")]
pub struct ThrottlingData {
    /// Enforcement periods.
    pub periods: u64,
    /// Periods in which the container was throttled.
    pub throttled_periods: u64,
    /// Total throttled time in nanoseconds.
    pub throttled_time: u64,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Memory counters. Every member is omitted when zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "MemoryStats")]
pub struct MemoryStats {
    /// Current usage in bytes (Linux; Windows reports it as well on Fargate).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub usage: Option<NonZeroU64>,
    /// Peak usage in bytes (cgroup v1 only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub max_usage: Option<NonZeroU64>,
    /// Raw cgroup memory counters: `cache`, `rss`, `total_*`, `hierarchical_memory_limit`
    /// (cgroup v1) or `anon`, `file`, `kernel_stack`, ... (cgroup v2).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minProperties" = 1))]
    pub stats: Option<BTreeMap<String, u64>>,
    /// Memory allocation failures (cgroup v1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub failcnt: Option<NonZeroU64>,
    /// Memory limit in bytes. Can be the full unsigned 64-bit range:
    /// `18446744073709551615` means unlimited on cgroup v2, and `9223372036854771712` on v1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub limit: Option<NonZeroU64>,
    /// Committed bytes (Windows).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub commitbytes: Option<NonZeroU64>,
    /// Peak committed bytes (Windows).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub commitpeakbytes: Option<NonZeroU64>,
    /// Private working set in bytes (Windows).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub privateworkingset: Option<NonZeroU64>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Counters of one network interface.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "NetworkStats")]
pub struct NetworkStats {
    /// Bytes received.
    pub rx_bytes: u64,
    /// Packets received.
    pub rx_packets: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Received packets dropped.
    pub rx_dropped: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Send errors.
    pub tx_errors: u64,
    /// Sent packets dropped.
    pub tx_dropped: u64,
    /// Endpoint ID (Windows).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub endpoint_id: Option<String>,
    /// Instance ID (Windows).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub instance_id: Option<String>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Docker stats of every container of the task, as served at
/// `${ECS_CONTAINER_METADATA_URI}/task/stats`: a map from each container's `DockerId` to its
/// stats.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(title = "TaskStats")]
pub struct TaskStats(pub BTreeMap<String, TaskStatsEntry>);

/// The stats of one container in the task stats map.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskStatsEntry {
    /// A stats sample.
    Stats(Box<Stats>),
    /// `null`: the container has no stats (v3 agents; Fargate on v3 and v4).
    Null,
    /// `{}`: the container has no stats (v4 agents on EC2 and some Fargate platforms).
    Empty,
}

impl TaskStatsEntry {
    /// The stats, when this entry has a sample.
    pub fn stats(&self) -> Option<&Stats> {
        match self {
            TaskStatsEntry::Stats(s) => Some(s),
            _ => None,
        }
    }
}

impl Serialize for TaskStatsEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TaskStatsEntry::Stats(stats) => stats.serialize(s),
            TaskStatsEntry::Null => s.serialize_unit(),
            TaskStatsEntry::Empty => {
                use serde::ser::SerializeMap;
                s.serialize_map(Some(0))?.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for TaskStatsEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = TaskStatsEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stats object, {} or null")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<TaskStatsEntry, E> {
        Ok(TaskStatsEntry::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskStatsEntry, A::Error> {
        // Peek at the first key to tell `{}` from a sample, then hand the whole map (first
        // key included) to the derived decoder, so its errors keep their positions.
        let Some(first) = map.next_key::<String>()? else {
            return Ok(TaskStatsEntry::Empty);
        };
        let resumed = Resume {
            first: Some(first),
            rest: map,
        };
        Stats::deserialize(serde::de::value::MapAccessDeserializer::new(resumed))
            .map(|s| TaskStatsEntry::Stats(Box::new(s)))
    }
}

/// A map whose first key was already read.
struct Resume<A> {
    first: Option<String>,
    rest: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Resume<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed.deserialize(key.into_deserializer()).map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.rest.next_value_seed(seed)
    }
}

impl JsonSchema for TaskStatsEntry {
    fn schema_name() -> Cow<'static, str> {
        "TaskStatsEntry".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let stats = generator.subschema_for::<Stats>();
        // The empty object is `additionalProperties: false` rather than `maxProperties: 0` (the
        // same documents): json-schema-to-typescript then types it `{}`, which `"read" in entry`
        // narrows away, instead of an index signature that leaves every member `unknown`.
        json_schema!({
            "title": "TaskStatsEntry",
            "description": "Stats of one container: a sample, or `null` (v3 agents, Fargate) or `{}` (v4 agents) for a container without stats.",
            "anyOf": [
                stats,
                { "type": "null" },
                { "type": "object", "additionalProperties": false }
            ]
        })
    }
}
