//! Redaction tests (being written).
