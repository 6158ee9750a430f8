//! The mock's HTTP surface: the agent's routes, status codes, content types and error bodies.
//!
//! Routing is done by hand rather than with axum's router because the agent's (gorilla/mux)
//! semantics are particular: path variables may be empty (`/v3/` is the container route with
//! id ""), unclean paths get a 301 to the cleaned path, trailing slashes are 404, and any
//! method is accepted.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;

use super::faults::{self, Doc, HttpFault};
use super::{Mock, MockOptions, Scenario};
use crate::Endpoint;

/// The mock as an axum router serving `scenario` with default options (seed 1, real time,
/// started once every container runs).
pub fn app(scenario: Scenario) -> Router {
    app_with(scenario, MockOptions::default())
}

/// The mock as an axum router, with options.
pub fn app_with(scenario: Scenario, options: MockOptions) -> Router {
    router(Arc::new(Mock::new(scenario, options)))
}

pub(crate) fn router(mock: Arc<Mock>) -> Router {
    let state = Arc::new(Served {
        cache: RwLock::new(HashMap::new()),
        limiter: Mutex::new(Bucket {
            tokens: BURST,
            last: Instant::now(),
        }),
        polls: Mutex::new(HashMap::new()),
        mock,
    });
    Router::new().fallback(handle).with_state(state)
}

/// The agent's default rate limit (tollbooth): 40 requests/s, burst 60.
const RATE: f64 = 40.0;
const BURST: f64 = 60.0;

struct Bucket {
    tokens: f64,
    last: Instant,
}

type CacheKey = (Route, bool, usize);

struct Cached {
    from: i128,
    until: i128,
    body: axum::body::Bytes,
}

struct Served {
    mock: Arc<Mock>,
    cache: RwLock<HashMap<CacheKey, Cached>>,
    limiter: Mutex<Bucket>,
    polls: Mutex<HashMap<usize, u64>>,
}

/// A v3 route with its endpoint id resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Route {
    Container,
    Task,
    TaskWithTags,
    Stats,
    TaskStats,
}

impl Route {
    fn endpoint(self) -> Endpoint {
        match self {
            Route::Container => Endpoint::Container,
            Route::Task | Route::TaskWithTags => Endpoint::Task,
            Route::Stats => Endpoint::Stats,
            Route::TaskStats => Endpoint::TaskStats,
        }
    }
}

async fn handle(State(s): State<Arc<Served>>, method: Method, uri: Uri) -> Response {
    let _ = method; // The agent's metadata routes accept every method.
    let path = uri.path();
    // Almost every request has a clean path; checking that needs no allocation, while
    // cleaning builds two vectors and a string.
    if !is_clean(path) {
        let cleaned = clean_path(path);
        if cleaned != path {
            let mut location = cleaned;
            if let Some(q) = uri.query() {
                location.push('?');
                location.push_str(q);
            }
            return redirect(&location);
        }
    }
    if s.mock.options.rate_limit && !s.take_token() {
        return text(
            StatusCode::TOO_MANY_REQUESTS,
            "You have reached maximum request limit.",
        );
    }
    let faults = &s.mock.options.faults;
    let path = match path.strip_suffix('/') {
        Some(p) if faults::routing(faults, faults::Routing::TolerateTrailingSlash) => p,
        _ => path,
    };
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let fargate = s.mock.world.scenario.launch_type == crate::profile::LaunchType::Fargate;
    let catch_all = faults::routing(faults, faults::Routing::CatchAll);
    let (version, rest) = match segments.split_first() {
        Some((&"v3", rest)) => (false, rest),
        Some((&"v4", rest)) => (true, rest),
        _ => return not_found(),
    };
    let (route, id) = match rest {
        [id] => (Route::Container, *id),
        [id, "task"] => (Route::Task, *id),
        // Fargate serves no taskWithTags route (its documentation lists four paths).
        [_, "taskWithTags"] if fargate => return not_found(),
        [id, "taskWithTags"] => (Route::TaskWithTags, *id),
        [id, "stats"] => (Route::Stats, *id),
        [id, "task", "stats"] => (Route::TaskStats, *id),
        [_, "associations", kind] | [_, "associations", kind, _] => {
            let v = if version { "V4" } else { "V3" };
            return json_error(
                StatusCode::BAD_REQUEST,
                &format!("{v} container associations handler: unable to get associations of type '{kind}': the mock serves no associations"),
            );
        }
        [id, .., last] if !last.is_empty() && catch_all => (Route::Container, *id),
        _ => return not_found(),
    };
    s.serve(route, version, id)
}

