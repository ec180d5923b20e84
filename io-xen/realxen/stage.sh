#!/usr/bin/env bash
# The real-Xen test stage (`./weft test --xen`): runs io-xen's tests tagged "real-xen" inside the
# control domain (dom0) of a real Xen 4.17 hypervisor booted under QEMU's software emulation.
#
# Real Xen. `./weft test` runs everything on Xen's software model; `./weft test --xen` runs, instead
# of the normal tests, the io-xen tests that need the Linux Xen devices (/dev/xen/evtchn, gntalloc,
# gntdev, xenbus) and a running xenstored. It installs Debian's qemu-system-x86,
# xen-hypervisor-4.17-amd64, xen-utils-4.17 (with its libxen* libraries), xenstore-utils,
# linux-image-amd64, busybox-static, cpio, kmod and xz-utils if missing (as root), builds a dom0 initramfs from them into a cache
# outside the repository ($WEFT_XEN_CACHE, default ${XDG_CACHE_HOME:-/tmp}/weft-xen; rebuilt only
# when those packages, the JDK or image.sh/init.sh change), boots Xen with a Debian dom0 in
# `qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -smp 2`, starts xenstored, and runs the
# tests in ONE JVM (the JUnit console launcher; each JVM start costs 8-16 s under emulation, minutes
# on a loaded machine). The JDK, the jars and the test classes reach dom0 read-only over virtio-9p;
# JUnit's XML comes back through a read-write 9p share.
# Each test's result is printed on the host, then "N passed, N failed".
#
# Exit status: 0 every test passed and at least one ran; 1 a test failed, none ran, or the test JVM
# failed or timed out; 2 a setup step failed (packages, build, image); 3 BOOT FAILURE: twice, Xen and
# dom0 did not reach the test runner within the boot timeout (the one retry is automatic).
# Logs of each run stay in $WEFT_XEN_CACHE/runs/<time>/ (console-N.log is Xen's and dom0's serial
# console, results-N/ what dom0 wrote); the last ten runs are kept.
#
# Knobs (seconds): WEFT_XEN_BOOT_TIMEOUT [210] QEMU start to "runner start"; WEFT_XEN_RUN_TIMEOUT
# [900] runner start to "runner done"; WEFT_XEN_BUDGET [1200] the whole stage, retry included.
# WEFT_XEN_PROXY_SERVER_MIB [64]: MiB echoed through vchan-socket-proxy as a vchan server in dom0;
# WEFT_XEN_DOMU_MIB [64]: MiB each way between dom0 and the guest's proxies (on a host at load 7 or
# more, 64 MiB takes longer than the test's bound: give 8).
# Both go through libxenvchan's 1 KiB rings, a wakeup per KiB (see docs/xen.md).
# Each transfer's cost is printed after the results ("weft-cost:" lines).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
: "${JAVA_HOME:?JAVA_HOME must name a JDK 25+ (./weft sets it)}"
cache="${WEFT_XEN_CACHE:-${XDG_CACHE_HOME:-/tmp}/weft-xen}"
boot_timeout="${WEFT_XEN_BOOT_TIMEOUT:-210}"
run_timeout="${WEFT_XEN_RUN_TIMEOUT:-900}"
budget="${WEFT_XEN_BUDGET:-1200}"
proxy_server_mib="${WEFT_XEN_PROXY_SERVER_MIB:-64}"
domu_mib="${WEFT_XEN_DOMU_MIB:-64}"
poweroff_grace=60
# The libxen* libraries come with xen-utils-4.17; they are listed so that their versions key the image.
packages=(qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils linux-image-amd64
          busybox-static cpio kmod xz-utils libxenmisc4.17 libxenstore4 libxengnttab1 libxenevtchn1
          libxentoollog1 libxentoolcore1 libxencall1 libxenforeignmemory1 libxendevicemodel1)

