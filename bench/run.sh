#!/usr/bin/env bash
# run.sh: side-by-side HTTP key-value benchmark on this machine.
#
# Starts every target and preloads KEYS keys with VALUE_SIZE-byte values into each, then
# for each op (random-key GET, PUT, 90/10 mixed) warms all targets and runs wrk RUNS
# times per target, alternating between targets (ORDER=sequential: one target after
# another), and prints one Markdown table with each row's req/s as a ratio to nginx and
# to webdis (same op, same run).
# `stored` is the packaged app (target/stored.jar, built by `./mvnw package`; this
# script builds nothing), started on its own port; or, with STORED_URL set, a server
# you started. See README.md for what each target measures.
#
#   bench/run.sh                          # nginx, webdis, stored (etcd: TARGETS=...)
#   TARGETS="nginx stored" ./run.sh
#   TARGETS="nginx stored cluster" ./run.sh   # + a 3-store RF=2 cluster behind one endpoint
#   STORED_URL=http://127.0.0.1:8080 STORED_PID=1234 ./run.sh   # a running server
#   DURATION=30 RUNS=3 CONNS=128 ./run.sh
#
# Progress goes to stderr, the table to stdout; raw wrk output, a TSV of every
# run and the table are kept in OUT_DIR. Exit status: 0 when every target that
# was asked for ran (a skipped `stored` counts as ran), 1 otherwise.

# shellcheck disable=SC2317  # verify_* and cleanup are called indirectly
set -u -o pipefail

BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_HOME/lib/common.sh"

