#!/usr/bin/env bash
# Whole-process benchmarks of `ecs-tmde check` against its peers, on the same corpus, in one run.
#
#   benches/peers.sh [bulk] [memory] [dir] [live] [inprocess] [build]   (default: all but build)
#
#   bulk       `check` of the 10,000-task JSON Lines corpus vs ajv (Node) and Python jsonschema
#              validating the same corpus against schemas/v3/task.json, formats on
#   memory     peak RSS of `check` on corpora of 1,000 / 10,000 / 100,000 tasks
#   dir        `check DIR` on a recorded task directory vs check-jsonschema on the same files
#   live       `check URL` against the local mock vs curl fetching the same four URLs
#   inprocess  `cargo bench --bench bulk`: check vs the parse floor and the naive path
#   build      a clean `cargo build --release --locked` in a fresh target directory
#
# Environment: RUNS (default 5; 15 for dir and live), PY_RUNS (Python runs, default 3: about a
# minute each), CARGO_TARGET_DIR (default target/), ALSO=NAME=BIN (another ecs-tmde build to
# time alongside in `bulk`, e.g. one with a patch). Installs the peers it needs from the
# registries, pinned: benches/peers/package-lock.json (npm ci) and
# benches/peers/requirements.txt (pip, into benches/peers/.venv). Needs cargo, python3 (3.9+),
# node (20+) with npm, and curl. Loopback only: the mock listens on 127.0.0.1.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
bin=$target/release/ecs-tmde
data=$target/bench-corpus
peers=$root/benches/peers
runs=${RUNS:-5}
py_runs=${PY_RUNS:-3}
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(bulk memory dir live inprocess)
want() { local w; for w in "${what[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

say() { printf '\n# %s\n' "$*" >&2; }

machine() {
    echo "# machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# $(rustc --version), $(node --version 2>/dev/null || echo 'no node'), $(python3 --version)"
}

corpus() { # corpus TASKS -> path (generated once, deterministic)
    local f=$data/tasks-$1-seed1.jsonl
    if [ ! -s "$f" ]; then
        mkdir -p "$data"
        say "generating $1 tasks into $f"
        python3 benches/gen-corpus.py --tasks "$1" --seed 1 --out "$f.part"
        mv "$f.part" "$f"
    fi
    echo "$f"
}

if want bulk || want memory || want dir || want live; then
    say "building the release binary"
    cargo build --release --locked --quiet
fi

if want bulk; then
    say "installing ajv (npm ci) and Python jsonschema (pip, pinned)"
    (cd "$peers" && npm ci --no-audit --no-fund --silent)
fi
if want bulk || want dir; then
    if [ ! -x "$peers/.venv/bin/python" ]; then
        python3 -m venv "$peers/.venv"
    fi
    "$peers/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$peers/requirements.txt"
fi

machine
if want bulk; then
    say "bulk: $runs runs ($py_runs with Python, about a minute each)"
    python3 "$peers/compare.py" bulk --bin "$bin" --corpus "$(corpus 10000)" --runs "$runs" \
        --py-runs "$py_runs" --python "$peers/.venv/bin/python" ${ALSO:+--also "$ALSO"}
fi
if want memory; then
    say "memory"
    c10k=$(corpus 10000)
    c1k=$data/tasks-1000-seed1.jsonl
    [ -s "$c1k" ] || head -n 1000 "$c10k" > "$c1k"
    # the same 10,000 tasks, each container with a v4 key: ~55,000 info findings to keep
    infos=$data/tasks-10000-seed1-infos.jsonl
    [ -s "$infos" ] || sed 's/"Type":"NORMAL"/"Type":"NORMAL","LogDriver":"awslogs"/g' "$c10k" > "$infos"
    python3 "$peers/compare.py" memory --bin "$bin" "$c1k" "$c10k" "$(corpus 100000)" "$infos"
fi
if want dir; then
    say "dir: ${RUNS:-15} runs"
    python3 "$peers/compare.py" dir --bin "$bin" --runs "${RUNS:-15}" \
        --dir "$root/conformance/recorded/project-ec2-bridge-running" \
        --check-jsonschema "$peers/.venv/bin/check-jsonschema"
fi
if want live; then
    say "live: ${RUNS:-15} runs"
    python3 "$peers/compare.py" live --bin "$bin" --runs "${RUNS:-15}"
fi
if want inprocess; then
    say "in process: cargo bench --bench bulk"
    cargo bench --locked --quiet --bench bulk -- --runs "${RUNS:-7}" --corpus "$(corpus 10000)"
fi
if want build; then
    say "clean release build (a fresh target directory)"
    fresh=$(mktemp -d)
    start=$(date +%s%N)
    CARGO_TARGET_DIR=$fresh cargo build --release --locked --quiet
    end=$(date +%s%N)
    echo
    echo "## build: clean \`cargo build --release --locked\`: $(( (end - start) / 1000000000 )) s wall"
    echo "dependencies (cargo tree -e normal, unique crates): $(cargo tree -e normal --prefix none --locked 2>/dev/null | sed 's/ (\*)//' | sort -u | wc -l)"
    rm -rf "$fresh"
fi
