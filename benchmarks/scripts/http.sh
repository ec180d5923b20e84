#!/usr/bin/env bash
# ./weft bench http [--seconds N] [--runs N] [--idle N] [--servers "..."] [--dry-run]
# wrk against Weft's and Netty's HTTP servers, one at a time, server pinned to one CPU and wrk to the
# other: 64 connections without pipelining, then 16-deep pipelining; then the server's memory with
# --idle idle connections open. Prints medians, each server's ratio to Netty, and p99 latency.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---------------------------------------------------------------------------------------------------
# WEFT'S SERVERS: `./weft serve --port N --engine epoll|nio --loops N`. {port} stands for the port. The command must exec the JVM (./weft
# does). Override either with the environment variable of the same name.
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_HTTP_EPOLL_CMD="${WEFT_HTTP_EPOLL_CMD:-}"
[ -n "$WEFT_HTTP_EPOLL_CMD" ] || WEFT_HTTP_EPOLL_CMD="$ROOT/weft serve --port {port} --engine epoll --loops 1"
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_HTTP_EPOLL2_CMD="${WEFT_HTTP_EPOLL2_CMD:-}"
[ -n "$WEFT_HTTP_EPOLL2_CMD" ] || WEFT_HTTP_EPOLL2_CMD="$ROOT/weft serve --port {port} --engine epoll --loops 2"
# (a default containing {port} cannot sit inside ${...:-...}: its brace would end the expansion)
WEFT_HTTP_NIO_CMD="${WEFT_HTTP_NIO_CMD:-}"
[ -n "$WEFT_HTTP_NIO_CMD" ] || WEFT_HTTP_NIO_CMD="$ROOT/weft serve --port {port} --engine nio --loops 1"
# ---------------------------------------------------------------------------------------------------
NETTY_HTTP_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyHttpServer --port {port}"
NETTY_HTTP2_CMD="$BENCH_JAVA_CMD dev.weft.bench.netty.NettyHttpServer --port {port} --threads 2"
CONNECTIONS=64
DEPTH=16

server_cmd() {
  case "$1" in
    netty) echo "$NETTY_HTTP_CMD" ;;
    netty-2) echo "$NETTY_HTTP2_CMD" ;;
    weft-epoll) [ "$DRY_RUN" = 1 ] && echo "$NETTY_HTTP_CMD" || echo "$WEFT_HTTP_EPOLL_CMD" ;;
    weft-epoll-2) [ "$DRY_RUN" = 1 ] && echo "$NETTY_HTTP2_CMD" || echo "$WEFT_HTTP_EPOLL2_CMD" ;;
    weft-nio) [ "$DRY_RUN" = 1 ] && echo "$NETTY_HTTP_CMD" || echo "$WEFT_HTTP_NIO_CMD" ;;
    *) die "unknown HTTP server $1 (netty, netty-2, weft-epoll, weft-epoll-2, weft-nio)" ;;
  esac
}

# wrk_once PORT SCENARIO: one wrk run; prints "req_per_s p99_us errors".
wrk_once() {
  local port="$1" args=(-t1 -c"$CONNECTIONS" -d"${RUN_SECONDS}s" --latency --timeout 5s) out
  local url="http://127.0.0.1:$port/plaintext"
  if [ "$2" = pipelined ]; then
    out=$(taskset -c "$LOAD_CPU" wrk "${args[@]}" -s "$SCRIPTS/pipeline.lua" "$url" -- "$DEPTH")
  else
    out=$(taskset -c "$LOAD_CPU" wrk "${args[@]}" "$url")
  fi
  echo "$out" >>"$RESULTS/wrk.log"
  awk '
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2 + 0; u = $2; sub(/^[0-9.]+/, "", u)
                  p99 = (u == "us") ? v : (u == "ms") ? v * 1000 : (u == "s") ? v * 1e6 : (u == "m") ? v * 6e7 : -1 }
    /Socket errors|Non-2xx/ { err = err $0 ";" }
    END { # wrk prints a 99% of 0 when it lies past its histogram (the --timeout): unknown, not zero
          printf "%s %s %s\n", (rps == "" ? "?" : rps), (p99 > 0 ? p99 : "?"), (err == "" ? "-" : err) }' <<<"$out"
}

