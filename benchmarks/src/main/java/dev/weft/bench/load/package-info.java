/**
 * The load harness's own tools: a TCP echo ping-pong load generator, an idle-connection holder for
 * memory measurements, and what they share. Each tool is a {@code main} that drives loopback only,
 * stops by itself (bounded in count and time), and prints one {@code key=value} line for the
 * scripts in {@code benchmarks/scripts/} to read.
 */
package dev.weft.bench.load;
