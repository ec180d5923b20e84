package dev.weft.xen.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.loop.Loop;
import dev.weft.promise.Promise;
import dev.weft.xen.evtchn.EventChannelDevice;
import dev.weft.xen.evtchn.EventChannels;
import dev.weft.xen.evtchn.XenEngine;
import dev.weft.xen.sim.SimDomain;
import dev.weft.xen.sim.SimHypervisor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A front and a back in two domains of the hypervisor model, each on its own loop and thread
 * (loops on {@link XenEngine}s), sharing only the ring's page and one interdomain event channel.
 * Both ends sleep in their engine when their final check finds nothing, so a lost notification
 * hangs the run, which the timeout turns into a failure.
 */
class TwoLoopRingTest {
    private static final long REQUESTS = 10_000_000;
    /** 1,000 below 2^32: the indices wrap early in the run. */
    private static final int START = -1000;

    private final SimHypervisor xen = new SimHypervisor();
    private final SimDomain frontDomain = xen.createDomain();
    private final SimDomain backDomain = xen.createDomain();
    private final EventChannelDevice frontDevice = frontDomain.openEventChannels();
    private final EventChannelDevice backDevice = backDomain.openEventChannels();
    private final XenEngine frontEngine = new XenEngine(frontDevice);
    private final XenEngine backEngine = new XenEngine(backDevice);
    private final Loop frontLoop = Loop.builder().name("front").engine(frontEngine).build();
    private final Loop backLoop = Loop.builder().name("back").engine(backEngine).build();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment page = arena.allocate(4096, 4096);
    private final SharedRing ring = SharedRing.over(page, LongCodec.INSTANCE.entrySize()).initialise(START);

    @AfterEach
    void close() {
        frontLoop.close();
        backLoop.close();
        frontDevice.close();
        backDevice.close();
        arena.close();
    }

    @Test
    void tenMillionRequestsCrossTwoLoopsWithIndicesWrapping() throws Exception {
        backLoop.start();
        frontLoop.start();
        int backPort = backLoop.submit(() -> {
            EventChannels channels = EventChannels.on(backLoop, backEngine);
            int port = channels.bindUnbound(frontDomain.domainId());
            RingServer<Long, Long> server = new RingServer<>(ring.back(START), LongCodec.INSTANCE,
                    request -> Promise.of(request + 1), (request, failure) -> -1L, () -> channels.notify(port));
            server.pollOnEvents(channels, port);
            return Promise.of(port);
        }).get(30, TimeUnit.SECONDS);

        long mismatches = frontLoop.submit(() -> {
            EventChannels channels = EventChannels.on(frontLoop, frontEngine);
            int port = channels.bindInterdomain(backDomain.domainId(), backPort);
            RingClient<Long, Long> client = new RingClient<>(ring.front(START), LongCodec.INSTANCE,
                    () -> channels.notify(port));
            Promise<Void> polling = client.pollOnEvents(channels, port);
            return new RingLoad(client, REQUESTS).start(2 * ring.size()).andFinally(() -> {
                polling.cancel();
                return Promise.unit();
            });
        }).get(2, TimeUnit.MINUTES);

        assertEquals(0, mismatches);
        int reqProd = page.get(ValueLayout.JAVA_INT, SharedRing.REQ_PROD);
        assertEquals(START + (int) REQUESTS, reqProd);
        assertTrue(Integer.compareUnsigned(reqProd, START) < 0, "req_prod wrapped past 2^32");
    }
}
