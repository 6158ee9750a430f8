//! The generated documents: `conformance/RULES.md` and `schemas/README.md` from the rule
//! registry, and `conformance/NOTICE.md` from the recordings.

use std::fmt::Write;

use crate::rules::{Needs, RULES};

/// Path of the generated catalogue, relative to the project root.
pub const RULES_MD: &str = "conformance/RULES.md";

/// Renders the catalogue of every rule as Markdown.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("<!-- Generated from src/rules/ by `cargo run -- rules --write conformance/RULES.md`; do not edit. -->\n");
    out.push_str("# Rule catalogue\n\n");
    out.push_str(
        "Every rule `ecs-tmde check` applies, generated from the registry in `src/rules/`.\n\n",
    );
    out.push_str("* **Severity**: `error` = no correct endpoint can send this (documentation and agent agree); ");
    out.push_str("`warning` = breaks the documented contract but real agents are known to do it, or is suspicious (fails only with `--deny-warnings`); ");
    out.push_str("`info` = worth knowing, never a failure.\n");
    out.push_str("* **Layer**: `schema` = the published JSON Schema enforces it; `engine` = only the checker can; ");
    out.push_str(
        "`both` = the schema carries an equivalent keyword and the checker reports it precisely.\n",
    );
    out.push_str("* **Follows**: which source the rule follows where the AWS documentation and the real ECS agent disagree.\n\n");
    out.push_str(
        "| id | severity | layer | follows | needs | versions | title |\n|---|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.id,
            r.severity,
            r.layer.name(),
            follows(r.follows),
            if r.needs == Needs::Nothing {
                "-"
            } else {
                r.needs.name()
            },
            versions(r),
            r.title
        );
    }
    for r in RULES {
        let _ = writeln!(out, "\n## `{}`\n\n{}\n", r.id, capitalise(r.title));
        let endpoints: Vec<&str> = r.endpoints.iter().map(|e| e.name()).collect();
        let _ = writeln!(
            out,
            "* severity: {}; layer: {}; follows: {}; reads: {}; versions: {}",
            r.severity,
            r.layer.name(),
            follows(r.follows),
            endpoints.join(", "),
            versions(r)
        );
        if !r.schema_keywords.is_empty() {
            let kw: Vec<String> = r.schema_keywords.iter().map(|k| format!("`{k}`")).collect();
            let _ = writeln!(out, "* schema keywords: {}", kw.join(", "));
        }
        match r.needs {
            Needs::Nothing => {}
            Needs::LaunchType => out.push_str("* needs a profile (`--launch-type`, and `--platform-version`/`--os` where they matter); skipped without one\n"),
            Needs::Http => out.push_str("* needs the HTTP exchanges: runs when checking a live endpoint or a recording made by `ecs-tmde record`\n"),
            Needs::Probes => out.push_str("* needs `--probe-errors` (extra requests that provoke the endpoint's error answers)\n"),
            Needs::Polls => out.push_str("* needs `check --watch`: compares each poll with the earlier ones\n"),
        }
        let _ = writeln!(out, "* fixtures: `conformance/rules/{}/`", r.id);
        out.push('\n');
        out.push_str(r.explanation);
        out.push('\n');
        if let Some(q) = r.doc_quote {
            let _ = writeln!(out, "\nDocumentation:\n\n> {q}");
        }
        if let Some(a) = r.agent_basis {
            let _ = writeln!(out, "\nAgent behaviour: {a}");
        }
    }
    out
}

