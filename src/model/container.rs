//! The container metadata response (`${ECS_CONTAINER_METADATA_URI}`) and its parts.

use std::collections::BTreeMap;
use std::num::{NonZeroI64, NonZeroU16};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::de;
use super::{ContainerStatus, ContainerType, Extra, Float, HealthStatusValue, Protocol, Timestamp};

/// Metadata of one container, as served at `${ECS_CONTAINER_METADATA_URI}` and as each entry
/// of the task response's `Containers`.
///
/// Keys are those of the agent's v2/v3 `ContainerResponse`; a key the agent marks `omitempty`
/// is left out (never `null`, never empty) when it has no value. Unknown keys are allowed:
/// AWS adds fields. The fields marked v4 are the additions of the v4 `ContainerResponse`; the
/// v3 schema leaves them out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Container")]
pub struct Container {
    /// Docker container ID: 64 lower-case hex digits on EC2, `<32 hex task id>-<digits>` on
    /// Fargate. Empty while the agent has reserved the container but Docker has not created it.
    #[serde(rename = "DockerId")]
    pub docker_id: String,
    /// Container name from the task definition.
    #[serde(rename = "Name")]
    pub name: String,
    /// Name given to Docker: `ecs-<family>-<revision>-<name>-<20 hex>` on EC2, the container
    /// name itself on Fargate. Empty before the agent assigned one.
    #[serde(rename = "DockerName")]
    pub docker_name: String,
    /// Image reference from the task definition (may include a tag and a `@sha256:` digest).
    #[serde(rename = "Image")]
    pub image: String,
    /// Image ID (`sha256:<64 hex>`) reported by Docker; empty for the agent's pause container.
    #[serde(rename = "ImageID")]
    pub image_id: String,
    /// Port bindings Docker reports. Omitted when there are none; never an empty array.
    #[serde(
        rename = "Ports",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub ports: Option<Vec<Port>>,
    /// Docker labels of the container: the task definition's `dockerLabels` plus five
    /// `com.amazonaws.ecs.*` labels set by the agent. Omitted when there are none; never `{}`.
    #[serde(
        rename = "Labels",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minProperties" = 1))]
    pub labels: Option<BTreeMap<String, String>>,
    /// Status ECS wants the container in.
    #[serde(rename = "DesiredStatus")]
    pub desired_status: ContainerStatus,
    /// Status the agent last observed.
    #[serde(rename = "KnownStatus")]
    pub known_status: ContainerStatus,
    /// Exit code of the last exit. Present only once the container has exited (so only with
    /// `KnownStatus` `STOPPED` or a `FinishedAt`); `0` is a valid exit code.
    #[serde(
        rename = "ExitCode",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub exit_code: Option<i64>,
    /// Container-level resource limits. The documentation says the key is omitted when no
    /// limits are defined, but real agents always send it (EC2: `CPU` at least 2 and `Memory`;
    /// Fargate: often `{"CPU": 2}` alone), so the schema requires it.
    #[serde(rename = "Limits")]
    pub limits: ContainerLimits,
    /// When Docker created the container. Omitted until it has been created.
    #[serde(
        rename = "CreatedAt",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub created_at: Option<Timestamp>,
    /// When the container first started (not updated by restarts). Omitted until it started.
    #[serde(
        rename = "StartedAt",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub started_at: Option<Timestamp>,
    /// When the container last stopped. Omitted until it has stopped once.
    #[serde(
        rename = "FinishedAt",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub finished_at: Option<Timestamp>,
    /// Kind of container: `NORMAL` for task-definition containers.
    #[serde(rename = "Type")]
    pub container_type: ContainerType,
    /// Network attachments. Omitted when the agent has no network information (for example
    /// while the container is being created); never an empty array.
    #[serde(
        rename = "Networks",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub networks: Option<Vec<Network>>,
    /// Docker health check state. Present only when the task definition declares a health
    /// check; `{}` before the first result. Undocumented for v3, but the agent sends it.
    #[serde(
        rename = "Health",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub health: Option<Health>,
    /// Mounts Docker reports. Omitted when there are none. Undocumented for v3, but the agent
    /// sends it.
    #[serde(
        rename = "Volumes",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub volumes: Option<Vec<Volume>>,
    /// v4: the log driver of the container (`awslogs`, `awsfirelens`, `json-file`...). Omitted when the task definition sets none.
    #[serde(
        rename = "LogDriver",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub log_driver: Option<String>,
    /// v4: the options of the log driver. Omitted when there are none.
    #[serde(
        rename = "LogOptions",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minProperties" = 1))]
    pub log_options: Option<BTreeMap<String, String>>,
    /// v4: the ARN of the container: `arn:aws:ecs:<region>:<account>:container/<cluster>/<task id>/<uuid>` (older: `.../container/<uuid>`).
    #[serde(
        rename = "ContainerARN",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub container_arn: Option<String>,
    /// v4: the containerd snapshotter of the container (Fargate: `overlayfs`, `soci`). The EC2 agent never sends it.
    #[serde(
        rename = "Snapshotter",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub snapshotter: Option<String>,
    /// v4: how many times the container's restart policy restarted it. Present (even 0) only when the container has a restart policy (agent 1.83.0 and later).
    #[serde(
        rename = "RestartCount",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    pub restart_count: Option<u32>,
    /// Keys this model does not describe (future fields), kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Container {
    /// Whether Docker has (or had) a container for it: its KnownStatus is CREATED or later,
    /// except a STOPPED container without CreatedAt, which stopped before it was ever created
    /// (pull or create failure). Only such containers may have an empty DockerId or ImageID.
    pub fn has_docker_container(&self) -> bool {
        self.known_status.is_created()
            && !(self.known_status == ContainerStatus::Stopped && self.created_at.is_none())
    }
}

