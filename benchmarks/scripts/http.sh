#!/usr/bin/env bash
# ./weft bench http [--rounds 3] [--seconds 8] [--cycles 4] [--warmup 3] [--idle 10000] [--servers "..."] [--dry-run] [--smoke]
# wrk against the C reference, Weft's and Netty's HTTP servers in interleaved rounds: in each round
# every server is started fresh, pinned to one CPU with wrk on the other, and kept up; with 64
# connections without pipelining and then 16-deep pipelined each is warmed up, then all are measured
# in cycles of short windows, one window per server per cycle; the report gives each comparison as
# per-round ratios (median, min, max) and judges issue 13's and 12's targets on their medians; then
# each one-loop server's memory with --idle idle connections open. Method: docs/performance.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------------------------------
# WEFT'S SERVERS: `./weft serve --port N --engine epoll|nio --loops N`. {port} stands for the port. The
# command must exec the JVM (./weft does). Override any with the environment variable of the same name.
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_HTTP_EPOLL_CMD="${WEFT_HTTP_EPOLL_CMD:-}"
[ -n "$WEFT_HTTP_EPOLL_CMD" ] || WEFT_HTTP_EPOLL_CMD="$ROOT/weft serve --port {port} --engine epoll --loops 1"
WEFT_HTTP_EPOLL2_CMD="${WEFT_HTTP_EPOLL2_CMD:-}"
[ -n "$WEFT_HTTP_EPOLL2_CMD" ] || WEFT_HTTP_EPOLL2_CMD="$ROOT/weft serve --port {port} --engine epoll --loops 2"
WEFT_HTTP_NIO_CMD="${WEFT_HTTP_NIO_CMD:-}"
[ -n "$WEFT_HTTP_NIO_CMD" ] || WEFT_HTTP_NIO_CMD="$ROOT/weft serve --port {port} --engine nio --loops 1"
# ---------------------------------------------------------------------------------------------------
NETTY_HTTP_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyHttpServer --port {port}"
NETTY_HTTP2_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyHttpServer --port {port} --threads 2"
CONNECTIONS=64
DEPTH=16
SCENARIOS="plain pipelined"
# Issue 13 item 2 (epoll engine; NIO within 10% of epoll) and issue 12 item 5 (two loops vs Netty's two).
TARGETS="pipelined weft-epoll/c rate >= 0.90; plain weft-epoll/c rate >= 0.95; plain weft-epoll/c p99 <= 1.20;
  plain weft-nio/weft-epoll rate >= 0.90; pipelined weft-nio/weft-epoll rate >= 0.90;
  pipelined weft-epoll-2/netty-2 rate >= 1.30"

server_cmd() {
  case "$1" in
    c) [ -n "$REFERENCE_C" ] && echo "$REFERENCE_C/http_epoll {port}" || echo "" ;;
    netty) echo "$NETTY_HTTP_CMD" ;;
    netty-2) echo "$NETTY_HTTP2_CMD" ;;
    weft-epoll) [ "$DRY_RUN" = 1 ] && echo "$NETTY_HTTP_CMD" || echo "$WEFT_HTTP_EPOLL_CMD" ;;
    weft-epoll-2) [ "$DRY_RUN" = 1 ] && echo "$NETTY_HTTP2_CMD" || echo "$WEFT_HTTP_EPOLL2_CMD" ;;
    weft-nio) [ "$DRY_RUN" = 1 ] && echo "$NETTY_HTTP_CMD" || echo "$WEFT_HTTP_NIO_CMD" ;;
    *) die "unknown HTTP server $1 (c, netty, netty-2, weft-epoll, weft-epoll-2, weft-nio)" ;;
  esac
}

# measure PORT SCENARIO SECONDS: one wrk run pinned to LOAD_CPU; prints "rate=… p50_us=… p99_us=… errors=…".
measure() {
  local port="$1" args=(-t1 -c"$CONNECTIONS" -d"${3}s" --latency --timeout 5s) out
  local url="http://127.0.0.1:$port/plaintext"
  if [ "$2" = pipelined ]; then
    out=$(taskset -c "$LOAD_CPU" wrk "${args[@]}" -s "$SCRIPTS/pipeline.lua" "$url" -- "$DEPTH" 2>&1) || true
  else
    out=$(taskset -c "$LOAD_CPU" wrk "${args[@]}" "$url" 2>&1) || true
  fi
  printf '=== port %s, %s, %s s\n%s\n' "$port" "$2" "$3" "$out" >>"$LOAD_LOG"
  awk '
    function micros(s,   v, u) { v = s + 0; u = s; sub(/^[0-9.]+/, "", u)
      return (u == "us") ? v : (u == "ms") ? v * 1000 : (u == "s") ? v * 1e6 : (u == "m") ? v * 6e7 : -1 }
    /^Requests\/sec:/ { rate = $2 }
    $1 == "50%" { p50 = micros($2) }
    $1 == "99%" { p99 = micros($2) }
    /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) errors += $i + 0 }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    END { # wrk prints a percentile of 0 when it lies past its histogram (the --timeout): unknown, not zero
          printf "rate=%s p50_us=%s p99_us=%s errors=%d\n", (rate == "" ? "?" : rate),
                 (p50 > 0 ? p50 : "?"), (p99 > 0 ? p99 : "?"), errors }' <<<"$out"
}

parse_harness_options "c weft-epoll weft-nio netty weft-epoll-2 netty-2" "$@"
REFERENCE_C=""
for s in $SERVERS; do server_cmd "$s" >/dev/null; done   # an unknown name stops here
build_jar; ensure_taskset; ensure_wrk; raise_fd_limit "$IDLE"
new_run http
build_reference_c
PORT="${WEFT_BENCH_PORT:-18080}"
preflight
note "$ROUNDS rounds of: $SERVERS; expected about $(expected_minutes) min; results in $RUN_DIR"
run_rounds
memory_rows

{
  report_header "$(command_line ./weft bench http "$@")"
  for scenario in $SCENARIOS; do
    echo
    if [ "$scenario" = plain ]; then
      echo "## GET /plaintext, $CONNECTIONS connections, no pipelining (wrk -t1 -c$CONNECTIONS -d${WINDOW_SECONDS}s, $CYCLES windows per server and round)"
    else
      echo "## GET /plaintext, $CONNECTIONS connections, $DEPTH-deep pipelining (wrk -t1 -c$CONNECTIONS, pipeline.lua $DEPTH; p50/p99 per $DEPTH-request batch)"
    fi
    echo
    scenario_tables "$scenario" req/s
    jit_table "$scenario"
  done
  echo; echo "## Targets (issue 13 item 2; issue 12 item 5: weft-epoll-2 / netty-2)"; echo
  target_table "$TARGETS"
  memory_table
} | tee "$REPORT"
note "report: $REPORT (results: $RESULTS_LOG, wrk output: $LOAD_LOG, server logs: $RUN_DIR/server-*.log)"
