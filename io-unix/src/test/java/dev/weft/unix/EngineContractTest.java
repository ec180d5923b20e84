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
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd");
        Engines.open(kind).close(); // load every class first: class loading may open jars
        long before = count(fds);

        for (int i = 0; i < 1_000; i++) {
            Engines.open(kind).close();
        }

        assertEquals(before, count(fds));
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

    private static long count(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.count();
        }
    }
}
