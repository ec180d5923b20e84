# Shared by the ./weft bench scripts: building the benchmark jar and the C reference, starting pinned
# servers, measuring them in interleaved rounds, reading their memory. Sourced, not run. Expects
# JAVA_HOME/PATH set by ./weft.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCRIPTS="$ROOT/benchmarks/scripts"
JAR="$ROOT/benchmarks/target/benchmarks.jar"
RESULTS="$ROOT/benchmarks/target/bench-results"
# Netty on JDK 25: JNI loading and sun.misc.Unsafe would otherwise print warnings on every start.
JAVA_FLAGS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
SERVER_CPU="${WEFT_BENCH_SERVER_CPU:-0}"   # the server under test gets this CPU to itself...
LOAD_CPU="${WEFT_BENCH_LOAD_CPU:-1}"       # ...and the load generator this one
# Every server JVM, Weft's or a peer's, gets the same options through the java launcher's own
# variable, so even a server started by another script (./weft serve) runs with them. A fixed,
# pre-touched heap: no JVM grows its heap or faults its pages in during a measured run.
SERVER_JVM_OPTS="${WEFT_BENCH_SERVER_JVM_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}"
# The memory rows read the resident set: a pre-touched heap would be all resident and hide what a
# connection costs, so they start the servers without it.
MEMORY_JVM_OPTS="${WEFT_BENCH_MEMORY_JVM_OPTS:--Xmx1g}"

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

# Runs a command as root: directly when we are root, else through sudo if it needs no password.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi
}

# apt_install PACKAGE: installs a Debian package, refreshing the package lists only if the first try fails.
apt_install() {
  note "installing $1 (Debian package)"
  as_root apt-get install -y -q "$1" >/dev/null 2>&1 \
    || { as_root apt-get update -q >/dev/null 2>&1 && as_root apt-get install -y -q "$1" >/dev/null 2>&1; }
}

ensure_wrk() {
  command -v wrk >/dev/null || apt_install wrk || die "could not install wrk: apt-get install wrk"
}

ensure_taskset() {
  command -v taskset >/dev/null || die "taskset not found: apt-get install util-linux"
  [ "$(nproc)" -ge 2 ] || die "pinning needs 2 CPUs (server on $SERVER_CPU, load on $LOAD_CPU); this machine has $(nproc)"
}

# ---------------------------------------------------------------------------------------------------
# The C reference: single-threaded epoll servers (http_epoll, echo_epoll) and the echo load generator
# (echoload), the machine's limit beside which Weft is measured. Their sources live in the read-only
# shared/ directory next to the project (shared/reference-c); they are built into target/.

REFERENCE_C_OUT="$ROOT/benchmarks/target/reference-c"

# The directory of the C reference's sources, or nothing: $WEFT_REFERENCE_C, else shared/reference-c
# beside this checkout, else beside the main checkout when this one is a git worktree.
find_reference_c() {
  local common="" dir
  common=$(cd "$ROOT" && git rev-parse --path-format=absolute --git-common-dir 2>/dev/null) || common=""
  for dir in "${WEFT_REFERENCE_C:-}" "$ROOT/../shared/reference-c" ${common:+"$(dirname "$common")/../shared/reference-c"}; do
    if [ -n "$dir" ] && [ -f "$dir/Makefile" ]; then (cd "$dir" && pwd); return; fi
  done
}

# Builds the C reference into $REFERENCE_C_OUT (make rebuilds only what changed) and sets
# REFERENCE_C to that directory; leaves REFERENCE_C empty, with a note, if it cannot.
build_reference_c() {
  REFERENCE_C=""
  local src
  src=$(find_reference_c)
  if [ -z "$src" ]; then
    note "C reference not found (set WEFT_REFERENCE_C to the reference-c directory, or put shared/ beside the project)"
    return
  fi
  if ! command -v gcc >/dev/null || ! command -v make >/dev/null; then
    apt_install build-essential || { note "gcc/make missing and could not install build-essential: the C rows are skipped"; return; }
  fi
  # shared/ is read-only: the objects go to target/, never beside the sources.
  if make -s -C "$src" OUT="$REFERENCE_C_OUT" >"$RESULTS/reference-c-build.log" 2>&1; then
    REFERENCE_C="$REFERENCE_C_OUT"
  else
    note "building the C reference failed (see $RESULTS/reference-c-build.log): the C rows are skipped"
  fi
}

