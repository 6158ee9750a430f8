//! The mock endpoint: faithful HTTP behaviour, every scenario passes the checker at every
//! point of its life, and every fault breaks exactly the rule it names.

use std::collections::BTreeSet;
use std::time::Duration;

use ecs_tmde::check::live::{self, LiveOptions, WatchOptions};
use ecs_tmde::check::ApiVersion;
use ecs_tmde::check::{Options, Report};
use ecs_tmde::client::{Client, ClientOptions};
use ecs_tmde::mock::{self, faults::Break, Fault, MockOptions, Scenario, Start, FAULTS};
use ecs_tmde::rules::{self, Follows, Needs, Severity};

use crate::support::findings_text;

fn fast() -> ClientOptions {
    ClientOptions {
        max_requests_per_second: 1000.0,
        retry_delay: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

fn live(probe_errors: bool) -> LiveOptions {
    LiveOptions {
        client: fast(),
        with_tags: false,
        probe_errors,
    }
}

fn options(scenario: &Scenario) -> Options {
    Options {
        profile: scenario.profile(),
        ..Options::default()
    }
}

/// Checks the first container's endpoint of a mock serving `scenario`; with `polls` > 1 as a
/// watch.
async fn check_mock(
    scenario: Scenario,
    opts: MockOptions,
    probe_errors: bool,
    polls: u32,
) -> Report {
    check_mock_version(scenario, opts, probe_errors, polls, ApiVersion::V3).await
}

async fn check_mock_version(
    scenario: Scenario,
    opts: MockOptions,
    probe_errors: bool,
    polls: u32,
    version: ApiVersion,
) -> Report {
    let server = mock::Server::start(scenario.clone(), opts)
        .await
        .expect("mock starts");
    let url = match version {
        ApiVersion::V3 => server.container_uri(0),
        ApiVersion::V4 => server.container_uri_v4(0),
    };
    let report = if polls <= 1 {
        live::check_url(&url, &live(probe_errors), &options(&scenario)).await
    } else {
        let watch = WatchOptions {
            interval: Duration::from_millis(5),
            duration: None,
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut tx = Some(tx);
        let r = live::watch(
            &url,
            &live(probe_errors),
            &options(&scenario),
            &watch,
            async {
                let _ = rx.await;
            },
            |p| {
                if p.polls >= u64::from(polls) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(());
                    }
                }
            },
        )
        .await;
        r
    };
    server.shutdown().await;
    report.expect("the mock can be checked")
}

/// Rules reported at warning or error severity, except the warnings of rules that follow
/// the documentation where real agents are known to deviate (the mock deviates as they do).
fn failing(report: &Report) -> BTreeSet<&'static str> {
    report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .filter(|f| {
            f.severity == Severity::Error
                || rules::find(f.rule).is_none_or(|r| r.follows != Follows::Documentation)
        })
        .map(|f| f.rule)
        .collect()
}