started=$SECONDS
qemu_pid=""
[ $# -eq 0 ] || { echo "weft: test --xen takes no arguments (knobs are environment variables: see $0)" >&2; exit 2; }
say() { printf 'weft: real Xen [%3ds]: %s\n' $((SECONDS - started)) "$*" >&2; }
die() { say "$*"; exit 2; }
stop_qemu() { if [ -n "$qemu_pid" ]; then kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=""; fi; }
trap stop_qemu EXIT
trap 'stop_qemu; exit 130' INT TERM

install_packages() {
  local missing=() p
  for p in "${packages[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run as root or apt-get install them"
  say "installing ${missing[*]}"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=300 "${packages[@]}"; } > "$run/apt.log" 2>&1 \
    || { tail -n 20 "$run/apt.log" >&2; die "apt-get failed; log in $run/apt.log"; }
}

# The dom0 image depends on these scripts, the packages it is built from, and the JDK's libraries.
image_key() {
  { cat "$here/image.sh" "$here/init.sh" "$here/domu-init.sh" "$here/console-domu-init.sh"
    dpkg-query -W -f '${Package} ${Version}\n' "${packages[@]}"
    ls /lib/modules
    echo "$JAVA_HOME"; cat "$JAVA_HOME/release"
  } | sha256sum | cut -d' ' -f1
}

build_image() {
  local key; key=$(image_key)
  exec 9> "$cache/image.lock"
  flock 9   # another worktree may be building the same image
  if [ "$(cat "$cache/image/key" 2>/dev/null)" != "$key" ]; then
    say "building the dom0 image"
    rm -rf "$cache/image.new"; mkdir -p "$cache/image.new"
    bash "$here/image.sh" "$cache/image.new" "$JAVA_HOME" > "$run/image.log" 2>&1 \
      || { tail -n 20 "$run/image.log" >&2; die "building the dom0 image failed; log in $run/image.log"; }
    echo "$key" > "$cache/image.new/key"
    rm -rf "$cache/image"; mv "$cache/image.new" "$cache/image"
  fi
  flock -u 9
}

# io-xen's jars, test classes and the JUnit console launcher, copied into the read-only share.
build_app() {
  local junit_platform cp jar
  junit_platform=$(sed -n 's|.*<junit.version>5\.\([0-9.]*\)</junit.version>.*|1.\1|p' "$root/pom.xml")
  [ -n "$junit_platform" ] || die "cannot read junit.version from pom.xml"
  say "building io-xen and its test classes"
  (cd "$root" && mvn -B -q --no-transfer-progress -pl io-xen -am -DskipTests install \
      dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$run/classpath" \
      dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform" \
      -DoutputDirectory="$run/app" -Dmdep.stripVersion=true) > "$run/build.log" 2>&1 \
    || { grep -E 'ERROR|FAIL' "$run/build.log" | head -n 30 >&2; die "build failed; log in $run/build.log"; }
  mkdir -p "$run/app/lib"
  # JUnit itself comes from the console launcher, once.
  tr ':' '\n' < "$run/classpath" | grep -vE '/org/(junit|opentest4j|apiguardian)/' | while read -r jar; do
    [ -n "$jar" ] && cp "$jar" "$run/app/lib/"
  done
  for jar in "$root"/io-xen/target/weft-io-xen-*.jar; do
    case "$jar" in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) cp "$jar" "$run/app/lib/";; esac
  done
  "$JAVA_HOME/bin/jar" --create --file "$run/app/tests.jar" -C "$root/io-xen/target/test-classes" .
  # The console guest's Weft program (PrimaryConsoleRealXenTest): the same jars, as /app in a second
  # initramfs archive that the test appends to console-domu.cpio.
  (cd "$run" && { echo app; find app/lib app/tests.jar; } | LC_ALL=C sort | cpio -o -H newc --quiet) > "$run/console-app.cpio"
  mv "$run/console-app.cpio" "$run/app/console-app.cpio"
  # Only the classes whose bytecode holds the tag's name are selected (a constant used as the tag is
  # inlined there too): scanning would load every test class, and each class load costs much under
  # emulation. The tag filter in dom0 still decides which tests run.
  (cd "$root/io-xen/target/test-classes" && grep -rl --include='*.class' 'real-xen' . || true) \
    | sed 's|^\./||; s|\.class$||; s|/|.|g' | sort > "$run/app/real-xen-classes"
  cat > "$run/app/run-tests.sh" <<'RUN'
