//! Shapes of identifiers as the agent makes them: DockerId, DockerName, ImageID, ARNs.

use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, ALL_VERSIONS};
use crate::model::{ContainerType, Task};
use crate::profile::{LaunchType, PlatformVersion};
use crate::Endpoint;

const META: &[Endpoint] = &[Endpoint::Container, Endpoint::Task];

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| is_hex(p, *n))
}

/// Whether `id` is a Docker-engine container ID (EC2, external, Fargate before 1.4.0).
pub fn is_docker_engine_id(id: &str) -> bool {
    is_hex(id, 64)
}

/// Whether `id` has the Fargate 1.4.0+ shape `<task id>-<digits>` (task id 32 hex, or a UUID
/// on tasks started in 2020).
pub fn is_fargate_id(id: &str) -> bool {
    match id.rsplit_once('-') {
        Some((task, n)) => is_digits(n) && n.len() <= 10 && (is_hex(task, 32) || is_uuid(task)),
        None => false,
    }
}

/// DockerId of a shape the agent does not make.
pub static DOCKER_ID_SHAPE: Rule = Rule {
    id: "docker-id-shape",
    title: "DockerId does not have the shape the platform gives it",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task, Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("DockerId - The Docker ID for the container."),
    agent_basis: Some("EC2 and external instances (and Fargate before platform 1.4.0) run Docker: 64 lower-case hex digits. Fargate 1.4.0+ and Managed Instances use containerd IDs '<32 hex task id>-<digits>' (docs: 'a 32-digit hex followed by a 10 digit number'; a 2021 recording has 9 digits). Empty only before Docker created the container (ground-truth.md §3)."),
    follows: Follows::Agent,
    explanation: "Applies to DockerId in metadata and to `id` in stats. Without a profile either shape is accepted; with `--launch-type` the platform's shape is required. An empty DockerId is accepted only on a container Docker has not created: not created yet, or STOPPED without CreatedAt (a pull or create failure).",
    check: docker_id_shape,
};

fn docker_id_shape(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let lt = ctx.profile.launch_type;
    let pv = ctx.profile.platform_version;
    for (e, p, c) in ctx.containers() {
        let id = c.docker_id.as_str();
        if id.is_empty() {
            if c.has_docker_container() {
                out.report(
                    e,
                    format!("{p}/DockerId"),
                    format!(
                        "container {:?} is {} but its DockerId is empty",
                        c.name,
                        c.known_status.as_str()
                    ),
                );
            }
            continue;
        }
        let (ok, expected) = match (lt, pv) {
            (Some(LaunchType::Ec2 | LaunchType::External), _) => {
                (is_docker_engine_id(id), "64 hex digits")
            }
            (Some(LaunchType::Fargate), Some(v))
                if v < PlatformVersion::LINUX_AZ
                    && ctx.profile.os != Some(crate::profile::Os::Windows) =>
            {
                (
                    is_docker_engine_id(id),
                    "64 hex digits (Fargate before 1.4.0 runs Docker)",
                )
            }
            (Some(LaunchType::Fargate), Some(_)) | (Some(LaunchType::ManagedInstances), _) => {
                (is_fargate_id(id), "<32 hex task id>-<digits>")
            }
            _ => (
                is_docker_engine_id(id) || is_fargate_id(id),
                "64 hex digits or <32 hex task id>-<digits>",
            ),
        };
        if !ok {
            out.report(
                e,
                format!("{p}/DockerId"),
                format!(
                    "DockerId {id:?} of container {:?} is not {expected}",
                    c.name
                ),
            );
        }
    }
    for (e, p, s) in ctx.stats_samples() {
        let Some(id) = super::omitempty(&s.id) else {
            continue;
        };
        let ok = match lt {
            Some(LaunchType::Ec2 | LaunchType::External) => is_docker_engine_id(id),
            _ => is_docker_engine_id(id) || is_fargate_id(id),
        };
        if !ok {
            out.report(e, format!("{p}/id"), format!("stats id {id:?} is not a Docker container ID (64 hex digits) or a Fargate ID (<32 hex>-<digits>)"));
        }
    }
}

