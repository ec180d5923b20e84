package dev.weft.unix.epoll;

import static dev.weft.loop.Engine.READABLE;
import static dev.weft.unix.epoll.ReadinessProbeTest.probingEngine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.PausesUntilServed;
import dev.weft.unix.libc.Libc;
import dev.weft.unix.readiness.QuietPolls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A loop on an epoll engine with its readiness probe, running a chain of pauses: the engine's
 * timeout-0 polls are answered without system calls, yet readiness and tasks from other threads
 * that arrive while the probe answers are served during the chain, not after it.
 */
@Timeout(120)
class ReadinessProbeLoopTest {

    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void aChainOfAHundredThousandPausesCompletesWithItsPollsAnsweredByTheProbe() {
        EpollEngine engine = probingEngine();
        try (Loop loop = Loop.builder().name("probe-pauses").engine(engine).build()) {
            long[] doneWaitsAnswers = loop.run(Promise.apply(() -> {
                long waitsBefore = engine.epollWaits();
                Repause chain = new Repause(100_000, () -> false, () -> { });
                return chain.finished.map(done -> new long[] {
                        done, engine.epollWaits() - waitsBefore, engine.probeAnswers()});
            }));

            assertEquals(100_000, doneWaitsAnswers[0]);
            // At least 100,000 / 256 engine polls; only the first few are system calls.
            assertTrue(doneWaitsAnswers[1] <= 2L * QuietPolls.ARM_AFTER_EMPTY_POLLS,
                    doneWaitsAnswers[1] + " epoll_waits during the chain");
            assertTrue(doneWaitsAnswers[2] >= 100_000 / 256 - doneWaitsAnswers[1],
                    doneWaitsAnswers[2] + " polls answered by the probe");
        }
    }

    @Test
    void readinessTheProbeSeesEndsThePauseRoundsWithinTheCheckSpacing() {
        EpollEngine engine = probingEngine();
        try (Loop loop = Loop.builder().name("probe-early").engine(engine).build(); Arena arena = Arena.ofShared()) {
            int[] pair = socketpair(arena);
            MemorySegment buffer = arena.allocate(64);
            boolean[] served = {false};
            long[] answersBefore = {-1};

            long pauses = loop.run(Promise.apply(() -> {
                loop.register(pair[0], READABLE, ready -> {
                    Libc.read(pair[0], buffer, buffer.byteSize());
                    served[0] = true;
                });
                return PausesUntilServed.measure(loop,
                        () -> probeAnswered(engine, answersBefore),
                        () -> assertEquals(1, Libc.write(pair[1], buffer, 1)),
                        () -> served[0]);
            }));

            // Made ready at the start of an iteration's pause rounds: without the probe's word the
            // rounds would run on to their bound (256); with it they end at the next check, at
            // most 64 pauses later (Loop's WOKEN_PER_CLOCK_READ).
            assertTrue(pauses <= 65, pauses + " pauses before the readiness was served");
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }

    /** Whether the probe has answered a poll since the first call: it is armed and quiet. */
    private static boolean probeAnswered(EpollEngine engine, long[] answersAtFirstCall) {
        if (answersAtFirstCall[0] < 0) {
            answersAtFirstCall[0] = engine.probeAnswers();
        }
        return engine.probeAnswers() > answersAtFirstCall[0];
    }

    @Test
    void aSourceFedFromAnotherThreadIsServedWhileAChainPauses() throws Exception {
        int rounds = 50;
        EpollEngine engine = probingEngine();
        try (Loop loop = Loop.builder().name("probe-feed").engine(engine).build(); Arena arena = Arena.ofShared()) {
            int[] pair = socketpair(arena);
            AtomicInteger served = new AtomicInteger();
            ProbeWatch watch = new ProbeWatch(engine);
            MemorySegment buffer = arena.allocate(64);
            loop.start("probe-feed", true);
            var chainDone = loop.submit(() -> {
                loop.register(pair[0], READABLE, ready -> {
                    Libc.read(pair[0], buffer, buffer.byteSize());
                    watch.served();
                    served.incrementAndGet();
                });
                return new Repause(Long.MAX_VALUE, () -> served.get() >= rounds, watch::step).finished;
            });

            for (int i = 1; i <= rounds; i++) {
                awaitTrue(watch.answeredSinceServed::get, "round " + i + ": the probe never answered a poll");
                assertEquals(1, Libc.write(pair[1], buffer, 1));
                int round = i;
                awaitTrue(() -> served.get() >= round, "round " + i + ": the byte was not served");
            }

            long pauses = chainDone.get(30, TimeUnit.SECONDS);
            assertEquals(rounds, served.get());
            assertTrue(pauses > rounds, "the chain paused only " + pauses + " times");
            Libc.close(pair[0]);
            Libc.close(pair[1]);
        }
    }

    @Test
    void aTaskFromAnotherThreadRunsWhileAChainPausesWithTheProbeArmed() throws Exception {
        int rounds = 20;
        EpollEngine engine = probingEngine();
        try (Loop loop = Loop.builder().name("probe-task").engine(engine).build()) {
            AtomicInteger ran = new AtomicInteger();
            ProbeWatch watch = new ProbeWatch(engine);
            loop.start("probe-task", true);
            var chainDone = loop.submit(
                    () -> new Repause(Long.MAX_VALUE, () -> ran.get() >= rounds, watch::step).finished);

            for (int i = 1; i <= rounds; i++) {
                awaitTrue(watch.answeredSinceServed::get, "round " + i + ": the probe never answered a poll");
                loop.execute(() -> {
                    watch.served();
                    ran.incrementAndGet();
                });
                int round = i;
                awaitTrue(() -> ran.get() >= round, "round " + i + ": the task did not run");
            }

            assertTrue(chainDone.get(30, TimeUnit.SECONDS) > rounds);
        }
    }

    private static int[] socketpair(Arena arena) {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        int r = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0, fds);
        assertEquals(0, r, "socketpair");
        return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
    }

