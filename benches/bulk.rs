//! Bulk check throughput: `check` of a JSON Lines corpus of v3 task responses, against the
//! parse floor (parsing the same corpus into `serde_json::Value`) and the naive path (parse
//! to `Value`, validate with the JSON Schema validator, then decode and run the rules).
//!
//! ```sh
//! cargo bench --bench bulk                       # 10,000 tasks, 7 runs
//! cargo bench --bench bulk -- --runs 11 --corpus FILE.jsonl
//! cargo bench --bench bulk -- --only check --runs 5   # one variant (peers.sh uses this)
//! ```
//!
//! Without `--corpus`, the corpus is generated once by `benches/gen-corpus.py` (10,000 tasks,
//! seed 1) under the target directory. Every run times each variant once, in turn, so that the
//! variants share the machine's state; the report gives each variant's median and the median of
//! its per-run ratio to the floor. A plain `harness = false` benchmark: `std::time` and medians,
//! no benchmarking framework.

use std::fs::File;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ecs_tmde::check::{self, Decoded, Options, Report};
use ecs_tmde::model::Task;
use ecs_tmde::Endpoint;
use serde::Deserialize;

/// Reads `path` line by line the way the checker does, calling `f` on each non-blank line.
fn for_each_line(path: &Path, mut f: impl FnMut(&[u8])) {
    let file = File::open(path).expect("corpus opens");
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).expect("corpus reads") == 0 {
            break;
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        f(&buf);
    }
}

/// The parse floor: every line into a `serde_json::Value`.
fn parse_floor(path: &Path) -> u64 {
    let mut n = 0;
    for_each_line(path, |line| {
        let v: serde_json::Value = serde_json::from_slice(line).expect("corpus is JSON");
        black_box(&v);
        n += 1;
    });
    n
}

/// What `ecs-tmde check FILE.jsonl --endpoint task` does, short of rendering the report.
fn check(path: &Path, endpoint: Option<Endpoint>) -> u64 {
    let opts = Options {
        endpoint,
        ..Options::default()
    };
    let report: Report = check::check_path(path, &opts).expect("corpus checks");
    assert_eq!(
        report.exit_status(),
        check::EXIT_PASS,
        "the corpus conforms: {:?}",
        report.findings.first()
    );
    report.documents
}

/// The naive path: parse to `Value`, validate against the published schema (formats on), then
/// decode the `Value` into the model and run every rule.
fn naive(path: &Path) -> u64 {
    let validator = ecs_tmde::schema::validator(ecs_tmde::check::ApiVersion::V3, Endpoint::Task);
    let mut n = 0;
    let mut findings = Vec::new();
    let mut skipped = Vec::new();
    for_each_line(path, |line| {
        let v: serde_json::Value = serde_json::from_slice(line).expect("corpus is JSON");
        assert!(validator.is_valid(&v), "the corpus conforms");
        let task = Task::deserialize(&v).expect("corpus decodes");
        let decoded = Decoded {
            task: Some(task),
            ..Decoded::default()
        };
        findings.clear();
        check::run_rules(
            &decoded,
            Default::default(),
            Default::default(),
            &mut findings,
            &mut skipped,
        );
        black_box(&findings);
        n += 1;
    });
    n
}

/// Typed decoding alone (no rules), to split the check's cost.
fn decode_only(path: &Path) -> u64 {
    let mut n = 0;
    for_each_line(path, |line| {
        let t: Task = serde_json::from_slice(line).expect("corpus decodes");
        black_box(&t);
        n += 1;
    });
    n
}

/// Parse to `Value` and validate (formats on), without decoding: what a schema-only validator
/// does in Rust.
fn validate_only(path: &Path) -> u64 {
    let validator = ecs_tmde::schema::validator(ecs_tmde::check::ApiVersion::V3, Endpoint::Task);
    let mut n = 0;
    for_each_line(path, |line| {
        let v: serde_json::Value = serde_json::from_slice(line).expect("corpus is JSON");
        assert!(validator.is_valid(&v));
        n += 1;
    });
    n
}

