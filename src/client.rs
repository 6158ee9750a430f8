//! A careful, polite HTTP client for the task metadata endpoint.
//!
//! The endpoint is a shared resource of the ECS agent: it rate-limits every task (40 requests a
//! second, bursts of 60, answering `429`) and it is sometimes not ready yet (a container has no
//! stats for about a second after it starts). The client therefore spaces its requests, backs
//! off and retries on `429` and on stats that are not ready yet, bounds every exchange in time
//! and size, and turns every way of failing into a one-line [`Error::Http`] that names the URL
//! and gives a hint. It never panics and never hangs.
//!
//! Problems *of the endpoint* (a `500`, a `404`, a `429` that does not go away) are not errors
//! of [`Client::get`] and [`Client::get_endpoint`]: they return the [`Response`] so that the
//! checker can report it as a finding. The typed methods ([`Client::task`] and friends) do turn
//! a non-2xx status into an error, because they promise a decoded document.
//!
//! ```no_run
//! # async fn run() -> Result<(), ecs_tmde::Error> {
//! use ecs_tmde::client::Client;
//!
//! // Inside an ECS task the agent sets ECS_CONTAINER_METADATA_URI in every container;
//! // `ecs-tmde mock` prints such a line to try this locally.
//! let client = Client::from_env()?;
//! let task = client.task().await?;
//! println!("{} revision {}", task.value.family, task.value.revision);
//! let stats = client.stats().await?;
//! println!("memory usage: {:?}", stats.value.memory_stats.usage);
//! # Ok(())
//! # }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::check::ApiVersion;
use crate::model::{Container, Stats, Task, TaskStats};
use crate::{Endpoint, Error};

/// The environment variable the ECS agent sets to the v3 endpoint of the container.
pub const ENV_VAR: &str = "ECS_CONTAINER_METADATA_URI";

/// The environment variable the ECS agent sets to the v4 endpoint of the container.
pub const ENV_VAR_V4: &str = "ECS_CONTAINER_METADATA_URI_V4";

/// Longest wait between two retries (unless [`ClientOptions::retry_delay`] is longer): the
/// agent's rate limit refills within a second, and stats appear about a second after a
/// container starts, so waiting longer only slows a check down.
pub const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// Redirects followed before giving up. The agent only redirects unclean paths (which this
/// client never sends), so more than a handful means a loop.
pub const MAX_REDIRECTS: usize = 5;

/// How long an idle connection is kept for reuse.
const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// How many characters of an error body an error message quotes.
const BODY_SNIPPET_CHARS: usize = 200;

/// What every error about the URL's shape suggests instead.
const URL_HINT: &str = "expected http://HOST[:PORT]/v3/ID as in ECS_CONTAINER_METADATA_URI \
                        (or /v4/ID as in ECS_CONTAINER_METADATA_URI_V4)";

/// Limits and politeness settings of a [`Client`].
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOptions {
    /// Longest time one exchange may take, from sending the request to the last byte of the
    /// body (default 10 s). Waiting for a rate-limit slot and backing off between retries are
    /// not counted.
    pub timeout: Duration,
    /// Longest time to establish the TCP connection (default 2 s). The endpoint is link-local,
    /// so a slow connect means it is not there.
    pub connect_timeout: Duration,
    /// Largest body accepted, in bytes (default 16 MiB; real responses are a few KiB).
    pub max_body_bytes: u64,
    /// Most requests started per second by one client and its clones (default 10, well below
    /// the agent's limit of 40 per second so that the task's own programs keep their share).
    /// `f64::INFINITY` turns spacing off.
    pub max_requests_per_second: f64,
    /// Retries after a `429` and while stats are not ready yet (default 5).
    pub max_retries: u32,
    /// Wait before the first retry (default 250 ms); it doubles for every further retry, up to
    /// [`MAX_BACKOFF`]. A `Retry-After` header in seconds is honoured up to the same cap.
    pub retry_delay: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
            max_body_bytes: 16 * 1024 * 1024,
            max_requests_per_second: 10.0,
            max_retries: 5,
            retry_delay: Duration::from_millis(250),
        }
    }
}

