/**
 * Recipes for running a Weft loop inside a program that has its own threads: a plain main, an
 * ExecutorService, Agrona's AgentRunner, a blocking (servlet-style) request handler, and a
 * Reactor pipeline. Each is a {@code main} ({@code ./weft run <recipe>}) around a {@code
 * demonstrate} method whose returned outcome says which thread did what; the samples' tests
 * assert it.
 */
package dev.weft.samples.embedding;
