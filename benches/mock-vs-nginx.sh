#!/usr/bin/env bash
# Load benchmark of the mock endpoint against nginx serving the same bytes as a static file.
#
# Builds the release binary and the `load` bench (benches/load.rs), starts `ecs-tmde mock`,
# saves its /task document, starts nginx (as a child of this script, on loopback, from a
# config in a temp dir) serving that file at the same path, then runs the same load against
# nginx and then against the mock: CONNECTIONS keep-alive connections for DURATION seconds
# after WARMUP seconds. It prints both results, the ratio mock/nginx, the mock's RSS before,
# after warmup, in the middle and at the end of the run, and a Markdown table row for the
# README. With ROUNDS > 1 the pair is repeated in alternating order and medians are reported,
# which steadies the ratio on a machine that other work shares.
#
# Exit status: 0 when the mock had no errors and no non-200 response, reached MIN_RATIO of
# nginx's request rate, and its RSS grew by less than RSS_LIMIT_KIB or RSS_LIMIT_PCT % after
# warmup; 1 when one of those failed; 2 when the benchmark could not run or nginx (the
# baseline) had errors.
#
#   benches/mock-vs-nginx.sh                  # 32 connections, 30 s (the issue's figures)
#   DURATION=5 benches/mock-vs-nginx.sh       # a quick run
#
# Environment: DURATION (30), CONNECTIONS (32), WARMUP (3), ROUNDS (1), THREADS (load
# generator threads, 1), MIN_RATIO (0.80), RSS_LIMIT_KIB (10240), RSS_LIMIT_PCT (20),
# MOCK_ARGS (--late), NGINX_TUNED (set for open_file_cache and reuseport), KEEP_TMP (set to
# keep the temp dir with configs, logs and results).
#
# Only loopback is used. Installs nginx, curl and jq with apt-get when they are missing.

set -euo pipefail

DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-1}
MIN_RATIO=${MIN_RATIO:-0.80}
RSS_LIMIT_KIB=${RSS_LIMIT_KIB:-10240}
RSS_LIMIT_PCT=${RSS_LIMIT_PCT:-20}
# --late starts the mock's clock after the default scenario's short-lived container has
# exited and its health check has reported, so /task no longer changes shape during the run
# and nginx's copy is the same bytes the mock serves.
MOCK_ARGS=${MOCK_ARGS:---late}
# NGINX_TUNED=1 gives nginx an open-file cache and one listening socket per worker
# (reuseport): a harder baseline than Debian's defaults.
NGINX_TUNED=${NGINX_TUNED:-}

log() { printf 'mock-vs-nginx: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 2
}

