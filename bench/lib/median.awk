# median.awk: med(list), the median of a space-separated list of numbers; it also sets the
# globals lo and hi to the list's smallest and largest. Loaded before the scripts that use it:
#   awk -f lib/median.awk -f lib/table.awk ...
function med(s,   a, n, i, j, x) {
  n = split(s, a, " ")
  for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
  lo = a[1]; hi = a[n]
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
