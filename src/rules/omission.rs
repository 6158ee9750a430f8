//! Omission: what the agent leaves out rather than sending empty, and when `ExitCode` exists.

use schemars::Schema;
use serde_json::json;

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::model::ContainerStatus;
use crate::Endpoint;

const ALL: &[Endpoint] = &[
    Endpoint::Container,
    Endpoint::Task,
    Endpoint::Stats,
    Endpoint::TaskStats,
];

/// Collections the agent omits when empty.
pub static EMPTY_COLLECTION_SENT: Rule = Rule {
    id: "empty-collection-sent",
    title: "an empty collection is sent instead of being omitted",
    severity: Severity::Error,
    layer: Layer::Both,
    schema_keywords: &["minItems", "minProperties"],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("Ports - Any ports exposed for the container. This parameter is omitted if there are no exposed ports. Labels - Any labels applied to the container. This parameter is omitted if there are no labels applied."),
    agent_basis: Some("Every collection of the responses is a Go slice or map tagged omitempty (ground-truth.md §2), so encoding/json leaves an empty one out; task Limits is built only when task CPU or memory is non-zero."),
    follows: Follows::Both,
    explanation: "Ports, Labels, Networks, Volumes, IPv4Addresses/IPv6Addresses, task Containers, task Limits, TaskTags, ContainerInstanceTags, in v4 LogOptions, DomainNameServers, DomainNameSearchList and Errors, and in stats `networks`, `percpu_usage` and `memory_stats.stats` are omitted when empty. An empty array or object means the endpoint is not the agent (emulators send `Limits: {}`) and breaks clients that treat presence as meaning.",
    check: empty_collection_sent,
};

fn empty_collection_sent(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (endpoint, p, c) in ctx.containers() {
        let mut empty = |present_and_empty: bool, key: &str| {
            if present_and_empty {
                out.report(
                    endpoint,
                    format!("{p}/{key}"),
                    format!(
                        "`{key}` is sent empty; the agent omits it when there is nothing to list"
                    ),
                );
            }
        };
        empty(c.ports.as_ref().is_some_and(Vec::is_empty), "Ports");
        empty(c.labels.as_ref().is_some_and(|l| l.is_empty()), "Labels");
        empty(c.networks.as_ref().is_some_and(Vec::is_empty), "Networks");
        empty(c.volumes.as_ref().is_some_and(Vec::is_empty), "Volumes");
        empty(
            c.log_options.as_ref().is_some_and(|m| m.is_empty()),
            "LogOptions",
        );
        for (i, n) in c.networks.iter().flatten().enumerate() {
            for (list, key) in [
                (&n.ipv4_addresses, "IPv4Addresses"),
                (&n.ipv6_addresses, "IPv6Addresses"),
                (&n.domain_name_servers, "DomainNameServers"),
                (&n.domain_name_search_list, "DomainNameSearchList"),
            ] {
                empty(
                    list.as_ref().is_some_and(Vec::is_empty),
                    &format!("Networks/{i}/{key}"),
                );
            }
        }
    }
    if let Some(t) = ctx.task {
        let mut empty = |present_and_empty: bool, key: &str| {
            if present_and_empty {
                out.report(
                    Endpoint::Task,
                    format!("/{key}"),
                    format!(
                        "`{key}` is sent empty; the agent omits it when there is nothing to list"
                    ),
                );
            }
        };
        empty(
            t.containers.as_ref().is_some_and(Vec::is_empty),
            "Containers",
        );
        empty(
            t.limits
                .as_ref()
                .is_some_and(|l| l.cpu.is_none() && l.memory.is_none() && l.extra.is_empty()),
            "Limits",
        );
        empty(
            t.task_tags.as_ref().is_some_and(|m| m.is_empty()),
            "TaskTags",
        );
        empty(
            t.container_instance_tags
                .as_ref()
                .is_some_and(|m| m.is_empty()),
            "ContainerInstanceTags",
        );
        empty(t.errors.as_ref().is_some_and(Vec::is_empty), "Errors");
    }
    for (endpoint, p, s) in ctx.stats_samples() {
        let mut empty = |present_and_empty: bool, key: &str| {
            if present_and_empty {
                out.report(
                    endpoint,
                    format!("{p}/{key}"),
                    format!("`{key}` is sent empty; Docker's omitempty leaves it out"),
                );
            }
        };
        empty(
            s.networks.as_ref().is_some_and(|n| n.is_empty()),
            "networks",
        );
        empty(
            s.cpu_stats
                .cpu_usage
                .percpu_usage
                .as_ref()
                .is_some_and(Vec::is_empty),
            "cpu_stats/cpu_usage/percpu_usage",
        );
        empty(
            s.precpu_stats
                .cpu_usage
                .percpu_usage
                .as_ref()
                .is_some_and(Vec::is_empty),
            "precpu_stats/cpu_usage/percpu_usage",
        );
        empty(
            s.memory_stats.stats.as_ref().is_some_and(|m| m.is_empty()),
            "memory_stats/stats",
        );
    }
}

