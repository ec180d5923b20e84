#!/usr/bin/env bash
# benchmarks/scripts/profile.sh [--seconds N] [--workloads "pipelined echo64"] [--out DIR]
#
# Where a server's time goes, beside the C reference, in the same minute: for each workload, the
# C server (reference-c), then Weft's sample server, then (if WEFT_BEFORE_MP names a module path of
# an older build) that build's server, each started fresh on CPU 0 with the load on CPU 1:
#   1. a warm-up, then a measured load window: throughput (the load tool's own number);
#   2. a second window under `perf stat -p`: syscalls per request (by call: the server's syscalls
#      over the whole window / the requests the load tool completed in it) and user vs kernel CPU;
#   3. a third window under `perf record -g -p`: the server's top symbols, user and kernel (JIT
#      frames named through the JVM's perf map: -XX:+PreserveFramePointer, jcmd Compiler.perfmap).
# Workloads: pipelined = wrk -t1 -c64, 16 GET /plaintext per write; plain = the same without
# pipelining; echo64 = echoload -c 64 -s 64. Prints a summary; everything is kept in --out.
# Needs root (perf with kernel symbols), wrk, gcc; run from anywhere. Other helpers' load on the
# machine distorts the absolute numbers: compare the ratios to the C row of the same workload.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # ROOT, SERVER_CPU, LOAD_CPU, die, note, wait_port
SECONDS_PER_WINDOW=5
WORKLOADS="pipelined echo64"
OUT="$ROOT/benchmarks/target/profile-$(date -u +%Y%m%d-%H%M%S)"
JVM_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit"
SYSCALLS="epoll_wait epoll_ctl read recvfrom write sendto writev futex"

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_WINDOW="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: profile.sh [--seconds N] [--workloads \"pipelined plain echo64\"] [--out DIR]" >&2; exit 2 ;;
  esac
done

command -v perf >/dev/null || die "perf is not installed (apt-get install linux-perf)"
command -v wrk >/dev/null || die "wrk is not installed (apt-get install wrk)"
JAVA="$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64 2>/dev/null || echo "${JAVA_HOME:?set JAVA_HOME to a JDK 25}")/bin/java"
JCMD="$(dirname "$JAVA")/jcmd"
C_BIN="$ROOT/benchmarks/target/reference-c"
make -s -C "$ROOT/../shared/reference-c" OUT="$C_BIN" >/dev/null 2>&1 \
  || make -s -C /work/shared/reference-c OUT="$C_BIN" >/dev/null || die "could not build reference-c"
"$ROOT/weft" echo-server --help >/dev/null 2>&1 || true   # builds what is missing, writes .weft/samples.cp
[ -f "$ROOT/.weft/samples.cp" ] || die "the build failed: see $ROOT/.weft/build.log"
CURRENT_MP="$ROOT/samples/target/classes:$(cat "$ROOT/.weft/samples.cp")"
mkdir -p "$OUT"

# server_cmd WORKLOAD SERVER PORT: the command line of SERVER for WORKLOAD.
server_cmd() {
  local kind=http main=dev.weft.samples.HttpServerMain mp
  case "$1" in echo64) kind=echo; main=dev.weft.samples.EchoServer ;; esac
  case "$2" in
    c) echo "$C_BIN/${kind}_epoll $3"; return ;;
    weft) mp="$CURRENT_MP" ;;
    weft-before) mp="$WEFT_BEFORE_MP" ;;
  esac
  echo "$JAVA $JVM_OPTS --enable-native-access=dev.weft.unix,dev.weft.xen -p $mp -m dev.weft.samples/$main --port $3 --loops 1 --engine epoll"
}

# load WORKLOAD PORT SECONDS [count]: runs the load on LOAD_CPU; prints requests (round trips) per
# second, or with "count" how many it completed (echoload then measures from the first second on).
load() {
  local out
  case "$1" in
    pipelined) out=$(taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"$3s" --timeout 5s -s "$ROOT/benchmarks/scripts/pipeline.lua" \
                 "http://127.0.0.1:$2/plaintext" -- 16) ;;
    plain) out=$(taskset -c "$LOAD_CPU" wrk -t1 -c64 -d"$3s" --timeout 5s "http://127.0.0.1:$2/plaintext") ;;
    echo64) out=$(taskset -c "$LOAD_CPU" "$C_BIN/echoload" -c 64 -s 64 -d "$3" -w "$([ "${4:-}" = count ] && echo 0 || echo 1)" "127.0.0.1:$2") ;;
  esac
  echo "$out" >>"$OUT/load.log"
  if [ "${4:-}" = count ]; then
    case "$1" in
      echo64) sed -n 's/.* round_trips=\([0-9]*\).*/\1/p' <<<"$out" ;;
      *) awk '/requests in/ {print $1}' <<<"$out" ;;
    esac
    return
  fi
  case "$1" in
    echo64) sed -n 's/.*rtt_per_s=\([0-9.]*\).*/\1/p' <<<"$out" ;;
    *) awk '/^Requests\/sec/ {print $2}' <<<"$out" ;;
  esac
}

