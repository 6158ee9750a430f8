//! Redaction (`record --redact`): a redacted recording gets the same verdict and the same
//! findings as the original, no discovered secret survives it, and placeholders are consistent.

use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::path::Path;
use std::sync::OnceLock;

use ecs_tmde::check::{check_documents, ApiVersion, Document, Report, Verdict};
use ecs_tmde::profile::{LaunchType, Os, PlatformVersion, Profile};
use ecs_tmde::recording::RecordingMeta;
use ecs_tmde::redact::{Kind, Redactor};
use ecs_tmde::rules::Severity;
use ecs_tmde::{Endpoint, Error};
use proptest::prelude::*;
use serde_json::{json, Value};

use crate::support::root;

// ----- helpers -----

/// One recording of `conformance/recorded/`, read the way `check_path` reads a directory.
struct Recording {
    name: String,
    docs: Vec<Document>,
    profile: Profile,
    version: ApiVersion,
}

fn recordings() -> &'static [Recording] {
    static ALL: OnceLock<Vec<Recording>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut dirs: Vec<_> = std::fs::read_dir(root("conformance/recorded"))
            .expect("conformance/recorded")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs.iter().map(|d| read_recording(d)).collect()
    })
}

fn read_recording(dir: &Path) -> Recording {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let meta = RecordingMeta::read(dir).unwrap().unwrap_or_default();
    let version = meta
        .version
        .as_deref()
        .map_or(ApiVersion::V3, |v| ApiVersion::parse(v).unwrap());
    let docs = Endpoint::ALL
        .into_iter()
        .filter_map(|endpoint| {
            let path = dir.join(endpoint.file_name());
            path.is_file().then(|| Document {
                endpoint,
                input: format!("{name}/{}", endpoint.file_name()),
                bytes: std::fs::read(&path).unwrap(),
            })
        })
        .collect();
    Recording {
        name,
        docs,
        profile: meta.profile,
        version,
    }
}

fn check(docs: &[Document], profile: Profile, version: ApiVersion) -> Result<Report, Error> {
    let mut report = Report {
        profile,
        version,
        ..Report::default()
    };
    check_documents(docs, profile, version, &mut report)?;
    report.sort();
    Ok(report)
}

/// What must not change: the verdict, the findings as a multiset of (rule, severity,
/// endpoint, pointer), and the skipped rules. Messages may differ: they quote values.
#[derive(Debug, PartialEq)]
struct Outcome {
    verdict: Verdict,
    findings: BTreeMap<(&'static str, Severity, Endpoint, String), usize>,
    skipped: Vec<&'static str>,
}

fn outcome(report: &Report, pointer: impl Fn(&str) -> String) -> Outcome {
    let mut findings = BTreeMap::new();
    for f in &report.findings {
        *findings
            .entry((f.rule, f.severity, f.endpoint, pointer(&f.pointer)))
            .or_insert(0) += 1;
    }
    Outcome {
        verdict: report.verdict(),
        findings,
        skipped: report.skipped.iter().map(|s| s.rule).collect(),
    }
}

/// A JSON Pointer into an original document, as it points into the redacted one: object keys
/// that contain a secret (task-stats keys are DockerIds) are redacted like keys.
fn redact_pointer(r: &Redactor, pointer: &str) -> String {
    if pointer.is_empty() {
        return String::new();
    }
    pointer
        .split('/')
        .skip(1)
        .map(|token| {
            let key = token.replace("~1", "/").replace("~0", "~");
            let redacted = r.redact_str(&key);
            format!("/{}", redacted.replace('~', "~0").replace('/', "~1"))
        })
        .collect()
}

/// Checks `docs` and their redaction (and the redaction of that) under `profile` and
/// `version`, and returns the redactor and the redacted documents. `Err` describes a
/// difference.
fn same_verdict(
    docs: &[Document],
    profile: Profile,
    version: ApiVersion,
) -> Result<(Redactor, Vec<Document>), String> {
    let mut r = Redactor::new();
    let original = check(docs, profile, version);
    let redacted = match (r.redact_documents(docs), &original) {
        (Ok(d), _) => d,
        (Err(_), Err(_)) => return Ok((r, Vec::new())),
        (Err(e), Ok(_)) => return Err(format!("redaction failed: {e}")),
    };
    for d in &redacted {
        serde_json::from_slice::<Value>(ecs_tmde::decode::strip_bom(&d.bytes))
            .map_err(|e| format!("{}: redacted document is not JSON: {e}", d.input))?;
    }
    let again = check(&redacted, profile, version);
    let (original, again) = match (original, again) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(_), Err(_)) => return Ok((r, redacted)),
        (a, b) => {
            return Err(format!(
                "checkable before: {}, after: {}",
                a.is_ok(),
                b.is_ok()
            ))
        }
    };
    let want = outcome(&original, |p| redact_pointer(&r, p));
    let got = outcome(&again, str::to_owned);
    if want != got {
        return Err(format!(
            "outcome differs:\nbefore {want:#?}\nafter  {got:#?}\nredacted: {}",
            text_of(&redacted)
        ));
    }
    // Redacting the redacted documents again still gives the same outcome.
    let mut r2 = Redactor::new();
    let twice = r2
        .redact_documents(&redacted)
        .map_err(|e| format!("second redaction failed: {e}"))?;
    let third = check(&twice, profile, version).map_err(|e| format!("twice: {e}"))?;
    let want2 = outcome(&original, |p| redact_pointer(&r2, &redact_pointer(&r, p)));
    if want2 != outcome(&third, str::to_owned) {
        return Err(format!(
            "outcome differs after redacting twice:\n{want2:#?}"
        ));
    }
    Ok((r, redacted))
}

