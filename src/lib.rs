//! # ecs-tmde: a conformance suite for the Amazon ECS Task Metadata Endpoint
//!
//! Every container of an ECS task can query `$ECS_CONTAINER_METADATA_URI` for metadata about
//! itself and its task, and for Docker stats. This crate describes what that endpoint sends,
//! exactly as the AWS documentation and the real ECS agent make it, and checks that an endpoint
//! (a real one, a mock, or a recording) keeps those promises.
//!
//! ## Architecture
//!
//! * [`model`] holds the typed responses (serde + schemars). They are the single source of
//!   truth: [`schema`] generates the published JSON Schemas in `schemas/` from them, and the
//!   checker decodes into them.
//! * [`Endpoint`] is the one list of responses: their names, recording files, schema files and
//!   URL paths.
//! * [`decode`] reads a document into a model with errors that name the input and position.
//! * [`rules`] is the rule catalogue: one [`rules::Rule`] declaration per promise (id, title,
//!   severity, the documentation sentence it enforces, the agent behaviour it relies on, which
//!   layer enforces it, and its check). `conformance/RULES.md` is generated from it.
//! * [`check`] turns targets (recording directories, single files, JSON Lines) into a
//!   [`check::Report`]: typed decoding first, the full schema validator only to explain a
//!   document that does not decode, then every rule.
//! * [`check::live`] checks a live endpoint: one poll of the four documents fetched by the polite
//!   [`client::Client`] (rate-limited, retrying 429 and not-yet-ready stats, bounded in time and
//!   size), whose HTTP exchanges ([`check::Exchange`]) feed the HTTP rules; `--watch` folds each
//!   poll into a small [`check::History`] that the lifecycle rules compare the next poll with.
//! * [`record`] writes a poll as a recording directory (with its exchanges in `recording.json`, so
//!   a recording gets the verdict its endpoint got), and [`redact`] replaces identifying values
//!   with placeholders of the same shape so the verdict does not change.
//! * [`mock`] is an endpoint that behaves like the agent, from [`mock::Scenario`]s resolved over
//!   time by [`mock::world::World`]; [`mock::faults`] declares, for every rule, how the mock breaks
//!   it, which is how the tests prove each rule fires.
//! * [`report`] renders a report as human text, JSON or JUnit XML, one renderer per format.
//! * [`Error`] is the small set of reasons a check cannot be carried out at all (exit status 2).
//!   Problems *of the endpoint* are not errors but findings, which are data.

pub mod catalogue;
pub mod check;
pub mod client;
pub mod decode;
pub mod endpoint;
pub mod error;
pub mod mock;
pub mod model;
pub mod profile;
pub mod record;
pub mod recording;
pub mod redact;
pub mod report;
pub mod rules;
pub mod schema;

pub use client::Client;
pub use endpoint::Endpoint;
pub use error::Error;