# ---- settings (all can be set in the environment) ----------------------------
TARGETS=${TARGETS:-"nginx webdis stored"}
OPS=${OPS:-"get put mixed"}
THREADS=${THREADS:-2}            # wrk -t
CONNS=${CONNS:-64}               # wrk -c
DURATION=${DURATION:-10}         # seconds per measured run (wrk -d)
WARMUP=${WARMUP:-3}              # seconds of unrecorded load before each op; 0 = none
STORED_WARMUP=${STORED_WARMUP:-10}        # seconds of warmup for stored: a JVM needs its JIT warm
STORED_REWARM=${STORED_REWARM:-5}          # then this many seconds more on new connections; 0 = none
REWARM_CLOSE_EVERY=${REWARM_CLOSE_EVERY:-50} # in those, every Nth request asks to close (Connection: close)
RUNS=${RUNS:-2}                  # measured runs per target and op
ORDER=${ORDER:-interleaved}      # interleaved: all targets up at once, their runs alternate; sequential: one target after another
NOISY_PCT=${NOISY_PCT:-25}       # a run is "noisy" when other processes used more CPU than this (% of machine)
NOISY_RETRIES=${NOISY_RETRIES:-1} # extra runs per target/op to replace noisy ones
KEYS=${KEYS:-10000}              # preloaded keys; GET and PUT pick among them
VALUE_SIZE=${VALUE_SIZE:-100}    # bytes per value
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}   # wrk --timeout (slower answers count as timeouts)
COUNT_STATUS=${COUNT_STATUS:-0}  # 1 = exact non-2xx count in Lua (costs wrk CPU)
PRELOAD_CONNS=${PRELOAD_CONNS:-16}
PRELOAD_MAX_S=${PRELOAD_MAX_S:-120}
START_TIMEOUT=${START_TIMEOUT:-30}
STORED_URL=${STORED_URL:-}       # empty: start the packaged app; set: measure that server
STORED_PID=${STORED_PID:-}       # optional with STORED_URL: lets the "other CPU" column cover stored too
STORED_PORT=${STORED_PORT:-18088}          # ports of the stored we start
STORED_MGMT_PORT=${STORED_MGMT_PORT:-19088}
STORED_JAR=${STORED_JAR:-$(cd "$BENCH_HOME/.." && pwd)/target/stored.jar}
STORED_JAVA_OPTS=${STORED_JAVA_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+UseTransparentHugePages"}  # the collector and pages of the image
CLUSTER_JAVA_OPTS=${CLUSTER_JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC -XX:ParallelGCThreads=1 -XX:+UseTransparentHugePages"}
CLUSTER_BASE_PORT=${CLUSTER_BASE_PORT:-17100}  # stores' transport +1..3, HTTP +1000.., management +2000..
NGINX_PORT=${NGINX_PORT:-18080}
NGINX_REUSEPORT=${NGINX_REUSEPORT:-0}  # 1 = nginx listens with reuseport: the kernel spreads each wrk thread's connections over its workers (see bench/README.md, 2026-11-28 morning)
VERTX_PORT=${VERTX_PORT:-18090}
REDIS_PORT=${REDIS_PORT:-16379}
WEBDIS_PORT=${WEBDIS_PORT:-17379}
WEBDIS_THREADS=${WEBDIS_THREADS:-2}
ETCD_PORT=${ETCD_PORT:-12379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-12380}
SERVER_CPUS=${SERVER_CPUS:-}     # optional taskset CPU list for servers we start
WRK_CPUS=${WRK_CPUS:-}           # optional taskset CPU list for wrk
OUT_DIR=${OUT_DIR:-/tmp/bench-results-$(date +%Y%m%d-%H%M%S)}
KEEP_TMP=${KEEP_TMP:-0}          # 1 = keep the servers' temp dir (configs, logs, data)

[[ $ORDER == interleaved || $ORDER == sequential ]] || die "ORDER=$ORDER: use interleaved or sequential"
[[ $NGINX_REUSEPORT == [01] ]] || die "NGINX_REUSEPORT=$NGINX_REUSEPORT: use 0 or 1"

# Install the Debian peers when something is missing (as root; setup.sh is a no-op when all is there).
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v webdis >/dev/null; then
  if [[ $(id -u) == 0 ]]; then "$BENCH_HOME/setup.sh" >&2 || die "setup.sh failed"; fi
fi
need_cmds wrk curl awk sed timeout ps base64
mkdir -p "$OUT_DIR" || die "cannot create OUT_DIR $OUT_DIR"
WORK=$(mktemp -d /tmp/bench-run.XXXXXX) || die "cannot create a temp dir under /tmp"
BENCH_TIMES_FILE="$WORK/times"
BENCH_WORK=$WORK
RESULTS="$OUT_DIR/results.tsv"
NOTES=()
FAILED=0
VALUE=$(value_of_size "$VALUE_SIZE")
T0=$(date +%s)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [[ $KEEP_TMP == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'warn "interrupted"; exit 130' INT TERM

WRK_CMD=(wrk); [[ -n $WRK_CPUS ]] && WRK_CMD=(taskset -c "$WRK_CPUS" wrk)

note() { NOTES+=("$*"); warn "$*"; }

# http_code METHOD URL [curl args...]: prints the status code (000 = no answer)
http_code() {
  local m=$1 u=$2; shift 2
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$m" "$@" "$u" 2>/dev/null || true
}

# ---- targets: start / verify ---------------------------------------------------
# Each start_* sets T_URL (wrk URL root), T_BASE (path prefix), T_PIDS (PIDs whose
# CPU is "ours"), and returns non-zero with a warning when it cannot start.

start_nginx() {
  have_cmds nginx || return 1
  require_free_port nginx "$NGINX_PORT" || return 1
  local d="$WORK/nginx"; mkdir -p "$d/tmp"
  cat >"$d/nginx.conf" <<EOF
# the HTTP ceiling: answers like a key-value store, stores nothing
worker_processes auto;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT$( ((NGINX_REUSEPORT)) && echo ' reuseport');
    location /kv/ {
      default_type application/octet-stream;
      if (\$request_method = PUT) { return 201; }
      return 200 "$VALUE";
    }
  }
}
EOF
  start_bg nginx "$d/stdout.log" nginx -e "$d/error.log" -p "$d" -c "$d/nginx.conf" -g 'daemon off;'
  local pid=$STARTED_PID
  if ! wait_until nginx "$pid" "$START_TIMEOUT" port_open "$NGINX_PORT"; then
    tail_log nginx "$d/error.log"; tail_log nginx "$d/stdout.log"; return 1
  fi
  T_URL="http://127.0.0.1:$NGINX_PORT/"; T_BASE=""; T_PIDS="$pid"
}

# verify_fixed_body NAME PORT: the fixed-body servers (nginx, vertx) return the value and take PUTs
verify_fixed_body() {
  local body code
  body=$(curl -s --max-time 5 "http://127.0.0.1:$2/kv/k0")
  [[ $body == "$VALUE" ]] || { warn "$1: GET /kv/k0 did not return the value"; return 1; }
  code=$(http_code PUT "http://127.0.0.1:$2/kv/k0" --data-binary "$VALUE")
  [[ $code == 2?? ]] || { warn "$1: PUT answered $code"; return 1; }
}

verify_nginx() { verify_fixed_body nginx "$NGINX_PORT"; }

# vertx: the stack's own ceiling (bench/ceiling/VertxCeiling.java, run from source on the
# packaged app's jar with stored's JVM options): answers like nginx above.
start_vertx() {
  have_cmds java || return 1
  [[ -f $STORED_JAR ]] || { warn "vertx: $STORED_JAR is missing; build it first: ./mvnw package -DskipTests"; return 1; }
  require_free_port vertx "$VERTX_PORT" || return 1
  local d="$WORK/vertx"; mkdir -p "$d"
  # shellcheck disable=SC2086
  start_bg vertx "$d/vertx.log" java $STORED_JAVA_OPTS -cp "$STORED_JAR" \
    "$BENCH_HOME/ceiling/VertxCeiling.java" "$VERTX_PORT" "$VALUE"
  local pid=$STARTED_PID
  if ! wait_until vertx "$pid" "$START_TIMEOUT" port_open "$VERTX_PORT"; then
    tail_log vertx "$d/vertx.log"; return 1
  fi
  T_URL="http://127.0.0.1:$VERTX_PORT/"; T_BASE=""; T_PIDS="$pid"
}

verify_vertx() { verify_fixed_body vertx "$VERTX_PORT"; }

start_webdis() {
  have_cmds redis-server redis-cli webdis || return 1
  require_free_port redis "$REDIS_PORT" || return 1
  require_free_port webdis "$WEBDIS_PORT" || return 1
  local d="$WORK/webdis"; mkdir -p "$d"
  write_redis_conf "$d/redis.conf" "$REDIS_PORT" "$d"
  start_bg redis-server "$d/redis.stdout" redis-server "$d/redis.conf"
  local rpid=$STARTED_PID
  if ! wait_until redis "$rpid" "$START_TIMEOUT" redis-cli -p "$REDIS_PORT" ping; then
    tail_log redis "$d/redis.log"; return 1
  fi
  cat >"$d/webdis.json" <<EOF
{
  "redis_host": "127.0.0.1",
  "redis_port": $REDIS_PORT,
  "redis_auth": null,
  "http_host": "127.0.0.1",
  "http_port": $WEBDIS_PORT,
  "threads": $WEBDIS_THREADS,
  "daemonize": false,
  "database": 0,
  "acl": [ { "disabled": ["DEBUG"] } ],
  "verbosity": 1,
  "logfile": "$d/webdis.log"
}
EOF
  start_bg webdis "$d/webdis.stdout" webdis "$d/webdis.json"
  local wpid=$STARTED_PID
  if ! wait_until webdis "$wpid" "$START_TIMEOUT" curl -sf --max-time 2 "http://127.0.0.1:$WEBDIS_PORT/PING"; then
    tail_log webdis "$d/webdis.log"; tail_log webdis "$d/webdis.stdout"; return 1
  fi
  T_URL="http://127.0.0.1:$WEBDIS_PORT/"; T_BASE=""; T_PIDS="$wpid $rpid"
}

verify_webdis() {
  local n body last=$((KEYS - 1)) code
  n=$(redis-cli -p "$REDIS_PORT" dbsize)
  [[ $n == "$KEYS" ]] || { warn "webdis: redis holds $n keys, expected $KEYS"; return 1; }
  body=$(curl -s --max-time 5 "http://127.0.0.1:$WEBDIS_PORT/GET/k$last.txt")
  [[ $body == "$VALUE" ]] || { warn "webdis: GET /GET/k$last.txt did not return the value"; return 1; }
  code=$(http_code PUT "http://127.0.0.1:$WEBDIS_PORT/SET/k0" --data-binary "$VALUE")
  [[ $code == 2?? ]] || { warn "webdis: PUT answered $code"; return 1; }
  [[ $(redis-cli -p "$REDIS_PORT" strlen k0) == "$VALUE_SIZE" ]] || { warn "webdis: PUT body was not stored as the value"; return 1; }
}

start_etcd() {
  have_cmds etcd || return 1
  require_free_port etcd "$ETCD_PORT" || return 1
  require_free_port etcd-peer "$ETCD_PEER_PORT" || return 1
  local d="$WORK/etcd"; mkdir -p "$d"
  cat >"$d/etcd.yaml" <<EOF
name: bench
data-dir: $d/data
listen-client-urls: http://127.0.0.1:$ETCD_PORT
advertise-client-urls: http://127.0.0.1:$ETCD_PORT
listen-peer-urls: http://127.0.0.1:$ETCD_PEER_PORT
initial-advertise-peer-urls: http://127.0.0.1:$ETCD_PEER_PORT
initial-cluster: bench=http://127.0.0.1:$ETCD_PEER_PORT
initial-cluster-state: new
initial-cluster-token: bench
logger: zap
log-level: warn
log-outputs: [$d/etcd.log]
enable-grpc-gateway: true
EOF
  start_bg etcd "$d/etcd.stdout" etcd --config-file "$d/etcd.yaml"
  local pid=$STARTED_PID
  if ! wait_until etcd "$pid" "$START_TIMEOUT" sh -c "curl -s --max-time 2 http://127.0.0.1:$ETCD_PORT/health | grep -q '\"health\":\"true\"'"; then
    tail_log etcd "$d/etcd.log"; tail_log etcd "$d/etcd.stdout"; return 1
  fi
  T_URL="http://127.0.0.1:$ETCD_PORT/"; T_BASE=""; T_PIDS="$pid"
}

verify_etcd() {
  local out n last=$((KEYS - 1)) k v code
  # count every key: range ["\0", "\0") means all keys
  out=$(curl -s --max-time 5 -X POST "http://127.0.0.1:$ETCD_PORT/v3/kv/range" \
        -d '{"key":"AA==","range_end":"AA==","count_only":true}')
  n=$(printf '%s' "$out" | sed -nE 's/.*"count":"?([0-9]+)"?.*/\1/p')
  [[ $n == "$KEYS" ]] || { warn "etcd: holds ${n:-?} keys, expected $KEYS ($out)"; return 1; }
  k=$(printf 'k%s' "$last" | base64 -w0); v=$(printf '%s' "$VALUE" | base64 -w0)
  out=$(curl -s --max-time 5 -X POST "http://127.0.0.1:$ETCD_PORT/v3/kv/range" -d "{\"key\":\"$k\"}")
  [[ $out == *"\"value\":\"$v\""* ]] || { warn "etcd: range k$last did not return the value ($out)"; return 1; }
  code=$(http_code POST "http://127.0.0.1:$ETCD_PORT/v3/kv/put" -d "{\"key\":\"$k\",\"value\":\"$v\"}")
  [[ $code == 2?? ]] || { warn "etcd: put answered $code"; return 1; }
}

start_stored() {
  local code
  if [[ -n $STORED_URL ]]; then
    code=$(http_code GET "${STORED_URL%/}/default/k0/0")
    if [[ $code == 000 ]]; then
      return 2  # nothing answers: skipped, not failed
    fi
    T_URL=$(url_root "$STORED_URL"); T_BASE=$(url_path "$STORED_URL"); T_PIDS="${STORED_PID:-}"
    log "stored: $STORED_URL answered $code to GET /default/k0/0"
    return 0
  fi
  have_cmds java || return 1
  [[ -f $STORED_JAR ]] || { warn "stored: $STORED_JAR is missing; build it first: ./mvnw package -DskipTests"; return 1; }
  require_free_port stored "$STORED_PORT" || return 1
  require_free_port stored-management "$STORED_MGMT_PORT" || return 1
  local d="$WORK/stored"; mkdir -p "$d"
  # shellcheck disable=SC2086
  start_bg stored "$d/stored.log" java $STORED_JAVA_OPTS -Dvertx.disableURIValidation=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$STORED_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$STORED_MGMT_PORT" -jar "$STORED_JAR"
  local pid=$STARTED_PID
  if ! wait_until stored "$pid" "$START_TIMEOUT" sh -c "curl -sf --max-time 2 http://127.0.0.1:$STORED_MGMT_PORT/q/health/ready >/dev/null"; then
    tail_log stored "$d/stored.log"; return 1
  fi
  STORED_URL="http://127.0.0.1:$STORED_PORT"
  T_URL="$STORED_URL/"; T_BASE=""; T_PIDS="$pid"
  log "stored: $(grep -o 'started in [0-9.]*s' "$d/stored.log" | head -1), JVM options: $STORED_JAVA_OPTS"
}

# cluster: 3 stores (RF=2), the monkey and an endpoint, each its own JVM; wrk talks to the
# endpoint, which forwards every request to the partition's primary (one hop).
start_cluster() {
  have_cmds java || return 1
  [[ -f $STORED_JAR ]] || { warn "cluster: $STORED_JAR is missing; build it first: ./mvnw package -DskipTests"; return 1; }
  local d="$WORK/cluster" members="" k pids=""
  mkdir -p "$d"
  for k in 1 2 3; do members="$members${members:+,}s$k=127.0.0.1:$((CLUSTER_BASE_PORT + k))"; done
  # cluster_node NAME ROLES HTTP MGMT [extra]
  cluster_node() {
    local name=$1 roles=$2 http=$3 mgmt=$4; shift 4
    require_free_port "cluster-$name" "$http" || return 1
    # shellcheck disable=SC2086
    start_bg "cluster-$name" "$d/$name.log" java $CLUSTER_JAVA_OPTS -Dvertx.disableURIValidation=true \
      -Dstored.roles="$roles" -Dstored.node-name="$name" -Dstored.cluster.members="$members" \
      -Dstored.cluster.host=127.0.0.1 -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$http" \
      -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$mgmt" "$@" -jar "$STORED_JAR"
    pids="$pids $STARTED_PID"
  }
  for k in 1 2 3; do
    cluster_node "s$k" store $((CLUSTER_BASE_PORT + 1000 + k)) $((CLUSTER_BASE_PORT + 2000 + k)) \
      -Dstored.cluster.port=$((CLUSTER_BASE_PORT + k)) || return 1
  done
  cluster_node monkey monkey $((CLUSTER_BASE_PORT + 1010)) $((CLUSTER_BASE_PORT + 2010)) || return 1
  cluster_node endpoint endpoint $((CLUSTER_BASE_PORT + 1000)) $((CLUSTER_BASE_PORT + 2000)) || return 1
  for k in 0 1 2 3; do
    if ! wait_until cluster "${pids%% *}" "$START_TIMEOUT" sh -c "curl -sf --max-time 2 http://127.0.0.1:$((CLUSTER_BASE_PORT + 2000 + k))/q/health/ready >/dev/null"; then
      tail_log cluster "$d/endpoint.log"; return 1
    fi
  done
  CLUSTER_URL="http://127.0.0.1:$((CLUSTER_BASE_PORT + 1000))"
  T_URL="$CLUSTER_URL/"; T_BASE=""; T_PIDS="${pids# }"
  log "cluster: 3 stores RF=2 + monkey + endpoint, JVM options: $CLUSTER_JAVA_OPTS"
}

verify_cluster() { STORED_URL=$CLUSTER_URL verify_stored; }

verify_stored() {
  local b="${STORED_URL%/}" last=$((KEYS - 1)) body code k
  for k in k0 "k$last"; do
    body=$(curl -s --max-time 5 "$b/default/$k/0")
    [[ $body == "$VALUE" ]] || { warn "stored: GET /default/$k/0 did not return the value"; return 1; }
  done
  code=$(http_code PUT "$b/default/k0/0" --data-binary "$VALUE")
  [[ $code == 200 ]] || warn "stored: PUT of an existing key answered $code (API says 200)"
  [[ $code == 2?? ]] || return 1
  code=$(http_code GET "$b/default/no-such-key-$$/0")
  [[ $code == 404 ]] || warn "stored: GET of a missing key answered $code (API says 404)"
  return 0
}

# ---- load ------------------------------------------------------------------------

# preload TARGET: writes k0..k(KEYS-1) through the target's own HTTP API
preload() {
  local t=$1 n=$PRELOAD_CONNS out="$OUT_DIR/preload-$1.txt" line
  ((n > KEYS)) && n=$KEYS
  run_preload "$out" "$n" "$PRELOAD_MAX_S" "$T_URL" BENCH_TARGET="$t" BENCH_BASE_PATH="$T_BASE" \
    BENCH_KEYS="$KEYS" BENCH_VALUE_SIZE="$VALUE_SIZE"
  line=$(grep '^PRELOAD_RESULT' "$out")
  log "$t: preload: ${line:-no result, see $out}"
  if [[ $line != *" ok=$KEYS "* ]]; then
    grep '^PRELOAD_FIRST_BAD' "$out" >&2
    warn "$t: preload did not write all $KEYS keys (see $out)"
    return 1
  fi
}

# field NAME LINE: value of NAME=... in a BENCH_RESULT line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# measure TARGET OP RUN [SECONDS]: one wrk run; RUN=0 is the warmup (not recorded), of
# SECONDS when given (the JVMs' second warmup run, with some requests asking to close)
measure() {
  local t=$1 op=$2 run=$3 dur=$DURATION out line rc cpu load close_every=0
  if ((run == 0)); then
    dur=$WARMUP; jvm_target "$t" && dur=$STORED_WARMUP
    out="$OUT_DIR/wrk-$t-$op-warmup.txt"
    [[ -z ${4:-} ]] || { dur=$4; close_every=$REWARM_CLOSE_EVERY; out="$OUT_DIR/wrk-$t-$op-rewarm.txt"; }
    ((dur > 0)) || return 0
  else
    out="$OUT_DIR/wrk-$t-$op-$run.txt"
  fi
  load=$(loadavg1)
  # shellcheck disable=SC2086
  cpu_mark $T_PIDS
  BENCH_TARGET=$t BENCH_OP=$op BENCH_BASE_PATH=$T_BASE BENCH_KEYS=$KEYS BENCH_VALUE_SIZE=$VALUE_SIZE \
  BENCH_COUNT_STATUS=$COUNT_STATUS BENCH_CLOSE_EVERY=$close_every \
    timeout $((dur + 30)) "${WRK_CMD[@]}" -t"$THREADS" -c"$CONNS" -d"${dur}s" --timeout "$WRK_TIMEOUT" \
      -s "$BENCH_HOME/lua/bench.lua" "$T_URL" >"$out" 2>&1
  rc=$?
  # shellcheck disable=SC2086
  cpu_report $T_PIDS
  local cpu="$CPU_OTHER $CPU_STEAL"
  [[ -n $T_PIDS ]] || cpu="n/a n/a"
  line=$(grep '^BENCH_RESULT' "$out")
  if ((rc != 0)) || [[ -z $line ]]; then
    warn "$t $op run $run: wrk failed (rc=$rc), see $out"; tail -n 5 "$out" >&2
    return 1
  fi
  ((run == 0)) && return 0
  local rps p50 p99 n2 sock
  LAST_NOISY=0
  [[ ${cpu% *} != n/a ]] && (( ${cpu% *} > NOISY_PCT )) && LAST_NOISY=1
  rps=$(field rps "$line"); p50=$(field p50_us "$line"); p99=$(field p99_us "$line")
  if [[ $COUNT_STATUS == 1 ]]; then n2=$(field non2xx "$line"); else n2=$(field status_ge400 "$line"); fi
  sock=$(( $(field err_connect "$line") + $(field err_read "$line") + $(field err_write "$line") + $(field err_timeout "$line") ))
  local srvcpu=$CPU_SERVER; [[ -n $T_PIDS ]] || srvcpu="n/a"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$op" "$run" "$rps" "$p50" "$p99" \
    "$(field max_us "$line")" "$n2" "$sock" "${cpu% *}" "${cpu#* }" "$load" "$LAST_NOISY" "${CPU_TOP:--}" "$srvcpu" "$CPU_WRK" >>"$RESULTS"
  log "$t $op run $run: $(printf '%.0f' "$rps") req/s, p50 $p50 us, p99 $p99 us, non-2xx $n2, socket errors $sock, CPU % of machine: server $srvcpu, wrk $CPU_WRK, other ${cpu% *} (top: ${CPU_TOP:--}), steal ${cpu#* }; load $load"
}

stop_target() {
  local p
  for p in $T_STARTED; do stop_pid "$p"; forget_pid "$p"; done
}

# up_target TARGET: starts TARGET, preloads and verifies it, and records its state
# (T_URL, T_BASE, T_PIDS, T_STARTED) for use_target. Non-zero when it cannot be measured.
declare -A T_URL_OF T_BASE_OF T_PIDS_OF T_STARTED_OF RUN_NO RETRIED
up_target() {
  local t=$1 rc
  T_URL="" T_BASE="" T_PIDS="" LAST_WARN=""
  local before=${#BENCH_PIDS[@]}
  log "== $t =="
  case $t in
    nginx)  start_nginx ;;
    vertx)  start_vertx ;;
    webdis) start_webdis ;;
    etcd)   start_etcd ;;
    stored) start_stored ;;
    cluster) start_cluster ;;
    *) note "$t: unknown target (known: nginx vertx webdis etcd stored cluster)"; FAILED=1; return 1 ;;
  esac
  rc=$?
  T_STARTED="${BENCH_PIDS[*]:$before}"
  if ((rc == 2)); then
    note "stored: skipped, nothing answered at $STORED_URL (start it first, or leave STORED_URL empty to start the packaged app)"
    return 1
  elif ((rc != 0)); then
    note "$t: failed to start: ${LAST_WARN:-see messages above}"; FAILED=1; stop_target; return 1
  fi
  if ! preload "$t" || ! "verify_$t"; then
    note "$t: preload/verification failed, not measured: ${LAST_WARN:-see messages above}"; FAILED=1; stop_target; return 1
  fi
  T_URL_OF[$t]=$T_URL T_BASE_OF[$t]=$T_BASE T_PIDS_OF[$t]=$T_PIDS T_STARTED_OF[$t]=$T_STARTED
}

