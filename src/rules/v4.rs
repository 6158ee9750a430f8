//! Promises only version 4 makes: LaunchType, VPCID, EphemeralStorageMetrics,
//! `network_rate_stats`, ContainerARN, the network interface properties.

use super::shapes::{parse_container_arn, parse_task_arn};
use super::{Context, Follows, Layer, Needs, Rule, Severity, Sink, V4_ONLY};
use crate::model::{LaunchTypeValue, Network};
use crate::profile::{LaunchType, Os, PlatformVersion};
use crate::Endpoint;

/// LaunchType that contradicts the profile.
pub static LAUNCH_TYPE_MISMATCH: Rule = Rule {
    id: "launch-type-mismatch",
    title: "the task's LaunchType is not the launch type the endpoint runs on",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: V4_ONLY,
    doc_quote: Some("LaunchType - The launch type the current task is using. For more information, see Amazon ECS capacity providers."),
    agent_basis: Some("The agent copies the launch type of the task payload (EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES) into the v4 TaskResponse (agent 1.45.0 and later)."),
    follows: Follows::Both,
    explanation: "With a profile, `LaunchType` names the same launch type (`EC2` for ec2, `FARGATE` for fargate, `EXTERNAL` for external, `MANAGED_INSTANCES` for managed-instances).",
    check: launch_type_mismatch,
};

fn launch_type_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let (Some(t), Some(lt)) = (ctx.task, ctx.profile.launch_type) else {
        return;
    };
    let Some(sent) = t.launch_type else { return };
    let want = match lt {
        LaunchType::Ec2 => LaunchTypeValue::Ec2,
        LaunchType::Fargate => LaunchTypeValue::Fargate,
        LaunchType::External => LaunchTypeValue::External,
        LaunchType::ManagedInstances => LaunchTypeValue::ManagedInstances,
    };
    if sent != want {
        out.report(
            Endpoint::Task,
            "/LaunchType",
            format!(
                "LaunchType is {} but the profile says {}",
                sent.as_str(),
                lt.name()
            ),
        );
    }
}

/// VPCID where the documentation says it does not appear.
pub static VPC_ID_UNEXPECTED: Rule = Rule {
    id: "vpc-id-unexpected",
    title: "VPCID is sent by a task that does not run on an EC2 instance",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: V4_ONLY,
    doc_quote: Some("VPCID - The VPC ID of the Amazon EC2 container instance. This field only appears for Amazon EC2 instances."),
    agent_basis: Some("The EC2 agent reads it from the instance metadata. Fargate responses recorded in the wild (and the AWS Fargate response example) carry VPCID too, so real Fargate contradicts the documentation here."),
    follows: Follows::Documentation,
    explanation: "Reported on Fargate and external instances, as a warning: the documentation promises VPCID only for EC2 container instances, but Fargate is known to send it. Clients that use VPCID to tell EC2 from Fargate are wrong.",
    check: vpc_id_unexpected,
};

fn vpc_id_unexpected(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if t.vpc_id.is_some()
        && matches!(
            ctx.profile.launch_type,
            Some(LaunchType::Fargate | LaunchType::External)
        )
    {
        out.report(
            Endpoint::Task,
            "/VPCID",
            format!(
                "VPCID is sent on {}; the documentation promises it only for EC2 instances",
                ctx.profile
            ),
        );
    }
}

/// EphemeralStorageMetrics outside Fargate Linux 1.4.0+.
pub static EPHEMERAL_STORAGE_UNEXPECTED: Rule = Rule {
    id: "ephemeral-storage-unexpected",
    title: "EphemeralStorageMetrics is sent on a platform that does not have it",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Task],
    needs: Needs::LaunchType,
    versions: V4_ONLY,
    doc_quote: Some("EphemeralStorageMetrics - The reserved size and current usage of the ephemeral storage of this task. Fargate uses ephemeral storage to store data about each task, such as container images. This field is only available on Fargate Linux platform version 1.4.0 or later."),
    agent_basis: Some("The EC2 agent's v4 TaskResponse has the field but nothing fills it (ground-truth.md §2.7): only Fargate sends it."),
    follows: Follows::Both,
    explanation: "Present on EC2, external or Managed Instances, on Fargate Windows, or on Fargate Linux before 1.4.0.",
    check: ephemeral_storage_unexpected,
};