# ---------------------------------------------------------------------------------------------------
# Servers: started pinned, waited for, stopped.

# start_server NAME COMMAND PORT LOG JVM_OPTS: runs COMMAND ({port} replaced) pinned to SERVER_CPU,
# appending its output to LOG; sets SERVER_PID. A server whose name ends in -2 (two loops) gets both
# CPUs, SERVER_CPU and LOAD_CPU: it then competes with the load generator for LOAD_CPU, and the
# report says so. The command must exec its process (java, ./weft which execs java, or a C server)
# so that the PID is the server's own. UNPINNED_CPUS, when set, replaces the pinning (preflight).
start_server() {
  local name="$1" cmd="${2//\{port\}/$3}" log="$4" opts="$5" cpus="$SERVER_CPU"
  case "$name" in *-2) cpus="$SERVER_CPU,$LOAD_CPU" ;; esac
  cpus="${UNPINNED_CPUS:-$cpus}"
  echo "=== $(date -u +%FT%TZ) $name on CPUs $cpus: $cmd" >>"$log"
  taskset -c "$cpus" env JDK_JAVA_OPTIONS="$opts" bash -c "exec $cmd" >>"$log" 2>&1 &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
}

# wait_port PORT PID SECONDS: true once PORT accepts, false if PID exits or SECONDS pass.
wait_port() {
  local port="$1" pid="$2" deadline=$(( SECONDS + $3 ))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
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

# launch NAME COMMAND PORT JVM_OPTS [WAIT_SECONDS]: starts server NAME and waits until it listens;
# false (and a note) if it has no command or never listens.
launch() {
  local name="$1" cmd="$2" port="$3" opts="$4" wait="${5:-60}" log="$RUN_DIR/server-$1.log"
  if [ -z "$cmd" ]; then
    note "$name: no command configured; its rows are skipped"
    return 1
  fi
  start_server "$name" "$cmd" "$port" "$log" "$opts"
  if ! wait_port "$port" "$SERVER_PID" "$wait"; then
    note "$name did not listen on 127.0.0.1:$port within $wait s; last lines of $log:"
    tail -n 3 "$log" >&2 || true
    stop_server "$SERVER_PID"
    return 1
  fi
}

# next_port: sets PORT to a port not used before in this run (no bind trouble from the last
# server's TIME_WAITs).
next_port() { PORT=$(( PORT + 1 )); }

# ---------------------------------------------------------------------------------------------------
# Options shared by http.sh and echo.sh.

# parse_harness_options DEFAULT_SERVERS ARGS...: sets RUN_SECONDS CYCLES WINDOW_SECONDS WARMUP_SECONDS
# ROUNDS IDLE SERVERS DRY_RUN. RUN_SECONDS, a server's measured seconds per scenario and round, is
# split into CYCLES windows of WINDOW_SECONDS.
parse_harness_options() {
  RUN_SECONDS=8; CYCLES=4; WARMUP_SECONDS=3; ROUNDS=3; IDLE=10000; SERVERS="$1"; DRY_RUN=0; shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --seconds|--cycles|--warmup|--rounds|--runs|--idle|--servers)
        [ $# -ge 2 ] || die "$1 needs a value (see ./weft bench help)" ;;&
      --seconds) RUN_SECONDS="$2"; shift 2 ;;
      --cycles) CYCLES="$2"; shift 2 ;;
      --warmup) WARMUP_SECONDS="$2"; shift 2 ;;
      --rounds|--runs) ROUNDS="$2"; shift 2 ;;   # --runs: the name before rounds were interleaved
      --idle) IDLE="$2"; shift 2 ;;
      --servers) SERVERS="$2"; shift 2 ;;
      --dry-run) DRY_RUN=1; shift ;;
      --smoke) RUN_SECONDS=2; CYCLES=2; WARMUP_SECONDS=1; ROUNDS=1; IDLE=0; shift ;;
      *) die "unknown option $1 (see ./weft bench help)" ;;
    esac
  done
  [[ "$ROUNDS" =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] || die "--rounds wants a whole number of at least 1"
  [[ "$RUN_SECONDS" =~ ^[0-9]+$ ]] && [ "$RUN_SECONDS" -ge 1 ] && [ "$RUN_SECONDS" -le 600 ] || die "--seconds wants 1..600"
  [[ "$CYCLES" =~ ^[0-9]+$ ]] && [ "$CYCLES" -ge 1 ] && [ $(( RUN_SECONDS % CYCLES )) = 0 ] \
    || die "--cycles wants a whole number of at least 1 that divides --seconds ($RUN_SECONDS) into whole-second windows"
  WINDOW_SECONDS=$(( RUN_SECONDS / CYCLES ))
  [[ "$WARMUP_SECONDS" =~ ^[0-9]+$ ]] && [ "$WARMUP_SECONDS" -le 600 ] || die "--warmup wants 0..600"
  [[ "$IDLE" =~ ^[0-9]+$ ]] || die "--idle wants a whole number (0: no memory rows)"
  [ -n "$SERVERS" ] || die "--servers is empty"
}

