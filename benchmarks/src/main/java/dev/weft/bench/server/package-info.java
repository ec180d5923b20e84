/**
 * The server hot path without a load generator: one connection through real loopback sockets,
 * driven from the benchmark thread, so JMH's {@code -prof gc} can tell what each round trip
 * allocates (see {@link dev.weft.bench.server.ServerPathBench}).
 */
package dev.weft.bench.server;