parse_harness_options "netty weft-epoll weft-nio netty-2 weft-epoll-2" "$@"
build_jar; ensure_taskset; ensure_wrk; raise_fd_limit "$IDLE"
mkdir -p "$RESULTS"; : >"$RESULTS/wrk.log"
report="$RESULTS/http-$(date -u +%Y%m%d-%H%M%S).txt"
port="${WEFT_BENCH_PORT:-18080}"
declare -A rps p99 runs mem

for server in $SERVERS; do
  port=$((port + 1))   # a fresh port per server: no bind trouble from the last one's TIME_WAITs
  launch "$server" "$(server_cmd "$server")" "$port" || continue
  pid=$SERVER_PID
  start_rss=$(rss_mib "$pid")
  for scenario in plain pipelined; do
    note "$server, $scenario: warm-up + $RUNS x ${RUN_SECONDS} s"
    wrk_once "$port" "$scenario" >/dev/null
    r=(); l=()
    for _ in $(seq "$RUNS"); do
      read -r one_rps one_p99 errors <<<"$(wrk_once "$port" "$scenario")"
      [ "$errors" = - ] || note "$server, $scenario: wrk reported: $errors"
      r+=("$one_rps"); l+=("$one_p99")
    done
    rps[$server,$scenario]=$(median "${r[@]}")
    p99[$server,$scenario]=$(median "${l[@]}")
    runs[$server,$scenario]=$(IFS=/; echo "${r[*]}")
  done
  loaded_rss=$(rss_mib "$pid")
  stop_server "$pid"
  port=$((port + 1))
  idle_memory "$server" "$(server_cmd "$server")" "$port" || continue
  mem[$server]="$start_rss $loaded_rss $IDLE_MEMORY"
done

{
  report_header "./weft bench http $*"
  for scenario in plain pipelined; do
    if [ "$scenario" = plain ]; then
      echo; echo "GET /plaintext, $CONNECTIONS connections, no pipelining (wrk -t1 -c$CONNECTIONS)"
    else
      echo; echo "GET /plaintext, $CONNECTIONS connections, $DEPTH-deep pipelining (p99 is per $DEPTH-request batch)"
    fi
    printf '%-12s %12s %10s %8s %8s  %s\n' server "req/s" "p99 (us)" "vs netty" "scaling" "runs (req/s)"
    for server in $SERVERS; do
      [ -n "${rps[$server,$scenario]:-}" ] || { printf '%-12s %12s\n' "$server" "not run"; continue; }
      one=$(one_loop_of "$server")
      printf '%-12s %12s %10s %8s %8s  %s\n' "$server" "$(num "${rps[$server,$scenario]}")" "$(num "${p99[$server,$scenario]}")" \
        "$(ratio "${rps[$server,$scenario]}" "${rps[$(peer_of "$server"),$scenario]:-}")" \
        "$([ -n "$one" ] && ratio "${rps[$server,$scenario]}" "${rps[$one,$scenario]:-}" || echo -)" "${runs[$server,$scenario]}"
    done
  done
  echo; echo "Resident memory (MiB): after start and after the load above; then a fresh start, and with --idle connections open"
  printf '%-11s %8s %8s %8s %8s %8s %14s\n' server start loaded fresh idle opened "KiB/idle conn"
  for server in $SERVERS; do
    [ -n "${mem[$server]:-}" ] || { printf '%-11s %8s\n' "$server" "not run"; continue; }
    read -r s l f i o <<<"${mem[$server]}"
    printf '%-11s %8s %8s %8s %8s %8s %14s\n' "$server" "$s" "$l" "$f" "$i" "$o" \
      "$(awk -v f="$f" -v i="$i" -v o="$o" 'BEGIN { if (o > 0) printf "%.1f", (i - f) * 1024 / o; else print "n/a" }')"
  done
} | tee "$report"
note "report: $report (wrk output: $RESULTS/wrk.log)"
