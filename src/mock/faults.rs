//! Fault injection: how the mock breaks each rule of the catalogue, one rule at a time.
//!
//! Every rule id of [`crate::rules::RULES`] has exactly one [`Fault`] here: either a way to
//! break it through a live endpoint (a rewrite of the responses, a wrong status or content
//! type, a routing change), or the reason it cannot be broken that way. The registry tests
//! keep the two lists in step, and the fault tests run the mock with each fault and check that
//! the checker reports exactly that rule.
//!
//! Rewrites are deterministic functions of the request (which container asks, the scenario
//! time, how many times this route was polled), so the four responses of one poll agree with
//! each other exactly as far as the fault allows.

use serde_json::{json, Value};

use super::world::{Kind, World};
use crate::model::{ContainerStatus, Timestamp};
use crate::Endpoint;

/// A response body before it is written.
#[derive(Clone, Debug)]
pub enum Doc {
    /// A JSON document.
    Json(Value),
    /// Raw bytes (for faults that break the encoding itself).
    Bytes(Vec<u8>),
}

/// What the fault rewrite knows about the request.
#[derive(Debug)]
pub struct Context<'a> {
    world: &'a World,
    /// Index of the requesting container.
    pub me: usize,
    /// Scenario time of the request.
    pub t: i128,
    /// Poll of this container's endpoint (1 = first; see the mock's router for how polls
    /// are counted).
    pub poll: u64,
}

impl<'a> Context<'a> {
    pub(crate) fn new(world: &'a World, me: usize, t: i128, poll: u64) -> Context<'a> {
        Context { world, me, t, poll }
    }

    fn even(&self) -> bool {
        self.poll % 2 == 0
    }

    fn my_docker_id(&self) -> &str {
        &self.world.containers[self.me].docker_id
    }

    /// A created container other than the requesting one, preferring a running normal one.
    fn sibling(&self) -> Option<&str> {
        let w = self.world;
        (0..w.containers.len())
            .filter(|i| *i != self.me && w.is_created(*i, self.t))
            .find(|i| {
                w.containers[*i].kind == Kind::Normal
                    && w.containers[*i].exits.is_none_or(|x| x > self.t)
            })
            .map(|i| w.containers[i].docker_id.as_str())
    }

    fn stopped(&self) -> Option<&str> {
        let w = self.world;
        w.containers
            .iter()
            .find(|c| c.exits.is_some_and(|x| x <= self.t))
            .map(|c| c.docker_id.as_str())
    }
}

/// A change to the HTTP exchange rather than the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpFault {
    /// Answer with this status instead of 200.
    Status(u16),
    /// Answer with this Content-Type instead of `application/json`.
    ContentType(&'static str),
}

/// A change to the mock's routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    /// Unknown endpoint ids get 404 (the v4 behaviour) instead of the v3 500/400.
    UnknownIdIs404,
    /// Paths with a trailing slash are served like the path without it.
    TolerateTrailingSlash,
    /// Unmatched paths under an endpoint id are answered with the container document.
    CatchAll,
}

