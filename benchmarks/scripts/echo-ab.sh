#!/usr/bin/env bash
# benchmarks/scripts/echo-ab.sh BEFORE_JAR AFTER_JAR [CYCLES] [WINDOW_SECONDS]
#
# An A/B of two builds' echo servers (EchoServer --engine epoll --loops 1, from each build's
# benchmarks.jar) beside the C reference's echo_epoll, under echoload -c 64 -s 64: all three started
# once, pinned to CPU 0 and kept up (an idle one waits in epoll_wait), each warmed up with three 3 s
# runs, then measured in CYCLES cycles (default 8) of WINDOW_SECONDS windows (default 3), one per
# server per cycle, the order rotated each cycle, so that windows compared are seconds apart (the
# machine's speed switches between states every minute or so: docs/performance.md, "Method").
# Prints one line per window: round trips/s, and the busiest thread's (the loop's) user and system
# CPU per round trip from /proc/<pid>/task/<tid>/stat (10 ms ticks); then per cycle the ratios
# after/before and after/c. Run it under flock /work/wt/bench.lock; it kills what it starts.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BEFORE_JAR="${1:?before benchmarks.jar}"; AFTER_JAR="${2:?after benchmarks.jar}"
CYCLES="${3:-8}"; WINDOW="${4:-3}"
C_BIN="$ROOT/benchmarks/target/reference-c"
make -s -C /work/shared/reference-c OUT="$C_BIN" >/dev/null 2>&1 || make -s -C "$ROOT/../shared/reference-c" OUT="$C_BIN" >/dev/null
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
RUN_DIR=$(mktemp -d /tmp/echo-ab.XXXXXX)
port=$(( 31000 + RANDOM % 8000 ))
declare -A pid_of port_of
names="c before after"
for name in $names; do
  port=$(( port + 1 )); port_of[$name]=$port
  case $name in
    c) cmd="$C_BIN/echo_epoll $port" ;;
    before|after) jar=$BEFORE_JAR; [ $name = after ] && jar=$AFTER_JAR
      cmd="$JAVA -Xms1g -Xmx1g -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED -cp $jar dev.weft.samples.EchoServer --port $port --engine epoll --loops 1" ;;
  esac
  start_server "$name" "$cmd" "$port" "$RUN_DIR/server-$name.log" ""
  pid_of[$name]=$SERVER_PID
  wait_port "$port" "$SERVER_PID" 60 || die "$name did not start; see $RUN_DIR/server-$name.log"
done
for name in $names; do for i in 1 2 3; do
  taskset -c "$LOAD_CPU" "$C_BIN/echoload" -c 64 -d 3 -s 64 "127.0.0.1:${port_of[$name]}" >/dev/null 2>&1 || true
done; done

# busiest_tid PID: the thread of PID with the most CPU so far (a loop server's loop thread).
busiest_tid() {
  local t best="" most=-1 u
  for t in /proc/$1/task/*; do
    u=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) || continue
    if [ "$u" -gt "$most" ]; then most=$u; best=${t##*/}; fi
  done
  echo "$best"
}
declare -A tid_of
for name in $names; do tid_of[$name]=$(busiest_tid "${pid_of[$name]}"); done

echo "# $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); before=$BEFORE_JAR after=$AFTER_JAR; $CYCLES cycles of $WINDOW s"
read -r -a order <<<"$names"
for cycle in $(seq "$CYCLES"); do
  for j in 0 1 2; do
    name=${order[$(( (j + cycle - 1) % 3 ))]}
    stat=/proc/${pid_of[$name]}/task/${tid_of[$name]}/stat
    read -r u0 s0 < <(awk '{ print $14, $15 }' "$stat")
    out=$(taskset -c "$LOAD_CPU" "$C_BIN/echoload" -c 64 -d "$WINDOW" -s 64 "127.0.0.1:${port_of[$name]}" 2>&1) || true
    read -r u1 s1 < <(awk '{ print $14, $15 }' "$stat")
    rt=$(sed -n 's/.* round_trips=\([0-9]*\).*/\1/p' <<<"$out")
    rate=$(sed -n 's/.*rtt_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
    awk -v c="$cycle" -v n="$name" -v r="$rate" -v rt="$rt" -v u=$(( (u1 - u0) * CLOCK_TICK_MS )) -v s=$(( (s1 - s0) * CLOCK_TICK_MS )) \
      'BEGIN { printf "window cycle=%d server=%s rate=%.0f user_us_per_rt=%.3f sys_us_per_rt=%.3f\n", c, n, r, u * 1000 / rt, s * 1000 / rt }'
  done
done | tee "$RUN_DIR/windows.log"
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } r[v["cycle"], v["server"]] = v["rate"]; u[v["cycle"], v["server"]] = v["user_us_per_rt"]; n = v["cycle"] }
  END { for (c = 1; c <= n; c++) printf "cycle %d: after/before rate %.3f, after/c rate %.3f, before/c rate %.3f; user us/rt before %.3f after %.3f\n", c,
          r[c, "after"] / r[c, "before"], r[c, "after"] / r[c, "c"], r[c, "before"] / r[c, "c"], u[c, "before"], u[c, "after"] }' "$RUN_DIR/windows.log"
for name in $names; do stop_server "${pid_of[$name]}"; done