#!/bin/sh
# Runs in dom0: every real-xen test in one JVM. C1 only: C2 compiles cost much under emulation.
# Jupiter alone: discovering the suite and vintage engines costs seconds under emulation.
cd /mnt/app
set -- $(sed 's/^/--select-class=/' real-xen-classes)
echo "weft-dom0: JVM start (uptime $(cut -d' ' -f1 /proc/uptime) s)"
exec /mnt/jdk/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xmx384m -Xss1m \
  --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp $(cat /mnt/app/jvm-options) \
  -cp "/mnt/app/junit-platform-console-standalone.jar:/mnt/app/tests.jar:/mnt/app/lib/*" \
  org.junit.platform.console.ConsoleLauncher execute "$@" \
  --include-engine junit-jupiter --include-tag real-xen --fail-if-no-tests --reports-dir /mnt/results/reports \
  --disable-banner --disable-ansi-colors --details=tree
RUN
  chmod +x "$run/app/run-tests.sh"
  [[ "$proxy_server_mib" =~ ^[1-9][0-9]{0,3}$ ]] || die "WEFT_XEN_PROXY_SERVER_MIB must be a number of MiB (1-9999)"
  [[ "$domu_mib" =~ ^[1-9][0-9]{0,3}$ ]] || die "WEFT_XEN_DOMU_MIB must be a number of MiB (1-9999)"
  echo "-Dweft.xen.proxyServerMiB=$proxy_server_mib -Dweft.xen.domUMiB=$domu_mib" > "$run/app/jvm-options"
}

# One boot. Sets $outcome: "ran" (the runner finished), "runner-timeout", "runner-died", or
# "boot-failed: why" (dom0 never started the runner).
boot_once() {
  local n=$1 console="$run/console-$1.log" results="$run/results-$1" t0=$SECONDS
  local runner_at="" done_at="" up_seen="" now limit
  attempt=$n
  mkdir -p "$results"
  : > "$console"
  qemu-system-x86_64 -accel tcg,thread=multi -cpu qemu64 -smp 2 -m 2048 \
    -display none -monitor none -nic none -no-reboot -serial "file:$console" \
    -kernel "$cache/image/xen" \
    -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M dom0_max_vcpus=2 bootscrub=false loglvl=warning guest_loglvl=warning" \
    -initrd "$cache/image/dom0-kernel console=hvc0 earlyprintk=xen quiet loglevel=4,$cache/image/dom0.cpio" \
    -virtfs "local,path=$JAVA_HOME,mount_tag=jdk,security_model=none,readonly=on" \
    -virtfs "local,path=$run/app,mount_tag=app,security_model=none,readonly=on" \
    -virtfs "local,path=$results,mount_tag=results,security_model=none" \
    -virtfs "local,path=$cache/image,mount_tag=image,security_model=none,readonly=on" \
    < /dev/null > "$run/qemu-$n.log" 2>&1 &
  qemu_pid=$!
  outcome=""
  while kill -0 "$qemu_pid" 2>/dev/null; do
    sleep 1
    now=$SECONDS
    if [ -z "$up_seen" ] && grep -qa 'weft-dom0: up' "$console"; then
      up_seen=1; say "boot $n: dom0 up after $((now - t0)) s"
    fi
    if [ -z "$runner_at" ] && grep -qa 'weft-dom0: runner start' "$console"; then
      runner_at=$now; say "boot $n: test JVM started after $((now - t0)) s"
    fi
    if [ -z "$runner_at" ] && grep -qa 'weft-dom0: FAILED' "$console"; then
      outcome="boot-failed: $(grep -a -m1 -o 'weft-dom0: FAILED.*' "$console")"; break
    fi
    if [ -z "$done_at" ] && grep -qa 'weft-dom0: runner done' "$console"; then
      done_at=$now; say "boot $n: tests done after $((now - runner_at)) s in dom0"
    fi
    if [ -n "$done_at" ]; then
      [ $((now - done_at)) -lt $poweroff_grace ] || { say "boot $n: dom0 did not power off; stopping QEMU"; break; }
    elif [ -n "$runner_at" ]; then
      limit=$((runner_at + run_timeout)); [ $limit -lt $((started + budget)) ] || limit=$((started + budget))
      [ "$now" -lt $limit ] || { outcome="runner-timeout"; break; }
    else
      limit=$((t0 + boot_timeout)); [ $limit -lt $((started + budget)) ] || limit=$((started + budget))
      [ "$now" -lt $limit ] || { outcome="boot-failed: no test runner after $((now - t0)) s"; break; }
    fi
  done
  stop_qemu
  if [ -z "$outcome" ]; then
    if [ -n "$done_at" ]; then outcome=ran
    elif [ -n "$runner_at" ]; then outcome=runner-died
    else outcome="boot-failed: QEMU exited after $((SECONDS - t0)) s before the test runner started"; fi
  fi
  say "boot $n: $outcome; QEMU ran $((SECONDS - t0)) s"
}

