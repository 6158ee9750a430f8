//! Reading documents into the models, with errors that name the input and the position.

use serde::de::DeserializeOwned;

use crate::Error;

/// Decodes `bytes` (the contents of `input`) into the model `T`.
///
/// Syntax errors, truncation and documents of the wrong shape all give an [`Error::Json`] that
/// names `input`, the line and the column.
pub fn from_slice<T: DeserializeOwned>(input: &str, bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(strip_bom(bytes)).map_err(|e| Error::json(input, &e))
}

/// A UTF-8 byte order mark is tolerated (editors on Windows add one); anything else must be
/// plain JSON.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}
