//! `conformance/RULES.md`, generated from the rule registry.

use std::fmt::Write;

use crate::rules::{Needs, RULES};

/// Path of the generated catalogue, relative to the project root.
pub const RULES_MD: &str = "conformance/RULES.md";

/// Renders the catalogue of every rule as Markdown.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("<!-- Generated from src/rules/ by `cargo run -- rules --write conformance/RULES.md`; do not edit. -->\n");
    out.push_str("# Rule catalogue\n\n");
    out.push_str(
        "Every rule `ecs-tmde check` applies, generated from the registry in `src/rules/`.\n\n",
    );
    out.push_str("* **Severity**: `error` = no correct endpoint can send this (documentation and agent agree); ");
    out.push_str("`warning` = breaks the documented contract but real agents are known to do it, or is suspicious (fails only with `--deny-warnings`); ");
    out.push_str("`info` = worth knowing, never a failure.\n");
    out.push_str("* **Layer**: `schema` = the published JSON Schema enforces it; `engine` = only the checker can; ");
    out.push_str(
        "`both` = the schema carries an equivalent keyword and the checker reports it precisely.\n",
    );
    out.push_str("* **Follows**: which source the rule follows where the AWS documentation and the real ECS agent disagree.\n\n");
    out.push_str(
        "| id | severity | layer | follows | needs | versions | title |\n|---|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.id,
            r.severity,
            r.layer.name(),
            follows(r.follows),
            if r.needs == Needs::Nothing {
                "-"
            } else {
                r.needs.name()
            },
            versions(r),
            r.title
        );
    }
    for r in RULES {
        let _ = writeln!(out, "\n## `{}`\n\n{}\n", r.id, capitalise(r.title));
        let endpoints: Vec<&str> = r.endpoints.iter().map(|e| e.name()).collect();
        let _ = writeln!(
            out,
            "* severity: {}; layer: {}; follows: {}; reads: {}; versions: {}",
            r.severity,
            r.layer.name(),
            follows(r.follows),
            endpoints.join(", "),
            versions(r)
        );
        if !r.schema_keywords.is_empty() {
            let kw: Vec<String> = r.schema_keywords.iter().map(|k| format!("`{k}`")).collect();
            let _ = writeln!(out, "* schema keywords: {}", kw.join(", "));
        }
        match r.needs {
            Needs::Nothing => {}
            Needs::LaunchType => out.push_str("* needs a profile (`--launch-type`, and `--platform-version`/`--os` where they matter); skipped without one\n"),
            Needs::Http => out.push_str("* needs the HTTP exchanges: runs when checking a live endpoint or a recording made by `ecs-tmde record`\n"),
            Needs::Probes => out.push_str("* needs `--probe-errors` (extra requests that provoke the endpoint's error answers)\n"),
            Needs::Polls => out.push_str("* needs `check --watch`: compares each poll with the earlier ones\n"),
        }
        let _ = writeln!(out, "* fixtures: `conformance/rules/{}/`", r.id);
        out.push('\n');
        out.push_str(r.explanation);
        out.push('\n');
        if let Some(q) = r.doc_quote {
            let _ = writeln!(out, "\nDocumentation:\n\n> {q}");
        }
        if let Some(a) = r.agent_basis {
            let _ = writeln!(out, "\nAgent behaviour: {a}");
        }
    }
    out
}

fn follows(f: crate::rules::Follows) -> &'static str {
    match f {
        crate::rules::Follows::Both => "both",
        crate::rules::Follows::Documentation => "documentation",
        crate::rules::Follows::Agent => "agent",
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Path of the generated notice of third-party recordings, relative to the project root.
pub const NOTICE_MD: &str = "conformance/NOTICE.md";

/// Renders the notice crediting the origin and licence of every recording under `recorded`
/// (the `conformance/recorded/` directory), from each `recording.json`.
pub fn notice_markdown(recorded: &std::path::Path) -> Result<String, crate::Error> {
    let mut dirs: Vec<_> = std::fs::read_dir(recorded)
        .map_err(|source| crate::Error::Io {
            path: recorded.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = String::new();
    out.push_str("<!-- Generated from conformance/recorded/*/recording.json by `ECS_TMDE_UPDATE=1 cargo test notice`; do not edit. -->\n");
    out.push_str("# Third-party recordings: origin and licence\n\n");
    out.push_str("The response files under `conformance/recorded/` were written by others, except the `project-*` ones. ");
    out.push_str("They are data, copied byte for byte (the AWS v3 documentation example was re-assembled from text extraction). ");
    out.push_str("Each is credited below with its repository, path, commit and licence; `conformance/recorded/LICENCES.md` says how each licence was established. ");
    out.push_str("Excluded sources are listed in `conformance/recorded/EXCLUDED.md`.\n\n");
    out.push_str("| recording | file | origin | licence |\n|---|---|---|---|\n");
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let meta = crate::recording::RecordingMeta::read(&dir)?.unwrap_or_default();
        let origin = meta.origin.unwrap_or_default();
        let licence = origin
            .get("licence")
            .and_then(|v| v.as_str())
            .unwrap_or("unknown");
        let files = origin
            .get("files")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default();
        for (file, o) in files {
            let from = match (o.get("repo"), o.get("path"), o.get("commit")) {
                (Some(r), Some(p), Some(c)) => format!(
                    "{} `{}` @ {}",
                    r.as_str().unwrap_or_default(),
                    p.as_str().unwrap_or_default(),
                    c.as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(12)
                        .collect::<String>()
                ),
                _ => o
                    .get("written_by")
                    .and_then(|v| v.as_str())
                    .unwrap_or("unknown")
                    .to_owned(),
            };
            let _ = writeln!(
                out,
                "| `{name}` | {file} | {} | {licence} |",
                from.replace('|', "\\|")
            );
        }
    }
    Ok(out)
}

fn versions(r: &crate::rules::Rule) -> String {
    r.versions
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}
