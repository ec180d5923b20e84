package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.xen.sim.Fds;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Xen engine's own contract, driven directly (no loop): ports as sources, pause, failure, wakeup. */
class XenEngineTest {
    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain local = xen.createDomain();
    private final SimDomain peer = xen.createDomain();
    private final EventChannelDevice device = local.openEventChannels();
    private final EventChannelDevice peerDevice = peer.openEventChannels();
    private final XenEngine engine = new XenEngine(device);
    private final List<Integer> calls = new ArrayList<>();

    @AfterEach
    void close() {
        engine.close();
        device.close();
        peerDevice.close();
    }

    /** A connected port: returns {local, peer}. */
    private int[] connect() {
        int port = device.bindUnboundPort(peer.domainId());
        int peerPort = peerDevice.bindInterdomain(local.domainId(), port);
        return new int[] {port, peerPort};
    }

    private Engine.ReadyHandler recording(int port) {
        return events -> {
            assertEquals(Engine.READABLE, events);
            calls.add(port);
        };
    }

    @Test
    void aPendingPortCallsItsHandlerOnceAndIsUnmaskedAfter() {
        int[] ports = connect();
        engine.register(ports[0], Engine.READABLE, recording(ports[0]));
        peerDevice.notify(ports[1]);

        assertEquals(1, engine.poll(0));

        assertEquals(List.of(ports[0]), calls);
        assertFalse(local.isMasked(ports[0]), "serviced, so unmasked");
        assertEquals(0, engine.poll(0));
    }

    @Test
    void theHandlerRunsWhileThePortIsStillMasked() {
        int[] ports = connect();
        boolean[] maskedDuringHandler = new boolean[1];
        engine.register(ports[0], Engine.READABLE, events -> maskedDuringHandler[0] = local.isMasked(ports[0]));
        peerDevice.notify(ports[1]);

        engine.poll(0);

        assertTrue(maskedDuringHandler[0]);
    }

    @Test
    void aPollTakesAtMostBatchPortsAndLeavesTheRestForTheNext() {
        try (XenEngine small = new XenEngine(local.openEventChannels(), 2)) {
            EventChannelDevice smallDevice = small.device();
            List<Integer> peers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int port = smallDevice.bindUnboundPort(peer.domainId());
                peers.add(peerDevice.bindInterdomain(local.domainId(), port));
                small.register(port, Engine.READABLE, recording(port));
            }
            peers.forEach(peerDevice::notify);

            assertEquals(2, small.poll(0));
            assertEquals(1, small.poll(0));
            smallDevice.close();
        }
    }

    @Test
    void aPausedPortIsHeldMaskedAndReportedWhenResumed() {
        int[] ports = connect();
        engine.register(ports[0], 0, recording(ports[0]));
        peerDevice.notify(ports[1]);

        assertEquals(0, engine.poll(0));
        assertTrue(local.isMasked(ports[0]), "held masked: a storm on a paused port costs nothing");
        engine.modify(ports[0], Engine.READABLE);

        assertEquals(1, engine.poll(-1), "reported without a new event, and without blocking");
        assertEquals(List.of(ports[0]), calls);
    }

    @Test
    void aPortReportedBeforeItsRegistrationIsNotLost() {
        int[] ports = connect();
        peerDevice.notify(ports[1]);
        assertEquals(0, engine.poll(0));

        engine.register(ports[0], Engine.READABLE, recording(ports[0]));

        assertEquals(1, engine.poll(-1));
    }

    @Test
    void anUnregisteredPortsHandlerIsNeverCalledAgain() {
        int[] ports = connect();
        engine.register(ports[0], Engine.READABLE, recording(ports[0]));
        engine.unregister(ports[0]);
        peerDevice.notify(ports[1]);

        assertEquals(0, engine.poll(0));
        assertTrue(calls.isEmpty());
    }

    @Test
    void aThrowingHandlerPropagatesItsPortIsUnmaskedAndTheRestComeNext() {
        int[] first = connect();
        int[] second = connect();
        RuntimeException boom = new RuntimeException("boom");
        engine.register(first[0], Engine.READABLE, events -> {
            throw boom;
        });
        engine.register(second[0], Engine.READABLE, recording(second[0]));
        peerDevice.notify(first[1]);
        peerDevice.notify(second[1]);

        assertSame(boom, assertThrows(RuntimeException.class, () -> engine.poll(0)));

        assertFalse(local.isMasked(first[0]));
        assertEquals(1, engine.poll(0));
        assertEquals(List.of(second[0]), calls);
    }

    @Test
    void onlyReadabilityCanBeAskedFor() {
        int[] ports = connect();

        assertThrows(IllegalArgumentException.class,
                () -> engine.register(ports[0], Engine.WRITABLE, recording(ports[0])));
        engine.register(ports[0], Engine.READABLE, recording(ports[0]));
        assertThrows(IllegalStateException.class, () -> engine.register(ports[0], Engine.READABLE, recording(0)));
        assertThrows(IllegalArgumentException.class, () -> engine.modify(ports[0], Engine.READABLE | Engine.WRITABLE));
    }

    @Test
    void aPollWithATimeoutReturnsWhenNothingHappens() {
        assertEquals(0, engine.poll(TimeUnit.MILLISECONDS.toNanos(2)));
    }

    @Test
    void wakeupFromAnotherThreadReturnsABlockedPoll() throws Exception {
        Thread waker = new Thread(engine::wakeup);

        waker.start();
        int called = engine.poll(-1);
        waker.join();

        assertEquals(0, called);
    }

    @Test
    void closeReleasesTheEnginesFdsButNotTheDevice() {
        long epollEngineFds = fdsOfAnEpollEngine();
        long before = Fds.open();
        XenEngine other = new XenEngine(device);
        assertEquals(before + epollEngineFds, Fds.open(),
                "its epoll engine's: an epoll fd, a wakeup eventfd, and an io_uring where the kernel has one");

        other.close();
        other.close();
        other.wakeup();

        assertEquals(before, Fds.open());
        assertThrows(IllegalStateException.class, () -> other.poll(0));
        device.bindUnboundPort(peer.domainId()); // still open
    }

    /** The fds an epoll engine holds while open (the io_uring readiness probe's depends on the kernel). */
    private static long fdsOfAnEpollEngine() {
        long before = Fds.open();
        EpollEngine engine = new EpollEngine(2);
        long held = Fds.open() - before;
        engine.close();
        return held;
    }
}