/// Strings the agent omits when empty.
pub static EMPTY_STRING_SENT: Rule = Rule {
    id: "empty-string-sent",
    title: "an empty string is sent for a key the agent omits when empty",
    severity: Severity::Error,
    layer: Layer::Both,
    schema_keywords: &["minLength"],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("AvailabilityZone, NetworkMode, Health.output, the Volume members, the stats name/id, and the v4 strings (LogDriver, ContainerARN, Snapshotter, HostIp, the network interface properties, VPCID, ServiceName, Group, AvailabilityZoneID) are Go strings tagged omitempty (ground-truth.md §2.1-2.9, §4), so an empty value is left out."),
    follows: Follows::Agent,
    explanation: "An empty string where the agent would omit the key: `AvailabilityZone: \"\"` tells a client there is a zone called nothing.",
    check: empty_string_sent,
};

fn empty_string_sent(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let is_empty = |s: &Option<String>| s.as_deref() == Some("");
    for (endpoint, p, c) in ctx.containers() {
        for (key, val) in [
            ("LogDriver", &c.log_driver),
            ("ContainerARN", &c.container_arn),
            ("Snapshotter", &c.snapshotter),
        ] {
            if is_empty(val) {
                out.report(
                    endpoint,
                    format!("{p}/{key}"),
                    format!("`{key}` is an empty string; the agent omits it when empty"),
                );
            }
        }
        for (i, port) in c.ports.iter().flatten().enumerate() {
            if is_empty(&port.host_ip) {
                out.report(
                    endpoint,
                    format!("{p}/Ports/{i}/HostIp"),
                    "`HostIp` is an empty string; the agent omits it when empty",
                );
            }
        }
        for (i, n) in c.networks.iter().flatten().enumerate() {
            if is_empty(&n.network_mode) {
                out.report(
                    endpoint,
                    format!("{p}/Networks/{i}/NetworkMode"),
                    "`NetworkMode` is an empty string; the agent omits it when unknown",
                );
            }
            for (key, val) in [
                ("MACAddress", &n.mac_address),
                ("IPv4SubnetCIDRBlock", &n.ipv4_subnet_cidr_block),
                ("IPv6SubnetCIDRBlock", &n.ipv6_subnet_cidr_block),
                ("PrivateDNSName", &n.private_dns_name),
                ("SubnetGatewayIpv4Address", &n.subnet_gateway_ipv4_address),
                ("SubnetGatewayIpv6Address", &n.subnet_gateway_ipv6_address),
            ] {
                if is_empty(val) {
                    out.report(
                        endpoint,
                        format!("{p}/Networks/{i}/{key}"),
                        format!("`{key}` is an empty string; the agent omits it when empty"),
                    );
                }
            }
        }
        if let Some(h) = &c.health {
            if is_empty(&h.output) {
                out.report(
                    endpoint,
                    format!("{p}/Health/output"),
                    "`output` is an empty string; the agent omits it when empty",
                );
            }
        }
        for (i, v) in c.volumes.iter().flatten().enumerate() {
            for (key, val) in [
                ("DockerName", &v.docker_name),
                ("Source", &v.source),
                ("Destination", &v.destination),
            ] {
                if is_empty(val) {
                    out.report(
                        endpoint,
                        format!("{p}/Volumes/{i}/{key}"),
                        format!("`{key}` is an empty string; the agent omits it when empty"),
                    );
                }
            }
        }
    }
    if let Some(t) = ctx.task {
        if is_empty(&t.availability_zone) {
            out.report(Endpoint::Task, "/AvailabilityZone", "`AvailabilityZone` is an empty string; the agent omits it when the zone is unknown");
        }
        for (key, val) in [
            ("VPCID", &t.vpc_id),
            ("ServiceName", &t.service_name),
            ("Group", &t.group),
            ("AvailabilityZoneID", &t.availability_zone_id),
        ] {
            if is_empty(val) {
                out.report(
                    Endpoint::Task,
                    format!("/{key}"),
                    format!("`{key}` is an empty string; the agent omits it when empty"),
                );
            }
        }
    }
    for (endpoint, p, s) in ctx.stats_samples() {
        for (key, val) in [("name", &s.name), ("id", &s.id)] {
            if is_empty(val) {
                out.report(
                    endpoint,
                    format!("{p}/{key}"),
                    format!("`{key}` is an empty string; it is omitted when empty"),
                );
            }
        }
        for (name, n) in s.networks.iter().flatten() {
            for (key, val) in [
                ("endpoint_id", &n.endpoint_id),
                ("instance_id", &n.instance_id),
            ] {
                if is_empty(val) {
                    out.report(
                        endpoint,
                        format!("{p}/networks/{}/{key}", super::escape(name)),
                        format!("`{key}` is an empty string; it is omitted when empty"),
                    );
                }
            }
        }
    }
}

