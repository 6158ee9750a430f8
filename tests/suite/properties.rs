//! Property tests: generated responses are valid and round-trip; typed decoding and the
//! published schema agree on mutated documents.

use std::collections::BTreeMap;
use std::num::{NonZeroU16, NonZeroU64};

use ecs_tmde::check::ApiVersion;
use ecs_tmde::model::*;
use ecs_tmde::{schema, Endpoint};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::recorded::typed_accepts;
use crate::support::same_json;

/// Timestamps between 2017 and 2030 with 0 to 9 fractional digits, as Go writes them.
fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        1_483_228_800i64..1_893_456_000,
        0u32..1_000_000_000,
        0usize..4,
    )
        .prop_map(|(s, n, mode)| {
            // Mode picks whole seconds, milliseconds or full nanoseconds, the precisions seen.
            let nanos = match mode {
                0 => 0,
                1 => n / 1_000_000 * 1_000_000,
                _ => n,
            };
            Timestamp::from_unix_nanos(i128::from(s) * 1_000_000_000 + i128::from(nanos))
        })
}

fn hex(len: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..16, len)
        .prop_map(|v| v.iter().map(|d| format!("{d:x}")).collect())
}

fn container_status() -> impl Strategy<Value = ContainerStatus> {
    prop_oneof![
        Just(ContainerStatus::None),
        Just(ContainerStatus::Pulled),
        Just(ContainerStatus::Created),
        Just(ContainerStatus::Running),
        Just(ContainerStatus::ResourcesProvisioned),
        Just(ContainerStatus::Stopped),
    ]
}

fn labels() -> impl Strategy<Value = Option<BTreeMap<String, String>>> {
    proptest::option::of(proptest::collection::btree_map(
        "[a-z.]{1,12}",
        "[ -~]{0,12}",
        1..4,
    ))
}

fn network_base() -> impl Strategy<Value = Network> {
    (
        prop_oneof![Just("awsvpc"), Just("bridge"), Just("host")],
        proptest::collection::vec("10\\.0\\.[0-9]{1,2}\\.[0-9]{1,3}", 1..3),
    )
        .prop_map(|(mode, ips)| Network {
            network_mode: Some(mode.to_owned()),
            ipv4_addresses: Some(ips),
            ..Network::default()
        })
}

fn port() -> impl Strategy<Value = Port> {
    (
        1u16..=65535,
        proptest::option::of(1u16..=65535),
        any::<bool>(),
    )
        .prop_map(|(c, h, udp)| Port {
            container_port: NonZeroU16::new(c),
            protocol: Some(if udp { Protocol::Udp } else { Protocol::Tcp }),
            host_port: h.and_then(NonZeroU16::new),
            ..Port::default()
        })
}