fn ephemeral_storage_unexpected(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(t) = ctx.task else { return };
    if t.ephemeral_storage_metrics.is_none() {
        return;
    }
    let p = ctx.profile;
    let fargate_linux_14 = p.launch_type == Some(LaunchType::Fargate)
        && p.os != Some(Os::Windows)
        && p.platform_version
            .is_none_or(|v| v >= PlatformVersion::LINUX_AZ);
    if !fargate_linux_14 {
        out.report(
            Endpoint::Task,
            "/EphemeralStorageMetrics",
            format!(
                "EphemeralStorageMetrics is sent on {p}; only Fargate Linux 1.4.0 and later has it"
            ),
        );
    }
}

/// network_rate_stats where the documentation does not promise it.
pub static NETWORK_RATE_STATS_UNEXPECTED: Rule = Rule {
    id: "network-rate-stats-unexpected",
    title: "network_rate_stats is sent where the documentation does not promise it",
    severity: Severity::Warning,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Stats, Endpoint::TaskStats],
    needs: Needs::LaunchType,
    versions: V4_ONLY,
    doc_quote: Some("network_rate_stats - ... is only available for tasks using awsvpc or bridge network mode on Amazon EC2 Linux instances (agent version 1.43.0 or later). For all other tasks, the response will only include the cumulative network stats."),
    agent_basis: Some("The EC2 agent computes it from two samples of the task or container network counters (ground-truth.md §2.10, §4). Fargate responses recorded in the wild carry it too."),
    follows: Follows::Documentation,
    explanation: "Reported as a warning on Fargate, external instances and Windows, and on a sample without `networks` (host mode): clients must not rely on it there.",
    check: network_rate_stats_unexpected,
};

fn network_rate_stats_unexpected(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let p = ctx.profile;
    let documented_platform = p.launch_type == Some(LaunchType::Ec2) && p.os != Some(Os::Windows);
    for (e, ptr, s) in ctx.stats_samples() {
        if s.network_rate_stats.is_none() {
            continue;
        }
        if !documented_platform {
            out.report(
                e,
                format!("{ptr}/network_rate_stats"),
                format!("network_rate_stats is sent on {p}; it is documented for EC2 Linux only"),
            );
        } else if s.networks.is_none() {
            out.report(
                e,
                format!("{ptr}/network_rate_stats"),
                "network_rate_stats is sent for a sample without network counters (host mode)",
            );
        }
    }
}

/// ContainerARN that does not belong to the task.
pub static CONTAINER_ARN_MISMATCH: Rule = Rule {
    id: "container-arn-mismatch",
    title: "ContainerARN is malformed or names another region, account, cluster or task",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task],
    needs: Needs::Nothing,
    versions: V4_ONLY,
    doc_quote: Some("ContainerARN - The full Amazon Resource Name (ARN) of the container."),
    agent_basis: Some("The agent copies the container ARN of the task payload: arn:<partition>:ecs:<region>:<account>:container/<cluster>/<task id>/<uuid> (older: container/<uuid>), of the same task as TaskARN."),
    follows: Follows::Both,
    explanation: "ContainerARN parses as an ECS container ARN, and its region and account (and, in the long format, cluster and task id) are the TaskARN's. Needs the task response for the comparison.",
    check: container_arn_mismatch,
};

fn container_arn_mismatch(ctx: &Context<'_>, out: &mut Sink<'_>) {
    let task_arn = ctx.task.and_then(|t| parse_task_arn(&t.task_arn));
    for (e, p, c) in ctx.containers() {
        let Some(arn) = super::omitempty(&c.container_arn) else {
            continue;
        };
        let ptr = format!("{p}/ContainerARN");
        let Some(parsed) = parse_container_arn(arn) else {
            out.report(
                e,
                ptr,
                format!("ContainerARN {arn:?} of container {:?} is not arn:<partition>:ecs:<region>:<account>:container/[<cluster>/<task id>/]<uuid>", c.name),
            );
            continue;
        };
        let Some(t) = &task_arn else { continue };
        let mut wrong = Vec::new();
        if parsed.region != t.region {
            wrong.push(format!("region {} (TaskARN: {})", parsed.region, t.region));
        }
        if parsed.account != t.account {
            wrong.push(format!(
                "account {} (TaskARN: {})",
                parsed.account, t.account
            ));
        }
        if let Some((cluster, task)) = parsed.task {
            if t.cluster.is_some_and(|tc| tc != cluster) {
                wrong.push(format!("cluster {cluster}"));
            }
            if task != t.id {
                wrong.push(format!("task {task} (TaskARN: {})", t.id));
            }
        }
        if !wrong.is_empty() {
            out.report(
                e,
                ptr,
                format!(
                    "ContainerARN of container {:?} names {}",
                    c.name,
                    wrong.join(", ")
                ),
            );
        }
    }
}