/// How a rule is broken.
#[derive(Clone, Copy, Debug)]
pub enum Break {
    /// Rewrite the JSON body of `endpoint` responses.
    Json(fn(Endpoint, &mut Value, &Context<'_>)),
    /// Replace the body of `endpoint` responses with other bytes.
    Body(Endpoint, fn(&Value) -> Vec<u8>),
    /// Change status or content type of `endpoint` responses.
    Http(Endpoint, HttpFault),
    /// Change the routing.
    Routing(Routing),
    /// Cannot be broken through a live endpoint (or not by this mock), and why.
    Cannot(&'static str),
}

/// How the mock breaks one rule.
#[derive(Debug)]
pub struct Fault {
    /// The rule id.
    pub rule: &'static str,
    /// What the mock does, in a few words.
    pub how: &'static str,
    /// The built-in scenario that shows the fault (the platform matters for profile rules).
    pub scenario: &'static str,
    /// Where on the timeline (some faults need a stopped container).
    pub late: bool,
    /// Other rules the fault cannot help breaking too (one defect that two promises cover).
    pub also: &'static [&'static str],
    /// The change.
    pub breaks: Break,
}

impl Fault {
    /// The fault for `rule`.
    pub fn find(rule: &str) -> Option<&'static Fault> {
        FAULTS.iter().find(|f| f.rule == rule)
    }

    /// Whether a live endpoint (this mock) can break the rule.
    pub fn is_injectable(&self) -> bool {
        !matches!(self.breaks, Break::Cannot(_))
    }

    pub(crate) fn apply_json(&self, endpoint: Endpoint, doc: &mut Doc, ctx: &Context<'_>) {
        match (self.breaks, &*doc) {
            (Break::Json(f), Doc::Json(_)) => {
                if let Doc::Json(v) = doc {
                    f(endpoint, v, ctx);
                }
            }
            (Break::Body(e, f), Doc::Json(v)) if e == endpoint => {
                let bytes = f(v);
                *doc = Doc::Bytes(bytes);
            }
            _ => {}
        }
    }

    pub(crate) fn http_for(&self, endpoint: Endpoint) -> Option<HttpFault> {
        match self.breaks {
            Break::Http(e, h) if e == endpoint => Some(h),
            _ => None,
        }
    }
}

pub(crate) fn routing(faults: &[&'static Fault], r: Routing) -> bool {
    faults
        .iter()
        .any(|f| matches!(f.breaks, Break::Routing(x) if x == r))
}

// --- helpers for rewrites -------------------------------------------------------------------

/// Applies `f` to the container with DockerId `id`: the container response if it is that
/// container, and its entry in the task's Containers.
fn with_container(endpoint: Endpoint, v: &mut Value, id: &str, f: impl Fn(&mut Value)) {
    match endpoint {
        Endpoint::Container if v["DockerId"] == id => f(v),
        Endpoint::Task => {
            if let Some(cs) = v.get_mut("Containers").and_then(Value::as_array_mut) {
                for c in cs.iter_mut().filter(|c| c["DockerId"] == id) {
                    f(c);
                }
            }
        }
        _ => {}
    }
}

fn mine(endpoint: Endpoint, v: &mut Value, ctx: &Context<'_>, f: impl Fn(&mut Value)) {
    with_container(endpoint, v, ctx.my_docker_id(), f)
}

fn set(v: &mut Value, key: &str, new: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.into(), new);
    }
}

/// Sets the member at JSON Pointer `at` when its parent object exists. Rewrites run inside
/// request handlers, so a document without the expected shape is left alone rather than
/// indexed into (`value["a"][0]` panics on a missing array element).
fn put(v: &mut Value, at: &str, new: Value) {
    let Some((parent, key)) = at.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(o)) = v.pointer_mut(parent) {
        o.insert(key.into(), new);
    }
}

fn remove(v: &mut Value, key: &str) {
    if let Some(o) = v.as_object_mut() {
        o.shift_remove(key);
    }
}

fn shifted(v: &Value, by_nanos: i128) -> Value {
    match v.as_str().and_then(|s| Timestamp::parse(s).ok()) {
        Some(t) => json!(Timestamp::from_unix_nanos(t.unix_nanos() + by_nanos).as_str()),
        None => v.clone(),
    }
}

/// Replaces every string equal to `from` (values and keys) with `to`.
fn replace_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s == from => *s = to.to_owned(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        Value::Object(o) => {
            if o.contains_key(from) {
                let entries: Vec<(String, Value)> = std::mem::take(o).into_iter().collect();
                for (k, x) in entries {
                    o.insert(if k == from { to.to_owned() } else { k }, x);
                }
            }
            o.values_mut().for_each(|x| replace_strings(x, from, to));
        }
        _ => {}
    }
}

/// Whether `v` is a v4 task response (v4-only faults leave v3 alone).
fn is_v4_task(endpoint: Endpoint, v: &Value) -> bool {
    endpoint == Endpoint::Task && v.get("LaunchType").is_some()
}

const SECOND: i128 = 1_000_000_000;