# cpu_ticks PID: "user system" clock ticks the process has used so far.
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }

profile_one() {
  local workload="$1" server="$2" port="$3" name="$1-$2" pid loader rps requests t0 t1 events e
  bash -c "exec taskset -c $SERVER_CPU $(server_cmd "$workload" "$server" "$port")" >"$OUT/$name.server.log" 2>&1 &
  pid=$!
  wait_port "$port" "$pid" 60 || { note "$name did not start; see $OUT/$name.server.log"; return; }
  load "$workload" "$port" 3 >/dev/null                                   # warm-up (JIT, caches)
  rps=$(load "$workload" "$port" "$SECONDS_PER_WINDOW")
  # perf stat over a whole second window: syscalls by call, and user/system ticks
  events="raw_syscalls:sys_enter"
  for e in $SYSCALLS; do events="$events,syscalls:sys_enter_$e"; done
  t0=$(cpu_ticks "$pid")
  perf stat -x, -e "$events" -p "$pid" -o "$OUT/$name.syscalls" -- sleep $(( SECONDS_PER_WINDOW + 1 )) 2>/dev/null &
  loader=$!
  sleep 0.3
  requests=$(load "$workload" "$port" "$SECONDS_PER_WINDOW" count)
  wait "$loader"
  t1=$(cpu_ticks "$pid")
  # perf record of the server's CPU during a third window
  load "$workload" "$port" "$SECONDS_PER_WINDOW" >/dev/null &
  loader=$!
  sleep 1
  perf record -q -g -p "$pid" -o "$OUT/$name.perf.data" -- sleep $(( SECONDS_PER_WINDOW - 2 )) 2>/dev/null
  wait "$loader"
  [ "$server" = c ] || "$JCMD" "$pid" Compiler.perfmap >/dev/null 2>&1 || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  perf report -i "$OUT/$name.perf.data" --no-children -g none --sort dso,sym --percent-limit 0.7 --stdio 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | grep '%' >"$OUT/$name.top.txt" || true
  summarize "$name" "$rps" "$requests" "$t0" "$t1"
}

# summarize NAME RPS REQUESTS "U0 S0" "U1 S1": one summary line and the top symbols.
summarize() {
  local name="$1" rps="$2" requests="$3"
  read -r u0 s0 <<<"$4"; read -r u1 s1 <<<"$5"
  local user=$(( u1 - u0 )) sys=$(( s1 - s0 ))
  awk -F, -v name="$name" -v rps="$rps" -v req="$requests" -v u="$user" -v s="$sys" '
    $3 ~ /sys_enter/ { n[$3] = $1 }
    END {
      if (req <= 0) req = 1
      printf "%-22s %10.0f req/s   CPU user %3.0f%% kernel %3.0f%%   syscalls/request %.3f:", name, rps,
             100 * u / (u + s + 1e-9), 100 * s / (u + s + 1e-9), n["raw_syscalls:sys_enter"] / req
      for (k in n) if (k != "raw_syscalls:sys_enter" && n[k] > 0) { c = k; sub(/syscalls:sys_enter_/, "", c); printf " %s %.3f", c, n[k] / req }
      printf "\n"
    }' "$OUT/$name.syscalls" | tee -a "$OUT/summary.txt"
  { echo "  top of $name (self time on the server CPU):"; head -n 12 "$OUT/$name.top.txt" | sed 's/^/    /'; } \
    | tee -a "$OUT/summary.txt"
}

port=$(( 20000 + RANDOM % 20000 ))
servers="c weft"
[ -n "${WEFT_BEFORE_MP:-}" ] && servers="$servers weft-before"
note "machine load: $(cut -d' ' -f1-3 /proc/loadavg) (other work shares these CPUs); results in $OUT"
for workload in $WORKLOADS; do
  for server in $servers; do
    port=$(( port + 1 ))
    profile_one "$workload" "$server" "$port"
  done
done
note "summary: $OUT/summary.txt"