/// One HTTP exchange with the endpoint, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The URL requested (before any same-host redirect).
    pub url: String,
    /// The HTTP status code.
    pub status: u16,
    /// Response headers with lower-case names, in the order received (the values of a
    /// repeated name follow its first occurrence). Values that are not UTF-8 are converted
    /// lossily.
    pub headers: Vec<(String, String)>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The whole body.
    pub body: Vec<u8>,
    /// Duration of the final attempt, from sending the request to reading the last byte.
    pub latency: Duration,
    /// Number of attempts made (1 when there was no retry).
    pub attempts: u32,
}

impl Response {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first value of header `name` (matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// A decoded document together with the exchange it came from.
#[derive(Clone, Debug)]
pub struct Typed<T> {
    /// The decoded document.
    pub value: T,
    /// The exchange, with the raw body.
    pub response: Response,
}

/// A client for one task metadata endpoint (one `ECS_CONTAINER_METADATA_URI`).
///
/// Cheap to clone: clones share the connection pool and the request spacing, so the rate
/// limit holds for all of them together.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    version: ApiVersion,
    http: reqwest::Client,
    options: ClientOptions,
    /// Minimum time between the starts of two requests; `None` when spacing is off.
    interval: Option<Duration>,
    /// Earliest start of the next request. A std mutex suffices: it is never held across an
    /// await.
    next_slot: Mutex<Instant>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("version", &self.inner.version)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for the endpoint at `base_url`, e.g. `http://169.254.170.2/v3/<id>`.
    ///
    /// The URL must be `http` (or `https`, which this build cannot speak: the endpoint is plain
    /// HTTP), have a host, and a path of exactly `/v3/ID` or `/v4/ID`, with no trailing slash
    /// (the agent answers 404 to it), query or fragment. Errors are [`Error::Input`] naming
    /// the URL, with a hint; invalid options are [`Error::Input`] about `options`.
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Client, Error> {
        let bad_url = |message: String| Error::Input {
            input: base_url.to_owned(),
            message,
        };
        let (base, version) = validate_url(base_url).map_err(bad_url)?;
        let interval = validate_options(&options).map_err(|message| Error::Input {
            input: "options".to_owned(),
            message,
        })?;

        // The endpoint lives on a link-local address: ECS tasks often have HTTP_PROXY set for
        // their outbound traffic, and a proxy cannot reach 169.254.170.2.
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(options.connect_timeout)
            // Servers close idle keep-alive connections after a few seconds; a request sent
            // on one just as it closes fails with "connection closed". Dropping idle
            // connections first costs one cheap loopback/link-local connect.
            .pool_idle_timeout(IDLE_CONNECTION_TIMEOUT)
            .redirect(redirect_policy())
            .user_agent(concat!("ecs-tmde/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| bad_url(format!("cannot build the HTTP client: {}", flatten(&e))))?;

        Ok(Client {
            inner: Arc::new(Inner {
                base_url: base,
                version,
                http,
                options,
                interval,
                // "now": the first request never waits.
                next_slot: Mutex::new(Instant::now()),
            }),
        })
    }

    /// A client for `$ECS_CONTAINER_METADATA_URI` (the v3 endpoint), with default options.
    pub fn from_env() -> Result<Client, Error> {
        Client::from_env_var(ENV_VAR)
    }

    /// A client for the URL in the environment variable `name` (e.g.
    /// `ECS_CONTAINER_METADATA_URI_V4`), with default options.
    ///
    /// An unset or empty variable is an [`Error::Input`] about `name`; a bad URL an
    /// [`Error::Input`] about `NAME=URL`.
    pub fn from_env_var(name: &str) -> Result<Client, Error> {
        Client::from_env_var_with(name, ClientOptions::default())
    }

    /// Like [`Client::from_env_var`], with `options` (for command-line limits).
    pub fn from_env_var_with(name: &str, options: ClientOptions) -> Result<Client, Error> {
        let value =
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => v,
                Ok(_) | Err(std::env::VarError::NotPresent) => return Err(Error::Input {
                    input: name.to_owned(),
                    message:
                        "not set (or empty); hint: the ECS agent sets it in every container of a \
                              task; to try locally, run `ecs-tmde mock` and export the \
                              ECS_CONTAINER_METADATA_URI=... line it prints"
                            .to_owned(),
                }),
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(Error::Input {
                        input: name.to_owned(),
                        message: format!("not valid UTF-8; hint: {URL_HINT}"),
                    })
                }
            };
        let value = value.trim();
        Client::new(value, options).map_err(|e| match e {
            Error::Input { input, message } if input == value => Error::Input {
                input: format!("{name}={value}"),
                message,
            },
            other => other,
        })
    }

    /// The base URL, as normalised by URL parsing (e.g. a lower-case host).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The endpoint version, from the first path segment: `/v3/` or `/v4/`.
    pub fn version(&self) -> ApiVersion {
        self.inner.version
    }

    /// The options this client was built with.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// The base URL followed by `suffix` (such as `/task`, or `""` for the container).
    pub fn url(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.inner.base_url)
    }

