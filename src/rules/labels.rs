//! The five `com.amazonaws.ecs.*` labels the agent sets on every container.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::Endpoint;

/// Agent labels that disagree with the task or container.
pub static ECS_LABEL_MISMATCH: Rule = Rule {
    id: "ecs-label-mismatch",
    title: "a com.amazonaws.ecs.* label disagrees with the task or container",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("Labels - Any labels applied to the container. This parameter is omitted if there are no labels applied."),
    agent_basis: Some("The agent adds com.amazonaws.ecs.{cluster,container-name,task-arn,task-definition-family,task-definition-version} from the task it creates the container for (agent/engine/docker_task_engine.go)."),
    follows: Follows::Agent,
    explanation: "`com.amazonaws.ecs.cluster` equals Cluster, `task-arn` equals TaskARN, `task-definition-family` equals Family, `task-definition-version` equals Revision, and `container-name` equals the container's Name. Task values are compared only when the task response is available.",
    check: ecs_label_mismatch,
};

fn ecs_label_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        let Some(labels) = &c.labels else { continue };
        let mut expect = vec![("com.amazonaws.ecs.container-name", c.name.as_str(), "Name")];
        if let Some(t) = ctx.task {
            expect.push(("com.amazonaws.ecs.cluster", t.cluster.as_str(), "Cluster"));
            expect.push(("com.amazonaws.ecs.task-arn", t.task_arn.as_str(), "TaskARN"));
            expect.push((
                "com.amazonaws.ecs.task-definition-family",
                t.family.as_str(),
                "Family",
            ));
            expect.push((
                "com.amazonaws.ecs.task-definition-version",
                t.revision.as_str(),
                "Revision",
            ));
        }
        for (key, want, field) in expect {
            if let Some(got) = labels.get(key) {
                if got != want {
                    out.report(
                        e,
                        format!("{p}/Labels/{}", super::escape(key)),
                        format!("label {key} is {got:?} but {field} is {want:?}"),
                    );
                }
            }
        }
    }
}
