#!/usr/bin/env bash
# Builds the dom0 boot image for the real-Xen test stage from packages installed on this host:
#   $1/xen          Debian's Xen 4.17 hypervisor, uncompressed (QEMU boots it as a multiboot kernel)
#   $1/dom0-kernel  Debian's kernel as an uncompressed ELF when it can be extracted (Xen then does not
#                   decompress bzImage under software emulation, a few seconds per boot), else the bzImage
#   $1/dom0.cpio    an uncompressed newc initramfs: busybox, the kernel's Xen and virtio-9p modules,
#                   xenstored, xen-init-dom0, the xenstore client, vchan-socket-proxy (Xen's own
#                   libxenvchan peer, for the vchan tests), the libraries a shared-in JDK needs,
#                   and init.sh as /init; xl and xenconsoled, to start a guest domain (domU)
#   $1/domu.cpio    the domU's initramfs: busybox, the Xen device modules, the xenstore client and
#                   vchan-socket-proxy, and domu-init.sh as /init (the domU boots dom0-kernel too)
#   $1/console-domu.cpio  the console guest's initramfs: a jlinked Java runtime, busybox, privcmd,
#                   the xenstore client, console-domu-init.sh as /init (Weft's jars come per run)
# Usage: image.sh OUT_DIR JDK_HOME. The caller (stage.sh) decides when a rebuild is due.
set -euo pipefail

out=$1 jdk=$2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kver=$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -n 1)
xen_bin=/usr/lib/xen-4.17/bin
root="$out/rootfs"

rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,etc/weft,proc,sys,dev,tmp,run,root} \
         "$root"/mnt/{jdk,app,results} "$root"/var/lib/{xen,xenstored} "$root"/var/log/xen
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s ../run "$root/var/run"

# The hypervisor ships gzipped; QEMU's multiboot loader wants the plain ELF.
zcat /boot/xen-4.17-amd64.gz > "$out/xen"