/// Network interface properties of the wrong shape.
pub static NETWORK_INTERFACE_SHAPE: Rule = Rule {
    id: "network-interface-shape",
    title: "a v4 network interface property does not have the agent's shape",
    severity: Severity::Error,
    layer: Layer::Engine,
    schema_keywords: &[],
    schema_transform: None,
    endpoints: &[Endpoint::Container, Endpoint::Task],
    needs: Needs::Nothing,
    versions: V4_ONLY,
    doc_quote: Some("SubnetGatewayIpv4Address - The IPv4 address of the subnet gateway of the ENI. This field is only present for awsvpc network mode."),
    agent_basis: Some("The agent formats the ENI's MAC address (six hex pairs), subnet CIDR blocks, and the subnet gateway as address/prefix (`10.0.2.1/24`), and adds these properties only when NetworkMode is awsvpc (agent/handlers/v4/response.go newNetworkInterfaceProperties)."),
    follows: Follows::Agent,
    explanation: "MACAddress is six colon-separated hex pairs; IPv4SubnetCIDRBlock an IPv4 CIDR; SubnetGatewayIpv4Address an IPv4 address with the subnet's prefix length; and these properties appear only on awsvpc networks.",
    check: network_interface_shape,
};

fn is_mac(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    parts.len() == 6
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_ipv4_with_prefix(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    addr.parse::<std::net::Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok_and(|l| l <= 32)
}

fn interface_keys(n: &Network) -> Vec<&'static str> {
    let mut keys = Vec::new();
    let present = [
        ("AttachmentIndex", n.attachment_index.is_some()),
        ("MACAddress", n.mac_address.is_some()),
        ("IPv4SubnetCIDRBlock", n.ipv4_subnet_cidr_block.is_some()),
        ("IPv6SubnetCIDRBlock", n.ipv6_subnet_cidr_block.is_some()),
        ("DomainNameServers", n.domain_name_servers.is_some()),
        ("DomainNameSearchList", n.domain_name_search_list.is_some()),
        ("PrivateDNSName", n.private_dns_name.is_some()),
        (
            "SubnetGatewayIpv4Address",
            n.subnet_gateway_ipv4_address.is_some(),
        ),
        (
            "SubnetGatewayIpv6Address",
            n.subnet_gateway_ipv6_address.is_some(),
        ),
    ];
    for (k, p) in present {
        if p {
            keys.push(k);
        }
    }
    keys
}

fn network_interface_shape(ctx: &Context<'_>, out: &mut Sink<'_>) {
    for (e, p, c) in ctx.containers() {
        for (i, n) in c.networks.iter().flatten().enumerate() {
            let at = |k: &str| format!("{p}/Networks/{i}/{k}");
            let mode = n.network_mode.as_deref().unwrap_or("");
            if mode != "awsvpc" {
                for k in interface_keys(n) {
                    out.report(
                        e,
                        at(k),
                        format!("{k} is sent on a {mode:?} network; the agent adds interface properties only in awsvpc mode"),
                    );
                }
                continue;
            }
            if let Some(mac) = super::omitempty(&n.mac_address) {
                if !is_mac(mac) {
                    out.report(
                        e,
                        at("MACAddress"),
                        format!("MACAddress {mac:?} is not six colon-separated hex pairs"),
                    );
                }
            }
            if let Some(cidr) = super::omitempty(&n.ipv4_subnet_cidr_block) {
                if !is_ipv4_with_prefix(cidr) {
                    out.report(
                        e,
                        at("IPv4SubnetCIDRBlock"),
                        format!("IPv4SubnetCIDRBlock {cidr:?} is not an IPv4 CIDR block"),
                    );
                }
            }
            if let Some(gw) = super::omitempty(&n.subnet_gateway_ipv4_address) {
                if !is_ipv4_with_prefix(gw) {
                    out.report(e, at("SubnetGatewayIpv4Address"), format!("SubnetGatewayIpv4Address {gw:?} is not an IPv4 address with the subnet's prefix length (the agent writes 10.0.2.1/24)"));
                }
            }
        }
    }
}
