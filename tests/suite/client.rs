//! Client tests against hostile loopback servers.
//!
//! Every server is a raw `TcpListener` on 127.0.0.1:0 that writes HTTP/1.1 by hand, so it can
//! misbehave in ways a real framework would not allow (trickle, lie about the length, hang
//! up). Every client call is wrapped in a timeout so that a bug cannot hang the suite.

use std::future::Future;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ecs_tmde::check::ApiVersion;
use ecs_tmde::client::{Client, ClientOptions};
use ecs_tmde::model::{Container, Stats, Task, TaskStats};
use ecs_tmde::{Endpoint, Error};
use tokio::net::{TcpListener, TcpStream};

use crate::support::root;

/// The recording every "good" response comes from.
const RECORDING: &str = "conformance/recorded/project-ec2-bridge-running";

/// Longest any single client call may take before the test is declared hung.
const HANG: Duration = Duration::from_secs(10);

fn recorded(file: &str) -> Vec<u8> {
    let path = root(RECORDING).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Short timeouts and delays, so that failure paths are quick; spacing off unless a test
/// wants it.
fn fast() -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        max_body_bytes: 1 << 20,
        max_requests_per_second: f64::INFINITY,
        max_retries: 2,
        retry_delay: Duration::from_millis(10),
    }
}

async fn within<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(HANG, fut)
        .await
        .expect("the client call hung")
}

// ---------------------------------------------------------------------------------------------
// Raw servers

/// A loopback server and the number of requests it has seen.
struct Server {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn base(&self) -> String {
        format!("http://{}/v3/abc", self.addr)
    }

    fn client(&self, options: ClientOptions) -> Client {
        Client::new(&self.base(), options).expect("valid base URL")
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Serves each connection with `handle(request_number, path, stream)`, which may write
/// anything, slowly or not at all. Request numbers count from 0 across connections.
async fn serve<F, Fut>(handle: F) -> Server
where
    F: Fn(usize, String, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let handle = Arc::new(handle);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handle = handle.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Some(path) = read_request_path(&stream).await else {
                    return;
                };
                let n = counter.fetch_add(1, Ordering::SeqCst);
                handle(n, path, stream).await;
            });
        }
    });
    Server { addr, hits }
}

/// Serves canned bytes: `respond(request_number, path)` is written whole, then the
/// connection is closed.
async fn serve_canned<F>(respond: F) -> Server
where
    F: Fn(usize, &str) -> Vec<u8> + Send + Sync + 'static,
{
    let respond = Arc::new(respond);
    serve(move |n, path, stream| {
        let bytes = respond(n, &path);
        async move {
            let _ = write_all(&stream, &bytes).await;
        }
    })
    .await
}

