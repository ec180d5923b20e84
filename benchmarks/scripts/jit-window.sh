#!/usr/bin/env bash
# benchmarks/scripts/jit-window.sh [--warmups 3] [--port 18990] [--out DIR] [--root DIR]
#
# What the JIT does while `./weft bench http` measures Weft's plain-HTTP run (issue 13, "JIT work
# inside the measured window"): the epoll sample server started as the harness starts it (pinned to
# SERVER_CPU, the harness's server JVM options, a fresh JVM), --warmups plain wrk runs of 3 s on new
# connections each, then one measured 8 s run (wrk -t1 -c64 on LOAD_CPU). The JVM logs every
# compilation and deoptimisation (-Xlog:jit+compilation=debug,deoptimization=debug, uptime-stamped);
# the script prints the compilations inside the measured run, split into its first second (new
# connections: accept, registration, first requests), the middle, and its last 0.6 s (the
# connections closing, after wrk's last request), and the uncommon traps (deoptimisations) in it.
# --root runs another checkout's server (an older build, for a before/after). Everything is kept
# in --out: jit.log (the JVM's log), summary, wrk-*.txt. Run it under the shared lock.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ROOT, SERVER_CPU, LOAD_CPU, SERVER_JVM_OPTS, die, note

WARMUPS=3
PORT=18990
SERVER_ROOT="$ROOT"
OUT="$ROOT/benchmarks/target/jit-window-$(date -u +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --warmups) WARMUPS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --root) SERVER_ROOT="$2"; shift 2 ;;
    *) echo "usage: jit-window.sh [--warmups N] [--port N] [--out DIR] [--root DIR]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
JSTAT="${JAVA_HOME:?run through ./weft or set JAVA_HOME to a JDK 25}/bin/jstat"
mkdir -p "$OUT"

WEFT_JAVA_OPTS="-Xlog:jit+compilation=debug,deoptimization=debug:file=$OUT/jit.log:uptimemillis" \
  taskset -c "$SERVER_CPU" env JDK_JAVA_OPTIONS="$SERVER_JVM_OPTS" \
  bash -c "exec '$SERVER_ROOT/weft' serve --port $PORT --engine epoll --loops 1" >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_port "$PORT" "$PID" 300 || die "the server did not start; see $OUT/server.log"

# "AGE COMPILES MS": the JVM's age in ms (the log's clock; jstat -t, 0.1 s resolution), its JIT
# compilations so far and their milliseconds (jstat reads the performance-data file: it runs nothing
# in the JVM). Not the process's age: ./weft may build before it execs the JVM.
jit() { "$JSTAT" -compiler -t "$PID" | awk 'NR == 2 {printf "%d %d %d", $1 * 1000, $2 + $3, $5 * 1000}'; }
load() { taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"$1"s --latency --timeout 5s "http://127.0.0.1:$PORT/plaintext" >"$OUT/wrk-$2.txt" 2>&1 || true; }

for pass in $(seq "$WARMUPS"); do
  before=$(jit); load 3 "warmup$pass"; after=$(jit)
  echo "warm-up $pass: age/compiles/ms before $before, after $after; $(grep Requests/sec "$OUT/wrk-warmup$pass.txt")" >>"$OUT/summary"
done
before=$(jit); load 8 measured; after=$(jit)
start=${before%% *}; end=${after%% *}
echo "measured run: JVM ms $start..$end; age/compiles/ms before $before, after $after (jstat);" \
  "$(grep -E 'Requests/sec|99%' "$OUT/wrk-measured.txt" | tr -s ' ' | tr '\n' ' ')" >>"$OUT/summary"
kill "$PID"; wait "$PID" 2>/dev/null || true
awk -F'[][]' -v a="$start" -v b="$end" '
  { t = $2 + 0 } t < a || t > b { next }
  /trap_bci/ { traps++; next }
  /made not entrant/ { next }
  { n++; if (t < a + 1000) first++; else if (t > b - 600) closing++; else middle++ }
  END { printf "measured run, from the JVM log: %d compilations (first second %d, middle %d, last 0.6 s %d), %d uncommon traps\n",
        n, first, middle, closing, traps }' "$OUT/jit.log" >>"$OUT/summary"
cat "$OUT/summary"
note "the compilations themselves: $OUT/jit.log (JVM ms $start..$end)"
