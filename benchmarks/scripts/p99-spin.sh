#!/usr/bin/env bash
# benchmarks/scripts/p99-spin.sh [--rounds 3] [--spins "0 200 400 800"] [--seconds 8] [--jar BENCHMARKS_JAR]
# Plain HTTP (wrk -t1 -c64, no pipelining): the C reference made to spend SPIN_NS more nanoseconds
# of user time per request (benchmarks/src/main/c/http_spin.c; spin 0 is the reference as it is)
# against Weft's epoll server, in interleaved rounds, each server fresh, pinned to CPU 0 with wrk on
# CPU 1 as ./weft bench http runs them. Per run: wrk's percentiles, and the server's user and kernel
# CPU per request from /proc/PID/task/*/stat. Shows what extra user time per request alone does to
# the latency distribution (docs/performance.md, "Plain HTTP's p99"). Run it on an otherwise idle machine:
#   benchmarks/scripts/p99-spin.sh --rounds 3
# --jar adds, in every round, Weft's server as built in another benchmarks.jar (a copy saved
# before a change, say: "weft-jar" is then the before and "weft" the after, measured side by side).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=3; SPINS="0 200 400 800"; SECONDS_RUN=8; OTHER_JAR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --spins) SPINS="$2"; shift 2 ;;
    --seconds) SECONDS_RUN="$2"; shift 2 ;;
    --jar) OTHER_JAR="$(realpath "$2")"; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
ensure_taskset; ensure_wrk
src=$(find_reference_c); [ -n "$src" ] || die "C reference not found (set WEFT_REFERENCE_C)"
out="$ROOT/benchmarks/target/p99-spin"; mkdir -p "$out"
cc -O2 -I"$src" -o "$out/http_spin" "$ROOT/benchmarks/src/main/c/http_spin.c"

PORT="${WEFT_BENCH_PORT:-18300}"

# cpu_ticks PID: the user and kernel clock ticks of all the process's threads
cpu_ticks() { cat /proc/"$1"/task/*/stat 2>/dev/null | sed 's/.*) //' | awk '{u += $12; s += $13} END {print u, s}'; }

# run NAME: one server's line
run() {
  local name="$1" cmd log="$out/server-$1.log" url ticks0 ticks1 result warmups=1
  PORT=$(( PORT + 1 )); url="http://127.0.0.1:$PORT/plaintext"
  case "$name" in
    weft) cmd="$ROOT/weft serve --port $PORT --engine epoll --loops 1"; warmups=4 ;;
    weft-jar) cmd="java ${JAVA_FLAGS[*]} -cp '$OTHER_JAR' dev.weft.samples.HttpServerMain --port $PORT --engine epoll --loops 1"
              warmups=4 ;;
    *) cmd="env SPIN_NS=${name#c-spin-} $out/http_spin $PORT" ;;
  esac
  start_server "$name" "$cmd" "$PORT" "$log" "$SERVER_JVM_OPTS"
  wait_port "$PORT" "$SERVER_PID" 300 || die "$name did not listen; see $log"
  for _ in $(seq "$warmups"); do taskset -c "$LOAD_CPU" wrk -t1 -c64 -d3s "$url" >/dev/null; done
  ticks0=$(cpu_ticks "$SERVER_PID")
  result=$(taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"${SECONDS_RUN}s" --latency -s "$SCRIPTS/percentiles.lua" "$url")
  ticks1=$(cpu_ticks "$SERVER_PID")
  stop_server "$SERVER_PID"
  awk -v name="$name" -v t0="$ticks0" -v t1="$ticks1" -v hz="$(getconf CLK_TCK)" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    /^Requests\/sec/ { rate = $2 }
    /^percentiles/ { line = $0; sub(/^percentiles /, "", line); n = $NF; sub(/requests=/, "", n) }
    END { split(t0, a, " "); split(t1, b, " ")
          printf "%-12s rate=%.0f %s user_us/req=%.2f kernel_us/req=%.2f load=%s\n", name, rate, line,
                 (b[1] - a[1]) / hz * 1e6 / n, (b[2] - a[2]) / hz * 1e6 / n, load }' <<<"$result"
}

note "$ROUNDS rounds of: $(for s in $SPINS; do printf 'c-spin-%s ' "$s"; done)weft; uptime: $(uptime)"
for round in $(seq "$ROUNDS"); do
  for s in $SPINS; do run "c-spin-$s"; done
  run weft
  if [ -n "$OTHER_JAR" ]; then run weft-jar; fi
done
note "done; uptime: $(uptime)"