fn text_of(docs: &[Document]) -> String {
    docs.iter()
        .map(|d| String::from_utf8_lossy(&d.bytes).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `text` has `needle` as a whole number-like token: not next to a digit or a dot
/// that continues the number.
fn has_number_token(text: &str, needle: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(needle).any(|(i, m)| {
        let before = i.checked_sub(1).map(|j| b[j]);
        let after = b.get(i + m.len()).copied();
        let after2 = b.get(i + m.len() + 1).copied();
        let joined_before = before.is_some_and(|c| c.is_ascii_digit() || c == b'.');
        let joined_after = after.is_some_and(|c| c.is_ascii_digit())
            || (after == Some(b'.') && after2.is_some_and(|c| c.is_ascii_digit()));
        !joined_before && !joined_after
    })
}

fn doc(endpoint: Endpoint, value: &Value) -> Document {
    Document {
        endpoint,
        input: endpoint.file_name().to_owned(),
        bytes: serde_json::to_vec_pretty(value).unwrap(),
    }
}

/// Redacts one value with a fresh redactor.
fn redacted(value: Value) -> Value {
    let mut v = value;
    Redactor::new().redact_value(&mut v);
    v
}

/// Drops a deeply nested value without recursing (`Value`'s own drop recurses).
fn drop_iteratively(value: Value) {
    let mut stack = vec![value];
    while let Some(mut v) = stack.pop() {
        match &mut v {
            Value::Array(items) => stack.append(items),
            Value::Object(map) => stack.extend(std::mem::take(map).into_iter().map(|(_, x)| x)),
            _ => {}
        }
    }
}

// ----- 1. the recorded corpus -----

#[test]
fn every_recording_gets_the_same_verdict_and_keeps_no_secret() {
    let mut failures = Vec::new();
    let mut kinds = BTreeMap::new();
    let mut checked = 0;
    for rec in recordings() {
        let (r, redacted) = match same_verdict(&rec.docs, rec.profile, rec.version) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{}: {e}", rec.name));
                continue;
            }
        };
        if redacted.is_empty() {
            // Not JSON: the redactor refuses it just as the checker does.
            continue;
        }
        checked += 1;
        for (kind, n) in r.summary() {
            *kinds.entry(kind).or_insert(0) += n;
        }
        let texts: Vec<String> = redacted
            .iter()
            .map(|d| String::from_utf8(d.bytes.clone()).unwrap())
            .collect();
        let all = texts.join("\n");
        let lower = all.to_ascii_lowercase();
        let mut survivors = Vec::new();
        for (kind, secret, placeholder) in r.replacements() {
            assert_ne!(secret, placeholder, "{}: {kind} kept", rec.name);
            let survives = match kind {
                Kind::AccountId | Kind::ResourceId | Kind::Ec2Id => all.contains(&secret),
                Kind::Mac => lower.contains(&secret),
                Kind::Ipv4 => {
                    has_number_token(&all, &secret)
                        || has_number_token(&all, &format!("ip-{}", secret.replace('.', "-")))
                }
                // Checked below by discovering again.
                Kind::Ipv6 | Kind::ClusterName => false,
            };
            if survives {
                survivors.push(format!("{kind} {secret}"));
            }
        }
        // Whatever a fresh redactor finds in the redacted recording is a placeholder.
        let mut again = Redactor::new();
        again.redact_documents(&redacted).unwrap();
        let originals: Vec<(Kind, String)> = r
            .replacements()
            .into_iter()
            .map(|(k, s, _)| (k, s))
            .collect();
        for (kind, secret, _) in again.replacements() {
            if originals.contains(&(kind, secret.clone())) {
                survivors.push(format!("{kind} {secret} (found again)"));
            }
        }
        if !survivors.is_empty() {
            failures.push(format!("{}: secrets survive: {survivors:?}", rec.name));
        }
        // Everything redacted is reported, and nothing else changed.
        let expected_changed = !r.summary().is_empty();
        let changed = rec
            .docs
            .iter()
            .zip(&redacted)
            .any(|(a, b)| a.bytes != b.bytes);
        assert_eq!(changed, expected_changed, "{}", rec.name);
    }
    assert!(
        failures.is_empty(),
        "{} of {} recordings:\n{}",
        failures.len(),
        recordings().len(),
        failures.join("\n\n")
    );
    eprintln!(
        "redacted {checked} of {} recordings; secrets replaced: {kinds:?}",
        recordings().len()
    );
    assert!(checked >= 60, "only {checked} recordings could be redacted");
    for kind in Kind::ALL {
        assert!(
            kinds.get(&kind).is_some_and(|n| *n > 0),
            "the corpus exercises every kind, but no {kind} was replaced"
        );
    }
}

#[test]
fn a_document_that_is_not_json_is_refused_like_the_checker_refuses_it() {
    let rec = recordings()
        .iter()
        .find(|r| r.name == "awsdocs-site-mi-container-invalid-json")
        .expect("the corpus has a recording that is not JSON");
    let err = Redactor::new().redact_documents(&rec.docs).unwrap_err();
    match err {
        Error::Json {
            input,
            line,
            column,
            ..
        } => {
            assert_eq!(
                input,
                "awsdocs-site-mi-container-invalid-json/container.json"
            );
            assert_eq!((line, column), (6, 3));
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

// ----- 2. properties -----

fn account() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[0-9]{12}",
        1 => Just("000000000001".to_owned()),
        1 => Just("111122223333".to_owned()),
        1 => prop_oneof!["[0-9]{11}", Just("<account_id>".to_owned())],
    ]
}

fn cluster_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9_-]{1,16}",
        1 => Just("default".to_owned()),
        1 => Just("cluster-1".to_owned()),
        1 => Just("Name".to_owned()),
        1 => Just("RUNNING".to_owned()),
        1 => Just("a".to_owned()),
        1 => Just("my cluster".to_owned()),
        1 => Just("111122223333".to_owned()),
        1 => Just("fam".to_owned()),
    ]
}

fn task_id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[0-9a-f]{32}",
        2 => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        1 => Just("00000000000000000000000000000001".to_owned()),
        1 => prop_oneof!["[0-9A-F]{32}", "[0-9a-f]{31}"],
    ]
}

fn ipv4() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => any::<[u8; 4]>().prop_map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}")),
        1 => Just("0.0.0.0".to_owned()),
        1 => Just("127.0.0.1".to_owned()),
        1 => Just("169.254.170.2".to_owned()),
        1 => Just("192.0.2.1".to_owned()),
    ]
}

fn ipv6() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<u128>().prop_map(|a| Ipv6Addr::from(a).to_string()),
        1 => Just("::".to_owned()),
        1 => Just("2001:db8::1".to_owned()),
        1 => Just("2600:1f14:4ae8:400:7ca9:f2:a4c:8285".to_owned()),
    ]
}

fn mac() -> impl Strategy<Value = String> {
    (any::<[u8; 6]>(), any::<bool>()).prop_map(|(m, upper)| {
        let s: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
        let s = s.join(":");
        if upper {
            s.to_uppercase()
        } else {
            s
        }
    })
}