    /// Fetches base URL + `suffix`. Any HTTP status is `Ok`; a `429` is retried with backoff
    /// up to [`ClientOptions::max_retries`] times, and the last `429` is returned if it does
    /// not go away.
    ///
    /// Errors ([`Error::Http`]) mean there is no complete response: refused connection,
    /// timeout, a body over the cap, a connection closed early, a redirect loop or a redirect
    /// to another host.
    pub async fn get(&self, suffix: &str) -> Result<Response, Error> {
        self.fetch(suffix, None).await
    }

    /// Fetches `endpoint` like [`Client::get`]. For [`Endpoint::Stats`] and
    /// [`Endpoint::TaskStats`] it also retries while the stats are not ready yet: a `400` or
    /// `500` about stats (`Unable to get container stats for: ...`; an unknown endpoint ID is
    /// permanent and not retried), a `200` with `null` or `{}`, or task stats where no
    /// container has a sample yet. After the last retry the response is returned as it is;
    /// judging it is the checker's job.
    pub async fn get_endpoint(&self, endpoint: Endpoint) -> Result<Response, Error> {
        self.fetch(endpoint.path_suffix(), Some(endpoint)).await
    }

    /// The calling container's metadata (`${ECS_CONTAINER_METADATA_URI}`).
    ///
    /// A non-2xx status is an [`Error::Http`] quoting the body; a body that does not decode
    /// is an [`Error::Json`] with line and column.
    pub async fn container(&self) -> Result<Typed<Container>, Error> {
        typed(self.get_endpoint(Endpoint::Container).await?)
    }

    /// The task's metadata (`/task`). Errors as for [`Client::container`].
    pub async fn task(&self) -> Result<Typed<Task>, Error> {
        typed(self.get_endpoint(Endpoint::Task).await?)
    }

    /// The task's metadata with its tags (`/taskWithTags`; EC2 only, Fargate answers 404).
    /// Errors as for [`Client::container`].
    pub async fn task_with_tags(&self) -> Result<Typed<Task>, Error> {
        typed(self.get("/taskWithTags").await?)
    }

    /// The calling container's Docker stats (`/stats`), waiting for the first sample as
    /// [`Client::get_endpoint`] does. Still no sample after the retries is an
    /// [`Error::Http`]; otherwise errors as for [`Client::container`].
    pub async fn stats(&self) -> Result<Typed<Stats>, Error> {
        let response = self.get_endpoint(Endpoint::Stats).await?;
        if response.is_success() && is_empty_document(&response.body) {
            return Err(Error::Http {
                url: response.url.clone(),
                message: format!(
                    "no stats sample after {}: the body is `{}`; hint: a container has \
                     stats about a second after it starts, try again",
                    plural(response.attempts, "attempt"),
                    one_line(&response.body_text()),
                ),
            });
        }
        typed(response)
    }