use_target() { T_URL=${T_URL_OF[$1]} T_BASE=${T_BASE_OF[$1]} T_PIDS=${T_PIDS_OF[$1]} T_STARTED=${T_STARTED_OF[$1]}; }

jvm_target() { [[ $1 == stored || $1 == cluster || $1 == vertx ]]; }

# warm TARGET OP: the unrecorded warmup; non-zero when it failed. A JVM target gets a second
# run, on new connections, with one request in REWARM_CLOSE_EVERY asking the server to close its
# connection: connections opened, and closed by the server, only after the JIT compiled the hot
# path take branches it has never seen taken, and the JVM recompiles that path, at a cost of
# most of a second of slower answers (bench/README.md, 2026-11-29 late morning). The first
# connection Stored asks to move would do that in a measured run.
warm() {
  use_target "$1"
  measure "$1" "$2" 0 || { note "$1 $2: warmup failed"; FAILED=1; return 1; }
  if jvm_target "$1" && ((STORED_REWARM > 0)); then
    measure "$1" "$2" 0 "$STORED_REWARM" || { note "$1 $2: warmup failed"; FAILED=1; return 1; }
  fi
}

# measured_run TARGET OP: one counted run. A run during which other processes used more
# than NOISY_PCT % of the machine is kept in results.tsv but repeated at once
# (NOISY_RETRIES times at most per target and op).
measured_run() {
  local t=$1 op=$2 k="$1/$2"
  use_target "$t"
  while :; do
    RUN_NO[$k]=$(( ${RUN_NO[$k]:-0} + 1 ))
    measure "$t" "$op" "${RUN_NO[$k]}" || { note "$t $op run ${RUN_NO[$k]}: failed"; FAILED=1; return; }
    if ((LAST_NOISY)) && (( ${RETRIED[$k]:-0} < NOISY_RETRIES )); then
      RETRIED[$k]=$(( ${RETRIED[$k]:-0} + 1 ))
      log "$t $op run ${RUN_NO[$k]}: other processes used more than ${NOISY_PCT}% of the machine; one more run"
      continue
    fi
    return
  done
}

