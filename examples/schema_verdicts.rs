//! Prints the schema-layer verdict of the Rust checker for response files and rule fixtures,
//! one JSON line per document. The cross-language runner (`conformance/cross-language/run.sh`)
//! compares these lines with the verdicts of Python's `jsonschema` and JavaScript's `ajv` on the
//! same files.
//!
//! ```text
//! cargo run --example schema_verdicts -- conformance/recorded conformance/rules/schema-violation
//! cargo run --example schema_verdicts -- --files-from LIST
//! cargo run --example schema_verdicts -- --list-schema-rules
//! ```
//!
//! Arguments are files or directories (walked recursively, in name order, taking every
//! `*.json` but `recording.json`). How a file is read (the same in the three languages):
//!
//! * a file named `container.json`, `task.json`, `stats.json` or `task-stats.json` is one
//!   response, validated against its endpoint's schema (`stats.json` against
//!   `container-stats.json`) in the version of its recording: the `version` of the
//!   `recording.json` beside it (`v2` and `v3` are v3, `v4` is v4; no file or no `version`
//!   is v3), as `ecs-tmde check` reads a recording directory; a UTF-8 byte order mark is
//!   skipped, as the checker skips it;
//! * any other file is a rule fixture: each of its members `container`, `task`, `stats` and
//!   `task-stats`, at the top level or in each entry of `polls`, is validated against its
//!   endpoint's schema in the fixture's version (its top-level `version`, v3 when absent, as
//!   the fixture tests read it).
//!
//! An unknown version (or one that is not a string) is an error, not a guess.
//!
//! Each line is `{"file", "member", "version", "schema", "json", "valid", "errors"}`: `member`
//! is the endpoint name (`polls/0/task` inside `polls`), `version` is `v3` or `v4`, `schema`
//! is the schema file under `schemas/` (`v4/task.json`), `json` is false when the file is not
//! JSON (then `valid` is false too; a fixture that is not JSON has member `-`, no schema and
//! version `v3`), and `errors` are the schema findings as the checker reports them, with their
//! rule. The verdict is the published schema's, through the checker's own validator
//! (`check::schema_findings`), whatever the engine rules would add.
//!
//! `--list-schema-rules` prints the id of every rule the schema enforces (layer `schema` or
//! `both`), one a line: their fixtures are the ones whose verdicts must agree across languages.
//!
//! `--check-schemas DIR` fails unless the files under `DIR` (the `schemas/` directory, both
//! versions) are the ones the models generate: this program validates with the generated
//! schemas, the other languages read the files, and a stale file would make them compare
//! different schemas.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ecs_tmde::check::{schema_findings, ApiVersion};
use ecs_tmde::decode::strip_bom;
use ecs_tmde::recording::{self, RecordingMeta};
use ecs_tmde::rules::{Layer, RULES};
use ecs_tmde::Endpoint;
use serde_json::{json, Value};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if let Some(i) = args.iter().position(|a| a == "--check-schemas") {
        let dir = args.get(i + 1).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "--check-schemas needs a directory",
            )
        })?;
        let stale = ecs_tmde::schema::stale_files(Path::new(dir));
        if !stale.is_empty() {
            return Err(io::Error::other(format!(
                "{stale:?} differ from what the models generate; run `cargo run -- schema --write schemas`"
            )));
        }
        writeln!(out, "{dir}: up to date")?;
        return out.flush();
    }
    if args.iter().any(|a| a == "--list-schema-rules") {
        for r in RULES.iter().filter(|r| r.layer != Layer::Engine) {
            writeln!(out, "{}", r.id)?;
        }
        return out.flush();
    }
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--files-from" {
            let list = it.next().ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "--files-from needs a file")
            })?;
            let text = std::fs::read_to_string(list)?;
            files.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(PathBuf::from),
            );
        } else if arg.starts_with("--") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unknown option {arg}; see the comment at the top of examples/schema_verdicts.rs"),
            ));
        } else {
            collect(Path::new(arg), &mut files)?;
        }
    }
    for file in files {
        for line in verdicts(&file)? {
            writeln!(out, "{line}")?;
        }
    }
    out.flush()
}

