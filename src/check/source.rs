//! Reading check targets: a recording directory, one response file, or a JSON Lines file.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::{check_documents, ApiVersion, Document, Report};
use crate::profile::Profile;
use crate::recording::{RecordingMeta, FILE_NAME};
use crate::{Endpoint, Error};

/// How to check a target.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Which endpoint a single file or JSON Lines record is (inferred when `None`).
    pub endpoint: Option<Endpoint>,
    /// Profile parts given on the command line; they override `recording.json`.
    pub profile: Profile,
    /// Version given on the command line; overrides `recording.json`.
    pub version: Option<ApiVersion>,
    /// Whether warnings fail the check.
    pub deny_warnings: bool,
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

/// Checks a path: a directory of recorded responses, a single response, or JSON Lines.
pub fn check_path(path: &Path, opts: &Options) -> Result<Report, Error> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    if !meta.is_dir() && !meta.is_file() {
        // A device or a pipe could be read forever (`/dev/zero`) or block (a FIFO).
        return Err(Error::Input {
            input: path.display().to_string(),
            message: "not a regular file or directory; hint: save the response to a file first"
                .into(),
        });
    }
    let mut report = Report {
        target: path.display().to_string(),
        deny_warnings: opts.deny_warnings,
        ..Report::default()
    };
    if meta.is_dir() {
        check_dir(path, opts, &mut report)?;
    } else if matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("jsonl" | "ndjson")
    ) {
        check_json_lines(path, opts, &mut report)?;
    } else {
        check_file(path, opts, &mut report)?;
    }
    report.sort();
    Ok(report)
}

fn check_dir(dir: &Path, opts: &Options, report: &mut Report) -> Result<(), Error> {
    let rec = RecordingMeta::read(dir)?.unwrap_or_default();
    let version = match (opts.version, rec.version.as_deref()) {
        (Some(v), _) => v,
        (None, Some(v)) => ApiVersion::parse(v).ok_or_else(|| Error::Input {
            input: dir.join(FILE_NAME).display().to_string(),
            message: format!("unknown version {v:?}; expected v2, v3 or v4"),
        })?,
        (None, None) => ApiVersion::V3,
    };
    let profile = rec.profile.overridden_by(opts.profile);
    if !rec.profile.is_empty() && opts.profile.is_empty() {
        report
            .notes
            .push(format!("profile from {FILE_NAME}: {profile}"));
    }
    let mut docs = Vec::new();
    for endpoint in Endpoint::ALL {
        let path = dir.join(endpoint.file_name());
        if path.is_file() {
            docs.push(Document {
                endpoint,
                input: path.display().to_string(),
                bytes: read(&path)?,
            });
        }
    }
    if docs.is_empty() && rec.http.is_empty() {
        return Err(Error::Input {
            input: dir.display().to_string(),
            message: "no response files in this directory; expected container.json, task.json, stats.json and/or task-stats.json".into(),
        });
    }
    report.version = version;
    report.profile = profile;
    let poll = super::Poll {
        docs: &docs,
        http: &rec.http,
        poll: None,
    };
    super::check_poll(&poll, None, profile, version, report)
}

fn check_file(path: &Path, opts: &Options, report: &mut Report) -> Result<(), Error> {
    let bytes = read(path)?;
    let input = path.display().to_string();
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let endpoint = match opts
        .endpoint
        .or_else(|| Endpoint::from_file_name(file_name))
    {
        Some(e) => e,
        None => {
            let value: serde_json::Value = serde_json::from_slice(crate::decode::strip_bom(&bytes))
                .map_err(|e| Error::json(&input, &e))?;
            let e = Endpoint::infer(&value).ok_or_else(|| Error::Input {
                input: input.clone(),
                message: "cannot tell which endpoint this response is from; hint: pass --endpoint container|task|stats|task-stats".into(),
            })?;
            report.notes.push(format!(
                "{input}: inferred endpoint {e} from its content (pass --endpoint to say it)"
            ));
            e
        }
    };
    report.version = opts.version.unwrap_or_default();
    report.profile = opts.profile;
    check_documents(
        &[Document {
            endpoint,
            input,
            bytes,
        }],
        opts.profile,
        report.version,
        report,
    )
}

/// Checks one response per line, streaming: memory does not grow with the file, only with the
/// findings.
fn check_json_lines(path: &Path, opts: &Options, report: &mut Report) -> Result<(), Error> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let version = opts.version.unwrap_or_default();
    report.version = version;
    report.profile = opts.profile;
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    let mut inferred = false;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|source| Error::Io {
                path: path.to_owned(),
                source,
            })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let bytes = if line_no == 1 {
            crate::decode::strip_bom(&buf)
        } else {
            &buf[..]
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let input = format!("{}:{line_no}", path.display());
        let endpoint = match opts.endpoint {
            Some(e) => e,
            None => {
                let value: serde_json::Value =
                    serde_json::from_slice(bytes).map_err(|e| Error::json(&input, &e))?;
                inferred = true;
                Endpoint::infer(&value).ok_or_else(|| Error::Input {
                    input: input.clone(),
                    message:
                        "cannot tell which endpoint this record is from; hint: pass --endpoint"
                            .into(),
                })?
            }
        };
        let start = report.findings.len();
        let doc = Document {
            endpoint,
            input,
            bytes: bytes.to_vec(),
        };
        check_documents(std::slice::from_ref(&doc), opts.profile, version, report)?;
        for f in &mut report.findings[start..] {
            f.line = Some(line_no);
            f.source = None;
        }
    }
    if report.documents == 0 {
        return Err(Error::Input {
            input: path.display().to_string(),
            message: "no records: the file is empty".into(),
        });
    }
    if inferred {
        report
            .notes
            .push("endpoints inferred per line from content (pass --endpoint to say it)".into());
    }
    Ok(())
}
