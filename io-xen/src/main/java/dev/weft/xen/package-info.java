/**
 * The Xen backend: event channels ({@code dev.weft.xen.evtchn}), grant tables ({@code
 * dev.weft.xen.grant}), shared rings ({@code dev.weft.xen.ring}), xenstore ({@code
 * dev.weft.xen.store}) and xenbus ({@code dev.weft.xen.bus}), over either Linux's userspace Xen
 * devices ({@code dev.weft.xen.linux}) or a software model of the hypervisor ({@code
 * dev.weft.xen.sim}). {@link dev.weft.xen.XenPlatform} is the seam between the two.
 */
package dev.weft.xen;
