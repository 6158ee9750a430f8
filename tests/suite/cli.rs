//! The `ecs-tmde` binary as users and scripts call it: exit statuses, formats, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::root;

fn ecs_tmde(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecs-tmde"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The AWS v3 documentation example with the nginx container RUNNING and given an ExitCode.
fn running_with_exit_code(dir: &Path) {
    let mut task: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root(
            "conformance/recorded/awsdocs-v3-task-example/task.json",
        ))
        .unwrap(),
    )
    .unwrap();
    task["Containers"][1]["ExitCode"] = serde_json::json!(1);
    std::fs::write(
        dir.join("task.json"),
        serde_json::to_vec_pretty(&task).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_running_container_with_an_exit_code_fails_pointing_at_it_and_quoting_the_docs() {
    let dir = scratch("new-user");
    running_with_exit_code(&dir);
    let o = ecs_tmde(&["check", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["verdict"], "fail");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "exit-code-before-exit")
        .expect("the rule fires");
    assert_eq!(f["pointer"], "/Containers/1/ExitCode");
    assert_eq!(f["endpoint"], "task");
    assert_eq!(f["severity"], "error");
    let human = ecs_tmde(&["check", dir.to_str().unwrap()]);
    assert_eq!(human.status.code(), Some(1));
    let text = stdout(&human);
    assert!(
        text.contains("error[exit-code-before-exit] task /Containers/1/ExitCode"),
        "{text}"
    );
    assert!(
        text.contains("This parameter is omitted if the container has not exited."),
        "{text}"
    );
    assert!(
        !text.contains("\x1b["),
        "NO_COLOR output has no escape codes"
    );
}

#[test]
fn the_documentation_example_passes() {
    let o = ecs_tmde(&[
        "check",
        root("conformance/recorded/awsdocs-v3-task-example")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("pass: "));
}

#[test]
fn junit_has_a_test_case_per_rule_and_endpoint_with_the_failure() {
    let dir = scratch("junit");
    running_with_exit_code(&dir);
    let out = dir.join("report.xml");
    let o = ecs_tmde(&[
        "check",
        dir.to_str().unwrap(),
        "--format",
        "junit",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let xml = std::fs::read_to_string(out).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(
        xml.contains("name=\"exit-code-before-exit::task\"><failure"),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"arn-shape::task\"></testcase>"),
        "{xml}"
    );
    assert!(
        xml.contains("<skipped message="),
        "profile rules are skipped without a profile"
    );
}

#[test]
fn json_lines_are_checked_line_by_line() {
    let dir = scratch("jsonl");
    let task = std::fs::read_to_string(root(
        "conformance/recorded/awsdocs-v3-task-example/task.json",
    ))
    .unwrap();
    let one_line: serde_json::Value = serde_json::from_str(&task).unwrap();
    let mut bad = one_line.clone();
    bad["Containers"][0]["KnownStatus"] = serde_json::json!("ACTIVATING");
    let file = dir.join("tasks.jsonl");
    std::fs::write(&file, format!("{one_line}\n\n{bad}\n{one_line}\n")).unwrap();
    let o = ecs_tmde(&["check", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["summary"]["documents"], 3);
    let f = &report["findings"][0];
    assert_eq!(
        (
            f["rule"].as_str(),
            f["line"].as_u64(),
            f["pointer"].as_str()
        ),
        (
            Some("schema-violation"),
            Some(3),
            Some("/Containers/0/KnownStatus")
        )
    );
}

/// Every way of failing to check gives exit status 2 and one line naming the input.
#[test]
fn bad_input_is_one_clear_line_and_exit_2() {
    let dir = scratch("bad");
    let cases: Vec<(Vec<String>, &str)> = {
        let f = |name: &str, body: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, body).unwrap();
            p.display().to_string()
        };
        let truncated = f("task.json", b"{\"Cluster\": \"default\",\n \"TaskARN\": ");
        let garbage = f("trailing.json", b"{\"cpu_stats\": {}} xyz");
        let not_utf8 = f("container.json", b"{\"DockerId\": \"\xff\xfe\"}");
        let empty = f("empty.jsonl", b"");
        let empty_dir = dir.join("empty-dir");
        std::fs::create_dir_all(&empty_dir).unwrap();
        let wrong_kind_dir = dir.join("wrong-kind");
        std::fs::create_dir_all(&wrong_kind_dir).unwrap();
        std::fs::write(
            wrong_kind_dir.join("task.json"),
            std::fs::read(root(
                "conformance/recorded/ecs-exporter-ec2-2025/task-stats.json",
            ))
            .unwrap(),
        )
        .unwrap();
        vec![
            (
                vec!["check".into(), dir.join("missing").display().to_string()],
                "missing",
            ),
            (vec!["check".into(), truncated.clone()], "task.json:2:12"),
            (
                vec!["check".into(), garbage, "--endpoint".into(), "stats".into()],
                "trailing.json:1:19",
            ),
            (vec!["check".into(), not_utf8], "container.json:1"),
            (vec!["check".into(), empty], "empty.jsonl"),
            (
                vec!["check".into(), empty_dir.display().to_string()],
                "no response files",
            ),
            (
                vec!["check".into(), wrong_kind_dir.display().to_string()],
                "looks like a task-stats response",
            ),
            (
                vec![
                    "check".into(),
                    truncated.clone(),
                    "--launch-type".into(),
                    "mars".into(),
                ],
                "mars",
            ),
            (
                vec![
                    "check".into(),
                    truncated,
                    "--platform-version".into(),
                    "1.x".into(),
                ],
                "1.x",
            ),
        ]
    };
    for (args, expect) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = ecs_tmde(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(expect),
            "{args:?}: stderr should mention {expect:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}

#[test]
fn the_schema_and_rules_commands_report_stale_files() {
    let dir = scratch("schemas");
    let o = ecs_tmde(&["schema", "--check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("run `cargo run -- schema --write"));
    let o = ecs_tmde(&["schema", "--write", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let o = ecs_tmde(&["schema", "--check", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
