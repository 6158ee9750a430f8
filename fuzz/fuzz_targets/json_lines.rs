//! JSON Lines splitting: arbitrary bytes written to a `.jsonl` file and checked the way
//! `ecs-tmde check FILE.jsonl` checks it, with and without `--endpoint`. The result is a report
//! (whose line numbers exist in the file) or an error that names the file, never a panic.

#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use ecs_tmde::check::{check_path, Options};
use ecs_tmde::Endpoint;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fn file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("ecs-tmde-fuzz-{}.jsonl", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    let path = file();
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(data))
        .expect("write the input");
    let lines = data.split(|b| *b == b'\n').count() as u64;
    for endpoint in [None, Some(Endpoint::Task), Some(Endpoint::TaskStats)] {
        let opts = Options {
            endpoint,
            ..Options::default()
        };
        match check_path(path, &opts) {
            Ok(report) => {
                assert!(report.documents >= 1 && report.documents <= lines);
                for f in &report.findings {
                    let line = f.line.expect("JSON Lines findings carry their line");
                    assert!(line >= 1 && line <= lines, "line {line} of {lines}");
                }
                common::check_report(&report);
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(
                    msg.starts_with(&path.display().to_string()),
                    "an error names the file: {msg}"
                );
                assert!(!msg.contains('\n'), "an error is one line: {msg:?}");
            }
        }
    }
});
