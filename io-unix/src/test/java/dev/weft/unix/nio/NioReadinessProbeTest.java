package dev.weft.unix.nio;

import static dev.weft.loop.Engine.READABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.unix.PausesUntilServed;
import dev.weft.unix.readiness.QuietPolls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The NIO engine's readiness probe on the epoll set behind its Selector: timeout-0 polls answered
 * without a select while nothing can be ready, and never a readiness answered "nothing ready".
 * Skipped where the probe is not available (no io_uring, no {@code /proc}, not Linux).
 */
class NioReadinessProbeTest {

    private static final int K = QuietPolls.ARM_AFTER_EMPTY_POLLS;

    private final List<Pipe> pipes = new ArrayList<>();

    @AfterEach
    void closePipes() throws IOException {
        for (Pipe pipe : pipes) {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    void aRunOfEmptyPollsMakesKSelectsThenNone() {
        try (NioEngine engine = probingEngine()) {
            for (int i = 0; i < 100; i++) {
                assertEquals(0, engine.poll(0));
            }

            assertEquals(K, engine.selects());
            assertEquals(100 - K, engine.probeAnswers());
            assertEquals(1, engine.probeArms());
        }
    }

    @Test
    void withTheProbeOffEveryTimeoutZeroPollSelects() {
        try (NioEngine engine = new NioEngine(false)) {
            for (int i = 0; i < 100; i++) {
                assertEquals(0, engine.poll(0));
            }

            assertFalse(engine.probing());
            assertEquals(100, engine.selects());
            assertEquals(0, engine.probeAnswers());
        }
    }

    @Test
    void readinessArrivingWhileTheProbeIsQuietIsDispatchedByTheNextPoll() {
        try (NioEngine engine = probingEngine()) {
            Pipe pipe = pipe();
            List<Integer> seen = new ArrayList<>();
            engine.register(engine.attach(pipe.source()), READABLE, seen::add);
            armQuiet(engine);

            send(pipe);

            assertTrue(engine.readinessWaiting(), "the probe saw the readiness");
            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void readinessWrittenByAnotherThreadWhileTheProbeIsQuietIsDispatchedByTheNextPoll() throws Exception {
        try (NioEngine engine = probingEngine()) {
            Pipe pipe = pipe();
            List<Integer> seen = new ArrayList<>();
            engine.register(engine.attach(pipe.source()), READABLE, seen::add);
            armQuiet(engine);

            Thread writer = Thread.ofPlatform().start(() -> send(pipe));
            writer.join();

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void aWakeupFromAnotherThreadWhileTheProbeIsQuietMakesTheNextPollSelect() throws Exception {
        try (NioEngine engine = probingEngine()) {
            armQuiet(engine);
            long selects = engine.selects();

            Thread waker = Thread.ofPlatform().start(engine::wakeup);
            waker.join();

            assertEquals(0, engine.poll(0)); // the wakeup calls no handler...
            assertEquals(selects + 1, engine.selects(), "...but the probe must not hide it");
        }
    }

    @Test
    void aChannelLeftReadyIsReportedByEveryPoll() {
        try (NioEngine engine = probingEngine()) {
            Pipe pipe = pipe();
            List<Integer> seen = new ArrayList<>();
            engine.register(engine.attach(pipe.source()), READABLE, seen::add); // never reads
            armQuiet(engine);
            send(pipe);

            for (int i = 0; i < 3 * K; i++) {
                assertEquals(1, engine.poll(0), "poll " + i);
            }
            assertEquals(3 * K, seen.size());
        }
    }

    @Test
    void aHandlerThatThrowsLeavesTheRestOfItsReadinessForTheNextPoll() {
        try (NioEngine engine = probingEngine()) {
            Pipe first = pipe();
            Pipe second = pipe();
            List<String> seen = new ArrayList<>();
            boolean[] thrown = {false};
            engine.register(engine.attach(first.source()), READABLE, ready -> {
                seen.add("first");
                if (!thrown[0]) {
                    thrown[0] = true;
                    throw new IllegalStateException("handler failed");
                }
            });
            engine.register(engine.attach(second.source()), READABLE, ready -> seen.add("second"));
            armQuiet(engine);
            send(first);
            send(second);

            try {
                engine.poll(0);
            } catch (IllegalStateException expected) {
                // whichever ran first, "first" threw; what the select had not dispatched comes next
            }
            engine.poll(0);

            assertTrue(seen.contains("second"), "seen " + seen);
        }
    }

    @Test
    void registeringAChannelThatIsAlreadyReadyWhileTheProbeIsQuietIsReportedByTheNextPoll() {
        try (NioEngine engine = probingEngine()) {
            Pipe pipe = pipe();
            send(pipe);
            int source = engine.attach(pipe.source());
            armQuiet(engine);
            List<Integer> seen = new ArrayList<>();

            engine.register(source, READABLE, seen::add);

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void resumingAPausedChannelThatIsReadyWhileTheProbeIsQuietIsReportedByTheNextPoll() {
        try (NioEngine engine = probingEngine()) {
            Pipe pipe = pipe();
            List<Integer> seen = new ArrayList<>();
            int source = engine.attach(pipe.source());
            engine.register(source, 0, seen::add);
            send(pipe);
            armQuiet(engine);

            engine.modify(source, READABLE);

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void aTimedPollSelectsEvenWhileTheProbeIsQuiet() {
        try (NioEngine engine = probingEngine()) {
            armQuiet(engine);
            long selects = engine.selects();

            assertEquals(0, engine.poll(1_000)); // 1 µs, rounded up to 1 ms

            assertEquals(selects + 1, engine.selects());
        }
    }

    @Test
    void closeReleasesTheRingsFd() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        probingEngine().close(); // classes loaded, the probe available
        long fds = openFds();

        for (int i = 0; i < 50; i++) {
            NioEngine engine = probingEngine();
            armQuiet(engine); // an armed poll too
            engine.close();
        }

        assertEquals(fds, openFds());
    }

    @Test
    void aClosedEngineRefusesPolls() {
        NioEngine engine = probingEngine();
        armQuiet(engine);
        engine.close();

        assertThrows(IllegalStateException.class, () -> engine.poll(0));
    }

    @Test
    void readinessTheProbeSeesEndsThePauseRoundsWithinTheCheckSpacing() throws IOException {
        NioEngine engine = probingEngine();
        try (Loop loop = Loop.builder().name("nio-probe-early").engine(engine).build()) {
            Pipe pipe = pipe();
            boolean[] served = {false};
            long[] answersBefore = {-1};

            long pauses = loop.run(Promise.apply(() -> {
                loop.register(engine.attach(pipe.source()), READABLE, ready -> {
                    drain(pipe);
                    served[0] = true;
                });
                return PausesUntilServed.measure(loop,
                        () -> probeAnswered(engine, answersBefore),
                        () -> send(pipe),
                        () -> served[0]);
            }));

            // Made ready at the start of an iteration's pause rounds: without the probe's word the
            // rounds would run on to their bound (256); with it they end at the next check, at
            // most 64 pauses later (Loop's WOKEN_PER_CLOCK_READ).
            assertTrue(pauses <= 65, pauses + " pauses before the readiness was served");
        }
    }

    /** Whether the probe has answered a poll since the first call: it is armed and quiet. */
    private static boolean probeAnswered(NioEngine engine, long[] answersAtFirstCall) {
        if (answersAtFirstCall[0] < 0) {
            answersAtFirstCall[0] = engine.probeAnswers();
        }
        return engine.probeAnswers() > answersAtFirstCall[0];
    }

    private static void drain(Pipe pipe) {
        try {
            pipe.source().read(ByteBuffer.allocate(64));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aVirtualThreadNeverArmsTheProbe() throws Exception {
        NioEngine engine = probingEngine();
        try {
            long[] arms = {-1};
            Thread polling = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 3 * K; i++) {
                    engine.poll(0);
                }
                arms[0] = engine.probeArms();
            });
            polling.join();

            assertEquals(0, arms[0], "the kernel sees a virtual thread's carrier, which may change");
        } finally {
            engine.close();
        }
    }

    // ---- fixtures ----

    /** An engine with the probe, or the test is skipped where it has none. */
    static NioEngine probingEngine() {
        NioEngine engine = new NioEngine(true);
        if (!engine.probing()) {
            engine.close();
            assumeTrue(false, "no readiness probe for a Selector here");
        }
        return engine;
    }

    /** Polls until the probe is armed, then checks that it answers a poll without a select. */
    static void armQuiet(NioEngine engine) {
        long arms = engine.probeArms();
        for (int i = 0; i < K + 1 && engine.probeArms() == arms; i++) {
            assertEquals(0, engine.poll(0));
        }
        assertEquals(arms + 1, engine.probeArms(), "the probe was not armed");
        long selects = engine.selects();
        long answers = engine.probeAnswers();
        assertEquals(0, engine.poll(0));
        assertEquals(answers + 1, engine.probeAnswers(), "the armed probe did not answer");
        assertEquals(selects, engine.selects());
        assertFalse(engine.readinessWaiting(), "a quiet probe knows of no readiness");
    }

    private Pipe pipe() {
        try {
            Pipe pipe = Pipe.open();
            pipes.add(pipe);
            return pipe;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(Pipe pipe) {
        try {
            assertEquals(1, pipe.sink().write(ByteBuffer.wrap(new byte[] {42})));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