const REGIONS: [&str; 3] = ["us-west-2", "eu-central-1", "us-gov-west-1"];

/// Everything a generated task set is made of.
#[derive(Clone, Debug)]
struct Gen {
    task_account: String,
    cluster_account: String,
    image_account: String,
    cluster: String,
    label_cluster: String,
    arn_cluster: String,
    cluster_as_arn: bool,
    region: usize,
    az_region: usize,
    task_id: String,
    old_format: bool,
    launch: u8,
    v4: bool,
    names: Vec<String>,
    hex: Vec<String>,
    ips: Vec<String>,
    ip6: String,
    mac: String,
    prefix_len: u8,
    container_drift: u8,
    stats_keys: u8,
    tags: bool,
}

fn gen() -> impl Strategy<Value = Gen> {
    (
        (
            account(),
            prop_oneof![5 => Just(None), 1 => account().prop_map(Some)],
            account(),
        ),
        (
            cluster_name(),
            prop_oneof![6 => Just(None), 1 => cluster_name().prop_map(Some)],
            prop_oneof![6 => Just(None), 1 => cluster_name().prop_map(Some)],
            any::<bool>(),
        ),
        (
            0..REGIONS.len(),
            prop_oneof![6 => Just(None), 1 => (0..REGIONS.len()).prop_map(Some)],
        ),
        (task_id(), any::<bool>(), 0u8..3, any::<bool>()),
        proptest::collection::vec(
            (
                prop_oneof![
                    3 => "[a-z][a-z0-9_-]{0,10}",
                    1 => Just("~internal~ecs~pause".to_owned()),
                    1 => cluster_name(),
                ],
                "[0-9a-f]{64}",
                ipv4(),
            ),
            1..4,
        ),
        (ipv6(), mac(), 8u8..=28),
        (
            prop_oneof![6 => Just(0u8), 1 => 1u8..4],
            prop_oneof![6 => Just(0u8), 1 => 1u8..3],
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (task_account, cluster_account, image_account),
                (cluster, label, arn, cluster_as_arn),
                (region, az),
                (task_id, old_format, launch, v4),
                containers,
                (ip6, mac, prefix_len),
                (container_drift, stats_keys, tags),
            )| {
                let (names, rest): (Vec<_>, Vec<_>) = containers
                    .into_iter()
                    .map(|(n, h, ip)| (n, (h, ip)))
                    .unzip();
                let (hex, ips) = rest.into_iter().unzip();
                Gen {
                    cluster_account: cluster_account.unwrap_or_else(|| task_account.clone()),
                    task_account,
                    image_account,
                    label_cluster: label.unwrap_or_else(|| cluster.clone()),
                    arn_cluster: arn.unwrap_or_else(|| cluster.clone()),
                    cluster,
                    cluster_as_arn,
                    region,
                    az_region: az.unwrap_or(region),
                    task_id,
                    old_format,
                    launch,
                    v4,
                    names,
                    hex,
                    ips,
                    ip6,
                    mac,
                    prefix_len,
                    container_drift,
                    stats_keys,
                    tags,
                }
            },
        )
}

fn stats_template() -> &'static Value {
    static T: OnceLock<Value> = OnceLock::new();
    T.get_or_init(|| {
        let bytes = std::fs::read(root(
            "conformance/recorded/project-ec2-bridge-running/stats.json",
        ))
        .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    })
}

