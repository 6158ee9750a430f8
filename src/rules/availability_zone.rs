//! AvailabilityZone: by platform, and agreeing with the task's region.

use super::shapes::parse_task_arn;
use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::profile::{LaunchType, Os, PlatformVersion};
use crate::Endpoint;

const DOC: &str = "AvailabilityZone - The Availability Zone the task is in. Note The Availability Zone metadata is only available for Fargate tasks using platform version 1.4 or later (Linux) or 1.0.0 or later (Windows).";

/// Whether the profile is a Fargate platform that documents AvailabilityZone.
fn fargate_promises_az(ctx: &Context<'_>) -> Option<bool> {
    if ctx.profile.launch_type != Some(LaunchType::Fargate) {
        return None;
    }
    match (ctx.profile.os, ctx.profile.platform_version) {
        (Some(Os::Windows), v) => Some(v.is_none_or(|v| v >= PlatformVersion::WINDOWS_AZ)),
        (_, Some(v)) => Some(v >= PlatformVersion::LINUX_AZ),
        (_, None) => None,
    }
}

/// AZ missing where the documentation promises it.
pub static AVAILABILITY_ZONE_MISSING: Rule = Rule {
    id: "availability-zone-missing",
    title: "AvailabilityZone is missing on a Fargate platform that provides it",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: ALL_VERSIONS,
    doc_quote: Some(DOC),
    agent_basis: None,
    follows: Follows::Documentation,
    explanation: "On Fargate Linux platform 1.4.0 or later and Fargate Windows 1.0.0 or later, the task response carries AvailabilityZone.",
    check: availability_zone_missing,
};

fn availability_zone_missing(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if fargate_promises_az(ctx) == Some(true) && t.availability_zone.is_none() {
        out.report(
            Endpoint::Task,
            "",
            format!(
                "AvailabilityZone is missing; Fargate ({}) provides it",
                ctx.profile
            ),
        );
    }
}

/// AZ missing on EC2.
pub static AVAILABILITY_ZONE_MISSING_ON_EC2: Rule = Rule {
    id: "availability-zone-missing-on-ec2",
    title: "AvailabilityZone is missing on EC2, where agents since 1.23.0 send it",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: ALL_VERSIONS,
    doc_quote: Some(DOC),
    agent_basis: Some("The EC2 agent serves AvailabilityZone on v3 and v4 since 1.23.0, from the instance's ecs.availability-zone attribute; it is omitted only with ECS_DISABLE_TASK_METADATA_AZ=true or when the attribute is missing. The agent's own v3 validator required it on EC2."),
    follows: Follows::Agent,
    explanation: "The documentation promises the zone only on Fargate, but EC2 agents send it; its absence on EC2 means an old agent or the zone was disabled. A warning, because the documented contract does not require it.",
    check: availability_zone_missing_on_ec2,
};

fn availability_zone_missing_on_ec2(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if ctx.profile.launch_type == Some(LaunchType::Ec2) && t.availability_zone.is_none() {
        out.report(Endpoint::Task, "", "AvailabilityZone is missing; EC2 agents since 1.23.0 send it unless ECS_DISABLE_TASK_METADATA_AZ is set");
    }
}

/// AZ where the platform does not provide it.
pub static AVAILABILITY_ZONE_UNEXPECTED: Rule = Rule {
    id: "availability-zone-unexpected",
    title: "AvailabilityZone is present on a platform that does not provide it",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: ALL_VERSIONS,
    doc_quote: Some(DOC),
    agent_basis: Some("Fargate Linux before 1.4.0 did not serve it (containers-roadmap#400); external (ECS Anywhere) instances register without an availability-zone attribute, so the agent has none to serve."),
    follows: Follows::Documentation,
    explanation: "Present on Fargate Linux before 1.4.0 or on ECS Anywhere: the endpoint claims a profile it does not behave like, or the profile given is wrong.",
    check: availability_zone_unexpected,
};

fn availability_zone_unexpected(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if t.availability_zone.is_none() {
        return;
    }
    let unexpected = fargate_promises_az(ctx) == Some(false)
        || ctx.profile.launch_type == Some(LaunchType::External);
    if unexpected {
        out.report(
            Endpoint::Task,
            "/AvailabilityZone",
            format!(
                "AvailabilityZone is present, but {} does not provide it",
                ctx.profile
            ),
        );
    }
}

/// AZ in another region than the task.
pub static AVAILABILITY_ZONE_REGION_MISMATCH: Rule = Rule {
    id: "availability-zone-region-mismatch",
    title: "AvailabilityZone is not in the TaskARN's region",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("AvailabilityZone - The Availability Zone the task is in."),
    agent_basis: Some("A task runs in its cluster's region; zone names start with the region name (us-east-2b, us-west-2-lax-1a)."),
    follows: Follows::Both,
    explanation: "The zone's name starts with the region of the TaskARN.",
    check: availability_zone_region_mismatch,
};

fn availability_zone_region_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    let (Some(az), Some(arn)) = (
        super::omitempty(&t.availability_zone),
        parse_task_arn(&t.task_arn),
    ) else {
        return;
    };
    let in_region = az.strip_prefix(arn.region).is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_lowercase()) || rest.starts_with('-')
    });
    if !in_region {
        out.report(
            Endpoint::Task,
            "/AvailabilityZone",
            format!(
                "AvailabilityZone {az:?} is not in the task's region {:?}",
                arn.region
            ),
        );
    }
}
