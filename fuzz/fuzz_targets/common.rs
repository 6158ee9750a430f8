//! Shared by the fuzz targets (included with `#[path]`, not a crate).

#![allow(dead_code)]

use ecs_tmde::check::{ApiVersion, Report};
use ecs_tmde::profile::{LaunchType, Os, PlatformVersion, Profile};

/// The profiles each input is checked under: none (profile rules skipped), and one of each
/// platform family, so that every profile-dependent branch of the rules is reachable.
pub const PROFILES: [Profile; 4] = [
    Profile {
        launch_type: None,
        platform_version: None,
        os: None,
    },
    Profile {
        launch_type: Some(LaunchType::Fargate),
        platform_version: Some(PlatformVersion(1, 4, 0)),
        os: Some(Os::Linux),
    },
    Profile {
        launch_type: Some(LaunchType::Fargate),
        platform_version: Some(PlatformVersion(1, 3, 0)),
        os: Some(Os::Windows),
    },
    Profile {
        launch_type: Some(LaunchType::Ec2),
        platform_version: None,
        os: Some(Os::Linux),
    },
];

/// Checks the invariants every report keeps, whatever the input.
pub fn check_report(report: &Report) {
    for f in &report.findings {
        assert!(
            f.pointer.is_empty() || f.pointer.starts_with('/'),
            "a finding's pointer is an RFC 6901 JSON Pointer: {f:?}"
        );
        assert!(!f.message.is_empty(), "a finding says what is wrong: {f:?}");
        assert!(
            ecs_tmde::rules::find(f.rule).is_some(),
            "a finding names a rule of the catalogue: {f:?}"
        );
    }
    // rendering never fails, whatever the findings hold
    for format in [
        ecs_tmde::report::Format::Human,
        ecs_tmde::report::Format::Json,
        ecs_tmde::report::Format::Junit,
    ] {
        let _ = ecs_tmde::report::render(report, format, false);
    }
}

pub fn versions() -> [ApiVersion; 2] {
    [ApiVersion::V3, ApiVersion::V4]
}
