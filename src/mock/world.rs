//! The mock's task over time: every value the agent would derive from a scenario, and the
//! state of each container at any instant.
//!
//! [`World::new`] resolves a scenario once (ids, names, addresses, event times) from the seed;
//! [`World::task_at`] and [`World::stats_at`] then describe the task at a moment of its life.
//! Time is measured in nanoseconds since the task was accepted ("scenario time"); the mock's
//! clock maps wall time onto it.

use std::collections::BTreeMap;
use std::num::{NonZeroU16, NonZeroU32, NonZeroU64};

use super::scenario::{NetworkMode, Scenario};
use crate::model::{
    BlkioEntry, BlkioStats, ClockDrift, ClockSynchronizationStatus, Container, ContainerLimits,
    ContainerStatus, ContainerType, CpuStats, CpuUsage, Float, Health, HealthStatusValue,
    MemoryStats, Network, NetworkStats, PidsStats, Port, Protocol, Stats, StorageStats, Task,
    TaskLimits, TaskStats, TaskStatsEntry, TaskStatus, ThrottlingData, Timestamp, Volume,
};
use crate::profile::{LaunchType, Os};

const SECOND: i128 = 1_000_000_000;
const MIB: u64 = 1024 * 1024;

/// Deterministic pseudo-random numbers (SplitMix64): the same seed gives the same task.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `len` lower-case hex digits.
    pub fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit((self.next_u64() % 16) as u32, 16).unwrap_or('0'))
            .collect()
    }

    /// A random (version 4) UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let variant = ['8', '9', 'a', 'b'][self.below(4) as usize];
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            variant,
            &h[17..20],
            &h[20..32]
        )
    }
}

/// Stateless noise for sample `n` of stream `key`, in `0..n_max`.
fn noise(key: u64, n: u64, n_max: u64) -> u64 {
    Rng::new(key ^ n.wrapping_mul(0xA24B_AED4_963E_E407)).below(n_max)
}

/// The short code of a region in Availability Zone ids (`us-east-2` → `use2`).
fn region_code(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    match parts.as_slice() {
        [a, b, n] => format!("{a}{}{n}", b.chars().next().unwrap_or('x')),
        _ => region.replace('-', ""),
    }
}

/// FNV-1a, 32 bits: Fargate's DockerId suffix is this hash of the container name.
pub fn fnv1a32(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// What kind of container the agent runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A container of the task definition.
    Normal,
    /// The agent's `~internal~ecs~pause` container of an awsvpc task on EC2.
    Pause,
}

/// One container with everything the agent derives for it.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Index into the scenario's containers (`None` for the pause container).
    pub spec: Option<usize>,
    /// Normal or pause.
    pub kind: Kind,
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// `sha256:<64 hex>`, or empty for the pause container.
    pub image_id: String,
    /// Docker (or Fargate) container id.
    pub docker_id: String,
    /// Docker container name.
    pub docker_name: String,
    /// The id of its metadata endpoint (`/v3/<id>`).
    pub endpoint_id: String,
    /// When `docker create` returned (scenario nanos).
    pub created: i128,
    /// When it started.
    pub started: i128,
    /// When it exits, if it does.
    pub exits: Option<i128>,
    /// Exit code then.
    pub exit_code: i64,
    /// When the first health check result arrives, if it has a health check.
    pub health_at: Option<i128>,
    /// Host ports, one per port mapping of the spec.
    pub host_ports: Vec<u16>,
    /// Its IPv4 address (empty in host mode).
    pub ipv4: String,
    /// Seed of its stats streams.
    pub stats_key: u64,
}

/// Identifiers only the v4 responses carry, derived from the seed.
#[derive(Clone, Debug)]
pub struct V4Ids {
    /// One UUID per container, for its ContainerARN.
    pub container_uuids: Vec<String>,
    /// MAC address of the task ENI (awsvpc).
    pub mac: String,
    /// VPC id (EC2).
    pub vpc_id: String,
    /// Availability Zone id (EC2).
    pub az_id: String,
}