impl Served {
    fn take_token(&self) -> bool {
        let mut b = self.limiter.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * RATE).min(BURST);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn serve(&self, route: Route, v4: bool, id: &str) -> Response {
        let mock = &self.mock;
        let world = &mock.world;
        let t = mock.clock.now();
        let faults = &mock.options.faults;
        let found = world.by_endpoint_id(id).filter(|i| world.is_created(*i, t));
        let Some(me) = found else {
            return unknown_id(route, v4, id, faults);
        };
        let endpoint = route.endpoint();
        if route == Route::Stats && world.stats_at(me, t).is_none() {
            return json_error(
                if v4 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::BAD_REQUEST
                },
                &format!(
                    "Unable to get container stats for: {}",
                    world.containers[me].docker_id
                ),
            );
        }
        let key = (route, v4, me);
        // Poll-dependent faults need the documents of one poll to agree. `ecs-tmde check`
        // asks for the task first and last in every poll (to see whether it changed
        // meanwhile), so a poll is two task requests: the task requests are counted, and
        // every request of a poll sees the same number. Only faults read it, and they are
        // fixed for the mock's life: without them the shared lock is skipped.
        let poll = if faults.is_empty() {
            0
        } else {
            let mut polls = self.polls.lock().unwrap_or_else(|e| e.into_inner());
            let n = polls.entry(me).or_insert(0);
            if matches!(route, Route::Task | Route::TaskWithTags) {
                *n += 1;
            }
            n.div_ceil(2)
        };
        let mut body = if faults.is_empty() {
            self.cached(key, t)
        } else {
            None
        };
        if body.is_none() {
            let mut doc = self.render(route, v4, me, t);
            if !faults.is_empty() {
                let ctx = faults::Context::new(world, me, t, poll);
                for f in faults {
                    f.apply_json(endpoint, &mut doc, &ctx);
                }
            }
            let bytes = axum::body::Bytes::from(match &doc {
                Doc::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
                Doc::Bytes(b) => b.clone(),
            });
            if faults.is_empty() {
                self.store(key, t, bytes.clone());
            }
            body = Some(bytes);
        }
        let mut status = StatusCode::OK;
        let mut content_type = "application/json";
        for f in faults.iter().filter_map(|f| f.http_for(endpoint)) {
            match f {
                HttpFault::Status(code) => status = StatusCode::from_u16(code).unwrap_or(status),
                HttpFault::ContentType(ct) => content_type = ct,
            }
        }
        let mut resp = Response::new(Body::from(body.unwrap_or_default()));
        *resp.status_mut() = status;
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        resp
    }

    fn render(&self, route: Route, v4: bool, me: usize, t: i128) -> Doc {
        let world = &self.mock.world;
        if v4 {
            return Doc::Json(match route {
                Route::Container => super::v4::container(world, me, t),
                Route::Task => super::v4::task(world, t, false),
                Route::TaskWithTags => super::v4::task(world, t, true),
                Route::Stats => super::v4::stats(world, me, t).unwrap_or_default(),
                Route::TaskStats => super::v4::task_stats(world, t),
            });
        }
        let v = match route {
            Route::Container => serde_json::to_value(world.container_at(me, t)),
            Route::Task => serde_json::to_value(world.task_at(t, false)),
            Route::TaskWithTags => serde_json::to_value(world.task_at(t, true)),
            Route::Stats => serde_json::to_value(world.stats_at(me, t)),
            Route::TaskStats => serde_json::to_value(world.task_stats_at(t)),
        };
        Doc::Json(v.unwrap_or_default())
    }

    fn cached(&self, key: CacheKey, t: i128) -> Option<axum::body::Bytes> {
        let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
        let c = cache.get(&key)?;
        (c.from <= t && t < c.until).then(|| c.body.clone())
    }

    fn store(&self, key: CacheKey, t: i128, body: axum::body::Bytes) {
        let until = self.mock.world.next_change(t);
        let mut cache = self.cache.write().unwrap_or_else(|e| e.into_inner());
        cache.insert(
            key,
            Cached {
                from: t,
                until,
                body,
            },
        );
    }
}