/// A container whose timestamps and ExitCode are consistent with its KnownStatus.
fn container_base() -> impl Strategy<Value = Container> {
    (
        (
            hex(64),
            "[a-z][a-z0-9-]{0,15}",
            container_status(),
            container_status(),
            any::<bool>(),
        ),
        (
            timestamp(),
            0i64..5_000_000_000,
            0i64..5_000_000_000,
            proptest::option::of(-1i64..256),
        ),
        (
            labels(),
            proptest::option::of(proptest::collection::vec(port(), 1..3)),
        ),
        (
            proptest::option::of(proptest::collection::vec(network(), 1..2)),
            proptest::option::of(0u32..4096),
            proptest::option::of(0u64..65536),
        ),
    )
        .prop_map(
            |(
                (id, name, desired, known, pause),
                (created, d1, d2, code),
                (labels, ports),
                (networks, cpu, memory),
            )| {
                let created_ok = known.is_created();
                let started = created_ok && known != ContainerStatus::Created;
                let stopped = known == ContainerStatus::Stopped;
                let at = |base: &Timestamp, d: i64| {
                    Timestamp::from_unix_nanos(base.unix_nanos() + i128::from(d) * 1000)
                };
                let started_at = at(&created, d1);
                Container {
                    docker_id: if created_ok {
                        id.clone()
                    } else {
                        String::new()
                    },
                    docker_name: format!("ecs-fam-1-{name}-{}", &id[..20]),
                    name,
                    image: "public.ecr.aws/nginx/nginx:latest".into(),
                    image_id: if pause {
                        String::new()
                    } else {
                        format!("sha256:{id}")
                    },
                    ports,
                    labels,
                    desired_status: desired,
                    known_status: known,
                    exit_code: if stopped { code } else { None },
                    limits: ContainerLimits {
                        cpu: cpu.map(|c| Float(f64::from(c))),
                        memory,
                        extra: Extra::new(),
                    },
                    created_at: created_ok.then(|| created.clone()),
                    started_at: started.then(|| started_at.clone()),
                    finished_at: (started && stopped).then(|| at(&started_at, d2)),
                    container_type: if pause {
                        ContainerType::CniPause
                    } else {
                        ContainerType::Normal
                    },
                    networks,
                    health: None,
                    volumes: None,
                    log_driver: None,
                    log_options: None,
                    container_arn: None,
                    snapshotter: None,
                    restart_count: None,
                    extra: Extra::new(),
                }
            },
        )
}

fn task_base() -> impl Strategy<Value = Task> {
    (
        proptest::collection::vec(container(), 1..5),
        hex(32),
        1u32..300,
        proptest::option::of((
            proptest::option::of(prop_oneof![Just(0.25), Just(0.5), Just(1.0), Just(4.0)]),
            proptest::option::of(512u64..30720),
        )),
        proptest::option::of((timestamp(), 0i64..60_000_000)),
        any::<bool>(),
        proptest::option::of(prop_oneof![
            Just(ClockSynchronizationStatus::Synchronized),
            Just(ClockSynchronizationStatus::NotSynchronized)
        ]),
    )
        .prop_map(|(containers, id, rev, limits, pull, az, sync)| Task {
            cluster: "default".into(),
            task_arn: format!("arn:aws:ecs:us-west-2:111122223333:task/default/{id}"),
            family: "fam".into(),
            revision: rev.to_string(),
            desired_status: TaskStatus::Running,
            known_status: TaskStatus::Running,
            containers: Some(containers),
            limits: limits
                .filter(|(c, m)| c.is_some() || m.is_some())
                .map(|(c, m)| TaskLimits {
                    cpu: c.map(Float),
                    memory: m,
                    extra: Extra::new(),
                }),
            pull_started_at: pull.as_ref().map(|(t, _)| t.clone()),
            pull_stopped_at: pull
                .map(|(t, d)| Timestamp::from_unix_nanos(t.unix_nanos() + i128::from(d) * 1000)),
            execution_stopped_at: None,
            availability_zone: az.then(|| "us-west-2a".to_owned()),
            task_tags: None,
            container_instance_tags: None,
            clock_drift: sync.map(|s| ClockDrift {
                clock_error_bound: Some(Float(0.5)),
                reference_timestamp: Some(Timestamp::parse("2021-09-07T16:57:44Z").unwrap()),
                clock_synchronization_status: Some(s),
                extra: Extra::new(),
            }),
            launch_type: None,
            errors: None,
            vpc_id: None,
            service_name: None,
            group: None,
            ephemeral_storage_metrics: None,
            fault_injection_enabled: None,
            availability_zone_id: None,
            extra: Extra::new(),
        })
}

fn cpu_stats() -> impl Strategy<Value = CpuStats> {
    (
        any::<u32>(),
        any::<u32>(),
        proptest::option::of(proptest::collection::vec(any::<u32>(), 1..4)),
        proptest::option::of(1u64..u64::MAX),
        proptest::option::of(1u32..64),
    )
        .prop_map(|(k, u, per, sys, cpus)| CpuStats {
            cpu_usage: CpuUsage {
                total_usage: u64::from(k) + u64::from(u),
                percpu_usage: per.map(|v| v.into_iter().map(u64::from).collect()),
                usage_in_kernelmode: u64::from(k),
                usage_in_usermode: u64::from(u),
                extra: Extra::new(),
            },
            system_cpu_usage: sys.and_then(NonZeroU64::new),
            online_cpus: cpus.and_then(std::num::NonZeroU32::new),
            throttling_data: ThrottlingData::default(),
            extra: Extra::new(),
        })
}

