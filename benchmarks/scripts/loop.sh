#!/usr/bin/env bash
# ./weft bench loop [jmh-options]: PauseBench, TimerBench and SubmitBench in one JMH run, then one
# table: per workload, each library's score and its cost relative to Weft's best row. JMH options
# after the name override the defaults (e.g. -f 1 -wi 2 -i 2 for a quick run).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_jar
mkdir -p "$RESULTS"
csv="$RESULTS/loop-$(date -u +%Y%m%d-%H%M%S).csv"

# Unpinned on purpose: each row has a loop thread and one or two producers; pinning them to one CPU
# would measure the scheduler, not the loop.
java "${JAVA_FLAGS[@]}" -jar "$JAR" 'dev\.weft\.bench\.loop\.' -rf csv -rff "$csv" "$@"

echo
echo "# ./weft bench loop $* — $(date -u '+%Y-%m-%d %H:%M UTC'), $(java -version 2>&1 | sed -n 2p), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ns/op: per pause, per schedule+cancel pair, per round trip; ops/us: tasks run on the loop per microsecond"
echo "# 'vs weft' = cost / the best Weft row's cost (cost = time, or 1 / throughput); above 1: behind Weft"
awk -F, '
  { sub(/\r$/, "") }                              # JMH writes CRLF line ends
  NR == 1 { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); col[$i] = i }; next }
  {
    for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
    name = $1; sub(/.*\./, "", name)               # package.Class.workload_library
    split(name, part, "_"); w = part[1]; lib = part[2]
    p = ""
    if (("Param: engine" in col) && $(col["Param: engine"]) != "") p = $(col["Param: engine"])
    if (("Param: transport" in col) && $(col["Param: transport"]) != "") p = $(col["Param: transport"])
    if (p != "") lib = lib "/" p
    if (!(w in seenW)) { seenW[w] = 1; order[++nw] = w; n[w] = 0 }
    row[w, ++n[w]] = lib; score[w, lib] = $5; err[w, lib] = $6; unit[w] = $7
    cost = ($7 ~ /op\/|ops\//) ? 1 / $5 : $5
    c[w, lib] = cost
    if (lib ~ /^weft/ && (!((w) in best) || cost < best[w])) best[w] = cost
  }
  END {
    printf "%-12s %-24s %12s %10s %-8s %8s\n", "workload", "library", "score", "± (99.9%)", "unit", "vs weft"
    for (k = 1; k <= nw; k++) {
      w = order[k]
      for (j = 1; j <= n[w]; j++) {
        lib = row[w, j]; rel = (w in best) ? sprintf("%.2f", c[w, lib] / best[w]) : "n/a"
        printf "%-12s %-24s %12.3f %10.3f %-8s %8s\n", w, lib, score[w, lib], err[w, lib], unit[w], rel
      }
    }
  }' "$csv"
note "raw results: $csv"
