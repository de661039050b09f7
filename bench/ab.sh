#!/usr/bin/env bash
# ab.sh: two builds of Stored side by side, in alternating pairs of wrk runs.
#
# Runs on these 2-core VMs move by 15 % from one minute to the next, more than a small
# change to the server does; two bench/run.sh invocations one after the other cannot show
# such a change. ab.sh starts both jars at once (each on its own ports, the same keys
# preloaded, both warmed), then measures them in pairs, in A B B A order so that neither
# always goes first, and prints every run and, per jar, the median req/s, the median
# server CPU time per request and the median p99 latency.
#
# Two copies of one build differed by up to 7 % in an A/A run (each JVM compiles its hot
# path its own way, for the life of the process): repeat, swap the sides, and believe only
# a change that stays in one direction and beyond that.
#
#   cp target/stored.jar /tmp/stored-a.jar    # build A, copy it; build B
#   bench/ab.sh /tmp/stored-a.jar target/stored.jar
#   PAIRS=8 OP=put bench/ab.sh A.jar B.jar
#   OPTS_B=-Dquarkus.vertx.prefer-native-transport=false bench/ab.sh X.jar X.jar  # one setting
#   JAVA_B=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/ab.sh X.jar X.jar     # one JVM
#   CONNECT_ON_CPU=0 bench/ab.sh A.jar B.jar   # wrk's threads all connect from CPU 0
#
# Environment: PAIRS (6), OP (get | put | mixed; get), DURATION (10 s per run), WARMUP
# (12 s per jar), REWARM (5 s more per jar on new connections, every REWARM_CLOSE_EVERY-th
# request (50) asking to close its connection; 0 = none), KEYS (10000), VALUE_SIZE (100),
# THREADS/CONNS (2/64), JAVA_OPTS
# (-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+UseTransparentHugePages, for both: the
# container image's collector and pages), OPTS_A/OPTS_B (more JVM options for one side:
# compare a setting on one jar), JAVA_A/JAVA_B (the java binary of each side; java on the
# PATH), PORT_A/PORT_B (18088/18089; management ports +1000), CONNECT_ON_CPU (unset; a CPU
# number: each wrk starts pinned to it, so that its threads all connect from there, and may run
# on every CPU from UNPIN_AFTER seconds on (0.3), as when two client threads happened to start
# on one CPU: what connection placement must then cope with).
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_HOME/lib/common.sh"

