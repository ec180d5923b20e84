#!/usr/bin/env bash
# ./weft bench echo [--rounds 3] [--seconds 8] [--cycles 4] [--warmup 3] [--idle 10000] [--servers "..."] [--dry-run] [--smoke]
# TCP ping-pong (the C reference's echoload: each connection sends 64 bytes and waits for the echo)
# against the C reference, Weft's and Netty's echo servers in interleaved rounds: in each round every
# server is started fresh, pinned to one CPU with echoload on the other, and kept up; with 1 and then
# 64 connections each is warmed up, then all are measured in cycles of short windows, one window per
# server per cycle; the report gives each comparison as per-round ratios (median, min, max)
# with p99 beside C's, and judges issue 13's targets on their medians; then each one-loop server's
# memory with --idle idle connections open. Method: docs/performance.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------------------------------
# Weft's echo servers: the samples' EchoServer through the launcher, which execs the JVM; {port} is the
# port. The environment variable of the same name overrides each.
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_ECHO_CMD="${WEFT_ECHO_CMD:-}"
[ -n "$WEFT_ECHO_CMD" ] || WEFT_ECHO_CMD="$ROOT/weft echo-server --port {port} --engine epoll --loops 1"
WEFT_ECHO_NIO_CMD="${WEFT_ECHO_NIO_CMD:-}"
[ -n "$WEFT_ECHO_NIO_CMD" ] || WEFT_ECHO_NIO_CMD="$ROOT/weft echo-server --port {port} --engine nio --loops 1"
WEFT_ECHO2_CMD="${WEFT_ECHO2_CMD:-}"
[ -n "$WEFT_ECHO2_CMD" ] || WEFT_ECHO2_CMD="$ROOT/weft echo-server --port {port} --engine epoll --loops 2"
# ---------------------------------------------------------------------------------------------------
NETTY_ECHO_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyEchoServer --port {port}"
NETTY_ECHO2_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyEchoServer --port {port} --threads 2"
MESSAGE_BYTES=64
SCENARIOS="1conn 64conn"   # connections, one round trip in flight on each
# Issue 13 item 2 (epoll engine; NIO within 10% of epoll).
TARGETS="64conn weft-epoll/c rate >= 0.95; 1conn weft-epoll/c p99 <= 1.10;
  1conn weft-nio/weft-epoll rate >= 0.90; 64conn weft-nio/weft-epoll rate >= 0.90"

server_cmd() {
  case "$1" in
    c) [ -n "$REFERENCE_C" ] && echo "$REFERENCE_C/echo_epoll {port}" || echo "" ;;
    netty) echo "$NETTY_ECHO_CMD" ;;
    netty-2) echo "$NETTY_ECHO2_CMD" ;;
    weft-epoll) [ "$DRY_RUN" = 1 ] && echo "$NETTY_ECHO_CMD" || echo "$WEFT_ECHO_CMD" ;;
    weft-epoll-2) [ "$DRY_RUN" = 1 ] && echo "$NETTY_ECHO2_CMD" || echo "$WEFT_ECHO2_CMD" ;;
    weft-nio) [ "$DRY_RUN" = 1 ] && echo "$NETTY_ECHO_CMD" || echo "$WEFT_ECHO_NIO_CMD" ;;
    *) die "unknown echo server $1 (c, netty, netty-2, weft-epoll, weft-epoll-2, weft-nio)" ;;
  esac
}

# measure PORT SCENARIO SECONDS: one echoload run pinned to LOAD_CPU; prints "rate=… p50_us=… p99_us=… errors=…".
measure() {
  local out
  # echoload exits 3 when it counted errors; the count is in its line, and the report shows it
  out=$(taskset -c "$LOAD_CPU" "$REFERENCE_C/echoload" -c "${2%conn}" -d "$3" -s "$MESSAGE_BYTES" "127.0.0.1:$1" 2>&1) || true
  printf '=== port %s, %s, %s s\n%s\n' "$1" "$2" "$3" "$out" >>"$LOAD_LOG"
  awk '
    /^echoload / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END { printf "rate=%s p50_us=%s p99_us=%s errors=%s\n", ("rtt_per_s" in v ? v["rtt_per_s"] : "?"),
                 ("p50_us" in v ? v["p50_us"] : "?"), ("p99_us" in v ? v["p99_us"] : "?"), ("errors" in v ? v["errors"] : "?") }' <<<"$out"
}

parse_harness_options "c weft-epoll weft-nio netty weft-epoll-2 netty-2" "$@"
REFERENCE_C=""
for s in $SERVERS; do server_cmd "$s" >/dev/null; done   # an unknown name stops here
build_jar; ensure_taskset; raise_fd_limit "$IDLE"
new_run echo
build_reference_c
[ -n "$REFERENCE_C" ] || die "the echo load generator is the C reference's echoload, which could not be built (see above)"
PORT="${WEFT_BENCH_PORT:-18180}"
preflight
note "$ROUNDS rounds of: $SERVERS; expected about $(expected_minutes) min; results in $RUN_DIR"
run_rounds
memory_rows

{
  report_header "$(command_line ./weft bench echo "$@")"
  for scenario in $SCENARIOS; do
    echo
    echo "## TCP echo ping-pong, $MESSAGE_BYTES-byte messages, ${scenario%conn} connection(s), one round trip in flight each (echoload -c ${scenario%conn} -d $WINDOW_SECONDS -s $MESSAGE_BYTES, $CYCLES windows per server and round)"
    echo
    scenario_tables "$scenario" "round trips/s"
    jit_table "$scenario"
  done
  echo; echo "## Targets (issue 13 item 2)"; echo
  target_table "$TARGETS"
  memory_table
} | tee "$REPORT"
note "report: $REPORT (results: $RESULTS_LOG, echoload output: $LOAD_LOG, server logs: $RUN_DIR/server-*.log)"
