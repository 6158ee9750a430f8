//! The `ecs-tmde` command: `check`, `schema`, `rules`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use std::time::Duration;

use ecs_tmde::check::live::{LiveOptions, WatchOptions};
use ecs_tmde::check::{self, ApiVersion, Options, Report, EXIT_ERROR};
use ecs_tmde::client::ClientOptions;
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
    /// Check an endpoint (a URL, $ECS_CONTAINER_METADATA_URI, or the built-in mock) or recorded
    /// responses against the schemas and the rule catalogue.
    Check(CheckArgs),
    /// Record an endpoint's responses as a directory `check` can replay.
    Record(RecordArgs),
    /// Write or check the published JSON Schemas.
    Schema {
        /// Write the schemas under DIR (normally `schemas/`).
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
        /// Check that the schemas under DIR are up to date (the default, with DIR `schemas`).
        #[arg(long, value_name = "DIR", conflicts_with = "write", num_args = 0..=1, default_missing_value = "schemas")]
        check: Option<PathBuf>,
    },
    /// Serve a mock task metadata endpoint on loopback (Ctrl-C stops it).
    Mock(MockArgs),
    /// Print the rule catalogue as Markdown, or write it to a file.
    Rules {
        /// Write the catalogue to FILE (normally `conformance/RULES.md`).
        #[arg(long, value_name = "FILE")]
        write: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    /// What to check: an endpoint URL (what ECS_CONTAINER_METADATA_URI holds, e.g.
    /// http://169.254.170.2/v3/ID), a recording directory (container.json, task.json,
    /// stats.json, task-stats.json), one response file, or a JSON Lines file (.jsonl/.ndjson).
    /// Default: $ECS_CONTAINER_METADATA_URI_V4 or $ECS_CONTAINER_METADATA_URI (v3 with
    /// --api-version v3), or the built-in mock when neither is set.
    target: Option<String>,
    /// Which endpoint a single file or JSON Lines record is (inferred when omitted).
    #[arg(long, value_parser = parse_endpoint)]
    endpoint: Option<Endpoint>,
    #[command(flatten)]
    profile: ProfileArgs,
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
    #[command(flatten)]
    live: LiveArgs,
    /// Poll the endpoint over the task's life and add the lifecycle rules (live targets).
    #[arg(long)]
    watch: bool,
    /// Time between two polls of --watch.
    #[arg(long, default_value = "1s", value_parser = parse_duration, requires = "watch")]
    interval: Duration,
    /// Stop --watch after this long (default: until Ctrl-C).
    #[arg(long, value_parser = parse_duration, requires = "watch")]
    duration: Option<Duration>,
    /// Scenario of the built-in mock, when checking it (no TARGET and no
    /// ECS_CONTAINER_METADATA_URI).
    #[arg(long)]
    scenario: Option<String>,
}

/// How to talk to a live endpoint (shared by `check` and `record`).
#[derive(clap::Args)]
struct LiveArgs {
    /// Fetch /taskWithTags instead of /task (EC2 and external; Fargate answers 404).
    #[arg(long)]
    with_tags: bool,
    /// Also provoke the endpoint's error answers (unknown id, trailing slash, unmatched path)
    /// and compare them with the agent's.
    #[arg(long)]
    probe_errors: bool,
    /// Longest time one request may take (e.g. 10s, 500ms).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    timeout: Duration,
    /// Largest response body accepted (e.g. 16MiB, 512KiB, 1000000).
    #[arg(long, default_value = "16MiB", value_parser = parse_size)]
    max_body: u64,
    /// Most requests per second (the agent allows 40; stay well below).
    #[arg(long, default_value_t = 10.0, value_parser = parse_rate)]
    rate: f64,
}

impl LiveArgs {
    fn options(&self) -> LiveOptions {
        LiveOptions {
            client: ClientOptions {
                timeout: self.timeout,
                max_body_bytes: self.max_body,
                max_requests_per_second: self.rate,
                ..ClientOptions::default()
            },
            with_tags: self.with_tags,
            probe_errors: self.probe_errors,
        }
    }
}