/// Container-level resource limits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "ContainerLimits")]
pub struct ContainerLimits {
    /// CPU units (1024 = one vCPU). Agents since 1.50.0 send at least 2, even when the task
    /// definition sets 0 or nothing; older agents and documentation examples show 0.
    #[serde(
        rename = "CPU",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some_non_negative"
    )]
    #[schemars(extend("minimum" = 0))]
    pub cpu: Option<Float>,
    /// Memory limit in MiB (hard limit, or the soft reservation when no hard limit is set).
    /// The EC2 agent always sends it (0 when unset); Fargate omits it when the task definition
    /// sets no container memory.
    #[serde(
        rename = "Memory",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub memory: Option<u64>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One port binding.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Port")]
pub struct Port {
    /// Port inside the container.
    #[serde(
        rename = "ContainerPort",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub container_port: Option<NonZeroU16>,
    /// `tcp` or `udp`.
    #[serde(
        rename = "Protocol",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub protocol: Option<Protocol>,
    /// Port on the host. Omitted when Docker reports none (awsvpc tasks on old agents).
    #[serde(
        rename = "HostPort",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub host_port: Option<NonZeroU16>,
    /// v4: the host address Docker bound the port on (`0.0.0.0`, `::`). Docker reports one binding per address, so entries may differ only in `HostIp`.
    #[serde(
        rename = "HostIp",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub host_ip: Option<String>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One network attachment of a container.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Network")]
pub struct Network {
    /// `awsvpc`, or the Docker network name (`bridge`, `host`, `none`, `nat` on Windows, a
    /// user-defined network), or `default` on old Docker versions.
    #[serde(
        rename = "NetworkMode",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub network_mode: Option<String>,
    /// IPv4 addresses. In bridge/host modes a one-element array, whose element is `""` when
    /// Docker has no address (host mode).
    #[serde(
        rename = "IPv4Addresses",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub ipv4_addresses: Option<Vec<String>>,
    /// IPv6 addresses of the task's elastic network interface (awsvpc only in v3).
    #[serde(
        rename = "IPv6Addresses",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minItems" = 1))]
    pub ipv6_addresses: Option<Vec<String>>,
    /// v4, awsvpc: index of the network interface attachment (the agent sends 0).
    #[serde(
        rename = "AttachmentIndex",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    pub attachment_index: Option<u32>,
    /// v4, awsvpc: MAC address of the task's elastic network interface.
    #[serde(
        rename = "MACAddress",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub mac_address: Option<String>,
    /// v4, awsvpc: IPv4 CIDR block of the interface's subnet.
    #[serde(
        rename = "IPv4SubnetCIDRBlock",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub ipv4_subnet_cidr_block: Option<String>,
    /// v4, awsvpc with IPv6: IPv6 CIDR block of the interface's subnet.
    #[serde(
        rename = "IPv6SubnetCIDRBlock",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub ipv6_subnet_cidr_block: Option<String>,
    /// v4, awsvpc: DNS servers of the interface.
    #[serde(
        rename = "DomainNameServers",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minItems" = 1))]
    pub domain_name_servers: Option<Vec<String>>,
    /// v4, awsvpc: DNS search domains of the interface.
    #[serde(
        rename = "DomainNameSearchList",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minItems" = 1))]
    pub domain_name_search_list: Option<Vec<String>>,
    /// v4, awsvpc: private DNS name of the interface (`ip-10-0-0-1.ec2.internal`).
    #[serde(
        rename = "PrivateDNSName",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub private_dns_name: Option<String>,
    /// v4, awsvpc: IPv4 address of the subnet gateway, written with the subnet's prefix length (`10.0.0.1/24`).
    #[serde(
        rename = "SubnetGatewayIpv4Address",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub subnet_gateway_ipv4_address: Option<String>,
    /// v4, awsvpc IPv6-only interfaces: IPv6 address of the subnet gateway.
    #[serde(
        rename = "SubnetGatewayIpv6Address",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("x-ecs-tmde-since" = "v4"))]
    #[schemars(extend("minLength" = 1))]
    pub subnet_gateway_ipv6_address: Option<String>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Docker health check state. Note the lower-case keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Health")]
pub struct Health {
    /// `HEALTHY` or `UNHEALTHY`; omitted before the first result.
    #[serde(
        rename = "status",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub status: Option<HealthStatusValue>,
    /// When the status last changed.
    #[serde(
        rename = "statusSince",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub status_since: Option<Timestamp>,
    /// Exit code of the last failing check. A Go `int` with `omitempty`, so `0` is never sent;
    /// not reset when the container becomes healthy again (Fargate sends `-1`).
    #[serde(
        rename = "exitCode",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    pub exit_code: Option<NonZeroI64>,
    /// Output of the last check, truncated by the agent. Omitted when empty.
    #[serde(
        rename = "output",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub output: Option<String>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A mount, from Docker's `Mounts`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Volume")]
pub struct Volume {
    /// Name of a Docker named volume; omitted for bind mounts.
    #[serde(
        rename = "DockerName",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub docker_name: Option<String>,
    /// Host path of the mount.
    #[serde(
        rename = "Source",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub source: Option<String>,
    /// Path inside the container.
    #[serde(
        rename = "Destination",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::some"
    )]
    #[schemars(extend("minLength" = 1))]
    pub destination: Option<String>,
    /// Keys this model does not describe.
    #[serde(flatten)]
    pub extra: Extra,
}
