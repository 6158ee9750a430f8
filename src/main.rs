//! The `ecs-tmde` command: `check`, `schema`, `rules`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use ecs_tmde::check::{self, ApiVersion, Options, EXIT_ERROR};
use ecs_tmde::profile::{LaunchType, Os, PlatformVersion, Profile};
use ecs_tmde::report::{self, Format};
use ecs_tmde::Endpoint;

/// Conformance suite for the Amazon ECS Task Metadata Endpoint.
///
/// Exit status: 0 = conforms, 1 = findings that fail the check, 2 = could not check.
#[derive(Parser)]
#[command(name = "ecs-tmde", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check recorded responses against the schemas and the rule catalogue.
    Check(CheckArgs),
    /// Write or check the published JSON Schemas.
    Schema {
        /// Write the schemas under DIR (normally `schemas/`).
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
        /// Check that the schemas under DIR are up to date (the default, with DIR `schemas`).
        #[arg(long, value_name = "DIR", conflicts_with = "write", num_args = 0..=1, default_missing_value = "schemas")]
        check: Option<PathBuf>,
    },
    /// Print the rule catalogue as Markdown, or write it to a file.
    Rules {
        /// Write the catalogue to FILE (normally `conformance/RULES.md`).
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// A recording directory (container.json, task.json, stats.json, task-stats.json), one
    /// response file, or a JSON Lines file (.jsonl/.ndjson) with one response per line.
    target: PathBuf,
    /// Which endpoint a single file or JSON Lines record is (inferred when omitted).
    #[arg(long, value_parser = parse_endpoint)]
    endpoint: Option<Endpoint>,
    /// Launch type the endpoint claims (enables profile rules).
    #[arg(long, value_enum)]
    launch_type: Option<LaunchType>,
    /// Fargate platform version, X.Y.Z.
    #[arg(long, value_parser = parse_platform_version)]
    platform_version: Option<PlatformVersion>,
    /// Operating system of the task.
    #[arg(long, value_enum)]
    os: Option<Os>,
    /// Endpoint version the responses come from (v2 and v3 are checked alike).
    #[arg(long = "api-version", value_parser = parse_api_version)]
    api_version: Option<ApiVersion>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Treat warnings as failures.
    #[arg(long)]
    deny_warnings: bool,
}

fn parse_endpoint(s: &str) -> Result<Endpoint, String> {
    s.parse()
}

fn parse_platform_version(s: &str) -> Result<PlatformVersion, String> {
    s.parse()
}

fn parse_api_version(s: &str) -> Result<ApiVersion, String> {
    ApiVersion::parse(s).ok_or_else(|| format!("unknown version {s:?}; expected v2, v3 or v4"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap uses 0 for --help/--version and 2 for usage errors, which matches ours.
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_ERROR));
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Schema {
            write: Some(dir), ..
        } => {
            for p in ecs_tmde::schema::write_all(&dir)? {
                out(&format!("wrote {}\n", p.display()));
            }
            Ok(0)
        }
        Command::Schema { write: None, check } => {
            let dir = check.unwrap_or_else(|| PathBuf::from("schemas"));
            let stale = ecs_tmde::schema::stale_files(&dir);
            for p in &stale {
                eprintln!(
                    "{} is out of date; run `cargo run -- schema --write {}`",
                    p.display(),
                    dir.display()
                );
            }
            Ok(u8::from(!stale.is_empty()))
        }
        Command::Rules { write } => {
            let text = ecs_tmde::catalogue::rules_markdown();
            match write {
                Some(path) => {
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    out(&format!("wrote {}\n", path.display()));
                }
                None => out(&text),
            }
            Ok(0)
        }
    }
}

fn run_check(args: CheckArgs) -> anyhow::Result<u8> {
    let opts = Options {
        endpoint: args.endpoint,
        profile: Profile {
            launch_type: args.launch_type,
            platform_version: args.platform_version,
            os: args.os,
        },
        version: args.api_version,
        deny_warnings: args.deny_warnings,
    };
    let report = check::check_path(&args.target, &opts)?;
    let color = args.output.is_none()
        && args.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let text = report::render(&report, args.format, color);
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => out(&text),
    }
    Ok(report.exit_status())
}

/// Writes to standard output. A closed pipe (`ecs-tmde rules | head`) ends the output quietly
/// instead of panicking the way `print!` does.
fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
