#!/usr/bin/env bash
# ./weft bench promises [jmh-options]: PromiseBench and WeftPromiseBench in one JMH run with -prof gc,
# then one table: per workload, each library's time and bytes per operation, and its time relative
# to Weft's. JMH options after the name override the defaults (e.g. -f 1 -wi 3 -i 3 for a quick run).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_jar
mkdir -p "$RESULTS"
csv="$RESULTS/promises-$(date -u +%Y%m%d-%H%M%S).csv"
if [ "$(unzip -l "$JAR" 2>/dev/null | grep -c 'WeftPromiseBench.class')" = 0 ]; then
  note "Weft's rows are not in this build: dev.weft.promise.Promise does not exist yet (peers-only profile)"
fi

# Unpinned on purpose: JMH's benchmark thread is one thread, and the JIT and GC threads need the other CPU.
java "${JAVA_FLAGS[@]}" -jar "$JAR" 'dev\.weft\.bench\.promise\.' -prof gc -rf csv -rff "$csv" "$@"

echo
echo "# ./weft bench promises $* — $(date -u '+%Y-%m-%d %H:%M UTC'), $(java -version 2>&1 | sed -n 2p)"
echo "# time per operation of 1,000 steps; B/op from -prof gc (gc.alloc.rate.norm); 'vs weft' = time / Weft's time"
awk -F, '
  NR == 1 { next }
  {
    for (i = 1; i <= NF; i++) gsub(/"/, "", $i)
    name = $1; metric = ""                         # package.Class.workload_library[:metric]
    if (index(name, ":") > 0) { metric = substr(name, index(name, ":") + 1); name = substr(name, 1, index(name, ":") - 1) }
    sub(/.*\./, "", name)
    split(name, part, "_"); w = part[1]; lib = part[2]
    if (!(w in seenW)) { seenW[w] = 1; order[++nw] = w }
    if (!((w, lib) in seenL)) { seenL[w, lib] = 1; libs[w] = libs[w] " " lib }
    if (metric == "") { score[w, lib] = $5; err[w, lib] = $6; unit = $7 }
    else if (metric == "gc.alloc.rate.norm") bytes[w, lib] = $5
  }
  END {
    printf "%-12s %-18s %12s %10s %12s %8s\n", "workload", "library", unit, "± (99.9%)", "B/op", "vs weft"
    for (k = 1; k <= nw; k++) {
      w = order[k]; n = split(libs[w], ls, " ")
      for (j = 1; j <= n; j++) {
        lib = ls[j]; rel = ((w, "weft") in score) ? sprintf("%.2f", score[w, lib] / score[w, "weft"]) : "n/a"
        printf "%-12s %-18s %12.2f %10.2f %12.0f %8s\n", w, lib, score[w, lib], err[w, lib], bytes[w, lib], rel
      }
    }
  }' "$csv"
note "raw results: $csv"