/// A scenario resolved with a seed: the task the mock serves.
#[derive(Clone, Debug)]
pub struct World {
    /// The scenario.
    pub scenario: Scenario,
    /// Unix time (nanos) of scenario time 0.
    pub epoch: i128,
    /// Task id (32 hex).
    pub task_id: String,
    /// Containers in the order the task lists them (pause first).
    pub containers: Vec<Resolved>,
    /// Image pull window, if images are pulled.
    pub pull: Option<(i128, i128)>,
    /// Scenario time from which every container has run long enough to have stats.
    pub settled: i128,
    /// Seconds between two stats samples.
    pub sample_interval: i128,
    /// Values only v4 serves (ENI details, ARNs, VPC).
    pub v4: V4Ids,
    /// Host uptime at scenario time 0, for `system_cpu_usage`.
    uptime0: i128,
    online_cpus: u32,
    clock_error_bound: f64,
}

impl World {
    /// Resolves `scenario` with `seed`; `epoch` is the Unix time (nanos) at which the task was
    /// accepted.
    pub fn new(scenario: Scenario, seed: u64, epoch: i128) -> World {
        let mut rng = Rng::new(seed ^ fnv1a64(&scenario.name));
        let task_id = scenario.task_id.clone().unwrap_or_else(|| rng.hex(32));
        let fargate_ids = scenario.fargate_ids();
        let sc = &scenario;
        let ms = |x: f64| (x * 1e6) as i128;
        let jitter = |rng: &mut Rng| i128::from(rng.below(90_000_000) as u32);
        let ec2_name = |rng: &mut Rng, name: &str| {
            let clean: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            format!(
                "ecs-{}-{}-{}-{}",
                sc.family,
                sc.revision,
                clean,
                rng.hex(20)
            )
        };
        let (ip_base, ip_len) = sc
            .subnet
            .as_deref()
            .and_then(super::scenario::parse_cidr)
            .unwrap_or((0x0A00_0000, 24));
        let eni_ip = std::net::Ipv4Addr::from(
            ip_base + 4 + rng.below(u64::from((1u32 << (32 - ip_len)) - 8)) as u32,
        )
        .to_string();
        let mut containers = Vec::new();
        let mut t = 0i128;
        if sc.launch_type != LaunchType::Fargate && sc.network_mode == NetworkMode::Awsvpc {
            let created = ms(400.0) + jitter(&mut rng);
            containers.push(Resolved {
                spec: None,
                kind: Kind::Pause,
                name: "~internal~ecs~pause".into(),
                image: "amazon/amazon-ecs-pause:0.1.0".into(),
                image_id: String::new(),
                docker_id: rng.hex(64),
                docker_name: ec2_name(&mut rng, "internalecspause"),
                endpoint_id: rng.uuid(),
                created,
                started: created + ms(180.0) + jitter(&mut rng),
                exits: None,
                exit_code: 0,
                health_at: None,
                host_ports: Vec::new(),
                ipv4: eni_ip.clone(),
                stats_key: rng.next_u64(),
            });
            t = ms(900.0);
        }
        let pull = sc.pull.then(|| {
            let start = t + ms(1200.0) + jitter(&mut rng);
            let stop = start + ms(2000.0 + 700.0 * sc.containers.len() as f64) + jitter(&mut rng);
            (start, stop)
        });
        t = pull.map_or(t + ms(1000.0), |(_, stop)| stop);
        for (i, spec) in sc.containers.iter().enumerate() {
            t += ms(150.0 + spec.start_delay * 1000.0) + jitter(&mut rng);
            let created = t;
            let started = if fargate_ids {
                created
            } else {
                created + ms(300.0) + jitter(&mut rng)
            };
            let docker_id = if fargate_ids {
                format!("{task_id}-{}", fnv1a32(&spec.name))
            } else {
                rng.hex(64)
            };
            let docker_name = if fargate_ids {
                spec.name.clone()
            } else {
                ec2_name(&mut rng, &spec.name)
            };
            let host_ports = spec
                .ports
                .iter()
                .map(|p| match (sc.network_mode, p.host_port) {
                    (NetworkMode::Bridge, Some(h)) => h,
                    (NetworkMode::Bridge, None) => 32768 + rng.below(28000) as u16,
                    _ => p.container_port,
                })
                .collect();
            let ipv4 = match sc.network_mode {
                NetworkMode::Awsvpc => eni_ip.clone(),
                NetworkMode::Bridge => format!("172.17.0.{}", 2 + i),
                NetworkMode::Host => String::new(),
            };
            containers.push(Resolved {
                spec: Some(i),
                kind: Kind::Normal,
                name: spec.name.clone(),
                image: spec.image.clone(),
                image_id: format!("sha256:{}", rng.hex(64)),
                docker_id,
                docker_name,
                endpoint_id: spec.endpoint_id.clone().unwrap_or_else(|| rng.uuid()),
                created,
                started,
                exits: spec.exits_after.map(|s| started + ms(s * 1000.0)),
                exit_code: spec.exit_code,
                health_at: spec
                    .health_check
                    .then(|| started + ms(5000.0) + jitter(&mut rng)),
                host_ports,
                ipv4,
                stats_key: rng.next_u64(),
            });
        }
        let sample_interval = if sc.launch_type == LaunchType::Fargate {
            10 * SECOND
        } else {
            SECOND
        };
        let last_start = containers.iter().map(|c| c.started).max().unwrap_or(0);
        let settled = last_start + 2 * SECOND;
        let online_cpus = match sc.task_cpu {
            Some(c) if sc.launch_type == LaunchType::Fargate => (c.ceil() as u32).max(2),
            _ => 2,
        };
        let v4 = V4Ids {
            container_uuids: (0..containers.len()).map(|_| rng.uuid()).collect(),
            mac: format!(
                "0a:{}:{}:{}:{}:{}",
                rng.hex(2),
                rng.hex(2),
                rng.hex(2),
                rng.hex(2),
                rng.hex(2)
            ),
            vpc_id: format!("vpc-0{}", rng.hex(16)),
            az_id: format!("{}-az{}", region_code(&sc.region), 1 + rng.below(4)),
        };
        World {
            v4,
            uptime0: i128::from(3600 + rng.below(86_400 * 20) as u32) * SECOND,
            clock_error_bound: 0.2 + (rng.below(800) as f64) / 1000.0,
            scenario,
            epoch,
            task_id,
            containers,
            pull,
            settled,
            sample_interval,
            online_cpus,
        }
    }

