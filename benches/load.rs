//! A closed-loop HTTP/1.1 load generator for `benches/mock-vs-nginx.sh`.
//!
//! Each of `--connections` keep-alive connections sends `GET` requests back to back (one in
//! flight per connection, no pipelining), parses the status line and `Content-Length`, reads
//! exactly the body, and counts it. After `--warmup` seconds the measured window of
//! `--duration` seconds starts; one JSON line with the figures is printed at the end.
//!
//! ```text
//! cargo bench --bench load -- --url http://127.0.0.1:8080/v3/ID/task \
//!     --connections 32 --duration 30 [--warmup 3] [--threads 1] [--timeout 5]
//! ```
//!
//! It is written against raw `TcpStream`s rather than an HTTP client crate so that the client's
//! cost per request is small and the same for every server, and so that nothing in it (pools,
//! redirects, decompression) differs between the two servers being compared.
//!
//! It never hangs (every connect and every request has a timeout, and the run as a whole has a
//! hard deadline) and never panics on a bad server: every failure is counted by kind in
//! `errors` and the connection is reopened. Only loopback targets are accepted, because a load
//! test must not leave the machine.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Largest response head accepted; a server sending more is counted as an error.
const MAX_HEAD: usize = 64 * 1024;

/// Pause after a failed connect, so a refused port is not hammered in a tight loop.
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);

const USAGE: &str = "usage: load --url http://127.0.0.1:PORT/PATH --connections N --duration SECS \
[--warmup SECS] [--threads N] [--timeout SECS]";

/// The command line.
#[derive(Debug)]
struct Args {
    addr: SocketAddr,
    url: String,
    /// The request, rendered once: every request on every connection is these bytes.
    request: Vec<u8>,
    connections: usize,
    duration: Duration,
    warmup: Duration,
    threads: usize,
    timeout: Duration,
}

fn parse_secs(flag: &str, v: &str) -> Result<Duration, String> {
    match v.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!("{flag} {v:?}: expected seconds, 0 to 86400")),
    }
}

fn parse_count(flag: &str, v: &str, max: usize) -> Result<usize, String> {
    match v.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{flag} {v:?}: expected a whole number, 1 to {max}")),
    }
}

/// Splits `http://HOST:PORT/PATH` into a socket address and the request target. HOST must be
/// a loopback IP literal (no DNS: the generator must not depend on a resolver, nor reach
/// another machine by a name that resolves elsewhere).
fn parse_url(url: &str) -> Result<(SocketAddr, String, String), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--url {url:?}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let with_port = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let with_port = with_port.replacen("localhost:", "127.0.0.1:", 1);
    let addr: SocketAddr = with_port.parse().map_err(|_| {
        format!("--url {url:?}: the host must be an IP address with a port, e.g. 127.0.0.1:8080")
    })?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "--url {url:?}: {} is not a loopback address; this generator only loads this machine",
            addr.ip()
        ));
    }
    if path
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(format!(
            "--url {url:?}: the path has whitespace or control bytes"
        ));
    }
    Ok((addr, authority.to_string(), path.to_string()))
}

