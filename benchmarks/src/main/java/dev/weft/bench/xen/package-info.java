/**
 * The Xen ring benchmark ({@code ./weft bench xen}): request/response round trips through a shared
 * ring between two loops in two domains of the hypervisor model, beside the same exchange over a
 * Unix-domain socket through io-unix, in one run.
 */
package dev.weft.bench.xen;
