//! Scenarios: the task a mock endpoint serves, described as data.
//!
//! A scenario names the platform (launch type, platform version, operating system, network
//! mode), the task (cluster, family, revision, limits) and its containers, each with its own
//! values and behaviour over time (whether it is essential, when it exits, how busy it is).
//! Everything that the real agent derives (DockerIds, DockerNames, ARNs, labels, addresses,
//! timestamps, stats) is derived by [`super::world`] from the scenario and the seed.
//!
//! The built-in scenarios are TOML files in `src/mock/scenarios/`, in exactly the format users
//! write; `ecs-tmde mock --print-scenario NAME` prints one to start from.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::profile::{LaunchType, Os, PlatformVersion, Profile};
use crate::Error;

/// How the task's containers are networked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    /// One ENI per task, shared by every container (Fargate always; EC2 optionally).
    Awsvpc,
    /// Docker's bridge network with host port mappings.
    Bridge,
    /// The host's network namespace.
    Host,
}

impl NetworkMode {
    /// The spelling in responses.
    pub fn name(self) -> &'static str {
        match self {
            NetworkMode::Awsvpc => "awsvpc",
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
        }
    }
}

/// A task served by the mock.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name, shown on start.
    pub name: String,
    /// One line about the task.
    #[serde(default)]
    pub description: String,
    /// Where the task runs.
    pub launch_type: LaunchType,
    /// Fargate platform version (Fargate only).
    #[serde(default)]
    pub platform_version: Option<PlatformVersion>,
    /// Operating system (default linux).
    #[serde(default = "default_os")]
    pub os: Os,
    /// Network mode.
    pub network_mode: NetworkMode,
    /// AWS region of the task.
    pub region: String,
    /// AWS account id (12 digits).
    pub account: String,
    /// Cluster name.
    pub cluster: String,
    /// Task definition family.
    pub family: String,
    /// Task definition revision.
    pub revision: u32,
    /// Task id (32 hex digits); derived from the seed when omitted.
    #[serde(default)]
    pub task_id: Option<String>,
    /// Availability Zone; omitted from responses when absent.
    #[serde(default)]
    pub availability_zone: Option<String>,
    /// Task-level CPU in vCPUs (task definitions with a task size).
    #[serde(default)]
    pub task_cpu: Option<f64>,
    /// Task-level memory in MiB.
    #[serde(default)]
    pub task_memory: Option<u64>,
    /// IPv4 subnet of the task ENI (awsvpc), CIDR notation.
    #[serde(default)]
    pub subnet: Option<String>,
    /// Whether images are pulled (PullStartedAt/PullStoppedAt are sent); default true.
    #[serde(default = "yes")]
    pub pull: bool,
    /// Whether the task response carries ClockDrift; default: Fargate Linux only.
    #[serde(default)]
    pub clock_drift: Option<bool>,
    /// The service the task belongs to (v4 `ServiceName`), if any.
    #[serde(default)]
    pub service_name: Option<String>,
    /// Log driver of the containers (v4 `LogDriver`); default `awslogs` on Fargate.
    #[serde(default)]
    pub log_driver: Option<String>,
    /// Tags of the task, served by `/taskWithTags`.
    #[serde(default)]
    pub task_tags: BTreeMap<String, String>,
    /// Tags of the container instance, served by `/taskWithTags` (EC2 and external).
    #[serde(default)]
    pub container_instance_tags: BTreeMap<String, String>,
    /// The task's containers, in task definition order.
    pub containers: Vec<ContainerSpec>,
}

/// One container of a scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    /// Container name from the task definition.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Whether the task stops when this container stops (default true).
    #[serde(default = "yes")]
    pub essential: bool,
    /// CPU units from the task definition (0 when omitted; the agent reports at least 2).
    #[serde(default)]
    pub cpu: Option<u32>,
    /// Memory hard limit in MiB from the task definition.
    #[serde(default)]
    pub memory: Option<u64>,
    /// Docker labels from the task definition (the agent adds its own five).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Port mappings.
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    /// Whether the task definition has a Docker health check.
    #[serde(default)]
    pub health_check: bool,
    /// Mounted volumes.
    #[serde(default)]
    pub volumes: Vec<VolumeSpec>,
    /// Seconds after its start at which the container exits by itself.
    #[serde(default)]
    pub exits_after: Option<f64>,
    /// Exit code when it exits (default 0).
    #[serde(default)]
    pub exit_code: i64,
    /// Seconds by which its start is delayed after the previous container's (dependsOn).
    #[serde(default)]
    pub start_delay: f64,
    /// The endpoint id of its `ECS_CONTAINER_METADATA_URI` (a UUID); derived when omitted.
    #[serde(default)]
    pub endpoint_id: Option<String>,
    /// Typical resident memory in MiB, for stats (default 64).
    #[serde(default = "default_memory_mib")]
    pub memory_mib: u64,
    /// Average CPU load in vCPUs, for stats (default 0.05).
    #[serde(default = "default_cpu_load")]
    pub cpu_load: f64,
}