fn stats_base() -> impl Strategy<Value = Stats> {
    (
        timestamp(),
        cpu_stats(),
        proptest::option::of(1u64..=u64::MAX),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(read, cpu, limit, null_blkio, nets)| Stats {
            preread: Timestamp::from_unix_nanos(read.unix_nanos() - 1_000_000_000),
            read,
            pids_stats: PidsStats::default(),
            blkio_stats: BlkioStats {
                io_service_bytes_recursive: if null_blkio {
                    None
                } else {
                    Some(vec![BlkioEntry {
                        major: 259,
                        minor: 0,
                        op: "read".into(),
                        value: 4096,
                        extra: Extra::new(),
                    }])
                },
                ..BlkioStats::default()
            },
            num_procs: 0,
            storage_stats: StorageStats::default(),
            precpu_stats: CpuStats::default(),
            cpu_stats: cpu,
            memory_stats: MemoryStats {
                usage: NonZeroU64::new(1 << 20),
                limit: limit.and_then(NonZeroU64::new),
                ..MemoryStats::default()
            },
            name: Some("app".into()),
            id: None,
            networks: nets.then(|| {
                BTreeMap::from([(
                    "eth0".to_owned(),
                    NetworkStats {
                        rx_bytes: 10,
                        ..NetworkStats::default()
                    },
                )])
            }),
            network_rate_stats: None,
            extra: Extra::new(),
        })
}

fn nonzero(max: u64) -> impl Strategy<Value = Option<NonZeroU64>> {
    proptest::option::of(1..=max).prop_map(|v| v.and_then(NonZeroU64::new))
}

fn short_string() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-z0-9/_-]{1,16}")
}

/// Networks, sometimes with IPv6 addresses (awsvpc with a dual-stack subnet).
fn network() -> impl Strategy<Value = Network> {
    (
        network_base(),
        proptest::option::of(proptest::collection::vec("2600:1f14::[0-9a-f]{1,4}", 1..3)),
    )
        .prop_map(|(n, v6)| Network {
            ipv6_addresses: v6,
            ..n
        })
}

/// Health as the agent sends it: `{}` before the first result, then a status, and an exit
/// code that is never 0 (Go `int` with omitempty; Fargate sends -1).
fn health() -> impl Strategy<Value = Option<Health>> {
    proptest::option::of((
        proptest::option::of(prop_oneof![
            Just(HealthStatusValue::Healthy),
            Just(HealthStatusValue::Unhealthy)
        ]),
        proptest::option::of(timestamp()),
        proptest::option::of(prop_oneof![Just(-1i64), 1i64..256]),
        short_string(),
    ))
    .prop_map(|h| {
        h.map(|(status, status_since, code, output)| Health {
            status,
            status_since,
            exit_code: code.and_then(std::num::NonZeroI64::new),
            output,
            extra: Extra::new(),
        })
    })
}

fn volumes() -> impl Strategy<Value = Option<Vec<Volume>>> {
    proptest::option::of(proptest::collection::vec(
        (short_string(), short_string(), short_string()).prop_map(
            |(docker_name, source, destination)| Volume {
                docker_name,
                source,
                destination,
                extra: Extra::new(),
            },
        ),
        1..3,
    ))
}

