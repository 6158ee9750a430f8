//! Structure: what the schema says about one document, and keys it does not describe.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::check::ApiVersion;
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

fn undocumented_field(ctx: &Context<'_>, out: &mut Sink<'_>) {
    // The typed models keep unknown keys (`extra`) in place, so serialising them gives back
    // the document's keys; the published schema says which of them are described.
    let docs = [
        (Endpoint::Container, ctx.container.map(serde_json::to_value)),
        (Endpoint::Task, ctx.task.map(serde_json::to_value)),
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
