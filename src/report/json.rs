//! `--format json`: one JSON object.

use serde_json::json;

use crate::check::Report;

/// Renders the report as one JSON object followed by a newline.
pub fn render(report: &Report) -> String {
    let (errors, warnings, infos) = report.counts();
    let value = json!({
        "tool": "ecs-tmde",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "target": report.target,
        "version": report.version,
        "profile": report.profile,
        "verdict": report.verdict(),
        "summary": { "documents": report.documents, "error": errors, "warning": warnings, "info": infos },
        "checked": report.checked,
        "findings": report.findings,
        "skipped": report.skipped,
        "notes": report.notes,
    });
    let mut value = value;
    if report.polls > 0 {
        value["polls"] = json!(report.polls);
    }
    if let Some(why) = &report.interrupted {
        value["interrupted"] = json!(why);
    }
    let mut s = serde_json::to_string_pretty(&value).expect("reports serialise");
    s.push('\n');
    s
}