for v in DURATION WARMUP MIN_RATIO; do
    [[ ${!v} =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$v=${!v}: expected a number"
done
for v in CONNECTIONS THREADS ROUNDS RSS_LIMIT_KIB RSS_LIMIT_PCT; do
    [[ ${!v} =~ ^[1-9][0-9]{0,5}$ ]] || die "$v=${!v}: expected a whole number above 0"
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# --- tools ------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2
fi
nginx_bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
command -v cargo >/dev/null 2>&1 || die "cargo not found (install a Rust toolchain)"

# --- processes and cleanup --------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mock-vs-nginx.XXXXXX")
pids=()

# Stops one process: the given signal, then SIGKILL if it is still there after 5 s.
stop() {
    local pid=$1 sig=$2 i
    kill -"$sig" "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# Drops a reaped process from the cleanup list, so its id, if reused, is never signalled.
forget() {
    local p kept=()
    for p in "${pids[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
    pids=("${kept[@]}")
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local rc=$? i pid
    trap - EXIT
    # Newest first, so a running load generator is gone before the servers stop (the mock's
    # graceful stop would otherwise wait for its connections).
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        pid=${pids[i]}
        # SIGINT is the mock's graceful stop (its Ctrl-C handler); SIGTERM is nginx's fast
        # shutdown and ends the load generator.
        if [[ $pid == "${mock_pid:-}" ]]; then stop "$pid" INT; else stop "$pid" TERM; fi
    done
    wait 2>/dev/null || true
    if [[ -n ${KEEP_TMP:-} ]]; then log "kept $tmp"; else rm -rf "$tmp"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ------------------------------------------------------------------------------
# The executables' paths come from cargo's JSON messages, so CARGO_TARGET_DIR and target
# settings are honoured without guessing.
artifact() { jq -r --arg n "$1" 'select(.reason == "compiler-artifact" and .target.name == $n and .executable != null) | .executable' | tail -n 1; }
log "building release binaries"
mock_bin=$(cargo build --release --message-format=json-render-diagnostics | artifact ecs-tmde) ||
    die "cargo build --release failed"
load_bin=$(cargo bench --no-run --bench load --message-format=json-render-diagnostics | artifact load) ||
    die "cargo bench --no-run --bench load failed"
[[ -x $mock_bin ]] || die "no ecs-tmde executable from cargo build"
[[ -x $load_bin ]] || die "no load executable from cargo bench --no-run"

# --- the mock ---------------------------------------------------------------------------
read -ra mock_args <<<"$MOCK_ARGS"
"$mock_bin" mock "${mock_args[@]}" >"$tmp/mock.out" 2>"$tmp/mock.err" &
mock_pid=$!
pids+=("$mock_pid")
uri=
for ((i = 0; i < 100; i++)); do
    uri=$(sed -n 's/^ECS_CONTAINER_METADATA_URI=//p' "$tmp/mock.out" | head -n 1)
    [[ -n $uri ]] && break
    kill -0 "$mock_pid" 2>/dev/null || die "the mock exited: $(cat "$tmp/mock.err")"
    sleep 0.1
done
[[ -n $uri ]] || die "the mock printed no ECS_CONTAINER_METADATA_URI in 10 s"
[[ $uri =~ ^http://127\.0\.0\.1:[0-9]+(/[A-Za-z0-9._-]+)+$ ]] || die "unexpected URI $uri"
base_path=/${uri#http://*/}
task_path=$base_path/task
mock_url=$uri/task
log "mock (pid $mock_pid) at $mock_url"

# The document nginx will serve, byte for byte.
www=$tmp/www
mkdir -p "$www$base_path"
doc=$www$task_path
curl -fsS --max-time 5 -o "$doc" "$mock_url" || die "cannot fetch $mock_url"
doc_bytes=$(wc -c <"$doc")

# --- nginx ------------------------------------------------------------------------------
# Run by this script from its own config, never the system service. As root, nginx's workers
# drop to nobody (its default user), so the served tree is made world-readable; as anyone
# else the `user` directive does not apply and is left out.
user_line=
if [[ $(id -u) -eq 0 ]]; then
    user_line="user nobody $(id -gn nobody);"
    chmod -R a+rX "$tmp"
fi
mkdir -p "$tmp/nginx-temp"

port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

tuning=
listen_opts=
if [[ -n $NGINX_TUNED ]]; then
    tuning="open_file_cache max=16 inactive=600s; open_file_cache_valid 600s;"
    listen_opts=" reuseport"
fi

write_nginx_conf() {
    cat >"$tmp/nginx.conf" <<EOF
$user_line
worker_processes auto;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events {
    worker_connections 1024;
}
http {
    access_log off;
    # No extension mapping: every file is served as the mock serves /task.
    types { }
    default_type application/json;
    # Debian's defaults for static files.
    sendfile on;
    tcp_nopush on;
    # Keep every connection for the whole run, as the mock does, so neither server pays for
    # reconnects (nginx's default closes after 1000 requests).
    keepalive_requests 1000000000;
    keepalive_timeout 75s;
    client_body_temp_path $tmp/nginx-temp/body;
    proxy_temp_path $tmp/nginx-temp/proxy;
    fastcgi_temp_path $tmp/nginx-temp/fastcgi;
    uwsgi_temp_path $tmp/nginx-temp/uwsgi;
    scgi_temp_path $tmp/nginx-temp/scgi;
    $tuning
    server {
        listen 127.0.0.1:$1$listen_opts;
        root $www;
    }
}
EOF
}

nginx_pid=
for ((attempt = 0; attempt < 10; attempt++)); do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" && continue
    write_nginx_conf "$port"
    : >"$tmp/nginx-error.log"
    "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" 2>"$tmp/nginx-stderr.log" &
    nginx_pid=$!
    pids+=("$nginx_pid")
    for ((i = 0; i < 50; i++)); do
        kill -0 "$nginx_pid" 2>/dev/null || break
        curl -fsS --max-time 1 -o /dev/null "http://127.0.0.1:$port$task_path" 2>/dev/null && break 2
        sleep 0.1
    done
    # Lost a race for the port: try another. Anything else is fatal.
    cat "$tmp/nginx-stderr.log" >>"$tmp/nginx-error.log"
    grep -q "Address already in use" "$tmp/nginx-error.log" || die "nginx did not start: $(cat "$tmp/nginx-error.log")"
    stop "$nginx_pid" TERM
    wait "$nginx_pid" 2>/dev/null || true
    forget "$nginx_pid"
    nginx_pid=
done
[[ -n $nginx_pid ]] || die "no free port for nginx after 10 tries"
nginx_url=http://127.0.0.1:$port$task_path
curl -fsS --max-time 5 "$nginx_url" | cmp -s - "$doc" || die "nginx does not serve the mock's bytes at $nginx_url"
nginx_type=$(curl -fsS --max-time 5 -o /dev/null -w '%{content_type}' "$nginx_url")
[[ $nginx_type == application/json ]] || die "nginx serves Content-Type $nginx_type"
log "nginx (pid $nginx_pid, $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')) at $nginx_url, $doc_bytes bytes"

# --- measurement ------------------------------------------------------------------------
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# CPU ticks (user + system) of a process and its children: for nginx, the master and its
# workers (from /proc/PID/task/PID/children).
cpu_ticks() {
    local pid total=0 t children=()
    read -ra children <"/proc/$1/task/$1/children" 2>/dev/null || true
    for pid in "$1" "${children[@]}"; do
        t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null) || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}

# Busy ticks of the whole machine (everything but idle and iowait, steal included): what the
# server and the generator did not use of it was taken by other processes, so a run on a
# busy machine shows as such instead of as a slow server.
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

hz=$(getconf CLK_TCK)
half=$(awk -v d="$DURATION" 'BEGIN { print d / 2 }')
runs=$tmp/runs.jsonl
: >"$runs"

# measure NAME URL SERVER_PID ROUND: runs the generator against URL while sampling the
# server's RSS before, after warmup, in the middle of the window and at its end, and appends
# the generator's JSON, with those samples and the CPU figures, to $runs.
measure() {
    local name=$1 url=$2 server=$3 round=$4 rc=0 load_pid cpu0 cpu_w busy0 rss0 rss_w rss_m rss_e
    log "round $round: loading $name, $CONNECTIONS connections, ${WARMUP} s warmup + ${DURATION} s"
    cpu0=$(cpu_ticks "$server")
    busy0=$(machine_busy_ticks)
    rss0=$(rss_kib "$server") || die "the $name server is gone"
    "$load_bin" --url "$url" --connections "$CONNECTIONS" --duration "$DURATION" \
        --warmup "$WARMUP" --threads "$THREADS" >"$tmp/load.json" &
    load_pid=$!
    pids+=("$load_pid")
    sleep "$WARMUP"
    rss_w=$(rss_kib "$server") || die "the $name server is gone"
    cpu_w=$(cpu_ticks "$server")
    sleep "$half"
    rss_m=$(rss_kib "$server") || die "the $name server is gone"
    wait "$load_pid" || rc=$?
    forget "$load_pid"
    ((rc == 0)) || die "the load generator failed on $name (exit $rc)"
    kill -0 "$server" 2>/dev/null || die "the $name server died during the run"
    rss_e=$(rss_kib "$server")
    jq -c --arg server "$name" --argjson round "$round" --argjson hz "$hz" \
        --argjson cpu "$(($(cpu_ticks "$server") - cpu0))" \
        --argjson cpu_window "$(($(cpu_ticks "$server") - cpu_w))" \
        --argjson busy "$(($(machine_busy_ticks) - busy0))" \
        --argjson rss "[$rss0, $rss_w, $rss_m, $rss_e]" '
        . + {server: $server, round: $round, server_cpu_s: ($cpu / $hz),
             server_cpu_us_per_request:
               (if .requests > 0 then $cpu_window / $hz * 1e6 / .requests * 10 | round / 10 else null end),
             other_cpu_s: ((($busy - $cpu) / $hz - (.client_cpu_s // 0)) * 100 | round / 100),
             rss_kib: {before: $rss[0], warm: $rss[1], mid: $rss[2], end: $rss[3]}}' \
        "$tmp/load.json" >>"$runs" || die "the load generator printed no JSON for $name"
}

# Rounds alternate the order (nginx first, then mock first, ...) so neither server is always
# the one that runs while the machine is warmer or busier.
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then
        measure nginx "$nginx_url" "$nginx_pid" "$round"
        measure mock "$mock_url" "$mock_pid" "$round"
    else
        measure mock "$mock_url" "$mock_pid" "$round"
        measure nginx "$nginx_url" "$nginx_pid" "$round"
    fi
done

# The mock's document after the run: still the bytes nginx served?
# The default scenario's ClockDrift.ReferenceTimestamp moves every minute, so after a long
# run the content may differ while the size (what the servers' work depends on) does not.
same_bytes=yes
if ! curl -fsS --max-time 5 -o "$tmp/after.json" "$mock_url"; then
    same_bytes="unknown (cannot fetch $mock_url)"
elif ! cmp -s "$tmp/after.json" "$doc"; then
    same_bytes="no: $(wc -c <"$tmp/after.json") bytes now, $doc_bytes served by nginx (the mock's /task moved on, e.g. ClockDrift.ReferenceTimestamp every minute)"
fi

# --- report -----------------------------------------------------------------------------
# Medians over rounds; the ratio is the median of each round's ratio. RSS growth is the
# largest sample after the first round's warmup minus that sample.
summary=$(jq -s -c '
    def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def side($s): map(select(.server == $s));
    side("nginx") as $n | side("mock") as $m |
    {
      nginx_rps: ($n | map(.rps) | median | round),
      mock_rps: ($m | map(.rps) | median | round),
      ratios: [$n[] as $a | $m[] | select(.round == $a.round) | .rps / $a.rps * 100 | round / 100],
      nginx_p50: ($n | map(.latency_us.p50) | median), nginx_p99: ($n | map(.latency_us.p99) | median),
      mock_p50: ($m | map(.latency_us.p50) | median), mock_p99: ($m | map(.latency_us.p99) | median),
      nginx_bad: ($n | map(.errors + .non_200_total) | add),
      mock_errors: ($m | map(.errors) | add), mock_non200: ($m | map(.non_200_total) | add),
      nginx_cpu: ($n | map(.server_cpu_s) | median), mock_cpu: ($m | map(.server_cpu_s) | median),
      nginx_us: ($n | map(.server_cpu_us_per_request) | median),
      mock_us: ($m | map(.server_cpu_us_per_request) | median),
      client_cpu: (map(.client_cpu_s // 0) | max),
      other_cpu: (map(.other_cpu_s) | max),
      rss_before: $m[0].rss_kib.before, rss_warm: $m[0].rss_kib.warm,
      rss_mid: $m[-1].rss_kib.mid, rss_end: $m[-1].rss_kib.end,
      rss_max: ($m | map(.rss_kib.mid, .rss_kib.end) | max)
    } | .ratio = (.ratios | median) | .growth = (.rss_max - .rss_warm)' "$runs")
get() { jq -r ".$1" <<<"$summary"; }
nginx_rps=$(get nginx_rps)
mock_rps=$(get mock_rps)
ratio=$(get ratio)
mock_errors=$(get mock_errors)
mock_non200=$(get mock_non200)
nginx_bad=$(get nginx_bad)
rss_warm=$(get rss_warm)
growth=$(get growth)
ms() { awk -v u="$(get "$1")" 'BEGIN { printf "%.2f", u / 1000 }'; }
mib() { awk -v k="$(get "$1")" 'BEGIN { printf "%.1f", k / 1024 }'; }
window_s=$(awk -v d="$DURATION" -v w="$WARMUP" 'BEGIN { print d + w }')

while read -r run; do echo "$(jq -r .server <<<"$run"): $run"; done <"$runs"
echo
printf 'nginx: %s req/s, p50 %s ms, p99 %s ms, server CPU %s s of %s s (%s µs/request), errors + non-200 %s\n' \
    "$nginx_rps" "$(ms nginx_p50)" "$(ms nginx_p99)" "$(get nginx_cpu)" "$window_s" "$(get nginx_us)" "$nginx_bad"
printf 'mock:  %s req/s, p50 %s ms, p99 %s ms, server CPU %s s of %s s (%s µs/request), errors %s, non-200 %s\n' \
    "$mock_rps" "$(ms mock_p50)" "$(ms mock_p99)" "$(get mock_cpu)" "$window_s" "$(get mock_us)" "$mock_errors" "$mock_non200"
printf 'ratio mock/nginx: %s (per round: %s; target >= %s)\n' "$ratio" "$(get 'ratios | map(tostring) | join(", ")')" "$MIN_RATIO"
printf 'mock RSS KiB: before %s, after warmup %s, middle %s, end %s (growth after warmup %s KiB)\n' \
    "$(get rss_before)" "$rss_warm" "$(get rss_mid)" "$(get rss_end)" "$growth"
printf 'CPU per run (warmup + window): load generator at most %s s; outside server and generator (other processes, interrupts) at most %s s\n' \
    "$(get client_cpu)" "$(get other_cpu)"
printf 'same bytes at the end: %s\n' "$same_bytes"

reasons=()
((mock_errors == 0 && mock_non200 == 0)) || reasons+=("mock errors $mock_errors, non-200 $mock_non200")
awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN { exit !(r >= m) }' || reasons+=("ratio $ratio < $MIN_RATIO")
((growth < RSS_LIMIT_KIB || growth * 100 < RSS_LIMIT_PCT * rss_warm)) ||
    reasons+=("RSS grew $growth KiB after warmup")
verdict=pass
((${#reasons[@]} == 0)) || verdict=fail
# A baseline with errors measures nothing: the run is invalid whatever the mock did.
if ((nginx_bad != 0)); then
    verdict=invalid
    reasons+=("nginx had $nginx_bad errors or non-200 responses")
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
machine="$(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r)"
echo
echo "| date | machine | load | bytes | nginx req/s | mock req/s | mock/nginx | p50 / p99 nginx | p50 / p99 mock | server CPU µs/req nginx / mock | mock errors | mock RSS MiB (warm → mid → end) | verdict |"
echo "|---|---|---|---|---:|---:|---:|---|---|---|---:|---|---|"
printf '| %s | %s | %s conn × %s s (+%s s warmup) × %s round(s), %s client thread(s)%s | %s | %s | %s | %s | %s / %s ms | %s / %s ms | %s / %s | %s | %s → %s → %s | %s |\n' \
    "$(date -u +%Y-%m-%d)" "$machine" "$CONNECTIONS" "$DURATION" "$WARMUP" "$ROUNDS" "$THREADS" \
    "${NGINX_TUNED:+, tuned nginx}" \
    "$doc_bytes" "$nginx_rps" "$mock_rps" "$ratio" "$(ms nginx_p50)" "$(ms nginx_p99)" \
    "$(ms mock_p50)" "$(ms mock_p99)" "$(get nginx_us)" "$(get mock_us)" "$((mock_errors + mock_non200))" \
    "$(mib rss_warm)" "$(mib rss_mid)" "$(mib rss_end)" "$verdict"

case $verdict in
pass) exit 0 ;;
fail)
    log "FAIL: ${reasons[*]}"
    exit 1
    ;;
*)
    log "INVALID: ${reasons[*]}"
    exit 2
    ;;
esac
