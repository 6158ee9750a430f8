//! Hostile documents: whatever a file holds, `ecs-tmde check` gives findings (exit 1, or 0 for
//! a document that conforms) or exit 2 with one line on stderr naming the input and the
//! position, in bounded time, and never panics or overflows its stack.
//!
//! Each case runs the binary in a child process with a deadline (a hang fails the test
//! instead of stalling the suite). The large cases (100 MB strings, 100,000 containers) are
//! generated on the fly under the target directory.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ecs_tmde::check::{check_documents, Document, Report};
use ecs_tmde::{Endpoint, Error};

use crate::support::root;

/// Longest a case may take. Generous: debug builds on a loaded machine; a hang is far longer.
const DEADLINE: Duration = Duration::from_secs(120);

/// The outcome of one run of the binary.
struct Run {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A scratch directory for one case, emptied first.
fn scratch(case: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(case);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `body` to `dir/name` and returns the path.
fn file(dir: &Path, name: &str, body: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

/// Runs `ecs-tmde ARGS` with the output in files (a report can be large), killing it at the
/// deadline.
fn run<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Run {
    let what = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-tmde"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("ECS_CONTAINER_METADATA_URI")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`ecs-tmde {what}` did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        what,
        code: status.code(),
        stdout: String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("overflowed its stack"),
        "`ecs-tmde {}` crashed: {}",
        run.what,
        run.stderr
    );
    assert!(
        run.code.is_some(),
        "`ecs-tmde {}` was killed by a signal: {}",
        run.what,
        run.stderr
    );
    run
}

fn check(dir: &Path, target: &Path, extra: &[&str]) -> Run {
    let mut args = vec![OsStr::new("check"), target.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    run(dir, &args)
}

/// Exit 2 with one line on stderr that names `input` and contains `expect` (a position such as
/// `:1:0:`, a reason), and nothing on stdout.
fn assert_cannot_check(r: &Run, input: &str, expect: &[&str]) {
    assert_eq!(r.code, Some(2), "`{}`: {}{}", r.what, r.stderr, r.stdout);
    let line = r.stderr.trim_end();
    assert!(
        !line.contains('\n'),
        "`{}`: one line on stderr: {line:?}",
        r.what
    );
    assert!(line.starts_with("error: "), "`{}`: {line}", r.what);
    assert!(line.contains(input), "`{}`: names {input}: {line}", r.what);
    for e in expect {
        assert!(line.contains(e), "`{}`: mentions {e:?}: {line}", r.what);
    }
    assert!(r.stdout.is_empty(), "`{}`: nothing on stdout", r.what);
}

/// Exit 1 with a finding of `rule`.
fn assert_finding(r: &Run, rule: &str) {
    assert_eq!(r.code, Some(1), "`{}`: {}{}", r.what, r.stderr, r.stdout);
    assert!(
        r.stdout.contains(&format!("error[{rule}]")),
        "`{}`: a {rule} finding: {}",
        r.what,
        head(&r.stdout)
    );
}

fn head(s: &str) -> &str {
    let end = (0..=s.len().min(2000))
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0);
    &s[..end]
}

/// The AWS v3 documentation's task example, which conforms.
fn task_example() -> String {
    std::fs::read_to_string(root(
        "conformance/recorded/awsdocs-v3-task-example/task.json",
    ))
    .unwrap()
}

/// The task example with the first occurrence of `from` replaced by `to`.
fn task_with(from: &str, to: &str) -> String {
    let t = task_example();
    assert!(t.contains(from), "the example has {from:?}");
    t.replacen(from, to, 1)
}

#[test]
fn empty_and_blank_files_cannot_be_checked() {
    let dir = scratch("blank");
    for (name, body, pos) in [
        ("empty.json", &b""[..], ":1:0:"),
        ("blank.json", b"  \n\t \r\n", ":3:0:"),
        ("bom.json", b"\xEF\xBB\xBF", ":1:0:"),
        ("bom-blank.json", b"\xEF\xBB\xBF \n", ":2:0:"),
    ] {
        let p = file(&dir, name, body);
        let r = check(&dir, &p, &["--endpoint", "task"]);
        assert_cannot_check(&r, name, &[pos, "EOF while parsing"]);
        // without --endpoint the content is looked at first: the same answer
        let r = check(&dir, &p, &[]);
        assert_cannot_check(&r, name, &[pos]);
    }
    for (name, body) in [("empty.jsonl", &b""[..]), ("blank.jsonl", b"\n \n\r\n\t\n")] {
        let p = file(&dir, name, body);
        let r = check(&dir, &p, &["--endpoint", "task"]);
        assert_cannot_check(&r, name, &["no records"]);
    }
}

#[test]
fn a_byte_order_mark_is_tolerated_before_a_document_and_a_json_lines_file() {
    let dir = scratch("bom");
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(task_example().as_bytes());
    let p = file(&dir, "task.json", &body);
    assert_eq!(check(&dir, &p, &[]).code, Some(0));
    let one_line: serde_json::Value = serde_json::from_str(&task_example()).unwrap();
    let mut lines = b"\xEF\xBB\xBF".to_vec();
    lines.extend(format!("{one_line}\r\n{one_line}\n").as_bytes());
    let p = file(&dir, "tasks.jsonl", &lines);
    let r = check(&dir, &p, &["--endpoint", "task"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stderr, r.stdout);
    // each record may start with one (it is a document of its own), but inside a document a
    // byte order mark is not JSON
    let late = format!("{one_line}\n\u{feff}{one_line}\n");
    let p = file(&dir, "late-bom.jsonl", late.as_bytes());
    assert_eq!(check(&dir, &p, &["--endpoint", "task"]).code, Some(0));
    let inside = format!(
        "{one_line}\n{}\n",
        one_line.to_string().replacen(',', ",\u{feff}", 1)
    );
    let p = file(&dir, "inside.jsonl", inside.as_bytes());
    let r = check(&dir, &p, &["--endpoint", "task"]);
    assert_cannot_check(&r, "inside.jsonl:2:1:", &["not valid JSON"]);
}

#[test]
fn invalid_utf8_is_refused_with_its_position() {
    let dir = scratch("utf8");
    let t = task_example();
    let at = t.find("\"Family\": \"").unwrap() + "\"Family\": \"".len();
    for (name, bad) in [
        ("lone-continuation.json", &b"\x80"[..]),
        ("overlong.json", b"\xC0\xAF"),
        ("surrogate.json", b"\xED\xA0\x80"),
        ("truncated-sequence.json", b"\xE2\x82"),
        ("ff.json", b"\xFF\xFE"),
    ] {
        let mut body = t.as_bytes()[..at].to_vec();
        body.extend(bad);
        body.extend(&t.as_bytes()[at..]);
        let p = file(&dir, name, &body);
        let r = check(&dir, &p, &["--endpoint", "task"]);
        assert_cannot_check(&r, &format!("{name}:4:"), &["not valid JSON"]);
    }
    // outside a string, and in a JSON Lines file (named by its line)
    let p = file(&dir, "outside.json", b"{\"a\": 1}\xFF");
    assert_cannot_check(&check(&dir, &p, &[]), "outside.json:1:", &[]);
    let one_line: serde_json::Value = serde_json::from_str(&t).unwrap();
    let mut lines = format!("{one_line}\n").into_bytes();
    lines.extend(b"{\"Family\": \"\xFF\"}\n");
    let p = file(&dir, "tasks.jsonl", &lines);
    let r = check(&dir, &p, &["--endpoint", "task"]);
    assert_cannot_check(&r, "tasks.jsonl:2:1:", &["not valid JSON"]);
    // escaped lone surrogates are JSON the parser refuses too
    let p = file(&dir, "escaped.json", br#"{"Family": "\ud800"}"#);
    let r = check(&dir, &p, &["--endpoint", "task"]);
    assert_cannot_check(&r, "escaped.json:1:", &["not valid JSON"]);
}

#[test]
fn truncated_documents_cannot_be_checked_at_any_cut() {
    // every cut of the example, in process (fast), each an Error::Json with a position
    let t = task_example();
    let bytes = t.trim_end().as_bytes();
    for cut in 0..bytes.len() {
        for endpoint in Endpoint::ALL {
            let docs = [Document {
                endpoint,
                input: "cut.json".into(),
                bytes: bytes[..cut].to_vec(),
            }];
            match check_documents(
                &docs,
                Default::default(),
                Default::default(),
                &mut Report::default(),
            ) {
                Err(Error::Json { input, line, .. }) => {
                    assert_eq!(input, "cut.json");
                    assert!(line >= 1);
                }
                other => panic!("{endpoint}, cut at {cut}: {other:?}"),
            }
        }
    }
    // and through the binary, a few cuts
    let dir = scratch("truncated");
    for cut in [1, 17, bytes.len() / 2, bytes.len() - 1] {
        let p = file(&dir, "task.json", &bytes[..cut]);
        let r = check(&dir, &p, &[]);
        assert_cannot_check(&r, "task.json:", &["EOF while parsing"]);
    }
}

#[test]
fn trailing_garbage_cannot_be_checked() {
    let dir = scratch("trailing");
    let t = task_example();
    for (name, tail, expect) in [
        ("garbage.json", "garbage", "trailing characters"),
        ("twice.json", "{}", "trailing characters"),
        ("comma.json", ",", "trailing characters"),
        ("nul.json", "\0", "trailing characters"),
    ] {
        let p = file(&dir, name, format!("{t}{tail}").as_bytes());
        let r = check(&dir, &p, &["--endpoint", "task"]);
        assert_cannot_check(&r, name, &[expect]);
    }
    // two documents on one line of a JSON Lines file
    let one_line: serde_json::Value = serde_json::from_str(&t).unwrap();
    let p = file(
        &dir,
        "tasks.jsonl",
        format!("{one_line}\n{one_line} {one_line}\n").as_bytes(),
    );
    let r = check(&dir, &p, &["--endpoint", "task"]);
    assert_cannot_check(&r, "tasks.jsonl:2:", &["trailing characters"]);
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_overflow_the_stack() {
    let dir = scratch("nesting");
    let deep_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let unclosed = "[".repeat(10_000);
    let t = task_example();
    let cases = [
        ("root.json", deep_array.clone()),
        ("root-object.json", deep_object.clone()),
        ("unclosed.json", unclosed),
        // under an unknown key (kept as is by the models), a map, and a status
        (
            "unknown-key.json",
            t.replacen("{", &format!("{{\"X\": {deep_array},"), 1),
        ),
        (
            "labels.json",
            task_with(
                "\"com.amazonaws.ecs.cluster\": \"default\"",
                &format!("\"com.amazonaws.ecs.cluster\": {deep_object}"),
            ),
        ),
        (
            "status.json",
            task_with(
                "\"KnownStatus\": \"RUNNING\"",
                &format!("\"KnownStatus\": {deep_array}"),
            ),
        ),
    ];
    for (name, body) in &cases {
        let p = file(&dir, name, body.as_bytes());
        for extra in [&["--endpoint", "task"][..], &[]] {
            let r = check(&dir, &p, extra);
            assert_cannot_check(&r, name, &["recursion limit exceeded"]);
        }
    }
    // as a record of a JSON Lines file, and as a whole recording directory
    let p = file(&dir, "deep.jsonl", format!("{deep_array}\n").as_bytes());
    assert_cannot_check(&check(&dir, &p, &[]), "deep.jsonl:1:", &["recursion limit"]);
    let rec = dir.join("recording");
    std::fs::create_dir_all(&rec).unwrap();
    file(&rec, "task.json", t.as_bytes());
    file(&rec, "stats.json", deep_object.as_bytes());
    let r = check(&dir, &rec, &[]);
    assert_cannot_check(&r, "stats.json:1:", &["recursion limit"]);
    // just under the parser's limit, an invalid document is explained by the schema validator
    // without overflowing either
    let under = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let p = file(
        &dir,
        "under.json",
        task_with(
            "\"KnownStatus\": \"RUNNING\"",
            &format!("\"KnownStatus\": {under}"),
        )
        .replacen("{", &format!("{{\"X\": {under},"), 1)
        .as_bytes(),
    );
    assert_finding(&check(&dir, &p, &[]), "schema-violation");
}

#[test]
fn numbers_beyond_u64_and_f64_are_findings_or_refused() {
    let dir = scratch("numbers");
    let memory = "\"Memory\": 512";
    // beyond u64 (and i64 for ExitCode): valid JSON, outside the schema's range
    for (name, to) in [
        ("u64.json", "\"Memory\": 18446744073709551616"),
        ("negative.json", "\"Memory\": -18446744073709551617"),
        ("fraction.json", "\"Memory\": 512.5"),
        ("tiny.json", "\"Memory\": 1e-400"),
        ("string.json", "\"Memory\": \"512\""),
    ] {
        let p = file(&dir, name, task_with(memory, to).as_bytes());
        assert_finding(&check(&dir, &p, &[]), "schema-violation");
    }
    let p = file(
        &dir,
        "exit-code.json",
        task_with(
            "\"DockerId\"",
            "\"ExitCode\": 9223372036854775808, \"DockerId\"",
        )
        .as_bytes(),
    );
    let r = check(&dir, &p, &[]);
    assert_eq!(r.code, Some(1), "{}{}", r.stderr, r.stdout);
    assert!(r.stdout.contains("/Containers/0/ExitCode"), "{}", r.stdout);
    // integers the schema accepts (512.0 is an integer to JSON Schema) but Go never writes,
    // which the models cannot read: a finding, never a silent pass
    for (name, to) in [
        ("float.json", "\"Memory\": 512.0"),
        ("exponent.json", "\"Memory\": 5.12e2"),
    ] {
        let p = file(&dir, name, task_with(memory, to).as_bytes());
        let r = check(&dir, &p, &[]);
        assert_finding(&r, "schema-violation");
        assert!(r.stdout.contains("cannot be read"), "{}", r.stdout);
    }
    // beyond f64: the parser refuses the number itself
    for (name, to) in [
        ("e400.json", "\"Memory\": 1e400"),
        ("minus-e400.json", "\"Memory\": -1.5e400"),
        ("digits.json", &*format!("\"Memory\": 1{}", "0".repeat(400))),
    ] {
        let p = file(&dir, name, task_with(memory, to).as_bytes());
        let r = check(&dir, &p, &[]);
        assert_cannot_check(&r, &format!("{name}:"), &["number out of range"]);
    }
}

#[test]
fn duplicate_keys_are_a_finding() {
    let dir = scratch("duplicates");
    // a key the models read, sent twice: JSON Schema validators see only the last value, the
    // agent never sends it; the checker says so instead of passing without its rules
    let p = file(
        &dir,
        "task.json",
        task_with(
            "\"Revision\": \"5\",",
            "\"Revision\": \"5\", \"Revision\": \"6\",",
        )
        .as_bytes(),
    );
    let r = check(&dir, &p, &[]);
    assert_finding(&r, "schema-violation");
    assert!(
        r.stdout.contains("duplicate field `Revision`"),
        "{}",
        r.stdout
    );
    let p = file(
        &dir,
        "container-status.json",
        task_with(
            "\"KnownStatus\": \"RUNNING\"",
            "\"KnownStatus\": \"RUNNING\", \"KnownStatus\": \"STOPPED\"",
        )
        .as_bytes(),
    );
    assert_finding(&check(&dir, &p, &[]), "schema-violation");
    // an unknown key twice is one undocumented field (the last value), not a failure
    let p = file(
        &dir,
        "unknown.json",
        task_with(
            "\"Revision\": \"5\",",
            "\"Revision\": \"5\", \"X\": 1, \"X\": 2,",
        )
        .as_bytes(),
    );
    let r = check(&dir, &p, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stderr, r.stdout);
    assert!(
        r.stdout.contains("info[undocumented-field]"),
        "{}",
        r.stdout
    );
}

#[test]
fn nan_like_tokens_are_refused_with_their_position() {
    let dir = scratch("nan");
    for token in [
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "+1",
        "nan",
        "inf",
        "undefined",
        "True",
        "None",
        "0x10",
        "01",
        ".5",
        "1.",
        "1e",
        "--1",
    ] {
        let p = file(
            &dir,
            "task.json",
            task_with("\"Memory\": 512", &format!("\"Memory\": {token}")).as_bytes(),
        );
        let r = check(&dir, &p, &[]);
        assert_cannot_check(&r, "task.json:", &["not valid JSON"]);
    }
}

#[test]
fn a_status_of_the_wrong_type_is_a_finding_not_a_syntax_error() {
    // serde_json reports a number where an enum's string is expected as "expected value", a
    // syntax error: the document is JSON, so it is a schema finding
    let dir = scratch("wrong-type");
    for v in ["5", "[]", "{}", "true", "null", "[\"RUNNING\"]"] {
        let p = file(
            &dir,
            "task.json",
            task_with(
                "\"KnownStatus\": \"RUNNING\"",
                &format!("\"KnownStatus\": {v}"),
            )
            .as_bytes(),
        );
        let r = check(&dir, &p, &[]);
        assert_finding(&r, "schema-violation");
        assert!(r.stdout.contains("/KnownStatus"), "{v}: {}", r.stdout);
    }
}

/// A string of 100 MB in several places: the check finishes (in bounded time) with a verdict.
/// The cases run in parallel (each is a process reading 100 MB).
#[test]
fn hundred_megabyte_strings_are_checked() {
    let dir = scratch("big-strings");
    let big = "x".repeat(100 << 20);
    let cases = [
        // an unknown key's value: an undocumented field, the document passes
        (
            "unknown-value",
            "\"Cluster\": \"default\",",
            format!("\"Cluster\": \"default\", \"X\": \"{big}\","),
            None,
        ),
        // a key: reported, not failed
        (
            "unknown-key",
            "\"Cluster\": \"default\",",
            format!("\"Cluster\": \"default\", \"{big}\": 1,"),
            None,
        ),
        // an identifier: its shape rule fails it
        (
            "docker-id",
            "\"DockerId\": \"",
            format!("\"DockerId\": \"{big}"),
            Some("docker-id-shape"),
        ),
        // a status: outside the vocabulary
        (
            "status",
            "\"KnownStatus\": \"RUNNING\"",
            format!("\"KnownStatus\": \"{big}\""),
            Some("schema-violation"),
        ),
    ];
    std::thread::scope(|s| {
        for (name, from, to, rule) in cases {
            let case = dir.join(name);
            std::fs::create_dir_all(&case).unwrap();
            let p = file(&case, "task.json", task_with(from, &to).as_bytes());
            drop(to);
            s.spawn(move || {
                let r = check(&case, &p, &[]);
                match rule {
                    Some(rule) => assert_finding(&r, rule),
                    None => assert_eq!(r.code, Some(0), "{name}: {} {}", r.stderr, head(&r.stdout)),
                }
            });
        }
        // a 100 MB line of a JSON Lines file that never ends
        let case = dir.join("endless");
        std::fs::create_dir_all(&case).unwrap();
        let p = file(&case, "endless.jsonl", format!("\"{big}").as_bytes());
        s.spawn(move || {
            let r = check(&case, &p, &["--endpoint", "task"]);
            assert_cannot_check(&r, "endless.jsonl:1:", &["EOF while parsing a string"]);
        });
    });
}

/// One task with 100,000 containers: checked, with a verdict, in bounded time.
#[test]
fn a_task_with_a_hundred_thousand_containers_is_checked() {
    let dir = scratch("containers");
    let container = r#"{"DockerId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","Name":"c","DockerName":"ecs-f-1-c-bbbbbbbbbbbbbbbbbbbb","Image":"i","ImageID":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","DesiredStatus":"RUNNING","KnownStatus":"RUNNING","Limits":{"CPU":2,"Memory":0},"CreatedAt":"2024-01-01T00:00:00Z","StartedAt":"2024-01-01T00:00:01Z","Type":"NORMAL"}"#;
    let containers = vec![container; 100_000].join(",");
    let task = format!(
        r#"{{"Cluster":"default","TaskARN":"arn:aws:ecs:us-east-1:123456789012:task/default/dddddddddddddddddddddddddddddddd","Family":"f","Revision":"1","DesiredStatus":"RUNNING","KnownStatus":"RUNNING","Containers":[{containers}]}}"#
    );
    let p = file(&dir, "task.json", task.as_bytes());
    let r = check(&dir, &p, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stderr, head(&r.stdout));
    // the same containers each with a defect: 100,000 findings, still bounded
    let bad = task.replace(
        "\"KnownStatus\":\"RUNNING\",\"Limits\"",
        "\"KnownStatus\":\"RUNNING\",\"ExitCode\":1,\"Limits\"",
    );
    let p = file(&dir, "task.json", bad.as_bytes());
    let r = check(&dir, &p, &[]);
    assert_finding(&r, "exit-code-before-exit");
    assert!(
        r.stdout
            .trim_end()
            .ends_with("100000 error(s), 0 warning(s), 0 info"),
        "{}",
        &r.stdout[r.stdout.len().saturating_sub(300)..]
    );
}

/// Regression test from the `redact` fuzz target (its first crash): a document whose keys are
/// sent twice. The bytes interface redacts the secrets of both values of a duplicate key (and
/// numbers its placeholders from both), the value interface sees the last value only, so the
/// two may number placeholders differently; neither keeps a secret, and the verdict does not
/// change.
#[test]
fn redacting_a_document_with_duplicate_keys_keeps_no_secret() {
    use ecs_tmde::redact::Redactor;
    let doc = br#"{"TaskARN": "arn:aws:ecs:us-west-2:111122223333:task/prod/7ba860379713ec15c50ec5803229ad70",
        "Cluster": "prod", "Family": "api", "Revision": "12",
        "TaskARN": "arn:aws:ecs:eu-west-2:444455556666:task/prod/a22cfc58cdb04b27ada2caa3fd526463",
        "DesiredStatus": "RUNNING", "KnownStatus": "RUNNING"}"#;
    let secrets = [
        "111122223333",
        "444455556666",
        "7ba860379713ec15c50ec5803229ad70",
        "a22cfc58cdb04b27ada2caa3fd526463",
    ];
    let out = Redactor::new().redact_bytes("dup.json", doc).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(doc).unwrap();
    Redactor::new().redact_value(&mut value);
    for s in secrets {
        assert!(!text.contains(s), "{s} kept by redact_bytes: {text}");
        assert!(!value.to_string().contains(s), "{s} kept by redact_value");
    }
    serde_json::from_slice::<serde_json::Value>(&out).expect("still JSON");
    let verdict = |bytes: &[u8]| {
        let docs = [Document {
            endpoint: Endpoint::Task,
            input: "dup.json".into(),
            bytes: bytes.to_vec(),
        }];
        let mut report = Report::default();
        check_documents(&docs, Default::default(), Default::default(), &mut report).unwrap();
        report.verdict()
    };
    assert_eq!(verdict(doc), verdict(&out));
    // the duplicate key is itself a finding, before and after
    assert_eq!(verdict(doc), ecs_tmde::check::Verdict::Fail);
}

/// Serves `body` as a 200 `application/json` answer to `/v3/abc/task` and `404 page not found`
/// to every other path, on a free loopback port, from a thread that lives as long as the test
/// process.
fn serve_forever(body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let (status, content_type, answer) = if request.starts_with(b"GET /v3/abc/task ") {
                ("200 OK", "application/json", &body[..])
            } else {
                (
                    "404 Not Found",
                    "text/plain; charset=utf-8",
                    &b"404 page not found\n"[..],
                )
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(answer);
        }
    });
    format!("http://127.0.0.1:{port}/v3/abc")
}

/// The hostile documents, served by an endpoint as its task response: findings (the HTTP and
/// schema rules) or exit 2 naming the URL, never a panic, in bounded time. (A body too deep for
/// the decoder, or with invalid UTF-8 in a string, is exit 2: the `http-body-not-json` rule
/// takes it for JSON, since it only skims the body.)
#[test]
fn hostile_documents_from_an_endpoint_are_findings_or_exit_2() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let wrong_type = task_with("\"KnownStatus\": \"RUNNING\"", "\"KnownStatus\": 5");
    let duplicate = task_with(
        "\"Revision\": \"5\",",
        "\"Revision\": \"5\", \"Revision\": \"6\",",
    );
    let cases: [(&str, Vec<u8>); 5] = [
        ("deep", deep.into_bytes()),
        ("not-utf8", b"{\"Family\": \"\xFF\"}".to_vec()),
        ("wrong-type", wrong_type.into_bytes()),
        ("duplicate", duplicate.into_bytes()),
        ("nan", b"{\"CPU\": NaN}".to_vec()),
    ];
    for (name, body) in cases {
        let dir = scratch(&format!("endpoint-{name}"));
        let url = serve_forever(body);
        let r = run(&dir, &["check", &url, "--rate", "1000", "--timeout", "5s"]);
        match r.code {
            Some(1) => {
                assert!(
                    r.stdout.contains("error[http-status-not-ok]"),
                    "{name}: {}",
                    r.stdout
                );
                if matches!(name, "wrong-type" | "duplicate") {
                    assert!(
                        r.stdout.contains("error[schema-violation] task"),
                        "{name}: {}",
                        r.stdout
                    );
                }
            }
            Some(2) => {
                let line = r.stderr.trim_end();
                assert!(!line.contains('\n'), "{name}: one line: {line}");
                assert!(line.contains("127.0.0.1"), "{name}: names the URL: {line}");
            }
            other => panic!("{name}: exit {other:?}: {}{}", r.stderr, r.stdout),
        }
    }
}
