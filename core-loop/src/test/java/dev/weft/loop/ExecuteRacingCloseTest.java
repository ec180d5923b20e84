package dev.weft.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.promise.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code execute} and {@code submit} racing {@code close()} from many threads: every offer is
 * either accepted, and its work runs exactly once on the loop thread, or refused with {@link
 * LoopClosed}, and its work never runs. Each round draws from its seed how many producers race,
 * and after how many tasks have run another thread closes the loop; producers offer without a
 * pause until they are refused. A failure names the seed that reproduces the round's shape.
 */
class ExecuteRacingCloseTest {

    private static final long BASE_SEED = 0x5EED_0F_C105EL;
    private static final int ROUNDS = 150;
    /** Producers hold off while this many offers wait in the inbox, so a round's heap stays small. */
    private static final long MAX_QUEUED = 512;

    /** One offer: how many times its work ran (loop thread), whether its caller was refused. */
    private static final class Offer implements Runnable {
        private final Loop loop;
        private final AtomicLong ranOnLoop;
        int runs;             // written on the loop thread; read after close() joined it
        boolean offThread;    // likewise
        boolean refused;      // written by the producer (or the test, from the future); read after joins
        CompletableFuture<Offer> future; // submit's, written by the producer

        Offer(Loop loop, AtomicLong ranOnLoop) {
            this.loop = loop;
            this.ranOnLoop = ranOnLoop;
        }

        @Override
        public void run() {
            runs++;
            offThread |= !loop.inLoopThread();
            ranOnLoop.incrementAndGet();
        }
    }

    /** What went wrong in one round, counted over all its offers. */
    private record Tally(int offers, int ranAndRefused, int neitherRanNorRefused, int ranTwice, int offThread) {
        boolean clean() {
            return ranAndRefused == 0 && neitherRanNorRefused == 0 && ranTwice == 0 && offThread == 0;
        }

        static Tally of(List<Offer> offers) {
            int both = 0;
            int neither = 0;
            int twice = 0;
            int off = 0;
            for (Offer offer : offers) {
                both += offer.runs > 0 && offer.refused ? 1 : 0;
                neither += offer.runs == 0 && !offer.refused ? 1 : 0;
                twice += offer.runs > 1 ? 1 : 0;
                off += offer.offThread ? 1 : 0;
            }
            return new Tally(offers.size(), both, neither, twice, off);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyExecuteRacingCloseEitherRunsItsTaskExactlyOnceOrThrowsLoopClosed() throws Exception {
        assertEveryOfferRanOnceOrWasRefused((loop, offer) -> {
            try {
                loop.execute(offer);
                return true;
            } catch (LoopClosed refused) {
                offer.refused = true;
                return false;
            }
        }, offer -> { });
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everySubmitRacingCloseEitherRunsItsWorkExactlyOnceOrFailsItsFutureWithLoopClosed() throws Exception {
        assertEveryOfferRanOnceOrWasRefused((loop, offer) -> {
            offer.future = loop.submit(() -> {
                offer.run();
                return Promise.of(offer);
            });
            return !offer.future.isCompletedExceptionally();
        }, offer -> {
            // Settled by now: by the loop (its value, or refused in the final drain) or by its
            // producer before submit returned.
            assertTrue(offer.future.isDone(), "a future still pending after close");
            offer.refused = failedWithLoopClosed(offer.future, offer);
        });
    }

    /**
     * Races close in {@value #ROUNDS} rounds, one seed each; after each, {@code settle} reads
     * each offer's outcome where its caller did not learn it at once (a future).
     */
    private static void assertEveryOfferRanOnceOrWasRefused(OfferOne offerOne, Consumer<Offer> settle)
            throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long seed = BASE_SEED + round;
            Round raced = raceClose(seed, offerOne);
            raced.offers().forEach(settle);
            Tally tally = Tally.of(raced.offers());
            assertTrue(tally.clean(), "seed " + seed + ": " + tally);
            assertEquals(List.of(), raced.reported(), "seed " + seed + ": reports to the async-exception hook");
        }
    }

    /** Whether {@code future} failed with LoopClosed; if it has a value, that must be {@code offer}. */
    private static boolean failedWithLoopClosed(CompletableFuture<Offer> future, Offer offer) {
        try {
            assertTrue(future.join() == offer, "a future completed with another offer's value");
            return false;
        } catch (CompletionException failure) {
            if (failure.getCause() instanceof LoopClosed) {
                return true;
            }
            throw new AssertionError("a future failed with other than LoopClosed", failure);
        } catch (CancellationException unexpected) {
            throw new AssertionError("nobody cancelled a future", unexpected);
        }
    }

    /** A round's offers, and what its loop reported to its async-exception hook. */
    private record Round(List<Offer> offers, List<Throwable> reported) {}

    /** One producer's offer of {@code offer}'s work to {@code loop}; false once the loop refused it. */
    private interface OfferOne {
        boolean offer(Loop loop, Offer offer);
    }

    /**
     * One round: a started loop, producers offering as fast as they can until refused (holding
     * off only while {@value #MAX_QUEUED} offers are queued), and this
     * thread closing the loop once the round's number of tasks has run. Returns every offer
     * made, after the loop's thread and every producer have ended.
     */
    private static Round raceClose(long seed, OfferOne offerOne) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        int producers = 2 + random.nextInt(4);
        long closeAfter = random.nextLong(0, 3_000);
        List<Throwable> reported = new ArrayList<>();
        Consumer<Throwable> hook = failure -> {
            synchronized (reported) {
                reported.add(failure);
            }
        };
        Loop loop = Loop.builder().name("race-" + seed).asyncExceptionHook(hook).build();
        AtomicLong ranOnLoop = new AtomicLong();
        AtomicLong offered = new AtomicLong();
        loop.start("race-loop-" + seed, true);
        CountDownLatch go = new CountDownLatch(1);
        List<List<Offer>> perProducer = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            List<Offer> mine = new ArrayList<>();
            perProducer.add(mine);
            Thread producer = new Thread(() -> {
                awaitUninterruptibly(go);
                boolean accepted;
                do {
                    while (offered.get() - ranOnLoop.get() > MAX_QUEUED && !loop.isClosed()) {
                        Thread.yield(); // the loop is behind: let it catch up (a condition, not a delay)
                    }
                    offered.incrementAndGet();
                    Offer offer = new Offer(loop, ranOnLoop);
                    mine.add(offer);
                    accepted = offerOne.offer(loop, offer);
                } while (accepted); // until the loop refuses: the close has begun
            }, "race-producer-" + p);
            threads.add(producer);
            producer.start();
        }
        go.countDown();
        while (ranOnLoop.get() < closeAfter) {
            Thread.onSpinWait(); // a condition, not a delay: the close lands after this many tasks ran
        }
        loop.close();
        for (Thread producer : threads) {
            producer.join();
        }
        List<Offer> all = new ArrayList<>();
        perProducer.forEach(all::addAll);
        return new Round(all, reported);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
