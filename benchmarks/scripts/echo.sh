#!/usr/bin/env bash
# ./weft bench echo [--seconds N] [--runs N] [--idle N] [--servers "..."] [--dry-run]
# TCP ping-pong (benchmarks' EchoLoad: each connection sends 64 bytes and waits for the echo) against
# Weft's and Netty's echo servers, one at a time, server pinned to one CPU and the load to the other,
# with 1 and 64 connections; then the server's memory with --idle idle connections open.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------------------------------
# Weft's echo server: the samples' EchoServer through the launcher, which execs the JVM; {port} is the
# port. The environment variable of the same name overrides it.
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_ECHO_CMD="${WEFT_ECHO_CMD:-}"
[ -n "$WEFT_ECHO_CMD" ] || WEFT_ECHO_CMD="$ROOT/weft echo-server --port {port} --loops 1"
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_ECHO2_CMD="${WEFT_ECHO2_CMD:-}"
[ -n "$WEFT_ECHO2_CMD" ] || WEFT_ECHO2_CMD="$ROOT/weft echo-server --port {port} --loops 2"
# ---------------------------------------------------------------------------------------------------
NETTY_ECHO_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyEchoServer --port {port}"
NETTY_ECHO2_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyEchoServer --port {port} --threads 2"
CONNECTION_COUNTS="1 64"
MESSAGE_BYTES=64

server_cmd() {
  case "$1" in
    netty) echo "$NETTY_ECHO_CMD" ;;
    netty-2) echo "$NETTY_ECHO2_CMD" ;;
    weft) [ "$DRY_RUN" = 1 ] && echo "$NETTY_ECHO_CMD" || echo "$WEFT_ECHO_CMD" ;;
    weft-2) [ "$DRY_RUN" = 1 ] && echo "$NETTY_ECHO2_CMD" || echo "$WEFT_ECHO2_CMD" ;;
    *) die "unknown echo server $1 (netty, netty-2, weft, weft-2)" ;;
  esac
}

# load_once PORT CONNECTIONS: one EchoLoad run; prints "round_trips_per_s p50_us p99_us".
load_once() {
  local out
  out=$(taskset -c "$LOAD_CPU" "${BENCH_JAVA[@]}" dev.weft.bench.load.EchoLoad --port "$1" \
        --connections "$2" --size "$MESSAGE_BYTES" --seconds "$RUN_SECONDS" --warmup-seconds 1)
  echo "$out" >>"$RESULTS/echo-load.log"
  sed -n 's/.*rps=\([0-9.]*\) p50_us=\([^ ]*\) p99_us=\([^ ]*\).*/\1 \2 \3/p' <<<"$out"
}

parse_harness_options "netty weft netty-2 weft-2" "$@"
build_jar; ensure_taskset; raise_fd_limit "$IDLE"
mkdir -p "$RESULTS"; : >"$RESULTS/echo-load.log"
report="$RESULTS/echo-$(date -u +%Y%m%d-%H%M%S).txt"
port="${WEFT_BENCH_PORT:-18180}"
declare -A rtps p50 p99 runs mem

for server in $SERVERS; do
  port=$((port + 1))
  launch "$server" "$(server_cmd "$server")" "$port" || continue
  pid=$SERVER_PID
  for c in $CONNECTION_COUNTS; do
    note "$server, $c connections: warm-up + $RUNS x ${RUN_SECONDS} s"
    load_once "$port" "$c" >/dev/null
    r=(); m=(); l=()
    for _ in $(seq "$RUNS"); do
      read -r one_rtps one_p50 one_p99 <<<"$(load_once "$port" "$c")"
      r+=("${one_rtps:-?}"); m+=("${one_p50:-?}"); l+=("${one_p99:-?}")
    done
    rtps[$server,$c]=$(median "${r[@]}")
    p50[$server,$c]=$(median "${m[@]}")
    p99[$server,$c]=$(median "${l[@]}")
    runs[$server,$c]=$(IFS=/; echo "${r[*]}")
  done
  stop_server "$pid"
  port=$((port + 1))
  idle_memory "$server" "$(server_cmd "$server")" "$port" || continue
  mem[$server]="$IDLE_MEMORY"
done

{
  report_header "./weft bench echo $*"
  for c in $CONNECTION_COUNTS; do
    echo; echo "TCP echo ping-pong, $MESSAGE_BYTES-byte messages, $c connections, one round trip in flight per connection"
    printf '%-8s %14s %9s %9s %8s %8s  %s\n' server "round trips/s" "p50 (us)" "p99 (us)" "vs netty" "scaling" "runs (round trips/s)"
    for server in $SERVERS; do
      [ -n "${rtps[$server,$c]:-}" ] || { printf '%-8s %14s\n' "$server" "not run"; continue; }
      one=$(one_loop_of "$server")
      printf '%-8s %14s %9s %9s %8s %8s  %s\n' "$server" "$(num "${rtps[$server,$c]}")" "${p50[$server,$c]}" \
        "${p99[$server,$c]}" "$(ratio "${rtps[$server,$c]}" "${rtps[$(peer_of "$server"),$c]:-}")" \
        "$([ -n "$one" ] && ratio "${rtps[$server,$c]}" "${rtps[$one,$c]:-}" || echo -)" "${runs[$server,$c]}"
    done
  done
  echo; echo "Resident memory (MiB) of a fresh server, and with --idle connections open"
  printf '%-8s %8s %8s %8s %14s\n' server fresh idle opened "KiB/idle conn"
  for server in $SERVERS; do
    [ -n "${mem[$server]:-}" ] || { printf '%-8s %8s\n' "$server" "not run"; continue; }
    read -r f i o <<<"${mem[$server]}"
    printf '%-8s %8s %8s %8s %14s\n' "$server" "$f" "$i" "$o" \
      "$(awk -v f="$f" -v i="$i" -v o="$o" 'BEGIN { if (o > 0) printf "%.1f", (i - f) * 1024 / o; else print "n/a" }')"
  done
} | tee "$report"
note "report: $report (load output: $RESULTS/echo-load.log)"
