/** Benchmarks. */
package dev.weft.bench;