/// A task, its first container, that container's stats and the task stats, from `g`: coherent
/// unless `g` says otherwise (mismatched clusters, regions, accounts, keys, shapes).
fn build(g: &Gen) -> (Vec<Document>, Profile, ApiVersion) {
    let region = REGIONS[g.region];
    let fargate = g.launch == 2;
    // The agent labels containers with the task's Cluster, in the same form.
    let as_sent = |name: &str| {
        if g.cluster_as_arn {
            format!("arn:aws:ecs:{region}:{}:cluster/{name}", g.cluster_account)
        } else {
            name.to_owned()
        }
    };
    let cluster = as_sent(&g.cluster);
    let label_cluster = as_sent(&g.label_cluster);
    let task_arn = if g.old_format {
        format!("arn:aws:ecs:{region}:{}:task/{}", g.task_account, g.task_id)
    } else {
        format!(
            "arn:aws:ecs:{region}:{}:task/{}/{}",
            g.task_account, g.arn_cluster, g.task_id
        )
    };
    let (net, ip_net) = {
        let ip: std::net::Ipv4Addr = g.ips[0].parse().unwrap();
        let mask = u32::MAX << (32 - u32::from(g.prefix_len));
        (u32::from(ip) & mask, g.prefix_len)
    };
    let containers: Vec<Value> = g
        .names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let docker_id = if fargate {
                format!("{}-{:010}", g.task_id, 1_000_000_007u64 * (i as u64 + 1) % 10_000_000_000)
            } else {
                g.hex[i].clone()
            };
            let clean: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let docker_name = if fargate {
                name.clone()
            } else {
                format!("ecs-fam-3-{clean}-{}", &g.hex[i][..20])
            };
            let ip = &g.ips[i];
            let mut network = json!({
                "NetworkMode": "awsvpc",
                "IPv4Addresses": [ip],
                "IPv6Addresses": [g.ip6],
            });
            if g.v4 {
                let dashed = ip.replace('.', "-");
                let extra = json!({
                    "AttachmentIndex": 0,
                    "MACAddress": g.mac,
                    "IPv4SubnetCIDRBlock": format!("{}/{ip_net}", std::net::Ipv4Addr::from(net)),
                    "PrivateDNSName": format!("ip-{dashed}.{region}.compute.internal"),
                    "SubnetGatewayIpv4Address": format!("{}/{ip_net}", std::net::Ipv4Addr::from(net | 1)),
                });
                network
                    .as_object_mut()
                    .unwrap()
                    .extend(extra.as_object().unwrap().clone());
            }
            let mut c = json!({
                "DockerId": docker_id,
                "Name": name,
                "DockerName": docker_name,
                "Image": format!("{}.dkr.ecr.{region}.amazonaws.com/app:1", g.image_account),
                "ImageID": format!("sha256:{}", g.hex[i]),
                "Labels": {
                    "com.amazonaws.ecs.cluster": label_cluster,
                    "com.amazonaws.ecs.container-name": name,
                    "com.amazonaws.ecs.task-arn": task_arn,
                    "com.amazonaws.ecs.task-definition-family": "fam",
                    "com.amazonaws.ecs.task-definition-version": "3",
                },
                "DesiredStatus": "RUNNING",
                "KnownStatus": "RUNNING",
                "Limits": { "CPU": 256, "Memory": 512 },
                "CreatedAt": "2025-05-20T14:02:37.184512907Z",
                "StartedAt": "2025-05-20T14:02:37.642077351Z",
                "Type": "NORMAL",
                "Networks": [network],
            });
            if g.v4 {
                let o = c.as_object_mut().unwrap();
                o.insert("LogDriver".into(), json!("awslogs"));
                o.insert(
                    "LogOptions".into(),
                    json!({ "awslogs-stream": format!("ecs/{name}/{}", g.task_id) }),
                );
                o.insert(
                    "ContainerARN".into(),
                    json!(format!(
                        "arn:aws:ecs:{region}:{}:container/{}/{}/0206b271-b33f-47ab-86c6-a0ba208a70a{i}",
                        g.task_account, g.cluster, g.task_id
                    )),
                );
            }
            c
        })
        .collect();
    let mut task = json!({
        "Cluster": cluster,
        "TaskARN": task_arn,
        "Family": "fam",
        "Revision": "3",
        "DesiredStatus": "RUNNING",
        "KnownStatus": "RUNNING",
        "Containers": containers,
        "Limits": { "CPU": 0.5, "Memory": 1024 },
        "AvailabilityZone": format!("{}a", REGIONS[g.az_region]),
    });
    if g.tags {
        task["TaskTags"] = json!({
            "aws:ecs:clusterName": g.cluster,
            "Name": format!("ip-{}", g.ips[0].replace('.', "-")),
            "owner": format!("arn:aws:iam::{}:role/deployer", g.cluster_account),
        });
    }
    if g.v4 {
        task["VPCID"] = json!("vpc-0839c743edb0c009e");
        task["LaunchType"] = json!(if fargate { "FARGATE" } else { "EC2" });
    }
    let mut container = task["Containers"][0].clone();
    match g.container_drift {
        1 => {
            container["Image"] = json!(format!(
                "{}.dkr.ecr.{region}.amazonaws.com/app:1",
                g.task_account
            ))
        }
        2 => container["Labels"]["com.amazonaws.ecs.cluster"] = json!(g.cluster),
        3 => container["Networks"][0]["IPv4Addresses"][0] = json!(g.ips[g.ips.len() - 1]),
        _ => {}
    }
    let docker_ids: Vec<String> = task["Containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["DockerId"].as_str().unwrap().to_owned())
        .collect();
    let stats_for = |id: &str, name: &str| {
        let mut s = stats_template().clone();
        s["id"] = json!(id);
        s["name"] = json!(if fargate {
            name.to_owned()
        } else {
            format!("/{name}")
        });
        s
    };
    let stats = stats_for(&docker_ids[0], container["DockerName"].as_str().unwrap());
    let mut task_stats = serde_json::Map::new();
    for (i, id) in docker_ids.iter().enumerate() {
        if g.stats_keys == 1 && i == 0 && docker_ids.len() > 1 {
            continue;
        }
        let dn = task["Containers"][i]["DockerName"]
            .as_str()
            .unwrap()
            .to_owned();
        task_stats.insert(id.clone(), stats_for(id, &dn));
    }
    if g.stats_keys == 2 {
        let stranger = format!("{}-0000000001", g.task_id);
        task_stats.insert(stranger.clone(), stats_for(&stranger, "stranger"));
    }
    let profile = match g.launch {
        1 => Profile {
            launch_type: Some(LaunchType::Ec2),
            platform_version: None,
            os: Some(Os::Linux),
        },
        2 => Profile {
            launch_type: Some(LaunchType::Fargate),
            platform_version: Some(PlatformVersion(1, 4, 0)),
            os: Some(Os::Linux),
        },
        _ => Profile::default(),
    };
    let docs = vec![
        doc(Endpoint::Container, &container),
        doc(Endpoint::Task, &task),
        doc(Endpoint::Stats, &stats),
        doc(Endpoint::TaskStats, &Value::Object(task_stats)),
    ];
    let version = if g.v4 { ApiVersion::V4 } else { ApiVersion::V3 };
    (docs, profile, version)
}

/// Strings with secrets in them, to put anywhere in a recorded document.
fn secretish() -> impl Strategy<Value = String> {
    let one = prop_oneof![
        (account(), 0..REGIONS.len(), cluster_name(), task_id())
            .prop_map(|(a, r, c, t)| { format!("arn:aws:ecs:{}:{a}:task/{c}/{t}", REGIONS[r]) }),
        (account(), cluster_name())
            .prop_map(|(a, c)| format!("arn:aws:ecs:us-west-2:{a}:cluster/{c}")),
        (account(), task_id()).prop_map(|(a, t)| format!("arn:aws:ecs:us-west-2:{a}:task/{t}")),
        account().prop_map(|a| format!("arn:aws:iam::{a}:role/app")),
        account().prop_map(|a| format!("{a}.dkr.ecr.us-west-2.amazonaws.com/app")),
        ipv4(),
        (ipv4(), 0u8..=32).prop_map(|(ip, n)| format!("{ip}/{n}")),
        ipv4().prop_map(|ip| format!("ip-{}.ec2.internal", ip.replace('.', "-"))),
        ipv6(),
        mac(),
        task_id().prop_map(|t| format!("{t}-1234567890")),
        cluster_name(),
        "[ -~]{0,24}",
        "[0-9a-f:.]{2,20}",
    ];
    (one.clone(), proptest::option::of(one)).prop_map(|(a, b)| match b {
        Some(b) => format!("{a} {b}"),
        None => a,
    })
}

/// JSON Pointers of every string value of `v`.
fn string_leaves(v: &Value, here: &str, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(here.to_owned()),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                string_leaves(x, &format!("{here}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                let token = k.replace('~', "~0").replace('/', "~1");
                string_leaves(x, &format!("{here}/{token}"), out);
            }
        }
        _ => {}
    }
}

