package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.xen.sim.Fds;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The loop-level event-channel API on the model, under both engines: a loop on {@link XenEngine}
 * and a loop on epoll serving the device's fd. The peer is another domain driven from the test
 * thread or from a thread of its own.
 */
class EventChannelsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain local = xen.createDomain();
    private final SimDomain peer = xen.createDomain();
    private final EventChannelDevice localDevice = local.openEventChannels();
    private final EventChannelDevice peerDevice = peer.openEventChannels();
    private Loop loop;
    private EventChannels channels;
    /** Our port and the peer's end of it. */
    private int port;
    private int peerPort;

    private void open(EngineKind kind) {
        EngineKind.LoopOn made = kind.build(Loop.builder(), localDevice);
        loop = made.loop();
        channels = made.channelsHere();
        port = channels.bindUnbound(peer.domainId());
        peerPort = peerDevice.bindInterdomain(local.domainId(), port);
    }

    @AfterEach
    void close() {
        if (channels != null) {
            channels.close();
            loop.close();
        }
        localDevice.close();
        peerDevice.close();
    }

    private <T> T run(Promise<T> promise) {
        return loop.run(loop.withTimeout(PATIENCE, promise));
    }

    /** Runs iterations until the port's counter reaches {@code count}, without waiting on it. */
    private void runUntilCounter(long count) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (channels.counter(port) < count) {
            assertTrue(System.nanoTime() < deadline, "the event never arrived");
            loop.runOnce(Duration.ofMillis(100).toNanos());
        }
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void afterResolvesWithTheCounterWhenThePeerNotifies(EngineKind kind) {
        open(kind);
        Promise<Long> next = channels.after(port, EventChannels.PROGRAM_START);

        peerDevice.notify(peerPort);

        assertEquals(1L, run(next));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void anEventBetweenTwoAftersIsNotLost(EngineKind kind) {
        open(kind);
        Promise<Long> first = channels.after(port, EventChannels.PROGRAM_START);
        peerDevice.notify(peerPort);
        long seen = run(first);
        peerDevice.notify(peerPort);
        runUntilCounter(seen + 1); // the event arrives while nobody waits

        Promise<Long> next = channels.after(port, seen);

        assertTrue(next.isFulfilled(), "resolved at once: the counter already passed lastSeen");
        assertEquals(seen + 1, next.value());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void afterWaitsWhileTheCounterHasNotPassedLastSeen(EngineKind kind) {
        open(kind);
        peerDevice.notify(peerPort);
        runUntilCounter(1);

        Promise<Long> next = channels.after(port, 1);
        loop.runOnce(0);

        assertTrue(next.isPending());
        peerDevice.notify(peerPort);
        assertEquals(2L, run(next));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void awaitIsEdgeStyleAndIgnoresEventsBeforeTheCall(EngineKind kind) {
        open(kind);
        peerDevice.notify(peerPort);
        runUntilCounter(1);

        Promise<Long> next = channels.await(port);
        loop.runOnce(0);

        assertTrue(next.isPending(), "the event before the call does not count");
        peerDevice.notify(peerPort);
        assertEquals(2L, run(next));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void anEventNobodyWaitsForIsCountedSpurious(EngineKind kind) {
        open(kind);

        peerDevice.notify(peerPort);
        runUntilCounter(1);

        assertEquals(1, channels.events());
        assertEquals(1, channels.spuriousEvents());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void anEventThatDoesNotPassAWaitersLastSeenIsCountedSpurious(EngineKind kind) {
        open(kind);
        Promise<Long> later = channels.after(port, 1);

        peerDevice.notify(peerPort);
        runUntilCounter(1);

        assertTrue(later.isPending());
        assertEquals(1, channels.spuriousEvents());
        peerDevice.notify(peerPort);
        assertEquals(2L, run(later));
        assertEquals(1, channels.spuriousEvents());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void oneEventResolvesEveryWaiterItSatisfies(EngineKind kind) {
        open(kind);
        Promise<Long> first = channels.after(port, 0);
        Promise<Long> second = channels.await(port);

        peerDevice.notify(peerPort);

        assertEquals(1L, run(first));
        assertEquals(1L, second.value());
        assertEquals(0, channels.waiters());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void cancellingAWaitingPromiseRemovesItsWaiter(EngineKind kind) {
        open(kind);
        Promise<Long> next = channels.after(port, 0);
        assertEquals(1, channels.waiters());

        next.cancel();

        assertTrue(next.isCancelled());
        assertEquals(0, channels.waiters());
        peerDevice.notify(peerPort);
        runUntilCounter(1);
        assertEquals(1, channels.spuriousEvents(), "the cancelled waiter was not woken");
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void unbindRejectsItsWaitersWithEnotconn(EngineKind kind) {
        open(kind);
        Promise<Long> next = channels.after(port, 0);

        channels.unbind(port);

        EventChannelException failure = assertInstanceOf(EventChannelException.class, next.failure());
        assertEquals("ENOTCONN", failure.errno());
        assertEquals(0, channels.waiters());
        assertEquals(0, local.boundPorts());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void notifyReachesThePeer(EngineKind kind) {
        open(kind);
        int[] reported = new int[4];
        peerDevice.takePending(reported); // Xen's pending mark from the peer's bind
        peerDevice.unmask(peerPort);

        channels.notify(port);

        assertEquals(1, peerDevice.takePending(reported));
        assertEquals(peerPort, reported[0]);
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aVirqRaisedByTheHypervisorResolvesAWaiter(EngineKind kind) {
        open(kind);
        int virqPort = channels.bindVirq(0);
        Promise<Long> tick = channels.after(virqPort, 0);

        local.raiseVirq(0);

        assertEquals(1L, run(tick));
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aBlockedLoopWakesForAnEventFromAnotherThread(EngineKind kind) throws Exception {
        open(kind);
        Promise<Long> next = channels.after(port, 0);
        Thread notifier = new Thread(() -> peerDevice.notify(peerPort));

        notifier.start();
        long value = run(next);
        notifier.join();

        assertEquals(1L, value);
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void wakeupFromAnotherThreadReturnsALoopBlockedOnEventChannels(EngineKind kind) throws Exception {
        open(kind);
        Resolver<String> resolver = Promise.task();
        Thread other = new Thread(() -> loop.execute(() -> resolver.resolve("woken")));

        other.start();
        String value = run(resolver.promise());
        other.join();

        assertEquals("woken", value);
        assertEquals(0, channels.events(), "woken by the inbox, not by an event");
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void closingTheChannelsTheLoopAndTheDevicesReleasesEveryFd(EngineKind kind) {
        SimDomain other = xen.createDomain();
        long before = Fds.open();
        EventChannelDevice device = other.openEventChannels();
        EngineKind.LoopOn made = kind.build(Loop.builder(), device);
        EventChannels opened = made.channelsHere();
        int bound = opened.bindUnbound(local.domainId());
        Promise<Long> waiting = opened.after(bound, 0);

        opened.close();
        made.loop().close();
        device.close();

        assertEquals(before, Fds.open());
        assertEquals(0, other.boundPorts());
        assertTrue(waiting.isRejected());
        assertEquals(0, opened.waiters());
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aLoopWithNothingToDoBlocksInsteadOfSpinning(EngineKind kind) throws Exception {
        open(kind);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Thread notifier = new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            peerDevice.notify(peerPort);
        });
        notifier.start();
        Promise<Long> next = channels.after(port, 0);
        loop.sleep(Duration.ofMillis(20)).onSuccess(v -> go.countDown());
        long before = loop.metrics().iterations();

        assertEquals(1L, run(next));
        notifier.join();

        long iterations = loop.metrics().iterations() - before;
        assertTrue(iterations < 20, "a spinning loop would iterate thousands of times in 20 ms: " + iterations);
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void aPortBoundOutsideTheChannelsIsWatchedOnceWithWatchBound(EngineKind kind) {
        open(kind);
        int outside = localDevice.bindUnboundPort(peer.domainId());
        int peerEnd = peerDevice.bindInterdomain(local.domainId(), outside);

        assertEquals(outside, channels.watchBound(outside));
        Promise<Long> next = channels.after(outside, EventChannels.PROGRAM_START);
        peerDevice.notify(peerEnd);

        assertEquals(1L, run(next));
        assertThrows(IllegalArgumentException.class, () -> channels.watchBound(outside));
        assertThrows(IllegalArgumentException.class, () -> channels.watchBound(port));
    }
}
