package dev.weft.xen.console;

import static dev.weft.xen.ring.Streams.bytes;
import static dev.weft.xen.ring.Streams.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.loop.device.Flow;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.grant.GrantMapper;
import dev.weft.xen.grant.MappedPages;
import dev.weft.xen.grant.SharedPages;
import dev.weft.xen.ring.BytePipe;
import dev.weft.xen.ring.ConsoleRingPage;
import dev.weft.xen.ring.RingBroken;
import dev.weft.xen.ring.Streams;
import dev.weft.xen.ring.Streams.Summary;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A guest's console and a software backend in two domains of the hypervisor model, each on its own
 * loop and thread (on {@link XenEngine}s: a lost notification hangs and times out), sharing only
 * the console page (granted by the guest, mapped by the backend) and one event channel.
 */
class ConsoleTest {
    private static final long PATIENCE_SECONDS = 120;
    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain guestDomain = xen.createDomain();
    private final SimDomain backendDomain = xen.createDomain();
    private final EventChannelDevice guestDevice = guestDomain.openEventChannels();
    private final EventChannelDevice backendDevice = backendDomain.openEventChannels();
    private final XenEngine guestEngine = new XenEngine(guestDevice);
    private final XenEngine backendEngine = new XenEngine(backendDevice);
    private final Loop guestLoop = Loop.builder().name("guest").engine(guestEngine).build();
    private final Loop backendLoop = Loop.builder().name("xenconsoled").engine(backendEngine).build();
    private EventChannels guestChannels;
    private EventChannels backendChannels;
    private SharedPages page;
    private GrantMapper mapper;
    private MappedPages mapped;
    private int guestPort;
    private int backendPort;
    private XenConsole console;
    private Flow backend;

    @BeforeEach
    void connect() {
        guestLoop.start();
        backendLoop.start();
        page = on(guestLoop, () -> {
            guestChannels = EventChannels.on(guestLoop, guestEngine);
            return Promise.of(guestDomain.openGrantAllocator().share(backendDomain.domainId(), 1, true));
        });
        backendPort = on(backendLoop, () -> {
            backendChannels = EventChannels.on(backendLoop, backendEngine);
            mapper = backendDomain.openGrantMapper();
            mapped = mapper.map(guestDomain.domainId(), page.refs(), true);
            return Promise.of(backendChannels.bindUnbound(guestDomain.domainId()));
        });
        guestPort = on(guestLoop, () -> Promise.of(guestChannels.bindInterdomain(backendDomain.domainId(), backendPort)));
        console = on(guestLoop, () -> Promise.of(XenConsole.frontend(page.memory(), guestChannels, guestPort)));
        backend = on(backendLoop, () -> Promise.of(XenConsole.backend(mapped.memory(), backendChannels, backendPort)));
    }

    @AfterEach
    void disconnect() {
        on(backendLoop, () -> {
            mapped.close();
            mapper.close();
            backendChannels.close();
            return Promise.unit();
        });
        on(guestLoop, () -> {
            page.end();
            guestChannels.close();
            return Promise.unit();
        });
        guestLoop.close();
        backendLoop.close();
        guestDevice.close();
        backendDevice.close();
    }