    /// Docker stats of every container of the task (`/task/stats`), waiting for the first
    /// samples as [`Client::get_endpoint`] does. Containers without a sample are
    /// [`crate::model::TaskStatsEntry::Null`] or `Empty`. Errors as for [`Client::container`].
    pub async fn task_stats(&self) -> Result<Typed<TaskStats>, Error> {
        typed(self.get_endpoint(Endpoint::TaskStats).await?)
    }

    /// Attempts with retries: `429` always, stats-not-ready for the stats endpoints.
    async fn fetch(&self, suffix: &str, endpoint: Option<Endpoint>) -> Result<Response, Error> {
        let url = self.url(suffix);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let mut response = self.attempt(&url).await?;
            response.attempts = attempts;
            let retry_after = if response.status == 429 {
                Some(retry_after(&response))
            } else if endpoint.is_some_and(|e| stats_not_ready(e, &response)) {
                Some(None)
            } else {
                None
            };
            match retry_after {
                Some(retry_after) if attempts <= self.inner.options.max_retries => {
                    tokio::time::sleep(self.backoff(attempts, retry_after)).await;
                }
                _ => return Ok(response),
            }
        }
    }

    /// Wait before retry number `retry` (1-based).
    fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let first = self.inner.options.retry_delay;
        let cap = MAX_BACKOFF.max(first);
        let doubled = first
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(cap);
        match retry_after {
            Some(asked) => doubled.max(asked.min(cap)),
            None => doubled,
        }
    }

    /// One rate-limited, time-bounded exchange.
    async fn attempt(&self, url: &str) -> Result<Response, Error> {
        self.wait_for_slot().await;
        let timeout = self.inner.options.timeout;
        let mut progress = Progress::default();
        match tokio::time::timeout(timeout, self.exchange(url, &mut progress)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Http {
                url: url.to_owned(),
                message: format!(
                    "no complete response within {} ({}); hint: --timeout",
                    human_duration(timeout),
                    progress.describe()
                ),
            }),
        }
    }

    /// Reserves the next start slot and sleeps until it comes.
    async fn wait_for_slot(&self) {
        let Some(interval) = self.inner.interval else {
            return;
        };
        let start = {
            let mut next = self
                .inner
                .next_slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let start = (*next).max(Instant::now());
            *next = start + interval;
            start
        };
        tokio::time::sleep_until(start).await;
    }

    /// Sends the request and reads the whole body, within the size cap.
    async fn exchange(&self, url: &str, progress: &mut Progress) -> Result<Response, Error> {
        let http_error = |message: String| Error::Http {
            url: url.to_owned(),
            message,
        };
        let started = Instant::now();
        let mut response = self
            .inner
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| http_error(describe_send_error(e, &self.inner.options)))?;

        let status = response.status().as_u16();
        progress.status = Some(status);
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let content_type = headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map(|(_, value)| value.clone());

        let cap = self.inner.options.max_body_bytes;
        let over_cap = |detail: String| {
            http_error(format!(
                "body exceeds the {} cap ({detail}); hint: --max-body",
                human_bytes(cap)
            ))
        };
        let declared = response.content_length();
        if let Some(len) = declared.filter(|&len| len > cap) {
            return Err(over_cap(format!("Content-Length: {len}")));
        }

        // Never trust a declared length for the allocation: it is only a hint.
        let initial = declared.unwrap_or(0).min(cap).min(1 << 20);
        let mut body = Vec::with_capacity(usize::try_from(initial).unwrap_or(0));
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let total = body.len() as u64 + chunk.len() as u64;
                    if total > cap {
                        return Err(over_cap(format!("{total} bytes received so far")));
                    }
                    body.extend_from_slice(&chunk);
                    progress.body_bytes = total;
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(http_error(describe_body_error(e, body.len(), declared)));
                }
            }
        }

        Ok(Response {
            url: url.to_owned(),
            status,
            headers,
            content_type,
            body,
            latency: started.elapsed(),
            attempts: 1,
        })
    }
}