/// The v4 additions of a network (awsvpc interface properties), each present or not.
fn network_v4(n: Network) -> impl Strategy<Value = Network> {
    (
        proptest::option::of(0u32..4),
        short_string(),
        short_string(),
        short_string(),
        proptest::option::of(proptest::collection::vec("10\\.0\\.0\\.[0-9]", 1..3)),
        proptest::option::of(proptest::collection::vec("[a-z.-]{1,20}", 1..3)),
        short_string(),
        (short_string(), short_string()),
    )
        .prop_map(
            move |(index, mac, v4, v6, dns, search, name, (gw4, gw6))| Network {
                attachment_index: index,
                mac_address: mac,
                ipv4_subnet_cidr_block: v4,
                ipv6_subnet_cidr_block: v6,
                domain_name_servers: dns,
                domain_name_search_list: search,
                private_dns_name: name,
                subnet_gateway_ipv4_address: gw4,
                subnet_gateway_ipv6_address: gw6,
                ..n.clone()
            },
        )
}

/// The v4 additions of a container, each present or not.
fn container_v4(c: Container) -> impl Strategy<Value = Container> {
    let networks = c.networks.clone();
    let ports = c.ports.clone();
    (
        short_string(),
        proptest::option::of(proptest::collection::btree_map(
            "[a-z-]{1,12}",
            "[ -~]{0,12}",
            1..3,
        )),
        short_string(),
        short_string(),
        proptest::option::of(0u32..10),
        match networks {
            Some(ns) => ns
                .into_iter()
                .map(network_v4)
                .collect::<Vec<_>>()
                .prop_map(Some)
                .boxed(),
            None => Just(None).boxed(),
        },
        proptest::option::of(prop_oneof![Just("0.0.0.0"), Just("::")]),
    )
        .prop_map(
            move |(driver, options, arn, snapshotter, restarts, networks, host_ip)| Container {
                log_driver: driver,
                log_options: options,
                container_arn: arn,
                snapshotter,
                restart_count: restarts,
                networks,
                ports: ports.clone().map(|ps| {
                    ps.into_iter()
                        .map(|p| Port {
                            host_ip: host_ip.map(str::to_owned),
                            ..p
                        })
                        .collect()
                }),
                ..c.clone()
            },
        )
}

fn container() -> impl Strategy<Value = Container> {
    (container_base(), health(), volumes(), any::<bool>()).prop_flat_map(
        |(c, health, volumes, v4)| {
            let c = Container {
                health,
                volumes,
                ..c
            };
            if v4 {
                container_v4(c).boxed()
            } else {
                Just(c).boxed()
            }
        },
    )
}

fn tags() -> impl Strategy<Value = Option<BTreeMap<String, String>>> {
    proptest::option::of(proptest::collection::btree_map(
        "[a-z:]{1,12}",
        "[ -~]{0,12}",
        1..3,
    ))
}

fn task() -> impl Strategy<Value = Task> {
    (
        task_base(),
        tags(),
        tags(),
        proptest::option::of(timestamp()),
    )
        .prop_map(|(t, task_tags, instance_tags, stopped)| Task {
            task_tags,
            container_instance_tags: instance_tags,
            execution_stopped_at: stopped,
            ..t
        })
        .prop_flat_map(|t| {
            (
                proptest::option::of(prop_oneof![
                    Just(LaunchTypeValue::Ec2),
                    Just(LaunchTypeValue::Fargate),
                    Just(LaunchTypeValue::External),
                    Just(LaunchTypeValue::ManagedInstances),
                ]),
                proptest::option::of(proptest::collection::vec(
                    (
                        short_string(),
                        short_string(),
                        proptest::option::of(400u16..600),
                    )
                        .prop_map(|(field, code, status)| ErrorResponse {
                            error_field: field,
                            error_code: code,
                            status_code: status,
                            ..ErrorResponse::default()
                        }),
                    1..3,
                )),
                (
                    short_string(),
                    short_string(),
                    short_string(),
                    short_string(),
                ),
                proptest::option::of((0i64..20_000, 0i64..200_000)),
                proptest::option::of(any::<bool>()),
            )
                .prop_map(
                    move |(lt, errors, (vpc, service, group, az_id), eph, fault)| Task {
                        launch_type: lt,
                        errors,
                        vpc_id: vpc,
                        service_name: service,
                        group,
                        ephemeral_storage_metrics: eph.map(|(u, r)| EphemeralStorageMetrics {
                            utilized: u,
                            reserved: r,
                            extra: Extra::new(),
                        }),
                        fault_injection_enabled: fault,
                        availability_zone_id: az_id,
                        ..t.clone()
                    },
                )
        })
}

