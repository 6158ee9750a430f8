//! `--format human`: findings readable at a glance.

use std::fmt::Write;

use crate::check::Report;
use crate::rules::{self, Severity};

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(&self, s: Severity) -> String {
        let code = match s {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Info => "1;34",
        };
        self.paint(code, s.name())
    }
}

/// Renders the report for a person: each finding with its rule, place, message and the
/// documentation sentence, then skipped rules, notes and a summary line.
pub fn render(report: &Report, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    for f in &report.findings {
        let mut place = match f.line {
            Some(l) => format!("line {l} {} {}", f.endpoint, pointer(&f.pointer)),
            None => format!("{} {}", f.endpoint, pointer(&f.pointer)),
        };
        if let Some(p) = f.poll {
            place = format!("poll {p} {place}");
        }
        let _ = writeln!(
            out,
            "{}[{}] {}",
            st.severity(f.severity),
            st.paint("1", f.rule),
            st.paint("36", &place)
        );
        let _ = writeln!(out, "  {}", f.message);
        if let Some(rule) = rules::find(f.rule) {
            if let Some(q) = rule.doc_quote {
                let _ = writeln!(out, "  {} \"{q}\"", st.paint("2", "docs:"));
            }
        }
        if let Some(src) = &f.source {
            let took = f
                .elapsed_us
                .map(|us| format!(" ({:.1} ms)", us as f64 / 1000.0))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} {src}{took}", st.paint("2", "in:"));
        }
    }
    for s in &report.skipped {
        let _ = writeln!(out, "{} {}: {}", st.paint("2", "skipped"), s.rule, s.reason);
    }
    for n in &report.notes {
        let _ = writeln!(out, "{} {n}", st.paint("2", "note:"));
    }
    let (e, w, i) = report.counts();
    let verdict = match report.verdict() {
        crate::check::Verdict::Pass => st.paint("1;32", "pass"),
        crate::check::Verdict::Fail => st.paint("1;31", "fail"),
    };
    let endpoints: Vec<&str> = report.checked.iter().map(|e| e.name()).collect();
    if report.polls > 0 {
        let _ = writeln!(out, "{} {} polls", st.paint("2", "watched:"), report.polls);
    }
    if let Some(why) = &report.interrupted {
        let _ = writeln!(out, "{} {why}", st.paint("1;31", "interrupted:"));
    }
    let _ = writeln!(
        out,
        "{verdict}: {} ({}; profile: {}): {e} error(s), {w} warning(s), {i} info",
        report.target,
        endpoints.join(", "),
        report.profile
    );
    out
}

fn pointer(p: &str) -> &str {
    if p.is_empty() {
        "(document)"
    } else {
        p
    }
}