    /// A timestamp for scenario time `t`.
    pub fn timestamp(&self, t: i128) -> Timestamp {
        Timestamp::from_unix_nanos(self.epoch + t)
    }

    /// The cluster as the task response names it: an ARN on Fargate, the name elsewhere.
    pub fn cluster(&self) -> String {
        let sc = &self.scenario;
        if sc.launch_type == LaunchType::Fargate {
            format!(
                "arn:aws:ecs:{}:{}:cluster/{}",
                sc.region, sc.account, sc.cluster
            )
        } else {
            sc.cluster.clone()
        }
    }

    /// The task ARN (long format, with the cluster name).
    pub fn task_arn(&self) -> String {
        let sc = &self.scenario;
        format!(
            "arn:aws:ecs:{}:{}:task/{}/{}",
            sc.region, sc.account, sc.cluster, self.task_id
        )
    }

    /// Index of the container whose endpoint id is `id`.
    pub fn by_endpoint_id(&self, id: &str) -> Option<usize> {
        self.containers.iter().position(|c| c.endpoint_id == id)
    }

    /// Whether the agent knows the container's DockerId at `t` (and so answers for its id).
    pub fn is_created(&self, i: usize, t: i128) -> bool {
        self.containers[i].created <= t
    }

    /// The next scenario time after `t` at which some response changes.
    pub fn next_change(&self, t: i128) -> i128 {
        let mut next = i128::MAX;
        let mut consider = |x: i128| {
            if x > t && x < next {
                next = x;
            }
        };
        if let Some((a, b)) = self.pull {
            consider(a);
            consider(b);
        }
        for c in &self.containers {
            consider(c.created);
            consider(c.started);
            consider(c.started + SECOND);
            if let Some(x) = c.exits {
                consider(x);
            }
            if let Some(x) = c.health_at {
                consider(x);
            }
            if t >= c.started + SECOND {
                let n = (t - c.started - SECOND) / self.sample_interval;
                consider(c.started + SECOND + (n + 1) * self.sample_interval);
            }
        }
        // ClockDrift's reference time moves on each wall-clock minute, and the v4 ephemeral
        // storage use on each minute of the task's life.
        let minute = 60 * SECOND;
        if self.scenario.has_clock_drift() {
            consider(((self.epoch + t).div_euclid(minute) + 1) * minute - self.epoch);
        }
        if self.scenario.is_fargate_linux_1_4() {
            consider((t.div_euclid(minute) + 1) * minute);
        }
        next
    }

