//! The v4 responses: the v3 documents of [`World`] with what v4 adds, in the agent's key order
//! (ground-truth.md §2.7–2.10).
//!
//! v4 is a superset of v3: the agent's v4 structs embed the v2/v3 ones and add fields, so the
//! mock builds the v3 document and extends it, in the key order of the agent's v4 structs
//! (which the shared models, ordered for v3, do not follow). The mock's tests check every v4
//! response against the v4 schema and rules.

use serde_json::{json, Map, Value};

use super::scenario::NetworkMode;
use super::world::{Kind, World};
use crate::model::LaunchTypeValue;
use crate::profile::{LaunchType, Os};

/// Key order of the v4 task (the Go struct order, from the agent's handler test template).
const TASK_ORDER: &[&str] = &[
    "Cluster",
    "TaskARN",
    "Family",
    "Revision",
    "DesiredStatus",
    "KnownStatus",
    "Limits",
    "PullStartedAt",
    "PullStoppedAt",
    "ExecutionStoppedAt",
    "AvailabilityZone",
    "TaskTags",
    "ContainerInstanceTags",
    "LaunchType",
    "Errors",
    "Containers",
    "VPCID",
    "ServiceName",
    "Group",
    "ClockDrift",
    "EphemeralStorageMetrics",
    "FaultInjectionEnabled",
    "AvailabilityZoneID",
];

/// Key order of the v4 container.
const CONTAINER_ORDER: &[&str] = &[
    "DockerId",
    "Name",
    "DockerName",
    "Image",
    "ImageID",
    "Ports",
    "Labels",
    "DesiredStatus",
    "KnownStatus",
    "ExitCode",
    "Limits",
    "CreatedAt",
    "StartedAt",
    "FinishedAt",
    "Type",
    "Health",
    "Volumes",
    "LogDriver",
    "LogOptions",
    "ContainerARN",
    "Networks",
    "Snapshotter",
    "RestartCount",
];

fn ordered(mut m: Map<String, Value>, order: &[&str]) -> Value {
    let mut out = Map::new();
    for k in order {
        if let Some(v) = m.shift_remove(*k) {
            out.insert((*k).to_owned(), v);
        }
    }
    // Anything else keeps its place after the known keys.
    out.extend(m);
    Value::Object(out)
}

fn fargate_linux_14(w: &World) -> bool {
    w.scenario.is_fargate_linux_1_4()
}

fn launch_type(w: &World) -> &'static str {
    match w.scenario.launch_type {
        LaunchType::Ec2 => LaunchTypeValue::Ec2,
        LaunchType::Fargate => LaunchTypeValue::Fargate,
        LaunchType::External => LaunchTypeValue::External,
        LaunchType::ManagedInstances => LaunchTypeValue::ManagedInstances,
    }
    .as_str()
}

fn dns_domain(region: &str) -> String {
    if region == "us-east-1" {
        "ec2.internal".into()
    } else {
        format!("{region}.compute.internal")
    }
}

/// The v4 container response of container `i` at `t`, or its entry in the task.
pub fn container(w: &World, i: usize, t: i128) -> Value {
    let sc = &w.scenario;
    let c = &w.containers[i];
    let base = serde_json::to_value(w.container_at(i, t)).unwrap_or_default();
    let Value::Object(mut m) = base else {
        return base;
    };
    let created = w.is_created(i, t);
    if !created {
        // A pulled-only container (agent >= 1.48.0): no Docker container yet, so no ids,
        // labels, networks or times.
        for k in ["Labels", "Networks", "Ports", "Volumes", "Health"] {
            m.shift_remove(k);
        }
    }
    let log_driver = sc
        .log_driver
        .clone()
        .or_else(|| (sc.launch_type == LaunchType::Fargate).then(|| "awslogs".to_owned()));
    if let (Some(driver), Kind::Normal) = (&log_driver, c.kind) {
        m.insert("LogDriver".into(), json!(driver));
        if driver == "awslogs" {
            m.insert(
                "LogOptions".into(),
                json!({
                    "awslogs-group": format!("/ecs/{}", sc.family),
                    "awslogs-region": sc.region,
                    "awslogs-stream": format!("ecs/{}/{}", c.name, w.task_id),
                }),
            );
        }
    }
    if c.kind == Kind::Normal {
        m.insert(
            "ContainerARN".into(),
            json!(format!(
                "arn:aws:ecs:{}:{}:container/{}/{}/{}",
                sc.region, sc.account, sc.cluster, w.task_id, w.v4.container_uuids[i]
            )),
        );
    }
    if let Some(Value::Array(nets)) = m.get_mut("Networks") {
        for n in nets.iter_mut() {
            if n["NetworkMode"] == "awsvpc" {
                add_eni_properties(w, n);
            }
        }
    }
    if sc.network_mode == NetworkMode::Bridge && sc.launch_type != LaunchType::Fargate {
        if let Some(Value::Array(ports)) = m.get_mut("Ports") {
            for p in ports.iter_mut() {
                p["HostIp"] = json!("0.0.0.0");
            }
        }
    }
    if fargate_linux_14(w) && created {
        m.insert("Snapshotter".into(), json!("overlayfs"));
    }
    ordered(m, CONTAINER_ORDER)
}