# bzImage carries the kernel as an xz stream after a small decompressor; take the stream alone.
extract_vmlinux() {
  local bz=$1 offset
  offset=$(LC_ALL=C grep -m 1 -obUaP '\xfd7zXZ\x00' "$bz" | cut -d: -f1) || return 1
  [ -n "$offset" ] || return 1
  # xz stops reading at the end of the stream, so tail may die of SIGPIPE: only xz's status counts.
  { tail -c +$((offset + 1)) "$bz" || true; } | xz -dc --single-stream > "$out/dom0-kernel" 2>/dev/null || return 1
  [ "$(head -c 4 "$out/dom0-kernel" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]
}
extract_vmlinux "/boot/vmlinuz-$kver" || cp "/boot/vmlinuz-$kver" "$out/dom0-kernel"

# Installs a file under the same path in the image, resolving symlinks to their target's content.
put() { [ -e "$root$1" ] || install -D -m 0755 "$(readlink -f "$1")" "$root$1"; }

# Installs a program and every shared library ldd says it loads (under the path the loader asks for).
put_with_libs() {
  local lib
  put "$1"
  for lib in $(ldd "$1" 2>/dev/null | awk '/=> \// {print $3} /^\t\/lib64\// {print $1}'); do
    put "$lib"
  done
}

cp /bin/busybox "$root/bin/busybox"

# Kernel modules in load order (dependencies first); init.sh loads them with insmod.
for module in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs virtio_pci 9pnet_virtio 9p; do
  modprobe -S "$kver" --show-depends "$module" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' > "$root/etc/weft/modules"
while read -r ko; do put "$ko"; done < "$root/etc/weft/modules"

for program in "$xen_bin/xenstored" "$xen_bin/xen-init-dom0" "$xen_bin/vchan-socket-proxy" "$xen_bin/xl" \
               "$xen_bin/xenconsoled" /usr/bin/xenstore; do
  put_with_libs "$program"
done
for verb in read write ls rm; do ln -s xenstore "$root/usr/bin/xenstore-$verb"; done

# The JDK itself comes over 9p; the system libraries it links against must be in the image.
for so in "$jdk/bin/java" "$jdk"/lib/*.so "$jdk"/lib/server/*.so; do
  for lib in $(ldd "$so" 2>/dev/null | awk '/=> \// {print $3}' | grep -v "^$jdk/"); do put "$lib"; done
done
# glibc loads libgcc_s at run time (unwinding, thread cancellation); ldd does not list it.
put /lib/x86_64-linux-gnu/libgcc_s.so.1

printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
mkdir -p "$root/etc/xen" && : > "$root/etc/xen/xl.conf"   # xl's defaults; without the file it complains on every call
printf 'root:x:0:\n' > "$root/etc/group"
install -m 0755 "$here/init.sh" "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$out/dom0.cpio"
rm -rf "$root"

# The guest domain's image: only what a libxenvchan peer needs (no JDK, no 9p: a PV domU has no
# virtio devices), so that xl loads it quickly under emulation.
root="$out/domu-rootfs"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,etc/weft,proc,sys,dev,tmp,run,root}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
mkdir -p "$root/var" && ln -s ../run "$root/var/run"
cp /bin/busybox "$root/bin/busybox"
for module in xen-evtchn xen-gntdev xen-gntalloc xenfs; do
  modprobe -S "$kver" --show-depends "$module" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' > "$root/etc/weft/modules"
while read -r ko; do put "$ko"; done < "$root/etc/weft/modules"
for program in "$xen_bin/vchan-socket-proxy" /usr/bin/xenstore; do put_with_libs "$program"; done
for verb in read write; do ln -s xenstore "$root/usr/bin/xenstore-$verb"; done
put /lib/x86_64-linux-gnu/libgcc_s.so.1
install -m 0755 "$here/domu-init.sh" "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$out/domu.cpio"
rm -rf "$root"
# The console guest's image (PrimaryConsoleRealXenTest): a runtime jlinked from the JDK (java.base,
# jdk.jfr (the loop's events) and jdk.unsupported, with its CDS archive, so that the JVM starts
# faster under emulation), the libraries it links against, busybox, the privcmd and xenfs modules and the xenstore client, with
# console-domu-init.sh as /init. Weft's jars come per run, as a second archive (stage.sh's
# console-app.cpio) that the test appends.
root="$out/console-domu-rootfs"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib,usr/lib64,etc/weft,proc,sys,dev,tmp,run,root,opt}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
mkdir -p "$root/var" && ln -s ../run "$root/var/run"
cp /bin/busybox "$root/bin/busybox"
"$jdk/bin/jlink" --add-modules java.base,jdk.jfr,jdk.unsupported --strip-debug --no-header-files --no-man-pages \
  --generate-cds-archive --output "$root/opt/jre"
for module in xen-privcmd xenfs; do
  modprobe -S "$kver" --show-depends "$module" | awk '$1 == "insmod" {print $2}'
done | awk '!seen[$0]++' > "$root/etc/weft/modules"
while read -r ko; do put "$ko"; done < "$root/etc/weft/modules"
put_with_libs /usr/bin/xenstore
for verb in read write; do ln -s xenstore "$root/usr/bin/xenstore-$verb"; done
for so in "$root/opt/jre/bin/java" "$root"/opt/jre/lib/*.so "$root"/opt/jre/lib/server/*.so; do
  for lib in $(ldd "$so" 2>/dev/null | awk '/=> \// {print $3}' | grep -v "^$root/"); do put "$lib"; done
done
put /lib/x86_64-linux-gnu/libgcc_s.so.1
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
install -m 0755 "$here/console-domu-init.sh" "$root/init"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$out/console-domu.cpio"
rm -rf "$root"
echo "weft: dom0 image: kernel $kver, $(du -h "$out/dom0.cpio" | cut -f1) initramfs, $(du -h "$out/domu.cpio" | cut -f1) domU initramfs and $(du -h "$out/console-domu.cpio" | cut -f1) console-guest initramfs in $out" >&2