/// Stats with the optional Linux cgroup v1 and Windows members.
fn stats() -> impl Strategy<Value = Stats> {
    (
        stats_base(),
        (nonzero(4096), nonzero(4096)),
        (
            nonzero(1 << 40),
            nonzero(1 << 40),
            nonzero(1 << 20),
            nonzero(1 << 40),
        ),
        (
            nonzero(1 << 40),
            nonzero(1 << 40),
            nonzero(1 << 40),
            nonzero(1 << 20),
        ),
        (
            proptest::option::of(proptest::collection::btree_map(
                "[a-z_]{1,12}",
                any::<u64>(),
                1..4,
            )),
            short_string(),
            short_string(),
        ),
        proptest::option::of(hex(64)),
    )
        .prop_map(
            |(
                s,
                (current, limit),
                (rcount, rsize, wcount, wsize),
                (max_usage, commit, peak, failcnt),
                (raw, endpoint_id, instance_id),
                id,
            )| {
                let mut s = s;
                s.pids_stats = PidsStats {
                    current,
                    limit,
                    extra: Extra::new(),
                };
                s.storage_stats = StorageStats {
                    read_count_normalized: rcount,
                    read_size_bytes: rsize,
                    write_count_normalized: wcount,
                    write_size_bytes: wsize,
                    extra: Extra::new(),
                };
                s.memory_stats.max_usage = max_usage;
                s.memory_stats.commitbytes = commit;
                s.memory_stats.commitpeakbytes = peak;
                s.memory_stats.privateworkingset = max_usage;
                s.memory_stats.failcnt = failcnt;
                s.memory_stats.stats = raw;
                for n in s.networks.iter_mut().flat_map(|m| m.values_mut()) {
                    n.endpoint_id = endpoint_id.clone();
                    n.instance_id = instance_id.clone();
                }
                s.id = id;
                s
            },
        )
        .prop_flat_map(|s| {
            proptest::option::of((0u32..1_000_000, 0u32..1_000_000)).prop_map(move |rate| Stats {
                network_rate_stats: rate.map(|(rx, tx)| NetworkRateStats {
                    rx_bytes_per_sec: Float(f64::from(rx) / 4.0),
                    tx_bytes_per_sec: Float(f64::from(tx) / 4.0),
                    extra: Extra::new(),
                }),
                ..s.clone()
            })
        })
}

fn task_stats() -> impl Strategy<Value = TaskStats> {
    proptest::collection::btree_map(
        hex(64),
        prop_oneof![
            stats().prop_map(|s| TaskStatsEntry::Stats(Box::new(s))),
            Just(TaskStatsEntry::Null),
            Just(TaskStatsEntry::Empty)
        ],
        1..4,
    )
    .prop_map(TaskStats)
}

