#!/usr/bin/env bash
# summarize.sh: one Markdown table over several run.sh invocations.
#   ./summarize.sh /tmp/bench-results-A/results.tsv /tmp/bench-results-B/results.tsv
# NOISY_PCT (default 25): runs during which other processes used more than this
# share of the machine are left out of a row that has at least one quiet run.
set -euo pipefail
BENCH_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# > 0)) || { echo "usage: $0 results.tsv..." >&2; exit 2; }
# CPUS (default: this machine's): the measured machine's CPU count, for "server CPU µs/req".
awk -F'\t' -v noisy_pct="${NOISY_PCT:-25}" -v cpus="${CPUS:-$(nproc)}" -f "$BENCH_HOME/lib/median.awk" -f "$BENCH_HOME/lib/table.awk" "$@"
