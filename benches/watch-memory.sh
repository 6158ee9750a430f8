#!/usr/bin/env bash
# Memory of `ecs-tmde check --watch` over many polls: starts the mock (ec2-bridge at 10x speed,
# so containers exit and stats move), watches it as fast as the mock answers for DURATION
# seconds, samples the watcher's resident memory every few seconds, and fails when it grows by
# more than LIMIT_KIB after the first sample.
#
#   benches/watch-memory.sh                 # 120 s
#   DURATION=30 benches/watch-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-120}"
LIMIT_KIB="${LIMIT_KIB:-2048}"
cargo build --release --quiet
BIN=target/release/ecs-tmde
TMP="$(mktemp -d)"
cleanup() {
    [[ -n "${MOCK:-}" ]] && kill "$MOCK" 2>/dev/null || true
    [[ -n "${WATCH:-}" ]] && kill "$WATCH" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN" mock --scenario ec2-bridge --speed 10 >"$TMP/mock.txt" 2>/dev/null &
MOCK=$!
for _ in $(seq 50); do
    grep -q '^ECS_CONTAINER_METADATA_URI=' "$TMP/mock.txt" && break
    sleep 0.1
done
URI="$(grep -m1 '^ECS_CONTAINER_METADATA_URI=' "$TMP/mock.txt" | cut -d= -f2)"

"$BIN" check "$URI" --watch --interval 1ms --rate 1000 --duration "${DURATION}s" \
    --launch-type ec2 --format json >"$TMP/report.json" 2>/dev/null &
WATCH=$!
sleep 3
first=""
last=""
while kill -0 "$WATCH" 2>/dev/null; do
    rss="$(awk '/VmRSS/ {print $2}' "/proc/$WATCH/status" 2>/dev/null || true)"
    if [[ -n "$rss" ]]; then
        first="${first:-$rss}"
        last="$rss"
        echo "rss ${rss} KiB"
    fi
    sleep 5
done
wait "$WATCH" || true
WATCH=""
polls="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["polls"])' "$TMP/report.json")"
growth=$((last - first))
echo "watch: ${polls} polls in ${DURATION} s; resident memory ${first} KiB after 3 s, ${last} KiB at the end (growth ${growth} KiB, limit ${LIMIT_KIB})"
if ((growth > LIMIT_KIB)); then
    echo "FAIL: memory grew by ${growth} KiB" >&2
    exit 1
fi
