/**
 * The Xen ring benchmark ({@code ./weft bench xen}): request/response round trips through a shared
 * ring between two loops in two domains of the hypervisor model, beside the same exchange over a
 * Unix-domain socket through io-unix, in one run; and the vchan benchmark: one-way throughput and
 * 16-byte ping-pong over a vchan between two domains of the model beside a TCP loopback connection.
 */
package dev.weft.bench.xen;