/// `ExitCode` before the container exited.
pub static EXIT_CODE_BEFORE_EXIT: Rule = Rule {
    id: "exit-code-before-exit",
    title: "ExitCode is present although the container has not exited",
    severity: Severity::Error,
    layer: Layer::Both,
    schema_keywords: &["then"],
    schema_transform: Some(exit_code_requires_exit_evidence),
    endpoints: &[Endpoint::Container, Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("ExitCode - The exit code for the container. This parameter is omitted if the container has not exited."),
    agent_basis: Some("The agent records an exit code only when Docker reports the container not running with a non-zero FinishedAt, or from a die event (agent/dockerclient/dockerapi/docker_client.go, 'Only record an exitcode if it has exited'). It is never cleared, so a restarted container keeps it together with its FinishedAt. One transient exception: when the agent stops a container for a terminal dependency error it sets ExitCode 143 before the STOPPED event is processed (agent/engine/task_manager.go), a window of milliseconds."),
    follows: Follows::Both,
    explanation: "ExitCode requires exit evidence: KnownStatus STOPPED, or a FinishedAt (a container restarted by its restart policy keeps both). A RUNNING container with an ExitCode and no FinishedAt cannot come from the agent. `0` is a valid exit code, so clients must test presence, not value.",
    check: exit_code_before_exit,
};

/// The schema side of the rule: on the `Container` definition, `ExitCode` requires
/// `FinishedAt` or `KnownStatus` `STOPPED`.
fn exit_code_requires_exit_evidence(schema: &mut Schema) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if obj.get("title") != Some(&json!("Container")) {
        return;
    }
    obj.insert("if".into(), json!({ "required": ["ExitCode"] }));
    obj.insert(
        "then".into(),
        json!({
            "anyOf": [
                { "required": ["FinishedAt"] },
                { "properties": { "KnownStatus": { "const": "STOPPED" } }, "required": ["KnownStatus"] }
            ]
        }),
    );
}

fn exit_code_before_exit(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (endpoint, p, c) in ctx.containers() {
        if let Some(code) = c.exit_code {
            if c.known_status != ContainerStatus::Stopped && c.finished_at.is_none() {
                out.report(
                    endpoint,
                    format!("{p}/ExitCode"),
                    format!(
                        "ExitCode {code} on container {:?} whose KnownStatus is {} and which has no FinishedAt: it has not exited",
                        c.name,
                        c.known_status.as_str()
                    ),
                );
            }
        }
    }
}

/// Limits outside the range the agent can send.
pub static LIMIT_OUT_OF_RANGE: Rule = Rule {
    id: "limit-out-of-range",
    title: "a task resource limit is zero or negative",
    severity: Severity::Error,
    layer: Layer::Both,
    schema_keywords: &["exclusiveMinimum"],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("Limits - The resource limits specified at the task level (such as CPU and memory). This parameter is omitted if no resource limits are defined."),
    agent_basis: Some("Task Limits members are set only when non-zero (agent/handlers/v2/response.go NewTaskResponse)."),
    follows: Follows::Both,
    explanation: "Task `Limits.CPU` (vCPU) and `Limits.Memory` (MiB) are omitted when zero, so a present value is positive. (A negative container `Limits.CPU` is a `schema-violation`: CPU units are never negative, and the typed decoder rejects it like the schema's `minimum: 0`.)",
    check: limit_out_of_range,
};

fn limit_out_of_range(ctx: &Context<'_>, out: &mut Sink<'_>) {
    if let Some(l) = ctx.task.and_then(|t| t.limits.as_ref()) {
        if let Some(cpu) = l.cpu {
            if cpu.get() <= 0.0 {
                out.report(
                    Endpoint::Task,
                    "/Limits/CPU",
                    format!("task CPU {cpu} is not positive; the agent omits a zero task CPU"),
                );
            }
        }
        if l.memory == Some(0) {
            out.report(
                Endpoint::Task,
                "/Limits/Memory",
                "task Memory 0 is sent; the agent omits a zero task memory",
            );
        }
    }
}
