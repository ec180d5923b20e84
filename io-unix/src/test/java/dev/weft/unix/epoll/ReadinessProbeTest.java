package dev.weft.unix.epoll;

import static dev.weft.loop.Engine.READABLE;
import static dev.weft.loop.Engine.WRITABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.unix.libc.Libc;
import dev.weft.unix.readiness.QuietPolls;
import dev.weft.unix.readiness.ReadinessProbe;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The epoll engine's io_uring readiness probe: timeout-0 polls answered from shared memory while
 * nothing can be ready, and never a readiness answered "nothing ready". Tests that need the probe
 * are skipped where the kernel offers none (no io_uring, or a seccomp policy that forbids it).
 */
class ReadinessProbeTest {

    private static final int K = QuietPolls.ARM_AFTER_EMPTY_POLLS;

    private final List<Integer> fdsToClose = new ArrayList<>();
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeFds() {
        fdsToClose.forEach(Libc::close);
        arena.close();
    }

    // ---- the probe answers only when nothing can be ready ----

    @Test
    void aRunOfEmptyPollsMakesKSystemCallsThenNone() {
        try (EpollEngine engine = probingEngine()) {
            for (int i = 0; i < 100; i++) {
                assertEquals(0, engine.poll(0));
            }

            assertEquals(K, engine.epollWaits());
            assertEquals(100 - K, engine.probeAnswers());
            assertEquals(1, engine.probeArms());
        }
    }

    @Test
    void withTheProbeOffEveryTimeoutZeroPollIsASystemCall() {
        try (EpollEngine engine = new EpollEngine(EpollEngine.DEFAULT_MAX_EVENTS, false)) {
            for (int i = 0; i < 100; i++) {
                assertEquals(0, engine.poll(0));
            }

            assertFalse(engine.probing());
            assertEquals(100, engine.epollWaits());
            assertEquals(0, engine.probeAnswers());
            assertEquals(0, engine.probeArms());
        }
    }

    @Test
    void thePropertySetToFalseTurnsTheProbeOff() {
        String before = System.getProperty(ReadinessProbe.PROPERTY);
        System.setProperty(ReadinessProbe.PROPERTY, "false");
        try (EpollEngine engine = new EpollEngine()) {
            assertFalse(engine.probing());
        } finally {
            if (before == null) {
                System.clearProperty(ReadinessProbe.PROPERTY);
            } else {
                System.setProperty(ReadinessProbe.PROPERTY, before);
            }
        }
    }

