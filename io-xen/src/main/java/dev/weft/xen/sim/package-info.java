/**
 * A software model of the Xen hypervisor: {@link dev.weft.xen.sim.SimHypervisor} holds domains,
 * each a {@link dev.weft.xen.XenPlatform} with event channels (2-level ABI pending and mask bits,
 * a pollable eventfd per device handle) and grant tables over shared memory. Frontend and backend
 * drivers run against it on two threads of one JVM; {@code docs/xen.md} says how far it goes.
 */
package dev.weft.xen.sim;