# ---------------------------------------------------------------------------------------------------
# Interleaved rounds. The caller defines server_cmd NAME (the command starting server NAME, {port}
# for the port; empty if it cannot run here) and measure PORT SCENARIO SECONDS (one load run, pinned
# to LOAD_CPU, printing "rate=... p50_us=... p99_us=... errors=...", ? for what it could not read),
# and sets SCENARIOS. Results go to $RESULTS_LOG, one line per run (RoundsReport reads them).

# new_run NAME: creates this run's directory and sets RUN_DIR, RESULTS_LOG, LOAD_LOG, REPORT.
new_run() {
  mkdir -p "$RESULTS"
  RUN_DIR="$RESULTS/$1-$(date -u +%Y%m%d-%H%M%S)"
  mkdir -p "$RUN_DIR"
  RESULTS_LOG="$RUN_DIR/results.log"
  LOAD_LOG="$RUN_DIR/load.log"
  REPORT="$RUN_DIR/report.txt"
  : >"$RESULTS_LOG"; : >"$LOAD_LOG"
  LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
  # Interleaving keeps drift out of the ratios, not noise: a busy machine spreads the rounds.
  awk -v l="${LOAD_AT_START%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 4) }' \
    && note "the machine is busy (load average $LOAD_AT_START on $(nproc) CPUs): expect wide rounds; publish only runs on an idle machine"
  return 0
}

# preflight: starts each server once, unpinned and unloaded, so that a first build (./weft builds
# what changed) happens outside the rounds and a server that cannot start is dropped before them.
preflight() {
  local server kept=""
  for server in $SERVERS; do
    next_port
    note "preflight: starting $server"
    if UNPINNED_CPUS="0-$(( $(nproc) - 1 ))" launch "$server" "$(server_cmd "$server")" "$PORT" "$MEMORY_JVM_OPTS" 600; then
      stop_server "$SERVER_PID"
      kept+="$server "
    else
      echo "# preflight: $server did not start; left out" >>"$RESULTS_LOG"
    fi
  done
  SERVERS="${kept% }"
  [ -n "$SERVERS" ] || die "no server started; see the server-*.log files in $RUN_DIR"
}

# expected_minutes: the run's length by the options: per round, the starts, the warm-ups (busy JVMs
# warm up longer) and the measured windows (each with two jstat reads), then the memory rows.
expected_minutes() {
  local n scenarios per memory=0
  n=$(wc -w <<<"$SERVERS")
  scenarios=$(wc -w <<<"$SCENARIOS")
  per=$(( n * 3 + scenarios * n * (2 * WARMUP_SECONDS + 2 + RUN_SECONDS + CYCLES * (1 + SETTLE_SECONDS)) ))
  [ "$IDLE" -gt 0 ] && memory=$(( $(one_loop_servers | wc -w) * 15 ))
  echo $(( (ROUNDS * per + memory + n * 3 + 59) / 60 ))
}

# Seconds of load, not recorded, before each measured window. Why: between two of its windows a
# server idles for the other servers' windows (and, before its first, for their warm-ups), and a
# JVM coming back from idle compiles again (in the first run of this design, 2026-12-05 16:01 UTC,
# every measured window of Weft's plain HTTP held 11-30 JIT compilations, and its p99 was twice
# C's); the old design measured each server right after its warm-up.
SETTLE_SECONDS="${WEFT_BENCH_SETTLE_SECONDS:-1}"

