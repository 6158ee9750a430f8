//! Structure: what the schema says about one document, and keys it does not describe.

use super::{escape, Context, Follows, Layer, Needs, Rule, Severity, Sink};
use crate::check::ApiVersion;
use crate::model::{Container, Extra, Stats, Task};
use crate::Endpoint;

/// Every violation of the published schema that no more specific rule explains.
pub static SCHEMA_VIOLATION: Rule = Rule {
    id: "schema-violation",
    title: "the document does not match the published schema",
    severity: Severity::Error,
    layer: Layer::Schema,
    schema_keywords: &[],
    endpoints: &[Endpoint::Container, Endpoint::Task, Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Nothing,
    doc_quote: None,
    agent_basis: Some("The agent marshals fixed Go structs (ecs-agent/tmds/handlers/v2/response.go, docker types.StatsJSON): every required key is present with its Go type, statuses come from closed String() vocabularies, timestamps are RFC 3339, and omitempty keys are left out rather than null."),
    follows: Follows::Agent,
    explanation: "A required key is missing, a value has the wrong JSON type, a status is outside the agent's vocabulary, a timestamp is not RFC 3339, or an optional key is null. Reported with the JSON Pointer of the offending value. The typed decoder and the published schema agree on every document (a property test proves it), so the finding is the same whether the checker or a Python/JavaScript validator looks.",
    check: schema_violation,
};

/// Schema violations are found while decoding, before the engine runs (see `check`).
fn schema_violation(_: &Context<'_>, _: &mut Sink<'_>) {}

/// Keys that the v3 models do not describe.
pub static UNDOCUMENTED_FIELD: Rule = Rule {
    id: "undocumented-field",
    title: "a key that the v3 response does not define",
    severity: Severity::Info,
    layer: Layer::Engine,
    schema_keywords: &[],
    endpoints: &[Endpoint::Container, Endpoint::Task, Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Nothing,
    doc_quote: None,
    agent_basis: Some("AWS adds fields over time (v4 adds LaunchType, ContainerARN, LogDriver, ...). The schemas allow unknown keys so that new agents do not break consumers; the checker lists them so that nothing goes unnoticed."),
    follows: Follows::Agent,
    explanation: "Lists every key the v3 models do not describe, with where it is known from (a v4 field, the documentation's spelling, a misplaced block). Information only: never a failure.",
    check: undocumented_field,
};

/// Keys of v4 responses (ground-truth.md §2.7-2.10), which a v4 recording may carry.
const V4_FIELDS: &[&str] = &[
    "LaunchType",
    "Errors",
    "VPCID",
    "ServiceName",
    "Group",
    "ClockDrift",
    "EphemeralStorageMetrics",
    "FaultInjectionEnabled",
    "AvailabilityZoneID",
    "LogDriver",
    "LogOptions",
    "ContainerARN",
    "Snapshotter",
    "RestartCount",
    "HostIp",
    "AttachmentIndex",
    "MACAddress",
    "IPv4SubnetCIDRBlock",
    "IPv6SubnetCIDRBlock",
    "DomainNameServers",
    "DomainNameSearchList",
    "PrivateDNSName",
    "SubnetGatewayIpv4Address",
    "SubnetGatewayIpv6Address",
    "network_rate_stats",
];

fn undocumented_field(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let mut seen = Vec::new();
    if let Some(c) = ctx.container {
        container_extras(c, "", &mut seen);
        for (p, k, _) in seen.drain(..) {
            report(ctx, out, Endpoint::Container, &p, &k);
        }
    }
    if let Some(t) = ctx.task {
        task_extras(t, &mut seen);
        for (p, k, _) in seen.drain(..) {
            report(ctx, out, Endpoint::Task, &p, &k);
        }
    }
    if let Some(s) = ctx.stats {
        stats_extras(s, "", &mut seen);
        for (p, k, _) in seen.drain(..) {
            report(ctx, out, Endpoint::Stats, &p, &k);
        }
    }
    if let Some(ts) = ctx.task_stats {
        for (key, entry) in &ts.0 {
            if let Some(s) = entry.stats() {
                stats_extras(s, &format!("/{}", escape(key)), &mut seen);
            }
        }
        for (p, k, _) in seen.drain(..) {
            report(ctx, out, Endpoint::TaskStats, &p, &k);
        }
    }
}

fn report(ctx: &Context<'_>, out: &mut Sink<'_>, endpoint: Endpoint, pointer: &str, key: &str) {
    let in_container = pointer.contains("/Containers/")
        || (endpoint == Endpoint::Container && pointer.matches('/').count() == 1);
    let why = match key {
        "ReferenceTime" => "the documentation's name for ReferenceTimestamp; agents send ReferenceTimestamp".to_owned(),
        "ClockDrift" if in_container => "ClockDrift belongs to the task, not to a container (a documentation example misplaces it)".to_owned(),
        k if V4_FIELDS.contains(&k) => {
            if ctx_version_is_v4(ctx) {
                return;
            }
            "a v4 field; v3 agents do not send it".to_owned()
        }
        _ => "not defined for v3".to_owned(),
    };
    out.report(endpoint, pointer, format!("`{key}` is {why}"));
}

fn ctx_version_is_v4(ctx: &Context<'_>) -> bool {
    ctx.version == ApiVersion::V4
}

type Seen = Vec<(String, String, ())>;

fn extras(extra: &Extra, prefix: &str, seen: &mut Seen) {
    for key in extra.keys() {
        seen.push((format!("{prefix}/{}", escape(key)), key.clone(), ()));
    }
}

fn container_extras(c: &Container, p: &str, seen: &mut Seen) {
    extras(&c.extra, p, seen);
    extras(&c.limits.extra, &format!("{p}/Limits"), seen);
    for (i, port) in c.ports.iter().flatten().enumerate() {
        extras(&port.extra, &format!("{p}/Ports/{i}"), seen);
    }
    for (i, n) in c.networks.iter().flatten().enumerate() {
        extras(&n.extra, &format!("{p}/Networks/{i}"), seen);
    }
    if let Some(h) = &c.health {
        extras(&h.extra, &format!("{p}/Health"), seen);
    }
    for (i, v) in c.volumes.iter().flatten().enumerate() {
        extras(&v.extra, &format!("{p}/Volumes/{i}"), seen);
    }
}

fn task_extras(t: &Task, seen: &mut Seen) {
    extras(&t.extra, "", seen);
    if let Some(l) = &t.limits {
        extras(&l.extra, "/Limits", seen);
    }
    if let Some(cd) = &t.clock_drift {
        extras(&cd.extra, "/ClockDrift", seen);
    }
    for (i, c) in t.containers.iter().flatten().enumerate() {
        container_extras(c, &format!("/Containers/{i}"), seen);
    }
}

fn stats_extras(s: &Stats, p: &str, seen: &mut Seen) {
    extras(&s.extra, p, seen);
    extras(&s.pids_stats.extra, &format!("{p}/pids_stats"), seen);
    extras(&s.blkio_stats.extra, &format!("{p}/blkio_stats"), seen);
    extras(&s.storage_stats.extra, &format!("{p}/storage_stats"), seen);
    for (name, cpu) in [
        ("cpu_stats", &s.cpu_stats),
        ("precpu_stats", &s.precpu_stats),
    ] {
        extras(&cpu.extra, &format!("{p}/{name}"), seen);
        extras(&cpu.cpu_usage.extra, &format!("{p}/{name}/cpu_usage"), seen);
        extras(
            &cpu.throttling_data.extra,
            &format!("{p}/{name}/throttling_data"),
            seen,
        );
    }
    extras(&s.memory_stats.extra, &format!("{p}/memory_stats"), seen);
    for (name, n) in s.networks.iter().flatten() {
        extras(&n.extra, &format!("{p}/networks/{}", escape(name)), seen);
    }
}
