//! Structure: what the schema says about one document, and keys it does not describe.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::check::ApiVersion;
use crate::model::{Container, Task};
use crate::{schema, Endpoint};

/// Every violation of the published schema that no more specific rule explains.
pub static SCHEMA_VIOLATION: Rule = Rule {
    id: "schema-violation",
    title: "the document does not match the published schema",
    severity: Severity::Error,
    layer: Layer::Schema,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task, Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("The agent marshals fixed Go structs (ecs-agent/tmds/handlers/v2/response.go, docker types.StatsJSON): every required key is present with its Go type, statuses come from closed String() vocabularies, timestamps are RFC 3339, and omitempty keys are left out rather than null."),
    follows: Follows::Agent,
    explanation: "A required key is missing, a value has the wrong JSON type, a status is outside the agent's vocabulary, a timestamp is not RFC 3339, or an optional key is null. Reported with the JSON Pointer of the offending value. The typed decoder and the published schema agree on every document (a property test proves it), so the finding is the same whether the checker or a Python/JavaScript validator looks.",
    check: schema_violation,
};

/// Schema violations are found while decoding, before the engine runs (see `check`).
fn schema_violation(_: &Context<'_>, _: &mut Sink<'_>) {}

/// Keys that the schema of the document's version does not describe.
pub static UNDOCUMENTED_FIELD: Rule = Rule {
    id: "undocumented-field",
    title: "a key that the response of its version does not define",
    severity: Severity::Info,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task, Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("AWS adds fields over time (v4 adds LaunchType, ContainerARN, LogDriver, ...). The schemas allow unknown keys so that new agents do not break consumers; the checker lists them so that nothing goes unnoticed."),
    follows: Follows::Agent,
    explanation: "Lists every key the schema of the document's version does not describe, with where it is known from (a v4 field in a v3 response, the documentation's spelling, a misplaced block). Information only: never a failure.",
    check: undocumented_field,
};

/// Whether a decoded container holds a key the schema of `version` does not describe: a key
/// its models kept in an `extra` map, or (in v3) a v4 field.
fn container_has_unknown(c: &Container, version: ApiVersion) -> bool {
    let v3 = version == ApiVersion::V3;
    !c.extra.is_empty()
        || !c.limits.extra.is_empty()
        || c.ports
            .iter()
            .flatten()
            .any(|p| !p.extra.is_empty() || (v3 && p.host_ip.is_some()))
        || c.networks.iter().flatten().any(|n| {
            !n.extra.is_empty()
                || (v3
                    && (n.attachment_index.is_some()
                        || n.mac_address.is_some()
                        || n.ipv4_subnet_cidr_block.is_some()
                        || n.ipv6_subnet_cidr_block.is_some()
                        || n.domain_name_servers.is_some()
                        || n.domain_name_search_list.is_some()
                        || n.private_dns_name.is_some()
                        || n.subnet_gateway_ipv4_address.is_some()
                        || n.subnet_gateway_ipv6_address.is_some()))
        })
        || c.health.as_ref().is_some_and(|h| !h.extra.is_empty())
        || c.volumes.iter().flatten().any(|v| !v.extra.is_empty())
        || (v3
            && (c.log_driver.is_some()
                || c.log_options.is_some()
                || c.container_arn.is_some()
                || c.snapshotter.is_some()
                || c.restart_count.is_some()))
}

/// Whether a decoded task holds a key the schema of `version` does not describe.
fn task_has_unknown(t: &Task, version: ApiVersion) -> bool {
    let v3 = version == ApiVersion::V3;
    !t.extra.is_empty()
        || t.limits.as_ref().is_some_and(|l| !l.extra.is_empty())
        || t.clock_drift.as_ref().is_some_and(|c| !c.extra.is_empty())
        || t.errors.iter().flatten().any(|e| !e.extra.is_empty())
        || t.ephemeral_storage_metrics
            .as_ref()
            .is_some_and(|e| !e.extra.is_empty())
        || t.containers
            .iter()
            .flatten()
            .any(|c| container_has_unknown(c, version))
        || (v3
            && (t.launch_type.is_some()
                || t.errors.is_some()
                || t.vpc_id.is_some()
                || t.service_name.is_some()
                || t.group.is_some()
                || t.ephemeral_storage_metrics.is_some()
                || t.fault_injection_enabled.is_some()
                || t.availability_zone_id.is_some()))
}

fn undocumented_field(ctx: &Context<'_>, out: &mut Sink<'_>) {
    // The typed models keep unknown keys (`extra`) in place, so serialising them gives back
    // the document's keys; the published schema says which of them are described. Metadata
    // documents without any such key (the common case, and the costly one: serialising and
    // walking would be most of a check's time) are skipped.
    let version = ctx.version;
    let docs = [
        (
            Endpoint::Container,
            ctx.container
                .filter(|c| container_has_unknown(c, version))
                .map(serde_json::to_value),
        ),
        (
            Endpoint::Task,
            ctx.task
                .filter(|t| task_has_unknown(t, version))
                .map(serde_json::to_value),
        ),
        (Endpoint::Stats, ctx.stats.map(serde_json::to_value)),
        (
            Endpoint::TaskStats,
            ctx.task_stats.map(serde_json::to_value),
        ),
    ];
    for (endpoint, doc) in docs {
        let Some(Ok(doc)) = doc else { continue };
        schema::visit_keys(ctx.version, endpoint, &doc, &mut |k| {
            if k.property.is_none() {
                report(ctx, out, endpoint, k.pointer, k.key, k.owner);
            }
        });
    }
}

fn report(
    ctx: &Context<'_>,
    out: &mut Sink<'_>,
    endpoint: Endpoint,
    pointer: &str,
    key: &str,
    owner: Option<&str>,
) {
    let why = match key {
        "ReferenceTime" => "the documentation's name for ReferenceTimestamp; agents send ReferenceTimestamp".to_owned(),
        "ClockDrift" if owner == Some("Container") => {
            "ClockDrift belongs to the task, not to a container (a documentation example misplaces it)".to_owned()
        }
        k if ctx.version == ApiVersion::V3
            && owner.is_some_and(|o| schema::defines(ApiVersion::V4, o, k)) =>
        {
            "a v4 field; v3 agents do not send it".to_owned()
        }
        _ => format!("not defined for {}", ctx.version.name()),
    };
    out.report(endpoint, pointer, format!("`{key}` is {why}"));
}
