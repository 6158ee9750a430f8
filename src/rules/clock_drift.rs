//! ClockDrift: complete when present, and only where it is served.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::profile::{LaunchType, Os};
use crate::Endpoint;

/// ClockDrift without its members.
pub static CLOCK_DRIFT_INCOMPLETE: Rule = Rule {
    id: "clock-drift-incomplete",
    title: "ClockDrift lacks ReferenceTimestamp or ClockSynchronizationStatus",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("ClockDrift - The information about the difference between the reference time and the system time. This applies to the Linux operating system."),
    agent_basis: Some("Every recorded Fargate ClockDrift has ClockErrorBound, ReferenceTimestamp and ClockSynchronizationStatus; all three are omitempty in the shared Go type, so only a zero error bound may be left out."),
    follows: Follows::Documentation,
    explanation: "A ClockDrift block without the reference time or the synchronisation status tells a client nothing it can act on.",
    check: clock_drift_incomplete,
};

fn clock_drift_incomplete(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(cd) = ctx.task.and_then(|t| t.clock_drift.as_ref()) else {
        return;
    };
    if cd.reference_timestamp.is_none() {
        out.report(
            Endpoint::Task,
            "/ClockDrift",
            "ClockDrift has no ReferenceTimestamp",
        );
    }
    if cd.clock_synchronization_status.is_none() {
        out.report(
            Endpoint::Task,
            "/ClockDrift",
            "ClockDrift has no ClockSynchronizationStatus",
        );
    }
}

/// ClockDrift where it is not served.
pub static CLOCK_DRIFT_UNEXPECTED: Rule = Rule {
    id: "clock-drift-unexpected",
    title: "ClockDrift is present on a platform that does not serve it",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: ALL_VERSIONS,
    doc_quote: Some("ClockDrift - The information about the difference between the reference time and the system time. This applies to the Linux operating system."),
    agent_basis: Some("The EC2 agent's v3 TaskResponse has no ClockDrift field, and no code of the agent fills the v4 one: only Fargate sends it (ground-truth.md §2.7, §3)."),
    follows: Follows::Both,
    explanation: "Present on Windows (documented as Linux-only) or on EC2/external instances (whose agent never sends it): the endpoint does not behave like the platform it claims to be.",
    check: clock_drift_unexpected,
};

fn clock_drift_unexpected(ctx: &Context<'_>, out: &mut Sink<'_>) {
    if ctx.task.and_then(|t| t.clock_drift.as_ref()).is_none() {
        return;
    }
    if ctx.profile.os == Some(Os::Windows) {
        out.report(
            Endpoint::Task,
            "/ClockDrift",
            "ClockDrift is documented for Linux only, but the profile is Windows",
        );
    } else if matches!(
        ctx.profile.launch_type,
        Some(LaunchType::Ec2 | LaunchType::External)
    ) {
        out.report(
            Endpoint::Task,
            "/ClockDrift",
            format!(
                "ClockDrift is present, but the {} agent never sends it",
                ctx.profile
            ),
        );
    }
}
