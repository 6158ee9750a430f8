//! Per-rule fixtures: a `fail/` file triggers its own rule, a `pass/` file triggers nothing.

use ecs_tmde::check::check_fixture;

use crate::support::{findings_text, root};

/// Runs one fixture (called by the generated tests).
pub fn run(rule: &str, rel: &str, must_fail: bool) {
    assert!(
        ecs_tmde::rules::find(rule).is_some(),
        "{rel}: directory conformance/rules/{rule}/ names no rule of the registry (src/rules/mod.rs RULES)"
    );
    let report =
        check_fixture(&root(rel)).unwrap_or_else(|e| panic!("{rel}: cannot be checked: {e}"));
    if must_fail {
        assert!(
            report.findings.iter().any(|f| f.rule == rule),
            "{rel}: expected at least one `{rule}` finding, got:\n{}",
            findings_text(&report)
        );
        let name = format!(
            "fail@{rule}@{}",
            std::path::Path::new(rel)
                .file_stem()
                .unwrap()
                .to_string_lossy()
        );
        insta::with_settings!({ snapshot_path => root("snapshots/fixtures"), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, findings_text(&report));
        });
    } else {
        assert!(
            report.findings.is_empty(),
            "{rel}: a pass fixture must produce no finding at all, got:\n{}",
            findings_text(&report)
        );
    }
}