(($# == 2)) || { echo "usage: $0 A.jar B.jar" >&2; exit 2; }
JAR_A=$1 JAR_B=$2
PAIRS=${PAIRS:-6}
OP=${OP:-get}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-12}
REWARM=${REWARM:-5}
REWARM_CLOSE_EVERY=${REWARM_CLOSE_EVERY:-50}
KEYS=${KEYS:-10000}
VALUE_SIZE=${VALUE_SIZE:-100}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+UseTransparentHugePages"}
OPTS_A=${OPTS_A:-}
OPTS_B=${OPTS_B:-}
JAVA_A=${JAVA_A:-java}
JAVA_B=${JAVA_B:-java}
PORT_A=${PORT_A:-18088}
PORT_B=${PORT_B:-18089}
CONNECT_ON_CPU=${CONNECT_ON_CPU:-}
UNPIN_AFTER=${UNPIN_AFTER:-0.3}
need_cmds "$JAVA_A" "$JAVA_B" wrk curl awk
[[ -z $CONNECT_ON_CPU ]] || need_cmds taskset
for j in "$JAR_A" "$JAR_B"; do [[ -f $j ]] || die "$j is missing"; done

BENCH_PIDS=()
BENCH_WORK=$(mktemp -d /tmp/bench-ab.XXXXXX)
# errexit off while stopping: wait reports a stopped server's signal status
trap 'set +e; stop_all; rm -rf "$BENCH_WORK"' EXIT
trap 'warn "interrupted"; exit 130' INT TERM

declare -A PID
for side in A B; do
  jar_var=JAR_$side port_var=PORT_$side opts_var=OPTS_$side java_var=JAVA_$side
  jar=${!jar_var} port=${!port_var} opts=${!opts_var} java=${!java_var}
  require_free_port "$side" "$port" || exit 1
  require_free_port "$side-management" $((port + 1000)) || exit 1
  # shellcheck disable=SC2086
  start_bg "$side" "$BENCH_WORK/$side.log" "$java" $JAVA_OPTS $opts -Dvertx.disableURIValidation=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=$((port + 1000)) -jar "$jar"
  PID[$side]=$STARTED_PID
done
for side in A B; do
  port_var=PORT_$side
  wait_until "$side" "${PID[$side]}" 60 sh -c \
    "curl -sf --max-time 2 http://127.0.0.1:$((${!port_var} + 1000))/q/health/ready >/dev/null" \
    || { tail_log "$side" "$BENCH_WORK/$side.log"; exit 1; }
  run_preload "$BENCH_WORK/preload-$side.txt" 8 120 "http://127.0.0.1:${!port_var}/" \
    BENCH_TARGET=stored BENCH_KEYS="$KEYS" BENCH_VALUE_SIZE="$VALUE_SIZE" \
    || die "$side: preload failed: $(cat "$BENCH_WORK/preload-$side.txt")"
  grep -q " ok=$KEYS " "$BENCH_WORK/preload-$side.txt" || die "$side: preload did not write every key"
done

# one_run SIDE SECONDS [CLOSE_EVERY]: prints "req/s cpu_us_per_request p99_ms"
one_run() {
  local port_var=PORT_$1 t0 t1 out
  local pin=() all_cpus wrk_pid
  [[ -z $CONNECT_ON_CPU ]] || pin=(taskset -c "$CONNECT_ON_CPU")
  t0=$(pid_tree_ticks "${PID[$1]}")
  BENCH_TARGET=stored BENCH_OP="$OP" BENCH_KEYS="$KEYS" BENCH_VALUE_SIZE="$VALUE_SIZE" \
    BENCH_CLOSE_EVERY="${3:-0}" \
    "${pin[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$2s" -s "$BENCH_HOME/lua/bench.lua" \
    "http://127.0.0.1:${!port_var}/" >"$BENCH_WORK/wrk.txt" &
  wrk_pid=$!
  if [[ -n $CONNECT_ON_CPU ]]; then
    sleep "$UNPIN_AFTER"
    all_cpus=$(taskset -p 1 | awk '{print $NF}') # init's mask: every CPU
    taskset -a -p "$all_cpus" "$wrk_pid" >/dev/null
  fi
  wait "$wrk_pid"
  out=$(cat "$BENCH_WORK/wrk.txt")
  t1=$(pid_tree_ticks "${PID[$1]}")
  echo "$out" | awk -v ticks=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ { n = $1 } /Requests\/sec/ { rps = $2 }
    /BENCH_RESULT/ { for (i = 2; i <= NF; i++) if ($i ~ /^p99_us=/) p99 = substr($i, 8) / 1000 }
    END { printf "%.0f %.1f %.2f\n", rps, (n > 0 ? ticks / hz * 1e6 / n : 0), p99 }'
}

for side in A B; do
  log "$side: warming up for ${WARMUP}s, then ${REWARM}s on new connections"
  one_run "$side" "$WARMUP" >/dev/null
  # connections opened, and closed by the server, only after the hot path is compiled make the
  # JVM recompile it (bench/run.sh's warm()): better here than in a measured run
  ((REWARM == 0)) || one_run "$side" "$REWARM" "$REWARM_CLOSE_EVERY" >/dev/null
done
results=()
for ((i = 1; i <= PAIRS; i++)); do
  order="A B"; ((i % 2 == 0)) && order="B A"
  for side in $order; do
    r=$(one_run "$side" "$DURATION")
    read -r rps cpu p99 <<<"$r"
    log "pair $i $side: $rps req/s, $cpu us of server CPU per request, p99 $p99 ms"
    results+=("$side $r")
  done
done

# mawk takes no program text beside -f, so median.awk goes in front of the text
printf '%s\n' "${results[@]}" | awk -v a="$JAVA_A $JAR_A${OPTS_A:+ $OPTS_A}" -v b="$JAVA_B $JAR_B${OPTS_B:+ $OPTS_B}" -v op="$OP" \
  "$(cat "$BENCH_HOME/lib/median.awk")"'
  { rps[$1] = rps[$1] " " $2; cpu[$1] = cpu[$1] " " $3; p99[$1] = p99[$1] " " $4; runs[$1]++ }
  END {
    printf "%s, %d runs each:\n", op, runs["A"]
    printf "A %s: median %.0f req/s, %.1f us of server CPU per request, p99 %.2f ms\n", a, med(rps["A"]), med(cpu["A"]), med(p99["A"])
    printf "B %s: median %.0f req/s, %.1f us of server CPU per request, p99 %.2f ms\n", b, med(rps["B"]), med(cpu["B"]), med(p99["B"])
    printf "B/A: req/s %.3f, CPU per request %.3f, p99 %.3f\n", med(rps["B"]) / med(rps["A"]), med(cpu["B"]) / med(cpu["A"]), med(p99["B"]) / med(p99["A"])
  }'
