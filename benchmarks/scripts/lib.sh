# Shared by the ./weft bench scripts: building the benchmark jar, starting pinned servers, reading
# their memory, and small statistics. Sourced, not run. Expects JAVA_HOME/PATH set by ./weft.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCRIPTS="$ROOT/benchmarks/scripts"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
RESULTS="$ROOT/benchmarks/target/bench-results"
# Netty on JDK 25: JNI loading and sun.misc.Unsafe would otherwise print warnings on every start.
JAVA_FLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
SERVER_CPU="${WEFT_BENCH_SERVER_CPU:-0}"   # the server under test gets this CPU to itself...
LOAD_CPU="${WEFT_BENCH_LOAD_CPU:-1}"       # ...and the load generator this one
# Every server JVM, Weft's or a peer's, gets the same options through the java launcher's own
# variable, so even a server started by another script (./weft serve) runs with them.
SERVER_JVM_OPTS="${WEFT_BENCH_SERVER_JVM_OPTS:--Xmx1g}"

STARTED_PIDS=()

die() { echo "weft bench: $*" >&2; exit 2; }
note() { echo "weft bench: $*" >&2; }

require_java25() {
  local v
  v=$(java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
  [ -n "$v" ] && [ "$v" -ge 25 ] || die "java on PATH is ${v:-missing}, need 25+: run through ./weft bench, which finds one"
}

# Builds benchmarks.jar (and the modules it needs) unless no source or POM is newer than it.
build_jar() {
  require_java25
  if [ -f "$JAR" ] && [ -z "$(find "$ROOT" -path "$ROOT/.git" -prune -o -path '*/target' -prune -o \
        \( -name '*.java' -o -name 'pom.xml' \) -newer "$JAR" -print -quit)" ]; then
    return
  fi
  note "building benchmarks.jar (JDK: ${JAVA_HOME:-java on PATH})"
  # Maven's own Guava warns about sun.misc.Unsafe on JDK 25; that noise is not ours.
  (cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" mvn -B -q --no-transfer-progress -Dstyle.color=never -pl benchmarks -am package -DskipTests) \
    || die "build failed; rerun: mvn -pl benchmarks -am package -DskipTests"
}

# How to run a main class of benchmarks.jar: as words ("${BENCH_JAVA[@]}" Main args) and as one
# string for server commands (which bash -c runs).
BENCH_JAVA=(java "${JAVA_FLAGS[@]}" -cp "$JAR")
BENCH_JAVA_CMD="java ${JAVA_FLAGS[*]} -cp '$JAR'"

# Raises the open-file limit to the hard limit; idle-connection runs need one fd per connection.
raise_fd_limit() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  local want=$(( $1 + 1000 ))
  [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$want" ] \
    || note "open-file limit $(ulimit -n) < $want: fewer idle connections will open (raise it with ulimit -Hn as root)"
}

ensure_wrk() {
  command -v wrk >/dev/null && return
  note "installing wrk (Debian package)"
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } \
    || die "could not install wrk: apt-get install wrk"
}

ensure_taskset() {
  command -v taskset >/dev/null || die "taskset not found: apt-get install util-linux"
  [ "$(nproc)" -ge 2 ] || die "pinning needs 2 CPUs (server on $SERVER_CPU, load on $LOAD_CPU); this machine has $(nproc)"
}

# start_server NAME COMMAND PORT: runs COMMAND ({port} replaced) pinned to SERVER_CPU; sets SERVER_PID.
# A server whose name ends in -2 (two loops) gets both CPUs, SERVER_CPU and LOAD_CPU: it then competes
# with the load generator for LOAD_CPU, and its report says so.
# The command must exec its JVM (java, or ./weft which execs java) so the PID is the server's own.
start_server() {
  local name="$1" cmd="${2//\{port\}/$3}" cpus="$SERVER_CPU"
  case "$name" in *-2) cpus="$SERVER_CPU,$LOAD_CPU" ;; esac
  taskset -c "$cpus" env JDK_JAVA_OPTIONS="$SERVER_JVM_OPTS" bash -c "exec $cmd" \
    >"$RESULTS/$name.log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
}

# wait_port PORT PID SECONDS: true once PORT accepts, false if PID exits or SECONDS pass.
wait_port() {
  local port="$1" pid="$2" deadline=$(( SECONDS + $3 ))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  return 1
}

stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT

# Resident memory of PID in MiB (one decimal), read after a full GC so that garbage the load left
# in the heap does not pass for memory the server needs (any JVM: jcmd attaches by PID).
settled_rss_mib() {
  jcmd "$1" GC.run >/dev/null 2>&1 || note "jcmd GC.run failed for PID $1; reading memory without a GC"
  sleep 1
  rss_mib "$1"
}

# Resident memory of PID in MiB (one decimal).
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

