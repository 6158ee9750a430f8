//! The integration test suite, one binary (faster to link than one per file).

mod cli;
mod client;
mod fixtures;
mod generated;
mod hostile;
mod live;
mod mock;
mod properties;
mod recorded;
mod redact;
mod registry;
mod support;