#[derive(clap::Args)]
struct RecordArgs {
    /// The endpoint URL (default: $ECS_CONTAINER_METADATA_URI_V4, else
    /// $ECS_CONTAINER_METADATA_URI).
    url: Option<String>,
    /// Directory to write the recording to (it must not exist, unless --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace an existing recording.
    #[arg(long)]
    force: bool,
    /// Replace account ids, ARN resource ids, IP and MAC addresses and cluster names with
    /// consistent placeholders, so the recording can be shared.
    #[arg(long)]
    redact: bool,
    #[command(flatten)]
    profile: ProfileArgs,
    #[command(flatten)]
    live: LiveArgs,
}

/// What the endpoint claims to be (shared by `check`, which runs the profile rules with it,
/// and `record`, which stores it in recording.json).
#[derive(clap::Args)]
struct ProfileArgs {
    /// Launch type the endpoint claims (enables profile rules).
    #[arg(long, value_enum)]
    launch_type: Option<LaunchType>,
    /// Fargate platform version, X.Y.Z.
    #[arg(long, value_parser = parse_platform_version)]
    platform_version: Option<PlatformVersion>,
    /// Operating system of the task.
    #[arg(long, value_enum)]
    os: Option<Os>,
}

impl ProfileArgs {
    fn profile(&self) -> Profile {
        Profile {
            launch_type: self.launch_type,
            platform_version: self.platform_version,
            os: self.os,
        }
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("invalid duration {s:?}; expected e.g. 500ms, 2s, 5m, 1h");
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num.trim().parse().map_err(|_| bad())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    if !(secs.is_finite() && secs > 0.0 && secs <= 365.0 * 86400.0) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_size(s: &str) -> Result<u64, String> {
    let bad = || format!("invalid size {s:?}; expected e.g. 16MiB, 512KiB or a number of bytes");
    let (num, mult) = if let Some(n) = s.strip_suffix("GiB") {
        (n, 1u64 << 30)
    } else if let Some(n) = s.strip_suffix("MiB") {
        (n, 1 << 20)
    } else if let Some(n) = s.strip_suffix("KiB") {
        (n, 1 << 10)
    } else {
        (s, 1)
    };
    let n: u64 = num.trim().parse().map_err(|_| bad())?;
    match n.checked_mul(mult) {
        Some(v) if v > 0 => Ok(v),
        _ => Err(bad()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 1000.0 => Ok(x),
        _ => Err(format!(
            "invalid rate {s:?}; expected requests per second above 0, at most 1000"
        )),
    }
}

#[derive(clap::Args)]
struct MockArgs {
    /// A built-in scenario (fargate-linux-1.4, fargate-linux-1.3, fargate-windows-1.0,
    /// ec2-bridge, ec2-awsvpc, ec2-host, external) or a .toml/.json scenario file.
    #[arg(long, default_value = ecs_tmde::mock::scenario::DEFAULT)]
    scenario: String,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Seed of the derived values (ids, addresses, stats noise).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Speed of the task's clock relative to real time.
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    speed: f64,
    /// Start at the beginning of the task's life instead of once every container runs.
    #[arg(long, conflicts_with = "late")]
    from_start: bool,
    /// Start after every short-lived container has exited.
    #[arg(long)]
    late: bool,
    /// Break this rule of the catalogue (repeatable; see `ecs-tmde mock --list-faults`).
    #[arg(long = "fault", value_name = "RULE_ID")]
    faults: Vec<String>,
    /// Answer 429 above the agent's rate limit (40 requests/s, burst 60).
    #[arg(long)]
    rate_limit: bool,
    /// List the faults the mock can inject, and the rules it cannot break, then exit.
    #[arg(long)]
    list_faults: bool,
    /// Print a built-in scenario's TOML (a template for your own) and exit.
    #[arg(long, value_name = "NAME")]
    print_scenario: Option<String>,
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x <= 10_000.0 => Ok(x),
        _ => Err(format!(
            "invalid speed {s:?}; expected a number above 0, at most 10000"
        )),
    }
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
        Command::Mock(args) => run_mock(args),
        Command::Record(args) => run_record(args),
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

/// What `check` looks at.
enum Target {
    Path(PathBuf),
    Url(String),
    BuiltInMock,
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn run_check(args: CheckArgs) -> anyhow::Result<u8> {
    let mut opts = Options {
        endpoint: args.endpoint,
        profile: args.profile.profile(),
        version: args.api_version,
        deny_warnings: args.deny_warnings,
    };
    // Inside a task both variables are set; v4 is what current agents maintain, so it is
    // preferred unless --api-version v3 asks for the v3 endpoint.
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name.to_owned(), v.trim().to_owned()))
    };
    let env = match args.api_version {
        Some(ApiVersion::V3) => var(ecs_tmde::client::ENV_VAR),
        _ => var(ecs_tmde::client::ENV_VAR_V4).or_else(|| var(ecs_tmde::client::ENV_VAR)),
    };
    let target = match (&args.target, env) {
        (Some(t), _) if is_url(t) => Target::Url(t.clone()),
        (Some(t), _) => Target::Path(PathBuf::from(t)),
        (None, Some((name, url))) => {
            eprintln!("ecs-tmde: checking ${name} = {url}");
            Target::Url(url)
        }
        (None, None) => Target::BuiltInMock,
    };
    if args.scenario.is_some() && !matches!(target, Target::BuiltInMock) {
        anyhow::bail!("--scenario: only for the built-in mock (no TARGET and ECS_CONTAINER_METADATA_URI unset)");
    }
    if args.watch && matches!(target, Target::Path(_)) {
        anyhow::bail!("--watch: polls a live endpoint; TARGET is a path");
    }
    let live = args.live.options();
    let report = match target {
        Target::Path(path) => check::check_path(&path, &opts)?,
        Target::Url(url) => runtime()?.block_on(check_live(&url, &live, &opts, &args))?,
        Target::BuiltInMock => {
            use ecs_tmde::mock::{self, MockOptions, Scenario};
            let scenario = match &args.scenario {
                Some(s) => Scenario::load(s)?,
                None => Scenario::default_scenario(),
            };
            opts.profile = scenario.profile().overridden_by(opts.profile);
            let mut live = live;
            live.probe_errors = true;
            runtime()?.block_on(async {
                let server = mock::Server::start(scenario.clone(), MockOptions::default())
                    .await
                    .context("cannot start the built-in mock on 127.0.0.1")?;
                let url = if args.api_version == Some(ApiVersion::V4) {
                    server.container_uri_v4(0)
                } else {
                    server.container_uri(0)
                };
                eprintln!(
                    "ecs-tmde: ECS_CONTAINER_METADATA_URI is not set and no TARGET was given: checking the built-in mock (scenario {}, profile {}) at {url}, with --probe-errors",
                    scenario.name, opts.profile
                );
                let report = check_live(&url, &live, &opts, &args).await;
                server.shutdown().await;
                report
            })?
        }
    };
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
    if let Some(why) = &report.interrupted {
        eprintln!("error: the watch ended early: {why}");
    }
    Ok(report.exit_status())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

async fn check_live(
    url: &str,
    live: &LiveOptions,
    opts: &Options,
    args: &CheckArgs,
) -> anyhow::Result<Report> {
    if !args.watch {
        return Ok(check::live::check_url(url, live, opts).await?);
    }
    let watch = WatchOptions {
        interval: args.interval,
        duration: args.duration,
    };
    let tty = std::io::stderr().is_terminal();
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let report = check::live::watch(url, live, opts, &watch, stop, |p| {
        if tty {
            let (e, w, i) = p.counts;
            eprint!(
                "\r\x1b[2Kecs-tmde: watching {url}: {} polls, {e} errors, {w} warnings, {i} infos (Ctrl-C to stop)",
                p.polls
            );
        }
    })
    .await;
    if tty {
        eprintln!();
    }
    Ok(report?)
}

fn run_record(args: RecordArgs) -> anyhow::Result<u8> {
    let url = match &args.url {
        Some(u) => u.clone(),
        None => [ecs_tmde::client::ENV_VAR_V4, ecs_tmde::client::ENV_VAR]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
            .map(|v| v.trim().to_owned())
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} and {} are not set and no URL was given; hint: ecs-tmde record http://HOST/v4/ID --out DIR",
                    ecs_tmde::client::ENV_VAR_V4,
                    ecs_tmde::client::ENV_VAR
                )
            })?,
    };
    let request = ecs_tmde::record::Request {
        url,
        live: args.live.options(),
        profile: args.profile.profile(),
        out: args.out.clone(),
        force: args.force,
        redact: args.redact,
    };
    let done = runtime()?.block_on(ecs_tmde::record::record(&request))?;
    eprintln!("{}", done.summary());
    Ok(0)
}