fn check_valid(endpoint: Endpoint, value: &Value) -> Result<(), TestCaseError> {
    for version in ApiVersion::ALL {
        let v = schema::validator(version, endpoint);
        let errors: Vec<String> = v
            .iter_errors(value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        prop_assert!(
            errors.is_empty(),
            "generated {endpoint} does not validate against {}: {errors:?}\n{value:#}",
            version.name()
        );
    }
    let bytes = serde_json::to_vec(value).unwrap();
    let decoded = typed_accepts(endpoint, &bytes);
    prop_assert!(
        decoded.is_some(),
        "generated {endpoint} is not accepted by the typed decoder"
    );
    Ok(())
}

fn round_trips<T: serde::Serialize + serde::de::DeserializeOwned>(
    m: &T,
) -> Result<Value, TestCaseError> {
    let value = serde_json::to_value(m).unwrap();
    let back: T =
        serde_json::from_value(value.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(same_json(&value, &serde_json::to_value(&back).unwrap()));
    Ok(value)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn generated_containers_validate_and_round_trip(c in container()) {
        let v = round_trips(&c)?;
        check_valid(Endpoint::Container, &v)?;
    }

    #[test]
    fn generated_tasks_validate_and_round_trip(t in task()) {
        let v = round_trips(&t)?;
        check_valid(Endpoint::Task, &v)?;
    }

    #[test]
    fn generated_stats_validate_and_round_trip(s in stats()) {
        let v = round_trips(&s)?;
        check_valid(Endpoint::Stats, &v)?;
    }

    #[test]
    fn generated_task_stats_validate_and_round_trip(s in task_stats()) {
        let v = serde_json::to_value(&s).unwrap();
        check_valid(Endpoint::TaskStats, &v)?;
    }
}

/// Every location in a document, as a path of keys and indices.
fn locations(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                here.push(json!(k));
                locations(c, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                here.push(json!(i));
                locations(c, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// Replacement values: wrong types, out-of-vocabulary strings, bad timestamps, empties, nulls.
/// (Integral floats such as `1.0` are left out: JSON Schema counts them as integers while
/// serde's integer types reject them; no agent writes them.)
fn replacement(k: usize) -> Value {
    match k % 14 {
        0 => Value::Null,
        1 => json!("x"),
        2 => json!(""),
        3 => json!(0),
        4 => json!(-1),
        5 => json!(1.5),
        6 => json!(true),
        7 => json!([]),
        8 => json!({}),
        9 => json!("NOT_A_STATUS"),
        10 => json!("2020-13-01T00:00:00Z"),
        11 => json!("2020-02-30T00:00:00Z"),
        12 => json!("2021-09-07T16:57:44.1234567890Z"),
        _ => json!(7),
    }
}

fn mutate(doc: &Value, pick: usize, kind: usize) -> Value {
    let mut out = doc.clone();
    let mut locs = Vec::new();
    locations(doc, &mut Vec::new(), &mut locs);
    let path = &locs[pick % locs.len()];
    if path.is_empty() {
        return replacement(kind);
    }
    let (last, parent_path) = path.split_last().unwrap();
    let mut parent = &mut out;
    for seg in parent_path {
        parent = match seg {
            Value::String(k) => parent.get_mut(k.as_str()).unwrap(),
            Value::Number(i) => parent.get_mut(i.as_u64().unwrap() as usize).unwrap(),
            _ => unreachable!(),
        };
    }
    match (parent, last) {
        // Every other mutation of an object member drops it.
        (Value::Object(m), Value::String(k)) if kind % 3 == 0 => {
            m.shift_remove(k.as_str());
        }
        (Value::Object(m), Value::String(k)) => {
            m.insert(k.clone(), replacement(kind / 3));
        }
        (Value::Array(a), Value::Number(i)) => {
            a[i.as_u64().unwrap() as usize] = replacement(kind);
        }
        _ => {}
    }
    out
}

/// The models describe v4, so typed decoding (plus the both-layer rules) accepts exactly
/// what the v4 schema accepts; the v3 schema, which only leaves the v4 keys out, accepts at
/// least that.
fn agree(endpoint: Endpoint, doc: &Value) -> Result<(), TestCaseError> {
    let schema_ok = schema::validator(ApiVersion::V4, endpoint).is_valid(doc);
    let typed_ok = typed_accepts(endpoint, &serde_json::to_vec(doc).unwrap()).is_some();
    prop_assert_eq!(
        typed_ok,
        schema_ok,
        "typed decoding and the v4 schema disagree on this {}:\n{:#}",
        endpoint,
        doc
    );
    if schema_ok {
        prop_assert!(
            schema::validator(ApiVersion::V3, endpoint).is_valid(doc),
            "valid for v4 but not for v3:\n{:#}",
            doc
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn typed_decoding_agrees_with_schema_on_mutated_containers(c in container(), pick in any::<usize>(), kind in any::<usize>()) {
        agree(Endpoint::Container, &mutate(&serde_json::to_value(&c).unwrap(), pick, kind))?;
    }

    #[test]
    fn typed_decoding_agrees_with_schema_on_mutated_tasks(t in task(), pick in any::<usize>(), kind in any::<usize>()) {
        agree(Endpoint::Task, &mutate(&serde_json::to_value(&t).unwrap(), pick, kind))?;
    }

    #[test]
    fn typed_decoding_agrees_with_schema_on_mutated_stats(s in stats(), pick in any::<usize>(), kind in any::<usize>()) {
        agree(Endpoint::Stats, &mutate(&serde_json::to_value(&s).unwrap(), pick, kind))?;
    }

    #[test]
    fn typed_decoding_agrees_with_schema_on_mutated_task_stats(s in task_stats(), pick in any::<usize>(), kind in any::<usize>()) {
        agree(Endpoint::TaskStats, &mutate(&serde_json::to_value(&s).unwrap(), pick, kind))?;
    }
}

/// Where the schemas carry a keyword that a `both`-layer rule (not serde) enforces:
/// (title of the object schema, property). The agreement properties above only prove
/// something about the keys the generators produce, so every such place must be reached.
fn both_layer_sites() -> std::collections::BTreeSet<(String, String)> {
    use ecs_tmde::rules::{Layer, RULES};
    let keywords: Vec<&str> = RULES
        .iter()
        .filter(|r| r.layer == Layer::Both)
        .flat_map(|r| r.schema_keywords.iter().copied())
        .collect();
    let mut sites = std::collections::BTreeSet::new();
    for e in Endpoint::ALL {
        let root = schema::published(ApiVersion::V4, e);
        let defs = root
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(_, d)| d);
        for obj in std::iter::once(root).chain(defs) {
            let title = if std::ptr::eq(obj, root) {
                schema::model_name(e)
            } else {
                obj["title"].as_str().unwrap_or_default()
            };
            for (key, prop) in obj
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if keywords.iter().any(|k| prop.get(*k).is_some()) {
                    sites.insert((title.to_owned(), key.clone()));
                }
            }
            // Object-level conditions (`if`/`then`) are reached through the keys they require.
            if keywords.iter().any(|k| obj.get(*k).is_some()) {
                for key in obj["if"]["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    sites.insert((title.to_owned(), key.to_owned()));
                }
            }
        }
    }
    sites
}

#[test]
fn generators_reach_every_key_a_both_layer_rule_checks() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut reached = std::collections::BTreeSet::new();
    let mut record = |e: Endpoint, v: Value| {
        schema::visit_keys(ApiVersion::V4, e, &v, &mut |k| {
            if k.property.is_some() {
                reached.insert((k.owner.unwrap_or_default().to_owned(), k.key.to_owned()));
            }
        });
    };
    for _ in 0..200 {
        record(
            Endpoint::Container,
            serde_json::to_value(container().new_tree(&mut runner).unwrap().current()).unwrap(),
        );
        record(
            Endpoint::Task,
            serde_json::to_value(task().new_tree(&mut runner).unwrap().current()).unwrap(),
        );
        record(
            Endpoint::Stats,
            serde_json::to_value(stats().new_tree(&mut runner).unwrap().current()).unwrap(),
        );
        record(
            Endpoint::TaskStats,
            serde_json::to_value(task_stats().new_tree(&mut runner).unwrap().current()).unwrap(),
        );
    }
    let sites = both_layer_sites();
    assert!(
        sites.len() > 15,
        "too few sites found ({sites:?}); is the schema walk broken?"
    );
    let missing: Vec<_> = sites.difference(&reached).collect();
    assert!(missing.is_empty(), "the generators in tests/suite/properties.rs never produce {missing:?}; extend them so the agreement properties cover these keys");
}
