//! `ecs-tmde record`: capture what a live endpoint serves as a recording directory that
//! `ecs-tmde check` (and `cargo test`, once it is in the corpus) replays forever.
//!
//! The directory has exactly the layout `check` reads: the 200 JSON bodies as received
//! (`container.json`, `task.json`, `stats.json`, `task-stats.json`) and `recording.json` with
//! the URL, time, tool version, the profile if given, and every HTTP exchange (status,
//! headers, latency, and the first bytes of the body). The checker runs the HTTP rules on
//! those exchanges, so the recording gets the verdict the live endpoint got.
//!
//! Writing is atomic: everything goes to a temporary directory beside the target, which is
//! then renamed into place; an existing recording is replaced only with `force`.

use std::path::{Path, PathBuf};

use crate::check::live::{fetch, LiveOptions};
use crate::client::Client;
use crate::profile::Profile;
use crate::recording::{Recorded, RecordingMeta, FILE_NAME};
use crate::redact::Redactor;
use crate::Error;

/// What to record.
#[derive(Clone, Debug)]
pub struct Request {
    /// The endpoint URL.
    pub url: String,
    /// How to talk to it.
    pub live: LiveOptions,
    /// Profile to store in `recording.json`.
    pub profile: Profile,
    /// The recording directory.
    pub out: PathBuf,
    /// Replace an existing recording.
    pub force: bool,
    /// Replace identifying values with placeholders.
    pub redact: bool,
}

/// What was written.
#[derive(Clone, Debug)]
pub struct Recording {
    /// The directory.
    pub dir: PathBuf,
    /// The files written, `recording.json` last.
    pub files: Vec<String>,
    /// What redaction replaced, if it ran.
    pub redacted: Option<String>,
    /// Statuses by endpoint, for the summary.
    pub statuses: Vec<(String, u16)>,
}

impl Recording {
    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(e, s)| format!("{e} {s}"))
            .collect();
        let mut line = format!(
            "recorded {} ({}): {}",
            self.dir.display(),
            statuses.join(", "),
            self.files.join(", ")
        );
        if let Some(r) = &self.redacted {
            line.push_str(&format!("; redacted: {r}"));
        }
        line
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// Now, as RFC 3339 UTC.
fn now_rfc3339() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    crate::model::Timestamp::from_unix_nanos(nanos)
        .as_str()
        .to_owned()
}

/// Fetches one poll from the endpoint and writes it as a recording.
pub async fn record(req: &Request) -> Result<Recording, Error> {
    if req.out.exists() && !req.out.is_dir() {
        return Err(Error::Input {
            input: req.out.display().to_string(),
            message: "exists and is not a directory; hint: --out names the recording directory"
                .into(),
        });
    }
    if req.out.exists() && !req.force {
        return Err(Error::Input {
            input: req.out.display().to_string(),
            message: "already exists; hint: choose another --out, or pass --force to replace it"
                .into(),
        });
    }
    let client = Client::new(&req.url, req.live.client.clone())?;
    let fetched = fetch(&client, &req.live).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut exchanges = fetched.exchanges.clone();
    let mut redacted = None;
    let mut url = req.url.clone();
    if req.redact {
        let mut r = Redactor::new();
        for d in &fetched.documents {
            r.scan_bytes(&d.input, &d.bytes)?;
        }
        for x in &exchanges {
            r.scan_value(&serde_json::Value::String(x.body.clone()));
        }
        for d in &fetched.documents {
            files.push((
                d.endpoint.file_name().to_owned(),
                r.redact_bytes(&d.input, &d.bytes)?,
            ));
        }
        for x in &mut exchanges {
            x.body = r.redact_str(&x.body).into_owned();
            x.url = r.redact_str(&x.url).into_owned();
            for (_, v) in &mut x.headers {
                *v = r.redact_str(v).into_owned();
            }
        }
        url = r.redact_str(&url).into_owned();
        redacted = Some(r.summary_line());
    } else {
        for d in &fetched.documents {
            files.push((d.endpoint.file_name().to_owned(), d.bytes.clone()));
        }
    }
    let meta = RecordingMeta {
        format: Some("ecs-tmde-recording/1".into()),
        version: Some(client.version().name().into()),
        profile: req.profile,
        expected: None,
        origin: None,
        recorded: Some(Recorded {
            url,
            at: now_rfc3339(),
            tool: concat!("ecs-tmde ", env!("CARGO_PKG_VERSION")).into(),
            with_tags: req.live.with_tags,
            probe_errors: req.live.probe_errors,
            redacted: req.redact,
        }),
        http: exchanges,
        extra: Default::default(),
    };
    let mut meta_bytes = serde_json::to_vec_pretty(&meta).map_err(|e| Error::Input {
        input: FILE_NAME.into(),
        message: format!("cannot serialise: {e}"),
    })?;
    meta_bytes.push(b'\n');
    files.push((FILE_NAME.into(), meta_bytes));
    write_atomically(&req.out, &files, req.force)?;
    Ok(Recording {
        dir: req.out.clone(),
        files: files.iter().map(|(n, _)| n.clone()).collect(),
        redacted,
        statuses: fetched
            .responses
            .iter()
            .map(|(e, r)| (e.name().to_owned(), r.status))
            .collect(),
    })
}

/// Writes `files` into `dir` through a temporary sibling directory and a rename, so that a
/// reader never sees half a recording.
fn write_atomically(dir: &Path, files: &[(String, Vec<u8>)], force: bool) -> Result<(), Error> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Input {
            input: dir.display().to_string(),
            message: "not a directory name; hint: --out recordings/my-task".into(),
        })?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let result = (|| {
        for (file, bytes) in files {
            let path = tmp.join(file);
            std::fs::write(&path, bytes).map_err(io(&path))?;
        }
        if dir.exists() {
            if !force {
                return Err(Error::Input {
                    input: dir.display().to_string(),
                    message: "appeared while recording; hint: pass --force to replace it".into(),
                });
            }
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(dir, &old).map_err(io(dir))?;
            std::fs::rename(&tmp, dir).map_err(io(dir))?;
            std::fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            std::fs::rename(&tmp, dir).map_err(io(dir))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
