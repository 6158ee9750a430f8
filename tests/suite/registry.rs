//! Tests of the rule registry itself, and of the generated files.

use std::collections::HashSet;

use ecs_tmde::rules::{Layer, RULES};
use ecs_tmde::{catalogue, schema};

use crate::support::root;

#[test]
fn rule_ids_are_unique_kebab_case_and_named_after_a_violation() {
    let mut seen = HashSet::new();
    for r in RULES {
        assert!(
            seen.insert(r.id),
            "duplicate rule id `{}` in src/rules/mod.rs RULES",
            r.id
        );
        assert!(
            !r.id.is_empty()
                && r.id.split('-').all(|w| !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "rule id `{}` is not kebab-case",
            r.id
        );
        assert!(
            !r.title.is_empty() && !r.title.ends_with('.'),
            "rule `{}`: title must be one line without a final period",
            r.id
        );
        assert!(
            r.doc_quote.is_some() || r.agent_basis.is_some(),
            "rule `{}` states no basis (doc_quote or agent_basis)",
            r.id
        );
        assert!(!r.endpoints.is_empty(), "rule `{}` reads no endpoint", r.id);
    }
}

#[test]
fn every_rule_has_pass_and_fail_fixtures() {
    for r in RULES {
        for kind in ["pass", "fail"] {
            let dir = root(&format!("conformance/rules/{}/{kind}", r.id));
            let n = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                        .count()
                })
                .unwrap_or(0);
            assert!(
                n > 0,
                "rule `{}` has no {kind} fixture: add one under {}",
                r.id,
                dir.display()
            );
        }
    }
}

#[test]
fn no_orphan_fixtures_or_snapshots() {
    let ids: HashSet<&str> = RULES.iter().map(|r| r.id).collect();
    for entry in std::fs::read_dir(root("conformance/rules"))
        .unwrap()
        .filter_map(Result::ok)
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            ids.contains(name.as_str()),
            "conformance/rules/{name}/ belongs to no rule; rename or remove it"
        );
        for sub in std::fs::read_dir(entry.path())
            .unwrap()
            .filter_map(Result::ok)
        {
            let s = sub.file_name().to_string_lossy().into_owned();
            assert!(
                s == "pass" || s == "fail",
                "conformance/rules/{name}/{s}: only pass/ and fail/ are allowed"
            );
        }
    }
    if let Ok(rd) = std::fs::read_dir(root("snapshots/fixtures")) {
        for entry in rd.filter_map(Result::ok) {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = file.strip_suffix(".snap") else {
                continue;
            };
            let parts: Vec<&str> = stem.splitn(3, '@').collect();
            assert!(
                parts.len() == 3
                    && root(&format!(
                        "conformance/rules/{}/fail/{}.json",
                        parts[1], parts[2]
                    ))
                    .is_file(),
                "snapshots/fixtures/{file} belongs to no fail fixture; remove it"
            );
        }
    }
    if let Ok(rd) = std::fs::read_dir(root("snapshots/recorded")) {
        for entry in rd.filter_map(Result::ok) {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = file.strip_suffix(".snap") else {
                continue;
            };
            let rec = stem.trim_start_matches("recorded@");
            assert!(
                root(&format!("conformance/recorded/{rec}")).is_dir(),
                "snapshots/recorded/{file} belongs to no recording; remove it"
            );
        }
    }
}

#[test]
fn schema_keywords_of_schema_layer_rules_are_in_the_schemas() {
    let all: String = schema::all()
        .map(|(v, e)| schema::generate(v, e).to_string())
        .collect();
    for r in RULES.iter().filter(|r| r.layer != Layer::Engine) {
        for kw in r.schema_keywords {
            assert!(
                all.contains(&format!("\"{kw}\"")),
                "rule `{}` claims schema keyword `{kw}`, which no published schema uses",
                r.id
            );
        }
    }
}

#[test]
fn rules_md_is_up_to_date() {
    let path = root(catalogue::RULES_MD);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == catalogue::rules_markdown(),
        "{} is out of date; run `cargo run -- rules --write {}`",
        catalogue::RULES_MD,
        catalogue::RULES_MD
    );
}

#[test]
fn schemas_are_up_to_date() {
    let stale = schema::stale_files(&root("schemas"));
    assert!(
        stale.is_empty(),
        "{stale:?} out of date; run `cargo run -- schema --write schemas/`"
    );
}

#[test]
fn schemas_are_valid_draft_2020_12_with_id_title_description() {
    for (v, e) in schema::all() {
        let s = schema::generate(v, e);
        jsonschema::meta::validate(&s)
            .unwrap_or_else(|err| panic!("{}: not a valid schema: {err}", e.schema_file()));
        assert!(
            !s.to_string().contains(schema::SINCE_V4),
            "{} {}: the version annotation leaked into a published schema",
            v.name(),
            e.schema_file()
        );
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        for k in ["$id", "title", "description"] {
            assert!(
                s[k].as_str().is_some_and(|v| !v.is_empty()),
                "{} lacks {k}",
                e.schema_file()
            );
        }
    }
}

#[test]
fn notice_is_up_to_date() {
    let text = catalogue::notice_markdown(&root("conformance/recorded")).unwrap();
    let path = root(catalogue::NOTICE_MD);
    if std::env::var_os("ECS_TMDE_UPDATE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == text,
        "{} is out of date; run `ECS_TMDE_UPDATE=1 cargo test notice`",
        catalogue::NOTICE_MD
    );
}

#[test]
fn schemas_readme_is_up_to_date() {
    let text = catalogue::schemas_readme(&root(catalogue::KNOWN_DIFFERENCES_TSV)).unwrap();
    let path = root(catalogue::SCHEMAS_README_MD);
    if std::env::var_os("ECS_TMDE_UPDATE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == text,
        "{} is out of date; run `ECS_TMDE_UPDATE=1 cargo test schemas_readme`",
        catalogue::SCHEMAS_README_MD
    );
}

#[test]
fn every_recording_states_origin_and_licence() {
    for entry in std::fs::read_dir(root("conformance/recorded"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
    {
        let meta = ecs_tmde::recording::RecordingMeta::read(&entry.path())
            .unwrap()
            .expect("recording.json");
        let origin = meta.origin.expect("recording.json has an origin");
        assert!(
            origin["licence"].as_str().is_some_and(|l| !l.is_empty()),
            "{}: origin.licence missing",
            entry.path().display()
        );
        let files = origin["files"].as_object().expect("origin.files");
        for f in std::fs::read_dir(entry.path())
            .unwrap()
            .filter_map(Result::ok)
        {
            let name = f.file_name().to_string_lossy().into_owned();
            if name != "recording.json" {
                assert!(
                    files.contains_key(&name),
                    "{}/{name} has no origin in recording.json",
                    entry.path().display()
                );
            }
        }
    }
}