/// Adds `path` (a file, or every `*.json` under a directory but `recording.json`) to `files`.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    if !path.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, files)?;
        } else if p.extension().is_some_and(|x| x == "json")
            && p.file_name().is_some_and(|n| n != "recording.json")
        {
            files.push(p);
        }
    }
    Ok(())
}

/// The version of the documents of a recording directory: its `recording.json`'s `version`.
fn recording_version(dir: &Path) -> io::Result<ApiVersion> {
    let meta = RecordingMeta::read(dir).map_err(|e| io::Error::other(e.to_string()))?;
    match meta.and_then(|m| m.version) {
        None => Ok(ApiVersion::V3),
        Some(v) => ApiVersion::parse(&v).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: unknown version {v:?}; expected v2, v3 or v4",
                    dir.join(recording::FILE_NAME).display()
                ),
            )
        }),
    }
}

/// The version of a rule fixture: its top-level `version`, v3 when absent (or `null`, as the
/// fixture's `Option` reads it).
fn fixture_version(file: &str, fixture: &Value) -> io::Result<ApiVersion> {
    match fixture.get("version") {
        None | Some(Value::Null) => Ok(ApiVersion::V3),
        Some(v) => v.as_str().and_then(ApiVersion::parse).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{file}: unknown version {v}; expected v2, v3 or v4"),
            )
        }),
    }
}

/// The verdict lines of one file.
fn verdicts(file: &Path) -> io::Result<Vec<Value>> {
    let name = file.display().to_string();
    let bytes = std::fs::read(file)?;
    let parsed = serde_json::from_slice::<Value>(strip_bom(&bytes));
    let response = file
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(Endpoint::from_file_name);
    if let Some(endpoint) = response {
        let dir = file.parent().unwrap_or(Path::new("."));
        let version = recording_version(dir)?;
        return Ok(vec![match parsed {
            Ok(value) => verdict(&name, endpoint.name(), version, endpoint, &value),
            Err(e) => not_json(&name, endpoint.name(), version, Some(endpoint), &e),
        }]);
    }
    let fixture = match parsed {
        Ok(v) => v,
        Err(e) => return Ok(vec![not_json(&name, "-", ApiVersion::V3, None, &e)]),
    };
    let version = fixture_version(&name, &fixture)?;
    let mut lines = Vec::new();
    let mut members = |prefix: &str, docs: &Value| {
        for endpoint in Endpoint::ALL {
            if let Some(doc) = docs.get(endpoint.name()) {
                let member = format!("{prefix}{}", endpoint.name());
                lines.push(verdict(&name, &member, version, endpoint, doc));
            }
        }
    };
    members("", &fixture);
    if let Some(polls) = fixture.get("polls").and_then(Value::as_array) {
        for (i, poll) in polls.iter().enumerate() {
            members(&format!("polls/{i}/"), poll);
        }
    }
    Ok(lines)
}

/// The schema file of an endpoint in a version, relative to `schemas/` (`v4/task.json`).
fn schema_name(version: ApiVersion, endpoint: Endpoint) -> String {
    format!("{}/{}", version.name(), endpoint.schema_file())
}

fn verdict(
    file: &str,
    member: &str,
    version: ApiVersion,
    endpoint: Endpoint,
    value: &Value,
) -> Value {
    let mut findings = Vec::new();
    schema_findings(version, endpoint, value, &mut findings);
    let errors: Vec<String> = findings
        .iter()
        .map(|f| {
            let at = if f.pointer.is_empty() {
                "(document)"
            } else {
                &f.pointer
            };
            format!("{at}: {} [{}]", f.message, f.rule)
        })
        .collect();
    json!({
        "file": file,
        "member": member,
        "version": version.name(),
        "schema": schema_name(version, endpoint),
        "json": true,
        "valid": errors.is_empty(),
        "errors": errors,
    })
}

fn not_json(
    file: &str,
    member: &str,
    version: ApiVersion,
    endpoint: Option<Endpoint>,
    e: &serde_json::Error,
) -> Value {
    json!({
        "file": file,
        "member": member,
        "version": version.name(),
        "schema": endpoint.map(|e| schema_name(version, e)),
        "json": false,
        "valid": false,
        "errors": [format!("not JSON: {e}")],
    })
}