/// How far an exchange got, for the timeout message.
#[derive(Default)]
struct Progress {
    status: Option<u16>,
    body_bytes: u64,
}

impl Progress {
    fn describe(&self) -> String {
        match self.status {
            None => "no response headers received".to_owned(),
            Some(status) => format!(
                "HTTP {status} received, {} of body so far",
                plural_u64(self.body_bytes, "byte")
            ),
        }
    }
}

/// Checks the shape of a base URL; returns it normalised, with its version.
fn validate_url(raw: &str) -> Result<(String, ApiVersion), String> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| format!("not a URL ({e}); hint: {URL_HINT}"))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(format!(
                "scheme `{other}` is not supported; hint: {URL_HINT}"
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("no host; hint: {URL_HINT}"));
    }
    if let Some(query) = url.query() {
        return Err(format!(
            "has a query (`?{query}`); hint: give the URL exactly as in \
             ECS_CONTAINER_METADATA_URI"
        ));
    }
    if let Some(fragment) = url.fragment() {
        return Err(format!(
            "has a fragment (`#{fragment}`); hint: give the URL exactly as in \
             ECS_CONTAINER_METADATA_URI"
        ));
    }

    let path = url.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let version = match segments[0] {
        "v3" => ApiVersion::V3,
        "v4" => ApiVersion::V4,
        "v2" => {
            return Err(format!(
                "the v2 endpoint (http://169.254.170.2/v2/metadata) has another layout and is \
                 not supported; hint: {URL_HINT}"
            ))
        }
        "" => return Err(format!("no path; hint: {URL_HINT}")),
        _ => {
            return Err(format!(
                "path `{path}` is not /v3/ID or /v4/ID; hint: {URL_HINT}"
            ))
        }
    };
    if path.len() > 1 && path.ends_with('/') {
        return Err(format!(
            "trailing slash (the agent answers 404 to `{path}`); hint: remove the final `/`; \
             {URL_HINT}"
        ));
    }
    match segments.len() {
        1 => Err(format!(
            "no endpoint ID after `/{}`; hint: {URL_HINT}",
            segments[0]
        )),
        2 => Ok((url.as_str().to_owned(), version)),
        _ => Err(format!(
            "path `{path}` has more than /{}/ID; hint: give the base URL, the client appends \
             /task, /stats and /task/stats itself; {URL_HINT}",
            segments[0]
        )),
    }
}

/// Checks the options; returns the spacing between request starts.
fn validate_options(options: &ClientOptions) -> Result<Option<Duration>, String> {
    if options.timeout.is_zero() {
        return Err("timeout must be longer than 0 s; hint: --timeout".to_owned());
    }
    if options.connect_timeout.is_zero() {
        return Err("connect_timeout must be longer than 0 s".to_owned());
    }
    let rate = options.max_requests_per_second;
    if rate.is_nan() || rate <= 0.0 {
        return Err(format!(
            "max_requests_per_second must be a positive number, not {rate}"
        ));
    }
    if rate.is_infinite() {
        return Ok(None);
    }
    Duration::try_from_secs_f64(1.0 / rate)
        .map(Some)
        .map_err(|_| format!("max_requests_per_second {rate} is too small"))
}

