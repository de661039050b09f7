# table.awk: a Markdown table from one or more results.tsv files (run.sh writes them).
#   awk -F'\t' -v cpus="$(nproc)" -f lib/median.awk -f lib/table.awk results.tsv [more ...]
# One row per target/op, in first-seen order: median and min–max over the runs;
# runs whose other-CPU figure (column 10) is above noisy_pct (default 25; set it
# with -v noisy_pct=N) are left out when the row has at least one quiet run.
# "server CPU µs/req" is the server's CPU time per request (column 15, its share of
# the machine's cpus, over the run's req/s): unlike req/s it does not depend on how
# the machine's cores were shared with wrk, so it compares two servers' cost better.
BEGIN {
  print "| target | op | runs | req/s (median) | req/s min–max | p50 ms (median) | p99 ms (median) | p99 ms min–max | non-2xx | socket errors | other CPU % (max) | server CPU µs/req (median) | req/s vs nginx | req/s vs webdis | p99 vs nginx |"
  print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
}
function add(k, q) {
  runs[k, q]++; rps[k, q] = rps[k, q] " " $4; p50[k, q] = p50[k, q] " " $5; p99[k, q] = p99[k, q] " " $6
  if ($15 ~ /^[0-9.]+$/ && $4 + 0 > 0 && cpus + 0 > 0) cost[k, q] = cost[k, q] " " $15 / 100 * cpus * 1e6 / $4
  n2[k, q] += $8; se[k, q] += $9
  if ($10 == "n/a") oc[k, q] = "n/a"; else if (oc[k, q] != "n/a" && $10 + 0 >= oc[k, q] + 0) oc[k, q] = $10
}
FNR > 1 && $1 != "target" {
  k = $1 SUBSEP $2
  if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
  add(k, "all")
  if ($10 == "n/a" || $10 + 0 <= (noisy_pct == "" ? 25 : noisy_pct) + 0) add(k, "quiet")
}
function ratio(a, b) { return (b + 0 > 0) ? sprintf("%.2f", a / b) : "–" }
END {
  # first pass: the median req/s and p99 of each row, so every row can be set against
  # nginx (the machine's HTTP ceiling) and webdis (Redis over HTTP) for the same op
  for (i = 1; i <= nk; i++) {
    k = order[i]; split(k, tk, SUBSEP)
    q = ((k, "quiet") in runs) ? "quiet" : "all"
    mrps[tk[1], tk[2]] = med(rps[k, q]); mp99[tk[1], tk[2]] = med(p99[k, q])
  }
  for (i = 1; i <= nk; i++) {
    k = order[i]; split(k, tk, SUBSEP)
    # noisy runs are left out when at least one quiet run exists
    q = ((k, "quiet") in runs) ? "quiet" : "all"
    dropped = runs[k, "all"] - runs[k, q]
    label = runs[k, q] (dropped ? " (+" dropped " noisy, left out)" : (q == "all" && runs[k, "all"] > 0 && oc[k, q] != "n/a" ? " (all noisy)" : ""))
    mr = med(rps[k, q]); rlo = lo; rhi = hi
    m50 = med(p50[k, q])
    m99 = med(p99[k, q]); plo = lo; phi = hi
    mc = (k, q) in cost ? sprintf("%.1f", med(cost[k, q])) : "–"
    printf "| %s | %s | %s | %.0f | %.0f–%.0f | %.2f | %.2f | %.2f–%.2f | %d | %d | %s | %s | %s | %s | %s |\n",
      tk[1], tk[2], label, mr, rlo, rhi, m50 / 1000, m99 / 1000, plo / 1000, phi / 1000, n2[k, q], se[k, q], oc[k, q], mc,
      ratio(mr, mrps["nginx", tk[2]]), ratio(mr, mrps["webdis", tk[2]]), ratio(m99, mp99["nginx", tk[2]])
  }
}