/// Recordings whose documents are all JSON, parsed.
fn parsed_recordings() -> &'static [(usize, Vec<Value>)] {
    static P: OnceLock<Vec<(usize, Vec<Value>)>> = OnceLock::new();
    P.get_or_init(|| {
        recordings()
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let values: Option<Vec<Value>> = r
                    .docs
                    .iter()
                    .map(|d| serde_json::from_slice(ecs_tmde::decode::strip_bom(&d.bytes)).ok())
                    .collect();
                values.map(|v| (i, v))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// check(redact(r)) == check(r) for generated task sets, coherent or not.
    #[test]
    fn generated_task_sets_get_the_same_verdict(g in gen()) {
        let (docs, profile, version) = build(&g);
        if let Err(e) = same_verdict(&docs, profile, version) {
            return Err(TestCaseError::fail(e));
        }
    }

    /// check(redact(r)) == check(r) for recorded documents with secrets put in random places.
    #[test]
    fn mutated_recordings_get_the_same_verdict(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<prop::sample::Index>(), secretish()),
            1..5,
        ),
    ) {
        let (rec_index, values) = pick.get(parsed_recordings());
        let rec = &recordings()[*rec_index];
        let mut values = values.clone();
        for (doc_pick, leaf_pick, text) in &edits {
            let d = doc_pick.index(values.len());
            let mut leaves = Vec::new();
            string_leaves(&values[d], "", &mut leaves);
            if leaves.is_empty() {
                continue;
            }
            let ptr = leaf_pick.get(&leaves);
            *values[d].pointer_mut(ptr).unwrap() = json!(text);
        }
        let docs: Vec<Document> = rec
            .docs
            .iter()
            .zip(&values)
            .map(|(d, v)| doc(d.endpoint, v))
            .collect();
        if let Err(e) = same_verdict(&docs, rec.profile, rec.version) {
            return Err(TestCaseError::fail(format!("{}: {e}", rec.name)));
        }
    }

    /// The value and bytes interfaces redact alike, and any string is safe to redact.
    #[test]
    fn values_and_bytes_redact_alike(texts in proptest::collection::vec(secretish(), 1..6)) {
        let value = json!({ "Cluster": texts[0], "TaskARN": texts.last(), "Labels": texts, "x": { "y": [texts[0]] } });
        let bytes = serde_json::to_vec(&value).unwrap();
        let from_bytes = Redactor::new().redact_bytes("doc", &bytes).unwrap();
        let from_bytes: Value = serde_json::from_slice(&from_bytes).unwrap();
        prop_assert_eq!(from_bytes, redacted(value));
    }
}

// ----- 3. consistency -----

#[test]
fn two_redactors_give_identical_bytes() {
    for rec in recordings() {
        let a = Redactor::new().redact_documents(&rec.docs);
        let b = Redactor::new().redact_documents(&rec.docs);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                for (x, y) in a.iter().zip(&b) {
                    assert_eq!(x.bytes, y.bytes, "{}", x.input);
                }
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{}: redacted once but not twice", rec.name),
        }
    }
}

#[test]
fn the_value_interface_agrees_with_the_bytes_interface_on_the_corpus() {
    for (i, values) in parsed_recordings() {
        let rec = &recordings()[*i];
        let mut by_bytes = Redactor::new();
        let mut by_value = Redactor::new();
        for (d, v) in rec.docs.iter().zip(values) {
            let bytes = by_bytes.redact_bytes(&d.input, &d.bytes).unwrap();
            let from_bytes: Value =
                serde_json::from_slice(ecs_tmde::decode::strip_bom(&bytes)).unwrap();
            let mut v = v.clone();
            by_value.redact_value(&mut v);
            assert_eq!(from_bytes, v, "{}", d.input);
        }
        assert_eq!(by_bytes.summary(), by_value.summary(), "{}", rec.name);
    }
}

#[test]
fn the_same_secret_gets_the_same_placeholder_in_every_document() {
    let arn = "arn:aws:ecs:us-west-2:111122223333:task/prod/0123456789abcdef0123456789abcdef";
    let task = json!({ "Cluster": "prod", "TaskARN": arn, "X": "10.1.2.3" });
    let container = json!({
        "DockerId": "0123456789abcdef0123456789abcdef-1234567890",
        "Labels": { "com.amazonaws.ecs.task-arn": arn, "com.amazonaws.ecs.cluster": "prod" },
        "Networks": [{ "IPv4Addresses": ["10.1.2.3"], "PrivateDNSName": "ip-10-1-2-3.ec2.internal" }],
    });
    let task_stats = json!({ "0123456789abcdef0123456789abcdef-1234567890": null });
    let docs = [
        doc(Endpoint::Task, &task),
        doc(Endpoint::Container, &container),
        doc(Endpoint::TaskStats, &task_stats),
    ];
    let out = Redactor::new().redact_documents(&docs).unwrap();
    let v: Vec<Value> = out
        .iter()
        .map(|d| serde_json::from_slice(&d.bytes).unwrap())
        .collect();
    let new_arn = v[0]["TaskARN"].as_str().unwrap();
    assert_eq!(
        new_arn,
        "arn:aws:ecs:us-west-2:000000000001:task/cluster-1/00000000000000000000000000000001"
    );
    assert_eq!(v[1]["Labels"]["com.amazonaws.ecs.task-arn"], json!(new_arn));
    assert_eq!(v[1]["Labels"]["com.amazonaws.ecs.cluster"], v[0]["Cluster"]);
    assert_eq!(v[0]["Cluster"], json!("cluster-1"));
    assert_eq!(v[0]["X"], v[1]["Networks"][0]["IPv4Addresses"][0]);
    assert_eq!(
        v[1]["Networks"][0]["PrivateDNSName"],
        json!("ip-192-0-2-1.ec2.internal")
    );
    let docker_id = v[1]["DockerId"].as_str().unwrap();
    assert_eq!(docker_id, "00000000000000000000000000000001-1234567890");
    assert!(
        v[2].get(docker_id).is_some(),
        "task-stats key follows the DockerId: {}",
        v[2]
    );

    // The same, one document at a time with one redactor.
    let mut r = Redactor::new();
    let one: Vec<Value> = docs
        .iter()
        .map(|d| serde_json::from_slice(&r.redact_bytes(&d.input, &d.bytes).unwrap()).unwrap())
        .collect();
    assert_eq!(one, v);
}