# idle_rss PORT PID COUNT: opens COUNT idle connections to PORT, prints "opened rss_mib".
idle_rss() {
  local port="$1" pid="$2" count="$3" fifo line opened rss
  fifo="$(mktemp -u)"; mkfifo "$fifo"
  taskset -c "$LOAD_CPU" "${BENCH_JAVA[@]}" dev.weft.bench.load.IdleConnections --port "$port" \
      --count "$count" --open-seconds 60 --hold-seconds 120 >"$fifo" 2>"$RESULTS/idle.log" &
  local holder=$!
  STARTED_PIDS+=("$holder")
  read -r line <"$fifo" || line=""
  rm -f "$fifo"
  opened=$(sed -n 's/.*idle_connections=\([0-9]*\).*/\1/p' <<<"$line")
  sleep 2   # let the server finish registering the last accepts before reading its memory
  rss=$(settled_rss_mib "$pid")
  stop_server "$holder"
  echo "${opened:-0} $rss"
}

# idle_memory NAME COMMAND PORT: on a fresh start of the server (so the load's garbage does not blur
# the per-connection cost), sets IDLE_MEMORY="fresh_rss_mib idle_rss_mib opened" with IDLE idle
# connections open; false if the server does not start. Not for $(...): its PIDs must stay tracked.
idle_memory() {
  launch "$1" "$2" "$3" || return 1
  local pid=$SERVER_PID fresh opened idle
  sleep 2   # let start-up settle before the baseline
  fresh=$(settled_rss_mib "$pid")
  note "$1: opening $IDLE idle connections"
  read -r opened idle <<<"$(idle_rss "$3" "$pid" "$IDLE")"
  stop_server "$pid"
  IDLE_MEMORY="$fresh $idle $opened"
}

# median of the numbers given as arguments; non-numbers ("?") are left out.
median() { printf '%s\n' "$@" | awk '$1 ~ /^[0-9.]+$/' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# num X: X rounded to a whole number, or X itself if it is not a number ("?").
num() { awk -v x="$1" 'BEGIN { if (x ~ /^[0-9.]+$/) printf "%.0f", x; else print x }'; }

# peer_of SERVER: the Netty row a server is compared with: netty-2 for a two-loop row, netty otherwise.
peer_of() { case "$1" in *-2) echo netty-2 ;; *) echo netty ;; esac; }

# one_loop_of SERVER: the one-loop row a two-loop row scales from (weft-epoll-2 -> weft-epoll), or nothing.
one_loop_of() { case "$1" in *-2) echo "${1%-2}" ;; esac; }

# ratio A B: A/B with two decimals, or n/a.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Options shared by http.sh and echo.sh; sets RUN_SECONDS RUNS IDLE SERVERS DRY_RUN.
# $1 is the default server list; the rest are the script's arguments.
parse_harness_options() {
  RUN_SECONDS=10; RUNS=3; IDLE=10000; SERVERS="$1"; DRY_RUN=0; shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --seconds) RUN_SECONDS="$2"; shift 2 ;;
      --runs) RUNS="$2"; shift 2 ;;
      --idle) IDLE="$2"; shift 2 ;;
      --servers) SERVERS="$2"; shift 2 ;;
      --dry-run) DRY_RUN=1; shift ;;
      *) die "unknown option $1 (see ./weft bench help)" ;;
    esac
  done
  [ "$RUNS" -ge 1 ] && [ "$RUN_SECONDS" -ge 1 ] && [ "$RUN_SECONDS" -le 600 ] \
    || die "--runs must be >= 1 and --seconds within 1..600"
}

# The header every harness report starts with: what ran, where, when.
report_header() {
  echo "# $1 — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "# $(java -version 2>&1 | sed -n 2p); server JVM options: $SERVER_JVM_OPTS"
  echo "# servers pinned to CPU $SERVER_CPU, load generator to CPU $LOAD_CPU; 1 warm-up run + $RUNS measured runs of ${RUN_SECONDS} s per row; medians"
  echo "# rows named *-2 run 2 loops (Weft --loops 2, Netty 2 event loops) on CPUs $SERVER_CPU,$LOAD_CPU: they compete with the load generator for CPU $LOAD_CPU"
  [ "$DRY_RUN" = 1 ] && echo "# DRY RUN: Netty stands in for every Weft server (checks the harness, not Weft)"
  return 0
}

# Starts server NAME with COMMAND on PORT and waits for it; false (and a note) if it never listens.
# Weft's first start may build the project, hence the long wait.
launch() {
  local name="$1" cmd="$2" port="$3"
  if [ -z "$cmd" ]; then
    note "$name: no command configured; its rows are skipped"
    return 1
  fi
  start_server "$name" "$cmd" "$port"
  if ! wait_port "$port" "$SERVER_PID" 300; then
    note "$name did not listen on 127.0.0.1:$port; its rows are skipped. Last lines of $RESULTS/$name.log:"
    tail -n 3 "$RESULTS/$name.log" >&2 || true
    stop_server "$SERVER_PID"
    return 1
  fi
}
