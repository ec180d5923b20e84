package dev.weft.unix;

import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** The behaviour every engine shares, run on each of them. */
class EngineContractTest {

    /** This process's open file descriptors, one entry each. */
    private static final Path FDS = Path.of("/proc/self/fd");
    /** Long enough never to expire on a loaded machine; a poll that hangs fails instead of blocking the build. */
    private static final long PATIENCE = TimeUnit.SECONDS.toNanos(10);

    @EngineTest
    void readerIsReportedReadableAfterThePeerWrites(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            List<Integer> seen = new ArrayList<>();
            engine.register(pair.reader, READABLE, seen::add);
            pair.send();

            int called = engine.poll(PATIENCE);

            assertEquals(1, called);
            assertEquals(List.of(READABLE), seen);
            engine.unregister(pair.reader);
        }
    }

    @EngineTest
    void readerIsNotReportedBeforeAnythingIsWritten(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            AtomicInteger calls = new AtomicInteger();
            engine.register(pair.reader, READABLE, ready -> calls.incrementAndGet());

            int called = engine.poll(0);

            assertEquals(0, called);
            assertEquals(0, calls.get());
            engine.unregister(pair.reader);
        }
    }

    @EngineTest
    void writerWithRoomInItsBufferIsReportedWritable(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            List<Integer> seen = new ArrayList<>();
            engine.register(pair.writer, WRITABLE, seen::add);

            engine.poll(PATIENCE);

            assertEquals(List.of(WRITABLE), seen);
            engine.unregister(pair.writer);
        }
    }

    @EngineTest
    void readinessIsReportedAgainUntilConsumed(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            AtomicInteger calls = new AtomicInteger();
            engine.register(pair.reader, READABLE, ready -> calls.incrementAndGet());
            pair.send();

            engine.poll(PATIENCE);
            engine.poll(PATIENCE);

            assertEquals(2, calls.get());
            engine.unregister(pair.reader);
        }
    }

    @EngineTest
    void wakeupFromAnotherThreadReturnsABlockedPoll(EngineKind kind) throws InterruptedException {
        try (Engine engine = Engines.open(kind)) {
            CountDownLatch aboutToPoll = new CountDownLatch(1);
            CountDownLatch returned = new CountDownLatch(1);
            Thread loop = Thread.ofPlatform().start(() -> {
                aboutToPoll.countDown();
                engine.poll(-1);
                returned.countDown();
            });
            assertTrue(aboutToPoll.await(10, TimeUnit.SECONDS));

            // Whether the poll is already blocked or not yet entered, the wakeup must end it.
            engine.wakeup();

            assertTrue(returned.await(10, TimeUnit.SECONDS), "poll(-1) did not return after wakeup()");
            loop.join();
        }
    }

    @EngineTest
    void wakeupBeforePollMakesTheNextPollReturn(EngineKind kind) {
        try (Engine engine = Engines.open(kind)) {
            engine.wakeup();

            int called = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> engine.poll(-1));

            assertEquals(0, called);
        }
    }

    @EngineTest
    void unregisterSuppressesAnAlreadyCollectedEvent(EngineKind kind) {
        try (Engine engine = Engines.open(kind);
             ReadinessPair first = ReadinessPair.open(engine);
             ReadinessPair second = ReadinessPair.open(engine)) {
            List<Integer> calledFor = new ArrayList<>();
            // Both become ready in the same batch; whichever runs first unregisters the other.
            engine.register(first.reader, READABLE, ready -> {
                calledFor.add(first.reader);
                engine.unregister(second.reader);
            });
            engine.register(second.reader, READABLE, ready -> {
                calledFor.add(second.reader);
                engine.unregister(first.reader);
            });
            first.send();
            second.send();

            int called = engine.poll(PATIENCE);

            assertEquals(1, called);
            assertEquals(1, calledFor.size());
            engine.unregister(calledFor.getFirst());
        }
    }

    @EngineTest
    void handlerIsNotCalledAfterUnregister(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            AtomicInteger calls = new AtomicInteger();
            engine.register(pair.reader, READABLE, ready -> calls.incrementAndGet());
            pair.send();

            engine.unregister(pair.reader);
            engine.poll(0);

            assertEquals(0, calls.get());
        }
    }

    @EngineTest
    void interestZeroPausesASourceWithoutForgettingIt(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            AtomicInteger calls = new AtomicInteger();
            engine.register(pair.reader, READABLE, ready -> calls.incrementAndGet());
            pair.send();

            engine.modify(pair.reader, 0);
            engine.poll(0);
            assertEquals(0, calls.get());

            engine.modify(pair.reader, READABLE);
            engine.poll(PATIENCE);
            assertEquals(1, calls.get());
            engine.unregister(pair.reader);
        }
    }

    @EngineTest
    void registeringASourceTwiceIsRejected(EngineKind kind) {
        try (Engine engine = Engines.open(kind); ReadinessPair pair = ReadinessPair.open(engine)) {
            engine.register(pair.reader, READABLE, ready -> { });

            assertThrows(IllegalStateException.class, () -> engine.register(pair.reader, READABLE, ready -> { }));
            engine.unregister(pair.reader);
        }
    }

    @EngineTest
    void usingAClosedEngineIsRejected(EngineKind kind) {
        Engine engine = Engines.open(kind);
        engine.close();

        assertThrows(IllegalStateException.class, () -> engine.poll(0));
    }

    @EngineTest
    void wakeupAfterCloseIsHarmless(EngineKind kind) {
        Engine engine = Engines.open(kind);
        engine.close();

        engine.wakeup();
        engine.close();
    }

    @EngineTest
    void openingAndClosingAThousandEnginesLeaksNoFileDescriptor(EngineKind kind) throws IOException {
        long before = openFdsOnceLoaded(kind);

        for (int i = 0; i < 1_000; i++) {
            Engines.open(kind).close();
        }

        assertEquals(before, count(FDS));
    }

    @EngineTest
    void enginesWokenFromAnotherThreadWhileTheyCloseLeakNoFileDescriptor(EngineKind kind) throws Exception {
        long before = openFdsOnceLoaded(kind);

        for (int i = 0; i < 200; i++) {
            Engine engine = Engines.open(kind);
            engine.wakeup();
            engine.poll(0); // one wakeup reported and consumed, the next ones pending at close
            Thread waker = Thread.ofPlatform().start(() -> {
                for (int w = 0; w < 100; w++) {
                    engine.wakeup();
                }
            });
            engine.close();
            waker.join();
        }

        assertEquals(before, count(FDS), "an fd leaked, or one was closed twice (another file's)");
    }

    @EngineTest
    void closeLeavesRegisteredSourcesOpen(EngineKind kind) {
        Engine engine = Engines.open(kind);
        try (ReadinessPair pair = ReadinessPair.open(engine)) {
            engine.register(pair.writer, WRITABLE, ready -> { });

            engine.close();

            assertDoesNotThrow(pair::send, "the engine closed a source it should only forget");
        }
    }

    /** The open fds once an engine of this kind has been opened and closed (class loading may open jars). */
    private static long openFdsOnceLoaded(EngineKind kind) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(FDS), "needs /proc/self/fd");
        Engines.open(kind).close();
        return count(FDS);
    }

    private static long count(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        }
    }
}