/// Same scheme, host and port only, at most [`MAX_REDIRECTS`] times.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let next = attempt.url();
        // `previous` starts with the URL originally requested.
        let same_origin = attempt.previous().first().is_none_or(|first| {
            first.scheme() == next.scheme()
                && first.host_str() == next.host_str()
                && first.port_or_known_default() == next.port_or_known_default()
        });
        if !same_origin {
            let message = format!("redirect to another host refused: {next}");
            attempt.error(RedirectRefused(message))
        } else if attempt.previous().len() > MAX_REDIRECTS {
            let message = format!("too many redirects (more than {MAX_REDIRECTS}, last to {next})");
            attempt.error(RedirectRefused(message))
        } else {
            attempt.follow()
        }
    })
}

/// Why a redirect was not followed; found again in the error's source chain.
#[derive(Debug)]
struct RedirectRefused(String);

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// One line saying why no response arrived.
fn describe_send_error(err: reqwest::Error, options: &ClientOptions) -> String {
    if let Some(refused) = find_source::<RedirectRefused>(&err) {
        return refused.0.clone();
    }
    if has_io_kind(&err, &[std::io::ErrorKind::ConnectionRefused]) {
        return "connection refused; hint: is the endpoint (or `ecs-tmde mock`) running?"
            .to_owned();
    }
    if err.is_connect() && err.is_timeout() {
        return format!(
            "could not connect within {}; hint: the endpoint is only reachable from inside an \
             ECS task (or run `ecs-tmde mock`)",
            human_duration(options.connect_timeout)
        );
    }
    let text = flatten(&err.without_url());
    if text.contains("connection closed before message completed") {
        return "connection closed before a response arrived; hint: is this an ECS task \
                metadata endpoint?"
            .to_owned();
    }
    if text.contains("scheme is not http") {
        return "https is not supported: this build has no TLS, and the endpoint is plain \
                HTTP; hint: use the http:// URL from ECS_CONTAINER_METADATA_URI"
            .to_owned();
    }
    text
}

/// One line saying why the body could not be read.
fn describe_body_error(err: reqwest::Error, received: usize, declared: Option<u64>) -> String {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionReset, UnexpectedEof};
    let io_closed = has_io_kind(&err, &[UnexpectedEof, ConnectionReset, ConnectionAborted]);
    let text = flatten(&err.without_url());
    let closed = io_closed || text.contains("connection closed") || text.contains("end of file");
    if closed {
        let of = declared
            .map(|n| format!(" of {n} (Content-Length)"))
            .unwrap_or_default();
        format!(
            "connection closed after {}{of}, before the whole body arrived",
            plural_u64(received as u64, "byte")
        )
    } else {
        format!(
            "reading the body failed after {}: {text}",
            plural_u64(received as u64, "byte")
        )
    }
}

