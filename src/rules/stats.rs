//! Stats samples: cumulative counters and sample times.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS, V3_ONLY};
use crate::model::TaskStatsEntry;
use crate::Endpoint;

const STATS: &[Endpoint] = &[Endpoint::Stats, Endpoint::TaskStats];

/// A cumulative counter smaller now than in the previous sample.
pub static STATS_COUNTER_DECREASED: Rule = Rule {
    id: "stats-counter-decreased",
    title: "a cumulative CPU counter in precpu_stats exceeds the one in cpu_stats",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: STATS,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("precpu_stats is the previous sample of the same Docker stats stream; total_usage, the kernel/user times, system_cpu_usage and the throttling counters only grow."),
    follows: Follows::Agent,
    explanation: "Every cumulative counter of `precpu_stats` is at most the same counter in `cpu_stats`. Consumers compute CPU percentages from the differences, which go negative otherwise.",
    check: stats_counter_decreased,
};

fn stats_counter_decreased(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, s) in ctx.stats_samples() {
        let (now, before) = (&s.cpu_stats, &s.precpu_stats);
        let pairs = [
            (
                "cpu_usage/total_usage",
                now.cpu_usage.total_usage,
                before.cpu_usage.total_usage,
            ),
            (
                "cpu_usage/usage_in_kernelmode",
                now.cpu_usage.usage_in_kernelmode,
                before.cpu_usage.usage_in_kernelmode,
            ),
            (
                "cpu_usage/usage_in_usermode",
                now.cpu_usage.usage_in_usermode,
                before.cpu_usage.usage_in_usermode,
            ),
            (
                "throttling_data/periods",
                now.throttling_data.periods,
                before.throttling_data.periods,
            ),
            (
                "throttling_data/throttled_periods",
                now.throttling_data.throttled_periods,
                before.throttling_data.throttled_periods,
            ),
            (
                "throttling_data/throttled_time",
                now.throttling_data.throttled_time,
                before.throttling_data.throttled_time,
            ),
        ];
        for (key, n, b) in pairs {
            if b > n {
                out.report(
                    e,
                    format!("{p}/precpu_stats/{key}"),
                    format!("previous {key} {b} is greater than current {n}"),
                );
            }
        }
        if let (Some(n), Some(b)) = (now.system_cpu_usage, before.system_cpu_usage) {
            if b > n {
                out.report(
                    e,
                    format!("{p}/precpu_stats/system_cpu_usage"),
                    format!("previous system_cpu_usage {b} is greater than current {n}"),
                );
            }
        }
    }
}

/// `read` before `preread`.
pub static STATS_READ_BEFORE_PREREAD: Rule = Rule {
    id: "stats-read-before-preread",
    title: "a stats sample was read before the previous one",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: STATS,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("`preread` is the `read` time of the previous sample of the stream, or the zero time on the first sample."),
    follows: Follows::Agent,
    explanation: "`read` >= `preread` unless `preread` is the zero time `0001-01-01T00:00:00Z`.",
    check: stats_read_before_preread,
};

fn stats_read_before_preread(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, s) in ctx.stats_samples() {
        if !s.preread.is_zero_time() && s.read < s.preread {
            out.report(
                e,
                format!("{p}/read"),
                format!("read {} is before preread {}", s.read, s.preread),
            );
        }
    }
}

/// `{}` for a container without stats on a v3 endpoint.
pub static STATS_EMPTY_OBJECT_ON_V3: Rule = Rule {
    id: "stats-empty-object-on-v3",
    title: "a v3 task stats entry is {} where v3 agents send null",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::TaskStats],
    needs: Needs::Nothing,
    versions: V3_ONLY,
    doc_quote: None,
    agent_basis: Some("The v3 handler maps a container without stats to null (agent/handlers/v2/stats_response.go, test TestV2TaskStats expects {cid: null}); {} is the v4 handler's empty StatsResponse."),
    follows: Follows::Agent,
    explanation: "The schema accepts both `null` and `{}` because v3 models must read v4 recordings; on a v3 endpoint `{}` means it behaves like v4.",
    check: stats_empty_object_on_v3,
};

fn stats_empty_object_on_v3(ctx: &Context<'_>, out: &mut Sink<'_>) {
    if let Some(ts) = ctx.task_stats {
        for (key, entry) in &ts.0 {
            if matches!(entry, TaskStatsEntry::Empty) {
                out.report(
                    Endpoint::TaskStats,
                    format!("/{}", super::escape(key)),
                    "{} sent for a container without stats; v3 agents send null",
                );
            }
        }
    }
}

/// Memory usage above the memory limit.
pub static MEMORY_USAGE_ABOVE_LIMIT: Rule = Rule {
    id: "memory-usage-above-limit",
    title: "memory_stats.usage is greater than memory_stats.limit",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: STATS,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: None,
    agent_basis: Some("Both values are read from the same cgroup: the kernel keeps a cgroup's charged memory at or below its limit (memory.max / memory.limit_in_bytes), reclaiming or OOM-killing instead."),
    follows: Follows::Agent,
    explanation: "`usage` <= `limit` in one sample. A limit below usage is an edited recording or a unit mix-up, and makes memory-percentage dashboards report more than 100%.",
    check: memory_usage_above_limit,
};

fn memory_usage_above_limit(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, s) in ctx.stats_samples() {
        if let (Some(usage), Some(limit)) = (s.memory_stats.usage, s.memory_stats.limit) {
            if usage > limit {
                out.report(
                    e,
                    format!("{p}/memory_stats/limit"),
                    format!("limit {limit} is below usage {usage}"),
                );
            }
        }
    }
}