fn frozen(start: Start) -> MockOptions {
    MockOptions {
        start,
        frozen: true,
        ..MockOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_settled_and_late_with_probes() {
    let mut problems = Vec::new();
    for (name, _) in mock::scenario::BUILTIN {
        for start in [Start::Settled, Start::Late] {
            let scenario = Scenario::builtin(name).unwrap();
            let report = check_mock(scenario, frozen(start), true, 1).await;
            if !report.findings.is_empty() || report.checked.len() != 4 {
                problems.push(format!("{name} at {start:?}:\n{}", findings_text(&report)));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_container_endpoint_of_every_scenario_passes() {
    let mut problems = Vec::new();
    for (name, _) in mock::scenario::BUILTIN {
        let scenario = Scenario::builtin(name).unwrap();
        let server = mock::Server::start(scenario.clone(), frozen(Start::Late))
            .await
            .unwrap();
        for i in 0..server.mock().endpoints().len() {
            let url = server.container_uri(i);
            let report = live::check_url(&url, &live(false), &options(&scenario))
                .await
                .unwrap();
            // An exited container has no stats: the agent answers 400, which is the
            // expected http-status-not-ok for that container's /stats.
            let unexpected: Vec<_> = report
                .findings
                .iter()
                .filter(|f| {
                    !(f.rule == "http-status-not-ok"
                        && f.endpoint == ecs_tmde::Endpoint::Stats
                        && f.message.contains("Unable to get container stats"))
                })
                .collect();
            if !unexpected.is_empty() {
                problems.push(format!("{name} container {i}:\n{}", findings_text(&report)));
            }
        }
        server.shutdown().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_through_the_task_life_finds_nothing() {
    // From the moment the first container is created (its endpoint id starts answering) to
    // after the short-lived container exits, at 20x speed.
    for (name, v4) in [
        ("fargate-linux-1.4", false),
        ("ec2-bridge", false),
        ("ec2-awsvpc", false),
        ("fargate-linux-1.4", true),
        ("ec2-awsvpc", true),
    ] {
        let scenario = Scenario::builtin(name).unwrap();
        let world = mock::world::World::new(scenario.clone(), 1, 0);
        let first = world
            .containers
            .iter()
            .find(|c| c.kind == mock::world::Kind::Normal)
            .unwrap();
        let start = (first.created as f64) / 1e9 + 0.001;
        let opts = MockOptions {
            start: Start::At(start),
            speed: 20.0,
            ..MockOptions::default()
        };
        let server = mock::Server::start(scenario.clone(), opts).await.unwrap();
        let url = if v4 {
            server.container_uri_v4(0)
        } else {
            server.container_uri(0)
        };
        let watch = WatchOptions {
            interval: Duration::from_millis(100),
            duration: Some(Duration::from_millis(2500)),
        };
        let report = live::watch(
            &url,
            &live(false),
            &options(&scenario),
            &watch,
            std::future::pending(),
            |_| {},
        )
        .await
        .unwrap();
        server.shutdown().await;
        assert!(report.polls >= 5, "{name}: only {} polls", report.polls);
        assert!(
            failing(&report).is_empty(),
            "{name} (v4: {v4}):\n{}",
            findings_text(&report)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes_on_v4_and_answers_unknown_ids_with_404() {
    let mut problems = Vec::new();
    for (name, _) in mock::scenario::BUILTIN {
        let scenario = Scenario::builtin(name).unwrap();
        let server = mock::Server::start(scenario.clone(), frozen(Start::Late))
            .await
            .unwrap();
        let url = server.container_uri_v4(0);
        let report = live::check_url(&url, &live(true), &options(&scenario))
            .await
            .unwrap();
        assert_eq!(report.version, ApiVersion::V4);
        if !failing(&report).is_empty() {
            problems.push(format!("{name} v4:\n{}", findings_text(&report)));
        }
        let task: serde_json::Value =
            serde_json::from_str(&raw(&format!("{url}/task")).await.2).unwrap();
        assert!(
            task["LaunchType"].is_string(),
            "{name}: v4 task has LaunchType"
        );
        assert_eq!(task["FaultInjectionEnabled"], false);
        server.shutdown().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_lists_pulled_containers_before_they_are_created() {
    let scenario = Scenario::builtin("ec2-bridge").unwrap();
    let world = mock::world::World::new(scenario.clone(), 1, 0);
    // Just after the first container is created, the others are pulled but not created.
    let first = world.containers[0].created as f64 / 1e9 + 0.001;
    let server = mock::Server::start(scenario, frozen(Start::At(first)))
        .await
        .unwrap();
    let v3: serde_json::Value =
        serde_json::from_str(&raw(&format!("{}/task", server.container_uri(0))).await.2).unwrap();
    let v4: serde_json::Value =
        serde_json::from_str(&raw(&format!("{}/task", server.container_uri_v4(0))).await.2)
            .unwrap();
    server.shutdown().await;
    let v3_names = v3["Containers"].as_array().unwrap().len();
    let v4_containers = v4["Containers"].as_array().unwrap();
    assert_eq!(v3_names, 1, "v3 lists created containers only");
    assert_eq!(v4_containers.len(), 3);
    let pulled = &v4_containers[1];
    assert_eq!(pulled["KnownStatus"], "PULLED");
    assert_eq!(pulled["DockerId"], "");
    assert!(pulled.get("Labels").is_none() && pulled.get("CreatedAt").is_none());
}

#[test]
fn every_rule_has_exactly_one_fault_declaration() {
    let rules: BTreeSet<&str> = rules::RULES.iter().map(|r| r.id).collect();
    let mut seen = BTreeSet::new();
    for f in FAULTS {
        assert!(rules.contains(f.rule), "fault for unknown rule {}", f.rule);
        assert!(seen.insert(f.rule), "two faults for {}", f.rule);
        assert!(
            Scenario::builtin(f.scenario).is_some(),
            "{}: no scenario {}",
            f.rule,
            f.scenario
        );
        if let Break::Cannot(why) = f.breaks {
            assert!(why.len() > 20, "{}: say why it cannot be broken", f.rule);
        }
    }
    let missing: Vec<_> = rules.difference(&seen).collect();
    assert!(missing.is_empty(), "rules without a fault: {missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_breaks_its_rule_and_no_other() {
    let mut problems = Vec::new();
    for fault in FAULTS.iter().filter(|f| f.is_injectable()) {
        let rule = rules::find(fault.rule).unwrap();
        let scenario = Scenario::builtin(fault.scenario).unwrap();
        let opts = MockOptions {
            faults: vec![fault],
            ..frozen(if fault.late {
                Start::Late
            } else {
                Start::Settled
            })
        };
        let polls = if rule.needs == Needs::Polls { 3 } else { 1 };
        let version = if rule.versions.contains(&ApiVersion::V3) {
            ApiVersion::V3
        } else {
            ApiVersion::V4
        };
        let report =
            check_mock_version(scenario, opts, rule.needs == Needs::Probes, polls, version).await;
        let fired: BTreeSet<&str> = report.findings.iter().map(|f| f.rule).collect();
        let others: Vec<&str> = failing(&report)
            .into_iter()
            .filter(|r| *r != fault.rule && !fault.also.contains(r))
            .collect();
        if !fired.contains(fault.rule) || !others.is_empty() {
            problems.push(format!(
                "--fault {} ({}):\n{}",
                fault.rule,
                fault.how,
                findings_text(&report)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn fault(rule: &str) -> &'static Fault {
    Fault::find(rule).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_apply_only_when_asked() {
    // The same scenario without the fault passes: the fault, not the scenario, breaks it.
    let scenario = Scenario::builtin("fargate-linux-1.4").unwrap();
    let report = check_mock(scenario.clone(), frozen(Start::Settled), false, 1).await;
    assert!(failing(&report).is_empty(), "{}", findings_text(&report));
    let opts = MockOptions {
        faults: vec![fault("exit-code-before-exit")],
        ..frozen(Start::Settled)
    };
    let report = check_mock(scenario, opts, false, 1).await;
    assert_eq!(report.exit_status(), 1);
    assert!(failing(&report).contains("exit-code-before-exit"));
}

async fn raw(url: &str) -> (u16, Option<String>, String, Option<String>) {
    // A client that does not follow redirects, to see the agent's 301.
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = tokio::time::timeout(Duration::from_secs(5), http.get(url).send())
        .await
        .unwrap()
        .unwrap();
    let status = r.status().as_u16();
    let header = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let ct = header("content-type");
    let location = header("location");
    let body = r.text().await.unwrap();
    (status, ct, body, location)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_like_the_agent() {
    let server = mock::Server::start(Scenario::default_scenario(), frozen(Start::Settled))
        .await
        .unwrap();
    let uri = server.container_uri(0);
    let base = server.base_url();

    let (status, ct, body, _) = raw(&uri).await;
    assert_eq!((status, ct.as_deref()), (200, Some("application/json")));
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["Name"], "app");

    for path in [
        format!("{uri}/"),
        format!("{uri}/task/"),
        format!("{uri}/nope"),
        format!("{base}/v2/metadata"),
    ] {
        let (status, ct, body, _) = raw(&path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(ct.as_deref(), Some("text/plain; charset=utf-8"), "{path}");
        assert_eq!(body, "404 page not found\n", "{path}");
    }
    // Fargate has no taskWithTags route at all.
    assert_eq!(raw(&format!("{uri}/taskWithTags")).await.0, 404);
    let unknown = format!("{base}/v3/not-an-id");
    for (suffix, want) in [
        ("", 500),
        ("/task", 500),
        ("/stats", 400),
        ("/task/stats", 400),
    ] {
        let (status, ct, body, _) = raw(&format!("{unknown}{suffix}")).await;
        assert_eq!(status, want, "{suffix}");
        assert_eq!(ct.as_deref(), Some("application/json"));
        let s: String = serde_json::from_str(&body).expect("a JSON string body");
        assert!(s.contains("not-an-id"), "{s}");
    }
    // `/v3/task` is the container route with the id "task", as in the agent.
    assert_eq!(raw(&format!("{base}/v3/task")).await.0, 500);
    assert_eq!(raw(&format!("{base}/v3/task/stats")).await.0, 400);
    let (status, _, _, location) = raw(&format!("{base}/v3//x/./task")).await;
    assert_eq!(status, 301);
    assert_eq!(location.as_deref(), Some("/v3/x/task"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_with_tags_adds_the_tags_on_ec2_and_passes() {
    let scenario = Scenario::builtin("ec2-bridge").unwrap();
    let server = mock::Server::start(scenario.clone(), frozen(Start::Settled))
        .await
        .unwrap();
    let uri = server.container_uri(0);
    let plain: serde_json::Value =
        serde_json::from_str(&raw(&format!("{uri}/task")).await.2).unwrap();
    let tagged: serde_json::Value =
        serde_json::from_str(&raw(&format!("{uri}/taskWithTags")).await.2).unwrap();
    assert!(plain.get("TaskTags").is_none());
    assert_eq!(tagged["TaskTags"]["team"], "payments");
    assert_eq!(tagged["ContainerInstanceTags"]["owner"], "platform");
    let mut opts = live(true);
    opts.with_tags = true;
    let report = live::check_url(&uri, &opts, &options(&scenario))
        .await
        .unwrap();
    server.shutdown().await;
    assert!(report.findings.is_empty(), "{}", findings_text(&report));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_past_the_burst() {
    let opts = MockOptions {
        rate_limit: true,
        ..frozen(Start::Settled)
    };
    let server = mock::Server::start(Scenario::default_scenario(), opts)
        .await
        .unwrap();
    let uri = server.container_uri(0);
    // 200 requests at once: the burst of 60 passes, and far fewer than 140 tokens refill while
    // they are answered.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (http, uri) = (http.clone(), uri.clone());
        tasks.push(tokio::spawn(async move {
            let r = http.get(&uri).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }));
    }
    let (mut ok, mut limited) = (0, 0);
    for t in tasks {
        let (status, body) = tokio::time::timeout(Duration::from_secs(10), t)
            .await
            .unwrap()
            .unwrap();
        match status {
            200 => ok += 1,
            429 => {
                assert_eq!(body, "You have reached maximum request limit.");
                limited += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(ok >= 60, "the burst passes: {ok} answered");
    assert!(limited > 0, "none of 200 requests limited");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoint_ids_answer_once_their_container_is_created() {
    // At 10x the first container is created about 0.5 s after start: time enough for the
    // first request to find it unknown, even on a loaded machine.
    let opts = MockOptions {
        start: Start::Beginning,
        speed: 10.0,
        ..MockOptions::default()
    };
    let server = mock::Server::start(Scenario::builtin("ec2-bridge").unwrap(), opts)
        .await
        .unwrap();
    let uri = server.container_uri(0);
    let (status, _, _, _) = raw(&uri).await;
    assert_eq!(
        status, 500,
        "not created yet: the agent does not know the id"
    );
    let mut statuses = Vec::new();
    for _ in 0..500 {
        let (status, _, body, _) = raw(&uri).await;
        if status == 200 {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            statuses.push(v["KnownStatus"].as_str().unwrap().to_owned());
            if statuses.last().unwrap() == "RUNNING" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("RUNNING"),
        "{statuses:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_task_and_another_seed_another() {
    let get = |seed: u64| async move {
        let opts = MockOptions {
            seed,
            epoch: Some(1_767_225_600_000_000_000),
            ..frozen(Start::Late)
        };
        let server = mock::Server::start(Scenario::default_scenario(), opts)
            .await
            .unwrap();
        let client = Client::new(&server.container_uri(0), fast()).unwrap();
        let task = client.get("/task").await.unwrap().body;
        let stats = client.get("/task/stats").await.unwrap().body;
        server.shutdown().await;
        (task, stats)
    };
    let a = get(1).await;
    assert_eq!(a, get(1).await);
    assert_ne!(a.0, get(2).await.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_is_a_router_users_can_serve() {
    let app = mock::app(Scenario::builtin("ec2-awsvpc").unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    // The endpoint ids are derived from the seed; the task lists them through the labels of
    // no document, so ask the Mock for them.
    let m = mock::Mock::new(
        Scenario::builtin("ec2-awsvpc").unwrap(),
        MockOptions::default(),
    );
    let (_, id) = m.endpoints()[0];
    let (status, _, body, _) = raw(&format!("http://{addr}/v3/{id}/task")).await;
    assert_eq!(status, 200);
    let task: ecs_tmde::model::Task = serde_json::from_str(&body).unwrap();
    let names: Vec<_> = task
        .containers
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names[0], "~internal~ecs~pause");
    server.abort();
}

#[test]
fn scenario_files_load_and_bad_ones_say_where() {
    // Every built-in scenario is a valid user file.
    for (name, text) in mock::scenario::BUILTIN {
        Scenario::from_toml(name, text).unwrap();
    }
    let dir = std::env::temp_dir().join(format!("ecs-tmde-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("mine.json");
    let mut s = serde_json::to_value(Scenario::builtin("ec2-host").unwrap()).unwrap();
    s["containers"][0]["name"] = "exporter".into();
    s["containers"][0]["labels"] = serde_json::json!({"team": "obs"});
    std::fs::write(&json, serde_json::to_vec(&s).unwrap()).unwrap();
    let loaded = Scenario::load(json.to_str().unwrap()).unwrap();
    assert_eq!(loaded.containers[0].name, "exporter");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nlaunch_type = \"moon\"\n").unwrap();
    let err = Scenario::load(bad.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.toml:2:"), "{err}");
    assert!(!err.contains('\n'), "{err}");

    let err = Scenario::load("no-such-scenario").unwrap_err().to_string();
    assert!(err.contains("fargate-linux-1.4"), "{err}");

    let dup = dir.join("dup.toml");
    let text = mock::scenario::BUILTIN[0]
        .1
        .replace("name = \"log-router\"", "name = \"app\"");
    std::fs::write(&dup, text).unwrap();
    let err = Scenario::load(dup.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("used twice"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
