//! What earlier polls of a `--watch` saw, reduced to what the lifecycle rules compare against.
//!
//! The history keeps one small record per container name (and per DockerId for stats), never
//! the documents themselves, so watching an endpoint for hours uses constant memory.

use std::collections::BTreeMap;

use crate::model::{Container, Stats, Task, TaskStats};

/// What was seen of one container in earlier polls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeenContainer {
    /// Highest lifecycle rank of KnownStatus seen, and its spelling.
    pub status: Option<(u8, &'static str)>,
    /// First CreatedAt seen.
    pub created_at: Option<String>,
    /// First StartedAt seen.
    pub started_at: Option<String>,
    /// First non-empty DockerId seen.
    pub docker_id: Option<String>,
    /// First non-empty ImageID seen.
    pub image_id: Option<String>,
    /// First ExitCode seen.
    pub exit_code: Option<i64>,
    /// Whether the task listed it.
    pub in_task: bool,
    /// Poll that last changed this record.
    pub poll: u64,
}

/// What was seen of one container's stats stream.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeenStats {
    /// Latest `read` (unix nanos) and its text.
    pub read: Option<(i128, String)>,
    /// Latest cumulative CPU total.
    pub total_usage: u64,
    /// Latest per-interface (rx_bytes, tx_bytes).
    pub networks: BTreeMap<String, (u64, u64)>,
}

/// Everything the lifecycle rules know about earlier polls.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Polls recorded so far.
    pub polls: u64,
    /// Highest task KnownStatus seen (rank, spelling).
    pub task_status: Option<(u8, &'static str)>,
    /// First PullStartedAt seen.
    pub pull_started_at: Option<String>,
    /// Containers by name.
    pub containers: BTreeMap<String, SeenContainer>,
    /// Stats streams by DockerId.
    pub stats: BTreeMap<String, SeenStats>,
}

impl History {
    /// Folds one poll's documents into the history (after the rules compared against it).
    pub fn record(
        &mut self,
        container: Option<&Container>,
        task: Option<&Task>,
        stats: Option<&Stats>,
        task_stats: Option<&TaskStats>,
    ) {
        self.polls += 1;
        let poll = self.polls;
        if let Some(t) = task {
            let rank = (t.known_status.rank(), t.known_status.as_str());
            if self.task_status.is_none_or(|(r, _)| rank.0 > r) {
                self.task_status = Some(rank);
            }
            if self.pull_started_at.is_none() {
                self.pull_started_at = t.pull_started_at.as_ref().map(|x| x.as_str().to_owned());
            }
            for c in t.containers.iter().flatten() {
                self.see(c, true, poll);
            }
        }
        if let Some(c) = container {
            self.see(c, false, poll);
        }
        let mut samples: Vec<(&str, &Stats)> = Vec::new();
        if let Some(ts) = task_stats {
            for (id, e) in &ts.0 {
                if let Some(s) = e.stats() {
                    samples.push((id.as_str(), s));
                }
            }
        }
        if let (Some(s), Some(c)) = (stats, container) {
            samples.push((c.docker_id.as_str(), s));
        }
        for (id, s) in samples {
            if id.is_empty() {
                continue;
            }
            let seen = self.stats.entry(id.to_owned()).or_default();
            if seen
                .read
                .as_ref()
                .is_none_or(|(n, _)| s.read.unix_nanos() > *n)
            {
                seen.read = Some((s.read.unix_nanos(), s.read.as_str().to_owned()));
            }
            seen.total_usage = seen.total_usage.max(s.cpu_stats.cpu_usage.total_usage);
            for (name, n) in s.networks.iter().flatten() {
                let e = seen.networks.entry(name.clone()).or_default();
                e.0 = e.0.max(n.rx_bytes);
                e.1 = e.1.max(n.tx_bytes);
            }
        }
    }

    fn see(&mut self, c: &Container, in_task: bool, poll: u64) {
        let seen = self.containers.entry(c.name.clone()).or_default();
        seen.poll = poll;
        seen.in_task |= in_task;
        let rank = (c.known_status.rank(), c.known_status.as_str());
        if seen.status.is_none_or(|(r, _)| rank.0 > r) {
            seen.status = Some(rank);
        }
        let first = |slot: &mut Option<String>, v: Option<&str>| {
            if slot.is_none() {
                *slot = v.filter(|s| !s.is_empty()).map(str::to_owned);
            }
        };
        first(
            &mut seen.created_at,
            c.created_at.as_ref().map(|t| t.as_str()),
        );
        first(
            &mut seen.started_at,
            c.started_at.as_ref().map(|t| t.as_str()),
        );
        first(&mut seen.docker_id, Some(c.docker_id.as_str()));
        first(&mut seen.image_id, Some(c.image_id.as_str()));
        if seen.exit_code.is_none() {
            seen.exit_code = c.exit_code;
        }
    }
}