fn add_eni_properties(w: &World, n: &mut Value) {
    let sc = &w.scenario;
    let Some((base, len)) = sc.subnet.as_deref().and_then(super::scenario::parse_cidr) else {
        return;
    };
    let ip = |offset: u32| std::net::Ipv4Addr::from(base + offset).to_string();
    let addr = n["IPv4Addresses"][0].as_str().unwrap_or("").to_owned();
    let domain = dns_domain(&sc.region);
    let Some(o) = n.as_object_mut() else { return };
    o.insert("AttachmentIndex".into(), json!(0));
    o.insert("MACAddress".into(), json!(w.v4.mac));
    o.insert(
        "IPv4SubnetCIDRBlock".into(),
        json!(format!("{}/{len}", ip(0))),
    );
    o.insert("DomainNameServers".into(), json!([ip(2)]));
    o.insert("DomainNameSearchList".into(), json!([domain]));
    o.insert(
        "PrivateDNSName".into(),
        json!(format!("ip-{}.{domain}", addr.replace('.', "-"))),
    );
    o.insert(
        "SubnetGatewayIpv4Address".into(),
        json!(format!("{}/{len}", ip(1))),
    );
}

/// The v4 task response at `t`.
pub fn task(w: &World, t: i128, with_tags: bool) -> Value {
    let sc = &w.scenario;
    let base = serde_json::to_value(w.task_at(t, with_tags)).unwrap_or_default();
    let Value::Object(mut m) = base else {
        return base;
    };
    // v4 lists containers whose image is pulled but which are not created yet.
    let pulled = |i: usize| !w.is_created(i, t) && w.pull.is_none_or(|(_, stop)| stop <= t);
    let containers: Vec<Value> = (0..w.containers.len())
        .filter(|i| w.is_created(*i, t) || pulled(*i))
        .map(|i| container(w, i, t))
        .collect();
    if containers.is_empty() {
        m.shift_remove("Containers");
    } else {
        m.insert("Containers".into(), Value::Array(containers));
    }
    m.insert("LaunchType".into(), json!(launch_type(w)));
    let ec2 = sc.launch_type == LaunchType::Ec2;
    // Documented for EC2 only, but Fargate sends it too (recorded Fargate responses do).
    if ec2 || sc.launch_type == LaunchType::Fargate {
        m.insert("VPCID".into(), json!(w.v4.vpc_id));
    }
    if let Some(s) = &sc.service_name {
        m.insert("ServiceName".into(), json!(s));
    }
    if fargate_linux_14(w) {
        let utilized = 180 + (t.max(0) / 60_000_000_000) as i64;
        m.insert(
            "EphemeralStorageMetrics".into(),
            json!({"Utilized": utilized.min(20_000), "Reserved": 20_496}),
        );
    }
    m.insert("FaultInjectionEnabled".into(), json!(false));
    if ec2 && sc.availability_zone.is_some() {
        m.insert("AvailabilityZoneID".into(), json!(w.v4.az_id));
    }
    ordered(m, TASK_ORDER)
}

/// The v4 stats of container `i` at `t`: the Docker stats plus `network_rate_stats` once two
/// samples with network counters exist.
pub fn stats(w: &World, i: usize, t: i128) -> Option<Value> {
    let now = w.stats_at(i, t)?;
    let mut v = serde_json::to_value(&now).ok()?;
    let previous = w.stats_at(i, t - w.sample_interval);
    // Documented for Linux tasks only; Windows samples never carry it.
    let linux = w.scenario.os == Os::Linux;
    if let (Some(prev), Some(nets), true) = (previous, &now.networks, linux) {
        let secs = (now.read.unix_nanos() - prev.read.unix_nanos()) as f64 / 1e9;
        let sum = |s: &crate::model::Stats, rx: bool| -> u64 {
            s.networks
                .iter()
                .flatten()
                .map(|(_, n)| if rx { n.rx_bytes } else { n.tx_bytes })
                .sum()
        };
        if secs > 0.0 && !nets.is_empty() {
            let rx = sum(&now, true).saturating_sub(sum(&prev, true)) as f64 / secs;
            let tx = sum(&now, false).saturating_sub(sum(&prev, false)) as f64 / secs;
            v["network_rate_stats"] = json!({"rx_bytes_per_sec": rx, "tx_bytes_per_sec": tx});
        }
    }
    Some(v)
}

/// The v4 task stats at `t`: `{}` for a container without a sample on EC2 and external
/// instances (the agent's empty StatsResponse), `null` on Fargate.
pub fn task_stats(w: &World, t: i128) -> Value {
    let empty = if w.scenario.launch_type == LaunchType::Fargate {
        Value::Null
    } else {
        json!({})
    };
    let mut m = Map::new();
    for i in 0..w.containers.len() {
        if !w.is_created(i, t) {
            continue;
        }
        let v = stats(w, i, t).unwrap_or_else(|| empty.clone());
        m.insert(w.containers[i].docker_id.clone(), v);
    }
    Value::Object(m)
}
