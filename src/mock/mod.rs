//! The mock endpoint: an HTTP server that behaves like the ECS agent's task metadata endpoint.
//!
//! A [`Scenario`] describes a task on a platform (seven are built in, and users write their own
//! in TOML or JSON). [`world::World`] resolves it with a seed into everything the agent would
//! derive (DockerIds, names, ARNs, labels, addresses) and follows the task over time: images
//! are pulled, containers are created and started, a short-lived container exits, health
//! checks report, stats counters grow. The router ([`app`]) serves the v3 and v4 routes with the
//! agent's status codes, content types and error bodies (ground-truth.md §1). v3 responses are
//! serialised from the project's models; v4 responses extend them ([`v4`]); the tests check
//! every scenario's responses, v3 and v4, against the published schemas and the rules.
//!
//! [`faults`] lets the mock break exactly one rule of the catalogue at a time, which is how
//! the project proves its checker: every rule a live endpoint can break fires when the mock
//! breaks it, and no rule fires when it does not.
//!
//! Use it in your own tests:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use ecs_tmde::mock::{self, MockOptions, Scenario};
//!
//! let server = mock::Server::start(Scenario::default_scenario(), MockOptions::default()).await?;
//! // Point the code under test at the first container's endpoint.
//! let uri = server.container_uri(0);
//! assert!(uri.starts_with("http://127.0.0.1:"));
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Or mount [`app`] in a router you serve yourself.

pub mod faults;
mod http;
pub mod scenario;
pub mod v4;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use faults::{Fault, FAULTS};
pub use http::{app, app_with};
pub use scenario::Scenario;

use world::World;

/// Where on the task's timeline the mock starts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Start {
    /// Every container has started and has stats (the default: what a container querying its
    /// own endpoint sees).
    #[default]
    Settled,
    /// The moment the task is accepted: nothing is pulled yet, and no endpoint id answers
    /// until its container is created.
    Beginning,
    /// After every container that exits has exited.
    Late,
    /// This many seconds after the task was accepted.
    At(f64),
}

/// How the mock runs.
#[derive(Clone, Debug)]
pub struct MockOptions {
    /// Seed of every derived value (ids, addresses, noise in stats).
    pub seed: u64,
    /// How fast the task's clock runs relative to wall time (1.0 = real time).
    pub speed: f64,
    /// Where on the timeline the clock starts.
    pub start: Start,
    /// Keep the clock still (responses never change; for snapshots and tests).
    pub frozen: bool,
    /// Unix time (nanos) at which the task was accepted; default: now, minus the start offset.
    pub epoch: Option<i128>,
    /// Rules to break.
    pub faults: Vec<&'static Fault>,
    /// Answer 429 above the agent's default rate limit (40 requests/s, burst 60).
    pub rate_limit: bool,
}

impl Default for MockOptions {
    fn default() -> MockOptions {
        MockOptions {
            seed: 1,
            speed: 1.0,
            start: Start::Settled,
            frozen: false,
            epoch: None,
            faults: Vec::new(),
            rate_limit: false,
        }
    }
}

/// The mock's clock: maps wall time onto scenario time.
#[derive(Debug)]
pub(crate) struct Clock {
    started: Instant,
    offset: i128,
    speed: f64,
    frozen: bool,
}

impl Clock {
    pub(crate) fn now(&self) -> i128 {
        if self.frozen {
            return self.offset;
        }
        let elapsed = self.started.elapsed().as_nanos() as f64 * self.speed;
        self.offset + elapsed as i128
    }
}

/// A resolved scenario with its clock and faults: the state behind [`app`].
#[derive(Debug)]
pub struct Mock {
    pub(crate) world: World,
    pub(crate) clock: Clock,
    pub(crate) options: MockOptions,
}

impl Mock {
    /// Resolves `scenario` with `options`.
    pub fn new(scenario: Scenario, options: MockOptions) -> Mock {
        let probe = World::new(scenario.clone(), options.seed, 0);
        let offset = match options.start {
            Start::Settled => probe.settled,
            Start::Beginning => 0,
            Start::Late => {
                let last_exit = probe
                    .containers
                    .iter()
                    .filter_map(|c| c.exits)
                    .max()
                    .unwrap_or(0);
                probe.settled.max(last_exit + 2_000_000_000)
            }
            Start::At(s) => (s.max(0.0) * 1e9) as i128,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let epoch = options.epoch.unwrap_or(now - offset);
        Mock {
            world: World::new(scenario, options.seed, epoch),
            clock: Clock {
                started: Instant::now(),
                offset,
                speed: if options.speed.is_finite() && options.speed > 0.0 {
                    options.speed
                } else {
                    1.0
                },
                frozen: options.frozen,
            },
            options,
        }
    }

    /// The resolved task.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The scenario time now, in nanoseconds since the task was accepted.
    pub fn now(&self) -> i128 {
        self.clock.now()
    }

    /// Containers whose endpoint a user would query: every container of the task definition
    /// (not the agent's pause container), as (name, endpoint id).
    pub fn endpoints(&self) -> Vec<(&str, &str)> {
        self.world
            .containers
            .iter()
            .filter(|c| c.kind == world::Kind::Normal)
            .map(|c| (c.name.as_str(), c.endpoint_id.as_str()))
            .collect()
    }
}

/// A mock endpoint serving on a loopback port, for tests and the `mock` command.
pub struct Server {
    addr: SocketAddr,
    mock: Arc<Mock>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Starts the mock on `127.0.0.1` on a free port.
    pub async fn start(scenario: Scenario, options: MockOptions) -> std::io::Result<Server> {
        Server::bind(scenario, options, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the mock on `addr` (port 0 picks a free one).
    pub async fn bind(
        scenario: Scenario,
        options: MockOptions,
        addr: SocketAddr,
    ) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mock = Arc::new(Mock::new(scenario, options));
        let router = http::router(mock.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await
        });
        Ok(Server {
            addr,
            mock,
            shutdown: Some(tx),
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The state it serves.
    pub fn mock(&self) -> &Mock {
        &self.mock
    }

    /// What `ECS_CONTAINER_METADATA_URI` holds in the `n`th container of the task definition.
    pub fn container_uri(&self, n: usize) -> String {
        let endpoints = self.mock.endpoints();
        let (_, id) = endpoints[n.min(endpoints.len() - 1)];
        format!("{}/v3/{id}", self.base_url())
    }

    /// What `ECS_CONTAINER_METADATA_URI_V4` holds in the `n`th container (the same id under
    /// `/v4/`, as the agent does).
    pub fn container_uri_v4(&self, n: usize) -> String {
        let endpoints = self.mock.endpoints();
        let (_, id) = endpoints[n.min(endpoints.len() - 1)];
        format!("{}/v4/{id}", self.base_url())
    }

    /// Stops accepting connections and waits (at most 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