# sequential: one target at a time, all its runs, then the next
bench_sequential() {
  local t op i
  for t in $TARGETS; do
    up_target "$t" || continue
    for op in $OPS; do
      warm "$t" "$op" || continue
      for ((i = 1; i <= RUNS; i++)); do measured_run "$t" "$op"; done
    done
    use_target "$t"; stop_target
  done
}

# interleaved: every target up at once (idle ones cost next to nothing), each op warmed on
# all of them, then run 1 of every target, run 2 of every target, ... so that the runs a
# ratio compares lie seconds apart, not minutes: the machine drifts over minutes
bench_interleaved() {
  local t op i up=() warmed
  for t in $TARGETS; do up_target "$t" && up+=("$t"); done
  for op in $OPS; do
    warmed=()
    for t in "${up[@]}"; do warm "$t" "$op" && warmed+=("$t"); done
    for ((i = 1; i <= RUNS; i++)); do
      for t in "${warmed[@]}"; do measured_run "$t" "$op"; done
    done
  done
  for t in "${up[@]}"; do use_target "$t"; stop_target; done
}

# ---- main ------------------------------------------------------------------------
printf 'target\top\trun\trps\tp50_us\tp99_us\tmax_us\tnon2xx\tsocket_errors\tother_cpu_pct\tsteal_pct\tload1\tnoisy\ttop_other_processes\tserver_cpu_pct\twrk_cpu_pct\n' >"$RESULTS"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "wrk: -t$THREADS -c$CONNS -d${DURATION}s --timeout $WRK_TIMEOUT, warmup ${WARMUP}s (stored ${STORED_WARMUP}s + ${STORED_REWARM}s closing 1 in $REWARM_CLOSE_EVERY), $RUNS runs per op; $KEYS keys, ${VALUE_SIZE}-byte values, random keys"
  echo "versions: $(wrk -v 2>&1 | head -1 | awk '{print "wrk", $2}'); $(nginx -v 2>&1 | sed 's#nginx version: ##'); redis $(redis-server --version 2>/dev/null | sed -E 's/.*v=([^ ]+).*/\1/'); webdis $(dpkg-query -W -f='${Version}' webdis 2>/dev/null); etcd $(etcd --version 2>/dev/null | awk 'NR==1 {print $3}')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT_DIR/context.txt"
