//! Generates one test per data file (datatest style): every rule fixture under
//! `conformance/rules/` and every response file under `conformance/recorded/`. The generated
//! file is included by `tests/suite/generated.rs`; without a `conformance/` directory (a
//! published crate) it is empty.

use std::fmt::Write;
use std::fs;
use std::path::Path;

fn ident(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn sorted_entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn main() {
    println!("cargo:rerun-if-changed=conformance/rules");
    println!("cargo:rerun-if-changed=conformance/recorded");
    println!("cargo:rerun-if-changed=build.rs");
    let mut out = String::new();
    for rule_dir in sorted_entries(Path::new("conformance/rules"))
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().into_owned();
        for kind in ["pass", "fail"] {
            for file in sorted_entries(&rule_dir.join(kind)) {
                if file.extension().is_some_and(|e| e == "json") {
                    let stem = file.file_stem().unwrap().to_string_lossy();
                    let _ = writeln!(
                        out,
                        "#[test]\nfn fixture__{}__{kind}__{}() {{ crate::fixtures::run({:?}, {:?}, {}); }}",
                        ident(&rule),
                        ident(&stem),
                        rule,
                        file.display().to_string(),
                        kind == "fail"
                    );
                }
            }
        }
    }
    for rec_dir in sorted_entries(Path::new("conformance/recorded"))
        .into_iter()
        .filter(|p| p.is_dir())
    {
        let name = rec_dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in sorted_entries(&rec_dir) {
            let fname = file.file_name().unwrap().to_string_lossy().into_owned();
            if fname.ends_with(".json") && fname != "recording.json" {
                let _ = writeln!(
                    out,
                    "#[test]\nfn recorded__{}__{}() {{ crate::recorded::run_file({:?}); }}",
                    ident(&name),
                    ident(fname.trim_end_matches(".json")),
                    file.display().to_string()
                );
            }
        }
        let _ = writeln!(
            out,
            "#[test]\nfn recorded__{}__verdict() {{ crate::recorded::run_verdict({:?}); }}",
            ident(&name),
            rec_dir.display().to_string()
        );
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("generated_tests.rs");
    fs::write(dest, out).unwrap();
}