/// The name the EC2 agent gives Docker: `ecs-<family>-<revision>-<name>-<20 hex>`, where the
/// container name keeps only `[A-Za-z0-9-]`.
pub fn ec2_docker_name_matches(
    docker_name: &str,
    family: Option<&str>,
    revision: Option<&str>,
    name: &str,
) -> bool {
    let Some(rest) = docker_name.strip_prefix("ecs-") else {
        return false;
    };
    let Some((body, suffix)) = rest.rsplit_once('-') else {
        return false;
    };
    if !is_hex(suffix, 20) {
        return false;
    }
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    match (family, revision) {
        (Some(f), Some(r)) => body == format!("{f}-{r}-{clean}"),
        _ => body.ends_with(&format!("-{clean}")),
    }
}

/// DockerName of a shape the agent does not make.
pub static DOCKER_NAME_SHAPE: Rule = Rule {
    id: "docker-name-shape",
    title: "DockerName does not have the shape the platform gives it",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("DockerName - The name of the container supplied to Docker. The Amazon ECS container agent generates a unique name for the container to avoid name collisions when multiple copies of the same task definition are run on a single instance."),
    agent_basis: Some("EC2 agent: 'ecs-' + family + '-' + revision + '-' + the container name with [^A-Za-z0-9-] removed + '-' + 20 random hex digits (agent/engine/docker_task_engine.go, agent/utils RandHex). Fargate 1.4.0+ and Managed Instances: the container name itself."),
    follows: Follows::Agent,
    explanation: "Without a profile either shape is accepted; with `--launch-type` the platform's. Family and revision are taken from the task when it is available. Empty only on a container Docker has not created (see `docker-id-shape`).",
    check: docker_name_shape,
};

fn docker_name_shape(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let family = ctx.task.map(|t| t.family.as_str());
    let revision = ctx.task.map(|t| t.revision.as_str());
    let lt = ctx.profile.launch_type;
    let old_fargate = lt == Some(LaunchType::Fargate)
        && ctx
            .profile
            .platform_version
            .is_some_and(|v| v < PlatformVersion::LINUX_AZ)
        && ctx.profile.os != Some(crate::profile::Os::Windows);
    for (e, p, c) in ctx.containers() {
        let dn = c.docker_name.as_str();
        if dn.is_empty() {
            if c.has_docker_container() {
                out.report(
                    e,
                    format!("{p}/DockerName"),
                    format!(
                        "container {:?} is {} but its DockerName is empty",
                        c.name,
                        c.known_status.as_str()
                    ),
                );
            }
            continue;
        }
        let ec2 = ec2_docker_name_matches(dn, family, revision, &c.name);
        let same = dn == c.name;
        let (ok, expected) = match lt {
            Some(LaunchType::Ec2 | LaunchType::External) => {
                (ec2, "ecs-<family>-<revision>-<name>-<20 hex>")
            }
            Some(LaunchType::Fargate) if old_fargate => {
                (ec2, "ecs-<family>-<revision>-<name>-<20 hex>")
            }
            Some(LaunchType::Fargate | LaunchType::ManagedInstances)
                if ctx.profile.platform_version.is_some()
                    || lt == Some(LaunchType::ManagedInstances) =>
            {
                (same, "the container name")
            }
            _ => (
                ec2 || same,
                "the container name or ecs-<family>-<revision>-<name>-<20 hex>",
            ),
        };
        if !ok {
            out.report(
                e,
                format!("{p}/DockerName"),
                format!(
                    "DockerName {dn:?} of container {:?} is not {expected}",
                    c.name
                ),
            );
        }
    }
}

/// ImageID of a shape the agent does not make.
pub static IMAGE_ID_SHAPE: Rule = Rule {
    id: "image-id-shape",
    title: "ImageID is neither sha256:<64 hex> nor empty where empty is allowed",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: META,
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("ImageID - The SHA-256 digest for the image."),
    agent_basis: Some("ImageID comes from docker image inspect ('sha256:' + 64 hex). The agent's own containers (the ~internal~ecs~pause container) report an empty ImageID, as do containers whose image is not pulled yet."),
    follows: Follows::Agent,
    explanation: "`sha256:` followed by 64 lower-case hex digits; `\"\"` only for agent-internal containers (Type other than NORMAL) and containers Docker has not created (yet, or ever). The documentation calls it a digest, but it is the image ID.",
    check: image_id_shape,
};

