#!/bin/busybox sh
# /init of the guest domain (domU) that DomUVchanRealXenTest starts with `xl create` in dom0: two
# instances of Xen's own libxenvchan peer, vchan-socket-proxy, spliced through a Unix socket, so
# that dom0 talks to libxenvchan in another domain in both roles at once:
#
#   dom0 Weft client ==vchan A==> proxy A (libxenvchan SERVER, domU) --/tmp/splice-->
#       proxy B (libxenvchan CLIENT, domU) ==vchan B==> dom0 Weft server      (and back)
#
#   vchan A: /local/domain/<this domid>/data/a, served here for domain 0
#   vchan B: /local/domain/0/data/wd<this domid>/b, served by dom0 for this domain
# Proxy A writes "running" to /local/domain/<domid>/data/ready once its vchan is published. Lines
# starting "weft-domU: " go to the console, which xenconsoled logs in dom0.
/bin/busybox --install -s
export PATH=/usr/bin:/bin:/usr/sbin:/sbin:/usr/lib/xen-4.17/bin HOME=/root

say() { echo "weft-domU: $*"; }
fail() { say "FAILED $*"; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for dir in /run /tmp; do mount -t tmpfs tmpfs "$dir"; done
mkdir -p /proc/xen
while read -r ko; do insmod "$ko" || fail "insmod $ko"; done < /etc/weft/modules
mount -t xenfs xenfs /proc/xen || fail "mount xenfs"
me=$(xenstore-read domid) || fail "no domid in xenstore"
say "up as domain $me"

vchan-socket-proxy --mode=client 0 "/local/domain/0/data/wd$me/b" /tmp/splice &
tries=0
while [ ! -S /tmp/splice ]; do
  tries=$((tries + 1)); [ $tries -le 600 ] || fail "proxy B never listened on /tmp/splice"
  usleep 50000
done
vchan-socket-proxy --mode=server --state-path="/local/domain/$me/data/ready" 0 "/local/domain/$me/data/a" /tmp/splice &
say "vchan peers started"
# init must not exit (the kernel would panic); the proxies serve until dom0 destroys the domain.
wait
fail "both proxies exited"