    @Test
    void readinessArrivingWhileTheProbeIsQuietIsDispatchedByTheNextPoll() {
        try (EpollEngine engine = probingEngine()) {
            int[] pair = socketpair();
            List<Integer> seen = new ArrayList<>();
            engine.register(pair[0], READABLE, seen::add);
            armQuiet(engine);

            send(pair[1]);

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void readinessWrittenByAnotherThreadWhileTheProbeIsQuietIsDispatchedByTheNextPoll() throws Exception {
        try (EpollEngine engine = probingEngine()) {
            int eventfd = eventfd();
            List<Integer> seen = new ArrayList<>();
            engine.register(eventfd, READABLE, seen::add);
            armQuiet(engine);

            Thread writer = Thread.ofPlatform().start(() -> signal(eventfd));
            writer.join();

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void aWakeupFromAnotherThreadWhileTheProbeIsQuietMakesTheNextPollWait() throws Exception {
        try (EpollEngine engine = probingEngine()) {
            armQuiet(engine);
            long waits = engine.epollWaits();

            Thread waker = Thread.ofPlatform().start(engine::wakeup);
            waker.join();

            assertEquals(0, engine.poll(0)); // the wakeup calls no handler...
            assertEquals(waits + 1, engine.epollWaits(), "...but the probe must not hide it");
        }
    }

    @Test
    void aLevelTriggeredFdLeftReadyIsReportedByEveryPoll() {
        try (EpollEngine engine = probingEngine()) {
            int[] pair = socketpair();
            List<Integer> seen = new ArrayList<>();
            engine.register(pair[0], READABLE, seen::add); // never reads: the byte stays
            armQuiet(engine);
            send(pair[1]);

            for (int i = 0; i < 10; i++) {
                assertEquals(1, engine.poll(0), "poll " + i);
            }
            assertEquals(10, seen.size());
        }
    }

    @Test
    void eventsLeftByAHandlerThatThrewAreReportedByTheNextPoll() {
        try (EpollEngine engine = probingEngine()) {
            int[] first = socketpair();
            int[] second = socketpair();
            List<Integer> called = new ArrayList<>();
            boolean[] thrown = {false};
            for (int fd : new int[] {first[0], second[0]}) {
                engine.register(fd, READABLE, ready -> {
                    called.add(fd);
                    if (!thrown[0]) {
                        thrown[0] = true;
                        throw new IllegalStateException("handler failed");
                    }
                });
            }
            armQuiet(engine);
            send(first[1]);
            send(second[1]);

            assertThrows(IllegalStateException.class, () -> engine.poll(0));
            engine.poll(0);

            assertTrue(called.contains(first[0]) && called.contains(second[0]), "called: " + called);
        }
    }

    @Test
    void registeringAnFdThatIsAlreadyReadyWhileTheProbeIsQuietIsReportedByTheNextPoll() {
        try (EpollEngine engine = probingEngine()) {
            int[] pair = socketpair();
            send(pair[1]);
            armQuiet(engine);
            List<Integer> seen = new ArrayList<>();

            engine.register(pair[0], READABLE, seen::add);

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void resumingAPausedFdThatIsReadyWhileTheProbeIsQuietIsReportedByTheNextPoll() {
        try (EpollEngine engine = probingEngine()) {
            int[] pair = socketpair();
            List<Integer> seen = new ArrayList<>();
            engine.register(pair[0], 0, seen::add); // paused: out of the epoll set
            send(pair[1]);
            armQuiet(engine);

            engine.modify(pair[0], READABLE); // EPOLL_CTL_ADD

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void modifyingTheInterestOfAReadyFdWhileTheProbeIsQuietIsReportedByTheNextPoll() {
        try (EpollEngine engine = probingEngine()) {
            int[] pipe = pipe();
            List<Integer> seen = new ArrayList<>();
            engine.register(pipe[0], WRITABLE, seen::add); // a pipe's read end is never writable
            write(pipe[1]);
            armQuiet(engine);

            engine.modify(pipe[0], READABLE); // EPOLL_CTL_MOD

            assertEquals(1, engine.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void aTimedPollWaitsInEpollWaitEvenWhileTheProbeIsQuiet() {
        try (EpollEngine engine = probingEngine()) {
            armQuiet(engine);
            long waits = engine.epollWaits();
            long answers = engine.probeAnswers();

            assertEquals(0, engine.poll(1_000_000)); // 1 ms

            assertEquals(waits + 1, engine.epollWaits());
            assertEquals(answers, engine.probeAnswers());
            assertEquals(0, engine.poll(0));
            assertEquals(answers + 1, engine.probeAnswers(), "the armed probe answers again after an empty timed wait");
        }
    }

    @Test
    void theProbeRearmsAfterItFiredAndKEmptyPolls() {
        try (EpollEngine engine = probingEngine()) {
            int eventfd = eventfd();
            engine.register(eventfd, READABLE, ready -> drain(eventfd));
            armQuiet(engine);
            signal(eventfd);
            assertEquals(1, engine.poll(0)); // the probe fired: reaped, disarmed
            long waits = engine.epollWaits();

            for (int i = 0; i < 20; i++) {
                assertEquals(0, engine.poll(0));
            }

            assertEquals(waits + K, engine.epollWaits());
            assertEquals(2, engine.probeArms());
        }
    }

    // ---- one armed probe per thread ----

    @Test
    void aSecondEngineOnTheThreadDoesNotArmWhileTheFirstOnesProbeIsArmed() {
        try (EpollEngine first = probingEngine(); EpollEngine second = probingEngine()) {
            armQuiet(first);

            for (int i = 0; i < 3 * K; i++) {
                assertEquals(0, second.poll(0));
            }

            assertEquals(0, second.probeArms());
            assertEquals(3 * K, second.epollWaits(), "the second engine polls for real meanwhile");
        }
    }

    @Test
    void readinessOfASecondEngineOnTheThreadIsNeverAnsweredQuietWhileAnotherProbeFired() throws Exception {
        try (EpollEngine first = probingEngine(); EpollEngine second = probingEngine()) {
            int firstFd = eventfd();
            int secondFd = eventfd();
            first.register(firstFd, READABLE, ready -> { });
            List<Integer> seen = new ArrayList<>();
            second.register(secondFd, READABLE, seen::add);
            armQuiet(first);
            for (int i = 0; i < 3 * K; i++) {
                assertEquals(0, second.poll(0));
            }
            AtomicBoolean written = new AtomicBoolean();

            // Both become ready while this thread stays out of the kernel (it spins, no join):
            // the kernel runs pending task work only when this thread next enters it.
            Thread.ofPlatform().start(() -> {
                signal(firstFd);
                signal(secondFd);
                written.set(true);
            });
            while (!written.get()) {
                Thread.onSpinWait();
            }

            assertEquals(1, second.poll(0));
            assertEquals(List.of(READABLE), seen);
        }
    }

    @Test
    void onceTheFirstProbeFiredAndWasReapedASecondEngineMayArm() {
        try (EpollEngine first = probingEngine(); EpollEngine second = probingEngine()) {
            int firstFd = eventfd();
            first.register(firstFd, READABLE, ready -> drain(firstFd));
            armQuiet(first);
            signal(firstFd);
            assertEquals(1, first.poll(0)); // fired, reaped: first's probe is no longer armed

            armQuiet(second);

            assertEquals(1, second.probeArms());
        }
    }

    // ---- resources ----

    @Test
    void closeReleasesTheRingsFdAndMappings() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        probingEngine().close(); // classes loaded, the probe available
        long fds = count(Files.list(Path.of("/proc/self/fd")));
        long maps = ringMappings();

        for (int i = 0; i < 50; i++) {
            EpollEngine engine = probingEngine();
            armQuiet(engine); // an armed poll too
            if (i == 0) {
                assertTrue(ringMappings() >= maps + 2, "the probe's rings are not mapped where this test looks");
            }
            engine.close();
        }

        assertEquals(fds, count(Files.list(Path.of("/proc/self/fd"))));
        assertEquals(maps, ringMappings());
    }

    // ---- fixtures ----

    /** An engine with the probe, or the test is skipped where the kernel offers none. */
    static EpollEngine probingEngine() {
        EpollEngine engine = new EpollEngine(EpollEngine.DEFAULT_MAX_EVENTS, true);
        if (!engine.probing()) {
            engine.close();
            assumeTrue(false, "no io_uring readiness probe on this kernel");
        }
        return engine;
    }

    /** Polls until the probe is armed, then checks that it answers a poll without a system call. */
    private static void armQuiet(EpollEngine engine) {
        long arms = engine.probeArms();
        for (int i = 0; i < K + 1 && engine.probeArms() == arms; i++) {
            assertEquals(0, engine.poll(0));
        }
        assertEquals(arms + 1, engine.probeArms(), "the probe was not armed");
        long waits = engine.epollWaits();
        long answers = engine.probeAnswers();
        assertEquals(0, engine.poll(0));
        assertEquals(answers + 1, engine.probeAnswers(), "the armed probe did not answer");
        assertEquals(waits, engine.epollWaits());
    }

    private int[] socketpair() {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        int r = Libc.socketpair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0, fds);
        assertEquals(0, r, "socketpair");
        return keep(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1));
    }

    private int[] pipe() {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        assertEquals(0, Libc.pipe2(fds, Libc.O_NONBLOCK | Libc.O_CLOEXEC), "pipe2");
        return keep(fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1));
    }

    private int eventfd() {
        int fd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        assertTrue(fd >= 0, "eventfd: " + fd);
        return keep(fd)[0];
    }

    private int[] keep(int... fds) {
        for (int fd : fds) {
            fdsToClose.add(fd);
        }
        return fds;
    }

    private static void send(int fd) {
        write(fd);
    }

    private static void write(int fd) {
        try (Arena local = Arena.ofConfined()) {
            assertEquals(1, Libc.write(fd, local.allocate(1), 1), "write");
        }
    }

    /** Adds one to an eventfd's counter; any thread. */
    private static void signal(int eventfd) {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment one = local.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            assertEquals(8, Libc.write(eventfd, one, 8), "eventfd write");
        }
    }

    private static void drain(int eventfd) {
        try (Arena local = Arena.ofConfined()) {
            assertEquals(8, Libc.read(eventfd, local.allocate(ValueLayout.JAVA_LONG), 8), "eventfd read");
        }
    }

    /** This process's mappings of io_uring rings. */
    private static long ringMappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(line -> line.contains("io_uring")).count();
        }
    }

    private static long count(Stream<Path> entries) {
        try (entries) {
            return entries.count();
        }
    }
}
