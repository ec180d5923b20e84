/**
 * The Xen devices of a Linux domain through java.lang.foreign: {@code /dev/xen/evtchn} ({@link
 * dev.weft.xen.linux.LinuxEventChannels}), {@code /dev/xen/gntalloc} ({@link
 * dev.weft.xen.linux.LinuxGrantAllocator}), {@code /dev/xen/gntdev} ({@link
 * dev.weft.xen.linux.LinuxGrantMapper}), gathered as a {@link dev.weft.xen.XenPlatform} by {@link
 * dev.weft.xen.linux.LinuxXenPlatform}; and xenstore's two transports as flows ({@link
 * dev.weft.xen.linux.XenStoreFlows}).
 *
 * <p>Every ioctl number and struct layout is in one place (DeviceAbi) and checked against the
 * kernel's own headers by the golden test. Failures are {@link dev.weft.unix.ErrnoException}s
 * naming the device, the request and its port, domain or references; a missing device is a
 * {@link dev.weft.xen.linux.NotInXenDomainException}.
 */
package dev.weft.xen.linux;
