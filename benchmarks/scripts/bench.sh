#!/usr/bin/env bash
# ./weft bench <name> [options]: the one entry point for Weft's benchmarks and load harness.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<'USAGE'
Usage: ./weft bench <name> [options]

  promises [jmh-options]  JMH: Weft vs CompletableFuture, Reactor Mono, Netty promises (-prof gc);
                          e.g. ./weft bench promises -f 1 -wi 3 -i 3 for a shorter run
  loop [regex] [jmh-options]
                          JMH (-prof gc): Weft's loop vs Netty's event loop, virtual threads,
                          HashedWheelTimer, ScheduledThreadPoolExecutor (pause, timers, cross-thread
                          submit), the cost per ready source of a wake-up (1/16/256 sources, epoll
                          and NIO) and echo latency beside a pausing chain; e.g. ./weft bench loop
                          WakeupBench -f 1 -wi 2 -i 3
  http [options]          wrk against Weft's and Netty's HTTP servers (GET /plaintext)
  echo [options]          echoload (C) ping-pong against Weft's and Netty's echo servers
                          http and echo: beside the C reference, in interleaved rounds; about 10
                          minutes each at the defaults (options below)
  xen [options]           Xen shared ring between two loops on the hypervisor model vs a Unix-domain
                          socket between two loops on io-unix (round trips/s, notify->wake p50/p99);
                          --seconds N (5), --runs N (3), --window N (128 requests in flight);
                          then a vchan on the model vs TCP loopback on io-unix (MB/s one way,
                          16-byte round trips/s): --mib N (256 per transfer), --ring-kib N (64)
  jmh [jmh-options]       JMH itself, on benchmarks.jar (e.g. ./weft bench jmh -l)

Options of http and echo (each round starts every server fresh and keeps them all up; under each
load it warms each up, then measures them in cycles of short windows, one window per server per
cycle, the order rotated each cycle; a ratio is taken within a cycle, a round's ratio is the median
of its cycles', and the report gives the rounds' median, min, max; each window follows 1 s of the
same load, not recorded, WEFT_BENCH_SETTLE_SECONDS to change it):
  --rounds N     rounds (default 3; --runs is the old name)
  --seconds N    measured seconds per server, load and round (default 8)
  --cycles N     cycles per round and load, into which --seconds is split (default 4: 2 s windows)
  --warmup N     seconds of each warm-up run per server start and load (default 3; 0: none); each run
                 on new connections, at least 2, then until one in which the server's JIT compiled
                 for at most 50 ms (at most 5 runs): the measured run starts with the JIT quiet
  --idle N       idle connections for the memory rows (default 10000; 0: no memory rows)
  --servers "…"  which servers, default "c weft-epoll weft-nio netty weft-epoll-2 netty-2"; c is the C
                 reference (shared/reference-c, or $WEFT_REFERENCE_C), built with make into target/;
                 a -2 row runs two loops on both CPUs, beside the load generator
  --dry-run      let Netty stand in for Weft, to check the harness itself
  --smoke        a quick check of the harness: --seconds 2 --cycles 2 --warmup 1 --rounds 1 --idle 0

xen also runs BlockBench first: random 4 KiB reads and writes at depth 1 and 32 through blkfront on the
model vs direct file I/O through io-unix (IOPS, p50/p99): --image-mib N (64), --pool-threads N (2).

http and echo write report.txt, results.log (one line per run), load.log and server logs to
benchmarks/target/bench-results/<name>-<date>/; the others write to benchmarks/target/bench-results/.
Method: docs/performance.md.
USAGE
}

name="${1:-help}"; [ $# -gt 0 ] && shift
case "$name" in
  promises|loop|http|echo|xen|jmh) exec bash "$here/$name.sh" "$@" ;;
  help|-h|--help) usage ;;
  *) usage >&2; echo "weft bench: unknown benchmark: $name" >&2; exit 2 ;;
esac
