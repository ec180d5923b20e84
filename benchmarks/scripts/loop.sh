#!/usr/bin/env bash
# ./weft bench loop [jmh-options]: PauseBench, TimerBench, SubmitBench, WakeupBench and
# EchoUnderPauseBench in one JMH run with JMH's gc profiler, then one table: per workload, each
# library's score, its cost relative to Weft's best row, and the bytes it allocates per operation.
# JMH options after the name override the defaults (e.g. -f 1 -wi 2 -i 2 for a quick run; a regex
# such as 'WakeupBench' as the first option picks benchmarks).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_jar
mkdir -p "$RESULTS"
csv="$RESULTS/loop-$(date -u +%Y%m%d-%H%M%S).csv"

# Unpinned on purpose: each row has a loop thread and one or two producers; pinning them to one CPU
# would measure the scheduler, not the loop.
pattern='dev\.weft\.bench\.loop\.'
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then pattern="$1"; shift; fi
java "${JAVA_FLAGS[@]}" -jar "$JAR" "$pattern" -prof gc -rf csv -rff "$csv" "$@"

echo
echo "# ./weft bench loop $* — $(date -u '+%Y-%m-%d %H:%M UTC'), $(java -version 2>&1 | sed -n 2p), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ns/op: per pause, per schedule+cancel pair, per round trip, per ready source; ops/us: tasks run on the loop per microsecond"
echo "# 'vs weft' = cost / the best Weft row's cost (cost = time, or 1 / throughput); above 1: behind Weft"
echo "# B/op: bytes allocated per operation (JMH gc.alloc.rate.norm, all threads of the fork)"
awk -F, '
  { sub(/\r$/, "") }                              # JMH writes CRLF line ends
  NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i; if ($i ~ /^Param: /) params[++np] = $i }; next }
  {
    for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
    name = $1; metric = ""                         # package.Class.workload_library[:metric]
    if (index(name, ":") > 0) { metric = substr(name, index(name, ":") + 1); name = substr(name, 1, index(name, ":") - 1) }
    sub(/.*\./, "", name)
    split(name, part, "_"); w = part[1]; lib = part[2]
    for (k = 1; k <= np; k++) {                     # engine and transport by value, the rest as name=value
      v = $(col[params[k]]); if (v == "") continue
      key = params[k]; sub(/^Param: /, "", key)
      lib = lib "/" ((key == "engine" || key == "transport") ? v : key "=" v)
    }
    if (metric != "") { if (metric == "gc.alloc.rate.norm") alloc[w, lib] = $5; next }
    if (!(w in seenW)) { seenW[w] = 1; order[++nw] = w; n[w] = 0 }
    row[w, ++n[w]] = lib; score[w, lib] = $5; err[w, lib] = $6; unit[w] = $7
    cost = ($7 ~ /op\/|ops\//) ? 1 / $5 : $5
    c[w, lib] = cost
    if (lib ~ /^weft/ && (!((w) in best) || cost < best[w])) best[w] = cost
  }
  END {
    printf "%-12s %-36s %12s %10s %-8s %8s %8s\n", "workload", "library", "score", "± (99.9%)", "unit", "vs weft", "B/op"
    for (k = 1; k <= nw; k++) {
      w = order[k]
      for (j = 1; j <= n[w]; j++) {
        lib = row[w, j]; rel = (w in best) ? sprintf("%.2f", c[w, lib] / best[w]) : "n/a"
        b = ((w, lib) in alloc) ? sprintf("%.1f", alloc[w, lib]) : "n/a"
        printf "%-12s %-36s %12.3f %10.3f %-8s %8s %8s\n", w, lib, score[w, lib], err[w, lib], unit[w], rel, b
      }
    }
  }' "$csv"
note "raw results: $csv"