#[test]
fn different_secrets_get_different_placeholders() {
    let v = redacted(json!({
        "a": "arn:aws:ecs:us-west-2:111122223333:cluster/one",
        "b": "arn:aws:ecs:us-west-2:444455556666:cluster/two",
        "c": ["10.0.0.1", "10.0.0.2", "2600::1", "2600::2", "0a:00:00:00:00:01", "0a:00:00:00:00:02"],
        "d": ["vpc-0123abcd", "vpc-0123abce"],
    }));
    assert_eq!(
        v["a"],
        json!("arn:aws:ecs:us-west-2:000000000001:cluster/cluster-1")
    );
    assert_eq!(
        v["b"],
        json!("arn:aws:ecs:us-west-2:000000000002:cluster/cluster-2")
    );
    assert_eq!(
        v["c"],
        json!([
            "192.0.2.1",
            "192.0.2.2",
            "2001:db8::1",
            "2001:db8::2",
            "02:00:00:00:00:01",
            "02:00:00:00:00:02"
        ])
    );
    assert_eq!(v["d"], json!(["vpc-00000001", "vpc-00000002"]));
}

#[test]
fn placeholders_never_collide_with_values_of_the_input() {
    // The input already holds values that look like the first placeholders.
    let v = redacted(json!({
        "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/cluster-1/0123456789abcdef0123456789abcdef",
        "Cluster": "default",
        "Other": "arn:aws:ecs:us-west-2:000000000001:cluster/cluster-1",
        "Bare": ["000000000002", "00000000000000000000000000000001", "192.0.2.1", "2001:db8::1"],
        "Ips": ["10.0.0.1", "2600::1"],
    }));
    let text = v.to_string();
    // Each distinct input value has its own placeholder.
    assert_eq!(
        v["Bare"][0],
        json!("000000000002"),
        "a bare number is no account: kept"
    );
    assert_eq!(
        v["Bare"][1],
        json!("00000000000000000000000000000001"),
        "a bare hex string is no task id: kept"
    );
    let task_arn = v["TaskARN"].as_str().unwrap();
    assert!(!task_arn.contains(":000000000002:"), "{task_arn}");
    assert!(
        !task_arn.contains("/00000000000000000000000000000001"),
        "{task_arn}"
    );
    assert_ne!(v["Cluster"], json!("cluster-1"), "{text}");
    assert_ne!(v["Ips"][0], v["Bare"][2], "{text}");
    assert_ne!(v["Ips"][1], v["Bare"][3], "{text}");
    assert_ne!(
        v["Bare"][2],
        json!("192.0.2.1"),
        "documentation addresses are redacted too"
    );
}

// ----- 4. each kind, and hostile input -----

#[test]
fn arns_of_every_format() {
    let v = redacted(json!({
        "new": "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
        "old": "arn:aws:ecs:us-east-2:012345678910:task/9781c248-0edd-4cdb-9a93-f63cb662a5d3",
        "instance": "arn:aws:ecs:us-west-2:111122223333:container-instance/default/2dd1b186f39845a584488d2ef155c131",
        "container": "arn:aws:ecs:us-west-2:111122223333:container/default/158d1c8083dd49d6b527399fd6414f5c/a1241647-2e14-4653-bcbf-ecad62209a2c",
        "taskdef": "arn:aws:ecs:us-west-2:111122223333:task-definition/web-app:27",
        "role": "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
        "cn": "arn:aws-cn:ecs:cn-north-1:111122223333:cluster/default",
        "text": "User: arn:aws:sts::111122223333:assumed-role/ecsInstanceRole/i-0744a608689abcdef is not authorized on resource: arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c.",
        "malformed": "arn:aws:ecs:us-west-2:<account_id>:task/default/158d1c8083dd49d6b527399fd6414f5c",
        "image": "111122223333.dkr.ecr.us-west-2.amazonaws.com/storefront-app:1.9.0",
        "stream": "ecs/app/158d1c8083dd49d6b527399fd6414f5c",
    }));
    let task = "00000000000000000000000000000001";
    assert_eq!(
        v["new"],
        json!(format!(
            "arn:aws:ecs:us-west-2:000000000001:task/cluster-1/{task}"
        ))
    );
    assert_eq!(
        v["old"],
        json!("arn:aws:ecs:us-east-2:000000000002:task/00000000-0000-0000-0000-000000000001")
    );
    assert_eq!(
        v["instance"],
        json!("arn:aws:ecs:us-west-2:000000000001:container-instance/cluster-1/00000000000000000000000000000002")
    );
    assert_eq!(
        v["container"],
        json!(format!("arn:aws:ecs:us-west-2:000000000001:container/cluster-1/{task}/00000000-0000-0000-0000-000000000002"))
    );
    assert_eq!(
        v["taskdef"],
        json!("arn:aws:ecs:us-west-2:000000000001:task-definition/web-app:27")
    );
    assert_eq!(
        v["role"],
        json!("arn:aws:iam::000000000001:role/ecsTaskExecutionRole")
    );
    assert_eq!(
        v["cn"],
        json!("arn:aws-cn:ecs:cn-north-1:000000000001:cluster/cluster-1")
    );
    assert_eq!(
        v["text"],
        json!(format!("User: arn:aws:sts::000000000001:assumed-role/ecsInstanceRole/i-00000000000000001 is not authorized on resource: arn:aws:ecs:us-west-2:000000000001:task/cluster-1/{task}."))
    );
    // A malformed ARN stays malformed; its cluster and id are still replaced.
    assert_eq!(
        v["malformed"],
        json!(format!(
            "arn:aws:ecs:us-west-2:<account_id>:task/cluster-1/{task}"
        ))
    );
    assert_eq!(
        v["image"],
        json!("000000000001.dkr.ecr.us-west-2.amazonaws.com/storefront-app:1.9.0")
    );
    assert_eq!(v["stream"], json!(format!("ecs/app/{task}")));
}

#[test]
fn cluster_as_name_and_as_arn() {
    let v = redacted(json!({
        "Cluster": "web-ec2",
        "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/web-ec2/b9178ce7715e62cf0013041003419e2d",
        "TaskTags": { "aws:ecs:clusterName": "web-ec2", "team": "web-ec2" },
        "Family": "web-ec2",
    }));
    assert_eq!(v["Cluster"], json!("cluster-1"));
    assert!(v["TaskARN"].as_str().unwrap().contains("/cluster-1/"));
    assert_eq!(v["TaskTags"]["aws:ecs:clusterName"], json!("cluster-1"));
    // Where the word is not a cluster name, it is kept: families are not secret.
    assert_eq!(v["TaskTags"]["team"], json!("web-ec2"));
    assert_eq!(v["Family"], json!("web-ec2"));

    let v = redacted(json!({
        "Cluster": "arn:aws:ecs:us-west-2:111122223333:cluster/default",
        "Labels": { "com.amazonaws.ecs.cluster": "arn:aws:ecs:us-west-2:111122223333:cluster/default" },
        "NetworkMode": "default",
    }));
    assert_eq!(
        v["Cluster"],
        json!("arn:aws:ecs:us-west-2:000000000001:cluster/cluster-1")
    );
    assert_eq!(v["Labels"]["com.amazonaws.ecs.cluster"], v["Cluster"]);
    assert_eq!(v["NetworkMode"], json!("default"));

    // Not a cluster name: kept as it is, so arn-shape still reports it.
    let v = redacted(json!({ "Cluster": "my cluster" }));
    assert_eq!(v["Cluster"], json!("my cluster"));
}

