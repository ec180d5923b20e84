#!/bin/busybox sh
# /init of the dom0 image (image.sh): brings up Xen's userspace interfaces, mounts the shares the host
# gives over virtio-9p, runs the host's test command, and powers the machine off.
#   9p tag jdk     -> /mnt/jdk      (read-only) the host's JDK
#   9p tag app     -> /mnt/app      (read-only) jars, test classes, and run-tests.sh, the command to run
#   9p tag results -> /mnt/results  (read-write) JUnit XML, the runner's output, its exit status
#   9p tag image   -> /mnt/image    (read-only) the boot image; its kernel and domu.cpio are copied to
#                     /tmp/domu-kernel and /tmp/domu.cpio for tests that start a guest with `xl create`
# The host follows the serial console for lines starting "weft-dom0: " (see stage.sh):
#   "weft-dom0: up", "weft-dom0: runner start", "weft-dom0: runner done rc=N"; a problem before the
#   runner starts is printed as "weft-dom0: FAILED ..." and the machine is powered off.
/bin/busybox --install -s
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:/usr/lib/xen-4.17/bin HOME=/root

say() { echo "weft-dom0: $* (uptime $(cut -d' ' -f1 /proc/uptime) s)"; }
fail() { say "FAILED $*"; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
for dir in /dev/shm /run /tmp; do mount -t tmpfs tmpfs "$dir"; done
mkdir -p /run/xenstored /proc/xen

while read -r ko; do insmod "$ko" || fail "insmod $ko"; done < /etc/weft/modules
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
grep -q control_d /proc/xen/capabilities || fail "not the control domain: $(cat /proc/xen/capabilities)"

xenstored --pid-file /run/xenstored.pid || fail "xenstored exited with $?"
tries=0
while [ ! -S /run/xenstored/socket ]; do
  tries=$((tries + 1)); [ $tries -le 400 ] || fail "xenstored socket never appeared"
  usleep 50000
done
xen-init-dom0 > /tmp/xen-init-dom0.log 2>&1 || { cat /tmp/xen-init-dom0.log; fail "xen-init-dom0"; }
# The console backend: a guest started with xl writes its console here (guest-<name>.log).
mkdir -p /run/xen /var/lib/xen /var/log/xen /var/lock
xenconsoled --log=guest --log-dir=/var/log/xen || fail "xenconsoled exited with $?"
say "up: $(uname -r), Xen $(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor), domid $(xenstore-read domid)"

# jdk and app never change while the machine runs, so the guest may cache them; results may not be cached.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro jdk /mnt/jdk || fail "mount jdk"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro app /mnt/app || fail "mount app"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /mnt/results || fail "mount results"
mkdir -p /mnt/image
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro image /mnt/image || fail "mount image"
# xl's loader reads the kernel in small pieces: much faster from tmpfs than over 9p.
cp /mnt/image/dom0-kernel /tmp/domu-kernel && cp /mnt/image/domu.cpio /tmp/domu.cpio || fail "copying the domU image"
[ -x /mnt/app/run-tests.sh ] || fail "no /mnt/app/run-tests.sh"

say "runner start"
cd /root
{ /mnt/app/run-tests.sh; echo $? > /tmp/runner.rc; } 2>&1 | tee /mnt/results/runner.log
rc=$(cat /tmp/runner.rc 2>/dev/null || echo 125)
echo "$rc" > /mnt/results/exit-status
cp /var/log/xen/guest-*.log /mnt/results/ 2>/dev/null   # guests' consoles, as xenconsoled logged them
sync
say "runner done rc=$rc"
poweroff -f