/// The agent's answer to an endpoint id it does not know (or not yet: ids are mapped once the
/// container is created): v3 answers 500 (400 on the stats paths), v4 404 (agent 1.71.0 on).
fn unknown_id(route: Route, v4: bool, id: &str, faults: &[&'static faults::Fault]) -> Response {
    if faults::routing(faults, faults::Routing::UnknownIdIs404) && !v4 {
        return not_found();
    }
    let v = if v4 { "V4" } else { "V3" };
    let (status, handler, what) = match route {
        Route::Container => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "container metadata",
            format!("unable to get container ID from request: unable to get docker ID from v3 endpoint ID: {id}"),
        ),
        Route::Task | Route::TaskWithTags => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "task metadata",
            format!("unable to get task arn from request: unable to get task Arn from v3 endpoint ID: {id}"),
        ),
        Route::Stats => (
            StatusCode::BAD_REQUEST,
            "container stats",
            format!("unable to get task arn from request: unable to get task Arn from v3 endpoint ID: {id}"),
        ),
        Route::TaskStats => (
            StatusCode::BAD_REQUEST,
            "task stats",
            format!("unable to get task arn from request: unable to get task Arn from v3 endpoint ID: {id}"),
        ),
    };
    let status = if v4 { StatusCode::NOT_FOUND } else { status };
    json_error(status, &format!("{v} {handler} handler: {what}"))
}

/// An error as the agent writes it: a JSON string, with `Content-Type: application/json`.
fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::to_vec(message).unwrap_or_default();
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

fn text(status: StatusCode, body: &'static str) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

/// gorilla/mux's default 404.
fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "404 page not found\n")
}

fn redirect(location: &str) -> Response {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = StatusCode::MOVED_PERMANENTLY;
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Whether [`clean_path`] would return `p` unchanged, decided without allocating: rooted, and
/// no empty, `.` or `..` segment except one trailing slash. `false` may be conservative
/// (unrooted paths); callers then clean and compare.
fn is_clean(p: &str) -> bool {
    let Some(rest) = p.strip_prefix('/') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    !rest.is_empty() && rest.split('/').all(|s| !matches!(s, "" | "." | ".."))
}

/// Go's `path.Clean`, keeping a trailing slash as gorilla/mux does.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return "/".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let mut cleaned = String::new();
    if rooted {
        cleaned.push('/');
    }
    cleaned.push_str(&out.join("/"));
    if cleaned.is_empty() {
        cleaned.push('.');
    }
    if p.ends_with('/') && cleaned != "/" {
        cleaned.push('/');
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::{clean_path, is_clean};

    #[test]
    fn is_clean_agrees_with_clean_path() {
        // Every path up to 7 bytes over the bytes that matter to cleaning.
        let alphabet = ['/', '.', 'a'];
        let mut paths = vec![String::new()];
        for _ in 0..7 {
            let longer: Vec<String> = paths
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            for p in paths.iter().chain(&longer) {
                if is_clean(p) {
                    assert_eq!(clean_path(p), *p, "{p:?} is not clean");
                } else if p.starts_with('/') {
                    assert_ne!(clean_path(p), *p, "{p:?} is clean");
                }
            }
            paths = longer;
        }
    }

    #[test]
    fn cleans_like_gorilla() {
        assert_eq!(clean_path("/v3///task/"), "/v3/task/");
        assert_eq!(clean_path("/v3/id/task"), "/v3/id/task");
        assert_eq!(clean_path("/v3/id/./task"), "/v3/id/task");
        assert_eq!(clean_path("/v3/id/../x"), "/v3/x");
        assert_eq!(clean_path("/"), "/");
        assert_eq!(clean_path("/v3/"), "/v3/");
    }
}