/// A port mapping.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// Port in the container.
    pub container_port: u16,
    /// `tcp` (default) or `udp`.
    #[serde(default = "default_protocol")]
    pub protocol: String,
    /// Host port; in bridge mode Docker picks one from the ephemeral range when omitted.
    #[serde(default)]
    pub host_port: Option<u16>,
}

/// A mounted volume.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// Docker volume name; omitted for bind mounts.
    #[serde(default)]
    pub name: Option<String>,
    /// Host path of a bind mount.
    #[serde(default)]
    pub source: Option<String>,
    /// Mount point in the container.
    pub destination: String,
}

fn yes() -> bool {
    true
}

fn default_os() -> Os {
    Os::Linux
}

fn default_memory_mib() -> u64 {
    64
}

fn default_cpu_load() -> f64 {
    0.05
}

fn default_protocol() -> String {
    "tcp".into()
}

/// The built-in scenarios: name and TOML text.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "fargate-linux-1.4",
        include_str!("scenarios/fargate-linux-1.4.toml"),
    ),
    (
        "fargate-linux-1.3",
        include_str!("scenarios/fargate-linux-1.3.toml"),
    ),
    (
        "fargate-windows-1.0",
        include_str!("scenarios/fargate-windows-1.0.toml"),
    ),
    ("ec2-bridge", include_str!("scenarios/ec2-bridge.toml")),
    ("ec2-awsvpc", include_str!("scenarios/ec2-awsvpc.toml")),
    ("ec2-host", include_str!("scenarios/ec2-host.toml")),
    ("external", include_str!("scenarios/external.toml")),
];

/// Name of the scenario served when none is given.
pub const DEFAULT: &str = "fargate-linux-1.4";