# cpu_ticks PID...: the user and system clock ticks the processes have used so far, "USER SYS" (0 0
# for one that is gone).
cpu_ticks() {
  local pid u=0 s=0 fields
  for pid in "$@"; do
    fields=$(awk '{ print $14, $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
    u=$(( u + ${fields% *} )); s=$(( s + ${fields#* } ))
  done
  echo "$u $s"
}

# others SERVER: the PIDs of the round's other servers (run_rounds' up and pid_of).
others() { local s; for s in "${up[@]}"; do [ "$s" = "$1" ] || echo "${pid_of[$s]}"; done; }

# ticks_ms TICKS: clock ticks in milliseconds.
CLOCK_TICK_MS=$(( 1000 / $(getconf CLK_TCK) ))
ticks_ms() { echo $(( $1 * CLOCK_TICK_MS )); }

# run_rounds: ROUNDS rounds. In each, every server is started fresh (on a port of its own, in an
# order rotated by one server per round) and they all stay up: a server that is not being measured
# waits in epoll_wait (or its selector) and takes no CPU, which each window's idle_cpu_ms= checks.
# Then per scenario every server is warmed up (warm_up), and measured in CYCLES cycles of WINDOW-second
# windows, one window per server per cycle, the servers' order rotated by one each cycle. Why: this
# machine switches between a fast and a slow state (about 35% apart, every server alike) at moments
# of its own, every minute or so; windows seconds apart nearly always share a state, so the report
# takes each ratio within a cycle and a round's ratio as the median of its cycles' (RoundsReport),
# where one long window per server, each a minute apart, paired whatever states they fell in. The
# servers are stopped at the end of the round. Appends "warmup ..." and "run ... cycle=..." lines to
# RESULTS_LOG; a run line also has the measured server's CPU (server_user_ms=, server_sys_ms=) and
# the other servers' (idle_cpu_ms=) during its window.
run_rounds() {
  local -a order up
  read -r -a order <<<"$SERVERS"
  local n=${#order[@]} round i server scenario cycle m j pid before after result t0 t1 o0 o1
  local -A port_of pid_of
  for round in $(seq "$ROUNDS"); do
    echo "round round=$round started=$(date -u +%FT%TZ) loadavg=$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS_LOG"
    up=(); port_of=(); pid_of=()
    for i in $(seq 0 $(( n - 1 ))); do
      server=${order[$(( (i + round - 1) % n ))]}
      next_port
      note "round $round of $ROUNDS: starting $server"
      if ! launch "$server" "$(server_cmd "$server")" "$PORT" "$SERVER_JVM_OPTS"; then
        echo "# round $round: $server did not start" >>"$RESULTS_LOG"
        continue
      fi
      up+=("$server"); port_of[$server]=$PORT; pid_of[$server]=$SERVER_PID
    done
    m=${#up[@]}
    for scenario in $SCENARIOS; do
      for server in "${up[@]}"; do
        note "round $round of $ROUNDS, $scenario: warming up $server (2-$WARMUP_PASSES_MAX × ${WARMUP_SECONDS} s)"
        PORT=${port_of[$server]}
        warm_up "$round" "$server" "$scenario" "${pid_of[$server]}"
      done
      note "round $round of $ROUNDS, $scenario: $CYCLES cycles of ${WINDOW_SECONDS} s per server"
      for cycle in $(seq "$CYCLES"); do
        for j in $(seq 0 $(( m - 1 ))); do
          server=${up[$(( (j + cycle - 1) % m ))]}
          pid=${pid_of[$server]}
          # The server idled while the others were measured: SETTLE_SECONDS of the same load first,
          # not recorded, so that the window starts busy (see SETTLE_SECONDS).
          [ "$SETTLE_SECONDS" -gt 0 ] && measure "${port_of[$server]}" "$scenario" "$SETTLE_SECONDS" >/dev/null
          before=$(jit_state "$pid")
          read -r -a t0 <<<"$(cpu_ticks "$pid")"
          read -r -a o0 <<<"$(cpu_ticks $(others "$server"))"
          result=$(measure "${port_of[$server]}" "$scenario" "$WINDOW_SECONDS")
          read -r -a t1 <<<"$(cpu_ticks "$pid")"
          read -r -a o1 <<<"$(cpu_ticks $(others "$server"))"
          after=$(jit_state "$pid")
          echo "run round=$round cycle=$cycle server=$server scenario=$scenario $result $(jit_fields "$before" "$after")" \
            "server_user_ms=$(ticks_ms $(( t1[0] - t0[0] ))) server_sys_ms=$(ticks_ms $(( t1[1] - t0[1] )))" \
            "idle_cpu_ms=$(ticks_ms $(( o1[0] + o1[1] - o0[0] - o0[1] )))" >>"$RESULTS_LOG"
        done
      done
    done
    for server in "${up[@]}"; do
      if ! kill -0 "${pid_of[$server]}" 2>/dev/null; then
        note "$server exited during its runs; see $RUN_DIR/server-$server.log"
        echo "# round $round: $server exited during its runs" >>"$RESULTS_LOG"
      fi
      stop_server "${pid_of[$server]}"
    done
  done
  echo "# rounds ended $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS_LOG"
}

# warm_up ROUND SERVER SCENARIO PID: load runs of WARMUP_SECONDS each, every one on new connections,
# until the JIT is quiet: at least two, then until a run in which the server's JIT compiled for at
# most JIT_QUIET_MS, at most WARMUP_PASSES_MAX. Why two: a JVM's JIT compiles the hot path from the
# first run's profile, in which no connection has closed yet; the first close then takes branches
# the compiled code has pruned (C2's unstable_if traps), and the JIT recompiles the whole path. With
# one warm-up run that recompilation fell inside the measured run: C2 took CPU 0 from the server's
# loop in 4-11 ms slices for about a second (issue 13, docs/performance.md), which was the JVM
# servers' plain-HTTP p99. Why until quiet: on a busy machine a run of WARMUP_SECONDS serves ten
# times fewer requests, and the JIT is not done after two. Each warm-up and run line records the
# JIT's work during it (jit_compiles=, jit_ms=), so a measured run with the JIT busy shows.
JIT_QUIET_MS=50
WARMUP_PASSES_MAX=5
warm_up() {
  [ "$WARMUP_SECONDS" -gt 0 ] || return 0
  local pass before after result jit
  for pass in $(seq "$WARMUP_PASSES_MAX"); do
    before=$(jit_state "$4")
    result=$(measure "$PORT" "$3" "$WARMUP_SECONDS")
    after=$(jit_state "$4")
    jit=$(jit_fields "$before" "$after")
    echo "warmup round=$1 server=$2 scenario=$3 pass=$pass $result $jit" >>"$RESULTS_LOG"
    [ "$pass" -ge 2 ] || continue
    [[ "${jit##*jit_ms=}" =~ ^[0-9]+$ ]] || break   # not a JVM (the C servers), or unreadable
    if [ "${jit##*jit_ms=}" -le "$JIT_QUIET_MS" ]; then break; fi
  done
  return 0
}

# jit_state PID: "COMPILES MS", the JIT compilations the JVM PID has made so far (compiled plus
# failed) and the milliseconds its compiler threads spent on them, from jstat -compiler (which reads
# the JVM's performance-data file: it neither attaches to the JVM nor runs anything in it), run on
# the load generator's CPU; "- -" for a process that is not a JVM (the C servers), "? ?" if unread.
jit_state() {
  local jstat state
  jstat="$(dirname "$(command -v java)")/jstat"
  case "$(readlink "/proc/$1/exe" 2>/dev/null)" in
    */java) ;;
    *) echo "- -"; return ;;
  esac
  state=$(taskset -c "$LOAD_CPU" "$jstat" -compiler "$1" 2>/dev/null \
    | awk 'NR == 2 && $1 ~ /^[0-9]+$/ { printf "%d %d\n", $1 + $2, $4 * 1000 + 0.5 }')
  echo "${state:-? ?}"
}

# jit_fields BEFORE AFTER (each a jit_state): "jit_compiles=N jit_ms=M" for the time between them.
jit_fields() {
  local -a b a
  read -r -a b <<<"$1"; read -r -a a <<<"$2"
  echo "jit_compiles=$(count_between "${b[0]}" "${a[0]}") jit_ms=$(count_between "${b[1]}" "${a[1]}")"
}

# count_between BEFORE AFTER: AFTER - BEFORE, or "-"/"?" when either is not a number.
count_between() {
  if [[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ ]]; then echo $(( $2 - $1 )); elif [ "$1" = - ]; then echo -; else echo "?"; fi
}

# The one-loop servers of the run (the memory rows' servers).
one_loop_servers() { local s; for s in $SERVERS; do case "$s" in *-2) ;; *) echo "$s" ;; esac; done; }

# ---------------------------------------------------------------------------------------------------
# Memory: a fresh server's resident set, then with IDLE idle connections open.

# Resident memory of PID in MiB (one decimal).
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

# Resident memory of PID in MiB, read after a full GC when PID is a JVM, so that garbage does not
# pass for memory the server needs (jcmd attaches by PID).
settled_rss_mib() {
  case "$(readlink "/proc/$1/exe" 2>/dev/null)" in
    */java) jcmd "$1" GC.run >/dev/null 2>&1 || note "jcmd GC.run failed for PID $1; reading memory without a GC" ;;
  esac
  sleep 1
  rss_mib "$1"
}

# idle_rss PORT PID COUNT: opens COUNT idle connections to PORT, prints "opened rss_mib".
idle_rss() {
  local port="$1" pid="$2" count="$3" fifo line opened rss
  fifo="$(mktemp -u)"; mkfifo "$fifo"
  taskset -c "$LOAD_CPU" "${BENCH_JAVA[@]}" dev.weft.bench.load.IdleConnections --port "$port" \
      --count "$count" --open-seconds 60 --hold-seconds 120 >"$fifo" 2>>"$RUN_DIR/idle.log" &
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

# memory_rows: for each one-loop server, a fresh start (so the load's garbage does not blur the
# per-connection cost) without a pre-touched heap; appends "memory server=... fresh_mib=...
# idle_mib=... opened=..." to RESULTS_LOG. Skipped when IDLE is 0.
memory_rows() {
  [ "$IDLE" -gt 0 ] || return 0
  local server pid fresh opened idle
  for server in $(one_loop_servers); do
    next_port
    launch "$server" "$(server_cmd "$server")" "$PORT" "$MEMORY_JVM_OPTS" || continue
    pid=$SERVER_PID
    sleep 2   # let start-up settle before the baseline
    fresh=$(settled_rss_mib "$pid")
    note "memory: $server with $IDLE idle connections"
    read -r opened idle <<<"$(idle_rss "$PORT" "$pid" "$IDLE")"
    stop_server "$pid"
    echo "memory server=$server fresh_mib=$fresh idle_mib=$idle opened=$opened" >>"$RESULTS_LOG"
  done
}

# ---------------------------------------------------------------------------------------------------
# The report.

# command_line WORDS...: the words as one line to paste back into a shell, quoting those with blanks.
command_line() {
  local w out=""
  for w in "$@"; do
    if [[ "$w" =~ [[:space:]] ]]; then out+=" \"$w\""; else out+=" $w"; fi
  done
  echo "${out# }"
}

# The header every harness report starts with: what ran, where, when, and how.
report_header() {
  echo "# $1 — $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo ?), $(nproc) CPUs: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
  echo "# $(java -version 2>&1 | sed -n 2p); server JVM options: $SERVER_JVM_OPTS; load average at the start $LOAD_AT_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $ROUNDS rounds: in each, every server started fresh and kept up; per scenario each warmed up with ${WARMUP_SECONDS} s runs on new connections until its JIT"
  echo "# is quiet (at least 2 runs, then until one with <= $JIT_QUIET_MS ms of compiling, at most $WARMUP_PASSES_MAX), then measured in $CYCLES cycles of ${WINDOW_SECONDS} s windows"
  echo "# through all servers (order rotated each cycle), each window after ${SETTLE_SECONDS} s of the same load not recorded: ${RUN_SECONDS} s per server and scenario;"
  echo "# servers pinned to CPU $SERVER_CPU, load generator to CPU $LOAD_CPU."
  echo "# A round's value per server: the median of its windows (rate, p50, p99 alike). A round's ratio: the median of its per-cycle ratios (windows seconds apart);"
  echo "# the rounds' ratios are then summarised: median, min, max; rounds on both sides of 1.0: no difference shown."
  echo "# † rows with two loops (Weft --loops 2, Netty 2 event loops) run on CPUs $SERVER_CPU,$LOAD_CPU: they compete with the load generator for CPU $LOAD_CPU."
  [ "$DRY_RUN" = 1 ] && echo "# DRY RUN: Netty stands in for every Weft server (checks the harness, not Weft)"
  echo "# results (one line per run): $RESULTS_LOG"
}

# scenario_tables SCENARIO UNIT: the server and ratio tables of one scenario.
scenario_tables() {
  "${BENCH_JAVA[@]}" dev.weft.bench.rounds.RoundsReport --results "$RESULTS_LOG" --scenario "$1" \
      --servers "$SERVERS" --unit "$2"
}

# jit_table SCENARIO: per JVM server and round, the JIT work inside its measured windows of SCENARIO
# (jit_compiles= and jit_ms= of the run lines, summed), the warm-up runs before them, the server's own
# user and system CPU per request (or round trip) over its windows, and the CPU the other, idle
# servers took during its windows (which should be about 0: they wait in epoll_wait).
jit_table() {
  echo
  echo "Per round ($1): JIT work inside the measured windows (jstat -compiler around each: compilations (ms); - : not a JVM), warm-up runs,"
  echo "the server's user + system CPU per request in its windows (/proc, 10 ms ticks), and the idle servers' CPU during them"
  echo
  echo "| server | compilations (ms), per round | warm-up runs, per round | user + sys µs per request, per round | idle servers' CPU ms, per round |"
  echo "| --- | --- | --- | --- | --- |"
  local server
  for server in $SERVERS; do
    awk -v s="$server" -v sc="$1" -v w="$WINDOW_SECONDS" '$1 == "run" || $1 == "warmup" {
        delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["server"] != s || v["scenario"] != sc) next
        r = v["round"]
        if ($1 == "warmup") { passes[r] = v["pass"]; next }
        if (!(r in seen)) { seen[r] = 1; order[++n] = r }
        if (v["jit_compiles"] ~ /^[0-9]+$/) { comp[r] += v["jit_compiles"]; ms[r] += v["jit_ms"] } else jitmark[r] = (v["jit_compiles"] == "" ? "?" : v["jit_compiles"])
        if (v["rate"] ~ /^[0-9.]+$/ && v["server_user_ms"] ~ /^[0-9]+$/) { req[r] += v["rate"] * w; user[r] += v["server_user_ms"]; sys[r] += v["server_sys_ms"] }
        if (v["idle_cpu_ms"] ~ /^[0-9]+$/) idle[r] += v["idle_cpu_ms"]; else idlemark[r] = "?"
      } END {
        if (n == 0) exit
        for (k = 1; k <= n; k++) {
          r = order[k]; sep = (k == 1 ? "" : " / ")
          jit = jit sep (r in jitmark ? jitmark[r] : comp[r] " (" ms[r] ")")
          warm = warm sep (r in passes ? passes[r] : 0)
          cpu = cpu sep (req[r] > 0 ? sprintf("%.2f + %.2f", user[r] * 1000 / req[r], sys[r] * 1000 / req[r]) : "?")
          idl = idl sep (r in idlemark ? "?" : idle[r])
        }
        printf "| %s | %s | %s | %s | %s |\n", s, jit, warm, cpu, idl
      }' "$RESULTS_LOG"
  done
}

# target_table TARGETS: pass or fail per target ("SCENARIO A/B METRIC >=|<= BOUND", ;-separated).
target_table() {
  "${BENCH_JAVA[@]}" dev.weft.bench.rounds.RoundsReport --results "$RESULTS_LOG" --targets "$1"
}

# memory_table: the memory rows of RESULTS_LOG, with the cost per idle connection.
memory_table() {
  grep -q '^memory ' "$RESULTS_LOG" || return 0
  echo; echo "Resident memory (MiB) of a fresh server (heap not pre-touched: $MEMORY_JVM_OPTS), and with $IDLE idle connections open"
  echo
  echo "| server | fresh | idle | opened | KiB per idle connection |"
  echo "| --- | --- | --- | --- | --- |"
  awk '/^memory / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      per = (v["opened"] > 0 && v["fresh_mib"] ~ /^[0-9.]+$/ && v["idle_mib"] ~ /^[0-9.]+$/) ? sprintf("%.1f", (v["idle_mib"] - v["fresh_mib"]) * 1024 / v["opened"]) : "n/a"
      printf "| %s | %s | %s | %s | %s |\n", v["server"], v["fresh_mib"], v["idle_mib"], v["opened"], per
    }' "$RESULTS_LOG"
}