/// The first error of type `E` in the source chain of `err` (including `err` itself).
fn find_source<'a, E: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a E> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// Whether an I/O error of one of `kinds` is in the source chain of `err`.
fn has_io_kind(err: &(dyn std::error::Error + 'static), kinds: &[std::io::ErrorKind]) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| kinds.contains(&io.kind()))
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// An error and its sources on one line, each message once: wrappers often repeat the text
/// of their source.
fn flatten(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(err);
    while let Some(e) = current {
        let text = one_line(&e.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// `text` with every run of whitespace (newlines included) collapsed to one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Seconds from a `Retry-After: N` header; the HTTP-date form is ignored (the agent's rate
/// limiter sends neither).
fn retry_after(response: &Response) -> Option<Duration> {
    response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Whether a stats response says "no sample yet" rather than giving one.
fn stats_not_ready(endpoint: Endpoint, response: &Response) -> bool {
    if !matches!(endpoint, Endpoint::Stats | Endpoint::TaskStats) {
        return false;
    }
    match response.status {
        400 | 500 => {
            let text = response.body_text().to_lowercase();
            // "unable to get ... from v3 endpoint ID": an unknown ID never becomes known.
            text.contains("stats") && !text.contains("endpoint id")
        }
        200 => {
            is_empty_document(&response.body)
                || (endpoint == Endpoint::TaskStats && no_task_sample(&response.body))
        }
        _ => false,
    }
}

/// `null` or `{}` (with any surrounding whitespace).
fn is_empty_document(body: &[u8]) -> bool {
    let text = crate::decode::strip_bom(body).trim_ascii();
    if text == b"null" {
        return true;
    }
    text.strip_prefix(b"{")
        .and_then(|t| t.strip_suffix(b"}"))
        .is_some_and(|inner| inner.trim_ascii().is_empty())
}

/// A task stats map in which no container has a sample yet (every value `null` or `{}`).
/// The calling container is running, so it will have one soon.
fn no_task_sample(body: &[u8]) -> bool {
    let Ok(map) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(
        crate::decode::strip_bom(body),
    ) else {
        return false;
    };
    !map.is_empty()
        && map
            .values()
            .all(|v| v.is_null() || v.as_object().is_some_and(|o| o.is_empty()))
}

/// Decodes a 2xx response; anything else is an error quoting the body.
fn typed<T: DeserializeOwned>(response: Response) -> Result<Typed<T>, Error> {
    if !response.is_success() {
        return Err(status_error(&response));
    }
    let value = crate::decode::from_slice(&response.url, &response.body)?;
    Ok(Typed { value, response })
}

/// `HTTP 500 Internal Server Error: "..."`, one line, the body cut at
/// [`BODY_SNIPPET_CHARS`] characters.
fn status_error(response: &Response) -> Error {
    let reason = reqwest::StatusCode::from_u16(response.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    let text = one_line(&response.body_text());
    let body = if text.is_empty() {
        "(empty body)".to_owned()
    } else if text.chars().count() > BODY_SNIPPET_CHARS {
        let cut: String = text.chars().take(BODY_SNIPPET_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    };
    let after = if response.attempts > 1 {
        format!(" (after {})", plural(response.attempts, "attempt"))
    } else {
        String::new()
    };
    Error::Http {
        url: response.url.clone(),
        message: format!("HTTP {}{reason}{after}: {body}", response.status),
    }
}

fn plural(n: u32, word: &str) -> String {
    plural_u64(u64::from(n), word)
}

fn plural_u64(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `10 s`, `300 ms`, `1.5 s`: how the options are written on the command line.
fn human_duration(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// `16 MiB`, `4 KiB`, `100 bytes`.
fn human_bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n % KIB == 0 {
        format!("{} KiB", n / KIB)
    } else {
        plural_u64(n, "byte")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_read_like_options() {
        assert_eq!(human_duration(Duration::from_secs(10)), "10 s");
        assert_eq!(human_duration(Duration::from_millis(300)), "300 ms");
        assert_eq!(human_duration(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(human_bytes(16 * 1024 * 1024), "16 MiB");
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(100), "100 bytes");
    }

    #[test]
    fn empty_documents() {
        for body in ["null", " null\n", "{}", "{ \n}", "\u{feff}{}"] {
            assert!(is_empty_document(body.as_bytes()), "{body:?}");
        }
        for body in ["", "[]", "{\"a\":1}", "nul"] {
            assert!(!is_empty_document(body.as_bytes()), "{body:?}");
        }
        assert!(no_task_sample(br#"{"a":null,"b":{}}"#));
        assert!(!no_task_sample(br#"{"a":null,"b":{"read":"x"}}"#));
        assert!(!no_task_sample(b"{}"));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_honours_retry_after() {
        let client = Client::new("http://127.0.0.1:1/v3/x", ClientOptions::default()).unwrap();
        let ms = Duration::from_millis;
        assert_eq!(client.backoff(1, None), ms(250));
        assert_eq!(client.backoff(2, None), ms(500));
        assert_eq!(client.backoff(5, None), MAX_BACKOFF);
        assert_eq!(client.backoff(40, None), MAX_BACKOFF);
        assert_eq!(client.backoff(1, Some(ms(2000))), ms(2000));
        assert_eq!(client.backoff(1, Some(ms(60_000))), MAX_BACKOFF);
    }
}
