//! `--format junit`: JUnit XML, one test case per rule and endpoint checked.
//!
//! The layout follows the common JUnit schema read by CI systems
//! (<https://github.com/windyroad/JUnit-Schema/blob/master/JUnit.xsd>): a `testsuite` with one
//! `testcase` per rule and endpoint, a `failure` for each finding that fails the check, and
//! `skipped` for rules that did not run.

use std::fmt::Write;

use crate::check::Report;
use crate::rules::{Severity, RULES};

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let mut cases = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for endpoint in &report.checked {
        for rule in RULES.iter().filter(|r| r.endpoints.contains(endpoint)) {
            tests += 1;
            let name = format!("{}::{}", rule.id, endpoint);
            let _ = write!(
                cases,
                "    <testcase classname=\"ecs-tmde.{}\" name=\"{}\">",
                escape(endpoint.name()),
                escape(&name)
            );
            if let Some(s) = report.skipped.iter().find(|s| s.rule == rule.id) {
                skipped += 1;
                let _ = write!(cases, "<skipped message=\"{}\"/>", escape(&s.reason));
            } else {
                let found: Vec<_> = report
                    .findings
                    .iter()
                    .filter(|f| f.rule == rule.id && f.endpoint == *endpoint)
                    .collect();
                let failing: Vec<_> = found
                    .iter()
                    .filter(|f| {
                        f.severity == Severity::Error
                            || (report.deny_warnings && f.severity == Severity::Warning)
                    })
                    .collect();
                if !failing.is_empty() {
                    failures += 1;
                    let body: Vec<String> = failing
                        .iter()
                        .map(|f| match f.line {
                            Some(l) => format!("line {l} {}: {}", f.pointer, f.message),
                            None => format!("{}: {}", f.pointer, f.message),
                        })
                        .collect();
                    let _ = write!(
                        cases,
                        "<failure message=\"{}\" type=\"{}\">{}</failure>",
                        escape(&format!("{} finding(s): {}", failing.len(), rule.title)),
                        rule.severity,
                        escape(&body.join("\n"))
                    );
                } else if !found.is_empty() {
                    let body: Vec<String> = found
                        .iter()
                        .map(|f| format!("{} {}: {}", f.severity, f.pointer, f.message))
                        .collect();
                    let _ = write!(
                        cases,
                        "<system-out>{}</system-out>",
                        escape(&body.join("\n"))
                    );
                }
            }
            cases.push_str("</testcase>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ecs-tmde\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">\n{cases}  </testsuite>\n</testsuites>\n",
        escape(&report.target)
    )
}
