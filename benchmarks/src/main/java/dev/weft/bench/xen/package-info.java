/**
 * Benchmarks of io-xen on the hypervisor model, each beside the nearest io-unix path in the same run
 * of {@code ./weft bench xen}. The block benchmark: random 4 KiB reads and writes through blkfront
 * against the model's file-backed blkback, beside the same I/O done directly on the file through
 * io-unix's blocking pool.
 *
 * <p>
 * The Xen ring benchmark ({@code ./weft bench xen}): request/response round trips through a shared
 * ring between two loops in two domains of the hypervisor model, beside the same exchange over a
 * Unix-domain socket through io-unix, in one run; and the vchan benchmark: one-way throughput and
 * 16-byte ping-pong over a vchan between two domains of the model beside a TCP loopback connection.
 */
package dev.weft.bench.xen;
