#!/bin/busybox sh
# /init of the guest domain (domU) that PrimaryConsoleRealXenTest starts with `xl create` in dom0: it
# runs a Weft program, GuestConsoleWriter, in a JVM inside this guest, writing the guest's own
# primary console ring with Weft's XenConsole while xenconsoled in dom0 reads it and logs it.
#
# The kernel's hvc_xen owns that console too, so from the moment the JVM starts nothing else may
# write it: the kernel prints only emergencies (loglevel=1 on its command line), and this script's
# and the JVM's output go to a file. The console's frame (an MFN: this is a PV guest) and port come
# from xenstore; the JVM maps the frame through /dev/xen/privcmd and notifies through it.
# The result ("rc=N <the writer's last output>") goes to /local/domain/<domid>/data/console-result.
# weft_console_lines (the number of lines to write) comes from the kernel command line.
/bin/busybox --install -s
export PATH=/usr/bin:/bin:/usr/sbin:/sbin HOME=/root

say() { echo "weft-domU: $*"; }
result() { xenstore-write "/local/domain/$me/data/console-result" "$*"; }
fail() { say "FAILED $*"; [ -n "$me" ] && result "rc=125 $*"; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for dir in /run /tmp; do mount -t tmpfs tmpfs "$dir"; done
mkdir -p /proc/xen
# Linux (6.1.0-57 and later stable kernels) blocks privcmd's hypercalls and mappings in a domU that is
# no device model's stub domain ("No target domain found, blocking all hypercalls") unless the module
# is loaded with unrestricted=1: this guest opts in, for its own frame and port only.
while read -r ko; do
  case "$ko" in
    */xen-privcmd.ko*) insmod "$ko" unrestricted=1 || fail "insmod $ko unrestricted=1";;
    *) insmod "$ko" || fail "insmod $ko";;
  esac
done < /etc/weft/modules
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
me=$(xenstore-read domid) || fail "no domid in xenstore"
frame=$(xenstore-read "/local/domain/$me/console/ring-ref") || fail "no console/ring-ref"
port=$(xenstore-read "/local/domain/$me/console/port") || fail "no console/port"
[ -n "$weft_console_lines" ] || fail "no weft_console_lines on the kernel command line"
[ -d /app/lib ] || fail "no /app/lib: the initramfs lacks console-app.cpio"
say "up as domain $me; console frame $frame, port $port; the JVM writes it from now on"

started=$(cut -d' ' -f1 /proc/uptime)
/opt/jre/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xmx128m -Xss1m \
  --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp -cp "/app/tests.jar:/app/lib/*" \
  dev.weft.xen.console.GuestConsoleWriter "$frame" "$port" "$weft_console_lines" \
  < /dev/null > /tmp/writer.log 2>&1
rc=$?
ended=$(cut -d' ' -f1 /proc/uptime)
result "rc=$rc $(tail -c 2500 /tmp/writer.log | tr "\n" " ")(JVM from uptime $started s to $ended s)"
# init must not exit (the kernel would panic); dom0 destroys the domain.
while :; do sleep 3600; done
