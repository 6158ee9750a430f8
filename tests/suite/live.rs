//! Checking live endpoints on loopback: the built-in mock, hostile servers, `record` then
//! `check`, `--watch`, and the command line as a new user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ecs_tmde::check::live::{self, LiveOptions};
use ecs_tmde::check::{Options, Report};
use ecs_tmde::client::ClientOptions;
use ecs_tmde::mock::{self, Fault, MockOptions, Scenario, Start};
use ecs_tmde::record::{self, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::findings_text;

fn fast() -> LiveOptions {
    LiveOptions {
        client: ClientOptions {
            max_requests_per_second: 1000.0,
            retry_delay: Duration::from_millis(10),
            max_retries: 2,
            timeout: Duration::from_millis(800),
            ..ClientOptions::default()
        },
        ..LiveOptions::default()
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What a check says, without the parts that differ between a live check and a recording
/// (sources, latencies in messages).
fn verdict(r: &Report) -> (u8, Vec<(&'static str, String, String)>) {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.rule, f.endpoint.to_string(), f.pointer.clone()))
        .collect();
    v.sort();
    (r.exit_status(), v)
}

/// A server on 127.0.0.1:0 that answers every request with `respond(path)`, written raw.
async fn raw_server(
    respond: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
) -> (String, tokio::task::JoinHandle<()>) {
    raw_server_holding(respond, Duration::ZERO).await
}

/// Like [`raw_server`], keeping each connection open for `hold` after writing.
async fn raw_server_holding(
    respond: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static,
    hold: Duration,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let respond = std::sync::Arc::new(respond);
    let handle = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let mut got = Vec::new();
                loop {
                    let Ok(n) = sock.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let head = String::from_utf8_lossy(&got);
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let out = respond(&path);
                let _ = sock.write_all(&out).await;
                tokio::time::sleep(hold).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}/v3/abc"), handle)
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn recorded(name: &str) -> Vec<u8> {
    std::fs::read(crate::support::root(&format!(
        "conformance/recorded/project-ec2-bridge-running/{name}"
    )))
    .unwrap()
}

/// Serves the project's EC2 bridge recording, except where `tamper` says otherwise.
async fn recording_server(
    tamper: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static,
) -> (String, tokio::task::JoinHandle<()>) {
    raw_server(move |path| {
        if let Some(out) = tamper(path) {
            return out;
        }
        let file = match path {
            "/v3/abc" => "container.json",
            "/v3/abc/task" => "task.json",
            "/v3/abc/stats" => "stats.json",
            "/v3/abc/task/stats" => "task-stats.json",
            _ => {
                return http(
                    "404 Not Found",
                    "text/plain; charset=utf-8",
                    b"404 page not found\n",
                )
            }
        };
        http("200 OK", "application/json", &recorded(file))
    })
    .await
}

fn ec2() -> Options {
    Options {
        profile: ecs_tmde::profile::Profile {
            launch_type: Some(ecs_tmde::profile::LaunchType::Ec2),
            ..Default::default()
        },
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_server_passes_and_bad_answers_are_findings() {
    let (url, h) = recording_server(|_| None).await;
    let report = live::check_url(&url, &fast(), &ec2()).await.unwrap();
    assert_eq!(report.exit_status(), 0, "{}", findings_text(&report));
    h.abort();

    type Tamper = Box<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "http-status-not-ok",
            Box::new(|p: &str| {
                (p == "/v3/abc/task").then(|| {
                    http(
                        "500 Internal Server Error",
                        "application/json",
                        b"\"V3 task metadata handler: unable to get task arn from request\"",
                    )
                })
            }),
        ),
        (
            "http-status-not-ok",
            Box::new(|p: &str| {
                (p == "/v3/abc").then(|| {
                    http(
                        "404 Not Found",
                        "text/plain; charset=utf-8",
                        b"404 page not found\n",
                    )
                })
            }),
        ),
        (
            "http-content-type",
            Box::new(|p: &str| {
                (p == "/v3/abc/task").then(|| http("200 OK", "text/html", &recorded("task.json")))
            }),
        ),
        (
            "http-body-not-json",
            Box::new(|p: &str| {
                (p == "/v3/abc/stats")
                    .then(|| http("200 OK", "application/json", b"<html>oops</html>"))
            }),
        ),
    ];
    for (rule, tamper) in cases {
        let (url, h) = recording_server(tamper).await;
        let report = live::check_url(&url, &fast(), &ec2()).await.unwrap();
        h.abort();
        assert_eq!(
            report.exit_status(),
            1,
            "{rule}: {}",
            findings_text(&report)
        );
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{rule} not reported:\n{}", findings_text(&report)));
        assert!(f
            .source
            .as_deref()
            .unwrap_or("")
            .starts_with("http://127.0.0.1:"));
        assert!(
            f.elapsed_us.is_some(),
            "{rule}: findings say how long it took"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_are_exit_2_within_bounded_time() {
    // Each is an error of the harness, not a finding: there is no complete answer to judge.
    let partial = |_: &str| {
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n{\"DockerId\": ".to_vec()
    };
    type Respond = Box<dyn Fn(&str) -> Vec<u8> + Send + Sync>;
    let cases: Vec<(&str, Respond, Duration)> = vec![
        (
            "before the whole body arrived",
            Box::new(partial),
            Duration::ZERO,
        ),
        (
            "no complete response within",
            Box::new(partial),
            Duration::from_secs(4),
        ),
        (
            "cap",
            Box::new(|_: &str| http("200 OK", "application/json", &vec![b' '; 64 * 1024])),
            Duration::ZERO,
        ),
        (
            "redirect",
            Box::new(|p: &str| {
                format!("HTTP/1.1 301 Moved Permanently\r\nLocation: {p}x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").into_bytes()
            }),
            Duration::ZERO,
        ),
        (
            "not valid HTTP",
            Box::new(|_: &str| b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
            Duration::ZERO,
        ),
    ];
    for (phrase, respond, hold) in cases {
        let (url, h) = raw_server_holding(respond, hold).await;
        let mut opts = fast();
        opts.client.max_body_bytes = 32 * 1024;
        let started = Instant::now();
        let err = live::check_url(&url, &opts, &ec2()).await.unwrap_err();
        h.abort();
        let text = err.to_string();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{phrase}: took {:?}",
            started.elapsed()
        );
        assert!(text.contains("127.0.0.1"), "{text}");
        assert!(!text.contains('\n'), "{text}");
        let ok = match phrase {
            "not valid HTTP" => !text.is_empty(),
            p => text.contains(p),
        };
        assert!(ok, "{phrase}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_then_fine_is_a_pass() {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let c = count.clone();
    let (url, h) = recording_server(move |_| {
        (c.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0).then(|| {
            http(
                "429 Too Many Requests",
                "text/plain; charset=utf-8",
                b"You have reached maximum request limit.",
            )
        })
    })
    .await;
    let report = live::check_url(&url, &fast(), &ec2()).await.unwrap();
    h.abort();
    assert_eq!(report.exit_status(), 0, "{}", findings_text(&report));
}

async fn record_and_compare(scenario: &str, faults: &[&str], probe_errors: bool, redact: bool) {
    let scenario = Scenario::builtin(scenario).unwrap();
    let opts = MockOptions {
        faults: faults.iter().map(|f| Fault::find(f).unwrap()).collect(),
        frozen: true,
        start: Start::Late,
        ..MockOptions::default()
    };
    let server = mock::Server::start(scenario.clone(), opts).await.unwrap();
    let url = server.container_uri(0);
    let mut liveopts = fast();
    liveopts.probe_errors = probe_errors;
    let check_opts = Options {
        profile: scenario.profile(),
        ..Options::default()
    };
    let live_report = live::check_url(&url, &liveopts, &check_opts).await.unwrap();
    let dir = scratch(&format!(
        "rec-{}-{}-{redact}",
        scenario.name,
        faults.join("+")
    ))
    .join("recording");
    let req = Request {
        url: url.clone(),
        live: liveopts.clone(),
        profile: scenario.profile(),
        out: dir.clone(),
        force: false,
        redact,
    };
    record::record(&req).await.unwrap();
    // An existing recording is not overwritten without force.
    let again = record::record(&req).await.unwrap_err().to_string();
    assert!(again.contains("already exists"), "{again}");
    record::record(&Request { force: true, ..req })
        .await
        .unwrap();
    server.shutdown().await;
    let replayed = ecs_tmde::check::check_path(&dir, &Options::default()).unwrap();
    assert_eq!(
        verdict(&live_report),
        verdict(&replayed),
        "{} {faults:?} redact={redact}\nlive:\n{}\nrecording:\n{}",
        scenario.name,
        findings_text(&live_report),
        findings_text(&replayed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_then_check_gives_the_live_verdict() {
    record_and_compare("fargate-linux-1.4", &[], true, false).await;
    record_and_compare("ec2-bridge", &[], false, false).await;
    record_and_compare(
        "fargate-linux-1.4",
        &["exit-code-before-exit"],
        false,
        false,
    )
    .await;
    record_and_compare("fargate-linux-1.4", &["http-status-not-ok"], false, false).await;
    record_and_compare("fargate-linux-1.4", &["http-body-not-json"], false, false).await;
    record_and_compare("fargate-linux-1.4", &["probe-unknown-id"], true, false).await;
    record_and_compare("ec2-awsvpc", &["container-task-mismatch"], true, true).await;
    record_and_compare("fargate-windows-1.0", &[], false, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redacted_recording_keeps_no_account_or_address() {
    let scenario = Scenario::builtin("ec2-awsvpc").unwrap();
    let server = mock::Server::start(scenario.clone(), MockOptions::default())
        .await
        .unwrap();
    let dir = scratch("redacted").join("rec");
    let req = Request {
        url: server.container_uri(0),
        live: fast(),
        profile: scenario.profile(),
        out: dir.clone(),
        force: false,
        redact: true,
    };
    record::record(&req).await.unwrap();
    server.shutdown().await;
    let ip = server_ip(&scenario);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(&scenario.account), "account id kept");
        assert!(
            !text.contains(&format!("\"{}\"", scenario.cluster)),
            "cluster kept"
        );
        assert!(!text.contains(&ip), "ENI address kept");
    }
}

fn server_ip(scenario: &Scenario) -> String {
    let w = mock::world::World::new(scenario.clone(), 1, 0);
    w.containers[0].ipv4.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_port_is_exit_2_quickly() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let started = Instant::now();
    let err = live::check_url(&format!("http://127.0.0.1:{port}/v3/x"), &fast(), &ec2())
        .await
        .unwrap_err()
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(err.contains("connection refused"), "{err}");
}

// --- the command line ------------------------------------------------------------------------

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecs-tmde"));
    c.env("NO_COLOR", "1")
        .env_remove("ECS_CONTAINER_METADATA_URI")
        .env_remove("ECS_CONTAINER_METADATA_URI_V4")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy");
    c
}

fn run(c: &mut Command) -> Output {
    c.output().unwrap()
}

/// Starts `ecs-tmde mock ARGS` and returns it with the URIs it printed.
fn start_mock(args: &[&str]) -> (std::process::Child, Vec<String>, String) {
    let mut child = bin()
        .arg("mock")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut uris = Vec::new();
    let mut check_line = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(u) = line.strip_prefix("ECS_CONTAINER_METADATA_URI=") {
            uris.push(u.to_owned());
        }
        if let Some(c) = line.strip_prefix("# check it: ") {
            check_line = c.to_owned();
            break;
        }
    }
    (child, uris, check_line)
}

fn interrupt(child: &mut std::process::Child) -> std::process::ExitStatus {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the mock did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn mock_then_check_as_a_new_user() {
    let (mut child, uris, check_line) = start_mock(&[]);
    assert_eq!(
        uris.len(),
        3,
        "one line per container of the default scenario"
    );
    assert!(check_line.contains("--launch-type fargate --platform-version 1.4.0 --os linux"));
    // The printed URL, as JSON.
    let out = run(bin().args([
        "check",
        &uris[0],
        "--format",
        "json",
        "--launch-type",
        "fargate",
        "--platform-version",
        "1.4.0",
        "--os",
        "linux",
        "--probe-errors",
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "pass");
    // The environment variable, as a container would have it.
    let out = run(bin()
        .arg("check")
        .env("ECS_CONTAINER_METADATA_URI", &uris[1]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ECS_CONTAINER_METADATA_URI"));
    // A wrong path gets the agent's 404.
    let client = plain::get(&format!("{}/wrong", uris[0]));
    assert_eq!(client, (404, "404 page not found\n".to_owned()));
    let status = interrupt(&mut child);
    assert!(
        status.success(),
        "Ctrl-C stops the mock cleanly: {status:?}"
    );
}

/// A GET without an async runtime, for the CLI tests.
mod plain {
    pub fn get(url: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_at(rest.find('/').unwrap());
        let mut s = std::net::TcpStream::connect(host).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out[9..12].parse().unwrap();
        let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (status, body)
    }
}

#[test]
fn a_fault_fails_the_check_and_says_which_rule() {
    let (mut child, uris, _) = start_mock(&["--fault", "exit-code-before-exit"]);
    let out = run(bin().args(["check", &uris[0]]));
    interrupt(&mut child);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("exit-code-before-exit"));
}

#[test]
fn no_target_checks_the_built_in_mock() {
    let out = run(bin().args(["check", "--format", "json"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("built-in mock"));
    for (scenario, _) in mock::scenario::BUILTIN {
        let out = run(bin().args(["check", "--scenario", scenario, "--rate", "200"]));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{scenario}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn a_stopped_server_is_one_line_and_exit_2() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = run(bin().args(["check", &format!("http://127.0.0.1:{port}/v3/abc")]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    for bad in [
        vec!["check", "http://127.0.0.1:1/v3/abc/"],
        vec!["check", "http://127.0.0.1:1/v2/metadata"],
        vec!["check", "http://127.0.0.1:1/v3/abc", "--timeout", "soon"],
        vec!["record", "http://127.0.0.1:1/v3/abc"],
        vec!["mock", "--scenario", "nope"],
        vec!["mock", "--fault", "no-such-rule"],
    ] {
        let out = run(bin().args(&bad));
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            !String::from_utf8_lossy(&out.stderr).trim().is_empty(),
            "{bad:?}"
        );
    }
}

#[test]
fn watch_polls_until_its_duration_and_reports_lifecycle_faults() {
    let (mut child, uris, _) = start_mock(&["--scenario", "ec2-bridge"]);
    let out = run(bin().args([
        "check",
        &uris[0],
        "--watch",
        "--interval",
        "100ms",
        "--duration",
        "1s",
        "--rate",
        "200",
        "--format",
        "json",
        "--launch-type",
        "ec2",
    ]));
    interrupt(&mut child);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["polls"].as_u64().unwrap() >= 3, "{report}");

    let (mut child, uris, _) = start_mock(&[
        "--scenario",
        "ec2-bridge",
        "--fault",
        "stats-went-backwards",
    ]);
    let out = run(bin().args([
        "check",
        &uris[0],
        "--watch",
        "--interval",
        "100ms",
        "--duration",
        "1s",
        "--rate",
        "200",
        "--launch-type",
        "ec2",
    ]));
    interrupt(&mut child);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stats-went-backwards"));
}

#[test]
fn ctrl_c_ends_a_watch_with_the_report_and_the_usual_status() {
    let (mut mock, uris, _) = start_mock(&["--scenario", "ec2-host"]);
    let mut watch = bin()
        .args([
            "check",
            &uris[0],
            "--watch",
            "--interval",
            "200ms",
            "--rate",
            "200",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Long enough for the process to start, install its Ctrl-C handler and poll a few times
    // even on a loaded machine.
    std::thread::sleep(Duration::from_millis(2500));
    let status = interrupt(&mut watch);
    interrupt(&mut mock);
    let mut out = String::new();
    std::io::Read::read_to_string(&mut watch.stdout.take().unwrap(), &mut out).unwrap();
    assert_eq!(status.code(), Some(0), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(report["polls"].as_u64().unwrap() >= 2, "{report}");
    assert_eq!(report["verdict"], "pass");
}

#[test]
fn record_writes_what_check_reads() {
    let (mut child, uris, _) = start_mock(&["--scenario", "ec2-host"]);
    let dir = scratch("cli-record").join("rec");
    let out = run(bin().args([
        "record",
        &uris[0],
        "--out",
        dir.to_str().unwrap(),
        "--launch-type",
        "ec2",
        "--redact",
    ]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out2 = run(bin().args(["record", &uris[0], "--out", dir.to_str().unwrap()]));
    interrupt(&mut child);
    assert_eq!(out2.status.code(), Some(2), "an existing recording is kept");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("recording.json")).unwrap()).unwrap();
    assert_eq!(meta["recorded"]["redacted"], true);
    assert_eq!(meta["http"].as_array().unwrap().len(), 4);
    let out = run(bin().args(["check", dir.to_str().unwrap()]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
