//! Checking a live endpoint: one poll (`check URL`), or many over the task's life
//! (`check URL --watch`).
//!
//! A poll fetches the container, task (or taskWithTags), stats and task stats documents with
//! the polite [`Client`], keeps each HTTP exchange as an [`Exchange`] for the HTTP rules, and
//! checks the documents that came back as 200 JSON exactly as a recording is checked. With
//! `--probe-errors` it also asks for an unknown endpoint id, trailing slashes and an unmatched
//! path, to compare the answers with the agent's.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use super::{check_poll, Document, Exchange, History, Options, Poll, Probe, Report};
use crate::client::{Client, ClientOptions, Response};
use crate::{Endpoint, Error};

/// An endpoint id no agent hands out, for the unknown-id probe.
pub const PROBE_ID: &str = "00000000-0000-4000-8000-0000ec5face0";

/// Findings kept over a long `--watch`; further distinct findings are counted, not kept, so
/// memory stays flat.
pub const MAX_FINDINGS: usize = 10_000;

/// How to talk to a live endpoint.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// Limits and politeness of the HTTP client.
    pub client: ClientOptions,
    /// Fetch `/taskWithTags` instead of `/task`.
    pub with_tags: bool,
    /// Also provoke the endpoint's error answers.
    pub probe_errors: bool,
}

/// What one poll fetched.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The four responses, in the order requested (container, task, stats, task stats).
    pub responses: Vec<(Endpoint, Response)>,
    /// Every exchange, probes included.
    pub exchanges: Vec<Exchange>,
    /// The documents that came back as 200 JSON.
    pub documents: Vec<Document>,
    /// Whether the task was the same at the end of the poll as at its start.
    pub consistent: bool,
}

fn exchange(endpoint: Endpoint, probe: Option<Probe>, r: &Response) -> Exchange {
    Exchange::from_response(endpoint, probe, r)
}

/// The suffix of `endpoint` as fetched (taskWithTags when asked).
pub fn suffix(endpoint: Endpoint, with_tags: bool) -> &'static str {
    match endpoint {
        Endpoint::Task if with_tags => "/taskWithTags",
        e => e.path_suffix(),
    }
}

/// Times a poll is fetched again when the task changed while it was being fetched.
pub const CONSISTENCY_RETRIES: u32 = 3;

/// Fetches one poll of the four documents (and the probes when asked).
///
/// The four requests are not one snapshot: a container created or started between two of them
/// shows up in one document and not the other, and the cross-endpoint rules would report a
/// difference that no single moment had. So `/task` is fetched first and once more last, and
/// if the task's lifecycle (its status, and each container's name, DockerId, status and
/// timestamps) changed in between, the whole poll is fetched again (at most
/// [`CONSISTENCY_RETRIES`] times; after that it is checked as it is, with a note). Values
/// that move on their own (ClockDrift, storage metrics, health) do not count as a change.
pub async fn fetch(client: &Client, opts: &LiveOptions) -> Result<Fetched, Error> {
    const ORDER: [Endpoint; 4] = [
        Endpoint::Task,
        Endpoint::Container,
        Endpoint::Stats,
        Endpoint::TaskStats,
    ];
    let mut attempt = 0;
    let (responses, mut exchanges, documents, consistent) = loop {
        attempt += 1;
        let mut responses = Vec::new();
        let mut exchanges = Vec::new();
        let mut documents = Vec::new();
        for endpoint in ORDER {
            let r = fetch_one(client, endpoint, opts.with_tags).await?;
            let x = exchange(endpoint, None, &r);
            if r.status == 200 && x.body_error.is_none() {
                documents.push(Document {
                    endpoint,
                    input: r.url.clone(),
                    bytes: r.body.clone(),
                });
            }
            exchanges.push(x);
            responses.push((endpoint, r));
        }
        let again = fetch_one(client, Endpoint::Task, opts.with_tags).await?;
        let first = &responses[0].1;
        let consistent =
            again.status == first.status && lifecycle(&again.body) == lifecycle(&first.body);
        if consistent || attempt > CONSISTENCY_RETRIES {
            // Report in the usual order: container, task, stats, task stats.
            let mut responses = responses;
            responses.sort_by_key(|(e, _)| e.index());
            exchanges.sort_by_key(|x| x.endpoint.index());
            break (responses, exchanges, documents, consistent);
        }
    };
    if opts.probe_errors {
        let base = client.base_url();
        let unknown_base = match base.rfind('/') {
            Some(i) => format!("{}/{PROBE_ID}", &base[..i]),
            None => base.to_owned(),
        };
        let unknown = Client::new(&unknown_base, client.options().clone())?;
        for endpoint in Endpoint::ALL {
            let r = unknown.get(endpoint.path_suffix()).await?;
            exchanges.push(exchange(endpoint, Some(Probe::UnknownId), &r));
        }
        for endpoint in Endpoint::ALL {
            let r = client.get(&format!("{}/", endpoint.path_suffix())).await?;
            exchanges.push(exchange(endpoint, Some(Probe::TrailingSlash), &r));
        }
        let r = client.get("/no-such-path").await?;
        exchanges.push(exchange(
            Endpoint::Container,
            Some(Probe::UnmatchedPath),
            &r,
        ));
    }
    Ok(Fetched {
        responses,
        exchanges,
        documents,
        consistent,
    })
}