impl Scenario {
    /// A built-in scenario by name.
    pub fn builtin(name: &str) -> Option<Scenario> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let input = format!("built-in scenario {name}");
        Some(Scenario::from_toml(&input, text).expect("built-in scenarios are valid"))
    }

    /// The default scenario (`fargate-linux-1.4`).
    pub fn default_scenario() -> Scenario {
        Scenario::builtin(DEFAULT).expect("the default scenario exists")
    }

    /// A built-in scenario name, or a path to a `.toml` or `.json` scenario file.
    pub fn load(name_or_path: &str) -> Result<Scenario, Error> {
        if let Some(s) = Scenario::builtin(name_or_path) {
            return Ok(s);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(Error::Input {
                input: name_or_path.into(),
                message: format!(
                    "no such scenario or file; hint: built-in scenarios are {}",
                    names.join(", ")
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let input = path.display().to_string();
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            let s: Scenario = crate::decode::from_slice(&input, &bytes)?;
            s.validate(&input)?;
            Ok(s)
        } else {
            let text = std::str::from_utf8(&bytes).map_err(|e| Error::Input {
                input: input.clone(),
                message: format!("not UTF-8 text (byte {})", e.valid_up_to()),
            })?;
            Scenario::from_toml(&input, text)
        }
    }

    /// Parses a TOML scenario; `input` names it in errors.
    pub fn from_toml(input: &str, text: &str) -> Result<Scenario, Error> {
        let s: Scenario = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            Error::Input {
                input: format!("{input}:{line}:{column}"),
                message: format!("not a valid scenario: {}", e.message().trim()),
            }
        })?;
        s.validate(input)?;
        Ok(s)
    }

    /// The profile the scenario's endpoint claims, for the checker.
    pub fn profile(&self) -> Profile {
        Profile {
            launch_type: Some(self.launch_type),
            platform_version: self.platform_version,
            os: Some(self.os),
        }
    }

    /// Whether the task response carries ClockDrift.
    pub fn has_clock_drift(&self) -> bool {
        self.clock_drift.unwrap_or(self.is_fargate_linux_1_4())
    }

    /// Whether the task runs on Fargate Linux platform 1.4.0 or later (ClockDrift,
    /// EphemeralStorageMetrics, the containerd snapshotter).
    pub fn is_fargate_linux_1_4(&self) -> bool {
        self.launch_type == LaunchType::Fargate
            && self.os == Os::Linux
            && self
                .platform_version
                .is_none_or(|v| v >= PlatformVersion::LINUX_AZ)
    }

    /// Whether the platform runs containerd with Fargate-style ids (Fargate from 1.4.0 on
    /// Linux, every Windows platform version, and ECS Managed Instances).
    pub fn fargate_ids(&self) -> bool {
        match self.launch_type {
            LaunchType::Fargate => {
                self.os == Os::Windows
                    || self
                        .platform_version
                        .is_none_or(|v| v >= PlatformVersion::LINUX_AZ)
            }
            LaunchType::ManagedInstances => true,
            LaunchType::Ec2 | LaunchType::External => false,
        }
    }

    fn validate(&self, input: &str) -> Result<(), Error> {
        let bad = |message: String| {
            Err(Error::Input {
                input: input.into(),
                message,
            })
        };
        if self.containers.is_empty() {
            return bad("scenario has no containers; hint: add a [[containers]] table".into());
        }
        if self.account.len() != 12 || !self.account.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!(
                "account {:?} is not 12 digits; hint: account = \"123456789012\"",
                self.account
            ));
        }
        if self.task_memory.is_some_and(|m| m > 1 << 20)
            || self
                .task_cpu
                .is_some_and(|c| !(c.is_finite() && c > 0.0 && c <= 192.0))
        {
            return bad(
                "task_memory must be at most 1 TiB and task_cpu between 0 and 192 vCPUs".into(),
            );
        }
        if let Some(id) = &self.task_id {
            if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
                return bad(format!("task_id {id:?} is not 32 hex digits"));
            }
        }
        if self.launch_type == LaunchType::Fargate && self.network_mode != NetworkMode::Awsvpc {
            return bad("Fargate tasks use network_mode = \"awsvpc\"".into());
        }
        if self.network_mode == NetworkMode::Awsvpc && self.subnet.is_none() {
            return bad(
                "awsvpc tasks need a subnet for their ENI; hint: subnet = \"10.0.0.0/24\"".into(),
            );
        }
        if let Some(subnet) = &self.subnet {
            if parse_cidr(subnet).is_none() {
                return bad(format!(
                    "subnet {subnet:?} is not an IPv4 CIDR such as 10.0.0.0/24 (prefix 8 to 28)"
                ));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, c) in self.containers.iter().enumerate() {
            if c.name.is_empty() || !seen.insert(c.name.as_str()) {
                return bad(format!(
                    "containers[{i}]: name {:?} is empty or used twice",
                    c.name
                ));
            }
            if c.name.starts_with("~internal~") {
                return bad(format!("containers[{i}]: names starting with ~internal~ are the agent's; the pause container is added by itself in awsvpc EC2 tasks"));
            }
            for p in &c.ports {
                if p.container_port == 0 || !matches!(p.protocol.as_str(), "tcp" | "udp") {
                    return bad(format!(
                        "containers[{i}]: port {} / {:?} is invalid (ports 1-65535, protocol tcp or udp)",
                        p.container_port, p.protocol
                    ));
                }
            }
            // Bounds keep every derived time and counter far from integer overflow.
            const YEAR: f64 = 365.0 * 86_400.0;
            if let Some(e) = c.exits_after {
                if !(e.is_finite() && e > 0.0 && e <= YEAR) {
                    return bad(format!(
                        "containers[{i}]: exits_after must be a number of seconds above 0, at most a year"
                    ));
                }
                if c.essential {
                    return bad(format!("containers[{i}]: an essential container that exits stops the whole task, which the mock does not model; hint: essential = false"));
                }
            }
            if !(c.start_delay.is_finite() && (0.0..=YEAR).contains(&c.start_delay)) {
                return bad(format!(
                    "containers[{i}]: start_delay must be between 0 and a year of seconds"
                ));
            }
            if !(c.cpu_load.is_finite() && (0.0..=192.0).contains(&c.cpu_load)) {
                return bad(format!(
                    "containers[{i}]: cpu_load must be between 0 and 192 vCPUs"
                ));
            }
            if c.memory_mib > 1 << 20 || c.memory.is_some_and(|m| m > 1 << 20) {
                return bad(format!(
                    "containers[{i}]: memory_mib and memory must be at most 1 TiB (1048576 MiB)"
                ));
            }
            if let Some(id) = &c.endpoint_id {
                if id.is_empty() || id.contains('/') {
                    return bad(format!(
                        "containers[{i}]: endpoint_id {id:?} must be a non-empty path segment"
                    ));
                }
            }
        }
        if !self.containers.iter().any(|c| c.essential) {
            return bad("at least one container must be essential".into());
        }
        Ok(())
    }
}

/// Parses `a.b.c.d/len` into the network address and prefix length.
pub(crate) fn parse_cidr(s: &str) -> Option<(u32, u32)> {
    let (addr, len) = s.split_once('/')?;
    let ip: std::net::Ipv4Addr = addr.parse().ok()?;
    let len: u32 = len.parse().ok()?;
    if !(8..=28).contains(&len) {
        return None;
    }
    let mask = u32::MAX << (32 - len);
    Some((u32::from(ip) & mask, len))
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}
