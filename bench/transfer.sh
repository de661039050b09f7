#!/usr/bin/env bash
# transfer.sh: state-transfer rate of a Stored cluster on loopback.
#
# Starts 2 stores (RF=2, so each holds everything), the monkey and an endpoint with
# bin/local-cluster and loads KEYS items of VALUE_SIZE bytes through the endpoint. Then
#  1. adds a third store, s3: it receives 2/3 of the partitions in a JVM that has just
#     started, so its JIT warm-up is part of the figure;
#  2. removes s1: s3, now warm, receives the partitions it still lacks.
# Each is timed on s3's log (the JVM's start left out) from the ring that has it receiving
# partitions to its "received every partition" line: the rate is over that time, with the
# bytes received (its stored_memory_used_bytes: keys + values + the accounted per-entry
# overhead, and the payload alone). "Owned after" adds the monkey's rounds that turn the
# received partitions into owned ones (a round every stored.cluster.monkey-interval).
#
#   ./mvnw package -DskipTests && bench/transfer.sh
#   KEYS=400000 VALUE_SIZE=1000 bench/transfer.sh
#   JFR=/tmp/jfr bench/transfer.sh     # also a JFR profile of every node still running at the end
#
# Needs wrk (bench/setup.sh installs it). Uses ports 7001-7003, 8080-8083, 8090,
# 9000-9003, 9090 (bin/local-cluster's); stops the cluster at the end.
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_HOME/.." && pwd)
. "$BENCH_HOME/lib/common.sh"

KEYS=${KEYS:-200000}
VALUE_SIZE=${VALUE_SIZE:-1000}
# a store pod's JVM: the image's GC settings (src/main/docker/Dockerfile.jvm) and the
# operator's fixed heap, touched at start (ClusterResources)
export STORED_JAVA_OPTS=${STORED_JAVA_OPTS:-"-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:+UseTransparentHugePages -XX:MetaspaceSize=64m"}
JFR=${JFR:-}
if [ -n "$JFR" ]; then
  mkdir -p "$JFR"
  STORED_JAVA_OPTS="$STORED_JAVA_OPTS -XX:StartFlightRecording=settings=profile"
fi
cluster="$ROOT/bin/local-cluster"
need_cmds wrk curl awk
BENCH_WORK=$(mktemp -d /tmp/bench-transfer.XXXXXX)
trap '"$cluster" stop >/dev/null 2>&1 || true; rm -rf "$BENCH_WORK"' EXIT

"$cluster" stop >/dev/null 2>&1 || true
"$cluster" start 2 >&2
log "loading $KEYS items of $VALUE_SIZE bytes"
run_preload "$BENCH_WORK/preload.txt" 8 600 "http://127.0.0.1:8080/" BENCH_TARGET=stored \
  BENCH_BASE_PATH="" BENCH_KEYS="$KEYS" BENCH_VALUE_SIZE="$VALUE_SIZE"
grep '^PRELOAD_RESULT' "$BENCH_WORK/preload.txt" >&2
grep -q " ok=$KEYS " "$BENCH_WORK/preload.txt" || die "preload did not write every key"

metric() { curl -s http://127.0.0.1:9003/q/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
# The transfer itself, from s3's log: from the first ring (after line $1) that has it receiving
# partitions to its "received every partition" line (and, for "owned", to the ring that has it
# receiving none), so the JVM's start is left out.
log_file="$ROOT/target/local-cluster/s3.log"
transfer_seconds() { # FROM_LINE: "SECONDS_TO_RECEIVE SECONDS_TO_OWN"
  tail -n +"$(($1 + 1))" "$log_file" | awk '
    function ms(s, t) { split(s, t, /[:,]/); return ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
    /installed ring.*receiving [1-9]/ && !first { first = ms($2) }
    /received every partition it was given/ && first { received = ms($2) }
    /installed ring.*receiving 0$/ && first { owned = ms($2) }
    END { printf "%.3f %.3f\n", (received - first) / 1000, (owned - first) / 1000 }'
}
report() { # WHAT "SECONDS_TO_RECEIVE SECONDS_TO_OWN" ITEMS BYTES
  awk -v what="$1" -v t="$2" -v n="$3" -v b="$4" -v v="$VALUE_SIZE" 'BEGIN {
    split(t, s, " ")
    printf "%s: %d items, %.1f MB accounted (%.1f MB of values); received in %.2f s = %.1f MB/s accounted, %.1f MB/s of values; owned after %.2f s\n",
      what, n, b / 1e6, n * v / 1e6, s[1], b / 1e6 / s[1], n * v / 1e6 / s[1], s[2]
  }'
}

# 1. A new store joins: s3 is a JVM that started a second ago (its JIT has not warmed up).
start=$(date +%s.%N)
log "adding s3 at $(date +%H:%M:%S.%3N)"
"$cluster" add 3 >&2
end=$(date +%s.%N)
entries=$(metric stored_entries)
bytes=$(metric stored_memory_used_bytes)
report "join, s3 receives (cold JVM)" "$(transfer_seconds 0)" "$entries" "$bytes"
awk -v s="$start" -v e="$end" 'BEGIN { printf "join, add to ready including the JVM start: %.2f s\n", e - s }'

# 2. s1 leaves: s3, now warm, receives the partitions it lacks (RF=2 on the two left).
lines=$(wc -l <"$log_file")
"$cluster" remove 1 >&2
report "leave of s1, s3 receives (warm JVM)" "$(transfer_seconds "$lines")" \
  "$(awk -v a="$(metric stored_entries)" -v b="$entries" 'BEGIN { print a - b }')" \
  "$(awk -v a="$(metric stored_memory_used_bytes)" -v b="$bytes" 'BEGIN { print a - b }')"
if [ -n "$JFR" ]; then
  for f in "$ROOT"/target/local-cluster/*.pid; do
    jcmd "$(cat "$f")" JFR.dump filename="$JFR/$(basename "$f" .pid).jfr" >/dev/null
  done
  log "JFR recordings in $JFR"
fi
