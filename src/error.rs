//! Harness errors: the reasons a check could not be carried out (exit status 2).
//!
//! Findings about the endpoint are not errors; they are data (`check::Finding`).

use std::path::PathBuf;

/// Why the harness could not do its job. Every message names the input and, where it can,
/// the position and a hint.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The input is not JSON (or not complete JSON).
    #[error("{input}:{line}:{column}: not valid JSON: {message}")]
    Json {
        /// File name, URL or `<stdin>` (with `:LINE` for a JSON Lines record).
        input: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An endpoint could not be reached or read: refused connection, timeout, a body over the
    /// size cap, a redirect to another host, too many retries.
    #[error("{url}: {message}")]
    Http {
        /// The URL requested.
        url: String,
        /// What happened, with a hint.
        message: String,
    },
    /// The input is JSON but not a document the tool can check.
    #[error("{input}: {message}")]
    Input {
        /// File name, URL or `<stdin>`.
        input: String,
        /// What is wrong, with a hint.
        message: String,
    },
}

impl Error {
    /// Wraps a serde_json error about `input`, keeping its line and column.
    pub fn json(input: impl Into<String>, err: &serde_json::Error) -> Error {
        let full = err.to_string();
        // serde_json appends " at line L column C"; the position is printed up front instead.
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_owned(),
            None => full,
        };
        Error::Json {
            input: input.into(),
            line: err.line(),
            column: err.column(),
            message,
        }
    }
}