cat "$OUT_DIR/context.txt" >&2

if [[ $ORDER == sequential ]]; then bench_sequential; else bench_interleaved; fi

ELAPSED=$(( $(date +%s) - T0 ))
{
  echo "### Stored benchmark harness: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  sed 's/^/- /' "$OUT_DIR/context.txt"
  echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg); whole run took ${ELAPSED}s"
  echo
  awk -F'\t' -v noisy_pct="$NOISY_PCT" -v cpus="$(nproc)" -f "$BENCH_HOME/lib/median.awk" -f "$BENCH_HOME/lib/table.awk" "$RESULTS"
  echo
  if [[ $COUNT_STATUS == 1 ]]; then
    echo "non-2xx: every status outside 200–299, counted in Lua."
  else
    echo "non-2xx: as counted by wrk (status >= 400); each target's GET and PUT were first checked with curl to answer 2xx. COUNT_STATUS=1 counts 1xx/3xx too."
  fi
  echo "server CPU µs/req: the server's CPU time per request (its processes' /proc ticks over the run's requests); it depends less than req/s on how the cores were shared with wrk."
  echo "other CPU: CPU used meanwhile by processes other than the target and wrk, in % of the whole machine (an estimate from /proc tick counts); high values mean the figures are depressed by other work. Runs above ${NOISY_PCT}% count as noisy: up to ${NOISY_RETRIES} extra run(s) per row replace them, and the row's figures leave them out when a quiet run exists (all runs are in results.tsv)."
  for n in "${NOTES[@]}"; do echo "- note: $n"; done
} | tee "$OUT_DIR/table.md"

log "results: $OUT_DIR (table.md, results.tsv, wrk-*.txt); run took ${ELAPSED}s"
exit "$FAILED"