fn image_id_shape(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        let id = c.image_id.as_str();
        if id.is_empty() {
            if c.container_type == ContainerType::Normal && c.has_docker_container() {
                out.report(
                    e,
                    format!("{p}/ImageID"),
                    format!(
                        "container {:?} is {} but its ImageID is empty",
                        c.name,
                        c.known_status.as_str()
                    ),
                );
            }
            continue;
        }
        if !id.strip_prefix("sha256:").is_some_and(|h| is_hex(h, 64)) {
            out.report(
                e,
                format!("{p}/ImageID"),
                format!(
                    "ImageID {id:?} of container {:?} is not sha256:<64 hex>",
                    c.name
                ),
            );
        }
    }
}

/// The parts of a task ARN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskArn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'a str,
    /// Region, e.g. `us-east-2`.
    pub region: &'a str,
    /// 12-digit account id.
    pub account: &'a str,
    /// Cluster name (new-format ARNs only).
    pub cluster: Option<&'a str>,
    /// Task id: 32 hex digits, or a UUID in old-format ARNs.
    pub id: &'a str,
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && is_digits(parts[parts.len() - 1])
}

fn is_cluster_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Splits `arn:<partition>:ecs:<region>:<account>:<resource>` with the given resource type.
fn split_ecs_arn<'a>(
    arn: &'a str,
    resource_type: &str,
) -> Option<(&'a str, &'a str, &'a str, &'a str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("ecs"), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let ok = partition.starts_with("aws")
        && is_region(region)
        && account.len() == 12
        && is_digits(account);
    let rest = resource.strip_prefix(resource_type)?.strip_prefix('/')?;
    ok.then_some((partition, region, account, rest))
}

/// Parses a task ARN in the old (`task/<uuid>`) or new (`task/<cluster>/<32 hex>`) format.
pub fn parse_task_arn(arn: &str) -> Option<TaskArn<'_>> {
    let (partition, region, account, rest) = split_ecs_arn(arn, "task")?;
    let (cluster, id) = match rest.split_once('/') {
        Some((c, id)) if is_cluster_name(c) && (is_hex(id, 32) || is_uuid(id)) => (Some(c), id),
        None if is_uuid(rest) || is_hex(rest, 32) => (None, rest),
        _ => return None,
    };
    Some(TaskArn {
        partition,
        region,
        account,
        cluster,
        id,
    })
}

/// The parts of a container ARN (v4 `ContainerARN`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerArn<'a> {
    /// Region.
    pub region: &'a str,
    /// 12-digit account id.
    pub account: &'a str,
    /// Cluster name and task id (new-format ARNs only).
    pub task: Option<(&'a str, &'a str)>,
}

/// Parses a container ARN: `arn:<partition>:ecs:<region>:<account>:container/<uuid>` or
/// `.../container/<cluster>/<task id>/<uuid>`.
pub fn parse_container_arn(arn: &str) -> Option<ContainerArn<'_>> {
    let (_, region, account, rest) = split_ecs_arn(arn, "container")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let task = match parts.as_slice() {
        [uuid] if is_uuid(uuid) => None,
        [cluster, task, uuid]
            if is_cluster_name(cluster) && (is_hex(task, 32) || is_uuid(task)) && is_uuid(uuid) =>
        {
            Some((*cluster, *task))
        }
        _ => return None,
    };
    Some(ContainerArn {
        region,
        account,
        task,
    })
}

/// Parses a cluster ARN into (partition, region, account, name).
pub fn parse_cluster_arn(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let (p, r, a, name) = split_ecs_arn(arn, "cluster")?;
    is_cluster_name(name).then_some((p, r, a, name))
}

/// TaskARN or Cluster that is not a well-formed ECS ARN / name.
pub static ARN_SHAPE: Rule = Rule {
    id: "arn-shape",
    title: "TaskARN or Cluster is not a well-formed ECS ARN or cluster name",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("TaskARN - The full Amazon Resource Name (ARN) of the task to which the container belongs. Cluster - The Amazon Resource Name (ARN) or short name of the Amazon ECS cluster to which the task belongs."),
    agent_basis: Some("Both come from the task payload ECS sends the agent: arn:<partition>:ecs:<region>:<12-digit account>:task/<cluster>/<32 hex> (or the older task/<uuid>), and a cluster name or arn:...:cluster/<name>."),
    follows: Follows::Both,
    explanation: "Placeholders left by sanitising a recording (`<account_id>`, `&ExampleAWSAccountNo1;`, a 3-digit account) and ids cut short make the ARN unusable to clients that parse it (OpenTelemetry detectors take the region and account from it).",
    check: arn_shape,
};

