//! The responses of the endpoint: the one list that names them, their files and schemas.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One kind of response of the Task Metadata Endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Endpoint {
    /// `${ECS_CONTAINER_METADATA_URI}`: metadata of the calling container.
    Container,
    /// `${ECS_CONTAINER_METADATA_URI}/task` (and `/taskWithTags`): metadata of its task.
    Task,
    /// `${ECS_CONTAINER_METADATA_URI}/stats`: Docker stats of the calling container.
    Stats,
    /// `${ECS_CONTAINER_METADATA_URI}/task/stats`: Docker stats of every container of the task.
    TaskStats,
}

impl Endpoint {
    /// Every endpoint, in the order reports list them.
    pub const ALL: [Endpoint; 4] = [
        Endpoint::Container,
        Endpoint::Task,
        Endpoint::Stats,
        Endpoint::TaskStats,
    ];

    /// Position in [`Endpoint::ALL`], for per-endpoint tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Name used in reports, on the command line and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Endpoint::Container => "container",
            Endpoint::Task => "task",
            Endpoint::Stats => "stats",
            Endpoint::TaskStats => "task-stats",
        }
    }

    /// File name of this response in a recording directory.
    pub fn file_name(self) -> &'static str {
        match self {
            Endpoint::Container => "container.json",
            Endpoint::Task => "task.json",
            Endpoint::Stats => "stats.json",
            Endpoint::TaskStats => "task-stats.json",
        }
    }

    /// File name of the published schema, under `schemas/<version>/`.
    pub fn schema_file(self) -> &'static str {
        match self {
            Endpoint::Container => "container.json",
            Endpoint::Task => "task.json",
            Endpoint::Stats => "container-stats.json",
            Endpoint::TaskStats => "task-stats.json",
        }
    }

    /// Path relative to `ECS_CONTAINER_METADATA_URI`.
    pub fn path_suffix(self) -> &'static str {
        match self {
            Endpoint::Container => "",
            Endpoint::Task => "/task",
            Endpoint::Stats => "/stats",
            Endpoint::TaskStats => "/task/stats",
        }
    }

    /// The endpoint whose recording file is called `file_name`.
    pub fn from_file_name(file_name: &str) -> Option<Endpoint> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.file_name() == file_name)
    }

    /// Guesses which response a parsed document is, from keys only that response has.
    pub fn infer(doc: &serde_json::Value) -> Option<Endpoint> {
        let obj = doc.as_object()?;
        if obj.contains_key("TaskARN") || obj.contains_key("Family") {
            Some(Endpoint::Task)
        } else if obj.contains_key("DockerId") || obj.contains_key("DockerName") {
            Some(Endpoint::Container)
        } else if obj.contains_key("cpu_stats") || obj.contains_key("memory_stats") {
            Some(Endpoint::Stats)
        } else if !obj.is_empty()
            && obj.values().all(|v| {
                v.is_null()
                    || v.get("cpu_stats").is_some()
                    || v.as_object().is_some_and(|o| o.is_empty())
            })
        {
            Some(Endpoint::TaskStats)
        } else {
            None
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Endpoint {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                format!("unknown endpoint {s:?}; expected container, task, stats or task-stats")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn names_files_and_indices_round_trip() {
        for (i, e) in Endpoint::ALL.into_iter().enumerate() {
            assert_eq!(
                e.index(),
                i,
                "Endpoint::ALL must list the variants in declaration order"
            );
            assert_eq!(e.name().parse::<Endpoint>(), Ok(e));
            assert_eq!(Endpoint::from_file_name(e.file_name()), Some(e));
        }
    }
}
