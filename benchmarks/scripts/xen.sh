#!/usr/bin/env bash
# ./weft bench xen [--seconds 5] [--runs 3] [--window 128]: RingBench, one JVM that measures request/
# response round trips through a Xen shared ring between two loops on the hypervisor model, and the
# same exchange over a Unix-domain socket between two loops on io-unix's epoll engine; prints one
# table with the ratio; then VchanBench, a second JVM: one-way throughput and 16-byte ping-pong over a
# vchan between two domains of the model beside a TCP loopback connection on io-unix (its options:
# --seconds, --runs, --mib 256, --ring-kib 64; each program ignores the other's). Each transport has
# two loop threads, so the whole JVM is pinned to two CPUs.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_jar; ensure_taskset
mkdir -p "$RESULTS"
report="$RESULTS/xen-$(date -u +%Y%m%d-%H%M%S).txt"
cpus="$SERVER_CPU,$LOAD_CPU"
{
  echo "# ./weft bench xen $* — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "# $(java -version 2>&1 | sed -n 2p); JVM pinned to CPUs $cpus; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  # BlockBench (own JVM): random 4 KiB reads/writes at depth 1 and 32, blkfront -> blkback on the model
  # vs the same file through io-unix's BlockingPool; image in $WEFT_BENCH_BLOCK_DIR (default /dev/shm)
  taskset -c "$cpus" "${BENCH_JAVA[@]}" dev.weft.bench.xen.BlockBench "$@"
  echo
  taskset -c "$cpus" "${BENCH_JAVA[@]}" dev.weft.bench.xen.RingBench "$@"
  echo
  taskset -c "$cpus" "${BENCH_JAVA[@]}" dev.weft.bench.xen.VchanBench "$@"
  echo "# load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$report"
