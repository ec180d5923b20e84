package dev.weft.loop;

import java.util.SplittableRandom;

/**
 * The seeded shuffle of {@link Loop.Builder#shuffle}: a Fisher-Yates shuffle of a batch prefix,
 * drawn from a generator that the seed fixes, so one seed always gives the same orders.
 *
 * <p><b>Threading: confined to the loop thread.</b>
 */
final class SeededShuffle {

    private final SplittableRandom random;

    SeededShuffle(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Shuffles {@code batch[0..count)} in place. */
    void shuffle(Object[] batch, int count) {
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Object swap = batch[i];
            batch[i] = batch[j];
            batch[j] = swap;
        }
    }
}
