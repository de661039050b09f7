#!/usr/bin/env bash
# transfer.sh: state-transfer rate of a Stored cluster on loopback.
#
# Starts 2 stores (RF=2, so each holds everything), the monkey and an endpoint with
# bin/local-cluster, loads KEYS items of VALUE_SIZE bytes through the endpoint, then adds
# a third store and times it from "added" to "ready" (every partition it receives pulled
# and owned). Prints the bytes it received (its stored_memory_used_bytes: keys + values +
# the accounted per-entry overhead, and the payload alone) and the rate.
#
#   ./mvnw package -DskipTests && bench/transfer.sh
#   KEYS=400000 VALUE_SIZE=1000 bench/transfer.sh
#
# Needs wrk (bench/setup.sh installs it). Uses ports 7001-7003, 8080-8083, 8090,
# 9000-9003, 9090 (bin/local-cluster's); stops the cluster at the end.
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_HOME/.." && pwd)
. "$BENCH_HOME/lib/common.sh"

KEYS=${KEYS:-200000}
VALUE_SIZE=${VALUE_SIZE:-1000}
export STORED_JAVA_OPTS=${STORED_JAVA_OPTS:-"-Xms2g -Xmx2g -XX:+UseParallelGC"}
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

start=$(date +%s.%N)
"$cluster" add 3 >&2
end=$(date +%s.%N)
metric() { curl -s http://127.0.0.1:9003/q/metrics | awk -v m="$1" '$1 == m { print $2 }'; }
bytes=$(metric stored_memory_used_bytes)
entries=$(metric stored_entries)
# The transfer itself: from the ring that made s3 a pending owner to the one that made it own
# everything it received (s3's log), so the JVM's start is left out.
ms() { awk '{ split($2, t, /[:,]/); printf "%d\n", ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'; }
log_file="$ROOT/target/local-cluster/s3.log"
first=$(grep -m1 'installed ring.*receiving [1-9]' "$log_file" | ms)
last=$(grep 'installed ring.*receiving 0$' "$log_file" | tail -1 | ms)
awk -v s="$start" -v e="$end" -v t0="$first" -v t1="$last" -v b="$bytes" -v n="$entries" -v v="$VALUE_SIZE" 'BEGIN {
  t = (t1 - t0) / 1000
  printf "store s3 received %d items, %.1f MB accounted (%.1f MB of values)\n", n, b / 1e6, n * v / 1e6
  printf "transfer (first pending ring to owning all): %.2f s = %.1f MB/s accounted, %.1f MB/s of values\n",
    t, b / 1e6 / t, n * v / 1e6 / t
  printf "add to ready, including the JVM start: %.2f s\n", e - s
}'