#[test]
fn ipv4_addresses_cidrs_and_host_names() {
    let v = redacted(json!({
        "IPv4Addresses": ["10.0.2.106", ""],
        "IPv4SubnetCIDRBlock": "10.0.2.0/24",
        "SubnetGatewayIpv4Address": "10.0.2.1/24",
        "PrivateDNSName": "ip-10-0-2-106.us-west-2.compute.internal",
        "Hosts": ["ip-10-0-0-1.ec2.internal", "http://10.0.2.106:8080/x", "10.0.2.106."],
        "Kept": ["0.0.0.0", "127.0.0.1", "169.254.170.2", "169.254.169.254", "255.255.255.255"],
        "NotAddresses": ["1.2.3.4.5", "3.3.1802.0", "10.0.0.01", "1.2.3", "2025-05-20T14:02:37.184Z"],
        "DomainNameSearchList": ["us-west-2.compute.internal"],
        "AvailabilityZone": "us-west-2a",
    }));
    assert_eq!(v["IPv4Addresses"], json!(["192.0.2.1", ""]));
    assert_eq!(v["IPv4SubnetCIDRBlock"], json!("192.0.2.2/24"));
    assert_eq!(v["SubnetGatewayIpv4Address"], json!("192.0.2.3/24"));
    assert_eq!(
        v["PrivateDNSName"],
        json!("ip-192-0-2-1.us-west-2.compute.internal")
    );
    assert_eq!(
        v["Hosts"],
        json!([
            "ip-192-0-2-4.ec2.internal",
            "http://192.0.2.1:8080/x",
            "192.0.2.1."
        ])
    );
    assert_eq!(
        v["Kept"],
        json!([
            "0.0.0.0",
            "127.0.0.1",
            "169.254.170.2",
            "169.254.169.254",
            "255.255.255.255"
        ])
    );
    assert_eq!(
        v["NotAddresses"],
        json!([
            "1.2.3.4.5",
            "3.3.1802.0",
            "10.0.0.01",
            "1.2.3",
            "2025-05-20T14:02:37.184Z"
        ])
    );
    assert_eq!(
        v["DomainNameSearchList"],
        json!(["us-west-2.compute.internal"])
    );
    assert_eq!(v["AvailabilityZone"], json!("us-west-2a"));
}

#[test]
fn ipv6_and_mac_addresses() {
    let v = redacted(json!({
        "IPv6Addresses": ["2600:1f18:4ae8:400:7ca9:f2:a4c:8285", "2001:dB8:10b:1a00:32bf:a372:d80f:e958"],
        "IPv6SubnetCIDRBlock": "2600:1f18:4ae8:400::/64",
        "Same": "2600:1F18:4AE8:400:7CA9:F2:A4C:8285",
        "HostIp": "::",
        "Loopback": "::1",
        "MACAddress": "0a:62:17:7a:36:68",
        "Upper": "0A:62:17:7A:36:68",
        "Kept": ["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"],
        "NotAddresses": ["14:02:37", "2025-05-20T14:02:37.18Z", "sha256:18fed5336bb9bc0ae5f2709806798e9aac2f5dd72560c5c4ebafe4980ddccdb0"],
    }));
    assert_eq!(v["IPv6Addresses"], json!(["2001:db8::1", "2001:db8::2"]));
    assert_eq!(v["IPv6SubnetCIDRBlock"], json!("2001:db8::3/64"));
    assert_eq!(
        v["Same"],
        json!("2001:db8::1"),
        "the same address in another spelling"
    );
    assert_eq!(v["HostIp"], json!("::"));
    assert_eq!(v["Loopback"], json!("::1"));
    assert_eq!(v["MACAddress"], json!("02:00:00:00:00:01"));
    assert_eq!(v["Upper"], json!("02:00:00:00:00:01".to_uppercase()));
    assert_eq!(v["Kept"], json!(["00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"]));
    assert_eq!(
        v["NotAddresses"],
        json!([
            "14:02:37",
            "2025-05-20T14:02:37.18Z",
            "sha256:18fed5336bb9bc0ae5f2709806798e9aac2f5dd72560c5c4ebafe4980ddccdb0"
        ])
    );
}

#[test]
fn what_is_kept() {
    let original = json!({
        "Cluster": "default",
        "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
        "Family": "default",
        "Revision": "111122223333",
        "AvailabilityZone": "us-west-2a",
        "Containers": [{
            "DockerId": "45eff16967f578ca99cc40be766eff36d35e02796247ddf463418c6d6281fd2f",
            "Name": "ip-10-0-0-1",
            "DockerName": "ecs-default-111122223333-ip-10-0-0-1-f292fae0b4c8f7ff2500",
            "Image": "public.ecr.aws/nginx/nginx:1.27",
            "ImageID": "sha256:18fed5336bb9bc0ae5f2709806798e9aac2f5dd72560c5c4ebafe4980ddccdb0",
            "Labels": {
                "com.amazonaws.ecs.container-name": "ip-10-0-0-1",
                "com.amazonaws.ecs.task-definition-family": "default",
                "com.amazonaws.ecs.task-definition-version": "111122223333",
                "Name": "ip-10-0-0-1",
            },
            "CreatedAt": "2025-05-20T14:02:37.184512907Z",
            "Limits": { "CPU": 1.0, "Memory": 512 },
        }],
    });
    let v = redacted(original.clone());
    for ptr in [
        "/Family",
        "/Revision",
        "/AvailabilityZone",
        "/Containers/0/DockerId",
        "/Containers/0/Name",
        "/Containers/0/DockerName",
        "/Containers/0/Image",
        "/Containers/0/ImageID",
        "/Containers/0/Labels/com.amazonaws.ecs.container-name",
        "/Containers/0/Labels/com.amazonaws.ecs.task-definition-family",
        "/Containers/0/Labels/com.amazonaws.ecs.task-definition-version",
        "/Containers/0/CreatedAt",
        "/Containers/0/Limits",
    ] {
        assert_eq!(v.pointer(ptr), original.pointer(ptr), "{ptr}");
    }
    // A label called Name is user data, not the container's name.
    assert_eq!(v["Containers"][0]["Labels"]["Name"], json!("ip-192-0-2-1"));
    // Bytes outside redacted strings are kept as they are: layout, number spelling.
    let bytes = b"{\n  \"CPU\": 1.0,   \"Memory\":5.12e2,\n  \"ip\": \"10.0.0.1\", \"s\": \"caf\\u00e9\" }\n";
    let out = Redactor::new().redact_bytes("doc", bytes).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "{\n  \"CPU\": 1.0,   \"Memory\":5.12e2,\n  \"ip\": \"192.0.2.1\", \"s\": \"caf\\u00e9\" }\n"
    );
}

