//! Helpers shared by the tests.

use std::path::{Path, PathBuf};

use ecs_tmde::check::Report;

/// Absolute path of a file of the project.
pub fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One line per finding, the form snapshots use.
pub fn findings_text(report: &Report) -> String {
    let mut s = String::new();
    for f in &report.findings {
        let line = f.line.map(|l| format!("line {l} ")).unwrap_or_default();
        s.push_str(&format!(
            "{} {} {line}{} {}: {}\n",
            f.severity,
            f.rule,
            f.endpoint,
            if f.pointer.is_empty() {
                "(document)"
            } else {
                &f.pointer
            },
            f.message
        ));
    }
    for sk in &report.skipped {
        s.push_str(&format!("skipped {}: {}\n", sk.rule, sk.reason));
    }
    if s.is_empty() {
        s.push_str("no findings\n");
    }
    s
}

/// Compares two JSON values, treating numbers as equal when they denote the same value
/// (`2` and `2.0`), which is what "round-trips without changing a value" means.
pub fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => match (x.as_u64(), y.as_u64(), x.as_i64(), y.as_i64()) {
            (Some(p), Some(q), _, _) => p == q,
            (_, _, Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_json(p, q)),
        (Object(x), Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
