//! HTTP behaviour of a live endpoint: status, content type and body of the metadata answers,
//! and (with `--probe-errors`) the agent's answers to requests it cannot serve.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::check::{ApiVersion, Exchange, Probe};
use crate::Endpoint;

const ALL: &[Endpoint] = &[
    Endpoint::Container,
    Endpoint::Task,
    Endpoint::Stats,
    Endpoint::TaskStats,
];

fn answers<'a>(ctx: &Context<'a>) -> impl Iterator<Item = &'a Exchange> {
    ctx.http.iter().filter(|x| x.probe.is_none())
}

fn probes<'a>(ctx: &Context<'a>, probe: Probe) -> impl Iterator<Item = &'a Exchange> {
    ctx.http.iter().filter(move |x| x.probe == Some(probe))
}

/// A metadata request that did not answer 200.
pub static HTTP_STATUS_NOT_OK: Rule = Rule {
    id: "http-status-not-ok",
    title: "a metadata path did not answer 200 OK",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Http,
    versions: ALL_VERSIONS,
    doc_quote: Some("The following API endpoints are available to containers: ${ECS_CONTAINER_METADATA_URI} ... ${ECS_CONTAINER_METADATA_URI}/task ... ${ECS_CONTAINER_METADATA_URI}/stats ... ${ECS_CONTAINER_METADATA_URI}/task/stats"),
    agent_basis: Some("The agent answers 200 with the JSON document once the container's endpoint id is mapped (it is mapped when the container has a Docker ID); 500 for an unknown id on the metadata paths, 400 on the stats paths, 429 above its rate limit (ground-truth.md §1.3, §1.4)."),
    follows: Follows::Both,
    explanation: "Each of the four paths answers 200 for the endpoint id a container was given. Anything else (an unknown id, stats not ready after the harness's retries, rate limiting after its back-off) is reported with the status, the body and the time the request took.",
    check: http_status_not_ok,
};

fn http_status_not_ok(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for x in answers(ctx).filter(|x| x.status != 200) {
        let retries = if x.attempts > 1 {
            format!(" after {} attempts", x.attempts)
        } else {
            String::new()
        };
        out.report(
            x.endpoint,
            "",
            format!("{}{retries}: {}", x.summary(), x.body_excerpt()),
        );
    }
}

/// A metadata answer that is not labelled as JSON.
pub static HTTP_CONTENT_TYPE: Rule = Rule {
    id: "http-content-type",
    title: "a metadata answer is not labelled Content-Type: application/json",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Http,
    versions: ALL_VERSIONS,
    doc_quote: Some("${ECS_CONTAINER_METADATA_URI} - This path returns metadata JSON for the container."),
    agent_basis: Some("Every metadata and stats answer, errors included, is written with Content-Type: application/json (ecs-agent/tmds/handlers/utils/helpers.go WriteJSONToResponse)."),
    follows: Follows::Both,
    explanation: "The media type of a 200 answer is `application/json` (parameters such as `charset` are tolerated). Clients that dispatch on the content type (browsers, HTTP libraries with automatic decoding) mis-handle anything else.",
    check: http_content_type,
};

fn http_content_type(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for x in answers(ctx).filter(|x| x.status == 200) {
        if x.media_type().as_deref() != Some("application/json") {
            out.report(
                x.endpoint,
                "",
                format!(
                    "{} with Content-Type {}; the agent sends application/json",
                    x.summary(),
                    x.content_type
                        .as_deref()
                        .map_or("(none)".into(), |c| format!("{c:?}"))
                ),
            );
        }
    }
}

/// A 200 answer whose body is not JSON.
pub static HTTP_BODY_NOT_JSON: Rule = Rule {
    id: "http-body-not-json",
    title: "a 200 answer's body is not JSON",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Http,
    versions: ALL_VERSIONS,
    doc_quote: Some("${ECS_CONTAINER_METADATA_URI}/stats - This path returns Docker stats JSON for the specific Docker container."),
    agent_basis: Some("The agent writes the json.Marshal output of its response structs (ecs-agent/tmds/handlers/utils/helpers.go)."),
    follows: Follows::Both,
    explanation: "The body of a 200 answer parses as one JSON value: not truncated, not HTML, not JSON with trailing garbage. The finding gives the position where parsing failed.",
    check: http_body_not_json,
};

fn http_body_not_json(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for x in answers(ctx).filter(|x| x.status == 200) {
        if let Some(e) = &x.body_error {
            out.report(
                x.endpoint,
                "",
                format!(
                    "{}: the body ({} bytes) is not JSON: {e}",
                    x.summary(),
                    x.body_len
                ),
            );
        }
    }
}