type Variant = (&'static str, &'static str, fn(&Path) -> u64);

const VARIANTS: &[Variant] = &[
    (
        "floor",
        "parse every line into serde_json::Value",
        parse_floor,
    ),
    (
        "check",
        "check_path(corpus, --endpoint task): typed decode + every rule",
        |p| check(p, Some(Endpoint::Task)),
    ),
    (
        "check-inferred",
        "check_path(corpus) without --endpoint: parse to Value to infer, then check",
        |p| check(p, None),
    ),
    ("decode", "typed decode into model::Task only", decode_only),
    (
        "validate",
        "parse to Value + jsonschema is_valid (formats on)",
        validate_only,
    ),
    (
        "naive",
        "parse to Value + jsonschema is_valid + decode from Value + every rule",
        naive,
    ),
];

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn default_corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-corpus");
    let path = dir.join("tasks-10000-seed1.jsonl");
    if !path.is_file() {
        std::fs::create_dir_all(&dir).expect("target tmp dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen-corpus.py");
        let tmp = dir.join("tasks.jsonl.part");
        let ok = Command::new("python3")
            .arg(&script)
            .args(["--tasks", "10000", "--seed", "1", "--out"])
            .arg(&tmp)
            .status()
            .expect("python3 runs benches/gen-corpus.py")
            .success();
        assert!(ok, "benches/gen-corpus.py failed");
        std::fs::rename(&tmp, &path).expect("rename corpus");
    }
    path
}

fn main() {
    let mut runs = 7usize;
    let mut corpus = None;
    let mut only: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|s| s.parse().ok()).expect("--runs N"),
            "--corpus" => corpus = Some(PathBuf::from(args.next().expect("--corpus FILE"))),
            "--only" => only.push(args.next().expect("--only VARIANT")),
            // `cargo bench` passes --bench; filters are not supported
            _ => {}
        }
    }
    let corpus = corpus.unwrap_or_else(default_corpus);
    let variants: Vec<&Variant> = VARIANTS
        .iter()
        .filter(|v| only.is_empty() || only.iter().any(|o| o == v.0))
        .collect();
    assert!(!variants.is_empty(), "--only: no such variant");
    let size = std::fs::metadata(&corpus).expect("corpus exists").len();
    println!(
        "corpus: {} ({:.1} MB), {runs} runs, variants interleaved",
        corpus.display(),
        size as f64 / 1e6
    );
    // warm-up: page cache, lazily compiled validators
    let docs = variants.iter().map(|v| (v.2)(&corpus)).max().unwrap_or(0);
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); variants.len()];
    for _ in 0..runs {
        for (i, v) in variants.iter().enumerate() {
            let t = Instant::now();
            let n = (v.2)(&corpus);
            times[i].push(t.elapsed().as_secs_f64());
            assert_eq!(n, docs, "{} saw every document", v.0);
        }
    }
    let floor = variants.iter().position(|v| v.0 == "floor");
    println!(
        "{:<15} {:>10} {:>12} {:>9}  what",
        "variant", "median", "docs/s", "x floor"
    );
    for (i, v) in variants.iter().enumerate() {
        let ratio = floor.map(|f| {
            let mut r: Vec<f64> = times[i].iter().zip(&times[f]).map(|(a, b)| a / b).collect();
            median(&mut r)
        });
        let med = median(&mut times[i].clone());
        println!(
            "{:<15} {:>10} {:>12.0} {:>9}  {}",
            v.0,
            format!("{:.1?}", Duration::from_secs_f64(med)),
            docs as f64 / med,
            ratio.map(|r| format!("{r:.2}")).unwrap_or_default(),
            v.1
        );
    }
    println!(
        "(x floor = median over runs of the variant's time / the floor's time in the same run)"
    );
}