#[test]
fn summary_counts_kinds_and_never_shows_a_secret() {
    let mut r = Redactor::new();
    assert_eq!(r.summary_line(), "nothing to redact");
    r.redact_value(&mut json!({
        "TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c",
        "Networks": ["10.0.0.1", "10.0.0.2", "0a:62:17:7a:36:68"],
    }));
    assert_eq!(
        r.summary(),
        vec![
            (Kind::AccountId, 1),
            (Kind::ResourceId, 1),
            (Kind::ClusterName, 1),
            (Kind::Ipv4, 2),
            (Kind::Mac, 1),
        ]
    );
    assert_eq!(
        r.summary_line(),
        "redacted 1 account id, 1 resource id, 1 cluster name, 2 IPv4 addresses, 1 MAC address"
    );
    let debug = format!("{r:?}");
    for secret in ["111122223333", "default", "10.0.0.1", "0a:62", "158d1c80"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn input_that_is_not_json_is_an_error_naming_it() {
    let mut r = Redactor::new();
    for (bytes, line, column) in [
        (&b"{\n  \"a\": 1,\n  \"b\" 2\n}"[..], 3, 7),
        (b"", 1, 0),
        (b"{\"a\": \"unterminated", 1, 19),
        (b"{} trailing", 1, 4),
        (b"\xff\xfe", 1, 1),
    ] {
        match r.redact_bytes("task.json", bytes) {
            Err(Error::Json {
                input,
                line: l,
                column: c,
                ..
            }) => {
                assert_eq!(input, "task.json");
                assert_eq!(
                    (l, c),
                    (line, column),
                    "{:?}",
                    String::from_utf8_lossy(bytes)
                );
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bytes)),
        }
    }
    let err = r
        .redact_bytes("task.json", b"{\n  \"a\": 1,\n  \"b\" 2\n}")
        .unwrap_err();
    assert!(
        err.to_string().starts_with("task.json:3:7: not valid JSON"),
        "{err}"
    );
}

#[test]
fn hostile_input_does_not_panic() {
    let mut r = Redactor::new();
    // Deeper than the JSON parser allows: an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    assert!(r.redact_bytes("deep", deep.as_bytes()).is_err());
    // Deep values built in memory are walked without recursion.
    let mut v = json!("arn:aws:ecs:us-west-2:111122223333:cluster/x");
    for _ in 0..100_000 {
        let mut map = serde_json::Map::new();
        map.insert("Cluster".to_owned(), Value::Array(vec![v]));
        v = Value::Object(map);
    }
    r.redact_value(&mut v);
    let mut inner = &v;
    while let Some(x) = inner.get("Cluster") {
        inner = &x[0];
    }
    assert_eq!(
        inner,
        &json!("arn:aws:ecs:us-west-2:000000000001:cluster/cluster-1")
    );
    drop_iteratively(v);
    // Huge strings of every shape the scanners look at, and non-ASCII around secrets: linear
    // time, no panic, valid JSON out.
    let pieces = [
        "0123456789",
        "abcdef",
        "::",
        "1.2.3.4.",
        "ip-1-2-3-4",
        "arn:aws:ecs:us-west-2:111122223333:task/",
        "é",
        "/",
        "-",
        "\u{1F600}",
        "vpc-",
        "0a:0b:0c:0d:0e:0f",
    ];
    let mut big = String::new();
    let mut k = 7usize;
    while big.len() < 4_000_000 {
        k = k.wrapping_mul(2_654_435_761).wrapping_add(1);
        big.push_str(pieces[k % pieces.len()]);
    }
    let start = std::time::Instant::now();
    let doc = json!({ "a": big, big.clone(): ["é111122223333é", "ü10.0.0.1ü", "\u{0}"] });
    let out = r
        .redact_bytes("big", &serde_json::to_vec(&doc).unwrap())
        .unwrap();
    let back: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(back.as_object().unwrap().len(), 2);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(60),
        "took {:?}",
        start.elapsed()
    );
    // Odd JSON: escapes, non-ASCII keys, every scalar, an empty key.
    let mut r = Redactor::new();
    let odd =
        "\u{feff}{\"k\\\"ey\":\"a\\nb\\u0000 10.0.0.1\",\"ü\":[null,true,1e400,-0,{}],\"\":\"\"}";
    let err_or_ok = r.redact_bytes("odd", odd.as_bytes());
    // 1e400 is out of range for the parser, as for the checker.
    assert!(err_or_ok.is_err());
    let odd =
        "\u{feff}{\"k\\\"ey\":\"a\\nb\\u0000 10.0.0.1\",\"ü\":[null,true,1e300,-0,{}],\"\":\"\"}";
    let out = r.redact_bytes("odd", odd.as_bytes()).unwrap();
    assert!(
        out.starts_with("\u{feff}".as_bytes()),
        "the byte order mark is kept"
    );
    let back: Value = serde_json::from_slice(ecs_tmde::decode::strip_bom(&out)).unwrap();
    assert_eq!(back["k\"ey"], json!("a\nb\u{0} 192.0.2.1"));
    assert_eq!(r.redact_bytes("null", b"null").unwrap(), b"null");
    assert_eq!(
        r.redact_bytes("s", b"\"10.0.0.1\"").unwrap(),
        b"\"192.0.2.1\""
    );
}
