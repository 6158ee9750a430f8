//! The recorded corpus: one test per response file, and one verdict test per recording.

use std::path::Path;

use ecs_tmde::check::{
    self, check_path, decode_document, ApiVersion, Decoded, Document, Options, Verdict,
};
use ecs_tmde::recording::{ExpectedVerdict, RecordingMeta};
use ecs_tmde::rules::{self, Layer};
use ecs_tmde::{schema, Endpoint};

use crate::support::{findings_text, root, same_json};

fn expected(dir: &Path) -> ecs_tmde::recording::Expected {
    let meta = RecordingMeta::read(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("{}: every recording needs a recording.json", dir.display()));
    meta.expected.unwrap_or_else(|| {
        panic!(
            "{}/recording.json: `expected` (verdict and why) is missing",
            dir.display()
        )
    })
}

/// Whether the typed decoder and the schema-layer rules accept a document, the way the
/// schema would: decoding succeeds and no `both`-layer rule fires.
pub fn typed_accepts(endpoint: Endpoint, bytes: &[u8]) -> Option<Decoded> {
    let doc = Document {
        endpoint,
        input: "doc".into(),
        bytes: bytes.to_vec(),
    };
    // The models describe v4, a superset of v3, so they agree with the v4 schema.
    let (decoded, findings) = decode_document(&doc, ApiVersion::V4).ok()?;
    if !findings.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    check::run_rules(
        &decoded,
        Default::default(),
        Default::default(),
        &mut out,
        &mut Vec::new(),
    );
    let both = out
        .iter()
        .any(|f| rules::find(f.rule).is_some_and(|r| r.layer == Layer::Both));
    (!both).then_some(decoded)
}

/// One response file: it decodes and round-trips, typed decoding agrees with the schema, and
/// it validates when the recording is expected to pass.
pub fn run_file(rel: &str) {
    let path = root(rel);
    let dir = path.parent().unwrap();
    let exp = expected(dir);
    let version = RecordingMeta::read(dir)
        .unwrap()
        .and_then(|m| m.version)
        .map(|v| ApiVersion::parse(&v).unwrap_or_else(|| panic!("{rel}: bad version {v}")))
        .unwrap_or_default();
    let name = path.file_name().unwrap().to_string_lossy();
    let endpoint = Endpoint::from_file_name(&name)
        .unwrap_or_else(|| panic!("{rel}: response files are named container.json, task.json, stats.json or task-stats.json"));
    let bytes = std::fs::read(&path).unwrap();
    let value: serde_json::Value = match serde_json::from_slice(ecs_tmde::decode::strip_bom(&bytes))
    {
        Ok(v) => v,
        Err(e) => {
            assert_eq!(
                exp.verdict,
                ExpectedVerdict::Error,
                "{rel} is not JSON ({e}) but its expected verdict is not `error`"
            );
            return;
        }
    };
    let schema_ok = schema::validator(ApiVersion::V4, endpoint).is_valid(&value);
    let typed = typed_accepts(endpoint, &bytes);
    assert_eq!(
        typed.is_some(),
        schema_ok,
        "{rel}: the typed decoder (plus both-layer rules) and the published v4 schema disagree"
    );
    if schema_ok {
        assert!(
            schema::validator(ApiVersion::V3, endpoint).is_valid(&value),
            "{rel}: valid for the v4 schema but not for the v3 one, which only leaves keys out"
        );
    }
    let doc = Document {
        endpoint,
        input: rel.into(),
        bytes,
    };
    if let Ok((decoded, _)) = decode_document(&doc, version) {
        if let Some(back) = decoded.to_value(endpoint) {
            assert!(
                same_json(&value, &back),
                "{rel}: round trip through the models changed the document:\n{back:#}"
            );
        }
    }
    if exp.verdict == ExpectedVerdict::Pass {
        let mut f = Vec::new();
        check::schema_findings(version, endpoint, &value, &mut f);
        assert!(
            f.is_empty(),
            "{rel}: expected to pass but does not match schemas/{}/{}:\n{f:#?}",
            version.name(),
            endpoint.schema_file()
        );
    }
}

fn known_deviations() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(root("conformance/known-deviations.tsv"))
        .expect("conformance/known-deviations.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut p = l.splitn(3, '\t');
            let (Some(a), Some(b), Some(c)) = (p.next(), p.next(), p.next()) else {
                panic!("known-deviations.tsv: `{l}` is not recording<TAB>rule<TAB>reason")
            };
            (a.to_owned(), b.to_owned(), c.to_owned())
        })
        .collect()
}

/// One recording: checked with its profile, its verdict is the expected one, its findings
/// match the snapshot, and each of its errors is a listed known deviation.
pub fn run_verdict(rel: &str) {
    let dir = root(rel);
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let exp = expected(&dir);
    let result = check_path(&dir, &Options::default());
    let text = match (&result, exp.verdict) {
        (Err(e), ExpectedVerdict::Error) => format!(
            "could not check: {}\n",
            e.to_string().replace(env!("CARGO_MANIFEST_DIR"), "")
        ),
        (Err(e), v) => panic!("{rel}: expected {v:?} but it could not be checked: {e}"),
        (Ok(r), ExpectedVerdict::Error) => panic!(
            "{rel}: expected an error but it was checked:\n{}",
            findings_text(r)
        ),
        (Ok(r), v) => {
            let want = if v == ExpectedVerdict::Pass {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            assert_eq!(
                r.verdict(),
                want,
                "{rel}: verdict differs from recording.json ({}):\n{}",
                exp.why,
                findings_text(r)
            );
            findings_text(r).replace(env!("CARGO_MANIFEST_DIR"), "")
        }
    };
    if let Ok(r) = &result {
        let known: Vec<_> = known_deviations()
            .into_iter()
            .filter(|(rec, _, _)| *rec == name)
            .collect();
        for f in r
            .findings
            .iter()
            .filter(|f| f.severity == rules::Severity::Error)
        {
            assert!(
                known.iter().any(|(_, rule, _)| rule == f.rule),
                "{rel}: error `{}` at {} {} is not listed in conformance/known-deviations.tsv (add `{name}\t{}\t<reason>`)",
                f.rule,
                f.endpoint,
                f.pointer,
                f.rule
            );
        }
        for (_, rule, _) in &known {
            assert!(
                r.findings.iter().any(|f| f.rule == rule),
                "{rel}: known-deviations.tsv lists `{rule}` but the recording no longer triggers it; remove the line"
            );
        }
    }
    insta::with_settings!({ snapshot_path => root("snapshots/recorded"), prepend_module_to_snapshot => false, omit_expression => true, info => &exp.why }, {
        insta::assert_snapshot!(format!("recorded@{name}"), text);
    });
}