fn arn_shape(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if parse_task_arn(&t.task_arn).is_none() {
        out.report(Endpoint::Task, "/TaskARN", format!("TaskARN {:?} is not arn:<partition>:ecs:<region>:<12-digit account>:task/[<cluster>/]<id>", t.task_arn));
    }
    let cluster_ok = if t.cluster.starts_with("arn:") {
        parse_cluster_arn(&t.cluster).is_some()
    } else {
        is_cluster_name(&t.cluster)
    };
    if !cluster_ok {
        out.report(Endpoint::Task, "/Cluster", format!("Cluster {:?} is neither a cluster name nor arn:<partition>:ecs:<region>:<account>:cluster/<name>", t.cluster));
    }
}

/// Cluster and TaskARN that disagree.
pub static CLUSTER_TASK_ARN_MISMATCH: Rule = Rule {
    id: "cluster-task-arn-mismatch",
    title: "Cluster and TaskARN name different clusters, regions or accounts",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::Nothing,
    versions: ALL_VERSIONS,
    doc_quote: Some("Cluster - The Amazon Resource Name (ARN) or short name of the Amazon ECS cluster to which the task belongs."),
    agent_basis: Some("A task belongs to one cluster in its own region and account; new-format task ARNs carry the cluster name."),
    follows: Follows::Both,
    explanation: "When the TaskARN has a cluster segment it is the cluster's name; a cluster ARN has the task's partition, region and account.",
    check: cluster_task_arn_mismatch,
};

fn cluster_name(t: &Task) -> Option<&str> {
    if t.cluster.starts_with("arn:") {
        parse_cluster_arn(&t.cluster).map(|(_, _, _, n)| n)
    } else {
        Some(t.cluster.as_str())
    }
}

fn cluster_task_arn_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    let Some(arn) = parse_task_arn(&t.task_arn) else {
        return;
    };
    if let (Some(in_arn), Some(name)) = (arn.cluster, cluster_name(t)) {
        if in_arn != name {
            out.report(
                Endpoint::Task,
                "/Cluster",
                format!("Cluster {name:?} is not the cluster {in_arn:?} named in the TaskARN"),
            );
        }
    }
    if let Some((p, r, a, _)) = parse_cluster_arn(&t.cluster) {
        if (p, r, a) != (arn.partition, arn.region, arn.account) {
            out.report(
                Endpoint::Task,
                "/Cluster",
                format!(
                    "the cluster ARN is in {p}/{r}/{a} but the TaskARN in {}/{}/{}",
                    arn.partition, arn.region, arn.account
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        let a = parse_task_arn(
            "arn:aws:ecs:us-east-2:012345678910:task/9781c248-0edd-4cdb-9a93-f63cb662a5d3",
        )
        .unwrap();
        assert_eq!((a.region, a.cluster), ("us-east-2", None));
        let b = parse_task_arn(
            "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
        )
        .unwrap();
        assert_eq!(b.cluster, Some("default"));
        assert!(parse_task_arn(
            "arn:aws:ecs:us-west-2:<account_id>:task/default/158d1c8083dd49d6b527399fd6414f5c"
        )
        .is_none());
        assert!(parse_task_arn("default/158d1c8083dd49d6b527399fd6414f5c").is_none());
    }

    #[test]
    fn ids_and_names() {
        assert!(is_fargate_id("476e366a13b3407882d611ede16001aa-800171516"));
        assert!(!is_fargate_id("1234"));
        assert!(ec2_docker_name_matches(
            "ecs-nginx-5-internalecspause-acc699c0cbf2d6d11700",
            Some("nginx"),
            Some("5"),
            "~internal~ecs~pause"
        ));
        assert!(ec2_docker_name_matches(
            "ecs-nginx-5-nginx-curl-ccccb9f49db0dfe0d901",
            Some("nginx"),
            Some("5"),
            "nginx-curl"
        ));
    }
}