    private static void awaitTrue(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail(failure);
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Tells the feeding thread when the probe has answered a poll since the last thing was served,
     * i.e. when it is armed and quiet, so that each feed arrives while the probe answers.
     * {@link #step} and {@link #served} run on the loop thread.
     */
    private static final class ProbeWatch {
        final AtomicBoolean answeredSinceServed = new AtomicBoolean();
        private final EpollEngine engine;
        private long answersAtServe = -1;

        ProbeWatch(EpollEngine engine) {
            this.engine = engine;
        }

        void step() {
            if (answersAtServe < 0) {
                answersAtServe = engine.probeAnswers();
            }
            if (engine.probeAnswers() > answersAtServe) {
                answeredSinceServed.set(true);
            }
        }

        void served() {
            answeredSinceServed.set(false);
            answersAtServe = engine.probeAnswers();
        }
    }

    /**
     * Pauses again each time it runs, until {@code limit} pauses or {@code stop} says so; resolves
     * {@link #finished} with the number of pauses. Loop thread only.
     */
    private static final class Repause implements Consumer<Void> {
        final Promise<Long> finished;
        private final Resolver<Long> finisher = Promise.task();
        private final long limit;
        private final BooleanSupplier stop;
        private final Runnable eachStep;
        private long done;

        Repause(long limit, BooleanSupplier stop, Runnable eachStep) {
            this.limit = limit;
            this.stop = stop;
            this.eachStep = eachStep;
            this.finished = finisher.promise();
            Promise.pause().onSuccess(this);
        }

        @Override
        public void accept(Void ignored) {
            eachStep.run();
            if (++done == limit || stop.getAsBoolean()) {
                finisher.resolve(done);
                return;
            }
            Promise.pause().onSuccess(this);
        }
    }
}
