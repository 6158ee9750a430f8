//! Rendering a [`Report`]: one renderer per output format.

mod human;
mod json;
mod junit;

use crate::check::Report;

/// Output format of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable at a glance; coloured on a terminal.
    Human,
    /// One JSON object (a contract other tools script against).
    Json,
    /// JUnit XML: one test case per rule and endpoint.
    Junit,
}

/// Renders `report` in `format`. `color` applies to the human format only.
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Junit => junit::render(report),
    }
}
