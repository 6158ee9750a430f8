//! Prints what the task metadata endpoint says about this task and container.
//!
//! Run it inside a container of an ECS task, where the agent sets
//! `ECS_CONTAINER_METADATA_URI`. To try it locally, start `ecs-tmde mock`, which prints an
//! `ECS_CONTAINER_METADATA_URI=...` line; export that line and run
//!
//! ```text
//! cargo run --example client
//! ```
//!
//! On any error it prints the one-line error and exits with status 2, like `ecs-tmde check`.

use std::process::ExitCode;

use ecs_tmde::client::Client;
use ecs_tmde::Error;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), Error> {
    let client = Client::from_env()?;

    let task = client.task().await?.value;
    println!(
        "task {} revision {}: {}",
        task.family,
        task.revision,
        task.known_status.as_str()
    );
    for container in task.containers.iter().flatten() {
        println!(
            "  {} {} {}",
            container.name,
            container.known_status.as_str(),
            // Empty until Docker has created the container.
            if container.docker_id.is_empty() {
                "(no DockerId yet)"
            } else {
                &container.docker_id
            }
        );
    }

    // The stats call waits (with a few retries) for the first sample of a container that has
    // only just started.
    let stats = client.stats().await?.value;
    match stats.memory_stats.usage {
        Some(bytes) => println!(
            "this container uses {} bytes of memory ({:.1} MiB)",
            bytes,
            bytes.get() as f64 / (1024.0 * 1024.0)
        ),
        None => println!("this container reports no memory usage"),
    }
    Ok(())
}