/// What of a task response changes only when the task's lifecycle moves: its status and each
/// container's identity, status and timestamps. `None` when the body is not a task.
fn lifecycle(body: &[u8]) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut out = vec![v.get("KnownStatus")?.to_string()];
    for c in v
        .get("Containers")
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
    {
        let field = |k: &str| c.get(k).map(|x| x.to_string()).unwrap_or_default();
        out.push(
            [
                "Name",
                "DockerId",
                "KnownStatus",
                "CreatedAt",
                "StartedAt",
                "FinishedAt",
                "ExitCode",
            ]
            .map(field)
            .join("|"),
        );
    }
    Some(out)
}

async fn fetch_one(
    client: &Client,
    endpoint: Endpoint,
    with_tags: bool,
) -> Result<Response, Error> {
    if endpoint == Endpoint::Task && with_tags {
        client.get(suffix(endpoint, true)).await
    } else {
        client.get_endpoint(endpoint).await
    }
}

fn empty_report(target: &str, client: &Client, opts: &Options) -> Report {
    Report {
        target: target.to_owned(),
        version: opts.version.unwrap_or(client.version()),
        profile: opts.profile,
        deny_warnings: opts.deny_warnings,
        ..Report::default()
    }
}

/// Checks one poll of the endpoint at `url`.
pub async fn check_url(url: &str, live: &LiveOptions, opts: &Options) -> Result<Report, Error> {
    let client = Client::new(url, live.client.clone())?;
    let mut report = empty_report(url, &client, opts);
    let fetched = fetch(&client, live).await?;
    check_fetched(&fetched, None, None, &mut report)?;
    report.sort();
    Ok(report)
}

/// Checks what one poll fetched into `report`.
pub fn check_fetched(
    fetched: &Fetched,
    history: Option<&mut History>,
    poll: Option<u64>,
    report: &mut Report,
) -> Result<(), Error> {
    let input = Poll {
        docs: &fetched.documents,
        http: &fetched.exchanges,
        poll,
    };
    if !fetched.consistent {
        let note = format!("the task kept changing while a poll was fetched ({} tries); the cross-endpoint findings of such a poll may describe no single moment", CONSISTENCY_RETRIES + 1);
        if !report.notes.contains(&note) {
            report.notes.push(note);
        }
    }
    match check_poll(&input, history, report.profile, report.version, report) {
        // A live endpoint that answers one path with another path's document is at fault,
        // not the harness: a finding, not exit 2.
        Err(Error::Input { input, message }) if !fetched.exchanges.is_empty() => {
            let endpoint = fetched
                .documents
                .iter()
                .find(|d| d.input == input)
                .map_or(Endpoint::Container, |d| d.endpoint);
            let message = message
                .split("; hint:")
                .next()
                .unwrap_or(&message)
                .to_owned();
            report.findings.push(super::Finding {
                rule: "schema-violation",
                severity: crate::rules::Severity::Error,
                endpoint,
                pointer: String::new(),
                message: format!("{input} answered with the wrong document: {message}"),
                line: None,
                source: Some(input),
                poll,
                elapsed_us: None,
            });
            Ok(())
        }
        other => other,
    }
}

