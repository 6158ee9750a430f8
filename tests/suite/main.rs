//! The integration test suite, one binary (faster to link than one per file).

mod cli;
mod fixtures;
mod generated;
mod properties;
mod recorded;
mod registry;
mod support;
