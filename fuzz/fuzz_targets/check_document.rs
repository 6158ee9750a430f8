//! Arbitrary bytes checked as each endpoint's response (container, task, stats, task stats),
//! under several profiles and both versions: the checker returns a report or an error, never
//! panics, and every report keeps its invariants.

#![no_main]

use ecs_tmde::check::{check_documents, Document, Report};
use ecs_tmde::Endpoint;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for endpoint in Endpoint::ALL {
        let docs = [Document {
            endpoint,
            input: format!("fuzz/{}", endpoint.file_name()),
            bytes: data.to_vec(),
        }];
        for (i, profile) in common::PROFILES.into_iter().enumerate() {
            let version = common::versions()[i % 2];
            let mut report = Report::default();
            match check_documents(&docs, profile, version, &mut report) {
                Ok(()) => {
                    report.sort();
                    common::check_report(&report);
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(msg.starts_with("fuzz/"), "an error names the input: {msg}");
                    assert!(!msg.contains('\n'), "an error is one line: {msg:?}");
                }
            }
        }
    }
});