/// How a `--watch` runs.
#[derive(Clone, Debug)]
pub struct WatchOptions {
    /// Time between the starts of two polls.
    pub interval: Duration,
    /// Stop after this long (`None`: until `stop` resolves).
    pub duration: Option<Duration>,
}

/// Progress of a watch, for a live status line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Polls done.
    pub polls: u64,
    /// Findings so far by severity: (errors, warnings, infos).
    pub counts: (usize, usize, usize),
}

/// Polls the endpoint at `url` every `interval` until `duration` has passed or `stop`
/// resolves, adding the lifecycle rules. A failure to reach the endpoint before the first
/// poll is an error; a failure later ends the watch, and the report says why in
/// [`Report::interrupted`].
pub async fn watch(
    url: &str,
    live: &LiveOptions,
    opts: &Options,
    watch: &WatchOptions,
    stop: impl Future<Output = ()>,
    mut progress: impl FnMut(Progress),
) -> Result<Report, Error> {
    let client = Client::new(url, live.client.clone())?;
    let mut report = empty_report(url, &client, opts);
    let mut history = History::default();
    let mut kept: HashMap<(&'static str, Endpoint, String), usize> = HashMap::new();
    let mut dropped = 0u64;
    let started = tokio::time::Instant::now();
    let deadline = watch.duration.map(|d| started + d);
    tokio::pin!(stop);
    let mut poll = 0u64;
    loop {
        let round = tokio::time::Instant::now();
        poll += 1;
        let fetched = tokio::select! {
            r = fetch(&client, live) => r,
            () = &mut stop => {
                if poll == 1 {
                    report.interrupted =
                        Some("stopped before the first poll finished: nothing was checked".into());
                }
                break;
            }
        };
        let fetched = match fetched {
            Ok(f) => f,
            Err(e) if poll == 1 => return Err(e),
            Err(e) => {
                report.interrupted = Some(format!("poll {poll}: {e}"));
                break;
            }
        };
        let mut one = Report {
            profile: report.profile,
            version: report.version,
            ..Report::default()
        };
        if let Err(e) = check_fetched(&fetched, Some(&mut history), Some(poll), &mut one) {
            report.interrupted = Some(format!("poll {poll}: {e}"));
            break;
        }
        report.documents += one.documents;
        for e in one.checked {
            if !report.checked.contains(&e) {
                report.checked.push(e);
            }
        }
        for s in one.skipped {
            if !report.skipped.iter().any(|k| k.rule == s.rule) {
                report.skipped.push(s);
            }
        }
        for n in one.notes {
            if !report.notes.contains(&n) {
                report.notes.push(n);
            }
        }
        // A finding that polls repeat (the same rule at the same place, whatever values its
        // message quotes) is kept once, with the poll that first saw it.
        for f in one.findings {
            let key = (f.rule, f.endpoint, f.pointer.clone());
            if kept.contains_key(&key) {
                continue;
            }
            if report.findings.len() >= MAX_FINDINGS {
                dropped += 1;
                continue;
            }
            kept.insert(key, report.findings.len());
            report.findings.push(f);
        }
        report.polls = poll;
        progress(Progress {
            polls: poll,
            counts: report.counts(),
        });
        let next = round + watch.interval;
        if deadline.is_some_and(|d| next >= d) {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep_until(next) => {}
            () = &mut stop => break,
        }
    }
    if dropped > 0 {
        report.notes.push(format!(
            "{dropped} further findings were not kept (at most {MAX_FINDINGS} distinct ones are)"
        ));
    }
    report.sort();
    Ok(report)
}
