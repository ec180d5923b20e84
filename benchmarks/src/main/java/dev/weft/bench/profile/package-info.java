/**
 * JMH profilers of Weft's own, for measures that survive a loaded machine (see {@link
 * dev.weft.bench.profile.ThreadCpuProfiler}).
 */
package dev.weft.bench.profile;