fn follows(f: crate::rules::Follows) -> &'static str {
    match f {
        crate::rules::Follows::Both => "both",
        crate::rules::Follows::Documentation => "documentation",
        crate::rules::Follows::Agent => "agent",
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Path of the generated notice of third-party recordings, relative to the project root.
pub const NOTICE_MD: &str = "conformance/NOTICE.md";

/// Renders the notice crediting the origin and licence of every recording under `recorded`
/// (the `conformance/recorded/` directory), from each `recording.json`.
pub fn notice_markdown(recorded: &std::path::Path) -> Result<String, crate::Error> {
    let mut dirs: Vec<_> = std::fs::read_dir(recorded)
        .map_err(|source| crate::Error::Io {
            path: recorded.to_owned(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = String::new();
    out.push_str("<!-- Generated from conformance/recorded/*/recording.json by `ECS_TMDE_UPDATE=1 cargo test notice`; do not edit. -->\n");
    out.push_str("# Third-party recordings: origin and licence\n\n");
    out.push_str("The response files under `conformance/recorded/` were written by others, except the `project-*` ones. ");
    out.push_str("They are data, copied byte for byte (the AWS v3 documentation example was re-assembled from text extraction). ");
    out.push_str("Each is credited below with its repository, path, commit and licence; `conformance/recorded/LICENCES.md` says how each licence was established. ");
    out.push_str("Excluded sources are listed in `conformance/recorded/EXCLUDED.md`.\n\n");
    out.push_str("| recording | file | origin | licence |\n|---|---|---|---|\n");
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let meta = crate::recording::RecordingMeta::read(&dir)?.unwrap_or_default();
        let origin = meta.origin.unwrap_or_default();
        let licence = origin
            .get("licence")
            .and_then(|v| v.as_str())
            .unwrap_or("unknown");
        let files = origin
            .get("files")
            .and_then(|v| v.as_object())
            .cloned()
            .unwrap_or_default();
        for (file, o) in files {
            let from = match (o.get("repo"), o.get("path"), o.get("commit")) {
                (Some(r), Some(p), Some(c)) => format!(
                    "{} `{}` @ {}",
                    r.as_str().unwrap_or_default(),
                    p.as_str().unwrap_or_default(),
                    c.as_str()
                        .unwrap_or_default()
                        .chars()
                        .take(12)
                        .collect::<String>()
                ),
                _ => o
                    .get("written_by")
                    .and_then(|v| v.as_str())
                    .unwrap_or("unknown")
                    .to_owned(),
            };
            let _ = writeln!(
                out,
                "| `{name}` | {file} | {} | {licence} |",
                from.replace('|', "\\|")
            );
        }
    }
    Ok(out)
}

fn versions(r: &crate::rules::Rule) -> String {
    r.versions
        .iter()
        .map(|v| v.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Path of the generated guide to the published schemas, relative to the project root.
pub const SCHEMAS_README_MD: &str = "schemas/README.md";

/// Path of the list of documents on which validators in other languages are known to disagree,
/// relative to the project root.
pub const KNOWN_DIFFERENCES_TSV: &str =
    "conformance/cross-language/edge-cases/known-differences.tsv";

/// Renders `schemas/README.md`: what each schema file describes, the dialect and keywords it
/// uses, which rules the schemas enforce and which only the checker does (from the rule
/// registry), usage in Python, JavaScript and Go, and the known differences between validators
/// read from `known_differences` (the file at [`KNOWN_DIFFERENCES_TSV`]).
pub fn schemas_readme(known_differences: &std::path::Path) -> Result<String, crate::Error> {
    use crate::rules::Layer;
    use crate::schema;

    let tsv = std::fs::read_to_string(known_differences).map_err(|source| crate::Error::Io {
        path: known_differences.to_owned(),
        source,
    })?;
    let mut out = String::new();
    out.push_str("<!-- Generated from src/rules/, the schemas and conformance/cross-language/edge-cases/known-differences.tsv by `ECS_TMDE_UPDATE=1 cargo test schemas_readme`; do not edit. -->\n");
    out.push_str("# JSON Schemas of the Amazon ECS Task Metadata Endpoint\n\n");
    out.push_str("The files under `v3/` and `v4/` describe the four responses of the Task Metadata Endpoint, versions 3 and 4, as the Amazon ECS agent sends them. ");
    out.push_str("Version 4 responses are a superset of version 3: the `v4/` files add the fields only v4 sends (`LaunchType`, `ContainerARN`, the network interface properties, `network_rate_stats`...), and the `v3/` files accept v4 documents too (unknown keys are allowed) without checking those fields. ");
    out.push_str("They are generated from the Rust models of `ecs-tmde` (`cargo run -- schema --write schemas`), never edited by hand, ");
    out.push_str("and give the same verdicts in Rust, Python (`jsonschema`) and JavaScript (`ajv`) on every recorded response and every schema rule fixture of the project, each judged by the files of its version (a v4 recording by `v4/`, a v2 or v3 one by `v3/`): ");
    out.push_str("`conformance/cross-language/run.sh` checks it, and that the code generators below make usable types from both versions (what is still ugly about them is listed in `conformance/cross-language/codegen/known-issues.tsv`).\n\n");

    out.push_str("## Files\n\n");
    out.push_str("| file | response of | `$id` | types (`$defs`) |\n|---|---|---|---|\n");
    for (v, e) in schema::all() {
        let s = schema::generate(v, e);
        let defs: Vec<String> = s["$defs"]
            .as_object()
            .map(|d| d.keys().map(|k| format!("`{k}`")).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| [`{d}/{f}`]({d}/{f}) | `${{{var}}}{p}` | `{id}` | {defs} |",
            d = v.name(),
            var = v.env_var(),
            f = e.schema_file(),
            p = e.path_suffix(),
            id = s["$id"].as_str().unwrap_or_default(),
            defs = defs.join(", "),
        );
    }
    out.push('\n');
    for (v, e) in schema::all() {
        let s = schema::generate(v, e);
        let _ = writeln!(
            out,
            "* **`{}/{}`** ({}): {}",
            v.name(),
            e.schema_file(),
            s["title"].as_str().unwrap_or_default(),
            s["description"].as_str().unwrap_or_default()
        );
    }

    let mut keywords = std::collections::BTreeSet::new();
    let mut formats = std::collections::BTreeSet::new();
    for (v, e) in schema::all() {
        collect_keywords(&schema::generate(v, e), &mut keywords, &mut formats);
    }
    out.push_str("\n## Dialect\n\n");
    out.push_str("* **JSON Schema Draft 2020-12** (`\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"`). Use a validator's 2020-12 mode: `Draft202012Validator` in Python, `ajv/dist/2020` in JavaScript.\n");
    out.push_str("* **Self-contained**: each file carries every type it uses under `$defs` and refers only to `#/$defs/...`. Nothing is fetched; the `$id`s are URNs, not URLs. The files share type names, not definitions: a code generator makes one module per file.\n");
    let _ = writeln!(
        out,
        "* **Keywords**: {}. Nothing else, so strict validators compile the files as they are (ajv in its default strict mode; its `strictRequired` option, off by default, objects to the `if` that only lists `required`).",
        keywords
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "* **Formats**: {}. Draft 2020-12 makes `format` an annotation unless the validator is told to assert it, and some validators skip a format they cannot check: enable format assertion (see the snippets), or an impossible date such as 30 February passes. Every timestamp also has a `pattern` that fixes the shape Go writes (upper-case `T`, 0 to 9 fractional digits, `Z` or an offset); the format adds the calendar.",
        formats
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push_str("* **Regular expressions** use only the portable subset (character classes, counted repetition, groups, alternation, `^`/`$`): ECMA-262, Python `re`, Rust `regex` and Go's RE2 all compile them.\n");
    out.push_str("* **Unknown keys are allowed** in every object that has described keys (`additionalProperties: true`): AWS adds fields. `ecs-tmde check` reports the ones the schemas do not describe (`undocumented-field`, info).\n");
    out.push_str("* **Optional keys are never `null`**: the agent leaves out a key that has no value (Go's `omitempty`), so an optional property's schema does not allow `null`. Where the agent does send `null` (the blkio arrays of the stats, a task stats entry), the schema says so.\n");
    out.push_str("* **Integers carry their ranges** as `minimum`/`maximum` (the Go types: `uint64` up to 18446744073709551615, `int64`), rather than a `format` few validators know. JavaScript numbers are doubles: beyond 2^53 ajv compares rounded values (see the known differences).\n");

    out.push_str("\n## What the schemas enforce, and what only the checker does\n\n");
    out.push_str("Every promise of the endpoint is a rule of `ecs-tmde check` ([`conformance/RULES.md`](../conformance/RULES.md)). ");
    out.push_str("A rule of layer `schema` is enforced by these files alone; `both` means the files carry an equivalent keyword and the checker also reports it with a precise message. ");
    out.push_str("A document that a schema accepts can still fail `ecs-tmde check` on the engine rules: consistency between the responses, timestamps in order, the shapes of IDs and ARNs, the profile (launch type, platform), and what happens across polls and over HTTP.\n\n");
    out.push_str("Enforced by the schemas:\n\n| rule | layer | severity | keywords | title |\n|---|---|---|---|---|\n");
    for r in crate::rules::RULES
        .iter()
        .filter(|r| r.layer != Layer::Engine)
    {
        let kw: Vec<String> = r.schema_keywords.iter().map(|k| format!("`{k}`")).collect();
        let _ = writeln!(
            out,
            "| [`{id}`](../conformance/RULES.md#{id}) | {} | {} | {} | {} |",
            r.layer.name(),
            r.severity,
            if kw.is_empty() {
                "every other keyword".to_owned()
            } else {
                kw.join(", ")
            },
            r.title,
            id = r.id,
        );
    }
    out.push_str("\nOnly by the checker (`ecs-tmde check`):\n\n| rule | severity | needs | title |\n|---|---|---|---|\n");
    for r in crate::rules::RULES
        .iter()
        .filter(|r| r.layer == Layer::Engine)
    {
        let _ = writeln!(
            out,
            "| [`{id}`](../conformance/RULES.md#{id}) | {} | {} | {} |",
            r.severity,
            if r.needs == Needs::Nothing {
                "-"
            } else {
                r.needs.name()
            },
            r.title,
            id = r.id,
        );
    }

    out.push_str(SCHEMAS_USAGE);

    out.push_str("\n## Known differences between validators\n\n");
    out.push_str("On the recorded responses and rule fixtures of the project, Rust, Python and JavaScript agree on every document. ");
    out.push_str("The probes of `conformance/cross-language/edge-cases/` look for the limits; they differ on these documents, none of which a real agent sends:\n\n");
    out.push_str("| probe | Rust (`jsonschema` crate) | Python (`jsonschema`) | JavaScript (`ajv`) | why |\n|---|---|---|---|---|\n");
    for line in tsv
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        if let [file, _member, rust, python, js, why] = cols[..] {
            let _ = writeln!(
                out,
                "| [`{file}`](../conformance/cross-language/edge-cases/{file}) | {rust} | {python} | {js} | {} |",
                why.replace('|', "\\|")
            );
        }
    }
    Ok(out)
}

/// Collects the keywords of a schema (and of its subschemas) and the formats it names.
fn collect_keywords(
    schema: &serde_json::Value,
    keywords: &mut std::collections::BTreeSet<String>,
    formats: &mut std::collections::BTreeSet<String>,
) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    for (k, v) in obj {
        keywords.insert(k.clone());
        match k.as_str() {
            "properties" | "$defs" | "patternProperties" => {
                for sub in v.as_object().into_iter().flat_map(|m| m.values()) {
                    collect_keywords(sub, keywords, formats);
                }
            }
            "anyOf" | "oneOf" | "allOf" | "prefixItems" => {
                for sub in v.as_array().into_iter().flatten() {
                    collect_keywords(sub, keywords, formats);
                }
            }
            "format" => {
                if let Some(f) = v.as_str() {
                    formats.insert(f.to_owned());
                }
            }
            "const" | "enum" | "default" | "examples" | "required" => {}
            _ => collect_keywords(v, keywords, formats),
        }
    }
}

const SCHEMAS_USAGE: &str = r#"
## Usage

Fetch a response from `$ECS_CONTAINER_METADATA_URI_V4` (or `$ECS_CONTAINER_METADATA_URI`) and validate it against the file of its version and endpoint: `v4/task.json` for `/task`, `v4/container-stats.json` for `/stats`, and so on (`v3/...` for the v3 endpoint). The examples below use v3; the v4 files work the same way.

### Python

With [`jsonschema`](https://pypi.org/project/jsonschema/) and its optional `date-time` checker, `rfc3339-validator` (`pip install jsonschema rfc3339-validator`, or the `jsonschema[format-nongpl]` extra). Without it, `date-time` is silently not checked.

```python
import json
from jsonschema import Draft202012Validator

with open("schemas/v3/task.json", encoding="utf-8") as f:
    validator = Draft202012Validator(
        json.load(f), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
task = json.loads(body)  # the response of ${ECS_CONTAINER_METADATA_URI}/task
for error in validator.iter_errors(task):
    print("/" + "/".join(map(str, error.absolute_path)), error.message)
```

Types, with [datamodel-code-generator](https://pypi.org/project/datamodel-code-generator/) for pydantic v2 (one module per file; `--snake-case-field` gives `container.known_status` rather than fields renamed `Health_1` where a key and its type share a name):

```sh
datamodel-codegen --input schemas/v3 --input-file-type jsonschema \
  --output-model-type pydantic_v2.BaseModel --target-python-version 3.11 \
  --snake-case-field --collapse-root-models --output ecs_tmde_v3
```

```python
from ecs_tmde_v3.task import EcsTaskMetadataEndpointV3TaskMetadata as Task

task = Task.model_validate_json(body)
for c in task.containers or []:
    print(c.name, c.known_status.value)
```

For v4, generate from `schemas/v4` into `ecs_tmde_v4`: the root models are `EcsTaskMetadataEndpointV4TaskMetadata` and so on, and the v4 fields are typed (`task.launch_type`, a `LaunchTypeValue` enum; `c.container_arn`; `network.mac_address`).

### JavaScript and TypeScript

With [ajv](https://ajv.js.org/) in its Draft 2020-12 build and [ajv-formats](https://www.npmjs.com/package/ajv-formats) (without it, ajv's strict mode refuses the unknown format `date-time`):

```js
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync("schemas/v3/task.json", "utf8")));
const task = JSON.parse(body); // the response of ${ECS_CONTAINER_METADATA_URI}/task
if (!validate(task)) console.log(validate.errors);
```

Types, with [json-schema-to-typescript](https://www.npmjs.com/package/json-schema-to-typescript) (`json2ts -i schemas/v3/task.json -o task.ts`): the root types are named after the titles (`ECSTaskMetadataEndpointV3TaskMetadata`, `ECSTaskMetadataEndpointV4TaskMetadata`), the others after the titles of the `$defs` (`Container`, `ContainerStatus`, `ContainerStats`; in v4 `LaunchType`, a union of the four launch types). A task stats entry is `ContainerStats | null | {}`, which `"cpu_stats" in entry` narrows to `ContainerStats`.

### Go

Validate with [`github.com/santhosh-tekuri/jsonschema/v6`](https://pkg.go.dev/github.com/santhosh-tekuri/jsonschema/v6), which implements Draft 2020-12: call `AssertFormat()` on the `Compiler` before compiling the file (2020-12 does not assert `format` by default), and decode the response with the package's `UnmarshalJSON`, which keeps numbers as `json.Number` so that the 64-bit bounds are compared exactly (`encoding/json` into `any` gives `float64`, with JavaScript's rounding). The patterns are RE2-compatible. No Go code generator is tested here; the structs the agent itself serialises are in `github.com/aws/amazon-ecs-agent` (`ecs-agent/tmds/handlers/v4/state`).
"#;
