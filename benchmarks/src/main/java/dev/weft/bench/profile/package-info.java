/**
 * JMH profilers of Weft's own, for measures that survive a loaded machine where hardware counters
 * are unavailable: CPU time per operation of JMH's worker threads ({@link
 * dev.weft.bench.profile.ThreadCpuProfiler}) or of the whole benchmark JVM ({@link
 * dev.weft.bench.profile.ProcessCpuProfiler}).
 */
package dev.weft.bench.profile;