/// What the agent answers to a probe of `endpoint`.
fn expected(probe: Probe, endpoint: Endpoint, version: ApiVersion) -> (u16, &'static str) {
    match (probe, endpoint) {
        (Probe::UnknownId, _) if version == ApiVersion::V4 => (404, "application/json"),
        (Probe::UnknownId, Endpoint::Container | Endpoint::Task) => (500, "application/json"),
        (Probe::UnknownId, Endpoint::Stats | Endpoint::TaskStats) => (400, "application/json"),
        (Probe::TrailingSlash | Probe::UnmatchedPath, _) => (404, "text/plain"),
    }
}

fn check_probe(ctx: &Context<'_>, out: &mut Sink<'_>, probe: Probe) {
    for x in probes(ctx, probe) {
        let (status, media) = expected(probe, x.endpoint, ctx.version);
        let mut wrong = Vec::new();
        if x.status != status {
            wrong.push(format!("status {} instead of {status}", x.status));
        }
        if x.media_type().as_deref() != Some(media) {
            wrong.push(format!(
                "Content-Type {} instead of {media}",
                x.content_type.as_deref().unwrap_or("(none)")
            ));
        }
        let body_ok = if media == "application/json" {
            serde_json::from_str::<serde_json::Value>(&x.body).is_ok_and(|v| v.is_string())
        } else {
            x.body == "404 page not found\n"
        };
        if !body_ok {
            wrong.push(if media == "application/json" {
                format!("a body that is not a JSON string ({})", x.body_excerpt())
            } else {
                format!(
                    "a body other than \"404 page not found\" ({})",
                    x.body_excerpt()
                )
            });
        }
        if !wrong.is_empty() {
            out.report(
                x.endpoint,
                "",
                format!("{}: {}", x.summary(), wrong.join(", ")),
            );
        }
    }
}

/// The answer to an unknown endpoint id differs from the agent's.
pub static PROBE_UNKNOWN_ID: Rule = Rule {
    id: "probe-unknown-id",
    title: "an unknown endpoint id is not answered the way the agent answers it",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Probes,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("v3 handlers answer an unknown (or not yet mapped) endpoint id with 500 on the container and task paths and 400 on the stats paths, Content-Type application/json and a JSON string body such as \"V3 container metadata handler: unable to get container ID from request: ...\" (agent/handlers/v3, asserted in task_server_setup_test.go TestTaskHTTPEndpointErrorCode400/500). v4 answers 404 on every path since agent 1.71.0 (TestV4TaskNotFoundError404), also with a JSON string body."),
    follows: Follows::Agent,
    explanation: "Clients retry or give up depending on the status: a client written against the agent treats 500/400 from a v3 path as \"not ready yet\". The documentation says nothing about errors, so deviations are warnings.",
    check: probe_unknown_id,
};

fn probe_unknown_id(ctx: &Context<'_>, out: &mut Sink<'_>) {
    check_probe(ctx, out, Probe::UnknownId);
}

/// A trailing slash is not answered with the agent's 404.
pub static PROBE_TRAILING_SLASH: Rule = Rule {
    id: "probe-trailing-slash",
    title: "a path with a trailing slash is not answered with the agent's 404",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: ALL,
    needs: Needs::Probes,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("gorilla/mux does not tolerate trailing slashes: /v3/{id}/, /v3/{id}/task/ and /v3/{id}/task/stats/ get its default 404, text/plain; charset=utf-8, body \"404 page not found\\n\" (TestTaskHTTPEndpointErrorCode404)."),
    follows: Follows::Agent,
    explanation: "An emulator that serves `/task/` like `/task` hides a client bug that the real endpoint exposes.",
    check: probe_trailing_slash,
};

fn probe_trailing_slash(ctx: &Context<'_>, out: &mut Sink<'_>) {
    check_probe(ctx, out, Probe::TrailingSlash);
}

/// An unmatched path is not answered with the agent's 404.
pub static PROBE_UNMATCHED_PATH: Rule = Rule {
    id: "probe-unmatched-path",
    title: "a path the agent does not route is not answered with its 404",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container],
    needs: Needs::Probes,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("Unmatched paths get gorilla/mux's default 404, text/plain; charset=utf-8, body \"404 page not found\\n\" (no NotFoundHandler is set; ground-truth.md §1.3)."),
    follows: Follows::Agent,
    explanation: "A path under the endpoint id that no route matches (the harness asks for `<id>/no-such-path`) answers 404 with gorilla/mux's body.",
    check: probe_unmatched_path,
};

fn probe_unmatched_path(ctx: &Context<'_>, out: &mut Sink<'_>) {
    check_probe(ctx, out, Probe::UnmatchedPath);
}
