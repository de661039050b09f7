#!/usr/bin/env bash
# startup.sh: start-up to ready of the packaged app (issue #6, target 5: under 1.5 s).
#
# Starts target/stored.jar RUNS times per variant, the variants alternating, and times each
# from launch to the first 200 of /q/health/ready (polled every 20 ms). Prints every start,
# then per variant the median, min and max, and Quarkus' own "started in" figure. Stops
# each start before the next.
#
#   ./mvnw package -DskipTests && bench/startup.sh
#   RUNS=10 bench/startup.sh
#   VARIANTS="cds image" bench/startup.sh
#   VARIANTS="cds other" OPTS_OTHER="-XX:SharedArchiveFile=target/stored.jsa -XX:TieredStopAtLevel=1" bench/startup.sh
#
# Variants: cds (-XX:SharedArchiveFile=stored.jsa, the README's command), plain (no
# archive), image (the container image's JAVA_OPTS), other (OPTS_OTHER, paths relative to
# the current directory). Environment: RUNS (7), VARIANTS ("cds plain"), JAVA (java on the
# PATH), JAR (target/stored.jar; its archive is the .jsa beside it), PORT / MGMT_PORT
# (18388 / 19388), PAUSE_S (1, between starts), TIMEOUT_S (60).
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$BENCH_HOME/lib/common.sh"

RUNS=${RUNS:-7}
VARIANTS=${VARIANTS:-cds plain}
JAVA=${JAVA:-java}
JAR=$(realpath "${JAR:-$BENCH_HOME/../target/stored.jar}")
ARCHIVE=${JAR%.jar}.jsa
PORT=${PORT:-18388}
MGMT_PORT=${MGMT_PORT:-19388}
PAUSE_S=${PAUSE_S:-1}
TIMEOUT_S=${TIMEOUT_S:-60}
IMAGE_OPTS="-XX:SharedArchiveFile=$ARCHIVE -XX:MetaspaceSize=64m -XX:+UseParallelGC -XX:+UseTransparentHugePages -XX:+ExitOnOutOfMemoryError -Dvertx.disableURIValidation=true"

[[ -f $JAR ]] || die "no $JAR: run ./mvnw package -DskipTests first"
need_cmds curl
require_free_port stored "$PORT" || exit 1
require_free_port stored-management "$MGMT_PORT" || exit 1
if [[ " $VARIANTS " == *" cds "* || " $VARIANTS " == *" image "* ]]; then
  # the JVM starts silently without an archive it cannot use: check that it can
  "$JAVA" -Xshare:on -XX:SharedArchiveFile="$ARCHIVE" -cp "$JAR" -version >/dev/null 2>&1 ||
    die "$JAVA cannot use $ARCHIVE with $JAR (rebuild: ./mvnw package -DskipTests)"
fi
BENCH_PIDS=()
trap stop_all EXIT

opts_of() {
  case $1 in
    cds) echo "-XX:SharedArchiveFile=$ARCHIVE" ;;
    plain) echo "" ;;
    image) echo "$IMAGE_OPTS" ;;
    other) echo "${OPTS_OTHER:?set OPTS_OTHER for the variant other}" ;;
    *) die "unknown variant $1 (cds, plain, image, other)" ;;
  esac
}

# start_once VARIANT: prints "ms started-in" of one start.
start_once() {
  local opts t0 t1 pid started logf=$WORK/$1.log
  opts=$(opts_of "$1")
  t0=$(date +%s%N)
  # shellcheck disable=SC2086  # the options are words
  "$JAVA" $opts -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
    -jar "$JAR" >"$logf" 2>&1 &
  pid=$!
  BENCH_PIDS+=("$pid")
  while ! curl -sf -o /dev/null "http://127.0.0.1:$MGMT_PORT/q/health/ready"; do
    alive "$pid" || die "$1: the app exited before it was ready (see $logf)"
    (( ($(date +%s%N) - t0) / 1000000000 < TIMEOUT_S )) || die "$1: not ready after ${TIMEOUT_S}s"
    sleep 0.02
  done
  t1=$(date +%s%N)
  stop_all || true  # (errexit would end the script at the wait for the stopped JVM)
  started=$(grep -o 'started in [0-9.]*s' "$logf" | grep -o '[0-9.]*' || echo '-')
  echo "$(( (t1 - t0) / 1000000 )) $started"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-startup.XXXXXX")
log "start-up to ready of $JAR, $RUNS starts per variant ($VARIANTS), alternating; $("$JAVA" -version 2>&1 | head -1)"
declare -A MS STARTED
for ((i = 1; i <= RUNS; i++)); do
  for v in $VARIANTS; do
    read -r ms started < <(start_once "$v")
    log "$v start $i: ready after $ms ms (Quarkus: started in ${started}s)"
    MS[$v]+=" $ms"
    STARTED[$v]+=" $started"
    sleep "$PAUSE_S"
  done
done

# median LIST: the median of space-separated numbers ("-" when there are none)
median() {
  local -a a
  read -r -a a <<<"$(tr ' ' '\n' <<<"$1" | grep -E '^[0-9.]+$' | sort -n | tr '\n' ' ')"
  local n=${#a[@]}
  if ((n == 0)); then echo "-"; elif ((n % 2)); then echo "${a[n / 2]}"; else
    awk -v x="${a[n / 2 - 1]}" -v y="${a[n / 2]}" 'BEGIN { print (x + y) / 2 }'
  fi
}

echo "| variant | starts | ready after, median ms | min–max ms | Quarkus \"started in\", median s |"
echo "|---|---|---|---|---|"
for v in $VARIANTS; do
  sorted=$(tr ' ' '\n' <<<"${MS[$v]}" | grep -E '^[0-9]+$' | sort -n)
  echo "| $v | $RUNS | $(median "${MS[$v]}") | $(head -1 <<<"$sorted")–$(tail -1 <<<"$sorted") | $(median "${STARTED[$v]}") |"
done
rm -rf "$WORK"
