//! What an endpoint claims to be: launch type, Fargate platform version, operating system.
//!
//! Some promises hold only on some platforms (AvailabilityZone by Fargate platform version,
//! DockerId shapes by launch type). Rules that need a profile are skipped without one, and the
//! report says so.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where the task runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LaunchType {
    /// EC2 container instances running the open-source ECS agent.
    Ec2,
    /// AWS Fargate.
    Fargate,
    /// ECS Anywhere (external instances).
    External,
    /// ECS Managed Instances.
    ManagedInstances,
}

impl LaunchType {
    /// The command-line spelling.
    pub fn name(self) -> &'static str {
        match self {
            LaunchType::Ec2 => "ec2",
            LaunchType::Fargate => "fargate",
            LaunchType::External => "external",
            LaunchType::ManagedInstances => "managed-instances",
        }
    }
}

/// Operating system of the task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Linux.
    Linux,
    /// Windows.
    Windows,
}

/// A Fargate platform version such as `1.4.0` (missing parts count as 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlatformVersion(pub u32, pub u32, pub u32);

impl PlatformVersion {
    /// `1.4.0`, from which Fargate Linux serves AvailabilityZone.
    pub const LINUX_AZ: PlatformVersion = PlatformVersion(1, 4, 0);
    /// `1.0.0`, the first Fargate Windows platform version (it serves AvailabilityZone).
    pub const WINDOWS_AZ: PlatformVersion = PlatformVersion(1, 0, 0);
}

impl FromStr for PlatformVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid platform version {s:?}; expected X.Y.Z such as 1.4.0");
        let mut parts = s.split('.');
        let mut next = |required: bool| -> Result<u32, String> {
            match parts.next() {
                Some(p) => p.parse().map_err(|_| bad()),
                None if required => Err(bad()),
                None => Ok(0),
            }
        };
        let v = PlatformVersion(next(true)?, next(true)?, next(false)?);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(v)
    }
}

impl TryFrom<String> for PlatformVersion {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<PlatformVersion> for String {
    fn from(v: PlatformVersion) -> String {
        v.to_string()
    }
}

impl fmt::Display for PlatformVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl PartialOrd for PlatformVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PlatformVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0, self.1, self.2).cmp(&(other.0, other.1, other.2))
    }
}

/// What the endpoint claims to be. Every part is optional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Launch type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<LaunchType>,
    /// Fargate platform version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<PlatformVersion>,
    /// Operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Os>,
}

impl Profile {
    /// Whether no part is known.
    pub fn is_empty(&self) -> bool {
        self.launch_type.is_none() && self.platform_version.is_none() && self.os.is_none()
    }

    /// Parts given in `over` replace those of `self`.
    pub fn overridden_by(self, over: Profile) -> Profile {
        Profile {
            launch_type: over.launch_type.or(self.launch_type),
            platform_version: over.platform_version.or(self.platform_version),
            os: over.os.or(self.os),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(l) = self.launch_type {
            parts.push(l.name().to_owned());
        }
        if let Some(v) = self.platform_version {
            parts.push(format!("platform {v}"));
        }
        if let Some(o) = self.os {
            parts.push(match o {
                Os::Linux => "linux".to_owned(),
                Os::Windows => "windows".to_owned(),
            });
        }
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}
