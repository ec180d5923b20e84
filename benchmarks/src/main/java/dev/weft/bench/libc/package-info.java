/**
 * The cost of one foreign call into the C library on the request path, with and without the
 * linker options that make it cheaper (see {@link dev.weft.bench.libc.LibcCallBench}).
 */
package dev.weft.bench.libc;