fn run_mock(args: MockArgs) -> anyhow::Result<u8> {
    use ecs_tmde::mock::{self, Fault, MockOptions, Scenario, Start};
    if args.list_faults {
        let mut text = String::new();
        for f in mock::FAULTS {
            match f.breaks {
                mock::faults::Break::Cannot(why) => {
                    text.push_str(&format!("{:<40} cannot: {why}\n", f.rule))
                }
                _ => text.push_str(&format!("{:<40} {} ({})\n", f.rule, f.how, f.scenario)),
            }
        }
        out(&text);
        return Ok(0);
    }
    if let Some(name) = args.print_scenario {
        let Some((_, text)) = mock::scenario::BUILTIN.iter().find(|(n, _)| *n == name) else {
            anyhow::bail!("--print-scenario {name}: no such built-in scenario");
        };
        out(text);
        return Ok(0);
    }
    let scenario = Scenario::load(&args.scenario)?;
    let mut faults = Vec::new();
    for id in &args.faults {
        match Fault::find(id) {
            Some(f) if f.is_injectable() => faults.push(f),
            Some(f) => {
                let mock::faults::Break::Cannot(why) = f.breaks else {
                    unreachable!()
                };
                anyhow::bail!("--fault {id}: the mock cannot break this rule: {why}")
            }
            None => anyhow::bail!(
                "--fault {id}: no such rule; hint: `ecs-tmde mock --list-faults` lists them"
            ),
        }
    }
    let options = MockOptions {
        seed: args.seed,
        speed: args.speed,
        start: if args.from_start {
            Start::Beginning
        } else if args.late {
            Start::Late
        } else {
            Start::Settled
        },
        faults,
        rate_limit: args.rate_limit,
        ..MockOptions::default()
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = mock::Server::bind(scenario.clone(), options, args.listen)
            .await
            .with_context(|| format!("--listen {}: cannot listen", args.listen))?;
        let profile = scenario.profile();
        let mut flags = String::new();
        if let Some(lt) = profile.launch_type {
            flags.push_str(&format!(" --launch-type {}", lt.name()));
        }
        if let Some(pv) = profile.platform_version {
            flags.push_str(&format!(" --platform-version {pv}"));
        }
        if let Some(os) = profile.os {
            flags.push_str(&format!(
                " --os {}",
                if os == Os::Windows {
                    "windows"
                } else {
                    "linux"
                }
            ));
        }
        let mut text = format!(
            "# ecs-tmde mock: {} ({})\n# listening on {} (Ctrl-C to stop)\n",
            scenario.name,
            scenario.description,
            server.base_url()
        );
        for (i, (name, _)) in server.mock().endpoints().iter().enumerate() {
            text.push_str(&format!(
                "# container {name}:\nECS_CONTAINER_METADATA_URI={}\nECS_CONTAINER_METADATA_URI_V4={}\n",
                server.container_uri(i),
                server.container_uri_v4(i)
            ));
        }
        text.push_str(&format!(
            "# check it: ecs-tmde check {}{flags}\n",
            server.container_uri(0)
        ));
        out(&text);
        let _ = std::io::stdout().flush();
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("ecs-tmde mock: stopping");
        server.shutdown().await;
        Ok::<u8, anyhow::Error>(0)
    })
}

/// Writes to standard output. A closed pipe (`ecs-tmde rules | head`) ends the output quietly
/// instead of panicking the way `print!` does.
fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
