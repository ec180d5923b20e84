/**
 * The arithmetic of {@code ./weft bench http} and {@code ./weft bench echo}: servers measured in
 * interleaved rounds (every server once per round, back to back, each started fresh), compared
 * round by round. On a machine whose speed drifts by up to 2x within minutes, a ratio of two
 * servers measured in the same round survives the drift where a ratio of two medians measured
 * minutes apart does not; so every comparison here is a series of per-round ratios, summarised by
 * its median, minimum and maximum, and a series that lies on both sides of 1.0 shows no difference.
 * Within a round the servers are measured in cycles of short windows (one window per server per
 * cycle): the machine also switches between a fast and a slow state within a round, so a round's
 * ratio is the median of its per-cycle ratios, each of windows seconds apart, and a server's value
 * in a round the median of its windows.
 *
 * <p>The scripts write one {@code run ...} line per measured run ({@link RunResult}); {@link
 * RoundsReport} reads that log and prints the tables. Nothing here measures anything.
 */
package dev.weft.bench.rounds;
