package dev.weft.bench.load;

/**
 * Round-trip times in fixed 100 ns buckets up to 100 ms, with one overflow count beyond. Confined to
 * the thread that records; read it after recording ends.
 *
 * <p>Fixed buckets keep {@link #record} allocation-free and O(1) on the load loop; 100 ns resolution
 * is finer than loopback round trips vary, and a percentile past 100 ms reads as infinite, which a
 * report shows as such rather than as a made-up number.
 */
public final class LatencyHistogram {

    private static final long BUCKET_NANOS = 100;
    private static final int BUCKETS = 1_000_000;

    private final int[] counts = new int[BUCKETS];
    private long overflow;
    private long total;

    /** An empty histogram. */
    public LatencyHistogram() {}

    /** Records one round trip of {@code nanos}. */
    public void record(long nanos) {
        long bucket = nanos / BUCKET_NANOS;
        if (bucket < BUCKETS) {
            counts[(int) bucket]++;
        } else {
            overflow++;
        }
        total++;
    }

    /** Round trips recorded. */
    public long count() {
        return total;
    }

    /**
     * The upper bound in microseconds of the bucket holding the {@code quantile}-th round trip, or
     * infinity if it lies past the last bucket or nothing was recorded.
     */
    public double percentileMicros(double quantile) {
        long rank = (long) Math.ceil(quantile * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS && total > 0; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS / 1_000.0;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