    fn container_status(&self, c: &Resolved, t: i128) -> ContainerStatus {
        if c.exits.is_some_and(|x| x <= t) {
            ContainerStatus::Stopped
        } else if c.started <= t {
            if c.kind == Kind::Pause && t >= c.started + 300_000_000 {
                ContainerStatus::ResourcesProvisioned
            } else {
                ContainerStatus::Running
            }
        } else if c.created <= t {
            ContainerStatus::Created
        } else if self.pull.is_none_or(|(_, stop)| stop <= t) {
            ContainerStatus::Pulled
        } else {
            ContainerStatus::None
        }
    }

    /// The container response of container `i` at `t`.
    pub fn container_at(&self, i: usize, t: i128) -> Container {
        let sc = &self.scenario;
        let c = &self.containers[i];
        let spec = c.spec.map(|s| &sc.containers[s]);
        let status = self.container_status(c, t);
        let fargate = sc.launch_type == LaunchType::Fargate;
        let mut labels: BTreeMap<String, String> =
            spec.map(|s| s.labels.clone()).unwrap_or_default();
        let cluster_label = self.cluster();
        labels.insert("com.amazonaws.ecs.cluster".into(), cluster_label);
        labels.insert("com.amazonaws.ecs.container-name".into(), c.name.clone());
        labels.insert("com.amazonaws.ecs.task-arn".into(), self.task_arn());
        labels.insert(
            "com.amazonaws.ecs.task-definition-family".into(),
            sc.family.clone(),
        );
        labels.insert(
            "com.amazonaws.ecs.task-definition-version".into(),
            sc.revision.to_string(),
        );
        let ports: Vec<Port> = spec
            .map(|s| {
                s.ports
                    .iter()
                    .zip(&c.host_ports)
                    .map(|(p, h)| Port {
                        container_port: NonZeroU16::new(p.container_port),
                        protocol: Some(if p.protocol == "udp" {
                            Protocol::Udp
                        } else {
                            Protocol::Tcp
                        }),
                        host_port: NonZeroU16::new(*h),
                        ..Port::default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let cpu_units = spec.and_then(|s| s.cpu).unwrap_or(0).max(2);
        let memory = match (spec, fargate) {
            (Some(s), true) => s.memory,
            (Some(s), false) => Some(s.memory.unwrap_or(0)),
            (None, _) => Some(0),
        };
        let network_mode = match (sc.network_mode, sc.os) {
            (NetworkMode::Bridge, Os::Windows) => "nat",
            (m, _) => m.name(),
        };
        let networks = vec![Network {
            network_mode: Some(network_mode.into()),
            ipv4_addresses: Some(vec![c.ipv4.clone()]),
            ..Network::default()
        }];
        let health = match (c.health_at, spec.is_some_and(|s| s.health_check)) {
            (_, false) => None,
            (Some(at), true) if at <= t && status == ContainerStatus::Running => Some(Health {
                status: Some(HealthStatusValue::Healthy),
                status_since: Some(self.timestamp(at)),
                exit_code: None,
                output: None,
                extra: Default::default(),
            }),
            _ => Some(Health::default()),
        };
        let volumes: Vec<Volume> = spec
            .map(|s| {
                s.volumes
                    .iter()
                    .map(|v| Volume {
                        docker_name: v.name.clone(),
                        source: v.source.clone().or_else(|| {
                            v.name
                                .as_ref()
                                .map(|n| format!("/var/lib/docker/volumes/{n}/_data"))
                        }),
                        destination: Some(v.destination.clone()),
                        extra: Default::default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let created = c.created <= t;
        let stopped = status == ContainerStatus::Stopped;
        Container {
            docker_id: if created {
                c.docker_id.clone()
            } else {
                String::new()
            },
            name: c.name.clone(),
            docker_name: if created {
                c.docker_name.clone()
            } else {
                String::new()
            },
            image: c.image.clone(),
            image_id: c.image_id.clone(),
            ports: (!ports.is_empty() && created).then_some(ports),
            labels: created.then_some(labels),
            desired_status: if c.kind == Kind::Pause {
                ContainerStatus::ResourcesProvisioned
            } else {
                ContainerStatus::Running
            },
            known_status: status,
            exit_code: stopped.then_some(c.exit_code),
            limits: ContainerLimits {
                cpu: Some(Float(f64::from(cpu_units))),
                memory,
                extra: Default::default(),
            },
            created_at: created.then(|| self.timestamp(c.created)),
            started_at: (c.started <= t).then(|| self.timestamp(c.started)),
            finished_at: c.exits.filter(|x| *x <= t).map(|x| self.timestamp(x)),
            container_type: if c.kind == Kind::Pause {
                ContainerType::CniPause
            } else {
                ContainerType::Normal
            },
            networks: created.then_some(networks),
            health,
            volumes: (!volumes.is_empty() && created).then_some(volumes),
            // The v4 additions are filled in by `super::v4`.
            log_driver: None,
            log_options: None,
            container_arn: None,
            snapshotter: None,
            restart_count: None,
            extra: Default::default(),
        }
    }

    /// The task response at `t` (with tags when `with_tags`).
    pub fn task_at(&self, t: i128, with_tags: bool) -> Task {
        let sc = &self.scenario;
        let listed: Vec<usize> = (0..self.containers.len())
            .filter(|i| self.is_created(*i, t))
            .collect();
        let containers: Vec<Container> = listed.iter().map(|i| self.container_at(*i, t)).collect();
        let all_created = listed.len() == self.containers.len();
        let essentials_running = self.containers.iter().all(|c| {
            let essential = c.spec.is_none_or(|s| sc.containers[s].essential);
            !essential || c.started <= t
        });
        let known = if all_created && essentials_running {
            TaskStatus::Running
        } else if all_created {
            TaskStatus::Created
        } else {
            TaskStatus::None
        };
        let limits = (sc.task_cpu.is_some() || sc.task_memory.is_some()).then(|| TaskLimits {
            cpu: sc.task_cpu.map(Float),
            memory: sc.task_memory,
            extra: Default::default(),
        });
        let tags = |m: &BTreeMap<String, String>| (with_tags && !m.is_empty()).then(|| m.clone());
        let clock_drift = sc.has_clock_drift().then(|| ClockDrift {
            clock_error_bound: Some(Float(self.clock_error_bound)),
            // Whole seconds of wall time, refreshed every minute, as recordings show.
            reference_timestamp: Some(Timestamp::from_unix_nanos(
                (self.epoch + t.max(0)) / (60 * SECOND) * 60 * SECOND,
            )),
            clock_synchronization_status: Some(ClockSynchronizationStatus::Synchronized),
            extra: Default::default(),
        });
        Task {
            cluster: self.cluster(),
            task_arn: self.task_arn(),
            family: sc.family.clone(),
            revision: sc.revision.to_string(),
            desired_status: TaskStatus::Running,
            known_status: known,
            containers: (!containers.is_empty()).then_some(containers),
            limits,
            pull_started_at: self
                .pull
                .filter(|(a, _)| *a <= t)
                .map(|(a, _)| self.timestamp(a)),
            pull_stopped_at: self
                .pull
                .filter(|(_, b)| *b <= t)
                .map(|(_, b)| self.timestamp(b)),
            execution_stopped_at: None,
            availability_zone: sc.availability_zone.clone(),
            task_tags: tags(&sc.task_tags),
            container_instance_tags: if sc.launch_type == LaunchType::Fargate {
                None
            } else {
                tags(&sc.container_instance_tags)
            },
            clock_drift,
            // The v4 additions are filled in by `super::v4`.
            launch_type: None,
            errors: None,
            vpc_id: None,
            service_name: None,
            group: None,
            ephemeral_storage_metrics: None,
            fault_injection_enabled: None,
            availability_zone_id: None,
            extra: Default::default(),
        }
    }

    /// The stats of container `i` at `t`, or `None` while it has no sample (not started, the
    /// first second after start, or stopped).
    pub fn stats_at(&self, i: usize, t: i128) -> Option<Stats> {
        let sc = &self.scenario;
        let c = &self.containers[i];
        let first = c.started + SECOND;
        if t < first || c.exits.is_some_and(|x| x <= t) {
            return None;
        }
        let n = ((t - first) / self.sample_interval) as u64;
        let at = |n: u64| first + i128::from(n) * self.sample_interval + 13_700_000;
        let spec = c.spec.map(|s| &sc.containers[s]);
        let load = spec.map_or(0.001, |s| s.cpu_load.max(0.001));
        let interval_ns = self.sample_interval as f64;
        let key = c.stats_key;
        // Cumulative counters: a steady rate plus bounded noise, so every sample exceeds the
        // previous one.
        let total = |n: u64| -> u64 {
            let step = (load * interval_ns) as u64 + 1;
            step.saturating_mul(n + 1)
                .saturating_add(noise(key, n, step / 2 + 1))
        };
        let windows = sc.os == Os::Windows;
        let cpu = |n: u64| -> CpuStats {
            let tot = total(n);
            let system = u64::try_from(self.uptime0 + at(n))
                .unwrap_or(u64::MAX)
                .saturating_mul(u64::from(self.online_cpus));
            CpuStats {
                cpu_usage: CpuUsage {
                    total_usage: tot,
                    percpu_usage: None,
                    usage_in_kernelmode: tot / 10 * 3,
                    usage_in_usermode: tot / 10 * 7,
                    extra: Default::default(),
                },
                system_cpu_usage: if windows {
                    None
                } else {
                    NonZeroU64::new(system)
                },
                online_cpus: if windows {
                    None
                } else {
                    NonZeroU32::new(self.online_cpus)
                },
                throttling_data: ThrottlingData::default(),
                extra: Default::default(),
            }
        };
        let precpu = if n == 0 {
            CpuStats::default()
        } else {
            cpu(n - 1)
        };
        let resident = spec.map_or(512 * 1024, |s| s.memory_mib * MIB);
        let usage = resident - resident / 20 + noise(key ^ 1, n, resident / 10 + 1);
        let limit = spec
            .and_then(|s| s.memory)
            .or(sc.task_memory)
            .map_or(7_963_000_832, |m| m * MIB)
            .max(usage + MIB);
        let memory_stats = if windows {
            MemoryStats {
                commitbytes: NonZeroU64::new(usage.saturating_add(usage / 2)),
                commitpeakbytes: NonZeroU64::new(usage.saturating_mul(2)),
                privateworkingset: NonZeroU64::new(usage),
                ..Default::default()
            }
        } else {
            let anon = usage / 10 * 7;
            let file = usage - anon;
            let mut stats = BTreeMap::new();
            for (k, v) in [
                ("active_anon", anon / 2),
                ("active_file", file / 2),
                ("anon", anon),
                ("file", file),
                ("inactive_anon", anon - anon / 2),
                ("inactive_file", file - file / 2),
                ("kernel_stack", 98_304),
                ("pgfault", 9_000 + 37 * n),
                ("pgmajfault", 4),
                ("slab", 1_048_576),
            ] {
                stats.insert(k.to_string(), v);
            }
            MemoryStats {
                usage: NonZeroU64::new(usage),
                stats: Some(stats),
                limit: NonZeroU64::new(limit),
                ..Default::default()
            }
        };
        let blkio = if windows {
            BlkioStats::default()
        } else {
            let read = 4_096 * (1_000 + noise(key ^ 2, 0, 5_000));
            let written = 4_096 * (n + 1) * 3;
            BlkioStats {
                io_service_bytes_recursive: Some(vec![
                    BlkioEntry {
                        major: 259,
                        minor: 0,
                        op: "read".into(),
                        value: read,
                        extra: Default::default(),
                    },
                    BlkioEntry {
                        major: 259,
                        minor: 0,
                        op: "write".into(),
                        value: written,
                        extra: Default::default(),
                    },
                ]),
                ..Default::default()
            }
        };
        let net = |name: &str| {
            let rx = 1_200 * (n + 1) + noise(key ^ 3, n, 1_000);
            let tx = 900 * (n + 1) + noise(key ^ 4, n, 700);
            let mut m = BTreeMap::new();
            m.insert(
                name.to_string(),
                NetworkStats {
                    rx_bytes: rx * 350,
                    rx_packets: rx,
                    tx_bytes: tx * 420,
                    tx_packets: tx,
                    ..Default::default()
                },
            );
            Some(m)
        };
        let networks = match (sc.network_mode, sc.os, sc.launch_type) {
            (NetworkMode::Host, _, _) => None,
            (_, Os::Windows, _) => net("Ethernet 3"),
            (NetworkMode::Awsvpc, _, LaunchType::Fargate) => net("eth1"),
            _ => net("eth0"),
        };
        Some(Stats {
            read: self.timestamp(at(n)),
            preread: if n == 0 {
                Timestamp::from_unix_nanos(crate::model::ZERO_TIME_UNIX_NANOS)
            } else {
                self.timestamp(at(n - 1))
            },
            pids_stats: if windows {
                PidsStats::default()
            } else {
                PidsStats {
                    current: NonZeroU64::new(3 + noise(key ^ 5, 0, 20)),
                    limit: NonZeroU64::new(4_611),
                    extra: Default::default(),
                }
            },
            blkio_stats: blkio,
            num_procs: if windows {
                12 + noise(key ^ 6, 0, 20) as u32
            } else {
                0
            },
            storage_stats: if windows {
                StorageStats {
                    read_count_normalized: NonZeroU64::new(20_000 + 13 * n),
                    read_size_bytes: NonZeroU64::new(160_000_000 + 53_248 * n),
                    write_count_normalized: NonZeroU64::new(5_000 + 7 * n),
                    write_size_bytes: NonZeroU64::new(40_000_000 + 28_672 * n),
                    extra: Default::default(),
                }
            } else {
                StorageStats::default()
            },
            cpu_stats: cpu(n),
            precpu_stats: precpu,
            memory_stats,
            name: Some(if sc.launch_type == LaunchType::Fargate {
                c.docker_name.clone()
            } else {
                format!("/{}", c.docker_name)
            }),
            id: Some(c.docker_id.clone()),
            networks,
            network_rate_stats: None,
            extra: Default::default(),
        })
    }

    /// The task stats response at `t`: every container the task lists, keyed by DockerId,
    /// `null` for those without a sample.
    pub fn task_stats_at(&self, t: i128) -> TaskStats {
        let mut map = BTreeMap::new();
        for i in 0..self.containers.len() {
            if !self.is_created(i, t) {
                continue;
            }
            let entry = match self.stats_at(i, t) {
                Some(s) => TaskStatsEntry::Stats(Box::new(s)),
                None => TaskStatsEntry::Null,
            };
            map.insert(self.containers[i].docker_id.clone(), entry);
        }
        TaskStats(map)
    }
}