/// Every rule, and how the mock breaks it.
pub static FAULTS: &[Fault] = &[
    Fault {
        rule: "schema-violation",
        how: "container Limits.CPU sent as a string",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| mine(e, v, ctx, |c| put(c, "/Limits/CPU", json!("2")))),
    },
    Fault {
        rule: "undocumented-field",
        how: "the task response carries an extra key",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                set(v, "MockExtension", json!(true));
            }
        }),
    },
    Fault {
        rule: "empty-collection-sent",
        how: "the container's Volumes is sent as []",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| mine(e, v, ctx, |c| set(c, "Volumes", json!([])))),
    },
    Fault {
        rule: "empty-string-sent",
        how: "the container's Networks[0].NetworkMode is sent as \"\"",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            mine(e, v, ctx, |c| put(c, "/Networks/0/NetworkMode", json!("")))
        }),
    },
    Fault {
        rule: "exit-code-before-exit",
        how: "the running container carries ExitCode 0",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| mine(e, v, ctx, |c| set(c, "ExitCode", json!(0)))),
    },
    Fault {
        rule: "limit-out-of-range",
        how: "task Limits.Memory is 0",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                put(v, "/Limits/Memory", json!(0));
            }
        }),
    },
    Fault {
        rule: "started-without-created",
        how: "the container's CreatedAt is left out",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| mine(e, v, ctx, |c| remove(c, "CreatedAt"))),
    },
    Fault {
        rule: "finished-without-started",
        how: "the exited container's StartedAt is left out",
        scenario: "fargate-linux-1.4",
        late: true,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if let Some(id) = ctx.stopped() {
                with_container(e, v, id, |c| remove(c, "StartedAt"));
            }
        }),
    },
    Fault {
        rule: "running-without-started-at",
        how: "the running container's StartedAt is left out",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| mine(e, v, ctx, |c| remove(c, "StartedAt"))),
    },
    Fault {
        rule: "uncreated-container-has-times",
        how: "a sibling is reported PULLED but keeps its CreatedAt and StartedAt",
        scenario: "ec2-bridge",
        late: false,
        also: &["task-running-with-unstarted-container"],
        breaks: Break::Json(|e, v, ctx| {
            if let Some(id) = ctx.sibling() {
                with_container(e, v, id, |c| c["KnownStatus"] = json!("PULLED"));
            }
        }),
    },
    Fault {
        rule: "container-times-out-of-order",
        how: "the container's StartedAt is a second before its CreatedAt",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            mine(e, v, ctx, |c| {
                let s = shifted(&c["CreatedAt"], -SECOND);
                set(c, "StartedAt", s);
            })
        }),
    },
    Fault {
        rule: "pull-stopped-without-started",
        how: "the task's PullStartedAt is left out",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                remove(v, "PullStartedAt");
            }
        }),
    },
    Fault {
        rule: "pull-times-out-of-order",
        how: "PullStoppedAt is a second before PullStartedAt",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                let s = shifted(&v["PullStartedAt"], -SECOND);
                set(v, "PullStoppedAt", s);
            }
        }),
    },
    Fault {
        rule: "timestamp-not-utc",
        how: "the container's CreatedAt is written with a +01:00 offset",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            mine(e, v, ctx, |c| {
                if let Some(t) = c["CreatedAt"]
                    .as_str()
                    .and_then(|s| Timestamp::parse(s).ok())
                {
                    let local = Timestamp::from_unix_nanos(t.unix_nanos() + 3600 * SECOND);
                    let text = local.as_str().replace('Z', "+01:00");
                    set(c, "CreatedAt", json!(text));
                }
            })
        }),
    },
    Fault {
        rule: "zero-timestamp",
        how: "the task's PullStartedAt is the zero time",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                set(v, "PullStartedAt", json!("0001-01-01T00:00:00Z"));
            }
        }),
    },
    Fault {
        rule: "execution-stopped-while-running",
        how: "the running task carries ExecutionStoppedAt",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                let s = v["PullStoppedAt"].clone();
                set(v, "ExecutionStoppedAt", shifted(&s, 30 * SECOND));
            }
        }),
    },
    Fault {
        rule: "availability-zone-missing",
        how: "AvailabilityZone is left out on Fargate 1.4",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                remove(v, "AvailabilityZone");
            }
        }),
    },
    Fault {
        rule: "availability-zone-missing-on-ec2",
        how: "AvailabilityZone is left out on EC2",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                remove(v, "AvailabilityZone");
            }
        }),
    },
    Fault {
        rule: "availability-zone-unexpected",
        how: "AvailabilityZone is sent on Fargate 1.3",
        scenario: "fargate-linux-1.3",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                set(v, "AvailabilityZone", json!("eu-west-1a"));
            }
        }),
    },
    Fault {
        rule: "availability-zone-region-mismatch",
        how: "AvailabilityZone names another region than the TaskARN",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                set(v, "AvailabilityZone", json!("eu-north-1a"));
            }
        }),
    },
    Fault {
        rule: "ecs-label-mismatch",
        how: "the container-name label names another container",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            mine(e, v, ctx, |c| {
                put(
                    c,
                    "/Labels/com.amazonaws.ecs.container-name",
                    json!("someone-else"),
                )
            })
        }),
    },
    Fault {
        rule: "docker-id-shape",
        how: "the container's DockerId (everywhere it appears) has upper-case hex",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|_, v, ctx| {
            let id = ctx.my_docker_id();
            replace_strings(v, id, &id.to_ascii_uppercase());
        }),
    },
    Fault {
        rule: "docker-name-shape",
        how: "the container's DockerName is not ecs-<family>-<revision>-<name>-<hex>",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|_, v, ctx| {
            let name = &ctx.world.containers[ctx.me].docker_name;
            replace_strings(v, name, "my-container-1");
            replace_strings(v, &format!("/{name}"), "/my-container-1");
        }),
    },
    Fault {
        rule: "image-id-shape",
        how: "the container's ImageID is a short digest",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| mine(e, v, ctx, |c| c["ImageID"] = json!("sha256:abc123"))),
    },
    Fault {
        rule: "arn-shape",
        how: "the TaskARN (everywhere it appears) lacks the task/ resource type",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|_, v, ctx| {
            let arn = ctx.world.task_arn();
            let broken = arn.replace(":task/", ":");
            replace_strings(v, &arn, &broken);
        }),
    },
    Fault {
        rule: "cluster-task-arn-mismatch",
        how: "Cluster (and the cluster label) names another cluster than the TaskARN",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|_, v, ctx| {
            let cluster = ctx.world.cluster();
            let other = format!("{cluster}-other");
            replace_strings(v, &cluster, &other);
        }),
    },
    Fault {
        rule: "clock-drift-incomplete",
        how: "ClockDrift lacks ReferenceTimestamp",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                if let Some(cd) = v.get_mut("ClockDrift") {
                    remove(cd, "ReferenceTimestamp");
                }
            }
        }),
    },
    Fault {
        rule: "clock-drift-unexpected",
        how: "ClockDrift is sent on EC2",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                let at = v["PullStoppedAt"].clone();
                set(
                    v,
                    "ClockDrift",
                    json!({"ClockErrorBound": 0.4, "ReferenceTimestamp": at, "ClockSynchronizationStatus": "SYNCHRONIZED"}),
                );
            }
        }),
    },
    Fault {
        rule: "task-stopped-with-live-container",
        how: "the task is reported STOPPED while its containers run",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Task {
                set(v, "DesiredStatus", json!("STOPPED"));
                set(v, "KnownStatus", json!("STOPPED"));
            }
        }),
    },
    Fault {
        rule: "task-running-with-unstarted-container",
        how: "a sibling is reported CREATED without StartedAt in a RUNNING task",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if let Some(id) = ctx.sibling() {
                with_container(e, v, id, |c| {
                    c["KnownStatus"] = json!(ContainerStatus::Created.as_str());
                    remove(c, "StartedAt");
                });
            }
        }),
    },
    Fault {
        rule: "container-missing-from-task",
        how: "the task (and task stats) leave out the requesting container",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            let id = ctx.my_docker_id().to_owned();
            match e {
                Endpoint::Task => {
                    if let Some(cs) = v.get_mut("Containers").and_then(Value::as_array_mut) {
                        cs.retain(|c| c["DockerId"] != id.as_str());
                    }
                }
                Endpoint::TaskStats => remove(v, &id),
                _ => {}
            }
        }),
    },
    Fault {
        rule: "container-task-mismatch",
        how: "the container response names another image than its task entry",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Container {
                v["Image"] = json!("public.ecr.aws/docker/library/busybox:latest");
            }
        }),
    },
    Fault {
        rule: "task-stats-keys-mismatch",
        how: "task stats carry a key that is no container of the task",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::TaskStats {
                set(v, &"0123456789abcdef".repeat(4), Value::Null);
            }
        }),
    },
    Fault {
        rule: "stats-id-mismatch",
        how: "the stats name is another container's",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Stats {
                set(v, "name", json!("someone-else"));
            }
        }),
    },
    Fault {
        rule: "stats-counter-decreased",
        how: "precpu_stats total_usage exceeds cpu_stats total_usage",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Stats {
                let now = v["cpu_stats"]["cpu_usage"]["total_usage"]
                    .as_u64()
                    .unwrap_or(0);
                put(
                    v,
                    "/precpu_stats/cpu_usage/total_usage",
                    json!(now + 1_000_000),
                );
            }
        }),
    },
    Fault {
        rule: "stats-read-before-preread",
        how: "read and preread are swapped",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Stats {
                let read = v["read"].clone();
                let pre = v["preread"].clone();
                if !pre.as_str().unwrap_or("").starts_with("0001") {
                    v["read"] = pre;
                    v["preread"] = read;
                }
            }
        }),
    },
    Fault {
        rule: "stats-empty-object-on-v3",
        how: "a task stats entry is {} instead of null",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if e == Endpoint::TaskStats {
                if let Some(id) = ctx.sibling() {
                    set(v, id, json!({}));
                }
            }
        }),
    },
    Fault {
        rule: "memory-usage-above-limit",
        how: "memory_stats.usage is above memory_stats.limit",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Stats {
                let limit = v["memory_stats"]["limit"].as_u64().unwrap_or(1 << 30);
                put(v, "/memory_stats/usage", json!(limit + 4096));
            }
        }),
    },
    Fault {
        rule: "known-status-regressed",
        how: "every second /task poll reports the task CREATED again",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if e == Endpoint::Task && ctx.even() {
                set(v, "KnownStatus", json!("CREATED"));
            }
        }),
    },
    Fault {
        rule: "set-once-time-changed",
        how: "a sibling's CreatedAt and StartedAt move back a millisecond on every /task poll",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if e != Endpoint::Task {
                return;
            }
            let by = -(ctx.poll as i128) * 1_000_000;
            if let Some(id) = ctx.sibling() {
                with_container(e, v, id, |c| {
                    let created = shifted(&c["CreatedAt"], by);
                    let started = shifted(&c["StartedAt"], by);
                    set(c, "CreatedAt", created);
                    set(c, "StartedAt", started);
                });
            }
        }),
    },
    Fault {
        rule: "container-identity-changed",
        how: "a sibling's ImageID changes on every /task poll",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if e != Endpoint::Task {
                return;
            }
            let image = format!("sha256:{:064x}", ctx.poll);
            if let Some(id) = ctx.sibling() {
                with_container(e, v, id, |c| c["ImageID"] = json!(image));
            }
        }),
    },
    Fault {
        rule: "exit-code-disappeared",
        how: "every second /task poll leaves out the exited container's ExitCode",
        scenario: "fargate-linux-1.4",
        late: true,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if e == Endpoint::Task && ctx.even() {
                if let Some(id) = ctx.stopped() {
                    with_container(e, v, id, |c| remove(c, "ExitCode"));
                }
            }
        }),
    },
    Fault {
        rule: "container-vanished",
        how: "every second poll leaves a sibling out of /task and /task/stats",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if !ctx.even() {
                return;
            }
            let Some(id) = ctx.sibling().map(str::to_owned) else {
                return;
            };
            match e {
                Endpoint::Task => {
                    if let Some(cs) = v.get_mut("Containers").and_then(Value::as_array_mut) {
                        cs.retain(|c| c["DockerId"] != id.as_str());
                    }
                }
                Endpoint::TaskStats => remove(v, &id),
                _ => {}
            }
        }),
    },
    Fault {
        rule: "stats-went-backwards",
        how: "every second /stats poll serves a sample an hour old",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            if e == Endpoint::Stats && ctx.even() {
                let read = shifted(&v["read"], -3600 * SECOND);
                let pre = shifted(&v["preread"], -3600 * SECOND);
                v["read"] = read;
                if !v["preread"].as_str().unwrap_or("").starts_with("0001") {
                    v["preread"] = pre;
                }
            }
        }),
    },
    Fault {
        rule: "http-status-not-ok",
        how: "/task answers 503",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Http(Endpoint::Task, HttpFault::Status(503)),
    },
    Fault {
        rule: "http-content-type",
        how: "/task is labelled text/plain",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Http(
            Endpoint::Task,
            HttpFault::ContentType("text/plain; charset=utf-8"),
        ),
    },
    Fault {
        rule: "http-body-not-json",
        how: "the container document is cut off in the middle",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Body(Endpoint::Container, |v| {
            let mut bytes = serde_json::to_vec(v).unwrap_or_default();
            bytes.truncate(bytes.len() / 2);
            bytes
        }),
    },
    Fault {
        rule: "probe-unknown-id",
        how: "unknown endpoint ids get 404 (as v4 does) instead of 500/400",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Routing(Routing::UnknownIdIs404),
    },
    Fault {
        rule: "probe-trailing-slash",
        how: "paths with a trailing slash are served as if it were not there",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Routing(Routing::TolerateTrailingSlash),
    },
    Fault {
        rule: "probe-unmatched-path",
        how: "any path under an endpoint id is answered with the container document",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Routing(Routing::CatchAll),
    },
    Fault {
        rule: "launch-type-mismatch",
        how: "the v4 task says LaunchType EC2 on Fargate",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if is_v4_task(e, v) {
                set(v, "LaunchType", json!("EC2"));
            }
        }),
    },
    Fault {
        rule: "vpc-id-unexpected",
        how: "the v4 task of an external instance carries a VPCID",
        scenario: "external",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if is_v4_task(e, v) {
                set(v, "VPCID", json!("vpc-0123456789abcdef0"));
            }
        }),
    },
    Fault {
        rule: "ephemeral-storage-unexpected",
        how: "the v4 task on EC2 carries EphemeralStorageMetrics",
        scenario: "ec2-bridge",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if is_v4_task(e, v) {
                set(
                    v,
                    "EphemeralStorageMetrics",
                    json!({"Utilized": 210, "Reserved": 20496}),
                );
            }
        }),
    },
    Fault {
        rule: "network-rate-stats-unexpected",
        how: "v4 stats of a host-mode container carry network_rate_stats",
        scenario: "ec2-host",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, _| {
            if e == Endpoint::Stats && v.get("read").is_some() {
                set(
                    v,
                    "network_rate_stats",
                    json!({"rx_bytes_per_sec": 1024.0, "tx_bytes_per_sec": 512.0}),
                );
            }
        }),
    },
    Fault {
        rule: "container-arn-mismatch",
        how: "the container's ContainerARN names another account",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            let account = &ctx.world.scenario.account;
            mine(e, v, ctx, |c| {
                if let Some(arn) = c["ContainerARN"].as_str() {
                    let other = arn.replace(account.as_str(), "999999999999");
                    c["ContainerARN"] = json!(other);
                }
            })
        }),
    },
    Fault {
        rule: "network-interface-shape",
        how: "SubnetGatewayIpv4Address lacks the subnet's prefix length",
        scenario: "fargate-linux-1.4",
        late: false,
        also: &[],
        breaks: Break::Json(|e, v, ctx| {
            mine(e, v, ctx, |c| {
                if let Some(gw) = c["Networks"][0]["SubnetGatewayIpv4Address"].as_str() {
                    let bare = gw.split('/').next().unwrap_or(gw).to_owned();
                    put(c, "/Networks/0/SubnetGatewayIpv4Address", json!(bare));
                }
            })
        }),
    },
];
