#!/bin/sh
# Runs every fuzz target for a while, one after another, seeded from conformance/.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default: 600 s, every target
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). Builds with
# optimisations plus debug assertions and overflow checks (no sanitizer: the crate has no
# unsafe code, overflow checks are what catches its arithmetic). A crash is saved under
# fuzz/artifacts/<target>/; replay it with `cargo +nightly fuzz run <target> <file>`, and turn
# it into a regression test (tests/suite/hostile.rs) before fixing it.
set -eu
cd "$(dirname "$0")"
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"check_document check_recording redact json_lines"}
python3 seed.py
flags="-O -a --sanitizer none"
cargo +nightly fuzz build $flags
failed=""
for t in $targets; do
    echo "== $t: ${secs}s"
    cargo +nightly fuzz run $flags "$t" "corpus/$t" -- \
        -dict=tmde.dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=262144 -print_final_stats=1 || failed="$failed $t"
done
if [ -n "$failed" ]; then
    echo "crashed:$failed (see fuzz/artifacts/)"
    exit 1
fi
