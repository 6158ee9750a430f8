//! A recording read from arbitrary bytes: up to eight documents separated by NUL bytes, the
//! first four (container, task, stats, task stats; an empty part is an absent file) checked
//! together as one poll, the next four as a second poll of a `--watch`, so that the
//! cross-endpoint and lifecycle rules see arbitrary documents too.

#![no_main]

use ecs_tmde::check::{check_poll, Document, History, Poll, Report};
use ecs_tmde::Endpoint;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn poll(parts: &[&[u8]], n: usize) -> Vec<Document> {
    Endpoint::ALL
        .into_iter()
        .zip(parts)
        .filter(|(_, p)| !p.is_empty())
        .map(|(endpoint, p)| Document {
            endpoint,
            input: format!("fuzz/poll{n}/{}", endpoint.file_name()),
            bytes: p.to_vec(),
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.split(|b| *b == 0).take(8).collect();
    let first = poll(&parts, 1);
    let second = poll(parts.get(4..).unwrap_or_default(), 2);
    let profile = common::PROFILES[data.len() % common::PROFILES.len()];
    let version = common::versions()[data.len() % 2];
    // one poll, as `check DIR` reads a recording
    let mut report = Report::default();
    let single = Poll {
        docs: &first,
        http: &[],
        poll: None,
    };
    if check_poll(&single, None, profile, version, &mut report).is_ok() {
        report.sort();
        common::check_report(&report);
    }
    // two polls with the lifecycle rules, as `check --watch` reads an endpoint
    let mut report = Report::default();
    let mut history = History::default();
    for (i, docs) in [&first, &second].into_iter().enumerate() {
        let p = Poll {
            docs,
            http: &[],
            poll: Some(i as u64 + 1),
        };
        if check_poll(&p, Some(&mut history), profile, version, &mut report).is_err() {
            return;
        }
    }
    report.sort();
    common::check_report(&report);
});