/// Reads one request head (GETs have no body) and returns its path.
async fn read_request_path(stream: &TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        stream.readable().await.ok()?;
        match stream.try_read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(_) => return None,
        }
    }
    let head = String::from_utf8_lossy(&head);
    head.split_whitespace().nth(1).map(str::to_owned)
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A complete HTTP/1.1 response with a correct Content-Length; the connection closes after.
fn http(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

fn json(status: &str, body: &[u8]) -> Vec<u8> {
    http(status, &[("Content-Type", "application/json")], body)
}

/// The agent's rate-limit answer.
fn too_many() -> Vec<u8> {
    http(
        "429 Too Many Requests",
        &[("Content-Type", "text/plain; charset=utf-8")],
        b"You have reached maximum request limit.",
    )
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The `Error::Http` of `result`, checked to name `url` and to be one line.
fn http_error<T: std::fmt::Debug>(result: Result<T, Error>, url: &str) -> String {
    match result {
        Err(Error::Http { url: u, message }) => {
            assert_eq!(u, url, "the error must name the URL requested");
            assert!(!message.contains('\n'), "not one line: {message:?}");
            let shown = Error::Http {
                url: u,
                message: message.clone(),
            }
            .to_string();
            assert!(shown.starts_with(url), "{shown}");
            message
        }
        other => panic!("expected Error::Http for {url}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Good responses

#[tokio::test]
async fn typed_methods_decode_recorded_bodies() {
    let server = serve_canned(|_, path| {
        let file = match path.trim_start_matches("/v3/abc") {
            "" => "container.json",
            "/task" | "/taskWithTags" => "task.json",
            "/stats" => "stats.json",
            "/task/stats" => "task-stats.json",
            _ => return http("404 Not Found", &[], b"404 page not found\n"),
        };
        http(
            "200 OK",
            &[
                ("X-First", "1"),
                ("Content-Type", "application/json"),
                ("X-Last", "2"),
            ],
            &recorded(file),
        )
    })
    .await;
    let client = server.client(fast());
    let base = server.base();

    let container = within(client.container()).await.unwrap();
    let expected: Container = serde_json::from_slice(&recorded("container.json")).unwrap();
    assert_eq!(container.value, expected);
    let r = &container.response;
    assert_eq!(
        (r.url.as_str(), r.status, r.attempts),
        (base.as_str(), 200, 1)
    );
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    assert_eq!(r.body, recorded("container.json"));
    assert!(r.latency > Duration::ZERO);
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    let pos = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert!(
        pos("x-first") < pos("content-type") && pos("content-type") < pos("x-last"),
        "headers must be lower-case and in the order received: {names:?}"
    );
    assert_eq!(r.header("X-Last"), Some("2"));

    let task = within(client.task()).await.unwrap();
    let expected: Task = serde_json::from_slice(&recorded("task.json")).unwrap();
    assert_eq!(task.value, expected);
    assert_eq!(task.response.url, format!("{base}/task"));

    let tagged = within(client.task_with_tags()).await.unwrap();
    assert_eq!(tagged.value, expected);
    assert_eq!(tagged.response.url, format!("{base}/taskWithTags"));

    let stats = within(client.stats()).await.unwrap();
    let expected: Stats = serde_json::from_slice(&recorded("stats.json")).unwrap();
    assert_eq!(stats.value, expected);
    assert_eq!(stats.response.attempts, 1);

    let task_stats = within(client.task_stats()).await.unwrap();
    let expected: TaskStats = serde_json::from_slice(&recorded("task-stats.json")).unwrap();
    assert_eq!(task_stats.value, expected);
    assert_eq!(task_stats.response.url, format!("{base}/task/stats"));

    for endpoint in Endpoint::ALL {
        let r = within(client.get_endpoint(endpoint)).await.unwrap();
        assert_eq!(r.url, format!("{base}{}", endpoint.path_suffix()));
        assert_eq!(r.body, recorded(endpoint.file_name()));
    }
    assert_eq!(server.hits(), 9);
}

#[tokio::test]
async fn same_host_redirect_is_followed() {
    let server = serve_canned(|_, path| match path {
        "/v3/abc" => json("200 OK", &recorded("container.json")),
        _ => http("301 Moved Permanently", &[("Location", "/v3/abc")], b""),
    })
    .await;
    let client = server.client(fast());
    let r = within(client.get("/unclean")).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.url, format!("{}/unclean", server.base()));
    assert_eq!(server.hits(), 2);
}

// ---------------------------------------------------------------------------------------------
// Error statuses

#[tokio::test]
async fn server_error_with_json_string_body() {
    let body = br#""V3 container metadata handler: unable to get container ID from request: unable to get docker ID from v3 endpoint ID: abc""#;
    let server = serve_canned(move |_, _| json("500 Internal Server Error", body)).await;
    let client = server.client(fast());
    let url = server.base();

    let raw = within(client.get("")).await.unwrap();
    assert_eq!(raw.status, 500);
    assert_eq!(raw.body, body);
    assert_eq!(raw.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        raw.attempts, 1,
        "a 500 of a metadata endpoint is not retried"
    );

    let message = http_error(within(client.container()).await, &url);
    assert!(
        message.starts_with("HTTP 500 Internal Server Error: \"V3 container metadata handler"),
        "{message}"
    );
}

#[tokio::test]
async fn not_found_text_plain() {
    let server = serve_canned(|_, _| {
        http(
            "404 Not Found",
            &[("Content-Type", "text/plain; charset=utf-8")],
            b"404 page not found\n",
        )
    })
    .await;
    let client = server.client(fast());

    let raw = within(client.get("/taskWithTags")).await.unwrap();
    assert_eq!(raw.status, 404);
    assert_eq!(
        raw.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );

    let url = format!("{}/task", server.base());
    let message = http_error(within(client.task()).await, &url);
    assert_eq!(message, "HTTP 404 Not Found: 404 page not found");
}

#[tokio::test]
async fn long_error_bodies_are_cut_to_one_line() {
    let body = format!("line one\nline two {}", "x".repeat(1000));
    let server = serve_canned(move |_, _| http("502 Bad Gateway", &[], body.as_bytes())).await;
    let client = server.client(fast());
    let message = http_error(
        within(client.task()).await,
        &format!("{}/task", server.base()),
    );
    assert!(
        message.starts_with("HTTP 502 Bad Gateway: line one line two xxx"),
        "{message}"
    );
    assert!(message.ends_with('…'), "{message}");
    assert!(message.chars().count() < 260, "{message}");
}

#[tokio::test]
async fn non_json_body_is_a_json_error_with_position() {
    let server = serve_canned(|_, _| {
        json(
            "200 OK",
            b"{\n  \"DockerId\": \"x\",\n  oops\n}\n<html>not json</html>",
        )
    })
    .await;
    let client = server.client(fast());
    match within(client.container()).await {
        Err(Error::Json {
            input,
            line,
            column,
            ..
        }) => {
            assert_eq!(input, server.base());
            assert_eq!((line, column), (3, 3));
        }
        other => panic!("expected Error::Json, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile transports

#[tokio::test]
async fn trickling_body_times_out() {
    let server = serve(|_, _, stream| async move {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
        if write_all(&stream, head.as_bytes()).await.is_err() {
            return;
        }
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write_all(&stream, b" ").await.is_err() {
                return;
            }
        }
    })
    .await;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        ..fast()
    };
    let client = server.client(options);
    let started = Instant::now();
    let message = http_error(within(client.container()).await, &server.base());
    let elapsed = started.elapsed();
    assert!(
        message.starts_with("no complete response within 300 ms (HTTP 200 received, "),
        "{message}"
    );
    assert!(message.ends_with("hint: --timeout"), "{message}");
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[tokio::test]
async fn silent_server_times_out() {
    let server = serve(|_, _, stream| async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(stream);
    })
    .await;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        ..fast()
    };
    let client = server.client(options);
    let message = http_error(
        within(client.get("/stats")).await,
        &format!("{}/stats", server.base()),
    );
    assert_eq!(
        message,
        "no complete response within 300 ms (no response headers received); hint: --timeout"
    );
}

#[tokio::test]
async fn connection_dropped_mid_body() {
    let server = serve_canned(|_, _| {
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"DockerId\":"
            .to_vec()
    })
    .await;
    let client = server.client(fast());
    let message = http_error(within(client.get("")).await, &server.base());
    assert_eq!(
        message,
        "connection closed after 12 bytes of 1000 (Content-Length), before the whole body arrived"
    );
}

#[tokio::test]
async fn connection_dropped_mid_chunked_body() {
    let server = serve_canned(|_, _| {
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nabc".to_vec()
    })
    .await;
    let client = server.client(fast());
    let message = http_error(within(client.get("")).await, &server.base());
    assert!(
        message.starts_with("connection closed after ")
            && message.ends_with(", before the whole body arrived"),
        "{message}"
    );
}

#[tokio::test]
async fn connection_closed_before_any_response() {
    let server = serve(|_, _, stream| async move { drop(stream) }).await;
    let client = server.client(fast());
    let message = http_error(within(client.get("")).await, &server.base());
    assert_eq!(
        message,
        "connection closed before a response arrived; hint: is this an ECS task metadata \
         endpoint?"
    );
    let garbage = serve_canned(|_, _| b"hello, this is not HTTP\r\n\r\n".to_vec()).await;
    let client = garbage.client(fast());
    let message = http_error(within(client.get("")).await, &garbage.base());
    assert!(!message.is_empty());
}

#[tokio::test]
async fn body_over_the_cap_with_content_length() {
    let server = serve_canned(|_, _| json("200 OK", &[b' '; 4096])).await;
    let options = ClientOptions {
        max_body_bytes: 1024,
        ..fast()
    };
    let client = server.client(options);
    let message = http_error(within(client.get("")).await, &server.base());
    assert_eq!(
        message,
        "body exceeds the 1 KiB cap (Content-Length: 4096); hint: --max-body"
    );
}

#[tokio::test]
async fn body_over_the_cap_chunked() {
    // Chunked, and it would never end: the cap must stop reading, not the timeout.
    let server = serve(|_, _, stream| async move {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        if write_all(&stream, head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("200\r\n{}\r\n", " ".repeat(0x200));
        while write_all(&stream, chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let options = ClientOptions {
        max_body_bytes: 1024,
        timeout: Duration::from_secs(5),
        ..fast()
    };
    let client = server.client(options);
    let started = Instant::now();
    let message = http_error(within(client.get("")).await, &server.base());
    assert!(
        message.starts_with("body exceeds the 1 KiB cap (") && message.ends_with("--max-body"),
        "{message}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn body_over_the_cap_without_length() {
    // No Content-Length, not chunked: the body ends when the connection closes.
    let server = serve_canned(|_, _| {
        let mut bytes = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
        bytes.extend_from_slice(&[b'x'; 5000]);
        bytes
    })
    .await;
    let options = ClientOptions {
        max_body_bytes: 1000,
        ..fast()
    };
    let client = server.client(options);
    let message = http_error(within(client.get("")).await, &server.base());
    assert!(
        message.starts_with("body exceeds the 1000 bytes cap ("),
        "{message}"
    );
}

#[tokio::test]
async fn redirect_loop_is_refused() {
    let server =
        serve_canned(|_, _| http("301 Moved Permanently", &[("Location", "/v3/abc")], b"")).await;
    let client = server.client(fast());
    let message = http_error(within(client.get("")).await, &server.base());
    assert!(message.starts_with("too many redirects"), "{message}");
    assert_eq!(server.hits(), 6, "the first request and five redirects");
}

#[tokio::test]
async fn redirect_to_another_host_is_refused() {
    let port = Arc::new(AtomicUsize::new(0));
    let seen = port.clone();
    let server = serve_canned(move |_, _| {
        let location = format!("http://localhost:{}/v3/abc", seen.load(Ordering::SeqCst));
        http("302 Found", &[("Location", location.as_str())], b"")
    })
    .await;
    port.store(usize::from(server.addr.port()), Ordering::SeqCst);
    let client = server.client(fast());
    let message = http_error(within(client.get("")).await, &server.base());
    assert_eq!(
        message,
        format!(
            "redirect to another host refused: http://localhost:{}/v3/abc",
            server.addr.port()
        )
    );
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn connection_refused_is_quick_and_clear() {
    let url = format!("http://127.0.0.1:{}/v3/abc", closed_port());
    let client = Client::new(&url, fast()).unwrap();
    let started = Instant::now();
    let message = http_error(within(client.task()).await, &format!("{url}/task"));
    assert_eq!(
        message,
        "connection refused; hint: is the endpoint (or `ecs-tmde mock`) running?"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn https_is_reported_as_unsupported() {
    let url = format!("https://127.0.0.1:{}/v3/abc", closed_port());
    let client = Client::new(&url, fast()).unwrap();
    let message = http_error(within(client.get("")).await, &url);
    assert!(message.starts_with("https is not supported"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn rate_limited_then_success() {
    let server = serve_canned(|n, _| match n {
        0 => too_many(),
        _ => json("200 OK", &recorded("container.json")),
    })
    .await;
    let client = server.client(fast());
    let container = within(client.container()).await.unwrap();
    assert_eq!(container.response.status, 200);
    assert_eq!(container.response.attempts, 2);
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn rate_limited_for_good_returns_the_last_429() {
    let server = serve_canned(|_, _| too_many()).await;
    let client = server.client(fast());
    let raw = within(client.get("/task")).await.unwrap();
    assert_eq!((raw.status, raw.attempts), (429, 3));
    assert_eq!(raw.body, b"You have reached maximum request limit.");

    let message = http_error(
        within(client.task()).await,
        &format!("{}/task", server.base()),
    );
    assert_eq!(
        message,
        "HTTP 429 Too Many Requests (after 3 attempts): You have reached maximum request limit."
    );
    assert_eq!(server.hits(), 6);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = serve_canned(|n, _| match n {
        0 => http("429 Too Many Requests", &[("Retry-After", "1")], b""),
        _ => json("200 OK", b"{}"),
    })
    .await;
    let client = server.client(fast());
    let started = Instant::now();
    let raw = within(client.get("/task")).await.unwrap();
    assert_eq!((raw.status, raw.attempts), (200, 2));
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn stats_null_twice_then_a_sample() {
    let server = serve_canned(|n, _| match n {
        0 => json("200 OK", b"null"),
        1 => json("200 OK", b"{}\n"),
        _ => json("200 OK", &recorded("stats.json")),
    })
    .await;
    let client = server.client(fast());
    let stats = within(client.stats()).await.unwrap();
    assert_eq!(stats.response.attempts, 3);
    assert!(stats.value.memory_stats.usage.is_some());
}

#[tokio::test]
async fn stats_not_ready_error_then_a_sample() {
    let server = serve_canned(|n, _| match n {
        0 => json(
            "400 Bad Request",
            br#""Unable to get container stats for: 45eff169""#,
        ),
        1 => json(
            "500 Internal Server Error",
            br#""Unable to get container stats for: 45eff169""#,
        ),
        _ => json("200 OK", &recorded("stats.json")),
    })
    .await;
    let client = server.client(fast());
    let raw = within(client.get_endpoint(Endpoint::Stats)).await.unwrap();
    assert_eq!((raw.status, raw.attempts), (200, 3));
}

#[tokio::test]
async fn stats_never_ready() {
    let server = serve_canned(|_, _| json("200 OK", b"null")).await;
    let client = server.client(fast());
    let raw = within(client.get_endpoint(Endpoint::Stats)).await.unwrap();
    assert_eq!((raw.status, raw.attempts), (200, 3));
    assert_eq!(raw.body, b"null");

    let url = format!("{}/stats", server.base());
    let message = http_error(within(client.stats()).await, &url);
    assert!(
        message.starts_with("no stats sample after 3 attempts: the body is `null`; hint:"),
        "{message}"
    );
}

#[tokio::test]
async fn stats_with_unknown_id_is_not_retried() {
    let body = br#""V3 container stats handler: unable to get task arn from request: unable to get task Arn from v3 endpoint ID: abc""#;
    let server = serve_canned(move |_, _| json("400 Bad Request", body)).await;
    let client = server.client(fast());
    let raw = within(client.get_endpoint(Endpoint::Stats)).await.unwrap();
    assert_eq!((raw.status, raw.attempts), (400, 1));
    let message = http_error(within(client.stats()).await, &raw.url);
    assert!(message.starts_with("HTTP 400 Bad Request: \"V3 container stats handler"));
}

#[tokio::test]
async fn task_stats_without_any_sample_is_retried() {
    let server = serve_canned(|n, _| match n {
        0 => json("200 OK", br#"{"45eff169": null, "9a1b": {}}"#),
        _ => json("200 OK", &recorded("task-stats.json")),
    })
    .await;
    let client = server.client(fast());
    let task_stats = within(client.task_stats()).await.unwrap();
    assert_eq!(task_stats.response.attempts, 2);
    assert!(task_stats.value.0.values().any(|e| e.stats().is_some()));
}

#[tokio::test]
async fn metadata_endpoints_do_not_retry_on_stats_rules() {
    // `null` from /task is a broken document, not "not ready": reported, not retried.
    let server = serve_canned(|_, _| json("200 OK", b"null")).await;
    let client = server.client(fast());
    let raw = within(client.get_endpoint(Endpoint::Task)).await.unwrap();
    assert_eq!(raw.attempts, 1);
    assert!(matches!(
        within(client.task()).await,
        Err(Error::Json { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Rate limiting

#[tokio::test]
async fn requests_are_spaced_across_clones() {
    let server = serve_canned(|_, _| json("200 OK", b"{}")).await;
    let options = ClientOptions {
        max_requests_per_second: 50.0,
        ..fast()
    };
    let client = server.client(options);
    let clone = client.clone();
    let started = Instant::now();
    let three = |c: Client| async move {
        for _ in 0..3 {
            assert_eq!(c.get("/task").await.unwrap().status, 200);
        }
    };
    within(async { tokio::join!(three(client), three(clone)) }).await;
    // Six starts at 50 per second: at least five intervals of 20 ms.
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
    assert_eq!(server.hits(), 6);
}

#[tokio::test]
async fn requests_are_spaced_in_sequence() {
    let server = serve_canned(|_, _| json("200 OK", b"{}")).await;
    let options = ClientOptions {
        max_requests_per_second: 50.0,
        ..fast()
    };
    let client = server.client(options);
    let started = Instant::now();
    for _ in 0..6 {
        within(client.get("")).await.unwrap();
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(100), "{elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Construction

#[test]
fn valid_urls() {
    let c = Client::new(
        "http://169.254.170.2/v3/0c0d5e3a-2b2b",
        ClientOptions::default(),
    )
    .unwrap();
    assert_eq!(c.base_url(), "http://169.254.170.2/v3/0c0d5e3a-2b2b");
    assert_eq!(c.version(), ApiVersion::V3);
    assert_eq!(
        c.url("/task/stats"),
        "http://169.254.170.2/v3/0c0d5e3a-2b2b/task/stats"
    );
    let c = Client::new(
        "http://169.254.170.2/v4/0c0d5e3a-2b2b",
        ClientOptions::default(),
    )
    .unwrap();
    assert_eq!(c.version(), ApiVersion::V4);
    let c = Client::new("http://127.0.0.1:51679/v4/x", ClientOptions::default()).unwrap();
    assert_eq!(c.url(""), "http://127.0.0.1:51679/v4/x");
    assert_eq!(c.options(), &ClientOptions::default());
}

#[test]
fn invalid_urls_name_the_url_and_give_a_hint() {
    let cases = [
        ("http://169.254.170.2/v3/abc/", "trailing slash"),
        ("http://169.254.170.2/v3/", "trailing slash"),
        ("http://169.254.170.2/v2/metadata", "v2 endpoint"),
        (
            "ftp://169.254.170.2/v3/abc",
            "scheme `ftp` is not supported",
        ),
        ("http://169.254.170.2/v3", "no endpoint ID"),
        ("http://169.254.170.2/v3/abc/task", "has more than /v3/ID"),
        ("http://169.254.170.2/v3/abc?x=1", "has a query"),
        ("http://169.254.170.2/v3/abc#top", "has a fragment"),
        ("169.254.170.2/v3/abc", "not a URL"),
        ("", "not a URL"),
        ("http://169.254.170.2", "no path"),
        ("http://169.254.170.2/api/abc", "is not /v3/ID or /v4/ID"),
    ];
    for (url, phrase) in cases {
        match Client::new(url, ClientOptions::default()) {
            Err(Error::Input { input, message }) => {
                assert_eq!(input, url);
                assert!(message.contains(phrase), "{url}: {message}");
                assert!(message.contains("hint:"), "{url}: {message}");
                assert!(!message.contains('\n'), "{url}: {message}");
            }
            other => panic!("{url}: expected Error::Input, got {other:?}"),
        }
    }
}

#[test]
fn invalid_options_are_refused() {
    for options in [
        ClientOptions {
            max_requests_per_second: 0.0,
            ..ClientOptions::default()
        },
        ClientOptions {
            max_requests_per_second: f64::NAN,
            ..ClientOptions::default()
        },
        ClientOptions {
            timeout: Duration::ZERO,
            ..ClientOptions::default()
        },
    ] {
        let result = Client::new("http://127.0.0.1/v3/x", options);
        assert!(
            matches!(&result, Err(Error::Input { input, .. }) if input == "options"),
            "{result:?}"
        );
    }
}

#[test]
fn from_env_var_unset() {
    let name = "ECS_TMDE_TEST_CLIENT_NEVER_SET";
    match Client::from_env_var(name) {
        Err(Error::Input { input, message }) => {
            assert_eq!(input, name);
            assert!(
                message.starts_with("not set (or empty); hint:"),
                "{message}"
            );
            assert!(message.contains("ecs-tmde mock"), "{message}");
        }
        other => panic!("expected Error::Input, got {other:?}"),
    }
}

#[test]
fn from_env_var_with_a_bad_url_names_variable_and_value() {
    // PATH is set in every test environment and is never a metadata URL; reading it avoids
    // changing the process environment under other tests.
    let Ok(path) = std::env::var("PATH") else {
        return;
    };
    if path.trim().is_empty() {
        return;
    }
    match Client::from_env_var("PATH") {
        Err(Error::Input { input, message }) => {
            assert_eq!(input, format!("PATH={}", path.trim()));
            assert!(message.contains("hint:"), "{message}");
        }
        other => panic!("expected Error::Input, got {other:?}"),
    }
}

#[test]
fn client_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone + 'static>() {}
    assert_traits::<Client>();
}