show_console() { say "last lines of $1:"; grep -av '^\s*$' "$1" | tail -n "${2:-25}" | sed 's/^/    | /' >&2; }

mkdir -p "$cache/runs"
run="$cache/runs/$(date -u +%Y%m%dT%H%M%S)-$$"
mkdir -p "$run/app"
(cd "$cache/runs" && ls -1d */ 2>/dev/null | sort | head -n -10 | xargs -r rm -rf)

install_packages
build_image
build_app
if [ ! -s "$run/app/real-xen-classes" ]; then
  echo "0 passed, 0 failed"
  say "FAILED: no io-xen test class is tagged real-xen"
  exit 1
fi

boot_once 1
if [[ "$outcome" == boot-failed* ]]; then
  show_console "$run/console-1.log"
  if [ $((started + budget - SECONDS)) -ge 120 ]; then
    say "retrying the boot once"
    boot_once 2
  fi
fi
if [[ "$outcome" == boot-failed* ]]; then
  [ "$attempt" = 1 ] || show_console "$run/console-$attempt.log"
  say "BOOT FAILURE: Xen and dom0 did not start the test runner (${outcome#boot-failed: }); logs in $run"
  rm -rf "$run/app"
  exit 3
fi

results="$run/results-$attempt"
rm -rf "$run/app"
status=0
if [ -d "$results/reports" ] && ls "$results"/reports/TEST-*.xml > /dev/null 2>&1; then
  "$JAVA_HOME/bin/java" "$here/Report.java" "$results/reports" || status=1
else
  echo "0 passed, 0 failed"
  status=1
fi
grep -a '^weft-cost: ' "$results/runner.log" 2>/dev/null || true
runner_status=$(cat "$results/exit-status" 2>/dev/null || echo none)
if [ "$outcome" != ran ]; then
  show_console "$run/console-$attempt.log" 40
  say "FAILED: the test JVM in dom0 did not finish ($outcome; limit ${run_timeout} s); logs in $run"
  status=1
elif [ "$runner_status" != 0 ]; then
  [ $status -ne 0 ] || say "the test JVM exited with status $runner_status though every reported test passed"
  tail -n 40 "$results/runner.log" 2>/dev/null | sed 's/^/    | /' >&2 || true
  say "FAILED (test JVM exit status $runner_status); logs in $run"
  status=1
else
  say "passed; logs in $run"
fi
exit $status
