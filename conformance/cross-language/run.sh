#!/usr/bin/env bash
# Cross-language conformance of schemas/v3/ and schemas/v4/: Rust (the checker's own
# validator), Python (jsonschema) and JavaScript (ajv) must pick the same version and give the
# same verdict on every recording and every fixture of a schema-layer rule, and the code
# generators must make clean, usable types from both versions.
# See README.md in this directory. Run from anywhere; needs python3 (3.10+), node (20+) with
# npm, cargo, and the package registries the first time (everything is pinned).
set -euo pipefail
cd "$(dirname "$0")/../.."

X=conformance/cross-language
BUILD=$X/build
PYTHON=${PYTHON:-python3}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo "== cross-language: $*"; }

# --- Installation (pinned; skipped when the lock files have not changed) ---------------------
t_install=$(now)
want_py=$(sha256sum "$X/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$X/.venv/bin/python" ] || [ "$(cat "$X/.venv/.requirements.sha256" 2>/dev/null)" != "$want_py" ]; then
  step "creating $X/.venv from requirements.txt (hash-checked)"
  rm -rf "$X/.venv"
  "$PYTHON" -m venv "$X/.venv"
  "$X/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes --no-deps -r "$X/requirements.txt"
  echo "$want_py" > "$X/.venv/.requirements.sha256"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "cross-language: Node.js 20 or later is needed (found $(node --version))" >&2
  exit 2
fi
want_js=$(sha256sum "$X/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$X/node_modules/.package-lock.sha256" 2>/dev/null)" != "$want_js" ]; then
  step "npm ci (package-lock.json)"
  (cd "$X" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want_js" > "$X/node_modules/.package-lock.sha256"
fi
echo "cross-language: installation took $(since "$t_install")s"

# --- The run ---------------------------------------------------------------------------------
t_run=$(now)
rm -rf "$BUILD"
mkdir -p "$BUILD"
PY="$X/.venv/bin/python"

step "Rust verdicts (examples/schema_verdicts.rs)"
t=$(now)
# The dev profile, which `cargo test` (in .ci/run) has already built.
verdicts() { cargo run --quiet --locked --example schema_verdicts -- "$@"; }
verdicts --check-schemas schemas
verdicts --list-schema-rules > "$BUILD/schema-rules.txt"
"$PY" "$X/crosscheck.py" inputs --schema-rules "$BUILD/schema-rules.txt" > "$BUILD/inputs.txt"
verdicts --files-from "$BUILD/inputs.txt" > "$BUILD/rust.jsonl"
echo "rules enforced by the schema: $(paste -sd' ' "$BUILD/schema-rules.txt") ($(since "$t")s)"

step "Python verdicts (jsonschema, Draft 2020-12, date-time checked)"
t=$(now)
"$PY" "$X/validate.py" --schemas schemas --files-from "$BUILD/inputs.txt" > "$BUILD/python.jsonl"
echo "($(since "$t")s)"

step "JavaScript verdicts (ajv/dist/2020 with ajv-formats)"
t=$(now)
node "$X/validate.mjs" --schemas schemas --files-from "$BUILD/inputs.txt" > "$BUILD/js.jsonl"
echo "($(since "$t")s)"

step "comparing verdicts"
"$PY" "$X/crosscheck.py" compare --list "$BUILD/inputs.txt" \
  --rust "$BUILD/rust.jsonl" --python "$BUILD/python.jsonl" --js "$BUILD/js.jsonl" \
  --passed-to "$BUILD/passed.txt"

step "code generation: datamodel-code-generator (pydantic v2), json-schema-to-typescript, tsc"
t=$(now)
for v in v3 v4; do
  "$X/.venv/bin/datamodel-codegen" --input "schemas/$v" --input-file-type jsonschema \
    --output-model-type pydantic_v2.BaseModel --target-python-version 3.11 \
    --snake-case-field --collapse-root-models --disable-timestamp --formatters builtin \
    --output "$BUILD/py/ecs_tmde_$v"
  node "$X/codegen/gen-types.mjs" "schemas/$v" "$BUILD/ts/$v"
done
"$PY" "$X/codegen/check.py" --py "$BUILD/py" --ts "$BUILD/ts" --rust "$BUILD/rust.jsonl"
"$X/node_modules/.bin/tsc" --noEmit -p "$X/codegen/tsconfig.json"
echo "codegen typescript: codegen/reader.ts (v3) and codegen/reader-v4.ts (v4) type-check against the generated types ($(since "$t")s)"

echo "cross-language: passed in $(since "$t_run")s after installation (Rust, Python and JavaScript agree)"
# The plain closing line: one passed check per document on which the verdicts are as expected.
echo "cross-language: $(cat "$BUILD/passed.txt") passed, 0 failed"