fn parse_args(argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut url = None;
    let mut connections = None;
    let mut duration = None;
    let mut warmup = Duration::ZERO;
    let mut threads = 1;
    let mut timeout = Duration::from_secs(5);
    let mut argv = argv.peekable();
    while let Some(flag) = argv.next() {
        // `cargo bench` passes `--bench` to every harness-less bench; it means nothing here.
        if flag == "--bench" {
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_string());
        }
        let value = argv
            .next()
            .ok_or_else(|| format!("{flag}: missing value\n{USAGE}"))?;
        match flag.as_str() {
            "--url" => url = Some(value),
            "--connections" => connections = Some(parse_count(&flag, &value, 10_000)?),
            "--duration" => duration = Some(parse_secs(&flag, &value)?),
            "--warmup" => warmup = parse_secs(&flag, &value)?,
            "--threads" => threads = parse_count(&flag, &value, 256)?,
            "--timeout" => timeout = parse_secs(&flag, &value)?,
            _ => return Err(format!("unknown argument {flag:?}\n{USAGE}")),
        }
    }
    let url = url.ok_or_else(|| format!("--url is required\n{USAGE}"))?;
    let (addr, authority, path) = parse_url(&url)?;
    let duration = duration.ok_or_else(|| format!("--duration is required\n{USAGE}"))?;
    if duration.is_zero() {
        return Err("--duration must be above 0".into());
    }
    if timeout.is_zero() {
        return Err("--timeout must be above 0".into());
    }
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: ecs-tmde-load\r\nAccept: */*\r\n\r\n")
            .into_bytes();
    Ok(Args {
        addr,
        url,
        request,
        connections: connections.ok_or_else(|| format!("--connections is required\n{USAGE}"))?,
        duration,
        warmup,
        threads,
        timeout,
    })
}

/// A latency histogram over microseconds with 64 linear sub-buckets per power of two, so any
/// percentile it reports is within 1/64 (1.6 %) of the true value, in a fixed 4096 counters.
#[derive(Clone)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum_us: u128,
    max_us: u64,
}

/// log2 of the number of sub-buckets per power of two.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            counts: vec![0; 4096],
            total: 0,
            sum_us: 0,
            max_us: 0,
        }
    }

    /// Values below `2 * SUB` have a bucket each; above, a value's bucket is its top
    /// `SUB_BITS + 1` bits, so buckets double in width with every power of two.
    fn index(us: u64) -> usize {
        if us < 2 * SUB {
            return us as usize;
        }
        let shift = us.ilog2() - SUB_BITS;
        (u64::from(shift) * SUB + (us >> shift)) as usize
    }

    /// The largest value that falls in bucket `i` (so percentiles err upwards, never down).
    fn upper(i: usize) -> u64 {
        let i = i as u64;
        if i < 2 * SUB {
            return i;
        }
        let shift = i / SUB - 1;
        let top = i % SUB + SUB;
        ((top + 1) << shift) - 1
    }

    fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let i = Self::index(us).min(self.counts.len() - 1);
        self.counts[i] += 1;
        self.total += 1;
        self.sum_us += u128::from(us);
        self.max_us = self.max_us.max(us);
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.sum_us += other.sum_us;
        self.max_us = self.max_us.max(other.max_us);
    }

    /// The `q`-quantile (0 < q ≤ 1) in microseconds, or 0 with no samples.
    fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::upper(i).min(self.max_us);
            }
        }
        self.max_us
    }

    fn mean(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.sum_us as f64 / self.total as f64
        }
    }
}

/// What one connection's task counted.
struct Stats {
    /// Complete responses within the measured window (any status).
    requests: u64,
    /// Of those, how many were not 200.
    non_200: u64,
    /// Responses that were not 200 over the whole run, warmup included.
    non_200_total: u64,
    /// Failures over the whole run (warmup included), by kind.
    errors: BTreeMap<&'static str, u64>,
    /// Response bytes (head and body) within the measured window.
    bytes: u64,
    /// Body bytes within the measured window.
    body_bytes: u64,
    /// TCP connections opened over the whole run.
    connects: u64,
    /// Latency of the responses within the measured window.
    latency: Histogram,
    /// The first failure seen, in full, for diagnosis.
    first_error: Option<String>,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            requests: 0,
            non_200: 0,
            non_200_total: 0,
            errors: BTreeMap::new(),
            bytes: 0,
            body_bytes: 0,
            connects: 0,
            latency: Histogram::new(),
            first_error: None,
        }
    }

    /// Counts a failure; `detail` is only rendered for the first one.
    fn error(&mut self, kind: &'static str, detail: impl std::fmt::Display) {
        *self.errors.entry(kind).or_insert(0) += 1;
        if self.first_error.is_none() {
            self.first_error = Some(format!("{kind}: {detail}"));
        }
    }

    fn merge(&mut self, o: Stats) {
        self.requests += o.requests;
        self.non_200 += o.non_200;
        self.non_200_total += o.non_200_total;
        for (k, v) in o.errors {
            *self.errors.entry(k).or_insert(0) += v;
        }
        self.bytes += o.bytes;
        self.body_bytes += o.body_bytes;
        self.connects += o.connects;
        self.latency.merge(&o.latency);
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
    }
}

/// Why an exchange failed: a kind (the key in the report) and a detail.
struct Failure(&'static str, String);

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        let kind = match e.kind() {
            std::io::ErrorKind::UnexpectedEof => "eof",
            std::io::ErrorKind::ConnectionReset => "reset",
            std::io::ErrorKind::BrokenPipe => "broken_pipe",
            _ => "io",
        };
        Failure(kind, e.to_string())
    }
}

/// A parsed response.
struct Response {
    status: u16,
    head_len: usize,
    body_len: usize,
    /// The server will close the connection after this response.
    close: bool,
}

/// One keep-alive connection with its read buffer (`buf[start..end]` is unread data).
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Conn {
    fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            buf: vec![0; MAX_HEAD],
            start: 0,
            end: 0,
        }
    }

    /// Reads more bytes into the buffer, compacting it first when the free tail is gone.
    async fn fill(&mut self) -> Result<(), Failure> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.end == self.buf.len() {
                return Err(Failure(
                    "bad_response",
                    format!("response head over {MAX_HEAD} bytes"),
                ));
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(Failure(
                "eof",
                "the server closed the connection".to_string(),
            ));
        }
        self.end += n;
        Ok(())
    }

    /// Sends `request` and reads one whole response.
    async fn exchange(&mut self, request: &[u8]) -> Result<Response, Failure> {
        if self.start != self.end {
            return Err(Failure(
                "bad_response",
                format!(
                    "{} unsolicited bytes before the response",
                    self.end - self.start
                ),
            ));
        }
        self.stream.write_all(request).await?;
        let head_len = loop {
            if let Some(p) = find_head_end(&self.buf[self.start..self.end]) {
                break p;
            }
            self.fill().await?;
        };
        let head = &self.buf[self.start..self.start + head_len];
        let parsed = parse_head(head).map_err(|e| Failure("bad_response", e))?;
        self.start += head_len;
        // Skip the body without copying it anywhere: only its length matters here.
        let mut remaining = parsed.body_len;
        loop {
            let take = remaining.min(self.end - self.start);
            self.start += take;
            remaining -= take;
            if remaining == 0 {
                break;
            }
            self.fill().await?;
        }
        Ok(Response {
            status: parsed.status,
            head_len,
            body_len: parsed.body_len,
            close: parsed.close,
        })
    }
}

/// The length of the response head including its blank line, once it is all in `data`.
fn find_head_end(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

struct Head {
    status: u16,
    body_len: usize,
    close: bool,
}

/// Parses the status line and the two headers that frame the body. Chunked bodies are refused
/// (neither server sends them for a fixed document, and reading them is not what is measured).
fn parse_head(head: &[u8]) -> Result<Head, String> {
    let text = std::str::from_utf8(head).map_err(|_| "response head is not UTF-8".to_string())?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let (version, rest) = status_line
        .split_once(' ')
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(format!("bad status line {status_line:?}")),
    };
    let code = rest.get(..3).unwrap_or_default();
    let status = code
        .parse::<u16>()
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let mut body_len = None;
    let mut close = http10;
    for line in lines.filter(|l| !l.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("bad header line {line:?}"));
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let n = value
                .parse::<usize>()
                .map_err(|_| format!("bad Content-Length {value:?}"))?;
            if body_len.is_some_and(|m| m != n) {
                return Err("conflicting Content-Length headers".into());
            }
            body_len = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(format!("Transfer-Encoding {value:?} is not supported"));
        } else if name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            if v.contains("close") {
                close = true;
            } else if v.contains("keep-alive") {
                close = false;
            }
        }
    }
    let body_len = match body_len {
        Some(n) => n,
        // These never have a body (RFC 9112 §6.3).
        None if status < 200 || status == 204 || status == 304 => 0,
        None => return Err(format!("status {status} without Content-Length")),
    };
    Ok(Head {
        status,
        body_len,
        close,
    })
}

/// The measured window: responses completing in `[from, until)` are counted.
#[derive(Clone, Copy)]
struct Window {
    from: Instant,
    until: Instant,
}

/// One connection's loop: connect, send requests back to back until the window ends, and
/// reconnect after any failure.
async fn run_connection(args: std::sync::Arc<Args>, window: Window) -> Stats {
    let mut stats = Stats::new();
    let mut conn: Option<Conn> = None;
    while Instant::now() < window.until {
        let mut c = match conn.take() {
            Some(c) => c,
            None => {
                stats.connects += 1;
                match tokio::time::timeout(args.timeout, TcpStream::connect(args.addr)).await {
                    Ok(Ok(s)) => {
                        // Requests are small and sent whole; Nagle would only add delay.
                        let _ = s.set_nodelay(true);
                        Conn::new(s)
                    }
                    Ok(Err(e)) => {
                        stats.error("connect", e);
                        tokio::time::sleep(RECONNECT_PAUSE).await;
                        continue;
                    }
                    Err(_) => {
                        stats.error("connect_timeout", format_args!("after {:?}", args.timeout));
                        continue;
                    }
                }
            }
        };
        let sent = Instant::now();
        match tokio::time::timeout(args.timeout, c.exchange(&args.request)).await {
            Ok(Ok(resp)) => {
                let done = Instant::now();
                if resp.status != 200 {
                    stats.non_200_total += 1;
                }
                if done >= window.from && done < window.until {
                    stats.requests += 1;
                    stats.non_200 += u64::from(resp.status != 200);
                    stats.bytes += (resp.head_len + resp.body_len) as u64;
                    stats.body_bytes += resp.body_len as u64;
                    stats.latency.record(done - sent);
                }
                if !resp.close {
                    conn = Some(c);
                }
            }
            Ok(Err(Failure(kind, detail))) => stats.error(kind, detail),
            Err(_) => stats.error(
                "timeout",
                format_args!("no whole response in {:?}", args.timeout),
            ),
        }
    }
    stats
}

async fn run(args: Args) -> serde_json::Value {
    let args = std::sync::Arc::new(args);
    let start = Instant::now();
    let window = Window {
        from: start + args.warmup,
        until: start + args.warmup + args.duration,
    };
    let tasks: Vec<_> = (0..args.connections)
        .map(|_| tokio::spawn(run_connection(args.clone(), window)))
        .collect();
    // Each task ends at most one connect or request timeout after the window; this deadline
    // only guards against a bug in that reasoning, so the generator can never hang.
    let hard_deadline = window.until + 2 * args.timeout + Duration::from_secs(1);
    let mut total = Stats::new();
    for t in tasks {
        match tokio::time::timeout_at(hard_deadline, t).await {
            Ok(Ok(s)) => total.merge(s),
            Ok(Err(e)) => total.error("task_failed", e),
            Err(_) => total.error("task_stuck", "past the hard deadline"),
        }
    }
    let secs = args.duration.as_secs_f64();
    let cpu_s = own_cpu_seconds();
    let error_count: u64 = total.errors.values().sum();
    let h = &total.latency;
    serde_json::json!({
        "url": args.url,
        "connections": args.connections,
        "threads": args.threads,
        "warmup_s": args.warmup.as_secs_f64(),
        "duration_s": secs,
        "requests": total.requests,
        "rps": (total.requests as f64 / secs).round(),
        "non_200": total.non_200,
        "non_200_total": total.non_200_total,
        "errors": error_count,
        "error_kinds": total.errors,
        "first_error": total.first_error,
        "connects": total.connects,
        "client_cpu_s": cpu_s,
        "bytes": total.bytes,
        "body_bytes": total.body_bytes,
        "mib_per_s": (total.bytes as f64 / secs / (1024.0 * 1024.0) * 10.0).round() / 10.0,
        "latency_us": {
            "p50": h.quantile(0.50),
            "p90": h.quantile(0.90),
            "p99": h.quantile(0.99),
            "p999": h.quantile(0.999),
            "max": h.max_us,
            "mean": (h.mean() * 10.0).round() / 10.0,
        },
    })
}

/// CPU time (user + system) this process has used, from `/proc/self/stat` (Linux), so the
/// report shows whether the generator itself was near the limit of its threads. `None`
/// elsewhere.
fn own_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 of `rest` (from 1).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux architecture; the kernel scales to it for userspace.
    Some(ticks as f64 / 100.0)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("load: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = runtime.block_on(run(args));
    println!("{report}");
    ExitCode::SUCCESS
}