    private static <T> T on(Loop loop, Supplier<Promise<T>> work) {
        try {
            return loop.submit(work).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(loop.name() + ": " + e, e);
        }
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void loggedLinesReachTheBackendInOrderEachEndingInANewline() throws Exception {
        String expected = "booting\nready\nok\n";
        CompletableFuture<String> seen = backendLoop.submit(() -> Streams.readText(backend, expected.length()));
        on(guestLoop, () -> console.log("booting").flatMap(v -> console.log("ready")).flatMap(v -> console.log("ok")));

        assertEquals(expected, get(seen));
    }

    @Test
    void outputLandsInTheOutRingOfTheXenconsInterface() {
        on(guestLoop, () -> console.log("hi"));

        // Read on the guest's loop: the model confines shared pages to the thread that shared them.
        MemorySegment memory = page.memory();
        assertEquals("hi\n", on(guestLoop, () -> Promise.of(
                new String(memory.asSlice(ConsoleRingPage.OUT, 3).toArray(ValueLayout.JAVA_BYTE)))));
        assertEquals(3, on(guestLoop, () -> Promise.of(memory.get(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_PROD))));
    }

    @Test
    void keyboardInputFromTheBackendReachesTheGuest() {
        CompletableFuture<Flow.Read> read = guestLoop.submit(console::read);
        on(backendLoop, () -> backend.write(bytes("q")));

        assertEquals("q", text((Flow.Data) read.join()));
    }

    @Test
    void aWriteLargerThanTheRingWaitsForTheBackendInsteadOfDroppingOutput() {
        Promise<Void> write = on(guestLoop, () -> Promise.of(console.write(bytes("z".repeat(5000)))));
        assertTrue(on(guestLoop, () -> Promise.of(write.isPending())), "the out ring holds 2048 bytes");
        assertEquals(2048L, on(guestLoop, () -> Promise.of(console.bytesWritten())));

        String seen = on(backendLoop, () -> Streams.receive(backend, 5000).map(s -> "" + s.bytes()));

        assertEquals("5000", seen);
        assertTrue(on(guestLoop, () -> Promise.of(write.isFulfilled())));
    }

    @Test
    void eightMebibytesOfOutputArriveIntactWhileTheBackendStormsTheEventChannel() throws Exception {
        AtomicBoolean storming = new AtomicBoolean(true);
        Thread storm = Thread.ofPlatform().name("storm").start(() -> {
            while (storming.get()) {
                backendDevice.notify(backendPort); // a hint with nothing behind it, over and over
            }
        });
        try {
            CompletableFuture<Summary> seen = backendLoop.submit(() -> Streams.receive(backend, 8L << 20));
            CompletableFuture<Summary> sent = guestLoop.submit(() -> Streams.send(console, 8L << 20, 3));
            assertEquals(get(sent), get(seen));
        } finally {
            storming.set(false);
            storm.join();
        }
    }

    /**
     * A guest that refills the out ring each time the backend reads (written here on the backend's
     * thread into the mapped page, as a guest's vCPU would, with no event) cannot keep the backend's
     * loop to itself: a chain pausing beside the reader gets a turn at least every {@code
     * READS_PER_TURN} (16) reads.
     */
    @Test
    void aGuestThatKeepsTheRingFilledCannotHoldTheBackendsLoop() {
        ReadsBetweenPauseRounds runs = on(backendLoop, () -> {
            BytePipe guest = ConsoleRingPage.of(mapped.memory()).frontend();
            MemorySegment line = bytes("0123456789abcdef");
            guest.write(line);
            ReadsBetweenPauseRounds counter = new ReadsBetweenPauseRounds();
            Promise<Void> pausing = counter.pauseUntilDone();
            return readRefilling(guest, line, 1000, counter).flatMap(v -> {
                counter.done = true;
                return pausing;
            }).map(v -> counter);
        });

        assertTrue(runs.longest <= 16, "reads answered with no pause round between them: " + runs.longest);
        assertTrue(runs.longest >= 2, "reads answered at once still run on without waiting: " + runs.longest);
    }

    /** A chain that pauses until told to stop, and the longest run of reads between two of its rounds. */
    private static final class ReadsBetweenPauseRounds {
        boolean done;
        int pauseRounds;
        int longest;
        private int run;
        private int roundOfRun = -1;

        void read() {
            run = pauseRounds == roundOfRun ? run + 1 : 1;
            roundOfRun = pauseRounds;
            longest = Math.max(longest, run);
        }

        Promise<Void> pauseUntilDone() {
            if (done) {
                return Promise.unit();
            }
            return Promise.pause().flatMap(v -> {
                pauseRounds++;
                return pauseUntilDone();
            });
        }
    }

    private Promise<Void> readRefilling(BytePipe guest, MemorySegment line, int left, ReadsBetweenPauseRounds runs) {
        return backend.read().flatMap(read -> {
            runs.read();
            if (left == 1) {
                return Promise.unit();
            }
            guest.write(line);
            return readRefilling(guest, line, left - 1, runs);
        });
    }

    @Test
    void aBackendClaimingMoreSpaceThanTheRingHasBreaksTheConsoleForGood() {
        on(backendLoop, () -> {
            mapped.memory().set(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_CONS, 2049);
            return Promise.unit();
        });

        Throwable first = on(guestLoop, () -> console.log("x").tryBind(v -> Promise.of(null), Promise::of));
        Throwable later = on(guestLoop, () -> console.read().tryBind(v -> Promise.of(null), Promise::of));

        assertEquals(RingBroken.Reason.INDEX_OVERFLOW, assertInstanceOf(RingBroken.class, first).reason());
        assertSame(first, later);
    }

    @Test
    void aHundredThousandScribbledIndicesEachEndInAnOutcomeTheyAllowAndTheLoopLivesOn() {
        long[] counts = on(guestLoop, () -> {
            MemorySegment memory = page.memory();
            Random random = new Random(11);
            long[] outcomes = new long[2]; // intact, broken
            for (int round = 0; round < 100_000; round++) {
                int prod = random.nextInt();
                int cons = random.nextBoolean() ? random.nextInt() : prod - random.nextInt(4096);
                memory.set(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_PROD, prod);
                memory.set(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_CONS, cons);
                XenConsole scribbled = XenConsole.frontend(memory, guestChannels, guestPort);
                Promise<Void> write = scribbled.write(bytes("0123456789"));
                boolean overflow = Integer.toUnsignedLong(prod - cons) > ConsoleRingPage.OUT_SIZE;
                if (overflow != write.isRejected()) {
                    throw new AssertionError("round " + round + ": prod-cons=" + Integer.toUnsignedLong(prod - cons)
                            + " but the write " + (write.isRejected() ? "failed: " + write.failure() : "did not fail"));
                }
                if (overflow) {
                    assertInstanceOf(RingBroken.class, write.failure());
                }
                outcomes[overflow ? 1 : 0]++;
                scribbled.close();
            }
            memory.set(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_PROD, 0);
            memory.set(ValueLayout.JAVA_INT, ConsoleRingPage.OUT_CONS, 0);
            return Promise.of(outcomes);
        });

        assertTrue(counts[0] > 0 && counts[1] > 0, "both intact and broken rounds happened");
        assertEquals(0, on(guestLoop, () -> Promise.of(guestChannels.waiters())), "every wait was given up at close");
        assertFalse(on(guestLoop, () -> Promise.of(console.failure().isPresent())));
    }
}
