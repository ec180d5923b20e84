package dev.weft.xen.evtchn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Engine;
import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.promise.Resolver;
import dev.weft.unix.epoll.EpollEngine;
import dev.weft.xen.sim.Fds;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dispatcher attached to an epoll loop: the device's fd as a source, ports demultiplexed. */
class EventChannelDispatcherTest {
    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain local = xen.createDomain();
    private final SimDomain peer = xen.createDomain();
    private final EventChannelDevice device = local.openEventChannels();
    private final EventChannelDevice peerDevice = peer.openEventChannels();
    private final Loop loop = Loop.builder().engine(new EpollEngine()).build();

    @AfterEach
    void close() {
        loop.close();
        device.close();
        peerDevice.close();
    }

    @Test
    void aPausedPortIsReportedThroughTheLoopWhenResumed() {
        EventChannelDispatcher dispatcher = EventChannelDispatcher.attach(loop, device, 8);
        int port = device.bindUnboundPort(peer.domainId());
        int peerPort = peerDevice.bindInterdomain(local.domainId(), port);
        Resolver<Integer> called = Promise.task();
        dispatcher.register(port, 0, called::resolve);
        peerDevice.notify(peerPort);
        loop.runOnce(0); // the device's fd is readable: the port is taken, and held
        assertFalse(Fds.readable(device.fd()));
        assertTrue(called.promise().isPending());

        dispatcher.modify(port, Engine.READABLE);

        assertEquals(Engine.READABLE, loop.run(loop.withTimeout(Duration.ofSeconds(30), called.promise())));
        assertFalse(local.isMasked(port));
    }

    @Test
    void detachUnregistersTheDevicesFd() {
        EventChannelDispatcher dispatcher = EventChannelDispatcher.attach(loop, device, 8);

        dispatcher.detach();

        assertThrows(IllegalStateException.class, () -> loop.unregister(device.fd()));
    }

    @Test
    void aXenEnginesDispatcherCannotBeDetached() {
        try (XenEngine engine = new XenEngine(device)) {
            assertThrows(IllegalStateException.class, () -> engine.dispatcher().detach());
        }
    }

    @Test
    void portsLeftOverByAThrowingHandlerAreDispatchedWithoutANewEvent() {
        EventChannelDispatcher dispatcher = EventChannelDispatcher.attach(loop, device, 8);
        int first = device.bindUnboundPort(peer.domainId());
        int firstPeer = peerDevice.bindInterdomain(local.domainId(), first);
        int second = device.bindUnboundPort(peer.domainId());
        int secondPeer = peerDevice.bindInterdomain(local.domainId(), second);
        RuntimeException boom = new RuntimeException("boom");
        dispatcher.register(first, Engine.READABLE, events -> {
            throw boom;
        });
        Resolver<Integer> secondCalled = Promise.task();
        dispatcher.register(second, Engine.READABLE, secondCalled::resolve);
        java.util.List<Throwable> reported = new java.util.ArrayList<>();
        dev.weft.promise.LoopHooks.setAsyncExceptionHook(reported::add);
        try {
            peerDevice.notify(firstPeer);
            peerDevice.notify(secondPeer);

            loop.run(loop.withTimeout(Duration.ofSeconds(30), secondCalled.promise()));

            assertEquals(java.util.List.of(boom), reported);
            assertFalse(local.isMasked(first), "the throwing handler's port was unmasked");
        } finally {
            dev.weft.promise.LoopHooks.setAsyncExceptionHook(null);
        }
    }

    @Test
    void eventChannelsOnALoopOfAnotherEngineAreRefusedAndThePortUnbound() {
        try (XenEngine ours = new XenEngine(device);
                EventChannelDevice otherDevice = local.openEventChannels();
                Loop elsewhere = Loop.builder().engine(new XenEngine(otherDevice)).build()) {
            EventChannels channels = EventChannels.on(elsewhere, ours);

            assertThrows(IllegalArgumentException.class, () -> channels.bindUnbound(peer.domainId()));

            assertEquals(0, local.boundPorts());
        }
    }
}
